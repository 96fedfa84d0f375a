"""Feed files put together from their entries, each entry formatted once, and each
file written as it is put together.

A format writes a document as a head, each entry's bytes, and a tail, and an
entry's bytes depend on the entry alone (see ``formats.Format``). So an entry
shown by several documents is formatted once per format, and one that has not
changed since the last build is not formatted again: its bytes are copied from
the file that build wrote. The cache keeps, for each output file, what it was
made from, the digest and identity (size, times, inode) of the bytes written,
and where each entry's bytes lie in it. A file whose identity is still the one
recorded is taken as written, when it was last changed before the file system's
clock read after it was written (so any later change gives it other times, as
git decides which files of its index are "racily clean"); any other has its
bytes hashed, and nothing is taken from it unless they hash to what was written.

Documents are written as their entries come: entries made now arrive in the
order of the posts, which every document follows, and each goes straight into
every document that shows it, with the kept entries before it copied from the
old files. No document is ever held whole.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from stat import S_ISDIR
from typing import Any

from .._cache import Cache, digest
from ..errors import OutputError
from ..formats import FORMATS
from ..model import Entry, Feed, PublishedEntry
from ..reading._records import Identity
from ..reading._records import identity as identity_of
from ..writing import _fs
from ..writing._fs import StagedFile, Staging
from ._prepare import Made, Slot

KIND = "output"  # the cache's kind for what each feed file was made from and is
DETAILS = "output-entries"  # the kind for where each file's entries lie, and what they are

# A document's own fields: its entries, and the date they make, are the slots'.
_HEAD_FIELDS = tuple(spec.name for spec in fields(Feed) if spec.name not in ("entries", "updated"))
_READ = 1024 * 1024  # bytes read from an old file at once, at most
_OPEN_FILES = 32  # old files kept open at once, at most


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """One output file: a feed in one format. ``head`` is the feed without its
    entries, which ``slots`` gives, in order (see :meth:`feed`)."""

    path: Path
    format: str
    head: Feed
    slots: tuple[Slot, ...]

    def feed(self) -> Feed:
        """The feed with its entries, without summary and content: enough for its head
        and tail, and for the id guard."""
        return with_entries(self.head, tuple(slot.bare for slot in self.slots))


def with_entries(head: Feed, entries: tuple[Entry, ...]) -> Feed:
    """A feed with these entries, and the date of the newest of them."""
    return replace(
        head, entries=entries, updated=max((entry.updated for entry in entries), default=None)
    )


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What the cache says one output file was made from and is."""

    source: str  # digest of the feed, the format and every entry's key
    digest: str  # of the bytes written
    identity: Identity  # of the file once written
    settled: bool  # last changed before the clock was read: its identity can be trusted


@dataclass(frozen=True, slots=True)
class _Details:
    """Where each entry of an output file lies in it, and the entries as reading the
    file gives them (kept apart from the stamp: most builds need neither)."""

    items: tuple[tuple[str, int, int], ...]  # entry key, start, end
    published: tuple[PublishedEntry, ...]


