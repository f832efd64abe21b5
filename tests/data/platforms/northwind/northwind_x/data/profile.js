window.YTD.profile.part0 = [
  {
    "profile" : {
      "description" : {
        "bio" : "Cloud platform for data teams.",
        "website" : "",
        "location" : ""
      },
      "avatarMediaUrl" : "",
      "headerMediaUrl" : ""
    }
  }
]