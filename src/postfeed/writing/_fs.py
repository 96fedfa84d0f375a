"""Writing feed files: every path checked to lie inside the output folder, then all
files written or none, each replaced atomically. The only module that writes feeds."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from .._text import RESERVED_NAMES
from ..errors import OutputError

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

T = TypeVar("T")

TEMP_PREFIX = ".postfeed-"
TEMP_SUFFIX = ".tmp"


def read_if_exists(path: Path) -> bytes | None:
    """A file's bytes, or None when it does not exist.

    Raises:
        OutputError: the path is a folder or cannot be read.
    """
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError as err:
        raise OutputError(path, "is a folder, expected a feed file") from err
    except OSError as err:
        raise OutputError(path, f"cannot read: {err.strerror}") from err


@contextlib.contextmanager
def open_if_exists(path: Path) -> Iterator[BinaryIO | None]:
    """A file opened for reading, or None when it does not exist, as
    :func:`read_if_exists` reads it, for a reader that takes it a piece at a time.

    Raises:
        OutputError: the path is a folder, or the file cannot be opened or read.
    """
    try:
        handle = path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        yield None
        return
    except IsADirectoryError as err:
        raise OutputError(path, "is a folder, expected a feed file") from err
    except OSError as err:
        raise OutputError(path, f"cannot read: {err.strerror}") from err
    with handle:
        try:
            yield handle
        except OSError as err:
            raise OutputError(path, f"cannot read: {err.strerror}") from err


def refuse_nul(*paths: Path) -> None:
    """Refuse a path holding a NUL byte, which no file system accepts.

    Raises:
        OutputError: naming the path, with the NUL written as ``\\0``.
    """
    for value in paths:
        if "\0" in str(value):
            raise OutputError(str(value).replace("\0", "\\0"), "contains a NUL byte")


def check_inside(root: Path, path: Path, *, new: bool = True) -> None:
    """Refuse ``path`` unless it names a file strictly inside the folder ``root``.

    The path must lie under ``root`` once ``..`` is taken into account, the
    folder it is in must still be inside ``root`` once symbolic links are
    followed (the output folder itself may be a link; it is resolved first), and
    when the file is ``new`` (to be written, not deleted) each of its names below
    ``root`` must be usable on every system. A file that is a symbolic link is
    fine: it is replaced or deleted, never written through.

    Raises:
        OutputError: naming ``path`` and why it is refused.
    """
    refuse_nul(root, path)
    # normpath takes '..' away by spelling alone; realpath below follows the links.
    base, full = (Path(os.path.normpath(value.absolute())) for value in (root, path))
    if base not in full.parents:
        raise OutputError(path, f"is outside the output folder {root}")
    for name in full.relative_to(base).parts if new else ():
        if name.split(".", 1)[0].lower() in RESERVED_NAMES or name.endswith((".", " ")):
            raise OutputError(path, f"{name!r} is not a usable file name on every system")
    real_base, real_folder = Path(os.path.realpath(base)), Path(os.path.realpath(full.parent))
    if real_folder != real_base and real_base not in real_folder.parents:
        raise OutputError(
            path, f"is outside the output folder {root} (a symbolic link leads to {real_folder})"
        )


def commit(files: Mapping[Path, bytes], remove: Iterable[Path] = (), *, root: Path) -> None:
    """Write every file in ``files`` and delete every file in ``remove``, all or nothing.

    1. Every path is checked to lie inside ``root`` (:func:`check_inside`).
    2. Every new file is written in full to a temporary file beside its target
       and flushed to disk. If that fails, the temporary files and any folder
       made for them are removed: no target was touched.
    3. Each file to delete is moved aside (renamed to a temporary name); then
       each target is swapped in with ``os.replace`` (a reader sees the old file
       or the new one, never part of one), after keeping the old file as a hard
       link. If any step fails, every file already moved or swapped is put back.
    4. Only then are the kept old files deleted.

    A process killed during step 3 leaves each file whole, old or new, and
    temporary files that :func:`remove_stale_temps` deletes. :class:`Staging`
    does the same for files written a piece at a time.

    Raises:
        OutputError: a path is outside ``root``, or a file could not be written,
            replaced or deleted (old files are restored).
    """
    staging = Staging(root)
    try:
        for target, data in files.items():
            staging.add(target, data)
        staging.commit(remove)
    except BaseException:
        staging.abandon()
        raise
    finally:
        staging.close()


class Staging:
    """New files written beside their targets under temporary names, a piece at a
    time, then swapped in all at once, or not at all (see :func:`commit`).

    Files may be written side by side: each keeps what it is given in a small
    buffer, and at most a few dozen of them hold an open file at once. Each file is
    flushed to disk in the background once closed (a large one also while it is
    written), and the old files it replaced are deleted in the background once it is
    in place: :meth:`commit` waits for the flushes, :meth:`close` for the deletions.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._staged: dict[Path, StagedFile] = {}
        self._created: list[Path] = []  # folders made for staged files, outermost first
        self._open: dict[StagedFile, None] = {}  # files holding a descriptor, oldest use first
        self._flusher: ThreadPoolExecutor | None = None  # started by the first flush
        self._emptied: list[Path] = []  # folders of removed files, to remove once empty

    def open(self, target: Path) -> StagedFile:
        """A new, empty file to be swapped in at ``target``.

        Raises:
            OutputError: the path is outside the root, or the file cannot be made.
        """
        check_inside(self.root, target)
        if target in self._staged:
            raise ValueError(f"{target} is staged already")
        staged = StagedFile(self, target)
        self._staged[target] = staged
        return staged

    def add(self, target: Path, data: bytes) -> None:
        """Stage ``data`` whole as the new ``target``."""
        staged = self.open(target)
        staged.write(data)
        staged.close()

    def discard(self, target: Path) -> None:
        """Leave ``target`` as it is after all: its staged file is deleted."""
        staged = self._staged.pop(target)
        staged.drop()

    def commit(self, remove: Iterable[Path] = (), *, first: Iterable[Path] = ()) -> None:
        """Swap every staged file in (those in ``first`` first) and delete every file in
        ``remove`` (steps 3 and 4 of :func:`commit`); on failure, every old file is
        back and nothing is staged.

        Raises:
            OutputError: a file could not be replaced or deleted (old files are restored).
        """
        removals = list(remove)
        for path in removals:
            check_inside(self.root, path, new=False)
        leading = [self._staged[path] for path in first]
        staged = leading + [file for file in self._staged.values() if file not in leading]
        for file in staged:
            file.close()  # each is written in full before any is swapped in
        try:
            for file in staged:
                file.settle()  # and on disk
        finally:
            self._stop_flushing()
        swaps: list[_Swap] = []
        try:
            for path in removals:
                swap = _move_aside(path)
                if swap is not None:
                    swaps.append(swap)
            for file in staged:
                assert file.temp is not None
                swaps.append(_swap_in(file.temp, file.target))
                file.temp = None
        except BaseException:
            for swap in reversed(swaps):
                swap.roll_back()
            self.abandon()
            raise
        self._staged.clear()
        self._created.clear()
        for folder in {path.parent for path in [*(file.target for file in staged), *removals]}:
            _fsync_dir(folder)
        # The old files kept until every new one was in place go, shared out among the
        # threads: a file system that discards freed blocks (ext4 mounted with
        # ``discard``) makes each deletion of a large file wait for the disk.
        kept = [swap.kept for swap in swaps if swap.kept is not None]
        for share in range(min(len(kept), _FLUSHERS)):
            self._later(_unlink_all, kept[share::_FLUSHERS])
        self._emptied = [path.parent for path in removals]

    def close(self) -> None:
        """Wait until the old files the last :meth:`commit` replaced are deleted (a large
        one takes the file system a while to free, which the build meanwhile spends on
        its cache), then remove the folders of removed files that are left empty."""
        self._stop_flushing()
        emptied, self._emptied = self._emptied, []
        for folder in emptied:
            _remove_empty_folders(folder, self.root)

    def abandon(self) -> None:
        """Delete every staged file and every folder made for them. Bytes still being
        appended in the background stop first (they would flush to disk meanwhile)."""
        for file in self._staged.values():
            file.stop()
        self._stop_flushing()
        for file in self._staged.values():
            file.drop()
        self._staged.clear()
        _remove_folders(self._created)
        self._created.clear()

    def _opened(self, file: StagedFile) -> None:
        """Note that ``file`` holds a descriptor, closing the least recently used
        other one when too many are open."""
        self._open.pop(file, None)
        self._open[file] = None
        while len(self._open) > _OPEN_FILES:
            oldest = next(iter(self._open))
            oldest.release()

    def _released(self, file: StagedFile) -> None:
        self._open.pop(file, None)

    def _later(self, function: Callable[[T], None], argument: T) -> Future[None]:
        """``function(argument)`` in a background thread."""
        if self._flusher is None:
            from concurrent.futures import ThreadPoolExecutor

            self._flusher = ThreadPoolExecutor(
                max_workers=_FLUSHERS, thread_name_prefix="postfeed-flush"
            )
        return self._flusher.submit(function, argument)

    def _stop_flushing(self) -> None:
        if self._flusher is not None:
            self._flusher.shutdown(wait=True)
            self._flusher = None


