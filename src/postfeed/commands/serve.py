"""A small HTTP server for the output folder, for preview and local subscription,
with an optional watcher that rebuilds when posts or the configuration change.

Serves only regular files inside the output folder, read-only, on 127.0.0.1 by
default. Standard library only.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import _paths
from .._text import printable
from ..errors import PostErrors, PostfeedError
from ..formats import FORMATS
from ..model import Site
from ..pipeline import build
from ..reading import sources
from ..rendering.page import PAGE_FILENAME
from ..web import not_modified, strong_etag
from ._term import place

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WATCH_INTERVAL = 0.5
#: Connections waiting to be accepted, at most.
BACKLOG = 256

_TEXT = "; charset=utf-8"
MEDIA_TYPES = {fmt.filename: fmt.media_type + _TEXT for fmt in FORMATS.values()} | {
    PAGE_FILENAME: "text/html" + _TEXT
}
_BY_SUFFIX = {
    ".html": "text/html" + _TEXT,
    ".xml": "application/xml" + _TEXT,
    ".json": "application/json" + _TEXT,
    ".txt": "text/plain" + _TEXT,
    ".css": "text/css" + _TEXT,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


def media_type(path: Path) -> str:
    """The Content-Type a file is served with: feeds by their format's file name."""
    return MEDIA_TYPES.get(path.name) or _BY_SUFFIX.get(
        path.suffix.lower(), "application/octet-stream"
    )


class FeedServer(ThreadingHTTPServer):
    """Serves the files in ``folder``; one thread per connection."""

    daemon_threads = True
    # socketserver's listen backlog is 5: a burst of connections (a browser fetching a
    # page and its images, a reader polling every tag feed) overflows it, and each
    # connection turned away waits a second or more for the client to try again.
    # The system may cap it lower (net.core.somaxconn).
    request_queue_size = BACKLOG

    def __init__(self, folder: Path, address: tuple[str, int], *, quiet: bool = False) -> None:
        self.folder = folder.resolve()
        self.quiet = quiet
        super().__init__(address, _Handler)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        """Say nothing when a client hangs up; anything else is a bug and shows its
        traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """The server's base URL, such as ``http://127.0.0.1:8000/``."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


def make_server(
    folder: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, quiet: bool = False
) -> FeedServer:
    """A server for ``folder``, bound and ready for ``serve_forever()``; port 0 picks a
    free one.

    Raises:
        PostfeedError: the address cannot be bound.
    """
    try:
        return FeedServer(folder, (host, port), quiet=quiet)
    except OSError as err:
        raise PostfeedError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err


