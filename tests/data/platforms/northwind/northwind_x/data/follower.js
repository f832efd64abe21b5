window.YTD.follower.part0 = [
  {
    "follower" : {
      "accountId" : "2001",
      "userLink" : "https://twitter.com/intent/user?user_id=2001"
    }
  },
  {
    "follower" : {
      "accountId" : "2002",
      "userLink" : "https://twitter.com/intent/user?user_id=2002"
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
      "accountId" : "3003",
      "userLink" : "https://twitter.com/intent/user?user_id=3003"
    }
  },
  {
    "follower" : {
      "accountId" : "3004",
      "userLink" : "https://twitter.com/intent/user?user_id=3004"
    }
  },
  {
    "follower" : {
      "accountId" : "3005",
      "userLink" : "https://twitter.com/intent/user?user_id=3005"
    }
  },
  {
    "follower" : {
      "accountId" : "3006",
      "userLink" : "https://twitter.com/intent/user?user_id=3006"
    }
  }
]