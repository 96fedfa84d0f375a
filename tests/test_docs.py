"""The documentation's examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXAMPLES = [
    pytest.param(code, id=f"{path.name}-{number}")
    for path in sorted(DOCS.glob("*.md"))
    for number, code in enumerate(_BLOCK.findall(path.read_text(encoding="utf-8")), 1)
]


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Python block in docs/ runs in an empty folder without an error."""
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "<docs>", "exec"), {"__name__": "__docs__"})


def test_examples_found() -> None:
    """The library guide's examples are collected (a broken pattern would skip them all)."""
    assert sum("library.md" in str(p.id) for p in EXAMPLES) >= 5
