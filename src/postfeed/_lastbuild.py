"""What the last build into an output folder read and wrote, kept in the cache, so
that a build can tell without reading a post that it would change nothing.

A build that writes records, for its output folder: a digest of the site's settings,
the working folder and the build's options; the posts folder as its scan found it
(each post file's name and identity, see :class:`postfeed.reading.scan.Survey`) and
the cache's index of their front matter; each image in the static folder whose size
a feed gives, with its identity; the span of time in which the same posts are
published; each file of the output it owns, with an identity that vouches for the
bytes in it; and what it reported. A build that finds every one of these as
recorded would write the same bytes again, so it writes nothing and reports what
the last one did. Anything else (no record, a record of another shape, a file whose
identity could not be trusted when it was recorded) makes a full build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._cache import Cache, digest
from .model import Site
from .reading import images
from .reading._records import Identity, identity
from .reading.scan import Snapshot, Survey

KIND = "last-build"  # the cache's kind for these records, one per output folder


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """What one build read and wrote, and what it reported."""

    inputs: str  # digest of the site's settings, the working folder and the options
    listing: str  # the posts folder (Survey.listing)
    index: str  # the cache's index of the posts' front matter (Snapshot.digest)
    images: tuple[tuple[str, Identity], ...]  # static images whose size the feeds give
    since: int | None  # the same posts are published from this instant (ns; None: ever)
    until: int | None  # until this one (None: for ever)
    outputs: tuple[tuple[str, Identity], ...]  # every file the build owns
    published: int  # how many posts were published
    left_out: tuple[tuple[str, str], ...]  # each post left out: its file name, why
    warnings: tuple[str, ...]


def inputs(site: Site, *, drafts: bool, future: bool) -> str:
    """A digest of everything besides the files that a build's output depends on: the
    site's settings, the folder relative paths start from, and the build's options
    (the cache is kept only for the same postfeed and libraries)."""
    return digest(repr(site), str(Path.cwd()), f"drafts={drafts}", f"future={future}")


def save(cache: Cache, site: Site, record: Record | None) -> None:
    """Keep ``record`` for the next build into the site's output folder; with None,
    keep none (the next build there is a full one)."""
    value = None if record is None else _json(record)
    cache.put(KIND, _key(site), value)


def image_files(site: Site, urls: Sequence[tuple[str, int]]) -> list[tuple[str, Identity]] | None:
    """The identity of the static file of each image URL, given with the size the feeds
    give it; None if a file no longer has that size."""
    found = []
    for url, size in sorted(set(urls)):
        path = images.static_file(site, url)
        known = _identity(path) if path is not None else None
        if path is None or known is None or known[0] != size:
            return None
        found.append((str(path), known))
    return found


def check(
    cache: Cache, site: Site, inputs: str, now: int, survey: Survey
) -> tuple[Record, Snapshot] | None:
    """The record of the last build into the site's output folder, and the posts it
    read, when everything it read and wrote is as recorded at instant ``now`` (ns),
    the posts folder as ``survey`` found it."""
    found = cache.get(KIND, [_key(site)]).get(_key(site))
    record = _record(found)
    if record is None or record.inputs != inputs:
        return None
    if (record.since is not None and now < record.since) or (
        record.until is not None and now >= record.until
    ):
        return None
    if any(_identity(Path(path)) != known for path, known in record.outputs):
        return None
    if any(_identity(Path(path)) != known for path, known in record.images):
        return None
    if survey.listing() != record.listing:
        return None
    snapshot = Snapshot.of(site, cache)
    if snapshot.digest() != record.index:
        return None
    return record, snapshot


def _key(site: Site) -> str:
    return str(site.output_dir.absolute())


def _identity(path: Path) -> Identity | None:
    try:
        return identity(path.stat())
    except OSError:
        return None


def _json(record: Record) -> dict[str, Any]:
    return {
        "inputs": record.inputs,
        "listing": record.listing,
        "index": record.index,
        "images": [[path, list(known)] for path, known in record.images],
        "since": record.since,
        "until": record.until,
        "outputs": [[path, list(known)] for path, known in record.outputs],
        "published": record.published,
        "left_out": [list(left) for left in record.left_out],
        "warnings": list(record.warnings),
    }


def _record(value: Any) -> Record | None:
    """A record from its JSON form, if it has the right shape."""
    if not isinstance(value, dict):
        return None
    try:
        return Record(
            inputs=_text(value["inputs"]),
            listing=_text(value["listing"]),
            index=_text(value["index"]),
            images=_files(value["images"]),
            since=None if value["since"] is None else _int(value["since"]),
            until=None if value["until"] is None else _int(value["until"]),
            outputs=_files(value["outputs"]),
            published=_int(value["published"]),
            left_out=tuple((_text(name), _text(why)) for name, why in value["left_out"]),
            warnings=tuple(_text(text) for text in value["warnings"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _files(value: Any) -> tuple[tuple[str, Identity], ...]:
    files = []
    for path, known in value:
        size, mtime, ctime, inode = known
        files.append((_text(path), (_int(size), _int(mtime), _int(ctime), _int(inode))))
    return tuple(files)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("expected text")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("expected a whole number")
    return value
