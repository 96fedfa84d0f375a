"""Feed files put together from their entries, each entry formatted once.

A format writes a document as a head, each entry's bytes, and a tail, and an
entry's bytes depend on the entry alone (see ``formats.Format``). So an entry
shown by several feeds is formatted once per format, and one that has not
changed since the last build is taken from the file that build wrote instead of
being formatted again: the cache keeps, for each output file, what it was made
from and where each entry's bytes lie in it. Nothing is taken from a file unless
its bytes still hash to what the cache says was written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import _workers
from .._cache import Cache, digest
from .._workers import Workers
from ..formats import FORMATS
from ..model import Entry, Feed, PublishedEntry
from ..writing import _fs

KIND = "output"  # the cache's kind for what each feed file was made from

_ENTRY_FIELDS = tuple(spec.name for spec in fields(Entry) if spec.name != "key")
_FEED_FIELDS = tuple(spec.name for spec in fields(Feed) if spec.name != "entries")
_CHUNK = 64  # entries per call to a worker at most


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What the cache says one output file was made from, once its bytes are checked."""

    source: str  # digest of the feed and format
    items: tuple[tuple[str, int, int], ...]  # entry digest, start, end
    published: tuple[PublishedEntry, ...]


class Outputs:
    """The feed files one build writes: what is on disk now, and the new bytes.

    ``paths`` maps each output file to its feed and format name. The files are
    read when this is made (under the build's lock, when there is one).

    An entry's ``key``, when it has one, stands for everything in it (others are
    hashed whole). ``pieces`` holds entries already formatted, by format name and
    key. An entry that must be formatted is first passed to
    ``complete``, which gives it back with everything a format needs (the build
    leaves the content of entries it expects to keep in the cache).
    """

    def __init__(
        self,
        paths: Mapping[Path, tuple[Feed, str]],
        cache: Cache | None,
        *,
        pieces: Mapping[tuple[str, str], bytes] | None = None,
        complete: Callable[[Sequence[Entry]], Sequence[Entry]] | None = None,
    ) -> None:
        self._paths = paths
        self._cache = cache
        self._given = pieces or {}
        self._complete = complete
        self._old = {path: _fs.read_if_exists(path) for path in paths}
        found = cache.get(KIND, [str(path) for path in paths]) if cache is not None else {}
        self._stamps: dict[Path, _Stamp] = {}
        for path, data in self._old.items():
            stamp = _stamp(found.get(str(path)), data)
            if stamp is not None:
                self._stamps[path] = stamp
        self._digests: dict[Entry, str] = {}  # digests of entries without a key
        #: How many entries were formatted (in each format), rather than kept.
        self.formatted = 0

    def published(self, path: Path) -> tuple[PublishedEntry, ...] | None:
        """The entries of a file this build would write, as reading it back would
        give them, when the cache knows the file's bytes; else None."""
        stamp = self._stamps.get(path)
        return stamp.published if stamp is not None else None

    def changed(self, workers: Workers) -> dict[Path, bytes]:
        """The bytes of every file whose content changes. A file made from the same
        feed as the bytes it holds is not formatted again."""
        todo: list[tuple[Path, Feed, str, list[str], str]] = []
        for path, (feed, name) in self._paths.items():
            keys = [self._digest(entry) for entry in feed.entries]
            source = digest(repr([getattr(feed, n) for n in _FEED_FIELDS]), name, *keys)
            if self._cache is not None:
                self._cache.keep_only(KIND, [str(path)])
            stamp = self._stamps.get(path)
            if stamp is not None and stamp.source == source:
                continue
            todo.append((path, feed, name, keys, source))
        pieces = self._pieces(todo, workers)
        changed: dict[Path, bytes] = {}
        for path, feed, name, keys, source in todo:
            fmt = FORMATS[name]
            head, tail = fmt.head_tail(feed)
            parts: list[bytes | memoryview] = [head]
            spans = []
            at = len(head)
            for number, key in enumerate(keys):
                if number:
                    parts.append(fmt.separator)
                    at += len(fmt.separator)
                piece = pieces[name, key]
                parts.append(piece)
                spans.append((key, at, at + len(piece)))
                at += len(piece)
            parts.append(tail)
            data = b"".join(parts)
            if data != self._old[path]:
                changed[path] = data
            if self._cache is not None:
                self._cache.put(KIND, str(path), _stamp_value(source, data, spans, feed))
        return changed

    def _digest(self, entry: Entry) -> str:
        if entry.key is not None:
            return entry.key
        found = self._digests.get(entry)
        if found is None:
            found = self._digests[entry] = entry_digest(entry)
        return found

    def _pieces(
        self, todo: Sequence[tuple[Path, Feed, str, list[str], str]], workers: Workers
    ) -> dict[tuple[str, str], bytes | memoryview]:
        """Every entry's bytes in every format ``todo`` needs: from the files the last
        build wrote where the cache vouches for them, else formatted now."""
        pieces: dict[tuple[str, str], bytes | memoryview] = dict(self._given)
        for path, _, name, _, _ in todo:
            stamp, data = self._stamps.get(path), self._old[path]
            if stamp is not None and data is not None:
                view = memoryview(data)  # slices of it are not copies
                for key, start, end in stamp.items:
                    pieces.setdefault((name, key), view[start:end])
        missing: dict[tuple[str, str], Entry] = {}
        for _, feed, name, keys, _ in todo:
            for key, entry in zip(keys, feed.entries, strict=True):
                if (name, key) not in pieces:
                    missing.setdefault((name, key), entry)
        self.formatted += len(missing)
        if not missing:
            return pieces
        unique = {key: entry for (_, key), entry in missing.items()}
        if self._complete is not None:
            unique = dict(zip(unique, self._complete(list(unique.values())), strict=True))
        by_format: dict[str, list[tuple[str, Entry]]] = {}
        for name, key in missing:
            by_format.setdefault(name, []).append((key, unique[key]))
        # Estimated on the completed entries: those given without content would seem cheap.
        parallel = workers.worth(sum(_seconds(unique[key]) for _, key in missing))
        # Shared out, even a few dozen entries make a few calls for each process.
        share = 4 * workers.count if parallel else 1
        calls = [
            (name, found[start:end])
            for name, found in by_format.items()
            for start, end in _workers.portions(len(found), share, _CHUNK)
        ]
        if parallel:
            done: Iterator[list[bytes]] = workers.map(
                format_entries, ((name, [e for _, e in chunk]) for name, chunk in calls)
            )
        else:
            done = (format_entries(name, [e for _, e in chunk]) for name, chunk in calls)
        for (name, chunk), made in zip(calls, done, strict=True):
            for (key, _), piece in zip(chunk, made, strict=True):
                pieces[name, key] = piece
        return pieces


