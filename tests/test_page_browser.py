"""index.html in headless Chromium, served by postfeed serve: no console errors, no
request beyond the server, links that resolve to the feeds, readable on a phone, and
text contrast that meets WCAG AA in light and dark mode.

Chromium is driven through the DevTools protocol over a pipe (--remote-debugging-pipe):
JSON messages separated by NUL bytes, on file descriptors 3 (to Chromium) and 4 (from
it). No port, no extra package.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from postfeed.cli import main

TIMEOUT = 30.0
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
]

if CHROMIUM is None and not os.environ.get("CI"):
    pytestmark = pytest.mark.skip(
        reason="chromium is not installed (apt-get install chromium; .ci/run installs it)"
    )


class DevTools:
    """A Chromium process and one page, driven over the DevTools pipe."""

    def __init__(self, profile: Path) -> None:
        assert CHROMIUM is not None, "chromium must be installed when CI is set"
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:
            # Copy both ends above 10 first, so neither dup2 overwrites the other.
            read_end = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=child_fds,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""

    def send(self, method: str, params: dict[str, Any] | None = None, *, page: bool = True) -> Any:
        """Call a DevTools method and return its result (raises on a protocol error)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        reply = self._until(lambda m: m.get("id") == self._next_id)
        assert "error" not in reply, (method, reply["error"])
        return reply["result"]

    def wait_for(self, method: str) -> dict[str, Any]:
        """The next event named ``method`` (events seen before it are kept)."""
        return self._until(lambda m: m.get("method") == method)

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its (awaited) value."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def _until(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            assert left > 0, "Chromium did not answer in time"
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 16)
                assert chunk, f"Chromium closed the pipe (exit code {self.process.poll()})"
                self._buffer += chunk

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                os.write(
                    self._to_chrome,
                    json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0",
                )
                self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            os.close(self._to_chrome)
            os.close(self._from_chrome)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    """Headless Chromium with one page attached, its console, log and network recorded."""
    tools = DevTools(tmp_path / "chromium-profile")
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"}, page=False)
        attached = tools.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, page=False
        )
        tools.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.send(f"{domain}.enable")
        yield tools
    finally:
        tools.close()


CONTRAST = """
(() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const bg = getComputedStyle(document.body).backgroundColor;
  const worst = {};
  for (const sel of ['body', 'h1', 'a', '.muted', 'summary', 'code', 'time']) {
    for (const el of document.querySelectorAll(sel)) {
      const own = getComputedStyle(el).backgroundColor;
      const back = rgb(own).length && !own.startsWith('rgba(0, 0, 0, 0)') ? own : bg;
      const r = ratio(getComputedStyle(el).color, back);
      worst[sel] = Math.min(worst[sel] ?? 99, r);
    }
  }
  return worst;
})()
"""


def test_page_in_chromium(
    site_dir: Path,
    write_post: Callable[..., Path],
    start_server: Callable[..., Any],
    browser: DevTools,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page loads without a console error or an outside request, every feed link
    resolves to its feed, it fits a phone screen, and its text contrast is at least 4.5:1."""
    monkeypatch.chdir(site_dir)
    write_post("a", "tags: [go, Web Dev]\nsummary: 'First <img src=\"https://x.invalid/a.png\">'\n")
    write_post("b", "date: 2024-05-02\ntags: [go]\n", "A [link](https://example.org/) body.\n")
    assert main(["build", "-q"]) == 0
    server = start_server(site_dir, "-q")

    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True},
    )
    browser.send("Page.navigate", {"url": server.url})
    browser.wait_for("Page.loadEventFired")

    assert browser.evaluate("document.title") == "Test Blog: feeds"
    assert browser.evaluate("document.documentElement.lang") == "en"
    # Readable on a phone: nothing wider than the 360px screen, body text not tiny.
    assert browser.evaluate("document.documentElement.scrollWidth") <= 360
    assert browser.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    # One tap selects a whole feed address for copying.
    assert browser.evaluate("getComputedStyle(document.querySelector('code')).userSelect") == "all"

    links = browser.evaluate(
        "[...document.querySelectorAll('a[type], link[rel=alternate]')]"
        ".map((e) => [e.href, e.type])"
    )
    feed_types = {"application/rss+xml", "application/atom+xml", "application/feed+json"}
    assert len(links) == 3 + 2 * 3 + 3  # main feeds, two tags' feeds, discovery tags
    assert {kind for _, kind in links} == feed_types
    assert all(href.startswith(server.url) for href, _ in links)
    fetched = browser.evaluate(
        "Promise.all(" + json.dumps([href for href, _ in links]) + ".map((u) => fetch(u)"
        ".then(async (r) => [u, r.status, r.headers.get('content-type'), (await r.text()).length])))"
    )
    for (href, kind), (url, status, content_type, length) in zip(links, fetched, strict=True):
        assert (url, status, content_type) == (href, 200, kind + "; charset=utf-8")
        local = site_dir / "feeds" / href.removeprefix(server.url)
        assert length == len(local.read_text(encoding="utf-8"))

    for scheme in ("light", "dark"):
        browser.send(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
        )
        ratios = browser.evaluate(CONTRAST)
        assert set(ratios) >= {"body", "h1", "a", ".muted", "summary", "code", "time"}
        assert min(ratios.values()) >= 4.5, (scheme, ratios)

    requested = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e["method"] == "Network.requestWillBeSent"
    ]
    assert requested
    assert all(url.startswith((server.url, "data:")) for url in requested), requested
    problems = [
        e["params"]
        for e in browser.events
        if (
            e["method"] == "Runtime.consoleAPICalled"
            and e["params"]["type"] in ("error", "warning")
        )
        or e["method"] == "Runtime.exceptionThrown"
        or (
            e["method"] == "Log.entryAdded"
            and e["params"]["entry"]["level"] in ("error", "warning")
        )
        or e["method"] == "Network.loadingFailed"
    ]
    assert problems == []
