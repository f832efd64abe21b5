window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "maya_builds@example.com",
      "createdVia" : "web",
      "username" : "maya_builds",
      "accountId" : "2001",
      "createdAt" : "2015-04-01T09:00:00.000Z",
      "accountDisplayName" : "Maya Okafor 🚀"
    }
  }
]