class Outputs:
    """The output files of one build: what the files on disk hold now, which of them
    must be written again, and their writing.

    Made with the documents of the build (the cache's records of them are read
    then, under the build's lock when there is one), then :meth:`decide` decides
    what to write (:meth:`unchanged` tells the rest), :meth:`plan` which entries
    must be made for it, :meth:`write` writes it from the entries as they are
    made, and :meth:`save` records what was written.
    """

    def __init__(
        self, documents: Sequence[Document], cache: Cache | None, *, root: Path | None = None
    ) -> None:
        """``root`` is the output folder, when files are to be written there: the file
        system's clock is read in it, for :meth:`save`."""
        self._documents = list(documents)
        self._cache = cache
        self._root = root
        # Read before any file is looked at: a file changed before it, and unchanged
        # since, keeps its identity; a change after it gives the file later times.
        self._clock = _fs.clock(root) if root is not None and cache is not None else 0
        found = cache.get(KIND, [str(doc.path) for doc in documents]) if cache is not None else {}
        # Each file's identity, taken once, after the clock.
        self._identities = {doc.path: _identity(doc.path) for doc in documents}
        self._stamps: dict[Path, _Stamp] = {}
        for doc in documents:
            stamp = _stamp(found.get(str(doc.path)))
            if stamp is not None:
                self._stamps[doc.path] = stamp
        self._checked: dict[Path, _Stamp | None] = {}  # stamps checked against their file
        self._details: dict[Path, _Details | None] = {}
        # Files whose bytes, not their identity, matched their stamp: their identity now.
        self._moved: dict[Path, Identity] = {}
        self._write: list[Document] = []
        self._unchanging: set[Path] = set()
        self._wanted: dict[Slot, list[str]] = {}
        self._kept: dict[tuple[str, str], tuple[Path, int, int]] = {}
        self._written: dict[Path, _Done] = {}
        self._fds: OrderedDict[Path, int] = OrderedDict()

    def published(self, path: Path) -> tuple[PublishedEntry, ...] | None:
        """The entries of a file this build would write, as reading it back would
        give them, when the cache knows the file's bytes; else None."""
        details = self._details_of([path]).get(path)
        return details.published if details is not None else None

    def decide(self) -> None:
        """Decide which files to write: every one whose document is not the one its
        file was made from (or whose entries are not all known yet)."""
        for doc in self._documents:
            if self._unchanged(doc):
                self._unchanging.add(doc.path)
            else:
                self._write.append(doc)

    def unchanged(self, path: Path) -> bool:
        """Whether the file holds its document already (after :meth:`decide`)."""
        return path in self._unchanging

    def plan(self) -> dict[Slot, list[str]]:
        """The entries to make for the files to write, each with the formats it is
        wanted in: those that no trusted old file holds. Old files are looked in
        for entries only as far as needed: the files to write first, then the
        unchanged files that show an entry still missing, in its format."""
        missing = self._look_in(self._write, [(d, s) for d in self._write for s in d.slots])
        if missing:
            needed = {(slot, doc.format) for doc, slot in missing}
            unchanged = [
                doc
                for doc in self._documents
                if doc.path in self._unchanging
                and any((slot, doc.format) in needed for slot in doc.slots)
            ]
            missing = self._look_in(unchanged, missing)
        wanted = self._wanted
        for doc, slot in missing:
            names = wanted.setdefault(slot, [])
            if doc.format not in names:
                names.append(doc.format)
        return wanted

    def write(self, made: Iterable[Made], staging: Staging | None) -> list[Path]:
        """Write every file :meth:`plan` chose, taking the entries made as they come
        (``made`` must give those :meth:`plan` asked for, post by post, in the
        order of the documents): into ``staging``, or with None only to compare.
        Return the files whose bytes change, in the order of the documents; a
        file written with the bytes it already has is dropped from ``staging``."""
        writers = [_Writer(self, doc, number, staging) for number, doc in enumerate(self._write)]
        waiting: dict[tuple[Slot, str], list[_Writer]] = {}
        for writer in writers:
            for slot in (writer.doc.slots[at] for at in writer.made):
                waiting.setdefault((slot, writer.doc.format), []).append(writer)
        try:
            for pieces in made:
                given = {(slot, name): piece for slot, name, piece in pieces}
                due = {
                    writer.number: writer for wanted in given for writer in waiting.pop(wanted, ())
                }
                for number in sorted(due):
                    due[number].take(given)
            if waiting:
                raise AssertionError("entries a document needs were not made")
            for writer in writers:
                writer.finish()
        finally:
            for fd in self._fds.values():
                os.close(fd)
            self._fds.clear()
        return [writer.doc.path for writer in writers if writer.changed]

    def save(self, extra: Mapping[Path, bytes] | None = None) -> dict[Path, Identity]:
        """Record in the cache what each file now holds (once the files are in place).
        Return the identity of each file whose identity can be trusted to tell whether
        it still holds those bytes (see :meth:`unchanged`): of the documents, and of the
        ``extra`` files put in place beside them with these bytes.

        A file changed in the file system's current clock tick (those just renamed into
        place are) is trusted once the clock has moved past it, by its identity when it
        was renamed after the tick it was written in, else once its bytes are found to
        be those written: the next build can then take it by its identity."""
        cache = self._cache
        if cache is None:
            return {}
        clock = _fs.clock(self._root) if self._root is not None else 0
        trusted: dict[Path, Identity] = {}
        racy: list[tuple[Path, Identity, Callable[[Path], bool] | None]] = []
        for path, data in (extra or {}).items():
            known = _identity(path)  # before reading: a change after it gives other times
            if known is not None and _fs.read_if_exists(path) == data:
                if max(known[1:3]) < clock:
                    trusted[path] = known
                else:
                    racy.append((path, known, partial(_holds_bytes, data)))
        stamps: dict[Path, _Stamp] = {}
        for doc in self._documents:
            done = self._written.get(doc.path)
            if done is not None:
                if done.kept is not None:
                    identity: Identity | None = done.kept
                    settled = max(done.kept[1:3]) < self._clock
                else:
                    identity = _identity(doc.path)
                    settled = False
                    # As closed (size, modification time, inode): settled if last changed
                    # before the clock was read, just now, else checked below.
                    if (
                        identity is not None
                        and (identity[0], identity[1], identity[3]) == done.closed
                    ):
                        settled = max(identity[1:3]) < clock
                        if not settled:
                            # Renamed into place after the tick it was last written in,
                            # a later write would have given it another modification
                            # time: once the clock has passed, its identity is enough.
                            # Else its bytes are checked then.
                            later = identity[1] < identity[2]
                            check = None if later else partial(_holds_digest, done.digest)
                            racy.append((doc.path, identity, check))
                if identity is not None:
                    stamps[doc.path] = _Stamp(done.source, done.digest, identity, settled)
                    cache.put(DETAILS, str(doc.path), _details_json(done, doc))
            elif doc.path in self._moved:
                identity = self._moved[doc.path]
                settled = max(identity[1:3]) < self._clock
                stamps[doc.path] = replace(
                    self._stamps[doc.path], identity=identity, settled=settled
                )
            else:
                stamp = self._checked.get(doc.path)  # unchanged, as its identity told
                if stamp is not None and stamp.settled:
                    trusted[doc.path] = stamp.identity
        confirmed = _confirm(self._root, racy) if racy and self._root is not None else set()
        for path, stamp in stamps.items():
            if path in confirmed:
                stamp = replace(stamp, settled=True)
            cache.put(KIND, str(path), _stamp_json(stamp))
            if stamp.settled:
                trusted[path] = stamp.identity
        for path, identity, _ in racy:
            if path in confirmed and path not in stamps:  # an extra file
                trusted[path] = identity
        paths = [str(doc.path) for doc in self._documents]
        cache.keep_only(KIND, paths)
        cache.keep_only(DETAILS, paths)
        return trusted

    def _look_in(
        self, group: Sequence[Document], missing: list[tuple[Document, Slot]]
    ) -> list[tuple[Document, Slot]]:
        """Note where the old files of ``group`` hold entries; return those of
        ``missing`` that no old file holds yet."""
        details = self._details_of([doc.path for doc in group])
        for doc in group:
            found = details.get(doc.path)
            for key, start, end in found.items if found is not None else ():
                self._kept.setdefault((doc.format, key), (doc.path, start, end))
        return [
            (doc, slot)
            for doc, slot in missing
            if slot.key is None or (doc.format, slot.key) not in self._kept
        ]

    def _details_of(self, paths: Sequence[Path]) -> dict[Path, _Details]:
        """The details of those of ``paths`` whose stamps are trusted, read once."""
        todo = [path for path in paths if path not in self._details and self._trusted(path)]
        if todo and self._cache is not None:
            values = self._cache.get(DETAILS, [str(path) for path in todo])
            for path in todo:
                stamp = self._stamps[path]
                self._details[path] = _details(values.get(str(path)), stamp.identity[0])
        return {path: found for path in paths if (found := self._details.get(path)) is not None}

    def _unchanged(self, doc: Document) -> bool:
        """Whether the document's file holds it already, as far as the cache can tell."""
        stamp = self._trusted(doc.path)
        if stamp is None or any(slot.key is None for slot in doc.slots):
            return False
        return stamp.source == _source(doc, [_key(slot) for slot in doc.slots])

    def _trusted(self, path: Path) -> _Stamp | None:
        """The file's stamp when the file holds what it says: its identity is the one
        recorded, or else its bytes hash to the digest recorded."""
        if path in self._checked:
            return self._checked[path]
        stamp = self._stamps.get(path)
        result = None
        if stamp is not None:
            identity = self._identities[path]
            if stamp.settled and identity == stamp.identity:
                result = stamp
            elif (
                identity is not None
                and identity[0] == stamp.identity[0]
                and _file_digest(path) == stamp.digest
            ):
                result = stamp
                self._moved[path] = identity
        self._checked[path] = result
        return result

    def _same(self, path: Path, size: int, digest_: str) -> Identity | None:
        """The identity of the file at ``path`` when it holds the bytes of this digest
        and size, else None."""
        stamp = self._trusted(path)
        if stamp is not None:
            if stamp.digest != digest_ or stamp.identity[0] != size:
                return None
            return self._moved.get(path, stamp.identity)
        identity = self._identities[path]  # taken before reading: a change gives another
        if identity is None or identity[0] != size or _file_digest(path) != digest_:
            return None
        return identity

    def _read(self, path: Path, start: int, end: int) -> Iterable[bytes]:
        """Bytes ``start`` to ``end`` of an old file, a chunk at a time."""
        fd = self._fds.pop(path, None)
        if fd is None:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError as err:
                raise OutputError(path, f"cannot read: {err.strerror}") from err
        self._fds[path] = fd
        while len(self._fds) > _OPEN_FILES:
            os.close(self._fds.popitem(last=False)[1])
        at = start
        while at < end:
            try:
                chunk = os.pread(fd, min(_READ, end - at), at)
            except OSError as err:
                raise OutputError(path, f"cannot read: {err.strerror}") from err
            if not chunk:
                raise OutputError(path, "changed during the build; build again")
            at += len(chunk)
            yield chunk


