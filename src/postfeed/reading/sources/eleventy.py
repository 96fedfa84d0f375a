"""An Eleventy site in eleventy-base-blog's layout, read as Eleventy 3.1 and
eleventy-plugin-rss 3.0 read it: the posts collection (the Markdown templates whose
data, directory data files included, tags them ``posts``), their dates, permalinks
and drafts, and each post's link and id as the feed plugin writes them.

Eleventy's configuration and data files are JavaScript and are never run: the site
URL, the folders and the feed plugin's options are taken where they are written as
plain literals; a ``.11tydata.js`` file is read when it exports a plain object; a
post whose front matter is JavaScript (``---js``) is named in a warning and left out.
Nunjucks and Liquid in posts are never run either (see nunjucks.py).

Sources: Eleventy's ``src/Template.js`` (``getMappedDate``), ``TemplatePermalink.js``,
``TemplateFileSlug.js``, ``Plugins/HtmlBasePlugin.js`` and ``Plugins/InputPathToUrl.js``;
eleventy-plugin-rss's ``src/virtualTemplate.js``; eleventy-base-blog v9's
``eleventy.config.js``, ``_data/metadata.js`` and ``content/blog/blog.11tydata.js``.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ...errors import ConfigError
from ...model import MarkdownProfile, Post, Progress, Site
from .. import _values
from . import Defaults, Reader, Reading, _js, _links, nunjucks, templates
from ._common import YAML, Problem, Problems, check_unique, front_matter, read_each, read_text

#: Eleventy's configuration files, in the order Eleventy looks for them.
CONFIG_NAMES = (
    ".eleventy.js",
    "eleventy.config.js",
    "eleventy.config.mjs",
    "eleventy.config.cjs",
)
_DATA_SUFFIXES = (".11tydata.json", ".11tydata.js", ".11tydata.mjs", ".11tydata.cjs")
# Template formats other than Markdown: a post in one of them is named and left out.
_OTHER_TEMPLATES = {
    ".njk": "Nunjucks",
    ".liquid": "Liquid",
    ".html": "HTML",
    ".11ty.js": "JavaScript",
    ".webc": "WebC",
    ".hbs": "Handlebars",
    ".mustache": "Mustache",
    ".ejs": "EJS",
    ".pug": "Pug",
}
_ENGINES = {"njk": "Nunjucks", "liquid": "Liquid"}
# Dates Eleventy takes from the file or from Git: they change with every checkout.
_FILE_DATES = ("last modified", "created", "git last modified", "git created")
_PATH_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
# Luxon's DateTime.fromISO, as Eleventy reads a date written as text (in UTC).
_ISO_DATE = re.compile(
    r"(?P<year>\d{4})(?:"
    r"-W(?P<week>\d{2})(?:-(?P<weekday>\d))?|W(?P<bweek>\d{2})(?P<bweekday>\d)?"
    r"|-(?P<ordinal>\d{3})|(?P<bordinal>\d{3})(?=T|$)"
    r"|-(?P<month>\d{2})(?:-(?P<day>\d{2}))?|(?P<bmonth>\d{2})(?P<bday>\d{2})"
    r")?"
)
_ISO_TIME = re.compile(
    r"T(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
# markdown-it's defaults with Eleventy's html: true: tables and strikethrough, no
# linkify, typographer, footnotes or task lists.
_PROFILE = MarkdownProfile(
    name="eleventy",
    extensions=(
        "tables",
        "pymdownx.tilde",
        "pymdownx.superfences",
        "pymdownx.highlight",
        "sane_lists",
    ),
    settings=(
        ("pymdownx.tilde", (("subscript", False),)),
        ("pymdownx.highlight", (("use_pygments", False),)),
    ),
)


@dataclass(frozen=True, slots=True)
class _Config:
    """What Eleventy's configuration (and the base blog's metadata file) say, as far
    as they are written as plain literals."""

    path: Path  # the configuration file, or the site folder when there is none
    folder: Path
    input: Path
    ignored: tuple[Path, ...]
    base: str | None
    base_line: int | None
    collection: str
    limit: int | None
    engine: str | None  # "Nunjucks", "Liquid", or None (Markdown is not preprocessed)
    drafts: bool  # the configuration leaves draft: true posts out of a build
    input_links: bool  # InputPathToUrlTransformPlugin is on
    path_prefix: str
    values: dict[str, object] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    value_paths: dict[str, Path] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def configure(folder: Path) -> Defaults:
    """What the Eleventy site in ``folder`` says about itself: the feed plugin's options
    in its configuration, then ``_data/metadata.js``.

    Raises:
        ConfigError: the input folder does not exist.
    """
    config = _config(folder)
    # Values come from the configuration and from the metadata file: messages name
    # the file the URL came from, and the other file for the others.
    path = config.value_paths.get("url", config.path)
    names = {
        key: name
        if config.value_paths[key] == path
        else f"{name} in {config.value_paths[key].name}"
        for key, name in config.names.items()
    }
    lines = {key: line for key, line in config.lines.items() if config.value_paths[key] == path}
    missing = (
        f"{config.path.name} gives the feed plugin no plain base URL and"
        " _data/metadata.js no plain url (JavaScript is read only where the URL is a"
        " string); set url in postfeed.yaml"
    )
    return Defaults(
        path=path,
        values=config.values,
        names=names,
        lines=lines,
        # Eleventy puts its path prefix before root-relative links too.
        markdown=replace(_PROFILE, site_root_links=config.path_prefix != "/"),
        future=True,
        warnings=config.warnings,
        missing={"url": missing},
    )


def _config(folder: Path) -> _Config:
    path = next((folder / name for name in CONFIG_NAMES if (folder / name).is_file()), None)
    text = ""
    if path is not None:
        try:
            text = read_text(path)
        except Problem as err:
            raise ConfigError(path, err.line, err.message) from err
    where = path if path is not None else folder
    warnings: list[str] = []
    directories = _js.object_after(text, r"\bdir\s*:\s*")
    dirs = directories.value if directories is not None else {}
    assert isinstance(dirs, dict)
    input_name = _text(dirs.get("input")) or _first(text, "input") or "."
    input_dir = Path(os.path.normpath(folder / input_name))
    if not input_dir.is_dir():
        problem = "is not a folder" if input_dir.exists() else "does not exist"
        line = directories.line if directories is not None else None
        raise ConfigError(where, line, f"input folder {input_dir} {problem}")
    data_dir = Path(os.path.normpath(input_dir / (_text(dirs.get("data")) or "_data")))
    includes = Path(os.path.normpath(input_dir / (_text(dirs.get("includes")) or "_includes")))
    output = Path(os.path.normpath(folder / (_text(dirs.get("output")) or "_site")))
    feed = _js.object_after(text, r"addPlugin\(\s*(?:[\w$]+\.)?feedPlugin\s*,\s*")
    options = feed.value if feed is not None else {}
    assert isinstance(options, dict)
    metadata = _mapping(options.get("metadata"))
    collection = _mapping(options.get("collection"))
    site_data, data_path, data_lines = _metadata(data_dir, warnings)

    values: dict[str, object] = {}
    names: dict[str, str] = {}
    lines: dict[str, int] = {}
    paths: dict[str, Path] = {}

    def give(key: str, value: object, source: Path, name: str, line: int | None) -> None:
        if key in values or value is None or (isinstance(value, str) and not value.strip()):
            return
        values[key], names[key], paths[key] = value, name, source
        if line is not None:
            lines[key] = line

    prefix = _first(text, "pathPrefix") or "/"
    path_prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    feed_line = feed.line if feed is not None else None
    base = _text(metadata.get("base")) if metadata else None
    base_line = feed_line
    if base is None and path is not None:
        found = _js.first_string(text, "base")
        base, base_line = (
            (found.value, found.line) if found and isinstance(found.value, str) else (None, None)
        )
    give("url", _home(base, path_prefix), where, "feed plugin metadata.base", base_line)
    give("title", _text(metadata.get("title")), where, "feed plugin metadata.title", feed_line)
    give("description", _text(metadata.get("subtitle")), where, "metadata.subtitle", feed_line)
    give("language", _text(metadata.get("language")), where, "metadata.language", feed_line)
    author = metadata.get("author")
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        give("author", _author(author), where, "feed plugin metadata.author", feed_line)
    if data_path is not None:
        url = _text(site_data.get("url"))
        if url is not None and base is not None and url.rstrip("/") != base.rstrip("/"):
            warnings.append(
                f"{data_path}:{data_lines.get('url', 1)}: url {url!r} is not the feed plugin's"
                f" base {base!r}; the feed's links follow the base"
            )
        give("url", _home(url, path_prefix), data_path, "url", data_lines.get("url"))
        for key in ("title", "description", "language"):
            give(key, _text(site_data.get(key)), data_path, key, data_lines.get(key))
        found_author = site_data.get("author")
        if isinstance(found_author, dict) and isinstance(found_author.get("name"), str):
            give("author", _author(found_author), data_path, "author", data_lines.get("author"))
    limit = collection.get("limit") if collection else None
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        give("limit", limit, where, "feed plugin collection.limit", feed_line)
    engine_setting = _js.object_after(text, r"\bexport\s+const\s+config\s*=\s*")
    engine: object = "liquid"  # Eleventy's default markdownTemplateEngine
    if engine_setting is not None and isinstance(engine_setting.value, dict):
        engine = engine_setting.value.get("markdownTemplateEngine", engine)
    else:
        found_engine = _js.first_string(text, "markdownTemplateEngine")
        if found_engine is not None:
            engine = found_engine.value
        elif re.search(r"markdownTemplateEngine\s*[:=]\s*false", _js.code(text)):
            engine = False
    if re.search(r"\baddDateParsing\s*\(", _js.code(text)):
        line = _js.line_of(text, _js.code(text).index("addDateParsing"))
        warnings.append(
            f"{where}:{line}: addDateParsing: custom date parsing is code, not run; dates"
            " are read as Eleventy reads them without it"
        )
    return _Config(
        path=where,
        folder=folder,
        input=input_dir,
        ignored=(data_dir, includes, output, folder / "node_modules", input_dir / "node_modules"),
        base=base,
        base_line=base_line,
        collection=_text(collection.get("name")) or "posts",
        limit=limit if isinstance(limit, int) else None,
        engine=_ENGINES.get(engine) if isinstance(engine, str) else None,
        drafts=re.search(r"\bdata\.draft\b", _js.code(text)) is not None,
        input_links="InputPathToUrlTransformPlugin" in _js.code(text),
        path_prefix=path_prefix,
        values=values,
        names=names,
        lines=lines,
        value_paths=paths,
        warnings=tuple(warnings),
    )


def _home(url: str | None, path_prefix: str) -> str | None:
    """The site's home URL: the base with Eleventy's path prefix put before its path
    (``addPathPrefixToFullUrl``)."""
    if url is None or path_prefix == "/" or not re.match(r"^https?://", url):
        return url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{path_prefix.rstrip('/')}{parts.path or '/'}"


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _first(text: str, name: str) -> str | None:
    found = _js.first_string(text, name)
    return found.value if found is not None and isinstance(found.value, str) else None


def _author(value: Mapping[str, Any]) -> dict[str, str]:
    """An author in postfeed's shape: name, and email where given."""
    author = {"name": str(value["name"])}
    if isinstance(value.get("email"), str):
        author["email"] = value["email"]
    return author


