"""Worker processes: the same bytes, the same errors and the same counts as the
serial path, with or without the cache."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from postfeed import PostErrors, _workers, build, load_site
from postfeed.cli import main
from postfeed.reading.scan import Archive

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def many(
    site_dir: Path, write_post: Callable[..., Path], write_config: Callable[..., Path]
) -> Path:
    """Forty posts with summaries, <!--more--> lines, links and three tags, all in full."""
    write_config("limit: 0\n")
    tags = ["go", "rust", "zig"]
    for number in range(40):
        summary = f"summary: 'Summary *{number}*'\n" if number % 3 == 0 else ""
        body = (
            f"Intro {number} with [a link](../p{(number + 1) % 40:02d}/).\n\n"
            + ("<!--more-->\n\n" if number % 4 == 0 else "")
            + f"## Part\n\n```go\nfunc f{number}() {{}}\n```\n\n| a | b |\n|---|---|\n| {number} | x |\n"
        )
        write_post(
            f"p{number:02d}",
            f"date: 2024-01-01T{number % 24:02d}:{number:02d}:00+01:00\n"
            f"tags: [{tags[number % 3]}, {tags[(number + 1) % 3]}]\n{summary}",
            body,
        )
    return site_dir


def test_parallel_equals_serial(many: Path, tmp_path: Path) -> None:
    """Forced worker processes give the serial path's bytes and render counts, cold
    and from the cache."""
    site = load_site(many / "postfeed.yaml")
    serial = build(replace(site, cache_dir=None, output_dir=tmp_path / "serial"), jobs=1, now=NOW)
    parallel = build(
        replace(site, cache_dir=None, output_dir=tmp_path / "parallel"), jobs=2, now=NOW
    )
    assert serial.renders == parallel.renders == 40 + 14
    expected = _files(tmp_path / "serial")
    assert len(expected) == 14  # 12 feeds, index.html and the list of files written
    assert _files(tmp_path / "parallel") == expected
    cached = replace(site, cache_dir=tmp_path / "cache", output_dir=tmp_path / "cached")
    assert build(cached, jobs=2, now=NOW).renders == 54
    assert _files(tmp_path / "cached") == expected
    (tmp_path / "cached" / "atom.xml").unlink()
    assert build(cached, jobs=2, now=NOW).renders == 0
    assert _files(tmp_path / "cached") == expected
    assert serial.published == parallel.published


def test_parallel_reports_the_same_errors(many: Path, write_post: Callable[..., Path]) -> None:
    """Broken posts found by worker processes are reported exactly as serially."""
    write_post("bad-a", "date: someday\n")
    write_post("bad-b", raw="no front matter\n")
    site = load_site(many / "postfeed.yaml")
    messages = []
    for jobs in (1, 2):
        with pytest.raises(PostErrors) as info:
            build(site, jobs=jobs, now=NOW)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert messages[0].splitlines() == [
        f"{many / 'posts/bad-a.md'}:3: date: expected a date, got 'someday'",
        f"{many / 'posts/bad-b.md'}:1: no front matter: a post must start with a '---' line",
    ]


def test_jobs_option(
    many: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--jobs N builds with N processes; a number below 1 is a usage error."""
    monkeypatch.chdir(many)
    assert main(["build", "-q", "--jobs", "2"]) == 0
    assert len(_files(many / "feeds")) == 14
    with pytest.raises(SystemExit) as info:
        main(["build", "--jobs", "0"])
    assert info.value.code == 2
    assert "expected a whole number of 1 or more, got '0'" in capsys.readouterr().err


