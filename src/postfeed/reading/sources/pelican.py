"""A Pelican site, read as Pelican 4.12 reads it: its settings (pelicanconf.py, and
publishconf.py over it, read as literals with Python's ``ast``, never executed),
every article under the content folder, in Markdown with Pelican's ``Key: value``
metadata header or in reStructuredText (with docutils, an optional dependency),
its dates, status, category, tags, authors, slug, language and URL, and its
``{filename}``/``{static}`` links. The entries get the links and ``tag:`` ids
Pelican's Atom feed gives them.

Sources: Pelican 4.12's ``settings.py``, ``readers.py``, ``contents.py``,
``generators.py``, ``writers.py``, ``urlwrappers.py`` and ``utils.py``;
feedgenerator 2.2.1's ``get_tag_uri``; Python-Markdown's ``meta`` extension.
"""

from __future__ import annotations

import ast
import fnmatch
import html
import os
import posixpath
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from ...errors import ConfigError
from ...model import Author, MarkdownProfile, Post, Progress, Site
from .. import _values
from . import Defaults, Reader, Reading, pelican_rst
from ._common import (
    PYTHON_MARKDOWN_EXTENSIONS,
    Problem,
    Problems,
    check_unique,
    instant,
    read_each,
    read_text,
)

#: The settings files, the second read over the first when it is there (Pelican
#: sites publish with ``pelican -s publishconf.py``).
CONFIG_NAMES = ("pelicanconf.py", "publishconf.py")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
RST_SUFFIXES = (".rst",)
OTHER_CONTENT = {".html": "HTML", ".htm": "HTML"}

# settings.py DEFAULT_CONFIG: the settings read here.
DEFAULTS: dict[str, Any] = {
    "PATH": ".",
    "ARTICLE_PATHS": [""],
    "ARTICLE_EXCLUDES": [],
    "PAGE_PATHS": ["pages"],
    "STATIC_PATHS": ["images"],
    "IGNORE_FILES": ["**/.*"],
    "SITEURL": "",
    "SITENAME": "A Pelican Blog",
    "AUTHOR": None,
    "TIMEZONE": "UTC",
    "DEFAULT_LANG": "en",
    "ARTICLE_URL": "{slug}.html",
    "ARTICLE_SAVE_AS": "{slug}.html",
    "ARTICLE_LANG_URL": "{slug}-{lang}.html",
    "ARTICLE_LANG_SAVE_AS": "{slug}-{lang}.html",
    "DRAFT_URL": "drafts/{slug}.html",
    "DRAFT_SAVE_AS": "drafts/{slug}.html",
    "DRAFT_LANG_URL": "drafts/{slug}-{lang}.html",
    "DRAFT_LANG_SAVE_AS": "drafts/{slug}-{lang}.html",
    "PAGE_URL": "pages/{slug}.html",
    "PAGE_LANG_URL": "pages/{slug}-{lang}.html",
    "CATEGORY_URL": "category/{slug}.html",
    "CATEGORY_SAVE_AS": "category/{slug}.html",
    "TAG_URL": "tag/{slug}.html",
    "AUTHOR_URL": "author/{slug}.html",
    "INDEX_SAVE_AS": "index.html",
    "STATIC_URL": "{path}",
    "FEED_DOMAIN": None,
    "FEED_MAX_ITEMS": 100,
    "FEED_APPEND_REF": False,
    "USE_FOLDER_AS_CATEGORY": True,
    "DEFAULT_CATEGORY": "misc",
    "WITH_FUTURE_DATES": True,
    "DEFAULT_DATE": None,
    "FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2}).*",
    "PATH_METADATA": "",
    "SLUGIFY_SOURCE": "title",
    "SLUGIFY_USE_UNICODE": False,
    "SLUGIFY_PRESERVE_CASE": False,
    "SLUG_REGEX_SUBSTITUTIONS": [
        (r"[^\w\s-]", ""),
        (r"(?u)\A\s*", ""),
        (r"(?u)\s*\Z", ""),
        (r"[-\s]+", "-"),
    ],
    "FORMATTED_FIELDS": ["summary"],
    "MARKDOWN": None,
}
# Settings that are code when they are not data; a warning names them.
_NOT_READ = {
    "TYPOGRIFY": "TYPOGRIFY: typographic quotes and dashes are not made",
    "PLUGINS": "PLUGINS: plugins are not run",
    "DOCUTILS_SETTINGS": "DOCUTILS_SETTINGS: docutils runs with Pelican's settings",
    "EXTRA_PATH_METADATA": "EXTRA_PATH_METADATA: not read; give each article its metadata",
    "DEFAULT_METADATA": "DEFAULT_METADATA: not read; give each article its metadata",
}
# readers.py METADATA_PROCESSORS: keys given once (a repeated one: the first).
_SINGLE = (
    "tags",
    "date",
    "modified",
    "status",
    "category",
    "author",
    "save_as",
    "url",
    "authors",
    "slug",
)
# Python-Markdown's meta extension.
_META = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_META_BEGIN = re.compile(r"^-{3}(\s.*)?")
_META_END = re.compile(r"^(-{3}|\.{3})(\s.*)?")
# contents.py _get_intrasite_link_regex with the default INTRASITE_LINK_REGEX.
_INTRASITE_HTML = re.compile(
    r"""(?P<markup><[^\>]+(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*)"""
    r"""(?P<quote>["\'])(?P<path>[{|](?P<what>.*?)[|}](?P<value>.*?))(?P=quote)""",
)
# The same links in Markdown: a link or image destination, a reference definition.
_INTRASITE_MARKDOWN = re.compile(
    r"""(?P<markup>\]\(\s*<?|^[ ]{0,3}\[[^\]]+\]:[ \t]*<?|(?:href|src)\s*=\s*["'])"""
    r"""(?P<path>[{|](?P<what>filename|static|attach|tag|category|author|index)[|}]"""
    r"""(?P<value>[^\s)"'>]*))""",
    re.M,
)
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}\1[ \t]*$|\Z)", re.M | re.S)
# Pelican's default Markdown: extra, codehilite (classes, never Pygments here), meta.
_PROFILE = MarkdownProfile(
    name="pelican",
    extensions=("extra", "codehilite"),
    settings=(("codehilite", (("css_class", "highlight"), ("use_pygments", False))),),
)