def _metadata(
    data_dir: Path, warnings: list[str]
) -> tuple[dict[str, Any], Path | None, dict[str, int]]:
    """The base blog's site data (``_data/metadata.js`` or ``.json``): its plain values,
    its path and the line of each key."""
    for name in ("metadata.js", "metadata.mjs", "metadata.cjs", "metadata.json"):
        path = data_dir / name
        if not path.is_file():
            continue
        try:
            text = read_text(path)
        except Problem as err:
            raise ConfigError(path, err.line, err.message) from err
        lines = {
            match.group(1) or match.group(2): _js.line_of(text, match.start())
            for match in re.finditer(r"^\s*(?:(\w+)|[\"'](\w+)[\"'])\s*:", text, re.M)
        }
        if name.endswith(".json"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as err:
                raise ConfigError(path, err.lineno, f"invalid JSON: {err.msg}") from err
            return (data if isinstance(data, dict) else {}), path, lines
        try:
            found = _js.default_export(text)
        except _js.NotLiteral:
            # Not a plain object: take the values that are plain strings.
            data = {}
            for key in ("url", "title", "description", "language"):
                value = _first(text, key)
                if value is not None:
                    data[key] = value
            return data, path, lines
        return (found.value if isinstance(found.value, dict) else {}), path, lines
    return {}, None, {}


# --- the posts -------------------------------------------------------------------------


@dataclass(slots=True)
class _Page:
    """A post as its data and place make it, before its body is converted."""

    path: Path
    relative: str  # the path under the input folder
    data: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    published: datetime | None = None
    url: str = ""
    warnings: list[tuple[int | None, str]] = field(default_factory=list)


def read(site: Site, progress: Progress | None = None) -> Reading:
    """Every post of the Eleventy site in ``site.posts_dir``.

    Raises:
        ConfigError: the configuration cannot be read.
        PostErrors: every problem in every post, with the warnings.
    """
    config = _config(site.posts_dir)
    problems = Problems()
    data_files = _DataFiles(config, problems)
    files = _template_files(config)
    pages = read_each(files, lambda path: _page(config, site, path, data_files, problems), progress)
    # Two posts at one URL: Eleventy refuses to write both; so does postfeed.
    check_unique(pages, problems, ("permalink",))
    by_path = {page.relative: page for page in pages}
    posts = [_post(config, site, page, by_path) for page in pages]
    problems.check(warning for post in posts for warning in post.warnings)
    return Reading(posts, tuple(problems.warnings))


def _template_files(config: _Config) -> list[Path]:
    """The template files under the input folder, in path order, outside the data,
    includes and output folders and dot-folders."""
    found = []
    ignored = set(config.ignored)
    for folder, dirs, names in os.walk(config.input):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and here / d not in ignored)
        for name in sorted(names):
            if name.startswith(".") or name.endswith(_DATA_SUFFIXES):
                continue
            if name.endswith(".md") or _other_template(name) is not None:
                found.append(here / name)
    return found


