"""The build: read the posts, choose and order them, plan the feeds and their
archive pages, then check them against the output folder or write only what
changed, each file as it is made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path, PurePosixPath

from . import _cache, _lastbuild, _paths
from ._workers import COLLECTOR, SWITCH, WARM_FILES, Workers, leave_to_exit
from .errors import OutputError, PostErrors
from .formats import FORMATS, head_tails
from .model import ArchivePage, Entry, Feed, PlannedFeed, Post, Progress, Site
from .planning.families import FAMILIES
from .planning.plan import ARCHIVE, Plan, main_feed, plan, tag_feed
from .reading import _yaml, sources
from .reading._records import Identity
from .reading.post import read_body
from .reading.scan import Archive, Survey, scan, survey
from .rendering import markup, memo
from .rendering._documents import Document, Outputs
from .rendering._prepare import Entries, Slot, get_ready
from .rendering.entries import EntryMaker, Facts, safe_author
from .rendering.page import PAGE_ENTRIES, PAGE_FILENAME, render_page
from .urls import post_id
from .writing import _fs, _lock
from .writing.idguard import ArchiveView, check_ids
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

    ``published`` are the posts published, newest first. After a build that found,
    from the cache's record of the last build, that nothing changed, they are made
    from the cache when first looked at (their number is known at once).
    """

    output_dir: Path
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    left_alone: tuple[Path, ...] = ()
    stale: tuple[tuple[Path, str], ...] = ()
    published: Sequence[Post] = ()
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
    made = _feed(planned, EntryMaker(site, memo.memo, read_body=read_body))
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

    Loads the posts when ``posts`` is None. Posts dated in the future are
    published with ``future`` or ``site.future``. Each file is written beside its old
    one as it is made, and then only files whose bytes changed are swapped in,
    atomically and all or nothing, and feed files no longer produced (a tag no
    longer used) are removed. With ``check`` nothing is written, not even to the
    cache. Unless ``allow_id_change``, the id guard first compares the new feeds
    and archive pages with those already in the output folder.

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
    now = now if now is not None else datetime.now(UTC)
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
    now: datetime,
    cache: _cache.Cache | None,
    workers: Workers,
    progress: Progress | None,
) -> BuildResult:
    archive: Archive | None = None
    read_warnings: tuple[str, ...] = ()
    if posts is None:
        if site.source == "postfeed":
            found = survey(site)
            if cache is not None and found is not None:
                quick = _unchanged(site, cache, found, drafts, future, check, now)
                if quick is not None:
                    return quick
            if found is not None and (workers.jobs is not None or len(found.files) >= WARM_FILES):
                # A build not found unchanged has entries to make, most often: a worker
                # gets ready to make them (importing the formats' code and Python-Markdown)
                # while this process scans.
                workers.warm(get_ready, site.markdown, site.formats)
            archive = scan(site, cache, workers, progress=progress, survey=found)
            leave_to_exit(archive)
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
    now: datetime,
    cache: _cache.Cache | None,
    workers: Workers,
    progress: Progress | None,
) -> BuildResult:
    published, left_out = select(posts, site=site, drafts=drafts, future=future, now=now)
    planned = plan(site, published)
    entries = Entries(
        site,
        _variants(planned, published),
        read_body=archive.read_body if archive is not None else read_body,
        cache=cache,
        archive=archive,
    )
    documents, archives = _documents(site, planned, entries)
    leave_to_exit(planned, entries, documents, archives)
    main_summary = planned.main.content == "summary"
    # The page lists the newest entries of the main feed (a feed of every post may
    # have thousands): only their summaries are needed.
    listed = [
        entries.slot(post, summary_only=main_summary) for post in planned.main.posts[:PAGE_ENTRIES]
    ]
    page = site.output_dir / PAGE_FILENAME
    manifest = site.output_dir / MANIFEST_NAME
    owned = {*(doc.path for doc in documents), page}
    result = BuildResult(
        output_dir=site.output_dir,
        published=tuple(published),
        left_out=tuple(left_out),
        warnings=warnings,
    )

    def compare(staging: _fs.Staging | None) -> _Compared:
        outputs = Outputs(documents, cache, root=site.output_dir if staging else None)
        leave_to_exit(outputs)
        outputs.decide()

        def guard() -> None:
            # An entry whose post expired leaves its feeds on purpose.
            expired = {post_id(site, left.post) for left in left_out if left.reason == "expired"}
            check_ids(
                site,
                published,
                _guarded(site, planned, documents, outputs),
                archives=archives,
                known=outputs.published,
                same=outputs.unchanged,
                retired=expired,
            )

        wanted = outputs.plan()
        entries.summaries(listed)
        made = entries.make(wanted, summaries=listed, workers=workers, progress=progress)

        def placed() -> None:
            # Every entry is made: nothing is left for the workers, whose memory is freed
            # first. Then the scan's records are staged in the cache while the last kept
            # entries are copied: its transaction is committed once the files are in
            # place, or not at all.
            workers.close()
            if staging is not None and cache is not None and archive is not None:
                archive.save(cache)

        # The threads that copy and flush files in the background take the interpreter
        # lock at short intervals while this one works, once the pool is stopped too.
        SWITCH.hold()
        try:
            # The id guard runs while the first kept entries are copied, before any is made.
            written = outputs.write(
                made,
                staging,
                meanwhile=None if allow_id_change else guard,
                heads=partial(workers.call, head_tails) if workers.warmed else None,
                placed=placed,
            )
        finally:
            SWITCH.release()
        small: dict[Path, bytes] = {}
        main = _resolved(planned.main, tuple(slot.entry() for slot in listed))
        page_bytes = render_page(site, tuple(planned), main)
        if _fs.read_if_exists(page) != page_bytes:
            small[page] = page_bytes
        ours, others = written_before(
            site.output_dir, (family.folder for family in FAMILIES), site.feeds_base_url
        )
        new = {path.relative_to(site.output_dir) for path in owned}
        listing = manifest_bytes(new)
        if _fs.read_if_exists(manifest) != listing:
            small[manifest] = listing
        extra = sorted(
            path
            for path in (site.output_dir / name for name in ours)
            if path not in owned and path.is_file()
        )
        alone = sorted(
            path for path in (site.output_dir / name for name in others) if path not in owned
        )
        both = manifest_bytes(new | ours)
        return _Compared(outputs, written, small, extra, alone, both, page_bytes, listing)

    if check:
        found = compare(None)
        changed = [*found.written, *found.small]
        stale = [(path, "missing" if not path.exists() else "stale") for path in changed]
        stale += [(path, "extra") for path in found.extra]
        return replace(
            result,
            stale=tuple(sorted(stale)),
            left_alone=tuple(found.alone),
            renders=entries.renders,
            formatted=entries.formatted,
            checked=True,
        )
    if _paths.exists(site.output_dir) and not _paths.is_dir(site.output_dir):
        raise OutputError(site.output_dir, "the output folder is a file")
    # Compare and write under the lock, so that two builds never interleave.
    with _lock.hold(site.output_dir):
        _fs.remove_stale_temps(site.output_dir)
        staging = _fs.Staging(site.output_dir)
        try:
            found = compare(staging)
        except BaseException:
            staging.abandon()
            raise
        try:
            try:
                _commit(staging, found.small, found.extra, found.both)
            except BaseException:
                staging.abandon()
                raise
            trusted = found.outputs.save(extra={page: found.page, manifest: found.manifest})
            changed = [*found.written, *found.small]
            result = replace(
                result,
                written=tuple(sorted(changed)),
                unchanged=tuple(sorted({*owned, manifest} - set(changed))),
                removed=tuple(found.extra),
                left_alone=tuple(found.alone),
                renders=entries.renders,
                formatted=entries.formatted,
            )
            if cache is not None:
                _remember(site, cache, archive, result, trusted, drafts=drafts, future=future)
                cache.commit()
        finally:
            staging.close()  # the old files replaced are deleted meanwhile
    return result


