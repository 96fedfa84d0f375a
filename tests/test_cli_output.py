"""What the command prints: -q, -v, colour, the progress bar and GitHub Actions annotations."""

from __future__ import annotations

import argparse
import io
import os
import select
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from postfeed import build, load_site
from postfeed.cli import _parser, main
from postfeed.commands import _term

FUTURE = "date: 2999-01-01T08:00:00+01:00\n"


@pytest.fixture
def in_site(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from inside the site folder, as a blog author does."""
    monkeypatch.chdir(site_dir)
    return site_dir


class Terminal:
    """A real pseudo-terminal: ``file`` is its writing end, ``read()`` what it shows."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        # A file descriptor, not a path: Path.open() cannot open it.
        self.file = open(slave, "w", encoding="utf-8", buffering=1)  # noqa: PTH123, SIM115

    def read(self) -> str:
        """Everything written so far, with the terminal's CRLF line ends made LF."""
        self.file.flush()
        chunks = []
        while select.select([self.master], [], [], 0.2)[0]:
            chunks.append(os.read(self.master, 65536))
        return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")

    def close(self) -> None:
        self.file.close()
        os.close(self.master)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Terminal]:
    """A pseudo-terminal, with TERM set as in a terminal emulator."""
    monkeypatch.setenv("TERM", "xterm-256color")
    tty = Terminal()
    yield tty
    tty.close()


