"""Feed to JSON Feed 1.1 bytes: a plain dict through ``json.dumps``. No file I/O, no clock."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import BinaryIO

from postfeed.formats import FORMATS
from postfeed.model import Author, Entry, Feed, PublishedEntry

_JSON = FORMATS["json"]
VERSION = "https://jsonfeed.org/version/1.1"


# What separates two items in a document.
SEPARATOR = _JSON.separator
_EMPTY_ITEMS = '"items": []\n}'


def render_json(feed: Feed) -> bytes:
    """Render ``feed`` as a JSON Feed 1.1 document, UTF-8 with a trailing newline."""
    head, tail = json_head_tail(feed)
    return head + SEPARATOR.join(json_items(feed.entries)) + tail


def json_head_tail(feed: Feed) -> tuple[bytes, bytes]:
    """The document of ``feed`` without its items, split where they go."""
    # An archive page is part of its feed, which its subscription document identifies.
    own = feed.current if feed.current is not None else feed.base_url
    document: dict[str, object] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": own + _JSON.filename,
        "description": feed.description,
    }
    if feed.prev_archive is not None:
        # JSON Feed has no archive vocabulary; next_url leads to the next, older items.
        document["next_url"] = feed.prev_archive + _JSON.filename
    if feed.language:
        document["language"] = feed.language
    if feed.author is not None:
        document["authors"] = [_author(feed.author)]
    if feed.hub:
        document["hubs"] = [{"type": "WebSub", "url": feed.hub}]
    document["items"] = []
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if not feed.entries:
        return (text + "\n").encode("utf-8"), b""
    # As json.dumps(indent=2) writes a non-empty list two levels down.
    return (text[: -len(_EMPTY_ITEMS)] + '"items": [\n').encode("utf-8"), b"\n  ]\n}\n"


def json_items(entries: Sequence[Entry]) -> list[bytes]:
    """Each entry as a JSON Feed item, exactly as it appears in a document: indented
    two levels, without the separator. json.dumps escapes every line end inside a
    string, so each of its own line ends takes the indentation."""
    return [
        (
            "    " + json.dumps(_item(entry), ensure_ascii=False, indent=2).replace("\n", "\n    ")
        ).encode("utf-8")
        for entry in entries
    ]


def _item(entry: Entry) -> dict[str, object]:
    """Return one entry as a JSON Feed item."""
    item: dict[str, object] = {"id": entry.id, "url": entry.url, "title": entry.title}
    # JSON Feed 1.1: an item must have content_html or content_text, so a
    # summary-only entry carries its summary as the content.
    if entry.content_html:
        item["content_html"] = entry.content_html
    elif entry.summary_html:
        item["content_html"] = entry.summary_html
    else:
        item["content_text"] = entry.summary_text
    if entry.summary_text:
        item["summary"] = entry.summary_text
    if entry.image is not None:
        item["image"] = entry.image.url
    item["date_published"] = _rfc3339(entry.published)
    item["date_modified"] = _rfc3339(entry.updated)
    # JSON Feed has tags only: categories are tags there too.
    tags = list(dict.fromkeys((*entry.tags, *entry.categories)))
    if tags:
        item["tags"] = tags
    if entry.language is not None:
        item["language"] = entry.language
    if entry.authors:
        item["authors"] = [_author(author) for author in entry.authors]
    return item


def _author(author: Author) -> dict[str, str]:
    """Return a JSON Feed author: a name and a URL, since the format has no email."""
    result = {"name": author.name}
    if author.uri:
        result["url"] = author.uri
    return result


def _rfc3339(value: datetime) -> str:
    """Format an aware datetime as RFC 3339 with its own offset, without microseconds."""
    return value.replace(microsecond=0).isoformat()


def read_json(source: bytes | BinaryIO) -> tuple[PublishedEntry, ...]:
    """The items of a JSON Feed document (bytes, or a binary file, read whole): id,
    title and date_published.

    Raises:
        ValueError: the bytes are not a JSON Feed.
    """
    try:
        document = json.loads(source if isinstance(source, bytes) else source.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not JSON: {err}") from err
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise ValueError("not a JSON Feed: no items list")
    result = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
            continue
        title = item.get("title")
        result.append(
            PublishedEntry(
                id=str(item["id"]),
                title=title if isinstance(title, str) else "",
                published=_read_date(item.get("date_published")),
            )
        )
    return tuple(result)


def _read_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        return None
    return result if result.utcoffset() is not None else None
