"""Feed files put together from their entries, each entry formatted once, and each
file written as it is put together.

A format writes a document as a head, each entry's bytes, and a tail, and an
entry's bytes depend on the entry alone (see ``formats.Format``). So an entry
shown by several documents is formatted once per format, and one that has not
changed since the last build is not formatted again: its bytes are copied from
the file that build wrote. The cache keeps, for each output file, what it was
made from, the digest and identity (size, times, inode) of the bytes written,
and where each entry's bytes lie in it, with their digest. A file whose identity is
still the one recorded is taken as written, when it was last changed before the file
system's clock read after it was written (so any later change gives it other times,
as git decides which files of its index are "racily clean"); any other has its bytes
hashed, and nothing is taken from it unless they hash to what was written.

A file's digest is made of its pieces (see :class:`_Pieces`): the bytes between its
entries as they are, and each entry's bytes by their own digest. An entry copied
from an old file brings its digest along, so the digest of a new file is known once
it is written, without reading back what was copied into it.

Documents are written as their entries come: entries made now arrive in the
order of the posts, which every document follows, and each goes straight into
every document that shows it, with the kept entries before it copied from the
old files. No document is ever held whole.
"""

from __future__ import annotations

import hashlib
import os
import time
from array import array
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from functools import partial
from itertools import repeat
from pathlib import Path
from stat import S_ISDIR
from typing import Any

from .._cache import Cache, digest, encode, file_key
from ..errors import OutputError
from ..formats import FORMATS
from ..model import Feed, PublishedEntry
from ..reading._records import Identity
from ..reading._records import identity as identity_of
from ..writing import _fs
from ..writing._fs import StagedFile, Staging
from ..writing.idguard import PublishedEntries
from ._prepare import Made, Slot
from .entries import Facts

KIND = "output"  # the cache's kind for what each feed file was made from and is
DETAILS = "output-entries"  # the kind for where each file's entries lie, and what they are

