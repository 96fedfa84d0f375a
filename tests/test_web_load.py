"""Reliability of a web application under load: bench/web_load.py serves the library
guide's Flask example with waitress while its posts change, asserting correctness only
(never time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "bench" / "web_load.py"


@pytest.mark.slow
def test_thousand_requests_while_posts_change() -> None:
    """1,000 requests from 4 clients, half conditional, while posts are added and edited:
    every 200 is a whole valid feed that was current, every 304 is for the version the
    client has and that was current, and nothing fails."""
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--requests", "1000", "--clients", "4", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    numbers = json.loads(run.stdout)
    assert numbers["errors"] == 0, numbers["first_errors"]
    assert run.returncode == 0, run.stderr
    assert numbers["requests"] == 1000
    assert numbers["ok_200"] + numbers["not_modified_304"] == 1000
    assert 400 <= numbers["conditional"] <= 500
    assert min(numbers["conditional_by_validator"].values()) > 0
    assert numbers["not_modified_304"] > 0
    # The posts really changed underneath the clients.
    assert numbers["changes_during_load"] >= 2
    assert numbers["versions_of_main_atom"] >= 2
