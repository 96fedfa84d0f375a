"""source: eleventy reads an eleventy-base-blog site where it stands, as Eleventy 3.1
and eleventy-plugin-rss 3.0 read it: the sample site in tests/data/generators/eleventy,
and small sites made here for each rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest

import postfeed
from postfeed.cli import main
from postfeed.reading.sources import eleventy

SAMPLE = Path(__file__).parent / "data" / "generators" / "eleventy" / "site"
BASE = "https://eleventy.example.org/"
CONFIG = """\
import { feedPlugin } from "@11ty/eleventy-plugin-rss";

export default async function (eleventyConfig) {
	eleventyConfig.addPreprocessor("drafts", "*", (data) => {
		if (data.draft && process.env.ELEVENTY_RUN_MODE === "build") return false;
	});
	eleventyConfig.addPlugin(feedPlugin, {
		type: "atom",
		collection: { name: "posts", limit: 10 },
		metadata: { title: "Notes", base: "https://e.example.org/" },
	});
}

export const config = {
	markdownTemplateEngine: "njk",
	dir: { input: "content", data: "../_data" },
};
"""
DIRECTORY_DATA = '{"tags": ["posts"]}\n'
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def sample_posts(tmp_path: Path) -> dict[str, postfeed.Post]:
    """The sample site's posts, by file name."""
    (tmp_path / "postfeed.yaml").write_text(f"source: eleventy\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    return {post.source.name: post for post in postfeed.load_posts(site) if post.source}


def make_site(
    folder: Path, files: dict[str, str], *, config: str = CONFIG, extra: str = ""
) -> postfeed.Site:
    """An Eleventy site in ``folder``: eleventy.config.js, content/blog/blog.11tydata.json
    giving the folder's posts the posts tag, ``files`` under the site folder, and a
    postfeed.yaml with source: eleventy (and ``extra``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "eleventy.config.js").write_text(config, encoding="utf-8")
    files = {"content/blog/blog.11tydata.json": DIRECTORY_DATA, **files}
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "postfeed.yaml").write_text(
        "source: eleventy\noutput: out\ncache: false\n" + extra, encoding="utf-8"
    )
    return postfeed.load_site(folder / "postfeed.yaml")


def post(front: str, body: str = "Hello.\n") -> str:
    return f"---\n{front}---\n{body}"


def by_title(site: postfeed.Site) -> dict[str, postfeed.Post]:
    return {found.title: found for found in postfeed.load_posts(site)}


def contents(atom: Path) -> dict[str, str]:
    """Each entry's content in an Atom file, by title, as written."""
    assert not feedparser.parse(atom.read_bytes()).bozo
    root = ElementTree.parse(atom).getroot()
    return {
        entry.findtext(f"{ATOM}title", ""): entry.findtext(f"{ATOM}content", "")
        for entry in root.iter(f"{ATOM}entry")
    }


# --- the sample site ---------------------------------------------------------------


def test_sample_site_settings(tmp_path: Path) -> None:
    """The feed plugin's options give the URL, title, subtitle, language, author and
    limit; future posts are published."""
    (tmp_path / "postfeed.yaml").write_text(f"source: eleventy\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert (site.url, site.title, site.description, site.language, site.limit) == (
        BASE,
        "Field Notes on Go",
        "Short notes on Go and distributed systems.",
        "en",
        10,
    )
    assert site.author == postfeed.Author(name="Ada Lindqvist")
    assert (site.source, site.markdown.name, site.future) == ("eleventy", "eleventy", True)
    assert site.warnings == ()


@pytest.mark.parametrize(
    ("name", "url", "published"),
    [
        # A bare day: midnight UTC; a future post is published.
        ("hybrid-clocks.md", "blog/hybrid-clocks/", "2099-01-15T00:00:00+00:00"),
        # A YAML timestamp without an offset: UTC.
        ("konsistenzmodelle.md", "blog/konsistenzmodelle/", "2024-04-02T08:15:00+00:00"),
        # A file named as its folder: the folder's URL; the offset is kept.
        ("raft-leader-election.md", "blog/raft-leader-election/", "2024-03-05T09:30:00+01:00"),
        # permalink; a quoted naive ISO text: UTC.
        ("grpc-deadlines.md", "notes/grpc-deadlines/", "2024-02-10T14:00:00+00:00"),
        ("context-cancellation.md", "blog/context-cancellation/", "2024-01-15T00:00:00+00:00"),
    ],
)
def test_sample_links_ids_and_dates(tmp_path: Path, name: str, url: str, published: str) -> None:
    """Each sample post has the feed plugin's link as its URL and id, and its date."""
    found = sample_posts(tmp_path)[name]
    assert found.url == found.id == BASE + url
    assert found.published.isoformat() == published


def test_sample_tags_summaries_and_drafts(tmp_path: Path) -> None:
    """Tags add up from the folder's data file and the front matter (one text is one
    tag; the collection's own tag is not shown); description is the summary; a draft
    is left out, as the base blog's preprocessor leaves it out of a build."""
    posts = sample_posts(tmp_path)
    assert posts["context-cancellation.md"].tags == ("go",)
    assert posts["raft-leader-election.md"].tags == ("raft", "consensus")
    assert posts["raft-leader-election.md"].summary == "Terms, votes and randomized timeouts."
    published, left_out = postfeed.select(list(posts.values()), now=NOW, future=True)
    assert [(left.post.title, left.reason) for left in left_out] == [
        ("Idempotency Keys for Retried Requests", "draft")
    ]
    assert len(published) == 5


def test_sample_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The post written in JavaScript is named and left out; the others carry their
    full content, relative links made absolute against their own URL."""
    (tmp_path / "postfeed.yaml").write_text(
        f"source: eleventy\nsource_dir: {SAMPLE}\noutput: out\ncache: false\n"
    )
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    out, err = capsys.readouterr()
    assert err == (
        f"{SAMPLE}/content/blog/backpressure.md:1: front matter in JavaScript (---js) is not"
        " run: left out of the feeds\n"
    )
    assert "5 posts published, 1 left out (1 draft)" in out
    written = contents(tmp_path / "out/atom.xml")
    raft = written["How Raft Elects a Leader"]
    assert f'src="{BASE}blog/raft-leader-election/states.png"' in raft
    assert f'href="{BASE}blog/context-cancellation/"' in raft
    context = written["Cancelling Work with context.Context"]
    assert "<del>Never</del> Rarely" in context
    assert f'href="{BASE}notes/grpc-deadlines/"' in context
    assert "<table>" in context


def test_same_bytes_twice_and_check(tmp_path: Path) -> None:
    """Building the sample site twice gives the same bytes, and --check then passes."""
    config = tmp_path / "postfeed.yaml"
    config.write_text(f"source: eleventy\nsource_dir: {SAMPLE}\noutput: out\ncache: false\n")
    assert main(["build", "-q", "--config", str(config)]) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()}
    assert main(["build", "-q", "--config", str(config)]) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()} == first
    assert main(["build", "-q", "--check", "--config", str(config)]) == 0


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2024-02-10", "2024-02-10T00:00:00+00:00"),
        ("2024-02-10T14:00:00", "2024-02-10T14:00:00+00:00"),
        ("2024-02-10T14:00Z", "2024-02-10T14:00:00+00:00"),
        ("2024-02-10T14:00:00+01:00", "2024-02-10T14:00:00+01:00"),
        ("2024-02-10T14", "2024-02-10T14:00:00+00:00"),
        ("2024-02", "2024-02-01T00:00:00+00:00"),
        ("2024", "2024-01-01T00:00:00+00:00"),
        ("2024-W06-6", "2024-02-10T00:00:00+00:00"),
        ("2024-041", "2024-02-10T00:00:00+00:00"),
        ("20240210T140000", "2024-02-10T14:00:00+00:00"),
    ],
)
def test_iso_dates_as_luxon_reads_them(text: str, instant: str) -> None:
    """Date text is ISO 8601 as Luxon's fromISO reads it, in UTC unless it names an
    offset (checked against Luxon 3 as Eleventy 3.1 ships it)."""
    found = eleventy.iso_date(text)
    assert found is not None
    assert found.isoformat() == instant


@pytest.mark.parametrize("text", ["2024-04-02 08:15:00", "Jan 15 2024", "2024-13-01", "soon"])
def test_text_luxon_refuses(text: str) -> None:
    """Luxon refuses a space between day and time, and any other form."""
    assert eleventy.iso_date(text) is None


def test_date_from_the_file_name_and_errors(tmp_path: Path) -> None:
    """Without a date, a YYYY-MM-DD in the path is the date (and stays in the URL); a
    date Eleventy would take from the file system or refuse is an error."""
    site = make_site(
        tmp_path,
        {
            "content/blog/2024-01-15-hello.md": post("title: Hello\n"),
            "content/blog/a.md": post("title: A\ndate: Last Modified\n"),
            "content/blog/b.md": post("title: B\ndate: '2024-04-02 08:15:00'\n"),
            "content/blog/c.md": post("title: C\n"),
        },
    )
    with pytest.raises(postfeed.PostErrors) as raised:
        postfeed.load_posts(site)
    blog = tmp_path / "content" / "blog"
    assert [str(error) for error in raised.value.errors] == [
        f"{blog}/a.md:3: date: 'Last Modified' is a time of the file or of Git, which every"
        " checkout changes; give the post its date",
        f"{blog}/b.md:3: date: expected a date, or text in ISO 8601 such as 2024-01-15 or"
        " 2024-01-15T10:00:00 (as Eleventy reads it), got '2024-04-02 08:15:00'",
        f"{blog}/c.md: date: missing (Eleventy would date it by its file's creation time,"
        " which every checkout changes); give the post its date",
    ]
    for name in ("a.md", "b.md", "c.md"):
        (blog / name).unlink()
    (found,) = postfeed.load_posts(site)
    assert found.published == datetime(2024, 1, 15, tzinfo=UTC)
    assert found.url == "https://e.example.org/blog/2024-01-15-hello/"


# --- links --------------------------------------------------------------------------


def test_permalinks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """permalink replaces the path (page.fileSlug filled in); index.md and a file named
    as its folder take the folder's URL; a non-ASCII path is percent-encoded; a
    permalink with other template code is left out with a warning; permalink: false
    is not written, so it is no entry."""
    site = make_site(
        tmp_path,
        {
            "content/blog/a.md": post(
                "title: A\ndate: 2024-01-01\npermalink: /x/{{ page.fileSlug }}/\n"
            ),
            "content/blog/b/index.md": post("title: B\ndate: 2024-01-02\n"),
            "content/blog/c/c.md": post("title: C\ndate: 2024-01-03\n"),
            "content/blog/über uns.md": post("title: D\ndate: 2024-01-04\n"),
            "content/blog/e.md": post(
                "title: E\ndate: 2024-01-05\npermalink: /{{ title | slugify }}/\n"
            ),
            "content/blog/f.md": post("title: F\ndate: 2024-01-06\npermalink: false\n"),
            "content/blog/g.md": post("title: G\ndate: 2024-01-07\npermalink: /feeds/g.html\n"),
        },
    )
    posts = by_title(site)
    assert {title: found.url for title, found in posts.items()} == {
        "A": "https://e.example.org/x/a/",
        "B": "https://e.example.org/blog/b/",
        "C": "https://e.example.org/blog/c/",
        "D": "https://e.example.org/blog/%C3%BCber%20uns/",
        "G": "https://e.example.org/feeds/g.html",
    }
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    assert capsys.readouterr().err == (
        f"{tmp_path}/content/blog/e.md:4: permalink: '/{{{{ title | slugify }}}}/' is a"
        " template that is not run: left out of the feeds\n"
    )


def test_links_to_input_files(tmp_path: Path) -> None:
    """With the InputPathToUrl plugin, a link to another post's file (relative to the
    post, to the input folder or to the project) becomes that post's URL."""
    config = CONFIG.replace(
        "export default",
        'import { InputPathToUrlTransformPlugin } from "@11ty/eleventy";\n'
        "// eleventyConfig.addPlugin(InputPathToUrlTransformPlugin);\nexport default",
    )
    body = "[b](b.md#top) [c](/blog/sub/c.md) [d](content/blog/b.md) [e](https://x.org/b.md)\n"
    site = make_site(
        tmp_path,
        {
            "content/blog/a.md": post("title: A\ndate: 2024-01-01\n", body),
            "content/blog/b.md": post("title: B\ndate: 2024-01-02\n"),
            "content/blog/sub/c.md": post("title: C\ndate: 2024-01-03\n"),
        },
        config=config,
    )
    markdown = by_title(site)["A"].markdown
    assert markdown == (
        "[b](https://e.example.org/blog/b/#top) [c](https://e.example.org/blog/sub/c/)"
        " [d](https://e.example.org/blog/b/) [e](https://x.org/b.md)\n"
    )


