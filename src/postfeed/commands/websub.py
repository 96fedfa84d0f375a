"""WebSub publishing: tell the site's hub that feeds changed. Network only; reads
and writes no files."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence
from urllib.parse import urlencode

from ..errors import PingError

PING_TIMEOUT = 10.0
USER_AGENT = "postfeed (WebSub publisher)"


def ping(hub: str, urls: Sequence[str], *, timeout: float = PING_TIMEOUT) -> None:
    """POST ``hub.mode=publish`` and ``hub.url`` to ``hub`` for each URL in ``urls``.

    One request per URL, since not every hub accepts several ``hub.url`` values in
    one request. Any 2xx answer is success.

    Raises:
        PingError: the hub cannot be reached (the first failure stops the pings),
            or refused one or more of the URLs (all are tried, all refusals named).
    """
    refused: list[str] = []
    for url in urls:
        body = urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
        request = urllib.request.Request(
            hub,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": USER_AGENT,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            refused.append(f"{url}: refused with HTTP {err.code} {err.reason}{_excerpt(err)}")
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = err.reason if isinstance(err, urllib.error.URLError) else err
            raise PingError(hub, f"cannot reach the hub: {reason}") from err
    if refused:
        raise PingError(hub, "; ".join(refused))


def _excerpt(err: urllib.error.HTTPError) -> str:
    """The start of the hub's answer, which often says why it refused."""
    try:
        text = err.read(300).decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        err.close()
    text = " ".join(text.split())
    return f" ({text})" if text else ""
