"""Load on the library guide's Flask application, served by waitress, while its posts change.

Writes the guide's own `blog.py` and `flask_app.py` (the code docs/library.md shows)
into a temporary folder with a SQLite database of a few posts, starts waitress on
127.0.0.1 in a subprocess, and sends a fixed number of GET requests from a few
concurrent keep-alive clients over every feed (main and per tag, each format), half of
them conditional with the validators of an earlier answer (If-None-Match, or
If-Modified-Since, or both), while a thread adds and edits posts through `blog.py`.
Each change dates the post a minute after the previous change, as an application that
sets `updated` on every edit does.

After each change the writer works out what every feed is now (its ETag, from the same
library in this process). Every 200 must be a complete, valid feed whose ETag is the
hash of its bytes and is what the feed was at some moment while the request was in
flight; every 304 must answer a conditional request, carry the ETag the client has,
and that feed must have been current while the request was in flight. Anything else,
a connection error included, is an error. Prints the numbers; with --json, one JSON
object (used by tests/test_web_load.py, which asserts no errors, never time).

    python bench/web_load.py [--requests 1000] [--clients 4] [--json]
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import http.client
import json
import random
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
GUIDE = HERE.parent / "docs" / "library.md"
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the generator sits beside this script)

ATOM = "{http://www.w3.org/2005/Atom}"
TAGS = ("Python", "Web Apps", "SQLite")
MEDIA_TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}
FIRST_POSTS = 10
CHANGE_EVERY = 0.05  # seconds between two changes to the database
MAX_CHANGES = 300
BUDGET_SECONDS = 300
# A file the guide shows: a Python block titled with its name.
_FILE_BLOCK = re.compile(r'^```python title="(?P<file>[\w.]+\.py)"\n(?P<code>.*?)^```', re.M | re.S)
_SERVE = """
import waitress
from flask_app import app

server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
print(server.effective_port, flush=True)
server.run()
"""


@dataclass
class Version:
    """What every feed was from one change of the database to the next."""

    start: float  # just before the change was committed
    etags: dict[str, str]
    end: float = float("inf")  # once the next change was committed


@dataclass
class History:
    """Every version of the feeds, in order; written by one thread, read by others."""

    versions: list[Version] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, start: float, etags: dict[str, str], committed: float) -> None:
        with self.lock:
            if self.versions:
                self.versions[-1].end = committed
            self.versions.append(Version(start, etags))

    def current_during(self, path: str, sent: float, answered: float) -> set[str]:
        """The ETags ``path`` had at some moment between ``sent`` and ``answered``."""
        with self.lock:
            versions = list(self.versions)
        first = bisect.bisect_right([v.start for v in versions], answered)
        return {v.etags[path] for v in versions[:first] if v.end >= sent and path in v.etags}


@dataclass
class Tally:
    """What one client saw."""

    plain: int = 0
    conditional: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODES, 0))
    ok: int = 0
    not_modified: int = 0
    errors: list[str] = field(default_factory=list)
    versions: dict[str, set[str]] = field(default_factory=dict)
    # Each answer's path, when it was sent and answered, its ETag and what it must have
    # been current: checked against the history once the load is over.
    seen: list[tuple[str, float, float, str, str]] = field(default_factory=list)


MODES = ("etag", "date", "both")


def guide_files(folder: Path) -> list[str]:
    """Write the files the library guide shows into ``folder``; return their names."""
    names = []
    for match in _FILE_BLOCK.finditer(GUIDE.read_text(encoding="utf-8")):
        (folder / match["file"]).write_text(match["code"], encoding="utf-8")
        names.append(match["file"])
    return names


def load_blog(folder: Path) -> ModuleType:
    """The guide's blog.py, imported from ``folder``, with its database there."""
    sys.path.insert(0, str(folder))
    try:
        import blog
    finally:
        sys.path.remove(str(folder))
    blog.DATABASE = folder / "blog.db"
    return blog


def feed_paths(blog: ModuleType) -> dict[str, str | None]:
    """Every feed's path, with its folder (None for the main feeds): the plan's, from
    the posts in the database."""
    import postfeed

    published, _ = postfeed.select(blog.posts())
    prefix = blog.SITE.feeds_base_url
    paths: dict[str, str | None] = {}
    for url in postfeed.feed_urls(blog.SITE, published):
        folder, _, _ = url.removeprefix(prefix).rpartition("/")
        paths["/feeds/" + url.removeprefix(prefix)] = folder or None
    return paths


