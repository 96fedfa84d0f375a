"""A Jekyll site, read as Jekyll 4.3 and jekyll-feed read it: _config.yml, every
Markdown post under ``_posts`` (and ``<folder>/_posts``, whose folders become
categories) and ``_drafts``, with the date and slug in its file name, its front
matter, permalink and excerpt, and its Liquid, built-ins converted and the rest
left out. Nothing of the site is executed: not its plugins, templates or Liquid.

Sources: Jekyll 4.3's ``document.rb``, ``drops/url_drop.rb``, ``url.rb``,
``utils.rb``, ``configuration.rb``, ``excerpt.rb``, ``filters/url_filters.rb`` and
``tags/{post_url,link,highlight}.rb``; jekyll-feed 0.17's ``feed.xml``.
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from ...errors import ConfigError
from ...model import Author, MarkdownProfile, Post, Progress, Site
from .. import _values
from . import Defaults, Reader, Reading, jekyll_liquid, templates
from ._common import (
    Problem,
    Problems,
    check_unique,
    front_matter,
    instant,
    load_yaml,
    read_each,
    read_text,
)

#: Jekyll's configuration files, in the order it looks for them.
CONFIG_NAMES = ("_config.yml", "_config.yaml")
#: jekyll-feed's posts_limit.
FEED_LIMIT = 10

# document.rb DATE_FILENAME_MATCHER and DATELESS_FILENAME_MATCHER, on a file name.
_DATED = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")
_DATELESS = re.compile(r"^(.*)(\.[^.]+)$")
# configuration.rb STYLE_TO_PERMALINK.
STYLES = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}
# utils.rb slugify modes.
_PRETTY_KEEP = "._~!$&'()+,;=@"
_PLACEHOLDER = re.compile(r":([a-z_]+)")
# Addressable's PCHAR class: what a normalised path segment keeps as it is.
_PCHAR = "!$&'()*+,;=:@-._~"
# kramdown with kramdown-parser-gfm, Jekyll's defaults (configuration.rb "kramdown"):
# GFM input (fenced code, tables, strikethrough, task lists), footnotes, definition
# lists, abbreviations, attribute lists, typographic quotes and symbols.
_EXTENSIONS = (
    "attr_list",
    "md_in_html",
    "abbr",
    "def_list",
    "tables",
    "footnotes",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.tilde",
    "pymdownx.tasklist",
    "smarty",
    "sane_lists",
)
_SETTINGS: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = (
    # Rouge highlights code with classes; here code blocks keep their language class,
    # whether or not Pygments is installed.
    ("pymdownx.highlight", (("use_pygments", False),)),
    ("pymdownx.tilde", (("subscript", False),)),
    ("pymdownx.tasklist", (("custom_checkbox", False), ("clickable_checkbox", False))),
    # kramdown's typographic symbols turn << and >> into guillemets.
    ("smarty", (("smart_angled_quotes", True),)),
)


@dataclass(frozen=True, slots=True)
class _Config:
    """_config.yml's data and where each top-level key is."""

    path: Path
    data: dict[str, Any]
    lines: dict[str, int]

    def where(self, key: str) -> str:
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line else str(self.path)


def configure(folder: Path) -> Defaults:
    """What _config.yml in ``folder`` says about the site.

    Raises:
        ConfigError: there is no _config.yml, or it cannot be read.
    """
    config = _load_config(folder)
    data = config.data
    values: dict[str, object] = {}
    names: dict[str, str] = {}
    lines: dict[str, int] = {}

    def give(key: str, name: str, value: object) -> None:
        if value is None:
            return
        values[key], names[key] = value, name
        line = config.lines.get(name.split(".", 1)[0])
        if line is not None:
            lines[key] = line

    # jekyll-feed: site.title, else site.name.
    give("title", "title" if "title" in data else "name", data.get("title", data.get("name")))
    url = data.get("url")
    if isinstance(url, str) and url:
        baseurl = data.get("baseurl")
        path = baseurl.strip("/") if isinstance(baseurl, str) else ""
        give("url", "url", url.rstrip("/") + "/" + (path + "/" if path else ""))
    else:
        give("url", "url", url)
    give("description", "description", data.get("description"))
    give("timezone", "timezone", data.get("timezone"))
    give("language", "lang", data.get("lang"))
    author = data.get("author")
    if isinstance(author, dict):
        author = {key: author[key] for key in ("name", "email", "uri") if key in author}
    give("author", "author", author)
    feed = data.get("feed")
    limit = feed.get("posts_limit") if isinstance(feed, dict) else None
    give("limit", "feed.posts_limit", FEED_LIMIT if limit is None else limit)
    return Defaults(
        path=config.path,
        values=values,
        names=names,
        lines=lines,
        markdown=MarkdownProfile(
            name="jekyll", extensions=_EXTENSIONS, settings=_SETTINGS, site_root_links=False
        ),
        future=data.get("future") is True,
        warnings=tuple(_unread(config)),
    )


