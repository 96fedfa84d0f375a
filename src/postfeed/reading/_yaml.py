"""Safe YAML loading for front matter and configuration: plain data only, with the
line of every top-level key. Every PyYAML call lives here."""

from __future__ import annotations

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
) -> Mapping:
    """Parse ``text`` as one YAML mapping of plain data.

    ``first_line`` is the file line that ``text`` starts on, so that every line
    number reported is the file's own. With ``timestamps``, YAML timestamps are
    dates and datetimes (else text).

    Raises:
        YAMLProblem: on a syntax error, a tag that is not plain data, an alias,
            a duplicate or non-text key, or a document that is not a mapping.
    """
    loader = _TimestampLoader(text) if timestamps else _DataLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Mapping({}, {})
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            raise YAMLProblem(
                node.start_mark.line + first_line,
                f"{what} must be a mapping of keys to values, got {kind}",
            )
        if "&" in text or "*" in text:  # no anchor or alias can be written without them
            _refuse_aliases(node, first_line)
        lines: dict[str, int] = {}
        for key_node, _ in node.value:
            line = key_node.start_mark.line + first_line
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise YAMLProblem(line, f"keys must be text, got {_describe(key_node)}")
            if key_node.value in lines:
                first = lines[key_node.value]
                raise YAMLProblem(line, f"duplicate key {key_node.value!r} (first on line {first})")
            lines[key_node.value] = line
        data = {key.value: _construct(loader, value) for key, value in node.value}
    except yaml.MarkedYAMLError as err:
        raise _problem(err, first_line) from err
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


def _problem(err: yaml.MarkedYAMLError, first_line: int) -> YAMLProblem:
    mark = err.problem_mark or err.context_mark
    line = (mark.line if mark is not None else 0) + first_line
    if isinstance(err, yaml.constructor.ConstructorError) and err.problem and "tag" in err.problem:
        tag = err.problem.rsplit(" ", 1)[-1]
        return YAMLProblem(line, f"YAML tag {tag} is not allowed: only plain data is read")
    problem = err.problem or err.context or "unreadable"
    return YAMLProblem(line, f"invalid YAML: {problem}")
