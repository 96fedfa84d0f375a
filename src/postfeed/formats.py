"""The output formats, each described once: its name, what people call it, the file
it is published as, its media type, and how the id guard ranks it. Light to import:
the code that writes and reads a format is imported when it is first used."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from .model import Entry, Feed, PublishedEntry


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """One output format.

    A document is a head, then each entry's bytes joined by ``separator``, then a
    tail: ``head_tail(feed)`` gives the two ends and ``items(entries)`` each
    entry's bytes, which depend on the entry alone, so that a feed can be put
    together from entries formatted once for several feeds, or kept from an
    earlier document. ``render(feed)`` is the whole document, and ``read(data)``
    the entries of a published document (it raises ValueError on anything else).
    ``read_rank`` orders the formats the id guard reads a folder's feeds in, the
    one read with the least memory first (the XML formats are read as they are
    parsed, JSON Feed whole): every format carries the same entries.
    """

    name: str
    label: str
    filename: str
    media_type: str
    read_rank: int
    separator: bytes
    module: str  # the module under postfeed.rendering.formats that writes it

    def head_tail(self, feed: Feed) -> tuple[bytes, bytes]:
        """The document of ``feed`` without its entries, split where they go."""
        result: tuple[bytes, bytes] = self._function("head_tail")(feed)
        return result

    def items(self, entries: Sequence[Entry]) -> list[bytes]:
        """Each entry's bytes, exactly as they appear in a document."""
        result: list[bytes] = self._function("items")(entries)
        return result

    def render(self, feed: Feed) -> bytes:
        """The whole document of ``feed``."""
        result: bytes = self._function("render")(feed)
        return result

    def read(self, source: bytes | BinaryIO) -> tuple[PublishedEntry, ...]:
        """The entries of a published document (id, title, publish date), from its
        bytes or from a binary file."""
        result: tuple[PublishedEntry, ...] = self._function("read")(source)
        return result

    def load(self) -> ModuleType:
        """The module that writes and reads the format, imported if it is not yet."""
        return importlib.import_module(f"postfeed.rendering.formats.{self.module}")

    def _function(self, verb: str) -> Callable[..., Any]:
        function: Callable[..., Any] = getattr(self.load(), _FUNCTIONS[verb].format(self.name))
        return function


def head_tails(feeds: Sequence[tuple[str, Feed]]) -> list[tuple[bytes, bytes]]:
    """:meth:`Format.head_tail` of each feed, in the format named beside it: in one call,
    for a worker process to make them all."""
    return [FORMATS[name].head_tail(feed) for name, feed in feeds]


# The name of each function a format's module defines, by what it does.
_FUNCTIONS = {
    "head_tail": "{}_head_tail",
    "items": "{}_items",
    "render": "render_{}",
    "read": "read_{}",
}


#: Every format, in the order a site's feeds list them.
FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        "rss": Format(
            name="rss",
            label="RSS",
            filename="rss.xml",
            media_type="application/rss+xml",
            read_rank=2,
            separator=b"",
            module="_feedgen",
        ),
        "atom": Format(
            name="atom",
            label="Atom",
            filename="atom.xml",
            media_type="application/atom+xml",
            read_rank=1,
            separator=b"",
            module="_feedgen",
        ),
        "json": Format(
            name="json",
            label="JSON Feed",
            filename="feed.json",
            media_type="application/feed+json",
            read_rank=3,
            separator=b",\n",
            module="jsonfeed",
        ),
    }
)
FORMAT_NAMES = tuple(FORMATS)