def _load_config(folder: Path) -> _Config:
    for name in CONFIG_NAMES:
        path = folder / name
        if path.is_file():
            data, lines = load_yaml(path)
            return _Config(path, data, lines)
    raise ConfigError(
        folder,
        None,
        "no Jekyll configuration here (_config.yml); set source_dir to the Jekyll site's folder",
    )


def _unread(config: _Config) -> list[str]:
    """Warnings for what _config.yml sets that postfeed does not read."""
    data = config.data
    warnings = []
    markdown = data.get("markdown")
    if isinstance(markdown, str) and markdown.lower() != "kramdown":
        warnings.append(
            f"{config.where('markdown')}: markdown: {markdown} is not read;"
            " posts are rendered as kramdown does"
        )
    kramdown = data.get("kramdown")
    if isinstance(kramdown, dict) and str(kramdown.get("input", "GFM")).lower() != "gfm":
        warnings.append(
            f"{config.where('kramdown')}: kramdown.input: only GFM input is read;"
            " posts are rendered as kramdown's GFM parser does"
        )
    if data.get("defaults"):
        warnings.append(
            f"{config.where('defaults')}: defaults: front matter defaults are not read;"
            " give each post its values"
        )
    if data.get("unpublished") is True:
        warnings.append(
            f"{config.where('unpublished')}: unpublished: not read;"
            " posts with published: false are left out"
        )
    return warnings


# --- reading the posts -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rules:
    """What the configuration says about posts: where they are and how they are linked."""

    config: _Config
    root: Path
    site_url: str  # url from the configuration or postfeed.yaml, without a path
    base_path: str  # baseurl: "/field-notes", or ""
    tz: tzinfo
    permalink: str  # the posts' URL template
    style: str  # the permalink setting as written, for pages
    markdown_ext: tuple[str, ...]
    excerpt_separator: str
    exclude: tuple[str, ...]


@dataclass(slots=True)
class _Doc:
    """A post as its file and front matter make it, before its body is converted."""

    path: Path
    relative: str  # from the site folder: "go/_posts/2024-01-15-x.md"
    draft: bool
    front: Any
    data: dict[str, Any]
    lines: dict[str, int]
    slug: str = ""
    title: str = ""
    date: datetime | None = None
    modified: datetime | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    url: str = ""  # root-relative, without baseurl
    id: str = ""
    warnings: list[tuple[int | None, str]] = field(default_factory=list)


def read(site: Site, progress: Progress | None = None) -> Reading:
    """Every post of the Jekyll site in ``site.posts_dir``.

    Raises:
        ConfigError: the configuration cannot be read.
        PostErrors: every problem in every post, with the warnings.
    """
    rules = _rules(site)
    problems = Problems()
    files = _post_files(rules, problems)
    docs = read_each(files, lambda file: _doc(rules, *file, problems), progress)
    # Two posts at one URL: Jekyll writes one over the other; postfeed refuses.
    check_unique(docs, problems, ("permalink", "slug"))
    names = _post_names(rules, docs)
    authors = _authors(rules)
    posts = []
    for doc in docs:
        post = _post(rules, doc, names, authors, problems)
        if post is not None:
            posts.append(post)
    problems.check(warning for post in posts for warning in post.warnings)
    return Reading(posts, tuple(problems.warnings))


