"""An MkDocs site with Material's blog plugin, read as Material 9.8 and
mkdocs-rss-plugin 1.19 read it: mkdocs.yml as data (its ``!!python/...`` values are
code: left out with a warning, never imported), the blog's posts under
``docs/<blog_dir>/posts``, their dates, drafts, slugs, categories and authors, and
each post's link and id as the RSS plugin writes them. Nothing of the site is run.

Sources: Material's ``plugins/blog/{config,plugin}.py`` and
``structure/{__init__,options,config}.py``; mkdocs-rss-plugin's ``config.py``,
``plugin.py`` and ``util.py`` (``get_file_dates``, ``get_date_from_meta``); MkDocs'
``structure/files.py`` and ``structure/pages.py``.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..._text import MONTHS
from ...errors import ConfigError
from ...model import Author, MarkdownProfile, Post, Progress, Site
from ...rendering import markup
from .. import _values
from .._yaml import Tagged
from . import Defaults, Reader, Reading, _links, nunjucks, templates
from ._common import (
    PYTHON_MARKDOWN_EXTENSIONS,
    YAML,
    Problem,
    Problems,
    check_unique,
    front_matter,
    load_yaml,
    read_each,
    read_text,
)

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
#: The suffixes MkDocs reads as Markdown pages.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
#: MkDocs' own extensions, always on (``config/defaults.py`` markdown_extensions).
_BUILTIN_EXTENSIONS = ("toc", "tables", "fenced_code")
#: pymdown-extensions' extensions (``pymdownx.<name>``).
_PYMDOWNX = frozenset(
    [
        "arithmatex",
        "betterem",
        "blocks.admonition",
        "blocks.caption",
        "blocks.definition",
        "blocks.details",
        "blocks.html",
        "blocks.tab",
        "caret",
        "critic",
        "details",
        "emoji",
        "escapeall",
        "extra",
        "fancylists",
        "highlight",
        "inlinehilite",
        "keys",
        "magiclink",
        "mark",
        "progressbar",
        "quotes",
        "saneheaders",
        "smartsymbols",
        "striphtml",
        "superfences",
        "tabbed",
        "tasklist",
        "tilde",
    ]
)
#: Extensions that read other files into a page: never run here.
_READS_FILES = {
    "pymdownx.snippets": "it includes other files",
    "pymdownx.b64": "it embeds image files",
    "pymdownx.pathconverter": "it rewrites paths for the site's own pages",
}
# Code is always left for the reader to highlight: the output must not depend on
# whether Pygments is installed.
_FORCED = {
    "pymdownx.highlight": (("use_pygments", False),),
    "codehilite": (("use_pygments", False),),
}
_NAMES = {
    "title": "site_name",
    "url": "site_url",
    "description": "site_description",
    "author": "site_author",
    "language": "theme.language",
    "limit": "plugins.rss.length",
}
# Babel's predefined date formats in English (format_date), as a post URL may use them.
_PREDEFINED = {
    "full": "EEEE, MMMM d, y",
    "long": "MMMM d, y",
    "medium": "MMM d, y",
    "short": "M/d/yy",
}
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LDML = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*")
_HEADING = re.compile(r"\A\s*#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*(?:\n|\Z)")


@dataclass(frozen=True, slots=True)
class _Config:
    """mkdocs.yml as data, and where each top-level key is."""

    path: Path
    data: dict[str, Any]
    lines: dict[str, int]
    text: str

    def line(self, key: str) -> int | None:
        return self.lines.get(key)

    def where(self, key: str, line: int | None = None) -> str:
        found = line if line is not None else self.line(key)
        return f"{self.path}:{found}" if found else str(self.path)

    def line_after(self, key: str, needle: str) -> int | None:
        """The first line after ``key``'s that holds ``needle`` (for nested settings,
        whose lines the loader does not keep)."""
        start = self.line(key) or 1
        for number, line in enumerate(self.text.splitlines()[start - 1 :], start):
            if needle in line:
                return number
        return self.line(key)


@dataclass(frozen=True, slots=True)
class _Slugify:
    """``pymdownx.slugs.slugify``'s options and the separator Material passes."""

    case: str = "lower"
    separator: str = "-"
    percent_encode: bool = False
    normalize: str = "NFC"

    def __call__(self, text: str) -> str:
        return markup.slugify(
            text,
            self.separator,
            case=self.case,
            percent_encode=self.percent_encode,
            normalize=self.normalize,
        )


