window.YTD.follower.part0 = [
  {
    "follower" : {
      "accountId" : "1000",
      "us