@dataclass(frozen=True, slots=True)
class _Settings:
    """The settings files' literal values (over Pelican's defaults), where each is,
    and warnings for those that are not literals."""

    path: Path
    values: dict[str, Any]
    lines: dict[str, tuple[Path, int]]
    warnings: tuple[str, ...]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key, DEFAULTS.get(key))

    def where(self, key: str) -> str:
        found = self.lines.get(key)
        return f"{found[0]}:{found[1]}" if found else str(self.path)


def configure(folder: Path) -> Defaults:
    """What pelicanconf.py (and publishconf.py) in ``folder`` say about the site.

    Raises:
        ConfigError: there is no pelicanconf.py, or it is not valid Python.
    """
    settings = load_settings(folder)
    values: dict[str, object] = {}
    names: dict[str, str] = {}
    lines: dict[str, int] = {}

    def give(key: str, name: str, value: object) -> None:
        if value is None:
            return
        values[key], names[key] = value, name
        found = settings.lines.get(name)
        if found is not None and found[0] == settings.path:
            lines[key] = found[1]

    give("title", "SITENAME", settings["SITENAME"])
    siteurl = settings["SITEURL"]
    give("url", "SITEURL", siteurl.rstrip("/") + "/" if isinstance(siteurl, str) else siteurl)
    give("timezone", "TIMEZONE", settings["TIMEZONE"])
    give("language", "DEFAULT_LANG", settings["DEFAULT_LANG"])
    give("author", "AUTHOR", settings["AUTHOR"])
    limit = settings["FEED_MAX_ITEMS"]
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        give("limit", "FEED_MAX_ITEMS", limit)
    profile, markdown_warnings = _profile(settings)
    return Defaults(
        path=settings.path,
        values=values,
        names=names,
        lines=lines,
        markdown=profile,
        future=settings["WITH_FUTURE_DATES"] is not False,
        warnings=(*settings.warnings, *markdown_warnings),
    )


