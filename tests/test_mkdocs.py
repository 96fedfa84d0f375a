"""source: mkdocs reads a Material blog where it stands, as Material 9.8 and
mkdocs-rss-plugin 1.19 read it: the sample site in tests/data/generators/mkdocs, and
small sites made here for each rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
import pytest

import postfeed
from postfeed.cli import main
from postfeed.rendering import markup

SAMPLE = Path(__file__).parent / "data" / "generators" / "mkdocs" / "site"
BASE = "https://mkdocs.example.org/handbook/"
BLOG = BASE + "blog/"
CONFIG = """\
site_name: Notes
site_url: https://m.example.org/docs/
theme:
  name: material
plugins:
  - blog
"""
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# The sample's options that are Python code, as Material's documentation writes them.
SAMPLE_CODE_WARNINGS = (
    f"{SAMPLE}/mkdocs.yml:34: markdown_extensions: pymdownx.emoji: emoji_index:"
    " !!python/name:material.extensions.emoji.twemoji is not run: left out",
    f"{SAMPLE}/mkdocs.yml:35: markdown_extensions: pymdownx.emoji: emoji_generator:"
    " !!python/name:material.extensions.emoji.to_svg is not run: left out",
    f"{SAMPLE}/mkdocs.yml:40: markdown_extensions: pymdownx.superfences: custom_fences:"
    " !!python/name:pymdownx.superfences.fence_code_format is not run: left out",
)
ATOM = "{http://www.w3.org/2005/Atom}"


def sample_posts(tmp_path: Path) -> dict[str, postfeed.Post]:
    """The sample site's posts, by file name."""
    (tmp_path / "postfeed.yaml").write_text(f"source: mkdocs\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    return {post.source.name: post for post in postfeed.load_posts(site) if post.source}


def make_site(
    folder: Path, files: dict[str, str], *, config: str = CONFIG, extra: str = ""
) -> postfeed.Site:
    """An MkDocs site in ``folder``: mkdocs.yml, ``files`` under docs/ (posts under
    docs/blog/posts/), and a postfeed.yaml with source: mkdocs (and ``extra``)."""
    (folder / "docs" / "blog" / "posts").mkdir(parents=True, exist_ok=True)
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = folder / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "postfeed.yaml").write_text(
        "source: mkdocs\noutput: out\ncache: false\n" + extra, encoding="utf-8"
    )
    return postfeed.load_site(folder / "postfeed.yaml")


def post(front: str, body: str = "Hello.\n") -> str:
    return f"---\n{front}---\n\n{body}"


def one(site: postfeed.Site) -> postfeed.Post:
    (found,) = postfeed.load_posts(site)
    return found


def contents(atom: Path) -> dict[str, str]:
    """Each entry's content in an Atom file, by title, as written."""
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


def test_sample_site_settings_come_from_mkdocs_yml(tmp_path: Path) -> None:
    """site_url, site_name, site_description, site_author, the theme's language and
    the RSS plugin's length become the site's; future posts are published; options
    written as Python are named and left out, never imported."""
    (tmp_path / "postfeed.yaml").write_text(f"source: mkdocs\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert (site.url, site.title, site.description, site.language, site.limit) == (
        BASE,
        "Field Notes on Go",
        "Short notes on Go and distributed systems.",
        "en",
        20,
    )
    assert site.author == postfeed.Author(name="Ada Lindqvist")
    assert (site.source, site.posts_dir, site.markdown.name, site.future) == (
        "mkdocs",
        SAMPLE,
        "mkdocs",
        True,
    )
    assert site.warnings == SAMPLE_CODE_WARNINGS
    assert "pymdownx.emoji" in site.markdown.extensions
    assert "pymdownx.emoji" not in dict(site.markdown.settings)


