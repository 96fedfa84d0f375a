"""WebSub: the hub is advertised in every feed, and postfeed ping notifies a real HTTP
hub stub on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest

from postfeed.cli import main
from postfeed.commands import websub


@dataclass
class Hub:
    """A hub stub: records each publish request; refuses topics listed in ``refuse``."""

    url: str = ""
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    reason: str = "Forbidden"  # the reason phrase of a refusal
    answer: bytes = b"topic not allowed here"  # the body of a refusal


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    """A WebSub hub stub listening on 127.0.0.1."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = Hub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode("ascii"), strict_parsing=True)
            state.requests.append((self.path, self.headers["Content-Type"], form))
            if form["hub.url"][0] in state.refuse:
                body = state.answer
                self.send_response(403, state.reason)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/publish"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def blog(
    site_dir: Path,
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Two published posts with tags go and web, and a draft tagged secret."""
    monkeypatch.chdir(site_dir)
    write_post("a", "tags: [go]\n")
    write_post("b", "date: 2024-05-02\ntags: [go, web]\n")
    write_post("c", "date: 2024-05-03\ntags: [secret]\ndraft: true\n")
    return site_dir


FEED_URLS = [
    f"https://blog.example.com/feeds/{folder}{name}"
    for folder in ("", "tags/go/", "tags/web/")
    for name in ("rss.xml", "atom.xml", "feed.json")
]


def test_every_feed_advertises_the_hub(blog: Path, write_config: Callable[..., Path]) -> None:
    """rel="hub" in Atom, atom:link rel="hub" in RSS, hubs in JSON Feed; tag feeds too."""
    write_config("hub: https://hub.example.org/\n")
    assert main(["build", "-q"]) == 0
    for folder in ("", "tags/go/"):
        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse((blog / "feeds" / folder / name).read_bytes())
            assert not parsed.bozo
            hubs = [link.href for link in parsed.feed.links if link.rel == "hub"]
            assert hubs == ["https://hub.example.org/"], folder + name
            # The self link is still the RSS channel's link target, not the hub.
            assert parsed.feed.link == "https://blog.example.com/"
        document = json.loads((blog / "feeds" / folder / "feed.json").read_bytes())
        assert document["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]


def test_ping_notifies_each_feed(
    blog: Path, hub: Hub, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """ping POSTs hub.mode=publish and hub.url for every feed URL, drafts' tags left out."""
    write_config(f"hub: {hub.url}\n")
    assert main(["ping"]) == 0
    assert capsys.readouterr().out == f"postfeed: notified {hub.url} of 9 feed URLs\n"
    assert [path for path, _, _ in hub.requests] == ["/publish"] * 9
    assert {kind for _, kind, _ in hub.requests} == {"application/x-www-form-urlencoded"}
    assert [form for _, _, form in hub.requests] == [
        {"hub.mode": ["publish"], "hub.url": [url]} for url in FEED_URLS
    ]


def test_hub_refuses(
    blog: Path, hub: Hub, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A refusal is named with its URL, status and the hub's words; all URLs are tried."""
    write_config(f"hub: {hub.url}\n")
    hub.refuse = {FEED_URLS[1], FEED_URLS[4]}
    assert main(["ping"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"{hub.url}: {FEED_URLS[1]}: refused with HTTP 403 Forbidden (topic not allowed here);"
        f" {FEED_URLS[4]}: refused with HTTP 403 Forbidden (topic not allowed here)\n"
    )
    assert len(hub.requests) == 9


def test_hub_unreachable(
    blog: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A hub nobody listens at is a clear error, exit 2."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    write_config(f"hub: {url}\n")
    assert main(["ping"]) == 2
    assert capsys.readouterr().err == (
        f"{url}: cannot reach the hub: [Errno 111] Connection refused\n"
    )


def test_no_hub_configured(blog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ping without a hub in the configuration says what to add."""
    assert main(["ping"]) == 2
    assert capsys.readouterr().err == "postfeed.yaml: hub: not set; add 'hub: URL' to ping a hub\n"


def test_hub_must_be_a_url(
    blog: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """hub must be an absolute http(s) URL."""
    write_config("hub: pubsubhubbub\n")
    assert main(["build"]) == 2
    assert capsys.readouterr().err == (
        "postfeed.yaml:9: hub: expected an absolute http(s) URL, got 'pubsubhubbub'\n"
    )


@contextlib.contextmanager
def raw_hub(answer: Callable[[socket.socket, int], None]) -> Iterator[str]:
    """A hub on 127.0.0.1 that reads each request and then calls ``answer(connection,
    number)``; its URL. Stops taking connections when the block ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        number = 0
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(65536)
                answer(connection, number)
            number += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/publish"
    finally:
        stop.set()
        thread.join(10)
        listener.close()


def test_a_slow_hub_meets_one_deadline(
    blog: Path,
    write_config: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hub that sends one header line every 0.2 s is given up on when the request's
    deadline passes (1 s here), though no single read ever waits long; exit 2."""
    monkeypatch.setattr(websub, "PING_TIMEOUT", 1.0)

    def drip(connection: socket.socket, number: int) -> None:
        if number:  # later requests are closed unanswered
            return
        connection.sendall(b"HTTP/1.1 204 No Content\r\n")
        for _ in range(15):  # 3 s at most, so a ping without a deadline ends too
            time.sleep(0.2)
            try:
                connection.sendall(b"X-Still-There: yes\r\n")
            except OSError:
                return

    with raw_hub(drip) as url:
        write_config(f"hub: {url}\n")
        started = time.monotonic()
        assert main(["ping"]) == 2
        waited = time.monotonic() - started
    assert capsys.readouterr().err == (
        f"{url}: no complete answer within 1 s to the ping for {FEED_URLS[0]}\n"
    )
    assert waited < 2.5


def test_hub_words_reach_the_terminal_clean(
    blog: Path, hub: Hub, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A refusal's reason and answer lose their control characters (terminal escape codes)
    and are cut to 200 characters."""
    write_config(f"hub: {hub.url}\n")
    hub.refuse = {FEED_URLS[2]}
    hub.reason = "Forbidden\x1b[5m"
    hub.answer = b"\x1b]0;owned\x07\x1b[2J\x1b[31mgo\r\naway " + b"x" * 5000
    assert main(["ping"]) == 2
    quoted = ("]0;owned[2J[31mgo away " + "x" * 5000)[:197] + "..."
    assert capsys.readouterr().err == (
        f"{hub.url}: {FEED_URLS[2]}: refused with HTTP 403 Forbidden[5m ({quoted})\n"
    )


def test_an_answer_that_is_not_http(
    blog: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A hub that answers with something other than HTTP is a clear error, exit 2, with
    its words cleaned."""

    def babble(connection: socket.socket, number: int) -> None:
        connection.sendall(b"\x1b[31mHELLO THERE\r\n")

    with raw_hub(babble) as url:
        write_config(f"hub: {url}\n")
        assert main(["ping"]) == 2
    assert capsys.readouterr().err == (
        f"{url}: cannot reach the hub: its answer is not HTTP ([31mHELLO THERE)\n"
    )
