"""source: hugo reads a Hugo site where it stands, as Hugo 0.168 does: the sample site in
tests/data/generators/hugo, and small sites made here for each rule."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
import pytest

import postfeed
from postfeed.cli import main
from postfeed.reading.sources import hugo, hugo_shortcodes, templates
from postfeed.rendering import markup

SAMPLE = Path(__file__).parent / "data" / "generators" / "hugo" / "site"
BASE = "https://hugo.example.org/blog/"
CONFIG = """\
baseURL = "https://h.example.org/blog/"
title = "Notes"
timeZone = "Europe/Berlin"

[permalinks]
  posts = "/:year/:month/:slug/"
"""
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def sample_posts(tmp_path: Path) -> dict[str, postfeed.Post]:
    """The sample site's posts, by file name (a bundle by its folder)."""
    (tmp_path / "postfeed.yaml").write_text(f"source: hugo\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    posts = postfeed.load_posts(site)
    return {_name(post): post for post in posts}


def _name(post: postfeed.Post) -> str:
    assert post.source is not None
    return post.source.parent.name if post.source.stem == "index" else post.source.name


def make_site(
    folder: Path, files: dict[str, str], *, config: str = CONFIG, extra: str = ""
) -> postfeed.Site:
    """A Hugo site in ``folder``: hugo.toml, ``files`` under content/, and a
    postfeed.yaml with source: hugo (and ``extra``); the loaded site."""
    (folder / "hugo.toml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = folder / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "postfeed.yaml").write_text(
        "source: hugo\noutput: out\ncache: false\n" + extra, encoding="utf-8"
    )
    return postfeed.load_site(folder / "postfeed.yaml")


def yaml_post(front: str, body: str = "Hello.\n") -> str:
    return f"---\n{front}---\n\n{body}"


def one(site: postfeed.Site) -> postfeed.Post:
    (post,) = postfeed.load_posts(site)
    return post


def contents(atom: Path) -> dict[str, str]:
    """Each entry's content in an Atom file, by title, as written (feedparser would
    rewrite the HTML), after checking that feedparser reads the file."""
    assert not feedparser.parse(atom.read_bytes()).bozo
    root = ElementTree.parse(atom).getroot()
    return {
        entry.findtext(f"{ATOM}title", ""): entry.findtext(f"{ATOM}content", "")
        for entry in root.iter(f"{ATOM}entry")
    }


def content_of(site: postfeed.Site, **options: Any) -> str:
    """The content of the main Atom feed's only entry after a build."""
    postfeed.build(site, now=NOW, **options)
    (content,) = contents(site.output_dir / "atom.xml").values()
    return content


# --- the sample site ---------------------------------------------------------------


def test_sample_site_settings_come_from_hugo_toml(tmp_path: Path) -> None:
    """baseURL, title, timeZone, languageCode and params.author become the site's."""
    (tmp_path / "postfeed.yaml").write_text(f"source: hugo\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert (site.url, site.title, site.timezone, site.language) == (
        BASE,
        "Notes on Go and Distributed Systems",
        "Europe/Berlin",
        "en-us",
    )
    assert site.author == postfeed.Author(name="Ada Lindqvist", email="ada@hugo.example.org")
    assert site.description == "Short notes on Go and distributed systems."
    assert (site.source, site.posts_dir, site.markdown.name) == ("hugo", SAMPLE, "hugo")


def test_postfeed_yaml_overrides_hugo_toml(tmp_path: Path) -> None:
    """A key postfeed.yaml sets wins over what hugo.toml says."""
    (tmp_path / "postfeed.yaml").write_text(
        f"source: hugo\nsource_dir: {SAMPLE}\nurl: https://other.example/\ntimezone: UTC\n"
        "title: Mine\n"
    )
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert (site.url, site.timezone, site.title) == ("https://other.example/", "UTC", "Mine")
    posts = {_name(post): post for post in postfeed.load_posts(site)}
    # The links follow the URL, and a date without an offset the time zone.
    assert posts["grpc-deadlines.md"].url == "https://other.example/notes/grpc-deadlines/"
    assert posts["grpc-deadlines.md"].published == datetime(2024, 2, 10, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "url", "published"),
    [
        # YAML; no slug: the urlized title (the colon dropped, the dot kept); the month
        # from date in its own offset (UTC, still April), pubDate from publishDate.
        (
            "konsistenzmodelle.md",
            "2024/04/%C3%BCber-konsistenzmodelle-linearisierbarkeit-vs.-kausale-konsistenz/",
            "2024-05-02T08:00:00+02:00",
        ),
        # A page bundle: the slug from the title, not the folder.
        ("raft-leader-election", "2024/03/how-raft-elects-a-leader/", "2024-03-05T09:30:00+01:00"),
        # JSON; url replaces the path; a naive date is in the site's time zone.
        ("grpc-deadlines.md", "notes/grpc-deadlines/", "2024-02-10T14:00:00+01:00"),
        # TOML; slug; a bare day is midnight in Berlin (31 January in UTC, URL month 02).
        ("context-cancellation.md", "2024/02/cancel-with-context/", "2024-02-01T00:00:00+01:00"),
        # TOML, nested under archive/2023: still section posts; the offset kept.
        (
            "backpressure.md",
            "2023/11/backpressure-with-bounded-channels/",
            "2023-11-20T07:15:00-05:00",
        ),
    ],
)
def test_sample_links_ids_and_dates(tmp_path: Path, name: str, url: str, published: str) -> None:
    """Each sample post has Hugo's link as its URL and id, and Hugo's publish date."""
    post = sample_posts(tmp_path)[name]
    assert post.url == post.id == BASE + url
    assert post.published.isoformat() == published


