"""Front matter image: media:thumbnail, an RSS enclosure with length and type from the
static folder, an Atom enclosure link and JSON Feed image, all absolute."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from postfeed.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + bytes(1226)


@pytest.fixture
def static_site(
    site_dir: Path, write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A site whose static folder holds images/cover.png (1234 bytes) and a PDF."""
    monkeypatch.chdir(site_dir)
    write_config("static: public\n")
    (site_dir / "public/images").mkdir(parents=True)
    (site_dir / "public/images/cover.png").write_bytes(PNG)
    (site_dir / "public/images/paper.pdf").write_bytes(b"%PDF-1.4\n")
    (site_dir / "secret.png").write_bytes(PNG)
    return site_dir


def test_local_image_in_every_format(static_site: Path, write_post: Callable[..., Path]) -> None:
    """A path under the site URL gets its length and type from the static folder."""
    write_post("a", "image: images/cover.png\n")
    assert main(["build", "-q"]) == 0
    url = "https://blog.example.com/images/cover.png"
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((static_site / "feeds" / name).read_bytes())
        assert not parsed.bozo
        [entry] = parsed.entries
        assert entry.media_thumbnail == [{"url": url}]
        [enclosure] = entry.enclosures
        assert (enclosure.href, enclosure.length, enclosure.type) == (url, "1234", "image/png")
    rss = (static_site / "feeds/rss.xml").read_text()
    assert f'<enclosure url="{url}" length="1234" type="image/png"/>' in rss
    assert f'<media:thumbnail url="{url}"/>' in rss
    atom = (static_site / "feeds/atom.xml").read_text()
    assert f'<link rel="enclosure" type="image/png" length="1234" href="{url}"/>' in atom
    [item] = json.loads((static_site / "feeds/feed.json").read_bytes())["items"]
    assert item["image"] == url


def test_remote_image_has_no_enclosure(static_site: Path, write_post: Callable[..., Path]) -> None:
    """An image elsewhere is the thumbnail and JSON image, without an enclosure (no length)."""
    write_post("a", "image: //cdn.example.org/a.jpg\n")
    write_post("b", "date: 2024-05-02\nimage: /images/cover.png\n")
    assert main(["build", "-q"]) == 0
    parsed = feedparser.parse((static_site / "feeds/rss.xml").read_bytes())
    b, a = parsed.entries
    assert a.media_thumbnail == [{"url": "https://cdn.example.org/a.jpg"}]
    assert a.enclosures == []
    assert b.enclosures[0].length == "1234"
    items = json.loads((static_site / "feeds/feed.json").read_bytes())["items"]
    assert [item["image"] for item in items] == [
        "https://blog.example.com/images/cover.png",
        "https://cdn.example.org/a.jpg",
    ]


def test_without_static_folder(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a static folder, a relative image is made absolute against the site URL."""
    monkeypatch.chdir(site_dir)
    write_post("a", "image: img/a.png\n")
    assert main(["build", "-q"]) == 0
    [entry] = feedparser.parse((site_dir / "feeds/atom.xml").read_bytes()).entries
    assert entry.media_thumbnail == [{"url": "https://blog.example.com/img/a.png"}]
    assert entry.enclosures == []


def test_feeds_without_images_have_no_media_namespace(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Media RSS namespace appears only in feeds with an image."""
    monkeypatch.chdir(site_dir)
    write_post("a", "tags: [x]\nimage: https://cdn.example.org/a.jpg\n")
    write_post("b", "date: 2024-05-02\ntags: [y]\n")
    assert main(["build", "-q"]) == 0
    assert b"search.yahoo.com/mrss" in (site_dir / "feeds/tags/x/rss.xml").read_bytes()
    assert b"search.yahoo.com/mrss" not in (site_dir / "feeds/tags/y/rss.xml").read_bytes()


def test_bad_images_are_reported_together(
    static_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every bad image is a path:line error, all in one run, and nothing is written."""
    write_post("a", "image: images/missing.png\n")
    write_post("b", "image: ftp://example.org/a.png\n")
    write_post("c", "image: images/paper.pdf\n")
    write_post("d", "image: '%2e%2e/secret.png'\n")
    write_post("e", "image: a b.png\n")
    write_post("f", "image: 5\n")
    assert main(["build"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "posts/a.md:3: image: no such file public/images/missing.png (images under the site url"
        " are read from the static folder)",
        "posts/b.md:3: image: expected a path under the site url or an absolute http(s) URL,"
        " got 'ftp://example.org/a.png'",
        "posts/c.md:3: image: unknown image type '.pdf' (use .avif, .gif, .jpeg, .jpg, .png,"
        " .svg, .webp)",
        "posts/d.md:3: image: '%2e%2e/secret.png' points outside the static folder public",
        "posts/e.md:3: image: expected a path or URL without spaces (write a space as %20),"
        " got 'a b.png'",
        "posts/f.md:3: image: expected text, got 5 (quote it)",
        "postfeed: 6 problems; nothing was written",
    ]
    assert not (static_site / "feeds").exists()


def test_static_folder_must_exist(
    site_dir: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A static folder that does not exist is a config error with its line."""
    path = write_config("static: nowhere\n")
    assert main(["build", "--config", str(path)]) == 2
    line = len(path.read_text().splitlines())
    assert capsys.readouterr().err == (
        f"{path}:{line}: static: no such folder 'nowhere' (relative to this file)\n"
    )
