"""The feeds' page for people (index.html) and the discovery <link> tags. The plan
and the main feed in, bytes or text out: no file I/O, no clock, nothing fetched by
the page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import PurePosixPath
from urllib.parse import quote

from .._text import MONTHS
from ..formats import FORMATS
from ..model import Feed, PlannedFeed, Site

PAGE_FILENAME = "index.html"
#: The most entries the page lists: the newest; the feeds hold the rest.
PAGE_ENTRIES = 20
# Each family's section on the page: its heading, and what a reader can do there.
_SECTIONS = {
    "tags": ("Feeds by tag", "Subscribe to one topic only: open a tag to see its feeds."),
    "categories": (
        "Feeds by category",
        "Subscribe to one category only: open a category to see its feeds.",
    ),
    "authors": (
        "Feeds by author",
        "Subscribe to one author's posts only: open a name to see its feeds.",
    ),
    "languages": (
        "Feeds by language",
        "Subscribe to the posts in one language only: open a language to see its feeds.",
    ),
    "custom": ("More feeds", "Feeds chosen by the site: open one to see its formats."),
}

# Colours meet WCAG 2.1 AA (4.5:1 for text) in both schemes; the page test measures them.
_STYLE = """\
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1b1b; --muted: #4d4d4d;
  --link: #0b4fae; --code-bg: #f1f3f5; --rule: #d0d4d9; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #121416; --fg: #ececec; --muted: #b8bcc2; --link: #8cb8ff;
    --code-bg: #22262b; --rule: #3a4047; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 44rem; padding: 1rem 1.25rem 3rem; background: var(--bg);
  color: var(--fg); font: 1.0625rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto,
  sans-serif; }
a { color: var(--link); }
a:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 1rem 0 0.25rem; }
h2 { font-size: 1.35rem; margin: 2.25rem 0 0.5rem; padding-top: 0.75rem;
  border-top: 1px solid var(--rule); }
h3 { font-size: 1.1rem; margin: 1.25rem 0 0.25rem; }
p, li { overflow-wrap: break-word; }
.muted { color: var(--muted); }
ul.feeds { list-style: none; padding: 0; margin: 0.25rem 0 0; }
ul.feeds li { margin: 0.35rem 0; }
ul.feeds li { display: flex; gap: 0.6rem; align-items: baseline; }
ul.feeds a { flex: 0 0 6.5rem; font-weight: 600; }
ul.feeds code { min-width: 0; }
details { margin: 0.5rem 0; }
summary { cursor: pointer; font-weight: 600; }
code { background: var(--code-bg); border-radius: 4px; padding: 0.1rem 0.3rem;
  font-size: 0.9em; overflow-wrap: anywhere; user-select: all; }
ol.entries { list-style: none; padding: 0; margin: 0; }
ol.entries li { margin: 0 0 1.5rem; }
ol.entries p { margin: 0.25rem 0; }
"""


def feed_links(site: Site, feed: PlannedFeed | None = None) -> list[tuple[str, str, str]]:
    """(media type, title, absolute URL) of each format of a planned feed (by default
    the main feed), in the feed's format order."""
    title = site.title if feed is None else feed.title
    base = site.feeds_base_url if feed is None else feed.base_url
    return [
        (
            FORMATS[name].media_type,
            f"{title} ({FORMATS[name].label})",
            base + FORMATS[name].filename,
        )
        for name in (site.formats if feed is None else feed.formats)
    ]


def link_tags(site: Site, feed: PlannedFeed | None = None) -> str:
    """The ``<link rel="alternate">`` tags that let readers discover a feed (by default
    the main feed) in each of its formats, one a line, for a page's ``<head>``."""
    return "".join(
        f'<link rel="alternate" type="{media_type}" title="{_attr(title)}" href="{_attr(url)}">\n'
        for media_type, title, url in feed_links(site, feed)
    )