# A document's own fields: its entries, and the date they make, are the slots'.
_HEAD_FIELDS = tuple(spec.name for spec in fields(Feed) if spec.name not in ("entries", "updated"))
#: A run of kept entries at least this long is copied into its new file in the background.
_BACKGROUND = 4 * 1024 * 1024
_OPEN_FILES = 32  # old files kept open at once, at most


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """One output file: a feed in one format. ``head`` is the feed without its
    entries, which ``slots`` gives, in order (see :meth:`head_feed`)."""

    path: Path
    format: str
    head: Feed
    slots: tuple[Slot, ...]

    def head_feed(self) -> Feed:
        """The feed as its head and tail are made from: with the date of its newest
        entry and, of its entries (without summary and content), those that decide
        what the head declares. A format's head reads no more of the entries than
        whether there are any, whether any has an image (which declares Media RSS)
        and whether any names no author (then the feed names one): the first entry,
        the first with an image and the first without an author stand for all."""
        facts = [slot.facts for slot in self.slots]
        chosen = {0} if facts else set()
        image = next((at for at, found in enumerate(facts) if found.image), None)
        anonymous = next((at for at, found in enumerate(facts) if not found.authored), None)
        chosen.update(at for at in (image, anonymous) if at is not None)
        return replace(
            self.head,
            entries=tuple(self.slots[at].bare for at in sorted(chosen)),
            updated=max((f.updated for f in facts), default=None),
        )


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What the cache says one output file was made from and is."""

    source: str  # digest of the feed, the format and every entry's key
    digest: str  # of the bytes written, made of their pieces (see _Pieces)
    identity: Identity  # of the file once written
    settled: bool  # last changed before the clock was read: its identity can be trusted


@dataclass(frozen=True, slots=True, eq=False)
class _Details:
    """Where each entry of an output file lies in it and the digest of its bytes, and
    the facts of its entries (kept apart from the stamp: most builds need neither). The
    file it describes is ``path``."""

    path: Path
    keys: list[str]
    bounds: list[int]  # where each entry starts and ends, in turn
    digests: bytes  # of each entry's bytes, in turn (see _entry_digest)
    ids: list[str]
    titles: list[str]
    dates: list[str]
    updated: list[str]
    marks: str  # whether each entry has an image and names an author (see _MARKS)
    # Each column of dates as parsed, once it is (None when one is not a date).
    parsed: dict[str, list[datetime] | None] = field(default_factory=dict, repr=False)

    def published(self) -> PublishedEntries | None:
        """The entries as reading the file gives them; None if a date is not one."""
        dates = self._parsed("dates")
        if dates is None:
            return None
        ids, titles = self.ids, self.titles

        def entry(at: int) -> PublishedEntry:
            return PublishedEntry(id=ids[at], title=titles[at], published=dates[at])

        return PublishedEntries(ids, entry)

    def facts(self) -> list[Facts] | None:
        """The facts of each entry, as :func:`entry_facts` made them; None if a date is
        not one."""
        published, updated = self._parsed("dates"), self._parsed("updated")
        if published is None or updated is None:
            return None
        return [
            Facts(id_, title, when, last, mark in _IMAGE, mark in _AUTHORED)
            for id_, title, when, last, mark in zip(
                self.ids, self.titles, published, updated, self.marks, strict=True
            )
        ]

    def _parsed(self, name: str) -> list[datetime] | None:
        """The column of dates ``name`` ("dates" or "updated"), parsed once."""
        if name not in self.parsed:
            try:
                self.parsed[name] = list(map(datetime.fromisoformat, getattr(self, name)))
            except ValueError:
                self.parsed[name] = None
        return self.parsed[name]


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
        found = (
            cache.get(KIND, [file_key(doc.path) for doc in documents]) if cache is not None else {}
        )
        # Each file's identity, taken once, after the clock.
        self._identities = {doc.path: _identity(doc.path) for doc in documents}
        self._stamps: dict[Path, _Stamp] = {}
        for doc in documents:
            stamp = _stamp(found.get(file_key(doc.path)))
            if stamp is not None:
                self._stamps[doc.path] = stamp
        self._checked: dict[Path, _Stamp | None] = {}  # stamps checked against their file
        self._details: dict[Path, _Details | None] = {}
        # Files whose bytes, not their identity, matched their stamp: their identity now.
        self._moved: dict[Path, Identity] = {}
        self._write: list[Document] = []
        self._unchanging: set[Path] = set()
        self._wanted: dict[Slot, list[str]] = {}
        # Where an old file holds each entry, in a format: its details, and which entry.
        self._kept: dict[tuple[str, str], tuple[_Details, int]] = {}
        self._written: dict[Path, _Done] = {}
        self._sources: dict[Path, str] = {}
        self._entry_texts: dict[tuple[Slot, ...], str] = {}
        # Where an old file's record holds each kept entry (see _known_facts).
        self._recorded: dict[Slot, tuple[_Details, int]] = {}
        self._fds: OrderedDict[Path, int] = OrderedDict()

    def published(self, path: Path) -> PublishedEntries | None:
        """The entries of a file this build would write, as reading it back would
        give them, when the cache knows the file's bytes; else None."""
        details = self._details_of([path]).get(path)
        return details.published() if details is not None else None

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
        self._known_facts()
        wanted = self._wanted
        for doc, slot in missing:
            names = wanted.setdefault(slot, [])
            if doc.format not in names:
                names.append(doc.format)
        return wanted

    def write(
        self,
        made: Iterable[Made],
        staging: Staging | None,
        *,
        meanwhile: Callable[[], None] | None = None,
        heads: Callable[[list[tuple[str, Feed]]], list[tuple[bytes, bytes]]] | None = None,
        placed: Callable[[], None] | None = None,
    ) -> list[Path]:
        """Write every file :meth:`plan` chose, taking the entries made as they come
        (``made`` must give those :meth:`plan` asked for, post by post, in the
        order of the documents): into ``staging``, or with None only to compare.
        Return the files whose bytes change, in the order of the documents; a
        file written with the bytes it already has is dropped from ``staging``.

        ``meanwhile`` is called once the kept entries before the first one made are
        being copied, before anything is made (the id guard: what it raises stops
        the writing). ``heads``, when given, makes the files' heads and tails, all at
        once, as ``formats.head_tails`` does (in a worker process). ``placed`` is
        called once every entry has its place, while the last kept ones are copied.

        Into ``staging``, what the cache is to record of each file (where each entry
        lies in it, and its facts) is staged in the cache as soon as it is known, before
        the files are in place: :meth:`save` records the rest once they are."""
        writers = [_Writer(self, doc, number, staging) for number, doc in enumerate(self._write)]
        if heads is not None and writers:
            ends = heads([(writer.doc.format, writer.doc.head_feed()) for writer in writers])
            for writer, pair in zip(writers, ends, strict=True):
                writer.ends = pair
        waiting: dict[tuple[Slot, str], list[_Writer]] = {}
        for writer in writers:
            for slot in (writer.doc.slots[at] for at in writer.made):
                waiting.setdefault((slot, writer.doc.format), []).append(writer)
        try:
            # The kept entries before the first made one are copied (long runs in the
            # background) while the rest goes on.
            for writer in writers:
                writer.advance()
            if meanwhile is not None:
                meanwhile()
            for pieces in made:
                given = {(slot, name): piece for slot, name, piece in pieces}
                due = {
                    writer.number: writer for wanted in given for writer in waiting.pop(wanted, ())
                }
                for number in sorted(due):
                    due[number].take(given)
            if waiting:
                raise AssertionError("entries a document needs were not made")
            # While the last kept entries are copied: whatever else is due, and what the
            # cache is to record of each file.
            for writer in writers:
                writer.advance()
            if placed is not None:
                placed()
            for writer in writers:
                writer.describe()
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
        written: dict[Path, tuple[_Done, Identity, bool]] = {}
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
                            check = None if later else partial(_holds, done)
                            racy.append((doc.path, identity, check))
                if identity is not None:
                    written[doc.path] = (done, identity, settled)
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
            cache.put(KIND, file_key(path), _stamp_json(stamp))
            if stamp.settled:
                trusted[path] = stamp.identity
        for path, (done, identity, settled) in written.items():
            settled = settled or path in confirmed
            stamp = _Stamp(done.source, done.digest, identity, settled)
            cache.put(KIND, file_key(path), _stamp_json(stamp))
            if settled:
                trusted[path] = identity
        for path, identity, _ in racy:
            if path in confirmed and path not in written:  # an extra file
                trusted[path] = identity
        paths = [file_key(doc.path) for doc in self._documents]
        cache.keep_only(KIND, paths)
        cache.keep_only(DETAILS, paths)
        return trusted

    def _entries_text(self, slots: tuple[Slot, ...]) -> str:
        """:func:`_entries_text`, made once for the files of a feed in every format."""
        text = self._entry_texts.get(slots)
        if text is None:
            text = self._entry_texts[slots] = _entries_text(slots, self._recorded)
        return text

    def _known_facts(self) -> None:
        """Give each entry an old file holds (it has the same key) the facts that file's
        record keeps of it, rather than their being made again from its post; and note
        where that record holds it, for the new file's record."""
        facts: dict[Path, list[Facts] | None] = {}
        for doc in self._write:
            for slot in doc.slots:
                if slot.key is None or slot in self._recorded:
                    continue
                found = self._kept.get((doc.format, slot.key))
                if found is None:
                    continue
                held, at = found
                if held.path not in facts:
                    facts[held.path] = held.facts()
                known = facts[held.path]
                if known is not None:  # else its dates are not all dates: none is taken
                    self._recorded[slot] = found
                    if not slot.knows_facts():
                        slot.know_facts(known[at])

    def _look_in(
        self, group: Sequence[Document], missing: list[tuple[Document, Slot]]
    ) -> list[tuple[Document, Slot]]:
        """Note where the old files of ``group`` hold entries; return those of
        ``missing`` that no old file holds yet."""
        details = self._details_of([doc.path for doc in group])
        found: dict[tuple[str, str], tuple[_Details, int]] = {}
        for doc in reversed(group):  # the first file to hold an entry gives it
            held = details.get(doc.path)
            if held is not None:
                keys = zip(repeat(doc.format), held.keys)
                places = zip(repeat(held), range(len(held.keys)))
                found.update(zip(keys, places, strict=True))
        found.update(self._kept)  # and the files looked in before come first
        self._kept = found
        return [
            (doc, slot)
            for doc, slot in missing
            if slot.key is None or (doc.format, slot.key) not in self._kept
        ]

    def _details_of(self, paths: Sequence[Path]) -> dict[Path, _Details]:
        """The details of those of ``paths`` whose stamps are trusted, read once."""
        trusted = [path for path in paths if self._trusted(path)]
        self._read_details(trusted)
        return {path: found for path in trusted if (found := self._details.get(path)) is not None}

    def _read_details(self, paths: Sequence[Path]) -> None:
        """Read from the cache the details of those of ``paths`` that have stamps, once."""
        todo = [path for path in paths if path not in self._details and path in self._stamps]
        if todo and self._cache is not None:
            values = self._cache.get(DETAILS, [file_key(path) for path in todo])
            for path in todo:
                stamp = self._stamps[path]
                self._details[path] = _details(path, values.get(file_key(path)), stamp.identity[0])

    def _unchanged(self, doc: Document) -> bool:
        """Whether the document's file holds it already, as far as the cache can tell."""
        stamp = self._trusted(doc.path)
        if stamp is None or any(slot.key is None for slot in doc.slots):
            return False
        return stamp.source == self._source(doc)

    def _source(self, doc: Document) -> str:
        """A digest of everything the document's bytes are made from (its entries' keys
        must all be known), made once."""
        source = self._sources.get(doc.path)
        if source is None:
            keys = [_key(slot) for slot in doc.slots]
            source = self._sources[doc.path] = digest(
                repr([getattr(doc.head, name) for name in _HEAD_FIELDS]), doc.format, *keys
            )
        return source

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
            elif identity is not None and identity[0] == stamp.identity[0]:
                # Its digest is made of the pieces its details tell.
                self._read_details([path])
                details = self._details.get(path)
                if details is not None and _file_digest(path, details.bounds) == stamp.digest:
                    result = stamp
                    self._moved[path] = identity
        self._checked[path] = result
        return result

    def _same(self, path: Path, done: _Done, size: int) -> Identity | None:
        """The identity of the file at ``path`` when it holds the bytes written, of this
        size, else None."""
        stamp = self._trusted(path)
        if stamp is not None:
            if stamp.digest != done.digest or stamp.identity[0] != size:
                return None
            return self._moved.get(path, stamp.identity)
        identity = self._identities[path]  # taken before reading: a change gives another
        if identity is None or identity[0] != size or not _holds(done, path):
            return None
        return identity

    def _open(self, path: Path) -> int:
        """A descriptor of an old file, open for reading."""
        fd = self._fds.pop(path, None)
        if fd is None:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError as err:
                raise OutputError(path, f"cannot read: {err.strerror}") from err
        self._fds[path] = fd
        while len(self._fds) > _OPEN_FILES:
            os.close(self._fds.popitem(last=False)[1])
        return fd

    def _read(self, path: Path, start: int, end: int) -> Iterable[bytes]:
        """Bytes ``start`` to ``end`` of an old file, a chunk at a time."""
        return _fs.read_range(self._open(path), start, end, path)


