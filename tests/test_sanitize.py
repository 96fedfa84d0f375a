"""The HTML a feed carries is cleaned: every HTML field of every format, whichever
process renders it and whatever the cache holds, unless the site says otherwise."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from postfeed.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"

HOSTILE = """\
Hello <b onmouseover="steal()">there</b>.

<script>alert("body")</script>
<img src="cat.png" onerror="alert('img')" alt="A cat">
<a href="javascript:alert('link')">click</a> <a href=" JaVaScRiPt:alert(1)">spaced</a>
<a href="vbscript:msgbox('vb')">vb</a> <a href="data:text/html,<script>alert(1)</script>">data</a>
<a href="https://example.org/" target="_blank">new window</a> <img src="data:image/png;base64,AAAA" alt="inline">
<iframe src="javascript:alert('frame')"></iframe>
<form action="https://evil.example/"><input name="password"><button>Send</button></form>
<object data="movie.swf"></object><embed src="movie.swf">
<base href="https://evil.example/">
<meta http-equiv="refresh" content="0; url=https://evil.example/">
<style>body { display: none }</style>
<!-- a comment -->
<svg><script>alert('svg')</script></svg>
<p style="position: fixed; top: 0; color: red">covering</p>
"""

# Every piece of active content above, as it could appear in any of the formats.
ACTIVE = (
    "<script",
    "onmouseover",
    "onerror",
    "javascript:",
    "vbscript:",
    "data:",
    "target",
    "<iframe src=",
    "<form",
    "password",
    "<object",
    "<embed",
    "<base",
    "<meta",
    "<style",
    "<svg",
    "a comment",
    "position",
    "alert(",
)

EMBEDDED = """\
<figure><img src="img/chart.png" srcset="img/chart.png 1x, img/chart@2x.png 2x" alt="Chart" width="640" height="480" loading="lazy"><figcaption>Latency</figcaption></figure>

<details><summary>Details</summary><p>Hidden <em>text</em>.</p></details>

| left | centre |
|:-----|:------:|
| a    | b      |

```go
fmt.Println("<tag> & more")
```

<iframe src="https://www.youtube-nocookie.com/embed/x" width="560" height="315" title="Talk" allowfullscreen></iframe>
<iframe src="http://insecure.example/"></iframe>

<video controls src="https://cdn.example.org/v.mp4" poster="img/poster.png"><source src="https://cdn.example.org/v.webm" type="video/webm"></video>

<picture><source srcset="img/a.webp" type="image/webp"><img src="img/a.png" alt="A"></picture>
<audio controls src="https://cdn.example.org/a.ogg"><track kind="captions" src="a.vtt" srclang="en"></audio>

A footnote[^1], <a href="mailto:me@example.org" rel="me" title="Mail">mail</a>, <kbd>Ctrl</kbd>, H<sub>2</sub>O, <abbr title="HyperText">HTML</abbr>, <span lang="fr" dir="ltr">oui</span>.

[^1]: The note.
"""

EMBEDDED_HTML = (
    '<figure><img src="https://blog.example.com/posts/p/img/chart.png" srcset="https://blog.example.com/posts/p/img/chart.png 1x, https://blog.example.com/posts/p/img/chart@2x.png 2x" alt="Chart" width="640" height="480" loading="lazy"><figcaption>Latency</figcaption></figure>\n'
    "\n"
    "<details><summary>Details</summary><p>Hidden <em>text</em>.</p></details>\n"
    "\n"
    "<table>\n"
    "<thead>\n"
    "<tr>\n"
    '<th style="text-align:left">left</th>\n'
    '<th style="text-align:center">centre</th>\n'
    "</tr>\n"
    "</thead>\n"
    "<tbody>\n"
    "<tr>\n"
    '<td style="text-align:left">a</td>\n'
    '<td style="text-align:center">b</td>\n'
    "</tr>\n"
    "</tbody>\n"
    "</table>\n"
    '<pre><code class="language-go">fmt.Println("&lt;tag&gt; &amp; more")\n'
    "</code></pre>\n"
    '<iframe src="https://www.youtube-nocookie.com/embed/x" width="560" height="315" title="Talk" allowfullscreen=""></iframe>\n'
    "<iframe></iframe>\n"
    "\n"
    '<video controls="" src="https://cdn.example.org/v.mp4" poster="https://blog.example.com/posts/p/img/poster.png"><source src="https://cdn.example.org/v.webm" type="video/webm"></video>\n'
    "\n"
    '<p><picture><source srcset="https://blog.example.com/posts/p/img/a.webp" type="image/webp"><img src="https://blog.example.com/posts/p/img/a.png" alt="A"></picture>\n'
    '<audio controls="" src="https://cdn.example.org/a.ogg"><track kind="captions" src="https://blog.example.com/posts/p/a.vtt" srclang="en"></audio></p>\n'
    '<p>A footnote<sup id="fnref:1"><a class="footnote-ref" href="https://blog.example.com/posts/p/#fn:1">1</a></sup>, <a href="mailto:me@example.org" rel="me" title="Mail">mail</a>, <kbd>Ctrl</kbd>, H<sub>2</sub>O, <abbr title="HyperText">HTML</abbr>, <span lang="fr" dir="ltr">oui</span>.</p>\n'
    '<div class="footnote">\n'
    "<hr>\n"
    "<ol>\n"
    '<li id="fn:1">\n'
    '<p>The note.&nbsp;<a class="footnote-backref" href="https://blog.example.com/posts/p/#fnref:1" title="Jump back to footnote 1 in the text">↩</a></p>\n'
    "</li>\n"
    "</ol>\n"
    "</div>"
)


def html_fields(feeds: Path) -> dict[str, str]:
    """Every HTML field of the one entry in each format, by name. (The page shows
    summaries as text.)"""
    rss = ET.parse(feeds / "rss.xml").getroot().find("channel/item")
    atom = ET.parse(feeds / "atom.xml").getroot().find(f"{ATOM}entry")
    assert rss is not None
    assert atom is not None
    [item] = json.loads((feeds / "feed.json").read_bytes())["items"]
    fields = {
        "rss description": rss.findtext("description"),
        "rss content:encoded": rss.findtext(CONTENT),
        "atom summary": atom.findtext(f"{ATOM}summary"),
        "atom content": atom.findtext(f"{ATOM}content"),
        "json content_html": item["content_html"],
    }
    for name, value in fields.items():
        assert value, name
    return {name: value for name, value in fields.items() if value is not None}


@pytest.fixture
def in_site(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from inside the site folder."""
    monkeypatch.chdir(site_dir)
    return site_dir


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_active_content_leaves_every_html_field(
    in_site: Path, write_post: Callable[..., Path], jobs: str
) -> None:
    """Scripts, event handlers, javascript:, vbscript: and data: links, forms, object,
    embed, base, meta, style and comments are gone from the summary and the content in
    every format, rendered here or in worker processes."""
    write_post("p", "summary: 'Read <script>alert(\"summary\")</script>*this*.'\n", HOSTILE)
    assert main(["build", "-q", "--jobs", jobs]) == 0
    fields = html_fields(in_site / "feeds")
    for name, html in fields.items():
        found = [piece for piece in ACTIVE if piece in html.lower()]
        assert found == [], name
    assert fields["rss description"] == "<p>Read <em>this</em>.</p>"
    assert fields["json content_html"] == (
        "<p>Hello <b>there</b>.</p>\n\n"
        '<p><img src="https://blog.example.com/posts/p/cat.png" alt="A cat">\n'
        "<a>click</a> <a>spaced</a>\n<a>vb</a> <a>data</a>\n"
        '<a href="https://example.org/">new window</a> <img alt="inline"></p>\n'
        '<iframe></iframe>\n<input type="checkbox">Send\n\n<p>\n\n</p>\n\n\n<p></p>\n'
        '<p style="color:red">covering</p>'
    )