def test_path_prefix(tmp_path: Path) -> None:
    """pathPrefix goes before every post's path and the site's own."""
    config = CONFIG.replace(
        "export const config = {", 'export const config = {\n\tpathPrefix: "/sub/",'
    )
    site = make_site(
        tmp_path, {"content/blog/a.md": post("title: A\ndate: 2024-01-01\n")}, config=config
    )
    assert site.url == "https://e.example.org/sub/"
    assert site.markdown.site_root_links is True
    assert by_title(site)["A"].url == "https://e.example.org/sub/blog/a/"


# --- data and front matter ------------------------------------------------------------


def test_data_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A .11tydata.js file that exports a plain object is read as data; one that runs
    code is named in a warning and not read; a template's own data file counts; tags
    add up; eleventyExcludeFromCollections leaves a post out; ---json front matter is
    read."""
    site = make_site(
        tmp_path,
        {
            "content/blog/blog.11tydata.json": '{"tags": ["posts", "blog"]}',
            "content/blog/js/js.11tydata.js": "// plain\nexport default {\n  tags: ['js'],\n};\n",
            "content/blog/js/a.md": post("title: A\ndate: 2024-01-01\ntags: [own]\n"),
            "content/blog/js/a.11tydata.json": '{"tags": ["file"]}',
            "content/blog/code/code.11tydata.js": "export default function () {\n  return {};\n}\n",
            "content/blog/code/b.md": post("title: B\ndate: 2024-01-02\n"),
            "content/blog/c.md": post(
                "title: C\ndate: 2024-01-03\neleventyExcludeFromCollections: true\n"
            ),
            "content/blog/d.md": '---json\n{"title": "D", "date": "2024-01-04T10:00:00+02:00"}\n---\nJSON.\n',
            "content/notes/e.md": post("title: E\ndate: 2024-01-05\n"),
        },
    )
    posts = by_title(site)
    assert sorted(posts) == ["A", "B", "D"]
    assert posts["A"].tags == ("blog", "js", "file", "own")
    assert posts["D"].published == datetime(2024, 1, 4, 10, tzinfo=timezone(timedelta(hours=2)))
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    assert capsys.readouterr().err == (
        f"{tmp_path}/content/blog/code/code.11tydata.js:1: JavaScript that is not a plain"
        " object is not run: this data file is not read (give its posts their tags in a"
        " .11tydata.json file)\n"
    )


def test_tags_that_are_no_list(tmp_path: Path) -> None:
    """Tags given as a number or a mapping in data are no tags (Eleventy would not file
    the post in a collection by them)."""
    site = make_site(
        tmp_path,
        {
            "content/blog/blog.11tydata.json": '{"tags": ["posts"]}',
            "content/blog/a.md": post("title: A\ndate: 2024-01-01\ntags: 5\n"),
            "content/blog/b.md": post("title: B\ndate: 2024-01-02\ntags: {x: 1}\n"),
        },
    )
    assert {title: found.tags for title, found in by_title(site).items()} == {"A": (), "B": ()}


def test_other_templates_in_the_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A post written as a Nunjucks or HTML template is named and left out."""
    make_site(
        tmp_path,
        {
            "content/blog/a.md": post("title: A\ndate: 2024-01-01\n"),
            "content/blog/b.njk": post("title: B\ndate: 2024-01-02\n", "<p>{{ title }}</p>\n"),
            "content/index.njk": post("title: Home\n"),
        },
    )
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    assert capsys.readouterr().err == (
        f"{tmp_path}/content/blog/b.njk: Nunjucks templates are not read (only Markdown):"
        " left out of the feeds\n"
    )


