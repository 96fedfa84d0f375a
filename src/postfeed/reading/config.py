"""postfeed.yaml to Site. Reads one file; reports every problem in it at once."""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import _paths
from .._text import is_absolute_http
from ..errors import ConfigError, PostErrors, SourceError
from ..model import FORMAT_NAMES, ID_SCHEMES, Site
from . import _values
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
    "tag_feeds",
    "id_scheme",
    "hub",
    "static",
    "cache",
    "sanitize",
)
_PLACEHOLDERS = {"slug", "year", "month", "day"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def load_site(
    path: Path | str = CONFIG_NAME, *, url: str | None = None, output: Path | str | None = None
) -> Site:
    """Load a site configuration file.

    ``url`` and ``output`` replace the file's ``url`` and ``output`` (``output``
    is then relative to the current folder, not to the file).

    Raises:
        ConfigError: the file cannot be read or has one problem.
        PostErrors: the file has several problems (each a ConfigError).
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


def _site_from(path: Path, data: dict[str, Any], lines: dict[str, int]) -> Site:
    errors: list[SourceError] = []
    root = path.parent
    values: dict[str, Any] = {}

    def check(key: str, convert: Callable[[Any], Any], *, required: bool = False) -> None:
        if key not in data or data[key] is None:
            if required:
                errors.append(ConfigError(path, None, f"{key}: missing (it is required)"))
            return
        try:
            values[key] = convert(data[key])
        except _values.ValueProblem as err:
            errors.append(ConfigError(path, lines[key], f"{key}: {err}"))

    check("title", _values.text, required=True)
    check("url", _http_url, required=True)
    check("description", _values.text)
    check("language", _language)
    check("author", _values.author)
    check("timezone", _timezone)
    check("posts", lambda v: root / _folder(v))
    check("output", lambda v: root / _folder(v))
    check("feeds_url", _http_url)
    check("permalink", _permalink)
    check("limit", _limit)
    check("formats", _formats)
    check("tag_feeds", _values.boolean)
    check("id_scheme", _id_scheme)
    check("hub", _http_url)
    check("static", lambda v: _existing_folder(root, v))
    check("cache", lambda v: _cache_dir(root, v))
    check("sanitize", _values.boolean)
    if errors:
        raise errors[0] if len(errors) == 1 else PostErrors(errors)
    warnings = tuple(
        _unknown_key_warning(path, key, lines[key]) for key in data if key not in KNOWN_KEYS
    )
    return Site(
        title=values["title"],
        url=values["url"],
        description=values.get("description", ""),
        language=values.get("language"),
        author=values.get("author"),
        timezone=values.get("timezone", "UTC"),
        posts_dir=values.get("posts", root / "posts"),
        output_dir=values.get("output", root / "feeds"),
        feeds_url=values.get("feeds_url"),
        permalink=values.get("permalink", "/posts/{slug}/"),
        limit=values.get("limit", 20),
        formats=values.get("formats", FORMAT_NAMES),
        tag_feeds=values.get("tag_feeds", True),
        id_scheme=values.get("id_scheme", "tag"),
        hub=values.get("hub"),
        static_dir=values.get("static"),
        cache_dir=values.get("cache", root / CACHE_NAME),
        sanitize=values.get("sanitize", True),
        config_path=path,
        warnings=warnings,
    )


def unknown_key_message(key: str, known: tuple[str, ...]) -> str:
    """'unknown key ... is ignored', with a suggestion for a likely typo."""
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r} is ignored{hint}"


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


def _language(value: object) -> str:
    language = _values.text(value).strip()
    if not _LANGUAGE.match(language):
        raise _values.ValueProblem(f"expected a language tag such as en or en-GB, got {language!r}")
    return language


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
