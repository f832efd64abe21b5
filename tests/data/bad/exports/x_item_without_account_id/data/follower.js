window.YTD.follower.part0 = [
  { "follower" : { "accountId" : "1000" } },
  { "follower" : { "userLink" : "https://twitter.com/intent/user?user_id=1001" } }
]