@dataclass(slots=True)
class _Done:
    """A file written: what it was made from, its digest and where its entries lie;
    as closed (size, modification time, inode), or the identity of the old file
    when that already held the same bytes and stays."""

    source: str
    digest: str
    bounds: array[int]  # where each entry starts and ends, in turn
    details: str | None  # what the cache records of where its entries lie, as JSON text
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
        self.ends: tuple[bytes, bytes] | None = None  # the head and tail, if made already
        self.started = self.done = self.changed = False
        self.size = 0
        self.bounds: list[int] = []  # where each entry starts and ends, in turn
        self.digests = bytearray()  # of each entry's bytes, in turn (see _entry_digest)
        # The bytes between entries so far (see _Pieces), and those since the last entry.
        self.pieces = _Pieces()
        self.loose: list[bytes] = []
        self.tail = b""
        self.details: str | None = None

    def describe(self) -> None:
        """Make what the cache is to record of the file, once every entry in it is
        placed (see :meth:`advance`), and stage it in the cache; nothing without a
        cache, or when only comparing."""
        cache = self.outputs._cache
        if self.details is None and self.staging is not None and cache is not None:
            self.advance()
            entries = self.outputs._entries_text(self.doc.slots)
            digests = self.digests.decode("ascii")
            placed = f'"bounds":{encode(self.bounds)},"digests":"{digests}"'
            self.details = f"{{{placed},{entries}}}"
            cache.put_encoded(DETAILS, file_key(self.doc.path), self.details)

    def advance(self) -> None:
        """Copy the kept entries before the first entry to be made (all of them, if none
        is)."""
        self._kept(self.made[0] if self.made else len(self.doc.slots))

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
        self.advance()
        if self.sink is None or not self.sink.appending:
            self.finish()  # else once the other files have started theirs too

    def finish(self) -> None:
        """Write the rest, close the file, and compare it with the old one."""
        if self.done:
            return
        assert not self.made, "an entry made now was not given"
        self.advance()
        if not self.started:
            self._start()
        self._out(self.tail)
        self.done = True
        if self.sink is not None:
            self.sink.close()
        self.describe()
        self._between()
        source = self.outputs._source(self.doc)
        # The bounds are kept as machine integers, a tenth of their memory as a list.
        bounds = array("q", self.bounds)
        done = _Done(source, self.pieces.digest(self.digests), bounds, self.details)
        done.kept = self.outputs._same(self.doc.path, done, self.size)
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
        if self.ends is None:
            self.ends = self.format.head_tail(self.doc.head_feed())
        head, self.tail = self.ends
        self._out(head)

    def _out(self, data: bytes) -> None:
        """Write bytes that lie between entries."""
        if self.sink is not None:
            self.sink.write(data)
        self.loose.append(data)
        self.size += len(data)

    def _between(self) -> None:
        """The bytes written since the last entry are a piece of the file."""
        self.pieces.between(b"".join(self.loose))
        self.loose.clear()

    def _entry(self, slot: Slot, piece: bytes) -> None:
        if not self.started:
            self._start()
        if self.next:
            self._out(self.format.separator)
        self._between()
        self.digests += _entry_digest(piece)
        self.bounds += (self.size, self.size + len(piece))
        if self.sink is not None:
            self.sink.write(piece)
        self.size += len(piece)
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
            old, at = kept[name, _key(slots[first])]
            # The run goes on while the entries here are the next ones in the old file.
            length = _run(slots, first, until, old, at, len(separator))
            start, end = old.bounds[2 * at], old.bounds[2 * (at + length) - 1]
            if first:
                self._out(separator)
            self._between()
            self.pieces.between(separator, times=length - 1)  # those inside the run
            self.digests += old.digests[_DIGEST * at : _DIGEST * (at + length)]
            offset = self.size - start
            self.bounds += [bound + offset for bound in old.bounds[2 * at : 2 * (at + length)]]
            path = old.path
            if self.sink is not None:
                if end - start >= _BACKGROUND:
                    self.sink.append_from(self.outputs._open(path), start, end, name=path)
                else:
                    for chunk in self.outputs._read(path, start, end):
                        self.sink.write(chunk)
            self.size += end - start
            self.next = first + length


