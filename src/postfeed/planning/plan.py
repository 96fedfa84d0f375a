"""The plan: every feed a build writes, as values, from the site and its published
posts. The main feed, one feed per member of each family the site turns on, and
the custom feeds of the configuration; two feeds in one folder are an error. Pure:
no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from unicodedata import normalize

from .._text import xml_safe
from ..errors import ConfigError, PostError, PostErrors, SourceError
from ..model import ArchivePage, Content, CustomFeed, PlannedFeed, Post, Selection, Site
from ..urls import feed_url
from .families import FAMILIES, TAGS, Family

#: The folder of the main feed.
MAIN = PurePosixPath(".")
#: The folder, in a feed's folder, of its archive pages (one sub-folder per page).
ARCHIVE = "archive"
#: A member's slug names its feed's folder; file systems allow 255 bytes per name.
MAX_SLUG = 200


@dataclass(frozen=True, slots=True)
class Plan:
    """The feeds of one build, the main feed first, each family's in folder order,
    then the custom feeds in the configuration's order."""

    feeds: tuple[PlannedFeed, ...]
    _by_path: dict[PurePosixPath, PlannedFeed] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {feed.path: feed for feed in self.feeds})

    def __iter__(self) -> Iterator[PlannedFeed]:
        return iter(self.feeds)

    def __len__(self) -> int:
        return len(self.feeds)

    @property
    def main(self) -> PlannedFeed:
        """The site's main feed."""
        return self.feeds[0]

    def get(self, path: PurePosixPath | str) -> PlannedFeed | None:
        """The feed planned in ``path`` (a folder under the output folder), if any."""
        return self._by_path.get(PurePosixPath(str(path).strip("/") or "."))


def plan(site: Site, published: Sequence[Post]) -> Plan:
    """The feeds a build of ``published`` (newest first) writes.

    Posts marked ``in_feeds: false`` are in none of them.

    Raises:
        PostErrors: a name no folder can be made from, two spellings of one name,
            or two feeds in one folder; every problem, with the posts or the
            configuration line at fault.
    """
    shown = [post for post in published if post.in_feeds]
    errors: list[SourceError] = []
    feeds = [main_feed(site, shown)]
    for family in FAMILIES:
        if family.enabled(site):
            feeds += family_feeds(site, family, shown, errors)
    feeds += [custom_feed(site, custom, shown) for custom in site.feeds]
    errors += _collisions(site, feeds)
    if errors:
        raise PostErrors(errors)
    return Plan(tuple(feeds))


def main_feed(site: Site, shown: Sequence[Post]) -> PlannedFeed:
    """The site's main feed."""
    return _planned(
        site,
        MAIN,
        family="main",
        label=site.title,
        title=site.title,
        description=site.description,
        feed_id=site.url,
        posts=shown,
        language=site.language,
        archive=site.archive,
    )


def tag_feed(site: Site, shown: Sequence[Post], tag: str) -> PlannedFeed:
    """The feed of one tag, whether or not the site turns tag feeds on."""
    tagged = [post for post in shown if tag in post.tags]
    return _member_feed(site, TAGS, TAGS.slug(tag), tag, tagged)


def family_feeds(
    site: Site, family: Family, shown: Sequence[Post], errors: list[SourceError]
) -> list[PlannedFeed]:
    """One feed per member of ``family`` among the ``shown`` posts, in folder order.
    A name no folder can be made from, or two names for one folder, is added to
    ``errors`` (unless the family merges them) and gets no feed."""
    members = family.memberships(site)
    groups: dict[str, list[Post]] = {}  # by spelling, newest first
    labels: dict[str, str] = {}  # by spelling, the name its feed is labelled with
    for post in shown:
        for name, spelling in members(post):
            found = groups.get(spelling)
            if found is None:
                groups[spelling] = [post]
                labels[spelling] = name
            elif found[-1] is not post:
                found.append(post)
    spellings: dict[str, list[str]] = {}  # by slug
    for spelling in groups:
        spellings.setdefault(family.slug(spelling), []).append(spelling)
    clash = any(
        not _same(labels[named[0]], labels[other])
        for named in spellings.values()
        for other in named[1:]
    )
    if (clash and not _merges(site, family)) or not all(_usable(slug) for slug in spellings):
        errors += _naming_problems(site, family, shown)
        return []
    if not family.single and len(spellings) < 2:
        return []
    feeds = []
    for slug in sorted(spellings):
        named = spellings[slug]
        posts = groups[named[0]]
        if len(named) > 1:  # one name in several spellings: the posts of all, in order
            posts = [
                post
                for post in shown
                if any(family.slug(spelling) == slug for _, spelling in members(post))
            ]
        feeds.append(_member_feed(site, family, slug, labels[named[0]], posts))
    return feeds


