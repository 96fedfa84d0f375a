"""The library in a threaded application: each thread its own renderer, and what build()
changes in the whole process restored whatever the order."""

from __future__ import annotations

import gc
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import postfeed
from postfeed import _workers
from postfeed.rendering import markup

BENCH = Path(__file__).parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/ is not a package)

THREADS = 8
SITE = postfeed.Site(title="Threads", url="https://threads.example/", language="en")
POSTS = tuple(
    postfeed.Post(
        slug=generate.slug(number),
        title=f"Post {number}",
        published=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=number),
        # Long Markdown with tables, code and links: a conversion that a shared
        # Python-Markdown instance would mix up with another thread's.
        markdown=generate.post(number).split("---\n", 2)[2],
        tags=("even",) if number % 2 == 0 else ("odd",),
    )
    for number in range(12)
)
CALLS = [(name, tag) for name in ("rss", "atom", "json") for tag in (None, "even", "odd")]


def test_each_thread_has_its_own_renderer() -> None:
    """Threads never share a Python-Markdown instance; one thread reuses its own."""
    found: list[markup.Renderer] = []
    threads = [
        threading.Thread(target=lambda: found.extend([markup.thread_renderer()] * 2))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
        thread.join()
    assert len({id(renderer) for renderer in found}) == 3
    assert found[0] is found[1]
    assert markup.thread_renderer() is markup.thread_renderer()
    assert all(renderer is not markup.thread_renderer() for renderer in found)


def test_overlapping_pools_restore_the_switch_interval() -> None:
    """Two builds whose pools overlap (in two threads) leave the thread switch interval
    as it was, whichever ends first."""
    before = sys.getswitchinterval()
    first, second = _workers.Workers(2), _workers.Workers(2)
    first._start()
    second._start()
    first.close()
    assert sys.getswitchinterval() == pytest.approx(min(before, _workers.SWITCH_INTERVAL))
    second.close()
    assert sys.getswitchinterval() == before


def test_builds_in_threads_restore_the_cycle_collector(tmp_path: Path) -> None:
    """Two builds running at once in two threads pause the cycle collector while either
    runs, and it runs again once both are done."""
    both_running = threading.Barrier(2)
    seen: list[bool] = []
    failures: list[BaseException] = []

    def build(name: str) -> None:
        site = postfeed.Site(title=name, url="https://t.example/", output_dir=tmp_path / name)

        def progress(stage: str, done: int, total: int) -> None:
            if done == 1:
                both_running.wait(30)
                seen.append(gc.isenabled())

        try:
            postfeed.build(site, POSTS[:3], jobs=1, progress=progress)
        except BaseException as err:  # reported in the main thread
            failures.append(err)

    assert gc.isenabled()
    threads = [threading.Thread(target=build, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_build_that_fails_to_start_restores_the_cycle_collector(tmp_path: Path) -> None:
    """A build refused at once (jobs=0) leaves the cycle collector running, and one in a
    process whose collector is off leaves it off."""
    site = postfeed.Site(title="T", url="https://t.example/", output_dir=tmp_path / "feeds")
    with pytest.raises(ValueError, match=r"^jobs must be 1 or more, got 0$"):
        postfeed.build(site, POSTS[:1], jobs=0)
    assert gc.isenabled()
    gc.disable()
    try:
        postfeed.build(site, POSTS[:1], jobs=1)
        assert not gc.isenabled()
    finally:
        gc.enable()