@dataclass(slots=True)
class _Done:
    """A file written: what it was made from, its digest and where its entries lie;
    as closed (size, modification time, inode), or the identity of the old file
    when that already held the same bytes and stays."""

    source: str
    digest: str
    spans: list[tuple[str, int, int]]
    closed: tuple[int, int, int] | None = None
    kept: Identity | None = None


class _Writer:
    """One file being written: its head, then each entry in turn, then its tail."""

    def __init__(
        self, outputs: Outputs, doc: Document, number: int, staging: Staging | None
    ) -> None:
        self.outputs = outputs
        self.doc = doc
        self.number = number
        self.staging = staging
        self.format = FORMATS[doc.format]
        wanted = outputs._wanted
        #: The positions of the entries made now, in order; the others are kept.
        self.made = deque(
            at for at, slot in enumerate(doc.slots) if doc.format in wanted.get(slot, ())
        )
        self.next = 0  # the next entry to write
        self.sink: StagedFile | None = None
        self.started = self.done = self.changed = False
        self.hash = hashlib.sha256()
        self.size = 0
        self.spans: list[tuple[str, int, int]] = []
        self.tail = b""

    def take(self, given: Mapping[tuple[Slot, str], bytes]) -> None:
        """Write the entries made now that are next, and the kept ones before them."""
        while self.made:
            at = self.made[0]
            slot = self.doc.slots[at]
            piece = given.get((slot, self.doc.format))
            if piece is None:
                return
            self._kept(at)
            self.made.popleft()
            self._entry(slot, piece)
        self.finish()

    def finish(self) -> None:
        """Write the rest, close the file, and compare it with the old one."""
        if self.done:
            return
        assert not self.made, "an entry made now was not given"
        self._kept(len(self.doc.slots))
        if not self.started:
            self._start()
        self._out(self.tail)
        self.done = True
        if self.sink is not None:
            self.sink.close()
        digest_ = self.hash.hexdigest()[:40]
        source = _source(self.doc, [_key(slot) for slot in self.doc.slots])
        done = _Done(source, digest_, self.spans)
        done.kept = self.outputs._same(self.doc.path, self.size, digest_)
        if done.kept is not None:
            if self.staging is not None:
                self.staging.discard(self.doc.path)
        else:
            self.changed = True
            done.closed = self.sink.written if self.sink is not None else None
        self.outputs._written[self.doc.path] = done

    def _start(self) -> None:
        self.started = True
        if self.staging is not None:
            self.sink = self.staging.open(self.doc.path)
        head, self.tail = self.format.head_tail(self.doc.feed())
        self._out(head)

    def _out(self, data: bytes) -> None:
        self.hash.update(data)
        self.size += len(data)
        if self.sink is not None:
            self.sink.write(data)

    def _entry(self, slot: Slot, piece: bytes) -> None:
        if not self.started:
            self._start()
        if self.next:
            self._out(self.format.separator)
        self.spans.append((_key(slot), self.size, self.size + len(piece)))
        self._out(piece)
        self.next += 1

    def _kept(self, until: int) -> None:
        """Copy the kept entries up to ``until`` from the old files, each run of them
        that lies in one file as it does here in one piece."""
        if self.next >= until:
            return
        if not self.started:
            self._start()
        slots, kept, name = self.doc.slots, self.outputs._kept, self.format.name
        separator = self.format.separator
        while self.next < until:
            first = self.next
            path, start, end = kept[name, _key(slots[first])]
            spans = [(start, end)]
            last = first + 1
            while last < until:
                found = kept.get((name, _key(slots[last])))
                if found is None or found[0] != path or found[1] != end + len(separator):
                    break
                end = found[2]
                spans.append((found[1], found[2]))
                last += 1
            if first:
                self._out(separator)
            offset = self.size - start
            for slot, (a, b) in zip(slots[first:last], spans, strict=True):
                self.spans.append((_key(slot), a + offset, b + offset))
            for chunk in self.outputs._read(path, start, end):
                self._out(chunk)
            self.next = last


