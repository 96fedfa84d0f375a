"""Tests for the format layer: Feed objects in, RSS 2.0 / Atom 1.0 / JSON Feed 1.1 bytes out."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from pathlib import Path
from typing import Any

import feedparser
import pytest
from feedgen.feed import FeedGenerator
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree as lxml_etree  # type: ignore[import-untyped]

from postfeed._cache import Cache, digest
from postfeed._text import xml_safe
from postfeed.formats import FORMAT_NAMES, FORMATS
from postfeed.model import Author, Entry, Feed, Image, Post, Site
from postfeed.rendering._documents import Document, Outputs, _details
from postfeed.rendering._prepare import Slot
from postfeed.rendering.formats import _feedgen
from postfeed.rendering.formats._feedgen import render_atom, render_rss
from postfeed.rendering.formats.jsonfeed import render_json
from postfeed.writing._fs import Staging

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"

PLUS_TWO = timezone(timedelta(hours=2))
TRICKY_TITLE = "Fish & Chips <b>bold</b> > \"quoted\" 'single' A &amp; B"


def make_entry(**changes: Any) -> Entry:
    """Return an entry from 2001 in UTC+2, with every optional field filled in."""
    entry = Entry(
        id="https://blog.example/posts/hello/",
        url="https://blog.example/posts/hello/",
        title="Hello",
        published=datetime(2001, 2, 3, 9, 30, tzinfo=PLUS_TWO),
        updated=datetime(2001, 2, 4, 10, 15, tzinfo=PLUS_TWO),
        summary_html="<p>The <em>summary</em>.</p>",
        summary_text="The summary.",
        content_html="<p>The <em>body</em>.</p>",
        tags=("python", "feeds"),
        authors=(
            Author(name="Ann Author", email="ann@example.org", uri="https://blog.example/ann/"),
        ),
    )
    if "author" in changes:
        author = changes.pop("author")
        changes["authors"] = () if author is None else (author,)
    return dataclasses.replace(entry, **changes)


def make_feed(*entries: Entry, **changes: Any) -> Feed:
    """Return a feed of ``entries``, updated at the newest entry's ``updated``."""
    feed = Feed(
        id="https://blog.example/",
        title="Example Blog",
        description="Notes from an example.",
        home_url="https://blog.example/",
        base_url="https://blog.example/feeds/",
        language="en",
        author=Author(name="Blog Owner", email="owner@example.org", uri="https://blog.example/"),
        updated=max((entry.updated for entry in entries), default=None),
        entries=entries,
    )
    return dataclasses.replace(feed, **changes)


def three_entries() -> tuple[Entry, ...]:
    """Return three entries, newest first, as the caller orders them."""
    return tuple(
        make_entry(
            id=f"https://blog.example/posts/{slug}/",
            url=f"https://blog.example/posts/{slug}/",
            title=slug.title(),
            published=datetime(2001, 2, day, 9, 30, tzinfo=PLUS_TWO),
            updated=datetime(2001, 2, day, 9, 30, tzinfo=PLUS_TWO),
        )
        for slug, day in (("newest", 3), ("middle", 2), ("oldest", 1))
    )


def parse(data: bytes) -> Any:
    """Parse RSS or Atom bytes with feedparser and insist they are well-formed."""
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def xml_root(data: bytes) -> ET.Element:
    """Parse XML bytes as they are, without feedparser's defaults."""
    return ET.fromstring(data)


def rss_item(data: bytes, index: int = 0) -> ET.Element:
    """Return the RSS ``<item>`` at ``index``."""
    return xml_root(data).findall("channel/item")[index]


def atom_entry(data: bytes, index: int = 0) -> ET.Element:
    """Return the Atom ``<entry>`` at ``index``."""
    return xml_root(data).findall(f"{ATOM}entry")[index]


def json_feed(data: bytes) -> Any:
    """Decode JSON Feed bytes, which must be UTF-8."""
    return json.loads(data.decode("utf-8"))


# The registry.


def test_registry_lists_formats_in_order() -> None:
    """FORMATS holds rss, atom and json, in the order the model names them."""
    assert tuple(FORMATS) == FORMAT_NAMES == ("rss", "atom", "json")
    assert [(f.name, f.filename, f.media_type) for f in FORMATS.values()] == [
        ("rss", "rss.xml", "application/rss+xml"),
        ("atom", "atom.xml", "application/atom+xml"),
        ("json", "feed.json", "application/feed+json"),
    ]


def test_registry_renderers() -> None:
    """Each format renders with its own function, imported when first used."""
    feed = make_feed(make_entry())
    assert FORMATS["rss"].render(feed) == render_rss(feed)
    assert FORMATS["atom"].render(feed) == render_atom(feed)
    assert FORMATS["json"].render(feed) == render_json(feed)
    assert [f.label for f in FORMATS.values()] == ["RSS", "Atom", "JSON Feed"]


def test_registry_is_read_only() -> None:
    """The registry cannot be changed at run time."""
    with pytest.raises(TypeError):
        FORMATS["xml"] = FORMATS["rss"]  # type: ignore[index]


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_xml_declaration_and_pretty_printing(name: str) -> None:
    """XML output starts with a UTF-8 declaration and is indented."""
    data = FORMATS[name].render(make_feed(make_entry()))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    assert b"\n  <" in data


