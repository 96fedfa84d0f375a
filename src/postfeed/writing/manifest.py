"""Which files in the output folder postfeed wrote: a list kept in the folder itself,
so that a build removes only files an earlier build wrote there, even when the
build cache is gone. Reads files; writes nothing (the build writes the list with
the feeds, all or nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePath, PurePosixPath

from ..formats import FORMATS
from ..planning.plan import ARCHIVE
from ..rendering.page import PAGE_FILENAME
from . import _fs

MANIFEST_NAME = ".postfeed-manifest.json"
_VERSION = 1
# What the files of an earlier postfeed build carry, for an output folder without
# a list (one built before postfeed kept it, or whose list was deleted).
_GENERATORS = (
    b'<generator uri="https://pypi.org/project/postfeed/">postfeed</generator>',  # Atom
    b"<generator>postfeed</generator>",  # RSS
)
_PAGE_FOOTER = b'Feeds built by <a href="https://pypi.org/project/postfeed/">postfeed</a>.'


def manifest_bytes(files: Iterable[PurePath]) -> bytes:
    """The list of ``files`` (paths under the output folder) as the build writes it."""
    listed = sorted({path.as_posix() for path in files})
    document = {"postfeed": _VERSION, "files": listed}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def written_before(
    folder: Path, families: Iterable[str], feed_url: str
) -> tuple[set[PurePosixPath], set[PurePosixPath]]:
    """The files an earlier build wrote in ``folder``, and the feed-named files there
    that no postfeed build wrote (which a build leaves alone).

    The list kept in the folder decides. Without one, a file counts as postfeed's
    when its content says so: an RSS or Atom feed naming postfeed as its generator,
    the page's footer, a JSON Feed whose ``feed_url`` is where this site publishes
    that file, or for an archive page its feed (``feed_url`` is the output folder's
    URL). Only the folder itself, the families' folders (``families``) and their
    archive folders are looked at then.

    Raises:
        OutputError: the list or a file cannot be read.
    """
    names = {fmt.filename for fmt in FORMATS.values()} | {PAGE_FILENAME}
    found = [
        path.relative_to(folder)
        for path in _candidates(folder, families)
        if path.name in names and path.is_file()
    ]
    listed = _listed(folder)
    if listed is not None:
        ours = listed
    else:
        ours = {
            PurePosixPath(path.as_posix())
            for path in found
            if _made_by_postfeed(folder / path, feed_url + _feed_of(path).as_posix())
        }
    others = {PurePosixPath(path.as_posix()) for path in found} - ours
    return ours, others


def _candidates(folder: Path, families: Iterable[str]) -> list[Path]:
    paths = [*folder.glob("*"), *folder.glob(f"{ARCHIVE}/*/*")]
    for family in families:
        paths += (folder / family).glob("*/*")
        paths += (folder / family).glob(f"*/{ARCHIVE}/*/*")
    return paths


def _feed_of(path: PurePath) -> PurePath:
    """The file whose URL a JSON Feed at ``path`` names as its ``feed_url``: itself, or
    for an archive page (``.../archive/3/feed.json``) its feed's."""
    parts = path.parts
    if len(parts) >= 3 and parts[-3] == ARCHIVE and parts[-2].isdigit():
        return PurePosixPath(*parts[:-3], parts[-1])
    return path


def _listed(folder: Path) -> set[PurePosixPath] | None:
    """The files the folder's list names, or None when there is no usable list."""
    data = _fs.read_if_exists(folder / MANIFEST_NAME)
    if data is None:
        return None
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return None
    listed = set()
    for name in files:
        path = PurePosixPath(name)
        # Only paths inside the folder: a list edited by hand must not reach outside it.
        if path.is_absolute() or ".." in path.parts or not path.parts:
            continue
        listed.add(path)
    return listed


def _made_by_postfeed(path: Path, url: str) -> bool:
    data = _fs.read_if_exists(path)
    if data is None:
        return False
    if path.name == PAGE_FILENAME:
        return _PAGE_FOOTER in data
    if path.suffix == ".xml":
        # Markup in text is escaped, so only the feed's own generator element can match.
        return any(generator in data for generator in _GENERATORS)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(document, dict) and document.get("feed_url") == url
