"""Nothing escapes the output folder: no tag, slug, id or link makes a write or a delete
land outside it, and posts that link out of the posts folder are refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from postfeed import OutputError, Post, PostErrors, Site, build, load_posts, load_site
from postfeed.cli import main
from postfeed.writing._fs import check_inside, commit

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _tree(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, or 'dir', or 'link -> target'."""
    result: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            result[name] = f"link -> {path.readlink()}"
        elif path.is_dir():
            result[name] = "dir"
        else:
            result[name] = path.read_bytes()
    return result


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("../rss.xml", "is outside the output folder {root}"),
        ("tags/../../rss.xml", "is outside the output folder {root}"),
        ("/etc/rss.xml", "is outside the output folder {root}"),
        (".", "is outside the output folder {root}"),
        ("tags/con/rss.xml", "'con' is not a usable file name on every system"),
        ("tags/NUL.txt/rss.xml", "'NUL.txt' is not a usable file name on every system"),
        ("tags/Com1/atom.xml", "'Com1' is not a usable file name on every system"),
        ("tags/lpt9", "'lpt9' is not a usable file name on every system"),
        ("tags/dot./rss.xml", "'dot.' is not a usable file name on every system"),
        ("tags/space /rss.xml", "'space ' is not a usable file name on every system"),
    ],
)
def test_guard_refuses(tmp_path: Path, relative: str, message: str) -> None:
    """check_inside refuses '..', absolute paths, the folder itself and reserved names."""
    root = tmp_path / "feeds"
    target = root / relative
    with pytest.raises(OutputError) as info:
        check_inside(root, target)
    assert str(info.value) == f"{target}: {message.replace('{root}', str(root))}"


def test_guard_refuses_nul(tmp_path: Path) -> None:
    """A NUL byte in the target or in the folder is refused before any system call."""
    root = tmp_path / "feeds"
    with pytest.raises(OutputError) as info:
        check_inside(root, root / "a\0b" / "rss.xml")
    assert str(info.value) == f"{root}/a\\0b/rss.xml: contains a NUL byte"
    with pytest.raises(OutputError) as info:
        check_inside(tmp_path / "fe\0eds", tmp_path / "fe\0eds" / "rss.xml")
    assert str(info.value) == f"{tmp_path}/fe\\0eds: contains a NUL byte"


def test_guard_follows_links(tmp_path: Path) -> None:
    """A folder inside the output folder that links outside it is refused; a linked output
    folder, and a link between two of its own folders, are fine."""
    outside = tmp_path / "outside"
    outside.mkdir()
    real = tmp_path / "real-feeds"
    (real / "tags").mkdir(parents=True)
    root = tmp_path / "feeds"
    root.symlink_to(real)
    check_inside(root, root / "rss.xml")
    check_inside(root, root / "tags" / "go" / "rss.xml")
    (real / "tags" / "alias").symlink_to(real / "tags")
    check_inside(root, root / "tags" / "alias" / "rss.xml")
    (real / "tags" / "out").symlink_to(outside)
    with pytest.raises(OutputError) as info:
        check_inside(root, root / "tags" / "out" / "rss.xml")
    assert str(info.value) == (
        f"{root}/tags/out/rss.xml: is outside the output folder {root}"
        f" (a symbolic link leads to {outside})"
    )


def test_commit_refuses_before_writing_anything(tmp_path: Path) -> None:
    """commit() checks every path first: one bad path and not a single file is written."""
    root = tmp_path / "feeds"
    with pytest.raises(OutputError):
        commit({root / "rss.xml": b"ok", root / "../escaped.xml": b"no"}, root=root)
    with pytest.raises(OutputError):
        commit({root / "rss.xml": b"ok"}, [tmp_path / "victim.xml"], root=root)
    assert _tree(tmp_path) == {}