@dataclass(frozen=True, slots=True)
class _Rss:
    """The RSS plugin's settings that decide which posts, links and dates its feed has."""

    match_path: re.Pattern[str]
    as_creation: str = "git"
    as_update: str = "git"
    datetime_format: str = "%Y-%m-%d %H:%M"
    default_time: time = time()
    default_timezone: str = "UTC"
    use_git: bool = True
    url_parameters: tuple[tuple[str, str], ...] = ()
    length: int = 20


@dataclass(frozen=True, slots=True)
class _Blog:
    """What mkdocs.yml says about the blog and its posts."""

    config: _Config
    docs: Path
    blog_dir: str
    post_dir: str
    authors_file: str
    url_format: str
    url_date_format: str
    max_categories: int
    post_slugify: _Slugify
    category_slugify: _Slugify
    categories_allowed: tuple[str, ...]
    authors: bool
    excerpt_separator: str
    macros: bool  # mkdocs-macros-plugin runs Jinja on pages
    future: bool
    directory_urls: bool
    rss: _Rss | None
    warnings: tuple[str, ...] = ()


def configure(folder: Path) -> Defaults:
    """What mkdocs.yml in ``folder`` says about the site.

    Raises:
        ConfigError: there is no mkdocs.yml, it cannot be read, or it has no blog.
    """
    config = _load_config(folder)
    blog = _blog(config)
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    warnings = list(blog.warnings)

    def give(key: str, name: str, value: object) -> None:
        if value is None:
            return
        if isinstance(value, Tagged):
            warnings.append(
                f"{config.where(name, value.line)}: {name}: {_tag(value)} is not read;"
                f" set {key} in postfeed.yaml"
            )
            return
        values[key] = value
        line = config.line(name.split(".", 1)[0])
        if line is not None:
            lines[key] = line

    give("title", "site_name", config.data.get("site_name"))
    give("url", "site_url", config.data.get("site_url"))
    give("description", "site_description", config.data.get("site_description"))
    give("author", "site_author", config.data.get("site_author"))
    theme = config.data.get("theme")
    # Material's language, which the RSS plugin's feeds give as theirs; "en" by default.
    language = theme.get("language", "en") if isinstance(theme, dict) else "en"
    give("language", "theme.language", language)
    if blog.rss is not None:
        give("limit", "plugins.rss.length", blog.rss.length)
    markdown, profile_warnings = _profile(config)
    return Defaults(
        path=config.path,
        values=values,
        names=_NAMES,
        lines=lines,
        markdown=markdown,
        future=blog.future,
        warnings=(*warnings, *profile_warnings),
        missing={"url": f"{config.path.name} has no site_url; set url in postfeed.yaml"},
    )


def _load_config(folder: Path) -> _Config:
    for name in CONFIG_NAMES:
        path = folder / name
        if path.is_file():
            data, lines = load_yaml(path, tagged=True)
            try:
                text = read_text(path)
            except Problem as err:  # pragma: no cover - load_yaml read it a moment ago
                raise ConfigError(path, err.line, err.message) from err
            return _Config(path, data, lines, text)
    raise ConfigError(
        folder, None, "no mkdocs.yml here; set source_dir to the MkDocs site's folder"
    )


def _tag(value: Tagged) -> str:
    """A tagged value as written: ``!!python/name:x.y``, ``!ENV``."""
    tag = value.tag.replace("tag:yaml.org,2002:", "!!")
    return tag if not isinstance(value.value, str) or not value.value else f"{tag} {value.value}"


def _plugins(config: _Config) -> list[tuple[str, dict[str, Any]]]:
    """The plugins mkdocs.yml enables, in order: (name, options)."""
    found = config.data.get("plugins", ["search"])
    items = list(found.items()) if isinstance(found, dict) else found
    result: list[tuple[str, dict[str, Any]]] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            result.append((item, {}))
        elif isinstance(item, tuple):
            result.append((str(item[0]), item[1] if isinstance(item[1], dict) else {}))
        elif isinstance(item, dict) and len(item) == 1:
            ((name, options),) = item.items()
            result.append((str(name), options if isinstance(options, dict) else {}))
    return result