@pytest.mark.parametrize(
    ("name", "url", "published", "updated"),
    [
        # A future post: Material publishes it (draft_if_future_date is off).
        (
            "hybrid-clocks.md",
            "2099/01/15/hybrid-logical-clocks-in-practice/",
            "2099-01-15T00:00:00+00:00",
            None,
        ),
        # A plain date: Material's date (the RSS plugin, reading date.created, falls
        # back to the build time); no title: the first heading's.
        (
            "backpressure.md",
            "2023/11/20/backpressure-with-bounded-channels/",
            "2023-11-20T00:00:00+00:00",
            None,
        ),
        # A naive created date is UTC; the slug keeps the umlaut and drops the colon and dot.
        (
            "konsistenzmodelle.md",
            "2024/04/02/%C3%BCber-konsistenzmodelle-linearisierbarkeit-vs-kausale-konsistenz/",
            "2024-04-02T08:15:00+00:00",
            None,
        ),
        # An offset is kept, and decides the URL's day; date.updated is the update.
        (
            "raft-leader-election.md",
            "2024/03/05/how-raft-elects-a-leader/",
            "2024-03-05T09:30:00+01:00",
            "2024-03-12T18:05:00+01:00",
        ),
        # In a subfolder of posts/: not part of the URL.
        (
            "grpc-deadlines.md",
            "2024/02/10/grpc-deadlines-across-service-hops/",
            "2024-02-10T14:00:00+00:00",
            "2024-02-12T09:00:00+00:00",
        ),
        # slug given.
        (
            "context-cancellation.md",
            "2024/01/15/cancel-with-context/",
            "2024-01-15T00:00:00+00:00",
            None,
        ),
    ],
)
def test_sample_links_ids_and_dates(
    tmp_path: Path, name: str, url: str, published: str, updated: str | None
) -> None:
    """Each sample post has the RSS plugin's link as its URL and id, and its dates."""
    found = sample_posts(tmp_path)[name]
    assert found.url == found.id == BLOG + url
    assert found.published.isoformat() == published
    assert (found.updated.isoformat() if found.updated else None) == updated


def test_sample_dates_match_the_json_feed(tmp_path: Path) -> None:
    """The RSS plugin's JSON feed has a post's real update date where the post gives
    date.updated (others are build times): postfeed's updates are those; its publish
    dates are the JSON feed's wherever that is not a build time."""
    feed = json.loads((SAMPLE.parent / "expected" / "feed_json_created.json").read_text())
    posts = {found.id: found for found in sample_posts(tmp_path).values()}
    real_updates = {
        BLOG + "2024/03/05/how-raft-elects-a-leader/",
        BLOG + "2024/02/10/grpc-deadlines-across-service-hops/",
    }
    build_time_dated = BLOG + "2023/11/20/backpressure-with-bounded-channels/"
    compared = 0
    for item in feed["items"]:
        found = posts[item["id"]]
        if item["id"] != build_time_dated:
            assert found.published == datetime.fromisoformat(item["date_published"])
            compared += 1
        if item["id"] in real_updates:
            assert found.updated == datetime.fromisoformat(item["date_modified"])
        else:
            assert found.updated is None
    assert compared == len(feed["items"]) - 1 == 5


def test_sample_titles_authors_and_taxonomies(tmp_path: Path) -> None:
    """A post without a title takes its first heading; authors are resolved through
    .authors.yml; categories and tags are read apart."""
    posts = sample_posts(tmp_path)
    assert posts["raft-leader-election.md"].title == "How Raft Elects a Leader"
    assert posts["backpressure.md"].title == "Backpressure with Bounded Channels"
    assert posts["grpc-deadlines.md"].authors == (
        postfeed.Author(name="Ada Lindqvist"),
        postfeed.Author(name="Tomás Ferreira"),
    )
    assert posts["grpc-deadlines.md"].categories == ("Distributed Systems",)
    assert posts["grpc-deadlines.md"].tags == ("grpc", "go")
    assert posts["backpressure.md"].authors == ()


def test_sample_draft_is_left_out(tmp_path: Path) -> None:
    """draft: true leaves a post out, as Material and the RSS plugin do; --drafts
    publishes it."""
    posts = sample_posts(tmp_path)
    published, left_out = postfeed.select(list(posts.values()), now=NOW, future=True)
    assert [(left.post.source.name, left.reason) for left in left_out if left.post.source] == [
        ("idempotency-keys.md", "draft")
    ]
    assert len(published) == 6
    assert len(postfeed.select(list(posts.values()), now=NOW, drafts=True, future=True)[0]) == 7


