"""Safe YAML loading for front matter and configuration: plain data only, with the
line of every top-level key. Every PyYAML call lives here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: The loader in use (libyaml's when PyYAML has it); part of what cached front matter depends on.
LOADER = f"PyYAML {yaml.__version__} {_BaseLoader.__name__}"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"


class _DataLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """The safe loader, with timestamps left as text so that postfeed parses every
    date one way (site timezone, python-dateutil)."""


_DataLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
# Plain data only: no !!binary bytes, !!set, !!omap or !!pairs either.
_DataLoader.yaml_constructors = {
    tag: construct
    for tag, construct in _BaseLoader.yaml_constructors.items()
    if tag is None
    or tag.rsplit(":", 1)[-1] in ("null", "bool", "int", "float", "str", "seq", "map", "timestamp")
}


class _TimestampLoader(_DataLoader):
    """Plain data with YAML timestamps made dates and datetimes, for generators that
    tell a timestamp from a quoted text (MkDocs reads only the first as a date)."""


_TimestampLoader.yaml_implicit_resolvers = _BaseLoader.yaml_implicit_resolvers


@dataclass(frozen=True, slots=True)
class Tagged:
    """A value written with a YAML tag that is not plain data (``!!python/name:x.y``,
    ``!ENV NAME``), kept as it is written and never constructed: the tag, its plain
    value (text, a list or a mapping) and the line it is on."""

    tag: str
    value: Any
    line: int


class _TaggedLoader(_DataLoader):
    """Plain data, with any other tag read as a :class:`Tagged` value (configuration
    files such as mkdocs.yml name Python objects with tags)."""

    first_line = 1

    def construct_undefined(self, node: yaml.Node) -> Tagged:
        value: Any
        if isinstance(node, yaml.MappingNode):
            value = self.construct_mapping(node, deep=True)
        elif isinstance(node, yaml.SequenceNode):
            value = self.construct_sequence(node, deep=True)
        else:
            value = node.value
        return Tagged(node.tag, value, node.start_mark.line + self.first_line)


_TaggedLoader.yaml_constructors = {**_DataLoader.yaml_constructors}
_TaggedLoader.add_constructor(None, _TaggedLoader.construct_undefined)


class YAMLProblem(Exception):
    """A YAML document is not a valid mapping of plain data."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class Mapping:
    """A YAML mapping's data and the line each top-level key is on."""

    data: dict[str, Any]
    lines: dict[str, int]


def load_mapping(
    text: str,
    *,
    first_line: int = 1,
    what: str = "front matter",
    timestamps: bool = False,
    tagged: bool = False,
) -> Mapping:
    """Parse ``text`` as one YAML mapping of plain data.

    ``first_line`` is the file line that ``text`` starts on, so that every line
    number reported is the file's own. With ``timestamps``, YAML timestamps are
    dates and datetimes (else text); with ``tagged``, a value with any other tag
    is a :class:`Tagged` (else an error).

    Raises:
        YAMLProblem: on a syntax error, a tag that is not plain data, an alias,
            a duplicate or non-text key, or a document that is not a mapping.
    """
    if not (tagged or timestamps):
        simple = _simple_mapping(text, first_line)
        if simple is not None:
            return simple
    return _parsed(text, first_line, what, timestamps=timestamps, tagged=tagged)


def _parsed(text: str, first_line: int, what: str, *, timestamps: bool, tagged: bool) -> Mapping:
    """:func:`load_mapping` by PyYAML."""
    loader: _DataLoader
    if tagged:
        loader = tagged_loader = _TaggedLoader(text)
        tagged_loader.first_line = first_line
    else:
        loader = _TimestampLoader(text) if timestamps else _DataLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Mapping({}, {})
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            row = node.start_mark.line
            hint = _no_space_after_key(_line(text, row))
            raise YAMLProblem(
                row + first_line,
                f"{what} must be a mapping of keys to values, got {kind}"
                + (f"; put a space after the ':' of a key: {hint}" if hint else ""),
            )
        if "&" in text or "*" in text:  # no anchor or alias can be written without them
            _refuse_aliases(node, first_line)
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + first_line
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise YAMLProblem(line, f"keys must be text, got {_describe(key_node)}")
            if key_node.value in lines:
                first = lines[key_node.value]
                raise YAMLProblem(line, f"duplicate key {key_node.value!r} (first on line {first})")
            lines[key_node.value] = line
            _refuse_list_in_text(key_node, value_node, text, first_line)
        data = {key.value: _construct(loader, value) for key, value in node.value}
    except yaml.MarkedYAMLError as err:
        raise _problem(err, text, first_line) from err
    except yaml.reader.ReaderError as err:
        # The position is a byte offset into the UTF-8 text.
        line = text.encode("utf-8")[: err.position].count(b"\n") + first_line
        raise YAMLProblem(
            line, f"invalid YAML: unacceptable character #x{err.character:04x}: {err.reason}"
        ) from err
    except yaml.YAMLError as err:  # pragma: no cover - libyaml reports marks for all we feed it
        raise YAMLProblem(first_line, f"invalid YAML: {err}") from err
    finally:
        loader.dispose()
    return Mapping(data, lines)


