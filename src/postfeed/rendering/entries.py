"""Posts to feed entries: rendered and absolute HTML, final dates, XML-safe text.
Pure functions of (site, post); no file I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from .._text import xml_safe
from ..model import Author, Entry, Image, Post, Site
from ..urls import image_url, post_id, post_url
from . import markup, sanitize
from .memo import Memo


@dataclass(frozen=True, slots=True)
class EntryParts:
    """An entry's summary and content: what rendering a post gives, made final."""

    summary_html: str
    summary_text: str
    content_html: str | None


def finish(
    html: str,
    summary_html: str | None,
    url: str,
    root: str | None = None,
    *,
    clean: bool = True,
) -> EntryParts:
    """An entry's parts from a post's rendered body and, if it has one, rendered
    summary: split at ``<!--more-->``, links made absolute against ``url`` (and
    root-relative ones against ``root``, see :func:`link_root`), with ``clean``
    sanitized (see :mod:`.sanitize`), XML-safe. This is where every HTML field of
    every format is made final, in whichever process renders it."""
    before_more, html = markup.split_more(html)
    if summary_html is not None:
        summary = summary_html
    elif before_more is not None:
        summary = before_more
    else:
        summary = markup.first_paragraph(html)
    summary = markup.absolutize(summary, url, root)
    content = markup.absolutize(html, url, root)
    if clean:
        summary, content = sanitize.clean(summary), sanitize.clean(content)
    summary, content = xml_safe(summary), xml_safe(content).strip()
    return EntryParts(summary, markup.text_of(summary), content or None)


def finishing(site: Site) -> str:
    """What finished parts depend on besides the post and its URL: whether, and by
    which sanitizer, the site's HTML is cleaned. Part of every parts key."""
    return f"clean {sanitize.settings()}" if site.sanitize else "verbatim"


def link_root(site: Site) -> str | None:
    """What root-relative links in the site's posts resolve against: the site URL
    when its Markdown profile says so, else None (the post URL's host)."""
    return site.url if site.markdown.site_root_links else None


def with_parts(bare: Entry, parts: EntryParts, key: str | None = None) -> Entry:
    """An entry with its summary and, unless it is summary-only, its content."""
    return replace(
        bare,
        summary_html=parts.summary_html,
        summary_text=parts.summary_text,
        content_html=None if bare.summary_only else parts.content_html,
        key=key,
    )


def summary_markdown(post: Post) -> str | None:
    """The post's own summary when it has one worth rendering."""
    return post.summary if post.summary is not None and post.summary.strip() else None


# Everything bare_entry() reads of a post and of the site: an entry's key is made from
# them, so that it is known without making the entry (keep them in step).
_POST_INPUTS = (
    "slug",
    "title",
    "published",
    "updated",
    "tags",
    "categories",
    "authors",
    "lang",
    "id",
    "image",
    "content",
)
# The Markdown profile decides how bodies render and what root-relative links resolve
# against; finishing() is added to these.
_SITE_INPUTS = (
    "url",
    "permalink",
    "id_scheme",
    "feeds_base_url",
    "author",
    "language",
    "markdown",
)
# And what a scanned post's fields are made from besides its file's front matter (and
# the static folder, by its absolute path: see site_loads).
_LOAD_INPUTS = ("timezone", "authors")


class Facts(NamedTuple):
    """What a document's head, the id guard and the cache's record of a file need of an
    entry (see :func:`entry_facts`): a few of its fields, quicker to make than the
    entry, which a build makes only for the entries it formats."""

    id: str
    title: str
    published: datetime
    updated: datetime
    image: bool  # whether the entry has an image
    authored: bool  # whether it names an author


