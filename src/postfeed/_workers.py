"""Worker processes for the heavy parts of a large build: scanning many files,
rendering many posts, formatting large feeds.

Output never depends on whether workers are used: every job is a module-level
function of its arguments alone, and results come back in submission order.
A pool is started only for work estimated to take long enough to pay for it.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # imported when a pool starts: most builds never start one
    import multiprocessing.context
    from concurrent.futures import Future, ProcessPoolExecutor

R = TypeVar("R")
T = TypeVar("T")

#: Estimated single-core seconds of work from which starting a pool pays for
#: itself (measured with bench/threshold.py, see docs/performance.md), and from
#: which a pool that is already running is worth sending work to.
THRESHOLD = 0.05
RUNNING_THRESHOLD = 0.02
#: Rough costs behind the estimates, measured on the benchmark's posts.
SCAN_SECONDS_PER_FILE = 45e-6
RENDER_SECONDS_PER_CHAR = 0.33e-6
FINISH_SECONDS_PER_CHAR = 0.02e-6
FORMAT_SECONDS_PER_ENTRY = 60e-6
FORMAT_SECONDS_PER_CHAR = 0.01e-6
#: The interpreter's thread switch interval while a pool runs, in seconds.
SWITCH_INTERVAL = 0.0002
#: Post files from which a build not found unchanged starts its pool before it scans
#: them, so that a worker gets ready to make entries meanwhile (see Workers.warm).
WARM_FILES = 1000


class ProcessSetting(Generic[T]):
    """A setting of the whole process that builds change while they run: the first
    build to hold it saves it and applies ``want(saved)``, and the last one to let
    go restores it, so that builds running at once in several threads never leave
    it changed (nor restore it while another still wants it)."""

    def __init__(
        self, read: Callable[[], T], write: Callable[[T], None], want: Callable[[T], T]
    ) -> None:
        self._read, self._write, self._want = read, write, want
        self._holders = 0
        self._saved: T | None = None
        self._lock = threading.Lock()
        _settings.add(self)

    def hold(self) -> None:
        """Apply the build's value, saving the process's first if no build holds it."""
        with self._lock:
            if self._holders == 0:
                self._saved = self._read()
                self._write(self._want(self._saved))
            self._holders += 1

    def release(self) -> None:
        """Let go; the last build to do so restores the saved value."""
        with self._lock:
            self._holders -= 1
            if self._holders == 0:
                saved, self._saved = self._saved, None
                self._write(saved)  # type: ignore[arg-type]  # saved by hold()

    def _after_fork(self) -> None:
        self._lock = threading.Lock()


_settings: weakref.WeakSet[ProcessSetting[Any]] = weakref.WeakSet()


def _after_fork() -> None:
    # A child forked while another thread held a setting's lock would wait for it forever.
    for setting in list(_settings):
        setting._after_fork()


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_after_fork)


def _collect(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()


#: Python's cycle collector, paused while a build runs: a build makes some hundred
#: thousand small objects and no reference cycles, and the collector would only walk
#: them again and again (a tenth of a cold build of 10,000 posts).
COLLECTOR = ProcessSetting(gc.isenabled, _collect, lambda _: False)
#: The interpreter's thread switch interval, shortened while a pool runs (see
#: ``Workers._start``) and while a build writes its files.
SWITCH = ProcessSetting(
    sys.getswitchinterval, sys.setswitchinterval, lambda saved: min(saved, SWITCH_INTERVAL)
)


#: What builds made, kept to the end of the process once it asked so (see
#: :func:`keep_to_exit`); None while it has not.
_kept_to_exit: list[object] | None = None


def keep_to_exit() -> None:
    """Keep what each build makes to the end of the process, for a process that ends
    right after its build (the ``postfeed`` command): freed object by object as the build
    returns, it took about 35 ms after a post added at 10,000 posts and ``limit: 0``,
    work the end of the process makes pointless."""
    global _kept_to_exit
    if _kept_to_exit is None:
        _kept_to_exit = []


def leave_to_exit(*objects: object) -> None:
    """Keep ``objects`` to the end of the process, if it asked so (:func:`keep_to_exit`)."""
    if _kept_to_exit is not None:
        _kept_to_exit.extend(objects)


def cpu_count() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS and Windows


class Workers:
    """Processes working on one build: this one and, started on first use, a pool
    of ``count - 1`` more.

    ``jobs`` is None to decide by the estimated work and the number of CPUs,
    1 to never start a process, or N to use N processes (this one included)
    whenever there is work.
    """

    def __init__(self, jobs: int | None = None) -> None:
        if jobs is not None and jobs < 1:
            raise ValueError(f"jobs must be 1 or more, got {jobs}")
        self.jobs = jobs
        self.count = jobs if jobs is not None else cpu_count()
        #: Whether the pool was started ahead of its work (see :meth:`warm`).
        self.warmed = False
        self._pool: ProcessPoolExecutor | None = None

    def worth(self, seconds: float) -> bool:
        """Whether work estimated at ``seconds`` on one core should be shared out."""
        if self.count < 2 or seconds <= 0:
            return False
        if self.jobs is not None:
            return True
        return seconds >= (THRESHOLD if self._pool is None else RUNNING_THRESHOLD)

    def map(
        self,
        function: Callable[..., R],
        calls: Iterable[tuple[Any, ...]],
        here: Callable[..., R] | None = None,
        ahead: int = 2,
    ) -> Iterator[R]:
        """``function(*args)`` for each ``args`` in ``calls``, in order.

        Calls go to the pool while it has fewer than ``ahead`` per process in hand;
        meanwhile this process runs the next call itself rather than wait (with
        ``here`` instead of ``function`` if given), so ``count`` processes work with
        one fewer started. Many small calls want a few in hand, so that no worker
        waits for this one; a few large calls want one. Few calls are ever held at
        once, so ``calls`` may make its arguments only as they are taken.
        """
        pool = self._start()
        limit = ahead * (self.count - 1)
        pending: deque[Future[R] | _Done[R]] = deque()
        for args in calls:
            while pending and pending[0].done():
                yield pending.popleft().result()
            if sum(not item.done() for item in pending) < limit:
                pending.append(pool.submit(function, *args))
            else:
                pending.append(_Done((here or function)(*args)))
        while pending:
            yield pending.popleft().result()

    def warm(self, function: Callable[..., object], *args: Any) -> None:
        """Start the pool now, its worker first running ``function(*args)``: getting
        ready for work (importing, making a renderer) that this process would otherwise
        get ready for itself, while it does something else. Nothing with one process,
        or once the pool runs."""
        if self.count < 2 or self._pool is not None:
            return
        self._start().submit(function, *args)
        self.warmed = True

    def call(self, function: Callable[..., R], *args: Any) -> R:
        """``function(*args)``, run by the pool, which :meth:`warm` started."""
        assert self._pool is not None, "call() needs the pool warm() started"
        return self._pool.submit(function, *args).result()

    def close(self) -> None:
        """Stop the pool, if one was started."""
        if self._pool is not None:
            try:
                self._pool.shutdown(wait=True, cancel_futures=True)
            finally:
                self._pool = None
                self.warmed = False
                SWITCH.release()

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(self.count - 1, mp_context=_context())
            # The pool's threads in this process pass work and results through pipes,
            # a piece at a time, and each piece waits for the interpreter lock this
            # process's own share of the work holds: by default up to 5 ms, long
            # enough for a worker to sit idle after every call. While the pool runs,
            # the lock changes hands sooner.
            SWITCH.hold()
        return self._pool


class _Done(Generic[R]):
    """A call this process ran itself, in line with the pool's futures."""

    def __init__(self, value: R) -> None:
        self.value = value

    def done(self) -> bool:
        return True

    def result(self) -> R:
        return self.value


def portions(count: int, share: int, largest: int) -> Iterator[tuple[int, int]]:
    """Start and end of consecutive runs of ``count`` items, for calls shared out
    among processes: each run at most ``largest`` long and at most a ``share``-th
    of the items left, so runs shrink towards the end and no process is left
    waiting long for another's last call."""
    start = 0
    while start < count:
        size = max(1, min(largest, -(-(count - start) // max(1, share))))
        yield start, start + size
        start += size


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # fork starts a worker in milliseconds with every module already imported,
    # but is only safe while this process runs a single thread.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
