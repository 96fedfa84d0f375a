"""Run one command and report its wall time and peak memory as JSON on stdout.

Usage: python bench/measure.py -- COMMAND [ARG...]

Start a fresh ``measure.py`` for every measurement: ``RUSAGE_CHILDREN`` reports
the largest peak RSS of all children a process has ever waited for, so only a
process with a single child reports that child's own peak. That figure is the
peak of the largest process in the command's tree (the tree's processes are
all waited for). When the command starts processes of its own, this also
samples the whole tree's proportional set size (PSS: shared pages split between
the processes sharing them) every 50 ms and reports the highest sum seen (reading
PSS costs the kernel a walk of every page, so more often would slow the build).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

SAMPLE_SECONDS = 0.05


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process tree while it has more than one process."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.processes = 1
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            tree, stack = [], [self.pid]
            while stack:
                pid = stack.pop()
                tree.append(pid)
                stack += _children(pid)
            self.processes = max(self.processes, len(tree))
            if len(tree) > 1:
                self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in tree))


def measure(command: list[str]) -> dict[str, float | int]:
    """Run ``command`` once; return wall seconds, peak RSS and sampled tree PSS (KiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    sampler = TreeSampler(process.pid)
    sampler.start()
    code = process.wait()
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "exit": code,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_kib": usage.ru_maxrss,  # Linux reports KiB
        "tree_pss_kib": sampler.peak_kib,
        "processes": sampler.processes,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    print(json.dumps(measure(args)))


if __name__ == "__main__":
    main()
