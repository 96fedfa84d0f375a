"""The plan of feeds: which feeds a build writes and what each shows, decided in one pure
step, and everything after it (the files, the page, links, ping URLs, the id guard,
--check, stale files) following it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import feedparser
import pytest

from postfeed import (
    Author,
    Post,
    PostErrors,
    Site,
    build,
    feed_urls,
    load_posts,
    load_site,
    plan,
    render,
    select,
)
from postfeed.cli import main

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FAMILY_CONFIG = """\
author_feeds: true
language_feeds: true
authors:
  bo: {name: Bo Builder, email: bo@example.com, uri: https://blog.example.com/bo/}
  cy: Cy Coder
"""


def _post(slug: str, day: int, **fields: object) -> Post:
    """A post made in code, published on ``day`` of May 2024."""
    return Post(
        slug=slug,
        title=f"Post {slug}",
        published=datetime(2024, 5, day, 10, tzinfo=UTC),
        html=f"<p>Body of {slug}.</p>",
        **fields,  # type: ignore[arg-type]
    )


def _paths(site: Site, posts: list[Post]) -> list[str]:
    return [str(feed.path) for feed in plan(site, select(posts, now=NOW)[0])]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def family_site(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A site with every family on: tags, categories, two authors from the site's table
    and the site's own, and posts in two languages; run from its folder."""
    monkeypatch.chdir(site_dir)
    write_config(FAMILY_CONFIG)
    write_post(
        "one",
        "date: 2024-05-01T10:00:00+02:00\ntags: [go, testing]\ncategories: [Engineering]\n"
        "authors: [bo, cy]\n",
        "First paragraph.\n\nSecond paragraph.\n",
    )
    write_post(
        "zwei",
        "date: 2024-05-02T10:00:00+02:00\ntags: [go]\ncategories: News\nlang: de\n",
        "Erster Absatz.\n",
    )
    write_post(
        "three",
        "date: 2024-05-03T10:00:00+02:00\ntags: [go]\nauthor: bo\n",
        "The start.\n\n<!--more-->\n\nThe rest.\n",
    )
    return site_dir


# The plan itself.


def test_plan_lists_each_family_in_folder_order() -> None:
    """The main feed comes first, then each family's feeds in folder order; families
    that are off plan nothing."""
    site = Site(title="T", url="https://t.example/", author_feeds=True)
    posts = [
        _post("a", 1, tags=("go", "b-tag"), categories=("News",)),
        _post("b", 2, authors=(Author(name="Zed"), Author(name="Amy"))),
    ]
    assert _paths(site, posts) == [
        ".",
        "tags/b-tag",
        "tags/go",
        "categories/news",
        "authors/amy",
        "authors/zed",
    ]
    quiet = Site(title="T", url="https://t.example/", tag_feeds=False, category_feeds=False)
    assert _paths(quiet, posts) == ["."]


def test_plan_feeds_are_newest_first_and_limited() -> None:
    """Each planned feed shows its posts newest first, at most the limit."""
    site = Site(title="T", url="https://t.example/", limit=2)
    posts = [_post(slug, day, tags=("go",)) for slug, day in (("a", 1), ("b", 2), ("c", 3))]
    planned = plan(site, select(posts, now=NOW)[0])
    assert [p.slug for p in planned.main.posts] == ["c", "b"]
    go = planned.get("tags/go")
    assert go is not None
    assert [p.slug for p in go.posts] == ["c", "b"]
    assert (go.family, go.label, go.title) == ("tags", "go", "T: go")
    assert go.base_url == "https://t.example/feeds/tags/go/"


def test_plan_is_pure() -> None:
    """The same site and posts give the same plan, twice."""
    site = Site(title="T", url="https://t.example/", author_feeds=True, language_feeds=True)
    posts = [_post("a", 1, tags=("go",), lang="de"), _post("b", 2, categories=("x",))]
    published = select(posts, now=NOW)[0]
    assert plan(site, published) == plan(site, published)


def test_language_feeds_only_with_two_languages() -> None:
    """A site writing in one language gets no language feeds; one with two gets one each,
    language tags told apart without regard to case."""
    site = Site(title="T", url="https://t.example/", language="en", language_feeds=True)
    one = [_post("a", 1), _post("b", 2, lang="EN")]
    assert _paths(site, one) == ["."]
    two = [*one, _post("c", 3, lang="de")]
    planned = plan(site, select(two, now=NOW)[0])
    assert [str(feed.path) for feed in planned] == [".", "languages/de", "languages/en"]
    german = planned.get("languages/de")
    assert german is not None
    assert (german.language, [p.slug for p in german.posts]) == ("de", ["c"])


def test_posts_out_of_the_feeds_are_in_none() -> None:
    """in_feeds=False keeps a published post out of every feed, and --drafts does not
    bring it back."""
    site = Site(title="T", url="https://t.example/")
    posts = [_post("a", 1, tags=("go",)), _post("b", 2, tags=("go",), in_feeds=False, draft=True)]
    published, _ = select(posts, drafts=True, now=NOW)
    assert [p.slug for p in published] == ["b", "a"]
    planned = plan(site, published)
    assert [[p.slug for p in feed.posts] for feed in planned] == [["a"], ["a"]]


def test_custom_feed_selection(write_config: Callable[..., Path], site_dir: Path) -> None:
    """A custom feed shows the posts that meet every criterion it names (any value
    listed meets one) and none of its exclusions; its limit, content and formats are
    its own."""
    write_config(
        "authors:\n  bo: {name: Bo Builder}\n"
        "feeds:\n"
        "  - path: picks/go\n    title: Go picks\n    tags: [go, golang]\n"
        "    authors: [bo]\n    exclude: {categories: [News]}\n"
        "    limit: 1\n    content: summary\n    formats: [atom]\n"
    )
    site = load_site(site_dir / "postfeed.yaml")
    bo = Author(name="Bo Builder")
    posts = [
        _post("a", 1, tags=("golang",), authors=(bo,)),
        _post("b", 2, tags=("go",), authors=(bo,), categories=("News",)),
        _post("c", 3, tags=("go",), authors=(bo,), categories=("News",)),
        _post("d", 4, tags=("go",)),
        _post("e", 5, tags=("rust",), authors=(bo,)),
    ]
    picks = plan(site, select(posts, now=NOW)[0]).get("picks/go")
    assert picks is not None
    # b and c are in the excluded category, d has another author, e another tag; the
    # feed's own limit of 1 keeps the newest of the rest.
    assert [p.slug for p in picks.posts] == ["a"]
    assert (picks.content, picks.formats, picks.title) == ("summary", ("atom",), "Go picks")


# Collisions and naming problems: errors with both sides named, nothing written.


def test_custom_feed_in_a_family_folder_is_an_error(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A custom feed planned where a tag's feed goes fails the build, naming both; no
    file is written."""
    monkeypatch.chdir(site_dir)
    write_config("feeds:\n  - {path: tags/go, title: Mine}\n")
    write_post("a", "tags: [go]\n")
    assert main(["build"]) == 2
    assert capsys.readouterr().err == (
        "postfeed.yaml:9: feeds: 'tags/go' would hold both the feed of the tag 'go' and the"
        " custom feed 'Mine'; give the custom feed another path\n"
    )
    assert not (site_dir / "feeds").exists()


def test_two_custom_feeds_in_one_folder(
    site_dir: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """Two custom feeds with one path are an error."""
    config = write_config("feeds:\n  - {path: picks, title: One}\n  - {path: picks/, title: Two}\n")
    write_post("a")
    with pytest.raises(PostErrors) as info:
        build(load_site(config), now=NOW)
    assert str(info.value) == (
        f"{config}:9: feeds: 'picks' would hold both the custom feed 'One' and the custom"
        " feed 'Two'; give the custom feed another path"
    )


def test_two_authors_with_one_slug(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two authors whose names give one folder fail the build with both named."""
    monkeypatch.chdir(site_dir)
    write_config("author_feeds: true\n")
    write_post("a", "author: Ann Lee\n")
    write_post("b", "authors: [ann lee]\n")
    assert main(["build"]) == 2
    assert capsys.readouterr().err == (
        "posts/b.md:3: authors: 'ann lee' and 'Ann Lee' (in posts/a.md) both map to the"
        " author feed 'ann-lee'; spell them the same\n"
    )
    assert not (site_dir / "feeds").exists()


def test_categories_are_checked_as_tags_are(
    site_dir: Path,
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Category names that give no folder, or two spellings of one, are errors."""
    monkeypatch.chdir(site_dir)
    write_post("a", "categories: [Deep Dives, '!!!']\n")
    write_post("b", "categories: deep-dives\n")
    assert main(["build"]) == 2
    assert capsys.readouterr().err == (
        "posts/a.md:3: categories: '!!!' has no letter or digit to name its feed by\n"
        "posts/b.md:3: categories: 'deep-dives' and 'Deep Dives' (in posts/a.md) both map"
        " to the category feed 'deep-dives'; spell them the same\n"
        "postfeed: 2 problems; nothing was written\n"
    )


def test_one_name_in_two_unicode_forms_is_one_tag(
    site_dir: Path, write_post: Callable[..., Path]
) -> None:
    """Tags written in composed and decomposed form, or with a ligature, are one tag
    with one feed."""
    write_post("a", 'tags: ["caf\\u00e9", "\\ufb01sh"]\n')
    write_post("b", 'tags: ["cafe\\u0301", "fish"]\n')
    result = build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    folders = sorted(p.name for p in (result.output_dir / "tags").iterdir())
    assert folders == ["cafe", "fish"]
    cafe = feedparser.parse((result.output_dir / "tags/cafe/atom.xml").read_bytes())
    assert len(cafe.entries) == 2
    assert {tag.term for entry in cafe.entries for tag in entry.tags} >= {"caf\u00e9"}


def test_a_family_that_is_off_checks_nothing(
    site_dir: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """With tag feeds off, tags need no folder names: nothing to check."""
    write_config("tag_feeds: false\n")
    write_post("a", "tags: ['!!!', Go]\n")
    write_post("b", "tags: [go]\n")
    result = build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    assert not (result.output_dir / "tags").exists()


# Everything after the plan follows it.


def test_every_planned_feed_is_written_and_reads_back(family_site: Path) -> None:
    """Every planned feed is written in every format and parses; each shows its posts."""
    assert main(["build", "-q"]) == 0
    out = family_site / "feeds"
    site = load_site(family_site / "postfeed.yaml")
    planned = plan(site, select(load_posts(site), now=NOW)[0])
    assert [str(feed.path) for feed in planned] == [
        ".",
        "tags/go",
        "tags/testing",
        "categories/engineering",
        "categories/news",
        "authors/ada-example",
        "authors/bo",
        "authors/cy",
        "languages/de",
        "languages/en",
    ]
    for feed in planned:
        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse((out / feed.path / name).read_bytes())
            assert not parsed.bozo, (feed.path, name)
            assert [e.title for e in parsed.entries] == [p.title for p in feed.posts]
            assert parsed.feed.title == feed.title
        document = json.loads((out / feed.path / "feed.json").read_bytes())
        assert [item["title"] for item in document["items"]] == [p.title for p in feed.posts]
    assert [
        e.title for e in feedparser.parse((out / "authors/bo/atom.xml").read_bytes()).entries
    ] == [
        "Post three",
        "Post one",
    ]


def test_page_has_a_section_per_family(family_site: Path) -> None:
    """index.html lists each family in its own collapsible section."""
    assert main(["build", "-q"]) == 0
    page = (family_site / "feeds/index.html").read_text(encoding="utf-8")
    for heading in ("Feeds by tag", "Feeds by category", "Feeds by author", "Feeds by language"):
        assert f">{heading}</h2>" in page
    assert "<summary>Bo Builder</summary>" in page
    assert '<a href="authors/bo/atom.xml" type="application/atom+xml">Atom</a>' in page
    assert "<summary>Engineering</summary>" in page


def test_links_for_any_planned_feed(family_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """links prints the main feed's tags, or with --feed those of any planned feed; an
    unplanned path is an error that lists the planned ones."""
    assert main(["links", "--feed", "authors/bo"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        '<link rel="alternate" type="application/atom+xml" title="Test Blog: Bo Builder (Atom)"'
        ' href="https://blog.example.com/feeds/authors/bo/atom.xml">'
    )
    assert main(["links", "--feed", "tags/rust"]) == 2
    assert capsys.readouterr().err == (
        "--feed: no feed is planned in 'tags/rust' (planned: tags/go, tags/testing,"
        " categories/engineering, categories/news, authors/ada-example, authors/bo,"
        " authors/cy, languages/de, languages/en)\n"
    )


def test_feed_urls_follow_the_plan(family_site: Path) -> None:
    """feed_urls (what ping announces) names every planned feed in each of its formats."""
    site = load_site(family_site / "postfeed.yaml")
    urls = feed_urls(site, select(load_posts(site), now=NOW)[0])
    assert len(urls) == 10 * 3
    assert "https://blog.example.com/feeds/categories/news/feed.json" in urls
    assert "https://blog.example.com/feeds/languages/de/rss.xml" in urls


def test_render_names_any_planned_feed(family_site: Path) -> None:
    """render(feed=PATH) gives a planned feed's bytes; an unplanned path is a ValueError."""
    site = load_site(family_site / "postfeed.yaml")
    posts = load_posts(site)
    parsed = feedparser.parse(render(site, posts, "atom", feed="categories/news"))
    assert [e.title for e in parsed.entries] == ["Post zwei"]
    with pytest.raises(ValueError, match="no feed is planned in 'categories/sports'"):
        render(site, posts, "atom", feed="categories/sports")


def test_a_feed_that_leaves_the_plan_is_removed(family_site: Path) -> None:
    """When a category is no longer used its feeds go; nothing else does."""
    assert main(["build", "-q"]) == 0
    out = family_site / "feeds"
    (out / "notes.txt").write_text("mine")
    post = family_site / "posts/zwei.md"
    post.write_text(post.read_text().replace("categories: News\n", ""))
    before = set(_files(out))
    assert main(["build", "-q"]) == 0
    assert before - set(_files(out)) == {
        "categories/news/atom.xml",
        "categories/news/feed.json",
        "categories/news/rss.xml",
    }
    assert (out / "notes.txt").read_text() == "mine"


def test_files_postfeed_never_wrote_are_left_alone(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Feed-named files already in the output folder that no postfeed build wrote are
    never removed, and -v says so; --check does not count them as extra."""
    monkeypatch.chdir(site_dir)
    out = site_dir / "feeds"
    (out / "tags/x").mkdir(parents=True)
    (out / "tags/x/rss.xml").write_bytes(b"<rss>another tool's</rss>")
    (out / "feed.json").write_bytes(b'{"feed_url": "https://elsewhere.example/feed.json"}')
    write_post("a", "tags: [go]\n")
    assert main(["build", "-v"]) == 0
    out_text = capsys.readouterr().out
    assert "  left alone  feeds/tags/x/rss.xml\n" in out_text
    assert "removed" not in out_text
    assert (out / "tags/x/rss.xml").read_bytes() == b"<rss>another tool's</rss>"
    assert main(["build", "--check"]) == 0
    capsys.readouterr()
    write_post("a")
    assert main(["build", "-q"]) == 0
    assert not (out / "tags/go").exists()
    assert (out / "tags/x/rss.xml").exists()


def test_removal_survives_a_lost_list(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the list of files written (deleted, or from an older postfeed), the files an
    earlier build wrote are still known by their content and removed when stale; a
    look-alike from another site is not."""
    monkeypatch.chdir(site_dir)
    write_post("a", "tags: [go, rust]\n")
    assert main(["build", "-q"]) == 0
    out = site_dir / "feeds"
    (out / ".postfeed-manifest.json").unlink()
    foreign = (
        (out / "tags/rust/feed.json").read_bytes().replace(b"blog.example.com", b"other.example")
    )
    (out / "tags/rust/feed.json").write_bytes(foreign)
    write_post("a", "tags: [go]\n")
    assert main(["build", "-q"]) == 0
    assert sorted(p.name for p in (out / "tags/rust").iterdir()) == ["feed.json"]
    assert json.loads((out / ".postfeed-manifest.json").read_bytes())["files"] == [
        "atom.xml",
        "feed.json",
        "index.html",
        "rss.xml",
        "tags/go/atom.xml",
        "tags/go/feed.json",
        "tags/go/rss.xml",
    ]


def test_check_reports_a_feed_that_left_the_plan(
    family_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check lists the files of a feed the plan no longer has as extra."""
    assert main(["build", "-q"]) == 0
    post = family_site / "posts/one.md"
    post.write_text(post.read_text().replace("tags: [go, testing]", "tags: [go]"))
    assert main(["build", "--check"]) == 1
    err = capsys.readouterr().err
    assert "feeds/tags/testing/rss.xml: extra\n" in err
    assert "feeds/.postfeed-manifest.json: stale\n" in err


def test_id_guard_checks_every_planned_feed(
    family_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A renamed post is caught in the families' feeds too; a post taken out of the feeds
    with in_feeds: false leaves them without a complaint."""
    assert main(["build", "-q"]) == 0
    post = family_site / "posts/zwei.md"
    post.write_text(post.read_text().replace("lang: de\n", "lang: de\nin_feeds: false\n"))
    assert main(["build", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert not (family_site / "feeds/categories/news").exists()
    assert not (family_site / "feeds/languages").exists()
    post = family_site / "posts/one.md"
    post.rename(family_site / "posts/one-renamed.md")
    assert main(["build", "-q"]) == 2
    assert "posts/one-renamed.md: the id of 'Post one' would change" in capsys.readouterr().err


def test_existing_sites_plan_as_before(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """A configuration without the new keys plans the main feed and one feed per tag,
    and a category feed only for posts that name categories."""
    write_post("a", "tags: [go]\n")
    site = load_site(site_dir / "postfeed.yaml")
    assert [str(f.path) for f in plan(site, load_posts(site))] == [".", "tags/go"]
    assert (site.category_feeds, site.author_feeds, site.language_feeds) == (True, False, False)
    assert (site.content, site.feeds) == ("full", ())


def test_planned_feed_paths_are_posix(write_config: Callable[..., Path], site_dir: Path) -> None:
    """A custom feed's path is kept as a POSIX path, whatever slashes it was given with."""
    write_config("feeds:\n  - {path: /a/b/, title: AB}\n")
    site = load_site(site_dir / "postfeed.yaml")
    assert site.feeds[0].path == PurePosixPath("a/b")


def test_a_tag_is_named_by_what_the_feeds_carry(
    site_dir: Path, write_post: Callable[..., Path]
) -> None:
    """A tag with a character no feed can carry ("a\\0b") is the tag the feeds show
    ("ab"): one folder, named from that, with both posts."""
    write_post("one", 'tags: ["a\\0b"]\n')
    write_post("two", "tags: [ab]\n")
    result = build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    assert sorted(p.name for p in (result.output_dir / "tags").iterdir()) == ["ab"]
    parsed = feedparser.parse((result.output_dir / "tags/ab/atom.xml").read_bytes())
    assert sorted(e.title for e in parsed.entries) == ["Post one", "Post two"]
    assert {t.term for e in parsed.entries for t in e.tags} == {"ab"}