def _rules(site: Site) -> _Rules:
    config = _load_config(site.posts_dir)
    data = config.data
    split = urlsplit(site.url)
    style = data.get("permalink", "date")
    style = style if isinstance(style, str) and style else "date"
    permalink = STYLES.get(style, style)
    collections = data.get("collections")
    if isinstance(collections, dict) and isinstance(collections.get("posts"), dict):
        given = collections["posts"].get("permalink")
        if isinstance(given, str) and given:
            permalink = STYLES.get(given, given)
    extensions = data.get("markdown_ext", "markdown,mkdown,mkdn,mkd,md")
    separator = data.get("excerpt_separator", "\n\n")
    exclude = data.get("exclude", [])
    root = site.posts_dir
    collections_dir = data.get("collections_dir")
    if isinstance(collections_dir, str) and collections_dir.strip("/"):
        root = root / collections_dir.strip("/")
    return _Rules(
        config=config,
        root=root,
        site_url=f"{split.scheme}://{split.netloc}",
        base_path=split.path.rstrip("/"),
        tz=ZoneInfo(site.timezone),
        permalink=permalink,
        style=style,
        markdown_ext=tuple(
            "." + name.strip().lower() for name in str(extensions).split(",") if name.strip()
        ),
        excerpt_separator=str(separator) if separator is not None else "",
        exclude=tuple(str(item).strip("/") for item in exclude if item is not None)
        if isinstance(exclude, list)
        else (),
    )


def _post_files(rules: _Rules, problems: Problems) -> list[tuple[Path, bool]]:
    """Every post file: under ``_posts`` (in the site folder and in any folder of it
    Jekyll reads) and ``_drafts``, in path order, with whether it is a draft.
    Files in a form postfeed does not read are reported and left out."""
    found: list[tuple[Path, bool]] = []
    root = rules.root
    for folder, dirs, _ in os.walk(root):
        here = Path(folder)
        relative = here.relative_to(root).as_posix()
        dirs[:] = sorted(
            name
            for name in dirs
            if not _ignored(name)
            and not _excluded(rules, f"{relative}/{name}" if relative != "." else name)
        )
        for special, draft in (("_posts", False), ("_drafts", True)):
            magic = here / special
            if magic.is_dir():
                found.extend((path, draft) for path in _documents(rules, magic, draft, problems))
    return found


def _documents(rules: _Rules, folder: Path, draft: bool, problems: Problems) -> list[Path]:
    found = []
    for inner, dirs, names in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not _ignored(name))
        for name in sorted(names):
            path = Path(inner) / name
            if _ignored(name):
                continue
            matcher = _DATELESS if draft else _DATED
            if not matcher.match(name):
                continue
            if path.suffix.lower() in rules.markdown_ext:
                found.append(path)
            else:
                problems.warn(
                    path,
                    None,
                    f"{path.suffix or 'a file without an extension'} posts are not read"
                    " (only Markdown): left out of the feeds",
                )
    return found


def _ignored(name: str) -> bool:
    """Names Jekyll's EntryFilter passes over."""
    return name.startswith(("_", ".", "#")) or name.endswith("~")


def _excluded(rules: _Rules, relative: str) -> bool:
    return any(relative == item or relative.startswith(item + "/") for item in rules.exclude)


def _doc(rules: _Rules, path: Path, draft: bool, problems: Problems) -> _Doc | None:
    """One post's front matter, dates, title, categories and URL; None when it has
    problems (noted) or Jekyll does not publish it."""
    try:
        text = read_text(path)
        front = front_matter(text, ("yaml",), timestamps=True)
    except Problem as err:
        problems.error(path, err.line, err.message)
        return None
    data = dict(front.data)
    if data.get("published") is False:
        return None
    relative = path.relative_to(rules.root).as_posix()
    doc = _Doc(path, relative, draft, front, data, dict(front.lines))
    errors = len(problems.errors)
    match = (_DATELESS if draft else _DATED).match(path.name)
    assert match is not None
    if draft:
        name_date, slug = None, match.group(1)
    else:
        name_date, slug = match.group(1), match.group(2)
    slug = slug.rstrip(".")
    given_slug = data.get("slug")
    doc.slug = _scalar(doc, "slug", problems) if given_slug is not None else slug
    doc.slug = doc.slug or slug
    doc.title = _scalar(doc, "title", problems).strip() if data.get("title") is not None else ""
    if not doc.title:
        # utils.rb titleize_slug
        doc.title = " ".join(word.capitalize() for word in slug.split("-"))
    doc.date = _date(rules, doc, "date", problems)
    if doc.date is None and name_date is not None:
        try:
            doc.date = instant(name_date, rules.tz)
        except _values.ValueProblem as err:
            problems.error(path, None, f"file name date: {err}")
    if doc.date is None and draft and len(problems.errors) == errors:
        # document.rb: a draft without a date is dated by its file.
        doc.date = datetime.fromtimestamp(int(path.stat().st_mtime), UTC).astimezone(rules.tz)
    doc.modified = _date(rules, doc, "last_modified_at", problems)
    doc.categories = _categories(rules, doc, problems)
    doc.tags = _list(doc, ("tag", "tags"), problems)
    if len(problems.errors) > errors:
        return None
    assert doc.date is not None
    permalink = data.get("permalink")
    template = permalink if isinstance(permalink, str) and permalink else rules.permalink
    doc.url = _url(template, _placeholders(rules, doc))
    # document.rb id: the URL's folder and the slug as written.
    folder = posixpath.dirname(doc.url.rstrip("/")) or "/"
    doc.id = posixpath.join(folder, doc.slug)
    return doc


