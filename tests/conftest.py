"""Shared fixtures: real sites in tmp_path."""

from __future__ import annotations

import calendar
import errno
import os
import re
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import feedparser
import pytest
from hypothesis import settings

# Property tests: a fixed sequence of examples in CI (CI is set), fresh ones locally.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI") else "dev")

BASE_CONFIG = """\
title: Test Blog
url: https://blog.example.com/
description: A blog for tests
language: en
author:
  name: Ada Example
  email: ada@example.com
timezone: Europe/Berlin
"""


def interruptible() -> None:
    """In the child: take Ctrl-C (SIGINT) as a terminal would deliver it, even when
    this process was started with SIGINT ignored (a background job in CI)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*/expected from the current output",
    )


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no colour or CI settings from the shell that runs them."""
    for name in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def failing_flush(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[int]]:
    """``failing_flush()`` makes every flush to disk of a file while it is written fail
    from then on, as a disk reporting an I/O error would: the one failure a test makes
    up, since no file system it can use fails a flush. ``failing_flush("_sync_and_close",
    closes=True)`` does the same for the flush of a closed file, which closes its
    descriptor. Each returns the descriptors the failing flushes were given."""
    from postfeed.writing import _fs

    def fail(name: str = "_flush_data", *, closes: bool = False) -> list[int]:
        failed: list[int] = []

        def failing(fd: int) -> None:
            failed.append(fd)
            if closes:
                os.close(fd)
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(_fs, name, failing)
        return failed

    return fail


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A site folder with a postfeed.yaml and an empty posts/ folder."""
    (tmp_path / "postfeed.yaml").write_text(BASE_CONFIG, encoding="utf-8")
    (tmp_path / "posts").mkdir()
    return tmp_path


@pytest.fixture
def write_config(site_dir: Path) -> Callable[[str], Path]:
    """Rewrite postfeed.yaml as the base config plus ``extra``, or as ``extra`` alone."""

    def write(extra: str, *, replace: bool = False) -> Path:
        path = site_dir / "postfeed.yaml"
        text = extra if replace else BASE_CONFIG + extra
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_post(site_dir: Path) -> Callable[..., Path]:
    """Write posts/<slug>.md from front matter text and a Markdown body."""

    def write(
        slug: str, front: str = "", body: str = "Hello.\n", *, raw: str | None = None
    ) -> Path:
        path = site_dir / "posts" / f"{slug}.md"
        if raw is not None:
            path.write_text(raw, encoding="utf-8")
            return path
        if "title:" not in front:
            front = f"title: Post {slug}\n" + front
        if "date:" not in front:
            front += "date: 2024-05-01T10:00:00+02:00\n"
        path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
        return path

    return write


@dataclass
class Server:
    """A running ``postfeed serve`` subprocess."""

    url: str
    process: subprocess.Popen[str]
    stderr_path: Path

    def stderr(self) -> str:
        """Everything the server wrote to stderr so far."""
        return self.stderr_path.read_text(encoding="utf-8")

    def stop(self) -> tuple[int, str]:
        """Send Ctrl-C (SIGINT); return the exit code and the rest of stdout."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            out, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate(timeout=15)
        return self.process.returncode, out


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start the real ``postfeed serve --port 0`` in a folder; stopped after the test."""
    servers: list[Server] = []

    def start(cwd: Path, *args: str) -> Server:
        stderr_path = tmp_path / f"serve-{len(servers)}.err"
        with stderr_path.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "postfeed", "serve", "--port", "0", *args],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                preexec_fn=interruptible,
            )
        server = Server("", process, stderr_path)
        servers.append(server)
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        match = re.search(r" at (http://127\.0\.0\.1:\d+/) ", line)
        assert match, (line, process.poll(), server.stderr())
        server.url = match.group(1)
        return server

    yield start
    for server in servers:
        server.stop()


# --- site generators: postfeed's feed beside the generator's own ---------------------

GENERATORS = Path(__file__).parent / "data" / "generators"
# Template syntax that must never reach a feed: Go templates and Hugo shortcodes, Liquid,
# Nunjucks.
RAW_TEMPLATE = re.compile(r"\{\{|\}\}|\{%|%\}")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class GeneratorCase:
    """How one generator's sample site and expected feed are compared with postfeed's.

    ``feed`` is the generator's feed file under ``expected/``; ``config`` more lines
    for the postfeed.yaml the site is built with. ``left_out`` are ids the
    generator's feed has and postfeed leaves out on purpose; ``unstable_dates`` ids
    whose dates in the generator's feed are build times. ``date`` is the generator's
    entry field that holds the post's date (``"published"``, or ``"updated"`` when
    that is its only date); with ``compare_updated`` the entries' ``updated`` are
    compared too. ``coverage`` is the share of the words of the generator's entry
    (content, else summary) that postfeed's entry must say too.
    """

    name: str
    feed: str
    config: str = ""
    left_out: frozenset[str] = frozenset()
    unstable_dates: frozenset[str] = frozenset()
    date: str = "published"
    compare_updated: bool = False
    coverage: float = 0.9


@dataclass(frozen=True)
class Comparison:
    """A generator's feed beside postfeed's: the pairs of entries by id (the
    generator's first), postfeed's output folder and what the build printed."""

    pairs: list[tuple[Any, Any]]
    output: Path
    stderr: str

    def entry(self, id: str) -> Any:
        """postfeed's entry with this id."""
        return next(ours for _, ours in self.pairs if ours.id == id)


def normal_url(url: str) -> str:
    """A URL with its percent-encoding made one form (UTF-8, upper-case hex, reserved
    characters as they are), so that two spellings of one address compare equal."""
    return quote(unquote(url), safe=":/?#[]@!$&'()*+,;=~%")


def instant(parsed: Any) -> int | None:
    """A feedparser date (a UTC struct_time) as seconds since the epoch."""
    return None if parsed is None else calendar.timegm(parsed)


def words(html: str) -> list[str]:
    """The words of an HTML fragment's text, lower-cased."""
    text = re.sub(r"<[^>]*>", " ", html)
    return [word.casefold() for word in _WORD.findall(unescape(text))]


def entry_text(entry: Any) -> str:
    """An entry's content (all of it), else its summary, as feedparser gives it."""
    if entry.get("content"):
        return " ".join(part.value for part in entry.content)
    return str(entry.get("summary", ""))


def compare_with_generator(case: GeneratorCase, folder: Path, capsys: Any) -> Comparison:
    """Build postfeed on the generator's sample site with ``source: <name>`` into
    ``folder`` (with the real command), read both feeds back with feedparser and
    compare them entry by entry: the same entries, ids, links and dates, and in
    postfeed's, full content without template syntax."""
    from postfeed.cli import main

    site = GENERATORS / case.name / "site"
    config = folder / "postfeed.yaml"
    config.write_text(
        f"source: {case.name}\nsource_dir: {site}\noutput: out\ncache: false\n" + case.config,
        encoding="utf-8",
    )
    assert main(["build", "-q", "--config", str(config)]) == 0
    stderr = capsys.readouterr().err
    expected = feedparser.parse(
        (GENERATORS / case.name / "expected" / case.feed).read_bytes(), sanitize_html=False
    )
    assert not expected.bozo, expected.bozo_exception
    theirs = {entry.id: entry for entry in expected.entries}
    assert len(theirs) == len(expected.entries) >= 3
    ours_by_format = {}
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse((folder / "out" / name).read_bytes(), sanitize_html=False)
        assert not parsed.bozo, parsed.bozo_exception
        ours_by_format[name] = {entry.id: entry for entry in parsed.entries}
    ours = ours_by_format["atom.xml"]
    # The same entries: those the generator's feed has, less those left out on purpose.
    wanted = {normal_url(id): id for id in theirs if id not in case.left_out}
    assert sorted(normal_url(id) for id in ours) == sorted(wanted)
    assert sorted(ours_by_format["rss.xml"]) == sorted(ours)
    pairs = []
    for id, mine in ours.items():
        their = theirs[wanted[normal_url(id)]]
        assert normal_url(mine.link) == normal_url(their.link), id
        if their.id not in case.unstable_dates:
            assert instant(mine.get("published_parsed")) == instant(
                their.get(f"{case.date}_parsed")
            ), (id, mine.get("published"), their.get(case.date))
            if case.compare_updated:
                assert instant(mine.get("updated_parsed")) == instant(
                    their.get("updated_parsed")
                ), (id, mine.get("updated"), their.get("updated"))
        content = " ".join(part.value for part in mine.get("content", []))
        assert words(content), f"{id}: no content"
        # Template syntax only where the generator's own entry shows it too: text the
        # author escaped (Liquid's raw) is the post's, not code left unrun.
        shown = len(RAW_TEMPLATE.findall(entry_text(their)))
        for text in (content, mine.get("summary", ""), mine.title):
            assert len(RAW_TEMPLATE.findall(text)) <= shown, (id, RAW_TEMPLATE.findall(text))
        said = set(words(" ".join((mine.title, mine.get("summary", ""), content))))
        theirs_words = words(entry_text(their))
        missing = [word for word in theirs_words if word not in said]
        assert len(missing) <= (1 - case.coverage) * len(theirs_words), (id, missing)
        pairs.append((their, mine))
    assert len(pairs) == len(wanted) >= 3
    return Comparison(pairs, folder / "out", stderr)


@pytest.fixture
def compare_generator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Comparison]:
    """Compare postfeed's feed of a generator's sample site with the generator's own:
    called as ``compare_generator(name, feed, **options)`` with the fields of
    :class:`GeneratorCase`; returns the :class:`Comparison`."""

    def compare(name: str, feed: str, **options: Any) -> Comparison:
        return compare_with_generator(GeneratorCase(name, feed, **options), tmp_path, capsys)

    return compare
