"""The catalogue of bad input, run through the real command: the exact message, exit code
2 and the old feeds left byte for byte; and docs/errors.md lists exactly these messages."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

import postfeed
from postfeed import OutputError
from postfeed.cli import main
from postfeed.reading.scan import scan
from postfeed.writing import _fs, _lock

DOCS = Path(__file__).parent.parent / "docs" / "errors.md"
CONFIG = """\
title: Test Blog
url: https://blog.example.com/
timezone: Europe/Berlin
"""
GOOD = "---\ntitle: Good\ndate: 2024-05-01T10:00:00+02:00\ntags: [go]\n---\nHello.\n"


def post(name: str, front: str, body: str = "Hello.\n") -> Callable[[Path], None]:
    """Write posts/<name>.md with this front matter (title and date added unless given)."""

    def write(site: Path) -> None:
        text = front
        if not re.search("^title:", text, re.MULTILINE):
            text = f"title: Post {name}\n" + text
        if not re.search("^date:", text, re.MULTILINE):
            text += "date: 2024-05-02T10:00:00+02:00\n"
        (site / "posts" / f"{name}.md").write_text(f"---\n{text}---\n{body}", encoding="utf-8")

    return write


def raw(name: str, data: bytes | str) -> Callable[[Path], None]:
    """Write posts/<name>.md with exactly these bytes."""

    def write(site: Path) -> None:
        content = data.encode("utf-8") if isinstance(data, str) else data
        (site / "posts" / f"{name}.md").write_bytes(content)

    return write


def config(text: str | bytes) -> Callable[[Path], None]:
    """Replace postfeed.yaml."""

    def write(site: Path) -> None:
        content = text.encode("utf-8") if isinstance(text, str) else text
        (site / "postfeed.yaml").write_bytes(content)

    return write


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def run(site: Path) -> None:
        for step in steps:
            step(site)

    return run


def link(name: str, target: str) -> Callable[[Path], None]:
    """Make posts/<name>.md a symbolic link to ``target`` (relative to the site)."""

    def make(site: Path) -> None:
        (site / "posts" / f"{name}.md").symlink_to(site / target)

    return make


def outside_post(site: Path) -> None:
    (site / "secret.md").write_text(GOOD, encoding="utf-8")
    link("leak", "secret.md")(site)


def tag_folder_links_outside(site: Path) -> None:
    (site / "elsewhere").mkdir()
    post("a", "tags: [rust]\n")(site)
    (site / "feeds/tags/rust").symlink_to(site / "elsewhere")


@dataclass(frozen=True)
class Case:
    """One way the input can be wrong, and exactly what postfeed prints for it."""

    id: str
    setup: Callable[[Path], None]
    stderr: str  # {site} stands for the site folder's real path
    args: tuple[str, ...] = ()
    code: int = 2


def C(id: str, setup: Callable[[Path], None], stderr: str, *args: str, code: int = 2) -> Any:
    """One catalogue entry as a pytest parameter named by its id."""
    return pytest.param(Case(id, setup, stderr, args, code), id=id)


CONFIG_CASES = [
    C("config-missing", lambda s: (s / "postfeed.yaml").unlink(),
      "postfeed.yaml: no such file (create it, or pass --config)\n"),
    C("config-is-a-folder", lambda s: (s / "conf.d").mkdir(),
      "conf.d: cannot read: Is a directory\n", "--config", "conf.d"),
    C("config-too-large", config("title: T\nurl: https://x.org/\n" + "# padding\n" * 7000),
      "postfeed.yaml: too large (more than 65536 bytes); a configuration is a few lines\n"),
    C("config-not-utf8", config(b"title: Caf\xe9\nurl: https://x.org/\n"),
      "postfeed.yaml:1: not UTF-8: invalid byte 0xe9 at offset 10 (save the file as UTF-8)\n"),
    C("config-not-a-mapping", config("- title\n- url\n"),
      "postfeed.yaml:1: postfeed.yaml must be a mapping of keys to values, got a list\n"),
    C("config-a-single-value", config("just text\n"),
      "postfeed.yaml:1: postfeed.yaml must be a mapping of keys to values, got a single value\n"),
    C("config-yaml-syntax", config("title: T\nurl: https://x.org/\nformats: [rss\n"),
      "postfeed.yaml:4: invalid YAML: did not find expected ',' or ']'\n"),
    C("config-duplicate-key", config("title: T\nurl: https://x.org/\ntitle: U\n"),
      "postfeed.yaml:3: duplicate key 'title' (first on line 1)\n"),
    C("config-key-not-text", config("title: T\nurl: https://x.org/\n2024: x\n"),
      "postfeed.yaml:3: keys must be text, got 2024 (quote it)\n"),
    C("config-python-tag", config("title: !!python/object/apply:os.getcwd []\nurl: https://x.org/\n"),
      "postfeed.yaml:1: YAML tag 'tag:yaml.org,2002:python/object/apply:os.getcwd' is not allowed: only plain data is read\n"),
    C("config-alias-bomb", config("title: &t T\nurl: https://x.org/\ndescription: *t\n"),
      "postfeed.yaml:1: YAML anchors and aliases are not allowed\n"),
    C("config-missing-title", config("url: https://x.org/\n"),
      "postfeed.yaml: title: missing (it is required)\n"),
    C("config-missing-url", config("title: T\n"),
      "postfeed.yaml: url: missing (it is required)\n"),
    C("config-relative-url", config("title: T\nurl: /blog/\n"),
      "postfeed.yaml:2: url: expected an absolute http(s) URL, got '/blog/'\n"),
    C("config-url-control-character", config('title: T\nurl: "https://x.org/\\x07"\n'),
      "postfeed.yaml:2: url: contains U+0007, which feeds cannot carry (remove it)\n"),
    C("config-title-number", config("title: 2024\nurl: https://x.org/\n"),
      "postfeed.yaml:1: title: expected text, got 2024 (quote it)\n"),
    C("config-unknown-timezone", config("title: T\nurl: https://x.org/\ntimezone: Mars/Olympus\n"),
      "postfeed.yaml:3: timezone: unknown time zone 'Mars/Olympus' (use an IANA name such as Europe/Berlin)\n"),
    C("config-unknown-format", config("title: T\nurl: https://x.org/\nformats: [rss, gopher]\n"),
      "postfeed.yaml:3: formats: unknown format 'gopher' (use rss, atom, json)\n"),
    C("config-formats-empty", config("title: T\nurl: https://x.org/\nformats: []\n"),
      "postfeed.yaml:3: formats: name at least one of rss, atom, json\n"),
    C("config-formats-a-number", config("title: T\nurl: https://x.org/\nformats: 3\n"),
      "postfeed.yaml:3: formats: expected a list of rss, atom, json, got 3\n"),
    C("config-negative-limit", config("title: T\nurl: https://x.org/\nlimit: -1\n"),
      "postfeed.yaml:3: limit: must be 0 (all) or more, got -1\n"),
    C("config-limit-not-a-number", config("title: T\nurl: https://x.org/\nlimit: ten\n"),
      "postfeed.yaml:3: limit: expected a whole number (0 for all), got 'ten'\n"),
    C("config-tag-feeds-maybe", config("title: T\nurl: https://x.org/\ntag_feeds: maybe\n"),
      "postfeed.yaml:3: tag_feeds: expected true or false, got 'maybe'\n"),
    C("config-permalink-without-slug", config("title: T\nurl: https://x.org/\npermalink: /posts/\n"),
      "postfeed.yaml:3: permalink: must contain {slug}, so that every post has its own URL\n"),
    C("config-permalink-placeholder", config("title: T\nurl: https://x.org/\npermalink: /{hour}/{slug}/\n"),
      "postfeed.yaml:3: permalink: unknown placeholder {hour} (use {slug}, {year}, {month}, {day})\n"),
    C("config-permalink-not-a-path", config("title: T\nurl: https://x.org/\npermalink: https://y.org/{slug}\n"),
      "postfeed.yaml:3: permalink: must be a path under the site url, got 'https://y.org/{slug}'\n"),
    C("config-permalink-broken-pattern", config("title: T\nurl: https://x.org/\npermalink: /{slug\n"),
      "postfeed.yaml:3: permalink: invalid pattern '/{slug': expected '}' before end of string\n"),
    C("config-language", config("title: T\nurl: https://x.org/\nlanguage: english please\n"),
      "postfeed.yaml:3: language: expected a language tag such as en or en-GB, got 'english please'\n"),
    C("config-author-without-name", config("title: T\nurl: https://x.org/\nauthor: {email: a@b.c}\n"),
      "postfeed.yaml:3: author: name is required\n"),
    C("config-author-unknown-key", config("title: T\nurl: https://x.org/\nauthor: {name: A, mail: a@b.c}\n"),
      "postfeed.yaml:3: author: unknown key 'mail' (use name, email, uri)\n"),
    C("config-author-email", config("title: T\nurl: https://x.org/\nauthor: {name: A, email: nope}\n"),
      "postfeed.yaml:3: author: email: expected an e-mail address, got 'nope'\n"),
    C("config-author-uri", config("title: T\nurl: https://x.org/\nauthor: {name: A, uri: nope}\n"),
      "postfeed.yaml:3: author: uri: expected an absolute URI such as tag:example.com,2024:hello, got 'nope'\n"),
    C("config-output-nul", config('title: T\nurl: https://x.org/\noutput: "fe\\0eds"\n'),
      "postfeed.yaml:3: output: must not contain a NUL byte\n"),
    C("config-every-problem-at-once", config("title: T\nurl: nope\nlimit: -3\n"),
      "postfeed.yaml:2: url: expected an absolute http(s) URL, got 'nope'\n"
      "postfeed.yaml:3: limit: must be 0 (all) or more, got -3\n"
      "postfeed: 2 problems; nothing was written\n"),
    C("option-url", lambda s: None,
      "--url: expected an absolute http(s) URL, got 'preview'\n", "--url", "preview"),
    C("posts-folder-missing", lambda s: (s / "posts/a.md").unlink() or (s / "posts").rmdir(),
      "postfeed.yaml: posts folder posts does not exist\n"),
    C("posts-folder-is-a-file", config(CONFIG + "posts: postfeed.yaml\n"),
      "postfeed.yaml: posts folder postfeed.yaml is not a folder\n"),
    C("unknown-config-key", config(CONFIG + "timezon: UTC\n"),
      "postfeed.yaml:4: unknown key 'timezon' is ignored (did you mean 'timezone'?)\n", code=0),
]  # fmt: skip

FILE_CASES = [
    C("no-front-matter", raw("p", "title: x\n"),
      "posts/p.md:1: no front matter: a post must start with a '---' line\n"),
    C("never-closed", raw("p", "---\ntitle: x\ndate: 2024-01-01\n"),
      "posts/p.md:1: front matter is never closed: add a '---' line after it\n"),
    C("front-matter-too-large", raw("p", "---\ntitle: x\n" + "# é\n" * 16000 + "---\n"),
      "posts/p.md:1: front matter is too large (80009 bytes; at most 65536)\n"),
    C("front-matter-unbounded", raw("p", "---\ntitle: x\n" + "x: y\n" * 20000),
      "posts/p.md:1: front matter is too large or never closed: no closing '---' line in its first 65536 bytes\n"),
    C("front-matter-a-list", raw("p", "---\n- a\n---\n"),
      "posts/p.md:2: front matter must be a mapping of keys to values, got a list\n"),
    C("yaml-syntax", raw("p", "---\ntitle: x\ndate: 2024-01-01\ntags: [a, b\n---\n"),
      "posts/p.md:5: invalid YAML: did not find expected ',' or ']'\n"),
    C("yaml-unquoted-colon", raw("p", "---\ntitle: Go: a guide\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: invalid YAML: mapping values are not allowed in this context\n"),
    C("yaml-control-character", raw("p", "---\ntitle: x\ndate: 2024-01-01\nsummary: a\x01b\n---\n"),
      "posts/p.md:4: invalid YAML: unacceptable character #x0001: control characters are not allowed\n"),
    C("yaml-duplicate-key", raw("p", "---\ntitle: x\ntitle: y\ndate: 2024-01-01\n---\n"),
      "posts/p.md:3: duplicate key 'title' (first on line 2)\n"),
    C("yaml-key-not-text", raw("p", "---\ntitle: x\ndate: 2024-01-01\n[a]: b\n---\n"),
      "posts/p.md:4: keys must be text, got a list\n"),
    C("yaml-python-tag", raw("p", "---\ntitle: !!python/object/apply:os.system [echo]\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed: only plain data is read\n"),
    C("yaml-binary-tag", raw("p", "---\ntitle: !!binary aGk=\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: YAML tag 'tag:yaml.org,2002:binary' is not allowed: only plain data is read\n"),
    C("yaml-local-tag", raw("p", "---\ntitle: !shell ls\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: YAML tag '!shell' is not allowed: only plain data is read\n"),
    C("yaml-alias", raw("p", "---\ntitle: &t x\nsummary: *t\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: YAML anchors and aliases are not allowed\n"),
    C("yaml-too-deep", raw("p", "---\ntitle: x\ndate: 2024-01-01\nx: " + "[" * 2000 + "\n---\n"),
      "posts/p.md:4: invalid YAML: exceeded maximum nesting depth\n"),
    C("not-utf8", raw("p", b"---\ntitle: Caf\xe9\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: not UTF-8: invalid byte 0xe9 at offset 14 (save the file as UTF-8)\n"),
    C("utf16", raw("p", "---\ntitle: x\n".encode("utf-16")),
      "posts/p.md:1: not UTF-8: invalid byte 0xff at offset 0 (save the file as UTF-8)\n"),
    C("symlink-outside-posts", outside_post,
      "posts/leak.md: is a symbolic link to {site}/secret.md, outside the posts folder posts\n"),
    C("symlink-to-nothing", link("gone", "posts/missing.md"),
      "posts/gone.md: is a symbolic link to {site}/posts/missing.md, which does not exist\n"),
    C("file-name-not-a-slug", raw("-draft", GOOD),
      "posts/-draft.md: file name: '-draft' is not a valid slug (use letters, digits, '-', '_', '.' and '~'), or set slug in the front matter\n"),
]  # fmt: skip

VALUE_CASES = [
    C("title-missing", raw("p", "---\ndate: 2024-01-01\n---\n"),
      "posts/p.md:1: title: missing (every post needs a title)\n"),
    C("title-empty", post("p", "title: ''\n"),
      "posts/p.md:2: title: must not be empty\n"),
    C("title-null", post("p", "title:\n"),
      "posts/p.md:2: title: expected text, got nothing\n"),
    C("title-only-control-characters", post("p", 'title: "\\x01\\x02"\n'),
      "posts/p.md:2: title: must not be empty (it holds only characters feeds cannot carry)\n"),
    C("title-number", post("p", "title: 2024\n"),
      "posts/p.md:2: title: expected text, got 2024 (quote it)\n"),
    C("title-boolean", post("p", "title: no\n"),
      "posts/p.md:2: title: expected text, got false (quote it)\n"),
    C("title-list", post("p", "title: [a, b]\n"),
      "posts/p.md:2: title: expected text, got a list\n"),
    C("date-missing", raw("p", "---\ntitle: x\n---\n"),
      "posts/p.md:1: date: missing (every post needs a date)\n"),
    C("date-null", post("p", "date:\n"),
      "posts/p.md:3: date: expected a date, got nothing\n"),
    C("date-empty", post("p", "date: ''\n"),
      "posts/p.md:3: date: expected a date, got ''\n"),
    C("date-typo", post("p", "date: tomorow\n"),
      "posts/p.md:3: date: expected a date, got 'tomorow'\n"),
    C("date-impossible", post("p", "date: 2024-02-30\n"),
      "posts/p.md:3: date: expected a date, got '2024-02-30'\n"),
    C("date-number", post("p", "date: 2024\n"),
      "posts/p.md:3: date: expected a date, got 2024\n"),
    C("date-incomplete", post("p", "date: March 5\n"),
      "posts/p.md:3: date: incomplete date 'March 5': give a year, a month and a day\n"),
    C("date-too-early", post("p", "date: 1066-10-14\n"),
      "posts/p.md:3: date: date out of range: '1066-10-14' (years 1900-9999)\n"),
    C("date-too-late", post("p", "date: 10000-01-01\n"),
      "posts/p.md:3: date: expected a date, got '10000-01-01'\n"),
    C("date-past-9999-in-utc", post("p", "date: 9999-12-31T23:00:00-05:00\n"),
      "posts/p.md:3: date: date out of range: '9999-12-31T23:00:00-05:00' (years 1900-9999)\n"),
    C("date-zone-abbreviation", post("p", "date: 2024-05-01 10:00 EST\n"),
      "posts/p.md:3: date: unknown time zone name in '2024-05-01 10:00 EST': write an offset such as +02:00 instead\n"),
    C("updated-typo", post("p", "updated: soon\n"),
      "posts/p.md:3: updated: expected a date, got 'soon'\n"),
    C("summary-number", post("p", "summary: 5\n"),
      "posts/p.md:3: summary: expected text, got 5 (quote it)\n"),
    C("tags-number", post("p", "tags: 5\n"),
      "posts/p.md:3: tags: expected a list of tags or a comma-separated text, got 5\n"),
    C("tags-item-number", post("p", "tags: [go, 5]\n"),
      "posts/p.md:3: tags: expected text for each tag, got 5 (quote it)\n"),
    C("tags-no-letters", post("p", "tags: ['!!!']\n"),
      "posts/p.md:3: tags: '!!!' has no letter or digit to name its feed by\n"),
    C("tags-too-long", post("p", f"tags: [{'x' * 201}]\n"),
      f"posts/p.md:3: tags: '{'x' * 40}...' is too long to name its feed folder (201 bytes; at most 200)\n"),
    C("tags-collide", post("p", "tags: [Go]\n"),
      "posts/p.md:3: tags: 'Go' and 'go' (in posts/a.md) both map to the tag feed 'go'; spell them the same\n"),
    C("draft-maybe", post("p", "draft: maybe\n"),
      "posts/p.md:3: draft: expected true or false, got 'maybe'\n"),
    C("draft-quoted", post("p", 'draft: "true"\n'),
      "posts/p.md:3: draft: expected true or false, got 'true'\n"),
    C("slug-with-slash", post("p", "slug: ../etc/passwd\n"),
      "posts/p.md:3: slug: '../etc/passwd' is not a valid slug (use letters, digits, '-', '_', '.' and '~')\n"),
    C("id-not-a-uri", post("p", "id: not a uri\n"),
      "posts/p.md:3: id: expected an absolute URI such as tag:example.com,2024:hello, got 'not a uri'\n"),
    C("id-control-character", post("p", 'id: "urn:x:\\x01"\n'),
      "posts/p.md:3: id: contains U+0001, which feeds cannot carry (remove it)\n"),
    C("author-list", post("p", "author: [a]\n"),
      "posts/p.md:3: author: expected a name or a mapping with name, email, uri, got a list\n"),
    C("author-name-empty", post("p", "author: {name: ''}\n"),
      "posts/p.md:3: author: name: must not be empty\n"),
    C("author-email-control-character", post("p", 'author: {name: A, email: "a\\x01@b.c"}\n'),
      "posts/p.md:3: author: email: contains U+0001, which feeds cannot carry (remove it)\n"),
    C("duplicate-slug", post("p", "slug: a\n"),
      "posts/p.md:3: slug 'a' is also used by posts/a.md\n"),
    C("duplicate-id", both(post("a", "id: urn:x:1\n"), post("p", "id: urn:x:1\n")),
      "posts/p.md:3: id 'urn:x:1' is also used by posts/a.md\n"),
    C("duplicate-default-id", post("p", "slug: a\ndate: 2024-05-01T23:00:00+02:00\n"),
      "posts/p.md: id 'tag:blog.example.com,2024-05-01:a' is also used by posts/a.md\n"
      "posts/p.md:3: slug 'a' is also used by posts/a.md\n"
      "postfeed: 2 problems; nothing was written\n"),
    C("every-broken-post-sorted-by-path",
      both(post("zz", "date: nope\n"), raw("b", "no front matter\n"), post("a2", "title: 1\ndraft: 0\n")),
      "posts/a2.md:2: title: expected text, got 1 (quote it)\n"
      "posts/a2.md:3: draft: expected true or false, got 0\n"
      "posts/b.md:1: no front matter: a post must start with a '---' line\n"
      "posts/zz.md:3: date: expected a date, got 'nope'\n"
      "postfeed: 4 problems; nothing was written\n"),
    C("unknown-key", post("p", "sumary: x\n"),
      "posts/p.md:3: unknown key 'sumary' is ignored (did you mean 'summary'?)\n", code=0),
    C("updated-before-date", post("p", "date: 2024-05-02\nupdated: 2024-05-01\n"),
      "posts/p.md:4: updated is before date; date is used\n", code=0),
]  # fmt: skip

OUTPUT_CASES = [
    C("output-is-a-file", lambda s: None,
      "postfeed.yaml: the output folder is a file\n", "--out", "postfeed.yaml"),
    C("output-under-a-file", lambda s: None,
      "postfeed.yaml/feeds: cannot create the output folder: Not a directory\n", "--out", "postfeed.yaml/feeds"),
    C("feed-file-is-a-folder", lambda s: ((s / "feeds/atom.xml").unlink(), (s / "feeds/atom.xml").mkdir()),
      "feeds/atom.xml: is a folder, expected a feed file\n"),
    C("file-where-a-tag-folder-goes",
      both(post("a", "tags: [rust]\n"), lambda s: (s / "feeds/tags/rust").write_text("x")),
      "feeds/tags/rust/rss.xml: cannot write: File exists\n"),
    C("tag-folder-links-outside", tag_folder_links_outside,
      "feeds/tags/rust/rss.xml: is outside the output folder feeds (a symbolic link leads to {site}/elsewhere)\n"),
]  # fmt: skip


def static_site(site: Path) -> None:
    """Give the site a static folder holding images/, an outside file and a link to it."""
    (site / "public/images").mkdir(parents=True)
    (site / "public/images/a.pdf").write_bytes(b"%PDF-1.4")
    (site / "secret.png").write_bytes(b"not for the feed")
    (site / "public/images/leak.png").symlink_to(site / "secret.png")
    (site / "postfeed.yaml").write_text(CONFIG + "static: public\n", encoding="utf-8")


def archived(size: int, *posts: tuple[str, str]) -> Callable[[Path], None]:
    """Give the site an archive of ``size`` entries a page, build it, then add each post
    (name, date): a post dated before the others moves them along the pages."""

    def setup(site: Path) -> None:
        config(CONFIG + f"archive: {size}\n")(site)
        assert main(["build", "-q"]) == 0
        for name, date in posts:
            post(name, f"date: {date}\n")(site)

    return setup


def resized(site: Path) -> None:
    """Build an archive of one entry a page over two posts, then make pages of two."""
    archived(1, ("b", "2024-05-03T10:00:00+02:00"))(site)
    assert main(["build", "-q"]) == 0
    config(CONFIG + "archive: 2\n")(site)


def newest_post_removed(site: Path) -> None:
    """Publish a newer post next to a.md, then delete it, as a careless cleanup would."""
    post("n", "title: Newer\n")(site)
    assert main(["build", "-q"]) == 0
    (site / "posts/n.md").unlink()


FEATURE_CASES = [
    C("cache-not-a-folder", config(CONFIG + "cache: 5\n"),
      "postfeed.yaml:4: cache: expected true, false or a folder, got 5\n"),
    C("hub-not-a-url", config(CONFIG + "hub: X\n"),
      "postfeed.yaml:4: hub: expected an absolute http(s) URL, got 'X'\n"),
    C("id-scheme-unknown", config(CONFIG + "id_scheme: X\n"),
      "postfeed.yaml:4: id_scheme: unknown id scheme 'X' (use tag or permalink)\n"),
    C("static-folder-missing", config(CONFIG + "static: public\n"),
      "postfeed.yaml:4: static: no such folder 'public' (relative to this file)\n"),
    C("image-other-scheme", both(static_site, post("p", "image: ftp://x/a.png\n")),
      "posts/p.md:3: image: expected a path under the site url or an absolute http(s) URL, got 'ftp://x/a.png'\n"),
    C("image-with-space", both(static_site, post("p", "image: a b.png\n")),
      "posts/p.md:3: image: expected a path or URL without spaces (write a space as %20), got 'a b.png'\n"),
    C("image-missing", both(static_site, post("p", "image: images/a.png\n")),
      "posts/p.md:3: image: no such file public/images/a.png (images under the site url are read from the static folder)\n"),
    C("image-links-outside", both(static_site, post("p", "image: images/leak.png\n")),
      "posts/p.md:3: image: 'images/leak.png' points outside the static folder public\n"),
    C("image-not-an-image", both(static_site, post("p", "image: images/a.pdf\n")),
      "posts/p.md:3: image: unknown image type '.pdf' (use .avif, .gif, .jpeg, .jpg, .png, .svg, .webp)\n"),
    C("id-changed-by-rename", lambda s: (s / "posts/a.md").rename(s / "posts/a2.md"),
      "posts/a2.md: the id of 'Good' would change from 'tag:blog.example.com,2024-05-01:a' to"
      " 'tag:blog.example.com,2024-05-01:a2', and readers would show the post again as new; keep"
      " the old one with 'id: tag:blog.example.com,2024-05-01:a' in its front matter, or build"
      " with --allow-id-change\n"),
    C("archive-not-a-number", config(CONFIG + "archive: many\n"),
      "postfeed.yaml:4: archive: expected a whole number of entries a page (0 for no archive),"
      " or a mapping such as {main: 100, tags: 20}, got 'many'\n"),
    C("archive-negative", config(CONFIG + "archive: -1\n"),
      "postfeed.yaml:4: archive: must be 0 (no archive) or more, got -1\n"),
    C("archive-unknown-feeds", config(CONFIG + "archive: {tag: 5}\n"),
      "postfeed.yaml:4: archive: unknown feeds 'tag' (use main, tags, categories, authors,"
      " languages)\n"),
    C("archive-family-not-a-number", config(CONFIG + "archive: {tags: x}\n"),
      "postfeed.yaml:4: archive: tags: expected a whole number of entries a page (0 for no"
      " archive), got 'x'\n"),
    C("archive-of-a-family-that-is-off", config(CONFIG + "archive: {authors: 5}\n"),
      "postfeed.yaml:4: archive: authors: the site has no author feeds (author_feeds is off),"
      " so none has an archive\n", code=0),
    C("custom-feed-in-an-archive",
      config(CONFIG + "archive: 5\nfeeds:\n  - path: archive/go\n    title: Go\n"),
      "postfeed.yaml:5: feeds: 'archive/go' is inside the archive folder of the main feed"
      " (archive/); give the custom feed another path\n"),
    C("archive-entry-moves", archived(1, ("old", "2024-04-01T10:00:00+02:00")),
      "feeds/archive: 1 entry would move to another archive page ('Good' from page 1 to page 2),"
      " as a post before it was added, removed or dated anew; hosts and readers may keep closed"
      " pages for a long time and never see the change; if it is meant, build with"
      " --allow-id-change\n"),
    C("archive-page-size-changes", resized,
      "feeds/archive: archive pages would hold 2 entries where page 1 held 1, so 1 entry would"
      " move to another page; hosts and readers may keep closed pages for a long time and never"
      " see the change; if it is meant, build with --allow-id-change\n"),
    C("newest-entry-disappears", newest_post_removed,
      "feeds/feed.json: entry 'tag:blog.example.com,2024-05-02:n' ('Newer') would disappear while"
      " older entries stay in the feed; if its post was renamed, give it"
      " 'id: tag:blog.example.com,2024-05-02:n' in its front matter; if it was removed on"
      " purpose, build with --allow-id-change\n"),
]  # fmt: skip

CASES = CONFIG_CASES + FILE_CASES + VALUE_CASES + OUTPUT_CASES + FEATURE_CASES


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``, files with their bytes, folders and links as None."""
    result: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        result[name] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return result


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid site, built once, entered as the current folder; its real path."""
    root = tmp_path.resolve()
    (root / "postfeed.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "posts").mkdir()
    (root / "posts/a.md").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(root)
    assert main(["build", "-q"]) == 0
    return root


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: Case, site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each bad input prints exactly its message and exits 2, leaving the old feeds as they were."""
    case.setup(site)
    # The feeds as the last good build left them, plus whatever the case put there itself.
    before = _snapshot(site / "feeds")
    assert main(["build", *case.args]) == case.code
    out, err = capsys.readouterr()
    assert err == case.stderr.replace("{site}", str(site))
    if case.code == 2:
        assert out == ""
        assert _snapshot(site / "feeds") == before