def _remember(
    site: Site,
    cache: _cache.Cache,
    archive: Archive | None,
    result: BuildResult,
    trusted: dict[Path, Identity],
    *,
    drafts: bool,
    future: bool,
) -> None:
    """Keep in the cache, for a site's own posts folder, the record of what this build
    wrote (see :mod:`postfeed._lastbuild`); not yet committed."""
    if archive is not None:
        record = _lastbuild.record(
            site,
            archive,
            cache,
            given=_lastbuild.inputs(site, drafts=drafts, future=future),
            outputs={path: trusted.get(path) for path in [*result.written, *result.unchanged]},
            published=result.published,
            left_out=[(left.post, left.reason) for left in result.left_out],
            future=future or site.future,
            warnings=result.warnings,
        )
        _lastbuild.save(cache, site, record)


@dataclass(frozen=True, slots=True)
class _Compared:
    """What comparing a build with its output folder found: the feed files whose
    bytes change (staged, when writing), the other files that change with their
    bytes, the files to remove and those left alone, the list of written files
    naming both the old and the new ones, and the page and the list as they are to be."""

    outputs: Outputs
    written: list[Path]
    small: dict[Path, bytes]
    extra: list[Path]
    alone: list[Path]
    both: bytes
    page: bytes
    manifest: bytes


