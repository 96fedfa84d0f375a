"""Choose and order posts, render every feed in memory, then write only what changed."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from . import _cache, _paths
from ._text import tag_slug, xml_safe
from ._workers import Workers
from .errors import OutputError
from .model import Entry, Feed, Post, Progress, Site
from .reading import _yaml
from .reading.posts import Archive, read_body, scan
from .rendering import markup
from .rendering._documents import Outputs
from .rendering._entries import complete, prepare
from .rendering.formats import FORMATS
from .rendering.page import PAGE_FILENAME, render_page
from .rendering.resolve import EntryMaker, safe_author
from .urls import tag_url
from .writing import _fs, _lock
from .writing.idguard import check_ids


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A post that is not published, and why ("draft" or "future")."""

    post: Post
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    """What a build did, or in check mode what it would do.

    ``stale`` lists, in check mode, each feed file that is ``missing``, ``stale``
    or ``extra``; a check passes when it is empty. ``renders`` counts the
    Markdown texts rendered, and ``formatted`` the entries formatted (once per
    format, however many feeds show them) rather than kept from the files the
    last build wrote.
    """

    output_dir: Path
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    stale: tuple[tuple[Path, str], ...] = ()
    published: tuple[Post, ...] = ()
    left_out: tuple[LeftOut, ...] = ()
    warnings: tuple[str, ...] = ()
    renders: int = 0
    formatted: int = 0
    checked: bool = False


def order(posts: Sequence[Post]) -> list[Post]:
    """Newest first; posts published at the same instant keep slug order."""
    return sorted(sorted(posts, key=lambda p: p.slug), key=lambda p: p.published, reverse=True)


def select(
    posts: Sequence[Post],
    *,
    drafts: bool = False,
    future: bool = False,
    now: datetime | None = None,
) -> tuple[list[Post], list[LeftOut]]:
    """Split posts into those to publish (newest first) and those left out.

    ``now`` decides which posts are dated in the future; it is never written
    into a feed.
    """
    moment = now if now is not None else datetime.now(UTC)
    published: list[Post] = []
    left_out: list[LeftOut] = []
    for post in order(posts):
        if post.draft and not drafts:
            left_out.append(LeftOut(post, "draft"))
        elif post.published > moment and not future:
            left_out.append(LeftOut(post, "future"))
        else:
            published.append(post)
    return published, left_out


def _shown(
    site: Site, posts: Sequence[Post]
) -> dict[PurePosixPath, tuple[str | None, Sequence[Post]]]:
    """The tag (None for the main feed) and the posts of every feed, by folder."""
    result: dict[PurePosixPath, tuple[str | None, Sequence[Post]]] = {
        PurePosixPath("."): (None, posts)
    }
    if site.tag_feeds:
        names: dict[str, str] = {}
        tagged: dict[str, list[Post]] = {}
        for post in posts:
            for tag in dict.fromkeys(post.tags):
                names.setdefault(tag_slug(tag), tag)
                tagged.setdefault(tag, []).append(post)
        for slug, name in sorted(names.items()):
            result[PurePosixPath("tags", slug)] = (name, tagged[name])
    return result


def _limited(site: Site, posts: Sequence[Post]) -> Sequence[Post]:
    return posts[: site.limit] if site.limit else posts


def feed_urls(site: Site, posts: Sequence[Post]) -> list[str]:
    """The absolute URL of every feed file a build of ``posts`` (the published posts)
    writes: the main feeds, then each tag's, in the site's format order."""
    folders = [
        site.feeds_base_url if folder == PurePosixPath(".") else tag_url(site, folder.name)
        for folder in _shown(site, posts)
    ]
    return [base + FORMATS[name].filename for base in folders for name in site.formats]


def render(
    site: Site, posts: Sequence[Post], format: str = "atom", *, tag: str | None = None
) -> bytes:
    """One feed's bytes in ``format`` ("rss", "atom" or "json").

    Publishes exactly the given posts (drafts and future posts included: choose
    them with :func:`select`), newest first, at most ``site.limit`` of them;
    with ``tag``, only the posts carrying that tag.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    ordered = order(posts)
    if tag is not None:
        ordered = [post for post in ordered if tag in post.tags]
    return FORMATS[format].render(_feed(site, ordered, EntryMaker(site, read_body=read_body), tag))


def build(
    site: Site,
    posts: Sequence[Post] | None = None,
    *,
    drafts: bool = False,
    future: bool = False,
    check: bool = False,
    allow_id_change: bool = False,
    now: datetime | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site's feeds into its output folder, or with ``check`` compare them.

    Loads the posts when ``posts`` is None. Everything is rendered in memory
    first; then only files whose bytes changed are replaced, atomically and all
    or nothing, and feed files no longer produced (a tag no longer used) are
    removed. With ``check`` nothing is written, not even to the cache. Unless
    ``allow_id_change``, the id guard compares the new feeds with those already
    in the output folder.

    With ``site.cache_dir``, what did not change since the last build is taken
    from the cache there instead of being read, parsed and rendered again; the
    output is the same byte for byte. ``jobs`` is the number of processes (this
    one included) for large builds: None chooses by the work and the CPUs, 1
    never starts another. ``progress``, when given, is called as
    ``progress(stage, done, total)`` while posts are read (``"read"``) and while
    the entries some feed carries are made (``"render"``).

    Raises:
        PostErrors: invalid posts (nothing is written).
        IdChangeError: an entry readers already have would get a new id (nothing
            is written).
        LockError: another build is writing to the output folder (nothing is written).
        OutputError: a file could not be written (no feed is changed).
    """
    _fs.refuse_nul(site.output_dir)
    # A build makes some hundred thousand small objects and no reference cycles: the
    # cycle collector would only walk them again and again (a tenth of a cold build
    # of 10,000 posts). It is paused for the build and then restored.
    collecting = gc.isenabled()
    gc.disable()
    workers = Workers(jobs)
    cache = _open_cache(site, write=not check)
    try:
        return _build(
            site, posts, drafts, future, check, allow_id_change, now, cache, workers, progress
        )
    finally:
        workers.close()
        if cache is not None:
            cache.close()
        if collecting:
            gc.enable()


