print("mp4writer")
