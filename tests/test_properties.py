"""Property-based tests: sites with arbitrary Unicode, control characters, ``]]>``, ``--``,
HTML and Markdown in titles, summaries, bodies and tags, and dates anywhere in range,
all build into well-formed feeds that read back exactly. And the parsers never crash."""

from __future__ import annotations

import calendar
import json
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from postfeed import build, load_posts, load_site
from postfeed._text import tag_slug, xml_safe
from postfeed.reading._values import ValueProblem, timestamp
from postfeed.reading._yaml import YAMLProblem, load_mapping
from postfeed.reading.frontmatter import SplitProblem, decode, split

ATOM = "{http://www.w3.org/2005/Atom}"
ZONES = ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Pacific/Kiritimati",
         "Africa/Monrovia", "Europe/Amsterdam", "America/Los_Angeles"]  # fmt: skip
FRAGMENTS = [
    "]]>", "<![CDATA[", "--", "<!--", "-->", "<!--more-->", "\n<!--more-->\n", "<script>x</script>",
    "<b>", "</p>", "&", "&amp;", "&#0;", "&#x1;", "&lt;", "<", ">", '"', "'", "\\", "`", "```\n",
    "*", "_", "**", "#", "\n# h\n", "\n\n", "\n", "\r\n", "\r", "\t", "[a](../x)", "![i](/i.png)",
    "<a href='/r'>", "<img src=x onerror=y>", "| a |\n|---|\n", "---", "\n---\n", "...", "\x00",
    "\x01", "\x0b", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe", "\U0001f600", "é", "\u0301",
    "日本", "\u202e", "&nbsp;", "  \n", "{slug}", "%s", "\x1b[31m",
]  # fmt: skip

# Anything a UTF-8 file can hold: every code point but lone surrogates.
CHARS = st.characters(blacklist_categories=("Cs",))
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(CHARS, max_size=8)), max_size=8).map(
    "".join
)
TITLE = TEXT.filter(lambda t: xml_safe(t).strip() != "")
OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
# Whole range of years, kept a day from its ends so that every offset stays in range in UTC.
LOCAL = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9999, 12, 30))


@dataclass(frozen=True)
class Date:
    """A date as written in front matter, and the instant it means in a given zone."""

    written: str
    local: datetime  # aware, or naive for the site's zone
    date_only: bool = False

    def instant(self, zone: str) -> datetime:
        value = self.local if self.local.tzinfo else self.local.replace(tzinfo=ZoneInfo(zone))
        return value.replace(microsecond=0)


@st.composite
def dates(draw: st.DrawFn) -> Date:
    local = draw(LOCAL)
    form = draw(st.sampled_from(["iso-offset", "iso-naive", "date", "rfc2822", "space"]))
    if form == "date":
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return Date(day.date().isoformat(), day, date_only=True)
    if form == "iso-naive":
        return Date(local.isoformat(), local)
    aware = local.replace(tzinfo=draw(OFFSETS))
    if form == "rfc2822":
        return Date(format_datetime(aware.replace(microsecond=0)), aware)
    if form == "space":
        return Date(aware.isoformat(sep=" "), aware)
    return Date(aware.isoformat(), aware)


@st.composite
def tag_pools(draw: st.DrawFn) -> list[str]:
    """Tags as YAML will hand them over (whitespace folded), each with its own feed folder."""
    pool: dict[str, str] = {}
    for raw in draw(st.lists(TEXT, max_size=6)):
        tag = " ".join(raw.split())
        slug = tag_slug(_as_read(tag))
        if _as_read(tag) and slug and len(slug.encode()) <= 200 and slug not in pool:
            pool[slug] = tag
    return list(pool.values())


def _as_read(tag: str) -> str:
    """A tag as postfeed reads it: characters feeds cannot carry dropped, in Unicode's
    composed form (NFC), whitespace folded."""
    return " ".join(unicodedata.normalize("NFC", xml_safe(tag)).split())


@dataclass(frozen=True)
class PostSpec:
    title: str
    summary: str | None
    body: str
    tags: list[str]
    date: Date
    updated: Date | None