def test_sample_feed_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The feeds carry every post in full, without its title heading: the summary is
    the text before <!-- more -->, links to other posts' files are their URLs, an image
    is where MkDocs publishes it, and the site's extensions render it."""
    (tmp_path / "postfeed.yaml").write_text(
        f"source: mkdocs\nsource_dir: {SAMPLE}\noutput: out\ncache: false\n"
    )
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    out, err = capsys.readouterr()
    assert err == "".join(f"{warning}\n" for warning in SAMPLE_CODE_WARNINGS)
    assert "6 posts published, 1 left out (1 draft)" in out
    parsed = feedparser.parse((tmp_path / "out/atom.xml").read_bytes(), sanitize_html=False)
    entries = {entry.title: entry for entry in parsed.entries}
    written = contents(tmp_path / "out/atom.xml")
    raft = written["How Raft Elects a Leader"]
    assert "<h1" not in raft
    assert raft.startswith("<p>Raft keeps a cluster")
    assert '<div class="admonition note">' in raft
    assert '<p class="admonition-title">Timing</p>' in raft
    assert "MTBF" in raft  # the footnote
    summary = entries["How Raft Elects a Leader"].summary
    assert "becomes a candidate.</p>" in summary
    assert "admonition" not in summary
    backpressure = written["Backpressure with Bounded Channels"]
    assert f'href="{BLOG}2024/03/05/how-raft-elects-a-leader/"' in backpressure
    grpc = written["gRPC Deadlines Across Service Hops"]
    assert f'src="{BLOG}images/queue.png"' in grpc
    assert 'type="checkbox"' in grpc
    assert '<span class="task-list-indicator"></span>' in grpc  # custom_checkbox: true
    context = written["Cancelling Work with context.Context"]
    assert f'href="{BLOG}2024/02/10/grpc-deadlines-across-service-hops/"' in context
    assert "<del>Never</del> Rarely" in context
    assert '<code class="language-go">' in context or 'class="language-go' in context
    assert "<table>" in context


def test_same_bytes_twice_and_check(tmp_path: Path) -> None:
    """Building the sample site twice gives the same bytes, and --check then passes."""
    config = tmp_path / "postfeed.yaml"
    config.write_text(f"source: mkdocs\nsource_dir: {SAMPLE}\noutput: out\ncache: false\n")
    assert main(["build", "-q", "--config", str(config)]) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()}
    assert main(["build", "-q", "--config", str(config)]) == 0
    again = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()}
    assert again == first
    assert main(["build", "-q", "--check", "--config", str(config)]) == 0


# --- dates ---------------------------------------------------------------------------


def test_dates_as_material_reads_them(tmp_path: Path) -> None:
    """A date is a value or a mapping with created (and updated); a naive one is UTC,
    a day alone is midnight UTC; an update before the date is none."""
    site = make_site(
        tmp_path,
        {
            "blog/posts/a.md": post("title: A\ndate: 2024-05-01 10:30:00\n"),
            "blog/posts/b.md": post(
                "title: B\ndate:\n  created: 2024-05-02\n  updated: 2024-05-01\n"
            ),
            "blog/posts/c.md": post(
                "title: C\ndate:\n  created: 2024-05-03T10:00:00-04:00\n"
                "  updated: 2024-05-04 08:00:00\n"
            ),
        },
    )
    posts = {p.title: p for p in postfeed.load_posts(site)}
    assert posts["A"].published == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert posts["B"].published == datetime(2024, 5, 2, tzinfo=UTC)
    assert posts["B"].updated is None
    assert posts["C"].published == datetime(2024, 5, 3, 10, tzinfo=timezone(timedelta(hours=-4)))
    assert posts["C"].updated == datetime(2024, 5, 4, 8, tzinfo=UTC)
    assert posts["C"].url == "https://m.example.org/docs/blog/2024/05/03/c/"


def test_rss_plugin_reading_the_plain_date(tmp_path: Path) -> None:
    """With date_from_meta.as_creation: date, the RSS plugin reads a plain date in its
    default_timezone at its default_time: the feed's date follows it, the URL
    Material's UTC day."""
    config = CONFIG + (
        "  - rss:\n      use_git: false\n      date_from_meta:\n        as_creation: date\n"
        "        default_timezone: America/New_York\n        default_time: '09:30'\n"
    )
    site = make_site(
        tmp_path,
        {
            "blog/posts/a.md": post("title: A\ndate: 2024-05-01\n"),
            "blog/posts/b.md": post("title: B\ndate: 2024-05-02 23:00:00\n"),
        },
        config=config,
    )
    posts = {p.title: p for p in postfeed.load_posts(site)}
    new_york = timezone(timedelta(hours=-4))
    assert posts["A"].published == datetime(2024, 5, 1, 9, 30, tzinfo=new_york)
    assert posts["B"].published == datetime(2024, 5, 2, 23, tzinfo=new_york)
    assert posts["B"].url == "https://m.example.org/docs/blog/2024/05/02/b/"


