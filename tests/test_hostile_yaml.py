"""YAML is data, never code: alias bombs, deep nesting and oversized front matter or
configuration are refused at once, in little memory, in posts and in postfeed.yaml alike.

The time and memory bounds here are ceilings far above what is measured (printed with
``pytest -rP``), there only to catch a bomb going off; they are not benchmarks.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from postfeed import ConfigError, PostErrors, load_posts, load_site

MIB = 1024 * 1024


def billion_laughs(key: str = "lol9") -> str:
    """The classic: nine levels of nine aliases, 9**9 strings once expanded."""
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, 10):
        refs = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    lines[-1] = lines[-1].replace("lol9: &lol9", f"{key}:")
    return "\n".join(lines) + "\n"


def wide_bomb() -> str:
    """One anchored list of 2000 items, referenced 5000 times (10 million items)."""
    items = ", ".join(["x"] * 2000)
    refs = ", ".join(["*a"] * 5000)
    return f"a: &a [{items}]\nb: [{refs}]\n"


BOMBS = {
    "billion-laughs": billion_laughs(),
    "wide-aliases": wide_bomb(),
    "deep-lists": "x: " + "[" * 30000 + "\n",
    "deep-mappings": "x: " + "{a: " * 5000 + "\n",
}


def _measure(action: Callable[[], object]) -> tuple[BaseException, float, int]:
    """Run ``action``, which must raise; return the error, seconds taken and peak bytes
    allocated by Python meanwhile."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        action()
    except Exception as err:
        error: BaseException = err
    else:  # pragma: no cover - the test fails below
        error = AssertionError("no error raised")
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return error, seconds, peak


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_in_front_matter(name: str, site_dir: Path) -> None:
    """A bomb in a post's front matter is refused in milliseconds, with a line number."""
    path = site_dir / "posts" / "bomb.md"
    path.write_text(f"---\ntitle: x\ndate: 2024-01-01\n{BOMBS[name]}---\nBody\n")
    site = load_site(site_dir / "postfeed.yaml")
    error, seconds, peak = _measure(lambda: load_posts(site))
    print(f"front matter {name}: {seconds * 1000:.1f} ms, peak {peak / 1024:.0f} KiB")
    assert isinstance(error, PostErrors)
    [problem] = error.errors
    assert problem.path == path
    assert problem.message in (
        "YAML anchors and aliases are not allowed",
        "invalid YAML: exceeded maximum nesting depth",
    )
    assert seconds < 2
    assert peak < 16 * MIB


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_in_config(name: str, write_config: Callable[..., Path]) -> None:
    """The same bombs in postfeed.yaml are refused the same way."""
    path = write_config(f"title: T\nurl: https://x.org/\n{BOMBS[name]}", replace=True)
    error, seconds, peak = _measure(lambda: load_site(path))
    print(f"postfeed.yaml {name}: {seconds * 1000:.1f} ms, peak {peak / 1024:.0f} KiB")
    assert isinstance(error, ConfigError)
    assert error.path == path
    assert error.message in (
        "YAML anchors and aliases are not allowed",
        "invalid YAML: exceeded maximum nesting depth",
    )
    assert seconds < 2
    assert peak < 16 * MIB


