"""The output formats: name, file name, media type and renderer of each, in one registry.

A renderer turns a resolved ``Feed`` into bytes; it never writes files or reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from postfeed.model import Entry, Feed, PublishedEntry
from postfeed.rendering.formats import jsonfeed
from postfeed.rendering.formats._feedgen import (
    ATOM_FILENAME,
    ATOM_MEDIA_TYPE,
    RSS_FILENAME,
    RSS_MEDIA_TYPE,
    atom_head_tail,
    atom_items,
    read_atom,
    read_rss,
    render_atom,
    render_rss,
    rss_head_tail,
    rss_items,
)
from postfeed.rendering.formats.jsonfeed import (
    JSON_FILENAME,
    JSON_MEDIA_TYPE,
    json_head_tail,
    json_items,
    read_json,
    render_json,
)

__all__ = ["FORMATS", "Format", "render_atom", "render_json", "render_rss"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """One output format: the file it is published as, how to render it, and how to
    read the entries back from a published file (``read`` raises ValueError).

    A document is ``head``, then each entry's bytes joined by ``separator``, then
    ``tail``: ``head_tail(feed)`` gives the two ends and ``items(entries)`` each
    entry's bytes, which depend on the entry alone, so that a feed can be put
    together from entries formatted once for several feeds, or kept from an
    earlier document. ``render(feed)`` is the whole document.
    """

    name: str
    filename: str
    media_type: str
    head_tail: Callable[[Feed], tuple[bytes, bytes]]
    items: Callable[[Sequence[Entry]], list[bytes]]
    separator: bytes
    render: Callable[[Feed], bytes]
    read: Callable[[bytes], tuple[PublishedEntry, ...]]


FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        "rss": Format(
            name="rss",
            filename=RSS_FILENAME,
            media_type=RSS_MEDIA_TYPE,
            head_tail=rss_head_tail,
            items=rss_items,
            separator=b"",
            render=render_rss,
            read=read_rss,
        ),
        "atom": Format(
            name="atom",
            filename=ATOM_FILENAME,
            media_type=ATOM_MEDIA_TYPE,
            head_tail=atom_head_tail,
            items=atom_items,
            separator=b"",
            render=render_atom,
            read=read_atom,
        ),
        "json": Format(
            name="json",
            filename=JSON_FILENAME,
            media_type=JSON_MEDIA_TYPE,
            head_tail=json_head_tail,
            items=json_items,
            separator=jsonfeed.SEPARATOR,
            render=render_json,
            read=read_json,
        ),
    }
)