def _build(
    site: Site,
    posts: Sequence[Post] | None,
    drafts: bool,
    future: bool,
    check: bool,
    allow_id_change: bool,
    now: datetime | None,
    cache: _cache.Cache | None,
    workers: Workers,
    progress: Progress | None,
) -> BuildResult:
    archive: Archive | None = None
    if posts is None:
        archive = scan(site, cache, workers, progress=progress)
        posts = archive.posts
    published, left_out = select(posts, drafts=drafts, future=future, now=now)
    maker = EntryMaker(site, read_body=archive.read_body if archive is not None else read_body)
    shown = _shown(site, published)
    needed = [post for _, tagged in shown.values() for post in _limited(site, tagged)]
    prepared = prepare(
        site,
        needed,
        maker,
        cache=cache,
        archive=archive,
        workers=workers,
        progress=progress,
        formats=site.formats,
    )
    made = {folder: _feed(site, tagged, maker, tag) for folder, (tag, tagged) in shown.items()}
    keys: dict[int, str] = {}
    posts_of: dict[int, Post] = {}  # by id() of their entries, which `made` keeps alive
    for post in needed:
        entry, key = maker.entry(post), maker.key(post)
        posts_of[id(entry)] = post
        if key is not None:
            keys[id(entry)] = key
    paths = {
        site.output_dir / folder / FORMATS[name].filename: (feed, name)
        for folder, feed in made.items()
        for name in site.formats
    }
    page = site.output_dir / PAGE_FILENAME
    result = BuildResult(
        output_dir=site.output_dir,
        published=tuple(published),
        left_out=tuple(left_out),
        warnings=site.warnings + tuple(w for post in posts for w in post.warnings),
    )

    def compare() -> tuple[dict[Path, bytes], list[Path], int]:
        outputs = Outputs(
            paths,
            cache,
            keys=keys,
            pieces=prepared.pieces,
            complete=lambda entries: complete(entries, posts_of, maker, cache, prepared.body_keys),
        )
        if not allow_id_change:
            check_ids(site, published, made, known=outputs.published)
        changed = outputs.changed(workers)
        page_bytes = render_page(site, made)
        if _fs.read_if_exists(page) != page_bytes:
            changed[page] = page_bytes
        extra = sorted(set(_owned_files(site.output_dir)) - {*paths, page})
        return changed, extra, len(prepared.pieces) + outputs.formatted

    if check:
        changed, extra, formatted = compare()
        stale = [(path, "missing" if not path.exists() else "stale") for path in changed]
        stale += [(path, "extra") for path in extra]
        return replace(
            result,
            stale=tuple(sorted(stale)),
            renders=maker.renders,
            formatted=formatted,
            checked=True,
        )
    if _paths.exists(site.output_dir) and not _paths.is_dir(site.output_dir):
        raise OutputError(site.output_dir, "the output folder is a file")
    # Compare and write under the lock, so that two builds never interleave.
    with _lock.hold(site.output_dir):
        changed, extra, formatted = compare()
        _fs.remove_stale_temps(site.output_dir)
        _fs.commit(changed, extra, root=site.output_dir)
    if cache is not None:
        if archive is not None:
            archive.save(cache)
        cache.commit()
    return replace(
        result,
        written=tuple(sorted(changed)),
        unchanged=tuple(sorted({*paths, page} - set(changed))),
        removed=tuple(extra),
        renders=maker.renders,
        formatted=formatted,
    )


def _open_cache(site: Site, *, write: bool) -> _cache.Cache | None:
    if site.cache_dir is None:
        return None
    fingerprint = _cache.fingerprint(markup.renderer_settings(), _yaml.LOADER)
    return _cache.Cache.open(site.cache_dir, fingerprint, write=write)


def _feed(site: Site, posts: Sequence[Post], maker: EntryMaker, tag: str | None) -> Feed:
    entries: tuple[Entry, ...] = tuple(maker.entry(post) for post in _limited(site, posts))
    if tag is None:
        feed_id, title, base = site.url, site.title, site.feeds_base_url
        description = site.description
    else:
        base = tag_url(site, tag_slug(tag))
        feed_id, title = base, f"{site.title}: {tag}"
        description = f"{site.description} (posts tagged {tag})"
    return Feed(
        id=feed_id,
        title=xml_safe(title),
        description=xml_safe(description),
        home_url=site.url,
        base_url=base,
        language=site.language,
        author=safe_author(site.author),
        updated=max((entry.updated for entry in entries), default=None),
        entries=entries,
        tag=tag,
        hub=site.hub,
    )


def _owned_files(folder: Path) -> list[Path]:
    """The files postfeed would own in ``folder``: feeds top-level and per-tag, and
    the page."""
    names = {fmt.filename for fmt in FORMATS.values()}
    found = [folder / name for name in names | {PAGE_FILENAME} if (folder / name).is_file()]
    tags = folder / "tags"
    if tags.is_dir():
        found += [path for path in tags.glob("*/*") if path.name in names and path.is_file()]
    return found
