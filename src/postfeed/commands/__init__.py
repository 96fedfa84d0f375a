"""What the commands besides build do: serve the output folder, ping a WebSub hub,
start a new post. Library functions; the command line itself is ``postfeed.cli``."""
