"""The JavaScript in an MDX post, found and left out, never run: ``import`` and
``export`` blocks, ``{expressions}`` (a ``{/* comment */}`` gives nothing, without a
warning), and JSX elements (components such as ``<Chart />``, and tags whose
attributes are expressions). What stays is Markdown and plain HTML."""

from __future__ import annotations

import re

from . import _links
from .templates import Construct, Syntax, line_of

_ESM = re.compile(r"^(?:import|export)\b", re.M)
# A JSX element: a component (capitalised or dotted name), a fragment, or a tag with
# an expression among its attributes.
_ELEMENT = re.compile(r"<(?=[A-Z]|>|[a-z][\w.:-]*\s[^<>]*\{)([A-Za-z][\w.:-]*)?")


def find(text: str, first_line: int) -> list[Construct]:
    """The outermost JavaScript constructs of MDX text, in order; code blocks and code
    spans are Markdown's and are left alone."""
    spans = _links.code_spans(text)
    found: list[Construct] = []
    index = 0
    while index < len(text):
        span = next((s for s in spans if s[0] <= index < s[1]), None)
        if span is not None:
            index = span[1]
            continue
        char = text[index]
        construct: Construct | None = None
        if char in "ie" and (index == 0 or text[index - 1] == "\n") and _ESM.match(text, index):
            construct = _esm(text, index, first_line)
        elif char == "{":
            construct = _expression(text, index, first_line)
        elif char == "<" and (element := _ELEMENT.match(text, index)) is not None:
            construct = _element(text, index, element.group(1) or "", first_line)
        if construct is None:
            index += 1
            continue
        found.append(construct)
        index = construct.end
    return found


def _esm(text: str, start: int, first_line: int) -> Construct:
    """An ``import``/``export`` block: up to the next blank line."""
    blank = re.compile(r"\n[ \t]*\n").search(text, start)
    end = len(text) if blank is None else blank.start() + 1
    return Construct(
        kind="JavaScript",
        name="esm",
        opening=text[start:end].strip(),
        start=start,
        end=end,
        line=line_of(text, start, first_line),
    )


def _balanced(text: str, start: int, opening: str = "{", closing: str = "}") -> int:
    """The offset after the bracket that closes the one at ``start`` (strings and
    template literals skipped); the text's end when it is never closed."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char in "'\"`":
            index = _string_end(text, index)
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(text)


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    index = start + 1
    while index < len(text) and text[index] != quote:
        index += 2 if text[index] == "\\" else 1
    return index + 1


def _expression(text: str, start: int, first_line: int) -> Construct:
    end = _balanced(text, start)
    inner = text[start + 1 : end - 1].strip()
    comment = inner.startswith("/*") and inner.endswith("*/")
    return Construct(
        kind="JavaScript expression",
        name="comment" if comment else "expression",
        opening=text[start:end],
        start=start,
        end=end,
        line=line_of(text, start, first_line),
    )


def _tag_end(text: str, start: int) -> int:
    """The offset after the ``>`` that ends the tag at ``start`` (expressions and
    quoted attribute values skipped)."""
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "{":
            index = _balanced(text, index)
            continue
        if char in "'\"":
            index = _string_end(text, index)
            continue
        if char == ">":
            return index + 1
        index += 1
    return len(text)


def _element(text: str, start: int, name: str, first_line: int) -> Construct:
    """A JSX element: a self-closing tag, or a tag with everything up to its closing
    tag (nested ones of the same name counted)."""
    open_end = _tag_end(text, start)
    opening = text[start:open_end]
    line = line_of(text, start, first_line)
    if opening.endswith("/>"):
        return Construct(
            kind="JSX element", name="jsx", opening=opening, start=start, end=open_end, line=line
        )
    pattern = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])" if name else r"<(/?)>")
    depth = 1
    index = open_end
    inner_end = end = len(text)
    while (found := pattern.search(text, index)) is not None:
        if found.group(1):
            depth -= 1
            if depth == 0:
                inner_end, end = found.start(), _tag_end(text, found.start())
                break
        elif not text[found.start() : _tag_end(text, found.start())].endswith("/>"):
            depth += 1
        index = found.end()
    return Construct(
        kind="JSX element",
        name="jsx",
        opening=opening,
        start=start,
        end=end,
        line=line,
        inner=text[open_end:inner_end],
        inner_line=line_of(text, open_end, first_line),
    )


SYNTAX = Syntax(find=find, builtins={"comment": lambda construct: None})
