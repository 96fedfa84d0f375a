"""Checks and conversions of values read from YAML, shared by the config and post
loaders. Every python-dateutil call lives here."""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

from .._text import xml_safe
from ..errors import SourceError
from ..model import CONTENT_MODES, Author

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_EMAIL = re.compile(r"^[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+$")
# Two different defaults: a field missing from a date string shows up as a difference.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
MIN_YEAR, MAX_YEAR = 1900, 9999
#: Tags (and categories) one post may carry, at most. Each gives the post a feed of its
#: own, and each of those feeds lists all the post's tags, so the work and the files grow
#: with the square of the number: 5,000 tags on one post made 15,000 files of 1.9 GB.
MAX_TAGS = 50


class ValueProblem(Exception):
    """A value has the wrong type or form; the message names what was expected."""


@dataclass
class Fields:
    """The checked values of one mapping (a configuration, a post's front matter) and
    every problem found in it, each reported at its key's line by ``problem``."""

    data: Mapping[str, Any]
    lines: Mapping[str, int]
    problem: Callable[[int | None, str], SourceError]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[SourceError] = field(default_factory=list)

    def check(
        self,
        key: str,
        convert: Callable[[Any], Any],
        *,
        missing: tuple[int | None, str] | None = None,
        null_is_missing: bool = False,
    ) -> None:
        """Convert ``data[key]`` into ``values[key]``; when the key is absent (or null,
        with ``null_is_missing``), report ``missing`` (line and message) if given."""
        if key not in self.data or (null_is_missing and self.data[key] is None):
            if missing is not None:
                self.errors.append(self.problem(*missing))
            return
        try:
            self.values[key] = convert(self.data[key])
        except ValueProblem as err:
            self.errors.append(self.problem(self.lines.get(key), f"{key}: {err}"))


