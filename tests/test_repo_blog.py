"""This repository's own blog: its posts, and its committed feeds as golden files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest

from postfeed import Post, load_posts, load_site
from postfeed.cli import main

ROOT = Path(__file__).parent.parent
INDEX = Path(__file__).parent / "data" / "posts-index.txt"
VOCABULARY = {
    "go",
    "concurrency",
    "distributed-systems",
    "testing",
    "performance",
    "architecture",
    "reliability",
}
_INTERNAL = re.compile(r'href="https://goinproduction\.dev/posts/([^/"#]+)/')


@pytest.fixture(scope="module")
def posts() -> list[Post]:
    """The blog's posts, newest first."""
    site = load_site(ROOT / "postfeed.yaml")
    return sorted(load_posts(site), key=lambda p: p.published, reverse=True)


def _index() -> list[tuple[str, str]]:
    lines = [
        line.strip() for line in INDEX.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert lines[0] == "Posts"
    return list(zip(lines[1::2], lines[2::2], strict=True))


def test_committed_feeds_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    """postfeed build --check passes on the repository: feeds/ matches the posts."""
    assert main(["build", "--check", "--config", str(ROOT / "postfeed.yaml")]) == 0, (
        capsys.readouterr().err
    )


def test_titles_match_the_index(posts: list[Post]) -> None:
    """The ten titles are the index's, in its order, newest first."""
    assert [post.title for post in posts] == [title for title, _ in _index()]


def test_summaries_are_the_index_with_typos_fixed(posts: list[Post]) -> None:
    """Each summary is the index's one-liner, with its two typos corrected."""
    expected = [
        summary.replace("exploires", "explores").replace("When Services", "When services")
        for _, summary in _index()
    ]
    assert [post.summary for post in posts] == expected


def test_every_post_is_complete(posts: list[Post]) -> None:
    """Every post loads with the required fields, is published, and is long-form."""
    assert len(posts) == 10
    for post in posts:
        assert post.source is not None
        assert post.slug == post.source.stem
        assert post.published.utcoffset() is not None
        assert post.published.year in (2025, 2026)
        assert not post.draft
        assert 2 <= len(post.tags) <= 4
        assert set(post.tags) <= VOCABULARY
        assert post.markdown is not None
        words = len(post.markdown.split())
        assert 1200 <= words <= 2600, (post.slug, words)
        assert "```go" in post.markdown
        assert post.warnings == ()
    assert sum(post.updated is not None for post in posts) in (1, 2)


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_feeds_carry_every_post_in_full(posts: list[Post], name: str) -> None:
    """Each committed feed parses and holds all ten posts with full content and working links."""
    parsed = feedparser.parse((ROOT / "feeds" / name).read_bytes())
    assert not parsed.bozo
    assert [entry.title for entry in parsed.entries] == [post.title for post in posts]
    slugs = {post.slug for post in posts}
    for entry, post in zip(parsed.entries, posts, strict=True):
        assert entry.link == f"https://goinproduction.dev/posts/{post.slug}/"
        content = entry.content[0].value
        assert len(content) > 5000
        assert 'href="/' not in content
        assert 'src="/' not in content
        assert set(_INTERNAL.findall(content)) <= slugs


def test_json_feed_and_tag_feeds(posts: list[Post]) -> None:
    """The JSON Feed holds every post, and every tag in use has its own feeds."""
    feed = json.loads((ROOT / "feeds/feed.json").read_bytes())
    assert [item["title"] for item in feed["items"]] == [post.title for post in posts]
    for tag in {tag for post in posts for tag in post.tags}:
        tagged = json.loads((ROOT / "feeds/tags" / tag / "feed.json").read_bytes())
        assert len(tagged["items"]) == sum(tag in post.tags for post in posts)
