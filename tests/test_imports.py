"""Imports follow use: `postfeed --version` loads no library, and every public name
still imports as before."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import postfeed

HEAVY = ("feedgen", "lxml", "markdown", "nh3", "yaml", "dateutil", "sqlite3", "multiprocessing")


def _modules_after(code: str) -> list[str]:
    """The top-level modules loaded after running ``code`` in a fresh interpreter."""
    script = (
        code
        + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    loaded: list[str] = json.loads(out.splitlines()[-1])
    return loaded


def test_version_imports_nothing_heavy() -> None:
    """postfeed --version prints the version without importing any library postfeed uses."""
    loaded = _modules_after(
        "from postfeed.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    )
    assert "postfeed" in loaded
    assert [name for name in HEAVY if name in loaded] == []


def test_version_from_the_console_script() -> None:
    """The installed command answers --version."""
    script = Path(sys.executable).with_name("postfeed")
    out = subprocess.run([script, "--version"], check=True, capture_output=True, text=True).stdout
    assert out == f"postfeed {version('postfeed')}\n"


def test_import_postfeed_is_light() -> None:
    """import postfeed loads none of its modules until a name is used."""
    loaded = _modules_after("import postfeed")
    assert [name for name in HEAVY if name in loaded] == []


def test_public_names() -> None:
    """Every name in __all__ is importable from postfeed, and dir() lists them."""
    for name in postfeed.__all__:
        assert getattr(postfeed, name) is not None
    assert set(postfeed.__all__) <= set(dir(postfeed))


def test_public_names_stay_after_every_module_is_imported() -> None:
    """No module of the package shares a name with a public function: importing every
    one of them leaves postfeed.build, postfeed.render and the rest as they were."""
    code = (
        "import importlib, pkgutil, types\n"
        "import postfeed\n"
        "for info in pkgutil.walk_packages(postfeed.__path__, 'postfeed.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = [n for n in postfeed.__all__ if isinstance(getattr(postfeed, n), types.ModuleType)]\n"
        "assert bad == [], bad\n"
        "assert postfeed.build.__name__ == 'build' and postfeed.render.__name__ == 'render'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unchanged_build_imports_no_renderer(tmp_path: Path) -> None:
    """A small build starts no worker process, and a rebuild with nothing to render
    never imports Python-Markdown or the sanitizer."""
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts/a.md").write_text("---\ntitle: A\ndate: 2024-01-01\n---\n*Hi*\n")
    (tmp_path / "postfeed.yaml").write_text("title: T\nurl: https://t.example/\n")
    code = (
        "import postfeed\n"
        f"result = postfeed.build(postfeed.load_site({str(tmp_path / 'postfeed.yaml')!r}))\n"
        "print(result.renders)"
    )
    first = _modules_after(code)
    assert "markdown" in first
    assert "nh3" in first
    assert "multiprocessing" not in first
    again = _modules_after(code)
    assert "markdown" not in again
    assert "nh3" not in again
    assert "multiprocessing" not in again


def test_rendering_feeds_leaves_the_mail_parser_alone() -> None:
    """Writing RSS, Atom and JSON Feed loads no ``email`` package: only reading an RSS
    file back (the id guard) parses its mail-style dates."""
    code = (
        "from datetime import datetime, UTC\n"
        "import postfeed\n"
        "site = postfeed.Site(title='T', url='https://t.example/')\n"
        "post = postfeed.Post(slug='a', title='A', published=datetime(2024, 1, 1, tzinfo=UTC),"
        " markdown='*Hi*')\n"
        "made = [postfeed.render(site, [post], name) for name in ('rss', 'atom', 'json')]\n"
        "assert all(b'/a/' in feed for feed in made)"
    )
    assert "email" not in _modules_after(code)
    rss = "from postfeed.rendering.formats import _feedgen\n" + code.replace(
        "assert all", "_feedgen.read_rss(made[0])\nassert all"
    )
    assert "email" in _modules_after(rss)
