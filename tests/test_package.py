"""The package as users get it: `python -m build` makes a wheel and an sdist, each installs into
a fresh virtual environment and works; the pre-commit hook installs from the repository.

These tests install from PyPI (dependencies only) and take tens of seconds: they are marked slow.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import version
from pathlib import Path

import feedparser
import pytest

ROOT = Path(__file__).parent.parent
VERSION = version("postfeed")
TESTED_PYTHONS = ("3.11", "3.13")

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path | None = None, **env: str) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built the way a release is (the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    return out


def _site(folder: Path) -> Path:
    folder.mkdir()
    (folder / "postfeed.yaml").write_text(
        "title: Packaged\nurl: https://packaged.example/\ntimezone: Europe/Berlin\n", "utf-8"
    )
    (folder / "posts").mkdir()
    (folder / "posts/hello.md").write_text(
        "---\ntitle: Hello\ndate: 2026-11-02 09:30\ntags: [meta]\n---\nFirst *post*.\n", "utf-8"
    )
    return folder


def test_wheel_contents(dist: Path) -> None:
    """The wheel carries the package with py.typed, the license, the command and the metadata."""
    [wheel] = dist.glob(f"postfeed-{VERSION}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = email.message_from_bytes(archive.read(f"postfeed-{VERSION}.dist-info/METADATA"))
        entry_points = archive.read(f"postfeed-{VERSION}.dist-info/entry_points.txt").decode()
    source = ROOT / "src"
    modules = {path.relative_to(source).as_posix() for path in source.rglob("*.py")}
    assert {"postfeed/py.typed", "postfeed/cli.py", *modules} <= names
    assert f"postfeed-{VERSION}.dist-info/licenses/LICENSE" in names
    assert not any(name.startswith(("tests/", "posts/", "feeds/")) for name in names)
    assert "postfeed = postfeed.cli:run" in entry_points
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["License-Expression"] == "MIT"
    classifiers = metadata.get_all("Classifier")
    assert classifiers is not None
    for python in TESTED_PYTHONS:
        assert f"Programming Language :: Python :: {python}" in classifiers
    urls = metadata.get_all("Project-URL")
    assert urls is not None
    assert {url.split(",")[0] for url in urls} >= {"Homepage", "Documentation", "Changelog"}


def test_sdist_contents(dist: Path) -> None:
    """The sdist carries the source, the docs, the changelog and the license."""
    [sdist] = dist.glob(f"postfeed-{VERSION}.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "src/postfeed/py.typed",
        "docs/getting-started.md",
    } <= names


@pytest.mark.parametrize("kind", ["whl", "tar.gz"])
def test_installs_and_builds_a_site(dist: Path, tmp_path: Path, kind: str) -> None:
    """Each artifact installs into a new virtual environment, reports its version and builds feeds."""
    [artifact] = dist.glob(f"postfeed-{VERSION}*.{kind}")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", artifact)
    assert _run(bin_dir / "postfeed", "--version") == f"postfeed {VERSION}\n"
    site = _site(tmp_path / "site")
    out = _run(bin_dir / "postfeed", "build", cwd=site)
    assert out == "postfeed: 8 written, 0 unchanged in feeds; 1 post published\n"
    parsed = feedparser.parse((site / "feeds/atom.xml").read_bytes())
    assert not parsed.bozo
    assert parsed.entries[0].link == "https://packaged.example/posts/hello/"
    assert "<em>post</em>" in parsed.entries[0].content[0].value
    typed = _run(
        bin_dir / "python",
        "-c",
        "import importlib.resources as r;print(r.files('postfeed').joinpath('py.typed').is_file())",
    )
    assert typed == "True\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_hook_from_the_repository(tmp_path: Path) -> None:
    """pre-commit installs this repository's hook and fails a commit whose feeds are stale."""
    if subprocess.run(["git", "-C", ROOT, "rev-parse"], capture_output=True).returncode:
        pytest.skip("not a git checkout")
    blog = _site(tmp_path / "blog")
    env = {
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    postfeed = Path(sys.executable).parent / "postfeed"
    _run(postfeed, "build", "-q", cwd=blog)
    _run("git", "init", "-q", cwd=blog, **env)
    _run("git", "add", ".", cwd=blog, **env)
    pre_commit = Path(sys.executable).parent / "pre-commit"
    hook = ("try-repo", ROOT, "postfeed-check", "--all-files")
    _run(pre_commit, *hook, cwd=blog, **env)
    post = blog / "posts/hello.md"
    post.write_text(post.read_text("utf-8") + "Edited.\n", "utf-8")
    _run("git", "add", ".", cwd=blog, **env)
    result = subprocess.run(
        [str(pre_commit), *map(str, hook)],
        cwd=blog,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert "feeds/atom.xml: stale" in result.stdout
