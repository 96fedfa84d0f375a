"""The benchmark's generator and runner still work (a tiny run; no timing is checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import feedparser
import pytest

from postfeed import build, load_posts, load_site

BENCH = Path(__file__).parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/ is not a package)
import run  # noqa: E402


def _run_bench(tmp_path: Path, *args: str) -> dict[str, Any]:
    """Run bench/run.py with ``args``, its archives in tmp_path/work and its results in
    tmp_path/results.json (a file already there is added to); the results."""
    results = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            *args,
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(results),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(results.read_text())
    return data


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


def test_limits_archives_and_docs_blocks(tmp_path: Path) -> None:
    """A limit may carry an archive page size, which the config gets beside the families;
    the builds' tables and render()'s go between their own markers."""
    assert run.parse_limit("20") == (20, 0)
    assert run.parse_limit("20:100") == (20, 100)
    text = generate.write_config(tmp_path, 20, 100, families=True).read_text()
    assert "limit: 20\n" in text
    assert "archive: 100\n" in text
    assert "tag_feeds: true\n" in text
    assert "archive" not in generate.write_config(tmp_path, 0).read_text()
    doc = tmp_path / "performance.md"
    names = ("bench-table", "bench-table every-post", "bench-render")
    doc.write_text("".join(f"<!-- {name} -->\nold\n<!-- /{name} -->\n" for name in names))
    run.write_docs(doc, "full")
    run.write_docs(doc, "every", "bench-table every-post")
    run.write_docs(doc, "render", run.MARKS["render"])
    assert doc.read_text() == "".join(
        f"<!-- {name} -->\n{text}\n<!-- /{name} -->\n"
        for name, text in zip(names, ("full", "every", "render"), strict=True)
    )


@pytest.mark.slow
def test_runner_smoke(tmp_path: Path) -> None:
    """One round of every measurement on 20 posts yields a complete results file."""
    data = _run_bench(
        tmp_path,
        *("--parts", "builds", "--sizes", "20", "--limits", "20"),
        *("--families-size", "20", "--repeat", "1"),
    )
    rows = {row["scenario"]: row for row in data["results"] if not row.get("families")}
    assert sorted(rows) == ["add", "cold", "edit", "floor", "naive", "no-cache", "no-change"]
    families = {row["scenario"]: row for row in data["results"] if row.get("families")}
    assert sorted(families) == ["cold", "edit", "hugo", "no-change"]
    for row in [*rows.values(), *families.values()]:
        assert row["size"] == 20
        assert row["median_s"] > 0
        assert row["peak_mib"] > 1
        assert [run["exit"] for run in row["runs"]] == [0]
    hugo_feeds = sorted(p.name for p in (tmp_path / "work/hugo-out-20/tags").iterdir())
    assert len(hugo_feeds) > 5
    assert data["probes"][0]["renders"] >= 20
    assert (tmp_path / "work/posts-20/feeds/rss.xml").is_file()


@pytest.mark.slow
def test_render_runner_smoke(tmp_path: Path) -> None:
    """The render() part times every format cold, warm and with the memo off, adds its
    figures to an existing results file, and checks the targets."""
    (tmp_path / "results.json").write_text(json.dumps({"results": ["kept"]}))
    data = _run_bench(tmp_path, "--parts", "render")
    assert data["results"] == ["kept"]
    found = data["render"]["results"]
    assert found["posts"] == 20
    assert 20 * 1200 <= found["words"] <= 20 * 1500
    for name in ("atom", "rss", "json"):
        assert found[name]["bytes"] > 20 * 8000
        assert len(found[name]["cold_ms"]) == len(found[name]["off_ms"]) == 5
        assert len(found[name]["warm_ms"]) == 30
    targets = [check["target"] for check in data["render"]["targets"]]
    assert "20-post rss render() from the memo (warm)" in targets
    assert "20-post json render(), cold / memo off" in targets


@pytest.mark.slow
def test_runner_measures_cleaning_on_and_off(tmp_path: Path) -> None:
    """--scenarios picks builds, among them the cold and no-cache builds with sanitize:
    false, and --no-references leaves out floor and naive."""
    data = _run_bench(
        tmp_path,
        *("--sizes", "20", "--limits", "0", "--repeat", "1"),
        *("--scenarios", "cold,cold-verbatim,no-cache-verbatim", "--no-references"),
        *("--families-size", "0"),
    )
    rows = {row["scenario"]: row for row in data["results"]}
    assert sorted(rows) == ["cold", "cold-verbatim", "no-cache-verbatim"]
    assert [run["exit"] for row in rows.values() for run in row["runs"]] == [0, 0, 0]
    assert data["probes"] == []
    config = (tmp_path / "work/posts-20/postfeed-verbatim.yaml").read_text()
    assert config == (tmp_path / "work/posts-20/postfeed.yaml").read_text() + "sanitize: false\n"


@pytest.mark.slow
def test_runner_writes_every_post_next_to_hugo(tmp_path: Path) -> None:
    """Where every post is written (limit 0, an archive), Hugo's feeds of every post are
    measured once for the archive, and the oldest post is edited; at limit 20, neither."""
    data = _run_bench(
        tmp_path,
        *("--parts", "builds", "--sizes", "20", "--limits", "20,0,20:100", "--repeat", "1"),
        *("--scenarios", "cold,edit-oldest", "--references", "hugo", "--families-size", "0"),
    )
    found = {(row["limit"], row["archive"], row["scenario"]): row for row in data["results"]}
    assert sorted(found) == [
        (0, 0, "cold"),
        (0, 0, "edit-oldest"),
        (0, 0, "hugo"),
        (20, 0, "cold"),
        (20, 100, "cold"),
        (20, 100, "edit-oldest"),
        (20, 100, "hugo"),
    ]
    assert found[0, 0, "hugo"]["runs"] == found[20, 100, "hugo"]["runs"]
    assert found[20, 100, "cold"]["x_hugo"] > 0
    assert found[20, 0, "cold"]["x_hugo"] is None
    assert [one["exit"] for row in found.values() for one in row["runs"]] == [0] * 7
    for name in ("atom.xml", "index.xml"):
        parsed = feedparser.parse((tmp_path / "work/posts-20/hugo-out" / name).read_bytes())
        assert not parsed.bozo
        assert len(parsed.entries) == 20


@pytest.mark.slow
def test_paired_cold_builds_alternate_and_decide_the_archive_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold builds of the two shapes that write every post alternate round by round; the
    archive's row keeps its time over limit 0's in each round, and the target comparing
    the two shapes is the median of those ratios, not the ratio of the medians."""
    archive = run.Archive(tmp_path / "work", 20)
    built: list[tuple[bool, bool]] = []  # (archive on, cold) of each build, in turn
    measure = run.measure

    def noting(command: list[str]) -> dict[str, Any]:
        config = archive.config.read_text()
        built.append(("archive:" in config, not (archive.folder / ".postfeed-cache").exists()))
        return measure(command)

    monkeypatch.setattr(run, "measure", noting)
    rows = run.bench_paired(archive, 2)
    # Limit 0 first, then the archive first, and so on; each build cold.
    assert built == [(False, True), (True, True), (True, True), (False, True)]
    plain, every = rows
    assert [(row["limit"], row["archive"], row["scenario"]) for row in rows] == [
        (0, 0, "cold-paired"),
        (20, 100, "cold-paired"),
    ]
    assert [len(row["runs"]) for row in rows] == [2, 2]
    assert [one["exit"] for row in rows for one in row["runs"]] == [0] * 4
    assert not (archive.folder / "feeds/archive").exists()  # the last build was limit 0's
    pairs = every["x_pairs"]
    assert pairs == [
        b["wall_s"] / a["wall_s"] for a, b in zip(plain["runs"], every["runs"], strict=True)
    ]
    assert "x_pairs" not in plain

    # Figures as a drift of the machine's speed leaves them: each round's ratio 1.2, the
    # ratio of the medians 1.5.
    every["x_pairs"] = [1.2, 1.2]
    plain["median_s"], every["median_s"] = 20, 30
    for row in rows:
        row["size"] = 10000
    checks = {check["target"]: check for check in run.targets(rows, [])}
    compared = checks["10,000 posts: cold build, archive 100 / limit 0"]
    assert compared["value"] == pytest.approx(1.2)
    assert not compared["met"]
    # Without pairs, a run's cold builds of each shape are compared by their medians.
    for row in rows:
        row["scenario"] = "cold"
    checks = {check["target"]: check for check in run.targets(rows, [])}
    assert checks["10,000 posts: cold build, archive 100 / limit 0"]["value"] == pytest.approx(1.5)
