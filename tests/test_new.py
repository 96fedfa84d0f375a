"""postfeed new: a post file scaffolded from a title, dated now, never overwriting."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from postfeed import OutputError, PostError, load_post, load_site, new_post
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
    """The command writes posts/<slug>.md dated with the clock's time in the site timezone."""
    before = datetime.now(UTC).replace(microsecond=0)
    assert main(["new", "Graceful Shutdown in Go"]) == 0
    after = datetime.now(UTC)
    assert capsys.readouterr().out == "postfeed: created posts/graceful-shutdown-in-go.md\n"
    path = in_site / "posts/graceful-shutdown-in-go.md"
    post = load_post(path, BERLIN)
    assert post.title == "Graceful Shutdown in Go"
    assert before <= post.published <= after
    assert post.published.utcoffset() == post.published.astimezone(BERLIN).utcoffset()
    assert not post.draft
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
        "# draft: true\n"
        '# id: "tag:blog.example.com,2026-11-28:hello"\n'
        '# image: "images/cover.png"\n'
        "---\n"
    )
    commented = set(re.findall(r"^# (\w+):", text, re.MULTILINE))
    # author is the one-author spelling of authors: a post gives one of them.
    assert commented == set(KNOWN_KEYS) - {"title", "date", "author"}


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
    """--slug names the file, --tags fills tags, --draft keeps the post out of the feeds."""
    assert (
        main(["new", "Work in progress", "--slug", "wip", "--tags", "go, testing,", "--draft"]) == 0
    )
    post = load_post(in_site / "posts/wip.md", BERLIN)
    assert (post.slug, post.tags, post.draft) == ("wip", ("go", "testing"), True)
    write_post("done")
    capsys.readouterr()
    assert main(["build", "-v"]) == 0
    assert "  left out    posts/wip.md (draft)\n" in capsys.readouterr().out


def test_scaffolded_post_builds(in_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scaffolded post, still empty, is published by the next build."""
    assert main(["new", "First"]) == 0
    assert main(["build"]) == 0
    assert capsys.readouterr().out.endswith("in feeds; 1 post published\n")


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
