window.YTD.tweets.part1 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1600000000000000002"
          ],
          "editableUntil" : "2024-03-04T11:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Northwind Cloud",
            "screen_name" : "northwindcloud",
            "indices" : [
              "0",
              "15"
            ],
            "id_str" : "1000",
            "id" : "1000"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "34"
      ],
      "favorite_count" : "3",
      "id_str" : "1600000000000000002",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1600000000000000002",
      "created_at" : "Sat Mar 09 10:30:00 +0000 2024",
      "favorited" : false,
      "full_text" : "@northwindcloud see you at KubeCon",
      "lang" : "en"
    }
  }
]