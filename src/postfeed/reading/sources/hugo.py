"""A Hugo site, read as Hugo reads it: its configuration (hugo.toml, hugo.yaml,
hugo.json or config.*), every Markdown page under the content folder with front
matter in YAML, TOML or JSON, its dates, drafts, expiry, slug, url and permalinks,
and its shortcodes, built-ins converted and the others left out. Nothing of the
site is executed: not its configuration, templates or shortcodes.

Sources: Hugo 0.168's ``resources/page/permalinks.go``, ``page_paths.go``,
``pagemeta/page_frontmatter.go``, ``common/paths/path.go`` and the embedded
``_shortcodes`` templates.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from ..._text import MONTHS
from ...errors import ConfigError
from ...model import Author, MarkdownProfile, Post, Progress, Site
from .. import _values
from . import Defaults, Reader, Reading, hugo_shortcodes, templates
from ._common import (
    FrontMatter,
    Problem,
    Problems,
    check_unique,
    front_matter,
    instant,
    load_json,
    load_toml,
    load_yaml,
    lower_keys,
    read_each,
    read_text,
)
from .hugo_shortcodes import to_bool

#: Hugo's configuration files, in the order Hugo looks for them.
CONFIG_NAMES = (
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
)
#: The suffixes of Markdown content; other content formats Hugo knows are not read.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")
OTHER_CONTENT = {
    ".html": "HTML",
    ".htm": "HTML",
    ".org": "Org",
    ".adoc": "AsciiDoc",
    ".asciidoc": "AsciiDoc",
    ".ad": "AsciiDoc",
    ".rst": "reStructuredText",
    ".pandoc": "Pandoc",
    ".pdc": "Pandoc",
}

# page_frontmatter.go newDefaultFrontmatterConfig, with dateFieldAliases.
_DATE_DEFAULTS = {
    "date": ("date", "publishdate", "lastmod"),
    "lastmod": (":git", "lastmod", "date", "publishdate"),
    "publishdate": ("publishdate", "date"),
    "expirydate": ("expirydate",),
}
_DATE_ALIASES = {
    "lastmod": ("modified",),
    "publishdate": ("pubdate", "published"),
    "expirydate": ("unpublishdate",),
}
_FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[^/](\d{2}-\d{2}-\d{2}))?")

# Goldmark's extensions (markup.goldmark.extensions) and what renders each here.
_GOLDMARK = (
    ("table", ("tables",)),
    ("definitionlist", ("def_list",)),
    ("footnote", ("footnotes",)),
    ("strikethrough", ("pymdownx.tilde",)),
    ("tasklist", ("pymdownx.tasklist",)),
    ("linkify", ("pymdownx.magiclink",)),
    ("typographer", ("smarty",)),
)
_SETTINGS: dict[str, tuple[tuple[str, Any], ...]] = {
    # Goldmark highlights code itself; here code blocks keep their language class only,
    # whether or not Pygments is installed.
    "pymdownx.highlight": (("use_pygments", False),),
    "pymdownx.tilde": (("subscript", False),),
    "pymdownx.tasklist": (("custom_checkbox", False), ("clickable_checkbox", False)),
    "pymdownx.magiclink": (("hide_protocol", False),),
    # Goldmark's typographer also turns << and >> into guillemets.
    "smarty": (("smart_angled_quotes", True),),
    # Goldmark's footnote back link.
    "footnotes": (("BACKLINK_TEXT", "&#x21a9;&#xfe0e;"),),
}
# GitHub-flavoured CommonMark as Goldmark renders it by default, with Hugo's choices.
_BASE_EXTENSIONS = ("attr_list", "md_in_html", "pymdownx.superfences", "pymdownx.highlight")


@dataclass(frozen=True, slots=True)
class _Config:
    """A Hugo configuration, keys lower-cased, and where each is in its file."""

    path: Path
    data: dict[str, Any]
    lines: dict[str, int]

    def get(self, dotted: str, default: Any = None) -> Any:
        """A value by its dotted, lower-case path (``params.author.email``)."""
        value: Any = self.data
        for part in dotted.split("."):
            if not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        return value

    def line(self, dotted: str) -> int | None:
        return self.lines.get(dotted)


def configure(folder: Path) -> Defaults:
    """What hugo.toml (or another of ``CONFIG_NAMES``) in ``folder`` says about the site.

    Raises:
        ConfigError: there is no configuration, or it cannot be read.
    """
    config = _load_config(folder)
    values: dict[str, object] = {}
    names: dict[str, str] = {}
    lines: dict[str, int] = {}

    def give(key: str, dotted: str, value: object, name: str) -> None:
        if value is None:
            return
        values[key], names[key] = value, name
        line = config.line(dotted)
        if line is not None:
            lines[key] = line

    give("title", "title", config.get("title"), "title")
    give("url", "baseurl", config.get("baseurl"), "baseURL")
    give("timezone", "timezone", config.get("timezone"), "timeZone")
    language = config.get("languagecode")
    give("language", "languagecode", language, "languageCode")
    give("description", "params.description", config.get("params.description"), "description")
    author, where = config.get("params.author"), "params.author"
    if author is None:
        author, where = config.get("author"), "author"
    if isinstance(author, dict):
        # Hugo themes keep more about the author (an avatar, ...); a feed needs these.
        author = {key: author[key] for key in ("name", "email") if key in author}
    give("author", where, author, where)
    limit = config.get("services.rss.limit", config.get("rsslimit"))
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        give("limit", "services.rss.limit", limit, "services.rss.limit")
    return Defaults(
        path=config.path,
        values=values,
        names=names,
        lines=lines,
        markdown=_profile(config),
        warnings=tuple(_unread(config)),
    )


def content_folder(folder: Path) -> Path:
    """The content folder of the Hugo site in ``folder`` (``contentDir``, default
    ``content``).

    Raises:
        ConfigError: there is no configuration, or it cannot be read.
    """
    return folder / str(_load_config(folder).get("contentdir", "content"))


def new_post_folder(folder: Path) -> Path:
    """Where a new post of the Hugo site in ``folder`` goes: its first main section
    (``params.mainSections``), else the section with the most pages, which Hugo takes
    for the main section when none is set; ``posts`` when there is no section yet.

    Raises:
        ConfigError: there is no configuration, or it cannot be read.
    """
    config = _load_config(folder)
    content = folder / str(config.get("contentdir", "content"))
    main = config.get("params.mainsections")
    main = [main] if isinstance(main, str) else main
    if isinstance(main, list) and main and isinstance(main[0], str) and main[0].strip("/"):
        return content / main[0].strip("/")
    pages: dict[str, int] = {}
    if content.is_dir():
        for section in sorted(content.iterdir()):
            if section.is_dir() and not section.name.startswith((".", "_")):
                pages[section.name] = sum(
                    1
                    for path in section.rglob("*")
                    if path.suffix.lower() in MARKDOWN_SUFFIXES and _stem(path.name) != "_index"
                )
    most = max(pages, key=lambda name: pages[name], default=None)
    return content / (most if most is not None and pages[most] else "posts")


def watched(site: Site) -> tuple[Path, ...]:
    """What a read depends on: every configuration file Hugo would look for, and the
    content folder."""
    folder = site.posts_dir
    try:
        content = content_folder(folder)
    except ConfigError:
        content = folder / "content"
    return (*(folder / name for name in CONFIG_NAMES), content)


def _load_config(folder: Path) -> _Config:
    for name in CONFIG_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        if path.suffix == ".toml":
            data, lines = load_toml(path)
        elif path.suffix == ".json":
            data, lines = load_json(path)
        else:
            data, lines = load_yaml(path)
        return _Config(path, _lower_all(data), {key.lower(): line for key, line in lines.items()})
    raise ConfigError(
        folder,
        None,
        "no Hugo configuration here (hugo.toml, hugo.yaml, hugo.json, config.toml,"
        " config.yaml or config.json); set source_dir to the Hugo site's folder",
    )


def _lower_all(data: Any) -> Any:
    """Hugo's configuration keys are case-insensitive: every mapping's keys lower-cased."""
    if isinstance(data, dict):
        return {str(key).lower(): _lower_all(value) for key, value in lower_keys(data).items()}
    if isinstance(data, list):
        return [_lower_all(item) for item in data]
    return data


def _profile(config: _Config) -> MarkdownProfile:
    """Goldmark's rendering as the configuration sets it up, in Python-Markdown."""
    switches = config.get("markup.goldmark.extensions", {})
    extensions = list(_BASE_EXTENSIONS)
    for name, rendered_by in _GOLDMARK:
        setting = switches.get(name, True) if isinstance(switches, dict) else True
        # Most are switched with a boolean; some take a table of options (on).
        if setting is not False and not (isinstance(setting, dict) and setting.get("disable")):
            extensions.extend(rendered_by)
    if config.get("markup.goldmark.renderer.hardwraps") is True:
        extensions.append("nl2br")
    extensions.append("sane_lists")
    return MarkdownProfile(
        name="hugo",
        extensions=tuple(extensions),
        settings=tuple((name, _SETTINGS[name]) for name in extensions if name in _SETTINGS),
        site_root_links=True,
    )