def test_rss_plugin_url_parameters_and_match_path(tmp_path: Path) -> None:
    """url_parameters go on the link, not the id; match_path leaves posts out of the feeds."""
    config = CONFIG + (
        "  - rss:\n      match_path: 'blog/posts/[a-m].*'\n      url_parameters:\n"
        "        utm_source: feed\n        utm_medium: rss\n"
    )
    site = make_site(
        tmp_path,
        {
            "blog/posts/a.md": post("title: A\ndate: 2024-05-01\n"),
            "blog/posts/z.md": post("title: Z\ndate: 2024-05-02\n"),
        },
        config=config,
    )
    assert site.warnings == (
        f"{tmp_path}/mkdocs.yml:7: plugins: rss: the RSS plugin dates posts by their Git"
        " history (date_from_meta.as_creation: git); postfeed dates them by their date",
    )
    found = one(site)
    assert found.id == "https://m.example.org/docs/blog/2024/05/01/a/"
    assert found.url == found.id + "?utm_source=feed&utm_medium=rss"


def test_draft_if_future_date(tmp_path: Path) -> None:
    """With draft_if_future_date, future posts are left out, as Material leaves them out."""
    config = CONFIG.replace("  - blog\n", "  - blog:\n      draft_if_future_date: true\n")
    site = make_site(
        tmp_path, {"blog/posts/a.md": post("title: A\ndate: 2099-05-01\n")}, config=config
    )
    assert site.future is False
    assert postfeed.build(site, now=NOW).published == ()


# --- links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "front", "url"),
    [
        ("", "title: 'Über uns: Teil 2!'\n", "blog/2024/05/01/über-uns-teil-2/"),
        ("", "title: T\nslug: My Own\n", "blog/2024/05/01/My%20Own/"),
        (
            "post_url_format: '{categories}/{slug}'",
            "title: Hello World\ncategories: [Distributed Systems, Go]\n",
            "blog/distributed-systems/hello-world/",
        ),
        ("post_url_format: '{file}'", "title: T\n", "blog/a-file/"),
        ("post_url_date_format: yyyy/MMM", "title: T\n", "blog/2024/May/t/"),
        ("post_url_date_format: \"yy'-'M'-'d\"", "title: T\n", "blog/24-5-1/t/"),
        ("blog_dir: news", "title: T\n", "news/2024/05/01/t/"),
        ("post_slugify_separator: _", "title: A Title\n", "blog/2024/05/01/a_title/"),
    ],
)
def test_post_urls(tmp_path: Path, settings: str, front: str, url: str) -> None:
    """post_url_format, post_url_date_format, blog_dir, slugs from titles (Unicode kept,
    percent-encoded) and given slugs make the URL as Material makes it."""
    config = CONFIG.replace(
        "  - blog\n", f"  - blog:\n      {settings}\n" if settings else "  - blog\n"
    )
    blog = "news" if "blog_dir" in settings else "blog"
    site = make_site(
        tmp_path, {f"{blog}/posts/a-file.md": post(front + "date: 2024-05-01\n")}, config=config
    )
    assert one(site).url == "https://m.example.org/docs/" + url.replace("über", "%C3%BCber")


def test_title_from_the_file_name(tmp_path: Path) -> None:
    """Without a title or a first heading, MkDocs makes one of the file name."""
    site = make_site(
        tmp_path,
        {"blog/posts/my-first_post.md": post("date: 2024-05-01\n", "Text first.\n\n# Late\n")},
    )
    found = one(site)
    assert found.title == "My first post"
    assert found.url == "https://m.example.org/docs/blog/2024/05/01/my-first-post/"


def test_directory_urls_off(tmp_path: Path) -> None:
    """use_directory_urls: false links posts as .html files."""
    site = make_site(
        tmp_path,
        {"blog/posts/a.md": post("title: T\ndate: 2024-05-01\n")},
        config=CONFIG + "use_directory_urls: false\n",
    )
    assert one(site).url == "https://m.example.org/docs/blog/2024/05/01/t.html"