def serve(
    site: Site,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    watch: bool = False,
    reload: Callable[[], Site] | None = None,
    interval: float = WATCH_INTERVAL,
    quiet: bool = False,
    log: Callable[[str], None] | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``site.output_dir`` until interrupted (KeyboardInterrupt propagates, after
    the server is closed).

    With ``watch``, build once, then rebuild whenever the configuration, a post or a
    file in the static folder changes; ``reload`` re-reads the site for each rebuild.
    A failed rebuild is logged and the files already there stay served.

    Raises:
        PostfeedError: the address cannot be bound, or (without ``watch``) the
            output folder does not exist.
    """
    say = log if log is not None else _stderr
    seen: dict[Path, tuple[int, int]] = {}
    if watch:
        # Taken before the first build, so that an edit made from then on is seen, even
        # one made as soon as the server says it is ready.
        seen = _snapshot(site)
        site = _rebuild(site, None, say)
    elif not _paths.is_dir(site.output_dir):
        raise PostfeedError(f"{site.output_dir}: no such folder; run 'postfeed build' first")
    server = make_server(site.output_dir, host=host, port=port, quiet=quiet)
    thread = threading.Thread(target=server.serve_forever, name="postfeed-serve", daemon=True)
    thread.start()
    try:
        if on_ready is not None:
            on_ready(server.url)
        while True:
            time.sleep(interval)
            if watch:
                # Taken before the build, so that an edit made during it is seen next time.
                now = _snapshot(site)
                if now != seen:
                    seen = now
                    site = _rebuild(site, reload, say)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _rebuild(site: Site, reload: Callable[[], Site] | None, say: Callable[[str], None]) -> Site:
    """Build once; on failure log every problem and keep the old files."""
    try:
        if reload is not None:
            site = reload()
        # One process: worker processes started from a threaded server gain nothing
        # for a preview and would have to be stopped with it on Ctrl-C.
        result = build(site, jobs=1)
    except PostfeedError as err:
        problems = (
            [str(error) for error in err.errors] if isinstance(err, PostErrors) else [str(err)]
        )
        warnings = list(err.warnings) if isinstance(err, PostErrors) else []
        # Warnings are shown with the errors, each in its place by path and line.
        for line in sorted(problems + warnings, key=place):
            say(line)
        say("postfeed: rebuild failed; still serving the previous files")
        return site
    for warning in result.warnings:
        say(warning)
    say(
        f"postfeed: rebuilt {result.output_dir}: {len(result.written)} written,"
        f" {len(result.unchanged)} unchanged"
    )
    return site


#: Folders a generator's site keeps its own output or downloads in, never read for posts.
_NOT_READ = frozenset({"node_modules", "_site", "public", "resources", "output", "site", "dist"})


def _snapshot(site: Site) -> dict[Path, tuple[int, int]]:
    """(mtime, size) of every file a build reads: the configuration, the posts (with a
    site generator's source: what its reader reads, its configuration included) and
    the static folder."""
    paths: list[Path] = []
    if site.config_path is not None:
        paths.append(site.config_path)
    if site.source == "postfeed":
        if site.posts_dir.is_dir():
            paths += site.posts_dir.glob("*.md")
    else:
        skip = {
            site.output_dir.absolute(),
            *(() if site.cache_dir is None else (site.cache_dir.absolute(),)),
        }
        for watched in sources.watched(site):
            paths += _files(watched, skip, top=watched == site.posts_dir)
    if site.static_dir is not None and site.static_dir.is_dir():
        paths += site.static_dir.rglob("*")
    result: dict[Path, tuple[int, int]] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        result[path] = (stat.st_mtime_ns, stat.st_size)
    return result


def _files(root: Path, skip: set[Path], *, top: bool) -> list[Path]:
    """``root`` if it is a file, else every file under it but those in ``skip`` and in
    hidden folders; at the ``top`` of a generator's site, not its output folders either."""
    if not root.is_dir():
        return [root]
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = [
            name
            for name in dirs
            if not name.startswith(".")
            and (here / name).absolute() not in skip
            and not (top and here == root and name in _NOT_READ)
        ]
        found += (here / name for name in names if not name.startswith("."))
    return found


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    # Keep-alive, as feed readers expect; every answer carries its Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "postfeed"
    sys_version = ""
    # An idle keep-alive connection is closed after this many seconds.
    timeout = 30

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        path = self._local_path()
        if path is None:
            self._plain(HTTPStatus.NOT_FOUND, "not found", body=body)
            return
        try:
            # One open file: the bytes, ETag and dates all describe the same version,
            # even while a build replaces the file (os.replace swaps whole files).
            with path.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                data = handle.read()
        except OSError:
            self._plain(HTTPStatus.NOT_FOUND, "not found", body=body)
            return
        etag = strong_etag(data)
        # A rename changes ctime, not mtime: the later of the two is when this path
        # got these bytes.
        changed = max(stat.st_mtime, stat.st_ctime)
        # Last-Modified has whole seconds. Send it only once its second is over, so a
        # later version can never share it and be taken for unchanged.
        last_modified = (
            formatdate(changed, usegmt=True) if int(changed) < int(time.time()) else None
        )
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if last_modified is not None:
            headers["Last-Modified"] = last_modified
        if not_modified(
            etag,
            datetime.fromtimestamp(changed, UTC) if last_modified is not None else None,
            if_none_match=self.headers.get("If-None-Match"),
            if_modified_since=self.headers.get("If-Modified-Since"),
        ):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", media_type(path))
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _local_path(self) -> Path | None:
        """The file a request path names inside the folder, or None: no ``..``, no
        hidden or temporary files, nothing a symlink leads outside to."""
        raw = urlsplit(self.path).path
        if not raw.startswith("/"):
            return None
        try:
            text = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return None
        if "\x00" in text or "\\" in text:
            return None
        parts = [part for part in text.split("/") if part]
        if any(part in (".", "..") or part.startswith(".") for part in parts):
            return None
        root = self.server.folder
        target = root.joinpath(*parts)
        if text.endswith("/"):
            target = target / PAGE_FILENAME
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            return None
        if not resolved.is_relative_to(root) or not _paths.is_file(resolved):
            return None
        return resolved

    def _plain(self, status: HTTPStatus, text: str, *, body: bool) -> None:
        data = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        if not self.server.quiet:
            # The request line is the client's: no escape codes reach the terminal.
            sys.stderr.write(f"{self.address_string()} {printable(format % args, 1000)}\n")