def _blog(config: _Config) -> _Blog:
    """The blog plugin's and the RSS plugin's settings.

    Raises:
        ConfigError: no blog plugin is enabled, or a setting cannot be used.
    """
    plugins = _plugins(config)
    blogs = [options for name, options in plugins if name in ("blog", "material/blog")]
    rss_options = next((options for name, options in plugins if name == "rss"), None)
    warnings: list[str] = []
    if not blogs or blogs[0].get("enabled") is False:
        raise ConfigError(
            config.path,
            config.line("plugins"),
            "plugins: Material's blog plugin (blog) is not enabled; postfeed reads the"
            " blog's posts",
        )
    options = blogs[0]
    if len(blogs) > 1:
        warnings.append(
            f"{config.where('plugins')}: plugins: only the first blog is read"
            f" ({options.get('blog_dir', 'blog')})"
        )
    if any(name in ("meta", "material/meta") for name, _ in plugins):
        warnings.append(
            f"{config.where('plugins')}: plugins: meta: .meta.yml files are not read;"
            " give each post its own metadata"
        )
    if "INHERIT" in config.data:
        warnings.append(f"{config.where('INHERIT')}: INHERIT: the parent configuration is not read")

    def setting(name: str, kind: type, default: Any) -> Any:
        value = options.get(name, default)
        if isinstance(value, Tagged):
            return value
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            line = config.line_after("plugins", f"{name}:")
            expected = {str: "text", bool: "true or false", int: "a whole number"}[kind]
            raise ConfigError(
                config.path,
                line,
                f"plugins: blog: {name}: expected {expected}, got {_values.describe(value)}",
            )
        return value

    blog_dir = posixpath.normpath(str(setting("blog_dir", str, "blog")))
    post_dir = posixpath.normpath(
        str(setting("post_dir", str, "{blog}/posts")).format(blog=blog_dir)
    )
    authors_file = posixpath.normpath(
        str(setting("authors_file", str, "{blog}/.authors.yml")).format(blog=blog_dir)
    )
    url_format = str(setting("post_url_format", str, "{date}/{slug}"))
    try:
        url_format.format(categories="", date="", file="", slug="")
    except (KeyError, IndexError, ValueError, AttributeError) as err:
        raise ConfigError(
            config.path,
            config.line_after("plugins", "post_url_format"),
            f"plugins: blog: post_url_format: {url_format!r} is not a format Material fills"
            " ({categories}, {date}, {file}, {slug})",
        ) from err
    date_format = str(setting("post_url_date_format", str, "yyyy/MM/dd"))
    theme = config.data.get("theme")
    language = theme.get("language", "en") if isinstance(theme, dict) else "en"
    if (
        isinstance(language, str)
        and not language.startswith("en")
        and re.search(r"MMM|LLL|E|a", _PREDEFINED.get(date_format, date_format))
    ):
        warnings.append(
            f"{config.where('plugins', config.line_after('plugins', 'post_url_date_format'))}:"
            " plugins: blog: post_url_date_format: month and day names are written in"
            " English"
        )
    allowed = options.get("categories_allowed", [])
    future = not bool(setting("draft_if_future_date", bool, False))
    return _Blog(
        config=config,
        docs=config.path.parent / str(config.data.get("docs_dir", "docs")),
        blog_dir=blog_dir,
        post_dir=post_dir,
        authors_file=authors_file,
        url_format=url_format,
        url_date_format=date_format,
        max_categories=int(setting("post_url_max_categories", int, 1)),
        post_slugify=_slugify(config, options, "post_slugify", warnings),
        category_slugify=_slugify(config, options, "categories_slugify", warnings),
        categories_allowed=tuple(str(c) for c in allowed) if isinstance(allowed, list) else (),
        authors=setting("authors", bool, True) is not False,
        excerpt_separator=str(setting("post_excerpt_separator", str, "<!-- more -->")),
        future=future,
        directory_urls=config.data.get("use_directory_urls", True) is not False,
        macros=any(name in ("macros", "mkdocs-macros") for name, _ in plugins),
        rss=_rss(config, rss_options, warnings) if rss_options is not None else None,
        warnings=tuple(warnings),
    )


