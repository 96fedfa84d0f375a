"""Hugo's shortcodes in a page's Markdown: found as Hugo parses them, and the
embedded ones that carry content (``figure``, ``youtube``, ``highlight``,
``details``, ``ref``, ``relref``, ``param``, ``comment``) made into what Hugo 0.168's
templates give (``tpl/tplimpl/embedded/templates/_shortcodes``). No template runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from . import templates
from ._common import lower_keys
from .templates import Construct, Output, Syntax, TemplateProblem, attribute


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """What the built-ins need to know of the page whose shortcodes they convert:
    its absolute URL, its bundle's folder (None for a page that is one file), its
    front matter (keys lower-cased) and the site's ``params``, and ``resolve``, which
    gives the absolute URL of the page a ``ref`` names (or None)."""

    url: str
    bundle: Path | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    site_params: Mapping[str, Any] = field(default_factory=dict)
    resolve: Callable[[str], str | None] = lambda target: None


_OPENING = re.compile(r"\{\{([<%])")
_NAME = re.compile(r"[\w.-]+(?:/[\w.-]+)*")


@dataclass(frozen=True, slots=True)
class _Tag:
    start: int
    end: int
    delimiter: str
    name: str
    closing: bool
    self_closing: bool
    escaped: bool
    arguments: str


def find(text: str, first_line: int) -> list[Construct]:
    """The outermost shortcodes in ``text`` (``{{< name args >}}``, ``{{% name %}}``,
    paired with ``{{< /name >}}`` when a closing tag follows), and escaped ones
    (``{{</* name */>}}``, which Hugo shows as written, without the comment marks)."""
    if "{{" not in text:
        return []
    tags = list(_tags(text))
    constructs: list[Construct] = []
    index = 0
    while index < len(tags):
        tag = tags[index]
        index += 1
        opening = text[tag.start : tag.end]
        line = templates.line_of(text, tag.start, first_line)
        if tag.escaped:
            # {{</* x */>}} shows as {{< x >}}: the comment marks go, nothing runs.
            inside = opening[3:-3].strip()[2:-2].strip()
            shown = f"{opening[:3]} {' '.join(inside.split())} {opening[-3:]}"
            constructs.append(
                Construct(
                    kind="escaped shortcode",
                    name="/*",
                    opening=opening,
                    start=tag.start,
                    end=tag.end,
                    line=line,
                    args=(shown,),
                )
            )
            continue
        args, params = _arguments(tag.arguments)
        close = None if tag.closing or tag.self_closing else _closing(tags, index - 1)
        inner = None
        end = tag.end
        if close is not None:
            inner = text[tag.end : tags[close].start]
            end = tags[close].end
            index = close + 1
        constructs.append(
            Construct(
                kind="shortcode",
                name="/" + tag.name if tag.closing else tag.name,
                opening=opening,
                start=tag.start,
                end=end,
                line=line,
                args=args,
                params=params,
                inner=inner,
                inner_line=templates.line_of(text, tag.end, first_line),
            )
        )
    return constructs


def _tags(text: str) -> list[_Tag]:
    tags: list[_Tag] = []
    position = 0
    while True:
        found = _OPENING.search(text, position)
        if found is None:
            return tags
        tag = _tag(text, found.start(), found.group(1))
        if tag is None:
            position = found.end()
            continue
        tags.append(tag)
        position = tag.end


def _tag(text: str, start: int, delimiter: str) -> _Tag | None:
    """The shortcode tag starting at ``start``, or None when there is none there."""
    end_mark = (">" if delimiter == "<" else "%") + "}}"
    position = start + 3
    escaped = text.startswith("/*", position)
    if escaped:
        close = text.find("*/" + end_mark, position)
        if close < 0:
            return None
        inside = text[position + 2 : close].strip()
        name = _NAME.match(inside.lstrip("/ "))
        return _Tag(
            start,
            close + 2 + len(end_mark),
            delimiter,
            name.group(0) if name else "",
            inside.startswith("/"),
            False,
            True,
            "",
        )
    # Scan to the closing mark, past quoted arguments that may contain it.
    index = position
    while index < len(text):
        char = text[index]
        if char in '"`':
            close = _string_end(text, index)
            if close < 0:
                return None
            index = close + 1
            continue
        if text.startswith(end_mark, index):
            break
        if char == "\n" and text.startswith("{{", index + 1):
            return None
        index += 1
    else:
        return None
    inside = text[position:index].strip()
    closing = inside.startswith("/")
    if closing:
        inside = inside[1:].lstrip()
    self_closing = inside.endswith("/") and not closing
    if self_closing:
        inside = inside[:-1].rstrip()
    name = _NAME.match(inside)
    if name is None:
        return None
    return _Tag(
        start,
        index + len(end_mark),
        delimiter,
        name.group(0),
        closing,
        self_closing,
        False,
        inside[name.end() :],
    )


def _string_end(text: str, start: int) -> int:
    quote_char = text[start]
    index = start + 1
    while index < len(text):
        char = text[index]
        if quote_char == '"' and char == "\\":
            index += 2
            continue
        if char == quote_char:
            return index
        index += 1
    return -1


def _closing(tags: list[_Tag], opening: int) -> int | None:
    """The index of the tag that closes ``tags[opening]``, counting nested ones."""
    name = tags[opening].name
    depth = 0
    for index in range(opening + 1, len(tags)):
        tag = tags[index]
        if tag.escaped or tag.name != name or tag.self_closing:
            continue
        if not tag.closing:
            depth += 1
        elif depth:
            depth -= 1
        else:
            return index
    return None


_ARGUMENT = re.compile(
    r"""\s*(?:(?P<key>[\w-]+)=)?(?:"(?P<dq>(?:[^"\\]|\\.)*)"|`(?P<bq>[^`]*)`|(?P<bare>[^\s"`]+))""",
    re.S,
)
_GO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _arguments(text: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """A shortcode's positional and named arguments."""
    args: list[str] = []
    params: dict[str, str] = {}
    for match in _ARGUMENT.finditer(text):
        if match.group("dq") is not None:
            value = re.sub(
                r"\\(.)", lambda m: _GO_ESCAPES.get(m.group(1), m.group(1)), match.group("dq")
            )
        else:
            value = match.group("bq") if match.group("bq") is not None else match.group("bare")
        if match.group("key") is not None:
            params[match.group("key")] = value
        else:
            args.append(value)
    return tuple(args), params


def syntax(page: Page) -> Syntax:
    """Hugo's shortcodes as they are written in ``page``, with its built-ins."""
    return Syntax(find=find, builtins=_builtins(page))


def _builtins(page: Page) -> dict[str, templates.Builtin]:
    """Hugo's embedded shortcodes that carry content, for one page."""
    page_path = urlsplit(page.url).path

    def figure(construct: Construct) -> Output:
        get = construct.get
        src = get("src")
        # A page resource: Hugo gives its URL, under the page's.
        if (
            src
            and not urlsplit(src).scheme
            and not src.startswith("/")
            and page.bundle is not None
            and (page.bundle / unquote(src)).is_file()
        ):
            src = page_path + src
        parts = [f"<figure{_attr('class', get('class'))}>"]
        if get("link"):
            parts.append(
                f'<a href="{attribute(get("link"))}"{_attr("target", get("target"))}'
                f"{_attr('rel', get('rel'))}>"
            )
        alt = get("alt") or get("caption")
        image = f'<img src="{attribute(src)}"'
        if alt:
            image += f' alt="{attribute(alt)}"'
        for name in ("width", "height", "loading"):
            image += _attr(name, get(name))
        parts.append(image + ">")
        if get("link"):
            parts.append("</a>")
        if get("title") or get("caption") or get("attr"):
            parts.append("<figcaption>")
            if get("title"):
                parts.append(f"<h4>{_text(get('title'))}</h4>")
            if get("caption") or get("attr"):
                attr = _text(get("attr"))
                if get("attrlink"):
                    attr = f'<a href="{attribute(get("attrlink"))}">{attr}</a>'
                parts.append(f"<p>{_text(get('caption'))}{attr}</p>")
            parts.append("</figcaption>")
        parts.append("</figure>")
        return Output("".join(parts))

    def youtube(construct: Construct) -> Output:
        video = construct.get("id") or construct.get(0)
        if not video:
            raise TemplateProblem("the youtube shortcode needs a video id")
        return Output(_youtube(video, construct))

    def highlight(construct: Construct) -> Output:
        code = (construct.inner or "").strip("\n\r")
        fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", code))])
        return Output(f"{fence}{construct.get(0)}\n{code}\n{fence}", html=False, block=True)

    def details(construct: Construct) -> Output:
        get = construct.get
        opened = to_bool(get("open"))
        summary = get("summary") or "Details"
        attributes = (
            _attr("class", get("class"))
            + _attr("name", get("name"))
            + (" open" if opened else "")
            + _attr("title", get("title"))
        )
        inner, _ = templates.substitute(
            construct.inner or "",
            Syntax(find=find, builtins=builtins),
            construct.inner_line,
        )
        return Output(
            f'<details{attributes} markdown="1"><summary>{_text(summary)}</summary>\n\n'
            f"{inner.strip()}\n\n</details>",
            html=False,
            block=True,
        )

    def comment(construct: Construct) -> None:
        return None

    def reference(absolute: bool) -> templates.Builtin:
        def convert(construct: Construct) -> Output:
            target = construct.get(0) or construct.get("path")
            found = page.resolve(target.partition("#")[0].strip())
            if found is None:
                raise TemplateProblem(f"no page {target!r} among the posts")
            link = found if absolute else urlsplit(found).path
            anchor = target.partition("#")[2]
            return Output(link + (f"#{anchor}" if anchor else ""), html=False)

        return convert

    def param(construct: Construct) -> Output:
        name = construct.get(0).lower()
        value = _lookup(page.params, name)
        if value is None:
            value = _lookup(page.site_params, name)
        if value is None or isinstance(value, dict | list):
            raise TemplateProblem(f"no param {construct.get(0)!r}")
        return Output(_text(str(value)), html=False)

    builtins: dict[str, templates.Builtin] = {
        "figure": figure,
        "youtube": youtube,
        "highlight": highlight,
        "details": details,
        "comment": comment,
        "ref": reference(True),
        "relref": reference(False),
        "param": param,
        "/*": lambda construct: Output(_text(construct.args[0]), html=False),
    }
    return builtins


def _youtube(video: str, construct: Construct) -> str:
    """The embedded ``youtube`` shortcode's HTML (Hugo 0.168)."""
    get = construct.get

    def flag(name: str, default: int) -> int:
        value = get(name).lower()
        return 1 if value in ("true", "1") else 0 if value in ("false", "0") else default

    full_screen = flag("allowFullScreen", 1)
    autoplay = flag("autoplay", 0)
    query = {
        "autoplay": str(autoplay),
        "controls": str(flag("controls", 1)),
        "end": get("end") or "0",
        "loop": str(flag("loop", 0)),
        "mute": "1" if autoplay else str(flag("mute", 0)),
        "start": get("start") or "0",
    }
    if query["loop"] == "1":
        query["playlist"] = video
    source = f"https://www.youtube.com/embed/{quote(video, safe='')}?" + "&".join(
        f"{key}={quote(value, safe='')}" for key, value in sorted(query.items())
    )
    allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope;"
    allow += " picture-in-picture; web-share" + ("; fullscreen" if full_screen else "")
    css_class = get("class")
    div_style = (
        ""
        if css_class
        else (' style="position: relative; padding-bottom: 56.25%; height: 0; overflow: hidden;"')
    )
    frame_style = (
        ""
        if css_class
        else (' style="position: absolute; top: 0; left: 0; width: 100%; height: 100%; border:0;"')
    )
    return (
        f'<div{_attr("class", css_class)}{div_style}><iframe allow="{allow}"'
        f' loading="{attribute(get("loading") or "eager")}"'
        ' referrerpolicy="strict-origin-when-cross-origin"'
        f' src="{attribute(source)}"{frame_style}'
        f' title="{attribute(get("title") or "YouTube video")}"></iframe></div>'
    )


def _attr(name: str, value: str) -> str:
    return f' {name}="{attribute(value)}"' if value else ""


def _text(value: str) -> str:
    return attribute(value).replace("&#34;", '"').replace("&#39;", "'")


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = lower_keys(value).get(part)
    return value


def to_bool(value: object) -> bool:
    """Go's cast.ToBool: booleans, and text and numbers that read as one."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true")
    return bool(value) if isinstance(value, bool | int | float) else False
