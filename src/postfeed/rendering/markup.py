"""Markdown to HTML, summaries and absolute links.
Every Python-Markdown call lives here; nothing here reads files."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin

from .. import _cache

#: Extensions and options the renderer uses; part of any cache key for rendered HTML.
MARKDOWN_EXTENSIONS = ("extra", "sane_lists")

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


def renderer_settings() -> str:
    """What rendered HTML depends on besides the Markdown: the installed
    Python-Markdown and the extensions. Found without importing Python-Markdown."""
    return f"{_cache.installed('markdown')}; extensions {', '.join(MARKDOWN_EXTENSIONS)}"


class Renderer:
    """Renders Markdown with one reused Python-Markdown instance, which keeps state
    between the calls of one conversion: use each renderer in one thread at a time
    (see :func:`thread_renderer`)."""

    def __init__(self) -> None:
        # Imported here: a build whose HTML all comes from the cache never needs it.
        import markdown

        self._md = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))

    def render(self, text: str) -> str:
        """Markdown source to an HTML fragment."""
        self._md.reset()
        return self._md.convert(text)

    @staticmethod
    def lazily() -> Callable[[str], str]:
        """A render function whose renderer is made on its first call: a build whose
        HTML all comes from the cache never imports Python-Markdown. Like a
        Renderer, it is for one thread."""
        made: list[Renderer] = []

        def render(text: str) -> str:
            if not made:
                made.append(Renderer())
            return made[0].render(text)

        return render


_local = threading.local()


def thread_renderer() -> Renderer:
    """The calling thread's own renderer, made on first use: threads never share a
    Python-Markdown instance, whose conversions would mix."""
    renderer: Renderer | None = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = Renderer()
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


def absolutize(html: str, base: str) -> str:
    """Make every relative URL in ``href``, ``src``, ``srcset`` (and ``poster``,
    ``cite``, ``data``) attributes absolute against ``base``.

    ``#frag`` and ``../x`` resolve against ``base``; protocol-relative ``//host/x``
    becomes ``https://host/x``; URLs with a scheme (``mailto:``, ``data:``, ...) stay.
    """

    def fix_attr(match: re.Match[str]) -> str:
        value = next(v for v in match.group("dq", "sq", "bare") if v is not None)
        if match.group("name").lower() == "srcset":
            fixed = ", ".join(_fix_candidate(c, base) for c in value.split(",") if c.strip())
        else:
            fixed = absolute_url(value, base)
        return f'{match.group("lead")}"{fixed.replace(chr(34), "&quot;")}"'

    return _URL_TAG.sub(lambda tag: _URL_ATTR.sub(fix_attr, tag.group(0)), html)


def absolute_url(value: str, base: str) -> str:
    """One URL made absolute against ``base``, by the rules of :func:`absolutize`."""
    stripped = value.strip()
    if stripped.startswith("//"):
        return "https:" + stripped
    if _SCHEME.match(stripped):
        return stripped
    return urljoin(base, stripped)


def _fix_candidate(candidate: str, base: str) -> str:
    url, _, descriptor = candidate.strip().partition(" ")
    fixed = absolute_url(url, base)
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
