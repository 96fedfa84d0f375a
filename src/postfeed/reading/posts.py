"""posts/*.md to Post objects. Reads files; reports every broken post in one run.

``load_posts`` reads whole posts. A build ``scan``s instead: the front matter of
every file (taken from the cache when the file is unchanged), and a body only
when its post appears in a feed.
"""

from __future__ import annotations

import marshal
import os
import re
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .. import _paths, _workers
from .._cache import Cache
from .._text import tag_slug
from .._workers import Workers
from ..errors import ConfigError, PostError, PostErrors, SourceError
from ..model import Image, Post, Progress, Site
from ..urls import post_id
from . import _values, images
from ._records import FileRecord, Identity, digest, identity
from ._yaml import YAMLProblem, load_mapping
from .config import unknown_key_message
from .frontmatter import Parts, SplitProblem, decode, split

KNOWN_KEYS = (
    "title",
    "date",
    "updated",
    "summary",
    "tags",
    "slug",
    "author",
    "draft",
    "id",
    "image",
)
_SLUG = re.compile(r"^\w[\w.~-]*$")
# A tag's slug names its feed folder; file systems allow 255 bytes per name.
MAX_TAG_SLUG = 200
#: Bytes a post file may hold, at most. Python-Markdown's time grows with the square of
#: a paragraph's length (a 1 MB paragraph renders in about a second, a 3 MB one in 20),
#: and a build holds some 30 times a post's size in memory while it formats it.
MAX_POST_BYTES = 1024 * 1024
_INDEX = "index"  # the cache's kind for a posts folder's file records
_SHARDS = 16


def load_posts(site: Site, *, progress: Progress | None = None) -> list[Post]:
    """Load every ``*.md`` file in the site's posts folder, sorted by file name.

    Files whose names start with ``.`` or ``_`` are skipped. ``progress``, when
    given, is called as ``progress("read", done, total)`` after each file.

    Raises:
        PostErrors: every problem in every post, sorted by path and line.
    """
    return scan(site, keep_bodies=True, progress=progress).posts


def load_post(path: Path, tz: tzinfo) -> Post:
    """Load one post file; dates without an offset are in ``tz``.

    Raises:
        PostErrors: every problem found in the file.
    """
    return _read(path, tz, None, keep_body=True).post(path)


def read_body(post: Post) -> str | None:
    """The Markdown body of a post: ``markdown``, or read from ``source`` at ``body_offset``.

    Raises:
        PostErrors: the file can no longer be read.
    """
    if post.markdown is not None or post.body_offset is None or post.source is None:
        return post.markdown
    try:
        return decode(_read_bytes(post.source)[0])[post.body_offset :]
    except SplitProblem as err:
        raise PostErrors([PostError(post.source, err.line, err.message)]) from err
    except OSError as err:
        raise PostErrors([PostError(post.source, None, f"cannot read: {err.strerror}")]) from err


class Archive:
    """Every post of a site as a build scans it: the front matter in memory, each
    body left in its file until a feed needs it.

    With a cache, files whose size, times and inode are unchanged are not read
    at all, and files whose front matter is unchanged are not parsed again.
    """

    def __init__(
        self, site: Site, posts: list[Post], files: dict[str, FileRecord], *, changed: set[int]
    ) -> None:
        self.site = site
        self.posts = posts
        #: How many files this scan read, and how many of those it parsed.
        self.read = self.parsed = 0
        self._files = files
        self._changed = changed  # the index shards to write

    def body_digest(self, post: Post) -> str | None:
        """The digest of the post's body, when it is known without reading the file."""
        file = self._file(post)
        return file.body_digest if file is not None else None

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
            parts = split(decode(_read_bytes(path)[0]))
        except SplitProblem as err:
            raise PostErrors([PostError(path, err.line, err.message)]) from err
        except OSError as err:
            raise PostErrors([PostError(path, None, f"cannot read: {err.strerror}")]) from err
        if digest(parts.front_matter) != file.front_digest:
            raise PostErrors([PostError(path, None, "changed during the build; build again")])
        body_digest = digest(parts.body)
        if file.body_digest != body_digest:
            file.body_digest, file.row = body_digest, None
            self._changed.add(_shard(path.name))
        return parts.body

    def save(self, cache: Cache) -> None:
        """Stage what this scan learnt in ``cache``: the index shards that changed."""
        keys = _index_keys(self.site)
        cache.keep_only(_INDEX, keys)
        rows: dict[int, dict[str, Any]] = {shard: {} for shard in self._changed}
        for name, file in self._files.items():
            shard = _shard(name)
            if shard in rows and (row := file.to_json()) is not None:
                rows[shard][name] = row
        for shard, found in rows.items():
            cache.put(_INDEX, keys[shard], found)

    def _file(self, post: Post) -> FileRecord | None:
        if post.source is None or post.body_offset is None:
            return None
        file = self._files.get(post.source.name)
        return file if file is not None and file.body_offset == post.body_offset else None


