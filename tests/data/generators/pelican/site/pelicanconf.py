AUTHOR = "Ada Lindqvist"
SITENAME = "Field Notes on Go"
SITEURL = "https://pelican.example.org/notes"

PATH = "content"
STATIC_PATHS = ["images"]

TIMEZONE = "Europe/Lisbon"
DEFAULT_LANG = "en"

ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/{date:%Y}/{date:%m}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{date:%Y}/{date:%m}/{slug}/index.html"

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = False
RELATIVE_URLS = False