def _slugify(
    config: _Config, options: Mapping[str, Any], name: str, warnings: list[str]
) -> _Slugify:
    """Material's ``post_slugify`` (or ``categories_slugify``): pymdownx's slugify, the
    one callable read from its tag; any other is left out for the default."""
    value = options.get(name)
    separator = options.get(f"{name}_separator", "-")
    separator = separator if isinstance(separator, str) else "-"
    if value is None:
        return _Slugify(separator=separator)
    if isinstance(value, Tagged) and value.tag.endswith(":pymdownx.slugs.slugify"):
        given = value.value.get("kwds", {}) if isinstance(value.value, dict) else {}
        given = given if isinstance(given, dict) else {}
        normalize = given.get("normalize", "NFC")
        return _Slugify(
            case=str(given.get("case", "none")),
            separator=separator,
            percent_encode=given.get("percent_encode") is True,
            normalize=normalize if normalize in ("NFC", "NFD", "NFKC", "NFKD") else "NFC",
        )
    line = value.line if isinstance(value, Tagged) else config.line_after("plugins", name)
    shown = _tag(value) if isinstance(value, Tagged) else _values.describe(value)
    warnings.append(
        f"{config.where('plugins', line)}: plugins: blog: {name}: {shown} is code, not run;"
        " slugs are made by pymdownx.slugs.slugify(case=lower)"
    )
    return _Slugify(separator=separator)


