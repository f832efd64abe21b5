window.YTD.tweets.part0 = [
  { "tweet" : { "id_str" : "1", "full_text" : "thanks @priya", "created_at" : "Wed Oct 10 20:19:24 +0000 2018",
    "entities" : { "user_mentions" : [ { "name" : "Priya Raman", "id_str" : "3001", "indices" : [ "7", "13" ] } ] } } }
]
