"""Feed to JSON Feed 1.1 bytes: a plain dict through ``json.dumps``. No file I/O, no clock."""

from __future__ import annotations

import json
from datetime import datetime

from postfeed.model import Author, Entry, Feed

JSON_FILENAME = "feed.json"
JSON_MEDIA_TYPE = "application/feed+json"
VERSION = "https://jsonfeed.org/version/1.1"


def render_json(feed: Feed) -> bytes:
    """Render ``feed`` as a JSON Feed 1.1 document, UTF-8 with a trailing newline."""
    document: dict[str, object] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.base_url + JSON_FILENAME,
        "description": feed.description,
    }
    if feed.language:
        document["language"] = feed.language
    if feed.author is not None:
        document["authors"] = [_author(feed.author)]
    document["items"] = [_item(entry) for entry in feed.entries]
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


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
    item["date_published"] = _rfc3339(entry.published)
    item["date_modified"] = _rfc3339(entry.updated)
    if entry.tags:
        item["tags"] = list(entry.tags)
    if entry.author is not None:
        item["authors"] = [_author(entry.author)]
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
