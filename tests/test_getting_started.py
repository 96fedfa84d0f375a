"""docs/getting-started.md, followed step by step: its files, its commands and the output it
shows, then a subscription with the reader library."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from reader import make_reader

from postfeed.reading._yaml import load_mapping

DOC = Path(__file__).parent.parent / "docs/getting-started.md"
SCRIPTS = Path(sys.executable).parent
_BLOCK = re.compile(
    r"(?:^<!-- file: (?P<file>\S+) -->\n)?^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S
)


def _blocks() -> list[tuple[str | None, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(m.group("file"), m.group("lang"), m.group("body")) for m in _BLOCK.finditer(text)]


def _postfeed(command: str, cwd: Path) -> str:
    argv = shlex.split(command)
    assert argv[0] == "postfeed"
    result = subprocess.run(
        [str(SCRIPTS / "postfeed"), *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "FORCE_COLOR"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_getting_started(tmp_path: Path) -> None:
    """Every postfeed command in the guide prints what the guide shows, and the feed subscribes."""
    blocks = _blocks()
    files = {name: body for name, _, body in blocks if name}
    assert set(files) == {"postfeed.yaml", "posts/hello-world.md"}
    ran = []
    for index, (name, lang, body) in enumerate(blocks):
        if lang != "sh" or name:
            continue
        for command in body.splitlines():
            if command.startswith("python -m pip install"):
                continue  # this environment has postfeed installed already
            out = _postfeed(command, tmp_path)
            ran.append(command)
            if command == "postfeed --version":
                assert out == f"postfeed {version('postfeed')}\n"
                continue
            shown_name, shown_lang, shown = blocks[index + 1]
            assert (shown_name, shown_lang) == (None, ""), f"no output shown after {command}"
            assert out == shown
            if command.startswith("postfeed init"):
                config = tmp_path / "postfeed.yaml"
                settings = load_mapping(config.read_text(encoding="utf-8")).data
                assert settings == {
                    "title": "My Blog",
                    "url": "https://example.com/",
                    "timezone": "UTC",
                }
                created = tmp_path / "posts/hello-world.md"
                first = created.read_text(encoding="utf-8")
                assert first.startswith('---\ntitle: "Hello, world"\n')
                assert "\ndraft: true" in first
                # The author fills in the settings and writes the post, as the guide shows.
                config.write_text(files["postfeed.yaml"], encoding="utf-8")
                created.write_text(files["posts/hello-world.md"], encoding="utf-8")
    assert ran == [
        "postfeed --version",
        'postfeed init --title "My Blog" --url https://example.com/',
        "postfeed build",
    ]
    html = next(body for _, lang, body in blocks if lang == "html")
    hrefs = re.findall(r'href="https://example\.com/(feeds/[^"]+)"', html)
    assert len(hrefs) == 3
    for href in hrefs:
        assert (tmp_path / href).is_file(), href
    # The tags the guide shows are those postfeed init printed.
    printed = next(body for _, _, body in blocks if body.startswith("postfeed: started a blog"))
    assert printed.endswith(html)

    reader = make_reader(":memory:", feed_root=str(tmp_path))
    reader.add_feed("feeds/atom.xml")
    reader.update_feeds()
    feed = reader.get_feed("feeds/atom.xml")
    assert feed.title == "My Blog"
    assert feed.last_exception is None
    [entry] = reader.get_entries()
    assert entry.title == "Hello, world"
    assert entry.link == "https://example.com/posts/hello-world/"
    assert entry.summary == (
        "<p>The first paragraph is the summary that feed readers show in their lists.</p>"
    )
    assert "feeds carry all of it" in entry.content[0].value
    reader.close()


@pytest.mark.parametrize("name", ["postfeed.yaml", "posts/hello-world.md"])
def test_guide_files_are_valid(name: str) -> None:
    """Each file the guide shows is complete (a broken pattern would find none)."""
    body = dict((n, b) for n, _, b in _blocks() if n)[name]
    assert body.startswith(("title:", "---\n"))