def test_post_slugify_from_its_tag(tmp_path: Path) -> None:
    """post_slugify written as pymdownx's slugify with options is read (never imported);
    any other callable is code: a warning, and the default slugs."""
    config = CONFIG.replace(
        "  - blog\n",
        "  - blog:\n      post_slugify: !!python/object/apply:pymdownx.slugs.slugify\n"
        "        kwds:\n          case: lower\n          percent_encode: true\n",
    )
    site = make_site(
        tmp_path, {"blog/posts/a.md": post("title: Über\ndate: 2024-05-01\n")}, config=config
    )
    assert one(site).url == "https://m.example.org/docs/blog/2024/05/01/%25C3%25BCber/"
    other = tmp_path / "other"
    other.mkdir()
    config = CONFIG.replace(
        "  - blog\n", "  - blog:\n      post_slugify: !!python/name:my_slugs.slugify\n"
    )
    site = make_site(
        other, {"blog/posts/a.md": post("title: Über\ndate: 2024-05-01\n")}, config=config
    )
    assert site.warnings == (
        f"{other}/mkdocs.yml:7: plugins: blog: post_slugify: !!python/name:my_slugs.slugify"
        " is code, not run; slugs are made by pymdownx.slugs.slugify(case=lower)",
    )
    assert one(site).url == "https://m.example.org/docs/blog/2024/05/01/%C3%BCber/"


def test_links_to_files_under_docs(tmp_path: Path) -> None:
    """Relative links to posts' files, to other pages and to other files become the
    URLs MkDocs gives them (media in the posts folder move to the blog's); links to
    files that do not exist, and links in code, stay as written."""
    body = (
        "[b](b.md#part) [page](../../guide/setup.md) [home](../../index.md)"
        " ![i](img/x.png) [gone](nope.md)\n\n`[c](b.md)`\n"
    )
    site = make_site(
        tmp_path,
        {
            "blog/posts/a.md": post("title: A\ndate: 2024-05-02\n", body),
            "blog/posts/b.md": post("title: B\ndate: 2024-05-01\n"),
            "blog/posts/img/x.png": "png",
            "guide/setup.md": "# Setup\n",
            "index.md": "# Home\n",
        },
    )
    posts = {p.title: p for p in postfeed.load_posts(site)}
    markdown = posts["A"].markdown
    assert markdown is not None
    base = "https://m.example.org/docs/"
    assert f"[b]({base}blog/2024/05/01/b/#part)" in markdown
    assert f"[page]({base}guide/setup/)" in markdown
    assert f"[home]({base})" in markdown
    assert f"![i]({base}blog/img/x.png)" in markdown
    assert "[gone](nope.md)" in markdown
    assert "`[c](b.md)`" in markdown


def test_excerpt_separator_and_title_heading(tmp_path: Path) -> None:
    """A post's own excerpt separator marks its summary; the first heading is taken
    off the content only when it is the title."""
    config = CONFIG.replace(
        "  - blog\n", "  - blog:\n      post_excerpt_separator: <!-- read more -->\n"
    )
    site = make_site(
        tmp_path,
        {
            "blog/posts/a.md": post(
                "title: A\ndate: 2024-05-02\n", "# A\n\nFirst.\n\n<!-- read more -->\n\nSecond.\n"
            ),
            "blog/posts/b.md": post("title: B\ndate: 2024-05-01\n", "# Other\n\nText.\n"),
        },
        config=config,
    )
    postfeed.build(site, now=NOW)
    parsed = feedparser.parse((site.output_dir / "atom.xml").read_bytes(), sanitize_html=False)
    entries = {entry.title: entry for entry in parsed.entries}
    assert entries["A"].summary == "<p>First.</p>"
    assert "<h1" not in entries["A"].content[0].value
    assert "Second." in entries["A"].content[0].value
    assert '<h1 id="other">Other</h1>' in entries["B"].content[0].value


# --- Markdown ------------------------------------------------------------------------


