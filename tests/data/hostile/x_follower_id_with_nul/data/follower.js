window.YTD.follower.part0 = [
  { "follower" : { "accountId" : "3001" } },
  { "follower" : { "accountId" : "30\u00002" } }
]