# feedgen trap 1: now() in updated / lastBuildDate.


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_same_feed_same_bytes(name: str) -> None:
    """Rendering the same feed twice gives identical bytes."""
    feed = make_feed(*three_entries())
    assert FORMATS[name].render(feed) == FORMATS[name].render(feed)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_clock_never_written(name: str) -> None:
    """A feed of 2001 entries contains no timestamp from the current year."""
    data = FORMATS[name].render(make_feed(make_entry()))
    assert str(datetime.now(UTC).year).encode() not in data


def test_atom_dates_come_from_the_feed() -> None:
    """Atom feed and entry <updated> are the feed's and the entry's own dates."""
    root = xml_root(render_atom(make_feed(make_entry())))
    assert root.findtext(f"{ATOM}updated") == "2001-02-04T10:15:00+02:00"
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}updated") == "2001-02-04T10:15:00+02:00"
    assert entry.findtext(f"{ATOM}published") == "2001-02-03T09:30:00+02:00"


def test_rss_dates_come_from_the_feed() -> None:
    """RSS <lastBuildDate> is the feed's date, <pubDate> the entry's; no channel pubDate."""
    data = render_rss(make_feed(make_entry()))
    channel = xml_root(data).find("channel")
    assert channel is not None
    assert channel.findtext("lastBuildDate") == "Sun, 04 Feb 2001 10:15:00 +0200"
    assert channel.find("pubDate") is None
    assert rss_item(data).findtext("pubDate") == "Sat, 03 Feb 2001 09:30:00 +0200"


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_microseconds_dropped(name: str) -> None:
    """Microseconds never reach the output."""
    entry = make_entry(
        published=datetime(2001, 2, 3, 9, 30, 0, 123456, tzinfo=PLUS_TWO),
        updated=datetime(2001, 2, 4, 10, 15, 0, 654321, tzinfo=PLUS_TWO),
    )
    data = FORMATS[name].render(make_feed(entry))
    assert b"123456" not in data
    assert b"654321" not in data


# feedgen trap 2: add_entry() prepends.


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_xml_entries_keep_given_order(name: str) -> None:
    """RSS and Atom entries come out in the order given, not reversed."""
    parsed = parse(FORMATS[name].render(make_feed(*three_entries())))
    assert [e.title for e in parsed.entries] == ["Newest", "Middle", "Oldest"]


def test_json_items_keep_given_order() -> None:
    """JSON Feed items come out in the order given."""
    document = json_feed(render_json(make_feed(*three_entries())))
    assert [item["title"] for item in document["items"]] == ["Newest", "Middle", "Oldest"]


# feedgen trap 3: the RSS channel <link> is the last link added.


def test_rss_channel_link_is_home_page() -> None:
    """The RSS channel <link> is the home page, not the feed's self URL."""
    data = render_rss(make_feed(make_entry()))
    assert xml_root(data).findtext("channel/link") == "https://blog.example/"
    assert parse(data).feed.link == "https://blog.example/"


def test_rss_self_link() -> None:
    """The RSS channel has an atom:link to rss.xml with rel="self"."""
    channel = xml_root(render_rss(make_feed(make_entry()))).find("channel")
    assert channel is not None
    links = channel.findall(f"{ATOM}link")
    assert [link.attrib for link in links] == [
        {
            "href": "https://blog.example/feeds/rss.xml",
            "rel": "self",
            "type": "application/rss+xml",
        }
    ]


# feedgen trap 4: Atom entry links lose rel and type.


def test_atom_entry_link_has_rel_and_type() -> None:
    """Each Atom entry link says rel="alternate" and type="text/html" in the bytes."""
    data = render_atom(make_feed(*three_entries()))
    for index, slug in enumerate(["newest", "middle", "oldest"]):
        links = atom_entry(data, index).findall(f"{ATOM}link")
        assert [link.attrib for link in links] == [
            {
                "href": f"https://blog.example/posts/{slug}/",
                "rel": "alternate",
                "type": "text/html",
            }
        ]


def test_atom_feed_links() -> None:
    """The Atom feed links to itself (atom.xml) and to the home page."""
    root = xml_root(render_atom(make_feed(make_entry())))
    assert [link.attrib for link in root.findall(f"{ATOM}link")] == [
        {
            "href": "https://blog.example/feeds/atom.xml",
            "rel": "self",
            "type": "application/atom+xml",
        },
        {"href": "https://blog.example/", "rel": "alternate", "type": "text/html"},
    ]


# feedgen trap 5: type="CDATA" is not an Atom content type.


def test_atom_content_and_summary_are_html() -> None:
    """Atom content and summary are type="html", escaped, never CDATA."""
    data = render_atom(make_feed(make_entry()))
    entry = atom_entry(data)
    content = entry.find(f"{ATOM}content")
    summary = entry.find(f"{ATOM}summary")
    assert content is not None
    assert summary is not None
    assert content.get("type") == "html"
    assert content.text == "<p>The <em>body</em>.</p>"
    assert summary.get("type") == "html"
    assert summary.text == "<p>The <em>summary</em>.</p>"
    assert b"CDATA" not in data
    parsed = parse(data).entries[0]
    assert parsed.content[0].type == "text/html"
    assert parsed.content[0].value == "<p>The <em>body</em>.</p>"
    assert parsed.summary == "<p>The <em>summary</em>.</p>"