def _other_template(name: str) -> str | None:
    return next((kind for suffix, kind in _OTHER_TEMPLATES.items() if name.endswith(suffix)), None)


class _DataFiles:
    """Directory and template data files (``blog/blog.11tydata.json``), each read once."""

    def __init__(self, config: _Config, problems: Problems) -> None:
        self.config = config
        self.problems = problems
        self.cache: dict[Path, dict[str, Any]] = {}

    def for_template(self, path: Path) -> list[dict[str, Any]]:
        """The data files' data that applies to a template, least specific first: each
        folder's from the input folder down, then the template's own."""
        relative = path.parent.relative_to(self.config.input)
        folders = [self.config.input]
        for part in relative.parts:
            folders.append(folders[-1] / part)
        found = [self._read(folder / folder.name) for folder in folders]
        found.append(self._read(path.parent / _stem(path.name)))
        return [data for data in found if data]

    def _read(self, stem: Path) -> dict[str, Any]:
        """One data file's data (a ``.11tydata.js`` file's over a ``.json`` one's)."""
        if stem not in self.cache:
            data: dict[str, Any] = {}
            for suffix in _DATA_SUFFIXES:
                path = stem.with_name(stem.name + suffix)
                if path.is_file():
                    data = {**data, **self._load(path)}
            self.cache[stem] = data
        return self.cache[stem]

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            text = read_text(path)
        except Problem as err:
            self.problems.error(path, err.line, err.message)
            return {}
        if path.name.endswith(".json"):
            try:
                data = json.loads(text) if text.strip() else {}
            except json.JSONDecodeError as err:
                self.problems.error(path, err.lineno, f"invalid JSON: {err.msg}")
                return {}
        else:
            try:
                data = _js.default_export(text).value
            except _js.NotLiteral as err:
                self.problems.warn(
                    path,
                    _js.line_of(text, err.offset) if err.offset else None,
                    "JavaScript that is not a plain object is not run: this data file is"
                    " not read (give its posts their tags in a .11tydata.json file)",
                )
                return {}
        if not isinstance(data, dict):
            self.problems.error(path, 1, "expected an object of data")
            return {}
        return data


