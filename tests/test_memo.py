"""The memo behind render(): each post's Markdown rendered once per process, bounded by
bytes, least recently used out first, and never seen by another site."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import postfeed
from postfeed.rendering import markup
from postfeed.rendering.memo import Memo

POSTS = [
    postfeed.Post(
        slug=f"p{number}",
        title=f"Post {number}",
        published=datetime(2026, 1, number, tzinfo=UTC),
        markdown=f"Post *{number}*, see [the index](../index/).\n\n<!--more-->\n\nMore.",
        summary="A *summary*." if number == 2 else None,
        tags=("even",) if number % 2 == 0 else (),
    )
    for number in range(1, 5)
]
SITE = postfeed.Site(title="Memo", url="https://memo.example/")


@pytest.fixture(autouse=True)
def _fresh_memo() -> Iterator[None]:
    """Each test starts with an empty memo of the default size, and leaves one."""
    size = postfeed.memo.info().max_bytes
    postfeed.memo.clear()
    yield
    postfeed.memo.resize(size)
    postfeed.memo.clear()


def _text(number: int) -> str:
    return chr(0x41 + number) * 1000


def test_least_recently_used_goes_first() -> None:
    """Past its bound in bytes, the memo drops the value used least recently."""
    one = sys.getsizeof(_text(0)) * 2 + 256  # an entry: key text, value text, overhead
    memo: Memo[tuple[str]] = Memo(max_bytes=3 * one)
    made: list[int] = []

    def get(number: int) -> str:
        def make() -> tuple[str]:
            made.append(number)
            return (_text(number),)

        return memo.get((_text(number),), make)[0]

    for number in (0, 1, 2, 0, 3):
        assert get(number) == _text(number)
    assert made == [0, 1, 2, 3]  # 0 came from the memo the second time
    info = memo.info()
    assert (info.hits, info.misses, info.entries, info.bytes) == (1, 4, 3, 3 * one)
    get(1)  # dropped: the least recently used when 3 came in
    assert made == [0, 1, 2, 3, 1]
    get(0)
    assert made == [0, 1, 2, 3, 1]


def test_resize_clear_and_off() -> None:
    """resize() drops what no longer fits, 0 keeps nothing, a value larger than the
    bound is not kept, and clear() forgets everything and the counts."""
    memo: Memo[tuple[str]] = Memo(max_bytes=1 << 20)
    for number in range(4):
        memo.get((_text(number),), lambda number=number: (_text(number),))
    assert memo.info().entries == 4
    memo.resize(memo.info().bytes // 2)
    assert memo.info().entries == 2
    memo.get((_text(0),), lambda: (_text(0),))
    assert memo.info().misses == 5  # text 0 was among the dropped
    memo.resize(0)
    assert (memo.info().entries, memo.info().bytes) == (0, 0)
    memo.get((_text(1),), lambda: (_text(1),))
    assert memo.info().entries == 0
    memo.resize(1000)
    memo.get((_text(1),), lambda: (_text(1),))  # 2,000 characters: larger than the bound
    assert memo.info().entries == 0
    memo.clear()
    assert memo.info() == type(memo.info())(hits=0, misses=0, entries=0, bytes=0, max_bytes=1000)


@pytest.mark.parametrize("value", [-1, 1.5, True, "10"])
def test_invalid_size(value: object) -> None:
    """A size that is not a whole number of bytes, 0 or more, is refused."""
    message = f"max_bytes must be a whole number of bytes, 0 or more: {value!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        postfeed.memo.resize(value)  # type: ignore[arg-type]


def test_render_renders_each_post_once() -> None:
    """A second render() of the same posts, in any format or tag feed, renders nothing
    and gives the same bytes; an edited post alone is rendered again."""
    first = postfeed.render(SITE, POSTS, "atom")
    assert postfeed.memo.info().misses == 4
    assert postfeed.render(SITE, POSTS, "atom") == first
    postfeed.render(SITE, POSTS, "rss")
    postfeed.render(SITE, POSTS, "json", tag="even")
    info = postfeed.memo.info()
    assert (info.misses, info.hits, info.entries) == (4, 4 + 4 + 2, 4)
    edited = [*POSTS[:3], postfeed.Post(**{**_fields(POSTS[3]), "markdown": "Post 4, edited."})]
    again = postfeed.render(SITE, edited, "atom")
    assert postfeed.memo.info().misses == 5
    assert b"Post 4, edited." in again
    assert b"Post 4, edited." not in first


def test_the_memo_gives_what_rendering_gives() -> None:
    """With the memo off every call renders, and the bytes are those of a warm call."""
    cold = [postfeed.render(SITE, POSTS, name) for name in ("rss", "atom", "json")]
    warm = [postfeed.render(SITE, POSTS, name) for name in ("rss", "atom", "json")]
    assert warm == cold
    postfeed.memo.resize(0)
    before = postfeed.memo.info().misses
    assert [postfeed.render(SITE, POSTS, name) for name in ("rss", "atom", "json")] == warm
    assert postfeed.memo.info().misses == before + 12


def test_other_renderer_settings_render_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTML rendered with other renderer settings (another Python-Markdown, other
    extensions) is never taken from the memo."""
    postfeed.render(SITE, POSTS, "atom")
    monkeypatch.setattr(
        markup, "renderer_settings", lambda profile=None: "markdown 0.0; extensions none"
    )
    postfeed.render(SITE, POSTS, "atom")
    assert postfeed.memo.info().misses == 8


def test_a_second_site_sees_its_own_links() -> None:
    """Two sites rendering the same posts in one process each get links made absolute
    against their own URL, as each would alone."""
    other = postfeed.Site(title="Other", url="https://other.example/blog/")
    postfeed.render(SITE, POSTS, "atom")
    second = postfeed.render(other, POSTS, "atom")
    assert b'href="https://other.example/blog/posts/p1/' in second
    assert b"memo.example" not in second
    postfeed.memo.clear()
    assert postfeed.render(other, POSTS, "atom") == second


def test_build_leaves_the_memo_alone(tmp_path: Path) -> None:
    """build() has its own cache on disk and neither reads nor fills the memo."""
    site = postfeed.Site(title="B", url="https://b.example/", output_dir=tmp_path / "feeds")
    postfeed.render(SITE, POSTS, "atom")
    before = postfeed.memo.info()
    result = postfeed.build(site, POSTS, jobs=1)
    assert result.renders == 5  # four bodies and one summary
    assert postfeed.memo.info() == before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_child_forked_while_the_memo_is_locked_can_use_it() -> None:
    """A process forked while another thread holds the memo's lock (a server forking
    workers while it renders) gets a lock of its own, not one held forever."""
    postfeed.render(SITE, POSTS, "atom")
    locked, release = threading.Event(), threading.Event()
    memo = postfeed.memo

    def hold() -> None:
        with memo._lock:
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(10)
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process with threads: that is the point.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its exit code
            signal.alarm(20)  # a child waiting for the lock forever dies instead
            ok = postfeed.render(SITE, POSTS, "atom").startswith(b"<?xml")
            os._exit(0 if ok and memo.info().hits == 4 else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        release.set()
        holder.join()
    assert os.waitstatus_to_exitcode(status) == 0


def _fields(post: postfeed.Post) -> dict[str, object]:
    return {name: getattr(post, name) for name in post.__dataclass_fields__}
