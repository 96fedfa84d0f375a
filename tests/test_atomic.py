"""All or nothing: a build that fails at any point leaves every old feed byte for byte, a
build killed at any instant leaves each file whole (old or new), and two builds never
interleave. Failures are real file system conditions, never mocks, but for a flush to disk
that fails, which no file system a test can use will give."""

from __future__ import annotations

import errno
import json
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from postfeed import LockError, OutputError, Site, build, load_site
from postfeed.writing._fs import commit
from postfeed.writing._lock import hold

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TEMP = ".postfeed-*.tmp"


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (temporary and lock files included) with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _folders(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_dir())


# --- a failure at any point leaves the old feeds -------------------------------------


@pytest.mark.parametrize(("blocked", "position"), [("a-new", 4), ("b-new", 7)])
def test_failure_while_staging_file_n(
    site_dir: Path, write_post: Callable[..., Path], blocked: str, position: int
) -> None:
    """A file where a tag's folder must go fails the build at the 4th or the 7th of nine
    files: every old feed stays, and no temporary file or new folder is left."""
    write_post("p", "tags: [old]\n")
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    out = site_dir / "feeds"
    (out / "tags" / blocked).write_bytes(b"in the way")
    before, folders = _files(out), _folders(out)
    write_post("p", "tags: [a-new, b-new]\n")
    with pytest.raises(OutputError) as info:
        build(site, now=NOW)
    order = [*("rss.xml", "atom.xml", "feed.json")] + [
        f"tags/{tag}/{name}"
        for tag in ("a-new", "b-new")
        for name in ("rss.xml", "atom.xml", "feed.json")
    ]
    assert str(info.value) == f"{out / order[position - 1]}: cannot write: File exists"
    assert _files(out) == before
    assert _folders(out) == folders


def test_failure_on_the_third_of_nine_files_in_a_real_process(
    site_dir: Path, write_post: Callable[..., Path]
) -> None:
    """A file size limit (RLIMIT_FSIZE) that only the third file, feed.json, exceeds makes
    its write fail for real: exit 2, one message, every old feed byte for byte."""
    write_post("p", "tags: [go, rust]\n", "Old body.\n")
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    out = site_dir / "feeds"
    before, folders = _files(out), _folders(out)
    # JSON writes each backslash as two characters; the XML formats write it as one.
    write_post("p", "tags: [go, rust]\n", "```\n" + "\\" * 40000 + "\n```\n")
    preview = build(site, now=NOW, check=True)
    assert len(preview.stale) == 10  # nine feeds and index.html
    scratch = build(load_site(site_dir / "postfeed.yaml", output=site_dir / "scratch"), now=NOW)
    sizes = {p.name: p.stat().st_size for p in scratch.written if p.parent.name == "scratch"}
    limit = (max(sizes["rss.xml"], sizes["atom.xml"]) + sizes["feed.json"]) // 2
    assert sizes["rss.xml"] < limit < sizes["feed.json"]

    def limit_file_size() -> None:
        # Ignore SIGXFSZ so that a write past the limit fails with EFBIG instead of killing us.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run = subprocess.run(
        [sys.executable, "-m", "postfeed", "build"],
        cwd=site_dir,
        capture_output=True,
        text=True,
        check=False,
        # Runs in the child between fork and exec; this test starts no threads.
        preexec_fn=limit_file_size,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "feeds/feed.json: cannot write: File too large\n"
    assert _files(out) == before
    assert _folders(out) == folders


def test_failure_while_replacing_rolls_back(tmp_path: Path) -> None:
    """If replacing the 5th of nine files fails (a folder appeared in its place), the four
    files already replaced are put back, new ones removed, deleted ones restored."""
    root = tmp_path / "feeds"
    names = [f"f{i}.xml" for i in range(1, 10)]
    for name in names[:3] + names[5:]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"old " + name.encode())
    (root / "f5.xml").mkdir()
    (root / "f5.xml" / "keep").write_bytes(b"a folder where a feed goes")
    (root / "tags/gone").mkdir(parents=True)
    (root / "tags/gone/rss.xml").write_bytes(b"old tag feed")
    before, folders = _files(root), _folders(root)
    new = {root / name: b"new " + name.encode() for name in names}
    # f4.xml does not exist yet: it is new, and must be gone again after the rollback.
    assert not (root / "f4.xml").exists()
    with pytest.raises(OutputError) as info:
        commit(new, [root / "tags/gone/rss.xml"], root=root)
    assert str(info.value) == f"{root / 'f5.xml'}: cannot replace: Is a directory"
    assert _files(root) == before
    assert _folders(root) == folders