#: Staged files that keep a descriptor open at once, at most.
_OPEN_FILES = 32
#: Threads flushing staged files to disk (mostly waiting for it).
_FLUSHERS = 4
#: Bytes a staged file keeps before writing them out.
_BUFFER = 256 * 1024
#: Bytes written to a staged file after which it is flushed to disk in the background, while
#: more is written, so that flushing it when it is closed (a large feed) waits for little.
FLUSH_EVERY = 16 * 1024 * 1024


# The data alone where the system can (Linux, the BSDs); macOS and Windows flush it all.
_flush_data = getattr(os, "fdatasync", os.fsync)


def _flush_and_close(fd: int) -> None:
    """Flush the data written so far, while more is written."""
    try:
        _flush_data(fd)
    finally:
        os.close(fd)


def _sync_and_close(fd: int) -> None:
    """Flush a closed file to disk, its size and times too."""
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StagedFile:
    """One file being staged: written a piece at a time (a long run of another file's
    bytes in the background, see :meth:`append_from`), flushed to disk in the background
    once closed (:meth:`settle` waits for it)."""

    def __init__(self, staging: Staging, target: Path) -> None:
        self.staging = staging
        self.target = target
        self.temp: Path | None = None
        #: Size, modification time and inode of the file once closed.
        self.written: tuple[int, int, int] | None = None
        self._fd: int | None = None
        self._buffer = bytearray()
        self._closed = False
        self._unflushed = 0  # bytes written since the last flush to disk began
        self._flushing: Future[None] | None = None  # the last flush while written
        self._synced: Future[None] | None = None  # the flush once closed
        self._appending: Future[None] | None = None  # bytes appended in the background
        self._appended: list[_Append] = []  # each such append, with its flushes to disk
        try:
            _make_folders(target.parent, staging._created)
            fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
        except OSError as err:
            raise OutputError(target, f"cannot write: {err.strerror}") from err
        self.temp = Path(name)
        self._fd = fd
        staging._opened(self)

    def write(self, data: bytes | memoryview) -> None:
        """Append ``data``.

        Raises:
            OutputError: the file cannot be written.
        """
        self._buffer += data
        if len(self._buffer) >= _BUFFER:
            self._flush()
            if self._unflushed >= FLUSH_EVERY:
                self._flush_in_background()

    def append_from(self, source: int, start: int, end: int, *, name: Path) -> None:
        """Append bytes ``start`` to ``end`` of the file open as ``source`` (``name``), in a
        background thread. Other writes wait for it; :meth:`wait` does.

        Raises:
            OutputError: the file cannot be written.
        """
        self._flush()  # which waits for a run appended before, too
        try:
            job = _Append(os.dup(source), name, start, end, self.staging._later)
        except OSError as err:
            raise OutputError(self.target, f"cannot write: {err.strerror}") from err
        try:
            # A descriptor of its own, not appending (the kernel copies to no such
            # descriptor), at the end of what is written so far.
            assert self.temp is not None
            job.target = os.open(self.temp, os.O_WRONLY)
            os.lseek(job.target, 0, os.SEEK_END)
        except OSError as err:
            os.close(job.source)
            if job.target != -1:
                os.close(job.target)
            raise OutputError(self.target, f"cannot write: {err.strerror}") from err
        self._appending = self.staging._later(_append, job)
        self._appended.append(job)
        self.release()  # opened again to append after the run, once it is written

    @property
    def appending(self) -> bool:
        """Whether bytes are being appended in the background."""
        return self._appending is not None

    def wait(self) -> None:
        """Wait until the bytes appended in the background are written.

        Raises:
            OutputError: they could not be read or written.
        """
        appending, self._appending = self._appending, None
        if appending is not None:
            try:
                appending.result()
            except OSError as err:
                raise OutputError(self.target, f"cannot write: {err.strerror}") from err

    def close(self) -> None:
        """Write out what is left, make the file public, and start flushing it to disk
        (:meth:`settle` waits for that).

        Raises:
            OutputError: the file cannot be written.
        """
        if self._closed:
            return
        self._flush()
        fd = self._descriptor()
        try:
            # mkstemp creates files readable by the owner only; feeds are public.
            os.fchmod(fd, 0o644)
            stat = os.fstat(fd)
            self.written = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            self._synced = self.staging._later(_sync_and_close, os.dup(fd))
        except OSError as err:
            raise OutputError(self.target, f"cannot write: {err.strerror}") from err
        self.release()
        self._closed = True

    def settle(self) -> None:
        """Wait until the closed file is on disk.

        Raises:
            OutputError: a flush to disk failed.
        """
        try:
            # A failure in the flush while written is told once, to that flush: the
            # one on closing shares its file description, and would not see it.
            flushes = [flush for job in self._appended for flush in job.flushes]
            for flush in (*flushes, self._flushing, self._synced):
                if flush is not None:
                    flush.result()
        except OSError as err:
            raise OutputError(self.target, f"cannot write: {err.strerror}") from err

    def release(self) -> None:
        """Close the descriptor (the file is opened again if more is written)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
            self.staging._released(self)

    def stop(self) -> None:
        """Stop appending in the background, and wait until it has stopped (what it met
        is told no more: the file is to be dropped)."""
        for job in self._appended:
            job.stopped = True
        with contextlib.suppress(OutputError):
            self.wait()

    def drop(self) -> None:
        """Close and delete the temporary file."""
        with contextlib.suppress(OutputError):
            self.wait()
        self.release()
        self._buffer = bytearray()
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)
            self.temp = None

    def _descriptor(self) -> int:
        self.wait()
        if self._fd is None:
            assert self.temp is not None
            try:
                self._fd = os.open(self.temp, os.O_WRONLY | os.O_APPEND)
            except OSError as err:
                raise OutputError(self.target, f"cannot write: {err.strerror}") from err
        self.staging._opened(self)
        return self._fd

    def _flush(self) -> None:
        if not self._buffer:
            self.wait()
            return
        fd = self._descriptor()
        try:
            _write_all(fd, self._buffer)
        except OSError as err:
            raise OutputError(self.target, f"cannot write: {err.strerror}") from err
        self._unflushed += len(self._buffer)
        self._buffer.clear()

    def _flush_in_background(self) -> None:
        """Start flushing what was written to disk, unless the last flush is still going."""
        if self._flushing is not None and not self._flushing.done():
            return
        try:
            if self._flushing is not None:
                self._flushing.result()  # what it met is told here: see settle()
            self._flushing = self.staging._later(_flush_and_close, os.dup(self._descriptor()))
        except OSError as err:
            raise OutputError(self.target, f"cannot write: {err.strerror}") from err
        self._unflushed = 0


@dataclass(slots=True)
class _Append:
    """Bytes to append to a staged file in the background, from where; and ``later``, to
    flush what is appended to disk meanwhile (``flushes``). The descriptors are the
    job's own; ``stopped`` stops it after the chunk it is copying."""

    source: int
    name: Path
    start: int
    end: int
    later: Callable[[Callable[[int], None], int], Future[None]]
    target: int = -1
    flushes: list[Future[None]] = field(default_factory=list)
    stopped: bool = False


