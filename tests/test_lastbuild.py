"""A build that changes nothing, told from the cache's record of the last build
without reading a post: it reports what a full build would, and any change to what
a build reads or writes makes a full build again, whose feeds equal those of a build
without a cache."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest

import postfeed
from postfeed import BuildResult, Post, Site, build, load_site
from postfeed.cli import main
from postfeed.reading import _records

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HUGO_SAMPLE = Path(__file__).parent / "data" / "generators" / "hugo" / "site"
# How long after its last change a post file counts as settled, as builds have it (the
# fixture below makes it 0 for every test that does not set it back).
SETTLE_NS = _records.SETTLE_NS


@pytest.fixture(autouse=True)
def _settle_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Post files count as settled as soon as they were written before a scan
    (builds otherwise read again, for two seconds, a file that has just changed)."""
    monkeypatch.setattr(_records, "SETTLE_NS", 0)


@pytest.fixture
def blog(
    site_dir: Path, write_post: Callable[..., Path], write_config: Callable[..., Path]
) -> Site:
    write_config("static: public\n")
    (site_dir / "public/img").mkdir(parents=True)
    (site_dir / "public/img/cover.png").write_bytes(b"\x89PNG" + b"\0" * 96)
    write_post("first", "date: 2025-01-01 09:00\ntags: [go]\nimage: /img/cover.png\n", "One.\n")
    write_post("second", "date: 2025-02-01 09:00\ntags: [go, rust]\n", "Two.\n")
    write_post("draft", "date: 2025-03-01\ndraft: true\n", "Not yet.\n")
    write_post("later", "date: 2099-06-01\n", "Scheduled.\n")
    return load_site(site_dir / "postfeed.yaml")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _plain(site: Site, tmp_path: Path, **options: object) -> dict[str, bytes]:
    """The feeds of a build without a cache, in a folder of their own."""
    out = tmp_path / "plain"
    if out.exists():
        for path in sorted(out.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
    build(replace(site, cache_dir=None, output_dir=out), **options)  # type: ignore[arg-type]
    return _files(out)


def _quick(result: BuildResult) -> bool:
    """Whether the build took its posts from the last build's record, unread."""
    return not isinstance(result.published, tuple)


def _settled(site: Site, **options: object) -> BuildResult:
    """Build until nothing is left to write and the record of the build can be trusted
    (a file written in the file system's current clock tick cannot be, yet)."""
    for _ in range(5):
        result = build(site, **options)  # type: ignore[arg-type]
        if _quick(result):
            return result
    raise AssertionError("no build found its record")


def test_unchanged_build_reports_what_a_full_build_does(blog: Site, tmp_path: Path) -> None:
    full = build(blog, now=NOW)
    assert not _quick(full)
    feeds = _files(blog.output_dir)
    quick = _settled(blog, now=NOW)
    again = build(replace(blog, cache_dir=None), now=NOW)
    assert _files(blog.output_dir) == feeds == _plain(blog, tmp_path, now=NOW)
    assert (quick.written, quick.removed) == ((), ())
    assert quick.unchanged == again.unchanged == tuple(sorted(full.written))
    assert (quick.renders, quick.formatted) == (0, 0)
    assert [(left.post.slug, left.reason) for left in quick.left_out] == [
        ("later", "future"),
        ("draft", "draft"),
    ]
    assert quick.left_out == again.left_out
    assert quick.warnings == again.warnings
    assert len(quick.published) == 2  # told by the record, before a post is made
    # The posts, made when looked at, are those a full build publishes, newest first.
    assert quick.published == again.published
    assert [post.slug for post in quick.published] == ["second", "first"]
    assert quick.published[-1].image is not None


def test_check_after_a_build(blog: Site, capsys: pytest.CaptureFixture[str]) -> None:
    _settled(blog, now=NOW)
    checked = build(blog, check=True, now=NOW)
    assert _quick(checked)
    assert (checked.checked, checked.stale) == (True, ())
    (blog.output_dir / "tags/rust/rss.xml").write_text("<rss/>")
    stale = build(blog, check=True, now=NOW)
    assert not _quick(stale)
    assert stale.stale == ((blog.output_dir / "tags/rust/rss.xml", "stale"),)


def _changes(site_dir: Path) -> dict[str, Callable[[], None]]:
    posts, feeds = site_dir / "posts", site_dir / "feeds"

    def edit_in_place() -> None:
        # A feed changed by hand, keeping its size and modification time.
        path = feeds / "atom.xml"
        stat, data = path.stat(), path.read_bytes()
        path.write_bytes(data.replace(b"Post second", b"Post SECOND"))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    return {
        "post edited": lambda: (posts / "first.md").write_text(
            (posts / "first.md").read_text().replace("One.", "One, edited.")
        ),
        "post added": lambda: (posts / "third.md").write_text(
            "---\ntitle: Third\ndate: 2025-04-01\n---\nThree.\n"
        ),
        "post removed": lambda: (posts / "draft.md").unlink(),
        "file left out added": lambda: (posts / "notes.markdown").write_text("# Notes\n"),
        "settings changed": lambda: (site_dir / "postfeed.yaml").write_text(
            (site_dir / "postfeed.yaml").read_text().replace("Test Blog", "Renamed Blog")
        ),
        "image resized": lambda: (site_dir / "public/img/cover.png").write_bytes(b"\0" * 300),
        "feed deleted": lambda: (feeds / "tags/go/atom.xml").unlink(),
        "feed edited in place": edit_in_place,
        "page deleted": lambda: (feeds / "index.html").unlink(),
    }


@pytest.mark.parametrize("change", list(_changes(Path())))
def test_any_change_makes_a_full_build(blog: Site, tmp_path: Path, change: str) -> None:
    """Whatever changed, the next build reads the posts again and writes what a build
    without a cache writes."""
    _settled(blog, now=NOW)
    _changes(blog.output_dir.parent)[change]()
    site = load_site(blog.output_dir.parent / "postfeed.yaml")
    result = build(site, now=NOW)
    assert not _quick(result)
    assert _files(site.output_dir) == _plain(site, tmp_path, now=NOW)
    quick = _settled(site, now=NOW)
    assert (quick.warnings, quick.left_out) == (result.warnings, result.left_out)
    if change == "file left out added":
        assert [w.split(": ", 1)[1] for w in quick.warnings] == [
            "Markdown is read from .md files only: rename it to notes.md; left out of the feeds"
        ]


def test_time_passing_publishes_a_scheduled_post(blog: Site) -> None:
    _settled(blog, now=NOW)
    assert _quick(build(blog, now=NOW + timedelta(days=30)))
    due = build(blog, now=datetime(2099, 6, 2, tzinfo=UTC))
    assert not _quick(due)
    assert [post.slug for post in due.published] == ["later", "second", "first"]
    # And back: a build at an earlier moment publishes what was published then.
    _settled(blog, now=datetime(2099, 6, 2, tzinfo=UTC))
    before = build(blog, now=datetime(2025, 1, 15, tzinfo=UTC), allow_id_change=True)
    assert not _quick(before)
    assert [post.slug for post in before.published] == ["first"]


def test_options_are_part_of_the_record(blog: Site) -> None:
    _settled(blog, now=NOW)
    with_drafts = build(blog, now=NOW, drafts=True)
    assert not _quick(with_drafts)
    assert "draft" in [post.slug for post in with_drafts.published]


def test_foreign_feed_file_is_reported(blog: Site) -> None:
    """A feed-named file that no build wrote, put in a feed folder, is left alone and
    reported, quick build or not."""
    _settled(blog, now=NOW)
    foreign = blog.output_dir / "tags/python/rss.xml"
    foreign.parent.mkdir()
    foreign.write_text("<rss/>")
    result = build(blog, now=NOW)
    assert result.left_alone == (foreign,)
    assert foreign.read_text() == "<rss/>"


def test_cli_reports_the_same(
    blog: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(blog.output_dir.parent)
    assert main(["build", "-v"]) == 0
    # The site as the command loads it (from ./postfeed.yaml), built until its record
    # can be trusted: every build the command makes now is a quick one.
    _settled(load_site(Path("postfeed.yaml")))
    capsys.readouterr()
    builds: list[BuildResult] = []

    def noted(*args: Any, **options: Any) -> BuildResult:
        builds.append(build(*args, **options))
        return builds[-1]

    monkeypatch.setattr(postfeed, "build", noted)
    for _ in range(3):
        assert main(["build", "-v"]) == 0
    assert [_quick(result) for result in builds] == [True] * 3
    quick = capsys.readouterr().out.splitlines()
    assert main(["build", "-v", "--no-cache"]) == 0
    full = capsys.readouterr().out.splitlines()
    assert quick[-len(full) :] == full
    assert "2 posts published, 2 left out (1 draft, 1 future)" in full[-1]
    feed = feedparser.parse(blog.output_dir / "atom.xml")
    assert [entry.title for entry in feed.entries] == ["Post second", "Post first"]


def test_the_build_right_after_an_edit_is_a_full_one(
    blog: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build makes a record only when every post file it read was last changed well
    before it read it (file times are too coarse to tell two quick saves apart): the
    build right after a quick series of edits is a full one, and so is the next."""
    _settled(blog, now=NOW)  # its feeds are old enough for their identities to be trusted
    monkeypatch.setattr(_records, "SETTLE_NS", SETTLE_NS)
    draft = blog.output_dir.parent / "posts/draft.md"
    draft.write_text(draft.read_text().replace("Not yet.", "Not yet, edited."))
    edited = build(blog, now=NOW)
    assert not _quick(edited)
    assert edited.written == ()  # a draft's text is in no feed: only the post is new
    again = build(blog, now=NOW)
    assert not _quick(again)
    assert (again.written, again.left_out) == ((), edited.left_out)


def test_posts_given_in_code_never_use_the_record(blog: Site) -> None:
    """A build of posts given in code reads no posts folder, so a record of one tells
    it nothing: every such build is a full one, even where a build reading the folder
    would be a quick one."""
    _settled(blog, now=NOW)
    given = [
        Post(
            slug="given",
            title="Given in code",
            published=datetime(2025, 5, 1, tzinfo=UTC),
            markdown="Made in code.\n",
        )
    ]
    results = [build(blog, posts=given, now=NOW) for _ in range(3)]
    assert [type(result.published) for result in results] == [tuple] * 3
    assert [post.slug for post in results[-1].published] == ["given"]


def test_a_site_read_from_another_generator_never_uses_the_record(tmp_path: Path) -> None:
    """A Hugo site's posts are read where Hugo keeps them, with Hugo's rules, on every
    build: no build of it is a quick one, with a cache or not."""
    config = tmp_path / "postfeed.yaml"
    config.write_text(f"source: hugo\nsource_dir: {HUGO_SAMPLE}\noutput: out\n")
    site = load_site(config)
    assert site.cache_dir == tmp_path / ".postfeed-cache"
    results = [build(site, now=NOW) for _ in range(3)]
    assert [type(result.published) for result in results] == [tuple] * 3
    assert results[-1].written == ()
    assert results[-1].published == results[0].published


def test_the_build_right_after_a_writing_build_is_quick(
    blog: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build confirms each file it wrote in the file system's current clock tick
    once the clock has moved on, by its bytes: the very next build trusts every file
    by its identity, hashes none, and takes the quick path; and so does the one after
    a build that wrote again after an edit."""
    from postfeed.rendering import _documents

    hashed: list[Path] = []
    file_digest = _documents._file_digest

    def counted(path: Path, bounds: Sequence[int]) -> str | None:
        hashed.append(path)
        return file_digest(path, bounds)

    monkeypatch.setattr(_documents, "_file_digest", counted)
    first = build(blog, now=NOW)
    assert not _quick(first)
    assert first.written
    after = len(hashed)  # what the first build hashed after writing, if anything
    assert _quick(build(blog, now=NOW))
    assert len(hashed) == after
    post = blog.posts_dir / "second.md"
    post.write_text(post.read_text().replace("Two.", "Two, edited."))
    edited = build(blog, now=NOW)
    assert not _quick(edited)
    assert edited.written
    after = len(hashed)
    assert _quick(build(blog, now=NOW))
    assert len(hashed) == after