def _case(id: str) -> Case:
    found: Case = next(p.values[0] for p in CASES if p.id == id)
    return found


@pytest.mark.parametrize(
    "id",
    [
        "config-unknown-timezone",
        "yaml-alias",
        "not-utf8",
        "symlink-outside-posts",
        "every-broken-post-sorted-by-path",
        "tag-folder-links-outside",
    ],
)
def test_real_process(id: str, site: Path) -> None:
    """python -m postfeed prints the same message, exits 2 and shows no traceback."""
    case = _case(id)
    case.setup(site)
    before = _snapshot(site / "feeds")
    run = subprocess.run(
        [sys.executable, "-m", "postfeed", "build", *case.args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == case.stderr.replace("{site}", str(site))
    assert "Traceback" not in run.stderr
    assert _snapshot(site / "feeds") == before


def test_lock_held_in_real_process(site: Path) -> None:
    """A build while another holds the output folder's lock says so, exits 2, writes nothing."""
    (site / "posts/b.md").write_text(GOOD.replace("Good", "Other"), encoding="utf-8")
    before = _snapshot(site / "feeds")
    with _lock.hold(site / "feeds"):
        run = subprocess.run(
            [sys.executable, "-m", "postfeed", "build"], capture_output=True, text=True, check=False
        )
        assert _snapshot(site / "feeds") == {**before, ".postfeed.lock": b""}
    assert run.returncode == 2
    assert run.stderr == LOCK_MESSAGE
    assert _snapshot(site / "feeds") == before
    assert main(["build", "-q"]) == 0
    assert _snapshot(site / "feeds") != before


LOCK_MESSAGE = "feeds: another postfeed build is running (lock held on feeds/.postfeed.lock)\n"


def test_lock_held_in_process(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same through main(): the second build fails at once with exit 2."""
    (site / "posts/b.md").write_text(GOOD.replace("Good", "Other"), encoding="utf-8")
    before = _snapshot(site / "feeds")
    with _lock.hold(Path("feeds")):
        assert main(["build"]) == 2
    assert capsys.readouterr() == ("", LOCK_MESSAGE)
    assert _snapshot(site / "feeds") == before


def test_empty_posts_folder(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty posts folder gives valid feeds with no entries, and removes the old tag feeds."""
    import json

    import feedparser

    (site / "posts/a.md").unlink()
    assert main(["build"]) == 0
    assert capsys.readouterr().out == (
        "postfeed: 5 written, 0 unchanged, 3 removed in feeds; 0 posts published\n"
    )
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((site / "feeds" / name).read_bytes())
        assert not parsed.bozo
        assert parsed.feed.title == "Test Blog"
        assert parsed.entries == []
    feed = json.loads((site / "feeds/feed.json").read_bytes())
    assert feed["items"] == []
    assert sorted(p.name for p in (site / "feeds").iterdir()) == [
        ".postfeed-manifest.json",
        "atom.xml",
        "feed.json",
        "index.html",
        "rss.xml",
    ]


def test_bom_and_crlf_accepted(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A config and a post saved with a UTF-8 BOM and CRLF line ends build like any other."""
    (site / "postfeed.yaml").write_bytes(b"\xef\xbb\xbf" + CONFIG.replace("\n", "\r\n").encode())
    text = "---\r\ntitle: Windows\r\ndate: 2024-06-01\r\ntags: [go]\r\n---\r\nBody\r\n"
    (site / "posts/win.md").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert main(["build"]) == 0
    assert capsys.readouterr().err == ""
    atom = (site / "feeds/atom.xml").read_text(encoding="utf-8")
    assert '<title type="text">Windows</title>' in atom
    assert "\r" not in atom


# --- docs/errors.md lists exactly the messages above --------------------------------


def _library_messages(folder: Path) -> set[str]:
    """What the library raises where the command cannot reach it (see test_atomic.py
    and test_containment.py), produced here for real."""
    root = folder / "feeds"
    (root / "tags/go/atom.xml").mkdir(parents=True)
    (root / "tags/go/atom.xml/x").write_text("a folder where a feed goes")
    attempts: list[Callable[[], None]] = [
        lambda: _fs.commit({root / "rss.xml": b"x", root / "tags/go/atom.xml": b"y"}, root=root),
        lambda: _fs.check_inside(root, root / ".." / "rss.xml"),
        lambda: _fs.check_inside(root, root / "a\0b"),
        lambda: _fs.check_inside(root, root / "tags" / "con" / "rss.xml"),
    ]
    messages = set()
    for attempt in attempts:
        with pytest.raises(OutputError) as info:
            attempt()
        messages.add(info.value.message)
    site = postfeed.Site(title="T", url="https://t.example/", output_dir=root)
    with _lock.hold(root), pytest.raises(postfeed.LockError) as locked:
        postfeed.build(site, [])
    messages.add(locked.value.message)
    # A post edited between the scan and the reading of its body.
    (folder / "posts").mkdir()
    path = folder / "posts" / "a.md"
    path.write_text(GOOD, encoding="utf-8")
    archive = scan(replace(site, posts_dir=folder / "posts"))
    path.write_text(GOOD.replace("Good", "Edited"), encoding="utf-8")
    with pytest.raises(postfeed.PostErrors) as changed:
        archive.read_body(archive.posts[0])
    return messages | {error.message for error in changed.value.errors}


_PREFIX = re.compile(r"^[^:\n]+?(?::\d+)?: ")


def _messages(stderr: str) -> set[str]:
    lines = [line for line in stderr.splitlines() if not line.startswith("postfeed: ")]
    return {_PREFIX.sub("", line, count=1) for line in lines}


def _documented() -> list[str]:
    rows = re.findall(r"^\| `(.+?)` \|", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    return [row.replace("``", "`") for row in rows]


def _matches(template: str, message: str) -> bool:
    pattern = ".+".join(re.escape(part) for part in template.split("…"))
    return re.fullmatch(pattern, message) is not None


def _command_messages(site: Path, capsys: pytest.CaptureFixture[str]) -> set[str]:
    """The whole lines new, serve and ping print when they fail, produced for real."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    busy = str(listener.getsockname()[1])
    refusing = HTTPServer(("127.0.0.1", 0), _RefusingHub)
    threading.Thread(target=refusing.serve_forever, daemon=True).start()
    (site / "hub.yaml").write_text(
        CONFIG + f"hub: http://127.0.0.1:{refusing.server_address[1]}/\n", encoding="utf-8"
    )
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    gone = closed.getsockname()[1]
    closed.close()
    (site / "gone.yaml").write_text(CONFIG + f"hub: http://127.0.0.1:{gone}/\n", encoding="utf-8")
    attempts = [
        ["new", "Good", "--slug", "a"],
        ["new", "!!!"],
        ["new", "x", "--slug", "a/b"],
        ["new", ""],
        ["serve", "--out", "nowhere"],
        ["serve", "--port", busy],
        ["ping"],
        ["ping", "--config", "hub.yaml"],
        ["ping", "--config", "gone.yaml"],
    ]
    lines: set[str] = set()
    try:
        for argv in attempts:
            assert main(argv) == 2, argv
            lines |= set(capsys.readouterr().err.splitlines())
    finally:
        refusing.shutdown()
        refusing.server_close()
        listener.close()
    return lines


class _RefusingHub(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b"feed not allowed"
        self.send_response(403)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_docs_list_every_message(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every message the catalogue and the other commands produce is in docs/errors.md, and
    every one there is produced."""
    produced = _library_messages(tmp_path / "library") | _command_messages(site, capsys)
    for param in CASES:
        produced |= _messages(param.values[0].stderr)
    documented = _documented()
    assert len(documented) >= 60
    undocumented = {m for m in produced if not any(_matches(t, m) for t in documented)}
    unproduced = {t for t in documented if not any(_matches(t, m) for m in produced)}
    assert (undocumented, unproduced) == (set(), set())


def test_message_prefix_is_stripped() -> None:
    """The path and line before a message are taken off the way the command prints them."""
    assert _messages("posts/a.md:3: x: y\nfeeds: z\npostfeed: 2 problems\n") == {"x: y", "z"}
