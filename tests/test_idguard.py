"""The id guard: a build never silently changes the id of an entry readers already have."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import feedparser
import pytest

from postfeed import IdChangeError, build, load_site
from postfeed.cli import main
from postfeed.formats import Format
from postfeed.model import PublishedEntry


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def blog(site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three published posts, built, run from the site folder."""
    monkeypatch.chdir(site_dir)
    for day, slug in enumerate(("a", "b", "c"), start=1):
        write_post(slug, f"date: 2024-05-0{day}T10:00:00+02:00\ntags: [go]\n")
    assert main(["build", "-q"]) == 0
    return site_dir


RENAMED = (
    "posts/b-renamed.md: the id of 'Post b' would change from"
    " 'tag:blog.example.com,2024-05-02:b' to 'tag:blog.example.com,2024-05-02:b-renamed',"
    " and readers would show the post again as new; keep the old one with"
    " 'id: tag:blog.example.com,2024-05-02:b' in its front matter, or build with"
    " --allow-id-change\n"
)


def test_renamed_slug_fails_and_writes_nothing(
    blog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A renamed post file fails the build with exit 2, naming the post and both ids."""
    before = _snapshot(blog / "feeds")
    (blog / "posts/b.md").rename(blog / "posts/b-renamed.md")
    assert main(["build"]) == 2
    assert capsys.readouterr() == ("", RENAMED)
    assert _snapshot(blog / "feeds") == before
    assert main(["build", "--check"]) == 2
    assert capsys.readouterr() == ("", RENAMED)


def test_allow_id_change(blog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--allow-id-change accepts the new id on purpose; the next build passes alone."""
    (blog / "posts/b.md").rename(blog / "posts/b-renamed.md")
    assert main(["build", "-q", "--allow-id-change"]) == 0
    parsed = feedparser.parse((blog / "feeds/atom.xml").read_bytes())
    assert "tag:blog.example.com,2024-05-02:b-renamed" in [e.id for e in parsed.entries]
    assert main(["build", "-q"]) == 0
    assert main(["build", "--check", "-q"]) == 0


def test_pinned_id_keeps_the_entry(blog: Path) -> None:
    """Front matter id, as the message suggests, keeps the old id and passes."""
    text = (blog / "posts/b.md").read_text()
    (blog / "posts/b.md").unlink()
    (blog / "posts/b-renamed.md").write_text(
        text.replace("---\n", "---\nid: tag:blog.example.com,2024-05-02:b\n", 1)
    )
    assert main(["build", "-q"]) == 0
    parsed = feedparser.parse((blog / "feeds/atom.xml").read_bytes())
    b = next(e for e in parsed.entries if e.title == "Post b")
    assert b.id == "tag:blog.example.com,2024-05-02:b"
    assert b.link == "https://blog.example.com/posts/b-renamed/"


def test_changed_site_url_names_every_post(
    blog: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A new host changes every default id: each post is named, sorted by file."""
    assert main(["build", "--url", "https://new.example.net/"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["posts/a.md", "posts/b.md", "posts/c.md"]
    assert "to 'tag:new.example.net,2024-05-01:a'" in lines[0]


def test_changed_permalink_keeps_ids(blog: Path, write_config: Callable[..., Path]) -> None:
    """Default ids do not depend on the permalink, so moving the URLs passes."""
    write_config("permalink: /{year}/{slug}.html\n")
    assert main(["build", "-q"]) == 0


def test_removed_post_is_named_by_its_feed(blog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A post deleted while older entries stay in the feed is reported with its old id and title."""
    (blog / "posts/b.md").unlink()
    assert main(["build"]) == 2
    assert capsys.readouterr().err == (
        "feeds/atom.xml: entry 'tag:blog.example.com,2024-05-02:b' ('Post b') would"
        " disappear while older entries stay in the feed; if its post was renamed, give it"
        " 'id: tag:blog.example.com,2024-05-02:b' in its front matter; if it was removed on"
        " purpose, build with --allow-id-change\n"
    )
    assert main(["build", "-q", "--allow-id-change"]) == 0


def test_removing_the_oldest_post_is_fine(blog: Path) -> None:
    """An entry older than every entry left in the feed may go: no reader sees a duplicate."""
    (blog / "posts/a.md").unlink()
    assert main(["build", "-q"]) == 0


def test_removing_the_only_post_is_fine(blog: Path) -> None:
    """A feed left with no entries has nothing a removed entry could be confused with."""
    for slug in ("a", "b", "c"):
        (blog / f"posts/{slug}.md").unlink()
    assert main(["build", "-q"]) == 0


def test_renaming_the_oldest_post_fails(blog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The oldest post under a new slug is still caught: its new entry is as old as the old one."""
    (blog / "posts/a.md").rename(blog / "posts/a2.md")
    assert main(["build"]) == 2
    assert "the id of 'Post a' would change" in capsys.readouterr().err


def test_leaving_the_window_is_fine(
    blog: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """An old post pushed out by a new one, or a tag taken off a post, is no id change."""
    write_config("limit: 3\n")
    write_post("d", "date: 2024-05-04T10:00:00+02:00\ntags: [go]\n")
    assert main(["build", "-q"]) == 0
    write_post("c", "date: 2024-05-03T10:00:00+02:00\ntags: [python]\n")
    assert main(["build", "-q"]) == 0


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_each_format_is_read_back(
    fmt: str, site_dir: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """The guard reads whichever format the site publishes."""
    write_config(f"formats: [{fmt}]\n")
    write_post("a", "date: 2024-05-01\n")
    write_post("b", "date: 2024-05-02\n")
    site = load_site(site_dir / "postfeed.yaml")
    build(site)
    (site_dir / "posts/a.md").rename(site_dir / "posts/a2.md")
    with pytest.raises(IdChangeError) as caught:
        build(site)
    [change] = caught.value.changes
    assert change.where.endswith("a2.md")
    assert (change.old_id, change.new_id) == (
        "tag:blog.example.com,2024-05-01:a",
        "tag:blog.example.com,2024-05-01:a2",
    )


def test_damaged_old_feed_is_replaced(blog: Path) -> None:
    """An unreadable feed file carries no ids; the build replaces it."""
    for path in (blog / "feeds").rglob("*"):
        if path.suffix in (".json", ".xml"):
            path.write_text("<not a feed")
    (blog / "posts/b.md").rename(blog / "posts/b-renamed.md")
    assert main(["build", "-q"]) == 0
    assert (blog / "feeds/atom.xml").read_bytes().startswith(b"<?xml")


def test_only_entries_inside_the_window_count(
    blog: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """With a full feed, an entry gone that is older than every remaining one is let go;
    one newer than the oldest remaining is not."""
    write_config("limit: 2\n")
    assert main(["build", "-q"]) == 0  # the feeds now hold c and b
    write_post("d", "date: 2024-05-04T10:00:00+02:00\ntags: [go]\n")
    (blog / "posts/b.md").unlink()
    assert main(["build", "-q"]) == 0  # d and c remain; b was the oldest
    write_post("e", "date: 2024-05-05T10:00:00+02:00\ntags: [go]\n")
    (blog / "posts/d.md").unlink()
    with pytest.raises(IdChangeError) as caught:
        build(load_site(blog / "postfeed.yaml"))
    assert [(c.old_id, c.new_id) for c in caught.value.changes] == [
        ("tag:blog.example.com,2024-05-04:d", None)
    ]


def test_guard_takes_published_entries_from_the_cache(
    blog: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The feed files a build wrote are not parsed again by the next build's guard: the
    cache holds their entries while the files keep the bytes written. Without the cache,
    or once a file changed by hand, the guard reads the files; either way it still
    catches a renamed post."""
    reads: list[str] = []

    read = Format.read

    def counted(fmt: Format, data: bytes | BinaryIO) -> tuple[PublishedEntry, ...]:
        reads.append(fmt.name)
        return read(fmt, data)

    monkeypatch.setattr(Format, "read", counted)
    (blog / "posts/c.md").write_text((blog / "posts/c.md").read_text() + "More.\n")
    assert main(["build", "-q"]) == 0
    assert reads == []
    assert main(["build", "-q", "--no-cache"]) == 0
    assert reads == ["atom", "atom"]  # the main feed and tags/go
    reads.clear()
    atom = blog / "feeds/atom.xml"
    atom.write_bytes(atom.read_bytes().replace(b">Post a</title>", b">A</title>"))
    (blog / "posts/b.md").rename(blog / "posts/b-renamed.md")
    assert main(["build"]) == 2
    assert capsys.readouterr().err == RENAMED
    assert reads == ["atom"]  # the changed main feed; tags/go from the cache
