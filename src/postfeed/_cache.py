"""The build cache: one sqlite3 file in a folder the user may delete at any time.

Nothing read back is trusted blindly. The file carries a header naming the cache
format and everything cached data depends on (postfeed's code, the versions of
Python and of the libraries that shape the output); a file with another header,
or one sqlite cannot read, is ignored and then replaced. Every value carries a
checksum, and a value that does not match it is a miss. Values are JSON text, or
a string as it is; never pickles. All writes of a build happen in one transaction, and a cache that
cannot be read or written only makes the build slower: no method here raises.
Stdlib only.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import sqlite3
import sys
import time
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

FILENAME = "cache.sqlite3"
FORMAT = "postfeed-cache 2"
# Libraries whose version can change what a build produces from the same input.
_LIBRARIES = ("markdown", "nh3", "yaml", "dateutil", "feedgen", "lxml")
_PACKAGE = Path(__file__).parent
_CACHE_KIB = 8 * 1024  # SQLite's page cache, at most
_BATCH = 500  # keys per SELECT ... IN (...), well below SQLite's variable limit
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # A rowid table: values are large (rendered posts), which SQLite stores better
    # there than in a WITHOUT ROWID table (inserts take less than half the time).
    "CREATE TABLE IF NOT EXISTS item (kind TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, checksum TEXT NOT NULL, UNIQUE (kind, key))",
)
_ERRORS = (sqlite3.Error, OSError, ValueError, UnicodeError)


def fingerprint(*settings: str) -> str:
    """What every cached value depends on besides its own key: this cache format,
    postfeed's own code (by content), Python's version, each library's installed
    files, and ``settings``."""
    code = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        with contextlib.suppress(OSError):
            code.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            code.update(path.read_bytes() + b"\0")
    parts = [FORMAT, code.hexdigest(), sys.version, *settings]
    parts += [installed(name) for name in _LIBRARIES]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def installed(module: str) -> str:
    """A library's installed version, told by its top module file (an upgrade
    rewrites it), found without importing the library."""
    try:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is None:
            return f"{module} missing"
        stat = Path(origin).stat()
    except (ImportError, ValueError, OSError):
        return f"{module} missing"
    return f"{module} {origin} {stat.st_size} {stat.st_mtime_ns}"


def file_key(path: Path) -> str:
    """The key of what the cache records about a file: its absolute path, the same however
    the site's folders are named (relative to the working folder, or not)."""
    return str(path.absolute())