def format_entries(name: str, entries: Sequence[Entry]) -> list[bytes]:
    """Each entry's bytes in one format (in a worker process, or not)."""
    return FORMATS[name].items(entries)


def entry_digest(entry: Entry) -> str:
    """A hash of everything in an entry. Text is hashed as it is, after the length
    of every text field and the repr() of the other fields: repr() of long HTML
    would cost more than formatting it."""
    values = [getattr(entry, name) for name in _ENTRY_FIELDS]
    texts = [value for value in values if isinstance(value, str)]
    others = [value for value in values if not isinstance(value, str)]
    head = repr(([len(text) for text in texts], others))
    h = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
    for text in texts:
        h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:40]


def _seconds(entry: Entry) -> float:
    chars = len(entry.content_html or "") + len(entry.summary_html)
    return _workers.FORMAT_SECONDS_PER_ENTRY + chars * _workers.FORMAT_SECONDS_PER_CHAR


def _stamp_value(
    source: str, data: bytes, spans: list[tuple[str, int, int]], feed: Feed
) -> dict[str, Any]:
    """The cache's record of a file as written: its feed and format, its bytes'
    digest, where each entry lies, and the entries as reading the file gives them."""
    return {
        "source": source,
        "digest": _bytes_digest(data),
        "items": [list(span) for span in spans],
        "published": [
            [entry.id, entry.title, entry.published.replace(microsecond=0).isoformat()]
            for entry in feed.entries
        ],
    }


def _stamp(value: Any, data: bytes | None) -> _Stamp | None:
    """A cached record, if it has the right shape and describes exactly ``data``."""
    if data is None or not isinstance(value, dict):
        return None
    source, items, published = value.get("source"), value.get("items"), value.get("published")
    if not isinstance(source, str) or value.get("digest") != _bytes_digest(data):
        return None
    if not isinstance(items, list) or not isinstance(published, list):
        return None
    spans = []
    for item in items:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], str)
            and all(type(n) is int for n in item[1:])
            and 0 <= item[1] <= item[2] <= len(data)
        ):
            return None
        spans.append((item[0], item[1], item[2]))
    entries = []
    for item in published:
        if not (isinstance(item, list) and len(item) == 3):
            return None
        if not all(isinstance(text, str) for text in item):
            return None
        try:
            when = datetime.fromisoformat(item[2])
        except ValueError:
            return None
        entries.append(PublishedEntry(id=item[0], title=item[1], published=when))
    return _Stamp(source, tuple(spans), tuple(entries))


def _bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:40]
