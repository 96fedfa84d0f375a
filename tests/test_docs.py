"""The documentation's examples run as written."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
# A Python block, or with a title a file that the examples after it on the page import.
_BLOCK = re.compile(r'^```python(?: title="(?P<file>[\w.]+\.py)")?\n(?P<code>.*?)^```', re.M | re.S)


def _examples() -> list[object]:
    found = []
    for path in sorted(DOCS.glob("*.md")):
        files: dict[str, str] = {}
        number = 0
        for match in _BLOCK.finditer(path.read_text(encoding="utf-8")):
            if match["file"] is not None:
                files[match["file"]] = match["code"]
                continue
            number += 1
            found.append(pytest.param(match["code"], dict(files), id=f"{path.name}-{number}"))
    return found


EXAMPLES = _examples()


@pytest.mark.parametrize(("code", "files"), EXAMPLES)
def test_example_runs(
    code: str, files: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Python block in docs/ runs in an empty folder without an error, with the files
    shown before it on its page beside it."""
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = [name.removesuffix(".py") for name in files]
    for module in modules:
        monkeypatch.delitem(sys.modules, module, raising=False)
    try:
        exec(compile(code, "<docs>", "exec"), {"__name__": "__docs__"})
    finally:
        for module in modules:
            sys.modules.pop(module, None)


def test_examples_found() -> None:
    """The library guide's examples are collected (a broken pattern would skip them all)."""
    assert sum("library.md" in str(p.id) for p in EXAMPLES) >= 5


def test_every_file_shown_is_used() -> None:
    """Each file a page shows is imported by an example after it, so none goes untested."""
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            if match["file"] is None:
                continue
            module = match["file"].removesuffix(".py")
            later = [m["code"] for m in _BLOCK.finditer(text, match.end()) if m["file"] is None]
            pattern = rf"^(?:import {module}\b|from {module} import )"
            assert any(re.search(pattern, code, re.M) for code in later), (path.name, module)