def _key(slot: Slot) -> str:
    """The key of an entry that is kept or was made, which is always known."""
    assert slot.key is not None
    return slot.key


def _source(doc: Document, keys: Sequence[str]) -> str:
    """A digest of everything a document's bytes are made from."""
    return digest(repr([getattr(doc.head, name) for name in _HEAD_FIELDS]), doc.format, *keys)


#: How long :func:`_confirm` waits, at most, for the file system's clock to move on.
_TICK_WAIT = 0.05


def _confirm(
    root: Path, racy: Sequence[tuple[Path, Identity, Callable[[Path], bool] | None]]
) -> set[Path]:
    """Those of ``racy`` (files last changed in the file system's current clock tick,
    each with its identity and a check of its bytes, if needed) that still hold what
    was written, checked once the clock has moved past them: any later change gives
    them other times, so their identities can be trusted. Hashed side by side
    (hashing lets other threads run)."""
    latest = max(max(identity[1:3]) for _, identity, _ in racy)
    deadline = time.monotonic() + _TICK_WAIT
    while (now := _fs.clock(root)) <= latest:
        if now == 0 or time.monotonic() > deadline:
            return set()
        time.sleep(0.0005)

    def holds(item: tuple[Path, Identity, Callable[[Path], bool] | None]) -> bool:
        path, identity, same = item
        if _identity(path) != identity:
            return False
        return same is None or (same(path) and _identity(path) == identity)

    held: dict[Path, bool] = {}
    hashed = [item for item in racy if item[2] is not None]
    if len(hashed) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(len(hashed), 4), thread_name_prefix="postfeed-check") as pool:
            held = dict(zip([item[0] for item in hashed], pool.map(holds, hashed), strict=True))
    return {item[0] for item in racy if (held[item[0]] if item[0] in held else holds(item))}


