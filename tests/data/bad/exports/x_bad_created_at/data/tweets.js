window.YTD.tweets.part0 = [
  { "tweet" : { "id_str" : "1", "full_text" : "RT @someone: hi", "created_at" : "yesterday at noon" } }
]