# feedgen trap 6: name-only authors vanish from RSS.


def test_rss_name_only_author_is_dc_creator() -> None:
    """An author without an email is written as <dc:creator>."""
    data = render_rss(make_feed(make_entry(author=Author(name="Ann Author"))))
    item = rss_item(data)
    assert item.findtext(f"{DC}creator") == "Ann Author"
    assert item.find("author") is None
    assert parse(data).entries[0].author == "Ann Author"


def test_rss_author_with_email() -> None:
    """An author with an email is written as <author>email (Name)</author>."""
    data = render_rss(make_feed(make_entry()))
    item = rss_item(data)
    assert item.findtext("author") == "ann@example.org (Ann Author)"
    assert item.find(f"{DC}creator") is None
    detail = parse(data).entries[0].author_detail
    assert (detail.name, detail.email) == ("Ann Author", "ann@example.org")


def test_rss_item_without_author() -> None:
    """An entry without an author has neither <author> nor <dc:creator>."""
    item = rss_item(render_rss(make_feed(make_entry(author=None))))
    assert item.find("author") is None
    assert item.find(f"{DC}creator") is None


# feedgen trap 7: aware datetimes keep their own offset.


def test_atom_keeps_offset() -> None:
    """Atom dates keep the datetime's own +02:00 offset."""
    data = render_atom(make_feed(make_entry()))
    entry = parse(data).entries[0]
    assert entry.published == "2001-02-03T09:30:00+02:00"
    assert entry.updated == "2001-02-04T10:15:00+02:00"
    assert tuple(entry.published_parsed)[:6] == (2001, 2, 3, 7, 30, 0)


def test_rss_keeps_offset() -> None:
    """RSS dates keep the datetime's own +0200 offset."""
    parsed = parse(render_rss(make_feed(make_entry())))
    assert parsed.feed.updated == "Sun, 04 Feb 2001 10:15:00 +0200"
    assert parsed.entries[0].published == "Sat, 03 Feb 2001 09:30:00 +0200"
    assert tuple(parsed.entries[0].published_parsed)[:6] == (2001, 2, 3, 7, 30, 0)


def test_json_keeps_offset() -> None:
    """JSON Feed dates are RFC 3339 with the datetime's own offset."""
    item = json_feed(render_json(make_feed(make_entry())))["items"][0]
    assert item["date_published"] == "2001-02-03T09:30:00+02:00"
    assert item["date_modified"] == "2001-02-04T10:15:00+02:00"


def test_utc_dates() -> None:
    """UTC datetimes are written with a +00:00 / +0000 offset."""
    moment = datetime(2001, 2, 3, 9, 30, tzinfo=UTC)
    feed = make_feed(make_entry(published=moment, updated=moment))
    assert atom_entry(render_atom(feed)).findtext(f"{ATOM}updated") == "2001-02-03T09:30:00+00:00"
    assert rss_item(render_rss(feed)).findtext("pubDate") == "Sat, 03 Feb 2001 09:30:00 +0000"


# Escaping.


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_tricky_title_round_trips(name: str) -> None:
    """Titles with &, <, >, quotes and a literal "&amp;" come back exactly."""
    feed = make_feed(make_entry(title=TRICKY_TITLE), title=TRICKY_TITLE)
    parsed = parse(FORMATS[name].render(feed))
    assert parsed.feed.title == TRICKY_TITLE
    assert parsed.entries[0].title == TRICKY_TITLE


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_tricky_tags_and_names_round_trip(name: str) -> None:
    """Categories and author names with & and < come back exactly."""
    entry = make_entry(tags=("R&D", "a<b"), author=Author(name="Tom & <Jerry>"))
    parsed = parse(FORMATS[name].render(make_feed(entry)))
    assert [tag.term for tag in parsed.entries[0].tags] == ["R&D", "a<b"]
    assert parsed.entries[0].author == "Tom & <Jerry>"


def test_atom_title_is_text() -> None:
    """Atom entry titles say type="text" and hold the exact text, escaped once."""
    data = render_atom(make_feed(make_entry(title=TRICKY_TITLE)))
    title = atom_entry(data).find(f"{ATOM}title")
    assert title is not None
    assert title.get("type") == "text"
    assert title.text == TRICKY_TITLE
    assert b"A &amp;amp; B" in data
    assert b"&amp;amp;amp;" not in data


def test_rss_plain_text_uses_hex_references() -> None:
    """RSS plain-text elements write & and < as &#x26; and &#x3C;."""
    entry = make_entry(
        title="Fish & <Chips>", tags=("R&D", "a<b"), author=Author(name="Tom & <Jerry>")
    )
    text = render_rss(make_feed(entry, title="A & B <C>")).decode("utf-8")
    assert "<title>A &#x26; B &#x3C;C&#x3E;</title>" in text
    assert "<title>Fish &#x26; &#x3C;Chips&#x3E;</title>" in text
    assert "<category>R&#x26;D</category>" in text
    assert "<category>a&#x3C;b</category>" in text
    assert "<dc:creator>Tom &#x26; &#x3C;Jerry&#x3E;</dc:creator>" in text


def test_rss_literal_entity_escaped_once() -> None:
    """A literal "A &amp; B" title is written as A &#x26;amp; B, escaped exactly once."""
    text = render_rss(make_feed(make_entry(title="A &amp; B"))).decode("utf-8")
    assert "<title>A &#x26;amp; B</title>" in text


