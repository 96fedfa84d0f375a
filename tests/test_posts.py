"""posts/*.md: front matter, dates, tags, and every broken post in one run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from postfeed import Author, ConfigError, Post, PostErrors, load_posts, load_site, plan
from postfeed.cli import main
from postfeed.reading import _yaml


def _load(site_dir: Path) -> list[Post]:
    return load_posts(load_site(site_dir / "postfeed.yaml"))


def test_all_keys(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Every documented front matter key is read into the post."""
    write_post(
        "hello",
        "title: 'Hello: World'\ndate: 2024-05-01T10:00:00+02:00\nupdated: 2024-06-01\n"
        "summary: A *short* one.\ntags: [go, Testing]\nslug: hi\n"
        "author: {name: Bo, email: bo@example.com, uri: https://bo.example.com/}\n"
        "draft: false\nid: urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427\n",
        "Body text.\n",
    )
    [post] = _load(site_dir)
    assert post.slug == "hi"
    assert post.title == "Hello: World"
    assert post.published == datetime(2024, 5, 1, 10, tzinfo=timezone(timedelta(hours=2)))
    assert post.updated is not None
    assert post.updated.isoformat() == "2024-06-01T00:00:00+02:00"
    assert post.summary == "A *short* one."
    assert post.tags == ("go", "Testing")
    assert post.author == Author(name="Bo", email="bo@example.com", uri="https://bo.example.com/")
    assert post.draft is False
    assert post.id == "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    assert post.markdown == "Body text.\n"
    assert post.warnings == ()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-05-01", "2024-05-01T00:00:00+02:00"),
        ("2024-01-15", "2024-01-15T00:00:00+01:00"),
        ("2024-05-01 09:30", "2024-05-01T09:30:00+02:00"),
        ("2024-05-01T09:30:00Z", "2024-05-01T09:30:00+00:00"),
        ("2024-05-01T09:30:00-05:00", "2024-05-01T09:30:00-05:00"),
        ("'Wed, 01 May 2024 09:30:00 +0000'", "2024-05-01T09:30:00+00:00"),
        ("May 1, 2024", "2024-05-01T00:00:00+02:00"),
        ("2024-05-01T09:30:00.123456+02:00", "2024-05-01T09:30:00+02:00"),
    ],
)
def test_date_forms(
    site_dir: Path, write_post: Callable[..., Path], written: str, expected: str
) -> None:
    """Dates keep their own offset; values without one are in the site timezone."""
    write_post("p", f"date: {written}\n")
    [post] = _load(site_dir)
    assert post.published.isoformat() == expected


@pytest.mark.parametrize(
    ("written", "expected", "warning"),
    [
        # Berlin's clocks went from 02:00 to 03:00 on 2025-03-30: 02:30 never happened.
        (
            "2025-03-30 02:30",
            "2025-03-30T03:30:00+02:00",
            "'2025-03-30 02:30' does not exist in Europe/Berlin, whose clocks jump forward"
            " past it; taken as 2025-03-30T03:30:00+02:00",
        ),
        # ... and from 03:00 back to 02:00 on 2025-10-26: 02:30 happened twice.
        (
            "2025-10-26T02:30:00",
            "2025-10-26T02:30:00+02:00",
            "'2025-10-26T02:30:00' happens twice in Europe/Berlin, whose clocks go back over"
            " it; taken as the first, 2025-10-26T02:30:00+02:00 (write 2025-10-26T02:30:00+01:00"
            " for the second)",
        ),
        ("2025-10-26T02:30:00+01:00", "2025-10-26T02:30:00+01:00", None),
        ("2025-03-30 01:59", "2025-03-30T01:59:00+01:00", None),
        ("2025-03-30 03:00", "2025-03-30T03:00:00+02:00", None),
    ],
)
def test_times_the_clocks_skip_or_repeat(
    site_dir: Path,
    write_post: Callable[..., Path],
    written: str,
    expected: str,
    warning: str | None,
) -> None:
    """A local time that never happened is taken as the instant the offset before the
    jump gives, one that happened twice as its first occurrence, each with a warning that
    says which; for updated as for date."""
    path = write_post("p", f"date: 2025-01-01\nupdated: {written}\n")
    [post] = _load(site_dir)
    assert post.updated is not None
    assert post.updated.isoformat() == expected
    assert post.warnings == (() if warning is None else (f"{path}:4: updated: {warning}",))