def _run(slots: Sequence[Slot], first: int, until: int, old: _Details, at: int, gap: int) -> int:
    """How many of the entries ``first`` to ``until`` are the entries of the old file from
    ``at`` on, in a row (``gap`` bytes apart): at least one, the first."""
    keys, bounds = old.keys, old.bounds
    most = min(until - first, len(keys) - at)
    length = 1
    while (
        length < most
        and slots[first + length].key == keys[at + length]
        and bounds[2 * (at + length)] == bounds[2 * (at + length) - 1] + gap
    ):
        length += 1
    return length


def _key(slot: Slot) -> str:
    """The key of an entry that is kept or was made, which is always known."""
    assert slot.key is not None
    return slot.key


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


def _holds(done: _Done, path: Path) -> bool:
    """Whether the file at ``path`` holds the bytes written."""
    return _file_digest(path, done.bounds) == done.digest


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


class _Pieces:
    """The digest of a file's bytes, made of its pieces: the bytes between two entries
    (or before the first, or after the last), given in turn, each with its length (so
    that no other pieces give the same digest); and the digests of the entries' bytes,
    in turn (see :func:`_entry_digest`), given at the end."""

    __slots__ = ("_between",)

    def __init__(self) -> None:
        self._between = hashlib.sha256()

    def between(self, data: bytes | memoryview, *, times: int = 1) -> None:
        """The next piece between entries, ``times`` over."""
        self._between.update((len(data).to_bytes(8, "little") + data) * times)

    def digest(self, entries: bytes | bytearray) -> str:
        """The file's digest, whose entries' bytes have these digests."""
        made = hashlib.sha256(self._between.digest())
        made.update(hashlib.sha256(entries).digest())
        return made.hexdigest()[:40]


