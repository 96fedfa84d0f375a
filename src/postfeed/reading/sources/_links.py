"""Links in a post's Markdown as a generator resolves them before the page is built
(MkDocs' links to other pages' files, Eleventy's links to input files), and URLs
percent-encoded as the generators write them. Text only: nothing is rendered here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

#: What a resolver returns to take a link or image out of the text altogether.
REMOVE = "\x00remove"

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_OPENING = re.compile(r"(!?)\[((?:[^\[\]\\\n]|\\.|\[(?:[^\[\]\\\n]|\\.)*\])*)\]\(")
_DEFINITION = re.compile(r"^[ ]{0,3}\[(?:[^\]\\\n]|\\.)+\]:[ \t]*(<[^>\n]*>|[^\s<]\S*)", re.M)
_TITLE = re.compile(r"""[ \t\n]+(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))""")
# The WHATWG URL standard's path percent-encode set (what `new URL()` encodes in a
# path): C0 controls, space, ", #, <, >, ?, `, {, }, and everything beyond ASCII.
_WHATWG_PATH = re.compile(r"[\x00-\x20\"#<>?`{}\x7f-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image destination in Markdown: as written, whether it is an image's,
    its text (an image's alternative text), and its file line."""

    target: str
    image: bool
    text: str
    line: int


def whatwg_path(path: str) -> str:
    """A URL path percent-encoded as JavaScript's ``new URL()`` writes it (Eleventy's and
    Astro's feeds): UTF-8, only the characters the URL standard encodes in a path,
    ``%XX`` kept as written."""
    return _WHATWG_PATH.sub(lambda m: quote(m.group(0), safe=""), path)


def split_target(target: str) -> tuple[str, str]:
    """A link target's path and its ``?query#fragment`` suffix."""
    cut = min((i for i in (target.find("?"), target.find("#")) if i >= 0), default=len(target))
    return target[:cut], target[cut:]


def is_relative(target: str) -> bool:
    """Whether a link target is a relative path (no scheme, host, root or bare fragment)."""
    return bool(target) and not (
        target.startswith(("/", "#", "?")) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target)
    )


def code_spans(text: str) -> list[tuple[int, int]]:
    """The offsets of the fenced code blocks and inline code spans of Markdown text,
    where nothing is a link."""
    spans: list[tuple[int, int]] = []
    offset = 0
    fence: str | None = None
    fence_start = 0
    prose_start = 0
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match is not None:
            spans.extend(_inline_code(text, prose_start, offset))
            fence, fence_start = match.group(1), offset
        elif (
            fence is not None
            and match is not None
            and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence)
            and not line[match.end() :].strip()
        ):
            spans.append((fence_start, offset + len(line)))
            fence = None
            prose_start = offset + len(line)
        offset += len(line)
    if fence is not None:
        spans.append((fence_start, len(text)))
    else:
        spans.extend(_inline_code(text, prose_start, len(text)))
    return spans


def _inline_code(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Code spans between ``start`` and ``end``: a run of backticks to the next run of
    the same length."""
    spans: list[tuple[int, int]] = []
    index = start
    while True:
        opening = _BACKTICKS.search(text, index, end)
        if opening is None:
            return spans
        run = opening.group(0)
        closing = re.compile(rf"(?<!`){run}(?!`)").search(text, opening.end(), end)
        if closing is None:
            index = opening.end()
            continue
        spans.append((opening.start(), closing.end()))
        index = closing.end()


def rewrite(text: str, first_line: int, resolve: Callable[[Link], str | None]) -> str:
    """``text`` with the destination of every inline link and image and of every link
    reference definition replaced by what ``resolve`` returns for it (None: kept as
    it is; :data:`REMOVE`: an inline link or image taken out with its text). Code
    blocks and code spans are left alone."""
    spans = code_spans(text)

    def in_code(offset: int) -> bool:
        return any(start <= offset < end for start, end in spans)

    edits: list[tuple[int, int, str]] = []
    for match in _OPENING.finditer(text):
        if in_code(match.start()) or (match.start() > 0 and text[match.start() - 1] == "\\"):
            continue
        found = _destination(text, match.end())
        if found is None:
            continue
        start, end, close = found
        written = text[start:end]
        target = written[1:-1] if written.startswith("<") else written
        line = first_line + text.count("\n", 0, match.start())
        new = resolve(Link(target, match.group(1) == "!", match.group(2), line))
        if new == REMOVE:
            edits.append((match.start(), close, ""))
        elif new is not None:
            edits.append((start, end, f"<{new}>" if " " in new else new))
    for match in _DEFINITION.finditer(text):
        if in_code(match.start()):
            continue
        written = match.group(1)
        target = written[1:-1] if written.startswith("<") else written
        line = first_line + text.count("\n", 0, match.start())
        new = resolve(Link(target, False, "", line))
        if new is not None and new != REMOVE:
            edits.append((match.start(1), match.end(1), f"<{new}>" if " " in new else new))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _destination(text: str, index: int) -> tuple[int, int, int] | None:
    """Where the destination after ``](`` starts and ends, and the offset after the
    closing ``)``; None when it is not a link after all."""
    while index < len(text) and text[index] in " \t":
        index += 1
    start = index
    if index < len(text) and text[index] == "<":
        close = text.find(">", index)
        if close < 0 or "\n" in text[index:close]:
            return None
        end = close + 1
    else:
        depth = 0
        while index < len(text) and not text[index].isspace():
            char = text[index]
            if char == "\\":
                index += 2
                continue
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            index += 1
        end = index
    title = _TITLE.match(text, end)
    after = title.end() if title else end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after >= len(text) or text[after] != ")":
        return None
    return start, end, after + 1
