"""The posts folder to Posts: every file's front matter (taken from the cache when
the file is unchanged, read in worker processes when there are many), and a body
only when its post appears in a feed. Reports every broken post in one run."""

from __future__ import annotations

import json
import marshal
import os
import time
import zlib
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .. import _paths, _workers
from .._cache import Cache, encode
from .._workers import Workers
from ..errors import ConfigError, PostError, PostErrors, SourceError
from ..model import Post, Progress, Site
from ..urls import post_id
from . import _values, images
from ._records import FileRecord, Identity, digest, identity
from .frontmatter import SplitProblem, decode, split
from .post import read_body, read_bytes, read_file

_INDEX = "index"  # the cache's kind for a posts folder's file records
_SHARDS = 16


def load_posts(site: Site, *, progress: Progress | None = None) -> list[Post]:
    """Load every ``*.md`` file in the site's posts folder, sorted by file name.

    Files whose names start with ``.`` or ``_`` are skipped. ``progress``, when
    given, is called as ``progress("read", done, total)`` after each file.

    With another ``source``, the posts of that generator's site (see
    :mod:`postfeed.reading.sources`).

    Raises:
        PostErrors: every problem in every post, sorted by path and line.
    """
    if site.source != "postfeed":
        from . import sources

        return sources.read(site, progress=progress).posts
    return scan(site, keep_bodies=True, progress=progress).posts


class Archive:
    """Every post of a site as a build scans it: the front matter in memory, each
    body left in its file until a feed needs it.

    With a cache, files whose size, times and inode are unchanged are not read
    at all, and files whose front matter is unchanged are not parsed again.
    """

    def __init__(
        self,
        site: Site,
        posts: list[Post],
        files: dict[str, FileRecord],
        *,
        changed: set[int],
        unread: Sequence[str] = (),
    ) -> None:
        self.site = site
        self.posts = posts
        #: How many files this scan read, and how many of those it parsed.
        self.read = self.parsed = 0
        #: Files in the posts folder in a form postfeed does not read, each left out.
        self.warnings: tuple[str, ...] = ()
        self._files = files
        self._changed = changed  # the index shards to write
        self._unread = unread  # the names of those files
        # The last post looked up, and its file's name and record: a build asks about
        # each post a few times in a row.
        self._looked_up: tuple[Post | None, tuple[str, FileRecord] | None] = (None, None)

    def listing(self) -> str | None:
        """The posts folder as this scan found it (see :func:`listing`); None when a
        file may have changed since without its identity showing it, or when the
        cache's index cannot hold every file's record."""
        files = self._files
        if not all(file.settled() and file.cacheable() for file in files.values()):
            return None
        return _listing([(name, files[name].identity) for name in sorted(files)], self._unread)

    def body_digest(self, post: Post) -> str | None:
        """The digest of the post's body, when it is known without reading the file."""
        file = self._file(post)
        return file.body_digest if file is not None else None

    def origin(self, post: Post) -> str | None:
        """What the post's file held when scanned, front matter and body (their digests,
        and the file's name), when both are known without reading the file again."""
        found = self._lookup(post)
        if found is None or found[1].body_digest is None:
            return None
        name, file = found
        return f"{name}\0{file.front_digest}\0{file.body_digest}"

    def body_size(self, post: Post) -> int:
        """The size of the post's body in bytes, about."""
        file = self._file(post)
        return file.identity[0] - file.body_offset if file is not None else 0

    def read_body(self, post: Post) -> str | None:
        """The post's Markdown body, read from its file, which must still have the
        front matter the scan read.

        Raises:
            PostErrors: the file cannot be read, or changed during the build.
        """
        file = self._file(post)
        if file is None or post.source is None:
            return read_body(post)
        path = post.source
        try:
            parts = split(decode(read_bytes(path)[0]))
        except SplitProblem as err:
            raise PostErrors([PostError(path, err.line, err.message)]) from err
        except OSError as err:
            raise PostErrors([PostError(path, None, f"cannot read: {err.strerror}")]) from err
        if digest(parts.front_matter) != file.front_digest:
            raise PostErrors([PostError(path, None, "changed during the build; build again")])
        body_digest = digest(parts.body)
        if file.body_digest != body_digest:
            file.body_changed(body_digest)
            self._changed.add(_shard(path.name))
        return parts.body

    def save(self, cache: Cache) -> None:
        """Stage what this scan learnt in ``cache``: the index shards that changed."""
        keys = _index_keys(self.site)
        cache.keep_only(_INDEX, keys)
        # Each shard a JSON object of the records' JSON texts, most of them made as the
        # files were read (in worker processes, for many).
        rows: dict[int, list[str]] = {shard: [] for shard in self._changed}  # file names
        for name in self._files:
            shard = _shard(name)
            if shard in rows:
                rows[shard].append(name)
        for shard, names in rows.items():
            found = ((name, self._files[name].to_text()) for name in names)
            items = ",".join(f"{encode(name)}:{text}" for name, text in found if text is not None)
            cache.put_encoded(_INDEX, keys[shard], "{" + items + "}")

    def _file(self, post: Post) -> FileRecord | None:
        found = self._lookup(post)
        return found[1] if found is not None else None

    def _lookup(self, post: Post) -> tuple[str, FileRecord] | None:
        """The name and record of the post's file, if the scan read the post from it."""
        last, found = self._looked_up
        if post is last:
            return found
        found = None
        if post.source is not None and post.body_offset is not None:
            name = post.source.name
            file = self._files.get(name)
            if file is not None and file.body_offset == post.body_offset:
                found = (name, file)
        self._looked_up = (post, found)
        return found


