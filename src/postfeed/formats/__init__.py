"""The output formats: name, file name, media type and renderer of each, in one registry.

A renderer turns a resolved ``Feed`` into bytes; it never writes files or reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from postfeed.formats._feedgen import (
    ATOM_FILENAME,
    ATOM_MEDIA_TYPE,
    RSS_FILENAME,
    RSS_MEDIA_TYPE,
    read_atom,
    read_rss,
    render_atom,
    render_rss,
)
from postfeed.formats.jsonfeed import JSON_FILENAME, JSON_MEDIA_TYPE, read_json, render_json
from postfeed.model import Feed, PublishedEntry

__all__ = ["FORMATS", "Format", "render_atom", "render_json", "render_rss"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """One output format: the file it is published as, how to render it, and how to
    read the entries back from a published file (``read`` raises ValueError)."""

    name: str
    filename: str
    media_type: str
    render: Callable[[Feed], bytes]
    read: Callable[[bytes], tuple[PublishedEntry, ...]]


FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        "rss": Format(
            name="rss",
            filename=RSS_FILENAME,
            media_type=RSS_MEDIA_TYPE,
            render=render_rss,
            read=read_rss,
        ),
        "atom": Format(
            name="atom",
            filename=ATOM_FILENAME,
            media_type=ATOM_MEDIA_TYPE,
            render=render_atom,
            read=read_atom,
        ),
        "json": Format(
            name="json",
            filename=JSON_FILENAME,
            media_type=JSON_MEDIA_TYPE,
            render=render_json,
            read=read_json,
        ),
    }
)
