"""postfeed.yaml to Site. Reads one file; reports every problem in it at once."""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import _paths
from .._text import RESERVED_NAMES, is_absolute_http
from ..errors import ConfigError, PostErrors
from ..formats import FORMAT_NAMES
from ..model import ID_SCHEMES, Author, CustomFeed, MarkdownProfile, Selection, Site
from . import _values, sources
from ._yaml import YAMLProblem, load_mapping
from .frontmatter import SplitProblem, decode

CONFIG_NAME = "postfeed.yaml"
MAX_CONFIG = 64 * 1024
CACHE_NAME = ".postfeed-cache"
KNOWN_KEYS = (
    "title",
    "url",
    "description",
    "language",
    "author",
    "timezone",
    "posts",
    "output",
    "feeds_url",
    "permalink",
    "limit",
    "formats",
    "content",
    "tag_feeds",
    "category_feeds",
    "author_feeds",
    "language_feeds",
    "authors",
    "feeds",
    "archive",
    "id_scheme",
    "hub",
    "static",
    "cache",
    "sanitize",
    "source",
    "source_dir",
)
_PLACEHOLDERS = {"slug", "year", "month", "day"}
#: The families of feeds (one feed per tag, category, author, language), by folder: the
#: key that switches each on, and whether it is on when the configuration does not say.
_FAMILIES = {
    "tags": ("tag_feeds", True),
    "categories": ("category_feeds", True),
    "authors": ("author_feeds", False),
    "languages": ("language_feeds", False),
}
FAMILY_SWITCHES = tuple(switch for switch, _ in _FAMILIES.values())
_FAMILY_DEFAULTS = dict(_FAMILIES.values())
#: The feeds ``archive`` may name: the main feeds, and each family by its folder.
ARCHIVE_FEEDS = ("main", *_FAMILIES)
_FEED_KEYS = (
    "path",
    "title",
    "description",
    "tags",
    "categories",
    "authors",
    "lang",
    "exclude",
    "limit",
    "content",
    "formats",
    "archive",
)
_SELECTION_KEYS = ("tags", "categories", "authors", "lang")
# A custom feed's folder: names of safe characters, joined by "/".
_FEED_PATH_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