def _scalar(doc: _Doc, key: str, problems: Problems) -> str:
    """A front matter value as Liquid prints it (numbers too); '' when it is not one."""
    value = doc.data.get(key)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    problems.error(doc.path, doc.lines.get(key), f"{key}: expected text, got {_describe(value)}")
    return ""


def _describe(value: object) -> str:
    if isinstance(value, datetime | date):
        return f"the date {value.isoformat()}"
    return _values.describe(value)


def _date(rules: _Rules, doc: _Doc, key: str, problems: Problems) -> datetime | None:
    """A date of the front matter as Jekyll reads it: a YAML timestamp without an
    offset is UTC (YAML says so), a day or a text without one is in the site's
    time zone."""
    value = doc.data.get(key)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime) and value.tzinfo is None:
            return instant(value.replace(tzinfo=UTC), rules.tz).astimezone(rules.tz)
        if isinstance(value, datetime | date | str):
            return instant(value, rules.tz)
        raise _values.ValueProblem(f"expected a date, got {_describe(value)}")
    except _values.ValueProblem as err:
        problems.error(doc.path, doc.lines.get(key), f"{key}: {err}")
        return None


def _categories(rules: _Rules, doc: _Doc, problems: Problems) -> list[str]:
    """document.rb: the folders above ``_posts``, then ``categories`` (a text split
    at spaces) and ``category`` (one), each once."""
    special = "_drafts" if doc.draft else "_posts"
    before = doc.relative.split(special + "/", 1)[0] if special + "/" in doc.relative else ""
    result = [part for part in before.split("/") if part]
    for name in _list(doc, ("categories",), problems) + _list(doc, ("category",), problems):
        if name not in result:
            result.append(name)
    return result


def _list(doc: _Doc, keys: tuple[str, ...], problems: Problems) -> list[str]:
    """utils.rb pluralized_array_from_hash: the first key present; a singular key's
    text is one item, a plural key's text is split at spaces; a list as it is."""
    for key in keys:
        if key not in doc.data or doc.data[key] is None:
            continue
        value = doc.data[key]
        plural = key.endswith("s")
        if isinstance(value, str):
            return value.split() if plural else [value]
        items = value if isinstance(value, list) else [value]
        result = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, dict | list):
                problems.error(
                    doc.path, doc.lines.get(key), f"{key}: expected names, got {_describe(item)}"
                )
                return []
            result.append(_liquid_text(item))
        return result
    return []


def _liquid_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- URLs ------------------------------------------------------------------------------


def slugify(text: str, mode: str = "default", *, cased: bool = False) -> str:
    """utils.rb ``slugify`` in its ``default`` and ``pretty`` modes."""
    keep = _PRETTY_KEEP if mode == "pretty" else ""
    out: list[str] = []
    for char in text:
        kind = unicodedata.category(char)
        if kind[0] in "LM" or kind == "Nd" or char in keep:
            out.append(char)
        elif not out or out[-1] != "-":
            # Every run of other characters is one hyphen ("-" is never kept).
            out.append("-")
    slug = re.sub(r"^-|-$", "", "".join(out))
    return slug if cased else slug.lower()