def entry_facts(site: Site, post: Post) -> Facts:
    """The facts of the post's entry: exactly those :func:`bare_entry` gives it."""
    updated = post.updated if post.updated is not None else post.published
    # Readers strip a title's outer whitespace; strip it here so every format agrees.
    title = xml_safe(post.title).strip()
    if not title:
        raise ValueError(f"post {post.slug!r} has no title text: {post.title!r}")
    return Facts(
        xml_safe(post_id(site, post)),
        title,
        _instant(post.published),
        _instant(max(updated, post.published)),
        post.image is not None,
        bool(post.authors) or site.author is not None,
    )


def facts_of(entry: Entry) -> Facts:
    """The facts of an entry already made."""
    return Facts(
        entry.id,
        entry.title,
        entry.published,
        entry.updated,
        entry.image is not None,
        bool(entry.authors),
    )


def bare_entry(
    site: Site, post: Post, *, summary_only: bool = False, facts: Facts | None = None
) -> Entry:
    """The post as a feed entry without its summary and content: everything the
    post's front matter and the site decide. ``facts``, the post's
    :func:`entry_facts`, when they were made already."""
    if facts is None:
        facts = entry_facts(site, post)
    authors = post.authors or ((site.author,) if site.author is not None else ())
    return Entry(
        id=facts.id,
        url=post_url(site, post),
        title=facts.title,
        published=facts.published,
        updated=facts.updated,
        summary_html="",
        summary_text="",
        content_html=None,
        tags=tuple(map(xml_safe, post.tags)),
        categories=tuple(map(xml_safe, post.categories)),
        category_scheme=category_scheme(site) if post.categories else None,
        authors=tuple(safe_author(author) for author in dict.fromkeys(authors)),
        language=_language(site, post),
        image=_absolute_image(site, post.image),
        summary_only=summary_only or post.content == "summary",
    )


def entry_key(
    parts_key: str, site: Site, post: Post, *, summary_only: bool = False, scanned: bool = False
) -> str:
    """A key standing for everything an entry is made from: its parts key (what its
    summary and content are made from), and all that :func:`bare_entry` reads of the
    post and the site. Two entries with the same key are the same, byte for byte, in
    every format; the key is known without making the entry.

    A ``scanned`` post's parts key already stands for its file's front matter and
    body and for every site setting a post is made with (see
    :func:`origin_parts_key`): only whether the entry is summary-only and the post's
    image (whose size is read from the static folder) are added to it."""
    if scanned:
        key = parts_key + ("/s" if summary_only else "")
        if post.image is not None:
            key += "/" + hashlib.sha256(repr(post.image).encode()).hexdigest()[:16]
        return key
    text = repr([getattr(post, name) for name in _POST_INPUTS])
    h = hashlib.sha256(f"{parts_key}\0{_site_inputs(site)}\0{summary_only:d}\0".encode())
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:40]


def origin_parts_key(loads: str, origin: str) -> str:
    """The parts key of a post scanned from a file, from what the file holds (``origin``,
    see ``Archive.origin``) and the site settings posts are made with (``loads``, from
    :func:`site_loads`): everything the post's fields, summary and content are made from."""
    h = _loads_hash(loads).copy()
    h.update(origin.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:40]


@lru_cache(maxsize=8)
def _loads_hash(loads: str) -> hashlib._Hash:
    """The hash of what :func:`origin_parts_key` starts with, made once for every post."""
    return hashlib.sha256(f"file\0{loads}\0".encode())


@lru_cache(maxsize=8)
def site_loads(site: Site) -> str:
    """Every site setting a post scanned from a file is made with, as text: the same
    however the static folder is named (relative to the working folder, or not)."""
    names = (*_SITE_INPUTS, *_LOAD_INPUTS)
    static = None if site.static_dir is None else site.static_dir.absolute()
    return repr([*(getattr(site, name) for name in names), static, finishing(site)])


@lru_cache(maxsize=8)
def _site_inputs(site: Site) -> str:
    return repr([*(getattr(site, name) for name in _SITE_INPUTS), finishing(site)])