def test_sample_drafts_future_and_expired_posts_are_left_out(tmp_path: Path) -> None:
    """draft: true, a 2099 date and a past expiryDate leave three posts out, as Hugo does."""
    posts = sample_posts(tmp_path)
    published, left_out = postfeed.select(list(posts.values()), now=NOW)
    reasons = {_name(left.post): left.reason for left in left_out}
    assert reasons == {
        "idempotency-keys.md": "draft",
        "clock-skew.md": "future",
        "flaky-tests.md": "expired",
    }
    assert len(published) == 5
    assert posts["flaky-tests.md"].expires == datetime(
        2024, 1, 1, tzinfo=timezone(timedelta(hours=1))
    )


def test_sample_summaries_and_taxonomies(tmp_path: Path) -> None:
    """summary front matter is the summary; tags, categories (one text or a list) and
    authors are read; description is not Hugo's summary."""
    posts = sample_posts(tmp_path)
    context = posts["context-cancellation.md"]
    assert context.summary is not None
    assert context.summary.startswith("A context carries")
    assert context.authors == (
        postfeed.Author(name="Ada Lindqvist"),
        postfeed.Author(name="Tomás Ferreira"),
    )
    assert posts["konsistenzmodelle.md"].categories == ("distributed-systems",)
    assert posts["konsistenzmodelle.md"].tags == ("consistency", "Jepsen")
    assert posts["raft-leader-election"].summary is None
    # lastmod is the update; one before the publish date is no update.
    assert posts["raft-leader-election"].updated == datetime(
        2024, 3, 12, 18, 5, tzinfo=timezone(timedelta(hours=1))
    )
    assert posts["konsistenzmodelle.md"].updated == datetime(
        2024,
        5,
        3,
        tzinfo=posts["konsistenzmodelle.md"].updated.tzinfo,  # type: ignore[union-attr]
    )


def test_sample_feed_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The feeds carry every post in full: the summary before <!--more-->, shortcodes
    made into Hugo's HTML, the custom one left out with a warning naming file and line,
    and links resolved as Hugo's feeds resolve them."""
    (tmp_path / "postfeed.yaml").write_text(
        f"source: hugo\nsource_dir: {SAMPLE}\noutput: out\ncache: false\n"
    )
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    out, err = capsys.readouterr()
    assert err == (
        f"{SAMPLE}/content/posts/konsistenzmodelle.md:15: shortcode"
        ' {{< note title="Merke" >}} is not run: left out of the feed, its inner text kept\n'
    )
    assert "5 posts published, 3 left out (1 draft, 1 expired, 1 future)" in out
    parsed = feedparser.parse((tmp_path / "out/atom.xml").read_bytes(), sanitize_html=False)
    entries = {entry.title: entry for entry in parsed.entries}
    written = contents(tmp_path / "out/atom.xml")
    raft = entries["How Raft Elects a Leader"]
    assert raft.summary.startswith("<p>Raft keeps a cluster")
    assert "votes.</p>" in raft.summary
    assert "A server votes" not in raft.summary
    raft_content = written["How Raft Elects a Leader"]
    assert "A server votes at most once per term" in raft_content
    assert (
        '<figure><img src="https://hugo.example.org/blog/2024/03/how-raft-elects-a-leader/'
        'states.png" alt="Follower, candidate and leader"><figcaption><p>Follower, candidate'
        " and leader.</p></figcaption></figure>"
    ) in raft_content
    assert "MTBF" in raft_content  # the footnote, at the end
    context = written["Cancelling Work with context.Context"]
    assert (
        '<iframe allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope;'
        ' picture-in-picture; web-share; fullscreen" loading="eager"'
        ' referrerpolicy="strict-origin-when-cross-origin"'
        ' src="https://www.youtube.com/embed/oV9rvDllKEg?autoplay=0&amp;controls=1&amp;end=0'
        '&amp;loop=0&amp;mute=0&amp;start=0"'
    ) in context
    assert "<del>Never</del> Rarely" in context
    assert "Rob Pike\u2019s talk" in context  # Goldmark's typographer
    konsistenz = (
        entries["Über Konsistenzmodelle: Linearisierbarkeit vs. kausale Konsistenz"]
        .content[0]
        .value
    )
    assert "Ein linearisierbares System ist immer auch <strong>kausal konsistent</strong>" in (
        konsistenz
    )
    backpressure = written["Backpressure with Bounded Channels"]
    # A root-relative link points under baseURL's path, as Hugo's feeds make it.
    assert 'src="https://hugo.example.org/blog/images/backpressure.png"' in backpressure
    grpc = written["gRPC Deadlines Across Service Hops"]
    assert 'href="https://hugo.example.org/blog/2024/02/cancel-with-context/"' in grpc
    assert len(written) == 5
    for html in written.values():
        assert not re.search(r"\{\{|\}\}", html)


