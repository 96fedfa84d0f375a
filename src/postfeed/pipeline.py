"""The build: read the posts, choose and order them, plan the feeds, render every
planned feed in memory, then check them against the output folder or write only
what changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from . import _cache, _paths
from ._workers import COLLECTOR, Workers
from .errors import OutputError, PostErrors
from .formats import FORMATS
from .model import Entry, Feed, PlannedFeed, Post, Progress, Site
from .planning.families import FAMILIES
from .planning.plan import main_feed, plan, tag_feed
from .reading import _yaml, sources
from .reading.post import read_body
from .reading.scan import Archive, scan
from .rendering import markup, memo
from .rendering._documents import Outputs
from .rendering._prepare import complete, prepare
from .rendering.entries import EntryMaker, safe_author
from .rendering.page import PAGE_FILENAME, render_page
from .urls import post_id
from .writing import _fs, _lock
from .writing.idguard import check_ids
from .writing.manifest import MANIFEST_NAME, manifest_bytes, written_before


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A post that is not published, and why ("draft", "future" or "expired")."""

    post: Post
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    """What a build did, or in check mode what it would do.

    ``stale`` lists, in check mode, each feed file that is ``missing``, ``stale``
    or ``extra``; a check passes when it is empty. ``removed`` are files an
    earlier build wrote that the plan no longer has; ``left_alone`` are
    feed-named files no postfeed build wrote, which are never removed.
    ``renders`` counts the Markdown texts rendered, and ``formatted`` the entries
    formatted (once per format, however many feeds show them) rather than kept
    from the files the last build wrote.
    """

    output_dir: Path
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    left_alone: tuple[Path, ...] = ()
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
    site: Site | None = None,
    drafts: bool = False,
    future: bool = False,
    now: datetime | None = None,
) -> tuple[list[Post], list[LeftOut]]:
    """Split posts into those to publish (newest first) and those left out.

    Posts dated in the future are published with ``future``, or when ``site`` is
    given and its generator publishes them (``site.future``), as a build does.
    ``now`` decides which posts are dated in the future, and which have expired
    (see ``Post.expires``); it is never written into a feed.
    """
    future = future or (site is not None and site.future)
    moment = now if now is not None else datetime.now(UTC)
    published: list[Post] = []
    left_out: list[LeftOut] = []
    for post in order(posts):
        if post.draft and not drafts:
            left_out.append(LeftOut(post, "draft"))
        elif post.published > moment and not future:
            left_out.append(LeftOut(post, "future"))
        elif post.expires is not None and post.expires <= moment:
            left_out.append(LeftOut(post, "expired"))
        else:
            published.append(post)
    return published, left_out


def feed_urls(site: Site, posts: Sequence[Post]) -> list[str]:
    """The absolute URL of every feed file a build of ``posts`` (the published posts,
    newest first) writes: the plan's feeds in order, each in its format order.

    Raises:
        PostErrors: the plan cannot be made (see :func:`postfeed.planning.plan.plan`).
    """
    return [
        feed.base_url + FORMATS[name].filename
        for feed in plan(site, order(posts))
        for name in feed.formats
    ]


def render(
    site: Site,
    posts: Sequence[Post],
    format: str = "atom",
    *,
    tag: str | None = None,
    feed: str | None = None,
) -> bytes:
    """One feed's bytes in ``format`` ("rss", "atom" or "json").

    Publishes exactly the given posts (drafts and future posts included: choose
    them with :func:`select`; posts marked ``in_feeds=False`` never), newest
    first, at most ``site.limit`` of them. With ``tag``, the feed of that tag
    (whether or not the site has tag feeds); with ``feed``, the planned feed in
    that folder under the output folder (``"tags/go"``, ``"authors/mara"``, a
    custom feed's path). What it makes of each post is kept in the process's
    memo (:data:`postfeed.memo`), so that a post is rendered once however often
    its feeds are.

    Raises:
        ValueError: an unknown format, or no feed is planned in ``feed``.
        PostErrors: the plan cannot be made (see :func:`postfeed.planning.plan.plan`).
    """
    return render_feed(site, posts, format, tag=tag, feed=feed)[1]


