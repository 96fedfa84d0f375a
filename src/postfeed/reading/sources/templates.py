"""Template code in a post's body (a Hugo shortcode, a Liquid tag), found and
replaced, never executed.

A generator's reader describes its template language with a :class:`Syntax`: a
``find`` function that returns the constructs in a text, outermost only, and a
table of built-ins, each a function from a construct to its :class:`Output` (the
HTML or Markdown the generator gives for it). :func:`substitute` puts each
built-in's output in place; every other construct is left out of the feed (the
text a paired one encloses is kept), each with a warning naming the file, the line
and the construct.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

#: Characters Markdown would read in text between inline HTML tags, as references.
_MARKDOWN_SPECIALS = {char: f"&#{ord(char)};" for char in "\\`*_[]~!<>|#"}
_TEXT_NODE = re.compile(r">([^<]+)<")
_SHOWN = 60  # characters of a construct's opening shown in a message, at most


class TemplateProblem(Exception):
    """A built-in cannot be converted (a missing argument, an unknown page); the
    message says why, and the construct is left out."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Construct:
    """One piece of template code in a text.

    ``start`` and ``end`` delimit all of it (opening to closing tag) in the text
    searched, ``line`` is the file line of its opening, ``opening`` the opening as
    written. ``args`` are its positional arguments and ``params`` its named ones;
    ``inner`` is the text a paired construct encloses (None for a single tag),
    starting at file line ``inner_line``.
    """

    kind: str
    name: str
    opening: str
    start: int
    end: int
    line: int
    args: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    inner: str | None = None
    inner_line: int = 0

    def get(self, key: str | int, default: str = "") -> str:
        """A named (``str``) or positional (``int``) argument, or ``default``."""
        if isinstance(key, int):
            return self.args[key] if key < len(self.args) else default
        return self.params.get(key, default)

    def shown(self) -> str:
        """The opening as written, shortened for a message."""
        text = " ".join(self.opening.split())
        return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + " ..." + text[-3:]


@dataclass(frozen=True, slots=True)
class Output:
    """What a construct becomes: HTML as the generator gives it, or Markdown to render
    with the post. ``block`` output stands on lines of its own (a code block)."""

    text: str
    html: bool = True
    block: bool = False


#: A built-in: what a construct becomes, given the context its syntax passes.
Builtin = Callable[[Construct], Output | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Syntax:
    """A generator's template language: how to find constructs, and its built-ins.

    ``find(text, first_line)`` returns the outermost constructs of ``text``, whose
    first line is file line ``first_line``, in order. A built-in returning None
    means the construct gives nothing (a comment), and gets no warning.
    """

    find: Callable[[str, int], list[Construct]]
    builtins: Mapping[str, Builtin]


def substitute(text: str, syntax: Syntax, first_line: int) -> tuple[str, list[tuple[int, str]]]:
    """``text`` with every construct replaced: a built-in by its output, any other
    left out (a paired one's inner text kept, with its own constructs replaced).
    Returns the new text and the warnings, as (line, message).
    """
    constructs = syntax.find(text, first_line)
    if not constructs:
        return text, []
    warnings: list[tuple[int, str]] = []
    parts: list[str] = []
    done = 0
    for construct in constructs:
        parts.append(text[done : construct.start])
        done = construct.end
        builtin = syntax.builtins.get(construct.name)
        output: Output | None = None
        if builtin is not None:
            try:
                output = builtin(construct)
            except TemplateProblem as problem:
                warnings.append((construct.line, f"{construct.shown()}: {problem}; left out"))
                continue
            if output is None:
                continue
            parts.append(_placed(output, text, construct))
            continue
        message = f"{construct.kind} {construct.shown()} is not run: left out of the feed"
        if construct.inner is not None:
            inner, found = substitute(construct.inner, syntax, construct.inner_line)
            warnings.append((construct.line, message + ", its inner text kept"))
            warnings.extend(found)
            parts.append(inner)
        else:
            warnings.append((construct.line, message))
    parts.append(text[done:])
    return "".join(parts), warnings


def _placed(output: Output, text: str, construct: Construct) -> str:
    """The output as it goes into the Markdown: on lines of its own, with blank lines
    around, when the construct stands alone on its lines (or the output must);
    else inline, its text protected from Markdown."""
    line_start = text.rfind("\n", 0, construct.start) + 1
    line_end = text.find("\n", construct.end)
    line_end = len(text) if line_end < 0 else line_end
    alone = not text[line_start : construct.start].strip() and not (
        text[construct.end : line_end].strip()
    )
    if alone:
        previous = text[: max(line_start - 1, 0)].rpartition("\n")[2]
        following = text[line_end + 1 :].partition("\n")[0]
        before = "" if line_start == 0 or not previous.strip() else "\n"
        after = "" if line_end >= len(text) or not following.strip() else "\n"
        return before + output.text + after
    if output.block:
        return f"\n\n{output.text}\n\n"
    return inline_html(output.text) if output.html else output.text


def inline_html(fragment: str) -> str:
    """HTML to place inside a Markdown paragraph: the tags pass through as they are,
    and characters Markdown would read in the text between them become references."""
    return _TEXT_NODE.sub(
        lambda match: ">" + "".join(_MARKDOWN_SPECIALS.get(c, c) for c in match.group(1)) + "<",
        fragment,
    )


def attribute(value: str) -> str:
    """Text escaped for an HTML attribute value in double quotes, as Go's templates do."""
    return html.escape(value, quote=True).replace("&#x27;", "&#39;").replace("&quot;", "&#34;")


def line_of(text: str, offset: int, first_line: int) -> int:
    """The file line of ``offset`` in ``text``, which starts on file line ``first_line``."""
    return first_line + text.count("\n", 0, offset)
