"""Where posts, feeds and images live on the web, and the permanent id of each post.
Pure functions of the site and a post; no I/O."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import quote, urljoin, urlsplit

from .model import Post, Site


def post_url(site: Site, post: Post) -> str:
    """The post's absolute permalink: its ``url``, else the site's ``permalink`` filled in."""
    if post.url is not None:
        return post.url
    local = post.published
    path = site.permalink.format(
        slug=_quoted(post.slug),
        year=f"{local.year:04d}",
        month=f"{local.month:02d}",
        day=f"{local.day:02d}",
    )
    return site.url + path.lstrip("/")


def post_id(site: Site, post: Post) -> str:
    """The post's permanent id: front matter ``id``; else, by the site's ``id_scheme``,
    a tag URI (RFC 4151) from the site's host, the publish date and the slug, or the
    post's permalink."""
    if post.id is not None:
        return post.id
    if site.id_scheme == "permalink":
        return post_url(site, post)
    host = _host(site.url)
    return f"tag:{host},{post.published.date().isoformat()}:{_quoted(post.slug)}"


#: Text that percent-encoding leaves as it is (RFC 3986 unreserved characters).
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")


def _quoted(slug: str) -> str:
    """The slug percent-encoded for a URL or tag URI (most slugs need nothing)."""
    return slug if _UNRESERVED.fullmatch(slug) else quote(slug, safe="-._~")


@lru_cache(maxsize=16)
def _host(url: str) -> str:
    return urlsplit(url).hostname or "localhost"


def feed_url(site: Site, path: PurePosixPath) -> str:
    """The absolute URL of a feed's folder, ``path`` under the output folder."""
    if path == PurePosixPath("."):
        return site.feeds_base_url
    return f"{site.feeds_base_url}{quote(path.as_posix(), safe='/-._~')}/"


def image_url(site: Site, value: str) -> str:
    """An image's absolute URL: ``value`` resolved against the site URL."""
    if value.startswith("//"):
        return "https:" + value
    return urljoin(site.url, value)
