"""The postfeed command, run in-process and as a real subprocess."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

from postfeed.cli import main


@pytest.fixture
def in_site(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from inside the site folder, as a blog author does."""
    monkeypatch.chdir(site_dir)
    return site_dir


def test_build_and_check(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """build prints one summary line; check then passes; a changed post makes check fail with 1."""
    write_post("a", "tags: [go]\n")
    write_post("b", "date: 2024-05-02\ndraft: true\n")
    assert main(["build"]) == 0
    out, err = capsys.readouterr()
    assert (
        out == "postfeed: 8 written, 0 unchanged in feeds; 1 post published, 1 left out (1 draft)\n"
    )
    assert err == ""
    assert main(["build", "--check"]) == 0
    assert (
        capsys.readouterr().out
        == "postfeed: feeds in feeds are up to date (1 post published, 1 left out (1 draft))\n"
    )
    (in_site / "posts/a.md").write_text(
        (in_site / "posts/a.md").read_text().replace("Hello", "Changed")
    )
    assert main(["build", "--check"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "feeds/atom.xml: stale",
        "feeds/feed.json: stale",
        "feeds/index.html: stale",
        "feeds/rss.xml: stale",
        "feeds/tags/go/atom.xml: stale",
        "feeds/tags/go/feed.json: stale",
        "feeds/tags/go/rss.xml: stale",
        "postfeed: 7 feed file(s) out of date; run 'postfeed build'",
    ]
    assert main(["build", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["build"]) == 0
    assert capsys.readouterr().out.startswith("postfeed: 0 written, 8 unchanged in feeds;")


def test_a_build_that_ends_the_process_keeps_the_collector_paused(
    in_site: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The postfeed command ends the process after a build: the cycle collector, paused
    while the build runs, is not resumed (its first collection would walk every object
    the build made). Run from Python, or for another command, the build leaves the
    collector as it found it."""
    from postfeed import _workers

    # This process goes on after its "last" build: the later tests' builds keep nothing.
    monkeypatch.setattr(_workers, "_kept_to_exit", None)
    write_post("a", "tags: [go]\n")
    assert gc.isenabled()
    assert main(["build", "-q"]) == 0
    assert gc.isenabled()
    assert main(["links"], exiting=True) == 0
    assert gc.isenabled()
    try:
        assert main(["build", "-q"], exiting=True) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_build_that_ends_the_process_keeps_what_it_made(
    in_site: Path, write_post: Callable[..., Path]
) -> None:
    """The postfeed command ends the process after a build: what the build made (its
    scan, plan, entries, documents and outputs) is kept to the end rather than freed
    object by object as the build returns. Run from Python, a build keeps nothing."""
    write_post("a", "tags: [go]\n")
    code = (
        "import json\n"
        "from pathlib import Path\n"
        "from postfeed import _workers\n"
        "from postfeed.cli import main\n"
        "assert main(['build', '-q']) == 0\n"
        "assert _workers._kept_to_exit is None\n"
        "post = Path('posts/a.md')\n"
        "post.write_text(post.read_text() + 'Edited.\\n')\n"
        "assert main(['build', '-q'], exiting=True) == 0\n"
        "print(json.dumps(sorted({type(kept).__name__ for kept in _workers._kept_to_exit or ()})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=in_site, check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(out) == ["Archive", "Entries", "Outputs", "Plan", "list"]


def test_drafts_flag(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """--drafts publishes drafts."""
    write_post("b", "draft: true\n")
    assert main(["build", "--drafts", "--out", "public"]) == 0
    assert capsys.readouterr().out.endswith("in public; 1 post published\n")


def test_invalid_posts_exit_2(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every broken post is printed as path:line: message, nothing is written, exit 2."""
    write_post("a", "date: someday\n")
    write_post("b", "title: 7\n")
    assert main(["build"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "posts/a.md:3: date: expected a date, got 'someday'\n"
        "posts/b.md:2: title: expected text, got 7 (quote it)\n"
        "postfeed: 2 problems; nothing was written\n"
    )
    assert not (in_site / "feeds").exists()


def test_warnings_go_to_stderr(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown key is a warning on stderr; the build still succeeds."""
    write_post("a", "tgas: [go]\n")
    assert main(["build"]) == 0
    assert (
        capsys.readouterr().err
        == "posts/a.md:3: unknown key 'tgas' is ignored (did you mean 'tags'?)\n"
    )


def test_config_options(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """--config, --url and --out override the defaults; a bad --url is exit 2."""
    write_post("a")
    (in_site / "postfeed.yaml").rename(in_site / "site.yaml")
    assert main(["build"]) == 2
    assert capsys.readouterr().err == "postfeed.yaml: no such file (create it, or pass --config)\n"
    assert (
        main(
            [
                "build",
                "--config",
                "site.yaml",
                "--url",
                "https://preview.example.org/x/",
                "--out",
                "o",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert "https://preview.example.org/x/posts/a/" in (in_site / "o/atom.xml").read_text()
    assert main(["build", "--config", "site.yaml", "--url", "preview"]) == 2
    assert capsys.readouterr().err == "--url: expected an absolute http(s) URL, got 'preview'\n"


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the installed version; no command prints help and exits 2."""
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"postfeed {version('postfeed')}\n"
    assert main([]) == 2
    assert "build" in capsys.readouterr().err


def test_python_dash_m(in_site: Path, write_post: Callable[..., Path]) -> None:
    """python -m postfeed runs the same command, with no traceback on bad input."""
    write_post("a", "date: nope\n")
    run = subprocess.run(
        [sys.executable, "-m", "postfeed", "build"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert run.stderr == "posts/a.md:3: date: expected a date, got 'nope'\n"
    assert "Traceback" not in run.stderr


def test_command_output_is_complete_when_piped(
    in_site: Path, write_post: Callable[..., Path]
) -> None:
    """The command ends without Python's teardown, but only after its output is flushed:
    every line reaches a pipe, and the exit code is the command's."""
    for day in range(1, 10):
        write_post(f"p{day}", f"date: 2024-01-0{day}\ntags: [t{day}]\n")
    built = subprocess.run(
        [sys.executable, "-m", "postfeed", "build", "-v"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0
    lines = built.stdout.splitlines()
    # Nine tag feeds, the main feeds, the page, the list of files written, a summary.
    assert len(lines) == 9 * 3 + 4 + 1 + 1
    assert lines[-1] == "postfeed: 32 written, 0 unchanged in feeds; 9 posts published"
    links = subprocess.run(
        [sys.executable, "-m", "postfeed", "links"], capture_output=True, text=True, check=False
    )
    assert links.returncode == 0
    assert links.stdout.endswith("\n")
    assert len(links.stdout.splitlines()) == 3
