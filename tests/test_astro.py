"""source: astro reads an Astro blog starter's content collection where it stands, as
Astro 7.4 and @astrojs/rss 4.0 read it: the sample site in tests/data/generators/astro,
and small sites made here for each rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import feedparser
import pytest

import postfeed
from postfeed.cli import main
from postfeed.reading.sources import astro, mdx, templates

SAMPLE = Path(__file__).parent / "data" / "generators" / "astro" / "site"
BASE = "https://astro.example.org/"
ASTRO_CONFIG = "import { defineConfig } from 'astro/config';\n\nexport default defineConfig({\n\tsite: 'https://a.example.org',\n});\n"
CONTENT_CONFIG = """\
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';

const blog = defineCollection({
	loader: glob({ base: './src/content/blog', pattern: '**/*.{md,mdx}' }),
});

export const collections = { blog };
"""
FEED = """\
import { getCollection } from 'astro:content';
import rss from '@astrojs/rss';

export async function GET(context) {
	const posts = await getCollection('blog');
	return rss({
		title: 'Notes',
		description: 'About things',
		site: context.site,
		items: posts.map((post) => ({ ...post.data, link: `/blog/${post.id}/` })),
	});
}
"""
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def sample_posts(tmp_path: Path) -> dict[str, postfeed.Post]:
    """The sample site's posts, by file name."""
    (tmp_path / "postfeed.yaml").write_text(f"source: astro\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    return {post.source.name: post for post in postfeed.load_posts(site) if post.source}


def make_site(
    folder: Path,
    files: dict[str, str],
    *,
    feed: str | None = FEED,
    content_config: str | None = CONTENT_CONFIG,
    extra: str = "",
) -> postfeed.Site:
    """An Astro site in ``folder``: astro.config.mjs, src/content.config.ts,
    src/pages/rss.xml.js, ``files`` under src/content/blog/, and a postfeed.yaml with
    source: astro (and ``extra``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "astro.config.mjs").write_text(ASTRO_CONFIG, encoding="utf-8")
    (folder / "src" / "content" / "blog").mkdir(parents=True, exist_ok=True)
    if content_config is not None:
        (folder / "src" / "content.config.ts").write_text(content_config, encoding="utf-8")
    if feed is not None:
        (folder / "src" / "pages").mkdir(parents=True, exist_ok=True)
        (folder / "src" / "pages" / "rss.xml.js").write_text(feed, encoding="utf-8")
    for name, text in files.items():
        path = folder / "src" / "content" / "blog" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "postfeed.yaml").write_text(
        "source: astro\noutput: out\ncache: false\n" + extra, encoding="utf-8"
    )
    return postfeed.load_site(folder / "postfeed.yaml")


def entry(front: str, body: str = "Hello.\n") -> str:
    """An entry with a title and a description, and this front matter."""
    return f"---\ntitle: T\ndescription: D\n{front}---\n{body}"


def by_name(site: postfeed.Site) -> dict[str, postfeed.Post]:
    return {found.source.name: found for found in postfeed.load_posts(site) if found.source}


def contents(atom: Path) -> dict[str, str]:
    """Each entry's content in an Atom file, by title, as written."""
    assert not feedparser.parse(atom.read_bytes()).bozo
    root = ElementTree.parse(atom).getroot()
    return {
        found.findtext(f"{ATOM}title", ""): found.findtext(f"{ATOM}content", "")
        for found in root.iter(f"{ATOM}entry")
    }


# --- the sample site ---------------------------------------------------------------


def test_sample_site_settings(tmp_path: Path) -> None:
    """site in astro.config.mjs is the URL; the feed's title and description come from
    the constants rss.xml.js names; future posts are published."""
    (tmp_path / "postfeed.yaml").write_text(f"source: astro\nsource_dir: {SAMPLE}\n")
    site = postfeed.load_site(tmp_path / "postfeed.yaml")
    assert (site.url, site.title, site.description, site.timezone) == (
        BASE,
        "Field Notes on Go",
        "Short notes on Go and distributed systems.",
        "UTC",
    )
    assert (site.source, site.markdown.name, site.future) == ("astro", "astro", True)
    assert site.warnings == ()


@pytest.mark.parametrize(
    ("name", "url", "published", "updated"),
    [
        # In a subfolder: the id keeps it; an offset in the text is kept.
        ("worker-pools.md", "blog/2024/worker-pools/", "2024-05-20T10:00:00+02:00", None),
        # slug in the front matter is the id; a YAML date is midnight UTC.
        ("backpressure.md", "blog/bounded-channels/", "2023-11-20T00:00:00+00:00", None),
        # Text that is not ISO 8601: the building machine's time (UTC here).
        (
            "context-cancellation.md",
            "blog/context-cancellation/",
            "2024-01-15T00:00:00+00:00",
            None,
        ),
        # A naive ISO date and time: local too; a date alone (the update) is UTC.
        (
            "grpc-deadlines.md",
            "blog/grpc-deadlines/",
            "2024-02-10T14:00:00+00:00",
            "2024-02-12T00:00:00+00:00",
        ),
        ("hybrid-clocks.md", "blog/hybrid-clocks/", "2099-01-15T00:00:00+00:00", None),
        (
            "raft-leader-election.mdx",
            "blog/raft-leader-election/",
            "2024-03-05T09:30:00+01:00",
            "2024-03-12T18:05:00+00:00",
        ),
        # A non-ASCII file name: the id keeps the letter, the link percent-encodes it.
        (
            "über-konsistenzmodelle.md",
            "blog/%C3%BCber-konsistenzmodelle/",
            "2024-04-02T00:00:00+00:00",
            None,
        ),
    ],
)
def test_sample_links_ids_and_dates(
    tmp_path: Path, name: str, url: str, published: str, updated: str | None
) -> None:
    """Each sample entry has @astrojs/rss's link as its URL and id, and its dates."""
    found = sample_posts(tmp_path)[name]
    assert found.url == found.id == BASE + url
    assert found.published.isoformat() == published
    assert (found.updated.isoformat() if found.updated else None) == updated


def test_sample_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The feeds carry every entry in full with its description as the summary; MDX's
    JavaScript and the images Astro renames are left out, each with a warning."""
    (tmp_path / "postfeed.yaml").write_text(
        f"source: astro\nsource_dir: {SAMPLE}\noutput: out\ncache: false\n"
    )
    assert main(["build", "--config", str(tmp_path / "postfeed.yaml")]) == 0
    out, err = capsys.readouterr()
    blog = SAMPLE / "src" / "content" / "blog"
    optimised = (
        " is optimised by Astro into a file whose name postfeed cannot know: left out of the"
        " feed (an image in public/ or at a full URL is kept)\n"
    )
    assert err == (
        f"{blog}/context-cancellation.md:5: heroImage '../../assets/hero-context.png'"
        + optimised
        + f"{blog}/grpc-deadlines.md:16: image '../../assets/queue.png'"
        + optimised
        + f"{blog}/raft-leader-election.mdx:6: heroImage '../../assets/hero-raft.png'"
        + optimised
        + f"{blog}/raft-leader-election.mdx:9: JavaScript export const states = ['Follower',"
        " 'Candidate', 'Leader']; is not run: left out of the feed\n"
        f"{blog}/raft-leader-election.mdx:12: JavaScript expression {{states.length}} is not"
        " run: left out of the feed\n"
        f"{blog}/raft-leader-election.mdx:14: JavaScript expression {{states.map((s) =>"
        " <li>{s}</li>)} is not run: left out of the feed\n"
    )
    assert "7 posts published" in out
    parsed = feedparser.parse((tmp_path / "out/atom.xml").read_bytes(), sanitize_html=False)
    entries = {found.title: found for found in parsed.entries}
    assert entries["Worker Pools and errgroup"].summary == (
        "<p>Bounded concurrency with golang.org/x/sync/errgroup.</p>"
    )
    written = contents(tmp_path / "out/atom.xml")
    raft = written["How Raft Elects a Leader"]
    assert "A server is always in one of  states" in raft
    assert "export" not in raft
    assert "{" not in raft.replace("{\n", "").split("<pre")[0]
    grpc = written["gRPC Deadlines Across Service Hops"]
    assert "<img" not in grpc
    assert "<table>" in grpc
    context = written["Cancelling Work with context.Context"]
    assert "<del>Never</del> Rarely" in context
    assert 'href="https://astro.example.org/blog/grpc-deadlines/"' in context
    assert "well-known exception" in context  # the footnote
    pools = written["Worker Pools and errgroup"]
    assert 'type="checkbox"' in pools


def test_same_bytes_twice_and_check(tmp_path: Path) -> None:
    """Building the sample site twice gives the same bytes, and --check then passes."""
    config = tmp_path / "postfeed.yaml"
    config.write_text(f"source: astro\nsource_dir: {SAMPLE}\noutput: out\ncache: false\n")
    assert main(["build", "-q", "--config", str(config)]) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()}
    assert main(["build", "-q", "--config", str(config)]) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()} == first
    assert main(["build", "-q", "--check", "--config", str(config)]) == 0


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2024-01-15", "2024-01-15T00:00:00"),  # a YAML date
        ("2024-01-15 10:00:00", "2024-01-15T10:00:00"),  # a YAML timestamp: UTC
        ("'2024-01-15'", "2024-01-15T00:00:00"),  # ISO date text: UTC
        ("'2024-02'", "2024-02-01T00:00:00"),
        ("'2024-01-15T10:00'", "2024-01-15T09:00:00"),  # ISO date and time text: local
        ("'2024-01-15 10:00'", "2024-01-15T09:00:00"),
        ("'Jan 15 2024'", "2024-01-14T23:00:00"),  # other text: local
        ("'July 8, 2022 10:00'", "2022-07-08T08:00:00"),
        ("'2024-01-15T10:00:00+05:00'", "2024-01-15T05:00:00"),
    ],
)
def test_pub_dates_as_new_date_reads_them(tmp_path: Path, written: str, utc: str) -> None:
    """pubDate is read as z.coerce.date() (new Date()) reads it; a local time is in the
    time zone of the machine that builds the site, postfeed.yaml's timezone (checked
    against Node.js 24 with TZ=Europe/Berlin)."""
    site = make_site(
        tmp_path, {"a.md": entry(f"pubDate: {written}\n")}, extra="timezone: Europe/Berlin\n"
    )
    (found,) = postfeed.load_posts(site)
    assert found.published.astimezone(UTC).replace(tzinfo=None).isoformat() == utc


def test_toml_front_matter(tmp_path: Path) -> None:
    """Front matter in TOML (+++) is read as Astro 7 reads it: a local date and time is
    UTC, as in YAML."""
    site = make_site(
        tmp_path,
        {
            "a.md": '+++\ntitle = "T"\npubDate = 2024-01-15T10:00:00\nupdatedDate = 2024-01-16\n+++\nHi.\n'
        },
        extra="timezone: Europe/Berlin\n",
    )
    (found,) = postfeed.load_posts(site)
    assert found.published == datetime(2024, 1, 15, 10, tzinfo=UTC)
    assert found.updated == datetime(2024, 1, 16, tzinfo=UTC)


def test_date_errors(tmp_path: Path) -> None:
    """A pubDate that is no date, or missing, is an error, as Astro's schema refuses it."""
    site = make_site(
        tmp_path,
        {
            "a.md": entry("pubDate: soon\n"),
            "b.md": entry("pubDate: 2024\n"),
            "c.md": entry(""),
            "d.md": entry("pubDate: 2024-01-01\nupdatedDate: later\n"),
        },
    )
    with pytest.raises(postfeed.PostErrors) as raised:
        postfeed.load_posts(site)
    blog = tmp_path / "src" / "content" / "blog"
    assert [str(error) for error in raised.value.errors] == [
        f"{blog}/a.md:4: pubDate: expected a date, got 'soon'",
        f"{blog}/b.md:4: pubDate: expected a date, got 2024 (quote it)",
        f"{blog}/c.md: pubDate: missing (the blog's schema requires it)",
        f"{blog}/d.md:5: updatedDate: expected a date, got 'later'",
    ]


