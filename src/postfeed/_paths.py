"""Questions about paths that are answered, never raised: pathlib's ``is_dir()`` and
``is_file()`` raise OSError for a name the system cannot look up (one longer than
its limit, say), where the answer postfeed needs is "no such file". Stdlib only."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def status(path: Path) -> os.stat_result | None:
    """The path's status, following symbolic links, or None when it cannot be had."""
    try:
        return path.stat()
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return None


def exists(path: Path) -> bool:
    """Whether something is there (after following symbolic links)."""
    return status(path) is not None


def is_dir(path: Path) -> bool:
    """Whether the path names a folder (after following symbolic links)."""
    found = status(path)
    return found is not None and stat.S_ISDIR(found.st_mode)


def is_file(path: Path) -> bool:
    """Whether the path names a regular file (after following symbolic links)."""
    found = status(path)
    return found is not None and stat.S_ISREG(found.st_mode)
