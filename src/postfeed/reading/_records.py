"""What a scan learns about one post file, and its JSON form in the cache.

A record read back from the cache is checked field by field; anything of the
wrong shape makes it unusable, and the file is read again. No file I/O here.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .._cache import encode
from ..model import POST_FIELDS, Author, Image, Post, trusted_post

# A file changed this shortly before it was read may have changed again since
# without its size or times changing (file times are coarse), so its record is
# checked against the file's content, not trusted on its times alone.
SETTLE_NS = 2_000_000_000

Identity = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode

# Where some fields' values are among a post's values (in the order of model.POST_FIELDS).
_MARKDOWN, _AUTHOR, _AUTHORS, _SOURCE, _BODY_OFFSET, _WARNINGS, _LINES = map(
    POST_FIELDS.index,
    ("markdown", "author", "authors", "source", "body_offset", "warnings", "lines"),
)

_INT = {int}  # the types a list of whole numbers from JSON has (a bool is not one)
_TEXT = {str}


def digest(text: str) -> str:
    """A content hash of text, as used in cache keys and records."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def identity(stat: os.stat_result) -> Identity:
    """What identifies one version of a file without reading it."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@dataclass(slots=True, kw_only=True)
class FileRecord:
    """One post file as scanned: its front matter as the values of the post's fields,
    and where its body is."""

    front_digest: str
    body_offset: int
    #: The values of the post's fields, in the order of ``model.POST_FIELDS``, as the
    #: front matter gives them (``model.post_values``): the post's own fill in the rest.
    values: list[Any]
    warnings: tuple[tuple[int, str], ...]
    body_digest: str | None = None
    identity: Identity = (-1, -1, -1, -1)
    seen_ns: int = 0
    body: str | None = field(default=None, repr=False)
    # The JSON form this record was made from, or that form as the cache's JSON text,
    # reused while nothing in the record changes.
    row: list[Any] | None = field(default=None, repr=False, compare=False)
    text: str | None = field(default=None, repr=False, compare=False)

    @property
    def lines(self) -> dict[str, int]:
        """The line of each front matter key (the post's ``lines``)."""
        lines: dict[str, int] = self.values[_LINES]
        return lines

    def same_as(self, other: FileRecord) -> bool:
        """Whether two records describe the same version of a file."""
        return (
            self.identity == other.identity
            and self.front_digest == other.front_digest
            and self.body_offset == other.body_offset
            and self.body_digest == other.body_digest
        )

    def settled(self) -> bool:
        """Whether this version of the file was last changed well before it was read."""
        _, mtime_ns, ctime_ns, _ = self.identity
        return max(mtime_ns, ctime_ns) + SETTLE_NS < self.seen_ns

    def post(self, path: Path, authors: dict[str, Author]) -> Post:
        """The Post: with its body if the record holds it, else with ``body_offset``.

        ``authors`` holds the site's table of authors by key: an author named by a
        key is that author, and one named otherwise is added to it by name, so that
        posts naming one author share one value."""
        values = self.values.copy()
        values[_SOURCE] = path
        if self.body is not None:
            values[_MARKDOWN] = self.body
        else:
            values[_BODY_OFFSET] = self.body_offset
        if self.warnings:
            values[_WARNINGS] = tuple(f"{path}:{line}: {text}" for line, text in self.warnings)
        named = values[_AUTHORS]
        if any(type(author) is str for author in named):
            found = [_named(author, authors) for author in named]
            values[_AUTHORS] = tuple(dict.fromkeys(found) if len(found) > 1 else found)
            values[_AUTHOR] = values[_AUTHORS][0]
        # Its fields were checked as they were read (from the file, or the cache).
        return trusted_post(values)

    def to_json(self) -> list[Any] | None:
        """The record as JSON data (kept, while nothing in it changes), or None if its
        extra keys do not survive JSON."""
        if self.row is not None:
            return self.row
        f = dict(zip(POST_FIELDS, self.values, strict=True))
        extra = f["extra"]
        if extra:
            try:
                if json.loads(json.dumps(extra)) != extra:
                    return None
            except (TypeError, ValueError):
                return None
        self.row = [
            list(self.identity),
            self.seen_ns,
            self.front_digest,
            self.body_offset,
            self.body_digest,
            f["slug"],
            f["title"],
            _instant(f["published"]),
            _instant(f["updated"]),
            f["summary"],
            list(f["tags"]),
            list(f["categories"]),
            [_author_json(author) for author in f["authors"]],
            f["lang"],
            f["content"],
            f["in_feeds"],
            f["id"],
            f["draft"],
            None if f["image"] is None else f["image"].url,
            extra,
            self.lines,
            [list(warning) for warning in self.warnings],
        ]
        return self.row

    def to_text(self) -> str | None:
        """:meth:`to_json` as the cache's JSON text, kept instead of the JSON data (which
        takes several times its memory) while nothing in the record changes."""
        if self.text is None and (row := self.to_json()) is not None:
            self.text, self.row = encode(row), None
        return self.text

    def cacheable(self) -> bool:
        """Whether the cache's index can hold the record (see :meth:`to_json`)."""
        return self.text is not None or self.to_json() is not None

    def body_changed(self, body_digest: str) -> None:
        """Note the digest of the body as now read."""
        self.body_digest, self.row, self.text = body_digest, None, None

    @classmethod
    def from_json(cls, data: Any, tz: tzinfo) -> FileRecord:
        """A record from its JSON data.

        Raises:
            ValueError: the data is not a record's.
        """
        try:
            (
                ident,
                seen_ns,
                front_digest,
                body_offset,
                body_digest,
                slug,
                title,
                published,
                updated,
                summary,
                tags,
                categories,
                authors,
                lang,
                content,
                in_feeds,
                post_id,
                draft,
                image,
                extra,
                lines,
                warnings,
            ) = data
        except (TypeError, ValueError) as err:
            raise ValueError("not a record") from err
        # One pass of plain type checks, each item's type looked at in C where there
        # are many: this runs for every post of every build.
        if not (
            type(ident) is list
            and len(ident) == 4
            and {*map(type, ident)} == _INT
            and type(seen_ns) is int
            and type(front_digest) is str
            and type(body_offset) is int
            and (body_digest is None or type(body_digest) is str)
            and type(slug) is str
            and type(title) is str
            and (summary is None or type(summary) is str)
            and type(tags) is list
            and {*map(type, tags)} <= _TEXT
            and type(categories) is list
            and {*map(type, categories)} <= _TEXT
            and type(authors) is list
            and (lang is None or type(lang) is str)
            and content in (None, "full", "summary")
            and type(in_feeds) is bool
            and (post_id is None or type(post_id) is str)
            and type(draft) is bool
            and (image is None or type(image) is str)
            and type(extra) is dict
            and type(lines) is dict
            # JSON object keys are always text: only the values need a look.
            and {*map(type, lines.values())} <= _INT
            and type(warnings) is list
        ):
            raise ValueError("not a record")
        authors = (
            tuple(authors)
            if {*map(type, authors)} <= _TEXT
            else tuple(_author_from_json(author) for author in authors)
        )
        # In the order of POST_FIELDS: the tests compare these posts with those made
        # from the same files' front matter, field by field.
        values = [
            slug,
            title,
            _from_instant(published, tz),
            None if updated is None else _from_instant(updated, tz),
            summary,
            None,  # markdown
            None,  # html
            tuple(tags),
            tuple(categories),
            authors[0] if authors else None,  # author
            authors,
            lang,
            content,
            in_feeds,
            post_id,  # id
            None,  # url
            None if image is None else Image(url=image),
            draft,
            None,  # expires
            None,  # source
            None,  # body_offset
            extra,
            (),  # warnings
            lines,
        ]
        return cls(
            identity=(ident[0], ident[1], ident[2], ident[3]),
            seen_ns=seen_ns,
            front_digest=front_digest,
            body_offset=body_offset,
            body_digest=body_digest,
            values=values,
            warnings=tuple((_int(line), _text(text)) for line, text in map(_list, warnings))
            if warnings
            else (),
            row=data,
        )


def _instant(value: datetime | None) -> list[Any] | None:
    """A datetime as [ISO text, whether it is in the site's zone]."""
    if value is None:
        return None
    if isinstance(value.tzinfo, ZoneInfo):  # the loader only attaches the site's zone
        return [value.replace(tzinfo=None).isoformat(), True]
    return [value.isoformat(), False]


def _from_instant(data: Any, tz: tzinfo) -> datetime:
    text, in_site_zone = _list(data)
    value = datetime.fromisoformat(_text(text))
    if in_site_zone is not (value.tzinfo is None):
        raise ValueError("not an instant")
    return value.replace(tzinfo=tz) if in_site_zone else value


def _named(author: Author | str, table: dict[str, Author]) -> Author:
    """An author as front matter gave it: a key of the site's table, else a name
    (then added to ``table``)."""
    if isinstance(author, Author):
        return author
    found = table.get(author)
    if found is None:
        found = table[author] = Author(name=author)
    return found


def _author_json(author: Author | str) -> str | list[str | None]:
    """A key or name as it is; a mapping as [name, email, uri]."""
    return author if isinstance(author, str) else [author.name, author.email, author.uri]


def _author_from_json(data: Any) -> Author | str:
    if isinstance(data, str):
        return data
    name, email, uri = _list(data)
    return Author(name=_text(name), email=_optional_text(email), uri=_optional_text(uri))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a number, got {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value