def custom_feed(site: Site, custom: CustomFeed, shown: Sequence[Post]) -> PlannedFeed:
    """A feed the configuration asks for by name."""
    posts = [
        post
        for post in shown
        if _picks(site, custom.select, post, every=True)
        and not _picks(site, custom.exclude, post, every=False)
    ]
    languages = custom.select.languages
    path = PurePosixPath(custom.path)
    return _planned(
        site,
        path,
        family="custom",
        label=custom.title,
        title=custom.title,
        description=custom.description or site.description,
        feed_id=feed_url(site, path),
        posts=posts,
        limit=custom.limit,
        content=custom.content,
        formats=custom.formats,
        language=languages[0] if len(languages) == 1 else site.language,
        archive=custom.archive,
    )


def _member_feed(
    site: Site, family: Family, slug: str, name: str, posts: Sequence[Post]
) -> PlannedFeed:
    path = PurePosixPath(family.folder, slug)
    return _planned(
        site,
        path,
        family=family.name,
        label=name,
        title=family.title(site, name),
        description=family.description(site, name),
        feed_id=feed_url(site, path),
        posts=posts,
        language=name if family.merge else site.language,
        archive=site.family_archive.get(family.name, 0),
    )


def _planned(
    site: Site,
    path: PurePosixPath,
    *,
    family: str,
    label: str,
    title: str,
    description: str,
    feed_id: str,
    posts: Sequence[Post],
    limit: int | None = None,
    content: Content | None = None,
    formats: tuple[str, ...] | None = None,
    language: str | None = None,
    archive: int = 0,
) -> PlannedFeed:
    count = site.limit if limit is None else limit
    return PlannedFeed(
        path=path,
        family=family,
        label=xml_safe(label),
        title=xml_safe(title),
        description=xml_safe(description),
        id=feed_id,
        base_url=feed_url(site, path),
        home_url=site.url,
        language=language,
        author=site.author,
        posts=tuple(posts[:count] if count else posts),
        content=content or site.content,
        formats=formats or site.formats,
        hub=site.hub,
        archive=archive,
        pages=archive_pages(site, path, posts, archive) if archive else (),
    )


def archive_pages(
    site: Site, path: PurePosixPath, posts: Sequence[Post], size: int
) -> tuple[ArchivePage, ...]:
    """The archive pages of a feed's ``posts`` (newest first), ``size`` posts a page
    counted from the oldest, so that every page but the newest is full: oldest first."""
    pages = []
    count = len(posts)
    for number, start in enumerate(range(0, count, size), 1):
        # The oldest posts are at the end: page 1 is the last ``size`` of them.
        newest, oldest = max(0, count - start - size), count - start
        folder = PurePosixPath(path, ARCHIVE, str(number))
        pages.append(
            ArchivePage(
                number=number,
                path=folder,
                base_url=feed_url(site, folder),
                posts=tuple(posts[newest:oldest]),
            )
        )
    return tuple(pages)


def _picks(site: Site, selection: Selection, post: Post, *, every: bool) -> bool:
    """With ``every``, whether the post meets every criterion of ``selection`` (an
    empty selection picks every post); else whether it meets any of them."""
    checks = []
    if selection.tags:
        checks.append(any(tag in selection.tags for tag in post.tags))
    if selection.categories:
        checks.append(any(c in selection.categories for c in post.categories))
    if selection.authors:
        names = {author.name for author in post.authors or (site.author,) if author}
        keys = {key for key, author in site.authors.items() if author.name in names}
        checks.append(bool((names | keys) & set(selection.authors)))
    if selection.languages:
        language = (post.lang or site.language or "").lower()
        checks.append(language in {wanted.lower() for wanted in selection.languages})
    return all(checks) if every else any(checks)


def _usable(slug: str) -> bool:
    return bool(slug) and len(slug.encode("utf-8")) <= MAX_SLUG