def test_markdown_extensions_from_mkdocs_yml(tmp_path: Path) -> None:
    """markdown_extensions become the profile, after MkDocs' own toc, tables and
    fenced_code; options that are code, extensions postfeed does not have and those
    that read other files are left out with warnings."""
    config = CONFIG + (
        "markdown_extensions:\n"
        "  - admonition\n"
        "  - markdown.extensions.def_list\n"
        "  - toc:\n      permalink: '#'\n"
        "  - pymdownx.superfences:\n"
        "      custom_fences:\n"
        "        - name: mermaid\n"
        "          class: mermaid\n"
        "          format: !!python/name:pymdownx.superfences.fence_code_format\n"
        "  - pymdownx.highlight:\n      use_pygments: true\n      anchor_linenums: true\n"
        "  - pymdownx.snippets\n"
        "  - markdown_include.include\n"
    )
    site = make_site(tmp_path, {}, config=config)
    assert site.markdown.extensions == (
        "toc",
        "tables",
        "fenced_code",
        "admonition",
        "def_list",
        "pymdownx.superfences",
        "pymdownx.highlight",
    )
    assert dict(site.markdown.settings) == {
        "toc": (("permalink", "#"),),
        "pymdownx.highlight": (("anchor_linenums", True), ("use_pygments", False)),
    }
    path = tmp_path / "mkdocs.yml"
    assert site.warnings == (
        f"{path}:16: markdown_extensions: pymdownx.superfences: custom_fences:"
        " !!python/name:pymdownx.superfences.fence_code_format is not run: left out",
        f"{path}:20: markdown_extensions: pymdownx.snippets is not run (it includes other"
        " files): left out",
        f"{path}:21: markdown_extensions: markdown_include.include is not one of"
        " Python-Markdown's or pymdown-extensions' extensions: left out",
    )
    assert markup.renderer_settings(site.markdown) != markup.renderer_settings()