# --- ids and links ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "id"),
    [
        ("Hello, World! 2024.md", "hello-world-2024"),
        ("nested/index.md", "nested"),
        ("_under.md", "_under"),
        ("ÄÖÜ ß_x.y (1).md", "äöü-ß_xy-1"),
        ("2024/Über Uns.mdx", "2024/über-uns"),
    ],
)
def test_entry_ids(path: str, id: str) -> None:
    """An entry's id is its path, each segment slugged as github-slugger slugs it
    (checked against Astro 7.4.8)."""
    assert astro.entry_id(path) == id


def test_slug_and_link_patterns(tmp_path: Path) -> None:
    """slug is the id as written; the link is rss.xml.js's template around the id, with
    a slash added and resolved against the site as @astrojs/rss resolves it."""
    feed = FEED.replace("`/blog/${post.id}/`", "`/posts/${post.id}`")
    site = make_site(
        tmp_path,
        {
            "a.md": entry("pubDate: 2024-01-01\nslug: Custom Slug/x\n"),
            "b.md": entry("pubDate: 2024-01-02\n"),
        },
        feed=feed,
    )
    posts = by_name(site)
    assert posts["a.md"].url == "https://a.example.org/posts/Custom%20Slug/x/"
    assert posts["b.md"].url == "https://a.example.org/posts/b/"


