"""The code that writes and reads each output format (see ``postfeed.formats`` for
what each format is). Feeds in, bytes out: no file I/O, never the clock."""