def test_rss_html_elements_stay_escaped() -> None:
    """RSS <description> and <content:encoded> hold HTML escaped as usual."""
    entry = make_entry(summary_html="<p>R&amp;D</p>", content_html="<p>a &lt; b</p>")
    data = render_rss(make_feed(entry))
    text = data.decode("utf-8")
    assert "<description>&lt;p&gt;R&amp;amp;D&lt;/p&gt;</description>" in text
    assert "<content:encoded>&lt;p&gt;a &amp;lt; b&lt;/p&gt;</content:encoded>" in text
    item = rss_item(data)
    assert item.findtext("description") == "<p>R&amp;D</p>"
    assert item.findtext(f"{CONTENT}encoded") == "<p>a &lt; b</p>"


def test_json_title_exact() -> None:
    """JSON Feed titles are the exact text."""
    document = json_feed(render_json(make_feed(make_entry(title=TRICKY_TITLE))))
    assert document["items"][0]["title"] == TRICKY_TITLE


# Empty feeds.


def test_empty_atom() -> None:
    """A feed without entries is valid Atom, dated 1970, with the title as author."""
    data = render_atom(make_feed(author=None))
    parsed = parse(data)
    assert parsed.entries == []
    assert parsed.feed.updated == "1970-01-01T00:00:00+00:00"
    assert parsed.feed.author == "Example Blog"


def test_empty_rss() -> None:
    """A feed without entries is valid RSS with a 1970 lastBuildDate."""
    data = render_rss(make_feed())
    parsed = parse(data)
    assert parsed.entries == []
    assert parsed.feed.updated == "Thu, 01 Jan 1970 00:00:00 +0000"
    assert parsed.feed.title == "Example Blog"
    assert xml_root(data).find("channel/item") is None


def test_empty_json() -> None:
    """A feed without entries is JSON Feed with an empty items list."""
    document = json_feed(render_json(make_feed()))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["items"] == []


# Ids and links.


def test_rss_guid_is_permalink_when_id_is_url() -> None:
    """The RSS guid says isPermaLink="true" when the id is the entry's URL."""
    guid = rss_item(render_rss(make_feed(make_entry()))).find("guid")
    assert guid is not None
    assert guid.text == "https://blog.example/posts/hello/"
    assert guid.get("isPermaLink") == "true"


def test_rss_guid_not_permalink_for_tag_uri() -> None:
    """The RSS guid says isPermaLink="false" when the id is not the URL."""
    entry = make_entry(id="tag:blog.example,2001-02-03:hello")
    data = render_rss(make_feed(entry))
    guid = rss_item(data).find("guid")
    assert guid is not None
    assert guid.text == "tag:blog.example,2001-02-03:hello"
    assert guid.get("isPermaLink") == "false"
    parsed = parse(data).entries[0]
    assert parsed.id == "tag:blog.example,2001-02-03:hello"
    assert parsed.link == "https://blog.example/posts/hello/"


def test_atom_ids_and_links() -> None:
    """Atom feed and entry ids and links read back through feedparser."""
    entry = make_entry(id="tag:blog.example,2001-02-03:hello")
    parsed = parse(render_atom(make_feed(entry)))
    assert parsed.feed.id == "https://blog.example/"
    assert parsed.feed.link == "https://blog.example/"
    assert parsed.entries[0].id == "tag:blog.example,2001-02-03:hello"
    assert parsed.entries[0].link == "https://blog.example/posts/hello/"


# Summary and content.


def test_empty_summary_omitted() -> None:
    """An empty summary writes no Atom summary, RSS description or JSON summary."""
    feed = make_feed(make_entry(summary_html="", summary_text=""))
    assert atom_entry(render_atom(feed)).find(f"{ATOM}summary") is None
    rss = rss_item(render_rss(feed))
    assert rss.find("description") is None
    assert rss.findtext(f"{CONTENT}encoded") == "<p>The <em>body</em>.</p>"
    assert "summary" not in json_feed(render_json(feed))["items"][0]


def test_missing_content_omitted() -> None:
    """Without content there is no Atom content and no RSS content:encoded."""
    feed = make_feed(make_entry(content_html=None))
    atom = atom_entry(render_atom(feed))
    assert atom.find(f"{ATOM}content") is None
    assert atom.findtext(f"{ATOM}summary") == "<p>The <em>summary</em>.</p>"
    rss = rss_item(render_rss(feed))
    assert rss.find(f"{CONTENT}encoded") is None
    assert rss.findtext("description") == "<p>The <em>summary</em>.</p>"


@pytest.mark.parametrize("content", [None, ""])
def test_empty_content_never_an_empty_element(content: str | None) -> None:
    """Empty or missing content writes no empty content element."""
    feed = make_feed(make_entry(content_html=content))
    assert b"<content" not in render_atom(feed)
    assert b"content:encoded" not in render_rss(feed)


def test_json_content_falls_back_to_summary() -> None:
    """A JSON Feed item without content carries its summary HTML as content_html."""
    item = json_feed(render_json(make_feed(make_entry(content_html=None))))["items"][0]
    assert item["content_html"] == "<p>The <em>summary</em>.</p>"
    assert item["summary"] == "The summary."


