"""What the library's ``render()`` made of each post, kept in memory: its summary and
content, rendered from Markdown and finished (links made absolute), by everything
they depend on. Bounded by bytes, least recently used out first, safe under
threads. Standard library only; nothing here renders by itself."""

from __future__ import annotations

import os
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

#: The default bound: some 800 posts of 1,300 words (their Markdown and what it gives).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# What an entry costs besides its strings: the key and value tuples and the ordered
# dict's link, rounded up.
_ENTRY_OVERHEAD = 256

Key = tuple[str, ...]
V = TypeVar("V", bound=tuple[str | None, ...])


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoInfo:
    """How a memo has done: lookups that found a value (``hits``) and that had to make
    one (``misses``), and what it holds, in entries and in bytes, at most
    ``max_bytes``."""

    hits: int
    misses: int
    entries: int
    bytes: int
    max_bytes: int


class Memo(Generic[V]):
    """Values made from text, by key (tuples of strings, such as a post's Markdown,
    URL and the renderer's settings), at most ``max_bytes`` of keys and values
    together; the least recently used go first. 0 keeps nothing.

    Lookups take a lock; values are made outside it, so that threads never wait
    for each other's rendering. Two threads that miss the same key at once both
    make its value, which is the same.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._check(max_bytes)
        self._max = max_bytes
        self._items: OrderedDict[Key, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()
        _memos.add(self)

    def get(self, key: Key, make: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``make()``, kept for next time."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self._hits += 1
                return found[0]
            self._misses += 1
        value = make()
        size = _ENTRY_OVERHEAD + sum(
            sys.getsizeof(text) for text in (*key, *value) if text is not None
        )
        with self._lock:
            if size > self._max or key in self._items:
                return value
            self._items[key] = (value, size)
            self._bytes += size
            self._evict()
        return value

    def clear(self) -> None:
        """Forget every value (and the counts of hits and misses)."""
        with self._lock:
            self._items.clear()
            self._bytes = self._hits = self._misses = 0

    def resize(self, max_bytes: int) -> None:
        """Keep at most ``max_bytes`` from now on (0 turns the memo off), dropping the
        least recently used values beyond it."""
        self._check(max_bytes)
        with self._lock:
            self._max = max_bytes
            self._evict()

    def info(self) -> MemoInfo:
        """The counts of hits and misses, and what the memo holds."""
        with self._lock:
            return MemoInfo(
                hits=self._hits,
                misses=self._misses,
                entries=len(self._items),
                bytes=self._bytes,
                max_bytes=self._max,
            )

    def _evict(self) -> None:
        while self._bytes > self._max:
            _, (_, size) = self._items.popitem(last=False)
            self._bytes -= size

    def _new_lock(self) -> None:
        self._lock = threading.Lock()

    @staticmethod
    def _check(max_bytes: int) -> None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
            raise ValueError(f"max_bytes must be a whole number of bytes, 0 or more: {max_bytes!r}")


_memos: weakref.WeakSet[Memo[Any]] = weakref.WeakSet()


def _after_fork() -> None:
    # A child forked while another thread held a memo's lock would wait for it forever.
    for found in list(_memos):
        found._new_lock()


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_after_fork)

#: The memo of :func:`postfeed.render` (and :func:`postfeed.respond`), one per process:
#: each post's summary HTML, summary text and content HTML.
memo: Memo[tuple[str, str, str | None]] = Memo()
