"""One post file to a Post: split, parse and check its front matter, and find its
body. Reads the one file; reports every problem in it at once."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any

from ..errors import PostError, PostErrors
from ..model import Author, Image, Post, post_values
from . import _values, images
from ._records import FileRecord, Identity, digest, identity
from ._yaml import YAMLProblem, load_mapping
from .config import unknown_key_message
from .frontmatter import Parts, SplitProblem, decode, split

KNOWN_KEYS = (
    "title",
    "date",
    "updated",
    "summary",
    "tags",
    "categories",
    "slug",
    "author",
    "authors",
    "lang",
    "content",
    "in_feeds",
    "draft",
    "id",
    "image",
)
_KNOWN = frozenset(KNOWN_KEYS)
_SLUG = re.compile(r"^\w[\w.~-]*$")
#: Bytes a post file may hold, at most. Python-Markdown's time grows with the square of
#: a paragraph's length (a 1 MB paragraph renders in about a second, a 3 MB one in 20),
#: and a build holds some 30 times a post's size in memory while it formats it.
MAX_POST_BYTES = 1024 * 1024
# A Jekyll post's file name: its date, then its slug.
_JEKYLL_NAME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})-.")
# Template code other generators run, outside code: Hugo shortcodes, Liquid tags and outputs.
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}")
_LIQUID = re.compile(
    r"\{%-?\s*[a-z_]+.*?%\}"
    r"|\{\{-?\s*(?:site|page|post|paginator|include|layout|content|jekyll)\b.*?\}\}"
)
_CODE_SPAN = re.compile(r"(`+).*?\1")
# "{{" or "{%": one pass of the body, three times as fast as looking for each in turn.
_TEMPLATE_START = re.compile(r"\{[{%]")
#: What every warning about template code says: it depends on the body, not the front matter.
NOT_RUN = "is not run with source: postfeed"


def load_post(path: Path, tz: tzinfo, *, authors: Mapping[str, Author] | None = None) -> Post:
    """Load one post file; dates without an offset are in ``tz``, and an author named
    by a key of ``authors`` (the site's table) is that author.

    Raises:
        PostErrors: every problem found in the file.
    """
    return read_file(path, tz, None, keep_body=True).post(path, dict(authors or {}))


def read_body(post: Post) -> str | None:
    """The Markdown body of a post: ``markdown``, or read from ``source`` at ``body_offset``.

    Raises:
        PostErrors: the file can no longer be read.
    """
    if post.markdown is not None or post.body_offset is None or post.source is None:
        return post.markdown
    try:
        return decode(read_bytes(post.source)[0])[post.body_offset :]
    except SplitProblem as err:
        raise PostErrors([PostError(post.source, err.line, err.message)]) from err
    except OSError as err:
        raise PostErrors([PostError(post.source, None, f"cannot read: {err.strerror}")]) from err


def read_file(
    path: Path | str, tz: tzinfo, known: FileRecord | None, *, keep_body: bool
) -> FileRecord:
    """Read one post file; with ``known``, reuse its front matter if unchanged."""
    try:
        data, current = read_bytes(path)
        parts = split(decode(data))
    except SplitProblem as err:
        raise PostErrors([PostError(path, err.line, err.message)]) from err
    except OSError as err:
        raise PostErrors([PostError(path, None, f"cannot read: {err.strerror}")]) from err
    front_digest = digest(parts.front_matter)
    if known is not None and known.front_digest == front_digest:
        values = known.values
        # The front matter's warnings still hold; the body's are found again.
        warnings = tuple(w for w in known.warnings if NOT_RUN not in w[1])
    else:
        values, warnings = _front_matter(path, parts, tz)
    warnings += _template_code(path, parts)
    return FileRecord(
        front_digest=front_digest,
        body_offset=parts.body_offset,
        # Worth keeping only for a post a feed showed before, whose body is hashed anyway.
        body_digest=digest(parts.body) if known is not None and known.body_digest else None,
        values=values,
        warnings=warnings,
        identity=current,
        body=parts.body if keep_body else None,
    )


def read_bytes(path: Path | str) -> tuple[bytes, Identity]:
    """A post file's bytes and the identity of the version read (taken from the open
    file, so the two match). Without the buffered file object ``Path.read_bytes``
    sets up: a scan reads thousands of small files, and that costs a third.

    A file larger than :data:`MAX_POST_BYTES` is refused before it is read, or as
    soon as reading passes the limit (a file that grows, or that is no regular file).

    Raises:
        PostErrors: the file is too large.
        OSError: it cannot be read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        status = os.fstat(fd)
        current = identity(status)
        size = status.st_size
        chunks = []
        if size <= MAX_POST_BYTES:
            size = 0
            while size <= MAX_POST_BYTES and (chunk := os.read(fd, 65536)):
                chunks.append(chunk)
                size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_POST_BYTES:
        message = f"too large ({size} bytes; a post may have at most {MAX_POST_BYTES})"
        raise PostErrors([PostError(path, None, message)])
    return b"".join(chunks), current


