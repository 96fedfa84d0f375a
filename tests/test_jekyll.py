"""source: jekyll reads a Jekyll site where it stands, as Jekyll 4.3 and jekyll-feed do:
the sample site in tests/data/generators/jekyll, and small sites made here for each
rule (the URLs and ids of the permalink, category and date cases were checked with
Jekyll 4.3.1 and jekyll-feed 0.17.0)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest

import postfeed
from postfeed.cli import main
from postfeed.reading.sources import jekyll

SAMPLE = Path(__file__).parent / "data" / "generators" / "jekyll" / "site"
BASE = "https://jekyll.example.org/field-notes/"
CONFIG = """\
title: Notes
url: "https://j.example.org"
timezone: America/New_York
"""
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
NEW_YORK_WINTER = timezone(timedelta(hours=-5))


def sample_posts(tmp_path: Path) -> dict[str, postfeed.Post]:
    """The sample site's posts, by file name."""
    (tmp_path / "postfeed.yaml").write_text(f"source: jekyll\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    return {post.source.name: post for post in postfeed.load_posts(site) if post.source}


def make_site(
    folder: Path, files: dict[str, str], *, config: str = CONFIG, extra: str = ""
) -> postfeed.Site:
    """A Jekyll site in ``folder``: _config.yml, ``files`` (paths under the site
    folder), and a postfeed.yaml with source: jekyll (and ``extra``); the loaded site."""
    (folder / "_config.yml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "postfeed.yaml").write_text(
        "source: jekyll\noutput: out\ncache: false\n" + extra, encoding="utf-8"
    )
    return postfeed.load_site(folder / "postfeed.yaml")


def post_file(front: str, body: str = "Hello.\n") -> str:
    return f"---\n{front}---\n\n{body}"


def one(site: postfeed.Site) -> postfeed.Post:
    (post,) = postfeed.load_posts(site)
    return post


def content_of(site: postfeed.Site) -> str:
    """The content of the main Atom feed's only entry after a build, as written."""
    postfeed.build(site, now=NOW)
    atom = site.output_dir / "atom.xml"
    assert not feedparser.parse(atom.read_bytes()).bozo
    (entry,) = ElementTree.parse(atom).getroot().iter(f"{ATOM}entry")
    return entry.findtext(f"{ATOM}content", "")


# --- the sample site ---------------------------------------------------------------


def test_sample_site_settings_come_from_config_yml(tmp_path: Path) -> None:
    """url and baseurl, title, description, timezone and author become the site's;
    the limit is jekyll-feed's default of ten posts."""
    (tmp_path / "postfeed.yaml").write_text(f"source: jekyll\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert (site.url, site.title, site.timezone, site.limit) == (
        BASE,
        "Field Notes on Go",
        "America/New_York",
        10,
    )
    assert site.author == postfeed.Author(name="Ada Lindqvist", email="ada@jekyll.example.org")
    assert site.description == "Short notes on Go and distributed systems."
    assert (site.source, site.posts_dir, site.markdown.name) == ("jekyll", SAMPLE, "jekyll")


@pytest.mark.parametrize(
    ("name", "path", "published"),
    [
        # No title, categories as a list: the date from the file name, New York midnight.
        ("2024-05-01-backpressure.md", "go/2024/05/01/backpressure", "2024-05-01T00:00:00-04:00"),
        # No categories: no segment; +0200 is 02:15 in New York.
        (
            "2024-04-02-konsistenzmodelle.md",
            "2024/04/02/konsistenzmodelle",
            "2024-04-02T02:15:00-04:00",
        ),
        # date -0800 is already the 5th in New York; slug from the front matter.
        (
            "2024-03-05-raft-leader-election.md",
            "distributed-systems/2024/03/05/raft-elections",
            "2024-03-05T02:30:00-05:00",
        ),
        # A YAML timestamp without an offset is UTC; a list item keeps its space.
        (
            "2024-02-10-grpc-deadlines.md",
            "distributed%20systems/grpc/2024/02/10/grpc-deadlines",
            "2024-02-10T09:00:00-05:00",
        ),
        (
            "2024-01-15-context-cancellation.md",
            "go/2024/01/15/context-cancellation",
            "2024-01-15T00:00:00-05:00",
        ),
    ],
)
def test_sample_posts_get_jekyll_feeds_links_ids_and_dates(
    tmp_path: Path, name: str, path: str, published: str
) -> None:
    """Each sample post's link, id (the link without its slash) and date, as in feed.xml."""
    post = sample_posts(tmp_path)[name]
    assert post.url == BASE + path + "/"
    assert post.id == BASE + path
    assert post.published == datetime.fromisoformat(published)


def test_sample_site_leaves_out_unpublished_and_marks_drafts(tmp_path: Path) -> None:
    """published: false is never read; a post in _drafts is a draft; the 2099 post is
    read and left to the build, which leaves future posts out as Jekyll does."""
    posts = sample_posts(tmp_path)
    assert "2024-05-20-idempotency-keys.md" not in posts
    assert posts["worker-pools.md"].draft
    assert posts["2099-01-15-hybrid-logical-clocks.md"].published.year == 2099


def test_sample_titles_summaries_and_updates(tmp_path: Path) -> None:
    """A missing title comes from the file name; excerpt is the summary;
    last_modified_at the update."""
    posts = sample_posts(tmp_path)
    assert posts["2024-05-01-backpressure.md"].title == "Backpressure"
    konsistenz = posts["2024-04-02-konsistenzmodelle.md"]
    assert (
        konsistenz.summary == "Linearisierbar, kausal oder eventual: was die Modelle garantieren."
    )
    grpc = posts["2024-02-10-grpc-deadlines.md"]
    assert grpc.updated == datetime(2024, 2, 12, 8, tzinfo=UTC)
    assert grpc.categories == ("distributed systems", "grpc")
    assert grpc.tags == ("grpc", "go")


def test_sample_liquid_becomes_what_jekyll_gives(tmp_path: Path) -> None:
    """post_url and link give URLs with the base path, highlight a code figure, raw
    its text, and a relative_url output the path; nothing is warned about."""
    posts = sample_posts(tmp_path)
    grpc = posts["2024-02-10-grpc-deadlines.md"].markdown or ""
    assert "(/field-notes/go/2024/01/15/context-cancellation/)" in grpc
    konsistenz = posts["2024-04-02-konsistenzmodelle.md"].markdown or ""
    assert "(/field-notes/about/)" in konsistenz
    context = posts["2024-01-15-context-cancellation.md"].markdown or ""
    assert '<figure class="highlight"><pre><code class="language-go" data-lang="go">' in context
    raft = posts["2024-03-05-raft-leader-election.md"]
    assert "    {{ state }} -> {{ next }}" in (raft.markdown or "")
    assert "(/field-notes/assets/img/ring.png)" in (raft.markdown or "")
    assert all(not post.warnings for post in posts.values())


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        # A YAML timestamp without an offset: UTC (YAML's rule), shown in New York.
        ("2024-03-01 14:00:00", datetime(2024, 3, 1, 14, tzinfo=UTC)),
        # Quoted, it is text, which Jekyll parses in the site's time zone.
        ('"2024-03-01 14:00:00"', datetime(2024, 3, 1, 14, tzinfo=NEW_YORK_WINTER)),
        # A day: midnight in the site's time zone.
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=NEW_YORK_WINTER)),
        # An offset is kept.
        ("2024-03-01 14:00:00 +0100", datetime(2024, 3, 1, 13, tzinfo=UTC)),
    ],
)
def test_front_matter_dates_as_jekyll_reads_them(
    tmp_path: Path, date: str, expected: datetime
) -> None:
    """Dates without an offset: a timestamp is UTC, text and days are local."""
    site = make_site(tmp_path, {"_posts/2024-02-01-a.md": post_file(f"date: {date}\n")})
    assert one(site).published == expected


