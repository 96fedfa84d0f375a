"""The data postfeed works on: Site, Author, Post, the feeds a site asks for
(CustomFeed) and plans (PlannedFeed), and the resolved Feed and Entry that formats
turn into bytes. No I/O here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal, cast

from .formats import FORMAT_NAMES

ID_SCHEMES = ("tag", "permalink")
CONTENT_MODES = ("full", "summary")

#: A Markdown extension setting's value: plain data, so that a profile compares,
#: hashes, crosses to a worker process and goes into a cache key as it is.
Setting = str | int | float | bool | None | tuple["Setting", ...]

#: What a feed carries of each post: the full content, or the summary alone.
Content = Literal["full", "summary"]

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
class Selection:
    """Which posts a custom feed shows: every criterion given must hold, and a post
    meets a criterion when it has any one of the values listed (an author by its key
    in the site's ``authors`` or by its name, a language by its tag)."""

    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("tags", "categories", "authors", "languages"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def __bool__(self) -> bool:
        return bool(self.tags or self.categories or self.authors or self.languages)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomFeed:
    """A feed the configuration asks for by name (``feeds:`` in postfeed.yaml).

    ``path`` is its folder under the output folder. It shows the posts that
    ``select`` picks and ``exclude`` does not (an empty ``select`` picks every
    post). ``limit``, ``content`` and ``formats`` default to the site's;
    ``archive`` is the number of entries a page of its archive holds (0: no
    archive, the default whatever the site's); ``line`` is where the
    configuration defines it, for messages.
    """

    path: PurePosixPath | str
    title: str
    description: str = ""
    select: Selection = field(default_factory=Selection)
    exclude: Selection = field(default_factory=Selection)
    limit: int | None = None
    content: Content | None = None
    formats: tuple[str, ...] | None = None
    archive: int = 0
    line: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", PurePosixPath(str(self.path).strip("/")))
        if self.formats is not None:
            object.__setattr__(self, "formats", tuple(self.formats))


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkdownProfile:
    """How a source's Markdown becomes HTML, as its generator renders it.

    ``extensions`` are Python-Markdown extension names, in order; ``settings``
    holds each one's options as ``(extension, ((option, value), ...))`` pairs.
    With ``site_root_links``, a root-relative link (``/x``) in a post points under
    the site URL's path rather than the host's root (Hugo's feeds make
    ``/images/a.png`` ``https://host/blog/images/a.png``).
    """

    name: str = "postfeed"
    extensions: tuple[str, ...] = ("extra", "sane_lists")
    settings: tuple[tuple[str, tuple[tuple[str, Setting], ...]], ...] = ()
    site_root_links: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """A blog: what postfeed.yaml says, with its defaults filled in.

    ``url`` always ends with ``/``; ``description`` defaults to ``title``.
    Relative folders are relative to the current directory when the site is
    made in code, and to the configuration file when it is loaded.
    ``cache_dir`` is where builds keep what they may reuse (None: no cache).
    ``authors`` maps the keys front matter may name to authors; ``feeds`` are the
    custom feeds; ``content`` is what the site's own feeds (main and families)
    carry of each post. ``archive`` is the number of entries a page of the main
    feed's archive holds (0: no archive), and ``family_archive`` the same for the
    feeds of each family that has one, by family name (``"tags"``, ...).

    ``source`` says where the posts come from: ``"postfeed"`` reads the Markdown
    files in ``posts_dir``; a site generator's name (``"hugo"``, ...) reads that
    generator's site in ``posts_dir`` (its configuration and content, where they
    stand). ``markdown`` is how the posts' Markdown is rendered. ``future``
    publishes posts dated in the future, as some generators do. ``sanitize``
    cleans the HTML of every entry (see ``rendering.sanitize``); False publishes
    it exactly as written.
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
    category_feeds: bool = True
    author_feeds: bool = False
    language_feeds: bool = False
    content: Content = "full"
    authors: Mapping[str, Author] = field(default_factory=dict, hash=False)
    feeds: tuple[CustomFeed, ...] = ()
    archive: int = 0
    family_archive: Mapping[str, int] = field(default_factory=dict, hash=False)
    id_scheme: str = "tag"
    hub: str | None = None
    static_dir: Path | None = None
    cache_dir: Path | None = None
    sanitize: bool = True
    config_path: Path | None = None
    source: str = "postfeed"
    markdown: MarkdownProfile = field(default_factory=MarkdownProfile)
    future: bool = False
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.url.endswith("/"):
            object.__setattr__(self, "url", self.url + "/")
        if not self.description:
            object.__setattr__(self, "description", self.title)
        if self.feeds_url is not None and not self.feeds_url.endswith("/"):
            object.__setattr__(self, "feeds_url", self.feeds_url + "/")
        object.__setattr__(self, "formats", tuple(self.formats))
        object.__setattr__(self, "feeds", tuple(self.feeds))

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

    ``authors`` credits every author of the post (``author`` is the first of
    them; give either). ``lang`` is the post's language when it is not the
    site's. ``content="summary"`` keeps the post's full text out of every feed;
    ``in_feeds=False`` keeps the post out of every feed.

    ``url`` is the post's absolute permalink when it is not the site's
    ``permalink`` pattern filled in (a site generator's link), and ``id`` its
    entry id when it is not made by the site's ``id_scheme``. A post is left out
    of the feeds from ``expires`` on.

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
    categories: tuple[str, ...] = ()
    author: Author | None = None
    authors: tuple[Author, ...] = ()
    lang: str | None = None
    content: Content | None = None
    in_feeds: bool = True
    id: str | None = None
    url: str | None = None
    image: Image | None = None
    draft: bool = False
    expires: datetime | None = None
    source: Path | None = None
    body_offset: int | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    warnings: tuple[str, ...] = ()
    #: The line of each front matter key in ``source``, for messages.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("published", "updated", "expires"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"Post.{name} must be timezone-aware, got {value!r}")
        if self.content not in (None, *CONTENT_MODES):
            raise ValueError(f"Post.content must be 'full' or 'summary', got {self.content!r}")
        # A list passed in code would make the frozen post unhashable and mutable.
        if type(self.tags) is not tuple:
            object.__setattr__(self, "tags", tuple(self.tags))
        if type(self.categories) is not tuple:
            object.__setattr__(self, "categories", tuple(self.categories))
        authors = self.authors if type(self.authors) is tuple else tuple(self.authors)
        if not authors and self.author is not None:
            authors = (self.author,)
        elif authors and self.author is None:
            object.__setattr__(self, "author", authors[0])
        elif authors and self.author != authors[0]:
            raise ValueError("Post.author must be the first of Post.authors; give one of them")
        if authors is not self.authors:
            object.__setattr__(self, "authors", authors)


#: Post's fields, in order: the order of its slots, and of :func:`trusted_post`'s values.
POST_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Post))
_DEFAULTS = {f.name: f.default for f in fields(Post) if f.default is not MISSING}
_AUTHOR, _AUTHORS = POST_FIELDS.index("author"), POST_FIELDS.index("authors")


def post_values(given: Mapping[str, Any]) -> list[Any]:
    """The values of a post's fields in the order of :data:`POST_FIELDS`, from
    ``given`` by name and otherwise their defaults, with ``author`` the first of
    ``authors``: what :func:`trusted_post` takes. Every field without a plain default
    must be given (``extra``, ``lines``).

    Raises:
        KeyError: a field without a plain default is missing.
    """
    values = [given[name] if name in given else _DEFAULTS[name] for name in POST_FIELDS]
    authors = values[_AUTHORS]
    values[_AUTHOR] = authors[0] if authors else None
    return values


def _unchecked_post() -> type:
    """A class with Post's slots, whose ``__init__`` sets each in turn from its
    arguments: Python lets an object of it be given Post as its class (their layouts
    are the same), and it is then the Post those values make."""
    sets = "".join(f"    self.{name} = {name}\n" for name in POST_FIELDS)
    namespace: dict[str, object] = {}
    exec(f"def __init__(self, {', '.join(POST_FIELDS)}):\n{sets}", namespace)
    return type("_UncheckedPost", (), {"__slots__": POST_FIELDS, "__init__": namespace["__init__"]})


_UncheckedPost = _unchecked_post()
_set_class = object.__setattr__  # Post's own __setattr__ refuses: it is frozen


def trusted_post(values: Sequence[object]) -> Post:
    """The Post that the fields ``values`` gives (in the order of :data:`POST_FIELDS`)
    make, from values already of their types and as Post keeps them (tuples, aware
    datetimes, ``author`` the first of ``authors``; :func:`post_values` makes them),
    made without Post's checks: a build makes one for each post of the cache, and
    ``Post(**fields)`` takes four times as long.

    Raises:
        TypeError: not one value for each field.
    """
    post = _UncheckedPost(*values)
    _set_class(post, "__class__", Post)
    return cast(Post, post)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One feed entry, fully resolved: absolute URLs, rendered HTML, final dates.

    Text fields hold no character that XML forbids. ``categories`` are told
    apart from ``tags`` where a format can (RSS ``domain``, Atom ``scheme``, both
    ``category_scheme``). ``language`` is set when it differs from the site's.
    ``summary_only`` entries carry no content, by choice. ``key``, when known,
    is a digest that stands for everything in the entry.
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
    categories: tuple[str, ...] = ()
    category_scheme: str | None = None
    authors: tuple[Author, ...] = ()
    language: str | None = None
    image: Image | None = None
    summary_only: bool = False
    key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """One planned feed with its entries, ready for any format.

    ``base_url`` is the absolute URL of the folder the feed's files are
    published in; each format appends its own file name for the self link.
    ``updated`` is the newest entry's ``updated`` (``None`` when empty).
    ``hub`` is the WebSub hub it advertises.

    The archive links (RFC 5005 section 4) are folder URLs too, each format
    appending its own file name: ``prev_archive`` is the archive page before this
    document (older entries), ``next_archive`` the one after it, and ``current``
    the subscription document; ``archive`` marks an archive page.
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
    hub: str | None = None
    generator_uri: str = "https://pypi.org/project/postfeed/"
    archive: bool = False
    current: str | None = None
    prev_archive: str | None = None
    next_archive: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchivePage:
    """One archive document of a feed (RFC 5005 section 4): its number, counted
    from 1 for the page of the oldest posts, and its posts, newest first.

    Pages hold a fixed number of posts counted from the oldest, so a new post
    changes only the newest page: every page but that one is full and closed.
    """

    number: int
    path: PurePosixPath  # its folder under the output folder
    base_url: str  # the absolute URL of that folder
    posts: tuple[Post, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedFeed:
    """One feed to write: where, what it is called, which posts, and how.

    ``path`` is its folder under the output folder (``.`` for the main feed).
    ``family`` is the kind of feed ("main", "tags", "categories", "authors",
    "languages" or "custom") and ``label`` what it is for (the tag, the author's
    name, ...), as a page listing feeds shows it. ``posts`` are newest first and
    already limited; ``content`` says what the feed carries of each of them.
    With an archive, ``archive`` is the number of posts a page of it holds and
    ``pages`` are its pages, oldest first, with every post the feed selects.
    """

    path: PurePosixPath
    family: str
    label: str
    title: str
    description: str
    id: str
    base_url: str
    home_url: str
    language: str | None
    author: Author | None
    posts: tuple[Post, ...]
    content: Content = "full"
    formats: tuple[str, ...] = FORMAT_NAMES
    hub: str | None = None
    archive: int = 0
    pages: tuple[ArchivePage, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedEntry:
    """An entry read back from a feed file already in the output folder."""

    id: str
    title: str
    published: datetime | None
