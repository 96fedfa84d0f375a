"""id_scheme: the default entry id is a tag URI, or with ``permalink`` the post's URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from postfeed import ConfigError, PostErrors, build, load_posts, load_site

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def test_tag_is_the_default(
    write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """Without id_scheme, ids are tag URIs and RSS guids are not permalinks."""
    site = load_site(write_config(""))
    assert site.id_scheme == "tag"
    write_post("hello")
    build(site, now=NOW)
    rss = (site.output_dir / "rss.xml").read_text(encoding="utf-8")
    assert '<guid isPermaLink="false">tag:blog.example.com,2024-05-01:hello</guid>' in rss


def test_permalink_scheme(
    write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """id_scheme: permalink makes every id the post's URL (as Hugo's RSS guid), except a pinned id."""
    site = load_site(write_config("id_scheme: permalink\npermalink: /{year}/{slug}/\n"))
    write_post("hello")
    write_post("kept", "id: tag:old.example,2020:kept\n")
    build(site, now=NOW)
    rss = (site.output_dir / "rss.xml").read_text(encoding="utf-8")
    assert '<guid isPermaLink="true">https://blog.example.com/2024/hello/</guid>' in rss
    assert '<guid isPermaLink="false">tag:old.example,2020:kept</guid>' in rss
    atom = feedparser.parse((site.output_dir / "atom.xml").read_bytes())
    assert not atom.bozo
    assert {entry.id for entry in atom.entries} == {
        "https://blog.example.com/2024/hello/",
        "tag:old.example,2020:kept",
    }
    for entry in atom.entries:
        if entry.id.startswith("https:"):
            assert entry.link == entry.id


def test_permalink_ids_must_be_unique(
    write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """A pinned id equal to another post's permalink id is reported as a duplicate."""
    site = load_site(write_config("id_scheme: permalink\n"))
    write_post("a")
    write_post("b", "id: https://blog.example.com/posts/a/\n")
    with pytest.raises(PostErrors) as info:
        load_posts(site)
    assert [str(e).split(": ", 1)[1] for e in info.value.errors] == [
        f"id 'https://blog.example.com/posts/a/' is also used by {site.posts_dir / 'a.md'}"
    ]


@pytest.mark.parametrize("value", ["uuid", "[tag]", "true"])
def test_unknown_scheme(write_config: Callable[..., Path], value: str) -> None:
    """Any other value is an error naming the two schemes."""
    path = write_config(f"id_scheme: {value}\n")
    with pytest.raises(ConfigError) as info:
        load_site(path)
    shown = {"uuid": "'uuid'", "[tag]": "a list", "true": "true"}[value]
    assert str(info.value) == (
        f"{path}:9: id_scheme: unknown id scheme {shown} (use tag or permalink)"
    )