def _unchanged(
    site: Site,
    cache: _cache.Cache,
    found: Survey,
    drafts: bool,
    future: bool,
    check: bool,
    now: datetime,
) -> BuildResult | None:
    """What a build would report when the cache's record of the last build into the
    output folder shows, without reading a post, that it would change nothing (see
    :mod:`postfeed._lastbuild`); None when a full build must tell."""
    given = _lastbuild.inputs(site, drafts=drafts, future=future)

    def look() -> BuildResult | None:
        recorded = _lastbuild.check(cache, site, given, now, found)
        if recorded is None:
            return None
        record, snapshot = recorded
        output = site.output_dir
        files = {Path(path) for path, _ in record.outputs}
        # The list of files written, as recorded, names these files alone: none is to go.
        _, others = written_before(
            output, (family.folder for family in FAMILIES), site.feeds_base_url
        )
        names = [name for name, _ in record.left_out]
        made = {post.source.name: post for post in snapshot.posts(names) if post.source}
        if any(name not in made for name in names):
            return None

        def published() -> list[Post]:
            posts = snapshot.posts()
            return select(posts, site=site, drafts=drafts, future=future, now=now)[0]

        result = BuildResult(
            output_dir=output,
            left_alone=tuple(
                sorted(p for p in (output / name for name in others) if p not in files)
            ),
            published=_lastbuild.Published(record.published, published),
            left_out=tuple(LeftOut(made[name], reason) for name, reason in record.left_out),
            warnings=record.warnings,
        )
        if check:
            return replace(result, checked=True)
        return replace(result, unchanged=tuple(sorted(files)))

    if check:
        return look()
    if not _paths.is_dir(site.output_dir):
        return None  # it holds no feed, or is a file: a full build says which
    with _lock.hold(site.output_dir):
        result = look()
        if result is not None:
            _fs.remove_stale_temps(site.output_dir)
        return result


def _variants(planned: Plan, published: Sequence[Post]) -> list[tuple[Post, bool]]:
    """Each post some feed or archive page shows, with whether it is shown summary-only
    (a post may be both), newest first."""
    wanted: dict[str, set[bool]] = {}
    for feed in planned:
        summary_only = feed.content == "summary"
        for post in (*feed.posts, *(post for page in feed.pages for post in page.posts)):
            wanted.setdefault(post.slug, set()).add(summary_only)
    return [
        (post, summary_only)
        for post in published
        if post.slug in wanted
        for summary_only in sorted(wanted[post.slug])
    ]


