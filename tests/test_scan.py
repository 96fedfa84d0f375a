"""A build's scan: front matter only, unchanged files not read, bodies read only for
posts that a feed shows."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import os
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from postfeed import Author, Post, PostErrors, build, load_posts, load_site, render
from postfeed._cache import Cache, encode, fingerprint
from postfeed.model import POST_FIELDS, Site, post_values, trusted_post
from postfeed.reading import _records
from postfeed.reading.scan import Archive, scan

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def archive_dir(
    site_dir: Path, write_post: Callable[..., Path], write_config: Callable[..., Path]
) -> Path:
    """Twelve posts in three feeds (all, even days, odd days) of at most three entries."""
    write_config("limit: 3\n")
    for day in range(1, 13):
        tag = "even" if day % 2 == 0 else "odd"
        write_post(f"p{day:02d}", f"date: 2024-01-{day:02d}\ntags: [{tag}]\n", f"Body *{day}*.\n")
    return site_dir


def _scanned(site: Site) -> Archive:
    """Scan with the site's cache and commit it, as a build does."""
    assert site.cache_dir is not None
    cache = Cache.open(site.cache_dir, fingerprint("test"))
    try:
        archive = scan(site, cache)
        archive.save(cache)
        cache.commit()
    finally:
        cache.close()
    return archive


def _scan(site_dir: Path) -> tuple[int, int]:
    """Scan as a build does; return (read, parsed)."""
    archive = _scanned(load_site(site_dir / "postfeed.yaml"))
    return archive.read, archive.parsed


