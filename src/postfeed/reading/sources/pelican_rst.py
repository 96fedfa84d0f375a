"""reStructuredText to HTML and metadata, as Pelican 4.12's RstReader makes them
with docutils' html4css1 writer. Every docutils call lives here; docutils is an
optional dependency (``pip install 'postfeed[pelican]'``).

Unlike Pelican, files are never inserted (``include``, ``raw`` and tables with
``:file:`` or ``:url:``), code is not highlighted (the output must not depend on
whether Pygments is installed), and a docutils warning is reported, not fatal.
"""

from __future__ import annotations

import html
import importlib
import re
from dataclasses import dataclass, field
from io import StringIO
from typing import Any, ClassVar

#: What to install when docutils is missing.
INSTALL = "pip install 'postfeed[pelican]'"
_MESSAGE = re.compile(r"^[^\n]*?:(\d+)?:? ?\((?:WARNING|ERROR|SEVERE)/\d\) (.*)$", re.M)
_registered: list[bool] = []


class Missing(Exception):
    """docutils is not installed."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A reST document as Pelican reads it: its body as HTML, its title, its
    docinfo fields (name lower-cased: text, a list of names for ``authors``, or
    HTML for ``summary``) and docutils' warnings as (line or None, message)."""

    html: str
    title: str | None
    fields: dict[str, str | list[str]]
    field_lines: dict[str, int]
    problems: list[tuple[int | None, str]] = field(default_factory=list)


def _docutils() -> tuple[Any, Any, Any, Any]:
    try:
        core = importlib.import_module("docutils.core")
        nodes = importlib.import_module("docutils.nodes")
        directives = importlib.import_module("docutils.parsers.rst.directives")
        writer = importlib.import_module("docutils.writers.html4css1")
    except ImportError as err:
        raise Missing(str(err)) from err
    return core, nodes, directives, writer


def render(text: str, language: str = "en", formatted: tuple[str, ...] = ("summary",)) -> Rendered:
    """The document's HTML body, title and fields.

    Raises:
        Missing: docutils is not installed.
    """
    core, nodes, directives, writer_module = _docutils()
    _register(nodes, directives)
    stream = StringIO()
    settings = {
        "initial_header_level": "2",
        "syntax_highlight": "none",
        "input_encoding": "unicode",
        "language_code": language,
        "halt_level": 5,
        "report_level": 2,
        "warning_stream": stream,
        "embed_stylesheet": False,
        "file_insertion_enabled": False,
        "raw_enabled": True,
        "_disable_config": True,
    }
    writer = writer_module.Writer()
    writer.translator_class = _translator(writer_module, nodes)
    io = importlib.import_module("docutils.io")
    publisher = core.Publisher(
        reader="standalone",
        parser="restructuredtext",
        writer=writer,
        source_class=io.StringInput,
        destination_class=io.StringOutput,
    )
    publisher.process_programmatic_settings(None, settings, None)
    publisher.set_source(source=text)
    publisher.publish()
    problems = [
        (int(found.group(1)) if found.group(1) else None, " ".join(found.group(2).split()))
        for found in _MESSAGE.finditer(stream.getvalue())
    ]
    fields, lines = _fields(publisher.document, nodes, writer_module, formatted)
    parts: dict[str, str] = writer.parts
    title = parts.get("title") or None
    return Rendered(parts.get("body", ""), title, fields, lines, problems)


def _fields(
    document: Any, nodes: Any, writer_module: Any, formatted: tuple[str, ...]
) -> tuple[dict[str, str | list[str]], dict[str, int]]:
    """readers.py RstReader._parse_metadata: each docinfo element's value."""
    output: dict[str, str | list[str]] = {}
    lines: dict[str, int] = {}
    for docinfo in document.findall(nodes.docinfo):
        for element in docinfo.children:
            value: str | list[str]
            if element.tagname == "field":
                name_elem, body_elem = element.children
                name = name_elem.astext()
                if name.lower() in formatted:
                    value = _field_html(document, body_elem, writer_module)
                else:
                    value = body_elem.astext()
            elif element.tagname == "authors":
                name = element.tagname
                value = [child.astext() for child in element.children]
            else:
                name = element.tagname
                value = element.astext()
            output[name.lower()] = value
            if element.line:
                lines.setdefault(name.lower(), element.line)
    return output, lines