def test_drafts_only_where_the_site_leaves_them_out(tmp_path: Path) -> None:
    """draft: true is a draft when the configuration leaves drafts out of a build (the
    base blog's preprocessor); without that, Eleventy publishes it and so does postfeed."""
    files = {"content/blog/a.md": post("title: A\ndate: 2024-01-01\ndraft: true\n")}
    assert by_title(make_site(tmp_path / "one", files))["A"].draft is True
    plain = CONFIG.replace("data.draft", "data.hidden")
    assert by_title(make_site(tmp_path / "two", files, config=plain))["A"].draft is False


# --- template code ------------------------------------------------------------------


def test_nunjucks_is_never_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Comments give nothing, raw gives its text, highlight a code block; any other tag
    or output is left out with a warning naming file, line and construct."""
    body = (
        "Intro {{ site.title }}.\n{# note #}\n{% raw %}{{ kept }}{% endraw %}\n\n"
        '{% highlight "go" %}\nx := 1\n{% endhighlight %}\n\n'
        '{% image "a.png", "A" %}\n\n{% callout %}\nInner *text*.\n{% endcallout %}\n'
    )
    site = make_site(tmp_path, {"content/blog/a.md": post("title: A\ndate: 2024-01-01\n", body)})
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    path = tmp_path / "content/blog/a.md"
    assert capsys.readouterr().err == (
        f"{path}:5: Nunjucks output {{{{ site.title }}}} is not run: left out of the feed\n"
        f'{path}:13: Nunjucks tag {{% image "a.png", "A" %}} is not run: left out of the feed\n'
        f"{path}:15: Nunjucks tag {{% callout %}} is not run: left out of the feed, its inner"
        " text kept\n"
    )
    (html,) = contents(site.output_dir / "atom.xml").values()
    assert "<p>Intro .</p>" in html
    assert "{{ kept }}" in html
    assert "note" not in html
    assert '<code class="language-go">x := 1</code>' in html
    assert "<p>Inner <em>text</em>.</p>" in html


def test_template_engines(tmp_path: Path) -> None:
    """markdownTemplateEngine: false, and a post's templateEngineOverride: md, keep
    template syntax as text, as Eleventy does."""
    files = {
        "content/blog/a.md": post("title: A\ndate: 2024-01-01\n", "{{ x }}\n"),
        "content/blog/b.md": post(
            "title: B\ndate: 2024-01-02\ntemplateEngineOverride: md\n", "{{ y }}\n"
        ),
    }
    posts = by_title(make_site(tmp_path / "one", files))
    assert posts["A"].markdown == "\n"
    assert posts["B"].markdown == "{{ y }}\n"
    plain = CONFIG.replace('markdownTemplateEngine: "njk"', "markdownTemplateEngine: false")
    assert by_title(make_site(tmp_path / "two", files, config=plain))["A"].markdown == "{{ x }}\n"


# --- the site URL ---------------------------------------------------------------------


def test_url_from_metadata_js(tmp_path: Path) -> None:
    """Without the feed plugin's base, _data/metadata.js gives the URL where it is a plain
    string, even when the rest of the file is code."""
    config = CONFIG.replace(', base: "https://e.example.org/"', "")
    metadata = 'const year = 2024;\nexport default {\n\ttitle: `Notes ${year}`,\n\turl: "https://m.example.org/",\n};\n'
    site = make_site(tmp_path, {"_data/metadata.js": metadata}, config=config)
    assert site.url == "https://m.example.org/"


def test_url_missing(tmp_path: Path) -> None:
    """Without a plain URL anywhere, postfeed.yaml must give one, and says so; the feed
    plugin's other options are still read."""
    config = CONFIG.replace('base: "https://e.example.org/"', "base: process.env.URL")
    site = make_site(tmp_path, {}, config=config, extra="url: https://p.example.org/\n")
    assert (site.url, site.title) == ("https://p.example.org/", "Notes")
    with pytest.raises(postfeed.ConfigError) as raised:
        make_site(tmp_path, {}, config=config)
    assert str(raised.value) == (
        f"{tmp_path}/postfeed.yaml: url: missing; eleventy.config.js gives the feed plugin no"
        " plain base URL and _data/metadata.js no plain url (JavaScript is read only where the"
        " URL is a string); set url in postfeed.yaml"
    )


def test_metadata_url_differs_from_the_feed_base(tmp_path: Path) -> None:
    """When metadata.js names another URL than the feed plugin's base, the links follow
    the base (the feed's), with a warning."""
    site = make_site(
        tmp_path, {"_data/metadata.js": 'export default { url: "https://old.example.org/" };\n'}
    )
    assert site.url == "https://e.example.org/"
    assert site.warnings == (
        f"{tmp_path}/_data/metadata.js:1: url 'https://old.example.org/' is not the feed"
        " plugin's base 'https://e.example.org/'; the feed's links follow the base",
    )
