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

from .model import Author, Post

# A file changed this shortly before it was read may have changed again since
# without its size or times changing (file times are coarse), so its record is
# checked against the file's content, not trusted on its times alone.
SETTLE_NS = 2_000_000_000

Identity = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def digest(text: str) -> str:
    """A content hash of text, as used in cache keys and records."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def identity(stat: os.stat_result) -> Identity:
    """What identifies one version of a file without reading it."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@dataclass(slots=True, kw_only=True)
class FileRecord:
    """One post file as scanned: its front matter as Post fields, and where its body is."""

    front_digest: str
    body_offset: int
    fields: dict[str, Any]
    lines: dict[str, int]
    warnings: tuple[tuple[int, str], ...]
    body_digest: str | None = None
    identity: Identity = (-1, -1, -1, -1)
    seen_ns: int = 0
    body: str | None = field(default=None, repr=False)
    # The JSON form this record was made from, reused while nothing in it changes.
    row: list[Any] | None = field(default=None, repr=False, compare=False)

    def settled(self, stat: os.stat_result) -> bool:
        """Whether the file was last changed well before it was read."""
        return max(stat.st_mtime_ns, stat.st_ctime_ns) + SETTLE_NS < self.seen_ns

    def post(self, path: Path) -> Post:
        """The Post: with its body if the record holds it, else with ``body_offset``."""
        return Post(
            **self.fields,
            markdown=self.body,
            source=path,
            body_offset=None if self.body is not None else self.body_offset,
            warnings=tuple(f"{path}:{line}: {message}" for line, message in self.warnings),
        )

    def to_json(self) -> list[Any] | None:
        """The record as JSON data, or None if its extra keys do not survive JSON."""
        if self.row is not None:
            return self.row
        f = self.fields
        extra = f["extra"]
        if extra:
            try:
                if json.loads(json.dumps(extra)) != extra:
                    return None
            except (TypeError, ValueError):
                return None
        author: Author | None = f["author"]
        return [
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
            None if author is None else [author.name, author.email, author.uri],
            f["id"],
            f["draft"],
            extra,
            self.lines,
            [list(warning) for warning in self.warnings],
        ]

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
                author,
                post_id,
                draft,
                extra,
                lines,
                warnings,
            ) = data
        except (TypeError, ValueError) as err:
            raise ValueError("not a record") from err
        fields = {
            "slug": _text(slug),
            "title": _text(title),
            "published": _from_instant(published, tz),
            "updated": None if updated is None else _from_instant(updated, tz),
            "summary": _optional_text(summary),
            "tags": tuple(_text(tag) for tag in _list(tags)),
            "author": None if author is None else _author(author),
            "id": _optional_text(post_id),
            "draft": _bool(draft),
            "extra": _dict(extra),
        }
        ident = tuple(_int(value) for value in _list(ident))
        if len(ident) != 4:
            raise ValueError("not an identity")
        return cls(
            identity=(ident[0], ident[1], ident[2], ident[3]),
            seen_ns=_int(seen_ns),
            front_digest=_text(front_digest),
            body_offset=_int(body_offset),
            body_digest=_optional_text(body_digest),
            fields=fields,
            lines={_text(key): _int(line) for key, line in _dict(lines).items()},
            warnings=tuple((_int(line), _text(text)) for line, text in map(_list, warnings)),
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
    if _bool(in_site_zone) != (value.tzinfo is None):
        raise ValueError("not an instant")
    return value.replace(tzinfo=tz) if in_site_zone else value


def _author(data: Any) -> Author:
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


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping, got {type(value).__name__}")
    return value