def _rss(config: _Config, options: Mapping[str, Any], warnings: list[str]) -> _Rss | None:
    """The RSS plugin's settings (None when it is disabled).

    Raises:
        ConfigError: a setting that decides links or dates cannot be used.
    """
    if options.get("enabled") is False:
        return None
    where = config.line_after("plugins", "rss")
    pattern = options.get("match_path", ".*")
    try:
        match_path = re.compile(str(pattern))
    except re.error as err:
        raise ConfigError(
            config.path,
            config.line_after("plugins", "match_path"),
            f"plugins: rss: match_path: not a regular expression: {err}",
        ) from err
    dates = options.get("date_from_meta", {})
    dates = dates if isinstance(dates, dict) else {}
    use_git = options.get("use_git", True) is not False
    as_creation = str(dates.get("as_creation", "git"))
    if as_creation == "git" and use_git:
        warnings.append(
            f"{config.where('plugins', where)}: plugins: rss: the RSS plugin dates posts by"
            " their Git history (date_from_meta.as_creation: git); postfeed dates them by"
            " their date"
        )
    default_time = str(dates.get("default_time", "00:00"))
    try:
        clock = datetime.strptime(default_time, "%H:%M").time()
    except ValueError as err:
        raise ConfigError(
            config.path,
            config.line_after("plugins", "default_time"),
            f"plugins: rss: date_from_meta.default_time: expected HH:MM, got {default_time!r}",
        ) from err
    zone = str(dates.get("default_timezone", "UTC"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(
            config.path,
            config.line_after("plugins", "default_timezone"),
            f"plugins: rss: date_from_meta.default_timezone: unknown time zone {zone!r}",
        ) from err
    parameters = options.get("url_parameters") or {}
    length = options.get("length", 20)
    return _Rss(
        match_path=match_path,
        as_creation=as_creation,
        as_update=str(dates.get("as_update", "git")),
        datetime_format=str(dates.get("datetime_format", "%Y-%m-%d %H:%M")),
        default_time=clock,
        default_timezone=zone,
        use_git=use_git,
        url_parameters=tuple((str(k), str(v)) for k, v in parameters.items())
        if isinstance(parameters, dict)
        else (),
        length=length if isinstance(length, int) and not isinstance(length, bool) else 20,
    )


def _profile(config: _Config) -> tuple[MarkdownProfile, list[str]]:
    """``markdown_extensions`` as a profile: MkDocs' own three, then each listed one
    that is Python-Markdown's or pymdown-extensions', with its options that are plain
    data; warnings for the rest."""
    warnings: list[str] = []
    listed = config.data.get("markdown_extensions", [])
    names: list[str] = list(_BUILTIN_EXTENSIONS)
    settings: dict[str, dict[str, Any]] = {}
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and len(item) == 1:
            ((raw, options),) = item.items()
        else:
            raw, options = item, None
        if not isinstance(raw, str):
            continue
        name = raw.removeprefix("markdown.extensions.")
        line = config.line_after("markdown_extensions", raw)
        where = config.where("markdown_extensions", line)
        known = name in PYTHON_MARKDOWN_EXTENSIONS or name.removeprefix("pymdownx.") in _PYMDOWNX
        if name in _READS_FILES:
            warnings.append(
                f"{where}: markdown_extensions: {name} is not run ({_READS_FILES[name]}): left out"
            )
            continue
        if not (known and (name in PYTHON_MARKDOWN_EXTENSIONS or name.startswith("pymdownx."))):
            warnings.append(
                f"{where}: markdown_extensions: {raw} is not one of Python-Markdown's or"
                " pymdown-extensions' extensions: left out"
            )
            continue
        if name not in names:
            names.append(name)
        for option, value in (options or {}).items() if isinstance(options, dict) else ():
            plain = _plain(value)
            if plain is _NOT_PLAIN:
                tagged = _nested_tag(value)
                shown = f"{_tag(tagged)} is not run" if tagged else "a mapping is not read"
                found = tagged.line if tagged else line
                warnings.append(
                    f"{config.where('markdown_extensions', found)}:"
                    f" markdown_extensions: {name}: {option}: {shown}: left out"
                )
                continue
            settings.setdefault(name, {})[option] = plain
    for name, forced in _FORCED.items():
        if name in names:
            settings.setdefault(name, {}).update(forced)
    return (
        MarkdownProfile(
            name="mkdocs",
            extensions=tuple(names),
            settings=tuple(
                (name, tuple(sorted(settings[name].items()))) for name in names if name in settings
            ),
        ),
        warnings,
    )


_NOT_PLAIN = object()


def _plain(value: Any) -> Any:
    """A setting's value as plain data for a profile (lists as tuples); _NOT_PLAIN
    for a tagged value (code) or a mapping, anywhere in it."""
    if isinstance(value, Tagged | dict):
        return _NOT_PLAIN
    if isinstance(value, list):
        items = [_plain(item) for item in value]
        return _NOT_PLAIN if any(item is _NOT_PLAIN for item in items) else tuple(items)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return _NOT_PLAIN


def _nested_tag(value: Any) -> Tagged | None:
    """The first tagged value in a value, or in a list or mapping in it."""
    if isinstance(value, Tagged):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for item in items:
        found = _nested_tag(item)
        if found is not None:
            return found
    return None


# --- the posts -------------------------------------------------------------------------


@dataclass(slots=True)
class _Page:
    """A post as its metadata and place make it, before its body is converted."""

    path: Path
    src_uri: str  # the path under docs/, as MkDocs names files
    meta: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    title: str = ""
    heading: bool = False  # the title is the body's first heading
    slug: str = ""
    created: datetime | None = None
    published: datetime | None = None
    updated: datetime | None = None
    url: str = ""  # the canonical URL: the feed's guid
    link: str = ""  # the feed's link (with url_parameters)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)


def read(site: Site, progress: Progress | None = None) -> Reading:
    """Every post of the Material blog in ``site.posts_dir``.

    Raises:
        ConfigError: mkdocs.yml or the authors file cannot be read.
        PostErrors: every problem in every post, with the warnings.
    """
    blog = _blog(_load_config(site.posts_dir))
    problems = Problems()
    authors = _authors(blog)
    files = _post_files(blog)
    pages = read_each(files, lambda path: _page(blog, site, path, authors, problems), progress)
    # Two posts at one URL: Material writes one over the other; postfeed refuses.
    check_unique(pages, problems, ("slug", "date"))
    by_source = {page.src_uri: page for page in pages}
    posts = [_post(blog, site, page, by_source, authors) for page in pages]
    problems.check(warning for post in posts for warning in post.warnings)
    return Reading(posts, tuple(problems.warnings))


def _post_files(blog: _Blog) -> list[Path]:
    """The Markdown files under the posts folder, in path order (hidden ones left
    out, as MkDocs leaves them out)."""
    root = blog.docs / blog.post_dir
    if not root.is_dir():
        problem = "is not a folder" if root.exists() else "does not exist"
        raise ConfigError(blog.config.path, None, f"the blog's posts folder {root} {problem}")
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and name.lower().endswith(MARKDOWN_SUFFIXES):
                found.append(Path(folder) / name)
    return found


@dataclass(frozen=True, slots=True)
class _Author:
    name: str
    url: str | None


def _authors(blog: _Blog) -> dict[str, _Author] | None:
    """The blog's authors by id, from its authors file (None: authors are not resolved).

    Raises:
        ConfigError: the file cannot be read, or an author has no name.
    """
    if not blog.authors:
        return None
    path = blog.docs / blog.authors_file
    if not path.is_file():
        return {}
    data, lines = load_yaml(path)
    table = data.get("authors", {})
    if not isinstance(table, dict):
        raise ConfigError(
            path, lines.get("authors"), "authors: expected a mapping of ids to authors"
        )
    result = {}
    for key, entry in table.items():
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                path,
                lines.get("authors"),
                f"authors: {key}: name: expected text, got {_values.describe(name)}",
            )
        url = entry.get("url")
        result[str(key)] = _Author(name.strip(), url if isinstance(url, str) else None)
    return result


def _page(
    blog: _Blog,
    site: Site,
    path: Path,
    authors: Mapping[str, _Author] | None,
    problems: Problems,
) -> _Page | None:
    """One post's metadata, dates, title and URL; None when it has problems (noted) or
    the RSS plugin's match_path leaves it out."""
    src_uri = path.relative_to(blog.docs).as_posix()
    if blog.rss is not None and not blog.rss.match_path.match(src_uri):
        return None
    try:
        front = front_matter(read_text(path), formats=(YAML,), timestamps=True)
    except Problem as err:
        problems.error(path, err.line, err.message)
        return None
    # Material takes the body after the metadata without its leading blank lines.
    body = front.body.lstrip("\n")
    body_line = front.body_line + front.body.count("\n") - body.count("\n")
    page = _Page(path, src_uri, front.data, front.lines, body, body_line)
    errors = len(problems.errors)

    def error(key: str, message: str) -> None:
        problems.error(path, page.lines.get(key), f"{key}: {message}")

    draft = page.meta.get("draft")
    if draft is not None and not isinstance(draft, bool):
        error("draft", f"expected true or false, got {_values.describe(draft)}")
    for key in ("slug", "title"):
        value = page.meta.get(key)
        if value is not None and not isinstance(value, str):
            error(key, f"expected text, got {_values.describe(value)} (quote it)")
    for key in ("categories", "authors"):
        value = page.meta.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            example = "[Go]" if key == "categories" else "[ada]"
            error(key, f"expected a list of text such as {example}, got {_values.describe(value)}")
    _dates(blog, page, error)
    if page.created is None and len(problems.errors) == errors and "date" not in page.meta:
        problems.error(path, None, "date: missing (Material's blog needs a date for every post)")
    if len(problems.errors) > errors:
        return None
    for name in page.meta.get("categories") or []:
        if blog.categories_allowed and name not in blog.categories_allowed:
            error("categories", f"{name!r} is not in the blog's categories_allowed")
    if authors is not None:
        for key in page.meta.get("authors") or []:
            if key not in authors:
                error("authors", f"unknown author {key!r} (not in {blog.authors_file})")
    if len(problems.errors) > errors:
        return None
    _title(page)
    page.slug = page.meta.get("slug") or blog.post_slugify(page.title)
    page.url = _url(blog, site, page)
    page.link = page.url
    if blog.rss is not None and blog.rss.url_parameters:
        page.link = f"{page.url}?{urlencode(blog.rss.url_parameters)}"
    return page


def _title(page: _Page) -> None:
    """The title MkDocs gives a post: its metadata's, else its first line when that is
    a ``# `` heading, else its file name."""
    heading = _HEADING.match(page.body)
    if isinstance(page.meta.get("title"), str) and page.meta["title"].strip():
        page.title = page.meta["title"]
        page.heading = heading is not None and heading.group(1).strip() == page.title.strip()
        return
    if heading is not None and heading.group(1).strip():
        # MkDocs' get_markdown_title: the line without its leading '#'s and spaces.
        page.title = heading.group(0).strip().lstrip("# ")
        page.title = re.sub(r"[ \t]+#+$", "", page.title)
        page.heading = True
        return
    name = Path(page.src_uri).stem.replace("-", " ").replace("_", " ")
    page.title = name.capitalize() if name.lower() == name else name


def _dates(blog: _Blog, page: _Page, error: Callable[[str, str], None]) -> None:
    """The post's dates: Material's (``date``, or ``date.created`` and
    ``date.updated``, naive ones in UTC) for its URL, and the RSS plugin's for the
    feed where it reads one from the metadata."""
    value = page.meta.get("date")
    if value is None:
        return
    found: dict[str, datetime] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(item, date):
                error("date", f"{key}: {_expected_date(item)}")
                continue
            try:
                found[str(key)] = _utc(item)
            except _values.ValueProblem as err:
                error("date", f"{key}: {err}")
        if "created" not in found and "created" not in value:
            error("date", "expected created in the mapping (date: {created: 2024-01-15})")
            return
        # Material's PostDate sets these on the metadata itself, where the RSS plugin reads.
        page.meta["date"] = {**value, **found}
    elif isinstance(value, date):
        try:
            found["created"] = _utc(value)
        except _values.ValueProblem as err:
            error("date", str(err))
            return
    else:
        error("date", _expected_date(value))
        return
    if "created" not in found:
        return
    page.created = found["created"]
    page.published = page.created
    page.updated = found.get("updated")
    if blog.rss is not None:
        created = _rss_date(blog.rss, page.meta, blog.rss.as_creation)
        if created is not None:
            page.published = created
        updated = _rss_date(blog.rss, page.meta, blog.rss.as_update)
        page.updated = updated if updated is not None else page.updated


def _expected_date(value: object) -> str:
    hint = ""
    if isinstance(value, str):
        try:
            _values.timestamp(value, UTC)
            hint = " (Material reads no quoted text: write it unquoted)"
        except _values.ValueProblem:
            pass
    shown = _values.describe(value)
    return f"expected a date such as 2024-01-15 or 2024-01-15 10:00:00, got {shown}{hint}"


def _utc(value: date) -> datetime:
    """Material's PostDate: a naive datetime is UTC, a date is midnight UTC.

    Raises:
        _values.ValueProblem: the date is beyond the years feeds can carry.
    """
    return _values.timestamp(value, UTC)


def _rss_date(rss: _Rss, meta: Mapping[str, Any], key: str) -> datetime | None:
    """The date mkdocs-rss-plugin reads at ``key`` (dotted) in the metadata
    (``get_date_from_meta``); None where it would take a Git or build time."""
    if key == "git" and rss.use_git:
        return None
    value: Any = meta
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    zone = ZoneInfo(rss.default_timezone)
    if isinstance(value, str):
        try:
            value = datetime.strptime(value, rss.datetime_format)
        except ValueError:
            return None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, rss.default_time)
    if not isinstance(value, datetime):
        return None
    try:
        return _values.timestamp(value, zone)
    except _values.ValueProblem:
        return None


