"""The library in a threaded web application: render() from many threads at once, and
what build() changes in the whole process, restored whatever the order."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
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


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Threads switch every 10 microseconds, so that their work interleaves finely."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def memo_size() -> Iterator[int]:
    size = postfeed.memo.info().max_bytes
    yield size
    postfeed.memo.resize(size)
    postfeed.memo.clear()


def _render_in_threads(
    calls: list[tuple[str, str | None]], rounds: int
) -> list[dict[tuple[str, str | None], bytes]]:
    """Each of ``calls``, ``rounds`` times over, from THREADS threads started together,
    each thread starting at another call."""
    start = threading.Barrier(THREADS)
    results: list[dict[tuple[str, str | None], bytes]] = [{} for _ in range(THREADS)]
    failures: list[BaseException] = []

    def work(number: int) -> None:
        try:
            start.wait(30)
            for round_ in range(rounds):
                for name, tag in calls[number % len(calls) :] + calls[: number % len(calls)]:
                    body = postfeed.render(SITE, POSTS, name, tag=tag)
                    if round_ and results[number][name, tag] != body:
                        raise AssertionError(f"{name} {tag}: other bytes in round {round_}")
                    results[number][name, tag] = body
        except BaseException as err:  # reported in the main thread
            failures.append(err)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    return results


@pytest.mark.parametrize("memo", ["on", "off"])
def test_threads_rendering_at_once_get_identical_bytes(
    memo: str, fast_switching: None, memo_size: int
) -> None:
    """8 threads rendering the same shared Site and Posts at once get the bytes one
    thread gets alone: with the memo (filled by all of them at once; every feed in
    every format, three times) and without it (every call renders; each format)."""
    calls = CALLS if memo == "on" else [(name, None) for name in ("rss", "atom", "json")]
    expected = {(name, tag): postfeed.render(SITE, POSTS, name, tag=tag) for name, tag in calls}
    postfeed.memo.clear()
    if memo == "off":
        postfeed.memo.resize(0)
    for results in _render_in_threads(calls, rounds=3 if memo == "on" else 1):
        assert results == expected
    if memo == "on":
        assert postfeed.memo.info().entries == len(POSTS)


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
