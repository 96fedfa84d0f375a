"""The data postfeed works on: Site, Author, Post, and the resolved Feed and Entry
that formats turn into bytes. No I/O here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

FORMAT_NAMES = ("rss", "atom", "json")
ID_SCHEMES = ("tag", "permalink")

#: Called as ``progress(stage, done, total)`` while a build runs: ``stage`` is
#: ``"read"`` while post files are read, then ``"render"`` while entries are made.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Author:
    """A person credited with a post or a feed."""

    name: str
    email: str | None = None
    uri: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """A blog: what postfeed.yaml says, with its defaults filled in.

    ``url`` always ends with ``/``; ``description`` defaults to ``title``.
    Relative folders are relative to the current directory when the site is
    made in code, and to the configuration file when it is loaded.
    ``cache_dir`` is where builds keep what they may reuse (None: no cache).
    ``sanitize`` cleans the HTML of every entry (see ``rendering.sanitize``);
    False publishes it exactly as written.
    """

    title: str
    url: str
    description: str = ""
    language: str | None = None
    author: Author | None = None
    timezone: str = "UTC"
    posts_dir: Path = Path("posts")
    output_dir: Path = Path("feeds")
    feeds_url: str | None = None
    permalink: str = "/posts/{slug}/"
    limit: int = 20
    formats: tuple[str, ...] = FORMAT_NAMES
    tag_feeds: bool = True
    id_scheme: str = "tag"
    hub: str | None = None
    static_dir: Path | None = None
    cache_dir: Path | None = None
    sanitize: bool = True
    config_path: Path | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.url.endswith("/"):
            object.__setattr__(self, "url", self.url + "/")
        if not self.description:
            object.__setattr__(self, "description", self.title)
        if self.feeds_url is not None and not self.feeds_url.endswith("/"):
            object.__setattr__(self, "feeds_url", self.feeds_url + "/")

    @property
    def feeds_base_url(self) -> str:
        """The absolute URL of the published output folder, ending with ``/``."""
        return self.feeds_url if self.feeds_url is not None else self.url + "feeds/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """A post's image: its URL (absolute, or a path under the site URL), and the
    byte length and media type an RSS enclosure needs, when they are known."""

    url: str
    length: int | None = None
    media_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    """One blog post, read from a Markdown file or made in code.

    Give the body as ``markdown`` (rendered when the post appears in a feed)
    or as ready ``html``. ``summary`` is Markdown (plain text is fine); without
    it the summary is the body before a ``<!--more-->`` line, else its first
    paragraph. Every datetime must be timezone-aware.

    A post that ``build`` scanned from a file keeps no body: ``markdown`` is
    None and the body starts at ``body_offset`` (in characters of the decoded
    text) in ``source``, to be read only if the post appears in a feed.
    """

    slug: str
    title: str
    published: datetime
    updated: datetime | None = None
    summary: str | None = None
    markdown: str | None = None
    html: str | None = None
    tags: tuple[str, ...] = ()
    author: Author | None = None
    id: str | None = None
    image: Image | None = None
    draft: bool = False
    source: Path | None = None
    body_offset: int | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("published", "updated"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"Post.{name} must be timezone-aware, got {value!r}")
        # A list passed in code would make the frozen post unhashable and mutable.
        object.__setattr__(self, "tags", tuple(self.tags))


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One feed entry, fully resolved: absolute URLs, rendered HTML, final dates.

    Text fields hold no character that XML forbids.
    """

    id: str
    url: str
    title: str
    published: datetime
    updated: datetime
    summary_html: str
    summary_text: str
    content_html: str | None
    tags: tuple[str, ...] = ()
    author: Author | None = None
    image: Image | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """One feed (the main one or one tag's), ready for any format.

    ``base_url`` is the absolute URL of the folder the feed's files are
    published in; each format appends its own file name for the self link.
    ``updated`` is the newest entry's ``updated`` (``None`` when empty).
    ``tag`` is the tag a tag feed is for; ``hub`` the WebSub hub it advertises.
    """

    id: str
    title: str
    description: str
    home_url: str
    base_url: str
    language: str | None
    author: Author | None
    updated: datetime | None
    entries: tuple[Entry, ...]
    tag: str | None = None
    hub: str | None = None
    generator_uri: str = "https://pypi.org/project/postfeed/"


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedEntry:
    """An entry read back from a feed file already in the output folder."""

    id: str
    title: str
    published: datetime | None