def test_collection_from_content_config(tmp_path: Path) -> None:
    """The collection's folder and patterns (negations too) come from its glob loader."""
    config = CONTENT_CONFIG.replace(
        "base: './src/content/blog', pattern: '**/*.{md,mdx}'",
        "base: './src/content/blog/posts', pattern: ['**/*.md', '!drafts']",
    )
    site = make_site(
        tmp_path,
        {
            "posts/a.md": entry("pubDate: 2024-01-01\n"),
            "posts/b.mdx": entry("pubDate: 2024-01-02\n"),
            "posts/drafts/c.md": entry("pubDate: 2024-01-03\n"),
            "posts/.hidden.md": entry("pubDate: 2024-01-04\n"),
            "other.md": entry("pubDate: 2024-01-05\n"),
        },
        content_config=config,
    )
    assert sorted(by_name(site)) == ["a.md"]


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("**/*.{md,mdx}", ["a.md", "x/y/b.mdx"], ["a.txt", ".a.md", "x/.y/a.md"]),
        ("*.md", ["a.md"], ["x/a.md"]),
        ("[^_]*.md", ["a.md"], ["_a.md"]),
        ("**/[!_]*.md", ["x/a.md"], ["x/_a.md"]),
        ("**/*.{md", ["a.md"], ["a.mdx"]),  # a brace left open is closed at the end
    ],
)
def test_glob_patterns(pattern: str, matches: list[str], misses: list[str]) -> None:
    """Glob patterns match as picomatch matches them."""
    regex = astro.glob_regex(pattern)
    assert all(regex.match(path) for path in matches)
    assert not any(regex.match(path) for path in misses)