# --- front matter and dates ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '+++\ntitle = "T"\ndate = 2024-03-01T10:00:00\ntags = ["go"]\n+++\nBody.\n',
        "---\ntitle: T\ndate: 2024-03-01T10:00:00\ntags: [go]\n---\nBody.\n",
        '{\n  "title": "T",\n  "date": "2024-03-01T10:00:00",\n  "tags": ["go"]\n}\nBody.\n',
    ],
    ids=["toml", "yaml", "json"],
)
def test_three_front_matter_formats(tmp_path: Path, text: str) -> None:
    """TOML, YAML and JSON front matter give the same post, its body after it."""
    post = one(make_site(tmp_path, {"posts/p.md": text}))
    assert (post.title, post.tags, post.markdown) == ("T", ("go",), "Body.\n")
    assert post.published.isoformat() == "2024-03-01T10:00:00+01:00"
    assert post.url == "https://h.example.org/blog/2024/03/t/"


def test_keys_are_case_insensitive(tmp_path: Path) -> None:
    """Hugo lower-cases front matter keys: publishDate, PublishDate and publishdate are one."""
    front = "Title: T\nDate: 2024-03-01\nPublishDate: 2024-03-02\nExpiryDate: 2030-01-01\n"
    post = one(make_site(tmp_path, {"posts/p.md": yaml_post(front)}))
    assert (post.title, post.published.day, post.expires.year) == ("T", 2, 2030)  # type: ignore[union-attr]


def test_date_aliases_and_fallbacks(tmp_path: Path) -> None:
    """pubdate and published stand for publishDate, modified for lastmod, unpublishdate
    for expiryDate; without date, .Date falls back to publishDate, then lastmod."""
    site = make_site(
        tmp_path,
        {
            "posts/a.md": yaml_post("title: A\npubdate: 2024-03-02\nmodified: 2024-04-01\n"),
            "posts/b.md": yaml_post("title: B\nlastmod: 2024-05-01\nunpublishdate: 2025-01-01\n"),
        },
    )
    posts = {post.title: post for post in postfeed.load_posts(site)}
    assert posts["A"].published.date().isoformat() == "2024-03-02"
    assert posts["A"].url == "https://h.example.org/blog/2024/03/a/"
    assert posts["A"].updated is not None
    assert posts["A"].updated.month == 4
    assert posts["B"].published.date().isoformat() == "2024-05-01"
    assert posts["B"].expires is not None
    assert posts["B"].expires.year == 2025


def test_frontmatter_config_takes_dates_from_file_names(tmp_path: Path) -> None:
    """[frontmatter] date = [':filename', ':default'] dates a post by its file name and
    takes the rest of the name as its slug."""
    config = CONFIG + '\n[frontmatter]\n  date = [":filename", ":default"]\n'
    site = make_site(
        tmp_path, {"posts/2024-06-07-hello-world.md": yaml_post("title: Hi\n")}, config=config
    )
    post = one(site)
    assert post.published.isoformat() == "2024-06-07T00:00:00+02:00"
    assert post.url == "https://h.example.org/blog/2024/06/hello-world/"


def test_future_post_published_with_future_flag(tmp_path: Path) -> None:
    """A future post is left out, and published with --future, as with hugo --buildFuture."""
    site = make_site(tmp_path, {"posts/p.md": yaml_post("title: Later\ndate: 2099-01-01\n")})
    assert postfeed.build(site, now=NOW).left_out[0].reason == "future"
    assert len(postfeed.build(site, now=NOW, future=True).published) == 1


