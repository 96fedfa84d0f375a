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
from . import markup
from .memo import Memo


@dataclass(frozen=True, slots=True)
class EntryParts:
    """An entry's summary and content: what rendering a post gives, made final."""

    summary_html: str
    summary_text: str
    content_html: str | None


def finish(html: str, summary_html: str | None, url: str) -> EntryParts:
    """An entry's parts from a post's rendered body and, if it has one, rendered
    summary: split at ``<!--more-->``, links made absolute against ``url``, XML-safe."""
    before_more, html = markup.split_more(html)
    if summary_html is not None:
        summary = summary_html
    elif before_more is not None:
        summary = before_more
    else:
        summary = markup.first_paragraph(html)
    summary = xml_safe(markup.absolutize(summary, url))
    content = xml_safe(markup.absolutize(html, url)).strip()
    return EntryParts(summary, markup.text_of(summary), content or None)


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
    a post's parts are made from (its URL, body and summary), when known. With a
    ``memo``, parts the memo holds are taken from it, and the others are made with
    the calling thread's own renderer and kept there.
    """

    site: Site
    renders: int = 0
    read_body: Callable[[Post], str | None] | None = None
    prepared: dict[str, EntryParts] = field(default_factory=dict, repr=False)
    keys: dict[str, str] = field(default_factory=dict, repr=False)
    memo: Memo[tuple[str, str, str | None]] | None = field(default=None, repr=False)
    _renderer: markup.Renderer | None = field(default=None, repr=False)
    _done: dict[str, Entry] = field(default_factory=dict, repr=False)
    _bare: dict[str, Entry] = field(default_factory=dict, repr=False)
    _keys: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    _settings: str | None = field(default=None, repr=False)

    def entry(self, post: Post) -> Entry:
        """The post as a feed entry."""
        done = self._done.get(post.slug)
        if done is not None:
            return done
        bare = self.bare(post)
        parts = self.prepared.get(post.slug)
        if parts is None:
            parts = self._parts(post, bare.url)
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
        return self._markdown_html(self._markdown(post))

    def render(self, text: str) -> str:
        """Markdown to HTML, counted in ``renders``: with this maker's own renderer, or
        with a memo (such makers may work in several threads at once) the calling
        thread's."""
        if self.memo is not None:
            renderer = markup.thread_renderer()
        else:
            if self._renderer is None:
                self._renderer = markup.Renderer()
            renderer = self._renderer
        self.renders += 1
        return renderer.render(text)

    def _parts(self, post: Post, url: str) -> EntryParts:
        summary = summary_markdown(post)
        if self.memo is None:
            return self._finish(self.body_html(post), summary, url)
        if self._settings is None:
            self._settings = markup.renderer_settings()
        if post.html is not None:
            kind, body = "html", post.html
        else:
            kind, body = "markdown", self._markdown(post) or ""
        # Everything the parts depend on: the renderer, the URL links are made absolute
        # against, the body and the summary (summary_markdown() never gives "").
        key = (self._settings, url, kind, body, summary or "")

        def make() -> tuple[str, str, str | None]:
            html = body if kind == "html" else self._markdown_html(body)
            parts = self._finish(html, summary, url)
            return parts.summary_html, parts.summary_text, parts.content_html

        return EntryParts(*self.memo.get(key, make))

    def _finish(self, html: str, summary: str | None, url: str) -> EntryParts:
        return finish(html, None if summary is None else self.render(summary), url)

    def _markdown(self, post: Post) -> str | None:
        if post.markdown is None and post.body_offset is not None:
            if self.read_body is None:
                raise ValueError(f"post {post.slug!r} has no body in memory and no reader")
            return self.read_body(post)
        return post.markdown

    def _markdown_html(self, markdown: str | None) -> str:
        return self.render(markdown) if markdown and markdown.strip() else ""


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
