window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "northwindcloud@example.com",
      "createdVia" : "web",
      "username" : "northwindcloud",
      "accountId" : "1000",
      "createdAt" : "2015-04-01T09:00:00.000Z",
      "accountDisplayName" : "Northwind Cloud"
    }
  }
]