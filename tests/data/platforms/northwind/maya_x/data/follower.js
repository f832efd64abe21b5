window.YTD.follower.part0 = [
  {
    "follower" : {
      "accountId" : "1000",
      "userLink" : "https://twitter.com/intent/user?user_id=1000"
    }
  },
  {
    "follower" : {
      "accountId" : "3001",
      "userLink" : "https://twitter.com/intent/user?user_id=3001"
    }
  },
  {
    "follower" : {
      "accountId" : "3002",
      "userLink" : "https://twitter.com/intent/user?user_id=3002"
    }
  },
  {
    "follower" : {
      "accountId" : "3007",
      "userLink" : "https://twitter.com/intent/user?user_id=3007"
    }
  },
  {
    "follower" : {
      "accountId" : "3008",
      "userLink" : "https://twitter.com/intent/user?user_id=3008"
    }
  },
  {
    "follower" : {
      "accountId" : "3009",
      "userLink" : "https://twitter.com/intent/user?user_id=3009"
    }
  },
  {
    "follower" : {
      "accountId" : "3010",
      "userLink" : "https://twitter.com/intent/user?user_id=3010"
    }
  },
  {
    "follower" : {
      "accountId" : "3011",
      "userLink" : "https://twitter.com/intent/user?user_id=3011"
    }
  },
  {
    "follower" : {
      "accountId" : "3012",
      "userLink" : "https://twitter.com/intent/user?user_id=3012"
    }
  }
]