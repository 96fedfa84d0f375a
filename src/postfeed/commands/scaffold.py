"""A new post file from a title: a draft unless told otherwise, where and in the form the
site's source reads it. Creates one file; never overwrites or touches a feed."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .._text import title_slug
from ..errors import ConfigError, OutputError, PostError
from ..model import Post, Site
from ..reading import _values
from ..reading.post import check_slug
from ..reading.sources import hugo
from ..urls import post_id

# Why postfeed new writes no post for these sources, and what to do instead.
_NOT_WRITTEN = {
    "pelican": "postfeed new does not write Pelican posts (where and in which form is set in"
    " pelicanconf.py): write content/{slug}.md yourself, with the metadata lines Title:, Date:"
    " and Status: draft",
    "mkdocs": "postfeed new does not write MkDocs posts (the blog plugin's settings in"
    " mkdocs.yml say where): write docs/blog/posts/{slug}.md yourself, with date: and draft:"
    " true in its front matter",
    "eleventy": "postfeed new does not write Eleventy posts: Eleventy has no drafts of its own,"
    " so a new post would be published at once; write it in your blog's folder yourself",
    "astro": "postfeed new does not write Astro posts: Astro has no drafts of its own, so a"
    " new post would be published at once; write it in src/content/ yourself",
}


def new_post(
    site: Site,
    title: str,
    *,
    slug: str | None = None,
    tags: Sequence[str] = (),
    draft: bool = True,
    now: datetime | None = None,
) -> Path:
    """Create a post dated now, a draft unless ``draft`` is False, so that an empty
    post is never published by accident; return its path.

    With ``source: postfeed``: ``<posts folder>/<slug>.md`` with every other front
    matter key present but commented out. With a site generator's source, where and
    as the generator expects it: Hugo's ``content/<main section>/<slug>.md`` with
    ``draft: true``; Jekyll's ``_drafts/<slug>.md`` (published:
    ``_posts/<date>-<slug>.md``). Other generators' posts are not written.

    The slug defaults to the title's: lowercase, accents folded, every run of other
    characters turned into ``-``. ``now`` (default: the clock) is written in the
    site's timezone.

    Raises:
        PostError: the title or slug cannot be used.
        ConfigError: postfeed writes no post for the site's source, or the
            generator's configuration cannot be read.
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
    post = Post(slug=slug, title=title, published=when, tags=tuple(tags), draft=draft)
    path, text = _place(site, post)
    create(
        path, text, exists="already exists; nothing was written (choose another title, or a slug)"
    )
    return path


def create(path: Path, text: str, *, exists: str) -> None:
    """Write a new file, its folder made if needed; never replace one, even in a race.

    Raises:
        OutputError: the file exists (with the message ``exists``) or cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: an existing file is never replaced, even by a race.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError as err:
        raise OutputError(path, exists) from err
    except OSError as err:
        raise OutputError(path, f"cannot write: {err.strerror}") from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def post_text(site: Site, post: Post, body: str = "") -> str:
    """A postfeed post's text: its front matter as ``new_post`` writes it, then ``body``."""
    return _front_matter(site, post) + body


def _place(site: Site, post: Post) -> tuple[Path, str]:
    """Where the post goes for the site's source, and its text."""
    if site.source == "postfeed":
        return site.posts_dir / f"{post.slug}.md", _front_matter(site, post)
    if site.source == "hugo":
        folder = hugo.new_post_folder(site.posts_dir)
        return folder / f"{post.slug}.md", _hugo_front_matter(post)
    if site.source == "jekyll":
        # Jekyll's drafts are the files of _drafts/, named without a date.
        if post.draft:
            return site.posts_dir / "_drafts" / f"{post.slug}.md", _jekyll_front_matter(post)
        name = f"{post.published:%Y-%m-%d}-{post.slug}.md"
        return site.posts_dir / "_posts" / name, _jekyll_front_matter(post)
    message = _NOT_WRITTEN.get(site.source, f"postfeed new does not write {site.source} posts")
    where = site.config_path if site.config_path is not None else "postfeed.yaml"
    raise ConfigError(where, None, message.format(slug=post.slug))


def _front_matter(site: Site, post: Post) -> str:
    date = post.published.isoformat()
    author = site.author.name if site.author is not None else "Your Name"
    tags = f"tags: {_yaml(list(post.tags))}" if post.tags else '# tags: ["one tag", "another"]'
    lines = [
        "---",
        f"title: {_yaml(post.title)}",
        f"date: {date}",
        *(["draft: true  # remove this line to publish the post"] if post.draft else []),
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
        *([] if post.draft else ["# draft: true"]),
        f"# id: {_yaml(post_id(site, post))}",
        '# image: "images/cover.png"',
        "---",
        "",
    ]
    return "\n".join(lines)


def _hugo_front_matter(post: Post) -> str:
    """Front matter as Hugo's default archetype gives it (title, date, draft), in YAML."""
    tags = f"tags: {_yaml(list(post.tags))}" if post.tags else '# tags: ["one tag", "another"]'
    lines = [
        "---",
        f"title: {_yaml(post.title)}",
        f"date: {post.published.isoformat()}",
        *(["draft: true  # remove this line to publish the post"] if post.draft else []),
        tags,
        '# categories: ["one category"]',
        '# summary: "One or two sentences. Default: the text before <!--more-->."',
        "---",
        "",
    ]
    return "\n".join(lines)


def _jekyll_front_matter(post: Post) -> str:
    """Front matter as Jekyll's posts have it, the date in Jekyll's own form."""
    when = post.published.strftime("%Y-%m-%d %H:%M:%S %z")
    tags = f"tags: {_yaml(list(post.tags))}" if post.tags else '# tags: ["one tag", "another"]'
    lines = [
        "---",
        "layout: post",
        f"title: {_yaml(post.title)}",
        f"date: {when}",
        tags,
        '# categories: ["one category"]',
        "---",
        "",
    ]
    return "\n".join(lines)


def _yaml(value: object) -> str:
    # A JSON string or list is also a YAML flow scalar or sequence, quoted and escaped.
    return json.dumps(value, ensure_ascii=False)