def scan(
    site: Site,
    cache: Cache | None = None,
    workers: Workers | None = None,
    *,
    keep_bodies: bool = False,
    progress: Progress | None = None,
    survey: Survey | None = None,
) -> Archive:
    """Scan every post of the site: every file's front matter, and with
    ``keep_bodies`` its body too. ``progress``, when given, is called as
    ``progress("read", done, total)`` as files are read (files the cache vouches
    for count at once). ``survey`` is the posts folder as :func:`survey` just found
    it, if it was looked at already.

    Raises:
        PostErrors: every problem in every post, sorted by path and line.
    """
    folder = site.posts_dir
    if not _paths.is_dir(folder):
        where = site.config_path or folder
        problem = "is not a folder" if _paths.exists(folder) else "does not exist"
        raise ConfigError(where, None, f"posts folder {folder} {problem}")
    tz = ZoneInfo(site.timezone)
    known = _load_index(cache, site, tz) if cache is not None and not keep_bodies else {}
    started = time.time_ns()
    if survey is None:
        survey = _survey(folder)
    files: dict[str, FileRecord] = {}
    todo: list[tuple[str, FileRecord | None]] = []
    notes = tuple(f"{folder / name}: {_not_read(name)}" for name in survey.unread)
    errors: list[SourceError] = list(survey.errors)
    for name, found in survey.files:
        file = known.get(name)
        if file is not None and file.identity == found and file.settled():
            files[name] = file
        else:
            todo.append((name, file))
    made: dict[str, Post] = {}
    authors = dict(site.authors)  # and the authors named without a key, as posts name them
    changed: set[str] = set()
    total, done = len(files) + len(todo), len(files)
    if progress is not None and done:
        progress("read", done, total)
    # Each record's JSON text is made as its file is read when the index is to be saved.
    texts = cache is not None and cache.writable
    reading = _read_all(folder, site.timezone, todo, started, keep_bodies, workers, texts=texts)
    for name, result in reading:
        done += 1
        if progress is not None:
            progress("read", done, total)
        if isinstance(result, FileRecord):
            prior = known.get(name)
            # Read again only to be sure: keep the record as stored, unless this read
            # is the one that finds the file settled, which spares the next build it.
            if prior is not None and prior.same_as(result) and not _settles(prior, result):
                result = prior
            else:
                changed.add(name)
            files[name] = result
            # Made here, while worker processes may still be reading other files.
            made[name] = result.post(_paths.child(folder, name), authors)
        else:
            errors.extend(result)
    changed.update(name for name in known if name not in files)  # removed, or now broken
    names = sorted(files)
    posts = [
        made[name] if name in made else files[name].post(_paths.child(folder, name), authors)
        for name in names
    ]
    posts = [_locate_image(site, post, errors) for post in posts]
    errors.extend(_duplicates(site, posts))
    if errors:
        raise PostErrors(errors, warnings=site.warnings + notes + tuple(_warnings(posts)))
    changed_shards = {_shard(name) for name in changed}
    archive = Archive(site, posts, files, changed=changed_shards, unread=survey.unread)
    archive.warnings = notes
    archive.read = len(todo)
    archive.parsed = sum(
        1
        for name, prior in todo
        if name in files and (prior is None or prior.front_digest != files[name].front_digest)
    )
    return archive