def current_etags(blog: ModuleType, paths: dict[str, str | None]) -> dict[str, str]:
    """What each feed's ETag is now, by the guide's own code."""
    etags = {}
    for path, folder in paths.items():
        answer = blog.feed(path.rsplit("/", 1)[1], folder)
        assert answer is not None, path
        etags[path] = answer.etag
    return etags


def body_of(number: int, revision: int = 0) -> str:
    """A post's Markdown: the benchmark's generated text, about 1,300 words."""
    text = generate.post(number).split("---\n", 2)[2]
    return text if not revision else f"{text}\nRevised, revision {revision}.\n"


def _check_feed(name: str, body: bytes) -> None:
    """A whole, valid document of the right kind with at least one entry."""
    if name == "feed.json":
        document = json.loads(body)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        assert document["items"], "no items"
        return
    root = ET.fromstring(body)
    if name == "atom.xml":
        assert root.tag == f"{ATOM}feed"
        assert root.findall(f"{ATOM}entry"), "no entries"
    else:
        assert root.tag == "rss"
        assert root.findall("channel/item"), "no items"


def _client(index: int, port: int, paths: list[str], count: int, tally: Tally) -> None:
    """Send ``count`` requests on one keep-alive connection (reconnecting after errors)."""
    rng = random.Random(index)
    cache: dict[str, tuple[str, str | None]] = {}  # path: (ETag, Last-Modified)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for number in range(count):
        path = rng.choice(paths)
        name = path.rsplit("/", 1)[-1]
        headers: dict[str, str] = {}
        cached = cache.get(path)
        mode = rng.choice(MODES) if cached and number % 2 else None
        if mode is not None and cached is not None:
            if mode in ("etag", "both"):
                headers["If-None-Match"] = cached[0]
            if mode in ("date", "both") and cached[1] is not None:
                headers["If-Modified-Since"] = cached[1]
            tally.conditional[mode] += 1
        else:
            tally.plain += 1
        try:
            sent = time.monotonic()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            answered = time.monotonic()
            etag = response.getheader("ETag") or ""
            if response.status == 200:
                assert response.getheader("Content-Type") == MEDIA_TYPES[name], path
                assert int(response.getheader("Content-Length") or -1) == len(body), path
                assert etag == '"' + hashlib.sha256(body).hexdigest()[:32] + '"', path
                _check_feed(name, body)
                tally.seen.append((path, sent, answered, etag, "200 of a version"))
                cache[path] = (etag, response.getheader("Last-Modified"))
                tally.versions.setdefault(path, set()).add(etag)
                tally.ok += 1
            elif response.status == 304:
                assert headers, f"{path}: 304 for a plain request"
                assert body == b"", f"{path}: 304 with a body"
                assert cached is not None
                assert etag == cached[0], f"{path}: 304 but the feed is another version"
                tally.seen.append((path, sent, answered, etag, "304 for a version"))
                tally.not_modified += 1
            else:
                raise AssertionError(f"{path}: HTTP {response.status}")
        except Exception as err:  # every failure is counted, the load goes on
            tally.errors.append(f"{path}: {type(err).__name__}: {err}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.close()


def run(requests: int, clients: int) -> dict[str, Any]:
    """Run the load once; return its numbers."""
    with tempfile.TemporaryDirectory(prefix="postfeed-web-load-") as temp:
        folder = Path(temp)
        shown = guide_files(folder)
        assert {"blog.py", "flask_app.py"} <= set(shown), shown
        blog = load_blog(folder)
        # Dates a minute apart, all in the past: select() leaves out posts dated later.
        base = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2)
        for number in range(FIRST_POSTS):
            blog.save_post(
                generate.slug(number),
                f"Post {number}",
                body_of(number),
                published=base + timedelta(minutes=number),
                tags=[TAGS[number % 3], TAGS[(number + 1) % 3]][: 1 + number % 2],
            )
        # The writer adds no tag: the feeds stay the same, their contents change.
        paths = feed_paths(blog)
        assert len(paths) == 3 * (1 + len(TAGS)), sorted(paths)
        history = History()
        history.add(time.monotonic(), current_etags(blog, paths), time.monotonic())

        server = subprocess.Popen(
            [sys.executable, "-c", _SERVE],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        errors: list[str] = []
        changes: list[float] = []
        try:
            assert server.stdout is not None
            ready, _, _ = select.select([server.stdout], [], [], 30)
            line = server.stdout.readline() if ready else ""
            assert line.strip().isdigit(), line
            port = int(line)

            done = threading.Event()

            def write() -> None:
                """Add a post or edit one, every CHANGE_EVERY seconds, until the load ends."""
                rng = random.Random(0)
                count = FIRST_POSTS
                deadline = time.monotonic() + BUDGET_SECONDS
                for change in range(1, MAX_CHANGES + 1):
                    if done.wait(CHANGE_EVERY) or time.monotonic() > deadline:
                        return
                    moment = base + timedelta(minutes=FIRST_POSTS + change)
                    start = time.monotonic()
                    try:
                        if change % 3 == 0:
                            blog.save_post(
                                generate.slug(count),
                                f"Post {count}",
                                body_of(count),
                                published=moment,
                                tags=[TAGS[count % 3]],
                            )
                            count += 1
                        else:
                            number = rng.randrange(count)
                            published = base + timedelta(minutes=number)
                            if number >= FIRST_POSTS:  # added by this thread
                                published = next(
                                    p.published
                                    for p in blog.posts()
                                    if p.slug == generate.slug(number)
                                )
                            blog.save_post(
                                generate.slug(number),
                                f"Post {number}, revision {change}",
                                body_of(number, change),
                                published=published,
                                updated=moment,
                                tags=[TAGS[number % 3], TAGS[(number + 1) % 3]][: 1 + number % 2],
                            )
                        committed = time.monotonic()
                        history.add(start, current_etags(blog, paths), committed)
                        changes.append(committed)
                    except Exception as err:  # counted; the load goes on
                        errors.append(f"writer: {type(err).__name__}: {err}")

            writer = threading.Thread(target=write, daemon=True)
            tallies = [Tally() for _ in range(clients)]
            shares = [requests // clients + (i < requests % clients) for i in range(clients)]
            threads = [
                threading.Thread(target=_client, args=(i, port, list(paths), shares[i], tallies[i]))
                for i in range(clients)
            ]
            start = time.monotonic()
            writer.start()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(BUDGET_SECONDS)
            elapsed = time.monotonic() - start
            done.set()
            writer.join(60)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                _out, err = server.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                _out, err = server.communicate()
        errors += [e for t in tallies for e in t.errors]
        for path, sent, answered, etag, what in (s for t in tallies for s in t.seen):
            if etag not in history.current_during(path, sent, answered):
                errors.append(f"{path}: {what} that was not current while it was asked for")
        if "Traceback" in err or "Exception" in err:
            errors.append(f"server: {err[-2000:]}")
        versions: dict[str, set[str]] = {}
        for tally in tallies:
            for path, seen in tally.versions.items():
                versions.setdefault(path, set()).update(seen)
        done_requests = sum(t.plain + sum(t.conditional.values()) for t in tallies)
        not_modified = sum(t.not_modified for t in tallies)
        return {
            "requests": done_requests,
            "clients": clients,
            "feeds": len(paths),
            "plain": sum(t.plain for t in tallies),
            "conditional": sum(sum(t.conditional.values()) for t in tallies),
            "conditional_by_validator": {
                mode: sum(t.conditional[mode] for t in tallies) for mode in MODES
            },
            "ok_200": sum(t.ok for t in tallies),
            "not_modified_304": not_modified,
            "share_304": round(not_modified / done_requests, 3) if done_requests else None,
            "errors": len(errors),
            "first_errors": errors[:5],
            "changes_during_load": sum(1 for moment in changes if moment <= start + elapsed),
            "versions_of_main_atom": len(versions.get("/feeds/atom.xml", ())),
            "elapsed_seconds": round(elapsed, 2),
            "requests_per_second": round(done_requests / elapsed, 1) if elapsed else None,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    numbers = run(args.requests, args.clients)
    if args.json:
        print(json.dumps(numbers))
    else:
        for key, value in numbers.items():
            print(f"{key}: {value}")
    return 0 if numbers["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
