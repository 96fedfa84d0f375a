"""The benchmark's generator and runner still work (a tiny run; no timing is checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import feedparser

from postfeed import build, load_posts, load_site

BENCH = Path(__file__).parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/ is not a package)


def test_generator_is_deterministic_and_realistic(tmp_path: Path) -> None:
    """Post n is the same in every archive; posts are ~1,300 words of Go-blog Markdown
    that postfeed loads and renders."""
    generate.generate(tmp_path / "a", 3)
    generate.generate(tmp_path / "b", 5, limit=0)
    for number in range(3):
        name = f"{generate.slug(number)}.md"
        assert (tmp_path / "a/posts" / name).read_bytes() == (
            tmp_path / "b/posts" / name
        ).read_bytes()
    text = generate.post(1234)
    assert 1200 <= len(text.split()) <= 1500
    assert text.count("```go") == 2
    assert "| --- |" in text
    assert "](/posts/post-" in text
    site = load_site(tmp_path / "b/postfeed.yaml")
    posts = load_posts(site)
    assert len(posts) == 5
    assert {tag for post in posts for tag in post.tags} <= set(generate.TAGS)
    build(site)
    parsed = feedparser.parse((tmp_path / "b/feeds/atom.xml").read_bytes())
    assert not parsed.bozo
    assert len(parsed.entries) == 5
    assert "<table>" in parsed.entries[0].content[0].value


def test_runner_smoke(tmp_path: Path) -> None:
    """One round of every measurement on 20 posts yields a complete results file."""
    results = tmp_path / "results.json"
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--sizes",
            "20",
            "--limits",
            "20",
            "--repeat",
            "1",
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(results),
        ],
        check=True,
        capture_output=True,
    )
    data = json.loads(results.read_text())
    rows = {row["scenario"]: row for row in data["results"]}
    assert sorted(rows) == ["add", "cold", "edit", "floor", "naive", "no-cache", "no-change"]
    for row in rows.values():
        assert row["size"] == 20
        assert row["median_s"] > 0
        assert row["peak_mib"] > 1
        assert [run["exit"] for run in row["runs"]] == [0]
    assert data["probes"][0]["renders"] >= 20
    assert (tmp_path / "work/posts-20/feeds/rss.xml").is_file()


def test_runner_measures_cleaning_on_and_off(tmp_path: Path) -> None:
    """--scenarios picks builds, among them the cold and no-cache builds with sanitize:
    false, and --no-references leaves out floor and naive."""
    results = tmp_path / "results.json"
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--sizes",
            "20",
            "--limits",
            "0",
            "--repeat",
            "1",
            "--scenarios",
            "cold,cold-verbatim,no-cache-verbatim",
            "--no-references",
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(results),
        ],
        check=True,
        capture_output=True,
    )
    data = json.loads(results.read_text())
    rows = {row["scenario"]: row for row in data["results"]}
    assert sorted(rows) == ["cold", "cold-verbatim", "no-cache-verbatim"]
    assert [run["exit"] for row in rows.values() for run in row["runs"]] == [0, 0, 0]
    assert data["probes"] == []
    config = (tmp_path / "work/posts-20/postfeed-verbatim.yaml").read_text()
    assert config == (tmp_path / "work/posts-20/postfeed.yaml").read_text() + "sanitize: false\n"