def test_without_feed_page(tmp_path: Path) -> None:
    """Without src/pages/rss.xml.js, entries are linked as the starter links them,
    with a warning; the title must then come from postfeed.yaml."""
    with pytest.raises(postfeed.PostErrors) as raised:
        make_site(tmp_path, {"a.md": entry("pubDate: 2024-01-01\n")}, feed=None)
    assert str(raised.value) == (
        f"{tmp_path}/postfeed.yaml: title: missing; the feed's title in src/pages/rss.xml.js is"
        " not a plain string; set title in postfeed.yaml"
    )
    site = make_site(
        tmp_path, {"a.md": entry("pubDate: 2024-01-01\n")}, feed=None, extra="title: Mine\n"
    )
    assert site.warnings == (
        f"{tmp_path}: no src/pages/rss.xml.js: entries are linked as the blog starter's feed"
        " links them (/blog/<id>/)",
    )
    assert by_name(site)["a.md"].url == "https://a.example.org/blog/a/"


def test_drafts_only_where_the_feed_filters_them(tmp_path: Path) -> None:
    """draft: true is a draft only when rss.xml.js filters on data.draft (the starter
    does not)."""
    files = {"a.md": entry("pubDate: 2024-01-01\ndraft: true\n")}
    assert by_name(make_site(tmp_path / "one", files))["a.md"].draft is False
    feed = FEED.replace("getCollection('blog')", "getCollection('blog', ({ data }) => !data.draft)")
    assert by_name(make_site(tmp_path / "two", files, feed=feed))["a.md"].draft is True