def describe(value: object) -> str:
    """A value as a YAML author would recognise it in a message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value) if isinstance(value, str) else str(value)


def text(value: object, *, empty_ok: bool = False) -> str:
    """A text value; YAML numbers, booleans and dates are refused with a hint to quote them.

    Characters feeds cannot carry are dropped later, so text made only of them counts as empty.
    """
    if not isinstance(value, str):
        hint = " (quote it)" if isinstance(value, int | float | bool) else ""
        raise ValueProblem(f"expected text, got {describe(value)}{hint}")
    if not empty_ok and not xml_safe(value).strip():
        raise ValueProblem(
            "must not be empty"
            if not value.strip()
            else "must not be empty (it holds only characters feeds cannot carry)"
        )
    return value


def exact(value: str) -> str:
    """Refuse text that must reach a feed unchanged (an id, an address) when it holds a
    character XML forbids; only a YAML escape such as "\\x01" can put one there."""
    bad = next((char for char in value if not xml_safe(char)), None)
    if bad is not None:
        raise ValueProblem(f"contains U+{ord(bad):04X}, which feeds cannot carry (remove it)")
    return value


def boolean(value: object) -> bool:
    """A YAML boolean (``true``/``false``); text like ``"maybe"`` is refused."""
    if not isinstance(value, bool):
        raise ValueProblem(f"expected true or false, got {describe(value)}")
    return value


def uri(value: object) -> str:
    """An absolute URI (any scheme)."""
    result = exact(text(value).strip())
    if not _SCHEME.match(result):
        raise ValueProblem(
            f"expected an absolute URI such as tag:example.com,2024:hello, got {result!r}"
        )
    return result


def email(value: object) -> str:
    """An e-mail address."""
    result = exact(text(value).strip())
    if not _EMAIL.match(result):
        raise ValueProblem(f"expected an e-mail address, got {result!r}")
    return result


def author(value: object) -> Author:
    """A name, or a mapping with ``name`` (required), ``email`` and ``uri``."""
    if isinstance(value, str):
        return Author(name=text(value).strip())
    if not isinstance(value, dict):
        raise ValueProblem(
            f"expected a name or a mapping with name, email, uri, got {describe(value)}"
        )
    unknown = sorted(set(value) - {"name", "email", "uri"})
    if unknown:
        raise ValueProblem(f"unknown key {unknown[0]!r} (use name, email, uri)")
    if "name" not in value:
        raise ValueProblem("name is required")
    try:
        name = text(value["name"]).strip()
    except ValueProblem as err:
        raise ValueProblem(f"name: {err}") from err
    mail = None if value.get("email") is None else _field("email", email, value["email"])
    link = None if value.get("uri") is None else _field("uri", uri, value["uri"])
    return Author(name=name, email=mail, uri=link)


def tags(value: object) -> tuple[str, ...]:
    """A list of tags, or one comma-separated string; blanks and repeats dropped; at
    most :data:`MAX_TAGS`."""
    return names(value, "tag", "tags", most=MAX_TAGS)


def categories(value: object) -> tuple[str, ...]:
    """A list of categories, or one text (one category, commas and all); at most
    :data:`MAX_TAGS`."""
    if isinstance(value, str):
        value = [value]
    return names(value, "category", "categories", most=MAX_TAGS)


def names(value: object, one: str, many: str, *, most: int | None = None) -> tuple[str, ...]:
    """A list of names, or one comma-separated string: characters feeds cannot carry
    dropped, each name in Unicode's composed form (NFC, so that one name has one
    spelling in every feed and folder) with its whitespace folded; blanks and
    repeats dropped; at most ``most`` of them.

    ``one`` and ``many`` name one and several in messages.
    """
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list):
        items = value
    else:
        raise ValueProblem(
            f"expected a list of {many} or a comma-separated text, got {describe(value)}"
        )
    result: dict[str, None] = {}  # a dict: its keys keep their order, and are found fast
    for item in items:
        if not isinstance(item, str):
            hint = " (quote it)" if isinstance(item, int | float | bool) else ""
            raise ValueProblem(f"expected text for each {one}, got {describe(item)}{hint}")
        name = " ".join(unicodedata.normalize("NFC", xml_safe(item)).split())
        if name:
            result[name] = None
    if most is not None and len(result) > most:
        raise ValueProblem(f"too many ({len(result)}; a post may have at most {most})")
    return tuple(result)


def one_author(value: object) -> Author | str:
    """A name (or a key of the site's ``authors``), or a mapping with ``name``,
    ``email`` and ``uri``."""
    return text(value).strip() if isinstance(value, str) else author(value)


def authors(value: object) -> tuple[Author | str, ...]:
    """One author or a list of them: each a name (or a key of the site's ``authors``),
    or a mapping with ``name``, ``email`` and ``uri``."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueProblem("expected at least one author")
    result: list[Author | str] = []
    for number, item in enumerate(items, 1):
        try:
            found = one_author(item)
        except ValueProblem as err:
            if len(items) == 1:
                raise
            raise ValueProblem(f"author {number}: {err}") from err
        if found not in result:
            result.append(found)
    return tuple(result)


def language(value: object) -> str:
    """A language tag such as ``en`` or ``pt-BR``."""
    result = text(value).strip()
    if not _LANGUAGE.match(result):
        raise ValueProblem(f"expected a language tag such as en or en-GB, got {result!r}")
    return result


def content_mode(value: object) -> str:
    """``full`` or ``summary``."""
    if value not in CONTENT_MODES:
        raise ValueProblem(f"expected full or summary, got {describe(value)}")
    assert isinstance(value, str)
    return value


def timestamp(value: object, tz: tzinfo, warn: Callable[[str], None] | None = None) -> datetime:
    """A date or datetime: a date alone is midnight, a value without an offset is in ``tz``.

    Accepts YAML dates, ISO 8601 text and anything python-dateutil reads that
    names a year, month and day. Microseconds are dropped. A local time the clocks
    skip or pass twice in ``tz`` is taken as an instant near it, and ``warn`` is
    told which (see :func:`_local`).
    """
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        result = _parse_text(value.strip())
    else:
        raise ValueProblem(f"expected a date, got {describe(value)}")
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise _out_of_range(value)
    try:
        if result.tzinfo is None:
            result = _local(result, tz, describe(value), warn)
        else:
            offset = result.utcoffset()
            assert offset is not None
            result = result.replace(tzinfo=_offset_zone(offset))
        # Feeds are compared and read in UTC: 9999-12-31T23:00-05:00 is in year 10000
        # there, and 1900-01-01T00:30+01:00 in 1899.
        in_utc = result.astimezone(UTC)
    except OverflowError:
        raise _out_of_range(value) from None
    if not MIN_YEAR <= in_utc.year <= MAX_YEAR:
        raise _out_of_range(value)
    return result.replace(microsecond=0)


def _out_of_range(value: object) -> ValueProblem:
    return ValueProblem(f"date out of range: {describe(value)} (years {MIN_YEAR}-{MAX_YEAR})")


@lru_cache(maxsize=64)
def _offset_zone(offset: timedelta) -> timezone:
    """The fixed-offset zone of an offset (one value for each offset met)."""
    return timezone(offset)


def _local(naive: datetime, tz: tzinfo, shown: str, warn: Callable[[str], None] | None) -> datetime:
    """A time without an offset, in ``tz``.

    A time that never happened there (the clocks jumped forward over it) is taken as
    the instant it names by the offset before the jump, as PEP 495 does: 02:30 in the
    hour Berlin skips is 01:30 UTC, written 03:30+02:00. A time that happened twice
    (the clocks went back over it) is taken as its first occurrence. Either way
    ``warn`` is told, since the author may have meant another instant.

    Raises:
        OverflowError: the instant lies beyond what datetime holds.
    """
    first = naive.replace(tzinfo=tz, fold=0)
    if first.utcoffset() == naive.replace(tzinfo=tz, fold=1).utcoffset():
        return first  # neither skipped nor repeated: every time but an hour or two a year
    real = first.astimezone(UTC).astimezone(tz)
    zone = str(tz)
    if real.replace(tzinfo=None) != naive:
        if warn is not None:
            warn(
                f"{shown} does not exist in {zone}, whose clocks jump forward past it;"
                f" taken as {real.isoformat()}"
            )
        return real
    if warn is not None:
        second = naive.replace(tzinfo=tz, fold=1).isoformat()
        warn(
            f"{shown} happens twice in {zone}, whose clocks go back over it; taken as the"
            f" first, {first.isoformat()} (write {second} for the second)"
        )
    return first


def _parse_text(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    # Imported only here: most front matter dates are ISO 8601.
    from dateutil import parser as dateutil_parser

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            first, second = (dateutil_parser.parse(value, default=d) for d in _DEFAULTS)
        except (ValueError, OverflowError) as err:
            raise ValueProblem(f"expected a date, got {value!r}") from err
    if any(issubclass(w.category, dateutil_parser.UnknownTimezoneWarning) for w in caught):
        raise ValueProblem(
            f"unknown time zone name in {value!r}: write an offset such as +02:00 instead"
        )
    if first.date() != second.date():
        raise ValueProblem(f"incomplete date {value!r}: give a year, a month and a day")
    return first


def _field(name: str, check: Callable[[object], str], value: object) -> str:
    """``check(value)``, with the key's name put before any problem it finds."""
    try:
        return check(value)
    except ValueProblem as err:
        raise ValueProblem(f"{name}: {err}") from err
