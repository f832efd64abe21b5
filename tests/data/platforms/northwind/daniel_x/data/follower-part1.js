window.YTD.follower.part1 = [
  {
    "follower" : {
      "accountId" : "3004",
      "userLink" : "https://twitter.com/intent/user?user_id=3004"
    }
  },
  {
    "follower" : {
      "accountId" : "3013",
      "userLink" : "https://twitter.com/intent/user?user_id=3013"
    }
  }
]