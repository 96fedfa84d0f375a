"""posts/*.md to Post objects. Reads files; reports every broken post in one run."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import _values, images
from ._yaml import YAMLProblem, load_mapping
from .config import unknown_key_message
from .errors import ConfigError, PostError, PostErrors, SourceError
from .frontmatter import SplitProblem, decode, split
from .model import Image, Post, Progress, Site
from .resolve import post_id, tag_slug

KNOWN_KEYS = (
    "title",
    "date",
    "updated",
    "summary",
    "tags",
    "slug",
    "author",
    "draft",
    "id",
    "image",
)
_SLUG = re.compile(r"^\w[\w.~-]*$")
# A tag's slug names its feed folder; file systems allow 255 bytes per name.
MAX_TAG_SLUG = 200


def load_posts(site: Site, *, progress: Progress | None = None) -> list[Post]:
    """Load every ``*.md`` file in the site's posts folder, sorted by file name.

    Files whose names start with ``.`` or ``_`` are skipped. ``progress``, when
    given, is called as ``progress("read", done, total)`` after each file.

    Raises:
        PostErrors: every problem in every post, sorted by path and line.
    """
    folder = site.posts_dir
    if not folder.is_dir():
        where = site.config_path or folder
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise ConfigError(where, None, f"posts folder {folder} {problem}")
    tz = ZoneInfo(site.timezone)
    posts: list[Post] = []
    lines: dict[str, dict[str, int]] = {}
    errors: list[SourceError] = []
    paths: list[Path] = []
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith((".", "_")):
            continue
        if path.is_symlink():
            link_error = _link_error(path, folder)
            if link_error is not None:
                errors.append(link_error)
                continue
        if path.is_file():
            paths.append(path)
    for done, path in enumerate(paths, 1):
        try:
            post, lines[str(path)] = _load(path, tz)
        except PostErrors as err:
            errors.extend(err.errors)
        else:
            posts.append(post)
        if progress is not None:
            progress("read", done, len(paths))
    posts = [_locate_image(site, post, lines[str(post.source)], errors) for post in posts]
    errors.extend(_duplicates(site, posts, lines))
    errors.extend(_tag_collisions(posts, lines))
    if errors:
        raise PostErrors(errors)
    return posts


def load_post(path: Path, tz: tzinfo) -> Post:
    """Load one post file; dates without an offset are in ``tz``.

    Raises:
        PostErrors: every problem found in the file.
    """
    return _load(path, tz)[0]


def _load(path: Path, tz: tzinfo) -> tuple[Post, dict[str, int]]:
    try:
        parts = split(decode(path.read_bytes()))
        mapping = load_mapping(parts.front_matter, first_line=parts.front_matter_line)
    except (SplitProblem, YAMLProblem) as err:
        raise PostErrors([PostError(path, err.line, err.message)]) from err
    except OSError as err:
        raise PostErrors([PostError(path, None, f"cannot read: {err.strerror}")]) from err
    data, lines = mapping.data, mapping.lines
    errors: list[SourceError] = []
    values: dict[str, Any] = {}

    def check(key: str, convert: Callable[[Any], Any], *, required: bool = False) -> None:
        if key not in data:
            if required:
                errors.append(PostError(path, 1, f"{key}: missing (every post needs a {key})"))
            return
        try:
            values[key] = convert(data[key])
        except _values.ValueProblem as err:
            errors.append(PostError(path, lines[key], f"{key}: {err}"))

    check("title", _values.text, required=True)
    check("date", lambda v: _values.timestamp(v, tz), required=True)
    check("updated", lambda v: _values.timestamp(v, tz))
    check("summary", lambda v: _values.text(v, empty_ok=True))
    check("tags", _values.tags)
    check("slug", check_slug)
    check("author", _values.author)
    check("draft", _values.boolean)
    check("id", _values.uri)
    check("image", images.image_value)
    if "slug" not in data:
        try:
            values["slug"] = check_slug(path.stem)
        except _values.ValueProblem as err:
            errors.append(
                PostError(path, None, f"file name: {err}, or set slug in the front matter")
            )
    if errors:
        raise PostErrors(errors)
    warnings = [
        f"{path}:{lines[key]}: {unknown_key_message(key, KNOWN_KEYS)}"
        for key in data
        if key not in KNOWN_KEYS
    ]
    published, updated = values["date"], values.get("updated")
    if updated is not None and updated < published:
        warnings.append(f"{path}:{lines['updated']}: updated is before date; date is used")
        updated = None
    post = Post(
        slug=values["slug"],
        title=values["title"],
        published=published,
        updated=updated,
        summary=values.get("summary"),
        markdown=parts.body,
        tags=values.get("tags", ()),
        author=values.get("author"),
        id=values.get("id"),
        image=Image(url=values["image"]) if "image" in values else None,
        draft=values.get("draft", False),
        source=path,
        extra={key: data[key] for key in data if key not in KNOWN_KEYS},
        warnings=tuple(warnings),
    )
    return post, lines


def _locate_image(site: Site, post: Post, lines: dict[str, int], errors: list[SourceError]) -> Post:
    """The post with its image made absolute and, from the static folder, its length
    and media type; a problem is added to ``errors``."""
    if post.image is None:
        return post
    try:
        image = images.locate(site, post.image.url)
    except _values.ValueProblem as err:
        errors.append(PostError(_source(post), lines.get("image"), f"image: {err}"))
        return post
    return replace(post, image=image)


def _link_error(path: Path, folder: Path) -> PostError | None:
    """Refuse a post that is a symbolic link leading out of the posts folder (or nowhere)."""
    target = Path(os.path.realpath(path))
    real_folder = Path(os.path.realpath(folder))
    if real_folder not in target.parents:
        return PostError(
            path, None, f"is a symbolic link to {target}, outside the posts folder {folder}"
        )
    if not target.exists():
        return PostError(path, None, f"is a symbolic link to {target}, which does not exist")
    return None


def check_slug(value: object) -> str:
    """A post slug: letters, digits, ``-``, ``_``, ``.`` and ``~``, not starting with a mark."""
    slug = _values.text(value).strip()
    if not _SLUG.match(slug):
        raise _values.ValueProblem(
            f"{slug!r} is not a valid slug (use letters, digits, '-', '_', '.' and '~')"
        )
    return slug


def _duplicates(
    site: Site, posts: Sequence[Post], lines: dict[str, dict[str, int]]
) -> list[SourceError]:
    errors: list[SourceError] = []
    keys: tuple[tuple[str, Callable[[Post], str]], ...] = (
        ("slug", lambda p: p.slug),
        ("id", lambda p: post_id(site, p)),
    )
    for what, key in keys:
        seen: dict[str, Post] = {}
        for post in posts:
            value = key(post)
            first = seen.setdefault(value, post)
            if first is not post:
                errors.append(
                    PostError(
                        _source(post),
                        lines[str(post.source)].get(what),
                        f"{what} {value!r} is also used by {first.source}",
                    )
                )
    return errors


def _tag_collisions(posts: Sequence[Post], lines: dict[str, dict[str, int]]) -> list[SourceError]:
    errors: list[SourceError] = []
    seen: dict[str, tuple[str, Post]] = {}
    for post in posts:
        line = lines[str(post.source)].get("tags")
        for tag in post.tags:
            slug = tag_slug(tag)
            if not slug:
                message = f"tags: {tag!r} has no letter or digit to name its feed by"
                errors.append(PostError(_source(post), line, message))
                continue
            size = len(slug.encode("utf-8"))
            if size > MAX_TAG_SLUG:
                short = tag if len(tag) <= 40 else tag[:40] + "..."
                message = (
                    f"tags: {short!r} is too long to name its feed folder"
                    f" ({size} bytes; at most {MAX_TAG_SLUG})"
                )
                errors.append(PostError(_source(post), line, message))
                continue
            first_tag, first_post = seen.setdefault(slug, (tag, post))
            if first_tag != tag:
                message = (
                    f"tags: {tag!r} and {first_tag!r} (in {first_post.source}) both map to"
                    f" the tag feed {slug!r}; spell them the same"
                )
                errors.append(PostError(_source(post), line, message))
    return errors


def _source(post: Post) -> Path:
    assert post.source is not None
    return post.source