def test_the_url_date_is_the_local_day(tmp_path: Path) -> None:
    """URL parts come from the date in the site's time zone (03:00 UTC is the day
    before in New York)."""
    site = make_site(
        tmp_path, {"_posts/2024-03-02-a.md": post_file("date: 2024-03-02 03:00:00 +0000\n")}
    )
    assert one(site).url == "https://j.example.org/2024/03/01/a.html"


def test_a_bad_date_is_an_error_at_its_line(tmp_path: Path) -> None:
    """A date Jekyll cannot read fails the build with the file and line."""
    make_site(tmp_path, {"_posts/2024-02-01-a.md": post_file("title: A\ndate: tomorow\n")})
    with pytest.raises(postfeed.PostErrors) as caught:
        postfeed.load_posts(postfeed.load_site(tmp_path / "postfeed.yaml"))
    (error,) = caught.value.errors
    assert str(error) == (
        f"{tmp_path}/_posts/2024-02-01-a.md:3: date: expected a date, got 'tomorow'"
    )


# --- permalinks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("permalink", "path"),
    [
        ("date", "/big/data/2024/03/01/my-post.html"),
        ("pretty", "/big/data/2024/03/01/my-post/"),
        ("ordinal", "/big/data/2024/061/my-post.html"),
        ("weekdate", "/big/data/2024/W09/Fri/my-post.html"),
        ("none", "/big/data/my-post.html"),
        ("/:year/:i_month/:slug", "/2024/3/my-post"),
        ("/blog/:slugified_categories/:name/", "/blog/big/data/2024-03-01-my-post/"),
    ],
)
def test_permalink_styles_and_placeholders(tmp_path: Path, permalink: str, path: str) -> None:
    """The named styles and placeholders of _config.yml's permalink; categories as a
    text are split at spaces and lower-cased in URLs."""
    site = make_site(
        tmp_path,
        {"_posts/2024-03-01-my-post.md": post_file("categories: Big Data\n")},
        config=CONFIG + f"permalink: {permalink}\n",
    )
    assert one(site).url == "https://j.example.org" + path


