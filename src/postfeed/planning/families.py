"""The families of feeds: one feed per tag, category, author or language. Each family
says how a post belongs to its feeds and what a feed of it is called; the planner
does the rest. Pure functions; no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .._text import tag_slug
from ..model import Post, Site

#: A member of a family: the name people read (a tag, an author's name) and the
#: spelling its folder is made from (the name, or an author's key in the site's table).
Member = tuple[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Family:
    """One kind of feed a site can have one of per tag, category, author or language.

    ``folder`` holds the family's feeds, one sub-folder each; ``keys`` are the front
    matter keys messages point at; ``memberships(site)`` gives the function that lists
    a post's memberships in that site.
    ``what`` names one member in messages and on the page ("tag"), ``title`` and
    ``description`` make a member feed's, from the site's and the member's name.
    With ``merge``, names whose folders are the same are one member (language tags
    ignore case); without it they are an error, so that one feed never mixes two.
    """

    name: str
    folder: str
    switch: str
    keys: tuple[str, ...]
    what: str
    memberships: Callable[[Site], Callable[[Post], Iterable[Member]]]
    title: Callable[[Site, str], str]
    description: Callable[[Site, str], str]
    merge: bool = False
    #: Whether a site with a single member gets its feed (a one-language site's
    #: language feed would repeat the main feed).
    single: bool = True

    def enabled(self, site: Site) -> bool:
        """Whether the site asks for this family's feeds."""
        enabled: bool = getattr(site, self.switch)
        return enabled

    def slug(self, spelling: str) -> str:
        """The folder name of a member spelled so."""
        return tag_slug(spelling.lower() if self.merge else spelling)


def _tags(site: Site) -> Callable[[Post], Iterable[Member]]:
    return lambda post: [(tag, tag) for tag in post.tags]


def _categories(site: Site) -> Callable[[Post], Iterable[Member]]:
    return lambda post: [(category, category) for category in post.categories]


def _authors(site: Site) -> Callable[[Post], Iterable[Member]]:
    # An author of the site's table is known by its key, wherever a post names them.
    keys: dict[str, str] = {}
    for key, author in site.authors.items():
        keys.setdefault(author.name, key)
    default = (site.author,) if site.author is not None else ()

    def members(post: Post) -> Iterable[Member]:
        return [(a.name, keys.get(a.name, a.name)) for a in post.authors or default]

    return members


def _languages(site: Site) -> Callable[[Post], Iterable[Member]]:
    def members(post: Post) -> Iterable[Member]:
        language = post.lang or site.language
        return [(language, language)] if language else []

    return members


TAGS = Family(
    name="tags",
    folder="tags",
    switch="tag_feeds",
    keys=("tags",),
    what="tag",
    memberships=_tags,
    title=lambda site, name: f"{site.title}: {name}",
    description=lambda site, name: f"{site.description} (posts tagged {name})",
)
CATEGORIES = Family(
    name="categories",
    folder="categories",
    switch="category_feeds",
    keys=("categories",),
    what="category",
    memberships=_categories,
    title=lambda site, name: f"{site.title}: {name}",
    description=lambda site, name: f"{site.description} (posts in the category {name})",
)
AUTHORS = Family(
    name="authors",
    folder="authors",
    switch="author_feeds",
    keys=("authors", "author"),
    what="author",
    memberships=_authors,
    title=lambda site, name: f"{site.title}: {name}",
    description=lambda site, name: f"{site.description} (posts by {name})",
)
LANGUAGES = Family(
    name="languages",
    folder="languages",
    switch="language_feeds",
    keys=("lang",),
    what="language",
    memberships=_languages,
    title=lambda site, name: f"{site.title} ({name})",
    description=lambda site, name: f"{site.description} (posts in {name})",
    merge=True,
    single=False,
)

#: Every family, in the order the page and the plan list them.
FAMILIES = (TAGS, CATEGORIES, AUTHORS, LANGUAGES)
