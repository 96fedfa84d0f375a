"""What the families' front matter puts in every format: all of a post's authors, its
categories told apart from its tags, its language, summary-only entries, and posts
kept out of the feeds. Read back with feedparser and json."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest

from postfeed.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEME = "https://blog.example.com/feeds/categories/"


@pytest.fixture
def built(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A built site whose posts use authors, categories, languages and content modes."""
    monkeypatch.chdir(site_dir)
    write_config(
        "authors:\n  bo: {name: Bo Builder, email: bo@example.com}\n"
        "  cy: {name: Cy Coder, uri: https://cy.example/}\n"
    )
    write_post(
        "team",
        "date: 2024-05-01T10:00:00+02:00\ntags: [go]\ncategories: [Deep Dives]\n"
        "authors: [bo, cy, {name: Di Guest}]\n",
        "One.\n\nTwo.\n",
    )
    write_post("german", "date: 2024-05-02T10:00:00+02:00\nlang: de\n", "Eins.\n")
    write_post(
        "paid",
        "date: 2024-05-03T10:00:00+02:00\ncontent: summary\n",
        "Free part.\n\n<!--more-->\n\nPaid part.\n",
    )
    write_post("hidden", "date: 2024-05-04T10:00:00+02:00\nin_feeds: false\n", "Hidden.\n")
    assert main(["build", "-q"]) == 0
    return site_dir / "feeds"


def _rss_items(data: bytes) -> dict[str, ET.Element]:
    return {
        item.findtext("title") or "": item for item in ET.fromstring(data).iterfind("channel/item")
    }


def _atom_entries(data: bytes) -> dict[str, ET.Element]:
    return {
        entry.findtext(f"{ATOM}title") or "": entry
        for entry in ET.fromstring(data).iterfind(f"{ATOM}entry")
    }


def _json_items(data: bytes) -> dict[str, Any]:
    return {item["title"]: item for item in json.loads(data)["items"]}


def test_every_author_in_every_format(built: Path) -> None:
    """One Atom <author> each, JSON Feed authors, RSS dc:creator for each (RSS has one
    <author> at most, and it must be an e-mail)."""
    atom = _atom_entries((built / "atom.xml").read_bytes())["Post team"]
    assert [a.findtext(f"{ATOM}name") for a in atom.iterfind(f"{ATOM}author")] == [
        "Bo Builder",
        "Cy Coder",
        "Di Guest",
    ]
    item = _rss_items((built / "rss.xml").read_bytes())["Post team"]
    assert [c.text for c in item.iterfind(f"{DC}creator")] == ["Bo Builder", "Cy Coder", "Di Guest"]
    assert item.find("author") is None
    json_item = _json_items((built / "feed.json").read_bytes())["Post team"]
    assert json_item["authors"] == [
        {"name": "Bo Builder"},
        {"name": "Cy Coder", "url": "https://cy.example/"},
        {"name": "Di Guest"},
    ]
    parsed = feedparser.parse((built / "atom.xml").read_bytes())
    team = next(e for e in parsed.entries if e.title == "Post team")
    assert [a.name for a in team.authors] == ["Bo Builder", "Cy Coder", "Di Guest"]


def test_one_author_with_an_email_is_rss_author(built: Path) -> None:
    """A post with one author who has an e-mail keeps RSS <author>, as before."""
    item = _rss_items((built / "rss.xml").read_bytes())["Post german"]
    assert item.findtext("author") == "ada@example.com (Ada Example)"
    assert item.find(f"{DC}creator") is None


def test_categories_are_told_from_tags(built: Path) -> None:
    """A category carries the categories scheme (RSS domain, Atom scheme); a tag none;
    JSON Feed, which has tags only, lists both."""
    item = _rss_items((built / "rss.xml").read_bytes())["Post team"]
    assert [(c.text, c.get("domain")) for c in item.iterfind("category")] == [
        ("go", None),
        ("Deep Dives", SCHEME),
    ]
    entry = _atom_entries((built / "atom.xml").read_bytes())["Post team"]
    assert [(c.get("term"), c.get("scheme")) for c in entry.iterfind(f"{ATOM}category")] == [
        ("go", None),
        ("Deep Dives", SCHEME),
    ]
    assert _json_items((built / "feed.json").read_bytes())["Post team"]["tags"] == [
        "go",
        "Deep Dives",
    ]
    parsed = feedparser.parse((built / "atom.xml").read_bytes())
    team = next(e for e in parsed.entries if e.title == "Post team")
    assert [(t.term, t.scheme) for t in team.tags] == [("go", None), ("Deep Dives", SCHEME)]
    deep = feedparser.parse((built / "categories/deep-dives/rss.xml").read_bytes())
    assert [e.title for e in deep.entries] == ["Post team"]


def test_entry_language_where_it_differs(built: Path) -> None:
    """A post in another language than the site's says so: Atom xml:lang, RSS
    dc:language, JSON Feed language; posts in the site's language add nothing."""
    entries = _atom_entries((built / "atom.xml").read_bytes())
    assert entries["Post german"].get(XML_LANG) == "de"
    assert entries["Post team"].get(XML_LANG) is None
    items = _rss_items((built / "rss.xml").read_bytes())
    assert items["Post german"].findtext(f"{DC}language") == "de"
    assert items["Post team"].find(f"{DC}language") is None
    json_items = _json_items((built / "feed.json").read_bytes())
    assert json_items["Post german"]["language"] == "de"
    assert "language" not in json_items["Post team"]
    parsed = feedparser.parse((built / "atom.xml").read_bytes())
    german = next(e for e in parsed.entries if e.title == "Post german")
    assert german.summary_detail.language == "de"


def test_summary_only_post(built: Path) -> None:
    """A post with content: summary has no content element in RSS or Atom, and its
    summary as JSON Feed's content; its paid part is in no feed."""
    for path in built.rglob("*.*"):
        assert b"Paid part" not in path.read_bytes(), path
    item = _rss_items((built / "rss.xml").read_bytes())["Post paid"]
    assert item.find(f"{CONTENT}encoded") is None
    assert "Free part." in (item.findtext("description") or "")
    entry = _atom_entries((built / "atom.xml").read_bytes())["Post paid"]
    assert entry.find(f"{ATOM}content") is None
    json_item = _json_items((built / "feed.json").read_bytes())["Post paid"]
    assert json_item["content_html"] == "<p>Free part.</p>"


def test_post_out_of_the_feeds(built: Path) -> None:
    """A post with in_feeds: false is in no feed, nor on the page."""
    for path in built.rglob("*.*"):
        assert b"Post hidden" not in path.read_bytes(), path


def test_summary_feeds_site_wide_and_custom(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """content: summary at the top makes the site's feeds summary-only; a custom feed
    may carry the full content still, and the same post is full there."""
    monkeypatch.chdir(site_dir)
    write_config("content: summary\nfeeds:\n  - {path: full, title: Everything, content: full}\n")
    write_post("a", "tags: [go]\n", "Start.\n\n<!--more-->\n\nThe long rest.\n")
    assert main(["build", "-q"]) == 0
    for name in ("atom.xml", "rss.xml", "feed.json", "tags/go/atom.xml"):
        assert b"The long rest" not in (site_dir / "feeds" / name).read_bytes(), name
    full = feedparser.parse((site_dir / "feeds/full/atom.xml").read_bytes())
    assert "The long rest." in full.entries[0].content[0].value
    summary = feedparser.parse((site_dir / "feeds/atom.xml").read_bytes())
    assert "content" not in summary.entries[0]
    assert summary.entries[0].summary == "<p>Start.</p>"
