window.YTD.follower.part0 = [
  {
    "follower" : {
      "accountId" : "10ÿ0",
      "userLink" : "https://twitter.com/intent/user?user_id=10ÿ0"
    }
  }
]