"""postfeed serve: the real command in a subprocess on 127.0.0.1, checked over HTTP."""

from __future__ import annotations

import hashlib
import http.client
import select
import shutil
import signal
import socket
import struct
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from postfeed.cli import main

# conftest.Server: url, process, stderr() and stop(); conftest is not importable here.
Server = Any


def _get(
    server: Server, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """One request on its own connection, the path sent exactly as given."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def built(site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site with two posts, built, run from its folder."""
    monkeypatch.chdir(site_dir)
    write_post("a", "tags: [go]\n", "First body.\n")
    write_post("b", "date: 2024-05-02\n", "Second body.\n")
    assert main(["build", "-q"]) == 0
    return site_dir


def test_media_types_and_charset(built: Path, start_server: Callable[..., Server]) -> None:
    """Each file is served with its format's media type and charset=utf-8."""
    server = start_server(built, "-q")
    assert server.url.startswith("http://127.0.0.1:")
    expected = {
        "/rss.xml": "application/rss+xml; charset=utf-8",
        "/atom.xml": "application/atom+xml; charset=utf-8",
        "/feed.json": "application/feed+json; charset=utf-8",
        "/index.html": "text/html; charset=utf-8",
        "/": "text/html; charset=utf-8",
        "/tags/go/atom.xml": "application/atom+xml; charset=utf-8",
    }
    for path, media_type in expected.items():
        status, headers, body = _get(server, path)
        assert status == 200, path
        assert headers["Content-Type"] == media_type
        local = built / "feeds" / (path.lstrip("/") or "index.html")
        assert body == local.read_bytes()
        assert headers["Content-Length"] == str(len(body))
    parsed = feedparser.parse(_get(server, "/atom.xml")[2])
    assert not parsed.bozo
    assert [entry.title for entry in parsed.entries] == ["Post b", "Post a"]


def test_conditional_get(
    built: Path, start_server: Callable[..., Server], write_post: Callable[..., Path]
) -> None:
    """ETag and Last-Modified answer a conditional GET with 304; a rebuild changes both."""
    # Last-Modified is sent only once the second the file changed in is over.
    time.sleep(1.1)
    server = start_server(built, "-q")
    status, headers, body = _get(server, "/atom.xml")
    assert status == 200
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert etag == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    assert headers["Cache-Control"] == "no-cache"

    status, headers, body = _get(server, "/atom.xml", {"If-None-Match": etag})
    assert (status, body) == (304, b"")
    assert headers["ETag"] == etag
    assert _get(server, "/atom.xml", {"If-None-Match": f'"x", W/{etag}'})[0] == 304
    assert _get(server, "/atom.xml", {"If-Modified-Since": last_modified})[0] == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    stale = {"If-None-Match": '"other"', "If-Modified-Since": last_modified}
    assert _get(server, "/atom.xml", stale)[0] == 200
    early = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert _get(server, "/atom.xml", {"If-Modified-Since": early})[0] == 200

    status, headers, body = _get(server, "/atom.xml", method="HEAD")
    assert (status, body, headers["ETag"]) == (200, b"", etag)

    write_post("a", "tags: [go]\nupdated: 2024-06-01\n", "First body, edited.\n")
    assert main(["build", "-q"]) == 0
    status, headers, body = _get(server, "/atom.xml", {"If-None-Match": etag})
    assert status == 200
    assert headers["ETag"] != etag
    assert b"First body, edited." in body
    # The new file changed in this very second: no Last-Modified yet, so that an
    # If-Modified-Since cannot mistake it for the old version.
    assert "Last-Modified" not in headers or headers["Last-Modified"] != last_modified
    assert _get(server, "/atom.xml", {"If-Modified-Since": last_modified})[0] == 200


def test_keep_alive(built: Path, start_server: Callable[..., Server]) -> None:
    """Several requests share one HTTP/1.1 connection, as feed readers expect."""
    server = start_server(built, "-q")
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", "/rss.xml")
        first = connection.getresponse()
        first.read()
        assert first.version == 11
        sock = connection.sock
        assert sock is not None
        connection.request("GET", "/atom.xml")
        second = connection.getresponse()
        assert second.status == 200
        assert second.read().startswith(b"<?xml")
        assert connection.sock is sock
    finally:
        connection.close()


def test_only_files_inside_the_output_folder(
    built: Path, start_server: Callable[..., Server]
) -> None:
    """No path leads outside the output folder, to hidden files or to folder listings."""
    (built / "feeds" / ".postfeed-x.tmp").write_text("partial")
    (built / "secret.txt").write_text("secret")
    (built / "feeds" / "link.txt").symlink_to(built / "secret.txt")
    server = start_server(built, "-q")
    for path in (
        "/../postfeed.yaml",
        "/%2e%2e/postfeed.yaml",
        "/tags/../../postfeed.yaml",
        "/tags/%2E%2E/%2E%2E/secret.txt",
        "/..%2fpostfeed.yaml",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/.postfeed-x.tmp",
        "/link.txt",
        "/tags/",
        "/tags",
        "/nothing.xml",
        "/rss.xml%00.txt",
        "/%ff.xml",
        "/..\\postfeed.yaml",
    ):
        status, _, body = _get(server, path)
        assert status == 404, path
        assert b"secret" not in body
    assert _get(server, "/rss.xml", method="POST")[0] == 501


def test_watch_rebuilds_and_keeps_old_files_on_failure(
    built: Path, start_server: Callable[..., Server], write_post: Callable[..., Path]
) -> None:
    """--watch rebuilds on a post change; a broken post is reported and the old feed stays."""
    server = start_server(built, "-q", "--watch")
    _, headers, _ = _get(server, "/atom.xml")
    first = headers["ETag"]

    write_post("c", "date: 2024-05-03\n", "Third body.\n")
    etag = _wait_for_new_etag(server, first)
    assert b"Third body." in _get(server, "/atom.xml")[2]

    write_post("d", "date: someday\n")
    _wait_for(lambda: "rebuild failed" in server.stderr())
    assert "posts/d.md:3: date: expected a date, got 'someday'" in server.stderr()
    assert _get(server, "/atom.xml")[1]["ETag"] == etag

    (built / "posts" / "d.md").unlink()
    (built / "postfeed.yaml").write_text(
        (built / "postfeed.yaml").read_text().replace("title: Test Blog", "title: Renamed Blog")
    )
    _wait_for_new_etag(server, etag)
    assert b"<title>Renamed Blog</title>" in _get(server, "/atom.xml")[2]


def test_watch_follows_the_static_folder(
    built: Path,
    start_server: Callable[..., Server],
    write_post: Callable[..., Path],
    write_config: Callable[..., Path],
) -> None:
    """--watch rebuilds when an image in the static folder changes its size."""
    (built / "public").mkdir()
    (built / "public/cover.png").write_bytes(bytes(100))
    write_config("static: public\n")
    write_post("a", "tags: [go]\nimage: cover.png\n", "First body.\n")
    server = start_server(built, "-q", "--watch")
    _wait_for(lambda: b'length="100"' in _get(server, "/rss.xml")[2])
    (built / "public/cover.png").write_bytes(bytes(250))
    _wait_for(lambda: b'length="250"' in _get(server, "/rss.xml")[2])


def test_ctrl_c_stops_cleanly(built: Path, start_server: Callable[..., Server]) -> None:
    """SIGINT ends the server with exit code 0, a last line, and no traceback."""
    server = start_server(built, "--watch")
    assert _get(server, "/rss.xml")[0] == 200
    code, out = server.stop()
    assert code == 0
    assert out == "postfeed: stopped\n"
    assert "Traceback" not in server.stderr()
    assert '"GET /rss.xml HTTP/1.1" 200' in server.stderr()


def test_no_output_folder(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --watch, a missing output folder is an error, exit 2."""
    monkeypatch.chdir(site_dir)
    assert main(["serve", "--port", "0"]) == 2
    assert capsys.readouterr().err == "feeds: no such folder; run 'postfeed build' first\n"


def test_port_in_use(
    built: Path, start_server: Callable[..., Server], capsys: pytest.CaptureFixture[str]
) -> None:
    """A port already taken is a clear error, exit 2."""
    server = start_server(built, "-q")
    port = urlsplit(server.url).port
    assert main(["serve", "--port", str(port)]) == 2
    assert capsys.readouterr().err.startswith(f"cannot listen on 127.0.0.1:{port}: ")


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _wait_for_new_etag(server: Server, old: str) -> str:
    found: list[str] = []

    def changed() -> bool:
        found[:] = [_get(server, "/atom.xml")[1]["ETag"]]
        return found[0] != old

    _wait_for(changed)
    return found[0]


def test_symlinked_output_folder_is_served(
    built: Path, start_server: Callable[..., Server], tmp_path: Path
) -> None:
    """An output folder reached through a symlink is served from where it really is."""
    (built / "feeds").rename(tmp_path / "real-feeds")
    (built / "feeds").symlink_to(tmp_path / "real-feeds")
    server = start_server(built, "-q")
    assert _get(server, "/feed.json")[0] == 200


def test_invalid_if_modified_since_is_ignored(
    built: Path, start_server: Callable[..., Server]
) -> None:
    """An If-Modified-Since that is not one valid HTTP-date (a year past any calendar,
    a day that does not exist, a zone other than GMT) is ignored: the whole file is
    sent and the server goes on answering (RFC 9110 13.1.3)."""
    time.sleep(1.1)
    server = start_server(built, "-q")
    status, headers, body = _get(server, "/atom.xml")
    assert status == 200
    invalid = (
        "Mon, 01 Jan 99999999999 00:00:00 GMT",
        "Mon, 31 Feb 2099 00:00:00 GMT",
        "Mon, 01 Jan 2099 00:00:00 +0000",
        "Mon, 01 Jan 0000 00:00:00 GMT",
        "soon",
    )
    for value in invalid:
        assert _get(server, "/atom.xml", {"If-Modified-Since": value})[::2] == (200, body), value
    # The obsolete asctime form of the same instant is a valid HTTP-date (RFC 9110 5.6.7).
    moment = parsedate_to_datetime(headers["Last-Modified"])
    asctime = moment.strftime("%a %b ") + f"{moment.day:2d}" + moment.strftime(" %H:%M:%S %Y")
    assert _get(server, "/atom.xml", {"If-Modified-Since": asctime})[0] == 304
    assert "Traceback" not in server.stderr()


def _raw_request(server: Server, request: bytes) -> bytes:
    """Send ``request`` as it is on a new connection; everything the server answers."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_long_paths_are_not_found(built: Path, start_server: Callable[..., Server]) -> None:
    """A path too long for the file system is answered with 404, and no traceback is logged."""
    server = start_server(built, "-q")
    for path in ("/" + "b" * 256, "/a" * 3000, "/tags/" + "%C3%A9" * 200 + "/rss.xml"):
        status, _, body = _get(server, path)
        assert (status, body) == (404, b"not found\n"), path[:20]
    assert _get(server, "/rss.xml")[0] == 200
    assert server.stderr() == ""


def test_clients_that_hang_up_are_not_errors(
    built: Path, start_server: Callable[..., Server]
) -> None:
    """A client that resets the connection in the middle of an answer leaves no trace."""
    (built / "feeds" / "big.txt").write_bytes(b"x" * 20_000_000)
    server = start_server(built, "-q")
    parts = urlsplit(server.url)
    for _ in range(3):
        sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
        sock.sendall(b"GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(1000).startswith(b"HTTP/1.1 200 OK\r\n")
        # Linger 0: close() resets the connection instead of ending it in order.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    assert _get(server, "/rss.xml")[0] == 200
    code, _ = server.stop()
    assert code == 0
    assert server.stderr() == ""


def test_request_log_has_no_control_characters(
    built: Path, start_server: Callable[..., Server]
) -> None:
    """A request line holding terminal escape codes is logged without them."""
    server = start_server(built)
    answer = _raw_request(server, b"GET /\x1b[2J\x1b[31mred\x07 HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 404 ")
    server.stop()
    log = server.stderr()
    assert '"GET /[2J[31mred HTTP/1.1" 404 -' in log
    assert [c for c in log if c < " " and c != "\n"] == []


def test_a_burst_of_connections_waits_in_the_backlog(
    built: Path, start_server: Callable[..., Server]
) -> None:
    """200 connections opened while the server is stopped are all taken by the system on its
    behalf (socketserver's default backlog of 5 would leave most to retry a second later),
    and each is answered once it runs again."""
    server = start_server(built, "-q")
    parts = urlsplit(server.url)
    socks = []
    server.process.send_signal(signal.SIGSTOP)
    try:
        for _ in range(200):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex((parts.hostname, parts.port))
            socks.append(sock)
        # The handshake of a queued connection completes at once on the loopback
        # interface; one the backlog has no room for stays pending.
        _, writable, _ = select.select([], socks, [], 2.0)
        pending = [sock for sock in socks if sock not in writable]
        established = [s for s in writable if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
        assert (len(pending), len(established)) == (0, 200)
    finally:
        server.process.send_signal(signal.SIGCONT)
    for sock in socks:
        sock.setblocking(True)
        sock.settimeout(10)
        sock.sendall(b"HEAD /rss.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    for sock in socks:
        assert sock.recv(100).startswith(b"HTTP/1.1 200 OK\r\n")
        sock.close()


HUGO_SAMPLE = Path(__file__).parent / "data" / "generators" / "hugo" / "site"


@pytest.fixture
def hugo_site(tmp_path: Path) -> Path:
    """A copy of the Hugo sample site with a postfeed.yaml reading it, feeds in static/feeds."""
    folder = tmp_path / "hugo"
    shutil.copytree(HUGO_SAMPLE, folder)
    (folder / "postfeed.yaml").write_text("source: hugo\noutput: static/feeds\n", encoding="utf-8")
    return folder


def test_watch_follows_a_generators_content_and_configuration(
    hugo_site: Path, start_server: Callable[..., Server]
) -> None:
    """With source: hugo, --watch rebuilds when a page under content/ (in a page bundle
    too) or hugo.toml changes, not only on posts/*.md."""
    server = start_server(hugo_site, "-q", "--watch")
    _, headers, body = _get(server, "/atom.xml")
    assert b"split votes are\nrare" in body
    bundle = hugo_site / "content/posts/raft-leader-election/index.md"
    bundle.write_text(
        bundle.read_text(encoding="utf-8").replace(
            "split votes are\nrare", "split votes are\nvery rare"
        ),
        encoding="utf-8",
    )
    etag = _wait_for_new_etag(server, headers["ETag"])
    assert b"split votes are\nvery rare" in _get(server, "/atom.xml")[2]
    config = hugo_site / "hugo.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'title = "Notes on Go and Distributed Systems"', 'title = "Renamed Notes"'
        ),
        encoding="utf-8",
    )
    _wait_for_new_etag(server, etag)
    assert b"<title>Renamed Notes</title>" in _get(server, "/atom.xml")[2]
    assert "rebuild failed" not in server.stderr()


def test_failed_rebuild_shows_warnings_with_errors(
    hugo_site: Path, start_server: Callable[..., Server]
) -> None:
    """A rebuild that fails prints its warnings too, each in its place by path and line."""
    server = start_server(hugo_site, "-q", "--watch")
    content = hugo_site / "content/posts"
    (content / "b.md").write_text(
        '+++\ntitle = "B"\ndate = 2024-05-02\n+++\n{{< note >}}\n', encoding="utf-8"
    )
    (content / "c.md").write_text("+++\ndate = 2024-05-02\n+++\nHi.\n", encoding="utf-8")
    # The broken page last: the first rebuild that fails sees all three.
    (content / "a.md").write_text('+++\ntitle = "A"\ndate = "soon"\n+++\n', encoding="utf-8")
    _wait_for(
        lambda: (
            "got 'soon'" in server.stderr()
            and server.stderr().endswith("rebuild failed; still serving the previous files\n")
        )
    )
    # The last rebuild's lines: everything after the one before it.
    lines = server.stderr().splitlines()
    starts = [n for n, line in enumerate(lines[:-1]) if line.startswith("postfeed: ")]
    posts = Path("content/posts")
    assert lines[starts[-1] + 1 :] == [
        f"{posts / 'a.md'}:3: date: expected a date, got 'soon'",
        f"{posts / 'b.md'}:5: shortcode {{{{< note >}}}} is not run: left out of the feed",
        f"{posts / 'c.md'}: title: missing; the feeds show 'c'",
        f'{posts / "konsistenzmodelle.md"}:15: shortcode {{{{< note title="Merke" >}}}} is not'
        " run: left out of the feed, its inner text kept",
        "postfeed: rebuild failed; still serving the previous files",
    ]