def test_expired_entry_may_leave_the_feed(tmp_path: Path) -> None:
    """A post whose expiryDate passes leaves the feeds, and the id guard lets it go."""
    site = make_site(
        tmp_path,
        {
            "posts/a.md": yaml_post("title: Old\ndate: 2024-01-01\n"),
            "posts/b.md": yaml_post("title: Soon gone\ndate: 2024-02-01\nexpiryDate: 2025-06-01\n"),
        },
    )
    assert len(postfeed.build(site, now=datetime(2025, 1, 1, tzinfo=UTC)).published) == 2
    result = postfeed.build(site, now=NOW)
    assert [post.title for post in result.published] == ["Old"]
    assert [(left.post.title, left.reason) for left in result.left_out] == [
        ("Soon gone", "expired")
    ]


def test_expired_entry_may_leave_its_archive_page(tmp_path: Path) -> None:
    """An archived post whose expiryDate passes leaves its page without the id guard
    naming it; entries that would move to other pages because of it are still refused."""
    before, after = datetime(2025, 1, 1, tzinfo=UTC), NOW
    for name in ("newest", "oldest"):
        (tmp_path / name).mkdir()
    newest = make_site(
        tmp_path / "newest",
        {
            "posts/a.md": yaml_post("title: A\ndate: 2024-01-01\n"),
            "posts/b.md": yaml_post("title: B\ndate: 2024-02-01\n"),
            "posts/c.md": yaml_post("title: C\ndate: 2024-03-01\nexpiryDate: 2025-06-01\n"),
        },
        extra="archive: 1\n",
    )
    postfeed.build(newest, now=before)
    result = postfeed.build(newest, now=after)
    assert [post.title for post in result.published] == ["B", "A"]
    assert not (tmp_path / "newest/out/archive/3").exists()
    assert [
        entry.title for entry in feedparser.parse(tmp_path / "newest/out/atom.xml").entries
    ] == [
        "B",
        "A",
    ]

    oldest = make_site(
        tmp_path / "oldest",
        {
            "posts/a.md": yaml_post("title: A\ndate: 2024-01-01\nexpiryDate: 2025-06-01\n"),
            "posts/b.md": yaml_post("title: B\ndate: 2024-02-01\n"),
        },
        extra="archive: 1\n",
    )
    postfeed.build(oldest, now=before)
    with pytest.raises(postfeed.IdChangeError) as caught:
        postfeed.build(oldest, now=after)
    assert caught.value.changes == ()
    [moved] = caught.value.archives
    assert (moved.title, moved.old_page, moved.new_page) == ("B", 2, 1)


def test_build_options_and_headless_bundles_are_not_listed(tmp_path: Path) -> None:
    """build: {list: never}, _build: {render: never} and headless bundles are no posts."""
    site = make_site(
        tmp_path,
        {
            "posts/a.md": yaml_post("title: A\ndate: 2024-01-01\nbuild:\n  list: never\n"),
            "posts/b.md": yaml_post("title: B\ndate: 2024-01-01\n_build:\n  render: never\n"),
            "posts/c/index.md": yaml_post("title: C\ndate: 2024-01-01\nheadless: true\n"),
            "posts/d.md": yaml_post("title: D\ndate: 2024-01-01\n"),
        },
    )
    assert [post.title for post in postfeed.load_posts(site)] == ["D"]


def test_section_pages_and_bundle_resources_are_no_posts(tmp_path: Path) -> None:
    """_index.md is a list page; the files of a leaf bundle are its resources."""
    site = make_site(
        tmp_path,
        {
            "posts/_index.md": yaml_post("title: All posts\n"),
            "posts/b/index.md": yaml_post("title: Bundle\ndate: 2024-01-01\n"),
            "posts/b/notes.md": yaml_post("title: A resource\ndate: 2024-01-01\n"),
            "about.md": yaml_post("title: About\ndate: 2023-01-01\n"),
        },
    )
    posts = {post.title: post for post in postfeed.load_posts(site)}
    # A top-level page is a regular page too, and Hugo's home feed lists it.
    assert sorted(posts) == ["About", "Bundle"]
    assert posts["About"].url == "https://h.example.org/blog/about/"


# --- URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "front", "path"),
    [
        (
            "/:year/:month/:day/:slug/",
            "title: A Title\nslug: Mixed Case\n",
            "2024/03/09/mixed-case/",
        ),
        ("/:section/:filename/", "title: A\n", "posts/my-file/"),
        ("/:sections/:slugorfilename", "title: A\n", "posts/my-file/"),
        ("/:year/:monthname/:title/", "title: Ça va? Oui!\n", "2024/march/%C3%A7a-va-oui/"),
        ("/:2006/:01/:02/:slug/", "title: Go Layout\n", "2024/03/09/go-layout/"),
        ("/:weekdayname/:yearday/:slug/", "title: Day\n", "saturday/69/day/"),
        ("/posts/:contentbasename/", "title: A\nslug: ignored\n", "posts/my-file/"),
    ],
)
def test_permalink_patterns(tmp_path: Path, pattern: str, front: str, path: str) -> None:
    """Each permalink attribute is filled in as Hugo's permalinks.go does."""
    config = CONFIG.replace("/:year/:month/:slug/", pattern)
    site = make_site(
        tmp_path,
        {"posts/my-file.md": yaml_post(front + "date: 2024-03-09T10:00:00\n")},
        config=config,
    )
    assert one(site).url == "https://h.example.org/blog/" + path