def test_commit_deletes_under_any_name(tmp_path: Path) -> None:
    """Names Windows reserves are refused for new files only: a stray feed in a folder
    so named is still deleted."""
    root = tmp_path / "feeds"
    (root / "tags" / "con").mkdir(parents=True)
    (root / "tags" / "con" / "rss.xml").write_bytes(b"old")
    commit({root / "rss.xml": b"new"}, [root / "tags" / "con" / "rss.xml"], root=root)
    assert _tree(tmp_path) == {"feeds": "dir", "feeds/rss.xml": b"new"}


def test_commit_replaces_a_link_never_writes_through_it(tmp_path: Path) -> None:
    """A feed file that is a symbolic link to a file outside is replaced, the outside file kept."""
    root = tmp_path / "feeds"
    root.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (root / "atom.xml").symlink_to(victim)
    commit({root / "atom.xml": b"<feed/>"}, root=root)
    assert victim.read_bytes() == b"precious"
    assert not (root / "atom.xml").is_symlink()
    assert (root / "atom.xml").read_bytes() == b"<feed/>"
    assert _tree(tmp_path) == {
        "feeds": "dir",
        "feeds/atom.xml": b"<feed/>",
        "victim.txt": b"precious",
    }


HOSTILE_TAGS = """\
tags:
  - '../../../../etc'
  - /etc/passwd
  - 'a/b\\c'
  - tags/../..
  - CON
  - nul
  - "Com\\u00b9"
  - LPT9
  - "x\\0y"
"""


