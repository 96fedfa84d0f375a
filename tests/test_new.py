"""postfeed new: a post file scaffolded from a title, dated now, never overwriting."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import postfeed
from postfeed import ConfigError, OutputError, PostError, Site, load_post, load_site, new_post
from postfeed.cli import main
from postfeed.reading.post import KNOWN_KEYS

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def in_site(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from inside the site folder, as a blog author does."""
    monkeypatch.chdir(site_dir)
    return site_dir


def test_new_post_is_dated_now_in_the_site_timezone(
    in_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command writes posts/<slug>.md, a draft dated with the clock's time in the site
    timezone."""
    before = datetime.now(UTC).replace(microsecond=0)
    assert main(["new", "Graceful Shutdown in Go"]) == 0
    after = datetime.now(UTC)
    assert capsys.readouterr().out == (
        "postfeed: created posts/graceful-shutdown-in-go.md, a draft: remove its draft line to"
        " publish it\n"
    )
    path = in_site / "posts/graceful-shutdown-in-go.md"
    post = load_post(path, BERLIN)
    assert post.title == "Graceful Shutdown in Go"
    assert before <= post.published <= after
    assert post.published.utcoffset() == post.published.astimezone(BERLIN).utcoffset()
    assert post.draft
    assert post.warnings == ()


def test_every_other_key_is_present_but_commented(site_dir: Path) -> None:
    """Each front matter key other than title and date is there, commented out, with an example."""
    site = load_site(site_dir / "postfeed.yaml")
    now = datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=UTC)
    path = new_post(site, "Hello", now=now)
    text = path.read_text(encoding="utf-8")
    assert text == (
        "---\n"
        'title: "Hello"\n'
        "date: 2026-11-28T10:30:15+01:00\n"
        "draft: true  # remove this line to publish the post\n"
        "# Every other key is optional: remove the '#' to use it.\n"
        "# updated: 2026-11-28T10:30:15+01:00\n"
        '# summary: "One or two sentences (Markdown). Default: the text before a <!--more-->'
        ' line, else the first paragraph."\n'
        '# tags: ["one tag", "another"]\n'
        '# categories: ["one category"]\n'
        "# slug: hello\n"
        '# authors: ["Ada Example"]\n'
        "# lang: en\n"
        "# content: summary\n"
        "# in_feeds: false\n"
        '# id: "tag:blog.example.com,2026-11-28:hello"\n'
        '# image: "images/cover.png"\n'
        "---\n"
    )
    commented = set(re.findall(r"^# (\w+):", text, re.MULTILINE))
    # author is the one-author spelling of authors: a post gives one of them.
    assert commented == set(KNOWN_KEYS) - {"title", "date", "draft", "author"}
    published = new_post(site, "Hello", slug="hello-2", draft=False, now=now)
    lines = published.read_text(encoding="utf-8").splitlines()
    assert "# draft: true" in lines
    assert not any(line.startswith("draft:") for line in lines)


def test_uncommented_examples_are_valid(site_dir: Path) -> None:
    """Removing every '#' gives a post that loads without a problem or a warning."""
    site = load_site(site_dir / "postfeed.yaml")
    path = new_post(site, "Hello", now=datetime(2026, 11, 28, tzinfo=UTC))
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line.removeprefix("# ") for line in lines if "optional" not in line) + "\n",
        encoding="utf-8",
    )
    post = load_post(path, BERLIN)
    assert post.tags == ("one tag", "another")
    assert post.draft
    assert post.id == "tag:blog.example.com,2026-11-28:hello"
    assert post.warnings == ()


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ('Colons: "quotes", #hashes & [brackets]', "colons-quotes-hashes-brackets"),
        ("Crème brûlée à la Straße", "creme-brulee-a-la-straße"),
        ("  Go   1.24  ", "go-1-24"),
        ("CON", "con-post"),
        ("yes", "yes"),
        ("2024", "2024"),
    ],
)
def test_titles_round_trip(site_dir: Path, title: str, slug: str) -> None:
    """Any title is written so that YAML reads it back unchanged, and slugged by the tag rules."""
    site = load_site(site_dir / "postfeed.yaml")
    path = new_post(site, title, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert path == site_dir / "posts" / f"{slug}.md"
    assert load_post(path, BERLIN).title == title


def test_refuses_to_overwrite(in_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing file is left alone: exit 2 with a clear message."""
    existing = in_site / "posts/hello.md"
    existing.write_text("---\ntitle: Mine\ndate: 2024-01-01\n---\nKeep me.\n", encoding="utf-8")
    assert main(["new", "Hello"]) == 2
    assert capsys.readouterr() == (
        "",
        "posts/hello.md: already exists; nothing was written (choose another title, or a slug)\n",
    )
    assert existing.read_text(encoding="utf-8").endswith("Keep me.\n")
    assert main(["new", "Hello", "--slug", "hello-again", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert load_post(in_site / "posts/hello-again.md", BERLIN).title == "Hello"


def test_slug_tags_and_draft_options(
    in_site: Path, write_post: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """--slug names the file, --tags fills tags, --draft (the default, still accepted) keeps
    the post out of the feeds."""
    assert (
        main(["new", "Work in progress", "--slug", "wip", "--tags", "go, testing,", "--draft"]) == 0
    )
    post = load_post(in_site / "posts/wip.md", BERLIN)
    assert (post.slug, post.tags, post.draft) == ("wip", ("go", "testing"), True)
    write_post("done")
    capsys.readouterr()
    assert main(["build", "-v"]) == 0
    assert "  left out    posts/wip.md (draft)\n" in capsys.readouterr().out


def test_an_empty_post_is_never_published_by_accident(
    in_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new post is a draft the next build leaves out; with --publish, it publishes it."""
    assert main(["new", "First"]) == 0
    assert main(["build"]) == 0
    assert capsys.readouterr().out.endswith("0 posts published, 1 left out (1 draft)\n")
    assert main(["new", "Second", "--publish"]) == 0
    assert main(["build"]) == 0
    assert capsys.readouterr().out == (
        "postfeed: created posts/second.md\n"
        "postfeed: 4 written, 1 unchanged in feeds; 1 post published, 1 left out (1 draft)\n"
    )
    with pytest.raises(SystemExit) as usage:
        main(["new", "Third", "--publish", "--draft"])
    assert usage.value.code == 2
    assert "argument --draft: not allowed with argument --publish" in capsys.readouterr().err


def test_bad_titles_and_slugs(in_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A title with nothing to slug, or an invalid --slug, is exit 2 and writes nothing."""
    assert main(["new", "!!!"]) == 2
    assert capsys.readouterr().err == "title: '!!!' has no letter or digit; pass a slug\n"
    assert main(["new", "Fine", "--slug", "../escape"]) == 2
    assert capsys.readouterr().err == (
        "slug: '../escape' is not a valid slug (use letters, digits, '-', '_', '.' and '~')\n"
    )
    assert main(["new", " "]) == 2
    assert capsys.readouterr().err == "title: must not be empty\n"
    assert list((in_site / "posts").iterdir()) == []


def test_needs_a_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without postfeed.yaml there is no timezone or posts folder: exit 2."""
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Hello"]) == 2
    assert not (tmp_path / "posts").exists()


def test_posts_folder_is_created(site_dir: Path) -> None:
    """A new site's missing posts folder is created."""
    (site_dir / "posts").rmdir()
    path = new_post(
        load_site(site_dir / "postfeed.yaml"), "Hi", now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert path.is_file()
    assert oct(path.stat().st_mode & 0o777) == oct(0o644 & ~_umask())


def test_library_errors_are_postfeed_errors(site_dir: Path) -> None:
    """new_post raises catchable errors, never a bare OSError."""
    site = load_site(site_dir / "postfeed.yaml")
    new_post(site, "Twice", now=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(OutputError):
        new_post(site, "Twice", now=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(PostError):
        new_post(site, "x", slug="a b")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


HUGO_SAMPLE = Path(__file__).parent / "data" / "generators" / "hugo" / "site"


def test_hugo_post_in_the_main_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With source: hugo, the post goes in the content section holding most pages, as Hugo
    front matter with draft: true, and the Hugo reader reads it as the draft it is."""
    site_dir = tmp_path / "hugo"
    shutil.copytree(HUGO_SAMPLE, site_dir)
    (site_dir / "content/about").mkdir()
    (site_dir / "content/about/me.md").write_text(
        "---\ntitle: Me\ndate: 2024-01-01\n---\n", encoding="utf-8"
    )
    (site_dir / "postfeed.yaml").write_text("source: hugo\noutput: out\n", encoding="utf-8")
    monkeypatch.chdir(site_dir)
    assert main(["new", "Graceful Shutdown in Go", "--tags", "go"]) == 0
    path = Path("content/posts/graceful-shutdown-in-go.md")
    assert capsys.readouterr().out == (
        f"postfeed: created {path}, a draft: remove its draft line to publish it\n"
    )
    text = path.read_text(encoding="utf-8")
    assert re.fullmatch(
        r'---\ntitle: "Graceful Shutdown in Go"\n'
        r"date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00\n"
        r"draft: true  # remove this line to publish the post\n"
        r'tags: \["go"\]\n'
        r'# categories: \["one category"\]\n'
        r'# summary: "One or two sentences\. Default: the text before <!--more-->\."\n'
        r"---\n",
        text,
    ), text
    assert main(["build", "-v"]) == 0
    assert f"  left out    {path} (draft)\n" in capsys.readouterr().out
    site = load_site("postfeed.yaml")
    written = next(p for p in postfeed.load_posts(site) if p.source == path)
    assert (written.title, written.tags, written.draft) == (
        "Graceful Shutdown in Go",
        ("go",),
        True,
    )
    assert (
        written.url
        == f"https://hugo.example.org/blog/{written.published:%Y/%m}/graceful-shutdown-in-go/"
    )
    assert main(["new", "Done", "--publish", "-q"]) == 0
    assert "draft" not in Path("content/posts/done.md").read_text(encoding="utf-8")


def test_hugo_main_sections(tmp_path: Path) -> None:
    """params.mainSections names the section; without it, the section with most pages;
    with no section yet, posts."""
    (tmp_path / "hugo.toml").write_text('baseURL = "https://h.example.org/"\ntitle = "H"\n')
    (tmp_path / "postfeed.yaml").write_text("source: hugo\n")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    site = load_site(tmp_path / "postfeed.yaml")
    assert new_post(site, "A", now=now) == tmp_path / "content/posts/a.md"
    for name in ("notes/x.md", "notes/y/index.md", "notes/_index.md", "blog/z.md"):
        (tmp_path / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "content" / name).write_text("---\ntitle: X\ndate: 2024-01-01\n---\n")
    assert new_post(site, "B", now=now) == tmp_path / "content/notes/b.md"
    (tmp_path / "hugo.toml").write_text(
        'baseURL = "https://h.example.org/"\ntitle = "H"\n[params]\n  mainSections = ["blog"]\n'
    )
    assert new_post(site, "C", now=now) == tmp_path / "content/blog/c.md"


def test_jekyll_draft_and_published_post(tmp_path: Path) -> None:
    """With source: jekyll, a draft goes in _drafts/ without a date in its name, as
    Jekyll's drafts do; a published post in _posts/, named by its date."""
    site = Site(
        title="J",
        url="https://j.example.org/",
        source="jekyll",
        posts_dir=tmp_path,
        timezone="America/New_York",
    )
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    draft = new_post(site, "Worker Pools", tags=["go"], now=now)
    assert draft == tmp_path / "_drafts/worker-pools.md"
    assert draft.read_text(encoding="utf-8") == (
        "---\n"
        "layout: post\n"
        'title: "Worker Pools"\n'
        "date: 2026-01-01 22:04:05 -0500\n"
        'tags: ["go"]\n'
        '# categories: ["one category"]\n'
        "---\n"
    )
    published = new_post(site, "Worker Pools", draft=False, now=now)
    # The date of the name is the day in the site's time zone, as Jekyll reads it.
    assert published == tmp_path / "_posts/2026-01-01-worker-pools.md"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "pelican",
            "postfeed new does not write Pelican posts (where and in which form is set in"
            " pelicanconf.py): write content/hello.md yourself, with the metadata lines Title:,"
            " Date: and Status: draft",
        ),
        (
            "mkdocs",
            "postfeed new does not write MkDocs posts (the blog plugin's settings in mkdocs.yml"
            " say where): write docs/blog/posts/hello.md yourself, with date: and draft: true in"
            " its front matter",
        ),
        (
            "eleventy",
            "postfeed new does not write Eleventy posts: Eleventy has no drafts of its own, so a"
            " new post would be published at once; write it in your blog's folder yourself",
        ),
        (
            "astro",
            "postfeed new does not write Astro posts: Astro has no drafts of its own, so a new"
            " post would be published at once; write it in src/content/ yourself",
        ),
    ],
)
def test_other_generators_are_refused(tmp_path: Path, source: str, message: str) -> None:
    """For the other generators postfeed writes nothing and says what to write, and where."""
    site = Site(
        title="T",
        url="https://t.example.org/",
        source=source,
        posts_dir=tmp_path,
        config_path=tmp_path / "postfeed.yaml",
    )
    with pytest.raises(ConfigError) as info:
        new_post(site, "Hello")
    assert str(info.value) == f"{tmp_path / 'postfeed.yaml'}: {message}"
    assert list(tmp_path.iterdir()) == []