@st.composite
def sites(draw: st.DrawFn) -> tuple[str, list[PostSpec]]:
    zone = draw(st.sampled_from(ZONES))
    pool = draw(tag_pools())
    posts = []
    for _ in range(draw(st.integers(1, 4))):
        tags = draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)) if pool else []
        posts.append(
            PostSpec(
                title=draw(TITLE),
                summary=draw(st.none() | TEXT),
                body=draw(TEXT),
                tags=tags,
                date=draw(dates()),
                updated=draw(st.none() | dates()),
            )
        )
    return zone, posts


def _write_site(folder: Path, zone: str, posts: list[PostSpec]) -> None:
    (folder / "posts").mkdir()
    (folder / "postfeed.yaml").write_text(
        f"title: Property\nurl: https://prop.example/\ntimezone: {zone}\nlimit: 0\n",
        encoding="utf-8",
    )
    for number, spec in enumerate(posts):
        front: dict[str, Any] = {"title": spec.title, "date": spec.date.written}
        if spec.summary is not None:
            front["summary"] = spec.summary
        if spec.tags:
            front["tags"] = spec.tags
        if spec.updated is not None:
            front["updated"] = spec.updated.written
        text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1 << 20)
        # What postfeed reads must be what was meant. PyYAML may write a plain scalar
        # holding a YAML line break (U+0085, U+2028) that then reads back as a space;
        # double quotes escape every such character.
        if yaml.safe_load(decode(text.encode())) != front:
            text = yaml.safe_dump(front, allow_unicode=True, width=1 << 20, default_style='"')
        assert yaml.safe_load(decode(text.encode())) == front
        data = f"---\n{text}---\n{spec.body}".encode()
        (folder / "posts" / f"p{number}.md").write_bytes(data)


