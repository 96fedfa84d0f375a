"""The id guard: a build must not change the id of an entry readers already have.

Compares the feeds about to be written with the feed files already in the output
folder; reads those files, writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path, PurePosixPath

from .._text import xml_safe
from ..errors import IdChange, IdChangeError
from ..formats import FORMATS
from ..model import Feed, Post, PublishedEntry, Site
from ..urls import post_id
from . import _fs


def check_ids(
    site: Site,
    published: Sequence[Post],
    feeds: Mapping[PurePosixPath, Feed],
    *,
    known: Callable[[Path], tuple[PublishedEntry, ...] | None] | None = None,
    retired: Collection[str] = (),
) -> None:
    """Refuse a build that drops or renames an entry still inside a feed's window.

    An entry of a published feed file is flagged when no published post has its
    id any more although it is not older than the oldest entry still in the new
    feed, the usual sign of a renamed slug, a changed ``url`` or a changed
    ``permalink``. ``known``, when given, gives the entries of a file without
    reading it when it can (the build knows the files it wrote), or None.
    Entries whose ids are in ``retired`` may leave (their posts expired).

    Raises:
        IdChangeError: every flagged entry, with the post that now has a new id
            when one matches by title or publish date.
    """
    old: list[tuple[Path, PublishedEntry, Feed]] = []
    for folder, feed in feeds.items():
        found = _read_published(site.output_dir / folder, known)
        if found is not None:
            path, entries = found
            old += [(path, entry, feed) for entry in entries]
    # Most entries are still shown: only the others need every published post's id.
    shown = {entry.id for feed in feeds.values() for entry in feed.entries}
    suspects = [
        (path, entry, feed)
        for path, entry, feed in old
        if entry.id not in shown and entry.id not in retired and _inside_window(entry, feed)
    ]
    if not suspects:
        return
    new_ids = {xml_safe(post_id(site, post)) for post in published}
    old_ids = {entry.id for _, entry, _ in old}
    unmatched = [post for post in published if xml_safe(post_id(site, post)) not in old_ids]
    changes: dict[str, IdChange] = {}
    for path, entry, _ in suspects:
        if entry.id in new_ids or entry.id in changes:
            continue
        post = _match(entry, unmatched)
        if post is None:
            changes[entry.id] = IdChange(str(path), entry.title, entry.id, None)
        else:
            unmatched.remove(post)
            where = str(post.source) if post.source is not None else post.slug
            changes[entry.id] = IdChange(where, entry.title, entry.id, post_id(site, post))
    if changes:
        raise IdChangeError(changes.values())


def _inside_window(entry: PublishedEntry, feed: Feed) -> bool:
    """True when ``entry`` is not older than the oldest entry still in the new feed.

    An entry older than all of them left the feed by age (the window of the newest
    ``limit``) or was the oldest post and was removed; neither makes a duplicate.
    """
    if not feed.entries:
        return False
    if entry.published is None:
        return True
    return entry.published >= min(new.published for new in feed.entries)


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
    folder: Path, known: Callable[[Path], tuple[PublishedEntry, ...] | None] | None
) -> tuple[Path, tuple[PublishedEntry, ...]] | None:
    """The entries of the first readable feed file in ``folder``, or None."""
    # The published file read back for each folder, first found wins.
    for fmt in sorted(FORMATS.values(), key=lambda fmt: fmt.read_rank):
        path = folder / fmt.filename
        entries = known(path) if known is not None else None
        if entries is not None:
            return path, entries
        data = _fs.read_if_exists(path)
        if data is None:
            continue
        try:
            return path, fmt.read(data)
        except ValueError:
            # A damaged file carries no ids to keep; the build replaces it.
            continue
    return None