def test_hostile_tags_stay_inside(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Tags made to climb out or to hit reserved names become safe folders under tags/;
    a superscript one folds to "com1", a reserved name, too; a NUL byte, which no feed
    can carry, is dropped before the folder is named."""
    write_post(
        "evil",
        f'{HOSTILE_TAGS}slug: evil..~\nid: "file:///../../etc/passwd"\n',
        "[up](../../../etc/passwd)\n",
    )
    before = _tree(site_dir)
    result = build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    out = site_dir / "feeds"
    for path in result.written:
        assert out.resolve() in path.resolve().parents
    folders = sorted(p.name for p in (out / "tags").iterdir())
    assert folders == [
        "a-b-c",
        "com1-tag",
        "con-tag",
        "etc",
        "etc-passwd",
        "lpt9-tag",
        "nul-tag",
        "tags",
        "xy",
    ]
    after = _tree(site_dir)
    # The build cache beside the configuration is the one other place a build writes.
    written = ("feeds", ".postfeed-cache")
    assert {k: v for k, v in after.items() if not k.startswith(written)} == before
    atom = (out / "atom.xml").read_bytes()
    assert b"<id>file:///../../etc/passwd</id>" in atom
    entry = feedparser.parse(atom).entries[0]
    assert entry.link == "https://blog.example.com/posts/evil..~/"


def test_tags_without_a_usable_name(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """Tags that are only dots or tildes or slashes name no folder, and say so."""
    path = write_post("p", 'tags: ["..", "~", "/"]\n')
    with pytest.raises(PostErrors) as info:
        build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    assert str(info.value).splitlines() == [
        f"{path}:3: tags: '..' has no letter or digit to name its feed by",
        f"{path}:3: tags: '~' has no letter or digit to name its feed by",
        f"{path}:3: tags: '/' has no letter or digit to name its feed by",
    ]


def test_output_folder_link_is_followed(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """An output folder that is a symbolic link is resolved: feeds go into its target."""
    write_post("a", "tags: [go]\n")
    real = site_dir / "public" / "feeds"
    real.mkdir(parents=True)
    (site_dir / "feeds").symlink_to(real)
    build(load_site(site_dir / "postfeed.yaml"), now=NOW)
    assert (site_dir / "feeds").is_symlink()
    assert sorted(str(p.relative_to(real)) for p in real.rglob("*.*")) == [
        ".postfeed-manifest.json",
        "atom.xml",
        "feed.json",
        "index.html",
        "rss.xml",
        "tags/go/atom.xml",
        "tags/go/feed.json",
        "tags/go/rss.xml",
    ]


def test_removal_never_follows_a_link_out(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """A tag folder that links outside is never emptied, even when its tag is gone and
    an earlier build wrote its feeds."""
    write_post("a", "tags: [old]\n")
    site = load_site(site_dir / "postfeed.yaml")
    build(site, now=NOW)
    outside = site_dir / "outside"
    outside.mkdir()
    (outside / "rss.xml").write_bytes(b"not ours")
    shutil.rmtree(site_dir / "feeds" / "tags" / "old")
    (site_dir / "feeds" / "tags" / "old").symlink_to(outside)
    write_post("a")
    with pytest.raises(OutputError) as info:
        build(site, now=NOW)
    assert str(info.value) == (
        f"{site_dir}/feeds/tags/old/rss.xml: is outside the output folder {site_dir}/feeds"
        f" (a symbolic link leads to {outside})"
    )
    assert (outside / "rss.xml").read_bytes() == b"not ours"


def test_post_links(site_dir: Path, write_post: Callable[..., Path]) -> None:
    """A post may link to a file inside the posts folder, not outside it; a linked posts
    folder is read through."""
    posts = site_dir / "posts"
    (posts / "drafts").mkdir()
    real = write_post("drafts/real")
    (posts / "alias.md").symlink_to(real)
    assert [p.slug for p in load_posts(load_site(site_dir / "postfeed.yaml"))] == ["alias"]
    (site_dir / "content").mkdir()
    (posts / "drafts" / "real.md").rename(site_dir / "content" / "real.md")
    (posts / "drafts").rmdir()
    (posts / "alias.md").unlink()
    posts.rmdir()
    posts.symlink_to(site_dir / "content")
    assert [p.slug for p in load_posts(load_site(site_dir / "postfeed.yaml"))] == ["real"]
    (site_dir / "content" / "leak.md").symlink_to(site_dir / "postfeed.yaml")
    with pytest.raises(PostErrors) as info:
        load_posts(load_site(site_dir / "postfeed.yaml"))
    assert str(info.value) == (
        f"{posts}/leak.md: is a symbolic link to {site_dir}/postfeed.yaml,"
        f" outside the posts folder {posts}"
    )


def test_output_folder_with_nul_in_code(tmp_path: Path) -> None:
    """A Site made in code with a NUL byte in its output folder fails with an OutputError."""
    site = Site(title="T", url="https://t.example/", output_dir=tmp_path / "fe\0eds")
    post = Post(slug="a", title="A", published=NOW, html="<p>a</p>")
    with pytest.raises(OutputError) as info:
        build(site, [post], now=NOW)
    assert str(info.value) == f"{tmp_path}/fe\\0eds: contains a NUL byte"
    assert list(tmp_path.iterdir()) == []


def test_a_build_writes_only_its_feeds_and_its_cache(
    site_dir: Path, write_post: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build adds the feeds, index.html and tags/<tag>/ to the output folder, and its
    cache beside postfeed.yaml, and nothing else anywhere; --check and --no-cache write
    no cache, and --check nothing at all."""
    write_post("a", "tags: [go]\n")
    monkeypatch.chdir(site_dir)
    before = _tree(site_dir)
    assert main(["build", "-q", "--check"]) == 1
    assert _tree(site_dir) == before
    assert main(["build", "-q", "--no-cache"]) == 0
    feeds = {
        "feeds",
        *(f"feeds/{name}" for name in ("rss.xml", "atom.xml", "feed.json", "index.html")),
        "feeds/.postfeed-manifest.json",
        "feeds/tags",
        "feeds/tags/go",
        *(f"feeds/tags/go/{name}" for name in ("rss.xml", "atom.xml", "feed.json")),
    }
    assert set(_tree(site_dir)) - set(before) == feeds
    assert main(["build", "-q"]) == 0
    cache = {".postfeed-cache", *(f".postfeed-cache/{name}" for name in CACHE_FILES)}
    assert set(_tree(site_dir)) - set(before) == feeds | cache
    assert main(["build", "-q", "--check"]) == 0
    assert set(_tree(site_dir)) - set(before) == feeds | cache


# The cache file, and the two files that keep version control and backup tools out.
CACHE_FILES = ("cache.sqlite3", ".gitignore", "CACHEDIR.TAG")