# --- front matter in its most common shape, read without PyYAML -----------------------
# A post's front matter is most often a few lines of "key: value", each value quoted or
# plain text, or a list of such in brackets: libyaml would spend some 30 us making nodes
# of it, most of a scan's time. Text in exactly this shape is read here, to the same data
# PyYAML gives (tests/test_yaml_simple.py compares the two); anything else (comments,
# escapes, numbers, dates that YAML reads as such, nested values, errors) goes to PyYAML.

_SIMPLE_LINE = re.compile(
    r"(?P<key>[A-Za-z_][A-Za-z0-9_-]*): +(?:"
    r'"(?P<dq>[^"\\\n]*)"'
    r"|'(?P<sq>[^'\n]*)'"
    r"|\[(?P<seq>[^\[\]{}#\n]*)\]"
    # Plain text: no indicator first, no ': ' or ' #' inside, no ':' or space last.
    r"|(?P<plain>[^-?:,\[\]{}#&*!|>'\"%@`\s](?:[^:#\n\[\]{}]|:(?=[^\s]))*)"
    r")"
)
_SIMPLE_ITEM = re.compile(
    r" *(?:"
    r'"(?P<dq>[^"\\\n]*)"'
    r"|'(?P<sq>[^'\n]*)'"
    r"|(?P<plain>[^-?:,\[\]{}#&*!|>'\"%@`\s][^:#,\n\[\]{}]*?)"
    r") *(?P<end>,|$)"
)
_PLAIN_ITEM = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s][^:#,\n\[\]{}]*")
# Characters that make YAML read text otherwise than as written: line breaks other than
# \n, tabs, a byte order mark, and what the YAML reader refuses.
_NOT_SIMPLE = re.compile(r"[\r\t\x85\u2028\u2029\ufeff]")
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _not_text() -> dict[str, re.Pattern[str]]:
    """For each first character, one pattern matching the plain values that YAML reads
    as something other than text (numbers, booleans, null...)."""
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = dict(
        _DataLoader.yaml_implicit_resolvers
    )
    anywhere = table.pop(None, [])
    return {
        first: re.compile(
            "|".join(
                f"(?{'x' if regexp.flags & re.VERBOSE else ''}:{regexp.pattern})"
                for _, regexp in [*resolvers, *anywhere]
            )
        )
        for first, resolvers in table.items()
        if first is not None and [*resolvers, *anywhere]
    }


_NOT_TEXT = _not_text()
_TEXT_SEEN: dict[str, bool] = {}  # plain values met (keys, tags, names recur), at most:
_SEEN_AT_MOST = 4096


def _plain_text(value: str) -> bool:
    """Whether YAML reads this plain value as the text it is."""
    known = _TEXT_SEEN.get(value)
    if known is None:
        pattern = _NOT_TEXT.get(value[:1])
        known = pattern is None or pattern.match(value) is None
        if len(_TEXT_SEEN) < _SEEN_AT_MOST:
            _TEXT_SEEN[value] = known
    return known


def _simple_mapping(text: str, first_line: int) -> Mapping | None:
    """The mapping of ``text`` when every line is empty or "key: value" with a value
    as above; else None."""
    if _NOT_SIMPLE.search(text) is not None or _NON_PRINTABLE.search(text) is not None:
        return None
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    match = _SIMPLE_LINE.fullmatch
    for row, line in enumerate(text.split("\n")):
        if not line:
            continue
        found = match(line)
        if found is None:
            return None
        key, double, single, items, plain = found.groups()
        if key in data or not _plain_text(key):
            return None
        value: Any
        if plain is not None:
            if plain[-1] == " " or not _plain_text(plain):
                return None
            value = plain
        elif items is not None:
            value = _simple_items(items)
            if value is None:
                return None
        else:
            value = double if double is not None else single
        data[key] = value
        lines[key] = row + first_line
    return Mapping(data, lines)


def _simple_items(text: str) -> list[str] | None:
    """The items of a list in brackets, each quoted or plain text; else None."""
    if not text:
        return []
    if '"' not in text and "'" not in text:
        # Plain items alone, which hold no comma: split at each.
        items = [item.strip(" ") for item in text.split(",")]
        if all(_PLAIN_ITEM.fullmatch(item) and _plain_text(item) for item in items):
            return items
        return None
    items = []
    at = 0
    while at < len(text):
        found = _SIMPLE_ITEM.match(text, at)
        if found is None:
            return None
        plain = found["plain"]
        if plain is not None:
            if not _plain_text(plain):
                return None
            items.append(plain)
        else:
            items.append(found["dq"] if found["dq"] is not None else found["sq"])
        at = found.end()
        if found["end"] == "," and at == len(text):
            return None  # a comma last
    return items


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """What the safe constructor makes of ``node``, with the common cases (text, and
    lists of text) taken straight from the node: the constructor is written in Python
    even in libyaml's loader, and would be most of the time spent here."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
        return node.value
    if (
        isinstance(node, yaml.SequenceNode)
        and node.tag == _SEQ
        and all(isinstance(item, yaml.ScalarNode) and item.tag == _STR for item in node.value)
    ):
        return [item.value for item in node.value]
    return loader.construct_object(node, deep=True)


def _refuse_aliases(root: yaml.Node, first_line: int) -> None:
    """Refuse anchors and aliases: front matter has no use for them, and they are
    how "billion laughs" documents explode."""
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise YAMLProblem(
                node.start_mark.line + first_line, "YAML anchors and aliases are not allowed"
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if node.tag == "tag:yaml.org,2002:str":
        return repr(node.value)
    return f"{node.value} (quote it)"


def _problem(err: yaml.MarkedYAMLError, text: str, first_line: int) -> YAMLProblem:
    mark = err.problem_mark or err.context_mark
    line = (mark.line if mark is not None else 0) + first_line
    if isinstance(err, yaml.constructor.ConstructorError) and err.problem and "tag" in err.problem:
        tag = err.problem.rsplit(" ", 1)[-1]
        return YAMLProblem(line, f"YAML tag {tag} is not allowed: only plain data is read")
    explained = _explain(err, text)
    if explained is not None:
        row, message = explained
        return YAMLProblem(row + first_line, f"invalid YAML: {message}")
    problem = err.problem or err.context or "unreadable"
    return YAMLProblem(line, f"invalid YAML: {problem}")


# --- what a newcomer can act on ------------------------------------------------------
# PyYAML says what its parser expected; these say what was most likely meant, for the
# mistakes people make most, and how to write it. Each names the line to change.

# "key: value", maybe as a list item; the key is plain text, the value what follows ": ".
_KEY_VALUE = re.compile(
    r"^(?P<indent>[ \t]*(?:- )?)(?P<key>[^\s#:'\"\[\]{},&*!|>%@`-][^:]*?):[ \t]+(?P<value>\S.*)$"
)
# "key:value": a key with no space after its colon.
_NO_SPACE = re.compile(r"^[ \t]*(?:- )?(?P<key>[A-Za-z_][\w.-]*):(?P<value>[^\s/:][^\n]*)$")
_CLOSERS = {"[": "]", "{": "}", "'": "'", '"': '"'}


def _explain(err: yaml.MarkedYAMLError, text: str) -> tuple[int, str] | None:
    """The line (0-based, in ``text``) and the advice for a syntax error whose cause
    is plain from the text, or None."""
    problem, context = err.problem or "", err.context or ""
    mark, opened = err.problem_mark, err.context_mark
    if mark is None:
        return None
    row, column = mark.line, mark.column
    current = _line(text, row)
    indent = current[: len(current) - len(current.lstrip(" \t"))]
    if "\t" in indent or current[column : column + 1] == "\t":
        return row, "a tab indents this line; indent with spaces (YAML does not allow tabs)"
    if opened is not None and context == "while scanning a quoted scalar":
        quote = _line(text, opened.line)[opened.column : opened.column + 1] or '"'
        return (
            opened.line,
            f"the quoted value starting here is never closed; add the closing {quote}",
        )
    if opened is not None and context.startswith("while parsing a flow") and opened.line < row:
        what, closer = ("list", "]") if "sequence" in context else ("mapping", "}")
        start = _line(text, opened.line)[opened.column : opened.column + 1]
        return opened.line, (
            f"the {what} opened with '{start}' is never closed; add '{closer}' (or quote"
            " the value if it is text)"
        )
    if opened is not None and context in (
        "while scanning an alias",
        "while scanning an anchor",
        "while scanning a block scalar",
    ):
        row, column, current = opened.line, opened.column, _line(text, opened.line)
        problem = "cannot start"
    if problem.startswith(("found character that cannot start", "block sequence entries")) or (
        problem == "cannot start"
    ):
        found = _KEY_VALUE.match(current)
        if found is not None and found.start("value") == column:
            first = found["value"][0]
            return row, f"a value starting with '{first}' must be quoted: {_fixed(found)}"
        return None
    if problem.startswith("mapping values are not allowed"):
        return _colon(text, row, column)
    if problem == "could not find expected ':'" and opened is not None:
        line = _line(text, opened.line)
        fixed = _no_space_after_key(line)
        if fixed:
            return opened.line, f"put a space after the ':' of a key: {fixed}"
        item = re.match(r"^[ \t]*-(?P<rest>[^\s-].*)$", line)
        if item is not None:
            return opened.line, f"put a space after the '-' of a list item: - {item['rest']}"
        return opened.line, (
            "this line is not 'key: value' (indent it if it goes on with the value above)"
        )
    if problem == "did not find expected key" and context == "while parsing a block mapping":
        if current.lstrip().startswith("- ") or current.strip() == "-":
            return _item_under_value(text, row)
        found = _KEY_VALUE.match(current)
        if found is not None and found["value"][0] in _CLOSERS and column > found.start("value"):
            closer = _CLOSERS[found["value"][0]]
            return row, (
                f"a value with text after its closing '{closer}' must be quoted: {_fixed(found)}"
            )
    return None


def _colon(text: str, row: int, column: int) -> tuple[int, str] | None:
    """Advice for a ':' YAML did not expect, at ``row`` and ``column``."""
    current = _line(text, row)
    found = _KEY_VALUE.match(current)
    if found is not None and column >= found.start("value"):
        value = _plain(found["value"])
        if ": " in value or ":\t" in value:
            return row, f"a value holding ': ' must be quoted: {_fixed(found)}"
        return row, f"a value ending with ':' must be quoted: {_fixed(found)}"
    # The key's own colon: YAML took this line for the rest of the value above.
    above = _line_above(text, row)
    if above is None:
        return None
    fixed = _no_space_after_key(_line(text, above))
    if fixed:
        return above, f"put a space after the ':' of a key: {fixed}"
    parent = _KEY_VALUE.match(_line(text, above))
    here = re.match(r"^(?P<indent>[ \t]*)(?P<key>[^:]+?):", current)
    if parent is not None and here is not None and len(here["indent"]) > len(parent["indent"]):
        return row, (
            f"'{here['key']}' is indented under '{parent['key']}', which already has a value;"
            f" start it in the same column as '{parent['key']}'"
        )
    return None


def _item_under_value(text: str, row: int) -> tuple[int, str] | None:
    """Advice for a list item under a key that already has a value on its own line."""
    above = _line_above(text, row)
    parent = _KEY_VALUE.match(_line(text, above)) if above is not None else None
    if parent is None:
        return None
    items = [_plain(parent["value"])]
    for line in text.split("\n")[row:]:
        item = re.match(r"^[ \t]*- (.*)$", line)
        if item is None:
            break
        items.append(_plain(item[1]))
    listed = ", ".join(_flow_item(item) for item in items)
    return row, (
        f"a list item under '{parent['key']}', which already has a value:"
        f" write {parent['key']}: [{listed}]"
    )


def _refuse_list_in_text(key: yaml.Node, value: yaml.Node, text: str, first_line: int) -> None:
    """Refuse a value that is text on the key's line and list items below it, which
    YAML reads as one text (``tags: go`` and ``  - testing`` give 'go - testing')."""
    if not isinstance(value, yaml.ScalarNode) or value.style not in (None, ""):
        return
    if value.end_mark.line <= value.start_mark.line:
        return
    for row in range(value.start_mark.line + 1, value.end_mark.line + 1):
        if re.match(r"^[ \t]*- ", _line(text, row)):
            explained = _item_under_value(text, row)
            if explained is not None:
                raise YAMLProblem(explained[0] + first_line, f"invalid YAML: {explained[1]}")


def _line(text: str, row: int) -> str:
    lines = text.split("\n")
    return lines[row] if 0 <= row < len(lines) else ""


def _line_above(text: str, row: int) -> int | None:
    """The nearest line above ``row`` holding something other than a comment."""
    lines = text.split("\n")
    for above in range(min(row, len(lines)) - 1, -1, -1):
        if lines[above].strip() and not lines[above].lstrip().startswith("#"):
            return above
    return None


def _no_space_after_key(line: str) -> str | None:
    """``key: value`` for a line written ``key:value``, else None."""
    found = _NO_SPACE.match(line)
    return f"{found['key']}: {found['value'].strip()}" if found is not None else None


def _plain(value: str) -> str:
    """A value as written, without a trailing comment."""
    return re.sub(r"[ \t]+#.*$", "", value).strip()


def _fixed(found: re.Match[str]) -> str:
    """The ``key: value`` line, its value quoted (a JSON string is a YAML one)."""
    return f"{found['key']}: {json.dumps(_plain(found['value']), ensure_ascii=False)}"


def _flow_item(item: str) -> str:
    plain = re.fullmatch(r"[^\s,\[\]{}:#'\"&*!|>%@`][^,\[\]{}:#]*", item) is not None
    return item if plain and ": " not in item else json.dumps(item, ensure_ascii=False)
