"""A real build read back by feedparser and json: every field a subscriber sees."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from postfeed import build, load_site
from postfeed.rendering import markup

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BODY = """\
Intro with [a sibling](../other/) and *emphasis*.

<!--more-->

## Section

![diagram](img/diagram.png) and [top](#section), [mail](mailto:ada@example.com),
[cdn](//cdn.example.net/x.js), [abs](https://go.dev/), [root](/about/).

<img src="a.png" srcset="a.png 1x, /b.png 2x" alt="x">

```go
fmt.Println("<a href=\\"rel\\">")
```

| a | b |
|---|---|
| 1 | 2 |
"""
POST_URL = "https://blog.example.com/posts/rich/"


@pytest.fixture
def built(site_dir: Path, write_post: Callable[..., Path]) -> Path:
    """A site with a rich post, a plain post and an empty one, built."""
    write_post(
        "rich",
        "title: 'Fish & Chips <b>not bold</b> \"quoted\"'\ndate: 2024-05-01T09:30:00+02:00\n"
        "updated: 2024-05-03T18:00:00-04:00\ntags: [Go, Distributed Systems]\n",
        BODY,
    )
    write_post(
        "plain",
        "date: 2024-04-01\nauthor: Bob Name-Only\n",
        "First paragraph.\n\nSecond paragraph.\n",
    )
    write_post(
        "empty", "date: 2024-03-01\nsummary: Just a summary.\nid: https://blog.example.com/e\n", ""
    )
    build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    return site_dir / "feeds"


def _parse(path: Path) -> Any:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_xml_entries(built: Path, name: str) -> None:
    """Titles, links, ids, dates, tags, summaries and content survive a real parser."""
    parsed = _parse(built / name)
    rich, plain, empty = parsed.entries
    assert rich.title == 'Fish & Chips <b>not bold</b> "quoted"'
    assert rich.link == POST_URL
    assert rich.id == "tag:blog.example.com,2024-05-01:rich"
    assert plain.id == "tag:blog.example.com,2024-04-01:plain"
    assert empty.id == "https://blog.example.com/e"
    assert [t.term for t in rich.tags] == ["Go", "Distributed Systems"]
    assert rich.published_parsed[:6] == (2024, 5, 1, 7, 30, 0)
    assert plain.published_parsed[:6] == (2024, 3, 31, 22, 0, 0)  # midnight in Europe/Berlin
    assert "a sibling" in rich.summary
    assert "Section" not in rich.summary
    assert plain.summary == "<p>First paragraph.</p>"
    assert empty.summary == "<p>Just a summary.</p>"
    content = rich.content[0].value
    for url in (
        'href="https://blog.example.com/posts/other/"',
        'src="https://blog.example.com/posts/rich/img/diagram.png"',
        'href="https://blog.example.com/posts/rich/#section"',
        'href="mailto:ada@example.com"',
        'href="https://cdn.example.net/x.js"',
        'href="https://go.dev/"',
        'href="https://blog.example.com/about/"',
    ):
        assert url in content
    # feedparser's sanitizer drops srcset, so read it from the file itself.
    raw = (built / name).read_text()
    srcset = "https://blog.example.com/posts/rich/a.png 1x, https://blog.example.com/b.png 2x"
    assert f'srcset="{srcset}"' in raw.replace("&quot;", '"').replace("&lt;", "<").replace(
        "&gt;", ">"
    )
    assert "<table>" in content
    assert 'class="language-go"' in content
    assert "&lt;a href=" in content  # code stays code
    assert "<!--more-->" not in content
    assert "content" not in empty
    assert plain.author == "Bob Name-Only"


def test_atom_specifics(built: Path) -> None:
    """Atom carries updated dates with their offsets and the feed's own self link."""
    text = (built / "atom.xml").read_text()
    assert "<published>2024-05-01T09:30:00+02:00</published>" in text
    assert "<updated>2024-05-03T18:00:00-04:00</updated>" in text
    assert "<updated>2024-04-01T00:00:00+02:00</updated>" in text
    parsed = _parse(built / "atom.xml")
    assert parsed.feed.updated == "2024-05-03T18:00:00-04:00"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {
        "self": "https://blog.example.com/feeds/atom.xml",
        "alternate": "https://blog.example.com/",
    }


def test_rss_specifics(built: Path) -> None:
    """RSS has RFC 822 dates with offsets, guids, self link and the build date from the posts."""
    text = (built / "rss.xml").read_text()
    assert "<pubDate>Wed, 01 May 2024 09:30:00 +0200</pubDate>" in text
    assert "<lastBuildDate>Fri, 03 May 2024 18:00:00 -0400</lastBuildDate>" in text
    assert '<guid isPermaLink="false">tag:blog.example.com,2024-05-01:rich</guid>' in text
    assert (
        '<guid isPermaLink="true">https://blog.example.com/e</guid>' not in text
    )  # id is not the link
    assert '<title>Fish &#x26; Chips &#x3C;b&#x3E;not bold&#x3C;/b&#x3E; "quoted"</title>' in text
    assert "<dc:creator>Bob Name-Only</dc:creator>" in text
    assert "<author>ada@example.com (Ada Example)</author>" in text
    parsed = _parse(built / "rss.xml")
    assert parsed.feed.link == "https://blog.example.com/"


def test_json_feed(built: Path) -> None:
    """JSON Feed 1.1 has its required fields and every entry field."""
    feed = json.loads((built / "feed.json").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Test Blog"
    assert feed["feed_url"] == "https://blog.example.com/feeds/feed.json"
    assert feed["home_page_url"] == "https://blog.example.com/"
    rich, plain, empty = feed["items"]
    assert rich["id"] == "tag:blog.example.com,2024-05-01:rich"
    assert rich["url"] == POST_URL
    assert rich["title"] == 'Fish & Chips <b>not bold</b> "quoted"'
    assert rich["date_published"] == "2024-05-01T09:30:00+02:00"
    assert rich["date_modified"] == "2024-05-03T18:00:00-04:00"
    assert rich["tags"] == ["Go", "Distributed Systems"]
    assert rich["summary"] == "Intro with a sibling and emphasis."
    assert 'href="https://blog.example.com/posts/other/"' in rich["content_html"]
    assert plain["authors"] == [{"name": "Bob Name-Only"}]
    # JSON Feed 1.1 requires content in every item: an empty body falls back to the summary.
    assert empty["content_html"] == "<p>Just a summary.</p>"
    assert empty["summary"] == "Just a summary."


def test_tag_feeds_have_own_self_urls(built: Path) -> None:
    """Each tag feed names its own URL and holds only its posts."""
    parsed = _parse(built / "tags/distributed-systems/rss.xml")
    assert [e.link for e in parsed.entries] == [POST_URL]
    feed = json.loads((built / "tags/go/feed.json").read_bytes())
    assert feed["feed_url"] == "https://blog.example.com/feeds/tags/go/feed.json"


def test_forbidden_characters_dropped(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Characters XML forbids are dropped from every field instead of breaking the feed."""
    write_post("ctl", 'title: "Bell\\a and \\x0b tab"\ntags: ["a\\x01b"]\n', "Body \x0c here.\n")
    build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    for name in ("rss.xml", "atom.xml"):
        entry = _parse(site_dir / "feeds" / name).entries[0]
        assert entry.title == "Bell and  tab"
        assert "Body  here." in entry.content[0].value


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a class="x" HREF="/a">', '<a class="x" HREF="https://b.example/a">'),
        ("<img\nsrc='b.png' alt=\"\">", '<img\nsrc="https://b.example/p/b.png" alt="">'),
        ("<video poster=/c.jpg controls>", '<video poster="https://b.example/c.jpg" controls>'),
        (
            '<a data-src="/d" xhref="/e" title="href=/f">',
            '<a data-src="/d" xhref="/e" title="href=/f">',
        ),
        ('<p>text with href="/g" in it</p>', '<p>text with href="/g" in it</p>'),
        (
            '<blockquote cite="../h"><p>q</p></blockquote>',
            '<blockquote cite="https://b.example/h"><p>q</p></blockquote>',
        ),
        (
            '<a href="#i">x</a><a href="mailto:j@k">y</a>',
            '<a href="https://b.example/p/#i">x</a><a href="mailto:j@k">y</a>',
        ),
    ],
)
def test_absolute_urls_in_url_attributes_only(html: str, expected: str) -> None:
    """Only the URL attributes of tags are made absolute: not attributes that merely
    end or start alike, not text that looks like one."""
    assert markup.absolutize(html, "https://b.example/p/") == expected
