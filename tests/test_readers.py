"""Real feed readers against the real server: the reader library (with its own SQLite
store) subscribes to the feeds over HTTP, and feedparser reads every output."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from reader import Reader, make_reader

from postfeed.cli import main

FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    """A reader with its database in tmp_path."""
    subscriber = make_reader(str(tmp_path / "reader.sqlite"))
    yield subscriber
    subscriber.close()


@pytest.fixture
def blog(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A blog with three posts and a limit of three, built, run from its folder."""
    monkeypatch.chdir(site_dir)
    write_config("limit: 3\n")
    for day, slug in enumerate(("a", "b", "c"), start=1):
        write_post(slug, f"date: 2024-05-0{day}T10:00:00+02:00\ntags: [go]\n", f"Body {slug}.\n")
    assert main(["build", "-q"]) == 0
    return site_dir


def _entries(reader: Reader, url: str) -> list[Any]:
    return sorted(reader.get_entries(feed=url), key=lambda entry: entry.id)


def _state(reader: Reader, url: str) -> list[tuple[str, str | None, Any, Any]]:
    """What a reader shows of each entry: id, title, dates, and when it last changed."""
    return [(e.id, e.title, e.updated, e.last_updated) for e in _entries(reader, url)]


def _content(entry: Any) -> str:
    return " ".join(content.value for content in entry.content) + (entry.summary or "")


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_subscribe_and_update(
    fmt: str,
    blog: Path,
    reader: Reader,
    start_server: Callable[..., Any],
    write_post: Callable[..., Path],
    write_config: Callable[..., Path],
) -> None:
    """Subscribed readers see: nothing new after an unchanged rebuild, an edit updated in
    place, one new entry per new post, and no duplicate when a post leaves the window."""
    server = start_server(blog, "-q")
    url = server.url + FILES[fmt]
    tag_url = server.url + "tags/go/" + FILES[fmt]
    reader.add_feed(url)
    reader.add_feed(tag_url)

    first = reader.update_feed(url)
    assert first is not None
    assert (first.new, first.modified) == (3, 0)
    assert reader.update_feed(tag_url).new == 3  # type: ignore[union-attr]
    assert [e.title for e in _entries(reader, url)] == ["Post a", "Post b", "Post c"]
    ids = [e.id for e in _entries(reader, url)]
    assert ids == [
        f"tag:blog.example.com,2024-05-0{day}:{slug}"
        for day, slug in ((1, "a"), (2, "b"), (3, "c"))
    ]

    # Rebuild with no change: the server answers the reader's conditional GET with 304.
    before = _state(reader, url)
    assert main(["build", "-q"]) == 0
    assert reader.update_feed(url) is None
    assert _state(reader, url) == before

    # Edit a post's body and updated: that one entry changes in place.
    write_post(
        "b",
        "date: 2024-05-02T10:00:00+02:00\nupdated: 2024-05-20T09:00:00+02:00\ntags: [go]\n",
        "Body b, corrected.\n",
    )
    assert main(["build", "-q"]) == 0
    edited = reader.update_feed(url)
    assert edited is not None
    assert (edited.new, edited.modified) == (0, 1)
    entries = _entries(reader, url)
    assert [e.id for e in entries] == ids
    b = entries[1]
    assert "Body b, corrected." in _content(b)
    if fmt != "rss":  # RSS 2.0 has no element for the updated date
        assert b.updated is not None
        assert b.updated.isoformat() == "2024-05-20T07:00:00+00:00"
    in_tag = reader.update_feed(tag_url)
    assert in_tag is not None
    assert (in_tag.new, in_tag.modified) == (0, 1)

    # A new post: exactly one new entry; the oldest leaves the window of three.
    write_post("d", "date: 2024-05-04T10:00:00+02:00\ntags: [python]\n", "Body d.\n")
    assert main(["build", "-q"]) == 0
    added = reader.update_feed(url)
    assert added is not None
    assert (added.new, added.modified, added.total) == (1, 0, 3)
    titles = [e.title for e in _entries(reader, url)]
    assert sorted(titles) == ["Post a", "Post b", "Post c", "Post d"]
    # The go feed did not change at all: not modified.
    assert reader.update_feed(tag_url) is None

    # The post that left the window comes back (a larger limit): still no duplicate.
    write_config("limit: 10\n")
    assert main(["build", "-q"]) == 0
    back = reader.update_feed(url)
    assert back is not None
    assert (back.new, back.total) == (0, 4)
    assert sorted(e.title for e in _entries(reader, url)) == [
        "Post a",
        "Post b",
        "Post c",
        "Post d",
    ]
    assert len({e.id for e in _entries(reader, url)}) == 4

    # A rebuild that changes nothing is still nothing new. (reader keeps the ETag of
    # the last response that changed something it stores, so this may be a 200.)
    assert main(["build", "-q"]) == 0
    again = reader.update_feed(url)
    assert again is None or (again.new, again.modified) == (0, 0)
    assert len(list(reader.get_entries())) == 4 + 3