def _naming_problems(site: Site, family: Family, shown: Sequence[Post]) -> list[SourceError]:
    """Names no folder can be made from, and (unless the family merges them) two
    names for one folder, each reported where a post names it."""
    errors: list[SourceError] = []
    first: dict[str, tuple[str, Post]] = {}
    members = family.memberships(site)
    # In file order, so that the message names the same first post every time.
    for post in sorted(shown, key=_file_order):
        where, key, line = _where(site, family, post)
        for name, spelling in members(post):
            slug = family.slug(spelling)
            if not slug:
                message = f"{key}: {name!r} has no letter or digit to name its feed by"
                errors.append(PostError(where, line, message))
                continue
            size = len(slug.encode("utf-8"))
            if size > MAX_SLUG:
                short = name if len(name) <= 40 else name[:40] + "..."
                message = (
                    f"{key}: {short!r} is too long to name its feed folder"
                    f" ({size} bytes; at most {MAX_SLUG})"
                )
                errors.append(PostError(where, line, message))
                continue
            first_name, first_post = first.setdefault(slug, (name, post))
            if not _same(first_name, name) and not _merges(site, family):
                message = (
                    f"{key}: {name!r} and {first_name!r} (in"
                    f" {_where(site, family, first_post)[0]}) both map to the {family.what}"
                    f" feed {slug!r}; spell them the same"
                )
                errors.append(PostError(where, line, message))
    return errors


def _merges(site: Site, family: Family) -> bool:
    """Whether names that give one folder are one feed rather than an error: always
    for a family that says so (language tags ignore case), and for a site generator's
    site, whose authors cannot spell them the same without changing their own URLs
    (Jekyll keeps ``distributed systems`` and ``distributed-systems`` apart)."""
    return family.merge or site.source != "postfeed"


def _same(one: str, other: str) -> bool:
    """Whether two names are one, though written with different Unicode forms
    (a ligature "ﬁ" for "fi", say)."""
    return one == other or normalize("NFKC", one) == normalize("NFKC", other)


def _file_order(post: Post) -> tuple[str, str]:
    return (str(post.source) if post.source is not None else "", post.slug)


def _where(site: Site, family: Family, post: Post) -> tuple[Path, str, int | None]:
    """The file, key and line where a post names its members: its front matter, or
    the configuration (a post with no author of its own has the site's)."""
    for key in family.keys:
        if key in post.lines:
            return _source(post), key, post.lines[key]
    if family.name == "authors" and not post.authors:
        return _config(site), "author", None
    return _source(post), family.keys[0], None


def _collisions(site: Site, feeds: Sequence[PlannedFeed]) -> list[SourceError]:
    """Two feeds planned in one folder: each custom feed involved is reported at the
    configuration's ``feeds`` line."""
    errors: list[SourceError] = []
    customs = {PurePosixPath(custom.path): custom for custom in site.feeds}

    def refuse(feed: PlannedFeed, what: str) -> None:
        custom = customs.get(feed.path)
        line = custom.line if custom is not None else None
        message = f"feeds: {feed.path.as_posix()!r} {what}; give the custom feed another path"
        errors.append(ConfigError(_config(site), line, message))

    by_path: dict[PurePosixPath, PlannedFeed] = {}
    for feed in feeds:
        first = by_path.setdefault(feed.path, feed)
        if first is not feed:
            refuse(feed, f"would hold both {_describe(first)} and {_describe(feed)}")
    archives = {PurePosixPath(feed.path, ARCHIVE): feed for feed in feeds if feed.archive}
    for feed in feeds:
        for folder in (feed.path, *feed.path.parents):
            owner = archives.get(folder)
            if owner is not None:
                where = f"{_describe(owner)} ({folder.as_posix()}/)"
                refuse(feed, f"is inside the archive folder of {where}")
    return errors


def _describe(feed: PlannedFeed) -> str:
    if feed.family == "custom":
        return f"the custom feed {feed.title!r}"
    if feed.family == "main":
        return "the main feed"
    what = next(family.what for family in FAMILIES if family.name == feed.family)
    return f"the feed of the {what} {feed.label!r}"


def _source(post: Post) -> Path:
    return post.source if post.source is not None else Path(post.slug)


def _config(site: Site) -> Path:
    return site.config_path if site.config_path is not None else Path("postfeed.yaml")