def _as_feedparser_reads(text: str) -> str:
    """feedparser "repairs" text that reads as UTF-8 mistaken for Latin-1 ("cafÃ©" becomes
    "café"), whatever the feed meant; every other title must come back as it is."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _utc(struct: Any) -> datetime:
    return (
        datetime.fromtimestamp(calendar.timegm(struct), UTC)
        if struct.tm_year < 9999
        else (datetime(*struct[:6], tzinfo=UTC))
    )


def _rfc3339(value: datetime) -> str:
    offset = value.utcoffset()
    assert offset is not None
    if offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
    return value.isoformat()


def _atom_entries(path: Path) -> list[tuple[str, str, str, str, list[str]]]:
    root = ET.fromstring(path.read_bytes())
    return [
        (
            entry.findtext(f"{ATOM}id") or "",
            entry.findtext(f"{ATOM}title") or "",
            entry.findtext(f"{ATOM}published") or "",
            entry.findtext(f"{ATOM}updated") or "",
            [c.get("term", "") for c in entry.iterfind(f"{ATOM}category")],
        )
        for entry in root.iterfind(f"{ATOM}entry")
    ]


def _json_entries(path: Path) -> list[tuple[str, str, str, str, list[str]]]:
    feed = json.loads(path.read_bytes())
    return [
        (
            item["id"],
            item["title"],
            item["date_published"],
            item["date_modified"],
            item.get("tags", []),
        )
        for item in feed["items"]
    ]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sites())
def test_every_site_builds_and_reads_back(site: tuple[str, list[PostSpec]]) -> None:
    """Each generated site builds; every file is well-formed XML or JSON; feedparser reads
    each title and date back exactly; the JSON Feed and Atom agree on ids, titles, dates, tags."""
    zone, specs = site
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _write_site(folder, zone, specs)
        config = load_site(folder / "postfeed.yaml")
        posts = {post.slug: post for post in load_posts(config)}
        result = build(config, future=True)
        out = folder / "feeds"
        assert len(result.published) == len(specs)
        expected: dict[str, tuple[str, datetime, datetime]] = {}
        for number, spec in enumerate(specs):
            post = posts[f"p{number}"]
            published = spec.date.instant(zone)
            assert post.published == published
            updated = published
            if spec.updated is not None and spec.updated.instant(zone) >= published:
                updated = spec.updated.instant(zone)
            entry_id = f"tag:prop.example,{published.date().isoformat()}:p{number}"
            expected[entry_id] = (xml_safe(spec.title).strip(), published, updated)

        for path in out.rglob("*"):
            if path.suffix == ".xml":
                ET.fromstring(path.read_bytes())
            elif path.suffix == ".json":
                json.loads(path.read_bytes())

        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse((out / name).read_bytes())
            assert not parsed.bozo, parsed.bozo_exception
            assert {entry.id for entry in parsed.entries} == set(expected)
            for entry in parsed.entries:
                title, published, updated = expected[entry.id]
                # RSS 2.0 cannot mark a title as plain text, so feedparser reads one that
                # looks like HTML as HTML; where it reads plain text, it must be exact.
                if name == "atom.xml" or entry.title_detail.type == "text/plain":
                    assert entry.title == _as_feedparser_reads(title)
                assert _utc(entry.published_parsed) == published.astimezone(UTC)
                if name == "atom.xml":
                    assert _utc(entry.updated_parsed) == updated.astimezone(UTC)
        rss_titles = {
            item.findtext("guid"): item.findtext("title")
            for item in ET.fromstring((out / "rss.xml").read_bytes()).iterfind("channel/item")
        }
        assert rss_titles == {entry_id: title for entry_id, (title, _, _) in expected.items()}

        for folder_path in [out, *(out / "tags").glob("*")]:
            atom = _atom_entries(folder_path / "atom.xml")
            assert atom == _json_entries(folder_path / "feed.json")
            for entry_id, title, published, updated, tags in atom:
                want_title, want_published, want_updated = expected[entry_id]
                assert title == want_title
                assert published == _rfc3339(want_published)
                assert updated == _rfc3339(want_updated)
                number = int(entry_id.rsplit(":p", 1)[1])
                assert tags == [_as_read(tag) for tag in specs[number].tags]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(CHARS, max_size=40), st.sampled_from(FRAGMENTS)))
@example("9999-12-31T23:59:59-23:59")
@example("1900-01-01T00:00:00+23:59")
@example("0:0:0:0")
@example("10:00 32/13/2024")
def test_any_date_text_is_a_date_or_a_message(text: str) -> None:
    """Any text as a date gives an aware datetime within range, or a ValueProblem; never
    another exception from python-dateutil."""
    try:
        value = timestamp(text, ZoneInfo("Europe/Berlin"))
    except ValueProblem:
        return
    assert value.utcoffset() is not None
    assert 1900 <= value.year <= 9999
    assert 1900 <= value.astimezone(UTC).year <= 9999


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(CHARS, max_size=200).map(str.encode))
def test_any_bytes_split_or_a_message(data: bytes) -> None:
    """Any bytes decode and split into front matter and body, or raise SplitProblem."""
    try:
        parts = split(decode(b"---\n" + data))
    except SplitProblem:
        return
    assert parts.front_matter_line == 2


YAML_PIECES = [": ", "- ", "[", "]", "{", "}", "&a ", "*a", "!!str ", "!!python/object ", "? ",
               "'", '"', "\n", "  ", "#", "|", ">", "---", "...", "%YAML 1.1\n", "!x ", "<<: "]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(CHARS, max_size=10) | st.sampled_from(YAML_PIECES), max_size=20).map("".join)
)
def test_any_yaml_is_data_or_a_message(text: str) -> None:
    """Any text either loads as a mapping of plain data or raises YAMLProblem."""
    try:
        mapping = load_mapping(text, first_line=2)
    except YAMLProblem as err:
        problem = err
    else:
        problem = None
    if problem is not None:
        assert problem.line >= 2
        assert "\n" not in problem.message
        return
    assert all(isinstance(key, str) for key in mapping.data)

    def plain(value: object) -> bool:
        if isinstance(value, list):
            return all(plain(item) for item in value)
        if isinstance(value, dict):
            return all(isinstance(k, str | int | float | bool) or k is None for k in value) and all(
                plain(v) for v in value.values()
            )
        return value is None or isinstance(value, str | int | float | bool | datetime)

    assert plain(mapping.data)


# --- what the properties found, kept as plain examples --------------------------------


def _one_post_site(folder: Path, front: str, config: str = "") -> dict[str, bytes]:
    (folder / "posts").mkdir()
    (folder / "postfeed.yaml").write_text(f"title: T\nurl: https://t.example/\n{config}")
    (folder / "posts" / "p.md").write_text(f"---\n{front}---\nBody.\n", encoding="utf-8")
    build(load_site(folder / "postfeed.yaml"), future=True)
    return {
        name: (folder / "feeds" / name).read_bytes()
        for name in ("rss.xml", "atom.xml", "feed.json")
    }


def test_offset_in_seconds_is_written_in_utc(tmp_path: Path) -> None:
    """St. John's kept local mean time (-03:30:52) until 1935: RFC 3339 and RFC 822 offsets
    have no seconds, so such a date is written in UTC, the same instant."""
    feeds = _one_post_site(
        tmp_path, "title: Old\ndate: 1935-01-01\n", "timezone: America/St_Johns\n"
    )
    assert b"<published>1935-01-01T03:30:52+00:00</published>" in feeds["atom.xml"]
    assert b"<pubDate>Tue, 01 Jan 1935 03:30:52 +0000</pubDate>" in feeds["rss.xml"]
    assert (
        json.loads(feeds["feed.json"])["items"][0]["date_published"] == "1935-01-01T03:30:52+00:00"
    )
    instant = datetime(1935, 1, 1, 3, 30, 52, tzinfo=UTC)
    for name in ("rss.xml", "atom.xml"):
        assert _utc(feedparser.parse(feeds[name]).entries[0].published_parsed) == instant


def test_c1_controls_are_dropped(tmp_path: Path) -> None:
    """U+0080-U+009F, which feedparser would turn into Windows-1252 letters ("€"), are
    dropped from titles like the C0 controls, so every format shows the same title."""
    feeds = _one_post_site(tmp_path, 'title: "Price \\x80\\x9f 5"\ndate: 2024-01-01\n')
    for name in ("rss.xml", "atom.xml"):
        assert feedparser.parse(feeds[name]).entries[0].title == "Price  5"
    assert json.loads(feeds["feed.json"])["items"][0]["title"] == "Price  5"


def test_xml_safe_keeps_exactly_the_characters_xml_allows() -> None:
    """Every code point is kept when the XML 1.0 Char production allows it and it is not
    DEL or a C1 control, and dropped otherwise."""

    kept = (0x9, 0xA, 0xD, *range(0x20, 0x7F), *range(0xA0, 0xD800), *range(0xE000, 0xFFFE))
    text = "".join(map(chr, range(0x110000)))
    assert xml_safe(text) == "".join(map(chr, (*kept, *range(0x10000, 0x110000))))


def test_title_outer_whitespace_is_trimmed(tmp_path: Path) -> None:
    """A quoted title's outer whitespace, which readers strip, is stripped in every format."""
    feeds = _one_post_site(tmp_path, 'title: "\\u00a0 padded \\t"\ndate: 2024-01-01\n')
    assert b'<title type="text">padded</title>' in feeds["atom.xml"]
    assert json.loads(feeds["feed.json"])["items"][0]["title"] == "padded"


def test_post_in_code_without_title_text() -> None:
    """A Post made in code whose title has no character a feed can carry is a ValueError,
    not feedgen's "Required fields not set"."""
    from postfeed import Post, Site, render

    site = Site(title="T", url="https://t.example/")
    post = Post(slug="x", title="\x01 ", published=datetime(2024, 1, 1, tzinfo=UTC), html="")
    with pytest.raises(ValueError, match=r"^post 'x' has no title text: '\\x01 '$"):
        render(site, [post], "atom")


def test_author_in_code_with_control_characters() -> None:
    """Control characters in an author's e-mail or URI made in code are dropped, not a crash
    in lxml."""
    from postfeed import Author, Post, Site, render

    author = Author(name="A\x02", email="a\x01@b.example", uri="https://b.example/\x7f")
    site = Site(title="T", url="https://t.example/", author=author)
    post = Post(slug="x", title="X", published=datetime(2024, 1, 1, tzinfo=UTC), html="<p>x</p>")
    atom = feedparser.parse(render(site, [post], "atom"))
    assert atom.feed.author_detail == {
        "name": "A",
        "email": "a@b.example",
        "href": "https://b.example/",
    }
    rss = render(site, [post], "rss")
    assert b"<author>a@b.example (A)</author>" in rss