def test_what_authors_embed_stays(in_site: Path, write_post: Callable[..., Path]) -> None:
    """Images, figures, tables, code, details, https frames, video, footnotes and links
    keep their markup; a frame of an http page loses its source."""
    write_post("p", "", EMBEDDED)
    assert main(["build", "-q"]) == 0
    fields = html_fields(in_site / "feeds")
    for name in ("rss content:encoded", "atom content", "json content_html"):
        assert fields[name] == EMBEDDED_HTML, name
    for name in ("rss.xml", "atom.xml"):
        assert not feedparser.parse((in_site / "feeds" / name).read_bytes()).bozo


def test_cleaning_turned_off_publishes_markup_verbatim(
    in_site: Path,
    write_post: Callable[..., Path],
    write_config: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """sanitize: false in postfeed.yaml publishes the body's HTML exactly as written."""
    write_config("sanitize: false\n")
    write_post("p", "", '<p onclick="go()">Hi <script>run()</script></p>\n')
    assert main(["build"]) == 0
    assert capsys.readouterr().err == ""
    [item] = json.loads((in_site / "feeds/feed.json").read_bytes())["items"]
    assert item["content_html"] == '<p onclick="go()">Hi <script>run()</script></p>'


def test_a_post_cannot_turn_cleaning_off(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """sanitize in front matter is an unknown key, with a warning, and changes nothing."""
    path = write_post("p", "sanitize: false\n", "<p>Hi <script>run()</script></p>\n")
    assert main(["build", "-q"]) == 0
    assert main(["build", "--no-cache"]) == 0
    assert capsys.readouterr().err == (
        f"{path.relative_to(in_site)}:3: unknown key 'sanitize' is ignored\n"
    )
    [item] = json.loads((in_site / "feeds/feed.json").read_bytes())["items"]
    assert item["content_html"] == "<p>Hi </p>"


def test_sanitize_must_be_true_or_false(
    in_site: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """sanitize takes a YAML boolean."""
    write_config("sanitize: 'no'\n")
    assert main(["build"]) == 2
    assert capsys.readouterr().err == (
        "postfeed.yaml:9: sanitize: expected true or false, got 'no'\n"
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_switching_cleaning_is_never_served_from_the_cache(
    in_site: Path, write_post: Callable[..., Path], write_config: Callable[..., Path], jobs: str
) -> None:
    """Turning cleaning off and on again rebuilds every HTML field, though the cache and
    the last build's files hold the entry made the other way."""
    write_post(
        "p", "summary: 'A <script>s()</script>summary'\n", "<p>Hi <script>b()</script></p>\n"
    )
    build = ["build", "-q", "--jobs", jobs]
    assert main(build) == 0
    cleaned = html_fields(in_site / "feeds")
    assert not any("<script" in html for html in cleaned.values())
    write_config("sanitize: false\n")
    assert main(build) == 0
    verbatim = html_fields(in_site / "feeds")
    for name, html in verbatim.items():
        assert "<script>" in html, name
    write_config("")
    assert main(build) == 0
    assert html_fields(in_site / "feeds") == cleaned
