"""The id guard: a build must not change the id of an entry readers already have,
nor move entries between the pages of an archive, which readers and hosts keep.

Compares the feeds about to be written with the feed files already in the output
folder; reads those files, writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Protocol

from .._text import xml_safe
from ..errors import ArchiveChange, IdChange, IdChangeError
from ..formats import FORMATS
from ..model import Post, PublishedEntry, Site
from ..urls import post_id
from . import _fs


@dataclass(frozen=True, slots=True)
class ArchiveView:
    """A feed's archive as a build would write it: the folder its pages go in (one
    sub-folder each, under the output folder), how many entries a page holds, how
    many each page holds, oldest page first, and the ids on a page (by number, from
    1), made when asked for."""

    folder: PurePosixPath
    size: int
    counts: tuple[int, ...]
    ids: Callable[[int], Sequence[str]]


@dataclass(frozen=True, slots=True, eq=False)
class PublishedEntries:
    """The entries of a feed file already in the output folder, in order: their ids, and
    each entry whole, made when asked for by its place (the guard needs little more than
    the ids of most)."""

    ids: Sequence[str]
    entry: Callable[[int], PublishedEntry]

    @classmethod
    def of(cls, entries: Sequence[PublishedEntry]) -> PublishedEntries:
        """Entries already made (as reading a file gives them)."""
        return cls([entry.id for entry in entries], entries.__getitem__)


class Shown(Protocol):
    """An entry a new feed shows, as the guard needs it (an ``Entry`` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def published(self) -> datetime: ...


def check_ids(
    site: Site,
    published: Sequence[Post],
    feeds: Mapping[PurePosixPath, Sequence[Shown]],
    *,
    archives: Sequence[ArchiveView] = (),
    known: Callable[[Path], PublishedEntries | None] | None = None,
    same: Callable[[Path], bool] | None = None,
    retired: Collection[str] = (),
) -> None:
    """Refuse a build that drops or renames an entry still inside a feed's window, or
    that takes an entry off the archive page it is on.

    An entry of a published feed file is flagged when no published post has its
    id any more although it is not older than the oldest entry still in the new
    feed, the usual sign of a renamed slug, a changed ``url`` or a changed
    ``permalink``. An archive keeps every entry: one that leaves its archive is
    flagged too, and entries that move to another page are counted, for each
    archive, with the page size when it changed. ``known``, when given, gives the
    entries of a file without reading it when it can (the build knows the files
    it wrote), or None; ``same``, when given, tells the files that already hold
    what the build would write, whose entries cannot have changed. Entries whose
    ids are in ``retired`` may leave (their posts expired); entries that move
    because of it are still counted.

    Raises:
        IdChangeError: every flagged entry, with the post that now has a new id
            when one matches by title or publish date, and every archive whose
            entries would move.
    """
    old_ids: set[str] = set()
    suspects: list[tuple[Path, PublishedEntry]] = []
    # Most entries are still shown: only the others need every published post's id, and
    # are made whole.
    shown = {entry.id for entries in feeds.values() for entry in entries}
    unchanged = same if same is not None else _never
    for folder, showing in feeds.items():
        if _same(site.output_dir / folder, unchanged):
            continue
        found = _read_published(site.output_dir / folder, known)
        if found is not None:
            path, entries = found
            old_ids.update(entries.ids)
            oldest = min((entry.published for entry in showing), default=None)
            for at, id_ in enumerate(entries.ids):
                if id_ not in shown and id_ not in retired:
                    entry = entries.entry(at)
                    if _inside_window(entry, oldest):
                        suspects.append((path, entry))
    moves: list[ArchiveChange] = []
    left: set[str] = set()  # ids that leave an archive, though a post still has them
    for view in archives:
        page_of: dict[str, int] | None = None
        moved: list[tuple[PublishedEntry, int, int]] = []
        held = count = 0  # what old page 1 held, and how many old pages there are
        while True:
            count += 1
            page = site.output_dir / view.folder / str(count)
            if count <= len(view.counts) and _same(page, unchanged):
                held = held or view.counts[0]
                continue
            found = _read_published(page, known)
            if found is None:
                count -= 1
                break
            path, entries = found
            held = held or len(entries.ids)
            old_ids.update(entries.ids)
            here = set(view.ids(count)) if count <= len(view.counts) else set()
            for at, id_ in enumerate(entries.ids):
                if id_ in here:
                    continue
                if page_of is None:  # every page's ids, only when an entry left its page
                    page_of = {
                        shown_id: n
                        for n in range(1, len(view.counts) + 1)
                        for shown_id in view.ids(n)
                    }
                new = page_of.get(id_)
                if new is None and id_ in retired:
                    continue
                if new is None:
                    suspects.append((path, entries.entry(at)))
                    left.add(id_)
                elif new != count:
                    moved.append((entries.entry(at), count, new))
        if moved:
            entry, before, after = moved[0]
            resized = held > view.size or (count > 1 and held != view.size)
            where = str(site.output_dir / view.folder)
            sizes = (held, view.size) if resized else None
            moves.append(ArchiveChange(where, len(moved), entry.title, before, after, sizes))
    if not suspects and not moves:
        return
    new_ids = {xml_safe(post_id(site, post)) for post in published}
    unmatched = [post for post in published if xml_safe(post_id(site, post)) not in old_ids]
    changes: dict[str, IdChange] = {}
    for path, entry in suspects:
        if (entry.id in new_ids and entry.id not in left) or entry.id in changes:
            continue
        post = _match(entry, unmatched)
        if post is None:
            changes[entry.id] = IdChange(str(path), entry.title, entry.id, None)
        else:
            unmatched.remove(post)
            where = str(post.source) if post.source is not None else post.slug
            changes[entry.id] = IdChange(where, entry.title, entry.id, post_id(site, post))
    if changes or moves:
        raise IdChangeError(changes.values(), moves)


def _never(path: Path) -> bool:
    return False


def _same(folder: Path, same: Callable[[Path], bool]) -> bool:
    """Whether a feed file in ``folder`` already holds what the build would write there
    (every format of a folder carries the same entries)."""
    return any(same(folder / fmt.filename) for fmt in FORMATS.values())


def _inside_window(entry: PublishedEntry, oldest: datetime | None) -> bool:
    """True when ``entry`` is not older than ``oldest``, the oldest entry still in the
    new feed (None when it has none).

    An entry older than all of them left the feed by age (the window of the newest
    ``limit``) or was the oldest post and was removed; neither makes a duplicate.
    """
    if oldest is None:
        return False
    if entry.published is None:
        return True
    return entry.published >= oldest


def _match(entry: PublishedEntry, candidates: Sequence[Post]) -> Post | None:
    """The post that most likely had ``entry``'s id: same title, else same instant."""
    for post in candidates:
        if xml_safe(post.title) == entry.title:
            return post
    for post in candidates:
        if entry.published is not None and post.published.replace(microsecond=0) == (
            entry.published
        ):
            return post
    return None


def _read_published(
    folder: Path, known: Callable[[Path], PublishedEntries | None] | None
) -> tuple[Path, PublishedEntries] | None:
    """The entries of the first readable feed file in ``folder``, or None."""
    # The published file read back for each folder, first found wins.
    for fmt in sorted(FORMATS.values(), key=lambda fmt: fmt.read_rank):
        path = folder / fmt.filename
        entries = known(path) if known is not None else None
        if entries is not None:
            return path, entries
        try:
            with _fs.open_if_exists(path) as handle:
                if handle is None:
                    continue
                return path, PublishedEntries.of(fmt.read(handle))
        except ValueError:
            # A damaged file carries no ids to keep; the build replaces it.
            continue
    return None