def _url(blog: _Blog, site: Site, page: _Page) -> str:
    """The post's canonical URL (Material's ``_format_path_for_post``, MkDocs' ``File``)."""
    assert page.created is not None
    categories = [blog.category_slugify(c) for c in page.meta.get("categories") or []]
    path = blog.url_format.format(
        categories="/".join(categories[: blog.max_categories]),
        date=_format_date(page.created, blog.url_date_format),
        file=Path(page.src_uri).stem,
        slug=page.slug,
    )
    path = posixpath.join(blog.blog_dir, posixpath.normpath(path.strip("/")))
    return site.url + quote(_page_url(path + ".md", blog.directory_urls))


def _page_url(src_uri: str, directory_urls: bool) -> str:
    """A Markdown page's URL under the site, unquoted (MkDocs' ``File.url``)."""
    parent, name = posixpath.split(src_uri)
    stem = posixpath.splitext(name)[0]
    index = stem in ("index", "README")
    if not directory_urls or index:
        dest = posixpath.join(parent, ("index" if index else stem) + ".html")
    else:
        dest = posixpath.join(parent, stem, "index.html")
    if directory_urls and posixpath.basename(dest) == "index.html":
        folder = posixpath.dirname(dest)
        return folder + "/" if folder else ""
    return dest


