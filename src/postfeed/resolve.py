"""Posts to feed entries: permalinks, permanent ids, tag slugs, rendered and
absolute HTML. Pure functions of (site, post); no file I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from . import markup
from .images import image_url
from .model import Author, Entry, Image, Post, Site

_NOT_SLUG = re.compile(r"[^\w]+|_+")
# Names Windows refuses as file or folder names, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{name}{i}" for name in ("com", "lpt") for i in range(10)
}


def tag_slug(tag: str) -> str:
    """A tag as a safe folder name: lowercase, ASCII-folded where possible,
    words joined by ``-``; '' when nothing usable is left.

    The result never contains ``/``, ``\\``, ``.`` or NUL, so it cannot leave
    the folder it is used in.
    """
    slug = slugify(tag)
    return slug + "-tag" if slug in _RESERVED else slug


def title_slug(title: str) -> str:
    """A post title as a file name, by the rules of :func:`tag_slug`."""
    slug = slugify(title)
    return slug + "-post" if slug in _RESERVED else slug


def slugify(text: str) -> str:
    """Lowercase, accents folded, every run of other characters turned into one ``-``."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")
    return unicodedata.normalize("NFC", slug)


def post_url(site: Site, post: Post) -> str:
    """The post's absolute permalink."""
    local = post.published
    path = site.permalink.format(
        slug=quote(post.slug, safe="-._~"),
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
    host = urlsplit(site.url).hostname or "localhost"
    return f"tag:{host},{post.published.date().isoformat()}:{quote(post.slug, safe='-._~')}"


def tag_url(site: Site, slug: str) -> str:
    """The absolute URL of a tag's feed folder."""
    return f"{site.feeds_base_url}tags/{quote(slug, safe='-._~')}/"


@dataclass
class EntryMaker:
    """Turns posts into entries, rendering each post's Markdown at most once."""

    site: Site
    renders: int = 0
    _renderer: markup.Renderer | None = field(default=None, repr=False)
    _done: dict[str, Entry] = field(default_factory=dict, repr=False)

    def entry(self, post: Post) -> Entry:
        """The post as a feed entry."""
        done = self._done.get(post.slug)
        if done is not None:
            return done
        url = post_url(self.site, post)
        if post.html is not None:
            html = post.html
        elif post.markdown and post.markdown.strip():
            html = self._render(post.markdown)
        else:
            html = ""
        before_more, html = markup.split_more(html)
        if post.summary is not None and post.summary.strip():
            summary = self._render(post.summary)
        elif before_more is not None:
            summary = before_more
        else:
            summary = markup.first_paragraph(html)
        summary = markup.xml_safe(markup.absolutize(summary, url))
        content = markup.xml_safe(markup.absolutize(html, url)).strip()
        updated = post.updated if post.updated is not None else post.published
        # Readers strip a title's outer whitespace; strip it here so every format agrees.
        title = markup.xml_safe(post.title).strip()
        if not title:
            raise ValueError(f"post {post.slug!r} has no title text: {post.title!r}")
        result = Entry(
            id=markup.xml_safe(post_id(self.site, post)),
            url=url,
            title=title,
            published=_instant(post.published),
            updated=_instant(max(updated, post.published)),
            summary_html=summary,
            summary_text=markup.text_of(summary),
            content_html=content or None,
            tags=tuple(markup.xml_safe(tag) for tag in post.tags),
            author=safe_author(post.author or self.site.author),
            image=_absolute_image(self.site, post.image),
        )
        self._done[post.slug] = result
        return result

    def _render(self, text: str) -> str:
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
        name=markup.xml_safe(author.name),
        email=None if author.email is None else markup.xml_safe(author.email),
        uri=None if author.uri is None else markup.xml_safe(author.uri),
    )


def _instant(value: datetime) -> datetime:
    """Whole seconds; an offset that is not whole minutes (local mean time in old
    zone data, such as +00:19:32) becomes UTC, since RFC 3339 and RFC 822 offsets
    are hours and minutes."""
    offset = value.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
    return value.replace(microsecond=0)
