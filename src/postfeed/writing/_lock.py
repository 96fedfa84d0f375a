"""One build at a time per output folder: an advisory lock on a file inside it.

Stdlib only. ``flock`` where there is ``fcntl``, ``msvcrt.locking`` on Windows. The
operating system releases either lock when its process ends, however it ends, so
a killed build never leaves the folder locked.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from .. import _paths
from ..errors import LockError, OutputError

LOCK_NAME = ".postfeed.lock"

if sys.platform == "win32":  # pragma: no cover - tested on POSIX only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def hold(folder: Path) -> Iterator[Path]:
    """Hold the build lock of the output ``folder`` (made if missing); yield the lock file.

    Never waits: when another build holds the lock, fails at once. On the way out
    the lock file is deleted, and so is ``folder`` if this call made it and it is
    still empty.

    Raises:
        LockError: another build holds the lock.
        OutputError: the folder or the lock file cannot be made.
    """
    if "\0" in str(folder):
        raise OutputError(str(folder).replace("\0", "\\0"), "contains a NUL byte")
    created = _make_folder(folder)
    path = folder / LOCK_NAME
    try:
        fd = _acquire(folder, path)
    except BaseException:
        _remove_empty(created)
        raise
    try:
        yield path
    finally:
        # Delete while still holding the lock; _acquire notices a deleted lock file.
        with contextlib.suppress(OSError):
            path.unlink()
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)
        _remove_empty(created)


def _acquire(folder: Path, path: Path) -> int:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise OutputError(path, f"cannot create the lock file: {err.strerror}") from err
        if not _try_lock(fd):
            os.close(fd)
            raise LockError(folder, f"another postfeed build is running (lock held on {path})")
        # The holder before us may have deleted the file between our open() and our
        # lock: then we locked a file nobody else will see, so start again.
        try:
            same = os.path.samestat(os.fstat(fd), path.stat())
        except OSError:
            same = False
        if same:
            return fd
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)


def _make_folder(folder: Path) -> list[Path]:
    missing: list[Path] = []  # innermost first
    for candidate in (folder, *folder.parents):
        if _paths.is_dir(candidate):
            break
        missing.append(candidate)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(folder, f"cannot create the output folder: {err.strerror}") from err
    return missing


def _remove_empty(created: list[Path]) -> None:
    for folder in created:
        with contextlib.suppress(OSError):
            folder.rmdir()
