window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "dreyes_secarch@example.com",
      "createdVia" : "web",
      "username" : "dreyes_secarch",
      "accountId" : "2002",
      "createdAt" : "2015-04-01T09:00:00.000Z",
      "accountDisplayName" : "Daniel Reyes"
    }
  }
]