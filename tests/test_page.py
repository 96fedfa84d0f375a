"""index.html, the feeds' page for people, and postfeed links."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from reader.discover import from_html

from postfeed import build, load_site
from postfeed.cli import main


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def page(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> Callable[[], str]:
    """Build the site from its folder and return index.html."""
    monkeypatch.chdir(site_dir)

    def built() -> str:
        assert main(["build", "-q"]) == 0
        return (site_dir / "feeds/index.html").read_text(encoding="utf-8")

    return built


def test_page_content(page: Callable[[], str], write_post: Callable[..., Path]) -> None:
    """Title, language, viewport, a subscribe link and address per feed, and the posts."""
    write_post("a", "tags: [go, Web Dev]\nsummary: First *summary*.\n")
    write_post("b", "date: 2024-05-02T23:30:00-07:00\n")
    html = page()
    parsed = _parse(html)
    assert parsed.tags[0] == ("html", {"lang": "en"})
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in (
        parsed.tags
    )
    assert "<h1>Test Blog</h1>" in html
    hrefs = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    assert hrefs == [
        "https://blog.example.com/",
        "rss.xml",
        "atom.xml",
        "feed.json",
        "tags/go/rss.xml",
        "tags/go/atom.xml",
        "tags/go/feed.json",
        "tags/web-dev/rss.xml",
        "tags/web-dev/atom.xml",
        "tags/web-dev/feed.json",
        "https://blog.example.com/posts/b/",
        "https://blog.example.com/posts/a/",
        "https://pypi.org/project/postfeed/",
    ]
    codes = re.findall(r"<code>([^<]*)</code>", html)
    assert codes[:3] == [
        "https://blog.example.com/feeds/rss.xml",
        "https://blog.example.com/feeds/atom.xml",
        "https://blog.example.com/feeds/feed.json",
    ]
    assert codes[-1] == "https://blog.example.com/feeds/tags/web-dev/feed.json"
    # Dates in their own offset, in words; summaries as text.
    assert '<time datetime="2024-05-02T23:30:00-07:00">2 May 2024</time>' in html
    assert "<p>First summary.</p>" in html
    headings = [tag for tag, _ in parsed.tags if re.fullmatch(r"h\d", tag)]
    assert headings == ["h1", "h2", "h2", "h2", "h3", "h3"]


def test_discovery_tags(page: Callable[[], str], write_post: Callable[..., Path]) -> None:
    """reader's feed discovery finds the three main feeds in the page's head."""
    write_post("a")
    html = page()
    with warnings.catch_warnings():
        # reader's discovery lets BeautifulSoup pick a parser, and BeautifulSoup warns.
        warnings.simplefilter("ignore")
        links = from_html(html)
    assert [(link.href, link.type, link.title) for link in links][:3] == [
        ("rss.xml", "application/rss+xml", "Test Blog (RSS)"),
        ("atom.xml", "application/atom+xml", "Test Blog (Atom)"),
        ("feed.json", "application/feed+json", "Test Blog (JSON Feed)"),
    ]


def test_page_escapes_and_fetches_nothing(
    page: Callable[[], str], write_post: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    """Titles and summaries are text; no image, script, stylesheet or font is loaded."""
    write_config(
        "title: Test Blog\nurl: https://blog.example.com/\nlanguage: de-AT\n"
        'description: "Über <b>&</b>"\n',
        replace=True,
    )
    write_post(
        "a",
        "title: '<script>alert(1)</script> & co'\n",
        "![pic](https://tracker.example.net/p.png) Text <img src=x onerror=alert(1)>.\n",
    )
    html = page()
    parsed = _parse(html)
    assert parsed.tags[0] == ("html", {"lang": "de-AT"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "Über &lt;b&gt;&amp;&lt;/b&gt;" in html
    loading = [
        (tag, attrs)
        for tag, attrs in parsed.tags
        if tag in ("img", "script", "iframe", "object", "embed", "video", "audio")
        or (tag == "link" and attrs.get("rel") not in ("alternate", "icon"))
    ]
    assert loading == []
    assert ("link", {"rel": "icon", "href": "data:,"}) in parsed.tags
    assert "@import" not in html
    assert "url(" not in html


def test_page_follows_the_formats(
    page: Callable[[], str], write_post: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    """Only configured formats are linked; without tag feeds there is no tag section."""
    write_config("formats: [atom]\ntag_feeds: false\n")
    write_post("a", "tags: [go]\n")
    html = page()
    assert re.findall(r'href="([^"]+\.(?:xml|json))"', html) == ["atom.xml", "atom.xml"]
    assert "Feeds by tag" not in html


def test_empty_site(page: Callable[[], str]) -> None:
    """A site without posts still gets a page."""
    assert "<p>No posts yet.</p>" in page()


def test_page_lists_the_newest_entries_only(
    page: Callable[[], str],
    write_post: Callable[..., Path],
    write_config: Callable[[str], Path],
) -> None:
    """With a feed of every post, the page lists the newest 20 of them, not all."""
    write_config("limit: 0\ntag_feeds: false\n")
    for day in range(1, 26):
        write_post(f"p{day:02d}", f"date: 2024-01-{day:02d}T10:00:00Z\n")
    html = page()
    listed = re.findall(r'<h3><a href="[^"]*/posts/(p\d\d)/">', html)
    assert listed == [f"p{day:02d}" for day in range(25, 5, -1)]


def test_page_is_deterministic(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Building at another time gives the same page, byte for byte."""
    write_post("a", "tags: [go]\n")
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=datetime(2026, 1, 1, tzinfo=UTC))
    first = (site_dir / "feeds/index.html").read_bytes()
    (site_dir / "feeds/index.html").unlink()
    build(site, now=datetime(2031, 7, 9, tzinfo=UTC))
    assert (site_dir / "feeds/index.html").read_bytes() == first
    assert b"2031" not in first


def test_check_reports_the_page(
    page: Callable[[], str], write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """build --check reports index.html missing or stale like any feed file."""
    write_post("a")
    page()
    index = Path("feeds/index.html")
    index.unlink()
    assert main(["build", "--check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "feeds/index.html: missing"
    index.write_text("edited by hand")
    assert main(["build", "--check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "feeds/index.html: stale"


def test_links_command(
    site_dir: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """postfeed links prints one absolute discovery tag per main feed."""
    write_config(
        'title: "Ann & Bo\'s \\"Blog\\""\nurl: https://blog.example.com/\n'
        "feeds_url: https://cdn.example.com/f\n",
        replace=True,
    )
    assert main(["links", "--config", str(site_dir / "postfeed.yaml")]) == 0
    assert capsys.readouterr().out == (
        '<link rel="alternate" type="application/rss+xml"'
        ' title="Ann &amp; Bo&#x27;s &quot;Blog&quot; (RSS)" href="https://cdn.example.com/f/rss.xml">\n'
        '<link rel="alternate" type="application/atom+xml"'
        ' title="Ann &amp; Bo&#x27;s &quot;Blog&quot; (Atom)" href="https://cdn.example.com/f/atom.xml">\n'
        '<link rel="alternate" type="application/feed+json"'
        ' title="Ann &amp; Bo&#x27;s &quot;Blog&quot; (JSON Feed)"'
        ' href="https://cdn.example.com/f/feed.json">\n'
    )
