"""Liquid in a Jekyll post's Markdown: found as Liquid parses it, and the tags that
carry content made into what Jekyll 4.3 gives (``raw``, ``comment``, ``highlight``,
``post_url``, ``link``), with outputs that only name data (a quoted text, a
``site.`` or ``page.`` value, through ``relative_url`` or ``absolute_url``). No
template runs: every other tag and output is left out by :mod:`.templates`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import templates
from .templates import Construct, Output, Syntax, TemplateProblem

#: The kinds of construct, as messages name them.
TAG, OUTPUT = "Liquid tag", "Liquid output"
#: The name under which an output that only names data is converted.
DATA_OUTPUT = "{{"

_START = re.compile(r"\{[{%]")
_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.S)
_OUTPUT = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
# Tags whose body Liquid does not parse: everything up to the end tag is theirs.
_VERBATIM = ("raw", "comment")
# An output that names data: a quoted text or a site./page. value, and URL filters.
_OPERAND = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|((?:site|page)(?:\.[\w-]+)+))\s*""")
_FILTER = re.compile(r"\|\s*(relative_url|absolute_url)\s*")
# tags/highlight.rb SYNTAX: a language, then options.
_HIGHLIGHT = re.compile(r"""^([a-zA-Z0-9.+#_-]+)((\s+\w+(=(\w+|"([0-9]+\s)*[0-9]+"))?)*)$""")


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """What the built-ins need to know of the post whose Liquid they convert: the
    site's base path (``/field-notes``, or '' at the root) and URL (``url`` from
    _config.yml, with no path), the post's and the site's data, and two look-ups
    that give a root-relative URL without the base path, or None: ``post`` for a
    ``post_url`` name, ``link`` for a file path under the site folder."""

    base_path: str
    site_url: str
    data: Mapping[str, Any] = field(default_factory=dict)
    site_data: Mapping[str, Any] = field(default_factory=dict)
    post: Callable[[str], str | None] = lambda name: None
    link: Callable[[str], str | None] = lambda path: None


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    name: str
    start: int
    end: int
    markup: str
    inner: tuple[int, int] | None = None


def find(text: str, first_line: int) -> list[Construct]:
    """The outermost Liquid constructs in ``text``: outputs (``{{ x }}``), tags
    (``{% x %}``), and block tags with their end tags (``{% if %}…{% endif %}``);
    a ``raw`` or ``comment`` block's body is not searched."""
    if "{{" not in text and "{%" not in text:
        return []
    tokens = _tokens(text)
    constructs: list[Construct] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        line = templates.line_of(text, token.start, first_line)
        opening = text[token.start : token.end] if token.inner is None else _opening(text, token)
        if token.kind == OUTPUT:
            constructs.append(
                Construct(
                    kind=OUTPUT,
                    name=DATA_OUTPUT if _data_output(token.markup) else "output",
                    opening=opening,
                    start=token.start,
                    end=token.end,
                    line=line,
                    args=(token.markup.strip(),),
                )
            )
            continue
        inner: str | None = None
        inner_start = token.end
        end = token.end
        if token.inner is not None:
            inner_start = token.inner[0]
            inner = text[token.inner[0] : token.inner[1]]
        else:
            close = _closing(tokens, index - 1)
            if close is not None:
                inner = text[token.end : tokens[close].start]
                end = tokens[close].end
                index = close + 1
        constructs.append(
            Construct(
                kind=TAG,
                name=token.name,
                opening=opening,
                start=token.start,
                end=end,
                line=line,
                args=tuple(token.markup.split()),
                params={"markup": token.markup.strip()},
                inner=inner,
                inner_line=templates.line_of(text, inner_start, first_line),
            )
        )
    return constructs


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while True:
        found = _START.search(text, position)
        if found is None:
            return tokens
        start = found.start()
        if text[start + 1] == "{":
            output = _OUTPUT.match(text, start)
            if output is None:
                position = start + 2
                continue
            tokens.append(_Token(OUTPUT, "", start, output.end(), output.group(1)))
            position = output.end()
            continue
        tag = _TAG.match(text, start)
        if tag is None:
            position = start + 2
            continue
        name = tag.group(1)
        if name in _VERBATIM:
            closing = re.compile(rf"\{{%-?\s*end{name}\s*-?%\}}").search(text, tag.end())
            if closing is not None:
                inner = (tag.end(), closing.start())
                tokens.append(_Token(TAG, name, start, closing.end(), tag.group(2), inner))
                position = closing.end()
                continue
        tokens.append(_Token(TAG, name, start, tag.end(), tag.group(2)))
        position = tag.end()


