"""Writing feed files: all or nothing, each file replaced atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import OutputError

TEMP_PREFIX = ".postfeed-"
TEMP_SUFFIX = ".tmp"


def read_if_exists(path: Path) -> bytes | None:
    """A file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError as err:
        raise OutputError(path, "is a folder, expected a feed file") from err


def commit(files: Mapping[Path, bytes], remove: Iterable[Path] = ()) -> None:
    """Write every file in ``files`` and delete every file in ``remove``, all or nothing.

    Every new file is first written in full to a temporary file beside its target
    and flushed to disk; only when all are staged is each moved into place with
    ``os.replace``, so a reader sees the old file or the new one, never part of one.
    If staging fails, every temporary file is removed and no target is touched.

    Raises:
        OutputError: a file could not be staged or replaced.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            staged.append((_stage(target, data), target))
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for index, (temp, target) in enumerate(staged):
        try:
            temp.replace(target)
        except OSError as err:
            for later, _ in staged[index:]:
                later.unlink(missing_ok=True)
            raise OutputError(target, f"cannot replace: {err.strerror}") from err
    for path in remove:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only succeeds when the tag's folder is now empty
    for folder in {target.parent for target in files}:
        _fsync_dir(folder)


def remove_stale_temps(folder: Path) -> None:
    """Delete temporary files a killed build left behind."""
    if folder.is_dir():
        for temp in folder.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                temp.unlink()


def _stage(target: Path, data: bytes) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as err:
        raise OutputError(target, f"cannot write: {err.strerror}") from err
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates files readable by the owner only; feeds are public.
        temp.chmod(0o644)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise OutputError(target, f"cannot write: {err.strerror}") from err
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _fsync_dir(folder: Path) -> None:
    # The renames are durable only once the folder itself is flushed (POSIX).
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
