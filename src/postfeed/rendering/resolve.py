"""Posts to feed entries: rendered and absolute HTML, final dates, XML-safe text.
Pure functions of (site, post); no file I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta

from .._text import xml_safe
from ..model import Author, Entry, Image, Post, Site
from ..urls import image_url, post_id, post_url
from . import markup, sanitize


@dataclass(frozen=True, slots=True)
class EntryParts:
    """An entry's summary and content: what rendering a post gives, made final."""

    summary_html: str
    summary_text: str
    content_html: str | None


def finish(html: str, summary_html: str | None, url: str, *, clean: bool = True) -> EntryParts:
    """An entry's parts from a post's rendered body and, if it has one, rendered
    summary: split at ``<!--more-->``, links made absolute against ``url``, with
    ``clean`` sanitized (see :mod:`.sanitize`), XML-safe. This is where every HTML
    field of every format is made final, in whichever process renders it."""
    before_more, html = markup.split_more(html)
    if summary_html is not None:
        summary = summary_html
    elif before_more is not None:
        summary = before_more
    else:
        summary = markup.first_paragraph(html)
    summary = markup.absolutize(summary, url)
    content = markup.absolutize(html, url)
    if clean:
        summary, content = sanitize.clean(summary), sanitize.clean(content)
    summary, content = xml_safe(summary), xml_safe(content).strip()
    return EntryParts(summary, markup.text_of(summary), content or None)


def finishing(site: Site) -> str:
    """What finished parts depend on besides the post and its URL: whether, and by
    which sanitizer, the site's HTML is cleaned. Part of every parts key."""
    return f"clean {sanitize.settings()}" if site.sanitize else "verbatim"


def with_parts(bare: Entry, parts: EntryParts) -> Entry:
    """An entry with its summary and content."""
    return replace(
        bare,
        summary_html=parts.summary_html,
        summary_text=parts.summary_text,
        content_html=parts.content_html,
    )


def summary_markdown(post: Post) -> str | None:
    """The post's own summary when it has one worth rendering."""
    return post.summary if post.summary is not None and post.summary.strip() else None


# The fields of an entry that its parts (summary and content) do not decide.
_BARE_FIELDS = tuple(
    spec.name
    for spec in fields(Entry)
    if spec.name not in ("summary_html", "summary_text", "content_html")
)


@dataclass
class EntryMaker:
    """Turns posts into entries, rendering each post's Markdown at most once.

    ``prepared`` holds parts made beforehand (from a cache, or in other
    processes) by slug; ``read_body`` reads the body of a post that has none in
    memory (see ``Post.body_offset``). ``keys`` holds, by slug, a digest of what
    a post's parts are made from (its URL, body and summary), when known.
    """

    site: Site
    renders: int = 0
    read_body: Callable[[Post], str | None] | None = None
    prepared: dict[str, EntryParts] = field(default_factory=dict, repr=False)
    keys: dict[str, str] = field(default_factory=dict, repr=False)
    _renderer: markup.Renderer | None = field(default=None, repr=False)
    _done: dict[str, Entry] = field(default_factory=dict, repr=False)
    _bare: dict[str, Entry] = field(default_factory=dict, repr=False)
    _keys: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    def entry(self, post: Post) -> Entry:
        """The post as a feed entry."""
        done = self._done.get(post.slug)
        if done is not None:
            return done
        bare = self.bare(post)
        parts = self.prepared.get(post.slug)
        if parts is None:
            summary = summary_markdown(post)
            parts = finish(
                self.body_html(post),
                None if summary is None else self.render(summary),
                bare.url,
                clean=self.site.sanitize,
            )
        result = with_parts(bare, parts)
        self._done[post.slug] = result
        return result

    def key(self, post: Post) -> str | None:
        """A digest of everything the post's entry holds, from its front matter and
        ``keys`` (None while its parts key is unknown): two entries with the same
        key are the same, byte for byte, in every format."""
        parts_key = self.keys.get(post.slug)
        if parts_key is None:
            return None
        done = self._keys.get(post.slug)
        if done is not None and done[0] == parts_key:
            return done[1]
        bare = self.bare(post)
        text = repr([getattr(bare, name) for name in _BARE_FIELDS])
        h = hashlib.sha256(f"{parts_key}\0".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
        key = h.hexdigest()[:40]
        self._keys[post.slug] = (parts_key, key)
        return key

    def bare(self, post: Post) -> Entry:
        """The post as a feed entry without its summary and content: everything a
        post's front matter decides."""
        done = self._bare.get(post.slug)
        if done is not None:
            return done
        updated = post.updated if post.updated is not None else post.published
        # Readers strip a title's outer whitespace; strip it here so every format agrees.
        title = xml_safe(post.title).strip()
        if not title:
            raise ValueError(f"post {post.slug!r} has no title text: {post.title!r}")
        result = Entry(
            id=xml_safe(post_id(self.site, post)),
            url=post_url(self.site, post),
            title=title,
            published=_instant(post.published),
            updated=_instant(max(updated, post.published)),
            summary_html="",
            summary_text="",
            content_html=None,
            tags=tuple(xml_safe(tag) for tag in post.tags),
            author=safe_author(post.author or self.site.author),
            image=_absolute_image(self.site, post.image),
        )
        self._bare[post.slug] = result
        return result

    def body_html(self, post: Post) -> str:
        """The post's body as HTML: its ``html``, else its Markdown rendered."""
        if post.html is not None:
            return post.html
        markdown = post.markdown
        if markdown is None and post.body_offset is not None:
            if self.read_body is None:
                raise ValueError(f"post {post.slug!r} has no body in memory and no reader")
            markdown = self.read_body(post)
        return self.render(markdown) if markdown and markdown.strip() else ""

    def render(self, text: str) -> str:
        """Markdown to HTML with this maker's renderer, counted in ``renders``."""
        if self._renderer is None:
            self._renderer = markup.Renderer()
        self.renders += 1
        return self._renderer.render(text)


def _absolute_image(site: Site, image: Image | None) -> Image | None:
    if image is None:
        return None
    return Image(url=image_url(site, image.url), length=image.length, media_type=image.media_type)


def safe_author(author: Author | None) -> Author | None:
    """The author with every character XML forbids dropped."""
    if author is None:
        return None
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
