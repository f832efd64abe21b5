window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1700000000000000001"
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
            "expanded_url" : "https://twitter.com/thedatathorne/status/1699999999999999999",
            "display_url" : "twitter.com/thedatathorne/stat…",
            "indices" : [
              "40",
              "63"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "55"
      ],
      "favorite_count" : "3",
      "id_str" : "1700000000000000001",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1700000000000000001",
      "created_at" : "Mon Mar 04 10:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Best thread on data contracts this year https://t.co/q1",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1700000000000000002"
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
            "name" : "Priya Raman",
            "screen_name" : "priya_threatintel",
            "indices" : [
              "0",
              "18"
            ],
            "id_str" : "3007",
            "id" : "3007"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "19",
        "42"
      ],
      "favorite_count" : "3",
      "id_str" : "1700000000000000002",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1700000000000000002",
      "created_at" : "Tue Mar 05 08:15:00 +0000 2024",
      "favorited" : false,
      "full_text" : "@priya_threatintel Great point about SBOMs",
      "lang" : "en",
      "in_reply_to_status_id_str" : "1699999999999999990",
      "in_reply_to_user_id_str" : "3007",
      "in_reply_to_screen_name" : "priya_threatintel"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1700000000000000003"
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
              "16",
              "31"
            ],
            "id_str" : "1000",
            "id" : "1000"
          },
          {
            "name" : "Daniel Reyes",
            "screen_name" : "dreyes_secarch",
            "indices" : [
              "37",
              "52"
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
      "id_str" : "1700000000000000003",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1700000000000000003",
      "created_at" : "Wed Mar 06 17:45:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Shipping day at @northwindcloud with @dreyes_secarch 🚢",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1700000000000000004"
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
              "3",
              "18"
            ],
            "id_str" : "1000",
            "id" : "1000"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "48"
      ],
      "favorite_count" : "3",
      "id_str" : "1700000000000000004",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1700000000000000004",
      "created_at" : "Thu Mar 07 12:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "RT @northwindcloud: We are hiring data engineers",
      "lang" : "en"
    }
  }
]