def test_front_matter_permalink_and_slug_make_the_id(tmp_path: Path) -> None:
    """A post's own permalink replaces the template; the id is the URL's folder and
    the slug as written (checked with jekyll-feed: /notes/Custom%20Slug)."""
    site = make_site(
        tmp_path,
        {"_posts/2024-03-03-perma.md": post_file("permalink: /notes/:slug/\nslug: Custom Slug\n")},
    )
    post = one(site)
    assert post.url == "https://j.example.org/notes/custom-slug/"
    assert post.id == "https://j.example.org/notes/Custom%20Slug"


def test_folders_above_posts_are_categories_and_names_are_encoded(tmp_path: Path) -> None:
    """news/_posts gives the category news; category (one) adds to it; a space and
    non-ASCII letters are percent-encoded as Jekyll's feed writes them."""
    site = make_site(
        tmp_path,
        {
            "news/_posts/2024-03-02-Über Café.md": post_file(
                "category: Misc Things\ndate: 2024-03-02 10:00:00\n"
            )
        },
        config=CONFIG + "permalink: ordinal\n",
    )
    post = one(site)
    assert post.categories == ("news", "Misc Things")
    assert post.url == "https://j.example.org/news/misc%20things/2024/062/%C3%9Cber-Caf%C3%A9.html"
    assert post.id == "https://j.example.org/news/misc%20things/2024/062/%C3%9Cber%20Caf%C3%A9"


def test_baseurl_is_in_every_link(tmp_path: Path) -> None:
    """url and baseurl make the site URL, and links carry the base path."""
    site = make_site(
        tmp_path,
        {"_posts/2024-03-01-a.md": post_file("title: A\n")},
        config=CONFIG + "baseurl: /blog/\npermalink: pretty\n",
    )
    assert site.url == "https://j.example.org/blog/"
    assert one(site).url == "https://j.example.org/blog/2024/03/01/a/"


def test_two_posts_at_one_url_are_an_error(tmp_path: Path) -> None:
    """Jekyll would write one over the other; postfeed names both."""
    make_site(
        tmp_path,
        {
            "_posts/2024-03-01-a.md": post_file("title: A\n"),
            "_posts/2024-03-01-b.md": post_file("title: B\nslug: a\n"),
        },
    )
    with pytest.raises(postfeed.PostErrors) as caught:
        postfeed.load_posts(postfeed.load_site(tmp_path / "postfeed.yaml"))
    (error,) = caught.value.errors
    assert str(error) == (
        f"{tmp_path}/_posts/2024-03-01-b.md:3: url '/2024/03/01/a.html' is also used by"
        f" {tmp_path}/_posts/2024-03-01-a.md"
    )