def load_settings(folder: Path) -> _Settings:
    """pelicanconf.py's settings, and publishconf.py's over them.

    Raises:
        ConfigError: there is no pelicanconf.py, or a settings file is not valid Python.
    """
    first = folder / CONFIG_NAMES[0]
    if not first.is_file():
        raise ConfigError(
            folder,
            None,
            "no Pelican settings here (pelicanconf.py); set source_dir to the Pelican site's"
            " folder",
        )
    values: dict[str, Any] = {}
    lines: dict[str, tuple[Path, int]] = {}
    warnings: list[str] = []
    for name in CONFIG_NAMES:
        path = folder / name
        if path.is_file():
            _literals(path, values, lines, warnings)
    for key, message in _NOT_READ.items():
        if values.get(key):
            found = lines[key]
            warnings.append(f"{found[0]}:{found[1]}: {message}")
    return _Settings(first, values, lines, tuple(warnings))


def _literals(
    path: Path, values: dict[str, Any], lines: dict[str, tuple[Path, int]], warnings: list[str]
) -> None:
    """The upper-case names a settings file assigns, with their values when they are
    literals (or names of settings given before, or texts joined with ``+``)."""
    try:
        text = read_text(path)
    except Problem as err:
        raise ConfigError(path, err.line, err.message) from err
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as err:
        raise ConfigError(path, err.lineno, f"invalid Python: {err.msg}") from err
    for node in tree.body:
        targets: list[ast.expr]
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if not (isinstance(target, ast.Name) and target.id.isupper()):
                continue
            name = target.id
            lines[name] = (path, node.lineno)
            try:
                values[name] = _literal(value, values)
            except ValueError:
                values.pop(name, None)
                if name in DEFAULTS or name in _NOT_READ:
                    warnings.append(
                        f"{path}:{node.lineno}: {name}: not a literal, so not read (postfeed"
                        f" never runs pelicanconf.py); Pelican's default {DEFAULTS.get(name)!r}"
                        " is used"
                    )


def _literal(node: ast.expr, known: Mapping[str, Any]) -> Any:
    """A literal's value; a name given before; ``+`` of texts or lists.

    Raises:
        ValueError: anything else (code, which is never run).
    """
    if isinstance(node, ast.Name):
        if node.id in known:
            return known[node.id]
        if node.id in DEFAULTS:
            return DEFAULTS[node.id]
        raise ValueError(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, known), _literal(node.right, known)
        if type(left) is type(right) and isinstance(left, str | list | tuple):
            return left + right
        raise ValueError("+")
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_literal(item, known) for item in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise ValueError("**")
        return {
            _literal(key, known): _literal(value, known)
            for key, value in zip(node.keys, node.values, strict=True)
            if key is not None
        }
    return ast.literal_eval(node)


def _profile(settings: _Settings) -> tuple[MarkdownProfile, list[str]]:
    """Pelican's MARKDOWN setting as a profile: the extensions named (those of
    Python-Markdown itself), code never highlighted with Pygments."""
    given = settings["MARKDOWN"]
    if not isinstance(given, dict):
        return _PROFILE, []
    names: list[str] = []
    configs = given.get("extension_configs", {})
    listed = list(configs) if isinstance(configs, dict) else []
    extensions = given.get("extensions", [])
    listed += (
        [name for name in extensions if isinstance(name, str)]
        if isinstance(extensions, list)
        else []
    )
    warnings = []
    for name in listed:
        short = name.removeprefix("markdown.extensions.")
        if short == "meta" or short in names:
            continue
        if short in PYTHON_MARKDOWN_EXTENSIONS:
            names.append(short)
        else:
            warnings.append(
                f"{settings.where('MARKDOWN')}: MARKDOWN: the extension {name!r} is not read"
            )
    options: list[tuple[str, tuple[tuple[str, Any], ...]]] = []
    if "codehilite" in names:
        given_options = configs.get("markdown.extensions.codehilite", configs.get("codehilite"))
        css = given_options.get("css_class") if isinstance(given_options, dict) else None
        css_class = css if isinstance(css, str) else "codehilite"
        options.append(("codehilite", (("css_class", css_class), ("use_pygments", False))))
    return MarkdownProfile(name="pelican", extensions=tuple(names), settings=tuple(options)), (
        warnings
    )


# --- reading the content ----------------------------------------------------------