def _format_date(value: datetime, pattern: str) -> str:
    """A date in a Babel (LDML) pattern such as ``yyyy/MM/dd``, in English, in the
    date's own offset (as Material formats post URL dates)."""
    pattern = _PREDEFINED.get(pattern, pattern)

    def field(match: re.Match[str]) -> str:
        token = match.group(0)
        if match.group(1) is None:
            return token[1:-1].replace("''", "'") if token != "''" else "'"
        letter, count = token[0], len(token)
        numbers = {
            "y": value.year if count != 2 else value.year % 100,
            "M": value.month,
            "L": value.month,
            "d": value.day,
            "D": value.timetuple().tm_yday,
            "H": value.hour,
            "k": value.hour or 24,
            "h": value.hour % 12 or 12,
            "K": value.hour % 12,
            "m": value.minute,
            "s": value.second,
        }
        if letter in "ML" and count >= 3:
            name = MONTHS[value.month - 1]
            return name[:3] if count == 3 else name[0] if count == 5 else name
        if letter == "E" or (letter in "ec" and count >= 3):
            name = _DAYS[value.weekday()]
            return (
                name
                if count == 4
                else name[:2]
                if count == 6
                else name[0]
                if count == 5
                else name[:3]
            )
        if letter == "a":
            return "AM" if value.hour < 12 else "PM"
        if letter in numbers:
            return f"{numbers[letter]:0{count if letter != 'y' or count != 2 else 2}d}"
        return token

    return _LDML.sub(field, pattern)


