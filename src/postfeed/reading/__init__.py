"""Reading the site and its posts: postfeed.yaml to a Site, post files to Posts.
Everything read is checked here, and every problem reported at once."""