def render_feed(
    site: Site,
    posts: Sequence[Post],
    format: str = "atom",
    *,
    tag: str | None = None,
    feed: str | None = None,
) -> tuple[Feed, bytes]:
    """The feed :func:`render` renders, and its bytes."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    ordered = order(posts)
    if feed is not None:
        planned = plan(site, ordered).get(feed)
        if planned is None:
            raise ValueError(f"no feed is planned in {feed!r}")
    else:
        shown = [post for post in ordered if post.in_feeds]
        planned = main_feed(site, shown) if tag is None else tag_feed(site, shown, tag)
    made = _feed(planned, EntryMaker(site, read_body=read_body, memo=memo.memo))
    return made, FORMATS[format].render(made)


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

    Loads the posts when ``posts`` is None. Posts dated in the future are published
    with ``future`` or ``site.future``. Everything is rendered in memory
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
    # Paused for the build, in the whole process (see _workers.COLLECTOR), and
    # restored when the last build running in it ends.
    COLLECTOR.hold()
    try:
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
    finally:
        COLLECTOR.release()


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
    read_warnings: tuple[str, ...] = ()
    if posts is None:
        if site.source == "postfeed":
            archive = scan(site, cache, workers, progress=progress)
            posts, read_warnings = archive.posts, archive.warnings
        else:
            try:
                reading = sources.read(site, progress=progress)
            except PostErrors as err:
                raise _noting(err, site.warnings) from err
            posts, read_warnings = reading.posts, reading.warnings
    warnings = site.warnings + read_warnings + tuple(w for post in posts for w in post.warnings)
    try:
        return _publish(
            site,
            posts,
            archive,
            warnings,
            drafts,
            future,
            check,
            allow_id_change,
            now,
            cache,
            workers,
            progress,
        )
    except PostErrors as err:
        raise _noting(err, warnings) from err


def _noting(err: PostErrors, warnings: Sequence[str]) -> PostErrors:
    """``err`` with ``warnings`` too, so that they are shown with its errors."""
    known = set(err.warnings)
    return PostErrors(
        err.errors, warnings=[*(w for w in warnings if w not in known), *err.warnings]
    )


def _publish(
    site: Site,
    posts: Sequence[Post],
    archive: Archive | None,
    warnings: tuple[str, ...],
    drafts: bool,
    future: bool,
    check: bool,
    allow_id_change: bool,
    now: datetime | None,
    cache: _cache.Cache | None,
    workers: Workers,
    progress: Progress | None,
) -> BuildResult:
    published, left_out = select(posts, site=site, drafts=drafts, future=future, now=now)
    planned = plan(site, published)
    read = archive.read_body if archive is not None else read_body
    prepared = prepare(
        site,
        [(post, feed.content == "summary") for feed in planned for post in feed.posts],
        read_body=read,
        cache=cache,
        archive=archive,
        workers=workers,
        progress=progress,
        formats=[name for name in FORMATS if any(name in feed.formats for feed in planned)],
    )
    maker = EntryMaker(site, read_body=read, parts=prepared.parts, keys=prepared.keys)
    feeds = {feed.path: _feed(feed, maker) for feed in planned}
    posts_by_id = {
        entry.id: post
        for feed in planned
        for post, entry in zip(feed.posts, feeds[feed.path].entries, strict=True)
    }
    paths = {
        site.output_dir / feed.path / FORMATS[name].filename: (feeds[feed.path], name)
        for feed in planned
        for name in feed.formats
    }
    page = site.output_dir / PAGE_FILENAME
    manifest = site.output_dir / MANIFEST_NAME
    owned = {*paths, page}
    result = BuildResult(
        output_dir=site.output_dir,
        published=tuple(published),
        left_out=tuple(left_out),
        warnings=warnings,
    )

    def compare() -> tuple[dict[Path, bytes], list[Path], list[Path], int, bytes]:
        outputs = Outputs(
            paths,
            cache,
            pieces=prepared.pieces,
            complete=lambda entries: complete(
                entries, posts_by_id, maker.body_html, cache, prepared.body_keys, site
            ),
        )
        if not allow_id_change:
            # An entry whose post expired leaves its feeds on purpose.
            expired = {post_id(site, left.post) for left in left_out if left.reason == "expired"}
            check_ids(site, published, feeds, known=outputs.published, retired=expired)
        changed = outputs.changed(workers)
        page_bytes = render_page(site, tuple(planned), feeds[planned.main.path])
        if _fs.read_if_exists(page) != page_bytes:
            changed[page] = page_bytes
        ours, others = written_before(
            site.output_dir, (family.folder for family in FAMILIES), site.feeds_base_url
        )
        new = {path.relative_to(site.output_dir) for path in owned}
        listing = manifest_bytes(new)
        if _fs.read_if_exists(manifest) != listing:
            changed[manifest] = listing
        extra = sorted(
            path
            for path in (site.output_dir / name for name in ours)
            if path not in owned and path.is_file()
        )
        alone = sorted(
            path for path in (site.output_dir / name for name in others) if path not in owned
        )
        both = manifest_bytes(new | ours)
        return changed, extra, alone, len(prepared.pieces) + outputs.formatted, both

    if check:
        changed, extra, alone, formatted, _ = compare()
        stale = [(path, "missing" if not path.exists() else "stale") for path in changed]
        stale += [(path, "extra") for path in extra]
        return replace(
            result,
            stale=tuple(sorted(stale)),
            left_alone=tuple(alone),
            renders=prepared.renders + maker.renders,
            formatted=formatted,
            checked=True,
        )
    if _paths.exists(site.output_dir) and not _paths.is_dir(site.output_dir):
        raise OutputError(site.output_dir, "the output folder is a file")
    # Compare and write under the lock, so that two builds never interleave.
    with _lock.hold(site.output_dir):
        changed, extra, alone, formatted, both = compare()
        _fs.remove_stale_temps(site.output_dir)
        _commit(site.output_dir, changed, extra, both)
    if cache is not None:
        if archive is not None:
            archive.save(cache)
        cache.commit()
    return replace(
        result,
        written=tuple(sorted(changed)),
        unchanged=tuple(sorted({*owned, manifest} - set(changed))),
        removed=tuple(extra),
        left_alone=tuple(alone),
        renders=prepared.renders + maker.renders,
        formatted=formatted,
    )


def _commit(folder: Path, changed: dict[Path, bytes], extra: list[Path], both: bytes) -> None:
    """Write and remove files, all or nothing, so that however the process ends, the
    list of files postfeed wrote names every one of them still on disk: when the list
    changes, it first goes in naming the old files and the new (``both``), before any
    other file is swapped in, and is cut to the new ones once the old ones are gone."""
    manifest = folder / MANIFEST_NAME
    final = changed.get(manifest)
    if final is None or final == both:
        _fs.commit(changed, extra, root=folder)
        return
    # Files to remove are only moved aside before the first swap, the list's.
    first = {manifest: both} | {path: data for path, data in changed.items() if path != manifest}
    _fs.commit(first, extra, root=folder)
    _fs.commit({manifest: final}, root=folder)


def _open_cache(site: Site, *, write: bool) -> _cache.Cache | None:
    if site.cache_dir is None:
        return None
    fingerprint = _cache.fingerprint(markup.renderer_settings(site.markdown), _yaml.LOADER)
    return _cache.Cache.open(site.cache_dir, fingerprint, write=write)


def _feed(planned: PlannedFeed, maker: EntryMaker) -> Feed:
    """A planned feed with its entries, ready for any format."""
    summary_only = planned.content == "summary"
    entries: tuple[Entry, ...] = tuple(
        maker.entry(post, summary_only=summary_only) for post in planned.posts
    )
    return Feed(
        id=planned.id,
        title=planned.title,
        description=planned.description,
        home_url=planned.home_url,
        base_url=planned.base_url,
        language=planned.language,
        author=None if planned.author is None else safe_author(planned.author),
        updated=max((entry.updated for entry in entries), default=None),
        entries=entries,
        hub=planned.hub,
    )
