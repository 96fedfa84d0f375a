"""WebSub publishing: tell the site's hub that feeds changed. Network only; reads
and writes no files.

Each request to the hub has one deadline for all of it, from connecting to the
last byte of the answer: a socket timeout alone restarts with every read, so a hub
that sends a byte every few seconds would hold the ping forever. What the hub says
is printed only once its control characters are dropped, and cut short.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from .._text import printable
from ..errors import PingError

#: Seconds each request to the hub may take in all, from connecting to the end of the answer.
PING_TIMEOUT = 10.0
USER_AGENT = "postfeed (WebSub publisher)"
#: Characters of what a hub says (its reason phrase, the start of its answer) quoted at most.
EXCERPT = 200
_READ = 4096  # bytes of an answer read at most: only its start is ever shown


def ping(hub: str, urls: Sequence[str], *, timeout: float | None = None) -> None:
    """POST ``hub.mode=publish`` and ``hub.url`` to ``hub`` for each URL in ``urls``.

    One request per URL, since not every hub accepts several ``hub.url`` values in
    one request. Any 2xx answer is success. Each request must be answered in full
    within ``timeout`` seconds (default :data:`PING_TIMEOUT`).

    Raises:
        PingError: the hub cannot be reached or does not answer in time (the first
            such failure stops the pings), or refused one or more of the URLs (all
            are tried, all refusals named).
    """
    seconds = PING_TIMEOUT if timeout is None else timeout
    refused: list[str] = []
    for url in urls:
        try:
            refusal = _notify(hub, url, seconds)
        except PingError as err:
            if refused:
                raise PingError(hub, "; ".join([*refused, err.message])) from err
            raise
        if refusal is not None:
            refused.append(f"{url}: {refusal}")
    if refused:
        raise PingError(hub, "; ".join(refused))


def _notify(hub: str, url: str, seconds: float) -> str | None:
    """Notify the hub of one URL within ``seconds``: None when it accepts, else its
    refusal in words.

    The request runs in a thread of its own, so that this call returns at the
    deadline whatever the network does (a name lookup included); the connection is
    then cut, which ends the thread.

    Raises:
        PingError: the hub cannot be reached, or has not answered in full in time.
    """
    body = urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
    )
    connections: list[http.client.HTTPConnection] = []
    outcome: list[str | Exception | None] = []

    def exchange() -> None:
        try:
            outcome.append(_post(_opener(connections), request, seconds))
        except Exception as err:  # handed to the calling thread, which raises it
            outcome.append(err)

    worker = threading.Thread(target=exchange, name="postfeed-ping", daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        for connection in connections:
            _cut(connection)
        raise PingError(hub, f"no complete answer within {seconds:g} s to the ping for {url}")
    found = outcome[0]
    if isinstance(found, urllib.error.URLError | http.client.HTTPException | OSError):
        raise PingError(hub, f"cannot reach the hub: {_reason(found)}") from found
    if isinstance(found, Exception):
        raise found
    return found


def _post(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request, seconds: float
) -> str | None:
    """Send the request; None for a 2xx answer, else the refusal in words."""
    try:
        with opener.open(request, timeout=seconds) as response:
            response.read(_READ)  # the rest of an accepted ping's answer says nothing more
    except urllib.error.HTTPError as err:
        with err:
            reason = printable(str(err.reason), EXCERPT)
            return f"refused with HTTP {err.code} {reason}{_excerpt(err)}".rstrip()
    return None


def _excerpt(err: urllib.error.HTTPError) -> str:
    """The start of the hub's answer, which often says why it refused."""
    try:
        data = err.read(_READ)
    except (OSError, http.client.HTTPException):
        return ""
    text = printable(data.decode("utf-8", "replace"), EXCERPT)
    return f" ({text})" if text else ""


def _reason(err: Exception) -> str:
    """Why the hub cannot be reached, in words fit for a terminal."""
    if isinstance(err, http.client.BadStatusLine) and not isinstance(
        err, http.client.RemoteDisconnected
    ):
        return f"its answer is not HTTP ({printable(str(err), EXCERPT)})"
    reason = err.reason if isinstance(err, urllib.error.URLError) else err
    return printable(str(reason), EXCERPT) or type(reason).__name__


def _opener(connections: list[http.client.HTTPConnection]) -> urllib.request.OpenerDirector:
    """urllib's usual opener (proxies from the environment, redirects), except that
    every connection it makes is added to ``connections``, so it can be cut."""

    def tracked(kind: type[http.client.HTTPConnection]) -> Callable[..., Any]:
        def make(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
            connection = kind(*args, **kwargs)
            connections.append(connection)
            return connection

        return make

    context = ssl.create_default_context()

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(tracked(http.client.HTTPConnection), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(tracked(http.client.HTTPSConnection), req, context=context)

    return urllib.request.build_opener(HTTP(), HTTPS(context=context))


def _cut(connection: http.client.HTTPConnection) -> None:
    """End a connection from another thread: a read waiting on it returns at once."""
    sock = connection.sock
    if sock is not None:
        # socket.socket's own shutdown, which for TLS too ends the TCP connection
        # without touching the TLS state another thread is using.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