def category_scheme(site: Site) -> str:
    """What tells a category from a tag: the folder of the category feeds
    (Atom ``scheme``, RSS ``domain``)."""
    return f"{site.feeds_base_url}categories/"


@dataclass
class EntryMaker:
    """Turns posts into entries: the library's way to one feed in memory (a build
    makes its entries with ``_prepare.Entries``). What it makes of each post is taken
    from ``memo`` when the memo holds it, and otherwise made with the calling thread's
    own renderer (makers may work in several threads at once) and kept there.
    ``read_body`` reads the body of a post that has none in memory (see
    ``Post.body_offset``).
    """

    site: Site
    memo: Memo[tuple[str, str, str | None]] = field(repr=False)
    read_body: Callable[[Post], str | None] | None = None
    _made: dict[str, EntryParts] = field(default_factory=dict, repr=False)
    _done: dict[tuple[str, bool], Entry] = field(default_factory=dict, repr=False)

    def entry(self, post: Post, *, summary_only: bool = False) -> Entry:
        """The post as a feed entry; ``summary_only`` leaves its content out."""
        done = self._done.get((post.slug, summary_only))
        if done is not None:
            return done
        bare = bare_entry(self.site, post, summary_only=summary_only)
        parts = self._made.get(post.slug)
        if parts is None:
            parts = self._parts(post, bare.url)
            self._made[post.slug] = parts
        result = with_parts(bare, parts)
        self._done[post.slug, summary_only] = result
        return result

    def _parts(self, post: Post, url: str) -> EntryParts:
        summary = summary_markdown(post)
        if post.html is not None:
            kind, body = "html", post.html
        else:
            kind, body = "markdown", self._markdown(post) or ""
        # Everything the parts depend on: the renderer (its profile), the cleaning, the
        # URLs links are made absolute against, the body and the summary
        # (summary_markdown() never gives "").
        root = link_root(self.site)
        key = (
            markup.renderer_settings(self.site.markdown),
            finishing(self.site),
            url,
            root or "",
            kind,
            body,
            summary or "",
        )

        def make() -> tuple[str, str, str | None]:
            render = markup.thread_renderer(self.site.markdown).render
            html = body if kind == "html" else (render(body) if body.strip() else "")
            summary_html = None if summary is None else render(summary)
            parts = finish(html, summary_html, url, root, clean=self.site.sanitize)
            return parts.summary_html, parts.summary_text, parts.content_html

        return EntryParts(*self.memo.get(key, make))

    def _markdown(self, post: Post) -> str | None:
        if post.markdown is None and post.body_offset is not None:
            if self.read_body is None:
                raise ValueError(f"post {post.slug!r} has no body in memory and no reader")
            return self.read_body(post)
        return post.markdown


def _language(site: Site, post: Post) -> str | None:
    """The post's language, when it is not the site's."""
    if post.lang is None or (site.language or "").lower() == post.lang.lower():
        return None
    return post.lang


def _absolute_image(site: Site, image: Image | None) -> Image | None:
    if image is None:
        return None
    return Image(url=image_url(site, image.url), length=image.length, media_type=image.media_type)


@lru_cache(maxsize=256)  # most posts share a few authors
def safe_author(author: Author) -> Author:
    """The author with every character XML forbids dropped."""
    return Author(
        name=xml_safe(author.name),
        email=None if author.email is None else xml_safe(author.email),
        uri=None if author.uri is None else xml_safe(author.uri),
    )


def _instant(value: datetime) -> datetime:
    """Whole seconds; an offset that is not whole minutes (local mean time in old
    zone data, such as +00:19:32) becomes UTC, since RFC 3339 and RFC 822 offsets
    are hours and minutes."""
    offset = value.utcoffset()
    if offset is not None and offset % _MINUTE:
        value = value.astimezone(UTC)
    return value.replace(microsecond=0) if value.microsecond else value


_MINUTE = timedelta(minutes=1)