def _placeholders(rules: _Rules, doc: _Doc) -> dict[str, str]:
    """drops/url_drop.rb: every placeholder's value for the post."""
    when = doc.date
    assert when is not None
    local = when.astimezone(rules.tz)
    base = doc.path.stem
    special = "_drafts" if doc.draft else "_posts"
    cleaned = doc.relative[: -len(doc.path.suffix)].replace(special, "", 1).rstrip(".")
    categories = list(dict.fromkeys(category.lower() for category in doc.categories))
    slugified = list(dict.fromkeys(slugify(category) for category in doc.categories))
    return {
        "collection": "posts",
        "path": cleaned,
        "name": slugify(base),
        "title": slugify(doc.slug, "pretty", cased=True),
        "slug": slugify(doc.slug),
        "categories": "/".join(categories),
        "slugified_categories": "/".join(slugified),
        "year": local.strftime("%Y"),
        "month": local.strftime("%m"),
        "day": local.strftime("%d"),
        "hour": local.strftime("%H"),
        "minute": local.strftime("%M"),
        "second": local.strftime("%S"),
        "i_day": str(local.day),
        "i_month": str(local.month),
        "short_month": local.strftime("%b"),
        "long_month": local.strftime("%B"),
        "short_year": local.strftime("%y"),
        "w_year": local.strftime("%G"),
        "week": local.strftime("%V"),
        "w_day": local.strftime("%u"),
        "short_day": local.strftime("%a"),
        "long_day": local.strftime("%A"),
        "y_day": local.strftime("%j"),
        "output_ext": ".html",
    }


def _url(template: str, values: Mapping[str, str]) -> str:
    """url.rb: the template with each placeholder's value escaped, then sanitized.
    A placeholder Jekyll does not know stays as it is written."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        for key in (name, name[:-1]) if name.endswith("_") else (name,):
            if key in values:
                rest = name[len(key) :]
                return escape_path(values[key]) + rest
        return match.group(0)

    return sanitize_url(_PLACEHOLDER.sub(one, template))


def escape_path(path: str) -> str:
    """url.rb ``escape_path``: a value percent-encoded for a URL path."""
    if not path or re.fullmatch(r"[a-zA-Z0-9./-]+", path):
        return path
    return quote(path, safe="/" + _PCHAR.replace("%", ""))


def sanitize_url(url: str) -> str:
    """url.rb ``sanitize_url``: one leading slash, no ``..``, ``./`` or doubled slashes."""
    result = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub(r"/{2,}", "/", result)


def absolute(rules: _Rules, path: str) -> str:
    """filters/url_filters.rb ``absolute_url`` of a root-relative path: the site URL,
    the base path and the path, normalised as Addressable does (NFKC, non-ASCII and
    spaces percent-encoded)."""
    full = rules.base_path + (path if path.startswith("/") else "/" + path)
    segments = [
        quote(unicodedata.normalize("NFKC", unquote(segment)), safe=_PCHAR)
        for segment in full.split("/")
    ]
    return rules.site_url + "/".join(segments)


def _post_names(rules: _Rules, docs: list[_Doc]) -> dict[str, str]:
    """Each post's URL by the names ``post_url`` may give it (tags/post_url.rb): its
    path under ``_posts`` without the extension, and, for a post in
    ``<folder>/_posts``, that folder before its name."""
    names: dict[str, str] = {}
    for doc in docs:
        if doc.draft:
            continue
        before, _, after = doc.relative.partition("_posts/")
        stem = after.rsplit(".", 1)[0]
        names.setdefault(stem, doc.url)
        if before:
            names.setdefault(before + stem, doc.url)
    return names


def _authors(rules: _Rules) -> dict[str, Any]:
    """_data/authors.yml, which jekyll-feed looks an author's name up in."""
    for name in ("authors.yml", "authors.yaml"):
        path = rules.config.path.parent / "_data" / name
        if path.is_file():
            try:
                data, _ = load_yaml(path)
            except ConfigError:
                return {}
            return data
    return {}


# --- posts -----------------------------------------------------------------------------


def _post(
    rules: _Rules,
    doc: _Doc,
    names: Mapping[str, str],
    authors: Mapping[str, Any],
    problems: Problems,
) -> Post | None:
    """The doc as a Post, its Liquid converted; None when it has problems (noted)."""
    errors = len(problems.errors)
    front = doc.front
    page = jekyll_liquid.Page(
        base_path=rules.base_path,
        site_url=rules.site_url,
        data=doc.data,
        site_data=rules.config.data,
        post=lambda name: names.get(name.lstrip("/")),
        link=lambda target: _link(rules, target, names),
    )
    syntax = jekyll_liquid.syntax(page)
    body, found = templates.substitute(front.body, syntax, front.body_line)
    summary = _summary(rules, doc, syntax, problems)
    people = _post_authors(doc, authors, problems)
    if len(problems.errors) > errors:
        return None
    assert doc.date is not None
    updated = doc.modified if doc.modified is not None and doc.modified > doc.date else None
    url = absolute(rules, doc.url)
    return Post(
        slug=doc.url.strip("/") or "/",
        title=doc.title,
        published=doc.date,
        updated=updated,
        summary=summary,
        markdown=body,
        tags=tuple(dict.fromkeys(doc.tags)),
        categories=tuple(doc.categories),
        authors=people,
        id=absolute(rules, doc.id),
        url=url,
        draft=doc.draft,
        source=doc.path,
        warnings=tuple(
            f"{doc.path}:{line}: {message}" if line else f"{doc.path}: {message}"
            for line, message in [*doc.warnings, *found]
        ),
        lines=doc.lines,
    )