def scan(
    site: Site,
    cache: Cache | None = None,
    workers: Workers | None = None,
    *,
    keep_bodies: bool = False,
    progress: Progress | None = None,
) -> Archive:
    """Scan every post of the site: every file's front matter, and with
    ``keep_bodies`` its body too. ``progress``, when given, is called as
    ``progress("read", done, total)`` as files are read (files the cache vouches
    for count at once).

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
    files: dict[str, FileRecord] = {}
    todo: list[tuple[str, FileRecord | None]] = []
    with os.scandir(folder) as entries:
        found = sorted(
            (entry for entry in entries if _is_post_name(entry.name)), key=lambda e: e.name
        )
    errors: list[SourceError] = []
    for entry in found:
        file = known.get(entry.name)
        try:
            if entry.is_symlink():
                link_error = _link_error(folder / entry.name, folder)
                if link_error is not None:
                    errors.append(link_error)
                    continue
            if not entry.is_file():
                continue
            # A file with no record is read anyway, and its identity taken then.
            if file is not None:
                stat = entry.stat()
        except OSError:
            file = None
        if file is not None and file.identity == identity(stat) and file.settled():
            files[entry.name] = file
        else:
            todo.append((entry.name, file))
    made: dict[str, Post] = {}
    changed: set[str] = set()
    total, done = len(files) + len(todo), len(files)
    if progress is not None and done:
        progress("read", done, total)
    for name, result in _read_all(folder, site.timezone, todo, started, keep_bodies, workers):
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
            made[name] = result.post(folder / name)
        else:
            errors.extend(result)
    changed.update(name for name in known if name not in files)  # removed, or now broken
    names = sorted(files)
    posts = [made[name] if name in made else files[name].post(folder / name) for name in names]
    lines = {name: files[name].lines for name in names}  # by file name
    posts = [_locate_image(site, post, lines[_source(post).name], errors) for post in posts]
    errors.extend(_duplicates(site, posts, lines))
    errors.extend(_tag_collisions(posts, lines))
    if errors:
        raise PostErrors(errors)
    archive = Archive(site, posts, files, changed={_shard(name) for name in changed})
    archive.read = len(todo)
    archive.parsed = sum(
        1
        for name, prior in todo
        if name in files and (prior is None or prior.front_digest != files[name].front_digest)
    )
    return archive


def _settles(prior: FileRecord, result: FileRecord) -> bool:
    return result.settled() and not prior.settled()


def _is_post_name(name: str) -> bool:
    return name.endswith(".md") and not name.startswith((".", "_"))


def _read_all(
    folder: Path,
    timezone: str,
    todo: list[tuple[str, FileRecord | None]],
    started: int,
    keep_bodies: bool,
    workers: Workers | None,
) -> Iterator[tuple[str, FileRecord | list[SourceError]]]:
    """Read the files in ``todo``, in worker processes when there are many."""
    seconds = len(todo) * _workers.SCAN_SECONDS_PER_FILE
    if workers is None or keep_bodies or not workers.worth(seconds):
        yield from _read_chunk(str(folder), timezone, todo, started, keep_bodies)
        return
    tz = ZoneInfo(timezone)
    calls = [
        (str(folder), timezone, todo[start:end], started)
        for start, end in _workers.portions(len(todo), 8 * workers.count, _SCAN_CHUNK)
    ]
    for rows, others in workers.map(_read_chunk_rows, calls, here=_read_chunk_here, ahead=4):
        if rows:
            for name, row in marshal.loads(rows):
                yield name, FileRecord.from_json(row, tz)
        yield from others


_SCAN_CHUNK = 500  # files per call at most


def _read_chunk_rows(
    folder: str,
    timezone: str,
    todo: list[tuple[str, FileRecord | None]],
    started: int,
) -> tuple[bytes, list[tuple[str, FileRecord | list[SourceError]]]]:
    """Read some post files in a worker process: the records in their JSON form,
    marshalled (between two processes of one interpreter this crosses several
    times faster than pickled records), and the errors and any record JSON cannot
    hold, as they are."""
    rows = []
    others: list[tuple[str, FileRecord | list[SourceError]]] = []
    for name, result in _read_chunk(folder, timezone, todo, started):
        row = result.to_json() if isinstance(result, FileRecord) else None
        if row is not None:
            rows.append([name, row])
        else:
            others.append((name, result))
    return marshal.dumps(rows), others


def _read_chunk_here(
    folder: str,
    timezone: str,
    todo: list[tuple[str, FileRecord | None]],
    started: int,
) -> tuple[bytes, list[tuple[str, FileRecord | list[SourceError]]]]:
    """Read some post files in this process, in the shape ``_read_chunk_rows`` gives."""
    return b"", _read_chunk(folder, timezone, todo, started)


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
            file = _read(f"{folder}{os.sep}{name}", tz, known, keep_body=keep_bodies)
        except PostErrors as err:
            results.append((name, list(err.errors)))
        else:
            file.seen_ns = started
            results.append((name, file))
    return results


def _read(path: Path | str, tz: tzinfo, known: FileRecord | None, *, keep_body: bool) -> FileRecord:
    """Read one post file; with ``known``, reuse its front matter if unchanged."""
    try:
        data, current = _read_bytes(path)
        parts = split(decode(data))
    except SplitProblem as err:
        raise PostErrors([PostError(path, err.line, err.message)]) from err
    except OSError as err:
        raise PostErrors([PostError(path, None, f"cannot read: {err.strerror}")]) from err
    front_digest = digest(parts.front_matter)
    if known is not None and known.front_digest == front_digest:
        fields, lines, warnings = known.fields, known.lines, known.warnings
    else:
        fields, lines, warnings = _front_matter(path, parts, tz)
    return FileRecord(
        front_digest=front_digest,
        body_offset=parts.body_offset,
        # Worth keeping only for a post a feed showed before, whose body is hashed anyway.
        body_digest=digest(parts.body) if known is not None and known.body_digest else None,
        fields=fields,
        lines=lines,
        warnings=warnings,
        identity=current,
        body=parts.body if keep_body else None,
    )


def _read_bytes(path: Path | str) -> tuple[bytes, Identity]:
    """A post file's bytes and the identity of the version read (taken from the open
    file, so the two match). Without the buffered file object ``Path.read_bytes``
    sets up: a scan reads thousands of small files, and that costs a third.

    A file larger than :data:`MAX_POST_BYTES` is refused before it is read, or as
    soon as reading passes the limit (a file that grows, or that is no regular file).

    Raises:
        PostErrors: the file is too large.
        OSError: it cannot be read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        status = os.fstat(fd)
        current = identity(status)
        size = status.st_size
        chunks = []
        if size <= MAX_POST_BYTES:
            size = 0
            while size <= MAX_POST_BYTES and (chunk := os.read(fd, 65536)):
                chunks.append(chunk)
                size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_POST_BYTES:
        message = f"too large ({size} bytes; a post may have at most {MAX_POST_BYTES})"
        raise PostErrors([PostError(path, None, message)])
    return b"".join(chunks), current