def test_switch_interval_while_the_pool_runs(many: Path, tmp_path: Path) -> None:
    """While worker processes run, this process's threads switch sooner (so the pool's
    own threads pass work on without waiting); after the build, as before."""
    site = load_site(many / "postfeed.yaml")
    before = sys.getswitchinterval()
    seen: list[float] = []
    build(
        replace(site, cache_dir=None, output_dir=tmp_path / "out"),
        jobs=2,
        now=NOW,
        progress=lambda stage, done, total: seen.append(sys.getswitchinterval()),
    )
    assert before > _workers.SWITCH_INTERVAL
    assert min(seen) == pytest.approx(_workers.SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before


def test_workers_are_stopped_before_the_scan_is_staged(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once every entry is made, a build stops its worker processes before it stages the
    scan's records in the cache (while the last entries are copied): their memory is not
    held beside what it stages."""
    site = replace(load_site(many / "postfeed.yaml"), output_dir=tmp_path / "out")
    during: dict[str, list[int]] = {"render": [], "save": []}
    save = Archive.save

    def saving(archive: Archive, cache: Any) -> None:
        during["save"].append(len(multiprocessing.active_children()))
        save(archive, cache)

    monkeypatch.setattr(Archive, "save", saving)
    build(
        site,
        jobs=2,
        now=NOW,
        progress=lambda stage, done, total: during.setdefault(stage, []).append(
            len(multiprocessing.active_children())
        ),
    )
    assert max(during["render"]) >= 1  # a worker made entries
    assert during["save"] == [0]


def test_switch_interval_while_the_files_are_written(many: Path, tmp_path: Path) -> None:
    """While a build writes its files (the entries are made as they are written), its
    threads switch sooner, with no pool too: the threads that copy and flush the files
    in the background take their turns without waiting. Before and after, as it was."""
    site = load_site(many / "postfeed.yaml")
    before = sys.getswitchinterval()
    seen: dict[str, set[float]] = {}
    build(
        replace(site, cache_dir=None, output_dir=tmp_path / "out"),
        jobs=1,
        now=NOW,
        progress=lambda stage, done, total: seen.setdefault(stage, set()).add(
            sys.getswitchinterval()
        ),
    )
    assert before > _workers.SWITCH_INTERVAL
    assert seen["read"] == {before}
    assert sorted(seen["render"]) == [pytest.approx(_workers.SWITCH_INTERVAL)]
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize(
    ("count", "share", "largest"), [(0, 8, 16), (1, 8, 16), (1000, 8, 16), (10000, 16, 500)]
)
def test_portions_cover_everything_and_shrink(count: int, share: int, largest: int) -> None:
    """Calls cover every item once, in order, none longer than ``largest``, and they
    shrink towards the end, so that the last calls are short."""
    runs = list(_workers.portions(count, share, largest))
    edges = [0, *(end for _, end in runs)]
    assert runs == list(pairwise(edges))
    assert edges[-1] == count
    sizes = [end - start for start, end in runs]
    assert all(0 < size <= largest for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if count >= 1000:
        assert sizes[0] == largest
        assert sizes[-1] == 1


def _index(cache: Path) -> dict[str, list[object]]:
    """The cache's index of the posts folder: each file's record, without the time the
    scan began."""
    import contextlib
    import json
    import sqlite3

    with contextlib.closing(sqlite3.connect(cache / "cache.sqlite3")) as db:
        rows = db.execute("SELECT value FROM item WHERE kind = 'index'").fetchall()
    records: dict[str, list[object]] = {}
    for (value,) in rows:
        for name, row in json.loads(value).items():
            records[name] = [*row[:1], *row[2:]]
    return records


def test_parallel_scan_keeps_the_serial_index(many: Path, tmp_path: Path) -> None:
    """The records worker processes read, sent back with their JSON text, make the same
    index in the cache as a scan in one process."""
    site = load_site(many / "postfeed.yaml")
    indexes = []
    for jobs in (1, 2):
        cache = tmp_path / f"cache{jobs}"
        out = tmp_path / f"out{jobs}"
        build(replace(site, cache_dir=cache, output_dir=out), jobs=jobs, now=NOW)
        indexes.append(_index(cache))
    serial, parallel = indexes
    assert len(serial) == 40
    assert parallel == serial


def test_scan_makes_json_texts_only_for_a_cache_it_saves_to(many: Path, tmp_path: Path) -> None:
    """The records' JSON texts, made as files are read (here and in the workers), are
    made only when the scan's index will be saved: not without a cache, nor with one
    opened only to read."""
    from postfeed._cache import Cache, fingerprint
    from postfeed.reading.scan import scan

    site = load_site(many / "postfeed.yaml")
    found = {}
    for name, writable in (("none", None), ("read", False), ("write", True)):
        workers = _workers.Workers(2)
        try:
            if writable is None:
                archive = scan(site, None, workers)
            else:
                cache = Cache.open(tmp_path / name, fingerprint("test"), write=writable)
                try:
                    archive = scan(site, cache, workers)
                finally:
                    cache.close()
        finally:
            workers.close()
        found[name] = {file.text is not None for file in archive._files.values()}
    assert found == {"none": {False}, "read": {False}, "write": {True}}


def _build_afresh(
    site: Path, out: Path, *, jobs: int | None, setup: str = ""
) -> tuple[int, set[str]]:
    """Build ``site`` into ``out`` (with its cache) in a fresh interpreter, after running
    ``setup`` there: how many texts it rendered, and the top-level modules the
    building process loaded."""
    code = (
        "import json, sys\n"
        "from dataclasses import replace\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "import postfeed\n"
        f"{setup}\n"
        f"site = postfeed.load_site({str(site / 'postfeed.yaml')!r})\n"
        f"site = replace(site, output_dir=Path({str(out)!r}))\n"
        f"result = postfeed.build(site, jobs={jobs!r}, now=datetime(2026, 1, 1, tzinfo=UTC))\n"
        "print(json.dumps([result.renders, sorted({m.split('.')[0] for m in sys.modules})]))"
    )
    run = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    renders, modules = json.loads(run.stdout.splitlines()[-1])
    return renders, set(modules)


def _edit(site: Path, number: int, text: str) -> None:
    path = site / "posts" / f"p{number:02d}.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def test_a_pool_started_before_the_scan_makes_what_an_edit_needs(
    many: Path, tmp_path: Path
) -> None:
    """With the pool started before the posts are scanned (``jobs=2`` forces it), a worker
    renders and formats the edited entry and makes every file's head and tail: the
    building process imports neither Python-Markdown nor feedgen, and the files are those
    of a build in one process without a cache."""
    out = tmp_path / "out"
    assert _build_afresh(many, out, jobs=2)[0] == 54
    _edit(many, 5, "Edited once.")
    renders, modules = _build_afresh(many, out, jobs=2)
    assert renders == 1
    assert {"markdown", "feedgen", "lxml"} & modules == set()
    assert "multiprocessing" in modules
    site = load_site(many / "postfeed.yaml")
    build(replace(site, cache_dir=None, output_dir=tmp_path / "serial"), jobs=1, now=NOW)
    assert _files(out) == _files(tmp_path / "serial")
    # In one process, the same edit imports both.
    _edit(many, 6, "Edited too.")
    renders, modules = _build_afresh(many, out, jobs=1)
    assert renders == 1
    assert {"markdown", "feedgen", "lxml"} <= modules
    assert "multiprocessing" not in modules


@pytest.mark.skipif(_workers.cpu_count() < 2, reason="a pool needs two CPUs")
def test_the_pool_starts_before_the_scan_from_so_many_post_files(
    many: Path, tmp_path: Path
) -> None:
    """Left to choose, a build that is not found unchanged starts its pool before the
    scan once the posts folder holds ``WARM_FILES`` post files (40 here), and not below."""
    out = tmp_path / "out"
    _build_afresh(many, out, jobs=None)
    for number, warm_files, warmed in ((7, 40, True), (8, 41, False)):
        _edit(many, number, f"Edited with {warm_files}.")
        renders, modules = _build_afresh(
            many,
            out,
            jobs=None,
            setup=f"import postfeed.pipeline\npostfeed.pipeline.WARM_FILES = {warm_files}",
        )
        assert renders == 1
        assert ("markdown" in modules) is not warmed
        assert ("multiprocessing" in modules) is warmed