#: The length of an entry's digest: hexadecimal digits, ASCII.
_DIGEST = 32


def _entry_digest(data: bytes | memoryview) -> bytes:
    """The digest of one entry's bytes."""
    return hashlib.sha256(data).hexdigest()[:_DIGEST].encode("ascii")


def _file_digest(path: Path, bounds: Sequence[int]) -> str | None:
    """The digest of a file's bytes whose entries lie within ``bounds`` (where each
    starts and ends, in turn), as :class:`_Pieces` makes it, read a piece at a time
    through a buffer; None if the file cannot be read, or is shorter than the bounds.
    (Hashing lets other threads run.)"""
    try:
        with path.open("rb", buffering=_fs.READ_CHUNK) as file:
            size = os.fstat(file.fileno()).st_size
            if bounds and bounds[-1] > size:
                return None
            pieces = _Pieces()
            entries = bytearray()
            edges = [0, *bounds, size]  # a piece between entries, an entry, and so on
            for number in range(len(edges) - 1):
                length = edges[number + 1] - edges[number]
                data = file.read(length)
                if len(data) != length:  # shorter than it was a moment ago
                    return None
                if number % 2:
                    entries += _entry_digest(data)
                else:
                    pieces.between(data)
            return pieces.digest(entries)
    except OSError:
        return None