def _front_matter(
    path: Path | str, parts: Parts, tz: tzinfo
) -> tuple[dict[str, Any], dict[str, int], tuple[tuple[int, str], ...]]:
    """Parse and check front matter: the post's fields, each key's line, and warnings.

    Raises:
        PostErrors: every problem in the front matter.
    """
    try:
        mapping = load_mapping(parts.front_matter, first_line=parts.front_matter_line)
    except YAMLProblem as err:
        raise PostErrors([PostError(path, err.line, err.message)]) from err
    data, lines = mapping.data, mapping.lines
    errors: list[SourceError] = []
    values: dict[str, Any] = {}
    notes: list[tuple[int, str]] = []  # warnings about values that were taken

    def check(key: str, convert: Callable[[Any], Any], *, required: bool = False) -> None:
        if key not in data:
            if required:
                errors.append(PostError(path, 1, f"{key}: missing (every post needs a {key})"))
            return
        try:
            values[key] = convert(data[key])
        except _values.ValueProblem as err:
            errors.append(PostError(path, lines[key], f"{key}: {err}"))

    check("title", _values.text, required=True)

    def when(key: str) -> Callable[[Any], Any]:
        return lambda v: _values.timestamp(
            v, tz, lambda text: notes.append((lines[key], f"{key}: {text}"))
        )

    check("date", when("date"), required=True)
    check("updated", when("updated"))
    check("summary", lambda v: _values.text(v, empty_ok=True))
    check("tags", _values.tags)
    check("slug", check_slug)
    check("author", _values.author)
    check("draft", _values.boolean)
    check("id", _values.uri)
    check("image", images.image_value)
    if "slug" not in data:
        try:
            values["slug"] = check_slug(_stem(path))
        except _values.ValueProblem as err:
            errors.append(
                PostError(path, None, f"file name: {err}, or set slug in the front matter")
            )
    if errors:
        raise PostErrors(errors)
    warnings = notes + [
        (lines[key], unknown_key_message(key, KNOWN_KEYS)) for key in data if key not in KNOWN_KEYS
    ]
    published, updated = values["date"], values.get("updated")
    if updated is not None and updated < published:
        warnings.append((lines["updated"], "updated is before date; date is used"))
        updated = None
    fields = {
        "slug": values["slug"],
        "title": values["title"],
        "published": published,
        "updated": updated,
        "summary": values.get("summary"),
        "tags": values.get("tags", ()),
        "author": values.get("author"),
        "id": values.get("id"),
        "draft": values.get("draft", False),
        "image": Image(url=values["image"]) if "image" in values else None,
        "extra": {key: data[key] for key in data if key not in KNOWN_KEYS},
    }
    return fields, lines, tuple(warnings)