@dataclass(slots=True)
class _Article:
    """One article as its file and metadata make it, before its links are replaced."""

    path: Path
    relative: str  # from the content folder, with "/"
    kind: str  # "markdown" or "rst"
    meta: dict[str, Any]
    lines: dict[str, int]
    body: str  # Markdown, or HTML for reST
    body_line: int
    page: bool = False
    title: str = ""
    slug: str = ""
    lang: str = ""
    status: str = "published"
    date: datetime | None = None
    modified: datetime | None = None
    category: str = ""
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    url: str = ""  # relative to SITEURL
    save_as: str = ""
    link: str = ""  # absolute
    warnings: list[tuple[int | None, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Rules:
    settings: _Settings
    content: Path
    siteurl: str  # the site URL without a trailing slash (postfeed.yaml's url wins)
    tz: tzinfo
    default_lang: str


def read(site: Site, progress: Progress | None = None) -> Reading:
    """Every article of the Pelican site in ``site.posts_dir``.

    Raises:
        ConfigError: the settings cannot be read.
        PostErrors: every problem in every article, with the warnings.
    """
    settings = load_settings(site.posts_dir)
    content = site.posts_dir / str(settings["PATH"])
    if not content.is_dir():
        raise ConfigError(
            settings.path,
            settings.lines.get("PATH", (settings.path, None))[1],
            f"content folder {content} does not exist",
        )
    siteurl = site.url.rstrip("/")
    rules = _Rules(
        settings=settings,
        content=content,
        siteurl=siteurl,
        tz=ZoneInfo(site.timezone),
        default_lang=str(settings["DEFAULT_LANG"]).lower(),
    )
    problems = Problems()
    files, pages = _content_files(rules, problems)
    articles = read_each(files, lambda path: _article(rules, path, False, problems), progress)
    pages_read = read_each(pages, lambda path: _article(rules, path, True, problems), None)
    # Two articles at one URL: Pelican writes one over the other; postfeed refuses.
    check_unique(
        (article for article in articles if article.status != "hidden"),
        problems,
        ("slug", "url"),
    )
    by_source = {article.relative: article for article in [*articles, *pages_read]}
    posts = []
    for article in articles:
        if article.status in ("published", "draft"):
            post = _post(rules, article, by_source, problems)
            if post is not None:
                posts.append(post)
    problems.check(warning for post in posts for warning in post.warnings)
    return Reading(posts, tuple(problems.warnings))


def _content_files(rules: _Rules, problems: Problems) -> tuple[list[Path], list[Path]]:
    """The articles' and pages' files, in path order (generators.py get_files):
    files in a format postfeed does not read are reported and left out."""
    settings = rules.settings
    pages_paths = [str(p).strip("/") for p in settings["PAGE_PATHS"] or []]
    excludes = [str(p).strip("/") for p in settings["ARTICLE_EXCLUDES"] or []]
    statics = [str(p).strip("/") for p in settings["STATIC_PATHS"] or []]
    ignores = [str(p) for p in settings["IGNORE_FILES"] or []]
    articles: list[Path] = []
    pages: list[Path] = []
    for folder in sorted(set(str(p).strip("/") for p in settings["ARTICLE_PATHS"] or [""])):
        root = rules.content / folder if folder else rules.content
        for here, dirs, names in os.walk(root):
            relative_dir = Path(here).relative_to(rules.content).as_posix()
            relative_dir = "" if relative_dir == "." else relative_dir
            dirs[:] = sorted(
                name
                for name in dirs
                if not any(fnmatch.fnmatch(name, ignore) for ignore in ignores)
                and posixpath.join(relative_dir, name) not in excludes
            )
            for name in sorted(names):
                relative = posixpath.join(relative_dir, name)
                if any(fnmatch.fnmatch(name, ignore) for ignore in ignores):
                    continue
                if any(relative.startswith(static + "/") for static in statics if static):
                    continue
                suffix = Path(name).suffix.lower()
                path = Path(here) / name
                in_pages = any(
                    relative == p or relative.startswith(p + "/") for p in pages_paths if p
                )
                if suffix not in MARKDOWN_SUFFIXES + RST_SUFFIXES:
                    if suffix in OTHER_CONTENT and not in_pages:
                        problems.warn(
                            path,
                            None,
                            f"{OTHER_CONTENT[suffix]} content is not read (only Markdown and"
                            " reStructuredText): left out of the feeds",
                        )
                    continue
                (pages if in_pages else articles).append(path)
    return articles, pages


def _article(rules: _Rules, path: Path, page: bool, problems: Problems) -> _Article | None:
    """One article's metadata, dates, slug and URL, as Pelican's reader and Content
    make them; None when it has problems (noted) or Pelican skips it."""
    settings = rules.settings
    relative = path.relative_to(rules.content).as_posix()
    try:
        text = read_text(path)
    except Problem as err:
        problems.error(path, err.line, err.message)
        return None
    errors = len(problems.errors)
    if path.suffix.lower() in RST_SUFFIXES:
        article = _rst(rules, path, relative, text, problems)
        if article is None:
            return None
    else:
        meta, lines, body, body_line = markdown_metadata(text)
        article = _Article(path, relative, "markdown", {}, lines, body, body_line)
        formatted = [str(name).lower() for name in settings["FORMATTED_FIELDS"] or []]
        for key, items in meta.items():
            if key in formatted:
                article.meta[key] = "\n".join(items)
            elif key in _SINGLE or len(items) == 1:
                article.meta[key] = items[0]
            else:
                article.meta[key] = items
    article.page = page
    meta = article.meta
    # readers.py: defaults, then the path's metadata, then the file's.
    found = _path_metadata(rules, relative)
    for key, value in found.items():
        meta.setdefault(key, value)
    title = meta.get("title")
    # writers.py: the feed's title is the title's text (markupsafe's striptags).
    text = html.unescape(re.sub(r"<!--.*?-->|<[^>]*>", "", str(title), flags=re.S)) if title else ""
    article.title = " ".join(text.split())
    article.status = str(meta.get("status", "published")).strip().lower() or "published"
    if article.status == "skip":
        return None
    if article.status not in ("published", "hidden", "draft"):
        problems.error(
            path,
            article.lines.get("status"),
            f"status: unknown status {article.status!r} (use published, hidden or draft);"
            " Pelican leaves the file out too",
        )
        return None
    lang = meta.get("lang")
    article.lang = str(lang).strip() if lang else rules.default_lang
    article.date = _date(rules, article, "date", problems)
    article.modified = _date(rules, article, "modified", problems)
    if article.date is None and "date" not in meta:
        article.date = _default_date(rules, path)
    article.category = _category(rules, article)
    article.tags = _names(meta.get("tags"))
    authors = _names(meta.get("authors"))
    if not authors and meta.get("author"):
        authors = [str(meta["author"]).strip()]
    if not authors and settings["AUTHOR"]:
        authors = [str(settings["AUTHOR"])]
    article.authors = authors
    if len(problems.errors) > errors:
        return None
    if not article.title:
        problems.warn(
            path, None, "title: missing, so Pelican leaves the file out: left out of the feeds"
        )
        return None
    if article.date is None and not page:
        if article.status == "draft":
            article.date = datetime.max.replace(tzinfo=rules.tz)
        else:
            problems.warn(
                path, None, "date: missing, so Pelican leaves the file out: left out of the feeds"
            )
            return None
    slug = meta.get("slug")
    if slug and str(slug).strip():
        article.slug = str(slug).strip()
    else:
        source = settings["SLUGIFY_SOURCE"]
        basis = article.title if source == "title" else path.stem if source == "basename" else ""
        article.slug = slugify(basis, settings) if basis else ""
    try:
        article.url = _url_setting(rules, article, "url")
        article.save_as = _url_setting(rules, article, "save_as")
    except _FormatProblem as err:
        problems.error(path, None, str(err))
        return None
    # writers.py: an entry's link is the article's URL joined to SITEURL.
    link = urljoin(rules.siteurl + "/", article.url)
    if settings["FEED_APPEND_REF"]:
        link += "?ref=feed"
    article.link = link
    return article


def markdown_metadata(text: str) -> tuple[dict[str, list[str]], dict[str, int], str, int]:
    """Python-Markdown's meta extension: the ``Key: value`` lines at the top (an
    opening ``---`` line allowed; indented lines continue a value), ending at the
    first blank line, ``---`` or ``...``. Returns each key (lower-cased) with its
    values, the line of each key, the body and the line it starts on."""
    lines = text.split("\n")
    meta: dict[str, list[str]] = {}
    where: dict[str, int] = {}
    index = 0
    if lines and _META_BEGIN.match(lines[0]):
        index = 1
    key = None
    while index < len(lines):
        line = lines[index]
        found = _META.match(line)
        if line.strip() == "" or _META_END.match(line):
            index += 1
            break
        if found:
            key = found.group("key").lower().strip()
            meta.setdefault(key, []).append(found.group("value").strip())
            where.setdefault(key, index + 1)
        else:
            more = _META_MORE.match(line)
            if more and key:
                meta[key].append(more.group("value").strip())
            else:
                break
        index += 1
    return meta, where, "\n".join(lines[index:]), index + 1


def _rst(
    rules: _Rules, path: Path, relative: str, text: str, problems: Problems
) -> _Article | None:
    """A reST article rendered by docutils as Pelican's RstReader does."""
    settings = rules.settings
    formatted = tuple(str(name).lower() for name in settings["FORMATTED_FIELDS"] or [])
    try:
        rendered = pelican_rst.render(text, rules.default_lang, formatted)
    except pelican_rst.Missing:
        problems.warn(
            path,
            None,
            "reStructuredText needs docutils, which is not installed: left out of the feeds;"
            f" install it with {pelican_rst.INSTALL}",
        )
        return None
    lines = dict(rendered.field_lines)
    for found in re.finditer(r"^:([\w -]+):", text, re.M):
        lines.setdefault(found.group(1).lower(), text.count("\n", 0, found.start()) + 1)
    article = _Article(path, relative, "rst", {}, lines, rendered.html, 1)
    for name, value in rendered.fields.items():
        if name in ("tags", "authors") or isinstance(value, str):
            article.meta[name] = value
        else:
            article.meta[name] = ", ".join(value)
    if rendered.title is not None:
        article.meta.setdefault("title", rendered.title)
    article.warnings.extend(
        (line, f"reStructuredText: {message}") for line, message in rendered.problems
    )
    return article


def _path_metadata(rules: _Rules, relative: str) -> dict[str, Any]:
    """readers.py default_metadata and parse_path_metadata: FILENAME_METADATA,
    PATH_METADATA and the folder as category."""
    settings = rules.settings
    metadata: dict[str, Any] = {}
    folder, name = posixpath.split(relative)
    checks: list[tuple[Any, str]] = [
        (settings["FILENAME_METADATA"], posixpath.splitext(name)[0]),
        (settings["PATH_METADATA"], relative),
    ]
    if settings["USE_FOLDER_AS_CATEGORY"] and settings["CATEGORY_SAVE_AS"]:
        checks.append(("(?P<category>.*)", posixpath.basename(folder)))
    for pattern, data in checks:
        if not (isinstance(pattern, str) and pattern and data):
            continue
        try:
            match = re.match(pattern, data)
        except re.error:
            continue
        if match:
            for key, value in match.groupdict().items():
                if value is not None and key.lower() not in metadata:
                    metadata[key.lower()] = value
    return metadata


def _date(rules: _Rules, article: _Article, key: str, problems: Problems) -> datetime | None:
    """``Date``/``Modified`` as Pelican reads them (python-dateutil; without an
    offset, in TIMEZONE; an offset kept)."""
    value = article.meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = re.sub(" +", " ", str(value).replace("_", " ") if key == "date" else str(value))
    try:
        return instant(text, rules.tz)
    except _values.ValueProblem as err:
        problems.error(article.path, article.lines.get(key), f"{key}: {err}")
        return None


def _default_date(rules: _Rules, path: Path) -> datetime | None:
    """DEFAULT_DATE: 'fs' (the file's time), a tuple, or a text."""
    given = rules.settings["DEFAULT_DATE"]
    try:
        if given == "fs":
            return datetime.fromtimestamp(int(path.stat().st_mtime), rules.tz)
        if isinstance(given, tuple | list):
            return datetime(*given).replace(tzinfo=rules.tz)
        if isinstance(given, str) and given:
            return instant(given, rules.tz)
    except (TypeError, ValueError, _values.ValueProblem):
        return None
    return None


def _category(rules: _Rules, article: _Article) -> str:
    given = article.meta.get("category")
    if given and str(given).strip():
        return str(given).strip()
    default = rules.settings["DEFAULT_CATEGORY"]
    return str(default) if default and rules.settings["CATEGORY_SAVE_AS"] else ""


def _names(value: Any) -> list[str]:
    """readers.py ensure_metadata_list: a list kept; a text split at ';' if it has
    one, else at ','; stripped, empty ones dropped, each once."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(";") if ";" in value else value.split(",")
    return list(dict.fromkeys(item.strip() for item in value if item.strip()))


# --- slugs, URLs and ids -------------------------------------------------------------


def slugify(text: str, settings: _Settings | None = None, kind: str = "SLUG") -> str:
    """utils.py ``slugify`` with the settings' substitutions: tags stripped, NFKC,
    transliterated to ASCII (with Unidecode, as Pelican does) unless
    SLUGIFY_USE_UNICODE, substituted, lower-cased unless SLUGIFY_PRESERVE_CASE."""
    get: Callable[[str], Any] = (
        (lambda key: DEFAULTS.get(key)) if settings is None else (settings.__getitem__)
    )
    subs = get(f"{kind}_REGEX_SUBSTITUTIONS") if kind != "SLUG" else None
    if not isinstance(subs, list | tuple):
        subs = get("SLUG_REGEX_SUBSTITUTIONS")
    value = re.sub(r"<[^>]*>", "", text)
    value = unicodedata.normalize("NFKC", value)
    if not get("SLUGIFY_USE_UNICODE"):
        value = ascii_text(value)
    for pair in subs or []:
        source, target = pair
        value = re.sub(
            unicodedata.normalize("NFKC", source),
            unicodedata.normalize("NFKC", target),
            value,
            flags=re.IGNORECASE,
        )
    if not get("SLUGIFY_PRESERVE_CASE"):
        value = value.lower()
    return value.strip()


def ascii_text(text: str) -> str:
    """Text in ASCII as Unidecode writes it (Pelican's slugs use it); without
    Unidecode installed, accents dropped and other letters left out."""
    try:
        from unidecode import unidecode
    except ImportError:
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(c for c in decomposed if ord(c) < 128)
    return str(unidecode(text))


class _FormatProblem(Exception):
    """An URL setting that cannot be filled in for an article."""


def _url_setting(rules: _Rules, article: _Article, key: str) -> str:
    """contents.py get_url_setting: ``url``/``save_as`` metadata, else the setting
    for the article's kind, status and language, filled in."""
    override = article.meta.get(key)
    if isinstance(override, str) and override:
        return override
    settings = rules.settings
    kind = "PAGE" if article.page else "DRAFT" if article.status == "draft" else "ARTICLE"
    lang = "" if article.lang == rules.default_lang else "LANG_"
    name = f"{kind}_{lang}{key.upper()}"
    template = settings[name]
    if template is None:
        template = DEFAULTS.get(name, "")
    values: dict[str, Any] = {
        key: value for key, value in article.meta.items() if isinstance(value, str)
    }
    values.update(
        path=article.relative,
        slug=article.slug,
        lang=article.lang,
        date=article.date if article.date is not None else datetime.now(rules.tz),
        author=slugify(article.authors[0], settings, "AUTHOR") if article.authors else "",
        category=slugify(article.category, settings, "CATEGORY") if article.category else "",
    )
    if article.modified is not None:
        values["modified"] = article.modified
    try:
        return str(template).format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError) as err:
        raise _FormatProblem(
            f"{name}: {template!r} cannot be filled in for this article ({err})"
        ) from err


def tag_uri(link: str, when: datetime) -> str:
    """feedgenerator's ``get_tag_uri``: the id Pelican's feeds give an entry."""
    bits = urlsplit(link)
    fragment = f"/{bits.fragment}" if bits.fragment else ""
    return f"tag:{bits.hostname},{when.strftime('%Y-%m-%d')}:{bits.path}{fragment}"


def _intrasite(
    rules: _Rules,
    article: _Article,
    by_source: Mapping[str, _Article],
    what: str,
    value: str,
) -> str | None:
    """contents.py _link_replacer: the absolute URL a ``{what}value`` link names,
    or None when it names nothing Pelican would find."""
    settings = rules.settings
    base = rules.siteurl + "/"
    parts = urlsplit(value)
    path = unquote(parts.path)
    if what in ("filename", "static", "attach"):
        if path.startswith("/"):
            target = path[1:]
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(article.relative), path))
        if what == "filename" and target in by_source:
            found = urljoin(base, by_source[target].url)
        elif (rules.content / target).is_file():
            if what == "attach":
                tail = posixpath.relpath(target, posixpath.dirname(article.relative))
                if tail.startswith(".."):
                    tail = posixpath.basename(target)
                found = urljoin(base, posixpath.join(posixpath.dirname(article.save_as), tail))
            else:
                found = urljoin(base, str(settings["STATIC_URL"]).format(path=target))
        else:
            return None
    elif what in ("tag", "category", "author"):
        template = settings[f"{what.upper()}_URL"]
        found = urljoin(base, str(template).format(slug=slugify(path, settings, what.upper())))
    elif what == "index":
        found = urljoin(base, str(settings["INDEX_SAVE_AS"]))
    else:
        return None
    query = f"?{parts.query}" if parts.query else ""
    return found + query + (f"#{parts.fragment}" if parts.fragment else "")


