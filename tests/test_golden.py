"""Golden builds: whole sites whose feeds are kept byte for byte, each paired with
parser checks so that a wrong golden file cannot pass unnoticed."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from postfeed import build, load_site

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The case's feeds equal expected/ byte for byte (regenerate with --update-golden)."""
    source = GOLDEN / case
    site = load_site(source / "postfeed.yaml", output=tmp_path / "out")
    build(site, now=NOW)
    expected = source / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(tmp_path / "out", expected)
    assert _files(tmp_path / "out") == _files(expected)


@pytest.mark.parametrize("case", CASES)
def test_golden_files_parse(case: str) -> None:
    """Every golden feed parses cleanly, with absolute links and unique ids."""
    expected = GOLDEN / case / "expected"
    feeds = sorted(expected.rglob("*.xml"))
    assert feeds
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        ids = [entry.id for entry in parsed.entries]
        assert len(ids) == len(set(ids))
        for entry in parsed.entries:
            assert urlsplit(entry.link).scheme == "https"
            assert entry.title
            assert entry.published_parsed is not None
    for path in sorted(expected.rglob("feed.json")):
        feed = json.loads(path.read_bytes())
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert all(item["id"] and item["url"].startswith("https://") for item in feed["items"])


def test_basic_case_contents() -> None:
    """The basic case shows its rules: the limit, drafts left out, ids, the permalink pattern."""
    parsed = feedparser.parse((GOLDEN / "basic/expected/atom.xml").read_bytes())
    # second (08:00 in New York) and third (13:00 at +01:00) are the same instant: slug order.
    assert [e.title for e in parsed.entries] == [
        'Second: the <code> & the "quotes"',
        "Third, with an id",
        "Empty body",
    ]
    second, third, empty = parsed.entries
    assert third.id == "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"
    assert second.id == "tag:golden.example.org,2024-03-10:second"
    assert second.link == "https://golden.example.org/blog/2024/03/second.html"
    assert 'src="https://golden.example.org/blog/2024/img/pic.png"' in second.content[0].value
    assert second.author == "Name Only"
    assert "content" not in empty
    meta = feedparser.parse((GOLDEN / "basic/expected/tags/meta/rss.xml").read_bytes())
    assert [e.title for e in meta.entries] == ['Second: the <code> & the "quotes"', "First post"]


def test_families_case_contents() -> None:
    """The families case shows its rules: each family's feeds, a custom feed's selection,
    limit, content and formats, summary-only and hidden posts, authors and languages."""
    expected = GOLDEN / "families/expected"
    feeds = sorted(str(path.parent.relative_to(expected)) for path in expected.rglob("atom.xml"))
    assert feeds == [
        ".",
        "authors/fay-family",
        "authors/gus",
        "authors/hal",
        "authors/ivy-independent",
        "by-gus-in-portuguese",
        "categories/deep-dives",
        "categories/news",
        "languages/en",
        "languages/pt",
        "picks/go",
        "tags/architecture",
        "tags/go",
        "tags/testing",
    ]
    assert not (expected / "picks/go/rss.xml").exists()

    def titles(folder: str) -> list[str]:
        parsed = feedparser.parse((expected / folder / "atom.xml").read_bytes())
        assert not parsed.bozo
        return [entry.title for entry in parsed.entries]

    # Delta is on the site only and epsilon a draft: in no feed. The limit is 3.
    assert titles(".") == [
        "Zeta, by the site's author",
        "Gamma, summary only",
        "Beta: notícias",
    ]
    # The custom feed: tagged go, not in News, every post (limit 0), summaries only.
    assert titles("picks/go") == ["Gamma, summary only", "Alpha, with three authors"]
    picks = feedparser.parse((expected / "picks/go/atom.xml").read_bytes())
    assert all("content" not in entry for entry in picks.entries)
    assert titles("by-gus-in-portuguese") == ["Beta: notícias"]
    assert titles("authors/gus") == ["Beta: notícias", "Alpha, with three authors"]
    assert titles("authors/ivy-independent") == ["Alpha, with three authors"]
    assert titles("languages/pt") == ["Beta: notícias"]
    assert titles("categories/deep-dives") == ["Gamma, summary only", "Alpha, with three authors"]
    main = feedparser.parse((expected / "atom.xml").read_bytes())
    gamma = next(entry for entry in main.entries if entry.title.startswith("Gamma"))
    assert "content" not in gamma
    beta = next(entry for entry in main.entries if entry.title.startswith("Beta"))
    assert beta.content[0].language == "pt"
    page = (expected / "index.html").read_text(encoding="utf-8")
    assert page.count("<details>") == 13
    assert "<summary>Go picks</summary>" in page