def test_json_content_text_when_nothing_else() -> None:
    """A JSON Feed item with neither content nor summary still has content_text."""
    entry = make_entry(content_html=None, summary_html="", summary_text="")
    item = json_feed(render_json(make_feed(entry)))["items"][0]
    assert item["content_text"] == ""
    assert "content_html" not in item
    assert "summary" not in item


def test_xml_summary_and_content_round_trip() -> None:
    """RSS description and content:encoded read back as summary and content."""
    parsed = parse(render_rss(make_feed(make_entry()))).entries[0]
    assert parsed.summary == "<p>The <em>summary</em>.</p>"
    assert parsed.content[0].value == "<p>The <em>body</em>.</p>"


# Categories, authors, generator, language.


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_categories(name: str) -> None:
    """Each tag is one category, in order."""
    parsed = parse(FORMATS[name].render(make_feed(make_entry())))
    assert [tag.term for tag in parsed.entries[0].tags] == ["python", "feeds"]


def test_no_tags_no_categories() -> None:
    """An entry without tags has no categories and no JSON tags."""
    feed = make_feed(make_entry(tags=()))
    assert atom_entry(render_atom(feed)).find(f"{ATOM}category") is None
    assert rss_item(render_rss(feed)).find("category") is None
    assert "tags" not in json_feed(render_json(feed))["items"][0]


def test_atom_authors() -> None:
    """Atom feed and entry authors keep name, email and uri."""
    parsed = parse(render_atom(make_feed(make_entry())))
    assert dict(parsed.feed.author_detail) == {
        "name": "Blog Owner",
        "email": "owner@example.org",
        "href": "https://blog.example/",
    }
    assert dict(parsed.entries[0].author_detail) == {
        "name": "Ann Author",
        "email": "ann@example.org",
        "href": "https://blog.example/ann/",
    }


def test_atom_feed_author_falls_back_to_title() -> None:
    """Without a feed author, an entry without one makes the title the feed author."""
    feed = make_feed(make_entry(), make_entry(id="tag:x,2001:b", author=None), author=None)
    root = xml_root(render_atom(feed))
    assert [a.findtext(f"{ATOM}name") for a in root.findall(f"{ATOM}author")] == ["Example Blog"]


def test_atom_no_feed_author_when_every_entry_has_one() -> None:
    """Without a feed author, entries that all have authors need no feed author."""
    root = xml_root(render_atom(make_feed(make_entry(), author=None)))
    assert root.find(f"{ATOM}author") is None


def test_atom_generator() -> None:
    """The Atom generator is "postfeed" with the project URI and no version."""
    generator = xml_root(render_atom(make_feed(make_entry()))).find(f"{ATOM}generator")
    assert generator is not None
    assert generator.text == "postfeed"
    assert generator.attrib == {"uri": "https://pypi.org/project/postfeed/"}


def test_rss_channel() -> None:
    """The RSS channel has title, description, generator and language."""
    parsed = parse(render_rss(make_feed(make_entry())))
    assert parsed.feed.title == "Example Blog"
    assert parsed.feed.description == "Notes from an example."
    assert parsed.feed.generator == "postfeed"
    assert parsed.feed.language == "en"


def test_atom_subtitle() -> None:
    """The Atom subtitle is the feed description."""
    parsed = parse(render_atom(make_feed(make_entry())))
    assert parsed.feed.subtitle == "Notes from an example."


def test_language_written() -> None:
    """The language is RSS <language>, Atom xml:lang and JSON language."""
    feed = make_feed(make_entry(), language="de-AT")
    assert xml_root(render_rss(feed)).findtext("channel/language") == "de-AT"
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert xml_root(render_atom(feed)).get(lang) == "de-AT"
    assert json_feed(render_json(feed))["language"] == "de-AT"


def test_language_omitted() -> None:
    """Without a language there is no RSS <language>, xml:lang or JSON language."""
    feed = make_feed(make_entry(), language=None)
    assert xml_root(render_rss(feed)).find("channel/language") is None
    assert b"xml:lang" not in render_atom(feed)
    assert "language" not in json_feed(render_json(feed))


# Unicode.


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_unicode_round_trips(name: str) -> None:
    """Emoji and CJK text come back exactly and are written as UTF-8, not references."""
    title = "Ünïcödé 🎉 漢字かな"
    entry = make_entry(title=title, tags=("日本語",), summary_html="<p>😀 中文</p>")
    data = FORMATS[name].render(make_feed(entry))
    assert title.encode("utf-8") in data
    parsed = parse(data).entries[0]
    assert parsed.title == title
    assert parsed.tags[0].term == "日本語"
    assert parsed.summary == "<p>😀 中文</p>"


def test_json_is_utf8_without_escapes() -> None:
    """JSON Feed is UTF-8 with non-ASCII written as is, not as \\u escapes."""
    title = "Ünïcödé 🎉 漢字かな"
    data = render_json(make_feed(make_entry(title=title)))
    assert title.encode("utf-8") in data
    assert not re.search(rb"\\u[0-9a-fA-F]{4}", data)
    assert json_feed(data)["items"][0]["title"] == title


# JSON Feed.