def load_site(
    path: Path | str = CONFIG_NAME, *, url: str | None = None, output: Path | str | None = None
) -> Site:
    """Load a site configuration file.

    ``url`` and ``output`` replace the file's ``url`` and ``output`` (``output``
    is then relative to the current folder, not to the file).

    Raises:
        ConfigError: the file cannot be read or has one problem.
        PostErrors: the file has several problems (each a ConfigError), or one
            and warnings besides (an unknown key, say), which it carries.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG + 1)
    except FileNotFoundError as err:
        raise ConfigError(path, None, "no such file (create it, or pass --config)") from err
    except OSError as err:
        raise ConfigError(path, None, f"cannot read: {err.strerror}") from err
    if len(raw) > MAX_CONFIG:
        raise ConfigError(
            path, None, f"too large (more than {MAX_CONFIG} bytes); a configuration is a few lines"
        )
    try:
        mapping = load_mapping(decode(raw), what=path.name)
    except (YAMLProblem, SplitProblem) as err:
        raise ConfigError(path, err.line, err.message) from err
    site = _site_from(path, mapping.data, mapping.lines)
    if url is not None:
        try:
            site = replace(site, url=_http_url(url))
        except _values.ValueProblem as err:
            raise ConfigError("--url", None, str(err)) from err
    if output is not None:
        site = replace(site, output_dir=Path(output))
    return site


# The settings a site generator's configuration may give, and how each is checked.
_GENERATOR_KEYS: dict[str, Callable[[Any], Any]] = {
    "title": _values.text,
    "url": lambda value: _http_url(value),
    "description": _values.text,
    "language": _values.language,
    "author": _values.author,
    "timezone": lambda value: _timezone(value),
    "limit": lambda value: _limit(value),
}


def _site_from(path: Path, data: dict[str, Any], lines: dict[str, int]) -> Site:
    root = path.parent
    fields = _values.Fields(data, lines, lambda line, message: ConfigError(path, line, message))
    check = fields.check

    def optional(key: str, convert: Callable[[Any], Any]) -> None:
        check(key, convert, null_is_missing=True)

    optional("source", _source)
    source = fields.values.get("source", "postfeed")
    if source != "postfeed":
        optional("source_dir", lambda v: root / _folder(v))
        if data.get("posts") is not None:
            message = (
                f"posts: only read with source: postfeed; with source: {source} the site"
                " is read from source_dir (default: this file's folder)"
            )
            fields.errors.append(ConfigError(path, lines["posts"], message))
    elif data.get("source_dir") is not None:
        message = "source_dir: only read with a site generator's source; set source first"
        fields.errors.append(ConfigError(path, lines["source_dir"], message))
    generator = None
    if source != "postfeed" and not fields.errors:
        generator = sources.configure(source, fields.values.get("source_dir", root))
        _generator_values(generator, data, fields)

    def required(key: str) -> tuple[None, str]:
        return None, f"{key}: missing (it is required)"

    def given(key: str) -> tuple[None, str] | None:
        # Not missing when the generator's configuration gave it, or was not read.
        if key in fields.values or (source != "postfeed" and generator is None):
            return None
        if generator is not None and key in generator.values:
            return None
        if generator is not None and key in generator.missing:
            return None, f"{key}: missing; {generator.missing[key]}"
        return required(key)

    check("title", _values.text, missing=given("title"), null_is_missing=True)
    check("url", _http_url, missing=given("url"), null_is_missing=True)
    optional("description", _values.text)
    optional("language", _values.language)
    optional("author", _values.author)
    optional("authors", _author_table)
    optional("timezone", _timezone)
    optional("posts", lambda v: root / _folder(v))
    optional("output", lambda v: root / _folder(v))
    optional("feeds_url", _http_url)
    optional("permalink", _permalink)
    optional("limit", _limit)
    optional("formats", _formats)
    optional("content", _values.content_mode)
    for family in FAMILY_SWITCHES:
        optional(family, _values.boolean)
    optional("feeds", _custom_feeds)
    optional("archive", _archive)
    optional("id_scheme", _id_scheme)
    optional("hub", _http_url)
    optional("static", lambda v: _existing_folder(root, v))
    optional("cache", lambda v: _cache_dir(root, v))
    optional("sanitize", _values.boolean)
    errors, values = fields.errors, fields.values
    warnings = tuple(
        _unknown_key_warning(path, key, lines[key]) for key in data if key not in KNOWN_KEYS
    )
    if errors:
        # A warning (a misspelt key, say) may explain an error: shown with it.
        noted = (generator.warnings if generator is not None else ()) + warnings
        raise errors[0] if len(errors) == 1 and not noted else PostErrors(errors, warnings=noted)
    posts_dir = values.get("posts", root / "posts")
    markdown = MarkdownProfile()
    future = False
    if generator is not None:
        posts_dir = values.get("source_dir", root)
        markdown, future = generator.markdown, generator.future
        warnings = generator.warnings + warnings
    archives: dict[str, int] = values.get("archive", {})
    for name, (switch, default) in _FAMILIES.items():
        if archives.get(name) and not values.get(switch, default):
            what = switch.removesuffix("_feeds")
            warnings += (
                f"{path}:{lines['archive']}: archive: {name}: the site has no {what} feeds"
                f" ({switch} is off), so none has an archive",
            )
    feeds = tuple(replace(feed, line=lines["feeds"]) for feed in values.get("feeds", ()))
    return Site(
        title=values["title"],
        url=values["url"],
        description=values.get("description", ""),
        language=values.get("language"),
        author=values.get("author"),
        authors=values.get("authors", {}),
        timezone=values.get("timezone", "UTC"),
        posts_dir=posts_dir,
        output_dir=values.get("output", root / "feeds"),
        feeds_url=values.get("feeds_url"),
        permalink=values.get("permalink", "/posts/{slug}/"),
        limit=values.get("limit", 20),
        formats=values.get("formats", FORMAT_NAMES),
        content=values.get("content", "full"),
        tag_feeds=values.get("tag_feeds", _FAMILY_DEFAULTS["tag_feeds"]),
        category_feeds=values.get("category_feeds", _FAMILY_DEFAULTS["category_feeds"]),
        author_feeds=values.get("author_feeds", _FAMILY_DEFAULTS["author_feeds"]),
        language_feeds=values.get("language_feeds", _FAMILY_DEFAULTS["language_feeds"]),
        feeds=feeds,
        archive=archives.get("main", 0),
        family_archive={name: size for name, size in archives.items() if name != "main" and size},
        id_scheme=values.get("id_scheme", "tag"),
        hub=values.get("hub"),
        static_dir=values.get("static"),
        cache_dir=values.get("cache", root / CACHE_NAME),
        sanitize=values.get("sanitize", True),
        config_path=path,
        source=source,
        markdown=markdown,
        future=future,
        warnings=warnings,
    )


def _generator_values(
    generator: sources.Defaults, data: dict[str, Any], fields: _values.Fields
) -> None:
    """Check the values the generator's configuration gives for postfeed's settings
    that postfeed.yaml does not set, reporting a problem at the generator's file and
    key; the good ones become defaults in ``fields.values``."""
    for key, value in generator.values.items():
        if data.get(key) is not None or key not in _GENERATOR_KEYS:
            continue
        try:
            fields.values[key] = _GENERATOR_KEYS[key](value)
        except _values.ValueProblem as err:
            name = generator.names.get(key, key)
            line = generator.lines.get(key)
            fields.errors.append(ConfigError(generator.path, line, f"{name}: {err}"))


def _source(value: object) -> str:
    known = ("postfeed", *sources.NAMES)
    if value not in known:
        raise _values.ValueProblem(
            f"unknown source {_values.describe(value)} (use {', '.join(known)})"
        )
    assert isinstance(value, str)
    return value


def unknown_key_message(key: str, known: tuple[str, ...], *, ignored: bool = True) -> str:
    """'unknown key ... is ignored' (or only 'unknown key ...' where it is an error), with
    a suggestion for a likely typo."""
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (use {', '.join(known)})"
    if ignored:
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{' is ignored' if ignored else ''}{hint}"


def _unknown_key_warning(path: Path, key: str, line: int) -> str:
    return f"{path}:{line}: {unknown_key_message(key, KNOWN_KEYS)}"


def _folder(value: object) -> str:
    name = _values.text(value)
    if "\0" in name:
        raise _values.ValueProblem("must not contain a NUL byte")
    return name


def _http_url(value: object) -> str:
    url = _values.exact(_values.text(value).strip())
    if not is_absolute_http(url):
        raise _values.ValueProblem(f"expected an absolute http(s) URL, got {url!r}")
    return url


def _existing_folder(root: Path, value: object) -> Path:
    name = _values.text(value).strip()
    folder = root / name
    if not _paths.is_dir(folder):
        raise _values.ValueProblem(f"no such folder {name!r} (relative to this file)")
    return folder


def _timezone(value: object) -> str:
    name = _values.text(value).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise _values.ValueProblem(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)"
        ) from err
    return name


def _permalink(value: object) -> str:
    pattern = _values.exact(_values.text(value).strip())
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as err:
        raise _values.ValueProblem(f"invalid pattern {pattern!r}: {err}") from err
    unknown = sorted(fields - _PLACEHOLDERS)
    if unknown:
        raise _values.ValueProblem(
            f"unknown placeholder {{{unknown[0]}}} (use {{slug}}, {{year}}, {{month}}, {{day}})"
        )
    if "slug" not in fields:
        raise _values.ValueProblem("must contain {slug}, so that every post has its own URL")
    if "//" in pattern or ":" in pattern:
        raise _values.ValueProblem(f"must be a path under the site url, got {pattern!r}")
    return pattern


def _cache_dir(root: Path, value: object) -> Path | None:
    if value is True:
        return root / CACHE_NAME
    if value is False:
        return None
    try:
        return root / _values.text(value)
    except _values.ValueProblem as err:
        raise _values.ValueProblem(
            f"expected true, false or a folder, got {_values.describe(value)}"
        ) from err


def _limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _values.ValueProblem(
            f"expected a whole number (0 for all), got {_values.describe(value)}"
        )
    if value < 0:
        raise _values.ValueProblem(f"must be 0 (all) or more, got {value}")
    return value


def _page_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _values.ValueProblem(
            f"expected a whole number of entries a page (0 for no archive),"
            f" got {_values.describe(value)}"
        )
    if value < 0:
        raise _values.ValueProblem(f"must be 0 (no archive) or more, got {value}")
    return value


def _archive(value: object) -> dict[str, int]:
    """The archive page size of the main feeds (a number), or of each feed named in
    a mapping (``main`` and the families)."""
    if not isinstance(value, dict):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _values.ValueProblem(
                "expected a whole number of entries a page (0 for no archive), or a mapping"
                f" such as {{main: 100, tags: 20}}, got {_values.describe(value)}"
            )
        return {"main": _page_size(value)}
    sizes = {}
    for name, size in value.items():
        if name not in ARCHIVE_FEEDS:
            raise _values.ValueProblem(
                f"unknown feeds {_values.describe(name)} (use {', '.join(ARCHIVE_FEEDS)})"
            )
        try:
            sizes[name] = _page_size(size)
        except _values.ValueProblem as err:
            raise _values.ValueProblem(f"{name}: {err}") from err
    return sizes


def _formats(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if items == []:
        raise _values.ValueProblem(f"name at least one of {', '.join(FORMAT_NAMES)}")
    if not isinstance(items, list):
        raise _values.ValueProblem(
            f"expected a list of {', '.join(FORMAT_NAMES)}, got {_values.describe(value)}"
        )
    result: list[str] = []
    for item in items:
        if item not in FORMAT_NAMES:
            raise _values.ValueProblem(
                f"unknown format {_values.describe(item)} (use {', '.join(FORMAT_NAMES)})"
            )
        if item not in result:
            result.append(item)
    return tuple(name for name in FORMAT_NAMES if name in result)


def _id_scheme(value: object) -> str:
    if value not in ID_SCHEMES:
        raise _values.ValueProblem(
            f"unknown id scheme {_values.describe(value)} (use {' or '.join(ID_SCHEMES)})"
        )
    assert isinstance(value, str)
    return value


def _author_table(value: object) -> dict[str, Author]:
    if not isinstance(value, dict):
        raise _values.ValueProblem(
            f"expected a mapping of keys to authors, got {_values.describe(value)}"
        )
    table: dict[str, Author] = {}
    for key, item in value.items():
        try:
            table[_values.text(key).strip()] = _values.author(item)
        except _values.ValueProblem as err:
            raise _values.ValueProblem(f"{key}: {err}") from err
    return table


def _custom_feeds(value: object) -> tuple[CustomFeed, ...]:
    if not isinstance(value, list):
        raise _values.ValueProblem(
            f"expected a list of feeds (each with path and title), got {_values.describe(value)}"
        )
    feeds = []
    for number, item in enumerate(value, 1):
        try:
            feeds.append(_custom_feed(item))
        except _values.ValueProblem as err:
            raise _values.ValueProblem(f"feed {number}: {err}") from err
    return tuple(feeds)


def _custom_feed(value: object) -> CustomFeed:
    if not isinstance(value, dict):
        raise _values.ValueProblem(
            f"expected a mapping with path and title, got {_values.describe(value)}"
        )
    _known_keys(value, _FEED_KEYS)
    for key in ("path", "title"):
        if value.get(key) is None:
            raise _values.ValueProblem(f"{key}: missing (it is required)")
    exclude = value.get("exclude", {})
    if not isinstance(exclude, dict):
        raise _values.ValueProblem(
            f"exclude: expected a mapping of tags, categories, authors, lang,"
            f" got {_values.describe(exclude)}"
        )
    _known_keys(exclude, _SELECTION_KEYS, where="exclude: ")
    return CustomFeed(
        path=_key("path", _feed_path, value),
        title=_key("title", _values.text, value),
        description=_key("description", _values.text, value, ""),
        select=_selection(value, ""),
        exclude=_selection(exclude, "exclude: "),
        limit=_key("limit", _limit, value, None),
        content=_key("content", _values.content_mode, value, None),
        formats=_key("formats", _formats, value, None),
        archive=_key("archive", _page_size, value, 0),
    )


def _key(name: str, convert: Callable[[Any], Any], data: dict[str, Any], *default: Any) -> Any:
    """``convert(data[name])``, or the default when the key is absent or null."""
    if data.get(name) is None and default:
        return default[0]
    try:
        return convert(data[name])
    except _values.ValueProblem as err:
        raise _values.ValueProblem(f"{name}: {err}") from err


def _known_keys(data: dict[str, Any], known: tuple[str, ...], *, where: str = "") -> None:
    # An error, not a warning: a misspelt selection would quietly pick every post.
    for key in data:
        if key not in known:
            message = unknown_key_message(str(key), known, ignored=False)
            raise _values.ValueProblem(f"{where}{message}")


def _selection(data: dict[str, Any], where: str) -> Selection:
    def listed(key: str, one: str, many: str) -> tuple[str, ...]:
        if data.get(key) is None:
            return ()
        try:
            return _values.names(data[key], one, many)
        except _values.ValueProblem as err:
            raise _values.ValueProblem(f"{where}{key}: {err}") from err

    languages = listed("lang", "language", "languages")
    for language in languages:
        try:
            _values.language(language)
        except _values.ValueProblem as err:
            raise _values.ValueProblem(f"{where}lang: {err}") from err
    return Selection(
        tags=listed("tags", "tag", "tags"),
        categories=listed("categories", "category", "categories"),
        authors=listed("authors", "author", "authors"),
        languages=languages,
    )


def _feed_path(value: object) -> PurePosixPath:
    text = _values.exact(_values.text(value).strip()).strip("/")
    parts = text.split("/")
    for part in parts:
        if (
            not _FEED_PATH_PART.match(part)
            or part.split(".", 1)[0].lower() in RESERVED_NAMES
            or part.endswith(".")
            or len(part.encode("utf-8")) > 200
        ):
            raise _values.ValueProblem(
                f"{text!r} is not a folder name postfeed writes to (use letters, digits,"
                " '-', '_', '.' and '~', names joined by '/')"
            )
    return PurePosixPath(*parts)