def test_sections_are_folders_with_index_pages(tmp_path: Path) -> None:
    """:sections is the page's current section: the first folder, and a nested folder
    only when it has an _index page, as in Hugo."""
    config = CONFIG.replace("/:year/:month/:slug/", "/:sections/:filename/")
    files = {
        "posts/archive/2023/a.md": yaml_post("title: A\ndate: 2024-01-01\n"),
        "posts/guides/_index.md": yaml_post("title: Guides\n"),
        "posts/guides/deep/b.md": yaml_post("title: B\ndate: 2024-01-01\n"),
    }
    site = make_site(tmp_path, files, config=config)
    urls = {post.title: post.url for post in postfeed.load_posts(site)}
    assert urls == {
        "A": "https://h.example.org/blog/posts/a/",
        "B": "https://h.example.org/blog/posts/guides/b/",
    }


def test_default_paths_without_permalinks(tmp_path: Path) -> None:
    """Without a pattern a page is /section/folders/slug-or-name/, lower-cased, spaces
    made hyphens; uglyURLs gives name.html (checked against Hugo 0.168)."""
    config = 'baseURL = "https://h.example.org/"\ntitle = "N"\n'
    files = {
        "Notes/Deep Dir/My Post.md": yaml_post("title: A\ndate: 2024-01-01\n"),
        "notes/b.md": yaml_post("title: B\ndate: 2024-01-01\nslug: Own Slug\n"),
    }
    posts = {
        post.title: post for post in postfeed.load_posts(make_site(tmp_path, files, config=config))
    }
    assert posts["A"].url == "https://h.example.org/notes/deep-dir/my-post/"
    assert posts["B"].url == "https://h.example.org/notes/own-slug/"
    ugly = make_site(tmp_path, {}, config=config + "uglyURLs = true\n")
    urls = sorted(post.url or "" for post in postfeed.load_posts(ugly))
    assert urls == [
        "https://h.example.org/notes/deep-dir/my-post.html",
        "https://h.example.org/notes/own-slug.html",
    ]


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("/notes/x/", "notes/x/"),
        ("notes/y", "notes/y/"),
        ("/notes/z.html", "notes/z.html"),
        ("/:year/x/", "2024/x/"),
        ("/über/", "%C3%BCber/"),
    ],
)
def test_url_front_matter(tmp_path: Path, url: str, link: str) -> None:
    """url replaces the whole path under baseURL; it may hold permalink attributes."""
    site = make_site(
        tmp_path, {"posts/p.md": yaml_post(f"title: T\ndate: 2024-05-01\nurl: {url}\n")}
    )
    assert one(site).url == "https://h.example.org/blog/" + link


@pytest.mark.parametrize(
    ("title", "urlized"),
    [
        ("Über Konsistenzmodelle: Linearisierbarkeit vs. kausale Konsistenz",
         "%C3%BCber-konsistenzmodelle-linearisierbarkeit-vs.-kausale-konsistenz"),
        ("C# & F#: 100% sure?", "c#-f#-100-sure"),
        ("  Leading   and trailing  ", "leading-and-trailing"),
        ("Ünïcödé — \u201cquotes\u201d \u2018too\u2019", "%C3%BCn%C3%AFc%C3%B6d%C3%A9-quotes-too"),
        ("日本語のタイトル", "%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE%E3%82%BF%E3%82%A4%E3%83%88%E3%83%AB"),
    ],
)  # fmt: skip
def test_urlize(title: str, urlized: str) -> None:
    """Hugo's urlize: letters, digits and a few marks kept, spaces made hyphens, the
    rest dropped, lower-cased and percent-encoded."""
    assert hugo.urlize(title) == urlized


def test_two_pages_at_one_url_are_an_error(tmp_path: Path) -> None:
    """Hugo would write one page over the other; postfeed names both."""
    site = make_site(
        tmp_path,
        {
            "posts/a.md": yaml_post("title: Same\ndate: 2024-01-01\n"),
            "posts/b.md": yaml_post("title: Same\ndate: 2024-01-02\n"),
        },
    )
    with pytest.raises(postfeed.PostErrors) as raised:
        postfeed.load_posts(site)
    assert [str(error) for error in raised.value.errors] == [
        f"{tmp_path}/content/posts/b.md: url 'https://h.example.org/blog/2024/01/same/' is also"
        f" used by {tmp_path}/content/posts/a.md"
    ]