def _replace_links(
    rules: _Rules,
    article: _Article,
    by_source: Mapping[str, _Article],
    text: str,
    pattern: re.Pattern[str],
) -> tuple[str, list[tuple[int | None, str]]]:
    warnings: list[tuple[int | None, str]] = []

    def one(match: re.Match[str]) -> str:
        what, value = match.group("what"), match.group("value")
        found = _intrasite(rules, article, by_source, what, value)
        if found is None:
            line = article.body_line + text.count("\n", 0, match.start())
            shown = match.group("path")
            if what in ("filename", "static", "attach", "tag", "category", "author", "index"):
                message = f"{shown}: no such file in the content folder; the link is left out"
            else:
                message = f"{shown}: {{{what}}} links are not read; the link is left out"
            warnings.append((line if article.kind == "markdown" else None, message))
            found = ""
        quote = match.groupdict().get("quote") or ""
        return match.group("markup") + quote + found + quote

    if article.kind == "markdown":
        # Not inside fenced code, where Pelican replaces nothing either.
        pieces, done = [], 0
        for fence in _FENCE.finditer(text):
            pieces.append(pattern.sub(one, text[done : fence.start()]))
            pieces.append(fence.group(0))
            done = fence.end()
        pieces.append(pattern.sub(one, text[done:]))
        return "".join(pieces), warnings
    return pattern.sub(one, text), warnings