def test_slugify_modes() -> None:
    """utils.rb slugify: default keeps letters, marks and digits; pretty also ._~!$&'()+,;=@."""
    assert jekyll.slugify("Über: Café & Co.") == "über-café-co"
    assert jekyll.slugify("Über: Café & Co.", "pretty", cased=True) == "Über-Café-&-Co."


# --- posts, tags, summaries ----------------------------------------------------------


def test_tags_text_is_split_and_tag_is_one(tmp_path: Path) -> None:
    """tags as a text is split at spaces; tag (singular) is one tag and wins."""
    site = make_site(
        tmp_path,
        {
            "_posts/2024-03-01-a.md": post_file("tags: go rust\n"),
            "_posts/2024-03-02-b.md": post_file("tag: big data\ntags: x y\n"),
        },
    )
    tags = {post.title: post.tags for post in postfeed.load_posts(site)}
    assert tags == {"A": ("go", "rust"), "B": ("big data",)}


def test_excerpt_separator_gives_the_summary(tmp_path: Path) -> None:
    """A custom excerpt_separator: the summary is the text before it (with the link
    definitions it uses); description wins over both."""
    body = "First [part][r].\n\nStill first.\n<!-- cut -->\nRest.\n\n[r]: https://x.example/\n"
    site = make_site(
        tmp_path,
        {
            "_posts/2024-03-01-a.md": post_file("excerpt_separator: <!-- cut -->\n", body),
            "_posts/2024-03-02-b.md": post_file("description: Said.\n", body),
        },
    )
    summaries = {post.title: post.summary for post in postfeed.load_posts(site)}
    assert summaries == {
        "A": "\nFirst [part][r].\n\nStill first.\n\n\n[r]: https://x.example/",
        "B": "Said.",
    }


def test_author_is_looked_up_in_data_authors(tmp_path: Path) -> None:
    """An author's key in _data/authors.yml gives its name and email, as jekyll-feed does."""
    site = make_site(
        tmp_path,
        {
            "_data/authors.yml": "ada:\n  name: Ada Lindqvist\n  email: ada@j.example.org\n",
            "_posts/2024-03-01-a.md": post_file("author: ada\n"),
            "_posts/2024-03-02-b.md": post_file("author: Someone Else\n"),
        },
    )
    authors = {post.title: post.authors for post in postfeed.load_posts(site)}
    assert authors == {
        "A": (postfeed.Author(name="Ada Lindqvist", email="ada@j.example.org"),),
        "B": (postfeed.Author(name="Someone Else"),),
    }


def test_files_jekyll_does_not_read_as_posts(tmp_path: Path) -> None:
    """A name without a date, or starting with _ or ., is not a post; an HTML post
    is left out with a warning."""
    site = make_site(
        tmp_path,
        {
            "_posts/2024-03-01-a.md": post_file("title: A\n"),
            "_posts/notes.md": post_file("title: N\n"),
            "_posts/_2024-03-01-b.md": post_file("title: B\n"),
            "_posts/2024-03-02-c.html": post_file("title: C\n"),
        },
    )
    reading = postfeed.load_posts(site)
    assert [post.title for post in reading] == ["A"]
    assert postfeed.build(site, now=NOW).warnings == (
        f"{tmp_path}/_posts/2024-03-02-c.html: .html posts are not read (only Markdown):"
        " left out of the feeds",
    )


# --- Liquid --------------------------------------------------------------------------------


def test_liquid_that_is_not_a_builtin_is_left_out_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """include, site values that are not there, and blocks are never run: each is a
    warning naming the file, the line and the construct; a block keeps its text."""
    body = (
        "Intro.\n\n{% include note.html %}\n\n{{ site.missing }} and {{ page.title | upcase }}\n\n"
        "{% if page.x %}Kept.{% endif %}\n\n{% comment %}Gone.{% endcomment %}\n"
    )
    make_site(tmp_path, {"_posts/2024-03-01-a.md": post_file("title: A\n", body)})
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    path = tmp_path / "_posts" / "2024-03-01-a.md"
    err = capsys.readouterr().err
    for message in (
        f"{path}:7: Liquid tag {{% include note.html %}} is not run: left out of the feed",
        f"{path}:9: {{{{ site.missing }}}}: no value 'site.missing'; left out",
        f"{path}:9: Liquid output {{{{ page.title | upcase }}}} is not run: left out of the feed",
        f"{path}:11: Liquid tag {{% if page.x %}} is not run: left out of the feed,"
        " its inner text kept",
    ):
        assert message in err
    content = ElementTree.parse(tmp_path / "out" / "atom.xml").getroot()
    text = "".join(content.itertext())
    assert "Kept." in text
    assert "Gone." not in text
    assert "{%" not in text
    assert "{{" not in text


