"""Posts to feed entries: rendered and absolute HTML, final dates, XML-safe text.
Pure functions of (site, post); no file I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta

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


# The fields of an entry that its parts (summary and content) do not decide.
_BARE_FIELDS = tuple(
    spec.name
    for spec in fields(Entry)
    if spec.name not in ("summary_html", "summary_text", "content_html", "key")
)


def bare_entry(site: Site, post: Post, *, summary_only: bool = False) -> Entry:
    """The post as a feed entry without its summary and content: everything the
    post's front matter and the site decide."""
    updated = post.updated if post.updated is not None else post.published
    # Readers strip a title's outer whitespace; strip it here so every format agrees.
    title = xml_safe(post.title).strip()
    if not title:
        raise ValueError(f"post {post.slug!r} has no title text: {post.title!r}")
    authors = post.authors or ((site.author,) if site.author is not None else ())
    return Entry(
        id=xml_safe(post_id(site, post)),
        url=post_url(site, post),
        title=title,
        published=_instant(post.published),
        updated=_instant(max(updated, post.published)),
        summary_html="",
        summary_text="",
        content_html=None,
        tags=tuple(xml_safe(tag) for tag in post.tags),
        categories=tuple(xml_safe(category) for category in post.categories),
        category_scheme=category_scheme(site) if post.categories else None,
        authors=tuple(safe_author(author) for author in dict.fromkeys(authors)),
        language=_language(site, post),
        image=_absolute_image(site, post.image),
        summary_only=summary_only or post.content == "summary",
    )


def entry_key(parts_key: str, bare: Entry) -> str:
    """A digest of everything an entry holds, from its parts key (a digest of what
    its summary and content are made from) and its bare fields: two entries with
    the same key are the same, byte for byte, in every format."""
    text = repr([getattr(bare, name) for name in _BARE_FIELDS])
    h = hashlib.sha256(f"{parts_key}\0".encode())
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:40]


def category_scheme(site: Site) -> str:
    """What tells a category from a tag: the folder of the category feeds
    (Atom ``scheme``, RSS ``domain``)."""
    return f"{site.feeds_base_url}categories/"


@dataclass
class EntryMaker:
    """Turns posts into entries, rendering each post's Markdown at most once.

    ``parts`` holds, by slug, parts made beforehand (from a cache, or in other
    processes; their content may be left out, see ``prepare``), and ``keys`` a
    digest of what each post's parts are made from (its URL, body and summary),
    when known. ``read_body`` reads the body of a post that has none in memory
    (see ``Post.body_offset``). With a ``memo``, parts the memo holds are taken
    from it, and the others are made with the calling thread's own renderer and
    kept there.
    """

    site: Site
    read_body: Callable[[Post], str | None] | None = None
    parts: Mapping[str, EntryParts] = field(default_factory=dict, repr=False)
    keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    renders: int = 0
    memo: Memo[tuple[str, str, str | None]] | None = field(default=None, repr=False)
    _renderer: markup.Renderer | None = field(default=None, repr=False)
    _made: dict[str, EntryParts] = field(default_factory=dict, repr=False)
    _done: dict[tuple[str, bool], Entry] = field(default_factory=dict, repr=False)
    _settings: str | None = field(default=None, repr=False)

    def entry(self, post: Post, *, summary_only: bool = False) -> Entry:
        """The post as a feed entry; ``summary_only`` leaves its content out."""
        done = self._done.get((post.slug, summary_only))
        if done is not None:
            return done
        bare = bare_entry(self.site, post, summary_only=summary_only)
        parts = self.parts.get(post.slug) or self._made.get(post.slug)
        if parts is None:
            parts = self._parts(post, bare.url)
            self._made[post.slug] = parts
        parts_key = self.keys.get(post.slug)
        key = None if parts_key is None else entry_key(parts_key, bare)
        result = with_parts(bare, parts, key)
        self._done[post.slug, summary_only] = result
        return result

    def body_html(self, post: Post) -> str:
        """The post's body as HTML: its ``html``, else its Markdown rendered."""
        if post.html is not None:
            return post.html
        return self._markdown_html(self._markdown(post))

    def render(self, text: str) -> str:
        """Markdown to HTML by the site's profile, counted in ``renders``: with this
        maker's own renderer, or with a memo (such makers may work in several threads
        at once) the calling thread's."""
        if self.memo is not None:
            renderer = markup.thread_renderer(self.site.markdown)
        else:
            if self._renderer is None:
                self._renderer = markup.Renderer(self.site.markdown)
            renderer = self._renderer
        self.renders += 1
        return renderer.render(text)

    def _parts(self, post: Post, url: str) -> EntryParts:
        summary = summary_markdown(post)
        if self.memo is None:
            return self._finish(self.body_html(post), summary, url)
        if self._settings is None:
            self._settings = markup.renderer_settings(self.site.markdown)
        if post.html is not None:
            kind, body = "html", post.html
        else:
            kind, body = "markdown", self._markdown(post) or ""
        # Everything the parts depend on: the renderer (its profile), the cleaning, the
        # URLs links are made absolute against, the body and the summary
        # (summary_markdown() never gives "").
        key = (
            self._settings,
            finishing(self.site),
            url,
            link_root(self.site) or "",
            kind,
            body,
            summary or "",
        )

        def make() -> tuple[str, str, str | None]:
            html = body if kind == "html" else self._markdown_html(body)
            parts = self._finish(html, summary, url)
            return parts.summary_html, parts.summary_text, parts.content_html

        return EntryParts(*self.memo.get(key, make))

    def _finish(self, html: str, summary: str | None, url: str) -> EntryParts:
        summary_html = None if summary is None else self.render(summary)
        return finish(html, summary_html, url, link_root(self.site), clean=self.site.sanitize)

    def _markdown(self, post: Post) -> str | None:
        if post.markdown is None and post.body_offset is not None:
            if self.read_body is None:
                raise ValueError(f"post {post.slug!r} has no body in memory and no reader")
            return self.read_body(post)
        return post.markdown

    def _markdown_html(self, markdown: str | None) -> str:
        return self.render(markdown) if markdown and markdown.strip() else ""


def _language(site: Site, post: Post) -> str | None:
    """The post's language, when it is not the site's."""
    if post.lang is None or (site.language or "").lower() == post.lang.lower():
        return None
    return post.lang


def _absolute_image(site: Site, image: Image | None) -> Image | None:
    if image is None:
        return None
    return Image(url=image_url(site, image.url), length=image.length, media_type=image.media_type)


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
    if offset is not None and offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
    return value.replace(microsecond=0)
