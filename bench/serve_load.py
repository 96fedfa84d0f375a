"""Load on `postfeed serve` while rebuilds replace the files underneath it.

Copies this blog (postfeed.yaml and posts/) into a temporary folder, builds it, starts
the real `postfeed serve` in a subprocess on 127.0.0.1, and sends a fixed number of
plain and conditional GET requests from a few concurrent keep-alive clients over every
output file, while another thread keeps editing a post and running `postfeed build`.

Every 200 answer must be a complete, valid file of the right kind (its length, its ETag
as the hash of its bytes, well-formed with the expected number of entries); every 304
must answer a conditional request and name the version the client has. Anything else,
including a connection error, is counted as an error.

Then, with the rebuilds stopped, a burst: ``--burst`` clients each open a connection at
the same instant and fetch the Atom feed once, and the time each waits for its whole
answer is reported (median, 90th percentile and worst): connections the server cannot
take at once wait for the client to try again, a second or more later.

Prints the numbers; with --json, one JSON object (used by tests/test_serve_load.py,
which asserts no errors, never time).

    python bench/serve_load.py [--requests 1000] [--clients 4] [--burst 200] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITED_POST = "graceful-shutdown-go.md"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA_TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
    "index.html": "text/html; charset=utf-8",
}
BUDGET_SECONDS = 600


def interruptible() -> None:
    """In the child: take Ctrl-C (SIGINT) as a terminal would deliver it, even when
    this process was started with SIGINT ignored (a background job in CI)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Tally:
    """What one client saw."""

    plain: int = 0
    conditional: int = 0
    ok: int = 0
    not_modified: int = 0
    errors: list[str] = field(default_factory=list)
    versions: dict[str, set[str]] = field(default_factory=dict)