def test_hero_images(tmp_path: Path) -> None:
    """A heroImage at a full URL or in public/ is the entry's image; tags are read."""
    site = make_site(
        tmp_path,
        {
            "a.md": entry("pubDate: 2024-01-01\nheroImage: /hero.jpg\ntags: [go, rust]\n"),
            "b.md": entry("pubDate: 2024-01-02\nheroImage: https://cdn.example/b.png\n"),
        },
    )
    posts = by_name(site)
    assert posts["a.md"].image == postfeed.Image(url="https://a.example.org/hero.jpg")
    assert posts["b.md"].image == postfeed.Image(url="https://cdn.example/b.png")
    assert posts["a.md"].tags == ("go", "rust")


def test_url_missing(tmp_path: Path) -> None:
    """A site URL that is not a plain string must come from postfeed.yaml."""
    (tmp_path / "astro.config.mjs").write_text("export default { site: process.env.SITE };\n")
    (tmp_path / "postfeed.yaml").write_text("source: astro\ntitle: T\n")
    with pytest.raises(postfeed.PostErrors) as raised:
        postfeed.load_site(tmp_path / "postfeed.yaml")
    assert str(raised.value) == (
        f"{tmp_path}/postfeed.yaml: url: missing; astro.config.mjs has no plain site URL"
        " (site: 'https://…'); set url in postfeed.yaml"
    )


# --- MDX ----------------------------------------------------------------------------


def test_mdx_javascript_is_never_run() -> None:
    """Imports, exports, expressions and JSX elements are left out (a paired element's
    children kept); comments give nothing; code is Markdown's and stays."""
    text = (
        "import Chart from '../c.astro';\nimport { x } from 'y';\n\n"
        "Text {/* hidden */} and `{code}`.\n\n<Chart data={[1, 2]} />\n\n"
        '<Aside type="tip">\nInner **md**.\n</Aside>\n\n<div className={cls}>x</div> <b>b</b>\n\n'
        "```js\nconst a = {b: 1};\n```\n"
    )
    out, warnings = templates.substitute(text, mdx.SYNTAX, 10)
    assert out == (
        "\nText  and `{code}`.\n\n\n\n\nInner **md**.\n\n\nx <b>b</b>\n\n```js\nconst a = {b: 1};\n```\n"
    )
    assert warnings == [
        (10, "JavaScript import Chart from '../c.astro'; import { x } from 'y'; is not run: left"
         " out of the feed"),
        (15, "JSX element <Chart data={[1, 2]} /> is not run: left out of the feed"),
        (17, 'JSX element <Aside type="tip"> is not run: left out of the feed, its inner text kept'),
        (21, "JSX element <div className={cls}> is not run: left out of the feed, its inner text"
         " kept"),
    ]  # fmt: skip


def test_time_zone_names_the_building_machine(tmp_path: Path) -> None:
    """Without a timezone, local times are UTC, as on the machine the expected feed was
    built on; the site's timezone decides them otherwise."""
    site = make_site(tmp_path, {"a.md": entry("pubDate: 'Mar 12 2024 18:05'\n")})
    (found,) = postfeed.load_posts(site)
    assert found.published == datetime(2024, 3, 12, 18, 5, tzinfo=UTC)
    new_york = make_site(
        tmp_path / "ny",
        {"a.md": entry("pubDate: 'Mar 12 2024 18:05'\n")},
        extra="timezone: America/New_York\n",
    )
    (found,) = postfeed.load_posts(new_york)
    assert found.published == datetime(2024, 3, 12, 18, 5, tzinfo=ZoneInfo("America/New_York"))
    assert found.published.utcoffset() == timedelta(hours=-4)
