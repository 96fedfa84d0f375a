"""The build cache: same bytes with and without it, only changes re-read and
re-rendered, and a corrupt, stale or foreign cache ignored."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from postfeed import BuildResult, OutputError, Site, build, load_site
from postfeed._cache import FILENAME
from postfeed.cli import main

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _site(site_dir: Path) -> Site:
    return load_site(site_dir / "postfeed.yaml")


def _plain(site: Site, tmp_path: Path) -> dict[str, bytes]:
    """The feeds of a build without any cache, in a folder of their own."""
    out = tmp_path / "plain"
    build(replace(site, cache_dir=None, output_dir=out), now=NOW)
    return _files(out)


def _build_fresh(site: Site) -> BuildResult:
    """Build into an empty output folder, so that every feed file is made again."""
    for path in sorted(site.output_dir.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    return build(site, now=NOW)


@pytest.fixture
def blog(site_dir: Path, write_post: Callable[..., Path]) -> Path:
    """A site whose posts use every part of the pipeline: summaries, <!--more-->,
    tags, relative links, dates without offsets and an unknown key."""
    write_post(
        "first",
        "date: 2024-01-01 09:00\ntags: [go, testing]\nsumary: typo\n",
        "Intro with [a link](../second/).\n\n<!--more-->\n\nThe rest, `code`.\n",
    )
    write_post(
        "second",
        "date: 2024-02-01T10:00:00+05:00\ntags: [go]\nsummary: '*Short* one.'\n",
        "# Heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![img](/img/x.png)\n",
    )
    write_post("third", "date: 2024-03-01\ndraft: true\n", "Draft text.\n")
    for day in range(1, 6):
        write_post(f"old-{day}", f"date: 2023-05-0{day}\ntags: [archive]\n", f"Old post {day}.\n")
    return site_dir


def test_cached_builds_are_byte_identical(blog: Path, tmp_path: Path) -> None:
    """A cold build, a warm rebuild and a warm build into an empty folder all equal
    a build without a cache, byte for byte."""
    site = _site(blog)
    expected = _plain(site, tmp_path)
    cold = build(site, now=NOW)
    assert cold.renders > 0
    assert _files(site.output_dir) == expected
    warm = _build_fresh(site)
    assert warm.renders == 0
    assert _files(site.output_dir) == expected
    assert (blog / ".postfeed-cache" / "cache.sqlite3").is_file()


def test_rebuild_renders_only_what_changed(
    blog: Path, tmp_path: Path, write_post: Callable[..., Path]
) -> None:
    """An unchanged rebuild renders nothing and writes nothing; an edited post is
    rendered again, alone."""
    site = _site(blog)
    build(site, now=NOW)
    unchanged = build(site, now=NOW)
    assert (unchanged.renders, unchanged.written) == (0, ())
    path = blog / "posts" / "second.md"
    path.write_text(path.read_text().replace("# Heading", "# New heading"))
    edited = build(site, now=NOW)
    assert edited.renders == 1
    assert {p.name for p in edited.written} == {"rss.xml", "atom.xml", "feed.json"}
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_new_and_removed_posts(blog: Path, tmp_path: Path, write_post: Callable[..., Path]) -> None:
    """Adding a post renders it alone; removing one drops it from the feeds."""
    site = _site(blog)
    build(site, now=NOW)
    write_post("newest", "date: 2024-04-01\ntags: [go]\n", "Brand new.\n")
    added = build(site, now=NOW)
    assert added.renders == 1
    assert _files(site.output_dir) == _plain(site, tmp_path)
    (blog / "posts" / "newest.md").unlink()
    removed = build(site, now=NOW, allow_id_change=True)  # removed on purpose
    assert removed.renders == 0
    assert "Brand new" not in (site.output_dir / "feed.json").read_text()
    assert _files(site.output_dir) == _plain(site, tmp_path / "again")


def test_warnings_on_cached_loads(blog: Path) -> None:
    """A post read from the cache still reports its warnings, with path and line."""
    site = _site(blog)
    expected = (
        f"{blog / 'posts' / 'first.md'}:5: unknown key 'sumary' is ignored (did you mean 'summary'?)",
    )
    assert build(site, now=NOW).warnings == expected
    second = build(site, now=NOW)
    assert second.renders == 0
    assert second.warnings == expected


def test_edit_keeping_size_and_mtime(blog: Path, tmp_path: Path) -> None:
    """A post rewritten with the same size and its old modification time is still read again."""
    site = _site(blog)
    build(site, now=NOW)
    path = blog / "posts" / "old-3.md"
    before = path.stat()
    path.write_text(path.read_text().replace("Old post 3.", "New post 3."))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    build(site, now=NOW)
    assert "New post 3." in (site.output_dir / "tags/archive/feed.json").read_text()
    assert _files(site.output_dir) == _plain(site, tmp_path)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("timezone: Europe/Berlin", "timezone: UTC"),
        ("url: https://blog.example.com/", "url: https://elsewhere.example.net/"),
        ("language: en", "permalink: /{year}/{slug}.html"),
        ("language: en", "language: de"),
        ("  name: Ada Example", "  name: Ada Other"),
        ("language: en", "language: en\nid_scheme: permalink"),
        ("language: en", "language: en\nfeeds_url: https://cdn.example.org/f/"),
        ("language: en", "language: en\narchive: 2"),
    ],
)
def test_site_changes_are_not_served_from_the_cache(
    blog: Path, tmp_path: Path, write_config: Callable[..., Path], old: str, new: str
) -> None:
    """Changing the time zone, URL, permalinks, language, author, id scheme or feeds
    URL, or adding an archive, changes the feeds as without a cache."""
    build(_site(blog), now=NOW)
    config = (blog / "postfeed.yaml").read_text()
    assert old in config
    write_config(config.replace(old, new), replace=True)
    site = _site(blog)
    build(site, now=NOW, allow_id_change=True)  # a new url changes the default ids
    assert _files(site.output_dir) == _plain(site, tmp_path)


@contextlib.contextmanager
def _cache_db(blog: Path) -> Iterator[sqlite3.Connection]:
    """The cache file, opened directly (and closed after)."""
    db = sqlite3.connect(blog / ".postfeed-cache" / "cache.sqlite3", isolation_level=None)
    try:
        yield db
    finally:
        db.close()


def test_corrupt_cache_is_replaced(blog: Path, tmp_path: Path) -> None:
    """A cache file that is not a database is ignored, then replaced with a good one."""
    site = _site(blog)
    cold = build(site, now=NOW)
    (blog / ".postfeed-cache" / "cache.sqlite3").write_bytes(
        b"SQLite format 3\x00" + b"\xff" * 4000
    )
    again = _build_fresh(site)
    assert again.renders == cold.renders
    assert _files(site.output_dir) == _plain(site, tmp_path)
    assert _build_fresh(site).renders == 0


def test_tampered_values_are_not_trusted(blog: Path, tmp_path: Path) -> None:
    """A cached value changed behind postfeed's back fails its checksum: that post is
    read and rendered again, the others still come from the cache."""
    site = _site(blog)
    build(site, now=NOW)
    with _cache_db(blog) as db:
        changed = db.execute(
            "UPDATE item SET value = replace(value, 'Heading', 'Hacked')"
            " WHERE kind IN ('html', 'parts') AND value LIKE '%Heading%'"
        ).rowcount
        db.execute("UPDATE item SET value = '[]' WHERE kind = 'index'")
    assert changed == 1  # the second post's rendered body
    again = _build_fresh(site)
    assert again.renders == 1
    assert b"Hacked" not in b"".join(_files(site.output_dir).values())
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_foreign_or_stale_cache_is_ignored(blog: Path, tmp_path: Path) -> None:
    """A cache made by another version of postfeed or its libraries (another header) is
    not used, and is replaced."""
    site = _site(blog)
    cold = build(site, now=NOW)
    with _cache_db(blog) as db:
        db.execute("UPDATE meta SET value = 'another version' WHERE name = 'header'")
    assert _build_fresh(site).renders == cold.renders
    assert _files(site.output_dir) == _plain(site, tmp_path)
    assert _build_fresh(site).renders == 0


def test_other_sqlite_file_is_ignored(blog: Path, tmp_path: Path) -> None:
    """A database of someone else's where the cache should be is not read."""
    folder = blog / ".postfeed-cache"
    folder.mkdir()
    with contextlib.closing(sqlite3.connect(folder / "cache.sqlite3")) as db, db:
        db.execute("CREATE TABLE item (kind, key, value, checksum)")
        db.execute("INSERT INTO item VALUES ('parts', 'x', '[]', 'y')")
    site = _site(blog)
    assert build(site, now=NOW).renders > 0
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_cache_that_cannot_be_written(
    blog: Path, tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    """When the cache folder cannot be made, the build succeeds without it."""
    write_config("cache: in-the-way\n")
    (blog / "in-the-way").write_text("a file, not a folder")
    site = _site(blog)
    assert build(site, now=NOW).written
    assert build(site, now=NOW).renders > 0
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_check_writes_no_cache(blog: Path) -> None:
    """build --check writes nothing, not even the cache, and counts what it did as a
    build does; a check after a build renders and formats nothing."""
    checked = build(_site(blog), check=True, now=NOW)
    assert (checked.renders, checked.formatted) == (7 + 1, 7 * 3)
    assert not (blog / ".postfeed-cache").exists()
    build(_site(blog), now=NOW)
    again = build(_site(blog), check=True, now=NOW)
    assert (again.renders, again.formatted, again.stale) == (0, 0, ())


def test_cache_settings(
    blog: Path, write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """cache: false and --no-cache use no cache; cache: FOLDER puts it there, marked
    as a cache for git and backup tools."""
    write_config("cache: false\n")
    assert _site(blog).cache_dir is None
    write_config("cache: build/cache\n")
    (blog / "build").mkdir()
    site = _site(blog)
    assert site.cache_dir == blog / "build/cache"
    build(site, now=NOW)
    assert (blog / "build/cache/.gitignore").read_text().splitlines()[-1] == "*"
    assert (
        (blog / "build/cache/CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    write_config("")
    monkeypatch.chdir(blog)
    assert main(["build", "-q", "--no-cache"]) == 0
    assert not (blog / ".postfeed-cache").exists()
    assert main(["build", "-q"]) == 0
    assert (blog / ".postfeed-cache" / "cache.sqlite3").is_file()


def test_cache_setting_error(site_dir: Path, write_config: Callable[..., Path]) -> None:
    """A cache value that is neither a boolean nor a folder is an error with its line."""
    path = write_config("cache: 5\n")
    from postfeed import ConfigError

    with pytest.raises(ConfigError) as info:
        load_site(path)
    assert str(info.value) == f"{path}:9: cache: expected true, false or a folder, got 5"


def test_cache_keeps_only_what_the_last_build_used(blog: Path) -> None:
    """Rendered HTML of a body that no longer exists is dropped from the cache."""
    site = _site(blog)
    build(site, now=NOW)
    path = blog / "posts" / "second.md"
    for word in ("One", "Two", "Three"):
        path.write_text(
            path.read_text()
            .replace("# Heading", f"# {word}")
            .replace("# One", f"# {word}")
            .replace("# Two", f"# {word}")
        )
        build(site, now=NOW)
    with _cache_db(blog) as db:
        values = [
            value  # rendered HTML is stored as it is, after a mark
            for (value,) in db.execute("SELECT value FROM item WHERE kind = 'html'")
        ]
    bodies = [value for value in values if "<table>" in value]
    assert len(bodies) == 1
    assert "Three" in bodies[0]


def test_feed_files_changed_by_hand_are_rewritten(blog: Path, tmp_path: Path) -> None:
    """A feed file edited since the last build is made again, though its feed did not change."""
    site = _site(blog)
    build(site, now=NOW)
    atom = site.output_dir / "atom.xml"
    atom.write_bytes(atom.read_bytes().replace(b"Test Blog", b"Hand-edited"))
    result = build(site, now=NOW)
    assert [path.name for path in result.written] == ["atom.xml"]
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_feed_file_edited_in_place_keeping_size_and_mtime_is_rewritten(blog: Path) -> None:
    """A feed file changed by hand to bytes of the same size, its modification time put
    back, is still not taken as the one the last build wrote: its change time and the
    file system's clock tell."""
    site = _site(blog)
    build(site, now=NOW)
    atom = site.output_dir / "atom.xml"
    written = atom.read_bytes()
    before = atom.stat()
    edited = written.replace(b"Test Blog", b"Tost Blog")
    assert len(edited) == len(written)
    assert edited != written
    atom.write_bytes(edited)
    os.utime(atom, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = build(site, now=NOW)
    assert [path.name for path in result.written] == ["atom.xml"]
    assert atom.read_bytes() == written


def test_failed_build_leaves_the_cache_as_it_was(blog: Path, tmp_path: Path) -> None:
    """A build that fails after rendering commits nothing to the cache: all or nothing."""
    site = _site(blog)
    cold_renders = 7 + 1  # seven published posts, one summary
    site.output_dir.write_text("a file where the feeds go")
    with pytest.raises(OutputError):
        build(site, now=NOW)
    site.output_dir.unlink()
    assert build(site, now=NOW).renders == cold_renders
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_a_build_that_fails_once_its_files_are_written_commits_nothing(
    blog: Path, write_post: Callable[..., Path], tmp_path: Path
) -> None:
    """What a build is to record of the posts it scanned and the files it wrote is staged
    in the cache while the files are written; a build that fails after that (a folder
    stands where the index page goes) commits none of it: the cache holds what it held,
    and the next build makes the feeds a build without a cache makes."""
    site = _site(blog)
    build(site, now=NOW)
    path = blog / "posts" / "second.md"
    path.write_text(path.read_text().replace("# Heading", "# New heading"))
    write_post("added", "date: 2024-06-01T10:00:00+02:00\n", "Added.\n")
    assert site.cache_dir is not None
    stored = site.cache_dir / FILENAME

    def rows() -> list[tuple[str, str, str]]:
        with contextlib.closing(sqlite3.connect(stored)) as db:
            return db.execute("SELECT kind, key, value FROM item ORDER BY kind, key").fetchall()

    before = rows()
    page = site.output_dir / "index.html"  # compared once the feed files are written
    page.unlink()
    page.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        build(site, now=NOW)
    assert rows() == before
    page.rmdir()
    assert build(site, now=NOW).renders == 2  # the edited post and the added one
    assert rows() != before
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_entries_are_formatted_once_and_kept(blog: Path, tmp_path: Path) -> None:
    """A cold build formats each entry once per format, though the main feed and tag
    feeds show it; after one edit only that entry is formatted again, the others are
    taken from the files the last build wrote; the bytes equal a build without a cache."""
    site = _site(blog)
    cold = build(site, now=NOW)
    assert cold.formatted == 7 * 3  # seven published posts, three formats
    assert build(site, now=NOW).formatted == 0
    path = blog / "posts" / "second.md"
    path.write_text(path.read_text().replace("# Heading", "# New heading"))
    edited = build(site, now=NOW)
    assert edited.formatted == 3
    assert {str(p.relative_to(site.output_dir)) for p in edited.written} >= {
        "atom.xml",
        "tags/go/feed.json",
    }
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_a_site_named_another_way_keeps_its_entries(
    blog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache knows a site's files however its folders are named: after a build of
    the site loaded from its own folder by a relative path, an edit built with the site
    loaded by its absolute path (then the other way again) formats the edited entry
    alone, in each format, and renders it alone. The site has a static folder, which
    the entries' images are measured in."""
    (blog / "static" / "img").mkdir(parents=True)
    (blog / "static" / "img" / "x.png").write_bytes(b"\x89PNG" + b"\0" * 60)
    config = blog / "postfeed.yaml"
    config.write_text(config.read_text() + "static: static\n")
    monkeypatch.chdir(blog)
    relative = load_site(Path("postfeed.yaml"))
    absolute = load_site(blog / "postfeed.yaml")
    assert not relative.output_dir.is_absolute()
    assert relative.static_dir is not None
    assert not relative.static_dir.is_absolute()
    assert build(relative, now=NOW).formatted == 7 * 3
    path = blog / "posts" / "second.md"
    for site, heading in ((absolute, "# New heading"), (relative, "# Newer heading")):
        path.write_text(re.sub("^# .*$", heading, path.read_text(), flags=re.M))
        edited = build(site, now=NOW)
        assert (edited.renders, edited.formatted) == (1, 3)
    assert _files(blog / "feeds") == _plain(absolute, tmp_path)


def test_a_feed_files_digest_is_made_of_its_pieces(tmp_path: Path) -> None:
    """The digest the writer makes of a file, from the bytes between its entries and a
    digest of each entry (a run of kept entries brings its digests along), is the one
    its bytes give when read back with its entries' bounds; a byte changed anywhere,
    or the same bytes with their entries elsewhere, give another."""
    from postfeed.rendering import _documents

    head, tail, separator = b"<feed>", b"</feed>", b"\n"
    entries = [b"<entry>1</entry>", b"<entry>22</entry>", b"<entry>333</entry>"]
    data = head + separator.join(entries) + tail
    bounds: list[int] = []
    at = len(head)
    for entry in entries:
        bounds += (at, at + len(entry))
        at += len(entry) + len(separator)
    path = tmp_path / "feed.xml"
    path.write_bytes(data)
    written = _documents._Pieces()
    written.between(head)
    written.between(separator, times=2)  # as a run of the three entries gives them
    written.between(tail)
    digests = b"".join(map(_documents._entry_digest, entries))
    assert _documents._file_digest(path, bounds) == written.digest(digests)
    one_by_one = _documents._Pieces()
    for piece in (head, separator, separator, tail):
        one_by_one.between(piece)
    assert one_by_one.digest(digests) == written.digest(digests)
    found = set()
    for at in range(len(data)):
        changed = bytearray(data)
        changed[at] ^= 1
        path.write_bytes(changed)
        found.add(_documents._file_digest(path, bounds))
    assert len(found) == len(data)
    assert written.digest(digests) not in found
    path.write_bytes(data)
    elsewhere = [bounds[0], bounds[1] + 1, *bounds[2:]]
    assert _documents._file_digest(path, elsewhere) not in {written.digest(digests), None}
    assert _documents._file_digest(path, [*bounds[:-1], len(data) + 1]) is None  # past its end


def test_entries_are_not_kept_from_a_file_changed_by_hand(blog: Path, tmp_path: Path) -> None:
    """A feed file whose bytes are not those the cache recorded gives no entries: they
    are formatted again, and the file is made whole."""
    site = _site(blog)
    build(site, now=NOW)
    atom = site.output_dir / "atom.xml"
    atom.write_bytes(atom.read_bytes().replace(b"Old post 3.", b"Old post 9."))
    path = blog / "posts" / "second.md"
    path.write_text(path.read_text().replace("# Heading", "# New heading"))
    result = build(site, now=NOW)
    # Only the edited entry, in each format: the other Atom entries are taken from
    # intact files (tags/archive/atom.xml holds the old posts, tags/go/atom.xml the
    # first), never from the changed one.
    assert result.formatted == 3
    assert b"Old post 9." not in atom.read_bytes()
    assert _files(site.output_dir) == _plain(site, tmp_path)


def test_content_of_kept_entries_is_never_read(blog: Path, tmp_path: Path) -> None:
    """After one edit, the other entries are kept from the feed files and their
    rendered HTML is not read from the cache at all: a damaged one goes unnoticed
    until some file needs that entry formatted again, and then it is rendered again."""
    site = _site(blog)
    build(site, now=NOW)
    with _cache_db(blog) as db:
        damaged = db.execute(
            "UPDATE item SET value = replace(value, 'Old post 3.', 'Damaged')"
            " WHERE kind = 'html' AND value LIKE '%Old post 3.%'"
        ).rowcount
    assert damaged == 1
    path = blog / "posts" / "second.md"
    path.write_text(path.read_text().replace("# Heading", "# New heading"))
    edited = build(site, now=NOW)
    assert (edited.renders, edited.formatted) == (1, 3)
    assert _files(site.output_dir) == _plain(site, tmp_path)
    again = _build_fresh(site)  # every entry formatted: the damaged one is rendered again
    assert (again.renders, again.formatted) == (1, 7 * 3)
    assert _files(site.output_dir) == _plain(site, tmp_path / "again")


def test_template_code_warning_follows_the_body(
    site_dir: Path,
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The warning about a Hugo shortcode comes from the body: kept while the file is
    unchanged (its record taken from the cache), gone once the body loses it though the
    front matter stays the same."""
    monkeypatch.chdir(site_dir)
    write_post("a", "sumary: typo\n", "{{< note >}}\n")
    warnings = (
        "posts/a.md:3: unknown key 'sumary' is ignored (did you mean 'summary'?)\n"
        "posts/a.md:6: Hugo shortcode {{< note >}} is not run with source: postfeed: the"
        " feeds show it as written (set source: hugo to read the Hugo site where it stands)\n"
    )
    assert main(["build", "-q"]) == 0
    assert main(["build"]) == 0
    assert capsys.readouterr().err == warnings
    write_post("a", "sumary: typo\n", "No template code now, and a longer body.\n")
    assert main(["build"]) == 0
    assert capsys.readouterr().err == warnings.splitlines(keepends=True)[0]
    assert main(["build", "--check"]) == 0
    assert capsys.readouterr().err == warnings.splitlines(keepends=True)[0]


def test_page_cache_is_limited(tmp_path: Path) -> None:
    """SQLite's page cache is 8 MiB at most, as CHANGELOG says (it was 32), on a
    connection that writes and on one that only reads."""
    from postfeed._cache import Cache

    for write in (True, False):
        cache = Cache.open(tmp_path / "cache", "fingerprint", write=write)
        try:
            assert cache._db is not None
            # Negative: a size in KiB rather than in pages.
            assert cache._db.execute("PRAGMA cache_size").fetchone() == (-8192,)
        finally:
            cache.close()


def _past_the_clock(folder: Path) -> None:
    """Wait until the file system's clock in ``folder`` is past the times of every file there."""
    from postfeed.writing import _fs

    stats = [path.stat() for path in folder.rglob("*") if path.is_file()]
    latest = max(max(stat.st_mtime_ns, stat.st_ctime_ns) for stat in stats)
    while _fs.clock(folder) <= latest:
        time.sleep(0.001)


def test_feed_files_with_their_recorded_identity_are_not_hashed(
    blog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed file that still has the size, times and inode the cache recorded, and was
    last changed before the clock read after the build that wrote it, is taken as written
    without its bytes being hashed: after one edit, no feed file is hashed to decide what
    to write. Only a file written again may be hashed, once, after it is in place: when
    it was written in the clock's current tick, to trust its identity from then on."""
    from postfeed.rendering import _documents

    site = _site(blog)
    build(site, now=NOW)
    # The clock read just after writing may not be past the times of files written just
    # before it; a build after the clock has moved on settles them.
    _past_the_clock(site.output_dir)
    build(site, now=NOW)
    with _cache_db(blog) as db:
        stamps = [
            json.loads(v) for (v,) in db.execute("SELECT value FROM item WHERE kind = 'output'")
        ]
    assert len(stamps) == 4 * 3  # the main feed and three tags, in three formats
    assert all(stamp["settled"] for stamp in stamps)
    hashed: list[tuple[str, Path]] = []  # when each file was hashed, and which
    stage = ["deciding"]
    file_digest, save = _documents._file_digest, _documents.Outputs.save

    def counted(path: Path, bounds: Sequence[int]) -> str | None:
        hashed.append((stage[0], path))
        return file_digest(path, bounds)

    def saving(self: _documents.Outputs, extra: Any = None) -> Any:
        stage[0] = "saving"
        return save(self, extra)

    monkeypatch.setattr(_documents, "_file_digest", counted)
    monkeypatch.setattr(_documents.Outputs, "save", saving)
    path = blog / "posts" / "second.md"
    path.write_text(path.read_text().replace("# Heading", "# New heading"))
    edited = build(site, now=NOW)
    assert {str(p.relative_to(site.output_dir)) for p in edited.written} == {
        *("rss.xml", "atom.xml", "feed.json"),
        *("tags/go/rss.xml", "tags/go/atom.xml", "tags/go/feed.json"),
    }
    assert len(edited.unchanged) > len(edited.written)
    assert all(when == "saving" for when, _ in hashed)
    paths = [path for _, path in hashed]
    assert set(paths) <= set(edited.written)
    assert len(paths) == len(set(paths))
    assert _files(site.output_dir) == _plain(site, tmp_path)