def _warnings(posts: Sequence[Post]) -> Iterator[str]:
    for post in posts:
        yield from post.warnings


def _settles(prior: FileRecord, result: FileRecord) -> bool:
    return result.settled() and not prior.settled()


def _is_post_name(name: str) -> bool:
    return name.endswith(".md") and not name.startswith((".", "_"))


# Post files in forms postfeed does not read: what each is, and the source that reads it.
_MARKDOWN_SUFFIXES = (".markdown", ".mdown", ".mkd", ".mkdn")
_OTHER_FORMATS = {
    ".mdx": ("MDX", "astro", "an Astro"),
    ".rst": ("reStructuredText", "pelican", "a Pelican"),
    ".org": ("Org", None, None),
    ".adoc": ("AsciiDoc", None, None),
    ".asciidoc": ("AsciiDoc", None, None),
}


def _not_read(name: str) -> str | None:
    """Why a file of the posts folder that looks like a post is left out, or None."""
    if name.startswith((".", "_")):
        return None
    stem, dot, suffix = name.rpartition(".")
    suffix = dot + suffix.lower()
    if stem and suffix in _MARKDOWN_SUFFIXES:
        return (
            f"Markdown is read from .md files only: rename it to {stem}.md; left out of the feeds"
        )
    if not stem or suffix not in _OTHER_FORMATS:
        return None
    kind, source, site = _OTHER_FORMATS[suffix]
    if source is None:
        return (
            f"{kind} is not read: left out of the feeds (write the post in Markdown, in a .md file)"
        )
    return (
        f"{kind} is not read with source: postfeed: left out of the feeds (set source: {source}"
        f" to read {site} site where it stands)"
    )


def _read_all(
    folder: Path,
    timezone: str,
    todo: list[tuple[str, FileRecord | None]],
    started: int,
    keep_bodies: bool,
    workers: Workers | None,
    *,
    texts: bool,
) -> Iterator[tuple[str, FileRecord | list[SourceError]]]:
    """Read the files in ``todo``, in worker processes when there are many; with
    ``texts``, each record's JSON text made with it (see ``Archive.save``)."""
    seconds = len(todo) * _workers.SCAN_SECONDS_PER_FILE
    if workers is None or keep_bodies or not workers.worth(seconds):
        yield from _read_chunk(str(folder), timezone, todo, started, keep_bodies)
        return
    tz = ZoneInfo(timezone)
    calls = [
        (str(folder), timezone, todo[start:end], started, texts)
        for start, end in _workers.portions(len(todo), 8 * workers.count, _SCAN_CHUNK)
    ]
    for rows, others in workers.map(_read_chunk_rows, calls, here=_read_chunk_here, ahead=4):
        if rows:
            for name, row, text in marshal.loads(rows):
                record = FileRecord.from_json(row, tz)
                if text is not None:
                    record.text, record.row = text, None
                yield name, record
        yield from others


_SCAN_CHUNK = 500  # files per call at most


def _read_chunk_rows(
    folder: str,
    timezone: str,
    todo: list[tuple[str, FileRecord | None]],
    started: int,
    texts: bool,
) -> tuple[bytes, list[tuple[str, FileRecord | list[SourceError]]]]:
    """Read some post files in a worker process: the records in their JSON form (with
    ``texts``, and as JSON text), marshalled (between two processes of one interpreter
    this crosses several times faster than pickled records), and the errors and any
    record JSON cannot hold, as they are."""
    rows = []
    others: list[tuple[str, FileRecord | list[SourceError]]] = []
    for name, result in _read_chunk(folder, timezone, todo, started):
        if isinstance(result, FileRecord) and (row := result.to_json()) is not None:
            rows.append([name, row, result.to_text() if texts else None])
        else:
            others.append((name, result))
    return marshal.dumps(rows), others


