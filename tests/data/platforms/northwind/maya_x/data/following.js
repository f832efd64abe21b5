window.YTD.following.part0 = [
  {
    "following" : {
      "accountId" : "1000",
      "userLink" : "https://twitter.com/intent/user?user_id=1000"
    }
  },
  {
    "following" : {
      "accountId" : "2002",
      "userLink" : "https://twitter.com/intent/user?user_id=2002"
    }
  },
  {
    "following" : {
      "accountId" : "3010",
      "userLink" : "https://twitter.com/intent/user?user_id=3010"
    }
  }
]