def _front_matter(
    path: Path | str, parts: Parts, tz: tzinfo
) -> tuple[list[Any], tuple[tuple[int, str], ...]]:
    """Parse and check front matter: the values of the post's fields (as
    ``model.post_values`` gives them, each key's line among them), and warnings.

    Raises:
        PostErrors: every problem in the front matter.
    """
    try:
        mapping = load_mapping(parts.front_matter, first_line=parts.front_matter_line)
    except YAMLProblem as err:
        raise PostErrors([PostError(path, err.line, err.message)]) from err
    data, lines = mapping.data, mapping.lines
    fields = _values.Fields(data, lines, lambda line, message: PostError(path, line, message))
    check = fields.check

    def required(key: str) -> tuple[int, str] | None:
        if key in data:
            return None
        dated = _JEKYLL_NAME.match(_stem(path))
        if key == "date" and dated is not None:
            # A Jekyll post, dated by its file name.
            return 1, (
                f"date: missing (every post needs a date); the file name's date is Jekyll's:"
                f" add date: {dated[1]}, or set source: jekyll to read the Jekyll site where"
                " it stands"
            )
        return 1, f"{key}: missing (every post needs a {key})"

    check("title", _values.text, missing=required("title"))
    notes: list[tuple[int, str]] = []  # warnings about values that were taken

    def when(key: str) -> Callable[[Any], Any]:
        return lambda v: _values.timestamp(
            v, tz, lambda text: notes.append((lines[key], f"{key}: {text}"))
        )

    check("date", when("date"), missing=required("date"))
    if "updated" in data:
        check("updated", when("updated"))
    check("summary", lambda v: _values.text(v, empty_ok=True))
    check("tags", _values.tags)
    check("categories", _values.categories)
    check("slug", check_slug)
    check("author", _values.one_author)
    check("authors", _values.authors)
    check("lang", _values.language)
    check("content", _values.content_mode)
    check("in_feeds", _values.boolean)
    check("draft", _values.boolean)
    check("id", _values.uri)
    check("image", images.image_value)
    errors, values = fields.errors, fields.values
    if "author" in data and "authors" in data:
        message = "authors: give author or authors, not both"
        errors.append(PostError(path, lines["authors"], message))
    if "slug" not in data:
        try:
            values["slug"] = check_slug(_stem(path))
        except _values.ValueProblem as err:
            errors.append(
                PostError(path, None, f"file name: {err}, or set slug in the front matter")
            )
    if errors:
        raise PostErrors(errors)
    warnings = notes + [
        (lines[key], unknown_key_message(key, KNOWN_KEYS)) for key in data if key not in _KNOWN
    ]
    published, updated = values["date"], values.get("updated")
    if updated is not None and updated < published:
        warnings.append((lines["updated"], "updated is before date; date is used"))
        updated = None
    if "author" in values:
        values["authors"] = (values["author"],)
    fields_of_post = {
        "slug": values["slug"],
        "title": values["title"],
        "published": published,
        "updated": updated,
        "summary": values.get("summary"),
        "tags": values.get("tags", ()),
        "categories": values.get("categories", ()),
        "authors": values.get("authors", ()),
        "lang": values.get("lang"),
        "content": values.get("content"),
        "in_feeds": values.get("in_feeds", True),
        "id": values.get("id"),
        "draft": values.get("draft", False),
        "image": Image(url=values["image"]) if "image" in values else None,
        "extra": {key: data[key] for key in data if key not in _KNOWN},
        "lines": lines,
    }
    return post_values(fields_of_post), tuple(warnings)


def _template_code(path: Path | str, parts: Parts) -> tuple[tuple[int, str], ...]:
    """A warning for the first Hugo shortcode, or Liquid in a file named as Jekyll names
    posts, outside code: template code another generator runs, which postfeed shows as
    written."""
    body = parts.body
    if _TEMPLATE_START.search(body) is None:
        return ()
    jekyll = _JEKYLL_NAME.match(_stem(path)) is not None
    fence = ""
    for number, line in enumerate(body.split("\n")):
        stripped = line.lstrip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        if "{" not in line:
            continue
        text = _CODE_SPAN.sub("", line)
        found = _SHORTCODE.search(text)
        kind, source, generator = "Hugo shortcode", "hugo", "Hugo"
        if found is None and jekyll:
            found = _LIQUID.search(text)
            kind, source, generator = "Liquid", "jekyll", "Jekyll"
        if found is not None:
            message = (
                f"{kind} {found[0]} {NOT_RUN}: the feeds show it as written (set source:"
                f" {source} to read the {generator} site where it stands)"
            )
            return ((parts.body_line + number, message),)
    return ()


def _stem(path: Path | str) -> str:
    """The file name without its extension, as ``Path.stem``."""
    name = path.name if isinstance(path, Path) else path.rsplit(os.sep, 1)[-1]
    return name.rpartition(".")[0] or name


def check_slug(value: object) -> str:
    """A post slug: letters, digits, ``-``, ``_``, ``.`` and ``~``, not starting with a mark."""
    slug = _values.text(value).strip()
    if not _SLUG.match(slug):
        raise _values.ValueProblem(
            f"{slug!r} is not a valid slug (use letters, digits, '-', '_', '.' and '~')"
        )
    return slug
