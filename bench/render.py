"""Time the library's ``render()`` on a web application's feed: 20 posts of about 1,300
words of Markdown (the benchmark's generated posts, loaded with their bodies), in
Atom, RSS and JSON Feed. Reports JSON on stdout.

For each format, ``cold`` is a call whose posts this process has not rendered yet
(the memo is cleared before it; postfeed's modules and libraries are already
imported, as in a running application), ``off`` a call with the memo turned off
(every call renders, as before there was a memo), measured in turns with the cold
calls so that a busy machine slows both alike, and ``warm`` the same call
repeated. Without a memo (postfeed before it had one) every call is cold.

Usage: python bench/render.py [--cold N] [--warm N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the generator sits beside this script)

import postfeed  # noqa: E402

POSTS = 20
FORMATS = ("atom", "rss", "json")


def clear_memo() -> None:
    memo = getattr(postfeed, "memo", None)
    if memo is not None:
        memo.clear()


def timed(call: Callable[[], bytes]) -> tuple[float, bytes]:
    start = time.perf_counter()
    body = call()
    return time.perf_counter() - start, body


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cold", type=int, default=5, help="cold calls per format")
    parser.add_argument("--warm", type=int, default=30, help="warm calls per format")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        for number in range(POSTS):
            (folder / f"{generate.slug(number)}.md").write_text(
                generate.post(number), encoding="utf-8"
            )
        posts = [postfeed.load_post(path, "Europe/Berlin") for path in sorted(folder.iterdir())]
    site = postfeed.Site(
        title="Synthetic Go Blog",
        url="https://bench.example/",
        language="en",
        author=postfeed.Author(name="Bench Author", email="author@bench.example"),
        timezone="Europe/Berlin",
        limit=POSTS,
    )
    # Import everything a render needs, on a post of its own.
    other = postfeed.Post(
        slug="warm-up", title="Warm-up", published=datetime(2000, 1, 1, tzinfo=UTC), markdown="Hi."
    )
    for name in FORMATS:
        postfeed.render(site, [other], name)
    results: dict[str, Any] = {"posts": POSTS, "words": sum(len(p.markdown.split()) for p in posts)}
    memo = getattr(postfeed, "memo", None)
    size = memo.info().max_bytes if memo is not None else 0
    for name in FORMATS:
        times: dict[str, list[float]] = {"cold": [], "off": [], "warm": []}
        bodies = set()

        def call(name: str = name) -> bytes:
            return postfeed.render(site, posts, name)

        for _ in range(args.cold):
            if memo is not None:
                memo.resize(0)
            seconds, body = timed(call)
            times["off"].append(seconds)
            bodies.add(body)
            if memo is not None:
                memo.resize(size)
            clear_memo()
            seconds, body = timed(call)
            times["cold"].append(seconds)
            bodies.add(body)
        for _ in range(args.warm):
            seconds, body = timed(call)
            times["warm"].append(seconds)
            bodies.add(body)
        if len(bodies) != 1:
            raise SystemExit(f"{name}: calls gave different bytes")
        results[name] = {"bytes": len(bodies.pop())}
        for kind, found in times.items():
            results[name][f"{kind}_ms"] = [round(s * 1000, 2) for s in found]
            results[name][f"{kind}_median_ms"] = round(statistics.median(found) * 1000, 2)
    if memo is not None:
        info = memo.info()
        results["memo_bytes_per_post"] = info.bytes // max(1, info.entries)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