def test_settings_written_as_code_are_not_read(tmp_path: Path) -> None:
    """A value written with a tag (!ENV, !!python/...) is never constructed: site_url
    from the environment is not read, and the URL must come from postfeed.yaml."""
    config = CONFIG.replace(
        "site_url: https://m.example.org/docs/", "site_url: !ENV [SITE_URL, 'https://x.org/']"
    )
    (tmp_path / "mkdocs.yml").write_text(config)
    (tmp_path / "postfeed.yaml").write_text("source: mkdocs\n")
    with pytest.raises(postfeed.PostErrors) as raised:
        postfeed.load_site(tmp_path / "postfeed.yaml")
    assert str(raised.value) == (
        f"{tmp_path}/postfeed.yaml: url: missing; mkdocs.yml has no site_url; set url in"
        " postfeed.yaml"
    )
    (tmp_path / "postfeed.yaml").write_text("source: mkdocs\nurl: https://y.org/\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert site.url == "https://y.org/"
    assert site.warnings == (
        f"{tmp_path}/mkdocs.yml:2: site_url: !ENV is not read; set url in postfeed.yaml",
    )


def test_post_errors_in_one_run(tmp_path: Path) -> None:
    """Every post Material would refuse is reported at once, with its line."""
    site = make_site(
        tmp_path,
        {
            "blog/posts/a.md": post("title: A\ndate: '2024-05-01'\n"),
            "blog/posts/b.md": post("title: B\ncategories: Go\ndate: 2024-05-01\n"),
            "blog/posts/c.md": post("title: C\ndate:\n  updated: 2024-05-01\n"),
            "blog/posts/d.md": post("title: D\n"),
            "blog/posts/e.md": post("title: E\ndate: 2024-05-01\nauthors: [nobody]\n"),
            "blog/posts/f.md": post("title: F\ndate: 2024-05-01\ndraft: maybe\n"),
        },
    )
    with pytest.raises(postfeed.PostErrors) as raised:
        postfeed.load_posts(site)
    posts = tmp_path / "docs" / "blog" / "posts"
    assert [str(error) for error in raised.value.errors] == [
        f"{posts}/a.md:3: date: expected a date such as 2024-01-15 or 2024-01-15 10:00:00,"
        " got '2024-05-01' (Material reads no quoted text: write it unquoted)",
        f"{posts}/b.md:3: categories: expected a list of text such as [Go], got 'Go'",
        f"{posts}/c.md:3: date: expected created in the mapping (date: {{created: 2024-01-15}})",
        f"{posts}/d.md: date: missing (Material's blog needs a date for every post)",
        f"{posts}/e.md:4: authors: unknown author 'nobody' (not in blog/.authors.yml)",
        f"{posts}/f.md:4: draft: expected true or false, got 'maybe'",
    ]


def test_no_blog_plugin(tmp_path: Path) -> None:
    """An MkDocs site without Material's blog plugin has no posts to read: an error."""
    (tmp_path / "mkdocs.yml").write_text("site_name: S\nsite_url: https://s.org/\n")
    (tmp_path / "postfeed.yaml").write_text("source: mkdocs\n")
    with pytest.raises(postfeed.ConfigError) as raised:
        postfeed.load_site(tmp_path / "postfeed.yaml")
    assert str(raised.value) == (
        f"{tmp_path}/mkdocs.yml: plugins: Material's blog plugin (blog) is not enabled;"
        " postfeed reads the blog's posts"
    )


def test_macros_are_never_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With the macros plugin, Jinja in a post is left out with a warning (raw blocks
    keep their text); without it, braces are text."""
    body = "Version {{ config.extra.version }}.\n\n{% raw %}{{ kept }}{% endraw %}\n"
    config = CONFIG + "  - macros\n"
    site = make_site(
        tmp_path, {"blog/posts/a.md": post("title: A\ndate: 2024-05-01\n", body)}, config=config
    )
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    assert capsys.readouterr().err == (
        f"{tmp_path}/docs/blog/posts/a.md:6: Jinja output {{{{ config.extra.version }}}} is not"
        " run: left out of the feed\n"
    )
    assert one(site).markdown == "Version .\n\n{{ kept }}\n"
    plain = make_site(
        tmp_path / "plain", {"blog/posts/a.md": post("title: A\ndate: 2024-05-01\n", body)}
    )
    assert one(plain).markdown == body


def test_odd_settings_are_messages_not_tracebacks(tmp_path: Path) -> None:
    """A theme given by name, a slugify normalisation pymdownx does not know, and a URL
    format that reaches into a value are read without a traceback."""
    config = CONFIG.replace("theme:\n  name: material\n", "theme: material\n").replace(
        "  - blog\n",
        "  - blog:\n      post_slugify: !!python/object/apply:pymdownx.slugs.slugify\n"
        "        kwds: {case: lower, normalize: XYZ}\n",
    )
    site = make_site(
        tmp_path, {"blog/posts/a.md": post("title: Ü\ndate: 2024-05-01\n")}, config=config
    )
    assert site.language == "en"
    assert one(site).url == "https://m.example.org/docs/blog/2024/05/01/%C3%BC/"
    bad = CONFIG.replace("  - blog\n", "  - blog:\n      post_url_format: '{slug.nope}'\n")
    with pytest.raises(postfeed.ConfigError) as raised:
        make_site(tmp_path / "bad", {}, config=bad)
    assert str(raised.value) == (
        f"{tmp_path}/bad/mkdocs.yml:7: plugins: blog: post_url_format: '{{slug.nope}}' is not a"
        " format Material fills ({categories}, {date}, {file}, {slug})"
    )


def test_slugs_are_pymdownx_slugs() -> None:
    """markup.slugify is pymdown-extensions' slugify, as Material calls it."""
    assert (
        markup.slugify("Über Konsistenz: vs. kausal", case="lower") == "über-konsistenz-vs-kausal"
    )
    assert markup.slugify("A  B", "_") == "A__B"
    assert markup.slugify("Ü", case="lower", percent_encode=True) == "%C3%BC"


def test_two_posts_at_one_url_are_refused(tmp_path: Path) -> None:
    """Two posts Material would write to one URL: an error at the second, on its slug's
    line, naming the first."""
    site = make_site(
        tmp_path,
        {
            "blog/posts/a.md": post("title: A\ndate: 2024-05-01\nslug: same\n"),
            "blog/posts/b.md": post("title: B\ndate: 2024-05-01\nslug: same\n"),
        },
    )
    with pytest.raises(postfeed.PostErrors) as caught:
        postfeed.load_posts(site)
    assert [str(error) for error in caught.value.errors] == [
        f"{tmp_path}/docs/blog/posts/b.md:4: url 'https://m.example.org/docs/blog/2024/05/01/same/'"
        f" is also used by {tmp_path}/docs/blog/posts/a.md"
    ]