def test_success_after_a_failure(tmp_path: Path) -> None:
    """The same commit succeeds once the folder is gone, and leaves nothing extra."""
    root = tmp_path / "feeds"
    root.mkdir()
    (root / "a.xml").write_bytes(b"old")
    (root / "tags/gone").mkdir(parents=True)
    (root / "tags/gone/rss.xml").write_bytes(b"old tag feed")
    commit(
        {root / "a.xml": b"new", root / "tags/x/b.xml": b"b"},
        [root / "tags/gone/rss.xml"],
        root=root,
    )
    assert _files(root) == {"a.xml": b"new", "tags/x/b.xml": b"b"}
    assert _folders(root) == ["tags", "tags/x"]


def test_failed_first_build_leaves_no_folder(tmp_path: Path) -> None:
    """A first build that fails leaves no output folder behind (it made it for the lock)."""
    out = tmp_path / "public" / "feeds"
    site = Site(title="T", url="https://t.example/", output_dir=out)
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "feeds").mkdir()
    (out / "rss.xml").mkdir()  # a folder where the first file goes
    with pytest.raises(OutputError):
        build(site, [], now=NOW)
    (out / "rss.xml").rmdir()
    out.rmdir()
    (tmp_path / "public" / "blocker").write_bytes(b"")
    site = Site(
        title="T", url="https://t.example/", output_dir=tmp_path / "public" / "new" / "feeds"
    )
    (tmp_path / "public" / "new").mkdir()
    (tmp_path / "public" / "new" / "feeds").write_bytes(b"not a folder")
    with pytest.raises(OutputError):
        build(site, [], now=NOW)
    (tmp_path / "public" / "new" / "feeds").unlink()
    ok = Site(title="T", url="https://t.example/", output_dir=tmp_path / "x" / "y" / "feeds")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "y").write_bytes(b"a file where a folder goes")
    with pytest.raises(OutputError) as info:
        build(ok, [], now=NOW)
    assert (
        str(info.value) == f"{tmp_path}/x/y/feeds: cannot create the output folder: Not a directory"
    )
    assert _folders(tmp_path) == ["public", "public/new", "x"]


# --- the lock ------------------------------------------------------------------------


