"""What the generators' readers share: reading a file's text, splitting off front
matter in YAML, TOML or JSON with the line of each key, converting dates, and
collecting every problem of a run. TOML is read with the standard library's
tomllib, YAML through reading/_yaml.py; nothing here runs code from a file."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ...errors import ConfigError, PostError, PostErrors, SourceError
from ...model import Progress
from .. import _values
from .._yaml import YAMLProblem, load_mapping
from ..frontmatter import SplitProblem, decode

#: Python-Markdown's own extensions, by the short names site generators accept.
PYTHON_MARKDOWN_EXTENSIONS = frozenset(
    [
        "abbr",
        "admonition",
        "attr_list",
        "codehilite",
        "def_list",
        "extra",
        "fenced_code",
        "footnotes",
        "legacy_attrs",
        "legacy_em",
        "md_in_html",
        "meta",
        "nl2br",
        "sane_lists",
        "smarty",
        "tables",
        "toc",
        "wikilinks",
    ]
)
#: The front matter formats and the line each starts with.
YAML, TOML, JSON = "yaml", "toml", "json"
_OPENERS = {YAML: "---", TOML: "+++"}
_TOML_KEY = re.compile(r"""^[ \t]*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_.-]+))[ \t]*=""", re.M)
_TOML_TABLE = re.compile(r"^[ \t]*\[+[ \t]*([^\]]+?)[ \t]*\]+", re.M)
_JSON_KEY = re.compile(r'^[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*:', re.M)


class Problem(Exception):
    """A file cannot be read as its generator would: the line (or None) and what is wrong."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A post file's front matter as data, the line of each top-level key, its format,
    and the body after it with the line it starts on."""

    data: dict[str, Any]
    lines: dict[str, int]
    format: str | None
    body: str
    body_line: int


def read_text(path: Path) -> str:
    """A file's text: UTF-8 (a BOM allowed), line ends made LF.

    Raises:
        Problem: the file cannot be read or is not UTF-8.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise Problem(None, f"cannot read: {err.strerror}") from err
    try:
        return decode(data)
    except SplitProblem as err:
        raise Problem(err.line, err.message) from err


def front_matter(
    text: str, formats: Sequence[str] = (YAML, TOML, JSON), *, timestamps: bool = False
) -> FrontMatter:
    """Split ``text`` into front matter in one of ``formats`` and the body. A file
    that opens with none of them has no front matter (empty data). With
    ``timestamps``, YAML timestamps are dates and datetimes rather than text.

    Raises:
        Problem: the front matter is never closed or is not valid in its format.
    """
    first = text.split("\n", 1)[0].rstrip(" \t")
    for kind in (YAML, TOML):
        if kind in formats and first == _OPENERS[kind]:
            return _fenced(text, kind, timestamps)
    if JSON in formats and text.startswith("{"):
        return _json(text)
    return FrontMatter({}, {}, None, text, 1)


def _fenced(text: str, kind: str, timestamps: bool = False) -> FrontMatter:
    fence = _OPENERS[kind]
    closing = re.compile(rf"^{re.escape(fence)}[ \t]*$", re.M)
    start = text.find("\n") + 1 if "\n" in text else len(text)
    found = closing.search(text, start)
    if found is None:
        raise Problem(1, f"front matter is never closed: add a '{fence}' line after it")
    front = text[start : found.start()]
    body_start = min(found.end() + 1, len(text))
    body_line = text.count("\n", 0, body_start) + 1
    if kind == YAML:
        try:
            mapping = load_mapping(front, first_line=2, timestamps=timestamps)
        except YAMLProblem as err:
            raise Problem(err.line, err.message) from err
        return FrontMatter(mapping.data, mapping.lines, YAML, text[body_start:], body_line)
    try:
        data = tomllib.loads(front)
    except tomllib.TOMLDecodeError as err:
        raise Problem(_toml_error_line(err, 2), f"invalid TOML: {_toml_error(err)}") from err
    return FrontMatter(data, toml_lines(front, 2), TOML, text[body_start:], body_line)


def _json(text: str) -> FrontMatter:
    decoder = json.JSONDecoder()
    try:
        data, end = decoder.raw_decode(text)
    except json.JSONDecodeError as err:
        raise Problem(err.lineno, f"invalid JSON: {err.msg}") from err
    # The body starts after the object, on the next line.
    rest = text.find("\n", end)
    body_start = len(text) if rest < 0 else rest + 1
    lines = {
        json.loads(f'"{match.group(1)}"'): text.count("\n", 0, match.start()) + 1
        for match in _JSON_KEY.finditer(text, 0, end)
    }
    return FrontMatter(data, lines, JSON, text[body_start:], text.count("\n", 0, body_start) + 1)