def _holds_bytes(data: bytes, path: Path) -> bool:
    return _fs.read_if_exists(path) == data


def _holds_digest(digest_: str, path: Path) -> bool:
    return _file_digest(path) == digest_


def _identity(path: Path) -> Identity | None:
    """The file's size, times and inode; None when there is none.

    Raises:
        OutputError: the path is a folder.
    """
    try:
        stat = path.stat()
    except OSError:
        return None
    if S_ISDIR(stat.st_mode):
        raise OutputError(path, "is a folder, expected a feed file")
    return identity_of(stat)


def _file_digest(path: Path) -> str | None:
    """The digest of a file's bytes, read a chunk at a time; None if it cannot be read."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_READ):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()[:40]


def _stamp_json(stamp: _Stamp) -> dict[str, Any]:
    """The cache's record of a file."""
    return {
        "source": stamp.source,
        "digest": stamp.digest,
        "identity": list(stamp.identity),
        "settled": stamp.settled,
    }


def _details_json(done: _Done, doc: Document) -> dict[str, Any]:
    """The cache's record of where a file's entries lie, and what they are."""
    return {
        "items": [list(span) for span in done.spans],
        "published": [
            [entry.id, entry.title, entry.published.replace(microsecond=0).isoformat()]
            for entry in (slot.bare for slot in doc.slots)
        ],
    }


def _stamp(value: Any) -> _Stamp | None:
    """A cached record, if it has the right shape."""
    if not isinstance(value, dict):
        return None
    source, digest_, settled = value.get("source"), value.get("digest"), value.get("settled")
    identity = value.get("identity")
    if not isinstance(source, str) or not isinstance(digest_, str) or type(settled) is not bool:
        return None
    if not (
        isinstance(identity, list) and len(identity) == 4 and all(type(n) is int for n in identity)
    ):
        return None
    known = (identity[0], identity[1], identity[2], identity[3])
    return _Stamp(source, digest_, known, settled)


def _details(value: Any, size: int) -> _Details | None:
    """Cached details of a file of ``size`` bytes, if they have the right shape."""
    if not isinstance(value, dict):
        return None
    items, published = value.get("items"), value.get("published")
    if not isinstance(items, list) or not isinstance(published, list):
        return None
    spans = []
    for item in items:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], str)
            and all(type(n) is int for n in item[1:])
            and 0 <= item[1] <= item[2] <= size
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
    return _Details(tuple(spans), tuple(entries))