def _read_chunk_here(
    folder: str,
    timezone: str,
    todo: list[tuple[str, FileRecord | None]],
    started: int,
    texts: bool,
) -> tuple[bytes, list[tuple[str, FileRecord | list[SourceError]]]]:
    """Read some post files in this process, in the shape ``_read_chunk_rows`` gives
    (with ``texts``, each record's JSON text made now too, as the workers make theirs)."""
    results = _read_chunk(folder, timezone, todo, started)
    if texts:
        for _, result in results:
            if isinstance(result, FileRecord):
                result.to_text()
    return b"", results


def _read_chunk(
    folder: str,
    timezone: str,
    todo: list[tuple[str, FileRecord | None]],
    started: int,
    keep_bodies: bool = False,
) -> list[tuple[str, FileRecord | list[SourceError]]]:
    """Read some post files."""
    tz = ZoneInfo(timezone)
    results: list[tuple[str, FileRecord | list[SourceError]]] = []
    for name, known in todo:
        try:
            # A str, not a Path: pathlib costs a tenth of a scan of many files.
            file = read_file(f"{folder}{os.sep}{name}", tz, known, keep_body=keep_bodies)
        except PostErrors as err:
            results.append((name, list(err.errors)))
        else:
            file.seen_ns = started
            results.append((name, file))
    return results


def _locate_image(site: Site, post: Post, errors: list[SourceError]) -> Post:
    """The post with its image made absolute and, from the static folder, its length
    and media type; a problem is added to ``errors``."""
    if post.image is None:
        return post
    try:
        image = images.locate(site, post.image.url)
    except _values.ValueProblem as err:
        errors.append(PostError(_source(post), post.lines.get("image"), f"image: {err}"))
        return post
    return replace(post, image=image)


def _link_error(path: Path, folder: Path) -> PostError | None:
    """Refuse a post that is a symbolic link leading out of the posts folder (or nowhere)."""
    target = Path(os.path.realpath(path))
    real_folder = Path(os.path.realpath(folder))
    if real_folder not in target.parents:
        return PostError(
            path, None, f"is a symbolic link to {target}, outside the posts folder {folder}"
        )
    if not target.exists():
        return PostError(path, None, f"is a symbolic link to {target}, which does not exist")
    return None


def _duplicates(site: Site, posts: Sequence[Post]) -> list[SourceError]:
    """Posts sharing a slug or an id."""
    errors: list[SourceError] = []
    keys: tuple[tuple[str, Callable[[Post], str]], ...] = (
        ("slug", lambda p: p.slug),
        ("id", lambda p: post_id(site, p)),
    )
    for what, key in keys:
        if what == "id" and not errors and all(post.id is None for post in posts):
            break  # ids made from unique slugs are unique: only set ids can collide
        seen: dict[str, Post] = {}
        for post in posts:
            value = key(post)
            first = seen.setdefault(value, post)
            if first is not post:
                errors.append(
                    PostError(
                        _source(post),
                        post.lines.get(what),
                        f"{what} {value!r} is also used by {first.source}",
                    )
                )
    return errors


def _source(post: Post) -> Path:
    assert post.source is not None
    return post.source


def _shard(name: str) -> int:
    """Which part of the index holds a file's record: an edit rewrites one part only."""
    return zlib.crc32(name.encode("utf-8", "surrogateescape")) % _SHARDS


def _index_keys(site: Site) -> list[str]:
    folder = digest(f"{site.posts_dir.absolute()}\0{site.timezone}")
    return [f"{folder}:{shard}" for shard in range(_SHARDS)]


def _load_index(cache: Cache, site: Site, tz: tzinfo) -> dict[str, FileRecord]:
    """The file records the cache holds for this posts folder; a record that does not
    check out is left out."""
    return _records(cache.get(_INDEX, _index_keys(site)).values(), tz)