def test_tags_as_text(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Tags may be one comma-separated string; blanks and repeats are dropped."""
    write_post("p", "tags: 'go,  distributed systems , go,'\n")
    [post] = _load(site_dir)
    assert post.tags == ("go", "distributed systems")


def test_bom_and_crlf(site_dir: Path) -> None:
    """A UTF-8 byte order mark and CRLF line ends are accepted."""
    path = site_dir / "posts" / "win.md"
    path.write_bytes("\ufeff---\r\ntitle: Win\r\ndate: 2024-01-02\r\n---\r\nLine one\r\n".encode())
    [post] = _load(site_dir)
    assert post.title == "Win"
    assert post.markdown == "Line one\n"


def test_unknown_key_is_kept_and_warned(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """A typo such as sumary is kept in extra and reported with file and line."""
    path = write_post("p", "sumary: oops\n")
    [post] = _load(site_dir)
    assert post.extra == {"sumary": "oops"}
    assert post.warnings == (
        f"{path}:3: unknown key 'sumary' is ignored (did you mean 'summary'?)",
    )


def test_hidden_files_skipped(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Files starting with . or _ and files not ending in .md are not posts."""
    write_post("real")
    (site_dir / "posts" / "_draft-notes.md").write_text("no front matter")
    (site_dir / "posts" / "README.txt").write_text("no front matter")
    assert [post.slug for post in _load(site_dir)] == ["real"]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: ''\n", "2: title: must not be empty"),
        ("title: 2024\n", "2: title: expected text, got 2024 (quote it)"),
        ("title: no\n", "2: title: expected text, got false (quote it)"),
        ("date: tomorow\n", "3: date: expected a date, got 'tomorow'"),
        ("date: 2024-02-30\n", "3: date: expected a date, got '2024-02-30'"),
        ("date: March 5\n", "3: date: incomplete date 'March 5': give a year, a month and a day"),
        ("date: 1066-10-14\n", "3: date: date out of range: '1066-10-14' (years 1900-9999)"),
        ("updated: soon\n", "3: updated: expected a date, got 'soon'"),
        ("tags: 5\n", "3: tags: expected a list of tags or a comma-separated text, got 5"),
        ("tags: [go, 5]\n", "3: tags: expected text for each tag, got 5 (quote it)"),
        ("draft: maybe\n", "3: draft: expected true or false, got 'maybe'"),
        (
            "slug: a/b\n",
            "3: slug: 'a/b' is not a valid slug (use letters, digits, '-', '_', '.' and '~')",
        ),
        (
            "id: not a uri\n",
            "3: id: expected an absolute URI such as tag:example.com,2024:hello, got 'not a uri'",
        ),
        (
            "author: [a]\n",
            "3: author: expected a name or a mapping with name, email, uri, got a list",
        ),
    ],
)
def test_post_errors(
    site_dir: Path, write_post: Callable[..., Path], front: str, message: str
) -> None:
    """Each wrong value is reported as path:line: key: what is wrong."""
    path = write_post("p", front)
    with pytest.raises(PostErrors) as info:
        _load(site_dir)
    assert str(info.value) == f"{path}:{message}"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("title: x\n", "1: no front matter: a post must start with a '---' line"),
        ("---\ntitle: x\n", "1: front matter is never closed: add a '---' line after it"),
        ("---\n- a\n---\n", "2: front matter must be a mapping of keys to values, got a list"),
        (
            "---\ntitle: [x\n---\n",
            "2: invalid YAML: the list opened with '[' is never closed; add ']'"
            " (or quote the value if it is text)",
        ),
        ("---\ndate: 2024-01-01\n---\n", "1: title: missing (every post needs a title)"),
        ("---\ntitle: x\n---\n", "1: date: missing (every post needs a date)"),
        (
            "---\ntitle: x\ntitle: y\ndate: 2024-01-01\n---\n",
            "3: duplicate key 'title' (first on line 2)",
        ),
        (
            "---\ntitle: !!python/object/apply:os.system [echo]\ndate: 2024-01-01\n---\n",
            "2: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed: only plain data is read",
        ),
    ],
)
def test_file_errors(
    site_dir: Path, write_post: Callable[..., Path], raw: str, message: str
) -> None:
    """A file that cannot be read as front matter plus body says why, with the line."""
    path = write_post("p", raw=raw)
    with pytest.raises(PostErrors) as info:
        _load(site_dir)
    assert str(info.value) == f"{path}:{message}"