def render_page(site: Site, feeds: Sequence[PlannedFeed], main: Feed) -> bytes:
    """index.html for the output folder: how to subscribe to each planned feed (the
    main one first, then a section per family), and the newest entries of ``main``
    (at most :data:`PAGE_ENTRIES` of them: the caller gives no more).
    Links to the feeds are relative, so the page works wherever the folder is
    served; the addresses shown to copy are the published ones."""
    lang = site.language or "en"
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_attr(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(main.title)}: feeds</title>",
        f'<meta name="description" content="{_attr(main.description)}">',
        # An empty icon: otherwise browsers request /favicon.ico from the server.
        '<link rel="icon" href="data:,">',
    ]
    for name in site.formats:
        head.append(
            f'<link rel="alternate" type="{FORMATS[name].media_type}"'
            f' title="{_attr(main.title)} ({FORMATS[name].label})"'
            f' href="{_attr(FORMATS[name].filename)}">'
        )
    head += [f"<style>\n{_STYLE}</style>", "</head>"]
    body = [
        "<body>",
        "<header>",
        f"<h1>{_text(main.title)}</h1>",
        f"<p>{_text(main.description)}</p>",
        f'<p><a href="{_attr(site.url)}">{_text(site.url)}</a></p>',
        "</header>",
        "<main>",
        '<section aria-labelledby="subscribe">',
        '<h2 id="subscribe">Subscribe</h2>',
        "<p>Paste a feed's address into your feed reader, or open the link with it."
        " Every format carries the same posts.</p>",
        *_feed_list(site, PurePosixPath("."), site.formats),
        *(_archive(feed) for feed in feeds if feed.family == "main" and feed.pages),
        "</section>",
    ]
    for family, (heading, hint) in _SECTIONS.items():
        members = [feed for feed in feeds if feed.family == family]
        if not members:
            continue
        if family != "custom":
            members.sort(key=lambda feed: str(feed.path))
        body += [
            f'<section aria-labelledby="{family}">',
            f'<h2 id="{family}">{heading}</h2>',
            f"<p>{hint}</p>",
        ]
        for feed in members:
            body += [
                "<details>",
                f"<summary>{_text(feed.label)}</summary>",
                *_feed_list(site, feed.path, feed.formats),
                *((_archive(feed),) if feed.pages else ()),
                "</details>",
            ]
        body.append("</section>")
    body.append('<section aria-labelledby="newest">')
    body.append('<h2 id="newest">Newest posts</h2>')
    if main.entries:
        body.append('<ol class="entries">')
        for entry in main.entries:
            meta = f'<time datetime="{entry.published.isoformat()}">{_date(entry.published)}</time>'
            topics = (*entry.categories, *entry.tags)
            if topics:
                meta += " · " + _text(", ".join(topics))
            body += [
                "<li>",
                f'<h3><a href="{_attr(entry.url)}">{_text(entry.title)}</a></h3>',
                f'<p class="muted">{meta}</p>',
            ]
            if entry.summary_text:
                body.append(f"<p>{_text(entry.summary_text)}</p>")
            body.append("</li>")
        body.append("</ol>")
    else:
        body.append("<p>No posts yet.</p>")
    body += [
        "</section>",
        "</main>",
        "<footer>",
        '<p class="muted">Feeds built by <a href="https://pypi.org/project/postfeed/">'
        "postfeed</a>.</p>",
        "</footer>",
        "</body>",
        "</html>",
    ]
    return ("\n".join(head + body) + "\n").encode("utf-8")


def _feed_list(site: Site, folder: PurePosixPath, formats: Sequence[str]) -> list[str]:
    """For each format of the feed in ``folder``, the link and the address to copy."""
    prefix = "" if folder == PurePosixPath(".") else quote(f"{folder}/", safe="/-._~")
    base = site.feeds_base_url + prefix
    lines = ['<ul class="feeds">']
    for name in formats:
        fmt = FORMATS[name]
        lines.append(
            f'<li><a href="{_attr(prefix + fmt.filename)}" type="{fmt.media_type}">'
            f"{fmt.label}</a> <code>{_text(base + fmt.filename)}</code></li>"
        )
    lines.append("</ul>")
    return lines


def _archive(feed: PlannedFeed) -> str:
    """A line on the feed's archive (RFC 5005), with a link to its newest page in each
    format, relative to the page."""
    newest = feed.pages[-1]
    count = sum(len(page.posts) for page in feed.pages)
    prefix = quote(f"{newest.path}/", safe="/-._~")
    links = " · ".join(
        f'<a href="{_attr(prefix + FORMATS[name].filename)}" type="{FORMATS[name].media_type}">'
        f"{FORMATS[name].label}</a>"
        for name in feed.formats
    )
    posts = "post is" if count == 1 else f"{count:,} posts are"
    return (
        f'<p class="muted">{"The" if count == 1 else "All"} {posts} in the archive,'
        f" {feed.archive:,} a page; feed readers that support archived feeds (RFC 5005)"
        f" read it from the feeds above. Newest page: {links}.</p>"
    )


def _date(value: datetime) -> str:
    """A date as people read it, in its own offset and in English like the page."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _text(value: str) -> str:
    return escape(value, quote=False)


def _attr(value: str) -> str:
    return escape(value, quote=True)