def _records(
    shards: Iterable[Any], tz: tzinfo, names: Container[str] | None = None
) -> dict[str, FileRecord]:
    """The records in some shards of the index (those of files in ``names``); a record
    that does not check out is left out."""
    records: dict[str, FileRecord] = {}
    for rows in shards:
        if not isinstance(rows, dict):
            continue
        for name, row in rows.items():
            if names is not None and name not in names:
                continue
            try:
                records[name] = FileRecord.from_json(row, tz)
            except (ValueError, TypeError):
                continue
    return records


@dataclass(frozen=True, slots=True)
class Survey:
    """A posts folder as it is now, before any file is read: each post file's name
    and identity (None when it cannot be looked at), sorted by name; the names of
    the files a scan leaves out with a note; and the post files that are symbolic
    links leading out of the folder or nowhere."""

    files: list[tuple[str, Identity | None]]
    unread: list[str]
    errors: list[SourceError]
    links: bool  # some post file is a symbolic link

    def listing(self) -> str | None:
        """A digest of the folder as found (see :meth:`Archive.listing`); None when
        a post file is a symbolic link, which only a scan checks, or could not be
        looked at."""
        if self.links or self.errors:
            return None
        files = []
        for name, found in self.files:
            if found is None:
                return None
            files.append((name, found))
        return _listing(files, self.unread)


def survey(site: Site) -> Survey | None:
    """The site's posts folder as it is now; None when it cannot be read."""
    try:
        return _survey(site.posts_dir)
    except OSError:
        return None


def _survey(folder: Path) -> Survey:
    files: list[tuple[str, Identity | None]] = []
    unread: list[str] = []
    errors: list[SourceError] = []
    links = False
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if not _is_post_name(name):
                if _not_read(name) is not None:
                    unread.append(name)
                continue
            try:
                if entry.is_symlink():
                    links = True
                    link_error = _link_error(folder / name, folder)
                    if link_error is not None:
                        errors.append(link_error)
                        continue
                if not entry.is_file():
                    continue
                files.append((name, identity(entry.stat())))
            except OSError:
                files.append((name, None))  # read, and its problem told, by the scan
    files.sort(key=lambda item: item[0])
    unread.sort()
    return Survey(files, unread, errors, links)


def _listing(files: Iterable[tuple[str, Identity]], unread: Iterable[str]) -> str:
    """The digest :func:`listing` gives, of files sorted by name and names sorted."""
    lines = [
        f"{name}\0{size}\0{mtime}\0{ctime}\0{inode}" for name, (size, mtime, ctime, inode) in files
    ]
    lines += [f"{name}\0-" for name in unread]
    return digest("\n".join(lines))


class Snapshot:
    """The posts of a site as its last scan left them in the cache's index, made only
    when asked for: a build that finds nothing changed may never need them."""

    def __init__(self, site: Site, texts: Mapping[str, str]) -> None:
        self.site = site
        self._texts = texts  # each shard of the index, as JSON text

    @classmethod
    def of(cls, site: Site, cache: Cache) -> Snapshot:
        """The index as the cache holds it now (checked, not yet parsed)."""
        return cls(site, cache.get(_INDEX, _index_keys(site), decode=False))

    def digest(self) -> str:
        """A digest of the index: two snapshots with one digest hold the same records."""
        return digest("\0".join(f"{key}\0{text}" for key, text in sorted(self._texts.items())))

    def posts(self, names: Collection[str] | None = None) -> list[Post]:
        """The posts (those of the files in ``names``), sorted by file name, as a scan
        makes them.

        Raises:
            PostErrors: a post's image is no longer in the static folder.
        """
        site = self.site
        keys = _index_keys(site)
        wanted = range(_SHARDS) if names is None else sorted({_shard(name) for name in names})
        shards = (json.loads(self._texts[keys[n]]) for n in wanted if keys[n] in self._texts)
        records = _records(shards, ZoneInfo(site.timezone), names)
        folder, authors = site.posts_dir, dict(site.authors)
        errors: list[SourceError] = []
        posts = [
            _locate_image(site, records[name].post(_paths.child(folder, name), authors), errors)
            for name in sorted(records)
        ]
        if errors:
            raise PostErrors(errors)
        return posts
