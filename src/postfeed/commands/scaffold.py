"""A new post file from a title. Creates one file; never overwrites or touches a feed."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .._text import title_slug
from ..errors import OutputError, PostError
from ..model import Post, Site
from ..reading import _values
from ..reading.post import check_slug
from ..urls import post_id


def new_post(
    site: Site,
    title: str,
    *,
    slug: str | None = None,
    tags: Sequence[str] = (),
    draft: bool = False,
    now: datetime | None = None,
) -> Path:
    """Create ``<posts folder>/<slug>.md`` dated now, with every other front matter key
    present but commented out; return its path.

    The slug defaults to the title's: lowercase, accents folded, every run of other
    characters turned into ``-``. ``now`` (default: the clock) is written in the
    site's timezone.

    Raises:
        PostError: the title or slug cannot be used.
        OutputError: the file already exists, or cannot be written.
    """
    tz = ZoneInfo(site.timezone)
    when = (now if now is not None else datetime.now(UTC)).astimezone(tz).replace(microsecond=0)
    if not title.strip():
        raise PostError("title", None, "must not be empty")
    if slug is None:
        slug = title_slug(title)
        if not slug:
            raise PostError("title", None, f"{title!r} has no letter or digit; pass a slug")
    try:
        slug = check_slug(slug)
    except _values.ValueProblem as err:
        raise PostError("slug", None, str(err)) from err
    path = site.posts_dir / f"{slug}.md"
    post = Post(slug=slug, title=title, published=when, tags=tuple(tags), draft=draft)
    text = _front_matter(site, post)
    try:
        site.posts_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: an existing post is never replaced, even by a race.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError as err:
        raise OutputError(
            path, "already exists; nothing was written (choose another title, or a slug)"
        ) from err
    except OSError as err:
        raise OutputError(path, f"cannot write: {err.strerror}") from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _front_matter(site: Site, post: Post) -> str:
    date = post.published.isoformat()
    author = site.author.name if site.author is not None else "Your Name"
    tags = f"tags: {_yaml(list(post.tags))}" if post.tags else '# tags: ["one tag", "another"]'
    lines = [
        "---",
        f"title: {_yaml(post.title)}",
        f"date: {date}",
        "# Every other key is optional: remove the '#' to use it.",
        f"# updated: {date}",
        '# summary: "One or two sentences (Markdown). Default: the text before a'
        ' <!--more--> line, else the first paragraph."',
        tags,
        '# categories: ["one category"]',
        f"# slug: {post.slug}",
        f"# authors: {_yaml([author])}",
        f"# lang: {site.language or 'en'}",
        "# content: summary",
        "# in_feeds: false",
        "draft: true" if post.draft else "# draft: true",
        f"# id: {_yaml(post_id(site, post))}",
        '# image: "images/cover.png"',
        "---",
        "",
    ]
    return "\n".join(lines)


def _yaml(value: object) -> str:
    # A JSON string or list is also a YAML flow scalar or sequence, quoted and escaped.
    return json.dumps(value, ensure_ascii=False)
