[
  {
    "follower" : {
      "accountId" : "1000",
      "userLink" : "https://twitter.com/intent/user?user_id=1000"
    }
  }
]