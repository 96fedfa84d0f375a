"""Shared fixtures: real sites in tmp_path."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

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
