"""Reliability under a reader's load: bench/serve_load.py against the real server,
asserting correctness only (never time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "bench" / "serve_load.py"


@pytest.mark.slow
def test_thousand_requests_during_rebuilds() -> None:
    """1,000 plain and conditional requests from 4 clients while rebuilds replace the
    files, then 200 connections at once: every answer is a complete, valid file or a
    correct 304, and none fails."""
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
    assert numbers["plain"] > 0
    assert numbers["conditional"] > 0
    assert numbers["not_modified_304"] > 0
    # The files really changed underneath the clients.
    assert numbers["rebuilds_during_load"] >= 2
    assert numbers["versions_of_atom_xml"] >= 2
    assert (numbers["burst"], numbers["burst_answered"]) == (200, 200)