def test_feedparser_reads_every_output(
    blog: Path, start_server: Callable[..., Any], write_post: Callable[..., Path]
) -> None:
    """Every RSS and Atom file, tag feeds included, parses cleanly over HTTP and carries
    the same entries as the JSON Feed beside it."""
    write_post("d", "date: 2024-05-04\ntags: [python, Go Tips]\n")
    assert main(["build", "-q"]) == 0
    server = start_server(blog, "-q")
    output = blog / "feeds"
    folders = sorted({path.parent for path in output.rglob("feed.json")})
    assert [str(folder.relative_to(output)) for folder in folders] == [
        ".",
        "tags/go",
        "tags/go-tips",
        "tags/python",
    ]
    for folder in folders:
        prefix = server.url + (str(folder.relative_to(output)) + "/").removeprefix("./")
        with urllib.request.urlopen(prefix + "feed.json", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/feed+json; charset=utf-8"
            items = json.loads(response.read())["items"]
        expected = [(item["id"], item["title"], item["url"]) for item in items]
        assert expected
        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse(prefix + name)
            assert parsed.status == 200
            assert not parsed.bozo, (prefix + name, parsed.get("bozo_exception"))
            got = [(entry.id, entry.title, entry.link) for entry in parsed.entries]
            assert got == expected, prefix + name
            for entry in parsed.entries:
                assert entry.published_parsed is not None
                assert entry.link.startswith("https://blog.example.com/posts/")


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_subscribe_to_an_author_and_a_summary_feed(
    fmt: str,
    site_dir: Path,
    reader: Reader,
    start_server: Callable[..., Any],
    write_post: Callable[..., Path],
    write_config: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Subscribed to an author's feed and to a summary-only custom feed, a reader sees an
    edit in place, a new post once, and never the summary feed's full text or a
    duplicate."""
    monkeypatch.chdir(site_dir)
    write_config(
        "author_feeds: true\nauthors:\n  bo: {name: Bo Builder}\n"
        "feeds:\n  - {path: briefs, title: Briefs, content: summary}\n"
    )
    for day, slug in enumerate(("a", "b"), start=1):
        write_post(
            slug,
            f"date: 2024-05-0{day}T10:00:00+02:00\nauthor: bo\n",
            f"Intro {slug}.\n\n<!--more-->\n\nFull text {slug}.\n",
        )
    write_post("c", "date: 2024-05-03T10:00:00+02:00\n", "Intro c.\n")
    assert main(["build", "-q"]) == 0
    server = start_server(site_dir, "-q")
    author_url = server.url + "authors/bo/" + FILES[fmt]
    briefs_url = server.url + "briefs/" + FILES[fmt]
    reader.add_feed(author_url)
    reader.add_feed(briefs_url)
    assert reader.update_feed(author_url).new == 2  # type: ignore[union-attr]
    assert reader.update_feed(briefs_url).new == 3  # type: ignore[union-attr]
    assert [e.title for e in _entries(reader, author_url)] == ["Post a", "Post b"]
    for entry in _entries(reader, briefs_url):
        assert "Full text" not in _content(entry)
        assert "Intro" in _content(entry)

    write_post(
        "a",
        "date: 2024-05-01T10:00:00+02:00\nupdated: 2024-05-20T10:00:00+02:00\nauthor: bo\n",
        "Intro a, corrected.\n\n<!--more-->\n\nFull text a.\n",
    )
    assert main(["build", "-q"]) == 0
    for url in (author_url, briefs_url):
        edited = reader.update_feed(url)
        assert edited is not None
        assert (edited.new, edited.modified) == (0, 1), url
    assert "Intro a, corrected." in _content(_entries(reader, briefs_url)[0])

    write_post("d", "date: 2024-05-04T10:00:00+02:00\nauthor: bo\n", "Intro d.\n")
    assert main(["build", "-q"]) == 0
    for url, total in ((author_url, 3), (briefs_url, 4)):
        added = reader.update_feed(url)
        assert added is not None
        assert (added.new, added.total) == (1, total), url
        ids = [e.id for e in _entries(reader, url)]
        assert len(ids) == len(set(ids)) == total