# --- Markdown, as Goldmark renders it ------------------------------------------------


def test_goldmark_extensions(tmp_path: Path) -> None:
    """Tables, strikethrough, task lists, autolinks, footnotes, definition lists,
    typographic quotes and fenced code (in a list too) render as Goldmark renders them."""
    body = (
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ and https://example.org/x_y here\n\n"
        '- [x] done\n- [ ] todo\n\n"Quoted" -- yes...\n\nTerm\n: Definition\n\n'
        "1. step\n\n    ```go\n    x := 1\n    ```\n\nNote[^n].\n\n[^n]: The note.\n"
    )
    site = make_site(tmp_path, {"posts/p.md": yaml_post("title: T\ndate: 2024-01-01\n", body)})
    html = content_of(site)
    assert "<table>" in html
    assert "<td>2</td>" in html
    assert "<del>gone</del>" in html
    assert '<a href="https://example.org/x_y">https://example.org/x_y</a>' in html
    # A task list's checkbox, kept by the cleaning (which writes every input as one).
    assert '<input disabled="" checked="" type="checkbox">' in html
    assert "\u201cQuoted\u201d \u2013 yes\u2026" in html
    assert "<dt>Term</dt>" in html
    assert '<code class="language-go">x := 1</code>' in html
    assert "The note." in html


def test_goldmark_switches_in_hugo_toml(tmp_path: Path) -> None:
    """markup.goldmark.extensions turns extensions off, as it does in Hugo."""
    config = (
        CONFIG + "\n[markup.goldmark.extensions]\n  strikethrough = false\n  typographer = false\n"
    )
    body = '~~kept~~ "straight"\n'
    site = make_site(
        tmp_path, {"posts/p.md": yaml_post("title: T\ndate: 2024-01-01\n", body)}, config=config
    )
    assert site.markdown.extensions.count("pymdownx.tilde") == 0
    html = content_of(site)
    assert ("~~kept~~" in html and "&quot;straight&quot;" in html) or '"straight"' in html


def test_profile_is_part_of_the_cache_key(tmp_path: Path) -> None:
    """Hugo's profile renders differently from postfeed's, so it keys the cache apart,
    and a build with the cache gives the same bytes as one without."""
    site = make_site(
        tmp_path, {"posts/p.md": yaml_post("title: T\ndate: 2024-01-01\n", "~~x~~ 'q'\n")}
    )
    assert markup.renderer_settings(site.markdown) != markup.renderer_settings()
    assert "pymdownx" in markup.renderer_settings(site.markdown)
    cold = postfeed.build(site, now=NOW)
    first = (site.output_dir / "atom.xml").read_bytes()
    cached = postfeed.build(
        postfeed.Site(**{**_fields(site), "cache_dir": tmp_path / "cache"}), now=NOW
    )
    assert cold.written
    assert cached.unchanged
    assert (site.output_dir / "atom.xml").read_bytes() == first


def _fields(site: postfeed.Site) -> dict[str, Any]:
    return {name: getattr(site, name) for name in site.__dataclass_fields__}


# --- shortcodes ----------------------------------------------------------------------