def test_json_feed_fields() -> None:
    """The JSON Feed top level has the 1.1 version, title, URLs, description and authors."""
    data = render_json(make_feed(make_entry()))
    assert data.endswith(b"}\n")
    document = json_feed(data)
    assert list(document) == [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "language",
        "authors",
        "items",
    ]
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "Example Blog"
    assert document["home_page_url"] == "https://blog.example/"
    assert document["feed_url"] == "https://blog.example/feeds/feed.json"
    assert document["description"] == "Notes from an example."
    assert document["authors"] == [{"name": "Blog Owner", "url": "https://blog.example/"}]


def test_json_item_fields() -> None:
    """A JSON Feed item has every field, in a stable order."""
    item = json_feed(render_json(make_feed(make_entry())))["items"][0]
    assert item == {
        "id": "https://blog.example/posts/hello/",
        "url": "https://blog.example/posts/hello/",
        "title": "Hello",
        "content_html": "<p>The <em>body</em>.</p>",
        "summary": "The summary.",
        "date_published": "2001-02-03T09:30:00+02:00",
        "date_modified": "2001-02-04T10:15:00+02:00",
        "tags": ["python", "feeds"],
        "authors": [{"name": "Ann Author", "url": "https://blog.example/ann/"}],
    }
    assert list(item) == [
        "id",
        "url",
        "title",
        "content_html",
        "summary",
        "date_published",
        "date_modified",
        "tags",
        "authors",
    ]


def test_json_authors_omitted() -> None:
    """Without authors there are no feed or item authors, and an author without a URI has only a name."""
    feed = make_feed(make_entry(author=None), author=None)
    document = json_feed(render_json(feed))
    assert "authors" not in document
    assert "authors" not in document["items"][0]
    named = make_feed(make_entry(author=Author(name="Ann", email="ann@example.org")))
    item = json_feed(render_json(named))["items"][0]
    assert item["authors"] == [{"name": "Ann"}]


def test_json_pretty_printed() -> None:
    """JSON Feed is indented by two spaces."""
    assert b'\n  "version": ' in render_json(make_feed())


# Documents put together from entries formatted on their own.

_ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
).map(xml_safe)
_MARKUP = st.sampled_from(
    ["\n  <entry>", "\n    <item>", "</feed>\n", "  </channel>\n</rss>\n", '",\n    {', "]]>"]
)


@st.composite
def _entries(draw: st.DrawFn) -> tuple[Entry, ...]:
    """Entries whose text mimics the markup where documents are cut, with and
    without images and authors, so that one entry's neighbours could matter."""
    count = draw(st.integers(min_value=0, max_value=4))
    result = []
    for number in range(count):
        text = draw(st.lists(_MARKUP | _ANY_TEXT, min_size=1, max_size=3).map("".join))
        title = xml_safe(text).strip() or "untitled"
        image = draw(
            st.none()
            | st.just(Image(url=f"https://blog.example/{number}.png"))
            | st.just(
                Image(url=f"https://blog.example/{number}.png", length=99, media_type="image/png")
            )
        )
        author = draw(st.none() | st.just(Author(name="Name Only")))
        content = draw(st.none() | st.just(f"<p>{escape(text)}</p>"))
        result.append(
            make_entry(
                id=f"https://blog.example/posts/{number}/",
                url=f"https://blog.example/posts/{number}/",
                title=title,
                summary_html=draw(st.sampled_from(["", f"<p>{escape(text)}</p>"])),
                summary_text=text,
                content_html=content,
                image=image,
                author=author,
            )
        )
    return tuple(result)


