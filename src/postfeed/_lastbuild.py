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

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, overload

from . import _paths
from ._cache import Cache, digest
from .model import Post, Site
from .reading import images
from .reading._records import Identity, identity
from .reading.scan import Archive, Snapshot, Survey

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
    try:
        here = str(Path.cwd())
    except OSError:  # the working folder was deleted: only absolute paths lead anywhere
        here = ""
    return digest(repr(site), here, f"drafts={drafts}", f"future={future}")


def save(cache: Cache, site: Site, record: Record | None) -> None:
    """Keep ``record`` for the next build into the site's output folder; with None,
    keep none (the next build there is a full one)."""
    value = None if record is None else _to_json(record)
    cache.put(KIND, _key(site), value)


def record(
    site: Site,
    archive: Archive,
    cache: Cache,
    *,
    given: str,
    outputs: Mapping[Path, Identity | None],
    published: Sequence[Post],
    left_out: Sequence[tuple[Post, str]],
    future: bool,
    warnings: tuple[str, ...],
) -> Record | None:
    """The record of a build that just wrote into the site's output folder: the digest
    of its inputs (``given``, see :func:`inputs`), the scan of its posts (whose index is
    staged in ``cache``), each
    file it owns with an identity that vouches for its bytes (None where none can yet),
    the posts it published and left out (with why), whether it published posts dated
    in the future, and its warnings. None when the next build could not trust it."""
    listing = archive.listing()
    if listing is None or any(known is None for known in outputs.values()):
        return None
    sizes = [(post.image.url, post.image.length) for post in archive.posts if post.image]
    images = _image_files(site, [(url, size) for url, size in sizes if size is not None])
    if images is None:
        return None
    since, until = _span(published, left_out, future)
    return Record(
        inputs=given,
        listing=listing,
        index=Snapshot.of(site, cache).digest(),
        images=tuple(images),
        since=since,
        until=until,
        outputs=tuple((str(path), known) for path, known in sorted(outputs.items()) if known),
        published=len(published),
        left_out=tuple((post.source.name, why) for post, why in left_out if post.source),
        warnings=warnings,
    )


def _image_files(site: Site, urls: Sequence[tuple[str, int]]) -> list[tuple[str, Identity]] | None:
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
    cache: Cache, site: Site, inputs: str, now: datetime, survey: Survey
) -> tuple[Record, Snapshot] | None:
    """The record of the last build into the site's output folder, and the posts it
    read, when everything it read and wrote is as recorded at ``now``, the posts
    folder as ``survey`` found it."""
    last = _from_json(cache.get(KIND, [_key(site)]).get(_key(site)))
    if last is None or last.inputs != inputs:
        return None
    instant = _ns(now)
    if (last.since is not None and instant < last.since) or (
        last.until is not None and instant >= last.until
    ):
        return None
    # Cheapest first: the survey is in memory, and a post edited is the usual change.
    if survey.listing() != last.listing:
        return None
    if any(_identity(Path(path)) != known for path, known in last.outputs):
        return None
    if any(_identity(Path(path)) != known for path, known in last.images):
        return None
    snapshot = Snapshot.of(site, cache)
    if snapshot.digest() != last.index:
        return None
    return last, snapshot


class Published(Sequence[Post]):
    """The posts a build published, newest first, made when first looked at: a build
    that found nothing changed knows how many there are without reading them."""

    def __init__(self, count: int, make: Callable[[], Sequence[Post]]) -> None:
        self._count = count
        self._make = make
        self._posts: tuple[Post, ...] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Post: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Post, ...]: ...
    def __getitem__(self, index: int | slice) -> Post | tuple[Post, ...]:
        return self._made()[index]

    def __iter__(self) -> Iterator[Post]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Published):
            other = other._made()
        return self._made() == other

    def __hash__(self) -> int:
        return hash(self._made())

    def __repr__(self) -> str:
        return repr(self._made())

    def _made(self) -> tuple[Post, ...]:
        if self._posts is None:
            self._posts = tuple(self._make())
        return self._posts


def _span(
    published: Sequence[Post], left_out: Sequence[tuple[Post, str]], future: bool
) -> tuple[int | None, int | None]:
    """The instants (ns) from which and until which ``pipeline.select`` publishes the
    same posts, and leaves out the same ones for the same reasons (None: no bound).
    ``future``: posts dated in the future are published."""
    since: list[datetime] = []
    until: list[datetime] = []
    for post in published:
        if not future:
            since.append(post.published)  # published from its date on
        if post.expires is not None:
            until.append(post.expires)
    for post, why in left_out:
        if why == "future":
            until.append(post.published)
        elif why == "expired" and post.expires is not None:
            since.append(post.expires)
            if not future:
                since.append(post.published)  # before it, the post is in the future
    return (_ns(max(since)) if since else None, _ns(min(until)) if until else None)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ns(moment: datetime) -> int:
    """An aware datetime as nanoseconds since the epoch, exactly."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def _key(site: Site) -> str:
    return str(site.output_dir.absolute())


def _identity(path: Path) -> Identity | None:
    found = _paths.status(path)
    return identity(found) if found is not None else None


def _to_json(record: Record) -> dict[str, Any]:
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


def _from_json(value: Any) -> Record | None:
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