def test_lock_is_released_after_a_failure(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """A build that fails lets go of the lock and deletes its file: the next one runs."""
    write_post("p", "tags: [go]\n")
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    write_post("p", "tags: [rust]\n")
    (site_dir / "feeds/tags/rust").write_bytes(b"in the way")
    with pytest.raises(OutputError):
        build(site, now=NOW)
    assert not (site_dir / "feeds/.postfeed.lock").exists()
    (site_dir / "feeds/tags/rust").unlink()
    # The main feeds, the page, the new tag's feeds and the list of files written.
    assert len(build(site, now=NOW).written) == 8
    assert not (site_dir / "feeds/.postfeed.lock").exists()


def test_lock_left_by_a_killed_build_is_no_obstacle(
    site_dir: Path, write_post: Callable[..., Path]
) -> None:
    """A lock file nobody holds (its build was killed) does not stop the next build."""
    write_post("p")
    (site_dir / "feeds").mkdir()
    (site_dir / "feeds/.postfeed.lock").write_bytes(b"")
    build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    assert sorted(_files(site_dir / "feeds")) == [
        ".postfeed-manifest.json",
        "atom.xml",
        "feed.json",
        "index.html",
        "rss.xml",
    ]


def test_check_takes_no_lock(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """build --check writes nothing, so it runs while another build holds the lock; a
    writing build does not, and its LockError is an OutputError."""
    write_post("p")
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    write_post("p", "date: 2024-06-01\n")
    with hold(site_dir / "feeds"):
        assert len(build(site, now=NOW, check=True).stale) == 4
        with pytest.raises(OutputError) as info:
            build(site, now=NOW)
    assert isinstance(info.value, LockError)


def test_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    """While one holds the lock, another attempt fails at once with LockError."""
    with hold(tmp_path / "feeds") as path:
        assert path == tmp_path / "feeds" / ".postfeed.lock"
        start = time.monotonic()
        with pytest.raises(LockError) as info, hold(tmp_path / "feeds"):
            pass  # pragma: no cover - never reached
        assert time.monotonic() - start < 1
        assert str(info.value) == (
            f"{tmp_path / 'feeds'}: another postfeed build is running"
            f" (lock held on {tmp_path / 'feeds' / '.postfeed.lock'})"
        )
    with hold(tmp_path / "feeds"):
        pass
    # The folder was made for the lock and is empty again, so it is gone.
    assert list(tmp_path.iterdir()) == []


# --- real processes: killed at random instants, and two at once ---------------------


def _write_version(site: Path, version: str, count: int = 100) -> None:
    """Posts whose every feed differs between versions A and B; B drops five tags and adds five."""
    rnd = random.Random(7)
    offset = 0 if version == "A" else 5
    for i in range(count):
        tags = sorted({f"tag{offset + rnd.randrange(25)}" for _ in range(3)})
        body = "\n\n".join(
            " ".join(rnd.choice(["alpha", "beta", "*gamma*", "`delta`"]) for _ in range(40))
            for _ in range(4)
        )
        (site / "posts" / f"p{i:03d}.md").write_text(
            f"---\ntitle: Post {i} {version}\ndate: 2024-01-01T00:00:00+00:00\n"
            f"tags: [{', '.join(tags)}]\n---\n{body}\n",
            encoding="utf-8",
        )


@pytest.fixture
def big_site(tmp_path: Path) -> tuple[Path, dict[str, dict[str, bytes]]]:
    """A site of 100 posts and 25 tags (78 feed files), with the feeds of both versions."""
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    (site / "postfeed.yaml").write_text("title: Big\nurl: https://big.example/\nlimit: 0\n")
    expected = {}
    for version in "AB":
        _write_version(site, version)
        out = tmp_path / f"expected-{version}"
        build(load_site(site / "postfeed.yaml", output=out), now=NOW)
        expected[version] = _files(out)
    return site, expected


def _command(site: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "postfeed", "build", "-q"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _check_whole(out: Path, expected: dict[str, dict[str, bytes]]) -> tuple[int, int, int]:
    """Each feed file is exactly version A's or version B's, and the list of files
    postfeed wrote names every one of them; count (A, B, temporary files)."""
    a = b = temps = 0
    files = _files(out)
    listed = set(json.loads(files[".postfeed-manifest.json"])["files"])
    for name, data in files.items():
        if Path(name).match(TEMP):
            temps += 1
            continue
        if name in (".postfeed.lock", ".postfeed-manifest.json"):
            continue
        assert name in listed, f"{name} is not in the list of files postfeed wrote"
        versions = [v for v in "AB" if expected[v].get(name) == data]
        assert versions, f"{name} is neither version A's nor B's: a partial or foreign file"
        a += "A" in versions
        b += "B" in versions
    both = set(expected["A"]) & set(expected["B"])
    assert both <= set(_files(out)), "a feed present in both versions went missing"
    return a, b, temps


class _Watch:
    """Watches a build from outside: when its first temporary file appears in the output
    folder (staging has begun) and when rss.xml is first replaced (swapping has begun)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.old_names = self._names()
        self.old_inode = self._inode()

    def _inode(self) -> int | None:
        try:
            return (self.out / "rss.xml").stat().st_ino
        except FileNotFoundError:
            return None

    def _names(self) -> set[str]:
        return {path.name for path in self.out.iterdir()} if self.out.exists() else set()

    def staging(self) -> bool:
        return any(n.startswith(".postfeed-") for n in self._names() - self.old_names)

    def swapping(self) -> bool:
        return self._inode() != self.old_inode


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> float:
    start = time.monotonic()
    while not condition() and process.poll() is None:
        assert time.monotonic() - start < 60
        time.sleep(0.0002)
    return time.monotonic()


@pytest.mark.slow
def test_killed_at_random_instants(big_site: tuple[Path, dict[str, dict[str, bytes]]]) -> None:
    """SIGKILL at 24 instants of real builds (8 anywhere, 8 while staging, 8 while swapping
    files in) leaves every feed file whole, old or new; the next build that completes
    removes every temporary file the killed ones left."""
    site, expected = big_site
    out = site / "feeds"
    rnd = random.Random(1)
    _write_version(site, "A")
    assert _command(site).communicate()[1] == b""
    # Calibrate on a whole build: when staging and swapping begin, and when it ends.
    _write_version(site, "B")
    watch, start = _Watch(out), time.monotonic()
    process = _command(site)
    staged_at = _wait_for(watch.staging, process) - start
    swapped_at = _wait_for(watch.swapping, process) - start
    assert process.communicate()[1] == b""
    total = time.monotonic() - start
    assert process.returncode == 0
    assert 0 < staged_at < swapped_at < total
    outcomes: list[tuple[str, int, int, int]] = []
    a, b = 0, len(expected["B"])
    for attempt in range(24):
        # Build whichever version the feeds hold less of, so that every build has work to do.
        version = "A" if a < b else "B"
        _write_version(site, version)
        watch = _Watch(out)
        process = _command(site)
        if attempt < 8:
            time.sleep(rnd.uniform(0, total))
        elif attempt < 16:
            _wait_for(watch.staging, process)
            time.sleep(rnd.uniform(0, swapped_at - staged_at))
        else:
            _wait_for(watch.swapping, process)
            time.sleep(rnd.uniform(0, total - swapped_at))
        process.send_signal(signal.SIGKILL)
        stderr = process.communicate()[1]
        assert process.returncode in (0, -signal.SIGKILL), stderr
        a, b, temps = _check_whole(out, expected)
        new, old = (a, b) if version == "A" else (b, a)
        if process.returncode == 0:
            assert temps == 0
            assert _files(out) == expected[version]
        outcomes.append(("completed" if process.returncode == 0 else "killed", new, old, temps))
    print(f"build {total:.3f} s: staging from {staged_at:.3f} s, swapping from {swapped_at:.3f} s")
    for number, (how, new, old, temps) in enumerate(outcomes, 1):
        print(f"kill {number:2d}: {how}, {new} new, {old} old, {temps} temporary files")
    # The watched kills did land in the write step: they left temporary files or a mix.
    assert sum(temps > 0 or (new and old) for _, new, old, temps in outcomes) >= 4
    _write_version(site, "A")
    assert _command(site).communicate()[1] == b""
    assert _files(out) == expected["A"]


@pytest.mark.slow
def test_two_builds_at_once(big_site: tuple[Path, dict[str, dict[str, bytes]]]) -> None:
    """Two real builds started together never interleave: each either completes or stops
    with the lock message, and the feeds are exactly one version's."""
    site, expected = big_site
    out = site / "feeds"
    results: list[tuple[int, bytes]] = []
    for version in "ABAB":
        _write_version(site, version)
        first, second = _command(site), _command(site)
        for process in (first, second):
            stderr = process.communicate()[1]
            results.append((process.returncode, stderr))
        assert _files(out) == expected[version]
    message = b"feeds: another postfeed build is running (lock held on feeds/.postfeed.lock)\n"
    assert all(result in ((0, b""), (2, message)) for result in results), results
    print(f"{sum(code == 2 for code, _ in results)} of {len(results)} builds met the lock")


def _large_posts(write_post: Callable[..., Path], body: str = "Words. ") -> None:
    """Thirty posts of about 20 KiB each, all tagged t: feed files of several hundred KiB."""
    for number in range(30):
        write_post(f"p{number:02d}", f"date: 2024-01-{number + 1:02d}\ntags: [t]\n", body * 3000)


def _flush_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("postfeed-flush")]


def _failed_flush_left_all(error: OutputError, out: Path, before: dict[str, bytes]) -> None:
    """A build failed because a flush to disk reported an I/O error: the error names a
    file of the output folder, carries the OSError, and every old feed, byte for byte,
    is all there is, with no temporary file and no flushing thread left."""
    message = str(error)
    assert message.startswith(f"{out}/"), message
    assert message.endswith(": cannot write: Input/output error"), message
    cause = error.__cause__
    assert isinstance(cause, OSError)
    assert cause.errno == errno.EIO
    assert _files(out) == before
    assert list(out.rglob(TEMP)) == []
    assert _flush_threads() == []


def test_large_files_are_flushed_while_written(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feed files larger than _fs.FLUSH_EVERY are flushed to disk in the background as
    they are written: the bytes are those of a build that flushes each file only when
    it is closed, no flushing thread outlives the build, and a build that fails after
    flushing began still leaves every old feed as it was."""
    from postfeed.writing import _fs

    _large_posts(write_post)
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    out = site_dir / "feeds"
    expected = _files(out)
    assert len(expected["atom.xml"]) > 40 * 16 * 1024  # written out in many pieces
    flushed: list[int] = []  # the inode of the file each background flush is for
    flush = _fs._flush_and_close

    def counted(fd: int) -> None:
        flushed.append(os.fstat(fd).st_ino)
        flush(fd)

    monkeypatch.setattr(_fs, "_flush_and_close", counted)
    monkeypatch.setattr(_fs, "FLUSH_EVERY", 4096)
    monkeypatch.setattr(_fs, "_BUFFER", 16 * 1024)
    removed = sorted(str(path.relative_to(out)) for path in out.rglob("*.xml"))
    assert removed == ["atom.xml", "rss.xml", "tags/t/atom.xml", "tags/t/rss.xml"]
    for name in removed:
        (out / name).unlink()
    build(site, now=NOW)
    assert _files(out) == expected
    # A staged file keeps its inode when it replaces the old one: each of the four files
    # written was flushed while written, and no other file was. (How many times depends
    # on the disk: a flush is not started while the file's last one is still going.)
    per_file = {name: flushed.count((out / name).stat().st_ino) for name in removed}
    assert all(count >= 1 for count in per_file.values()), per_file
    assert sum(per_file.values()) == len(flushed)
    assert _flush_threads() == []
    # The newest post, first in every feed: the main feeds are written (and flushed)
    # before the new tag's folder is found blocked.
    write_post("p29", "date: 2024-01-30\ntags: [t, new]\n", "Changed. " * 3000)
    (out / "tags" / "new").write_bytes(b"in the way")
    before = len(flushed)
    with pytest.raises(OutputError) as info:
        build(site, now=NOW)
    assert str(info.value) == f"{out / 'tags/new/rss.xml'}: cannot write: File exists"
    assert len(flushed) > before  # it failed after flushing began
    assert _files(out) == {**expected, "tags/new": b"in the way"}
    assert _flush_threads() == []


def test_a_failing_background_flush_fails_the_build(
    site_dir: Path,
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    failing_flush: Callable[..., list[int]],
) -> None:
    """A background flush that fails (the disk reports an I/O error) fails the build as
    the last flush of a file would: OutputError "cannot write", every old feed byte for
    byte, no temporary file left and no flushing thread running. The one failure here
    that is not real: no file system in a test can be made to fail a flush."""
    from postfeed.writing import _fs

    _large_posts(write_post)
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    out = site_dir / "feeds"
    before = _files(out)
    _large_posts(write_post, "Changed. ")  # every feed file changes
    failed = failing_flush()
    monkeypatch.setattr(_fs, "FLUSH_EVERY", 4096)
    monkeypatch.setattr(_fs, "_BUFFER", 16 * 1024)
    with pytest.raises(OutputError) as info:
        build(site, now=NOW)
    assert failed  # the build did flush in the background, and that is what failed
    _failed_flush_left_all(info.value, out, before)


def test_files_under_flush_every_are_not_flushed_in_the_background(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build whose files are all smaller than the real FLUSH_EVERY (16 MiB, as
    docs/performance.md says), though written out in many pieces, starts no
    background flush."""
    from postfeed.writing import _fs

    assert _fs.FLUSH_EVERY == 16 * 1024 * 1024
    flushes: list[int] = []
    flush = _fs._flush_and_close

    def counted(fd: int) -> None:
        flushes.append(fd)
        flush(fd)

    monkeypatch.setattr(_fs, "_flush_and_close", counted)
    _large_posts(write_post)
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    sizes = [len(data) for data in _files(site_dir / "feeds").values()]
    assert _fs._BUFFER * 2 < max(sizes) < _fs.FLUSH_EVERY
    assert flushes == []  # each file is flushed once, as it is closed (see below)


def test_background_flush_starts_once_flush_every_bytes_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the boundary: a staged file is flushed in the background once FLUSH_EVERY
    bytes (16 MiB) have been written out to it, not one byte before."""
    from postfeed.writing import _fs

    flushes: list[int] = []
    flush = _fs._flush_and_close

    def counted(fd: int) -> None:
        flushes.append(os.fstat(fd).st_ino)
        flush(fd)

    monkeypatch.setattr(_fs, "_flush_and_close", counted)
    piece = b"x" * _fs._BUFFER
    pieces = _fs.FLUSH_EVERY // _fs._BUFFER
    assert pieces * _fs._BUFFER == _fs.FLUSH_EVERY
    staging = _fs.Staging(tmp_path)
    under = staging.open(tmp_path / "under.xml")
    # Each write reaches the buffer's size, so each is written out at once.
    under.write(piece + piece[:-1])
    for _ in range(pieces - 2):
        under.write(piece)
    under.write(b"x")  # kept in the buffer, written out as the file is closed
    under.close()
    at = staging.open(tmp_path / "at.xml")
    for _ in range(pieces):
        at.write(piece)
    at.close()
    staging.commit()
    assert flushes == [(tmp_path / "at.xml").stat().st_ino]
    assert [(tmp_path / name).stat().st_size for name in ("under.xml", "at.xml")] == [
        _fs.FLUSH_EVERY
    ] * 2


def test_every_file_is_on_disk_before_the_first_is_swapped_in(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each staged file is flushed to disk in the background once closed, and the build
    waits for every flush before it replaces the first old file: each of the files
    written was flushed exactly once, all before any swap, and no thread outlives the
    build."""
    from postfeed.writing import _fs

    write_post("p", "tags: [go]\n")
    site = load_site(site_dir / "postfeed.yaml")
    synced: list[int] = []  # the inode of each file flushed once closed
    swapped: list[int] = []  # how many flushes had ended as each file was swapped in
    sync, swap_in = _fs._sync_and_close, _fs._swap_in

    def counted_sync(fd: int) -> None:
        inode = os.fstat(fd).st_ino
        sync(fd)
        synced.append(inode)

    def counted_swap(temp: Path, target: Path) -> object:
        swapped.append(len(synced))
        return swap_in(temp, target)

    monkeypatch.setattr(_fs, "_sync_and_close", counted_sync)
    monkeypatch.setattr(_fs, "_swap_in", counted_swap)
    result = build(site, now=NOW)
    out = site_dir / "feeds"
    written = sorted(str(path.relative_to(out)) for path in result.written)
    assert len(written) == 8  # three feeds, three for the tag, the page and the list
    assert sorted(synced) == sorted((out / name).stat().st_ino for name in written)
    assert swapped == [len(written)] * len(written)
    assert _flush_threads() == []


def test_a_failing_flush_on_close_fails_the_build(
    site_dir: Path, write_post: Callable[..., Path], failing_flush: Callable[..., list[int]]
) -> None:
    """A flush on closing a small file that fails (the disk reports an I/O error) fails
    the build before any file is replaced: OutputError naming the file, every old feed
    byte for byte, no temporary file and no thread left."""
    write_post("p", "tags: [go]\n", "Old.\n")
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    out = site_dir / "feeds"
    before = _files(out)
    write_post("p", "tags: [go]\n", "New.\n")
    failed = failing_flush("_sync_and_close", closes=True)
    with pytest.raises(OutputError) as info:
        build(site, now=NOW)
    assert failed
    _failed_flush_left_all(info.value, out, before)


def test_replaced_files_are_deleted_before_the_build_returns(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old files a build replaced, and the folder of a feed no longer planned, are
    deleted in the background while the build records what it wrote, shared out among
    the threads, and are gone when it returns: no temporary file, no empty folder, no
    thread left."""
    from postfeed.writing import _fs

    write_post("p", "tags: [go, gone]\n", "Old.\n")
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    out = site_dir / "feeds"
    deleting: list[str] = []  # the thread each share of the deletions ran in
    deleted: list[Path] = []
    unlink_all = _fs._unlink_all

    def counted(paths: list[Path]) -> None:
        deleting.append(threading.current_thread().name)
        deleted.extend(paths)
        unlink_all(paths)

    monkeypatch.setattr(_fs, "_unlink_all", counted)
    write_post("p", "tags: [go]\n", "New.\n")
    result = build(site, now=NOW)
    assert len(result.written) == 8
    assert len(result.removed) == 3
    # The old files of the 8 swapped in and the 3 moved aside, shared out; then the list
    # of files written once more, cut to the new ones once the old ones are gone.
    assert len(deleted) == len(set(deleted)) == 12
    assert len(deleting) == _fs._FLUSHERS + 1
    assert all(name.startswith("postfeed-flush") for name in deleting)
    assert list(out.rglob(TEMP)) == []
    assert not (out / "tags" / "gone").exists()
    assert _folders(out) == ["tags", "tags/go"]
    assert _flush_threads() == []
