"""Building: selection, order, limits, tag feeds, writing only what changed, all or nothing."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from postfeed import OutputError, PostErrors, Site, build, load_posts, load_site

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _site(site_dir: Path) -> Site:
    return load_site(site_dir / "postfeed.yaml")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_writes_every_feed(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Main feeds and one set per tag, in every format."""
    write_post("a", "tags: [Go, Distributed Systems]\n")
    result = build(_site(site_dir), now=NOW)
    out = site_dir / "feeds"
    assert sorted(str(p.relative_to(out)) for p in result.written) == [
        ".postfeed-manifest.json",
        "atom.xml",
        "feed.json",
        "index.html",
        "rss.xml",
        "tags/distributed-systems/atom.xml",
        "tags/distributed-systems/feed.json",
        "tags/distributed-systems/rss.xml",
        "tags/go/atom.xml",
        "tags/go/feed.json",
        "tags/go/rss.xml",
    ]
    tag_feed = feedparser.parse((out / "tags/go/atom.xml").read_bytes())
    assert not tag_feed.bozo
    assert tag_feed.feed.title == "Test Blog: Go"
    assert tag_feed.feed.links[0].href == "https://blog.example.com/feeds/tags/go/atom.xml"


def test_same_input_same_bytes(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """A second build writes nothing, and a build elsewhere gives identical bytes."""
    write_post("a", "tags: [go]\n", "Some *text* with [a link](../b/).\n")
    write_post("b", "date: 2024-06-01\n")
    first = build(_site(site_dir), now=NOW)
    before = _snapshot(site_dir / "feeds")
    second = build(_site(site_dir), now=datetime(2030, 1, 1, tzinfo=UTC))
    assert second.written == ()
    assert len(second.unchanged) == len(first.written)
    assert _snapshot(site_dir / "feeds") == before


def test_files_are_public(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Written feeds are 0644, whatever the temporary file started as."""
    write_post("a")
    result = build(_site(site_dir), now=NOW)
    for path in result.written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_order_limit_and_ties(
    site_dir: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """Newest first; equal dates in slug order; at most limit entries."""
    write_config("limit: 3\n")
    write_post("old", "date: 2020-01-01\n")
    write_post("b", "date: 2024-01-01T12:00:00+00:00\n")
    write_post("a", "date: 2024-01-01T13:00:00+01:00\n")  # the same instant as b
    write_post("new", "date: 2025-01-01\n")
    build(_site(site_dir), now=NOW)
    parsed = feedparser.parse((site_dir / "feeds/atom.xml").read_bytes())
    assert [e.link.rsplit("/", 2)[1] for e in parsed.entries] == ["new", "a", "b"]


def test_limit_zero_means_all(
    site_dir: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """limit: 0 publishes every post."""
    write_config("limit: 0\n")
    for day in range(1, 26):
        write_post(f"p{day:02d}", f"date: 2024-01-{day:02d}\n")
    build(_site(site_dir), now=NOW)
    assert len(feedparser.parse((site_dir / "feeds/rss.xml").read_bytes()).entries) == 25


def test_drafts_and_future(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Drafts and future posts are left out, with the reason, unless asked for."""
    write_post("live", "date: 2025-01-01\n")
    write_post("wip", "date: 2025-01-02\ndraft: true\n")
    write_post("later", "date: 2026-06-01\n")
    site = _site(site_dir)
    result = build(site, now=NOW, check=True)
    assert [p.slug for p in result.published] == ["live"]
    assert [(left.post.slug, left.reason) for left in result.left_out] == [
        ("later", "future"),
        ("wip", "draft"),
    ]
    everything = build(site, now=NOW, drafts=True, future=True, check=True)
    assert [p.slug for p in everything.published] == ["later", "wip", "live"]


def test_only_needed_posts_are_rendered(
    site_dir: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """Posts outside every feed's limit are never rendered."""
    write_config("limit: 2\ntag_feeds: false\n")
    for day in range(1, 11):
        write_post(f"p{day:02d}", f"date: 2024-01-{day:02d}\n", "# Title\n\nBody.\n")
    result = build(_site(site_dir), now=NOW)
    assert result.renders == 2


def test_check(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """check passes after a build, and lists stale, missing and extra files after changes."""
    path = write_post("a", "tags: [go]\n")
    site = _site(site_dir)
    out = site_dir / "feeds"
    assert build(site, now=NOW, check=True).stale == tuple(
        sorted(
            (out / rel, "missing")
            for rel in (
                "rss.xml",
                "atom.xml",
                "feed.json",
                "index.html",
                ".postfeed-manifest.json",
                "tags/go/rss.xml",
                "tags/go/atom.xml",
                "tags/go/feed.json",
            )
        )
    )
    build(site, now=NOW)
    assert build(site, now=NOW, check=True).stale == ()
    path.write_text(path.read_text().replace("tags: [go]", "tags: [python]"))
    before = _snapshot(out)
    result = build(site, now=NOW, check=True)
    assert _snapshot(out) == before
    states = {str(p.relative_to(out)): s for p, s in result.stale}
    assert states == {
        "rss.xml": "stale",
        "atom.xml": "stale",
        "feed.json": "stale",
        "index.html": "stale",
        ".postfeed-manifest.json": "stale",
        "tags/python/rss.xml": "missing",
        "tags/python/atom.xml": "missing",
        "tags/python/feed.json": "missing",
        "tags/go/rss.xml": "extra",
        "tags/go/atom.xml": "extra",
        "tags/go/feed.json": "extra",
    }


def test_removed_tag_feeds_are_deleted(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """A tag no longer used loses its feed folder; other files are left alone."""
    path = write_post("a", "tags: [go]\n")
    build(_site(site_dir), now=NOW)
    (site_dir / "feeds/notes.txt").write_text("mine")
    path.write_text(path.read_text().replace("tags: [go]\n", ""))
    result = build(_site(site_dir), now=NOW)
    assert len(result.removed) == 3
    assert not (site_dir / "feeds/tags/go").exists()
    assert (site_dir / "feeds/notes.txt").read_text() == "mine"


def test_invalid_post_writes_nothing(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """A build with a broken post leaves the previous feeds byte-identical."""
    write_post("a")
    build(_site(site_dir), now=NOW)
    before = _snapshot(site_dir / "feeds")
    write_post("b", "date: never\n")
    with pytest.raises(PostErrors):
        build(_site(site_dir), now=NOW)
    assert _snapshot(site_dir / "feeds") == before


def test_failure_while_staging_changes_nothing(
    site_dir: Path, write_post: Callable[..., Path]
) -> None:
    """A file that cannot be staged (its folder is a file) leaves every old feed and no temp file."""
    write_post("a", "tags: [go]\n")
    build(_site(site_dir), now=NOW)
    before = _snapshot(site_dir / "feeds")
    write_post("b", "tags: [rust]\ndate: 2024-06-01\n")
    (site_dir / "feeds/tags/rust").write_text("in the way")
    with pytest.raises(OutputError) as info:
        build(_site(site_dir), now=NOW)
    assert str(info.value).startswith(f"{site_dir / 'feeds/tags/rust'}/")
    after = _snapshot(site_dir / "feeds")
    assert after == {**before, "tags/rust": b"in the way"}


def test_posts_given_in_code(tmp_path: Path) -> None:
    """A Site and posts made in code build without any files but the output."""
    from postfeed import Post

    site = Site(title="Code", url="https://code.example", output_dir=tmp_path / "out")
    post = Post(
        slug="x",
        title="X",
        published=datetime(2024, 1, 1, tzinfo=UTC),
        html="<p>Hi <a href='/y'>y</a></p>",
    )
    build(site, [post], now=NOW)
    entry = feedparser.parse((tmp_path / "out/atom.xml").read_bytes()).entries[0]
    assert entry.content[0].value == '<p>Hi <a href="https://code.example/y">y</a></p>'
    assert load_posts.__name__ == "load_posts"
