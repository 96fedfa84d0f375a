"""Nunjucks and Liquid in a post's Markdown (Eleventy runs one of them before
Markdown), found and replaced, never run: comments give nothing, ``raw`` and
``verbatim`` give their text as it is, the syntax highlight plugin's ``highlight``
gives a fenced code block, and anything else is left out with a warning."""

from __future__ import annotations

import re

from .templates import Construct, Output, Syntax, TemplateProblem, line_of

# {# comment #}, {% tag %}, {{ output }}, each with optional whitespace control (-).
_OPENING = re.compile(r"\{#|\{%-?\s*(\w+)|\{\{")
_TAG_END = re.compile(r"-?%\}")
# Tags whose text up to their end tag is never read as template code.
_LITERAL = ("raw", "verbatim", "comment")


def syntax(engine: str) -> Syntax:
    """The template language Eleventy runs on Markdown ("Nunjucks" or "Liquid"; their
    tags look alike), with its built-ins."""
    return Syntax(
        find=lambda text, first_line: find(text, first_line, engine),
        builtins={
            "#": lambda construct: None,
            "comment": lambda construct: None,
            "raw": _literal,
            "verbatim": _literal,
            "highlight": _highlight,
        },
    )


def find(text: str, first_line: int, engine: str = "Nunjucks") -> list[Construct]:
    """The outermost constructs of ``text``, in order: comments, outputs, single tags,
    and block tags (a tag with an end tag after it) with everything up to it."""
    found: list[Construct] = []
    index = 0
    while True:
        match = _OPENING.search(text, index)
        if match is None:
            return found
        start = match.start()
        opening = match.group(0)
        if opening == "{#":
            end = text.find("#}", match.end())
            end = len(text) if end < 0 else end + 2
            found.append(_construct(f"{engine} comment", "#", text, start, end, first_line))
        elif opening == "{{":
            end = text.find("}}", match.end())
            end = len(text) if end < 0 else end + 2
            found.append(_construct(f"{engine} output", "{{", text, start, end, first_line))
        else:
            found.append(_tag(text, match, first_line, f"{engine} tag"))
        index = found[-1].end


def _construct(kind: str, name: str, text: str, start: int, end: int, first_line: int) -> Construct:
    return Construct(
        kind=kind,
        name=name,
        opening=text[start:end],
        start=start,
        end=end,
        line=line_of(text, start, first_line),
    )


def _tag(text: str, match: re.Match[str], first_line: int, kind: str) -> Construct:
    """A ``{% name ... %}`` tag, with its inner text up to ``{% endname %}`` when it
    is a block (nested blocks of the same name counted)."""
    name = match.group(1)
    start = match.start()
    closing = _TAG_END.search(text, match.end())
    open_end = len(text) if closing is None else closing.end()
    arguments = text[match.end() : closing.start() if closing else len(text)].strip()
    end_pattern = re.compile(rf"\{{%-?\s*(end{name}|{name})\b.*?-?%\}}", re.S)
    if name in _LITERAL:
        end_pattern = re.compile(rf"\{{%-?\s*(end{name})\b.*?-?%\}}", re.S)
    has_end = re.compile(rf"\{{%-?\s*end{name}\b").search(text, open_end) is not None
    if not has_end or name.startswith("end"):
        return Construct(
            kind=kind,
            name=name,
            opening=text[start:open_end],
            start=start,
            end=open_end,
            line=line_of(text, start, first_line),
            args=(arguments,),
        )
    depth = 1
    index = open_end
    while True:
        found = end_pattern.search(text, index)
        if found is None:
            # No end tag: the rest of the text is its inner text, as far as it goes.
            inner_end = end = len(text)
            break
        if found.group(1) == name:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                inner_end, end = found.start(), found.end()
                break
        index = found.end()
    return Construct(
        kind=kind,
        name=name,
        opening=text[start:open_end],
        start=start,
        end=end,
        line=line_of(text, start, first_line),
        args=(arguments,),
        inner=text[open_end:inner_end],
        inner_line=line_of(text, open_end, first_line),
    )


def _literal(construct: Construct) -> Output:
    """``raw`` and ``verbatim``: their text, as it is."""
    return Output(construct.inner or "", html=False)


def _highlight(construct: Construct) -> Output:
    """The syntax highlight plugin's ``{% highlight "go" %}``: a fenced code block."""
    language = construct.get(0).strip().strip("\"'").split()
    if not language:
        raise TemplateProblem("the highlight block needs a language")
    code = (construct.inner or "").strip("\n")
    fence = "~~~~" if "```" in code else "```"
    return Output(f"{fence}{language[0]}\n{code}\n{fence}", html=False, block=True)