def test_oversized_front_matter(site_dir: Path) -> None:
    """Front matter that never closes in a post of almost 1 MiB, the largest allowed, is
    refused after 64 KiB of it."""
    path = site_dir / "posts" / "huge.md"
    path.write_bytes(b"---\ntitle: x\n" + b"key: value\n" * (MIB // 11 - 2))
    site = load_site(site_dir / "postfeed.yaml")
    error, seconds, peak = _measure(lambda: load_posts(site))
    size = path.stat().st_size
    print(
        f"front matter of {size / MIB:.0f} MiB: {seconds * 1000:.1f} ms, peak {peak / MIB:.1f} MiB"
    )
    assert str(error) == (
        f"{path}:1: front matter is too large or never closed:"
        " no closing '---' line in its first 65536 bytes"
    )
    # The file is read once and decoded once; nothing proportional to it is parsed.
    assert peak < 3 * size
    assert seconds < 5


def test_oversized_post(site_dir: Path) -> None:
    """A 20 MiB post is refused by its size, without being read: the scan's memory
    peak stays far below the file's size."""
    path = site_dir / "posts" / "huge.md"
    path.write_bytes(b"---\ntitle: x\n---\n" + b"Some text.\n" * (2 * MIB))
    site = load_site(site_dir / "postfeed.yaml")
    error, seconds, peak = _measure(lambda: load_posts(site))
    size = path.stat().st_size
    print(f"post of {size / MIB:.0f} MiB: {seconds * 1000:.1f} ms, peak {peak / 1024:.0f} KiB")
    assert str(error) == f"{path}: too large ({size} bytes; a post may have at most 1048576)"
    assert peak < MIB


def test_oversized_config(write_config: Callable[..., Path]) -> None:
    """A 50 MiB postfeed.yaml is refused after reading 64 KiB of it."""
    path = write_config("", replace=True)
    path.write_bytes(b"title: T\nurl: https://x.org/\n" + b"# comment\n" * (5 * MIB))
    error, seconds, peak = _measure(lambda: load_site(path))
    print(f"postfeed.yaml of 50 MiB: {seconds * 1000:.1f} ms, peak {peak / 1024:.0f} KiB")
    assert (
        str(error) == f"{path}: too large (more than 65536 bytes); a configuration is a few lines"
    )
    assert peak < 1 * MIB
    assert seconds < 2


def test_config_at_the_limit_is_read(write_config: Callable[..., Path]) -> None:
    """A configuration just under 64 KiB (comments and all) still loads."""
    path = write_config("", replace=True)
    head = b"title: T\nurl: https://x.org/\n"
    path.write_bytes(head + b"#" * (65536 - len(head) - 1) + b"\n")
    assert load_site(path).title == "T"


def test_front_matter_at_the_limit_is_read(site_dir: Path) -> None:
    """Front matter of exactly 64 KiB loads; one byte more is refused."""
    path = site_dir / "posts" / "big.md"
    head = "title: x\ndate: 2024-01-01\nsummary: "
    front = head + "a" * (65536 - len(head) - 1) + "\n"
    assert len(front.encode()) == 65536
    path.write_text(f"---\n{front}---\nBody\n", encoding="utf-8")
    site = load_site(site_dir / "postfeed.yaml")
    [post] = load_posts(site)
    assert post.summary == "a" * (65536 - len(head) - 1)
    path.write_text(f"---\n{front[:-1]}a\n---\nBody\n", encoding="utf-8")
    with pytest.raises(PostErrors) as info:
        load_posts(site)
    assert str(info.value) == (
        f"{path}:1: front matter is too large or never closed:"
        " no closing '---' line in its first 65536 bytes"
    )


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
def test_bomb_in_a_real_process(site_dir: Path) -> None:
    """Measured from outside Python's allocator: the command refuses a bomb with its whole
    process (libyaml's C memory included) at the high-water mark of a plain build."""
    probe = textwrap.dedent(
        """
        import re, sys
        from pathlib import Path
        from postfeed.cli import main
        code = main(["build", "-q"])
        status = Path("/proc/self/status").read_text()
        print(code, re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1), file=sys.stderr)
        """
    )

    def run() -> tuple[int, int, str]:
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=site_dir, capture_output=True, text=True, check=False
        )
        *messages, last = done.stderr.splitlines()
        code, kib = last.split()
        return int(code), int(kib), "\n".join(messages)

    (site_dir / "posts" / "ok.md").write_text("---\ntitle: ok\ndate: 2024-01-01\n---\nHi\n")
    code, plain, _ = run()
    assert code == 0
    (site_dir / "posts" / "bomb.md").write_text(
        f"---\ntitle: x\ndate: 2024-01-01\n{billion_laughs()}---\n"
    )
    code, bombed, messages = run()
    print(f"peak resident memory (VmHWM): plain build {plain} KiB, billion laughs {bombed} KiB")
    assert code == 2
    assert messages == "posts/bomb.md:4: YAML anchors and aliases are not allowed"
    assert bombed < plain + 16 * 1024