def _post(
    blog: _Blog,
    site: Site,
    page: _Page,
    by_source: Mapping[str, _Page],
    authors: Mapping[str, _Author] | None,
) -> Post:
    """The page as a Post: its title heading taken off the body (the entry's title
    says it), its excerpt separator made postfeed's, its links resolved."""
    body = page.body
    first_line = page.body_line
    heading = _HEADING.match(body) if page.heading else None
    if heading is not None:
        first_line += body.count("\n", 0, heading.end())
        body = body[heading.end() :]
    if blog.excerpt_separator != "<!-- more -->":
        body = body.replace(blog.excerpt_separator, "\n<!-- more -->\n")
    found: list[tuple[int, str]] = []
    if blog.macros:
        # The macros plugin runs Jinja on each page; postfeed never runs it.
        body, found = templates.substitute(body, nunjucks.syntax("Jinja"), first_line)
    body = _links.rewrite(
        body, first_line, lambda link: _resolve(blog, site, page, by_source, link)
    )
    assert page.published is not None
    updated = page.updated if page.updated is not None and page.updated > page.published else None
    names = [str(key) for key in page.meta.get("authors") or []]
    credited = tuple(
        Author(name=authors[key].name, uri=authors[key].url)
        if authors is not None
        else Author(name=key)
        for key in names
        if authors is None or key in authors
    )
    tags = page.meta.get("tags")
    return Post(
        slug=page.url[len(site.url) :].strip("/") if page.url.startswith(site.url) else page.url,
        title=page.title,
        published=page.published,
        updated=updated,
        markdown=body,
        tags=_names([tags] if isinstance(tags, str) else tags),
        categories=_names(page.meta.get("categories")),
        authors=credited,
        id=page.url,
        url=page.link,
        # Material leaves drafts out of a build, and the RSS plugin skips them too.
        draft=page.meta.get("draft") is True,
        source=page.path,
        warnings=tuple(
            f"{page.path}:{line}: {message}" if line else f"{page.path}: {message}"
            for line, message in [*page.warnings, *found]
        ),
        lines=page.lines,
    )


def _names(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    try:
        return _values.names([str(item) for item in value], "name", "names")
    except _values.ValueProblem:  # pragma: no cover - every item is text
        return ()


def _resolve(
    blog: _Blog, site: Site, page: _Page, by_source: Mapping[str, _Page], link: _links.Link
) -> str | None:
    """A relative link as MkDocs resolves it: a post's file to its URL, another page's
    file to that page's URL, any other file under docs/ to where MkDocs publishes it
    (Material moves the posts folder's media files to the blog's folder)."""
    if not _links.is_relative(link.target):
        return None
    path, suffix = _links.split_target(link.target)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page.src_uri), unquote(path)))
    if target.startswith("../") or target == "..":
        return None
    if target in by_source:
        return by_source[target].url + suffix
    if not (blog.docs / target).is_file():
        return None
    if target.lower().endswith(MARKDOWN_SUFFIXES):
        return site.url + quote(_page_url(target, blog.directory_urls)) + suffix
    if target.startswith(blog.post_dir + "/"):
        target = blog.blog_dir + target[len(blog.post_dir) :]
    return site.url + quote(target) + suffix


READER = Reader(configure=configure, read=read)