def _stem(path: Path | str) -> str:
    """The file name without its extension, as ``Path.stem``."""
    name = path.name if isinstance(path, Path) else path.rsplit(os.sep, 1)[-1]
    return name.rpartition(".")[0] or name


def _locate_image(site: Site, post: Post, lines: dict[str, int], errors: list[SourceError]) -> Post:
    """The post with its image made absolute and, from the static folder, its length
    and media type; a problem is added to ``errors``."""
    if post.image is None:
        return post
    try:
        image = images.locate(site, post.image.url)
    except _values.ValueProblem as err:
        errors.append(PostError(_source(post), lines.get("image"), f"image: {err}"))
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


def check_slug(value: object) -> str:
    """A post slug: letters, digits, ``-``, ``_``, ``.`` and ``~``, not starting with a mark."""
    slug = _values.text(value).strip()
    if not _SLUG.match(slug):
        raise _values.ValueProblem(
            f"{slug!r} is not a valid slug (use letters, digits, '-', '_', '.' and '~')"
        )
    return slug


def _duplicates(
    site: Site, posts: Sequence[Post], lines: dict[str, dict[str, int]]
) -> list[SourceError]:
    """Posts sharing a slug or an id; ``lines`` has each file's key lines by file name."""
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
                        lines[_source(post).name].get(what),
                        f"{what} {value!r} is also used by {first.source}",
                    )
                )
    return errors


def _tag_collisions(posts: Sequence[Post], lines: dict[str, dict[str, int]]) -> list[SourceError]:
    # An archive repeats a few tags: when no two of them clash, no post needs a look.
    spellings: dict[str, str] = {}
    for tag in {tag for post in posts for tag in post.tags}:
        slug = tag_slug(tag)
        if (
            not slug
            or len(slug.encode("utf-8")) > MAX_TAG_SLUG
            or spellings.setdefault(slug, tag) != tag
        ):
            break
    else:
        return []
    errors: list[SourceError] = []
    seen: dict[str, tuple[str, Post]] = {}
    for post in posts:
        line = lines[_source(post).name].get("tags")
        for tag in post.tags:
            slug = tag_slug(tag)
            if not slug:
                message = f"tags: {tag!r} has no letter or digit to name its feed by"
                errors.append(PostError(_source(post), line, message))
                continue
            size = len(slug.encode("utf-8"))
            if size > MAX_TAG_SLUG:
                short = tag if len(tag) <= 40 else tag[:40] + "..."
                message = (
                    f"tags: {short!r} is too long to name its feed folder"
                    f" ({size} bytes; at most {MAX_TAG_SLUG})"
                )
                errors.append(PostError(_source(post), line, message))
                continue
            first_tag, first_post = seen.setdefault(slug, (tag, post))
            if first_tag != tag:
                message = (
                    f"tags: {tag!r} and {first_tag!r} (in {first_post.source}) both map to"
                    f" the tag feed {slug!r}; spell them the same"
                )
                errors.append(PostError(_source(post), line, message))
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
    records: dict[str, FileRecord] = {}
    for rows in cache.get(_INDEX, _index_keys(site)).values():
        if not isinstance(rows, dict):
            continue
        for name, row in rows.items():
            try:
                records[name] = FileRecord.from_json(row, tz)
            except (ValueError, TypeError):
                continue
    return records
