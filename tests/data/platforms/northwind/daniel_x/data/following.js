window.YTD.following.part0 = [
  {
    "following" : {
      "accountId" : "1000",
      "userLink" : "https://twitter.com/intent/user?user_id=1000"
    }
  }
]