def _unread(config: _Config) -> list[str]:
    """Warnings for what the configuration sets that postfeed does not read."""
    notes = {
        "languages": "languages: each post is read once, in the default language",
        "enablegitinfo": "enableGitInfo: dates from Git are not read; lastmod comes from"
        " the front matter",
        "buildfuture": "buildFuture: not read; publish future posts with postfeed build --future",
        "builddrafts": "buildDrafts: not read; publish drafts with postfeed build --drafts",
        "buildexpired": "buildExpired: not read; expired posts are left out",
    }
    warnings = []
    for key, message in notes.items():
        value = config.get(key)
        if value is None or value is False or (key == "languages" and len(value or {}) < 2):
            continue
        line = config.line(key)
        where = f"{config.path}:{line}" if line else f"{config.path}"
        warnings.append(f"{where}: {message}")
    handler = config.get("markup.defaultmarkdownhandler")
    if isinstance(handler, str) and handler.lower() != "goldmark":
        line = config.line("markup.defaultmarkdownhandler")
        where = f"{config.path}:{line}" if line else f"{config.path}"
        warnings.append(f"{where}: defaultMarkdownHandler: Markdown is rendered as Goldmark does")
    return warnings


# --- reading the content ------------------------------------------------------------


@dataclass(slots=True)
class _Page:
    """A content page as its front matter and place make it, before its body is read."""

    path: Path
    logical: str  # Hugo's page path: "/posts/raft-leader-election", lower-case
    front: FrontMatter
    params: dict[str, Any]  # front matter, keys lower-cased
    lines: dict[str, int]
    title: str = ""
    slug: str = ""
    date: datetime | None = None
    publish: datetime | None = None
    lastmod: datetime | None = None
    expiry: datetime | None = None
    url: str = ""
    # The folders of the page's current section: "posts", or "posts/archive" when that
    # folder has an _index page (a nested section), as :sections gives them.
    sections: tuple[str, ...] = ()
    warnings: list[tuple[int | None, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Rules:
    """What the configuration says about pages: where they are and how they are linked."""

    config: _Config
    content: Path
    base: str  # the site URL, ending with "/"
    tz: ZoneInfo
    permalinks: tuple[tuple[str, str], ...]  # (section path, pattern), most specific first
    dates: Mapping[str, tuple[str, ...]]
    lower: bool
    accents: bool
    ugly: bool
    ignore: tuple[re.Pattern[str], ...]


def read(site: Site, progress: Progress | None = None) -> Reading:
    """Every page of the Hugo site in ``site.posts_dir``.

    Raises:
        ConfigError: the configuration cannot be read.
        PostErrors: every problem in every page, with the warnings.
    """
    rules = _rules(site)
    problems = Problems()
    files, branches = _content_files(rules, problems)
    pages = read_each(files, lambda path: _page(rules, path, problems, branches), progress)
    # Two pages at one URL: Hugo writes one over the other; postfeed refuses.
    check_unique(pages, problems, ("url", "slug"))
    by_path = {page.logical: page for page in pages}
    params = rules.config.get("params", {})
    posts = []
    for page in pages:
        post = _post(rules, page, by_path, params if isinstance(params, dict) else {}, problems)
        if post is not None:
            posts.append(post)
    problems.check(warning for post in posts for warning in post.warnings)
    return Reading(posts, tuple(problems.warnings))


def _rules(site: Site) -> _Rules:
    config = _load_config(site.posts_dir)
    content_dir = config.get("contentdir", "content")
    permalinks: list[tuple[str, str]] = []
    found = config.get("permalinks", {})
    if isinstance(found, dict):
        # The newer form keys patterns by kind; a page's are under "page".
        table = found.get("page", found) if isinstance(found.get("page"), dict) else found
        for section, pattern in table.items():
            if isinstance(pattern, str):
                _check_pattern(config, section, pattern)
                permalinks.append((section.strip(" /").lower(), pattern))
    permalinks.sort(key=lambda item: -len(item[0]))
    dates = dict(_DATE_DEFAULTS)
    setting = config.get("frontmatter", {})
    if isinstance(setting, dict):
        for key in _DATE_DEFAULTS:
            given = setting.get(key)
            if isinstance(given, str):
                given = [given]
            if isinstance(given, list):
                names: list[str] = []
                for name in (str(item).lower() for item in given):
                    names.extend(_DATE_DEFAULTS[key] if name == ":default" else (name,))
                dates[key] = tuple(names)
    ignore = config.get("ignorefiles", [])
    patterns = []
    for pattern in ignore if isinstance(ignore, list) else []:
        try:
            patterns.append(re.compile(str(pattern)))
        except re.error:
            continue
    return _Rules(
        config=config,
        content=site.posts_dir / str(content_dir),
        base=site.url,
        tz=ZoneInfo(site.timezone),
        permalinks=tuple(permalinks),
        dates={key: _with_aliases(names) for key, names in dates.items()},
        lower=config.get("disablepathtolower") is not True,
        accents=config.get("removepathaccents") is True,
        ugly=config.get("uglyurls") is True,
        ignore=tuple(patterns),
    )


def _check_pattern(config: _Config, section: str, pattern: str) -> None:
    """Refuse a permalink pattern with an attribute Hugo does not know (as Hugo does)
    or that is not read here.

    Raises:
        ConfigError: naming the attribute.
    """
    for match in _ATTRIBUTE.finditer(pattern.replace("\\:", "")):
        name = match.group(0)[1:]
        if name in _ATTRIBUTES:
            continue
        problem = None
        if name.startswith(("sections[", "sectionslugs[")):
            problem = f"permalink attribute :{name} is not read"
        elif _GO_LAYOUT.sub("", name) == name:
            problem = f"unknown permalink attribute :{name}"
        if problem is not None:
            line = config.line(f"permalinks.{section}") or config.line(f"permalinks.page.{section}")
            raise ConfigError(config.path, line, f"permalinks: {problem}")


def _with_aliases(names: Sequence[str]) -> tuple[str, ...]:
    result: list[str] = []
    for name in names:
        for found in (name, *_DATE_ALIASES.get(name, ())):
            if found not in result:
                result.append(found)
    return tuple(result)


def _content_files(rules: _Rules, problems: Problems) -> tuple[list[Path], set[str]]:
    """Every page file under the content folder, in path order: Markdown files, and a
    leaf bundle's index (the rest of a bundle is its resources). Files in other
    content formats are reported and left out. Also the folders (relative, lower-case)
    that hold an ``_index`` page: nested sections."""
    root = rules.content
    if not root.is_dir():
        problem = "is not a folder" if root.exists() else "does not exist"
        raise ConfigError(
            rules.config.path, rules.config.line("contentdir"), f"content folder {root} {problem}"
        )
    found: list[Path] = []
    branches: set[str] = set()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        here = Path(folder)
        index = next((n for n in sorted(names) if _stem(n) == "index" and _is_content(n)), None)
        if index is not None:
            dirs[:] = []  # a leaf bundle: everything below is its resources
            names = [index]
        for name in sorted(names):
            path = here / name
            suffix = path.suffix.lower()
            relative = path.relative_to(root).as_posix()
            if _stem(name) == "_index" and _is_content(name):
                branches.add(_normal(Path(relative).parent.as_posix()))
            if name.startswith(".") or _stem(name) == "_index":
                continue
            if any(pattern.search(relative) for pattern in rules.ignore):
                continue
            if suffix in MARKDOWN_SUFFIXES:
                found.append(path)
            elif suffix in OTHER_CONTENT:
                problems.warn(
                    path,
                    None,
                    f"{OTHER_CONTENT[suffix]} content is not read (only Markdown):"
                    " left out of the feeds",
                )
    return found, branches


def _normal(path: str) -> str:
    """A content path as Hugo normalises it: lower-case, spaces made hyphens."""
    return path.lower().replace(" ", "-")


def _stem(name: str) -> str:
    return name.rpartition(".")[0] or name


def _is_content(name: str) -> bool:
    suffix = "." + name.rpartition(".")[2].lower()
    return suffix in MARKDOWN_SUFFIXES or suffix in OTHER_CONTENT


def _page(rules: _Rules, path: Path, problems: Problems, branches: set[str]) -> _Page | None:
    """One page's front matter, dates, title and URL; None when it has problems
    (noted) or Hugo does not list it."""
    try:
        text = read_text(path)
        if text.startswith("#+"):
            problems.warn(path, 1, "Org front matter is not read: left out of the feeds")
            return None
        front = front_matter(text)
    except Problem as err:
        problems.error(path, err.line, err.message)
        return None
    params = lower_keys(front.data)
    lines = {key.lower(): line for key, line in reversed(front.lines.items())}
    relative = path.relative_to(rules.content)
    parts = list(relative.parts)
    if _stem(parts[-1]) == "index" and len(parts) > 1:
        parts = parts[:-1]  # a bundle is its folder
    else:
        parts[-1] = _stem(parts[-1])
    logical = "/" + _normal("/".join(parts))
    page = _Page(path, logical, front, params, lines)
    folders = logical.strip("/").split("/")[:-1]
    # The current section: the deepest folder that is a section (the first level
    # always, a nested one only with an _index page).
    depth = max(
        [
            min(1, len(folders)),
            *(n for n in range(2, len(folders) + 1) if "/".join(folders[:n]) in branches),
        ]
    )
    page.sections = tuple(folders[:depth])
    errors = len(problems.errors)

    if not _listed(params):
        return None
    page.title = _text(params, "title", page, problems).strip()
    page.slug = _text(params, "slug", page, problems).strip()
    _dates(rules, page, problems)
    if page.date is None and len(problems.errors) == errors:
        problems.error(
            path,
            None,
            "date: missing (every post needs a date; Hugo would date it 0001-01-01)",
        )
    if len(problems.errors) > errors:
        return None
    if not page.title:
        # Hugo shows no title; a feed entry needs one.
        name = parts[-1]
        page.title = name
        page.warnings.append((None, f"title: missing; the feeds show {name!r}"))
    url = _text(params, "url", page, problems).strip()
    if len(problems.errors) > errors:
        return None
    page.url = _permalink(rules, page, parts, url)
    return page


def _text(params: Mapping[str, Any], key: str, page: _Page, problems: Problems) -> str:
    """A text value of the front matter, '' when it is absent or null (noted when it
    is not text)."""
    value = params.get(key)
    if value is None:
        return ""
    try:
        return _values.text(value, empty_ok=True)
    except _values.ValueProblem as err:
        problems.error(page.path, page.lines.get(key), f"{key}: {err}")
        return ""


def _listed(params: Mapping[str, Any]) -> bool:
    """Whether Hugo lists the page at all (``build`` options, ``headless`` bundles)."""
    if params.get("headless") is True:
        return False
    options = params.get("build", params.get("_build"))
    if not isinstance(options, dict):
        return True
    options = lower_keys(options)
    return str(options.get("list", "always")).lower() not in ("never", "false", "local") and (
        str(options.get("render", "always")).lower() not in ("never", "false")
    )


def _dates(rules: _Rules, page: _Page, problems: Problems) -> None:
    """The page's date, publish date, last modification and expiry, by the
    configuration's ``frontmatter`` lists; a draft flag too."""
    found: dict[str, datetime] = {}
    slug_from_name = ""
    for key in set(name for names in rules.dates.values() for name in names):
        if key.startswith(":"):
            continue
        if key in page.params and page.params[key] not in (None, ""):
            try:
                found[key] = instant(page.params[key], rules.tz)
            except _values.ValueProblem as err:
                problems.error(page.path, page.lines.get(key), f"{key}: {err}")
    name_date = _FILENAME_DATE.match(page.logical.rsplit("/", 1)[1])
    if name_date is not None:
        try:
            found[":filename"] = instant(name_date.group(1), rules.tz)
            slug_from_name = page.logical.rsplit("/", 1)[1][name_date.end() :].strip(" -_")
        except _values.ValueProblem:
            pass

    def first(which: str) -> datetime | None:
        for name in rules.dates[which]:
            if name in found:
                return found[name]
        return None

    page.date = first("date")
    page.publish = first("publishdate")
    page.lastmod = first("lastmod")
    page.expiry = first("expirydate")
    if slug_from_name and not page.slug and ":filename" in rules.dates["date"]:
        page.slug = slug_from_name
    draft = page.params.get("draft", False)
    page.params["draft"] = to_bool(draft)


# --- URLs ------------------------------------------------------------------------------


def urlize(text: str, rules: _Rules | None = None) -> str:
    """Hugo's ``urlize``: Unicode letters, digits, marks and ``./_#+~-@`` kept (and
    ``%XX``), spaces made one ``-``, anything else dropped, lower-cased, then
    percent-encoded as Go's net/url does."""
    lower = rules.lower if rules is not None else True
    path = sanitize(text)
    if rules is not None and rules.accents:
        path = _without_accents(path)
    return _escape(path.lower() if lower else path)


def sanitize(text: str) -> str:
    """Hugo's ``paths.Sanitize``."""
    result: list[str] = []
    prepend = was_hyphen = False
    for index, char in enumerate(text):
        if _allowed(text, index, char):
            was_hyphen = char == "-"
            if prepend:
                if not was_hyphen:
                    result.append("-")
                prepend = False
            result.append(char)
        elif result and not was_hyphen and char.isspace():
            prepend = True
    return "".join(result)


def _allowed(text: str, index: int, char: str) -> bool:
    if char == " ":
        return False
    if char.isalpha() or char.isdigit() or char in "./\\_#+~-@":
        return True
    if unicodedata.category(char).startswith("M"):
        return True
    return (
        char == "%"
        and index + 2 < len(text)
        and all(c in "0123456789abcdefABCDEF" for c in text[index + 1 : index + 3])
    )


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    )


def _escape(path: str) -> str:
    """A path percent-encoded as Go's URL.String does (``%XX`` kept as it is)."""
    return quote(path, safe="/-._~!$&'()*+,;=:@%#")


def _permalink(rules: _Rules, page: _Page, parts: list[str], url: str | None) -> str:
    """The page's absolute permalink (``page_paths.go CreateTargetPaths``)."""
    if url:
        if ":" in url:
            url = unquote(_expand(rules, page, url))
        url = url.replace("\\", "/")
        if ".." in url:
            url = str(PurePosixPath("/") / url)
        path = "/" + url.lstrip("/")
        if not (path.endswith("/") or "." in path):
            path += "/"
        link = _escape(path.replace("#", "%23"))
    else:
        pattern = _pattern(rules, page)
        if pattern is not None:
            expanded = unquote(_expand(rules, page, pattern))
            path = os.path.normpath("/" + expanded.lstrip("/")).replace("\\", "/")
        else:
            container = (
                "/".join(page.logical.split("/")[1:-1])
                if rules.lower
                else "/".join(part.replace(" ", "-") for part in parts[:-1])
            )
            base = page.slug or (page.logical.rsplit("/", 1)[1] if rules.lower else parts[-1])
            path = f"/{container}/{base}" if container else f"/{base}"
        path = path.rstrip("/") + (".html" if rules.ugly else "/")
        if rules.lower:
            # Hugo lower-cases the whole path (seen: :monthname gives "march").
            path = path.lower()
        link = _escape(sanitize(path).replace("#", "%23"))
    return rules.base + link.lstrip("/")


def _pattern(rules: _Rules, page: _Page) -> str | None:
    """The permalink pattern of the page's section (``/posts/**``), if configured."""
    path = page.logical.lstrip("/")
    for section, pattern in rules.permalinks:
        if section == "" and "/" not in path:
            return pattern
        if section and (path == section or path.startswith(section + "/")):
            return pattern
    return None


_ATTRIBUTE = re.compile(r":\w+(\[.+?\])?")
_ATTRIBUTES = frozenset(
    [
        "year",
        "month",
        "monthname",
        "day",
        "weekday",
        "weekdayname",
        "yearday",
        "section",
        "sectionslug",
        "sections",
        "sectionslugs",
        "title",
        "slug",
        "slugorfilename",
        "filename",
        "contentbasename",
        "slugorcontentbasename",
    ]
)
_GO_LAYOUT = re.compile(
    r"January|Monday|2006|Jan|Mon|MST|002|__2|_2|01|02|03|04|05|06|15|PM|pm|1|2|3|4|5"
)
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _expand(rules: _Rules, page: _Page, pattern: str) -> str:
    """A permalink pattern with every ``:attribute`` filled in (``\\:`` is a colon)."""
    escaped = pattern.replace("\\:", "\x00")

    def one(match: re.Match[str]) -> str:
        return _attribute(rules, page, match.group(0)[1:])

    return _ATTRIBUTE.sub(one, escaped).replace("\x00", ":")


def _attribute(rules: _Rules, page: _Page, name: str) -> str:
    date = page.date
    assert date is not None
    segments = page.logical.strip("/").split("/")
    base = segments[-1]
    section = segments[0] if len(segments) > 1 else ""
    values: dict[str, Callable[[], str]] = {
        "year": lambda: str(date.year),
        "month": lambda: f"{date.month:02d}",
        "monthname": lambda: MONTHS[date.month - 1],
        "day": lambda: f"{date.day:02d}",
        "weekday": lambda: str(date.isoweekday() % 7),
        "weekdayname": lambda: _DAYS[date.isoweekday() % 7],
        "yearday": lambda: str(date.timetuple().tm_yday),
        "section": lambda: section,
        "sectionslug": lambda: urlize(section, rules),
        "sections": lambda: "/".join(page.sections),
        "sectionslugs": lambda: "/".join(urlize(s, rules) for s in page.sections),
        "title": lambda: urlize(page.title, rules),
        "slug": lambda: urlize(page.slug or page.title, rules),
        "slugorfilename": lambda: urlize(page.slug or base, rules),
        "filename": lambda: urlize(base, rules),
        "contentbasename": lambda: urlize(base, rules),
        "slugorcontentbasename": lambda: urlize(page.slug or base, rules),
    }
    if name in values:
        return values[name]()
    return _go_format(date, name)


def _go_format(date: datetime, layout: str) -> str:
    """A date in a Go time layout (``2006-01-02``), for permalinks such as ``:2006``."""
    hour12 = date.hour % 12 or 12
    tokens = {
        "January": MONTHS[date.month - 1],
        "Jan": MONTHS[date.month - 1][:3],
        "Monday": _DAYS[date.isoweekday() % 7],
        "Mon": _DAYS[date.isoweekday() % 7][:3],
        "2006": f"{date.year:04d}",
        "06": f"{date.year % 100:02d}",
        "01": f"{date.month:02d}",
        "1": str(date.month),
        "02": f"{date.day:02d}",
        "2": str(date.day),
        "_2": f"{date.day:2d}",
        "002": f"{date.timetuple().tm_yday:03d}",
        "__2": f"{date.timetuple().tm_yday:3d}",
        "15": f"{date.hour:02d}",
        "03": f"{hour12:02d}",
        "3": str(hour12),
        "04": f"{date.minute:02d}",
        "4": str(date.minute),
        "05": f"{date.second:02d}",
        "5": str(date.second),
        "PM": "PM" if date.hour >= 12 else "AM",
        "pm": "pm" if date.hour >= 12 else "am",
        "MST": date.strftime("%Z"),
    }
    return _GO_LAYOUT.sub(lambda match: tokens[match.group(0)], layout)


# --- posts -----------------------------------------------------------------------------


def _post(
    rules: _Rules,
    page: _Page,
    by_path: Mapping[str, _Page],
    site_params: Mapping[str, Any],
    problems: Problems,
) -> Post | None:
    """The page as a Post, its shortcodes converted; None when it has problems (noted)."""
    params = page.params
    path = page.path
    front = page.front
    errors = len(problems.errors)
    context = hugo_shortcodes.Page(
        url=page.url,
        bundle=path.parent if path.stem == "index" else None,
        params=params,
        site_params=site_params,
        resolve=lambda target: _find_url(target, page, by_path),
    )
    body, found = templates.substitute(front.body, hugo_shortcodes.syntax(context), front.body_line)

    def names(key: str) -> tuple[str, ...]:
        value = params.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        try:
            return _values.names([str(item) for item in items], key, key)
        except _values.ValueProblem as err:
            problems.error(path, page.lines.get(key), f"{key}: {err}")
            return ()

    summary = _text(params, "summary", page, problems) or None
    tags, categories, authors = names("tags"), names("categories"), names("authors")
    if len(problems.errors) > errors:
        return None
    assert page.date is not None
    published = page.publish or page.date
    updated = page.lastmod if page.lastmod is not None and page.lastmod > published else None
    return Post(
        slug=page.url[len(rules.base) :].strip("/") or "/",
        title=page.title,
        published=published,
        updated=updated,
        summary=summary,
        markdown=body,
        tags=tags,
        categories=categories,
        authors=tuple(Author(name=name) for name in authors),
        id=page.url,
        url=page.url,
        draft=bool(params.get("draft")),
        expires=page.expiry,
        source=path,
        warnings=tuple(
            f"{path}:{line}: {message}" if line else f"{path}: {message}"
            for line, message in [*page.warnings, *found]
        ),
        lines=page.lines,
    )


def _find_url(path: str, page: _Page, by_path: Mapping[str, _Page]) -> str | None:
    """The URL of the page a ``ref`` names: a path relative to the page's folder or
    to the content folder, with or without its extension or ``/index``."""
    if not path:
        return page.url
    logical = page.logical
    folder = logical if page.path.stem == "index" else logical.rsplit("/", 1)[0]
    candidates = [path] if path.startswith("/") else [f"{folder}/{path}", f"/{path}"]
    for candidate in candidates:
        normal = os.path.normpath(candidate).replace("\\", "/").lower().replace(" ", "-")
        for suffix in MARKDOWN_SUFFIXES:
            if normal.endswith(suffix):
                normal = normal[: -len(suffix)]
        normal = re.sub(r"/(?:_?index)$", "", normal) or "/"
        if normal in by_path:
            return by_path[normal].url
    return None


READER = Reader(configure=configure, read=read, watched=watched)
