"""Markdown to HTML, summaries and absolute links.
Every Python-Markdown and pymdown-extensions call lives here; nothing here reads files."""

from __future__ import annotations

import importlib
import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from .. import _cache
from ..model import MarkdownProfile, Setting

#: postfeed's own profile: Python-Markdown's "extra" and "sane_lists".
POSTFEED = MarkdownProfile()
#: Kept for code that names the default extensions.
MARKDOWN_EXTENSIONS = POSTFEED.extensions

_MORE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE | re.IGNORECASE)
_FIRST_PARAGRAPH = re.compile(r"^<p[ >].*?</p>", re.MULTILINE | re.DOTALL)
# A start tag with one of the URL attributes below (most tags have none, and are
# passed over without a call back into Python).
_URL_TAG = re.compile(
    r"<[A-Za-z][^<>]*?\s(?:href|src|srcset|poster|cite|data)\s*=[^<>]*>", re.IGNORECASE
)
_URL_ATTR = re.compile(
    r"""(?P<lead>\s(?P<name>href|src|srcset|poster|cite|data)\s*=\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def renderer_settings(profile: MarkdownProfile = POSTFEED) -> str:
    """What rendered HTML depends on besides the Markdown: the installed
    Python-Markdown (and pymdown-extensions, when the profile uses it) and the
    profile. Found without importing either."""
    return _settings(profile)


@lru_cache(maxsize=8)
def _settings(profile: MarkdownProfile) -> str:
    if profile == POSTFEED:
        # As before profiles existed, so that the caches of postfeed sites stay valid.
        return f"{_cache.installed('markdown')}; extensions {', '.join(profile.extensions)}"
    libraries = [_cache.installed("markdown")]
    if any(name.startswith("pymdownx.") for name in profile.extensions):
        libraries.append(_cache.installed("pymdownx"))
    return f"{'; '.join(libraries)}; profile {profile!r}"


class Renderer:
    """Renders Markdown with one reused Python-Markdown instance, by a profile. The
    instance keeps state between the calls of one conversion: use each renderer in
    one thread at a time (see :func:`thread_renderer`)."""

    def __init__(self, profile: MarkdownProfile = POSTFEED) -> None:
        # Imported here: a build whose HTML all comes from the cache never needs it.
        import markdown

        self.profile = profile
        configs = {name: _options(options) for name, options in profile.settings}
        self._md = markdown.Markdown(
            extensions=_extensions(profile.extensions, configs), extension_configs=configs
        )
        _tune(self._md)

    def render(self, text: str) -> str:
        """Markdown source to an HTML fragment."""
        self._md.reset()
        return self._md.convert(text)

    @staticmethod
    def lazily(profile: MarkdownProfile = POSTFEED) -> Callable[[str], str]:
        """A render function whose renderer is made on its first call: a build whose
        HTML all comes from the cache never imports Python-Markdown. Like a
        Renderer, it is for one thread."""
        made: list[Renderer] = []

        def render(text: str) -> str:
            if not made:
                made.append(Renderer(profile))
            return made[0].render(text)

        return render


#: Python-Markdown's own extensions, by the names it knows them by.
_OWN = frozenset(
    [
        *("abbr", "admonition", "attr_list", "codehilite", "def_list", "extra"),
        *("fenced_code", "footnotes", "legacy_attrs", "legacy_em", "md_in_html", "meta"),
        *("nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks"),
    ]
)


def _extensions(names: Sequence[str], configs: Mapping[str, dict[str, Any]]) -> list[Any]:
    """The extensions of a profile as Python-Markdown would make them from their names
    and settings. Its own extensions are made here, "extra" as the ones it stands for,
    in its order: Python-Markdown would first look each name up among the entry points
    of every installed distribution, which takes longer than the rest of making an
    instance (30 ms here). Any other name is left to Python-Markdown."""
    from markdown.extensions import extra

    made: list[Any] = []
    for name in names:
        config = configs.get(name, {})
        if name == "extra":
            made += [_own(part, config.get(part, {})) for part in extra.extensions]
        elif name in _OWN:
            made.append(_own(name, config))
        else:
            made.append(name)  # with its settings in extension_configs
    return made


def _own(name: str, config: Mapping[str, Any]) -> Any:
    return importlib.import_module(f"markdown.extensions.{name}").makeExtension(**config)


def _tune(md: Any) -> None:
    """Make a Python-Markdown instance render faster, and to the same bytes.

    Python-Markdown tries every inline pattern on every run of text, in turn, and
    looks each one up in its registry by position: together about a quarter of all
    rendering. Its inline processor is given the same patterns, in the same order, in
    a list; and a pattern whose every match holds one of a few characters (a link
    needs a '[') is passed over for a run of text that holds none of them from where
    the search would start, as trying it would find nothing. Patterns are known by
    their regular expressions, as Python-Markdown 3.11 writes them: one written
    otherwise (in another version, or an extension's) is always tried.

    Links and images find where their text's brackets close with :class:`_BracketEnds`
    (see there), when their class finds it as Python-Markdown 3.11 does.
    """
    import markdown

    registry = md.inlinePatterns
    link = markdown.inlinepatterns.LinkInlineProcessor
    stock = getattr(link, "_findBracketEnds", None)
    for pattern in registry if stock is not None else ():
        if isinstance(pattern, link) and getattr(type(pattern), "_findBracketEnds", None) is stock:
            found: Any = pattern  # a staticmethod of its class, replaced on the instance
            found._findBracketEnds = _BracketEnds
    for processor in md.treeprocessors:
        if getattr(processor, "inlinePatterns", None) is not registry:
            continue
        patterns = processor.inlinePatterns = _Patterns(registry)
        if type(processor) is markdown.treeprocessors.InlineProcessor and hasattr(
            processor, "_InlineProcessor__applyPattern"
        ):
            needs = [
                _NEEDS.get(getattr(getattr(pattern, "compiled_re", None), "pattern", None))
                for pattern in patterns
            ]
            inline: Any = processor  # the loop it calls for each run of text, name-mangled:
            inline._InlineProcessor__handleInline = _skipping(inline, patterns, needs)


#: For the regular expressions of Python-Markdown's inline patterns (and of
#: pymdown-extensions' tilde), what every match holds one of, at or after where it
#: starts.
_NEEDS: dict[str | None, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code: backslashes before a '`', or a '`'
    r"\\(.)": ("\\",),  # an escape
    r"\[\^([^\]]*)\]": ("[^",),  # a footnote reference
    r"(?<!\!)\[": ("[",),  # a link, a reference
    r"\!\[": ("![",),  # an image
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),  # an automatic link
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # an automatic mail link
    r"  \n": ("  \n",),  # a hard line break
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'"""
    r"""|[^\s"'=<>]++))?+)*+\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]"""
    r"""|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""": ("<",),  # inline HTML
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # an entity
    r"\*|_": ("*", "_"),  # emphasis
    r"\~": ("~",),  # pymdownx.tilde
}


def _skipping(processor: Any, patterns: list[Any], needs: list[tuple[str, ...] | None]) -> Any:
    """The inline processor's loop over its patterns for one run of text, as
    Python-Markdown writes it, passing over each pattern that cannot match."""
    import markdown

    apply = processor._InlineProcessor__applyPattern
    atomic = markdown.util.AtomicString
    count = len(patterns)

    def handle_inline(data: str, pattern_index: int = 0) -> str:
        if isinstance(data, atomic):
            return data
        start = 0
        while pattern_index < count:
            need = needs[pattern_index]
            if need is not None:
                for text in need:
                    if data.find(text, start) >= 0:
                        break
                else:
                    pattern_index += 1
                    start = 0
                    continue
            data, matched, start = apply(patterns[pattern_index], data, pattern_index, start)
            if not matched:
                pattern_index += 1
        return data

    return handle_inline


_BRACKET = re.compile(r"[\[\]]")


class _BracketEnds:
    """What Python-Markdown 3.11's ``LinkInlineProcessor._findBracketEnds(data)`` gives,
    for every index of ``data`` (and ``len(data)``): the index just past the ``]`` that
    closes a bracket opened before it, that is the first index after it where the
    bracket depth falls below the depth there; or None if the depth never does.

    Python-Markdown makes that list a character at a time, once for each link or
    image in a run of text (about half of all rendering, for posts with links). Here
    only the brackets are stepped through, found by a regular expression, and an
    index is answered by the first bracket at or after it: the depth before an index
    is the depth before that bracket, and it can only fall just after a ``]``.
    """

    __slots__ = ("_ends", "_positions", "_size")

    def __init__(self, data: str) -> None:
        positions = [match.start() for match in _BRACKET.finditer(data)]
        ends: list[int | None] = [None] * (len(positions) + 1)
        depth = 0
        waiting: list[tuple[int, int]] = []  # brackets whose end is not found, with depth
        for number, position in enumerate(positions):
            waiting.append((number, depth))
            if data[position] == "[":
                depth += 1
            else:
                depth -= 1
                while waiting and depth < waiting[-1][1]:
                    ends[waiting.pop()[0]] = position + 1
        self._positions = positions
        self._ends = ends
        self._size = len(data)

    def __getitem__(self, index: int) -> int | None:
        if index < 0:
            index += self._size + 1
        if not 0 <= index <= self._size:
            raise IndexError("index out of range")
        return self._ends[bisect_left(self._positions, index)]


class _Patterns(list[Any]):
    """A registry's items in its order, looked up by position as a list is; anything
    else asked of it is asked of the registry."""

    def __init__(self, registry: Any) -> None:
        super().__init__(registry)
        self._registry = registry

    def __contains__(self, item: object) -> bool:
        return item in self._registry

    def __getattr__(self, name: str) -> Any:
        return getattr(self._registry, name)


def _options(options: tuple[tuple[str, Setting], ...]) -> dict[str, Any]:
    """A profile's options for one extension, as Python-Markdown takes them (lists
    where the profile keeps tuples)."""

    def plain(value: Setting) -> Any:
        return [plain(item) for item in value] if isinstance(value, tuple) else value

    return {name: plain(value) for name, value in options}


_local = threading.local()


def thread_renderer(profile: MarkdownProfile = POSTFEED) -> Renderer:
    """The calling thread's own renderer for a profile, made on first use: threads
    never share a Python-Markdown instance, whose conversions would mix."""
    renderers: dict[MarkdownProfile, Renderer] | None = getattr(_local, "renderers", None)
    if renderers is None:
        renderers = _local.renderers = {}
    renderer = renderers.get(profile)
    if renderer is None:
        renderer = renderers[profile] = Renderer(profile)
    return renderer


def split_more(html: str) -> tuple[str | None, str]:
    """Split rendered HTML at a ``<!--more-->`` line: (before or None, html without it)."""
    match = _MORE.search(html) if "<!--" in html else None
    if match is None:
        return None, html
    before = html[: match.start()].strip()
    return before, (before + "\n" + html[match.end() :].lstrip("\n")).strip()


def first_paragraph(html: str) -> str:
    """The first top-level ``<p>`` of rendered HTML, or '' when there is none."""
    match = _FIRST_PARAGRAPH.search(html)
    return match.group(0) if match else ""


def absolutize(html: str, base: str, root: str | None = None) -> str:
    """Make every relative URL in ``href``, ``src``, ``srcset`` (and ``poster``,
    ``cite``, ``data``) attributes absolute against ``base``.

    ``#frag`` and ``../x`` resolve against ``base``; protocol-relative ``//host/x``
    becomes ``https://host/x``; URLs with a scheme (``mailto:``, ``data:``, ...) stay.
    With ``root`` (a site URL), a root-relative ``/x`` is ``root`` + ``x``, and
    ``/<root's path>x`` too, as Hugo's feeds resolve them.
    """

    def fix_attr(match: re.Match[str]) -> str:
        value = next(v for v in match.group("dq", "sq", "bare") if v is not None)
        if match.group("name").lower() == "srcset":
            fixed = ", ".join(_fix_candidate(c, base, root) for c in value.split(",") if c.strip())
        else:
            fixed = absolute_url(value, base, root)
        return f'{match.group("lead")}"{fixed.replace(chr(34), "&quot;")}"'

    return _URL_TAG.sub(lambda tag: _URL_ATTR.sub(fix_attr, tag.group(0)), html)


def absolute_url(value: str, base: str, root: str | None = None) -> str:
    """One URL made absolute against ``base``, by the rules of :func:`absolutize`."""
    stripped = value.strip()
    if stripped.startswith("//"):
        return "https:" + stripped
    if _SCHEME.match(stripped):
        return stripped
    if root is not None and stripped.startswith("/"):
        path = stripped[1:]
        # Hugo's absurlreplacer: a path already under the root's path is not prefixed twice.
        under = urlsplit(root).path.lstrip("/")
        if under and path.startswith(under):
            path = path[len(under) :]
        return root + path
    return urljoin(base, stripped)


def _fix_candidate(candidate: str, base: str, root: str | None) -> str:
    url, _, descriptor = candidate.strip().partition(" ")
    fixed = absolute_url(url, base, root)
    return f"{fixed} {descriptor.strip()}" if descriptor.strip() else fixed


def text_of(html: str) -> str:
    """The plain text of an HTML fragment, whitespace folded."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def slugify(
    text: str,
    separator: str = "-",
    *,
    case: str = "none",
    percent_encode: bool = False,
    normalize: str = "NFC",
) -> str:
    """A slug made by pymdown-extensions' ``pymdownx.slugs.slugify`` with these
    options (MkDocs Material makes its post and category slugs with it)."""
    # Imported by name: pymdown-extensions ships no type hints.
    slugs = importlib.import_module("pymdownx.slugs")
    make = slugs.slugify(case=case, percent_encode=percent_encode, normalize=normalize)
    return str(make(text, separator))