def _stem(name: str) -> str:
    """A template's name without its template extension (``a.11ty.js`` -> ``a``)."""
    for suffix in (".11ty.js", ".11ty.cjs", ".11ty.mjs"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name.rpartition(".")[0] or name


def _merged(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """Eleventy's data cascade over these layers: later ones win, and tags add up."""
    result: dict[str, Any] = {}
    tags: list[str] = []
    for layer in layers:
        for key, value in layer.items():
            if key == "tags":
                for tag in (
                    [value] if isinstance(value, str) else value if isinstance(value, list) else []
                ):
                    if isinstance(tag, str) and tag not in tags:
                        tags.append(tag)
            else:
                result[key] = value
    result["tags"] = tags
    return result


def _page(
    config: _Config, site: Site, path: Path, data_files: _DataFiles, problems: Problems
) -> _Page | None:
    """One template of the posts collection, with its data, date and URL; None when it
    is not in the collection, is left out (noted), or has problems (noted)."""
    layers = data_files.for_template(path)
    inherited = _merged(layers)
    try:
        text = read_text(path)
    except Problem as err:
        problems.error(path, err.line, err.message)
        return None
    first = text.split("\n", 1)[0].strip()
    kind = _other_template(path.name)
    if first in ("---js", "---javascript"):
        if config.collection in inherited["tags"] or config.collection in text:
            problems.warn(
                path, 1, "front matter in JavaScript (---js) is not run: left out of the feeds"
            )
        return None
    try:
        if first == "---json":
            front_data, lines, body, body_line = _json_front(text)
        else:
            front = front_matter(text, formats=(YAML,), timestamps=True)
            front_data, lines, body, body_line = (
                front.data,
                front.lines,
                front.body,
                front.body_line,
            )
    except Problem as err:
        if kind is None:
            problems.error(path, err.line, err.message)
        return None
    data = _merged([*layers, front_data])
    if config.collection not in data["tags"] or data.get("eleventyExcludeFromCollections") is True:
        return None
    if kind is not None:
        problems.warn(
            path, None, f"{kind} templates are not read (only Markdown): left out of the feeds"
        )
        return None
    relative = path.relative_to(config.input).as_posix()
    page = _Page(path, relative, data, lines, body, body_line)
    errors = len(problems.errors)
    for key in ("title", "description"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.error(
                path,
                lines.get(key),
                f"{key}: expected text, got {_values.describe(value)} (quote it)",
            )
    page.published = _date(config, page, problems)
    url = _url(config, page, problems)
    if len(problems.errors) > errors or url is None:
        return None
    page.url = _link(config, site, url)
    return page


def _json_front(text: str) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Front matter written in JSON between ``---json`` and ``---``.

    Raises:
        Problem: it is never closed or is not a JSON object.
    """
    closing = re.compile(r"^---[ \t]*$", re.M).search(text, text.find("\n") + 1)
    if closing is None:
        raise Problem(1, "front matter is never closed: add a '---' line after it")
    inner = text[text.find("\n") + 1 : closing.start()]
    try:
        data = json.loads(inner)
    except json.JSONDecodeError as err:
        raise Problem(err.lineno + 1, f"invalid JSON: {err.msg}") from err
    if not isinstance(data, dict):
        raise Problem(2, "front matter must be an object of keys and values")
    lines = {
        json.loads(f'"{m.group(1)}"'): inner.count("\n", 0, m.start()) + 2
        for m in re.finditer(r'^[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*:', inner, re.M)
    }
    body_start = min(closing.end() + 1, len(text))
    return data, lines, text[body_start:], text.count("\n", 0, body_start) + 1


def _date(config: _Config, page: _Page, problems: Problems) -> datetime | None:
    """The post's date as Eleventy's ``getMappedDate`` reads it, always in UTC where it
    names no offset."""
    value = page.data.get("date")
    line = page.lines.get("date")
    if value in (None, ""):
        found = _PATH_DATE.search(Path(os.path.relpath(page.path, config.folder)).as_posix())
        if found is not None:
            try:
                return datetime.fromisoformat(found.group(1)).replace(tzinfo=UTC)
            except ValueError:
                pass
        problems.error(
            page.path,
            None,
            "date: missing (Eleventy would date it by its file's creation time, which every"
            " checkout changes); give the post its date",
        )
        return None
    if isinstance(value, date):
        # A YAML timestamp without an offset is UTC, a date alone midnight UTC.
        return _in_range(value, page, line, problems)
    if isinstance(value, str) and value.strip().lower() in _FILE_DATES:
        problems.error(
            page.path,
            line,
            f"date: {value!r} is a time of the file or of Git, which every checkout changes;"
            " give the post its date",
        )
        return None
    parsed = iso_date(value) if isinstance(value, str) else None
    if parsed is not None:
        return _in_range(parsed, page, line, problems)
    if parsed is None:
        problems.error(
            page.path,
            line,
            "date: expected a date, or text in ISO 8601 such as 2024-01-15 or"
            f" 2024-01-15T10:00:00 (as Eleventy reads it), got {_values.describe(value)}",
        )
    return parsed


def _in_range(value: date, page: _Page, line: int | None, problems: Problems) -> datetime | None:
    """A date or datetime as an aware datetime (UTC where it has no offset), or None
    with an error when it is beyond the years feeds can carry."""
    try:
        return _values.timestamp(value, UTC)
    except _values.ValueProblem as err:
        problems.error(page.path, line, f"date: {err}")
        return None


def iso_date(text: str) -> datetime | None:
    """Text read as Luxon's ``DateTime.fromISO(text, {zone: "utc"})`` reads it (ISO 8601:
    calendar, week and ordinal dates, basic or extended, with an optional time and
    offset), or None where Luxon finds it invalid."""
    found = _ISO_DATE.fullmatch(text) or _ISO_DATE.match(text)
    if found is None:
        return None
    rest = text[found.end() :]
    clock = _ISO_TIME.match(rest) if rest else None
    if rest and clock is None:
        return None
    groups = found.groupdict()
    year = int(groups["year"])
    try:
        week = groups["week"] or groups["bweek"]
        ordinal = groups["ordinal"] or groups["bordinal"]
        if week:
            day = date.fromisocalendar(
                year, int(week), int(groups["weekday"] or groups["bweekday"] or 1)
            )
        elif ordinal:
            day = date(year, 1, 1) + timedelta(days=int(ordinal) - 1)
            if day.year != year or int(ordinal) == 0:
                return None
        else:
            month = int(groups["month"] or groups["bmonth"] or 1)
            day = date(year, month, int(groups["day"] or groups["bday"] or 1))
        zone: timezone = UTC
        moment = time()
        if clock is not None:
            parts = clock.groupdict()
            fraction = (parts["fraction"] or "0")[:6].ljust(6, "0")
            moment = time(
                int(parts["hour"]),
                int(parts["minute"] or 0),
                int(parts["second"] or 0),
                int(fraction),
            )
            if parts["zone"] and parts["zone"] != "Z":
                sign = -1 if parts["zone"][0] == "-" else 1
                digits = parts["zone"][1:].replace(":", "")
                zone = timezone(
                    sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
                )
    except ValueError:
        return None
    return datetime.combine(day, moment, tzinfo=zone).replace(microsecond=0)


def _url(config: _Config, page: _Page, problems: Problems) -> str | None:
    """The post's ``page.url``: its permalink, else its path under the input folder
    (``TemplatePermalink.generate``); None when it is not written (``permalink: false``)
    or its permalink is a template (noted)."""
    permalink = page.data.get("permalink")
    if isinstance(permalink, dict):
        permalink = permalink.get("build")
    stem = _stem(page.path.name)
    folder = posixpath.dirname(page.relative)
    if permalink is False:
        return None
    if isinstance(permalink, str) and permalink.strip():
        link = _expand(permalink.strip(), page, stem, folder)
        if link is None:
            problems.warn(
                page.path,
                page.lines.get("permalink"),
                f"permalink: {permalink!r} is a template that is not run: left out of the feeds",
            )
            return None
        if link.endswith("/"):
            link += "index.html"
    elif permalink is not None:
        problems.error(
            page.path,
            page.lines.get("permalink"),
            f"permalink: expected text or false, got {_values.describe(permalink)}",
        )
        return None
    else:
        duplicate = posixpath.basename(folder) == stem
        name = "" if stem == "index" or duplicate else stem + "/"
        link = (folder + "/" if folder else "") + name + "index.html"
    link = "/" + link.lstrip("/")
    for needle in ("/index.html", "/index/", "/index"):
        if link.endswith(needle):
            return link[: -len(needle)] + "/"
    return link


def _expand(permalink: str, page: _Page, stem: str, folder: str) -> str | None:
    """A permalink with the page variables it may name filled in (``page.fileSlug``,
    ``page.filePathStem``); None when it holds any other template code."""
    slug = _strip_date(stem)
    if slug == "index":
        slug = _strip_date(posixpath.basename(folder)) if folder else ""
    values = {
        "page.fileSlug": slug,
        "page.filePathStem": "/" + posixpath.join(folder, _strip_date(stem)),
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(name)
        return values[name]

    try:
        result = re.sub(r"\{\{-?\s*([\w.]+)\s*-?\}\}", fill, permalink)
    except KeyError:
        return None
    return None if re.search(r"\{\{|\{%", result) else result


def _strip_date(slug: str) -> str:
    found = re.match(r"\d{4}-\d{2}-\d{2}-(.*)", slug)
    return found.group(1) if found else slug


def _link(config: _Config, site: Site, url: str) -> str:
    """The feed's link of a page URL: ``htmlBaseUrl`` with the base (its origin, the
    path prefix, the URL), percent-encoded as ``new URL()`` writes it."""
    parts = urlsplit(site.url)
    prefix = config.path_prefix.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{_links.whatwg_path(prefix + url)}"


def _post(config: _Config, site: Site, page: _Page, by_path: Mapping[str, _Page]) -> Post:
    """The page as a Post: its template code substituted, its links to other posts'
    files made their URLs."""
    data = page.data
    body = page.body
    found: list[tuple[int, str]] = []
    override = data.get("templateEngineOverride")
    engine = config.engine
    if isinstance(override, str):
        engines = [_ENGINES.get(part.strip()) for part in override.split(",")]
        engine = next((name for name in engines if name is not None), None)
    if engine is not None:
        body, found = templates.substitute(body, nunjucks.syntax(engine), page.body_line)
    if config.input_links:
        body = _links.rewrite(
            body, page.body_line, lambda link: _input_link(config, page, by_path, link)
        )
    title = str(data.get("title") or "")
    warnings = [*page.warnings, *found]
    if not title.strip():
        title = _stem(page.path.name)
        warnings.insert(0, (None, f"title: missing; the feeds show {title!r}"))
    description = data.get("description")
    assert page.published is not None
    tags = [tag for tag in data["tags"] if tag not in (config.collection, "all")]
    return Post(
        slug=page.url[len(site.url) :].strip("/") if page.url.startswith(site.url) else page.url,
        title=title,
        published=page.published,
        summary=description if isinstance(description, str) and description.strip() else None,
        markdown=body,
        tags=_values.names(tags, "tag", "tags") if tags else (),
        id=page.url,
        url=page.url,
        draft=config.drafts and data.get("draft") is True,
        source=page.path,
        warnings=tuple(
            f"{page.path}:{line}: {message}" if line else f"{page.path}: {message}"
            for line, message in warnings
        ),
        lines=page.lines,
    )


def _input_link(
    config: _Config, page: _Page, by_path: Mapping[str, _Page], link: _links.Link
) -> str | None:
    """InputPathToUrlTransformPlugin: a link to a post's file (from the project folder,
    the input folder or the linking file) becomes the post's URL."""
    path, suffix = _links.split_target(link.target)
    if not path or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path):
        return None
    path = unquote(path)
    input_name = os.path.relpath(config.input, config.folder).replace(os.sep, "/")
    candidates = [posixpath.join(input_name, path.lstrip("/")), path.lstrip("/")]
    if not path.startswith("/"):
        candidates.append(posixpath.join(input_name, posixpath.dirname(page.relative), path))
    for candidate in candidates:
        normal = posixpath.normpath(candidate)
        if input_name != "." and not normal.startswith(input_name.rstrip("/") + "/"):
            continue
        relative = normal[len(input_name) + 1 :] if input_name != "." else normal
        if relative in by_path:
            return by_path[relative].url + suffix
    return None


READER = Reader(configure=configure, read=read)