#: Bytes read from a file at once, at most.
READ_CHUNK = 1024 * 1024


def read_range(fd: int, start: int, end: int, name: Path) -> Iterator[bytes]:
    """Bytes ``start`` to ``end`` of the file open as ``fd`` (``name``), a chunk at a
    time, read at their offsets (the descriptor's own offset is left alone).

    Raises:
        OutputError: the file cannot be read, or ends early (it changed during the build).
    """
    at = start
    while at < end:
        try:
            chunk = os.pread(fd, min(READ_CHUNK, end - at), at)
        except OSError as err:
            raise OutputError(name, f"cannot read: {err.strerror}") from err
        if not chunk:
            raise OutputError(name, "changed during the build; build again")
        at += len(chunk)
        yield chunk


def _write_all(fd: int, data: bytes | bytearray) -> None:
    """Write all of ``data`` (a write may take only part of it).

    Raises:
        OSError: it cannot be written.
    """
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    finally:
        view.release()


def _append(job: _Append) -> None:
    """Append the job's bytes to its file, a chunk at a time, then close its descriptors.

    Raises:
        OutputError: the source cannot be read, or ended early (it changed during the
            build).
        OSError: the file cannot be written.
    """
    try:
        unflushed = 0
        for copied in _copy(job):
            if job.stopped:
                break
            unflushed += copied
            # As StagedFile.write does: flushed while written, the last flush waits less.
            if unflushed >= FLUSH_EVERY and (not job.flushes or job.flushes[-1].done()):
                job.flushes.append(job.later(_flush_and_close, os.dup(job.target)))
                unflushed = 0
    finally:
        os.close(job.source)
        os.close(job.target)