def _field_html(document: Any, node: Any, writer_module: Any) -> str:
    class FieldBody(writer_module.HTMLTranslator):  # type: ignore[misc]
        def __init__(self, document: Any) -> None:
            super().__init__(document)
            self.compact_p = None

        def astext(self) -> str:
            return "".join(self.body)

        def visit_field_body(self, node: Any) -> None:
            pass

        def depart_field_body(self, node: Any) -> None:
            pass

    visitor = FieldBody(document)
    node.walkabout(visitor)
    return str(visitor.astext())


def _translator(writer_module: Any, nodes: Any) -> Any:
    class Translator(writer_module.HTMLTranslator):  # type: ignore[misc]
        """Pelican's PelicanHTMLTranslator: ``abbr``, and images alt="" by default."""

        def visit_abbreviation(self, node: Any) -> None:
            attrs = {}
            if node.hasattr("explanation"):
                attrs["title"] = node["explanation"]
            self.body.append(self.starttag(node, "abbr", "", **attrs))

        def depart_abbreviation(self, node: Any) -> None:
            self.body.append("</abbr>")

        def visit_image(self, node: Any) -> None:
            node["alt"] = node.get("alt", "")
            super().visit_image(node)

        def visit_system_message(self, node: Any) -> None:
            # Reported as warnings, never shown in the post.
            raise nodes.SkipNode

    return Translator


def _register(nodes: Any, directives: Any) -> None:
    """Pelican's ``code-block`` and ``sourcecode`` directives, and its ``abbr`` role,
    registered with docutils once: code is escaped, not highlighted."""
    if _registered:
        return
    directive_base = importlib.import_module("docutils.parsers.rst").Directive
    roles = importlib.import_module("docutils.parsers.rst.roles")
    utils = importlib.import_module("docutils.utils")

    class Code(directive_base):  # type: ignore[misc,valid-type]
        required_arguments = 1
        optional_arguments = 0
        final_argument_whitespace = True
        option_spec: ClassVar[dict[str, Any]] = {
            name: directives.unchanged
            for name in (
                "anchorlinenos",
                "classprefix",
                "hl_lines",
                "lineanchors",
                "linenos",
                "linenospecial",
                "linenostart",
                "linenostep",
                "lineseparator",
                "linespans",
                "nobackground",
                "nowrap",
                "tagsfile",
                "tagurlformat",
            )
        }
        has_content = True

        def run(self) -> list[Any]:
            self.assert_has_content()
            language = html.escape(self.arguments[0].split()[0])
            code = html.escape("\n".join(self.content), quote=False)
            # Pygments' HtmlFormatter wraps code so; the spans it adds are left out.
            made = (
                f'<div class="highlight"><pre><code class="language-{language}">'
                f"{code}\n</code></pre></div>\n"
            )
            return [nodes.raw("", made, format="html")]

    class Abbreviation(nodes.Inline, nodes.TextElement):  # type: ignore[misc]
        tagname = "abbreviation"

    def abbr_role(
        name: str,
        rawtext: str,
        text: str,
        lineno: int,
        inliner: Any,
        options: Any = None,
        content: Any = None,
    ) -> tuple[list[Any], list[Any]]:
        text = utils.unescape(text)
        found = re.search(r"\((.*)\)$", text, re.S)
        if found is None:
            return [Abbreviation(text, text)], []
        short = text[: found.start()].strip()
        return [Abbreviation(short, short, explanation=found.group(1))], []

    directives.register_directive("code-block", Code)
    directives.register_directive("sourcecode", Code)
    roles.register_local_role("abbr", abbr_role)
    _registered.append(True)
