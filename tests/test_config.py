"""postfeed.yaml: defaults, validation and messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from postfeed import ConfigError, PostErrors, load_site


def test_defaults(write_config: Callable[..., Path]) -> None:
    """Only title and url are required; everything else has its documented default."""
    path = write_config("title: T\nurl: https://example.org/blog\n", replace=True)
    site = load_site(path)
    assert site.url == "https://example.org/blog/"
    assert site.description == "T"
    assert site.feeds_base_url == "https://example.org/blog/feeds/"
    assert site.timezone == "UTC"
    assert site.posts_dir == path.parent / "posts"
    assert site.output_dir == path.parent / "feeds"
    assert site.permalink == "/posts/{slug}/"
    assert site.limit == 20
    assert site.formats == ("rss", "atom", "json")
    assert site.tag_feeds is True
    assert site.language is None
    assert site.author is None


def test_every_key(write_config: Callable[..., Path]) -> None:
    """Every documented key is read, paths relative to the config file."""
    path = write_config(
        "posts: content/posts\noutput: public/feeds\nfeeds_url: https://cdn.example.com/f\n"
        "permalink: /{year}/{month}/{day}/{slug}.html\nlimit: 0\nformats: [json, rss]\n"
        "tag_feeds: false\n"
    )
    site = load_site(path)
    assert site.posts_dir == path.parent / "content/posts"
    assert site.output_dir == path.parent / "public/feeds"
    assert site.feeds_base_url == "https://cdn.example.com/f/"
    assert site.limit == 0
    assert site.formats == ("rss", "json")
    assert site.tag_feeds is False
    assert site.timezone == "Europe/Berlin"
    assert site.author is not None
    assert site.author.email == "ada@example.com"


def test_overrides(write_config: Callable[..., Path], tmp_path: Path) -> None:
    """url and output given in code replace the file's."""
    site = load_site(write_config(""), url="https://other.example.net", output=tmp_path / "x")
    assert site.url == "https://other.example.net/"
    assert site.feeds_base_url == "https://other.example.net/feeds/"
    assert site.output_dir == tmp_path / "x"


def test_bad_override_url(write_config: Callable[..., Path]) -> None:
    """A relative --url is refused like a relative url in the file."""
    with pytest.raises(ConfigError) as info:
        load_site(write_config(""), url="/blog/")
    assert str(info.value) == "--url: expected an absolute http(s) URL, got '/blog/'"


def test_unknown_key_warns(write_config: Callable[..., Path]) -> None:
    """A typo in a key is a warning naming file, line and the likely key."""
    path = write_config("timezon: UTC\n")
    site = load_site(path)
    line = len(path.read_text().splitlines())
    assert site.warnings == (
        f"{path}:{line}: unknown key 'timezon' is ignored (did you mean 'timezone'?)",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: T\n", ":  url: missing (it is required)"),
        ("title: T\nurl: /blog/\n", ":2: url: expected an absolute http(s) URL, got '/blog/'"),
        (
            "title: T\nurl: ftp://x.org/\n",
            ":2: url: expected an absolute http(s) URL, got 'ftp://x.org/'",
        ),
        ("title: 2024\nurl: https://x.org/\n", ":1: title: expected text, got 2024 (quote it)"),
        (
            "title: T\nurl: https://x.org/\ntimezone: Mars/Olympus\n",
            ":3: timezone: unknown time zone 'Mars/Olympus' (use an IANA name such as Europe/Berlin)",
        ),
        (
            "title: T\nurl: https://x.org/\nformats: [rss, gopher]\n",
            ":3: formats: unknown format 'gopher' (use rss, atom, json)",
        ),
        (
            "title: T\nurl: https://x.org/\nlimit: -1\n",
            ":3: limit: must be 0 (all) or more, got -1",
        ),
        (
            "title: T\nurl: https://x.org/\nlimit: ten\n",
            ":3: limit: expected a whole number (0 for all), got 'ten'",
        ),
        (
            "title: T\nurl: https://x.org/\ntag_feeds: maybe\n",
            ":3: tag_feeds: expected true or false, got 'maybe'",
        ),
        (
            "title: T\nurl: https://x.org/\npermalink: /posts/\n",
            ":3: permalink: must contain {slug}, so that every post has its own URL",
        ),
        (
            "title: T\nurl: https://x.org/\npermalink: /{slug}/{hour}/\n",
            ":3: permalink: unknown placeholder {hour} (use {slug}, {year}, {month}, {day})",
        ),
        (
            "title: T\nurl: https://x.org/\nlanguage: english please\n",
            ":3: language: expected a language tag such as en or en-GB, got 'english please'",
        ),
        ("title: T\nurl: https://x.org/\nauthor: {email: a@b.c}\n", ":3: author: name is required"),
        (
            "title: T\nurl: https://x.org/\nauthor: {name: A, email: nope}\n",
            ":3: author: email: expected an e-mail address, got 'nope'",
        ),
        ("- title\n", ":1: postfeed.yaml must be a mapping of keys to values, got a list"),
        (
            "title: [T\n",
            ":1: invalid YAML: the list opened with '[' is never closed; add ']'"
            " (or quote the value if it is text)",
        ),
    ],
)
def test_config_errors(write_config: Callable[..., Path], text: str, message: str) -> None:
    """Each invalid configuration gets its own message, with the key's line."""
    path = write_config(text, replace=True)
    with pytest.raises(ConfigError) as info:
        load_site(path)
    expected = f"{path}{message}" if not message.startswith(":  ") else f"{path}: {message[3:]}"
    assert str(info.value) == expected


def test_every_config_error_at_once(write_config: Callable[..., Path]) -> None:
    """All problems in the file are reported together, in line order."""
    path = write_config("title: T\nurl: nope\nlimit: -3\n", replace=True)
    with pytest.raises(PostErrors) as info:
        load_site(path)
    assert str(info.value).splitlines() == [
        f"{path}:2: url: expected an absolute http(s) URL, got 'nope'",
        f"{path}:3: limit: must be 0 (all) or more, got -3",
    ]


def test_missing_config(tmp_path: Path) -> None:
    """A missing file says how to fix it."""
    with pytest.raises(ConfigError) as info:
        load_site(tmp_path / "postfeed.yaml")
    assert (
        str(info.value)
        == f"{tmp_path / 'postfeed.yaml'}: no such file (create it, or pass --config)"
    )
