window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1600000000000000001"
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
        "user_mentions" : [],
        "urls" : [
          {
            "url" : "https://t.co/q1",
            "expanded_url" : "https://twitter.com/maya_builds/status/1700000000000000001",
            "display_url" : "twitter.com/maya_builds/stat…",
            "indices" : [
              "15",
              "38"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "30"
      ],
      "favorite_count" : "3",
      "id_str" : "1600000000000000001",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1600000000000000001",
      "created_at" : "Fri Mar 08 09:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Worth reading: https://t.co/q1",
      "lang" : "en"
    }
  }
]