def _documents(
    site: Site, planned: Plan, entries: Entries
) -> tuple[list[Document], list[ArchiveView]]:
    """Every file of the plan but the page and the list: each feed and each archive
    page in each of its formats; and each archive, for the id guard."""
    documents: list[Document] = []
    archives: list[ArchiveView] = []

    def add(
        folder: PurePosixPath, head: Feed, slots: tuple[Slot, ...], names: Sequence[str]
    ) -> None:
        for name in names:
            path = site.output_dir / folder / FORMATS[name].filename
            documents.append(Document(path, name, head, slots))

    for feed in planned:
        summary_only = feed.content == "summary"

        def slots_of(posts: Sequence[Post], summary_only: bool = summary_only) -> tuple[Slot, ...]:
            return tuple(entries.slot(post, summary_only=summary_only) for post in posts)

        add(feed.path, _resolved(feed, ()), slots_of(feed.posts), feed.formats)
        pages = [slots_of(page.posts) for page in feed.pages]
        for page, slots in zip(feed.pages, pages, strict=True):
            add(page.path, _page(feed, page, ()), slots, feed.formats)
        if pages:

            def ids(number: int, pages: list[tuple[Slot, ...]] = pages) -> list[str]:
                return [slot.facts.id for slot in pages[number - 1]]

            counts = tuple(len(slots) for slots in pages)
            archives.append(
                ArchiveView(PurePosixPath(feed.path, ARCHIVE), feed.archive, counts, ids)
            )
    return documents, archives


def _guarded(
    site: Site, planned: Plan, documents: Sequence[Document], outputs: Outputs
) -> dict[PurePosixPath, list[Facts]]:
    """Each feed whose files may change, by folder, with its entries' facts, for the id
    guard."""
    by_path = {doc.path: doc for doc in documents}
    feeds = {}
    for feed in planned:
        found = [
            by_path[site.output_dir / feed.path / FORMATS[name].filename] for name in feed.formats
        ]
        if not any(outputs.unchanged(doc.path) for doc in found):
            feeds[feed.path] = [slot.facts for slot in found[0].slots]
    return feeds


def _commit(staging: _fs.Staging, small: dict[Path, bytes], extra: list[Path], both: bytes) -> None:
    """Write and remove files, all or nothing, so that however the process ends, the
    list of files postfeed wrote names every one of them still on disk: when the list
    changes, it first goes in naming the old files and the new (``both``), before any
    other file is swapped in, and is cut to the new ones once the old ones are gone."""
    manifest = staging.root / MANIFEST_NAME
    final = small.get(manifest)
    if final is None or final == both:
        for path, data in small.items():
            staging.add(path, data)
        staging.commit(extra)
        return
    # Files to remove are only moved aside before the first swap, the list's.
    staging.add(manifest, both)
    for path, data in small.items():
        if path != manifest:
            staging.add(path, data)
    staging.commit(extra, first=[manifest])
    _fs.commit({manifest: final}, root=staging.root)


def _open_cache(site: Site, *, write: bool) -> _cache.Cache | None:
    if site.cache_dir is None:
        return None
    fingerprint = _cache.fingerprint(markup.renderer_settings(site.markdown), _yaml.LOADER)
    return _cache.Cache.open(site.cache_dir, fingerprint, write=write)


def _feed(planned: PlannedFeed, maker: EntryMaker) -> Feed:
    """A planned feed with its entries, ready for any format."""
    summary_only = planned.content == "summary"
    return _resolved(
        planned, tuple(maker.entry(post, summary_only=summary_only) for post in planned.posts)
    )


def _resolved(planned: PlannedFeed, entries: tuple[Entry, ...]) -> Feed:
    """The subscription document of a planned feed, with these entries (and the date of
    the newest)."""
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
        # RFC 5005 section 4: the subscription document leads to the newest archive page.
        prev_archive=planned.pages[-1].base_url if planned.pages else None,
    )


def _page(planned: PlannedFeed, page: ArchivePage, entries: tuple[Entry, ...]) -> Feed:
    """An archive page of a planned feed (RFC 5005 section 4), with these entries (and
    the date of the newest): it is part of the feed, and leads to the feed itself and
    to the pages either side. It has no hub: it does not change."""
    pages = planned.pages
    return replace(
        _resolved(planned, entries),
        base_url=page.base_url,
        hub=None,
        archive=True,
        current=planned.base_url,
        prev_archive=pages[page.number - 2].base_url if page.number > 1 else None,
        next_archive=pages[page.number].base_url if page.number < len(pages) else None,
    )