def digest(*parts: str) -> str:
    """A short content hash of some text, for cache keys."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:40]


class Cache:
    """Key-value store of JSON values by kind, checked on every read.

    Writes go into one transaction, begun by the first of them: other processes
    see them only after :meth:`commit`, and not at all if the cache is closed
    first. They go to the file as they come, so a large build holds none of them
    in memory.
    """

    def __init__(self, connection: sqlite3.Connection | None, path: Path, *, write: bool) -> None:
        self._db = connection
        self._path = path
        self._write = write
        self._writing = False  # a transaction is open
        self._keep: dict[str, set[str]] = {}

    @classmethod
    def open(cls, folder: Path, fingerprint: str, *, write: bool = True) -> Cache:
        """Open (or with ``write`` create) the cache in ``folder``.

        A missing, unreadable, foreign or stale cache gives an empty one; with
        ``write`` it is replaced by an empty one at once. Without ``write`` nothing
        on disk changes.
        """
        path = folder / FILENAME
        connection = None
        try:
            if write:
                _make_folder(folder)
            elif not path.is_file():
                return cls(None, path, write=False)
            try:
                connection = _connect(path, write=write)
                usable = _header_matches(connection, fingerprint)
            except sqlite3.DatabaseError:
                usable = False  # not a database at all
            if not usable:
                if not write:
                    raise sqlite3.DatabaseError("a foreign, stale or broken cache")
                connection = _reset(connection, path, fingerprint)
        except _ERRORS:
            if connection is not None:
                with contextlib.suppress(*_ERRORS):
                    connection.close()
            connection = None
        return cls(connection, path, write=write)

    @property
    def writable(self) -> bool:
        """Whether what is put may still be kept."""
        return self._db is not None and self._write

    def get(self, kind: str, keys: Iterable[str], *, decode: bool = True) -> dict[str, Any]:
        """The checked values of ``kind`` for those of ``keys`` that are cached; without
        ``decode``, each JSON value as its text, checked but not yet parsed (for
        values that may never be needed)."""
        missing = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        for start in range(0, len(missing), _BATCH):
            batch = missing[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._query(
                f"SELECT key, value, checksum FROM item WHERE kind = ? AND key IN ({marks})",
                (kind, *batch),
            )
            for key, value, checksum in rows:
                loaded = self._checked(kind, key, value, checksum, decode)
                if loaded is not _MISS:
                    found[key] = loaded
        return found

    def put(self, kind: str, key: str, value: object) -> None:
        """Write a JSON-serialisable value (made lasting by :meth:`commit`)."""
        if isinstance(value, str):
            self._put(kind, key, _TEXT + value)  # rendered HTML, mostly: kept as it is
            return
        try:
            text = encode(value)
        except (TypeError, ValueError):
            return  # not JSON data: left uncached
        self._put(kind, key, text)

    def put_encoded(self, kind: str, key: str, text: str) -> None:
        """Write a value given as its JSON text (as :func:`encode` gives it)."""
        self._put(kind, key, text)

    def _put(self, kind: str, key: str, text: str) -> None:
        db = self._transaction()
        if db is None:
            return
        try:
            db.execute(
                "INSERT OR REPLACE INTO item (kind, key, value, checksum) VALUES (?, ?, ?, ?)",
                (kind, key, text, _checksum(kind, key, text)),
            )
        except _ERRORS:
            self._give_up()

    def keep_only(self, kind: str, keys: Collection[str]) -> None:
        """On commit, drop every value of ``kind`` whose key is not in ``keys``."""
        self._keep.setdefault(kind, set()).update(keys)

    def commit(self) -> None:
        """Drop what was not kept and make every write lasting, all at once."""
        db = self._transaction()
        if db is None:
            return
        try:
            for kind, keep in self._keep.items():
                stored = {
                    key for (key,) in db.execute("SELECT key FROM item WHERE kind = ?", (kind,))
                }
                db.executemany(
                    "DELETE FROM item WHERE kind = ? AND key = ?",
                    [(kind, key) for key in stored - keep],
                )
            db.execute("COMMIT")
        except _ERRORS:
            self._give_up()
        self._writing = False
        self._keep.clear()

    def close(self) -> None:
        """Close the file; writes not committed are rolled back."""
        if self._db is not None:
            with contextlib.suppress(*_ERRORS):
                self._db.close()
            self._db = None

    def _transaction(self) -> sqlite3.Connection | None:
        """The connection inside a write transaction, or None when nothing may be written."""
        if self._db is None or not self._write:
            return None
        if not self._writing:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except _ERRORS:
                self._write = False  # another build holds the cache: write nothing
                return None
            self._writing = True
        return self._db

    def _query(self, sql: str, args: tuple[str, ...]) -> list[Any]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, args).fetchall()
        except _ERRORS:
            self._broken()
            return []

    def _checked(
        self, kind: str, key: str, value: object, checksum: object, decode: bool = True
    ) -> Any:
        if not isinstance(value, str) or checksum != _checksum(kind, key, value):
            return _MISS
        if value.startswith(_TEXT):
            return value[len(_TEXT) :]
        if not decode:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return _MISS

    def _give_up(self) -> None:
        """A write failed (a full disk, say): write nothing more; the open transaction,
        and with it every write of this build, is rolled back."""
        self._write = False
        self.close()

    def _broken(self) -> None:
        """The file cannot be read: stop using it, and with ``write`` start a new one."""
        self.close()
        if self._write:
            with contextlib.suppress(*_ERRORS):
                self._path.unlink(missing_ok=True)


_MISS = object()
# Marks a value stored as text rather than JSON: no JSON text starts with a control character.
_TEXT = "\x01"


def encode(value: object) -> str:
    """A value as the JSON text the cache keeps.

    Raises:
        TypeError, ValueError: the value is not JSON data.
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _checksum(kind: str, key: str, value: str) -> str:
    return digest(kind, key, value)[:32]


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    folder.mkdir()
    # Keep the cache out of version control and backups, whatever the project's own rules.
    (folder / ".gitignore").write_text("# Created by postfeed; safe to delete.\n*\n")
    (folder / "CACHEDIR.TAG").write_text(
        "Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by postfeed.\n"
        "# For information about cache directory tags see https://bford.info/cachedir/\n"
    )


def _connect(path: Path, *, write: bool) -> sqlite3.Connection:
    uri = f"{path.absolute().as_uri()}?mode={'rwc' if write else 'ro'}"
    # Autocommit mode: transactions are opened explicitly in commit().
    connection = sqlite3.connect(uri, uri=True, timeout=2.0, isolation_level=None)
    try:
        # A commit stays atomic (the rollback journal), but is not flushed to disk:
        # the cache is checked on every read and may be lost at any time, so it need
        # not survive a power cut, and the flushes would cost more than the commit.
        connection.execute("PRAGMA synchronous = OFF")
        # A build's writes stay in memory until its commit, which comes after the feeds
        # are written and flushed, so flushing them does not also flush the cache's
        # new pages (ext4 writes out other files' new data with a flush). A larger
        # build spills the rest early, as SQLite does by default at 2 MiB.
        connection.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _header_matches(connection: sqlite3.Connection, fingerprint: str) -> bool:
    try:
        row = connection.execute("SELECT value FROM meta WHERE name = 'header'").fetchone()
    except sqlite3.DatabaseError:
        return False  # not a database, an empty one, or one with other tables: not ours
    return row is not None and row[0] == fingerprint


def _reset(
    connection: sqlite3.Connection | None, path: Path, fingerprint: str
) -> sqlite3.Connection:
    """Replace whatever the file holds with an empty cache for ``fingerprint``."""
    if connection is not None:
        connection.close()
    path.unlink(missing_ok=True)
    for leftover in (path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
        leftover.unlink(missing_ok=True)
    connection = _connect(path, write=True)
    connection.execute("BEGIN IMMEDIATE")
    for statement in _SCHEMA:
        connection.execute(statement)
    connection.execute(
        "INSERT OR REPLACE INTO meta (name, value) VALUES ('header', ?), ('created', ?)",
        (fingerprint, str(time.time_ns())),
    )
    connection.execute("COMMIT")
    return connection