def test_verbose_lists_files_and_left_out_posts(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """-v lists each file written, unchanged and removed, and each post left out with why."""
    write_post("a", "tags: [go]\n")
    write_post("b", "draft: true\n")
    write_post("c", FUTURE)
    assert main(["build", "-v"]) == 0
    assert capsys.readouterr().out == (
        "  written     feeds/.postfeed-manifest.json\n"
        "  written     feeds/atom.xml\n"
        "  written     feeds/feed.json\n"
        "  written     feeds/index.html\n"
        "  written     feeds/rss.xml\n"
        "  written     feeds/tags/go/atom.xml\n"
        "  written     feeds/tags/go/feed.json\n"
        "  written     feeds/tags/go/rss.xml\n"
        "  left out    posts/c.md (future: dated 2999-01-01T08:00:00+01:00)\n"
        "  left out    posts/b.md (draft)\n"
        "postfeed: 8 written, 0 unchanged in feeds; 1 post published,"
        " 2 left out (1 draft, 1 future)\n"
    )
    write_post("a", "tags: [python]\n")
    assert main(["build", "--verbose"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == [
        "  written     feeds/.postfeed-manifest.json",
        "  written     feeds/atom.xml",
        "  written     feeds/feed.json",
        "  written     feeds/index.html",
        "  written     feeds/rss.xml",
    ]
    assert "  removed     feeds/tags/go/rss.xml" in out
    assert "  written     feeds/tags/python/rss.xml" in out
    assert main(["build", "-v"]) == 0
    assert "  unchanged   feeds/atom.xml" in capsys.readouterr().out.splitlines()


def test_quiet_prints_nothing_but_problems(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """-q prints nothing on success, not even warnings; errors are still printed."""
    write_post("a", "tgas: [go]\n")
    assert main(["build", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    write_post("b", "date: soon\n")
    assert main(["build", "-q"]) == 2
    assert capsys.readouterr() == ("", "posts/b.md:3: date: expected a date, got 'soon'\n")


def test_quiet_and_verbose_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    """-q and -v together are a usage error."""
    with pytest.raises(SystemExit) as info:
        main(["build", "-q", "-v"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_no_colour_when_not_a_terminal(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Output to a pipe or file has no escape codes."""
    write_post("a", "tgas: [go]\n")
    assert main(["build", "-v"]) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err


def test_colour_on_a_terminal(
    in_site: Path,
    write_post: Callable[..., Path],
    terminal: Terminal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a terminal, states, warnings and errors are coloured; the text stays the same,
    and a failing build shows its warnings with its errors."""
    write_post("a", "tgas: [go]\n")
    monkeypatch.setattr(sys, "stdout", terminal.file)
    monkeypatch.setattr(sys, "stderr", terminal.file)
    assert main(["build", "-v"]) == 0
    shown = terminal.read()
    assert "  \x1b[32mwritten   \x1b[0m  feeds/atom.xml\n" in shown
    assert (
        "\x1b[1mposts/a.md:3:\x1b[0m \x1b[33munknown key 'tgas' is ignored"
        " (did you mean 'tags'?)\x1b[0m\n"
    ) in shown
    write_post("b", "date: soon\n")
    assert main(["build"]) == 2
    assert terminal.read() == (
        "\x1b[1mposts/a.md:3:\x1b[0m \x1b[33munknown key 'tgas' is ignored"
        " (did you mean 'tags'?)\x1b[0m\n"
        "\x1b[1mposts/b.md:3:\x1b[0m \x1b[31mdate: expected a date, got 'soon'\x1b[0m\n"
    )


@pytest.mark.parametrize(
    ("no_color", "force_color", "coloured"),
    [
        ("1", "", False),
        ("1", "1", False),
        ("", "1", True),
        ("", "", True),
    ],
)
def test_no_color_and_force_color(
    in_site: Path,
    write_post: Callable[..., Path],
    terminal: Terminal,
    monkeypatch: pytest.MonkeyPatch,
    no_color: str,
    force_color: str,
    coloured: bool,
) -> None:
    """A non-empty NO_COLOR turns colour off even with FORCE_COLOR; empty values count as unset."""
    write_post("a")
    monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setenv("FORCE_COLOR", force_color)
    monkeypatch.setattr(sys, "stdout", terminal.file)
    assert main(["build", "-v"]) == 0
    assert ("\x1b[" in terminal.read()) is coloured


def test_force_color_colours_a_pipe(
    in_site: Path,
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FORCE_COLOR colours output that is not a terminal (for CI logs that render colour)."""
    write_post("a")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert main(["build", "-v"]) == 0
    assert "\x1b[32mwritten   \x1b[0m" in capsys.readouterr().out


def test_dumb_terminal_has_no_colour(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    """TERM=dumb is a terminal that cannot show colour."""
    monkeypatch.setenv("TERM", "dumb")
    assert not _term.wants_colour(terminal.file, os.environ)
    monkeypatch.setenv("TERM", "xterm")
    assert _term.wants_colour(terminal.file, os.environ)


def test_build_reports_progress(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """build() calls progress for each post read, then once per entry some feed carries."""
    (site_dir / "postfeed.yaml").write_text(
        (site_dir / "postfeed.yaml").read_text() + "limit: 2\n", encoding="utf-8"
    )
    for day in range(1, 6):
        write_post(f"p{day}", f"date: 2024-01-0{day}\ntags: [t{day % 2}]\n")
    calls: list[tuple[str, int, int]] = []
    result = build(load_site(site_dir / "postfeed.yaml"), progress=lambda *c: calls.append(c))
    # The main feed holds p5, p4; tag t1 holds p5, p3; tag t0 holds p4, p2. p1 is in none.
    assert calls == [
        *(("read", done, 5) for done in range(1, 6)),
        *(("render", done, 4) for done in range(1, 5)),
    ]
    assert result.renders == 4


def test_progress_bar_waits_then_draws_and_erases() -> None:
    """The bar stays hidden for the first seconds, then redraws at most ten times a second."""
    stream = io.StringIO()
    now = [100.0]
    bar = _term.ProgressBar(stream, delay=2.0, clock=lambda: now[0])
    bar("read", 1, 4)
    now[0] = 101.9
    bar("read", 2, 4)
    assert stream.getvalue() == ""
    now[0] = 102.0
    bar("read", 3, 4)
    now[0] = 102.05
    bar("render", 1, 4)  # too soon after the last redraw
    bar("render", 4, 4)  # but the end is always drawn
    assert stream.getvalue() == (
        "\rreading posts [######################........] 3/4"
        "\rrendering     [##############################] 4/4"
    )
    bar.close()
    assert stream.getvalue().endswith("\r" + " " * 50 + "\r")


def test_progress_bar_never_drawn_for_a_quick_build() -> None:
    """A build that ends before the delay leaves no trace, not even the erasing line."""
    stream = io.StringIO()
    bar = _term.ProgressBar(stream, delay=2.0, clock=lambda: 5.0)
    bar("render", 1, 1)
    bar.close()
    assert stream.getvalue() == ""


def test_cli_progress_bar_only_on_a_terminal(
    in_site: Path,
    write_post: Callable[..., Path],
    terminal: Terminal,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A slow build shows a bar on a terminal's stderr, erased before the summary; never in a pipe."""
    for number in range(3):
        write_post(f"p{number}")
    monkeypatch.setattr(_term, "PROGRESS_DELAY", 0.0)  # every build counts as slow
    assert main(["build"]) == 0
    assert "[" not in capsys.readouterr().err
    monkeypatch.setattr(sys, "stderr", terminal.file)
    assert main(["build", "--out", "other"]) == 0
    shown = terminal.read()
    assert "\rrendering     [##############################] 3/3" in shown
    assert shown.endswith("\r" + " " * 50 + "\r")
    assert main(["build", "-q", "--out", "third"]) == 0
    assert terminal.read() == ""


def test_annotation_escapes() -> None:
    """Messages escape % CR LF; properties also escape : and , (as @actions/core does)."""
    line = _term.annotation("error", "50% done\r\nnext: a, b", path=Path("posts/a,b:c%.md"), line=3)
    assert line == "::error file=posts/a%2Cb%3Ac%25.md,line=3::50%25 done%0D%0Anext: a, b"
    assert _term.annotation("warning", "plain") == "::warning::plain"


def test_annotation_paths_are_relative_to_the_workspace(tmp_path: Path) -> None:
    """Absolute paths inside GITHUB_WORKSPACE become relative, as the pull request's diff needs."""
    inside = _term.annotation("error", "m", path=tmp_path / "posts/a.md", root=str(tmp_path))
    assert inside == "::error file=posts/a.md::m"
    outside = _term.annotation("error", "m", path=Path("/elsewhere/a.md"), root=str(tmp_path))
    assert outside == "::error file=/elsewhere/a.md::m"


def test_github_actions_annotations(
    in_site: Path,
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With GITHUB_ACTIONS=true every error and warning is also a workflow command on stdout."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write_post("a", "tgas: [go]\n")
    assert main(["build"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == (
        "::warning file=posts/a.md,line=3::unknown key 'tgas' is ignored (did you mean 'tags'?)"
    )
    assert err == "posts/a.md:3: unknown key 'tgas' is ignored (did you mean 'tags'?)\n"
    write_post("b", "date: soon\n")
    write_post("c", "title: 7\n")
    assert main(["build"]) == 2
    out, err = capsys.readouterr()
    assert out == (
        "::warning file=posts/a.md,line=3::unknown key 'tgas' is ignored (did you mean 'tags'?)\n"
        "::error file=posts/b.md,line=3::date: expected a date, got 'soon'\n"
        "::error file=posts/c.md,line=2::title: expected text, got 7 (quote it)\n"
    )
    assert err.splitlines()[1] == "posts/b.md:3: date: expected a date, got 'soon'"


def test_github_actions_annotates_stale_feeds(
    in_site: Path,
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A failing --check annotates each stale feed file, and a missing config file."""
    write_post("a")
    assert main(["build", "-q"]) == 0
    write_post("a", body="Changed.\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(in_site))
    assert main(["build", "--check"]) == 1
    assert capsys.readouterr().out == "".join(
        f"::error file=feeds/{name}::feed file is stale: run 'postfeed build' and commit\n"
        for name in ("atom.xml", "feed.json", "index.html", "rss.xml")
    )
    assert main(["build", "--config", str(in_site / "missing.yaml")]) == 2
    assert capsys.readouterr().out == (
        "::error file=missing.yaml::no such file (create it, or pass --config)\n"
    )


@pytest.mark.parametrize("value", ["false", "", "1"])
def test_no_annotations_outside_github_actions(
    in_site: Path,
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    """Only GITHUB_ACTIONS=true (what the runner sets) turns annotations on."""
    monkeypatch.setenv("GITHUB_ACTIONS", value)
    write_post("b", "date: soon\n")
    assert main(["build"]) == 2
    assert capsys.readouterr().out == ""


def test_check_verbose_lists_left_out_posts(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """--check -v lists the posts left out; feed files only when they are out of date."""
    write_post("a")
    write_post("b", "draft: true\n")
    assert main(["build", "-q"]) == 0
    assert main(["build", "--check", "-v"]) == 0
    assert capsys.readouterr().out == (
        "  left out    posts/b.md (draft)\n"
        "postfeed: feeds in feeds are up to date (1 post published, 1 left out (1 draft))\n"
    )


def test_cli_reference_names_every_command_and_option() -> None:
    """docs/cli.md documents every command and every option the parser accepts."""
    doc = (Path(__file__).parent.parent / "docs/cli.md").read_text(encoding="utf-8")
    parser = _parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) >= {"build", "new"}
    for name, sub in commands.choices.items():
        assert f"### postfeed {name}\n" in doc
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue  # -h, --help: documented once, as `postfeed COMMAND --help`
            for option in action.option_strings:
                assert f"`{option}" in doc or f"{option} " in doc, (name, option)
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in doc


def test_file_names_reach_the_terminal_escaped(
    in_site: Path,
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A post whose file name holds terminal escape codes is named with them written as
    escapes, in the message and in its GitHub Actions annotation."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write_post("ok\x1b]0;owned\x07", "title: A\nslug: ok\ndate: soon\n")
    assert main(["build", "-v"]) == 2
    out, err = capsys.readouterr()
    assert err == "posts/ok\\x1b]0;owned\\x07.md:4: date: expected a date, got 'soon'\n"
    assert out == (
        "::error file=posts/ok\\x1b]0;owned\\x07.md,line=4::date: expected a date, got 'soon'\n"
    )
    (in_site / "posts" / "ok\x1b]0;owned\x07.md").write_text(
        "---\ntitle: A\ndate: 2024-05-01\nslug: ok\ndraft: true\n---\nHi\n", encoding="utf-8"
    )
    assert main(["build", "-v"]) == 0
    out, _ = capsys.readouterr()
    assert "  left out    posts/ok\\x1b]0;owned\\x07.md (draft)\n" in out
    assert "\x1b" not in out
