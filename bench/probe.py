"""Build once, serially, and report how many Markdown renders it made and the time
they took, as JSON on stdout.

Usage: python bench/probe.py CONFIG

Times every call of ``postfeed.rendering.markup.Renderer.render`` with a wrapper, so the
build runs in one process (``jobs=1``); its wall time is not a benchmark figure.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import postfeed
from postfeed.rendering import markup


def main() -> None:
    spent = [0.0]
    original = markup.Renderer.render

    def timed(self: markup.Renderer, text: str) -> str:
        start = time.perf_counter()
        try:
            return original(self, text)
        finally:
            spent[0] += time.perf_counter() - start

    markup.Renderer.render = timed  # type: ignore[method-assign]
    site = postfeed.load_site(sys.argv[1])
    result = postfeed.build(site, jobs=1)
    report: dict[str, Any] = {"renders": result.renders, "render_s": spent[0]}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