def _copy(job: _Append) -> Iterator[int]:
    """Copy the job's bytes to the end of its file, yielding the length of each chunk
    copied: by the kernel where it can (``os.copy_file_range``: the bytes never pass
    through this process), otherwise, or from where it fails, read and written (which
    tells what failed: the old file's reading, or the new file's writing).

    Raises:
        OutputError: the source cannot be read, or ended early.
        OSError: the file cannot be written.
    """
    at = job.start
    if hasattr(os, "copy_file_range"):
        while at < job.end:
            try:
                copied = os.copy_file_range(
                    job.source, job.target, min(FLUSH_EVERY, job.end - at), at
                )
            except OSError:
                break  # not between these files; or a failure, which the plain copy tells
            if not copied:  # the source ends early, or its file system copies nothing
                break
            at += copied
            yield copied
    for chunk in read_range(job.source, at, job.end, job.name):
        _write_all(job.target, chunk)
        yield len(chunk)


def clock(folder: Path) -> int:
    """The file system's time now, in nanoseconds, as it stamps a new file in
    ``folder``: a file whose times are earlier was last changed before this call,
    and any change to it from now on gives it later times. 0 if no file can be made.
    """
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    except OSError:
        return 0
    try:
        return os.fstat(fd).st_mtime_ns
    except OSError:
        return 0
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            Path(name).unlink()


