"""Archived feeds (RFC 5005 section 4): a client that starts at the subscription
document and follows the archive links finds every post once, closed pages never
change, and the id guard keeps entries on their pages."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest

from postfeed import IdChangeError, build, load_site
from postfeed.cli import main

FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}
FEEDS = "https://blog.example.com/feeds/"
FH = "{http://purl.org/syndication/history/1.0}archive"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _pages(out: Path, folder: str = "") -> dict[str, bytes]:
    """Every archive page under ``folder`` of the output folder, by path, with its bytes."""
    base = out / folder / "archive"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def _read(out: Path, url: str, fmt: str) -> tuple[list[str], dict[str, str], bool]:
    """A document by its URL: its entry ids in order, its links by relation, and
    whether it is marked as an archive document."""
    assert url.startswith(FEEDS), url
    data = (out / url[len(FEEDS) :]).read_bytes()
    if fmt == "json":
        document = json.loads(data)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        links = {"next": document["next_url"]} if "next_url" in document else {}
        links["feed"] = document["feed_url"]
        return [item["id"] for item in document["items"]], links, False
    parsed = feedparser.parse(data)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    links = {link["rel"]: link["href"] for link in parsed.feed.get("links", [])}
    root = ET.fromstring(data)
    marked = root.find(FH) is not None or root.find(f"channel/{FH}") is not None
    return [entry.id for entry in parsed.entries], links, marked


def harvest(out: Path, fmt: str, folder: str = "") -> tuple[list[str], list[str], list[str]]:
    """Reconstruct a feed as an RFC 5005 client does: read the subscription document,
    then each archive page it leads to (``prev-archive``; ``next_url`` in JSON Feed)
    until there is none. Return the ids of the whole feed, newest first and each once
    (a newer document's copy wins), the subscription document's ids, and the URL of
    each page read. Every page must be marked, lead back to the subscription
    document, and hold entries no other page holds."""
    current = FEEDS + (f"{folder}/" if folder else "") + FILES[fmt]
    newest, links, marked = _read(out, current, fmt)
    assert not marked
    ids = list(newest)
    pages: list[str] = []
    on_pages: set[str] = set()
    url = links.get("next" if fmt == "json" else "prev-archive")
    while url is not None:
        assert url not in pages, f"the chain loops at {url}"
        assert url != current
        pages.append(url)
        found, links, marked = _read(out, url, fmt)
        if fmt == "json":
            assert links["feed"] == current
        else:
            assert marked, f"{url} has no <fh:archive/>"
            assert links["current"] == current
            assert links.get("next-archive") == (pages[-2] if len(pages) > 1 else None)
        assert not on_pages & set(found), f"{url} repeats entries of a newer page"
        on_pages |= set(found)
        ids += [id_ for id_ in found if id_ not in ids]
        url = links.get("next" if fmt == "json" else "prev-archive")
    return ids, newest, pages


def _ids(numbers: list[int]) -> list[str]:
    """The ids of posts p01, p02, ..., newest first."""
    return [f"tag:blog.example.com,2024-01-{n:02d}:p{n:02d}" for n in sorted(numbers, reverse=True)]


@pytest.fixture
def blog(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Seven posts, two in the feed and three a page in the archive, run from the site folder."""
    monkeypatch.chdir(site_dir)
    write_config("limit: 2\narchive: 3\ntag_feeds: false\n")
    for number in range(1, 8):
        _post(write_post, number)
    return site_dir


def _post(write_post: Callable[..., Path], number: int, extra: str = "", body: str = "") -> Path:
    return write_post(
        f"p{number:02d}",
        f"date: 2024-01-{number:02d}T10:00:00+01:00\n{extra}",
        body or f"Body of post {number}.\n",
    )


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_harvest_across_builds(
    fmt: str, blog: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """From each subscription document, following the archive links finds every post
    once, newest first, after a cold build, after posts open a new page, after an old
    post is edited and after a post leaves the feeds; closed pages keep their bytes."""
    out = blog / "feeds"
    assert main(["build", "-q"]) == 0
    ids, newest, pages = harvest(out, fmt)
    assert ids == _ids(list(range(1, 8)))
    assert newest == ids[:2]
    assert pages == [f"{FEEDS}archive/{n}/{FILES[fmt]}" for n in (3, 2, 1)]
    cold = _pages(out)

    # Three new posts fill page 3 and open page 4.
    for number in (8, 9, 10):
        _post(write_post, number)
    result = build(load_site(blog / "postfeed.yaml"))
    ids, newest, pages = harvest(out, fmt)
    assert ids == _ids(list(range(1, 11)))
    assert newest == ids[:2]
    assert len(pages) == 4
    added = _pages(out)
    for number in (1, 2):  # closed pages: not written, byte for byte
        for name in FILES.values():
            path = f"archive/{number}/{name}"
            assert added[path] == cold[path]
            assert out / path not in result.written
    written = {str(path.relative_to(out)) for path in result.written}
    assert {f"archive/{n}/{name}" for n in (3, 4) for name in FILES.values()} <= written

    # Editing the oldest post rewrites its page alone.
    _post(write_post, 1, body="Body of post 1, edited.\n")
    result = build(load_site(blog / "postfeed.yaml"))
    written = {str(path.relative_to(out)) for path in result.written}
    assert written == {f"archive/1/{name}" for name in FILES.values()}
    edited = _pages(out)
    assert {path for path in edited if edited[path] != added[path]} == written
    assert harvest(out, fmt)[0] == _ids(list(range(1, 11)))

    # Leaving post 5 out of the feeds takes it off page 2 and moves every entry after
    # it: the id guard stops the build until that is accepted.
    _post(write_post, 5, "in_feeds: false\n")
    assert main(["build", "-q"]) == 2
    assert _pages(out) == edited
    capsys.readouterr()
    assert main(["build", "-q", "--allow-id-change"]) == 0
    ids, newest, pages = harvest(out, fmt)
    assert ids == _ids([n for n in range(1, 11) if n != 5])
    assert newest == ids[:2]
    left = _pages(out)
    assert all(left[f"archive/1/{name}"] == edited[f"archive/1/{name}"] for name in FILES.values())
    assert len(pages) == 3


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_every_page_in_detail(fmt: str, blog: Path) -> None:
    """Pages hold a fixed number of entries counted from the oldest: every page but the
    newest is full, and each names itself, the feed and its neighbours."""
    assert main(["build", "-q"]) == 0
    out = blog / "feeds"
    expected = {1: [3, 2, 1], 2: [6, 5, 4], 3: [7]}
    for number, posts in expected.items():
        url = f"{FEEDS}archive/{number}/{FILES[fmt]}"
        found, links, _ = _read(out, url, fmt)
        assert found == _ids(posts)
        if fmt == "json":
            older = f"{FEEDS}archive/{number - 1}/{FILES[fmt]}" if number > 1 else None
            assert links.get("next") == older
            continue
        assert links["self"] == url
        assert links["alternate"] == "https://blog.example.com/"
        assert links.get("prev-archive") == (
            f"{FEEDS}archive/{number - 1}/{FILES[fmt]}" if number > 1 else None
        )
        assert links.get("next-archive") == (
            f"{FEEDS}archive/{number + 1}/{FILES[fmt]}" if number < 3 else None
        )


def test_subscription_documents_change_by_the_archive_link(
    blog: Path, write_config: Callable[..., Path]
) -> None:
    """Turning the archive on adds one link to each subscription document (next_url in
    JSON Feed), and nothing else; turning it off removes the pages again."""
    write_config("limit: 2\ntag_feeds: false\n")
    assert main(["build", "-q"]) == 0
    out = blog / "feeds"
    before = {name: (out / name).read_bytes() for name in FILES.values()}
    write_config("limit: 2\narchive: 3\ntag_feeds: false\n")
    assert main(["build", "-q"]) == 0
    link = {
        "rss.xml": f'    <atom:link href="{FEEDS}archive/3/rss.xml" rel="prev-archive"/>\n',
        "atom.xml": f'  <link href="{FEEDS}archive/3/atom.xml" rel="prev-archive"/>\n',
        "feed.json": f'  "next_url": "{FEEDS}archive/3/feed.json",\n',
    }
    for name, old in before.items():
        new = (out / name).read_bytes().decode()
        assert link[name] in new
        assert new.replace(link[name], "", 1).encode() == old
    write_config("limit: 2\ntag_feeds: false\n")
    result = build(load_site(blog / "postfeed.yaml"))
    assert len(result.removed) == 9
    assert not (out / "archive").exists()
    assert {name: (out / name).read_bytes() for name in FILES.values()} == before


def test_reader_sees_no_duplicates_as_pages_roll_over(
    blog: Path, write_post: Callable[..., Path], start_server: Callable[..., Any], tmp_path: Path
) -> None:
    """The reader library, subscribed to each subscription document, sees every new post
    once and no entry twice while new posts fill a page and open the next."""
    from reader import make_reader

    assert main(["build", "-q"]) == 0
    server = start_server(blog, "-q")
    subscriber = make_reader(str(tmp_path / "reader.sqlite"))
    try:
        urls = [server.url + name for name in FILES.values()]
        for url in urls:
            subscriber.add_feed(url)
            subscriber.update_feed(url)
        for number in (8, 9, 10, 11):  # page 3 fills, then page 4 opens
            _post(write_post, number)
            assert main(["build", "-q"]) == 0
            for url in urls:
                subscriber.update_feed(url)
                ids = [entry.id for entry in subscriber.get_entries(feed=url)]
                assert len(ids) == len(set(ids))
                assert sorted(ids) == sorted(_ids([*range(6, number + 1)]))
    finally:
        subscriber.close()


def test_check_and_stale_pages(
    blog: Path, write_post: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    """--check names the pages a build would write; a larger page size, accepted, leaves
    fewer pages, and the others are removed."""
    assert main(["build", "-q"]) == 0
    out = blog / "feeds"
    _post(write_post, 8)
    site = load_site(blog / "postfeed.yaml")
    stale = build(site, check=True).stale
    assert {(str(path.relative_to(out)), state) for path, state in stale} == {
        *((name, "stale") for name in (*FILES.values(), "index.html")),
        *((f"archive/3/{name}", "stale") for name in FILES.values()),
    }
    for number in (9, 10):
        _post(write_post, number)
    stale = build(site, check=True).stale
    assert {(str(path.relative_to(out)), state) for path, state in stale} >= {
        (f"archive/4/{name}", "missing") for name in FILES.values()
    }
    assert main(["build", "-q"]) == 0
    write_config("limit: 2\narchive: 5\ntag_feeds: false\n")
    result = build(load_site(blog / "postfeed.yaml"), allow_id_change=True)
    removed = {str(path.relative_to(out)) for path in result.removed}
    assert removed == {f"archive/{n}/{name}" for n in (3, 4) for name in FILES.values()}
    assert sorted(p.name for p in (out / "archive").iterdir()) == ["1", "2"]
    assert harvest(out, "atom")[0] == _ids(list(range(1, 11)))
    assert build(load_site(blog / "postfeed.yaml"), check=True).stale == ()


def test_page_size_change_is_refused(
    blog: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A new page size moves entries between closed pages: the build stops and says so,
    and --allow-id-change accepts it."""
    assert main(["build", "-q"]) == 0
    before = _snapshot(blog / "feeds")
    write_config("limit: 2\narchive: 2\ntag_feeds: false\n")
    assert main(["build", "-q"]) == 2
    assert capsys.readouterr().err == (
        "feeds/archive: archive pages would hold 2 entries where page 1 held 3, so 4 entries"
        " would move to other pages; hosts and readers may keep closed pages for a long time"
        " and never see the change; if it is meant, build with --allow-id-change\n"
    )
    assert _snapshot(blog / "feeds") == before
    assert main(["build", "-q", "--allow-id-change"]) == 0
    assert harvest(blog / "feeds", "rss")[2][-1] == f"{FEEDS}archive/1/rss.xml"
    assert len(harvest(blog / "feeds", "rss")[2]) == 4


def test_removed_post_is_named_and_moves_counted(
    blog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A post deleted from the archive is named as a vanished entry, and the entries that
    would move because of it are counted once for the archive."""
    assert main(["build", "-q"]) == 0
    before = _snapshot(blog / "feeds")
    (blog / "posts" / "p02.md").unlink()
    assert main(["build", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "feeds/archive/1/atom.xml: entry 'tag:blog.example.com,2024-01-02:p02' ('Post p02')"
        " would disappear while older entries stay in the feed; if its post was renamed, give"
        " it 'id: tag:blog.example.com,2024-01-02:p02' in its front matter; if it was removed"
        " on purpose, build with --allow-id-change",
        "feeds/archive: 2 entries would move to another archive page ('Post p04' from page 2"
        " to page 1 first), as a post before them was added, removed or dated anew; hosts and"
        " readers may keep closed pages for a long time and never see the change; if it is"
        " meant, build with --allow-id-change",
    ]
    assert _snapshot(blog / "feeds") == before


def test_post_dated_into_the_past_moves_entries(
    blog: Path, write_post: Callable[..., Path]
) -> None:
    """A new post dated before closed pages moves the entries after it: refused."""
    assert main(["build", "-q"]) == 0
    write_post("older", "date: 2023-12-31T10:00:00+01:00\n")
    with pytest.raises(IdChangeError) as caught:
        build(load_site(blog / "postfeed.yaml"))
    assert caught.value.changes == ()
    [change] = caught.value.archives
    where = str(blog / "feeds" / "archive")
    assert (change.where, change.moved, change.title) == (where, 2, "Post p03")
    assert (change.old_page, change.new_page, change.sizes) == (1, 2, None)


def test_renamed_post_in_the_archive(blog: Path, write_post: Callable[..., Path]) -> None:
    """An archived post whose id would change is named with its new id, as in a feed."""
    assert main(["build", "-q"]) == 0
    (blog / "posts" / "p02.md").rename(blog / "posts" / "p02-renamed.md")
    with pytest.raises(IdChangeError) as caught:
        build(load_site(blog / "postfeed.yaml"))
    assert [(c.where, c.old_id, c.new_id) for c in caught.value.changes] == [
        (
            str(blog / "posts" / "p02-renamed.md"),
            "tag:blog.example.com,2024-01-02:p02",
            "tag:blog.example.com,2024-01-02:p02-renamed",
        )
    ]
    assert caught.value.archives == ()


def test_families_and_custom_feeds_get_archives(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``archive`` as a mapping gives the tag feeds their archives, and a custom feed has
    its own; the index page links to each archive's newest page."""
    monkeypatch.chdir(site_dir)
    write_config(
        "limit: 1\narchive: {tags: 2}\n"
        "feeds:\n  - path: go-only\n    title: Go\n    tags: [go]\n    archive: 1\n"
    )
    for number in range(1, 6):
        _post(write_post, number, "tags: [go]\n" if number % 2 else "tags: [rust]\n")
    assert main(["build", "-q"]) == 0
    out = site_dir / "feeds"
    assert not (out / "archive").exists()
    for fmt in FILES:
        assert harvest(out, fmt, "tags/go")[0] == _ids([1, 3, 5])
        assert harvest(out, fmt, "tags/rust")[0] == _ids([2, 4])
        ids, _, pages = harvest(out, fmt, "go-only")
        assert (ids, len(pages)) == (_ids([1, 3, 5]), 3)
    page = (out / "index.html").read_text()
    assert '<a href="tags/go/archive/2/atom.xml" type="application/atom+xml">Atom</a>' in page
    assert '<a href="go-only/archive/3/feed.json" type="application/feed+json">' in page
    assert 'href="archive/' not in page


def test_page_links_the_newest_page(blog: Path) -> None:
    """The index page links to the newest archive page, not to every page."""
    assert main(["build", "-q"]) == 0
    page = (blog / "feeds" / "index.html").read_text()
    assert (
        '<p class="muted">All 7 posts are in the archive, 3 a page; feed readers that support'
        " archived feeds (RFC 5005) read it from the feeds above. Newest page:"
        ' <a href="archive/3/rss.xml" type="application/rss+xml">RSS</a> ·'
        ' <a href="archive/3/atom.xml" type="application/atom+xml">Atom</a> ·'
        ' <a href="archive/3/feed.json" type="application/feed+json">JSON Feed</a>.</p>'
    ) in page
    assert "archive/2/" not in page


def test_same_bytes_with_and_without_cache_and_workers(blog: Path, tmp_path: Path) -> None:
    """Archive pages come out the same from a cold build, a cached one, one without a
    cache, and one that shares the work between processes."""
    site = load_site(blog / "postfeed.yaml")
    build(site)
    cold = _snapshot(blog / "feeds")
    build(site)
    assert _snapshot(blog / "feeds") == cold
    from dataclasses import replace

    plain = replace(site, cache_dir=None, output_dir=tmp_path / "plain")
    build(plain)
    assert _snapshot(tmp_path / "plain") == cold
    shared = replace(site, cache_dir=tmp_path / "cache", output_dir=tmp_path / "shared")
    build(shared, jobs=2)
    assert _snapshot(tmp_path / "shared") == cold


def test_ping_and_links_name_subscription_documents_only(blog: Path) -> None:
    """The URLs a hub is told of are the subscription documents', never the pages'."""
    from postfeed import feed_urls, load_posts, select

    site = load_site(blog / "postfeed.yaml")
    published, _ = select(load_posts(site))
    assert feed_urls(site, published) == [FEEDS + name for name in FILES.values()]


def test_pages_do_not_advertise_the_hub(blog: Path, write_config: Callable[..., Path]) -> None:
    """With a WebSub hub, the subscription documents name it and archive pages, which
    do not change, do not."""
    hub = "https://hub.example.org/"
    write_config(f"limit: 2\narchive: 3\ntag_feeds: false\nhub: {hub}\n")
    assert main(["build", "-q"]) == 0
    out = blog / "feeds"
    for name in FILES.values():
        assert hub.encode() in (out / name).read_bytes(), name
        for number in (1, 2, 3):
            assert hub.encode() not in (out / f"archive/{number}/{name}").read_bytes()
    parsed = feedparser.parse(out / "atom.xml")
    assert [link.href for link in parsed.feed.links if link.rel == "hub"] == [hub]


def test_cache_rules_name_closed_pages_only(blog: Path) -> None:
    """docs/examples/archive_headers.py gives a long cache lifetime to the closed pages,
    never to the newest page, for each host it knows."""
    assert main(["build", "-q"]) == 0
    script = Path(__file__).parent.parent / "docs" / "examples" / "archive_headers.py"
    long = "public, max-age=31536000, immutable"
    found = {}
    for host in ("netlify", "nginx", "apache"):
        run = subprocess.run(
            [sys.executable, str(script), host], cwd=blog, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        found[host] = run.stdout
    assert found["netlify"] == (
        f"/feeds/archive/1/*\n  Cache-Control: {long}\n/feeds/archive/2/*\n  Cache-Control: {long}\n"
    )
    assert found["nginx"] == (
        "map $uri $postfeed_archive {\n"
        '    default "";\n'
        f'    ~^/feeds/archive/1/ "{long}";\n'
        f'    ~^/feeds/archive/2/ "{long}";\n'
        "}\n"
    )
    assert found["apache"] == (
        '<If "%{REQUEST_URI} =~ m#^/feeds/archive/(1|2)/#">\n'
        f'  Header set Cache-Control "{long}"\n'
        "</If>\n"
    )


def test_mapping_names_the_feeds_with_an_archive(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``archive: {main: N, categories: M}`` gives the main feeds and each category feed an
    archive, and neither the tag feeds nor a custom feed without its own ``archive``."""
    monkeypatch.chdir(site_dir)
    write_config(
        "limit: 1\narchive: {main: 2, categories: 2}\ncategory_feeds: true\ntag_feeds: true\n"
        "feeds:\n  - path: go-only\n    title: Go only\n    tags: [go]\n"
    )
    for number in range(1, 6):
        odd = number % 2
        _post(
            write_post,
            number,
            f"categories: [{'guides' if odd else 'notes'}]\ntags: [{'go' if odd else 'rust'}]\n",
        )
    assert main(["build", "-q"]) == 0
    out = site_dir / "feeds"
    archives = sorted(str(path.relative_to(out)) for path in out.rglob("archive") if path.is_dir())
    assert archives == ["archive", "categories/guides/archive", "categories/notes/archive"]
    for fmt in FILES:
        ids, _, pages = harvest(out, fmt)
        assert (ids, len(pages)) == (_ids([1, 2, 3, 4, 5]), 3)
        ids, _, pages = harvest(out, fmt, "categories/guides")
        assert (ids, len(pages)) == (_ids([1, 3, 5]), 2)
        ids, _, pages = harvest(out, fmt, "categories/notes")
        assert (ids, len(pages)) == (_ids([2, 4]), 1)
        for folder, newest in (("tags/go", 5), ("tags/rust", 4), ("go-only", 5)):
            assert harvest(out, fmt, folder) == (_ids([newest]), _ids([newest]), []), folder


def test_author_and_language_feeds_get_archives(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``authors`` and ``languages`` in the ``archive`` mapping give each author's and each
    language's feeds an archive, and the main feeds, not named, none."""
    monkeypatch.chdir(site_dir)
    write_config(
        "limit: 1\narchive: {authors: 2, languages: 2}\ntag_feeds: false\n"
        "category_feeds: false\nauthor_feeds: true\nlanguage_feeds: true\n"
        "authors:\n  bob:\n    name: Bob Builder\n"
    )
    for number in range(1, 6):
        _post(write_post, number, "" if number % 2 else "authors: [bob]\nlang: de\n")
    assert main(["build", "-q"]) == 0
    out = site_dir / "feeds"
    archives = sorted(str(path.relative_to(out)) for path in out.rglob("archive") if path.is_dir())
    assert archives == [
        "authors/ada-example/archive",
        "authors/bob/archive",
        "languages/de/archive",
        "languages/en/archive",
    ]
    for fmt in FILES:
        ids, _, pages = harvest(out, fmt, "authors/ada-example")
        assert (ids, len(pages)) == (_ids([1, 3, 5]), 2)
        ids, _, pages = harvest(out, fmt, "languages/de")
        assert (ids, len(pages)) == (_ids([2, 4]), 1)
        assert harvest(out, fmt) == (_ids([5]), _ids([5]), [])


def test_leaving_a_tag_with_an_archive_is_refused(
    site_dir: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A post taken out of a tag whose feeds have an archive leaves that archive: the id
    guard names the page it is on and stops the build, and --allow-id-change accepts it."""
    monkeypatch.chdir(site_dir)
    write_config("limit: 1\narchive: {tags: 2}\ncategory_feeds: false\n")
    for number in range(1, 6):
        _post(write_post, number, "tags: [go]\n")
    assert main(["build", "-q"]) == 0
    out = site_dir / "feeds"
    before = _snapshot(out)
    capsys.readouterr()
    _post(write_post, 2, "tags: [rust]\n")
    assert main(["build", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "feeds/tags/go/archive/1/atom.xml: entry 'tag:blog.example.com,2024-01-02:p02'"
        " ('Post p02') would disappear while older entries stay in the feed; if its post was"
        " renamed, give it 'id: tag:blog.example.com,2024-01-02:p02' in its front matter; if"
        " it was removed on purpose, build with --allow-id-change",
        "feeds/tags/go/archive: 2 entries would move to another archive page ('Post p03' from"
        " page 2 to page 1 first), as a post before them was added, removed or dated anew;"
        " hosts and readers may keep closed pages for a long time and never see the change;"
        " if it is meant, build with --allow-id-change",
    ]
    assert _snapshot(out) == before
    assert main(["build", "-q", "--allow-id-change"]) == 0
    for fmt in FILES:
        assert harvest(out, fmt, "tags/go")[0] == _ids([1, 3, 4, 5])
        assert harvest(out, fmt, "tags/rust")[0] == _ids([2])
    assert main(["build", "-q"]) == 0


def _head(parsed: Any) -> dict[str, Any]:
    """A parsed feed's id, title, author and home page, as feedparser gives them (RSS
    has no id, and postfeed's channel no author)."""
    feed = parsed.feed
    alternate = [link.href for link in feed.get("links", []) if link.rel == "alternate"]
    return {
        "id": feed.get("id"),
        "title": feed.title,
        "author": feed.get("author_detail"),
        "home": alternate,
    }


@pytest.mark.parametrize(
    ("folder", "archive", "feed_id", "title"),
    [
        ("", "3", "https://blog.example.com/", "Test Blog"),
        ("tags/go", "{tags: 3}", f"{FEEDS}tags/go/", "Test Blog: go"),
    ],
    ids=["main", "tag"],
)
def test_page_head_is_the_feeds_and_dated_by_its_entries(
    folder: str,
    archive: str,
    feed_id: str,
    title: str,
    blog: Path,
    write_config: Callable[..., Path],
    write_post: Callable[..., Path],
) -> None:
    """Each archive page carries its feed's id, title, author and home page, and as its
    date the newest ``updated`` of its own entries (RSS: lastBuildDate)."""
    write_config(f"limit: 2\narchive: {archive}\ncategory_feeds: false\n")
    updated = {1: "2024-02-01T09:00:00+01:00", 4: "2024-01-20T08:30:00+01:00"}
    for number in range(1, 8):
        extra = f"updated: {updated[number]}\n" if number in updated else ""
        _post(write_post, number, f"tags: [go]\n{extra}")
    assert main(["build", "-q"]) == 0
    out = blog / "feeds" / folder
    atom = feedparser.parse(out / "atom.xml")
    rss = feedparser.parse(out / "rss.xml")
    document = json.loads((out / "feed.json").read_bytes())
    assert _head(atom) == {
        "id": feed_id,
        "title": title,
        "author": {"name": "Ada Example", "email": "ada@example.com"},
        "home": ["https://blog.example.com/"],
    }
    assert _head(rss) == {
        "id": None,
        "title": title,
        "author": None,
        "home": ["https://blog.example.com/"],
    }
    assert atom.feed.updated == "2024-01-07T10:00:00+01:00"
    # Page 1 is dated by its oldest post, edited last; page 2 by its oldest but one.
    expected = {1: updated[1], 2: updated[4], 3: "2024-01-07T10:00:00+01:00"}
    for number, newest in expected.items():
        page = out / "archive" / str(number)
        page_atom = feedparser.parse(page / "atom.xml")
        assert _head(page_atom) == _head(atom)
        assert page_atom.feed.updated == newest
        assert page_atom.feed.updated_parsed == max(e.updated_parsed for e in page_atom.entries)
        page_rss = feedparser.parse(page / "rss.xml")
        assert _head(page_rss) == _head(rss)
        assert page_rss.feed.updated_parsed == page_atom.feed.updated_parsed
        page_json = json.loads((page / "feed.json").read_bytes())
        for key in ("title", "home_page_url", "feed_url", "authors"):
            assert page_json[key] == document[key], key


def test_cache_rules_name_closed_pages_of_every_archive(
    blog: Path, write_config: Callable[..., Path], write_post: Callable[..., Path]
) -> None:
    """The cache rules name the closed pages of each archive, a tag's as well as the main
    feeds', and never the newest page of any (a one-page archive has none)."""
    write_config("limit: 2\narchive: {main: 3, tags: 1}\ncategory_feeds: false\n")
    for number in range(1, 8):
        tags = ["go" if number % 2 else "rust"] + (["solo"] if number == 7 else [])
        _post(write_post, number, f"tags: [{', '.join(tags)}]\n")
    assert main(["build", "-q"]) == 0
    out = blog / "feeds"
    archives = {
        "": [1, 2, 3],
        "tags/go/": [1, 2, 3, 4],
        "tags/rust/": [1, 2, 3],
        "tags/solo/": [1],
    }
    for folder, numbers in archives.items():
        assert sorted(int(p.name) for p in (out / folder / "archive").iterdir()) == numbers
    script = Path(__file__).parent.parent / "docs" / "examples" / "archive_headers.py"
    found = {}
    for host in ("netlify", "nginx", "apache"):
        run = subprocess.run(
            [sys.executable, str(script), host], cwd=blog, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        found[host] = run.stdout
    long = "public, max-age=31536000, immutable"
    closed = [
        "archive/1",
        "archive/2",
        "tags/go/archive/1",
        "tags/go/archive/2",
        "tags/go/archive/3",
        "tags/rust/archive/1",
        "tags/rust/archive/2",
    ]
    assert found["netlify"] == "".join(
        f"/feeds/{page}/*\n  Cache-Control: {long}\n" for page in closed
    )
    assert found["nginx"] == (
        'map $uri $postfeed_archive {\n    default "";\n'
        + "".join(f'    ~^/feeds/{page}/ "{long}";\n' for page in closed)
        + "}\n"
    )
    assert found["apache"] == "".join(
        f'<If "%{{REQUEST_URI}} =~ m#^/feeds/{folder}archive/({numbers})/#">\n'
        f'  Header set Cache-Control "{long}"\n'
        "</If>\n"
        for folder, numbers in (("", "1|2"), ("tags/go/", "1|2|3"), ("tags/rust/", "1|2"))
    )
