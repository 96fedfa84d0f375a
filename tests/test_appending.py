"""Runs of entries kept from the files the last build wrote are appended to the new files
in a background thread (see docs/performance.md): the bytes are those of a build without
a cache, a file whose bytes come out as they were stays as it was, what the cache records
of the files holds for the next build, and a build that fails meanwhile leaves every old
feed as it was.

Runs of 4 MiB and more are appended so; here every run is, so that small sites take
that path."""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from postfeed import IdChangeError, OutputError, Post, Site, _cache, build, load_site, pipeline
from postfeed.formats import FORMATS
from postfeed.model import PublishedEntry
from postfeed.rendering import _documents, _prepare, markup
from postfeed.rendering.entries import Facts
from postfeed.writing import _fs

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TEMP = ".postfeed-*.tmp"
FILES = sorted(fmt.filename for fmt in FORMATS.values())  # the main feed's, one a format


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _plain(site: Site, folder: Path) -> dict[str, bytes]:
    """The feeds of a build without a cache, into ``folder``."""
    build(replace(site, cache_dir=None, output_dir=folder), now=NOW)
    return _files(folder)


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("postfeed-")]


@pytest.fixture
def appended(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """Every run of kept entries appended in the background; the runs, as (the file they
    come from, start, end)."""
    monkeypatch.setattr(_documents, "_BACKGROUND", 1)
    runs: list[tuple[str, int, int]] = []
    append = _fs._append

    def noted(job: _fs._Append) -> None:
        runs.append((job.name.name, job.start, job.end))
        append(job)

    monkeypatch.setattr(_fs, "_append", noted)
    return runs


@pytest.fixture
def site(
    site_dir: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> Site:
    """A feed of every post: twenty posts of a few KiB, p00 the oldest."""
    write_config("limit: 0\ntag_feeds: false\n")
    for number in range(20):
        write_post(f"p{number:02d}", f"date: 2024-01-{number + 1:02d}\n", _body(number))
    return load_site(site_dir / "postfeed.yaml")


def _body(number: int, extra: str = "") -> str:
    return f"Post {number} says [this](/{number}/).\n\n" + "Some words. " * 200 + extra + "\n"


def test_appended_files_are_a_plain_builds(
    site: Site,
    tmp_path: Path,
    write_post: Callable[..., Path],
    appended: list[tuple[str, int, int]],
) -> None:
    """After editing the oldest post (the last entry of every file) to another size, and
    then to the same size, the files are those of a build without a cache, and most of
    each came from the old file in the background."""
    out = site.output_dir
    build(site, now=NOW)
    assert appended == []  # nothing to keep from an empty folder
    for number, edit in enumerate(["Longer words.", "Longer wordz."], start=1):
        write_post("p00", "date: 2024-01-01\n", _body(0, edit))
        result = build(site, now=NOW)
        assert result.formatted == len(FILES)  # the one entry, in each format
        assert _files(out) == _plain(site, tmp_path / f"plain{number}")
        assert sorted(name for name, _, _ in appended) == FILES
        for name, start, end in appended:
            assert end - start > len((out / name).read_bytes()) * 0.9
        appended.clear()


#: How os.copy_file_range may fail the background copy: unknown to the system (no such
#: call), refused for these files from the first chunk (another file system), or failing
#: after the first chunk. Each time the bytes are read and written instead, from there.
KERNEL_COPY = ("copies", "missing", "refused", "fails-later")


@pytest.fixture(params=KERNEL_COPY)
def kernel_copy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """os.copy_file_range as ``request.param`` says; the byte counts it copied."""
    copied: list[int] = []
    real = getattr(os, "copy_file_range", None)
    if real is None:
        pytest.skip("this system has no os.copy_file_range")
    if request.param == "missing":
        monkeypatch.delattr(os, "copy_file_range")
        return copied
    monkeypatch.setattr(_fs, "FLUSH_EVERY", 4096)  # chunks of 4 KiB

    def copy(source: int, target: int, count: int, offset_src: int | None = None) -> int:
        if request.param == "refused" or (request.param == "fails-later" and copied):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        done = real(source, target, count, offset_src)
        copied.append(done)
        return done

    monkeypatch.setattr(os, "copy_file_range", copy)
    return copied


def test_runs_are_copied_by_the_kernel_or_else_read_and_written(
    site: Site,
    tmp_path: Path,
    write_post: Callable[..., Path],
    appended: list[tuple[str, int, int]],
    kernel_copy: list[int],
    request: pytest.FixtureRequest,
) -> None:
    """Runs appended in the background are copied by the kernel where it can, and read
    and written where it cannot, from the start or from where it failed: the files are
    those of a build without a cache either way."""
    out = site.output_dir
    build(site, now=NOW)
    write_post("p00", "date: 2024-01-01\n", _body(0, "Edited."))
    result = build(site, now=NOW)
    assert result.formatted == len(FILES)
    assert len(appended) == len(FILES)
    assert _files(out) == _plain(site, tmp_path / "plain")
    way = request.node.callspec.params["kernel_copy"]
    if way == "copies":  # every run, in chunks of 4 KiB
        assert sum(kernel_copy) == sum(end - start for _, start, end in appended)
        assert len(kernel_copy) > 2 * len(FILES)
    elif way == "fails-later":
        assert 0 < sum(kernel_copy) < sum(end - start for _, start, end in appended)
    else:
        assert kernel_copy == []


def test_a_file_that_comes_out_the_same_stays(
    site: Site, write_post: Callable[..., Path], appended: list[tuple[str, int, int]]
) -> None:
    """An edit that changes a post but not its entry (a blank line more at the end of
    its Markdown) writes each file again, most of it appended, and finds its bytes
    those of the old file without their digest: the old file stays, inode and all."""
    out = site.output_dir
    build(site, now=NOW)
    before = {name: (out / name).stat().st_ino for name in FILES}
    files = _files(out)
    write_post("p00", "date: 2024-01-01\n", _body(0) + "\n\n")
    result = build(site, now=NOW)
    assert appended  # both files were written again, in part in the background
    assert result.written == ()
    assert _files(out) == files
    assert {name: (out / name).stat().st_ino for name in before} == before


def test_digests_of_appended_files_are_recorded(
    site: Site,
    write_post: Callable[..., Path],
    appended: list[tuple[str, int, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The digest of a file written in part in the background is made without reading
    back what was appended (each kept entry brings its digest: no new file is opened
    for reading while it is staged), and recorded: when the next build finds the file
    with other times (touched, or copied back in place), its bytes hash to that digest,
    and nothing is formatted or written again."""
    out = site.output_dir
    build(site, now=NOW)
    write_post("p00", "date: 2024-01-01\n", _body(0, "Edited."))
    read_back: list[str] = []
    os_open, path_open = os.open, Path.open

    def opening(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if fnmatch(Path(path).name, TEMP) and flags & os.O_ACCMODE == os.O_RDONLY:
            read_back.append(str(path))
        return os_open(path, flags, *args, **kwargs)

    def path_opening(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if fnmatch(self.name, TEMP) and "r" in mode and "+" not in mode:
            read_back.append(str(self))
        return path_open(self, mode, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(os, "open", opening)
        patched.setattr(Path, "open", path_opening)
        build(site, now=NOW)
    assert appended
    assert read_back == []
    for name in FILES:
        stat = (out / name).stat()
        os.utime(out / name, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    result = build(site, now=NOW)
    assert result.written == ()
    assert result.formatted == 0
    assert _threads() == []


def test_the_id_guard_stops_a_build_while_runs_are_appended(
    site: Site,
    site_dir: Path,
    write_post: Callable[..., Path],
    appended: list[tuple[str, int, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The id guard runs while the first runs of kept entries are appended, before any
    entry is made: when it refuses the build, nothing was rendered, and the old feeds
    are all there is, byte for byte, with no temporary file and no thread of the build
    left. The runs are still being appended when it refuses (each waits, after its first
    chunk, until it has), and flushed to disk as they go: what the build reports is the
    guard's refusal."""
    out = site.output_dir
    build(site, now=NOW)
    files = _files(out)
    monkeypatch.setattr(_fs, "FLUSH_EVERY", 4096)  # chunks of 4 KiB, each flushed
    refused = threading.Event()
    check_ids, copy = pipeline.check_ids, _fs._copy

    def guard(*args: Any, **options: Any) -> None:
        try:
            check_ids(*args, **options)
        finally:
            refused.set()

    def held(job: _fs._Append) -> Iterator[int]:
        chunks = copy(job)
        yield next(chunks)
        assert refused.wait(5)
        time.sleep(0.05)  # the build is being abandoned meanwhile
        yield from chunks

    monkeypatch.setattr(pipeline, "check_ids", guard)
    monkeypatch.setattr(_fs, "_copy", held)
    (site_dir / "posts" / "p00.md").unlink()
    # The oldest post's id changes, and its body: nothing the cache has rendered.
    write_post("p00-renamed", "date: 2024-01-01\n", _body(0, "Renamed."))
    renders: list[str] = []
    render = markup.Renderer.render

    def counted(renderer: markup.Renderer, text: str) -> str:
        renders.append(text)
        return render(renderer, text)

    monkeypatch.setattr(markup.Renderer, "render", counted)
    with pytest.raises(IdChangeError):
        build(site, now=NOW, jobs=1)
    assert appended  # the copying had begun
    assert renders == []  # and nothing was made before the guard refused
    assert _files(out) == files
    assert list(out.rglob(TEMP)) == []
    assert _threads() == []


def test_a_failing_flush_while_appending_fails_the_build(
    site: Site,
    write_post: Callable[..., Path],
    appended: list[tuple[str, int, int]],
    monkeypatch: pytest.MonkeyPatch,
    failing_flush: Callable[..., list[int]],
) -> None:
    """A flush to disk started while a run is appended that fails (the disk reports an
    I/O error) fails the build: "cannot write" for a file of the output folder, every old
    feed byte for byte, no temporary file and no thread left. The bytes written around
    the runs stay under the staging buffer, so only the appends flush while written."""
    out = site.output_dir
    build(site, now=NOW)
    files = _files(out)
    failed = failing_flush()
    monkeypatch.setattr(_fs, "FLUSH_EVERY", 4096)
    write_post("p19", "date: 2024-01-20\n", "Short now.\n")  # the newest: one run after it
    records = _records(site)
    with pytest.raises(OutputError) as info:
        build(site, now=NOW)
    # What the cache records of the files was put while they were flushed, and not kept.
    assert _records(site) == records
    assert appended
    assert failed
    message = str(info.value)
    assert message.startswith(f"{out}/"), message
    assert message.endswith(": cannot write: Input/output error"), message
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.__cause__.errno == errno.EIO
    assert _files(out) == files
    assert list(out.rglob(TEMP)) == []
    assert _threads() == []


def _old_and_new(folder: Path) -> tuple[Path, int, _fs.Staging, _fs.StagedFile]:
    """``old.xml`` holding the digits 0 to 9, and a descriptor of it open for reading (the
    caller closes it); a staging in the same folder, and ``new.xml`` staged there."""
    source = folder / "old.xml"
    source.write_bytes(b"0123456789")
    staging = _fs.Staging(folder)
    return source, os.open(source, os.O_RDONLY), staging, staging.open(folder / "new.xml")


def test_appending_from_a_file_in_order(tmp_path: Path) -> None:
    """Bytes written before and after a run appended in the background land in order."""
    source, fd, staging, staged = _old_and_new(tmp_path)
    try:
        staged.write(b"<")
        staged.append_from(fd, 2, 6, name=source)
        staged.write(b"|")
        staged.append_from(fd, 0, 10, name=source)
        staged.write(b">")
    finally:
        os.close(fd)  # the run keeps a descriptor of its own
    staging.commit()
    assert (tmp_path / "new.xml").read_bytes() == b"<2345|0123456789>"


def test_a_source_that_shrank_is_told(tmp_path: Path) -> None:
    """A run whose old file ends before the run does (it changed during the build) fails
    the file when it is closed, naming the old file; abandoning leaves nothing."""
    source, fd, staging, staged = _old_and_new(tmp_path)
    try:
        staged.append_from(fd, 8, 20, name=source)
    finally:
        os.close(fd)
    with pytest.raises(OutputError) as info:
        staged.close()
    assert str(info.value) == f"{source}: changed during the build; build again"
    staging.abandon()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["old.xml"]


def test_kept_entries_take_their_facts_from_the_record_of_the_old_file(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An edit makes the facts (id, title, dates, whether there is an image and an
    author) of the entry it formats alone; those of the entries it keeps come from the
    cache's record of the old file, and the files are a build's without a cache, in a
    zone whose offset changes, with an image, an update, an author and none."""
    write_config(
        "title: Test Blog\nurl: https://blog.example.com/\ndescription: Tests\n"
        "timezone: Europe/Berlin\nlimit: 0\ntag_feeds: false\n",
        replace=True,
    )
    write_post("p00", "date: 2024-01-01T09:00:00\n", _body(0))
    write_post("p01", "date: 2024-03-30T23:30:00\nimage: images/a.png\n", _body(1))
    write_post("p02", "date: 2024-07-01\nupdated: 2024-11-02T08:15:00\nauthor: Bea\n", _body(2))
    write_post("p03", "date: 2024-12-24T18:00:00\n", _body(3))
    site = load_site(site_dir / "postfeed.yaml")
    made: list[str] = []
    facts = _prepare.entry_facts

    def counted(site: Site, post: Post) -> Facts:
        made.append(post.slug)
        return facts(site, post)

    monkeypatch.setattr(_prepare, "entry_facts", counted)
    build(site, now=NOW)
    assert sorted(made) == ["p00", "p01", "p02", "p03"]
    made.clear()
    # The id guard looks at the old entries' ids, and makes none whole: each is still shown.
    whole: list[str] = []
    published_entry = _documents.PublishedEntry

    def counted_entry(**fields: Any) -> PublishedEntry:
        whole.append(fields["id"])
        return published_entry(**fields)

    monkeypatch.setattr(_documents, "PublishedEntry", counted_entry)
    write_post("p00", "date: 2024-01-01T09:00:00\n", _body(0, "Edited."))
    build(site, now=NOW)
    assert made == ["p00"]
    assert whole == []
    assert _files(site.output_dir) == _plain(site, tmp_path / "plain")
    feed = (site.output_dir / "atom.xml").read_text(encoding="utf-8")
    assert "<updated>2024-11-02T08:15:00+01:00</updated>" in feed  # the newest update leads
    # What the cache now records of each file, partly taken from its old record, is what
    # a first build records.
    cold = replace(site, cache_dir=tmp_path / "cold-cache", output_dir=tmp_path / "cold")
    build(cold, now=NOW)
    assert _records(site) == _records(cold)
    assert len(_records(site)) == len(FILES)


def _records(site: Site) -> dict[str, Any]:
    """What the cache records of the entries of each feed file, by file name."""
    cache = pipeline._open_cache(site, write=False)
    assert cache is not None
    try:
        paths = {_cache.file_key(site.output_dir / name): name for name in FILES}
        return {paths[key]: value for key, value in cache.get(_documents.DETAILS, paths).items()}
    finally:
        cache.close()