def remove_stale_temps(folder: Path) -> None:
    """Delete temporary files a killed build left behind."""
    if folder.is_dir():
        for temp in folder.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                temp.unlink()


@dataclass(frozen=True, slots=True)
class _Swap:
    """One file swapped in or moved aside, and how to undo it."""

    path: Path
    kept: Path | None  # the old file, under a temporary name
    existed: bool  # a file stood at path before
    added: bool  # a new file stands at path now

    def roll_back(self) -> None:
        """Put the old file back (best effort: the error being raised matters more)."""
        with contextlib.suppress(OSError):
            if self.kept is not None:
                self.kept.replace(self.path)
            elif self.added and not self.existed:
                self.path.unlink()


def _swap_in(temp: Path, target: Path) -> _Swap:
    kept: Path | None = None
    existed = True
    for _ in range(8):
        candidate = _temp_name(target.parent)
        try:
            _hard_link(target, candidate)
        except FileNotFoundError:
            existed = False
        except FileExistsError:
            continue
        except OSError:
            pass  # no hard links here (or target is a folder): replace without a way back
        else:
            kept = candidate
        break
    try:
        temp.replace(target)
    except OSError as err:
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise OutputError(target, f"cannot replace: {err.strerror}") from err
    except BaseException:
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise
    return _Swap(target, kept, existed=existed, added=True)


def _move_aside(path: Path) -> _Swap | None:
    aside = _temp_name(path.parent)
    try:
        path.replace(aside)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise OutputError(path, f"cannot remove: {err.strerror}") from err
    return _Swap(path, aside, existed=True, added=False)


def _hard_link(path: Path, link: Path) -> None:
    if os.link in os.supports_follow_symlinks:
        # Keep a symbolic link that stands at path, never the file it points to.
        os.link(path, link, follow_symlinks=False)
    else:  # pragma: no cover - Linux supports it
        os.link(path, link)


def _temp_name(folder: Path) -> Path:
    return folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"


def _make_folders(folder: Path, created: list[Path]) -> None:
    """mkdir -p, noting each folder made (outermost first) so a failure can undo it."""
    missing: list[Path] = []
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        candidate.mkdir(exist_ok=True)
        created.append(candidate)


def _remove_empty_folders(folder: Path, root: Path) -> None:
    """Remove ``folder`` and its parents up to ``root`` while they are empty (a tag's folder,
    then tags/ once no tag is left)."""
    root = Path(os.path.normpath(root.absolute()))
    folder = Path(os.path.normpath(folder.absolute()))
    while root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _remove_folders(created: Iterable[Path]) -> None:
    for folder in reversed(list(created)):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _unlink_all(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


def _fsync_dir(folder: Path) -> None:
    # The renames are durable only once the folder itself is flushed (POSIX).
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