def toml_lines(text: str, first_line: int = 1) -> dict[str, int]:
    """The line of each key in TOML text (tomllib tells none), by its dotted path
    from the top (``params.author.email``); the first line of each table too."""
    lines: dict[str, int] = {}
    table = ""
    for match in re.finditer(rf"{_TOML_TABLE.pattern}|{_TOML_KEY.pattern}", text, re.M):
        line = text.count("\n", 0, match.start()) + first_line
        if match.group(1) is not None:
            names = [part.strip().strip("\"'") for part in match.group(1).split(".")]
            table = ".".join(names)
            for end in range(1, len(names) + 1):
                lines.setdefault(".".join(names[:end]), line)
            continue
        key = next(group for group in match.group(2, 3, 4) if group is not None)
        lines.setdefault(f"{table}.{key}" if table else key, line)
    return lines


def _toml_error(err: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)$", "", str(err))


def _toml_error_line(err: tomllib.TOMLDecodeError, first_line: int) -> int | None:
    found = re.search(r"at line (\d+)", str(err))
    return int(found.group(1)) + first_line - 1 if found else None


def load_toml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A TOML configuration file's data and the line of each key.

    Raises:
        ConfigError: the file cannot be read or is not valid TOML.
    """
    try:
        text = read_text(path)
    except Problem as err:
        raise ConfigError(path, err.line, err.message) from err
    try:
        return tomllib.loads(text), toml_lines(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(
            path, _toml_error_line(err, 1), f"invalid TOML: {_toml_error(err)}"
        ) from err


def load_yaml(path: Path, *, tagged: bool = False) -> tuple[dict[str, Any], dict[str, int]]:
    """A YAML configuration file's data and the line of each top-level key. With
    ``tagged``, a value with a tag that is not plain data is read as a ``Tagged``
    (never constructed) rather than refused.

    Raises:
        ConfigError: the file cannot be read or is not a YAML mapping of plain data.
    """
    try:
        mapping = load_mapping(read_text(path), what=path.name, tagged=tagged)
    except Problem as err:
        raise ConfigError(path, err.line, err.message) from err
    except YAMLProblem as err:
        raise ConfigError(path, err.line, err.message) from err
    return mapping.data, mapping.lines


def load_json(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A JSON configuration file's data and the line of each top-level key.

    Raises:
        ConfigError: the file cannot be read or is not a JSON object.
    """
    try:
        found = _json(read_text(path))
    except Problem as err:
        raise ConfigError(path, err.line, err.message) from err
    return found.data, found.lines


def instant(value: object, tz: tzinfo) -> datetime:
    """A date from front matter or configuration data: a datetime (TOML's, with or
    without an offset), a date (midnight), or text; without an offset it is in ``tz``.

    Raises:
        _values.ValueProblem: not a date.
    """
    if isinstance(value, time):
        raise _values.ValueProblem(f"expected a date, got the time of day {value.isoformat()}")
    if isinstance(value, datetime | date | str):
        return _values.timestamp(value, tz)
    raise _values.ValueProblem(f"expected a date, got {_values.describe(value)}")


def lower_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """A mapping with its keys lower-cased (the first spelling wins), for generators
    whose keys are case-insensitive."""
    result: dict[str, Any] = {}
    for key, value in data.items():
        result.setdefault(key.lower(), value)
    return result


@dataclass
class Problems:
    """The errors and warnings of one run of a reader, reported all at once."""

    errors: list[SourceError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, path: Path, line: int | None, message: str) -> None:
        """Note an error in a post file (the run goes on, and fails at the end)."""
        self.errors.append(PostError(path, line, message))

    def warn(self, path: Path, line: int | None, message: str) -> None:
        """Note a warning, as ``path:line: message``."""
        self.warnings.append(f"{path}:{line}: {message}" if line else f"{path}: {message}")

    def check(self, extra_warnings: Iterable[str] = ()) -> None:
        """Raise every error noted, with every warning.

        Raises:
            PostErrors: some error was noted.
        """
        if self.errors:
            raise PostErrors(self.errors, warnings=[*self.warnings, *extra_warnings])


_Path = TypeVar("_Path")
_Made = TypeVar("_Made")


def read_each(
    paths: Sequence[_Path], make: Callable[[_Path], _Made | None], progress: Progress | None
) -> list[_Made]:
    """What ``make`` makes of each of ``paths`` (None: nothing), in order, calling
    ``progress("read", done, total)`` after each."""
    made = []
    for number, path in enumerate(paths, 1):
        item = make(path)
        if item is not None:
            made.append(item)
        if progress is not None:
            progress("read", number, len(paths))
    return made


class Located(Protocol):
    """A post as a reader knows it: its file, its URL and the line of each front
    matter key."""

    @property
    def path(self) -> Path: ...
    @property
    def url(self) -> str: ...
    @property
    def lines(self) -> Mapping[str, int]: ...


def check_unique(posts: Iterable[Located], problems: Problems, keys: Sequence[str]) -> None:
    """Two posts at one URL, which the generator would write one over the other (or
    refuse): an error at the second, on the line of the first of ``keys`` its front
    matter has."""
    seen: dict[str, Located] = {}
    for post in posts:
        first = seen.setdefault(post.url, post)
        if first is not post:
            line = next((post.lines[key] for key in keys if key in post.lines), None)
            problems.error(post.path, line, f"url {post.url!r} is also used by {first.path}")