def _post(
    rules: _Rules, article: _Article, by_source: Mapping[str, _Article], problems: Problems
) -> Post | None:
    """The article as a Post: links replaced, the id Pelican's Atom feed gives it."""
    if article.kind == "markdown":
        body, found = _replace_links(rules, article, by_source, article.body, _INTRASITE_MARKDOWN)
    else:
        body, found = _replace_links(rules, article, by_source, article.body, _INTRASITE_HTML)
    summary = article.meta.get("summary")
    if isinstance(summary, str) and summary.strip():
        pattern = _INTRASITE_MARKDOWN if article.kind == "markdown" else _INTRASITE_HTML
        summary, more = _replace_links(rules, article, by_source, summary, pattern)
        found.extend(more)
    else:
        summary = None
    assert article.date is not None
    date = article.date
    updated = article.modified if article.modified is not None and article.modified > date else None
    site_path = urlsplit(rules.siteurl + "/").path
    link_path = urlsplit(article.link).path
    slug = link_path[len(site_path) :] if link_path.startswith(site_path) else link_path
    return Post(
        slug=slug.strip("/") or "/",
        title=article.title,
        published=date,
        updated=updated,
        summary=summary,
        markdown=body if article.kind == "markdown" else None,
        html=body if article.kind == "rst" else None,
        tags=tuple(article.tags),
        categories=(article.category,) if article.category else (),
        authors=tuple(Author(name=name) for name in dict.fromkeys(article.authors)),
        lang=article.lang,
        id=tag_uri(article.link, date),
        url=article.link,
        draft=article.status == "draft",
        source=article.path,
        warnings=tuple(
            f"{article.path}:{line}: {message}" if line else f"{article.path}: {message}"
            for line, message in [*article.warnings, *found]
        ),
        lines=article.lines,
    )


READER = Reader(configure=configure, read=read)
