"""Choose and order posts, render every feed in memory, then write only what changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from . import _fs, _lock
from .errors import OutputError
from .formats import FORMATS
from .idguard import check_ids
from .markup import xml_safe
from .model import Entry, Feed, Post, Progress, Site
from .page import PAGE_FILENAME, render_page
from .posts import load_posts
from .resolve import EntryMaker, safe_author, tag_slug, tag_url


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A post that is not published, and why ("draft" or "future")."""

    post: Post
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    """What a build did, or in check mode what it would do.

    ``stale`` lists, in check mode, each feed file that is ``missing``, ``stale``
    or ``extra``; a check passes when it is empty.
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


def feeds(
    site: Site, posts: Sequence[Post], maker: EntryMaker | None = None
) -> dict[PurePosixPath, Feed]:
    """Every feed of the site, by its folder relative to the output folder.

    ``posts`` are the published posts, newest first. Only posts within some
    feed's ``limit`` are rendered.
    """
    maker = maker if maker is not None else EntryMaker(site)
    return {
        folder: _feed(site, chosen, maker, tag)
        for folder, (tag, chosen) in _feed_posts(site, posts).items()
    }


def _feed_posts(
    site: Site, posts: Sequence[Post]
) -> dict[PurePosixPath, tuple[str | None, Sequence[Post]]]:
    """Each feed's folder, its tag (None for the main feed) and its posts within ``limit``."""
    result: dict[PurePosixPath, tuple[str | None, Sequence[Post]]] = {
        PurePosixPath("."): (None, _limited(site, posts))
    }
    if site.tag_feeds:
        names: dict[str, str] = {}
        for post in posts:
            for tag in post.tags:
                names.setdefault(tag_slug(tag), tag)
        for slug, name in sorted(names.items()):
            tagged = [post for post in posts if name in post.tags]
            result[PurePosixPath("tags", slug)] = (name, _limited(site, tagged))
    return result


def _limited(site: Site, posts: Sequence[Post]) -> Sequence[Post]:
    return posts[: site.limit] if site.limit else posts


def feed_urls(site: Site, posts: Sequence[Post]) -> list[str]:
    """The absolute URL of every feed file a build of ``posts`` (the published posts)
    writes: the main feeds, then each tag's, in the site's format order."""
    folders = [
        site.feeds_base_url if folder == PurePosixPath(".") else tag_url(site, folder.name)
        for folder in _feed_posts(site, posts)
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
    return FORMATS[format].render(_feed(site, ordered, EntryMaker(site), tag))


def render_files(
    site: Site, posts: Sequence[Post], maker: EntryMaker | None = None
) -> dict[PurePosixPath, bytes]:
    """Every output file's bytes (the feeds and index.html), by path relative to the
    output folder."""
    return _render_all(site, feeds(site, posts, maker))


def _render_all(site: Site, site_feeds: dict[PurePosixPath, Feed]) -> dict[PurePosixPath, bytes]:
    files: dict[PurePosixPath, bytes] = {}
    for folder, feed in site_feeds.items():
        for name in site.formats:
            files[folder / FORMATS[name].filename] = FORMATS[name].render(feed)
    files[PurePosixPath(PAGE_FILENAME)] = render_page(site, site_feeds)
    return files


def build(
    site: Site,
    posts: Sequence[Post] | None = None,
    *,
    drafts: bool = False,
    future: bool = False,
    check: bool = False,
    allow_id_change: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site's feeds into its output folder, or with ``check`` compare them.

    Loads the posts when ``posts`` is None. Everything is rendered in memory
    first; then only files whose bytes changed are replaced, atomically and all
    or nothing, and feed files no longer produced (a tag no longer used) are
    removed. With ``check`` nothing is written. Unless ``allow_id_change``, the
    id guard compares the new feeds with those already in the output folder.
    ``progress``, when given, is called as ``progress(stage, done, total)`` while
    posts are read (``"read"``) and while their entries are rendered (``"render"``).

    Raises:
        PostErrors: invalid posts (nothing is written).
        IdChangeError: an entry readers already have would get a new id (nothing
            is written).
        LockError: another build is writing to the output folder (nothing is written).
        OutputError: a file could not be written (no feed is changed).
    """
    _fs.refuse_nul(site.output_dir)
    if posts is None:
        posts = load_posts(site, progress=progress)
    published, left_out = select(posts, drafts=drafts, future=future, now=now)
    maker = EntryMaker(site)
    if progress is not None:
        # Render each entry once up front, so that progress can be counted per post.
        chosen = {
            post.slug: post for _, feed in _feed_posts(site, published).values() for post in feed
        }
        for done, post in enumerate(chosen.values(), 1):
            maker.entry(post)
            progress("render", done, len(chosen))
    site_feeds = feeds(site, published, maker)
    if not allow_id_change:
        check_ids(site, published, site_feeds)
    files = {site.output_dir / rel: data for rel, data in _render_all(site, site_feeds).items()}
    result = BuildResult(
        output_dir=site.output_dir,
        published=tuple(published),
        left_out=tuple(left_out),
        warnings=site.warnings + tuple(w for post in posts for w in post.warnings),
        renders=maker.renders,
    )
    if check:
        changed, extra = _compare(site.output_dir, files)
        stale = [(path, "missing" if not path.exists() else "stale") for path in changed]
        stale += [(path, "extra") for path in extra]
        return replace(result, stale=tuple(sorted(stale)), checked=True)
    if site.output_dir.exists() and not site.output_dir.is_dir():
        raise OutputError(site.output_dir, "the output folder is a file")
    # Compare and write under the lock, so that two builds never interleave.
    with _lock.hold(site.output_dir):
        changed, extra = _compare(site.output_dir, files)
        _fs.remove_stale_temps(site.output_dir)
        _fs.commit(changed, extra, root=site.output_dir)
    return replace(
        result,
        written=tuple(sorted(changed)),
        unchanged=tuple(sorted(set(files) - set(changed))),
        removed=tuple(extra),
    )


def _compare(folder: Path, files: dict[Path, bytes]) -> tuple[dict[Path, bytes], list[Path]]:
    """The files whose bytes differ from those on disk, and the owned files no longer made."""
    changed = {path: data for path, data in files.items() if _fs.read_if_exists(path) != data}
    return changed, sorted(set(_owned_files(folder)) - set(files))


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