@settings(max_examples=150, deadline=None)
@given(_entries(), st.sampled_from(sorted(FORMATS)), st.none() | st.just("https://hub.example/"))
def test_entries_are_formatted_alone(
    entries: tuple[Entry, ...], name: str, hub: str | None
) -> None:
    """Each entry's bytes are the same whichever entries are formatted with it, and
    the document put together from them is exactly the serializer's own: lxml's
    pretty printing of the same tree, or json.dumps of the same data."""
    fmt = FORMATS[name]
    items = fmt.items(entries)
    assert items == [fmt.items([entry])[0] for entry in entries]
    data = fmt.render(make_feed(*entries, hub=hub))
    head, tail = fmt.head_tail(make_feed(*entries, hub=hub))
    assert data == head + fmt.separator.join(items) + tail
    if name == "json":
        assert data == (json.dumps(json.loads(data), ensure_ascii=False, indent=2) + "\n").encode()
        assert len(json.loads(data)["items"]) == len(entries)
        return
    # The RSS profile's hexadecimal references are ours; lxml writes named ones.
    plain = data
    for reference, named in ((b"&#x26;", b"&amp;"), (b"&#x3C;", b"&lt;"), (b"&#x3E;", b"&gt;")):
        plain = plain.replace(reference, named)
    tree = lxml_etree.fromstring(plain, lxml_etree.XMLParser(remove_blank_text=True))
    whole = lxml_etree.tostring(tree, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    assert plain == whole
    assert len(parse(data).entries) == len(entries)


# Feed files put together from entries formatted once, and kept from earlier files.

NEPAL = timezone(timedelta(hours=5, minutes=45))
SITE = Site(title="Blog", url="https://blog.example/")


def _documents(folder: Path, feed: Feed) -> tuple[list[Document], dict[Slot, Entry]]:
    """Every format of ``feed`` as documents in ``folder``, and each slot's whole entry."""
    full: dict[Slot, Entry] = {}
    for number, entry in enumerate(feed.entries):
        bare = dataclasses.replace(entry, summary_html="", summary_text="", content_html=None)
        post = Post(slug=f"e{number}", title=entry.title, published=entry.published)
        full[Slot(SITE, post, key=digest(repr(entry)), bare=bare)] = entry
    slots = tuple(full)
    return [
        Document(folder / fmt.filename, name, feed, slots) for name, fmt in FORMATS.items()
    ], full


def _write(folder: Path, feed: Feed, *, cache_dir: Path) -> tuple[list[Path], int]:
    """One build's worth of Outputs: every format of ``feed`` written to ``folder``,
    each entry made in each format the files want it in."""
    documents, full = _documents(folder, feed)
    cache = Cache.open(cache_dir, "test")
    try:
        outputs = Outputs(documents, cache, root=folder)
        outputs.decide()
        wanted = outputs.plan()
        made = [
            [(slot, name, FORMATS[name].items([full[slot]])[0]) for name in names]
            for slot, names in wanted.items()
        ]
        staging = Staging(folder)
        changed = outputs.write(made, staging)
        staging.commit()
        outputs.save()
        cache.commit()
    finally:
        cache.close()
    return changed, sum(len(names) for names in wanted.values())


def _feed() -> Feed:
    first, second, third = three_entries()
    tricky = make_entry(
        id="https://blog.example/posts/tricky/",
        url="https://blog.example/posts/tricky/",
        title=TRICKY_TITLE,
        published=datetime(2001, 2, 4, 9, 30, 15, 123456, tzinfo=NEPAL),
        updated=datetime(2001, 2, 4, 9, 30, 15, 123456, tzinfo=NEPAL),
    )
    return make_feed(tricky, first, second, third)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_published_entries_are_what_reading_the_file_gives(tmp_path: Path, name: str) -> None:
    """The id guard takes a file's entries from the cache only as reading the file
    would give them: ids, titles and publish dates, for every format."""
    _write(tmp_path, _feed(), cache_dir=tmp_path / "cache")
    path = tmp_path / FORMATS[name].filename
    cache = Cache.open(tmp_path / "cache", "test", write=False)
    try:
        known = Outputs(_documents(tmp_path, _feed())[0], cache).published(path)
    finally:
        cache.close()
    assert known is not None
    entries = tuple(map(known.entry, range(len(known.ids))))
    assert list(known.ids) == [entry.id for entry in entries]
    assert entries == FORMATS[name].read(path.read_bytes())
    with path.open("rb") as handle:
        assert FORMATS[name].read(handle) == entries


def test_a_record_of_entries_of_another_shape_is_not_used() -> None:
    """The cache's record of a file's entries is used only with every column the length
    of its keys, marks only of the kinds written, and facts only when every date is one."""
    when = "2024-01-01T10:00:00+01:00"
    good: dict[str, Any] = {
        "keys": ["k1", "k2"],
        "bounds": [0, 4, 6, 9],
        "digests": "0" * 64,
        "ids": ["a", "b"],
        "titles": ["A", "B"],
        "published": [when, when],
        "updated": [when, "2024-07-01T10:00:00+02:00"],
        "marks": "-b",
    }
    details = _details(Path("atom.xml"), good, 10)
    assert details is not None
    facts = details.facts()
    assert facts is not None
    assert [(f.image, f.authored) for f in facts] == [(False, False), (True, True)]
    assert facts[1].updated == datetime(2024, 7, 1, 8, tzinfo=UTC)
    for name, value in [
        ("marks", "-x"),
        ("marks", "-"),
        ("marks", None),
        ("updated", [when]),
        ("updated", [when, 1]),
    ]:
        assert _details(Path("atom.xml"), {**good, name: value}, 10) is None, name
    undated = _details(Path("atom.xml"), {**good, "updated": [when, "later"]}, 10)
    assert undated is not None
    assert undated.facts() is None


@pytest.mark.parametrize("name", ["atom", "rss"])
def test_reading_a_document_as_it_is_parsed(tmp_path: Path, name: str) -> None:
    """An XML document read from a file as it is parsed gives every entry in order, and
    one cut short, one with another root or one that is not XML is refused."""
    fmt = FORMATS[name]
    entries = [
        make_entry(
            id=f"https://blog.example/posts/p{n}/",
            url=f"https://blog.example/posts/p{n}/",
            title=f"Post {n}",
            published=datetime(2024, 1, 1 + n, tzinfo=UTC),
            updated=datetime(2024, 1, 1 + n, tzinfo=UTC),
            content_html="<p>" + "Text. " * 2000 + "</p>",
        )
        for n in range(20)
    ]
    data = fmt.render(make_feed(*entries))
    path = tmp_path / fmt.filename
    path.write_bytes(data)
    with path.open("rb") as handle:
        found = fmt.read(handle)
    assert [entry.id for entry in found] == [entry.id for entry in entries]
    assert [entry.title for entry in found] == [entry.title for entry in entries]
    other = FORMATS["rss" if name == "atom" else "atom"].render(make_feed(*entries))
    for broken in (data[: len(data) // 2], other, b"not xml", b""):
        with pytest.raises(ValueError, match=r"XML|expected a"):
            fmt.read(broken)


def test_changed_entries_alone_are_formatted(tmp_path: Path) -> None:
    """A second build formats only the entry that changed, in each format, and
    writes exactly what each format renders whole."""
    changed, formatted = _write(tmp_path, _feed(), cache_dir=tmp_path / "cache")
    assert (len(changed), formatted) == (3, 4 * 3)
    entries = list(_feed().entries)
    entries[2] = dataclasses.replace(entries[2], content_html="<p>Edited.</p>")
    edited = make_feed(*entries)
    changed, formatted = _write(tmp_path, edited, cache_dir=tmp_path / "cache")
    assert (len(changed), formatted) == (3, 3)
    for name, fmt in FORMATS.items():
        assert (tmp_path / fmt.filename).read_bytes() == fmt.render(edited), name
    assert _write(tmp_path, edited, cache_dir=tmp_path / "cache") == ([], 0)


@pytest.mark.parametrize("same_size", [True, False])
def test_a_foreign_file_gives_nothing(tmp_path: Path, same_size: bool) -> None:
    """A file whose bytes are not those recorded gives neither entries nor pieces,
    whether or not its size changed, and is made whole again."""
    _write(tmp_path, _feed(), cache_dir=tmp_path / "cache")
    atom = tmp_path / "atom.xml"
    swapped = b"Swappd" if same_size else b"Swapped"
    atom.write_bytes(atom.read_bytes().replace(b"Newest", swapped))
    documents = [doc for doc in _documents(tmp_path, _feed())[0] if doc.path == atom]
    cache = Cache.open(tmp_path / "cache", "test", write=False)
    try:
        outputs = Outputs(documents, cache)
        assert outputs.published(atom) is None
        outputs.decide()
        assert [len(names) for names in outputs.plan().values()] == [1, 1, 1, 1]
    finally:
        cache.close()
    changed, formatted = _write(tmp_path, _feed(), cache_dir=tmp_path / "cache")
    assert (changed, formatted) == ([atom], 4)
    assert atom.read_bytes() == FORMATS["atom"].render(_feed())


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_feedgen_tree_or_its_text_give_the_same_bytes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries are formatted from the tree feedgen builds; a feedgen without the method
    that builds it is read through the text it writes instead, with the same result."""
    entries = (
        make_entry(
            image=Image(url="https://blog.example/a.png", length=99, media_type="image/png")
        ),
        make_entry(id="https://blog.example/2/", author=Author(name="Name Only")),
        make_entry(id="https://blog.example/3/", summary_html="", summary_text=""),
    )
    feed = make_feed(*entries, hub="https://hub.example/")
    direct = FORMATS[name].render(feed)
    assert hasattr(FeedGenerator, _feedgen.BUILDERS[name])
    monkeypatch.setitem(_feedgen.BUILDERS, name, "_no_such_method")
    assert FORMATS[name].render(feed) == direct


# A document's head is made from its entries' facts and a few of its entries.


def _varied_entries() -> tuple[Entry, ...]:
    """Entries, newest first, whose first with an image and first without an author
    come late, and whose newest update is not the first entry's."""
    first, second, third = three_entries()
    image = Image(url="https://blog.example/a.png", length=10, media_type="image/png")
    return (
        first,
        dataclasses.replace(second, image=image, updated=datetime(2009, 1, 1, tzinfo=UTC)),
        dataclasses.replace(third, authors=()),
        dataclasses.replace(third, id="https://blog.example/posts/last/", image=image),
    )


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize(
    "entries",
    [(), three_entries()[:1], three_entries(), _varied_entries()],
    ids=["none", "one", "three", "varied"],
)
def test_a_documents_head_is_its_whole_feeds(
    tmp_path: Path, name: str, entries: tuple[Entry, ...]
) -> None:
    """The head and tail a document is written with, made from its entries' facts and
    the few entries that decide what a head declares, are those of the feed with all
    its entries, with and without a feed author (then one entry without an author
    makes the feed name one)."""
    for feed in (make_feed(*entries), make_feed(*entries, author=None)):
        head = dataclasses.replace(feed, entries=(), updated=None)
        slots = tuple(
            Slot(SITE, Post(slug=f"e{n}", title=e.title, published=e.published), bare=e)
            for n, e in enumerate(entries)
        )
        doc = Document(tmp_path / FORMATS[name].filename, name, head, slots)
        assert FORMATS[name].head_tail(doc.head_feed()) == FORMATS[name].head_tail(feed)


def test_entry_facts_are_the_bare_entrys() -> None:
    """An entry's facts, made without the entry, are those of the entry: for posts with
    and without authors (and a site with and without one), with an image, with an
    updated date before the publish date, and with a title to clean."""
    from postfeed.rendering.entries import bare_entry, entry_facts, facts_of

    when = datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=NEPAL)
    posts = [
        Post(slug="plain", title="Plain", published=when),
        Post(slug="spaced", title="  Spaced \x07title  ", published=when),
        Post(
            slug="authored",
            title="Authored",
            published=when,
            authors=(Author(name="Ann"),),
            updated=when - timedelta(days=1),
        ),
        Post(
            slug="pictured",
            title="Pictured",
            published=when,
            image=Image(url="/a.png", length=3, media_type="image/png"),
            updated=when + timedelta(days=3),
        ),
    ]
    for site in (SITE, dataclasses.replace(SITE, author=Author(name="Owner"))):
        for post in posts:
            assert entry_facts(site, post) == facts_of(bare_entry(site, post))