def _opening(text: str, token: _Token) -> str:
    assert token.inner is not None
    return text[token.start : token.inner[0]]


def _closing(tokens: list[_Token], opening: int) -> int | None:
    """The index of the ``end<name>`` tag that closes ``tokens[opening]``, counting
    nested blocks of the same name."""
    name = tokens[opening].name
    if name.startswith("end"):
        return None
    depth = 0
    for index in range(opening + 1, len(tokens)):
        token = tokens[index]
        if token.kind != TAG:
            continue
        if token.name == name:
            depth += 1
        elif token.name == "end" + name:
            if not depth:
                return index
            depth -= 1
    return None


def _data_output(markup: str) -> bool:
    operand = _OPERAND.match(markup)
    if operand is None:
        return False
    rest = markup[operand.end() :]
    while rest:
        found = _FILTER.match(rest)
        if found is None:
            return False
        rest = rest[found.end() :]
    return True


def syntax(page: Page) -> Syntax:
    """Liquid as it is written in ``page``, with Jekyll's built-ins that carry content."""

    def raw(construct: Construct) -> Output:
        return Output(construct.inner or "", html=False)

    def comment(construct: Construct) -> None:
        return None

    def highlight(construct: Construct) -> Output:
        markup = construct.params.get("markup", "")
        found = _HIGHLIGHT.match(markup)
        if found is None:
            raise TemplateProblem("the highlight tag needs a language, as {% highlight go %}")
        language = found.group(1)
        code = re.sub(r"\A(?:\r?\n)+|(?:\r?\n)+\Z", "", construct.inner or "")
        attributes = (
            f'class="language-{html.escape(language.replace("+", "-"))}"'
            f' data-lang="{html.escape(language)}"'
        )
        # tags/highlight.rb add_code_tag, without Rouge's spans.
        return Output(
            f'<figure class="highlight"><pre><code {attributes}>'
            f"{html.escape(code, quote=False)}</code></pre></figure>",
            block=True,
        )

    def post_url(construct: Construct) -> Output:
        name = construct.get(0)
        if not name:
            raise TemplateProblem("post_url needs a post's name, as {% post_url 2024-01-15-x %}")
        found = page.post(name)
        if found is None:
            raise TemplateProblem(f"no post {name!r} among the posts")
        return Output(page.base_path + found, html=False)

    def link(construct: Construct) -> Output:
        target = construct.params.get("markup", "").strip()
        if not target:
            raise TemplateProblem("link needs a file's path, as {% link about.md %}")
        if "{{" in target:
            raise TemplateProblem("a path with a variable is not read")
        found = page.link(target)
        if found is None:
            raise TemplateProblem(f"no file {target!r} in the site")
        return Output(page.base_path + found, html=False)

    def data(construct: Construct) -> Output:
        markup = construct.get(0)
        operand = _OPERAND.match(markup)
        assert operand is not None
        value: Any
        if operand.group(3) is not None:
            scope, _, dotted = operand.group(3).partition(".")
            value = _lookup(page.site_data if scope == "site" else page.data, dotted)
            if value is None or isinstance(value, dict | list):
                raise TemplateProblem(f"no value {operand.group(3)!r}")
            if isinstance(value, bool):
                value = "true" if value else "false"
        else:
            value = operand.group(1) if operand.group(1) is not None else operand.group(2)
        result = str(value)
        for name in _FILTER.findall(markup[operand.end() :]):
            result = _relative(page, result)
            if name == "absolute_url" and "://" not in result:
                result = page.site_url.rstrip("/") + result
        return Output(result, html=False)

    return Syntax(
        find=find,
        builtins={
            "raw": raw,
            "comment": comment,
            "highlight": highlight,
            "post_url": post_url,
            "link": link,
            DATA_OUTPUT: data,
        },
    )


def _relative(page: Page, url: str) -> str:
    """Jekyll's ``relative_url``: the base path before a path (a URL with a scheme kept)."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
        return url
    path = url if url.startswith("/") or not url else "/" + url
    return page.base_path + path


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
