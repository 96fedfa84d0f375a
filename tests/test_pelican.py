"""source: pelican reads a Pelican site where it stands, as Pelican 4.12 does: the sample
site in tests/data/generators/pelican, and small sites made here for each rule."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import postfeed
from postfeed.reading.sources import pelican

SAMPLE = Path(__file__).parent / "data" / "generators" / "pelican" / "site"
BASE = "https://pelican.example.org/notes/"
CONF = 'SITENAME = "P"\nSITEURL = "https://p.example.org/blog"\nTIMEZONE = "Europe/Lisbon"\n'
LISBON_WINTER = timezone(timedelta(0))


def sample_posts(tmp_path: Path) -> dict[str, postfeed.Post]:
    """The sample site's articles, by file name."""
    (tmp_path / "postfeed.yaml").write_text(f"source: pelican\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    return {post.source.name: post for post in postfeed.load_posts(site) if post.source}


def make_site(
    folder: Path, files: dict[str, str], *, conf: str = CONF, publish: str | None = None
) -> postfeed.Site:
    """A Pelican site in ``folder``: pelicanconf.py (and publishconf.py), ``files``
    under content/, and a postfeed.yaml with source: pelican; the loaded site."""
    (folder / "pelicanconf.py").write_text(conf + 'PATH = "content"\n', encoding="utf-8")
    if publish is not None:
        (folder / "publishconf.py").write_text(publish, encoding="utf-8")
    for name, text in files.items():
        path = folder / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "postfeed.yaml").write_text(
        "source: pelican\noutput: out\ncache: false\n", encoding="utf-8"
    )
    return postfeed.load_site(folder / "postfeed.yaml")


def one(site: postfeed.Site) -> postfeed.Post:
    (post,) = postfeed.load_posts(site)
    return post


def test_sample_site_settings_come_from_pelicanconf(tmp_path: Path) -> None:
    """SITEURL, SITENAME, TIMEZONE, DEFAULT_LANG and AUTHOR become the site's; Pelican
    publishes future articles, and so does the site."""
    (tmp_path / "postfeed.yaml").write_text(f"source: pelican\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert (site.url, site.title, site.timezone, site.language, site.limit) == (
        BASE,
        "Field Notes on Go",
        "Europe/Lisbon",
        "en",
        100,
    )
    assert site.author == postfeed.Author(name="Ada Lindqvist")
    assert site.future
    assert site.warnings == ()


@pytest.mark.parametrize(
    ("name", "path", "published", "lang"),
    [
        ("hybrid-clocks.md", "2099/01/hybrid-logical-clocks-in-practice/", "2099-01-15T09:00:00+00:00", "en"),
        ("konsistenzmodelle.rst", "de/2024/04/consistency-models/", "2024-04-03T10:00:00+01:00", "de"),
        ("consistency-models.md", "2024/04/consistency-models/", "2024-04-02T08:15:00+01:00", "en"),
        ("raft-leader-election.rst", "2024/03/how-raft-elects-a-leader/", "2024-03-05T09:30:00+01:00", "en"),
        ("grpc-deadlines.md", "2024/02/grpc-deadlines-across-hops/", "2024-02-10T14:00:00+00:00", "en"),
        ("context-cancellation.md", "2024/01/cancelling-work-with-contextcontext/", "2024-01-15T00:00:00+00:00", "en"),
        ("backpressure.md", "2023/11/backpressure-mit-gepufferten-kanalen-ein-uberblick/", "2023-11-20T07:15:00-05:00", "en"),
    ],
)  # fmt: skip
def test_sample_articles_get_pelicans_links_ids_and_dates(
    tmp_path: Path, name: str, path: str, published: str, lang: str
) -> None:
    """Each sample article's link, tag: id, date and language, as in all.atom.xml."""
    post = sample_posts(tmp_path)[name]
    when = datetime.fromisoformat(published)
    assert post.url == BASE + path
    assert post.id == f"tag:pelican.example.org,{when:%Y-%m-%d}:/notes/{path}"
    assert post.published == when
    assert post.lang == lang


def test_sample_metadata(tmp_path: Path) -> None:
    """Status: draft is a draft; the category falls back to the folder; authors are
    split at commas; Modified is the update; {filename} and {static} links are made
    absolute."""
    posts = sample_posts(tmp_path)
    assert posts["idempotency-keys.md"].draft
    assert posts["backpressure.md"].categories == ("go",)
    grpc = posts["grpc-deadlines.md"]
    assert [author.name for author in grpc.authors] == ["Ada Lindqvist", "Tomás Ferreira"]
    assert grpc.updated == datetime(2024, 2, 12, 9, tzinfo=LISBON_WINTER)
    assert "(https://pelican.example.org/notes/images/queue.png)" in (grpc.markdown or "")
    context = posts["context-cancellation.md"].markdown or ""
    assert "(https://pelican.example.org/notes/2024/02/grpc-deadlines-across-hops/)" in context
    raft = posts["raft-leader-election.rst"]
    assert 'href="https://pelican.example.org/notes/2024/02/grpc-deadlines-across-hops/"' in (
        raft.html or ""
    )
    assert raft.summary == (
        '<p class="first last">Terms, votes and randomized timeouts: the three ideas behind'
        " Raft's leader election.</p>\n"
    )
    assert all(not post.warnings for post in posts.values())


