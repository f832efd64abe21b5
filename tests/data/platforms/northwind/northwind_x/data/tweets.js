window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1800000000000000001"
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
            "name" : "Maya Okafor 🚀",
            "screen_name" : "maya_builds",
            "indices" : [
              "3",
              "15"
            ],
            "id_str" : "2001",
            "id" : "2001"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "55"
      ],
      "favorite_count" : "3",
      "id_str" : "1800000000000000001",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1800000000000000001",
      "created_at" : "Mon Mar 04 09:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "RT @maya_builds: Data contracts, explained in 5 minutes",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1800000000000000002"
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
            "name" : "Ada Brightwater",
            "screen_name" : "ada_b",
            "indices" : [
              "0",
              "6"
            ],
            "id_str" : "3001",
            "id" : "3001"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "7",
        "22"
      ],
      "favorite_count" : "3",
      "id_str" : "1800000000000000002",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1800000000000000002",
      "created_at" : "Tue Mar 05 14:30:00 +0000 2024",
      "favorited" : false,
      "full_text" : "@ada_b Thank you, Ada!",
      "lang" : "en",
      "in_reply_to_status_id_str" : "1799999999999999999",
      "in_reply_to_user_id_str" : "3001",
      "in_reply_to_screen_name" : "ada_b"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1800000000000000003"
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
            "name" : "Daniel Reyes",
            "screen_name" : "dreyes_secarch",
            "indices" : [
              "28",
              "43"
            ],
            "id_str" : "2002",
            "id" : "2002"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "54"
      ],
      "favorite_count" : "3",
      "id_str" : "1800000000000000003",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1800000000000000003",
      "created_at" : "Wed Mar 06 16:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Meet our security architect @dreyes_secarch at KubeCon",
      "lang" : "en"
    }
  }
]