def test_unchanged_files_are_not_read(archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose size, times and inode are unchanged is not read; one whose times
    changed is read but, if its front matter is the same, not parsed."""
    monkeypatch.setattr(_records, "SETTLE_NS", 0)
    assert _scan(archive_dir) == (12, 12)
    assert _scan(archive_dir) == (0, 0)
    path = archive_dir / "posts" / "p05.md"
    os.utime(path)
    assert _scan(archive_dir) == (1, 0)
    path.write_text(path.read_text().replace("Body", "New body"))
    assert _scan(archive_dir) == (1, 0)
    path.write_text(path.read_text().replace("tags: [odd]", "tags: [odd, new]"))
    assert _scan(archive_dir) == (1, 1)
    assert _scan(archive_dir) == (0, 0)


def test_recently_changed_files_are_checked_by_content(archive_dir: Path) -> None:
    """A file changed within the last moments may change again without its times
    changing, so it is read again (but not parsed) even though it looks the same."""
    assert _scan(archive_dir) == (12, 12)
    assert _scan(archive_dir) == (12, 0)


def test_recently_changed_files_settle(archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a scan reads a recently changed file after it has settled, its record
    says so, and the next scan trusts its times again instead of reading it."""
    monkeypatch.setattr(_records, "SETTLE_NS", 200_000_000)
    assert _scan(archive_dir) == (12, 12)
    assert _scan(archive_dir) == (12, 0)  # still within 0.2 s of the writes
    time.sleep(0.25)
    assert _scan(archive_dir) == (12, 0)  # read once more, and found settled
    assert _scan(archive_dir) == (0, 0)


def test_only_posts_in_feeds_are_rendered(archive_dir: Path) -> None:
    """Each post in the main feed or a tag feed is rendered once; no other post is."""
    site = load_site(archive_dir / "postfeed.yaml")
    result = build(site, now=NOW)
    # main: p12 p11 p10; even: p12 p10 p08; odd: p11 p09 p07
    assert result.renders == 6


def test_bodies_are_not_kept(archive_dir: Path) -> None:
    """A build keeps no post body in memory; load_posts reads every body."""
    site = load_site(archive_dir / "postfeed.yaml")
    result = build(site, now=NOW)
    assert all(post.markdown is None for post in result.published)
    assert all(post.body_offset is not None for post in result.published)
    loaded = {post.slug: post for post in load_posts(site)}
    assert loaded["p01"].markdown == "Body *1*.\n"
    assert loaded["p01"].body_offset is None
    # A scanned post still renders, reading its body on demand.
    for name in ("rss", "atom", "json"):
        assert render(site, result.published, name) == render(site, list(loaded.values()), name)


def test_post_changed_during_build(archive_dir: Path) -> None:
    """A post whose front matter changes between the scan and the reading of its body
    is an error, not a feed mixing two versions."""
    site = load_site(archive_dir / "postfeed.yaml")
    archive = scan(site)
    post = next(post for post in archive.posts if post.slug == "p12")
    assert archive.read_body(post) == "Body *12*.\n"
    path = archive_dir / "posts" / "p12.md"
    path.write_text(path.read_text().replace("tags: [even]", "tags: [odd]"))
    with pytest.raises(PostErrors) as info:
        archive.read_body(post)
    assert str(info.value) == f"{path}: changed during the build; build again"


def test_uncacheable_extra_keys(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Front matter whose extra keys JSON cannot hold exactly is read again each time,
    and kept exactly as YAML gave it."""
    monkeypatch.setattr(_records, "SETTLE_NS", 0)
    write_post("odd", "numbers: {1: one}\nwhen: !!timestamp 2024-01-01\n")
    write_post("plain", "colour: blue\n")
    assert _scan(site_dir) == (2, 2)
    assert _scan(site_dir) == (1, 1)
    site = load_site(site_dir / "postfeed.yaml")
    odd, plain = sorted(build(site, now=NOW).published, key=lambda post: post.slug)
    assert odd.extra == {"numbers": {1: "one"}, "when": date(2024, 1, 1)}
    assert plain.extra == {"colour": "blue"}


def test_cycle_collector_paused_during_build(archive_dir: Path) -> None:
    """The cycle collector does not run during a build, and is as before after it."""
    collections: list[str] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    site = load_site(archive_dir / "postfeed.yaml")
    gc.callbacks.append(record)
    try:
        assert gc.isenabled()
        build(site, now=NOW)
        assert collections == []
        assert gc.isenabled()
        gc.disable()
        build(site, now=NOW)
        assert not gc.isenabled()
        gc.enable()
        garbage = [[] for _ in range(5000)]  # enough new objects for a collection to run
        assert garbage
        assert collections  # the check above could see a collection
    finally:
        gc.enable()
        gc.callbacks.remove(record)


def test_checking_recent_files_rewrites_nothing(archive_dir: Path) -> None:
    """Reading a recently changed file again to check it leaves the cache as it was."""
    _scan(archive_dir)
    site = load_site(archive_dir / "postfeed.yaml")
    assert site.cache_dir is not None

    def stored() -> list[tuple[str, str]]:
        with contextlib.closing(sqlite3.connect(site.cache_dir / "cache.sqlite3")) as db:
            return sorted(db.execute("SELECT key, value FROM item WHERE kind = 'index'"))

    before = stored()
    assert before
    assert _scan(archive_dir) == (12, 0)
    assert stored() == before
    (archive_dir / "posts" / "p03.md").unlink()
    assert _scan(archive_dir) == (11, 0)
    assert stored() != before


def test_a_body_read_again_updates_the_saved_record(archive_dir: Path) -> None:
    """A record's JSON text, once made, is made again when reading the body for a feed
    finds its digest: the index the cache keeps holds the body's digest."""
    site = load_site(archive_dir / "postfeed.yaml")
    assert site.cache_dir is not None
    cache = Cache.open(site.cache_dir, fingerprint("test"))
    try:
        archive = scan(site, cache)
        post = next(p for p in archive.posts if p.slug == "p12")
        file = archive._file(post)
        assert file is not None
        before = file.to_text()
        assert before is not None
        assert archive.body_digest(post) is None  # not known before a feed needs the body
        assert archive.read_body(post) == "Body *12*.\n"
        assert archive.body_digest(post) is not None
        assert file.to_text() != before
        assert file.to_text() == encode(file.to_json())
        archive.save(cache)
        cache.commit()
    finally:
        cache.close()
    saved: dict[str, list[object]] = {}
    with contextlib.closing(sqlite3.connect(site.cache_dir / "cache.sqlite3")) as db:
        for (value,) in db.execute("SELECT value FROM item WHERE kind = 'index'"):
            saved.update(json.loads(value))
    assert saved["p12.md"][4] == archive.body_digest(post)


def _checked(post: Post) -> Post:
    """The post as ``Post.__init__`` makes it, with its checks, from the same values."""
    values = {f.name: getattr(post, f.name) for f in dataclasses.fields(Post)}
    del values["author"]  # made from ``authors``, as a scan gives them
    return Post(**values)


def test_posts_from_the_cache_are_the_posts_their_files_make(
    site_dir: Path,
    write_post: Callable[..., Path],
    write_config: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scan makes its posts without ``Post``'s checks (their values were checked as
    they were read): those of a first scan and those a second scan takes from the cache
    are the posts ``Post(...)`` makes of the same values, every field of them, and the
    cache's are the files', field for field."""
    write_config("authors:\n  ann: {name: Ann Lee, email: ann@example.com}\n")
    write_post(
        "every-key",
        "updated: 2024-02-01T08:00:00+01:00\nsummary: A *short* one.\ntags: [go, Testing]\n"
        "categories: [Notes]\nauthors: [ann, Bo]\nlang: de\ncontent: summary\n"
        "id: urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427\nmood: calm\n",
    )
    write_post("one-author", "author: {name: Cy, uri: 'https://cy.example.com/'}\n")
    write_post("no-author", "draft: true\n")
    write_post("left-out", "in_feeds: false\n")
    monkeypatch.setattr(_records, "SETTLE_NS", 0)
    site = load_site(site_dir / "postfeed.yaml")
    scans = [_scanned(site), _scanned(site)]
    assert (scans[0].read, scans[1].read) == (4, 0)  # the second scan's posts, from the cache
    for read, cached in zip(scans[0].posts, scans[1].posts, strict=True):
        for name in POST_FIELDS:
            assert getattr(cached, name) == getattr(read, name), name
    for posts in (scans[0].posts, scans[1].posts, load_posts(site)):
        assert [post.slug for post in posts] == ["every-key", "left-out", "no-author", "one-author"]
        for post in posts:
            checked = _checked(post)
            assert post == checked
            assert repr(post) == repr(checked)
            assert hash(post) == hash(checked)
            assert (post.extra, post.lines) == (checked.extra, checked.lines)
    every = scans[1].posts[0]
    assert every.author == Author(name="Ann Lee", email="ann@example.com")
    assert every.authors == (every.author, Author(name="Bo"))
    assert every.extra == {"mood": "calm"}
    assert scans[1].posts[2].author is None


@pytest.mark.parametrize("where", ["postfeed.yaml", "absolute"])
def test_scanned_posts_name_their_files_as_pathlib_does(
    site_dir: Path,
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    """A scan joins the posts folder and each file's name without parsing the name again
    (on Python 3.11, where ``/`` does): each post's path, from a first scan and from the
    cache, is the one ``/`` makes, part for part, with a relative folder too."""
    stems = ["héllo wörld", "a.b.c", "~tilde", "-dash", "x" * 200]
    for number, stem in enumerate(stems):
        write_post(stem, f"slug: p{number}\n")
    monkeypatch.setattr(_records, "SETTLE_NS", 0)
    monkeypatch.chdir(site_dir)
    config = Path(where) if where != "absolute" else site_dir / "postfeed.yaml"
    site = load_site(config)
    for archive in (_scanned(site), _scanned(site)):
        assert sorted(post.source.name for post in archive.posts if post.source) == sorted(
            f"{stem}.md" for stem in stems
        )
        for post in archive.posts:
            assert post.source is not None
            joined = site.posts_dir / post.source.name
            assert (post.source, str(post.source), post.source.parts) == (
                joined,
                str(joined),
                joined.parts,
            )
            assert hash(post.source) == hash(joined)
            assert post.source.parent == site.posts_dir
            assert post.source.read_text(encoding="utf-8").startswith("---\n")
    assert archive.read == 0


def test_a_trusted_post_is_the_post_its_values_make() -> None:
    """A post made without ``Post``'s checks, from the values of its fields in order,
    is the frozen Post those values make; a field with no value to fall back on is
    asked for, not left unset, and a value too many or too few is refused."""
    given: dict[str, object] = {
        "slug": "a",
        "title": "A",
        "published": NOW,
        "authors": (Author(name="Bo"), Author(name="Cy")),
        "extra": {"mood": "calm"},
        "lines": {"title": 2},
    }
    values = post_values(given)
    post = trusted_post(values)
    checked = Post(**given)  # type: ignore[arg-type]
    assert type(post) is Post
    assert (post, repr(post), hash(post)) == (checked, repr(checked), hash(checked))
    assert (post.author, post.extra, post.lines) == (
        Author(name="Bo"),
        {"mood": "calm"},
        {"title": 2},
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        post.title = "B"  # type: ignore[misc]
    assert trusted_post(post_values({**given, "authors": ()})).author is None
    for name in ("slug", "extra", "lines"):
        with pytest.raises(KeyError, match=name):
            post_values({key: value for key, value in given.items() if key != name})
    for wrong in (values[:-1], [*values, None]):
        with pytest.raises(TypeError):
            trusted_post(wrong)