def _stamp_json(stamp: _Stamp) -> dict[str, Any]:
    """The cache's record of a file."""
    return {
        "source": stamp.source,
        "digest": stamp.digest,
        "identity": list(stamp.identity),
        "settled": stamp.settled,
    }


def _entries_text(slots: Sequence[Slot], recorded: Mapping[Slot, tuple[_Details, int]]) -> str:
    """What the cache's record of a file says of its entries, whatever their bytes: the
    members of a JSON object, a list for each field (quicker to write, read and check
    than a list for each entry). Each run of entries an old file's record holds in turn
    (``recorded``: the record, and where in it) is taken from it as it is written there."""
    keys: list[str] = []
    ids: list[str] = []
    titles: list[str] = []
    published: list[str] = []
    updated: list[str] = []
    marks: list[str] = []
    count, at = len(slots), 0
    while at < count:
        found = recorded.get(slots[at])
        if found is None:
            slot = slots[at]
            facts = slot.facts
            keys.append(_key(slot))
            ids.append(facts.id)
            titles.append(facts.title)
            # In whole seconds, as every format writes them.
            published.append(facts.published.isoformat(timespec="seconds"))
            updated.append(facts.updated.isoformat(timespec="seconds"))
            marks.append(_MARKS[facts.image, facts.authored])
            at += 1
            continue
        held, start = found
        end = at + 1
        while end < count and recorded.get(slots[end]) == (held, start + end - at):
            end += 1
        run = slice(start, start + end - at)
        keys += held.keys[run]
        ids += held.ids[run]
        titles += held.titles[run]
        published += held.dates[run]
        updated += held.updated[run]
        marks.append(held.marks[run])
        at = end
    members = encode(
        {
            "keys": keys,
            "ids": ids,
            "titles": titles,
            "published": published,
            "updated": updated,
            "marks": "".join(marks),
        }
    )
    return members[1:-1]


# Whether an entry has an image and whether it names an author, as one character.
_MARKS = {(False, False): "-", (True, False): "i", (False, True): "a", (True, True): "b"}
_IMAGE = frozenset("ib")
_AUTHORED = frozenset("ab")
_ANY_MARK = frozenset(_MARKS.values())


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


def _details(path: Path, value: Any, size: int) -> _Details | None:
    """Cached details of a file of ``size`` bytes, if they have the right shape: entries'
    bounds in order, none beyond the file."""
    if not isinstance(value, dict):
        return None
    columns: list[list[Any]] = []
    for name in ("keys", "bounds", "ids", "titles", "published", "updated"):
        column = value.get(name)
        if not isinstance(column, list):
            return None
        columns.append(column)
    keys, bounds, ids, titles, published, updated = columns
    digests, marks = value.get("digests"), value.get("marks")
    if not isinstance(digests, str) or not digests.isascii():
        return None
    if len(bounds) != 2 * len(keys) or len(digests) != _DIGEST * len(keys):
        return None
    if not isinstance(marks, str) or len(marks) != len(keys) or not set(marks) <= _ANY_MARK:
        return None
    if any(len(column) != len(keys) for column in (ids, titles, published, updated)):
        return None
    if not all(_only(str, column) for column in (keys, ids, titles, published, updated)):
        return None
    if not _only(int, bounds) or (bounds and not 0 <= bounds[0] <= bounds[-1] <= size):
        return None
    if bounds != sorted(bounds):
        return None
    return _Details(
        path, keys, bounds, digests.encode("ascii"), ids, titles, published, updated, marks
    )


def _only(kind: type, values: list[Any]) -> bool:
    """Whether every value is of exactly this type (a bool is not an int here)."""
    return set(map(type, values)) <= {kind}