def test_not_utf8(site_dir: Path) -> None:
    """A file that is not UTF-8 names the line and byte offset."""
    path = site_dir / "posts" / "latin.md"
    path.write_bytes(b"---\ntitle: Caf\xe9\ndate: 2024-01-01\n---\n")
    with pytest.raises(PostErrors) as info:
        _load(site_dir)
    assert (
        str(info.value)
        == f"{path}:2: not UTF-8: invalid byte 0xe9 at offset 14 (save the file as UTF-8)"
    )


def test_every_broken_post_in_one_run(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """All problems of all posts are reported together, sorted by path then line."""
    b = write_post("b", "title: 1\ndate: nope\n")
    a = write_post("a", raw="no front matter\n")
    write_post("c")
    with pytest.raises(PostErrors) as info:
        _load(site_dir)
    assert str(info.value).splitlines() == [
        f"{a}:1: no front matter: a post must start with a '---' line",
        f"{b}:2: title: expected text, got 1 (quote it)",
        f"{b}:3: date: expected a date, got 'nope'",
    ]


def test_duplicate_slug_and_id(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Two posts with one slug, or one id, are an error naming both files."""
    first = write_post("one", "id: urn:x:1\n")
    second = write_post("two", "slug: one\nid: urn:x:1\n")
    with pytest.raises(PostErrors) as info:
        _load(site_dir)
    assert str(info.value).splitlines() == [
        f"{second}:3: slug 'one' is also used by {first}",
        f"{second}:4: id 'urn:x:1' is also used by {first}",
    ]


def test_tag_slug_collision(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Two spellings of a tag that map to one feed folder are an error when the feeds
    are planned."""
    first = write_post("a", "tags: [Distributed Systems]\n")
    second = write_post("b", "tags: [distributed-systems]\n")
    posts = _load(site_dir)
    with pytest.raises(PostErrors) as info:
        plan(load_site(site_dir / "postfeed.yaml"), posts)
    assert str(info.value) == (
        f"{second}:3: tags: 'distributed-systems' and 'Distributed Systems' (in {first}) both map"
        " to the tag feed 'distributed-systems'; spell them the same"
    )


def test_missing_posts_folder(site_dir: Path) -> None:
    """A posts folder that does not exist is a config error."""
    (site_dir / "posts").rmdir()
    site = load_site(site_dir / "postfeed.yaml")
    with pytest.raises(ConfigError) as info:
        load_posts(site)
    assert (
        str(info.value)
        == f"{site_dir / 'postfeed.yaml'}: posts folder {site_dir / 'posts'} does not exist"
    )


def test_updated_before_date(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """An updated date before the publish date is ignored, with a warning."""
    path = write_post("p", "date: 2024-05-02\nupdated: 2024-05-01\n")
    [post] = _load(site_dir)
    assert post.updated is None
    assert post.warnings == (f"{path}:4: updated is before date; date is used",)


@given(
    st.dictionaries(
        st.text(alphabet="abcxyz_-", min_size=1, max_size=8),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.text(alphabet="abc", min_size=1, max_size=3), inner, max_size=3
                )
            ),
            max_leaves=8,
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([None, True, False]),
)
def test_front_matter_values_as_pyyaml_makes_them(
    data: dict[str, object], flow: bool | None
) -> None:
    """The YAML reader gives exactly the values PyYAML's safe constructor gives."""
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    expected = yaml.load(text, Loader=_yaml._DataLoader)
    assert repr(_yaml.load_mapping(text).data) == repr(expected)  # types too: 1 == True


def test_a_post_of_the_largest_size_builds(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A post of exactly 1 MiB, the largest allowed, is published whole (a code block,
    which Python-Markdown renders quickly)."""
    path = write_post("big", "", "")
    head = path.read_bytes()
    line = b"    x = 1\n"
    body = line * ((1024 * 1024 - len(head)) // len(line))
    path.write_bytes(head + body + b"\n" * (1024 * 1024 - len(head) - len(body)))
    assert path.stat().st_size == 1024 * 1024
    monkeypatch.chdir(site_dir)
    assert main(["build", "-q"]) == 0
    atom = (site_dir / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert atom.count("x = 1") == len(body) // len(line)
