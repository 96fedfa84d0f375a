"""Shared fixtures: real sites in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Callable
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*/expected from the current output",
    )


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