def test_post_url_to_no_post_is_a_warning(tmp_path: Path) -> None:
    """post_url of a post that is not there: left out, with a warning."""
    site = make_site(
        tmp_path,
        {
            "_posts/2024-03-01-a.md": post_file(
                "title: A\n", "See [b]({% post_url 2020-01-01-b %}).\n"
            )
        },
    )
    post = one(site)
    assert post.warnings == (
        f"{tmp_path}/_posts/2024-03-01-a.md:5: {{% post_url 2020-01-01-b %}}: no post"
        " '2020-01-01-b' among the posts; left out",
    )


def test_highlight_and_raw_render_as_jekyll_gives_them(tmp_path: Path) -> None:
    """highlight is a code figure with the language's class (no Rouge spans); raw
    keeps Liquid syntax as text."""
    body = (
        "{% highlight ruby %}\nputs 1 < 2\n{% endhighlight %}\n\n"
        "Text {% raw %}{{ x }}{% endraw %} here.\n"
    )
    site = make_site(tmp_path, {"_posts/2024-03-01-a.md": post_file("title: A\n", body)})
    content = content_of(site)
    assert (
        '<figure class="highlight"><pre><code class="language-ruby">puts 1 &lt; 2</code>'
        in content.replace(' data-lang="ruby"', "")
    )
    assert "Text {{ x }} here." in content


def test_site_and_page_values_and_url_filters(tmp_path: Path) -> None:
    """Outputs that only name data are filled in: site and page values, relative_url
    and absolute_url."""
    body = (
        '[a]({{ "/x.png" | relative_url }}) [b]({{ "/y/" | absolute_url }})'
        " {{ site.author.name }} {{ page.title }}\n"
    )
    site = make_site(
        tmp_path,
        {"_posts/2024-03-01-a.md": post_file("title: Mine\n", body)},
        config=CONFIG + "baseurl: /b\nauthor:\n  name: Ada\n",
    )
    assert one(site).markdown == ("\n[a](/b/x.png) [b](https://j.example.org/b/y/) Ada Mine\n")


def test_missing_config_says_where_to_point(tmp_path: Path) -> None:
    """A folder without _config.yml: the message says to set source_dir."""
    (tmp_path / "postfeed.yaml").write_text("source: jekyll\n")
    with pytest.raises(postfeed.ConfigError) as caught:
        postfeed.load_site(tmp_path / "postfeed.yaml")
    assert str(caught.value) == (
        f"{tmp_path}: no Jekyll configuration here (_config.yml); set source_dir to the"
        " Jekyll site's folder"
    )


def test_two_spellings_of_a_category_are_one_category_feed(tmp_path: Path) -> None:
    """Jekyll keeps 'distributed systems' and 'distributed-systems' apart (two URLs), which
    its authors cannot respell without changing their links: postfeed gives both one
    category feed, named by the first spelling, rather than refusing to build."""
    site = make_site(
        tmp_path,
        {
            "_posts/2024-01-02-a.md": post_file("title: A\ncategories: [distributed systems]\n"),
            "_posts/2024-01-03-b.md": post_file("title: B\ncategories: [distributed-systems]\n"),
        },
    )
    result = postfeed.build(site, now=NOW)
    feeds = sorted(p.name for p in (result.output_dir / "categories").iterdir())
    assert feeds == ["distributed-systems"]
    parsed = feedparser.parse(
        (result.output_dir / "categories/distributed-systems/atom.xml").read_bytes()
    )
    assert [e.title for e in parsed.entries] == ["B", "A"]
    assert parsed.feed.title == "Notes: distributed-systems"
