"""JavaScript configuration read as text, never run: comments set aside, and the values
written as plain literals (strings, numbers, booleans, arrays and objects of them)
taken where a reader asks for them. Anything else (a variable, a call, a template
string with ``${}``) is not a literal, and the reader says so."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_SPACE = re.compile(r"\s*")
_WORDS = {"true": True, "false": False, "null": None, "undefined": None}
# A character after a value that makes it part of a longer expression.
_GOES_ON = frozenset("+-*/%.?([&|^<>=!`")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


class NotLiteral(Exception):
    """The text at an offset is not a plain JavaScript literal."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Found:
    """A literal value found in a file, and the line it starts on."""

    value: object
    line: int


def code(text: str) -> str:
    """``text`` with its comments blanked out (line breaks kept, so that offsets and
    lines stay the file's), strings and regular expressions left alone."""
    out = list(text)
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in "'\"`":
            index = _string_end(text, index)
            continue
        if text.startswith("//", index):
            end = text.find("\n", index)
            end = length if end < 0 else end
            out[index:end] = " " * (end - index)
            index = end
            continue
        if text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = length if end < 0 else end + 2
            out[index:end] = ["\n" if c == "\n" else " " for c in text[index:end]]
            index = end
            continue
        index += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """The offset after the string that starts at ``start`` (or the text's end)."""
    quote = text[start]
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index + 1
        if char == "\n" and quote != "`":
            return index
        index += 1
    return len(text)


def line_of(text: str, offset: int) -> int:
    """The 1-based line of an offset."""
    return text.count("\n", 0, offset) + 1


def literal(text: str, start: int, *, lenient: bool = False) -> tuple[object, int]:
    """The plain literal that starts at ``start`` (after blanks) and the offset after it.
    With ``lenient``, an object's property whose value is not a plain literal is left
    out of it rather than making the whole object not literal.

    Raises:
        NotLiteral: there is something else there.
    """
    index = _skip(text, start)
    if index >= len(text):
        raise NotLiteral(index)
    char = text[index]
    if char in "'\"`":
        return _string(text, index)
    if char == "[":
        return _array(text, index, lenient)
    if char == "{":
        return _object(text, index, lenient)
    number = _NUMBER.match(text, index)
    if number is not None:
        value = number.group(0)
        end = number.end()
        if end < len(text) and (text[end].isalnum() or text[end] in "_$"):
            raise NotLiteral(index)
        parsed = json.loads(value) if "x" not in value.lower() else int(value, 16)
        return parsed, end
    word = _IDENTIFIER.match(text, index)
    if word is not None and word.group(0) in _WORDS:
        return _WORDS[word.group(0)], _after_value(text, word.end(), index)
    raise NotLiteral(index)


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _after_value(text: str, end: int, start: int) -> int:
    """Refuse a literal that goes on as an expression (``"a" + b``, ``x.y``, ``f()``)."""
    following = _skip(text, end)
    if following < len(text) and text[following] in _GOES_ON:
        raise NotLiteral(start)
    return end


def _string(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    end = _string_end(text, start)
    if end > len(text) or text[end - 1] != quote or end == start + 1:
        raise NotLiteral(start)
    body = text[start + 1 : end - 1]
    if quote == "`" and "${" in body:
        raise NotLiteral(start)
    result: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            result.append(char)
            index += 1
            continue
        escaped = body[index + 1 : index + 2]
        if escaped == "u" and body[index + 2 : index + 3] == "{":
            close = body.find("}", index)
            result.append(chr(int(body[index + 3 : close], 16)))
            index = close + 1
        elif escaped == "u":
            result.append(chr(int(body[index + 2 : index + 6], 16)))
            index += 6
        elif escaped == "x":
            result.append(chr(int(body[index + 2 : index + 4], 16)))
            index += 4
        elif escaped == "\n":
            index += 2
        else:
            result.append(_ESCAPES.get(escaped, escaped))
            index += 2
    return "".join(result), _after_value(text, end, start)


def _array(text: str, start: int, lenient: bool) -> tuple[list[object], int]:
    items: list[object] = []
    index = _skip(text, start + 1)
    while index < len(text) and text[index] != "]":
        value, index = literal(text, index, lenient=lenient)
        items.append(value)
        index = _skip(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)
        elif index < len(text) and text[index] != "]":
            raise NotLiteral(index)
    if index >= len(text):
        raise NotLiteral(start)
    return items, _after_value(text, index + 1, start)


def _object(text: str, start: int, lenient: bool) -> tuple[dict[str, object], int]:
    result: dict[str, object] = {}
    index = _skip(text, start + 1)
    while index < len(text) and text[index] != "}":
        key, index = _key(text, index)
        index = _skip(text, index)
        if index >= len(text) or text[index] != ":":
            raise NotLiteral(index)  # a shorthand property or a method names code
        try:
            value, index = literal(text, index + 1, lenient=lenient)
        except NotLiteral:
            if not lenient:
                raise
            index = _expression_end(text, index + 1)
        else:
            result[key] = value
        index = _skip(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)
        elif index < len(text) and text[index] != "}":
            raise NotLiteral(index)
    if index >= len(text):
        raise NotLiteral(start)
    return result, _after_value(text, index + 1, start)


def _expression_end(text: str, index: int) -> int:
    """The offset of the ``,`` or closing bracket that ends the expression at ``index``
    (brackets and strings inside it skipped)."""
    depth = 0
    while index < len(text):
        char = text[index]
        if char in "'\"`":
            index = _string_end(text, index)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return index
            depth -= 1
        elif char == "," and depth == 0:
            return index
        index += 1
    raise NotLiteral(index)


def _key(text: str, index: int) -> tuple[str, int]:
    if index < len(text) and text[index] in "'\"":
        end = _string_end(text, index)
        key, _ = _string(text[:end], index)
        return key, end
    word = _IDENTIFIER.match(text, index) or _NUMBER.match(text, index)
    if word is None:
        raise NotLiteral(index)
    return word.group(0), word.end()


def default_export(text: str) -> Found:
    """The value a module exports by default (``export default {...}`` or
    ``module.exports = {...}``), when it is a plain literal.

    Raises:
        NotLiteral: there is no such export, or it is not a plain literal.
    """
    source = code(text)
    match = re.search(r"\bexport\s+default\s+|\bmodule\.exports\s*=\s*", source)
    if match is None:
        raise NotLiteral(0)
    value, end = literal(source, match.end())
    rest = source[end:].strip().lstrip(";").strip()
    if rest:
        raise NotLiteral(end)
    return Found(value, line_of(source, match.end()))


def strings(text: str, name: str) -> Iterator[Found]:
    """Every ``name: "text"`` (or ``name = "text"``) in the code whose value is a
    plain string, in order."""
    source = code(text)
    for match in re.finditer(rf"(?<![\w$.]){re.escape(name)}\s*[:=]\s*(?=['\"`])", source):
        try:
            value, _ = _string(source, match.end())
        except NotLiteral:
            continue
        yield Found(value, line_of(source, match.start()))


def first_string(text: str, name: str) -> Found | None:
    """The first plain string :func:`strings` finds for ``name``, if any."""
    return next(strings(text, name), None)


def object_after(text: str, pattern: str) -> Found | None:
    """The object literal right after the first match of the regular expression
    ``pattern`` in the code (the options passed to a plugin, say), with the properties
    whose values are plain literals; None when there is no object there."""
    source = code(text)
    match = re.search(pattern, source)
    if match is None:
        return None
    try:
        value, _ = literal(source, match.end(), lenient=True)
    except NotLiteral:
        return None
    return Found(value, line_of(source, match.end())) if isinstance(value, dict) else None