def _summary(rules: _Rules, doc: _Doc, syntax: templates.Syntax, problems: Problems) -> str | None:
    """jekyll-feed's summary: ``description``, else ``excerpt``, else the excerpt
    Jekyll takes (excerpt.rb): the body before the excerpt separator, with the
    link definitions it uses. None when postfeed's own rule gives the same."""
    for key in ("description", "excerpt"):
        if doc.data.get(key) is not None:
            text = _scalar(doc, key, problems)
            if text.strip():
                return text
    separator = doc.data.get("excerpt_separator", rules.excerpt_separator)
    separator = "" if separator is None else str(separator)
    body = doc.front.body
    if not separator or separator not in body:
        return None
    if separator == "\n\n" or re.fullmatch(r"\s*<!--\s*more\s*-->\s*", separator, re.I):
        # postfeed's own rule: the first paragraph, or the text before <!--more-->.
        return None
    head, _, tail = body.partition(separator)
    definitions = [
        "".join(found)
        for found in re.findall(r"^ {0,3}(\[[^\]]+\])(:.+)$", tail, re.M)
        if found[0] in head
    ]
    if definitions:
        head += "\n\n" + "\n".join(definitions)
    text, _ = templates.substitute(head, syntax, doc.front.body_line)
    return text if text.strip() else None


def _post_authors(doc: _Doc, authors: Mapping[str, Any], problems: Problems) -> tuple[Author, ...]:
    """``author`` (a name, or a key of _data/authors.yml) or ``authors``."""
    for key in ("author", "authors"):
        value = doc.data.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        result = []
        for item in items:
            if isinstance(item, dict):
                name = item.get("name")
                if not isinstance(name, str) or not name.strip():
                    problems.error(doc.path, doc.lines.get(key), f"{key}: a name is missing")
                    return ()
                result.append(_author(item))
                continue
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                problems.error(
                    doc.path, doc.lines.get(key), f"{key}: expected a name, got {_describe(item)}"
                )
                return ()
            known = authors.get(str(item))
            if isinstance(known, dict) and isinstance(known.get("name"), str):
                result.append(_author(known))
            else:
                result.append(Author(name=str(item)))
        return tuple(dict.fromkeys(result))
    return ()


def _author(data: Mapping[str, Any]) -> Author:
    def text(key: str) -> str | None:
        value = data.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    name = text("name")
    assert name is not None
    return Author(name=name, email=text("email"), uri=text("uri"))


def _link(rules: _Rules, target: str, names: Mapping[str, str]) -> str | None:
    """tags/link.rb: the root-relative URL (without the base path) of the file at
    ``target`` under the site folder: a post's, a page's, or a static file's path."""
    target = target.strip().lstrip("/")
    if "_posts/" in target:
        before, _, after = target.partition("_posts/")
        found = names.get(before + after.rsplit(".", 1)[0])
        if found is not None:
            return found
    site = rules.config.path.parent
    path = site / target
    if not path.is_file() or ".." in Path(target).parts:
        return None
    suffix = path.suffix.lower()
    if suffix not in (*rules.markdown_ext, ".html", ".htm"):
        return "/" + target
    try:
        front = front_matter(read_text(path), ("yaml",))
    except Problem:
        return None
    permalink = front.data.get("permalink")
    folder = posixpath.dirname(target)
    basename = path.stem
    values = {"path": folder, "basename": basename, "output_ext": ".html"}
    if isinstance(permalink, str) and permalink:
        return _url(permalink, values)
    # page.rb template
    if basename == "index":
        template = "/:path/"
    else:
        template = "/:path/:basename"
        if rules.style == "pretty" or rules.style.endswith("/"):
            template += "/"
        elif rules.style in ("date", "ordinal", "none") or rules.style.endswith(":output_ext"):
            template += ":output_ext"
    return _url(template, values)


READER = Reader(configure=configure, read=read)