def _postfeed(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "postfeed", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _entries(name: str, body: bytes) -> int:
    """The number of entries in a file, after checking it is a whole document."""
    if name == "feed.json":
        document = json.loads(body)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        return len(document["items"])
    if name == "index.html":
        assert body.startswith(b"<!DOCTYPE html>")
        assert body.endswith(b"</html>\n")
        return body.count(b'<li>\n<h3><a href="')
    root = ET.fromstring(body)
    if name == "atom.xml":
        assert root.tag == f"{ATOM}feed"
        return len(root.findall(f"{ATOM}entry"))
    assert root.tag == "rss"
    return len(root.findall("channel/item"))


def _client(
    index: int,
    host: str,
    port: int,
    paths: list[str],
    expected: dict[str, int],
    count: int,
    tally: Tally,
) -> None:
    """Send ``count`` requests on one keep-alive connection (reconnecting after errors)."""
    rng = random.Random(index)
    cache: dict[str, tuple[str, str | None]] = {}
    connection = http.client.HTTPConnection(host, port, timeout=30)
    for number in range(count):
        path = paths[(index + number) % len(paths)]
        name = path.rsplit("/", 1)[-1] or "index.html"
        headers: dict[str, str] = {}
        cached = cache.get(path)
        mode = rng.choice(("plain", "etag", "date")) if cached else "plain"
        if mode == "etag" and cached:
            headers["If-None-Match"] = cached[0]
        elif mode == "date" and cached and cached[1]:
            headers["If-Modified-Since"] = cached[1]
        if headers:
            tally.conditional += 1
        else:
            tally.plain += 1
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            etag = response.getheader("ETag") or ""
            if response.status == 200:
                assert response.getheader("Content-Type") == MEDIA_TYPES[name], path
                assert int(response.getheader("Content-Length") or -1) == len(body), path
                assert etag == '"' + hashlib.sha256(body).hexdigest()[:32] + '"', path
                assert _entries(name, body) == expected[path], path
                cache[path] = (etag, response.getheader("Last-Modified"))
                tally.versions.setdefault(path, set()).add(etag)
                tally.ok += 1
            elif response.status == 304:
                assert headers, f"{path}: 304 for a plain request"
                assert body == b"", f"{path}: 304 with a body"
                assert cached is not None
                assert etag == cached[0], f"{path}: 304 but the current version differs"
                tally.not_modified += 1
            else:
                raise AssertionError(f"{path}: HTTP {response.status}")
        except Exception as err:  # every failure is counted, the load goes on
            tally.errors.append(f"{path}: {type(err).__name__}: {err}")
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.close()


def _burst(host: str, port: int, count: int, expected: int) -> tuple[list[float], list[str]]:
    """``count`` clients fetch /atom.xml at the same instant, each on a new connection;
    the seconds each waited for its whole answer, and the failures."""
    gate = threading.Barrier(count)
    waited: list[float] = []
    errors: list[str] = []

    def fetch() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            gate.wait(30)
            start = time.monotonic()
            connection.request("GET", "/atom.xml")
            response = connection.getresponse()
            body = response.read()
            seconds = time.monotonic() - start
            assert response.status == 200, f"HTTP {response.status}"
            assert _entries("atom.xml", body) == expected
            waited.append(seconds)
        except Exception as err:  # every failure is counted
            errors.append(f"burst: {type(err).__name__}: {err}")
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return sorted(waited), errors


def _milliseconds(values: list[float], share: float) -> float | None:
    """The value below which ``share`` of the sorted ``values`` lie, in milliseconds."""
    if not values:
        return None
    return round(1000 * values[min(len(values) - 1, int(share * len(values)))], 1)


def run(requests: int, clients: int, burst: int = 200) -> dict[str, object]:
    """Run the load once; return its numbers."""
    with tempfile.TemporaryDirectory(prefix="postfeed-load-") as temp:
        site = Path(temp)
        shutil.copy(ROOT / "postfeed.yaml", site / "postfeed.yaml")
        shutil.copytree(ROOT / "posts", site / "posts")
        built = _postfeed("build", "-q", cwd=site)
        assert built.returncode == 0, built.stderr
        output = site / "feeds"
        # Every file the server answers for: hidden ones (the list of files written) it refuses.
        files = sorted(
            p.relative_to(output).as_posix()
            for p in output.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )
        paths = ["/"] + ["/" + name for name in files]
        expected = {
            path: _entries(
                path.rsplit("/", 1)[-1] or "index.html",
                (output / (path[1:] or "index.html")).read_bytes(),
            )
            for path in paths
        }

        server = subprocess.Popen(
            [sys.executable, "-m", "postfeed", "serve", "--port", "0", "-q"],
            cwd=site,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=interruptible,
        )
        try:
            assert server.stdout is not None
            ready, _, _ = select.select([server.stdout], [], [], 30)
            line = server.stdout.readline() if ready else ""
            match = re.search(r" at http://(127\.0\.0\.1):(\d+)/ ", line)
            assert match, line
            host, port = match.group(1), int(match.group(2))

            done = threading.Event()
            rebuilds: list[float] = []
            rebuild_errors: list[str] = []

            def rebuild() -> None:
                post = site / "posts" / EDITED_POST
                original = post.read_text(encoding="utf-8")
                deadline = time.monotonic() + BUDGET_SECONDS
                while not done.is_set() and time.monotonic() < deadline:
                    revision = len(rebuilds) + 1
                    post.write_text(original + f"\nRevision {revision}.\n", encoding="utf-8")
                    result = _postfeed("build", "-q", cwd=site)
                    if result.returncode != 0:
                        rebuild_errors.append(result.stderr)
                    rebuilds.append(time.monotonic())

            builder = threading.Thread(target=rebuild, daemon=True)
            builder.start()
            # Start the load once a rebuild has replaced the files, with the next one under way.
            waited = time.monotonic() + 120
            while not rebuilds and time.monotonic() < waited:
                time.sleep(0.02)
            tallies = [Tally() for _ in range(clients)]
            shares = [requests // clients + (i < requests % clients) for i in range(clients)]
            threads = [
                threading.Thread(
                    target=_client, args=(i, host, port, paths, expected, shares[i], tallies[i])
                )
                for i in range(clients)
            ]
            start = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(BUDGET_SECONDS)
            elapsed = time.monotonic() - start
            done.set()
            builder.join(180)
            rebuilds_during = sum(1 for moment in rebuilds if start <= moment <= start + elapsed)
            atom_entries = _entries("atom.xml", (output / "atom.xml").read_bytes())
            waited, burst_errors = _burst(host, port, burst, atom_entries) if burst else ([], [])
        finally:
            server.send_signal(signal.SIGINT)
            try:
                _out, err = server.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                _out, err = server.communicate()
        errors = [e for t in tallies for e in t.errors] + rebuild_errors + burst_errors
        if server.returncode != 0 or "Traceback" in err:
            errors.append(f"server exit {server.returncode}: {err[-2000:]}")
        versions: dict[str, set[str]] = {}
        for tally in tallies:
            for path, seen in tally.versions.items():
                versions.setdefault(path, set()).update(seen)
        return {
            "requests": sum(t.plain + t.conditional for t in tallies),
            "clients": clients,
            "plain": sum(t.plain for t in tallies),
            "conditional": sum(t.conditional for t in tallies),
            "ok_200": sum(t.ok for t in tallies),
            "not_modified_304": sum(t.not_modified for t in tallies),
            "errors": len(errors),
            "first_errors": errors[:5],
            "rebuilds_during_load": rebuilds_during,
            "versions_of_atom_xml": len(versions.get("/atom.xml", ())),
            "files": len(paths),
            "elapsed_seconds": round(elapsed, 2),
            "requests_per_second": round(requests / elapsed, 1) if elapsed else None,
            "burst": burst,
            "burst_answered": len(waited),
            "burst_median_ms": _milliseconds(waited, 0.5),
            "burst_p90_ms": _milliseconds(waited, 0.9),
            "burst_worst_ms": _milliseconds(waited, 1.0),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--burst", type=int, default=200, help="simultaneous connections afterwards (0: none)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    numbers = run(args.requests, args.clients, args.burst)
    if args.json:
        print(json.dumps(numbers))
    else:
        for key, value in numbers.items():
            print(f"{key}: {value}")
    return 0 if numbers["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
