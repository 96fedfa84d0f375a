"""The catalogue of bad input, run through the real command: the exact message, exit code
2 and the old feeds left byte for byte; and docs/errors.md lists exactly these messages."""

from __future__ import annotations

import re
import resource
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
from postfeed.commands import websub
from postfeed.reading.scan import scan
from postfeed.reading.sources import pelican as pelican_reader
from postfeed.writing import _fs, _lock

DOCS = Path(__file__).parent.parent / "docs" / "errors.md"
CONFIG = """\
title: Test Blog
url: https://blog.example.com/
timezone: Europe/Berlin
"""
GOOD = "---\ntitle: Good\ndate: 2024-05-01T10:00:00+02:00\ntags: [go]\n---\nHello.\n"
LONG = "x" * 300  # a name longer than file systems allow (255 bytes)


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


def named(name: str, text: str) -> Callable[[Path], None]:
    """Write posts/<name> (any file name) with this text."""

    def write(site: Path) -> None:
        (site / "posts" / name).write_text(text, encoding="utf-8")

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


def sized(name: str, size: int) -> Callable[[Path], None]:
    """Write posts/<name>.md: a valid post padded to ``size`` bytes with a sparse hole, as
    a file copied in by mistake would be (made at once, without writing its bytes)."""

    def write(site: Path) -> None:
        path = site / "posts" / f"{name}.md"
        path.write_text(GOOD, encoding="utf-8")
        with path.open("r+b") as handle:
            handle.truncate(size)

    return write


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
      "postfeed.yaml:3: invalid YAML: the list opened with '[' is never closed; add ']' (or quote"
      " the value if it is text)\n"),
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
    C("posts-folder-name-too-long", config(CONFIG + f"posts: {LONG}\n"),
      f"postfeed.yaml: posts folder {LONG} does not exist\n"),
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
      "posts/p.md:4: invalid YAML: the list opened with '[' is never closed; add ']' (or quote the"
      " value if it is text)\n"),
    C("yaml-mapping-never-closed", raw("p", "---\ntitle: x\nauthor: {name: A\ndate: 2024-01-01\n---\n"),
      "posts/p.md:3: invalid YAML: the mapping opened with '{' is never closed; add '}' (or quote"
      " the value if it is text)\n"),
    C("yaml-unquoted-colon", raw("p", "---\ntitle: Go: a guide\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: invalid YAML: a value holding ': ' must be quoted: title: \"Go: a guide\"\n"),
    C("yaml-colon-at-the-end", raw("p", "---\ntitle: Note:\n  more\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: invalid YAML: a value ending with ':' must be quoted: title: \"Note:\"\n"),
    C("yaml-tab", raw("p", "---\ntitle: x\ntags:\n\t- go\ndate: 2024-01-01\n---\n"),
      "posts/p.md:4: invalid YAML: a tab indents this line; indent with spaces (YAML does not"
      " allow tabs)\n"),
    C("yaml-no-space-after-colon", raw("p", "---\ntitle: x\ndate:2024-01-01\n---\n"),
      "posts/p.md:3: invalid YAML: put a space after the ':' of a key: date: 2024-01-01\n"),
    C("yaml-no-space-after-colon-above", raw("p", "---\ntitle:x\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: invalid YAML: put a space after the ':' of a key: title: x\n"),
    C("yaml-no-space-anywhere", raw("p", "---\ntitle:x\ndate:2024-01-01\n---\n"),
      "posts/p.md:2: front matter must be a mapping of keys to values, got a single value; put a"
      " space after the ':' of a key: title: x\n"),
    C("yaml-no-space-after-dash", raw("p", "---\ntitle: x\ndate: 2024-01-01\ntags:\n  - go\n  -testing\n---\n"),
      "posts/p.md:6: invalid YAML: put a space after the '-' of a list item: - testing\n"),
    C("yaml-quote-never-closed", raw("p", '---\ntitle: "Hello\ndate: 2024-01-01\n---\n'),
      "posts/p.md:2: invalid YAML: the quoted value starting here is never closed; add the closing"
      " \"\n"),
    C("yaml-list-item-under-a-value", raw("p", "---\ntitle: x\ndate: 2024-01-01\ntags: go\n- testing\n---\n"),
      "posts/p.md:5: invalid YAML: a list item under 'tags', which already has a value: write tags:"
      " [go, testing]\n"),
    C("yaml-list-item-in-a-text", raw("p", "---\ntitle: x\ndate: 2024-01-01\ntags: go\n  - testing\n---\n"),
      "posts/p.md:5: invalid YAML: a list item under 'tags', which already has a value: write tags:"
      " [go, testing]\n"),
    C("yaml-indented-key", raw("p", "---\ntitle: x\n  date: 2024-01-01\n---\n"),
      "posts/p.md:3: invalid YAML: 'date' is indented under 'title', which already has a value;"
      " start it in the same column as 'title'\n"),
    C("yaml-value-starts-with-indicator", raw("p", "---\ntitle: @home\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: invalid YAML: a value starting with '@' must be quoted: title: \"@home\"\n"),
    C("yaml-text-after-brackets", raw("p", "---\ntitle: [WIP] Notes\ndate: 2024-01-01\n---\n"),
      "posts/p.md:2: invalid YAML: a value with text after its closing ']' must be quoted:"
      " title: \"[WIP] Notes\"\n"),
    C("yaml-not-key-value", raw("p", "---\ntitle: x\nsome words\ndate: 2024-01-01\n---\n"),
      "posts/p.md:3: invalid YAML: this line is not 'key: value' (indent it if it goes on with the"
      " value above)\n"),
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
    C("post-too-large", sized("p", 50 * 1024 * 1024),
      "posts/p.md: too large (52428800 bytes; a post may have at most 1048576)\n"),
    C("post-one-byte-too-large", sized("p", 1024 * 1024 + 1),
      "posts/p.md: too large (1048577 bytes; a post may have at most 1048576)\n"),
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
    C("date-before-1900-in-utc", post("p", "date: 1900-01-01T00:30:00+01:00\n"),
      "posts/p.md:3: date: date out of range: '1900-01-01T00:30:00+01:00' (years 1900-9999)\n"),
    C("date-before-1900-in-utc-local", post("p", "date: 1900-01-01 00:30\n"),
      "posts/p.md:3: date: date out of range: '1900-01-01 00:30' (years 1900-9999)\n"),
    C("date-skipped-by-the-clocks", post("p", "date: 2025-03-30 02:30\n"),
      "posts/p.md:3: date: '2025-03-30 02:30' does not exist in Europe/Berlin, whose clocks"
      " jump forward past it; taken as 2025-03-30T03:30:00+02:00\n", code=0),
    C("date-repeated-by-the-clocks", post("p", "date: 2025-10-26 02:30\n"),
      "posts/p.md:3: date: '2025-10-26 02:30' happens twice in Europe/Berlin, whose clocks go"
      " back over it; taken as the first, 2025-10-26T02:30:00+02:00 (write"
      " 2025-10-26T02:30:00+01:00 for the second)\n", code=0),
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
    C("tags-too-many", post("p", f"tags: [{', '.join(f't{n}' for n in range(5000))}]\n"),
      "posts/p.md:3: tags: too many (5000; a post may have at most 50)\n"),
    C("tags-too-many-as-text", post("p", f"tags: '{', '.join(f't{n}' for n in range(51))}, t0'\n"),
      "posts/p.md:3: tags: too many (51; a post may have at most 50)\n"),
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
    C("output-name-too-long", lambda s: None,
      f"{LONG}/feeds: cannot create the output folder: File name too long\n", "--out", f"{LONG}/feeds"),
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
    C("static-folder-name-too-long", config(CONFIG + f"static: {LONG}\n"),
      f"postfeed.yaml:4: static: no such folder '{LONG}' (relative to this file)\n"),
    C("image-other-scheme", both(static_site, post("p", "image: ftp://x/a.png\n")),
      "posts/p.md:3: image: expected a path under the site url or an absolute http(s) URL, got 'ftp://x/a.png'\n"),
    C("image-with-space", both(static_site, post("p", "image: a b.png\n")),
      "posts/p.md:3: image: expected a path or URL without spaces (write a space as %20), got 'a b.png'\n"),
    C("image-missing", both(static_site, post("p", "image: images/a.png\n")),
      "posts/p.md:3: image: no such file public/images/a.png (images under the site url are read from the static folder)\n"),
    C("image-name-too-long", both(static_site, post("p", f"image: {LONG}.png\n")),
      f"posts/p.md:3: image: no such file public/{LONG}.png (images under the site url are read from the static folder)\n"),
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
      "feeds/atom.xml: entry 'tag:blog.example.com,2024-05-02:n' ('Newer') would disappear while"
      " older entries stay in the feed; if its post was renamed, give it"
      " 'id: tag:blog.example.com,2024-05-02:n' in its front matter; if it was removed on"
      " purpose, build with --allow-id-change\n"),
]  # fmt: skip

FAMILIES = CONFIG + "author_feeds: true\n"
FAMILY_CASES = [
    C("content-unknown", config(CONFIG + "content: brief\n"),
      "postfeed.yaml:4: content: expected full or summary, got 'brief'\n"),
    C("family-switch-maybe", config(CONFIG + "category_feeds: maybe\n"),
      "postfeed.yaml:4: category_feeds: expected true or false, got 'maybe'\n"),
    C("authors-table-a-list", config(CONFIG + "authors: [a, b]\n"),
      "postfeed.yaml:4: authors: expected a mapping of keys to authors, got a list\n"),
    C("authors-table-entry", config(CONFIG + "authors:\n  bo: {email: bo@x.org}\n"),
      "postfeed.yaml:4: authors: bo: name is required\n"),
    C("feeds-not-a-list", config(CONFIG + "feeds: {path: x}\n"),
      "postfeed.yaml:4: feeds: expected a list of feeds (each with path and title), got a mapping\n"),
    C("feeds-item-not-a-mapping", config(CONFIG + "feeds: [picks]\n"),
      "postfeed.yaml:4: feeds: feed 1: expected a mapping with path and title, got 'picks'\n"),
    C("feeds-item-without-title", config(CONFIG + "feeds:\n  - {path: picks}\n"),
      "postfeed.yaml:4: feeds: feed 1: title: missing (it is required)\n"),
    C("feeds-item-unknown-key", config(CONFIG + "feeds:\n  - {path: p, title: P, tag: [go]}\n"),
      "postfeed.yaml:4: feeds: feed 1: unknown key 'tag' (did you mean 'tags'?)\n"),
    C("feeds-item-bad-path", config(CONFIG + "feeds:\n  - {path: ../up, title: P}\n"),
      "postfeed.yaml:4: feeds: feed 1: path: '../up' is not a folder name postfeed writes to"
      " (use letters, digits, '-', '_', '.' and '~', names joined by '/')\n"),
    C("feeds-item-exclude", config(CONFIG + "feeds:\n  - {path: p, title: P, exclude: [go]}\n"),
      "postfeed.yaml:4: feeds: feed 1: exclude: expected a mapping of tags, categories, authors,"
      " lang, got a list\n"),
    C("feeds-item-exclude-key", config(CONFIG + "feeds:\n  - {path: p, title: P, exclude: {tag: go}}\n"),
      "postfeed.yaml:4: feeds: feed 1: exclude: unknown key 'tag' (did you mean 'tags'?)\n"),
    C("feeds-item-language", config(CONFIG + "feeds:\n  - {path: p, title: P, lang: english}\n"),
      "postfeed.yaml:4: feeds: feed 1: lang: expected a language tag such as en or en-GB, got 'english'\n"),
    C("feeds-collide-with-a-tag", config(CONFIG + "feeds:\n  - {path: tags/go, title: Mine}\n"),
      "postfeed.yaml:4: feeds: 'tags/go' would hold both the feed of the tag 'go' and the custom"
      " feed 'Mine'; give the custom feed another path\n"),
    C("categories-number", post("p", "categories: [5]\n"),
      "posts/p.md:3: categories: expected text for each category, got 5 (quote it)\n"),
    C("categories-no-letters", post("p", "categories: '!!!'\n"),
      "posts/p.md:3: categories: '!!!' has no letter or digit to name its feed by\n"),
    C("categories-collide", both(post("a", "categories: [Deep Dives]\n"), post("p", "categories: deep-dives\n")),
      "posts/p.md:3: categories: 'deep-dives' and 'Deep Dives' (in posts/a.md) both map to the"
      " category feed 'deep-dives'; spell them the same\n"),
    C("author-and-authors", post("p", "author: A\nauthors: [B]\n"),
      "posts/p.md:4: authors: give author or authors, not both\n"),
    C("authors-empty", post("p", "authors: []\n"),
      "posts/p.md:3: authors: expected at least one author\n"),
    C("authors-item", post("p", "authors: [A, {email: b@x.org}]\n"),
      "posts/p.md:3: authors: author 2: name is required\n"),
    C("authors-collide", both(config(FAMILIES), post("a", "author: Ann Lee\n"), post("p", "authors: [ann lee]\n")),
      "posts/p.md:3: authors: 'ann lee' and 'Ann Lee' (in posts/a.md) both map to the author feed"
      " 'ann-lee'; spell them the same\n"),
    C("lang-not-a-tag", post("p", "lang: english\n"),
      "posts/p.md:3: lang: expected a language tag such as en or en-GB, got 'english'\n"),
    C("content-in-front-matter", post("p", "content: short\n"),
      "posts/p.md:3: content: expected full or summary, got 'short'\n"),
    C("in-feeds-text", post("p", "in_feeds: no way\n"),
      "posts/p.md:3: in_feeds: expected true or false, got 'no way'\n"),
]  # fmt: skip


HUGO_TOML = 'baseURL = "https://h.example.org/"\ntitle = "H"\n'
HUGO_POST = '+++\ntitle = "A"\ndate = 2024-05-01\n+++\nHello.\n'


def hugo(
    files: dict[str, str] | None = None,
    *,
    toml: str | None = HUGO_TOML,
    content: bool = True,
    yaml: str = "",
) -> Callable[[Path], None]:
    """Make hugo/ a Hugo site (hugo.toml, content/posts/a.md and ``files`` under
    content/) and postfeed.yaml read it with source: hugo, into hugo-feeds/."""

    def write(site: Path) -> None:
        (site / "postfeed.yaml").write_text(
            "source: hugo\nsource_dir: hugo\noutput: hugo-feeds\n" + yaml, encoding="utf-8"
        )
        folder = site / "hugo"
        folder.mkdir()
        if toml is not None:
            (folder / "hugo.toml").write_text(toml, encoding="utf-8")
        if not content:
            return
        for name, text in {"posts/a.md": HUGO_POST, **(files or {})}.items():
            path = folder / "content" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    return write


def hugo_post(front: str, body: str = "Hello.\n") -> str:
    """A Hugo post with TOML front matter (a date added unless given)."""
    if "date" not in front:
        front += "date = 2024-05-02\n"
    return f"+++\n{front}+++\n{body}"


JEKYLL_CONFIG = 'title: J\nurl: "https://j.example.org"\n'


def jekyll(
    files: dict[str, str] | None = None, *, config: str | None = JEKYLL_CONFIG
) -> Callable[[Path], None]:
    """Make jekyll/ a Jekyll site (_config.yml, _posts/2024-05-01-a.md and ``files``
    under the site folder) and postfeed.yaml read it with source: jekyll."""

    def write(site: Path) -> None:
        (site / "postfeed.yaml").write_text(
            "source: jekyll\nsource_dir: jekyll\noutput: jekyll-feeds\n", encoding="utf-8"
        )
        folder = site / "jekyll"
        folder.mkdir()
        if config is not None:
            (folder / "_config.yml").write_text(config, encoding="utf-8")
        for name, text in {
            "_posts/2024-05-01-a.md": "---\ntitle: A\n---\nHi.\n",
            **(files or {}),
        }.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    return write


def jekyll_post(body: str, front: str = "title: P\n") -> str:
    return f"---\n{front}---\n{body}"


PELICAN_CONF = 'SITENAME = "P"\nSITEURL = "https://p.example.org"\nPATH = "content"\n'


def pelican(
    files: dict[str, str] | None = None, *, conf: str | None = PELICAN_CONF
) -> Callable[[Path], None]:
    """Make pelican/ a Pelican site (pelicanconf.py, content/a.md and ``files`` under
    content/) and postfeed.yaml read it with source: pelican."""

    def write(site: Path) -> None:
        (site / "postfeed.yaml").write_text(
            "source: pelican\nsource_dir: pelican\noutput: pelican-feeds\n", encoding="utf-8"
        )
        folder = site / "pelican"
        folder.mkdir()
        if conf is not None:
            (folder / "pelicanconf.py").write_text(conf, encoding="utf-8")
        for name, text in {"a.md": "Title: A\nDate: 2024-05-01\n\nHi.\n", **(files or {})}.items():
            path = folder / "content" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    return write


_HUGO_UNREAD = """\
enableGitInfo = true
buildFuture = true
buildDrafts = true
buildExpired = true
[languages.en]
  weight = 1
[languages.de]
  weight = 2
[markup]
  defaultMarkdownHandler = "blackfriday"
"""

MKDOCS_YML = """\
site_name: M
site_url: https://m.example.org/
theme:
  name: material
plugins:
  - blog
"""
MKDOCS_POST = "---\ntitle: A\ndate: 2024-05-01\n---\nHello.\n"


def mkdocs(
    files: dict[str, str] | None = None,
    *,
    yml: str | None = MKDOCS_YML,
    posts: bool = True,
    yaml: str = "",
) -> Callable[[Path], None]:
    """Make mkdocs/ a Material blog (mkdocs.yml, docs/blog/posts/a.md and ``files``
    under docs/) and postfeed.yaml read it with source: mkdocs, into mkdocs-feeds/."""

    def write(site: Path) -> None:
        (site / "postfeed.yaml").write_text(
            "source: mkdocs\nsource_dir: mkdocs\noutput: mkdocs-feeds\n" + yaml, encoding="utf-8"
        )
        folder = site / "mkdocs"
        folder.mkdir()
        if yml is not None:
            (folder / "mkdocs.yml").write_text(yml, encoding="utf-8")
        if not posts:
            return
        for name, text in {"blog/posts/a.md": MKDOCS_POST, **(files or {})}.items():
            path = folder / "docs" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    return write


def mkdocs_post(front: str, body: str = "Hello.\n") -> str:
    """A Material blog post (a title added unless given)."""
    if "title" not in front:
        front = "title: P\n" + front
    return f"---\n{front}---\n{body}"


def blog_options(options: str) -> str:
    """mkdocs.yml with these lines under the blog plugin."""
    return MKDOCS_YML.replace("  - blog\n", "  - blog:\n" + options)


def rss_options(options: str) -> str:
    """mkdocs.yml with the RSS plugin and these lines under it."""
    return MKDOCS_YML + "  - rss:\n" + options


_MKDOCS_UNREAD = """\
INHERIT: base.yml
site_name: M
site_url: https://m.example.org/
site_author: !ENV AUTHOR
theme:
  name: material
  language: de
plugins:
  - meta
  - blog:
      post_url_date_format: dd. MMMM yyyy
      post_slugify: !!python/name:my.slugify
  - blog:
      blog_dir: news
  - rss
markdown_extensions:
  - pymdownx.b64
  - mdx_truly_sane_lists
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds: {case: lower}
  - pymdownx.keys:
      key_map: {custom: Custom}
"""


ELEVENTY_CONFIG = """\
export default async function (eleventyConfig) {
\televentyConfig.addPlugin(feedPlugin, {
\t\tmetadata: { title: "E", base: "https://e.example.org/" },
\t});
}

export const config = { markdownTemplateEngine: "njk", dir: { input: "content" } };
"""
ELEVENTY_POST = "---\ntitle: A\ndate: 2024-05-01\n---\nHello.\n"


def eleventy(
    files: dict[str, str] | None = None,
    *,
    config: str | None = ELEVENTY_CONFIG,
    content: bool = True,
    yaml: str = "",
) -> Callable[[Path], None]:
    """Make eleventy/ a base-blog site (eleventy.config.js, content/blog/ with its
    directory data file and a.md, and ``files`` under eleventy/) and postfeed.yaml read
    it with source: eleventy, into eleventy-feeds/."""

    def write(site: Path) -> None:
        (site / "postfeed.yaml").write_text(
            "source: eleventy\nsource_dir: eleventy\noutput: eleventy-feeds\n" + yaml,
            encoding="utf-8",
        )
        folder = site / "eleventy"
        folder.mkdir()
        if config is not None:
            (folder / "eleventy.config.js").write_text(config, encoding="utf-8")
        if not content:
            return
        defaults = {
            "content/blog/blog.11tydata.json": '{"tags": ["posts"]}\n',
            "content/blog/a.md": ELEVENTY_POST,
        }
        for name, text in {**defaults, **(files or {})}.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    return write


def eleventy_post(front: str, body: str = "Hello.\n") -> str:
    """A base-blog post (a title and a date added unless given)."""
    if "title" not in front:
        front = "title: P\n" + front
    if "date" not in front:
        front += "date: 2024-05-02\n"
    return f"---\n{front}---\n{body}"


ASTRO_CONFIG = "export default defineConfig({\n\tsite: 'https://a.example.org',\n});\n"
ASTRO_FEED = """\
export async function GET(context) {
\tconst posts = await getCollection('blog');
\treturn rss({
\t\ttitle: 'A',
\t\titems: posts.map((post) => ({ ...post.data, link: `/blog/${post.id}/` })),
\t});
}
"""
ASTRO_CONTENT = """\
const blog = defineCollection({
\tloader: glob({ base: './src/content/blog', pattern: '**/*.{md,mdx}' }),
});
"""
ASTRO_POST = "---\ntitle: A\ndescription: D\npubDate: 2024-05-01\n---\nHello.\n"


def astro(
    files: dict[str, str] | None = None,
    *,
    config: str | None = ASTRO_CONFIG,
    feed: str | None = ASTRO_FEED,
    content: str | None = ASTRO_CONTENT,
    yaml: str = "",
) -> Callable[[Path], None]:
    """Make astro/ a blog starter site (astro.config.mjs, src/pages/rss.xml.js,
    src/content.config.ts, src/content/blog/a.md and ``files`` under src/content/blog/)
    and postfeed.yaml read it with source: astro, into astro-feeds/."""

    def write(site: Path) -> None:
        (site / "postfeed.yaml").write_text(
            "source: astro\nsource_dir: astro\noutput: astro-feeds\n" + yaml, encoding="utf-8"
        )
        folder = site / "astro"
        (folder / "src" / "pages").mkdir(parents=True)
        for name, text in (
            ("astro.config.mjs", config),
            ("src/pages/rss.xml.js", feed),
            ("src/content.config.ts", content),
        ):
            if text is not None:
                (folder / name).write_text(text, encoding="utf-8")
        if files is None:
            return
        for name, text in {"a.md": ASTRO_POST, **files}.items():
            path = folder / "src" / "content" / "blog" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    return write


def astro_post(front: str, body: str = "Hello.\n") -> str:
    """An entry of the blog starter (a title and a pubDate added unless given)."""
    if "title" not in front:
        front = "title: P\n" + front
    if "pubDate" not in front:
        front += "pubDate: 2024-05-02\n"
    return f"---\n{front}---\n{body}"


SOURCE_CASES = [
    C("source-unknown", config(CONFIG + "source: wordpress\n"),
      "postfeed.yaml:4: source: unknown source 'wordpress' (use postfeed, hugo, jekyll,"
      " pelican, mkdocs, eleventy, astro)\n"),
    C("source-dir-without-source", config(CONFIG + "source_dir: site\n"),
      "postfeed.yaml:4: source_dir: only read with a site generator's source; set source first\n"),
    C("source-with-posts", hugo(yaml="posts: posts\n"),
      "postfeed.yaml:4: posts: only read with source: postfeed; with source: hugo the site is"
      " read from source_dir (default: this file's folder)\n"),
    C("toml-front-matter-under-postfeed", raw("p", '+++\ntitle = "A"\n+++\n'),
      "posts/p.md:1: TOML front matter (+++) is not read with source: postfeed; write it as YAML"
      " between '---' lines, or set source: hugo in postfeed.yaml to read the Hugo site where"
      " it stands\n"),
    C("json-front-matter-under-postfeed", raw("p", '{"title": "A"}\n'),
      "posts/p.md:1: JSON front matter is not read with source: postfeed; write it as YAML"
      " between '---' lines, or set source: hugo in postfeed.yaml to read the Hugo site where"
      " it stands\n"),
    C("hugo-config-missing", hugo(toml=None),
      "hugo: no Hugo configuration here (hugo.toml, hugo.yaml, hugo.json, config.toml,"
      " config.yaml or config.json); set source_dir to the Hugo site's folder\n"),
    C("hugo-config-toml", hugo(toml='baseURL = "https://h.example.org/"\ntitle = \n'),
      "hugo/hugo.toml:2: invalid TOML: Invalid value\n"),
    C("hugo-config-base-url", hugo(toml='baseURL = "/"\ntitle = "H"\n'),
      "hugo/hugo.toml:1: baseURL: expected an absolute http(s) URL, got '/'\n"),
    C("hugo-config-time-zone", hugo(toml=HUGO_TOML + 'timeZone = "Mars/Olympus"\n'),
      "hugo/hugo.toml:3: timeZone: unknown time zone 'Mars/Olympus' (use an IANA name such as"
      " Europe/Berlin)\n"),
    C("hugo-config-url-missing", hugo(toml='title = "H"\n'),
      "postfeed.yaml: url: missing (it is required)\n"),
    C("hugo-content-missing", hugo(content=False),
      "hugo/hugo.toml: content folder hugo/content does not exist\n"),
    C("hugo-permalink-attribute", hugo(toml=HUGO_TOML + '[permalinks]\n  posts = "/:year/:nope/"\n'),
      "hugo/hugo.toml:4: permalinks: unknown permalink attribute :nope\n"),
    C("hugo-permalink-sections-slice",
      hugo(toml=HUGO_TOML + '[permalinks]\n  posts = "/:sections[1:]/:slug/"\n'),
      "hugo/hugo.toml:4: permalinks: permalink attribute :sections[1:] is not read\n"),
    C("hugo-settings-not-read", hugo(toml=HUGO_TOML + _HUGO_UNREAD),
      "hugo/hugo.toml:7: languages: each post is read once, in the default language\n"
      "hugo/hugo.toml:3: enableGitInfo: dates from Git are not read; lastmod comes from the"
      " front matter\n"
      "hugo/hugo.toml:4: buildFuture: not read; publish future posts with postfeed build"
      " --future\n"
      "hugo/hugo.toml:5: buildDrafts: not read; publish drafts with postfeed build --drafts\n"
      "hugo/hugo.toml:6: buildExpired: not read; expired posts are left out\n"
      "hugo/hugo.toml:12: defaultMarkdownHandler: Markdown is rendered as Goldmark does\n",
      code=0),
    C("hugo-toml-front-matter", hugo({"posts/p.md": '+++\ntitle = "P"\ndate = \n+++\n'}),
      "hugo/content/posts/p.md:3: invalid TOML: Invalid value\n"),
    C("hugo-json-front-matter", hugo({"posts/p.md": '{\n  "title" "P"\n}\n'}),
      "hugo/content/posts/p.md:2: invalid JSON: Expecting ':' delimiter\n"),
    C("hugo-front-matter-never-closed", hugo({"posts/p.md": '+++\ntitle = "P"\n'}),
      "hugo/content/posts/p.md:1: front matter is never closed: add a '+++' line after it\n"),
    C("hugo-date-missing", hugo({"posts/p.md": '+++\ntitle = "P"\n+++\n'}),
      "hugo/content/posts/p.md: date: missing (every post needs a date; Hugo would date it"
      " 0001-01-01)\n"),
    C("hugo-date-typo", hugo({"posts/p.md": hugo_post('title = "P"\ndate = "soon"\n')}),
      "hugo/content/posts/p.md:3: date: expected a date, got 'soon'\n"),
    C("hugo-title-number", hugo({"posts/p.md": hugo_post("title = 5\n")}),
      "hugo/content/posts/p.md:2: title: expected text, got 5 (quote it)\n"),
    C("hugo-same-url", hugo({"posts/p.md": hugo_post('title = "P"\nurl = "/posts/a/"\n')}),
      "hugo/content/posts/p.md:3: url 'https://h.example.org/posts/a/' is also used by"
      " hugo/content/posts/a.md\n"),
    C("hugo-errors-with-warnings",
      hugo({"posts/p.md": hugo_post('title = "P"\n', "{{< x >}}\n"),
            "posts/q.md": hugo_post('title = "Q"\ndate = "soon"\n')}),
      "hugo/content/posts/p.md:5: shortcode {{< x >}} is not run: left out of the feed\n"
      "hugo/content/posts/q.md:3: date: expected a date, got 'soon'\n"),
    C("hugo-shortcodes-not-run",
      hugo({"posts/p.md": hugo_post('title = "P"\n', "{{< x a=1 >}}\n\n{{% y %}}In.{{% /y %}}\n")}),
      "hugo/content/posts/p.md:5: shortcode {{< x a=1 >}} is not run: left out of the feed\n"
      "hugo/content/posts/p.md:7: shortcode {{% y %}} is not run: left out of the feed, its"
      " inner text kept\n", code=0),
    C("hugo-built-in-shortcode-problems",
      hugo({"posts/p.md": hugo_post('title = "P"\n', "{{< youtube >}}\n[a]({{< ref \"b.md\" >}})"
                                    " {{< param nope >}}\n")}),
      "hugo/content/posts/p.md:5: {{< youtube >}}: the youtube shortcode needs a video id; left out\n"
      "hugo/content/posts/p.md:6: {{< ref \"b.md\" >}}: no page 'b.md' among the posts; left out\n"
      "hugo/content/posts/p.md:6: {{< param nope >}}: no param 'nope'; left out\n", code=0),
    C("hugo-other-formats",
      hugo({"posts/o.org": "#+title: O\n", "posts/h.html": "---\ntitle: H\n---\n<p>x</p>\n",
            "posts/m.md": "#+title: M\n"}),
      "hugo/content/posts/h.html: HTML content is not read (only Markdown): left out of the feeds\n"
      "hugo/content/posts/o.org: Org content is not read (only Markdown): left out of the feeds\n"
      "hugo/content/posts/m.md:1: Org front matter is not read: left out of the feeds\n", code=0),
    C("other-formats-under-postfeed",
      both(named("a.rst", "Title\n=====\n"), named("b.mdx", GOOD), named("c.markdown", GOOD),
           named("d.org", "#+title: D\n"), named("e.txt", "notes"), named("_f.rst", "x")),
      "posts/a.rst: reStructuredText is not read with source: postfeed: left out of the feeds"
      " (set source: pelican to read a Pelican site where it stands)\n"
      "posts/b.mdx: MDX is not read with source: postfeed: left out of the feeds (set source:"
      " astro to read an Astro site where it stands)\n"
      "posts/c.markdown: Markdown is read from .md files only: rename it to c.md; left out of"
      " the feeds\n"
      "posts/d.org: Org is not read: left out of the feeds (write the post in Markdown, in a .md"
      " file)\n", code=0),
    C("jekyll-post-without-date", raw("2024-01-15-hello", "---\ntitle: Hello\n---\nHi.\n"),
      "posts/2024-01-15-hello.md:1: date: missing (every post needs a date); the file name's"
      " date is Jekyll's: add date: 2024-01-15, or set source: jekyll to read the Jekyll site"
      " where it stands\n"),
    C("jekyll-post-with-liquid",
      post("2024-01-15-hello", "", "Intro.\n\n```\n{% raw %}\n```\n\nSee `{% x %}` and {% post_url 2024-01-01-x %}.\n"),
      "posts/2024-01-15-hello.md:11: Liquid {% post_url 2024-01-01-x %} is not run with source:"
      " postfeed: the feeds show it as written (set source: jekyll to read the Jekyll site where"
      " it stands)\n", code=0),
    C("hugo-shortcode-under-postfeed", post("p", "", 'A figure:\n\n{{< figure src="a.png" >}}\n'),
      "posts/p.md:7: Hugo shortcode {{< figure src=\"a.png\" >}} is not run with source:"
      " postfeed: the feeds show it as written (set source: hugo to read the Hugo site where it"
      " stands)\n", code=0),
    C("jekyll-config-missing", jekyll(config=None),
      "jekyll: no Jekyll configuration here (_config.yml); set source_dir to the Jekyll site's"
      " folder\n"),
    C("jekyll-settings-not-read",
      jekyll(config=JEKYLL_CONFIG + "markdown: CommonMark\nkramdown:\n  input: kramdown\n"
             "defaults:\n  - values: {layout: post}\nunpublished: true\n"),
      "jekyll/_config.yml:3: markdown: CommonMark is not read; posts are rendered as kramdown does\n"
      "jekyll/_config.yml:4: kramdown.input: only GFM input is read; posts are rendered as"
      " kramdown's GFM parser does\n"
      "jekyll/_config.yml:6: defaults: front matter defaults are not read; give each post its"
      " values\n"
      "jekyll/_config.yml:8: unpublished: not read; posts with published: false are left out\n",
      code=0),
    C("jekyll-other-formats", jekyll({"_posts/2024-05-02-b.html": "---\ntitle: B\n---\n<p>x</p>\n"}),
      "jekyll/_posts/2024-05-02-b.html: .html posts are not read (only Markdown): left out of"
      " the feeds\n", code=0),
    C("jekyll-file-name-date", jekyll({"_posts/2024-13-45-b.md": jekyll_post("Hi.\n")}),
      "jekyll/_posts/2024-13-45-b.md: file name date: expected a date, got '2024-13-45'\n"),
    C("jekyll-title-list", jekyll({"_posts/2024-05-02-b.md": jekyll_post("Hi.\n", "title: [a]\n")}),
      "jekyll/_posts/2024-05-02-b.md:2: title: expected text, got a list\n"),
    C("jekyll-categories-mapping",
      jekyll({"_posts/2024-05-02-b.md": jekyll_post("Hi.\n", "categories: [{a: 1}]\n")}),
      "jekyll/_posts/2024-05-02-b.md:2: categories: expected names, got a mapping\n"),
    C("jekyll-author-problems",
      jekyll({"_posts/2024-05-02-b.md": jekyll_post("Hi.\n", "author: {email: a@x.org}\n"),
              "_posts/2024-05-03-c.md": jekyll_post("Hi.\n", "title: C\nauthors: [[x]]\n")}),
      "jekyll/_posts/2024-05-02-b.md:2: author: a name is missing\n"
      "jekyll/_posts/2024-05-03-c.md:3: authors: expected a name, got a list\n"
      "postfeed: 2 problems; nothing was written\n"),
    C("jekyll-liquid-not-run",
      jekyll({"_posts/2024-05-02-b.md": jekyll_post(
          "{% include x.html %}\n\n{{ page.title | upcase }}\n\n{% if x %}In.{% endif %}\n")}),
      "jekyll/_posts/2024-05-02-b.md:4: Liquid tag {% include x.html %} is not run: left out of"
      " the feed\n"
      "jekyll/_posts/2024-05-02-b.md:6: Liquid output {{ page.title | upcase }} is not run: left"
      " out of the feed\n"
      "jekyll/_posts/2024-05-02-b.md:8: Liquid tag {% if x %} is not run: left out of the feed,"
      " its inner text kept\n", code=0),
    C("jekyll-liquid-built-in-problems",
      jekyll({"_posts/2024-05-02-b.md": jekyll_post(
          "{% highlight %}\nx\n{% endhighlight %}\n\n{% post_url %} {% post_url 2020-01-01-x %}"
          " {% link %} {% link {{ x }} %} {% link nope.md %} {{ site.nope }}\n")}),
      "jekyll/_posts/2024-05-02-b.md:4: {% highlight %}: the highlight tag needs a language, as"
      " {% highlight go %}; left out\n"
      "jekyll/_posts/2024-05-02-b.md:8: {% post_url %}: post_url needs a post's name, as"
      " {% post_url 2024-01-15-x %}; left out\n"
      "jekyll/_posts/2024-05-02-b.md:8: {% post_url 2020-01-01-x %}: no post '2020-01-01-x' among"
      " the posts; left out\n"
      "jekyll/_posts/2024-05-02-b.md:8: {% link %}: link needs a file's path, as"
      " {% link about.md %}; left out\n"
      "jekyll/_posts/2024-05-02-b.md:8: {% link {{ x }} %}: a path with a variable is not read;"
      " left out\n"
      "jekyll/_posts/2024-05-02-b.md:8: {% link nope.md %}: no file 'nope.md' in the site; left"
      " out\n"
      "jekyll/_posts/2024-05-02-b.md:8: {{ site.nope }}: no value 'site.nope'; left out\n", code=0),
    C("pelican-config-missing", pelican(conf=None),
      "pelican: no Pelican settings here (pelicanconf.py); set source_dir to the Pelican site's"
      " folder\n"),
    C("pelican-config-syntax", pelican(conf=PELICAN_CONF + "TIMEZONE = (\n"),
      "pelican/pelicanconf.py:4: invalid Python: '(' was never closed\n"),
    C("pelican-settings-not-read",
      pelican(conf=PELICAN_CONF + "import os\nTIMEZONE = os.environ['TZ']\nTYPOGRIFY = True\n"
          "PLUGINS = ['x']\nDOCUTILS_SETTINGS = {'a': 1}\nEXTRA_PATH_METADATA = {'a': {}}\n"
          "DEFAULT_METADATA = {'status': 'draft'}\nMARKDOWN = {'extensions': ['pymdownx.tilde']}\n"),
      "pelican/pelicanconf.py:5: TIMEZONE: not a literal, so not read (postfeed never runs"
      " pelicanconf.py); Pelican's default 'UTC' is used\n"
      "pelican/pelicanconf.py:6: TYPOGRIFY: typographic quotes and dashes are not made\n"
      "pelican/pelicanconf.py:7: PLUGINS: plugins are not run\n"
      "pelican/pelicanconf.py:8: DOCUTILS_SETTINGS: docutils runs with Pelican's settings\n"
      "pelican/pelicanconf.py:9: EXTRA_PATH_METADATA: not read; give each article its metadata\n"
      "pelican/pelicanconf.py:10: DEFAULT_METADATA: not read; give each article its metadata\n"
      "pelican/pelicanconf.py:11: MARKDOWN: the extension 'pymdownx.tilde' is not read\n", code=0),
    C("pelican-content-missing", pelican(conf=PELICAN_CONF.replace('"content"', '"posts"')),
      "pelican/pelicanconf.py:3: content folder pelican/posts does not exist\n"),
    C("pelican-other-formats", pelican({"b.html": "<html><head><title>B</title></head></html>\n"}),
      "pelican/content/b.html: HTML content is not read (only Markdown and reStructuredText): left"
      " out of the feeds\n", code=0),
    C("pelican-status-unknown", pelican({"b.md": "Title: B\nDate: 2024-05-02\nStatus: later\n\nx\n"}),
      "pelican/content/b.md:3: status: unknown status 'later' (use published, hidden or draft);"
      " Pelican leaves the file out too\n"),
    C("pelican-title-date-missing",
      pelican({"b.md": "Date: 2024-05-02\n\nx\n", "c.md": "Title: C\n\nx\n"}),
      "pelican/content/b.md: title: missing, so Pelican leaves the file out: left out of the feeds\n"
      "pelican/content/c.md: date: missing, so Pelican leaves the file out: left out of the feeds\n",
      code=0),
    C("pelican-date-typo", pelican({"b.md": "Title: B\nDate: soon\n\nx\n"}),
      "pelican/content/b.md:2: date: expected a date, got 'soon'\n"),
    C("pelican-url-setting", pelican(conf=PELICAN_CONF + 'ARTICLE_URL = "{nope}/{slug}/"\n'),
      "pelican/content/a.md: ARTICLE_URL: '{nope}/{slug}/' cannot be filled in for this article"
      " ('nope')\n"),
    C("pelican-same-url", pelican({"b.md": "Title: B\nDate: 2024-05-02\nSlug: a\n\nx\n"}),
      "pelican/content/b.md:3: url 'a.html' is also used by pelican/content/a.md\n"),
    C("pelican-links-not-found",
      pelican({"b.md": "Title: B\nDate: 2024-05-02\n\n[x]({filename}/nope.md)\n",
               "c.rst": "C\n#\n\n:date: 2024-05-03\n\n`y <{foo}bar>`_ and *z\n"}),
      "pelican/content/b.md:4: {filename}/nope.md: no such file in the content folder; the link is"
      " left out\n"
      "pelican/content/c.rst:6: reStructuredText: Inline emphasis start-string without"
      " end-string.\n"
      "pelican/content/c.rst: {foo}bar: {foo} links are not read; the link is left out\n", code=0),
    C("hugo-title-missing", hugo({"posts/untitled-note.md": "+++\ndate = 2024-05-02\n+++\nHi.\n"}),
      "hugo/content/posts/untitled-note.md: title: missing; the feeds show 'untitled-note'\n",
      code=0),
    C("mkdocs-config-missing", mkdocs(yml=None),
      "mkdocs: no mkdocs.yml here; set source_dir to the MkDocs site's folder\n"),
    C("mkdocs-no-blog", mkdocs(yml="site_name: M\nsite_url: https://m.example.org/\nplugins:\n"
                                   "  - search\n"),
      "mkdocs/mkdocs.yml:3: plugins: Material's blog plugin (blog) is not enabled; postfeed reads"
      " the blog's posts\n"),
    C("mkdocs-blog-setting", mkdocs(yml=blog_options("      blog_dir: 5\n")),
      "mkdocs/mkdocs.yml:7: plugins: blog: blog_dir: expected text, got 5\n"),
    C("mkdocs-post-url-format", mkdocs(yml=blog_options("      post_url_format: '{date}/{title}'\n")),
      "mkdocs/mkdocs.yml:7: plugins: blog: post_url_format: '{date}/{title}' is not a format"
      " Material fills ({categories}, {date}, {file}, {slug})\n"),
    C("mkdocs-match-path", mkdocs(yml=rss_options("      match_path: '('\n")),
      "mkdocs/mkdocs.yml:8: plugins: rss: match_path: not a regular expression: missing ),"
      " unterminated subpattern at position 0\n"),
    C("mkdocs-default-time",
      mkdocs(yml=rss_options("      date_from_meta:\n        default_time: '9'\n")),
      "mkdocs/mkdocs.yml:9: plugins: rss: date_from_meta.default_time: expected HH:MM, got '9'\n"),
    C("mkdocs-default-timezone",
      mkdocs(yml=rss_options("      date_from_meta:\n        default_timezone: Mars/Olympus\n")),
      "mkdocs/mkdocs.yml:9: plugins: rss: date_from_meta.default_timezone: unknown time zone"
      " 'Mars/Olympus'\n"),
    C("mkdocs-posts-folder-missing", mkdocs(posts=False),
      "mkdocs/mkdocs.yml: the blog's posts folder mkdocs/docs/blog/posts does not exist\n"),
    C("mkdocs-posts-folder-is-a-file",
      both(mkdocs(posts=False), lambda s: (s / "mkdocs/docs/blog").mkdir(parents=True),
           lambda s: (s / "mkdocs/docs/blog/posts").write_text("x")),
      "mkdocs/mkdocs.yml: the blog's posts folder mkdocs/docs/blog/posts is not a folder\n"),
    C("mkdocs-authors-file", mkdocs({"blog/.authors.yml": "authors: [ada]\n"}),
      "mkdocs/docs/blog/.authors.yml:1: authors: expected a mapping of ids to authors\n"),
    C("mkdocs-author-name", mkdocs({"blog/.authors.yml": "authors:\n  ada:\n    avatar: a.png\n"}),
      "mkdocs/docs/blog/.authors.yml:1: authors: ada: name: expected text, got nothing\n"),
    C("mkdocs-url-missing", mkdocs(yml=MKDOCS_YML.replace("site_url: https://m.example.org/\n", "")),
      "postfeed.yaml: url: missing; mkdocs.yml has no site_url; set url in postfeed.yaml\n"),
    C("mkdocs-site-url", mkdocs(yml=MKDOCS_YML.replace("https://m.example.org/", "/")),
      "mkdocs/mkdocs.yml:2: site_url: expected an absolute http(s) URL, got '/'\n"),
    C("mkdocs-settings-not-read", mkdocs(yml=_MKDOCS_UNREAD),
      "mkdocs/mkdocs.yml:8: plugins: only the first blog is read (blog)\n"
      "mkdocs/mkdocs.yml:8: plugins: meta: .meta.yml files are not read; give each post its own"
      " metadata\n"
      "mkdocs/mkdocs.yml:1: INHERIT: the parent configuration is not read\n"
      "mkdocs/mkdocs.yml:11: plugins: blog: post_url_date_format: month and day names are"
      " written in English\n"
      "mkdocs/mkdocs.yml:12: plugins: blog: post_slugify: !!python/name:my.slugify is code, not"
      " run; slugs are made by pymdownx.slugs.slugify(case=lower)\n"
      "mkdocs/mkdocs.yml:15: plugins: rss: the RSS plugin dates posts by their Git history"
      " (date_from_meta.as_creation: git); postfeed dates them by their date\n"
      "mkdocs/mkdocs.yml:4: site_author: !ENV AUTHOR is not read; set author in postfeed.yaml\n"
      "mkdocs/mkdocs.yml:17: markdown_extensions: pymdownx.b64 is not run (it embeds image"
      " files): left out\n"
      "mkdocs/mkdocs.yml:18: markdown_extensions: mdx_truly_sane_lists is not one of"
      " Python-Markdown's or pymdown-extensions' extensions: left out\n"
      "mkdocs/mkdocs.yml:20: markdown_extensions: toc: slugify:"
      " !!python/object/apply:pymdownx.slugs.slugify is not run: left out\n"
      "mkdocs/mkdocs.yml:22: markdown_extensions: pymdownx.keys: key_map: a mapping is not read:"
      " left out\n", code=0),
    C("mkdocs-date-text", mkdocs({"blog/posts/p.md": mkdocs_post("date: '2024-05-02'\n")}),
      "mkdocs/docs/blog/posts/p.md:3: date: expected a date such as 2024-01-15 or 2024-01-15"
      " 10:00:00, got '2024-05-02' (Material reads no quoted text: write it unquoted)\n"),
    C("mkdocs-date-typo", mkdocs({"blog/posts/p.md": mkdocs_post("date:\n  created: soon\n")}),
      "mkdocs/docs/blog/posts/p.md:3: date: created: expected a date such as 2024-01-15 or"
      " 2024-01-15 10:00:00, got 'soon'\n"),
    C("mkdocs-date-created", mkdocs({"blog/posts/p.md": mkdocs_post("date:\n  updated: 2024-05-02\n")}),
      "mkdocs/docs/blog/posts/p.md:3: date: expected created in the mapping (date: {created:"
      " 2024-01-15})\n"),
    C("mkdocs-date-out-of-range",
      mkdocs({"blog/posts/p.md": mkdocs_post("date: 9999-12-31 23:00:00 -05:00\n")}),
      "mkdocs/docs/blog/posts/p.md:3: date: date out of range: 9999-12-31 23:00:00-05:00 (years"
      " 1900-9999)\n"),
    C("mkdocs-date-missing", mkdocs({"blog/posts/p.md": mkdocs_post("")}),
      "mkdocs/docs/blog/posts/p.md: date: missing (Material's blog needs a date for every"
      " post)\n"),
    C("mkdocs-categories-text",
      mkdocs({"blog/posts/p.md": mkdocs_post("date: 2024-05-02\ncategories: Go\n")}),
      "mkdocs/docs/blog/posts/p.md:4: categories: expected a list of text such as [Go], got"
      " 'Go'\n"),
    C("mkdocs-authors-text",
      mkdocs({"blog/posts/p.md": mkdocs_post("date: 2024-05-02\nauthors: ada\n")}),
      "mkdocs/docs/blog/posts/p.md:4: authors: expected a list of text such as [ada], got"
      " 'ada'\n"),
    C("mkdocs-author-unknown",
      mkdocs({"blog/posts/p.md": mkdocs_post("date: 2024-05-02\nauthors: [ada]\n")}),
      "mkdocs/docs/blog/posts/p.md:4: authors: unknown author 'ada' (not in"
      " blog/.authors.yml)\n"),
    C("mkdocs-category-not-allowed",
      mkdocs({"blog/posts/p.md": mkdocs_post("date: 2024-05-02\ncategories: [Rust]\n")},
             yml=blog_options("      categories_allowed: [Go]\n")),
      "mkdocs/docs/blog/posts/p.md:4: categories: 'Rust' is not in the blog's"
      " categories_allowed\n"),
    C("mkdocs-draft-not-boolean",
      mkdocs({"blog/posts/p.md": mkdocs_post("date: 2024-05-02\ndraft: maybe\n")}),
      "mkdocs/docs/blog/posts/p.md:4: draft: expected true or false, got 'maybe'\n"),
    C("mkdocs-slug-number", mkdocs({"blog/posts/p.md": mkdocs_post("date: 2024-05-02\nslug: 5\n")}),
      "mkdocs/docs/blog/posts/p.md:4: slug: expected text, got 5 (quote it)\n"),
    C("mkdocs-same-url",
      mkdocs({"blog/posts/p.md": mkdocs_post("title: B\ndate: 2024-05-01\nslug: a\n")}),
      "mkdocs/docs/blog/posts/p.md:4: url 'https://m.example.org/blog/2024/05/01/a/' is also used"
      " by mkdocs/docs/blog/posts/a.md\n"),
    C("eleventy-input-missing", eleventy(content=False),
      "eleventy/eleventy.config.js:7: input folder eleventy/content does not exist\n"),
    C("eleventy-input-is-a-file",
      both(eleventy(content=False), lambda s: (s / "eleventy/content").write_text("x")),
      "eleventy/eleventy.config.js:7: input folder eleventy/content is not a folder\n"),
    C("eleventy-url-missing", eleventy(config=ELEVENTY_CONFIG.replace('base: "https://e.example.org/"',
                                                                      "base: process.env.URL")),
      "postfeed.yaml: url: missing; eleventy.config.js gives the feed plugin no plain base URL and"
      " _data/metadata.js no plain url (JavaScript is read only where the URL is a string); set url"
      " in postfeed.yaml\n"),
    C("eleventy-base-url", eleventy(config=ELEVENTY_CONFIG.replace("https://e.example.org/", "/")),
      "eleventy/eleventy.config.js:2: feed plugin metadata.base: expected an absolute http(s) URL,"
      " got '/'\n"),
    C("eleventy-settings-not-read",
      eleventy({"content/_data/metadata.js": 'export default { url: "https://old.example.org/" };\n'},
               config=ELEVENTY_CONFIG.replace("}\n\nexport", "\televentyConfig.addDateParsing(parse);\n"
                                                            "}\n\nexport")),
      "eleventy/content/_data/metadata.js:1: url 'https://old.example.org/' is not the feed"
      " plugin's base 'https://e.example.org/'; the feed's links follow the base\n"
      "eleventy/eleventy.config.js:5: addDateParsing: custom date parsing is code, not run; dates"
      " are read as Eleventy reads them without it\n", code=0),
    C("eleventy-left-out",
      eleventy({"content/blog/js.md": "---js\nconst title = 'J';\n---\nJ.\n",
                "content/blog/b.njk": eleventy_post(""),
                "content/blog/p.md": eleventy_post("permalink: /{{ page.url }}/\n"),
                "content/blog/code/code.11tydata.js": "export default () => ({ tags: ['x'] });\n",
                "content/blog/code/c.md": eleventy_post("")}),
      "eleventy/content/blog/b.njk: Nunjucks templates are not read (only Markdown): left out of"
      " the feeds\n"
      "eleventy/content/blog/js.md:1: front matter in JavaScript (---js) is not run: left out of"
      " the feeds\n"
      "eleventy/content/blog/p.md:3: permalink: '/{{ page.url }}/' is a template that is not"
      " run: left out of the feeds\n"
      "eleventy/content/blog/code/code.11tydata.js:1: JavaScript that is not a plain object is not"
      " run: this data file is not read (give its posts their tags in a .11tydata.json file)\n",
      code=0),
    C("eleventy-nunjucks-not-run",
      eleventy({"content/blog/p.md": eleventy_post("", "{{ x }} {% y %}\n{% z %}In{% endz %}\n"
                                                       "{% highlight %}\ncode\n{% endhighlight %}\n")}),
      "eleventy/content/blog/p.md:5: Nunjucks output {{ x }} is not run: left out of the feed\n"
      "eleventy/content/blog/p.md:5: Nunjucks tag {% y %} is not run: left out of the feed\n"
      "eleventy/content/blog/p.md:6: Nunjucks tag {% z %} is not run: left out of the feed, its"
      " inner text kept\n"
      "eleventy/content/blog/p.md:7: {% highlight %}: the highlight block needs a language; left"
      " out\n", code=0),
    C("eleventy-date-file-time", eleventy({"content/blog/p.md": eleventy_post("date: git Created\n")}),
      "eleventy/content/blog/p.md:3: date: 'git Created' is a time of the file or of Git, which"
      " every checkout changes; give the post its date\n"),
    C("eleventy-date-text", eleventy({"content/blog/p.md": eleventy_post("date: Jan 15 2024\n")}),
      "eleventy/content/blog/p.md:3: date: expected a date, or text in ISO 8601 such as 2024-01-15"
      " or 2024-01-15T10:00:00 (as Eleventy reads it), got 'Jan 15 2024'\n"),
    C("eleventy-date-out-of-range", eleventy({"content/blog/p.md": eleventy_post("date: 1066-10-14\n")}),
      "eleventy/content/blog/p.md:3: date: date out of range: 1066-10-14 (years 1900-9999)\n"),
    C("eleventy-date-missing", eleventy({"content/blog/p.md": "---\ntitle: P\n---\nHi.\n"}),
      "eleventy/content/blog/p.md: date: missing (Eleventy would date it by its file's creation"
      " time, which every checkout changes); give the post its date\n"),
    C("eleventy-permalink-type", eleventy({"content/blog/p.md": eleventy_post("permalink: 5\n")}),
      "eleventy/content/blog/p.md:3: permalink: expected text or false, got 5\n"),
    C("eleventy-description-type",
      eleventy({"content/blog/p.md": eleventy_post("description: 5\n")}),
      "eleventy/content/blog/p.md:3: description: expected text, got 5 (quote it)\n"),
    C("eleventy-json-front-matter",
      eleventy({"content/blog/p.md": '---json\n["title"]\n---\nHi.\n',
                "content/blog/q.md": '---json\n{"title": }\n---\nHi.\n'}),
      "eleventy/content/blog/p.md:2: front matter must be an object of keys and values\n"
      "eleventy/content/blog/q.md:2: invalid JSON: Expecting value\n"
      "postfeed: 2 problems; nothing was written\n"),
    C("eleventy-data-file", eleventy({"content/blog/blog.11tydata.json": '["posts"]\n'}),
      "eleventy/content/blog/blog.11tydata.json:1: expected an object of data\n"),
    C("eleventy-same-url", eleventy({"content/blog/p.md": eleventy_post("permalink: /blog/a/\n")}),
      "eleventy/content/blog/p.md:3: url 'https://e.example.org/blog/a/' is also used by"
      " eleventy/content/blog/a.md\n"),
    C("eleventy-title-missing", eleventy({"content/blog/untitled.md": "---\ndate: 2024-05-02\n---\nHi.\n"}),
      "eleventy/content/blog/untitled.md: title: missing; the feeds show 'untitled'\n", code=0),
    C("astro-config-missing", astro({}, config=None),
      "astro: no Astro configuration here (astro.config.mjs); set source_dir to the Astro site's"
      " folder\n"),
    C("astro-url-missing", astro({}, config="export default defineConfig({ site: SITE });\n"),
      "postfeed.yaml: url: missing; astro.config.mjs has no plain site URL (site: 'https://…'); set"
      " url in postfeed.yaml\n"),
    C("astro-title-missing", astro({}, feed=ASTRO_FEED.replace("'A'", "TITLE")),
      "postfeed.yaml: title: missing; the feed's title in src/pages/rss.xml.js is not a plain"
      " string; set title in postfeed.yaml\n"),
    C("astro-site-url", astro({}, config="export default { site: 'astro.example.org' };\n"),
      "astro/astro.config.mjs:1: site: expected an absolute http(s) URL, got 'astro.example.org'\n"),
    C("astro-collection-missing", astro(None),
      "astro/astro.config.mjs: the collection's folder astro/src/content/blog does not exist\n"),
    C("astro-collection-is-a-file",
      both(astro(None), lambda s: (s / "astro/src/content").mkdir(),
           lambda s: (s / "astro/src/content/blog").write_text("x")),
      "astro/astro.config.mjs: the collection's folder astro/src/content/blog is not a folder\n"),
    C("astro-pattern", astro({}, content=ASTRO_CONTENT.replace("**/*.{md,mdx}", "[z-a].md")),
      "astro/src/content.config.ts: the collection's pattern '[z-a].md' is not a glob pattern"
      " postfeed reads: bad character range z-a at position 1\n"),
    C("astro-settings-not-read",
      astro({}, feed=ASTRO_FEED.replace("link: `/blog/${post.id}/`", "link: postLink(post)"),
            content="const blog = defineCollection({ loader: glob({ base: BASE }) });\n"),
      "astro/src/pages/rss.xml.js:5: the items' link is not a template string around ${post.id}:"
      " entries are linked as /blog/<id>/\n"
      "astro/src/content.config.ts: the blog collection's glob loader is not plain literals: it is"
      " read from ./src/content/blog (**/*.{md,mdx})\n", code=0),
    C("astro-starter-files-missing", astro({}, feed=None, content=None, yaml="title: A\n"),
      "astro: no src/pages/rss.xml.js: entries are linked as the blog starter's feed links them"
      " (/blog/<id>/)\n"
      "astro: no src/content.config.ts: the blog collection is read from ./src/content/blog"
      " (**/*.{md,mdx})\n", code=0),
    C("astro-images-optimised",
      astro({"p.md": astro_post("heroImage: ./hero.png\n", "![x](./x.png)\n")}),
      "astro/src/content/blog/p.md:3: heroImage './hero.png' is optimised by Astro into a file"
      " whose name postfeed cannot know: left out of the feed (an image in public/ or at a full URL"
      " is kept)\n"
      "astro/src/content/blog/p.md:6: image './x.png' is optimised by Astro into a file whose name"
      " postfeed cannot know: left out of the feed (an image in public/ or at a full URL is"
      " kept)\n", code=0),
    C("astro-mdx-not-run",
      astro({"p.mdx": astro_post("", "import C from './c.astro';\n\n{x} <C />\n\n<Box>\nIn.\n"
                                     "</Box>\n")}),
      "astro/src/content/blog/p.mdx:5: JavaScript import C from './c.astro'; is not run: left out"
      " of the feed\n"
      "astro/src/content/blog/p.mdx:7: JavaScript expression {x} is not run: left out of the feed\n"
      "astro/src/content/blog/p.mdx:7: JSX element <C /> is not run: left out of the feed\n"
      "astro/src/content/blog/p.mdx:9: JSX element <Box> is not run: left out of the feed, its inner"
      " text kept\n", code=0),
    C("astro-pub-date", astro({"p.md": astro_post("pubDate: soon\n")}),
      "astro/src/content/blog/p.md:3: pubDate: expected a date, got 'soon'\n"),
    C("astro-pub-date-incomplete", astro({"p.md": astro_post("pubDate: March 5\n")}),
      "astro/src/content/blog/p.md:3: pubDate: incomplete date 'March 5': give a year, a month and"
      " a day\n"),
    C("astro-pub-date-out-of-range", astro({"p.md": astro_post("pubDate: '0999-01-01'\n")}),
      "astro/src/content/blog/p.md:3: pubDate: date out of range: '0999-01-01' (years"
      " 1900-9999)\n"),
    C("astro-updated-date", astro({"p.md": astro_post("updatedDate: 5\n")}),
      "astro/src/content/blog/p.md:3: updatedDate: expected a date, got 5 (quote it)\n"),
    C("astro-pub-date-missing", astro({"p.md": "---\ntitle: P\n---\nHi.\n"}),
      "astro/src/content/blog/p.md: pubDate: missing (the blog's schema requires it)\n"),
    C("astro-title-missing-in-entry", astro({"p.md": "---\npubDate: 2024-05-02\n---\nHi.\n"}),
      "astro/src/content/blog/p.md: title: missing (the blog's schema requires it)\n"),
    C("astro-same-url", astro({"p.md": astro_post("slug: a\n")}),
      "astro/src/content/blog/p.md:3: url 'https://a.example.org/blog/a/' is also used by"
      " astro/src/content/blog/a.md\n"),
]  # fmt: skip

# Warnings are shown with the errors, each in its place by path and line, on every path.
TOGETHER_CASES = [
    C("config-error-with-warning", config("titel: Blog\nurl: https://x.org/\n"),
      "postfeed.yaml: title: missing (it is required)\n"
      "postfeed.yaml:1: unknown key 'titel' is ignored (did you mean 'title'?)\n"),
    C("plan-error-with-warning",
      both(post("a", "categories: [Deep Dives]\ntgas: [x]\n"), post("p", "categories: deep-dives\n")),
      "posts/a.md:4: unknown key 'tgas' is ignored (did you mean 'tags'?)\n"
      "posts/p.md:3: categories: 'deep-dives' and 'Deep Dives' (in posts/a.md) both map to the"
      " category feed 'deep-dives'; spell them the same\n"),
    C("check-error-with-warning", both(post("a", "tgas: [x]\n"), post("p", "date: soon\n")),
      "posts/a.md:3: unknown key 'tgas' is ignored (did you mean 'tags'?)\n"
      "posts/p.md:3: date: expected a date, got 'soon'\n", "--check"),
    C("hugo-config-warning-with-post-error",
      hugo({"posts/p.md": hugo_post('title = "P"\ndate = "soon"\n')},
           toml=HUGO_TOML + "buildDrafts = true\n", yaml="titel: x\n"),
      "hugo/content/posts/p.md:3: date: expected a date, got 'soon'\n"
      "hugo/hugo.toml:3: buildDrafts: not read; publish drafts with postfeed build --drafts\n"
      "postfeed.yaml:4: unknown key 'titel' is ignored (did you mean 'title'?)\n"),
]  # fmt: skip

CASES = (
    CONFIG_CASES
    + FILE_CASES
    + VALUE_CASES
    + OUTPUT_CASES
    + FEATURE_CASES
    + FAMILY_CASES
    + SOURCE_CASES
    + TOGETHER_CASES
)


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


def test_a_huge_post_is_refused_unread(site: Path) -> None:
    """A 4 GiB post is refused by its size: the build, limited to 1 GiB of memory, never
    reads it, prints the message and exits 2."""
    sized("huge", 4 * 1024**3)(site)
    before = _snapshot(site / "feeds")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    run = subprocess.run(
        [sys.executable, "-m", "postfeed", "build"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=limit_memory,
        timeout=120,
    )
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (
        "posts/huge.md: too large (4294967296 bytes; a post may have at most 1048576)\n"
    )
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
    # A reStructuredText article where docutils is not installed.
    pelican_site = folder / "pelican"
    (pelican_site / "content").mkdir(parents=True)
    (pelican_site / "pelicanconf.py").write_text('SITEURL = "https://p.example.org"\n')
    (pelican_site / "content" / "a.rst").write_text("A\n#\n\n:date: 2024-05-01\n\nHi.\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "docutils.core", None)
        found = pelican_reader.read(
            postfeed.Site(title="P", url="https://p.example.org/", posts_dir=pelican_site), None
        )
    messages.update(warning.split(": ", 1)[1] for warning in found.warnings)
    # A post edited between the scan and the reading of its body.
    (folder / "posts").mkdir()
    path = folder / "posts" / "a.md"
    path.write_text(GOOD, encoding="utf-8")
    archive = scan(replace(site, posts_dir=folder / "posts"))
    path.write_text(GOOD.replace("Good", "Edited"), encoding="utf-8")
    with pytest.raises(postfeed.PostErrors) as changed:
        archive.read_body(archive.posts[0])
    # postfeed new with the sources whose posts it does not write (no reader needed).
    for source in ("pelican", "mkdocs", "eleventy", "astro"):
        generator = replace(site, source=source, config_path=folder / "postfeed.yaml")
        with pytest.raises(postfeed.ConfigError) as refused:
            postfeed.new_post(generator, "Hello")
        messages.add(str(refused.value))
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


def _command_messages(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> set[str]:
    """The whole lines init, new, serve and ping print when they fail, produced for real."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    busy = str(listener.getsockname()[1])
    # The listener never accepts: a ping sent to it waits for an answer until its deadline.
    monkeypatch.setattr(websub, "PING_TIMEOUT", 0.5)
    (site / "mute.yaml").write_text(CONFIG + f"hub: http://127.0.0.1:{busy}/\n", encoding="utf-8")
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
    # Folders holding part of a generator's site, or two, for postfeed init.
    for name, text in {
        "mk/mkdocs.yml": "site_name: D\nplugins:\n  - search\n",
        "jk/_config.yml": "title: J\n",
        "as/astro.config.mjs": "export default {};\n",
        "two/hugo.toml": 'title = "H"\n',
        "two/pelicanconf.py": 'SITENAME = "P"\n',
    }.items():
        (site / name).parent.mkdir(exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    attempts = [
        ["init"],
        ["init", "new", "--url", "/blog/"],
        ["init", "new", "--timezone", "Mars/Olympus"],
        ["init", "new", "--source", "wordpress"],
        ["init", "new", "--title", " "],
        ["init", "mk"],
        ["init", "jk"],
        ["init", "as"],
        ["init", "two"],
        ["new", "Good", "--slug", "a"],
        ["new", "!!!"],
        ["new", "x", "--slug", "a/b"],
        ["new", ""],
        ["serve", "--out", "nowhere"],
        ["serve", "--out", LONG],
        ["serve", "--port", busy],
        ["ping"],
        ["ping", "--config", "hub.yaml"],
        ["ping", "--config", "gone.yaml"],
        ["links", "--feed", "tags/rust"],
        ["ping", "--config", "mute.yaml"],
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
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every message the catalogue and the other commands produce is in docs/errors.md, and
    every one there is produced."""
    produced = _library_messages(tmp_path / "library") | _command_messages(
        site, capsys, monkeypatch
    )
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