def test_settings_are_read_as_literals_never_run(tmp_path: Path) -> None:
    """Literals, names of settings given before and + of texts are read; publishconf.py
    is read over pelicanconf.py; code is never run, its setting keeps Pelican's default."""
    site = make_site(
        tmp_path,
        {"a.md": "Title: A\nDate: 2024-05-01 10:00\n\nHi.\n"},
        conf=CONF + 'ROOT = "https://p.example.org"\nARTICLE_URL = ROOT + "/x/{slug}/"\n'
        "DEFAULT_LANG = open('/etc/hostname').read()\n",
        publish='from pelicanconf import *\nSITEURL = "https://live.example.org"\n',
    )
    assert site.url == "https://live.example.org/"
    assert site.language == "en"
    assert site.warnings == (
        f"{tmp_path}/pelicanconf.py:6: DEFAULT_LANG: not a literal, so not read (postfeed never"
        " runs pelicanconf.py); Pelican's default 'en' is used",
    )
    assert one(site).url == "https://p.example.org/x/a/"


def test_markdown_metadata_header() -> None:
    """Python-Markdown's meta rules: an opening ---, keys lower-cased, indented lines
    continue a value, the header ends at a blank line."""
    meta, lines, body, line = pelican.markdown_metadata(
        "---\nTitle: A\nTags: a,\n    b\nSUMMARY: s\n\nBody: not metadata.\n"
    )
    assert meta == {"title": ["A"], "tags": ["a,", "b"], "summary": ["s"]}
    assert lines == {"title": 2, "tags": 3, "summary": 5}
    assert (body, line) == ("Body: not metadata.\n", 7)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Cancelling Work with context.Context", "cancelling-work-with-contextcontext"),
        ("Backpressure mit gepufferten Kanälen — ein Überblick", "backpressure-mit-gepufferten-kanalen-ein-uberblick"),
        ("Straße & Œuvre", "strasse-oeuvre"),
    ],
)  # fmt: skip
def test_slugify_as_pelican(title: str, slug: str) -> None:
    """utils.py slugify: NFKC, Unidecode to ASCII, the default substitutions, lower case."""
    assert pelican.slugify(title) == slug


def test_category_tags_status_and_translation(tmp_path: Path) -> None:
    """No Category and no folder: DEFAULT_CATEGORY; tags split at ';' when there is
    one; hidden articles are in no feed; another language uses ARTICLE_LANG_URL."""
    site = make_site(
        tmp_path,
        {
            "a.md": "Title: A\nDate: 2024-05-01\nTags: x, y; z\n\nHi.\n",
            "b.md": "Title: B\nDate: 2024-05-02\nStatus: hidden\n\nHi.\n",
            "c.md": "Title: A\nDate: 2024-05-03\nLang: fr\nTranslation: true\n\nSalut.\n",
        },
    )
    posts = {post.source.name: post for post in postfeed.load_posts(site) if post.source}
    assert sorted(posts) == ["a.md", "c.md"]
    assert posts["a.md"].categories == ("misc",)
    assert posts["a.md"].tags == ("x, y", "z")
    assert posts["a.md"].url == "https://p.example.org/blog/a.html"
    assert posts["c.md"].url == "https://p.example.org/blog/a-fr.html"
    assert posts["c.md"].id == "tag:p.example.org,2024-05-03:/blog/a-fr.html"


def test_date_without_offset_is_in_timezone(tmp_path: Path) -> None:
    """A naive date is in TIMEZONE (Lisbon is UTC+1 in summer); an offset is kept."""
    site = make_site(
        tmp_path,
        {
            "a.md": "Title: A\nDate: 2024-07-01 10:00\n\nHi.\n",
            "b.md": "Title: B\nDate: 2024-07-01 10:00-05:00\n\nHi.\n",
        },
    )
    dates = {post.title: post.published for post in postfeed.load_posts(site)}
    assert dates == {
        "A": datetime(2024, 7, 1, 9, tzinfo=UTC),
        "B": datetime(2024, 7, 1, 15, tzinfo=UTC),
    }


def test_rst_without_docutils_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where docutils is not installed, a reST article is left out with a warning
    naming what to install; Markdown articles are read."""
    site = make_site(
        tmp_path,
        {
            "a.rst": "A\n#\n\n:date: 2024-05-01\n\nHi.\n",
            "b.md": "Title: B\nDate: 2024-05-02\n\nHi.\n",
        },
    )
    monkeypatch.setitem(sys.modules, "docutils.core", None)
    result = postfeed.build(site, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [post.title for post in result.published] == ["B"]
    assert result.warnings == (
        f"{tmp_path}/content/a.rst: reStructuredText needs docutils, which is not installed:"
        " left out of the feeds; install it with pip install 'postfeed[pelican]'",
    )


def test_rst_is_rendered_as_pelican_renders_it(tmp_path: Path) -> None:
    """The first section title is the title, field lists the metadata; code-block is
    a highlight div (no Pygments spans); include never reads a file."""
    site = make_site(
        tmp_path,
        {
            "a.rst": "Hello *World*\n#############\n\n:date: 2024-05-01\n:tags: a, b\n\n"
            "Text.\n\n.. code-block:: go\n\n   x := 1\n\n.. include:: /etc/hostname\n",
        },
    )
    post = one(site)
    assert (post.title, post.tags) == ("Hello World", ("a", "b"))
    assert post.html == (
        "<p>Text.</p>\n"
        '<div class="highlight"><pre><code class="language-go">x := 1\n</code></pre></div>\n'
    )
    assert post.warnings == (
        f'{tmp_path}/content/a.rst:13: reStructuredText: "include" directive disabled.',
    )