def test_shortcode_warnings_name_file_line_and_construct(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shortcode postfeed does not know is left out, its inner text kept, with a
    warning naming the file, the line and the shortcode; no template syntax remains."""
    body = (
        "Intro.\n\n{{< gist spf13 7896402 >}}\n\n{{% notice tip %}}\nInner **text**.\n"
        "{{% /notice %}}\n\nInline {{< kbd Ctrl >}} key.\n"
    )
    site = make_site(tmp_path, {"posts/p.md": yaml_post("title: T\ndate: 2024-01-01\n", body)})
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    err = capsys.readouterr().err
    path = tmp_path / "content/posts/p.md"
    assert err == (
        f"{path}:8: shortcode {{{{< gist spf13 7896402 >}}}} is not run: left out of the feed\n"
        f"{path}:10: shortcode {{{{% notice tip %}}}} is not run: left out of the feed,"
        " its inner text kept\n"
        f"{path}:14: shortcode {{{{< kbd Ctrl >}}}} is not run: left out of the feed\n"
    )
    html = content_of(site)
    assert "<p>Inner <strong>text</strong>.</p>" in html
    assert "Inline  key." in html
    assert "{{" not in html
    assert "}}" not in html


def test_built_in_shortcodes(tmp_path: Path) -> None:
    """figure (with link and attribution), youtube (with options), highlight, details,
    ref, relref and param become Hugo's output; comment gives nothing."""
    body = (
        '{{< figure src="https://cdn.example/a.png" link="https://example.org/" title="T"'
        ' caption="Cap & more" attr="Me" attrlink="https://me.example/" width="300" >}}\n\n'
        '{{< youtube id="abc123" class="video" loop=true title="Talk" >}}\n\n'
        '{{< highlight python "linenos=table" >}}\nprint("x")\n{{< /highlight >}}\n\n'
        '{{< details summary="More" open=true >}}\nHidden *text*.\n{{< /details >}}\n\n'
        'See [the other]({{< ref "other.md" >}}) and [again]({{< relref "/posts/other" >}}).\n\n'
        "By {{< param author_name >}}.{{< comment >}}not shown{{< /comment >}}\n"
    )
    site = make_site(
        tmp_path,
        {
            "posts/p.md": yaml_post("title: T\ndate: 2024-01-02\nauthor_name: Ada\n", body),
            "posts/other.md": yaml_post("title: Other\ndate: 2024-01-01\n"),
        },
        extra="limit: 1\n",
    )
    html = content_of(site, drafts=False)
    assert (
        '<figure><a href="https://example.org/"><img src="https://cdn.example/a.png"'
        ' alt="Cap &amp; more" width="300"></a><figcaption><h4>T</h4><p>Cap &amp; more'
        '<a href="https://me.example/">Me</a></p></figcaption></figure>'
    ) in html
    assert (
        '<div class="video"><iframe allow="accelerometer; autoplay; clipboard-write;'
        ' encrypted-media; gyroscope; picture-in-picture; web-share; fullscreen"'
        ' loading="eager" referrerpolicy="strict-origin-when-cross-origin"'
        ' src="https://www.youtube.com/embed/abc123?autoplay=0&amp;controls=1&amp;end=0&amp;'
        'loop=1&amp;mute=0&amp;playlist=abc123&amp;start=0" title="Talk"></iframe></div>'
    ) in html
    assert '<code class="language-python">print(&quot;x&quot;)</code>' in html or (
        '<code class="language-python">print("x")</code>' in html
    )
    assert '<details open="open">' in html
    assert "<summary>More</summary>" in html
    assert "<p>Hidden <em>text</em>.</p>" in html
    assert 'href="https://h.example.org/blog/2024/01/other/"' in html
    assert html.count("https://h.example.org/blog/2024/01/other/") == 2
    assert "By Ada." in html
    assert "not shown" not in html


def test_shortcode_problems_are_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A built-in that cannot be made (no video id, an unknown page) is left out with a warning."""
    body = '{{< youtube >}}\n\n[x]({{< ref "missing.md" >}})\n'
    make_site(tmp_path, {"posts/p.md": yaml_post("title: T\ndate: 2024-01-01\n", body)})
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    path = tmp_path / "content/posts/p.md"
    assert capsys.readouterr().err == (
        f"{path}:6: {{{{< youtube >}}}}: the youtube shortcode needs a video id; left out\n"
        f"{path}:8: {{{{< ref \"missing.md\" >}}}}: no page 'missing.md' among the posts;"
        " left out\n"
    )


def test_find_shortcodes() -> None:
    """Shortcodes are found with their arguments, paired with their closing tags
    (nested ones counted), and escaped ones kept as Hugo shows them."""
    text = (
        'a {{< x "one two" k=v q=`raw "s"` >}} b\n'
        "{{% p %}}in {{% p %}}deep{{% /p %}} out{{% /p %}}\n"
        '{{</* figure src="a" */>}} {{< self />}}'
    )
    found = hugo_shortcodes.find(text, 10)
    assert [(c.name, c.line, c.args, dict(c.params), c.inner) for c in found] == [
        ("x", 10, ("one two",), {"k": "v", "q": 'raw "s"'}, None),
        ("p", 11, (), {}, "in {{% p %}}deep{{% /p %}} out"),
        ("/*", 12, ('{{< figure src="a" >}}',), {}, None),
        ("self", 12, (), {}, None),
    ]
    out, warnings = templates.substitute(
        text, hugo_shortcodes.syntax(hugo_shortcodes.Page(url="https://x/")), 10
    )
    assert '{{&lt; figure src="a" &gt;}}' in out
    assert [line for line, _ in warnings] == [10, 11, 11, 12]


def test_inline_html_is_safe_from_markdown() -> None:
    """HTML put inside a paragraph keeps its text from being read as Markdown."""
    assert templates.inline_html("<b>a*b*_c_</b>") == "<b>a&#42;b&#42;&#95;c&#95;</b>"


# --- configuration ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hugo.yaml", "config.toml", "hugo.json"])
def test_other_configuration_files(tmp_path: Path, name: str) -> None:
    """hugo.yaml, hugo.json and the older config.* are read too."""
    data = {"baseURL": "https://c.example/", "title": "C", "timeZone": "America/New_York"}
    if name.endswith(".json"):
        text = json.dumps(data)
    elif name.endswith(".yaml"):
        text = "".join(f"{key}: {value}\n" for key, value in data.items())
    else:
        text = "".join(f'{key} = "{value}"\n' for key, value in data.items())
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "postfeed.yaml").write_text("source: hugo\n", encoding="utf-8")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert (site.url, site.title, site.timezone) == ("https://c.example/", "C", "America/New_York")


def test_warnings_for_settings_not_read(tmp_path: Path) -> None:
    """Settings of hugo.toml that postfeed does not follow are named in warnings."""
    config = CONFIG.replace(
        'title = "Notes"', 'title = "Notes"\nbuildDrafts = true\nenableGitInfo = true'
    )
    site = make_site(tmp_path, {}, config=config)
    assert site.warnings == (
        f"{tmp_path}/hugo.toml:4: enableGitInfo: dates from Git are not read; lastmod comes"
        " from the front matter",
        f"{tmp_path}/hugo.toml:3: buildDrafts: not read; publish drafts with postfeed build"
        " --drafts",
    )


def test_site_generator_is_never_run(tmp_path: Path) -> None:
    """Code in a configuration or template stays text: a hugo.toml value that looks like
    a template is read as it is, and no file outside the site is touched."""
    config = CONFIG.replace('title = "Notes"', 'title = "{{ os.Getenv \\"HOME\\" }}"')
    site = make_site(
        tmp_path, {"posts/p.md": yaml_post("title: T\ndate: 2024-01-01\n")}, config=config
    )
    assert site.title == '{{ os.Getenv "HOME" }}'


def test_postfeed_sites_keep_their_profile(tmp_path: Path) -> None:
    """A postfeed site is untouched by sources: its profile and its posts are postfeed's."""
    site = postfeed.Site(title="T", url="https://t.example/", posts_dir=tmp_path)
    assert site.markdown == markup.POSTFEED
    assert site.source == "postfeed"


# --- the rest of postfeed, unchanged ------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_worker_processes_render_with_the_hugo_profile(tmp_path: Path) -> None:
    """Worker processes render with the site's profile: forced workers, cold and from
    the cache, give the serial path's bytes, Goldmark's strikethrough included."""
    files = {
        f"posts/p{number:02d}.md": yaml_post(
            f"title: Post {number}\ndate: 2024-01-{number + 1:02d}\ntags: [go]\n",
            f'~~Old~~ new {number}, "quoted".\n\n```go\nx := {number}\n```\n',
        )
        for number in range(12)
    }
    site = make_site(tmp_path, files, extra="limit: 0\n")
    serial = postfeed.build(site, jobs=1, now=NOW)
    expected = _files(site.output_dir)
    parallel_site = postfeed.Site(
        **{**_fields(site), "output_dir": tmp_path / "parallel", "cache_dir": tmp_path / "c"}
    )
    parallel = postfeed.build(parallel_site, jobs=2, now=NOW)
    assert serial.renders == parallel.renders == 12
    assert _files(tmp_path / "parallel") == expected
    quoted = "&lt;del&gt;Old&lt;/del&gt; new 0, \u201cquoted\u201d".encode()
    assert quoted in expected["atom.xml"]
    (tmp_path / "parallel" / "atom.xml").unlink()
    assert postfeed.build(parallel_site, jobs=2, now=NOW).renders == 0
    assert _files(tmp_path / "parallel") == expected


def test_same_bytes_twice_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Building the sample site twice gives the same bytes, and --check then passes."""
    config = tmp_path / "postfeed.yaml"
    config.write_text(f"source: hugo\nsource_dir: {SAMPLE}\noutput: out\ncache: false\n")
    assert main(["build", "-q", "--config", str(config)]) == 0
    first = _files(tmp_path / "out")
    assert main(["build", "-q", "--config", str(config)]) == 0
    assert _files(tmp_path / "out") == first
    assert main(["build", "-q", "--check", "--config", str(config)]) == 0
    assert main(["links", "--config", str(config), "--feed", "tags/go"]) == 0
    out = capsys.readouterr().out
    assert 'href="https://hugo.example.org/blog/feeds/tags/go/atom.xml"' in out


def test_render_memo_keeps_profiles_apart(tmp_path: Path) -> None:
    """render() keeps what it makes of a post in its memo by the profile too: the same
    post rendered for a postfeed site and for a Hugo site gets each one's HTML."""
    site = make_site(
        tmp_path, {"posts/p.md": yaml_post("title: T\ndate: 2024-01-01\n", "~~gone~~\n")}
    )
    posts = postfeed.load_posts(site)
    plain = postfeed.Site(title="T", url=site.url)
    assert b"~~gone~~" in postfeed.render(plain, posts, "atom")
    assert b"&lt;del&gt;gone&lt;/del&gt;" in postfeed.render(site, posts, "atom")
    assert b"~~gone~~" in postfeed.render(plain, posts, "atom")
