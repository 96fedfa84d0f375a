"""The exception tree. Every error postfeed raises on purpose is a PostfeedError."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple


class PostfeedError(Exception):
    """Base for every error postfeed raises on purpose."""


class SourceError(PostfeedError):
    """Something is wrong in an input file, at a known line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = Path(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class ConfigError(SourceError):
    """The site configuration (postfeed.yaml) is invalid."""


class PostError(SourceError):
    """A post is invalid."""


class PostErrors(PostfeedError):
    """Every problem found in one run, sorted by path and line; ``warnings`` are the
    run's warnings (``path:line: message`` lines), shown with the errors."""

    def __init__(self, errors: Iterable[SourceError], *, warnings: Iterable[str] = ()) -> None:
        ordered = tuple(sorted(errors, key=_sort_key))
        super().__init__(ordered)
        self.errors = ordered
        self.warnings = tuple(warnings)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class OutputError(PostfeedError):
    """A feed could not be written."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(path, message)
        self.path = Path(path)
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class LockError(OutputError):
    """Another build is writing to the same output folder; nothing was written."""


class IdChange(NamedTuple):
    """One published entry whose id would change. ``where`` is the post's file when
    a post matches (then ``new_id`` is its new id), else the feed file it was in."""

    where: str
    title: str
    old_id: str
    new_id: str | None


class ArchiveChange(NamedTuple):
    """Entries of a feed's archive that would move to other pages. ``where`` is the
    archive's folder, ``moved`` how many entries move, ``title``, ``old_page`` and
    ``new_page`` the first of them; ``sizes``, when the number of entries a page
    holds changes, is what the first page held and what a page now holds."""

    where: str
    moved: int
    title: str
    old_page: int
    new_page: int
    sizes: tuple[int, int] | None = None


class IdChangeError(PostfeedError):
    """A build would change or drop the id of an entry readers already have, or move
    entries between the pages of an archive (``archives``)."""

    def __init__(self, changes: Iterable[IdChange], archives: Iterable[ArchiveChange] = ()) -> None:
        ordered = tuple(sorted(changes, key=lambda c: (c.where, c.old_id)))
        moved = tuple(sorted(archives))
        super().__init__(ordered, moved)
        self.changes = ordered
        self.archives = moved

    def __str__(self) -> str:
        lines = [_id_change_message(change) for change in self.changes]
        lines += [_archive_change_message(change) for change in self.archives]
        return "\n".join(lines)


class PingError(PostfeedError):
    """A WebSub hub refused a notification or could not be reached."""

    def __init__(self, hub: str, message: str) -> None:
        super().__init__(hub, message)
        self.hub = hub
        self.message = message

    def __str__(self) -> str:
        return f"{self.hub}: {self.message}"


def _id_change_message(change: IdChange) -> str:
    if change.new_id is not None:
        return (
            f"{change.where}: the id of {change.title!r} would change from {change.old_id!r}"
            f" to {change.new_id!r}, and readers would show the post again as new; keep"
            f" the old one with 'id: {change.old_id}' in its front matter, or build with"
            " --allow-id-change"
        )
    return (
        f"{change.where}: entry {change.old_id!r} ({change.title!r}) would disappear"
        " while older entries stay in the feed; if its post was renamed, give it"
        f" 'id: {change.old_id}' in its front matter; if it was removed on purpose,"
        " build with --allow-id-change"
    )


def _archive_change_message(change: ArchiveChange) -> str:
    one = change.moved == 1
    moved = f"{change.moved} {'entry' if one else 'entries'} would move"
    if change.sizes is not None:
        held, size = change.sizes
        what = f"archive pages would hold {size} entries where page 1 held {held}, so {moved}"
        what += " to another page" if one else " to other pages"
    else:
        what = (
            f"{moved} to another archive page ({change.title!r} from page {change.old_page}"
            f" to page {change.new_page}{'' if one else ' first'}), as a post before"
            f" {'it' if one else 'them'} was added, removed or dated anew"
        )
    return (
        f"{change.where}: {what}; hosts and readers may keep closed pages for a long"
        " time and never see the change; if it is meant, build with --allow-id-change"
    )


def _sort_key(error: SourceError) -> tuple[str, int]:
    return (str(error.path), error.line or 0)
