"""postfeed init: in a folder with a site generator's site, a commented postfeed.yaml that
reads it where it stands (then postfeed build works on it); in an empty folder, a new
blog that builds; never an overwritten postfeed.yaml, and nothing of the site run."""

from __future__ import annotations

import json
import shutil
from datetime import UTC
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest

import postfeed
from postfeed.cli import main
from postfeed.reading import sources
from postfeed.reading._yaml import load_mapping

GENERATORS = Path(__file__).parent / "data" / "generators"
EXISTS = (
    "postfeed.yaml: already exists; nothing was written (edit it, or remove it and run postfeed"
    " init again)\n"
)


def _site(tmp_path: Path, generator: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of a generator's sample site, entered as the current folder."""
    folder = tmp_path / generator
    shutil.copytree(GENERATORS / generator / "site", folder)
    monkeypatch.chdir(folder)
    return folder


def _tags(base: str, title: str) -> str:
    return "".join(
        f'<link rel="alternate" type="{kind}" title="{title} ({label})" href="{base}{name}">\n'
        for kind, label, name in (
            ("application/rss+xml", "RSS", "rss.xml"),
            ("application/atom+xml", "Atom", "atom.xml"),
            ("application/feed+json", "JSON Feed", "feed.json"),
        )
    )


def _settings(path: Path) -> dict[str, Any]:
    return load_mapping(path.read_text(encoding="utf-8")).data


HUGO_CONFIG = """\
# postfeed.yaml for the Hugo site in this folder, written by postfeed init.
# Every key is described in postfeed's documentation (docs/configuration.md).

# The posts are read from the Hugo site where they stand, each keeping the link
# and the id the site's feed gives it today.
source: hugo

# Hugo publishes its static folder as it is, at the site's root: the feeds go live
# with the site, at https://hugo.example.org/blog/feeds/
output: "static/feeds"

# postfeed reads the site's title (hugo.toml's title) and url (hugo.toml's baseURL).
# Set them here only to replace them (url for a preview build, say):
# title: "Notes on Go and Distributed Systems"
# url: "https://hugo.example.org/blog/"
"""


def test_hugo_site_then_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In the Hugo sample site, init writes source: hugo with static/feeds, prints the two
    commands and the tags; the build that follows keeps every id of Hugo's own feed."""
    site = _site(tmp_path, "hugo", monkeypatch)
    assert main(["init"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == (
        "postfeed: found a Hugo site (hugo.toml)\n"
        "postfeed: wrote postfeed.yaml (source: hugo; feeds go to static/feeds)\n"
        "\n"
        "Build the feeds, and commit them with the site:\n"
        "  postfeed build\n"
        "In CI, to fail when the committed feeds are out of date (exit 1):\n"
        "  postfeed build --check\n"
        "\n"
        "Paste into the <head> of your pages (a partial such as layouts/partials/head.html,"
        " or your theme's):\n"
        + _tags("https://hugo.example.org/blog/feeds/", "Notes on Go and Distributed Systems")
    )
    assert (site / "postfeed.yaml").read_text(encoding="utf-8") == HUGO_CONFIG
    # docs/cli.md shows both, as they are.
    doc = (Path(__file__).parent.parent / "docs/cli.md").read_text(encoding="utf-8")
    assert f"```\n$ postfeed init\n{out}```\n" in doc
    assert f"```yaml\n{HUGO_CONFIG}```\n" in doc
    assert main(["build"]) == 0
    assert capsys.readouterr().out == (
        "postfeed: 35 written, 0 unchanged in static/feeds; 5 posts published, 3 left out"
        " (1 draft, 1 expired, 1 future)\n"
    )
    atom = feedparser.parse((site / "static/feeds/atom.xml").read_bytes())
    assert not atom.bozo
    hugo = feedparser.parse((GENERATORS / "hugo/expected/index.xml").read_bytes())
    assert {entry.id for entry in atom.entries} == {entry.id for entry in hugo.entries}
    assert main(["build", "--check"]) == 0
    assert main(["links"]) == 0
    assert capsys.readouterr().out.endswith(
        _tags("https://hugo.example.org/blog/feeds/", "Notes on Go and Distributed Systems")
    )


@pytest.mark.parametrize(
    ("generator", "found", "output", "title", "url"),
    [
        (
            "hugo",
            "a Hugo site (hugo.toml)",
            "static/feeds",
            "Notes on Go and Distributed Systems",
            "https://hugo.example.org/blog/",
        ),
        (
            "jekyll",
            "a Jekyll site (_config.yml, _posts/)",
            "feeds",
            "Field Notes on Go",
            "https://jekyll.example.org/field-notes/",
        ),
        (
            "pelican",
            "a Pelican site (pelicanconf.py)",
            "content/feeds",
            "Field Notes on Go",
            "https://pelican.example.org/notes/",
        ),
        (
            "mkdocs",
            "an MkDocs site (mkdocs.yml)",
            "docs/feeds",
            "Field Notes on Go",
            "https://mkdocs.example.org/handbook/",
        ),
        (
            "eleventy",
            "an Eleventy site (eleventy.config.js)",
            "public/feeds",
            "Field Notes on Go",
            "https://eleventy.example.org/",
        ),
        (
            "astro",
            "an Astro site (astro.config.mjs, src/content/)",
            "public/feeds",
            "Field Notes on Go",
            "https://astro.example.org/",
        ),
    ],
)
def test_each_generator_is_found(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    generator: str,
    found: str,
    output: str,
    title: str | None,
    url: str | None,
) -> None:
    """Each sample site is recognised; the configuration names its source, a folder the
    generator publishes as it is, and the title and URL its configuration holds as data
    (commented out where postfeed's reader of it reads them itself)."""
    site = _site(tmp_path, generator, monkeypatch)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"postfeed: found {found}\n")
    settings = _settings(site / "postfeed.yaml")
    # A generator postfeed reads gives its title and URL itself: they stay comments.
    read = generator in sources.NAMES
    assert settings == {
        "source": generator,
        "output": output,
        **({} if read or title is None else {"title": title}),
        **({} if read or url is None else {"url": url}),
    }
    if read and url is not None:
        text = (site / "postfeed.yaml").read_text(encoding="utf-8")
        # As the configuration writes it (Astro's site has no final "/").
        assert f'# url: "{url.rstrip("/")}' in text
    if url is not None:
        assert out.endswith(_tags(f"{url}feeds/", title or ""))


@pytest.mark.parametrize(
    ("generator", "step"),
    [
        (
            "jekyll",
            "Add postfeed.yaml to exclude: in _config.yml, or Jekyll publishes it with the site.",
        ),
        (
            "pelican",
            'Add "feeds" to STATIC_PATHS and to ARTICLE_EXCLUDES in pelicanconf.py, so that'
            " Pelican copies content/feeds/ as it is and does not read its index.html as an"
            " article.",
        ),
        (
            "eleventy",
            'Add eleventyConfig.addPassthroughCopy({ "./public/": "/" }) to eleventy.config.js,'
            " as eleventy-base-blog has it, so that Eleventy copies public/ as it is.",
        ),
    ],
)
def test_steps_a_generator_needs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    generator: str,
    step: str,
) -> None:
    """What the user must change so that the generator publishes the feeds is printed
    before the commands, and not once the configuration already does it."""
    site = _site(tmp_path, generator, monkeypatch)
    assert main(["init"]) == 0
    assert f"\nBefore the first build:\n  - {step}\n\nBuild the feeds" in capsys.readouterr().out
    (site / "postfeed.yaml").unlink()
    fixes = {
        "jekyll": ("_config.yml", "exclude:\n  - README.md\n", "exclude:\n  - README.md\n  - postfeed.yaml\n"),
        "pelican": ("pelicanconf.py", 'STATIC_PATHS = ["images"]', 'STATIC_PATHS = ["images", "feeds"]\nARTICLE_EXCLUDES = ["feeds"]'),
        "eleventy": ("eleventy.config.js", "export default async function(eleventyConfig) {", 'export default async function(eleventyConfig) {\n\televentyConfig.addPassthroughCopy({ "./public/": "/" });'),
    }  # fmt: skip
    name, old, new = fixes[generator]
    text = (site / name).read_text(encoding="utf-8")
    assert old in text
    (site / name).write_text(text.replace(old, new), encoding="utf-8")
    assert main(["init"]) == 0
    assert "Before the first build" not in capsys.readouterr().out


def test_empty_folder_starts_a_blog_that_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In an empty folder, init writes a postfeed.yaml and a first post, a draft; the build
    that follows succeeds and leaves it out, and --drafts publishes it."""
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "postfeed: started a blog: wrote postfeed.yaml and posts/hello-world.md (a draft)\n"
        "\n"
        "Before the first build:\n"
        "  - Set url in postfeed.yaml to where the blog is published.\n"
        "\n"
        "Build the feeds, and commit them with the site:\n"
        "  postfeed build\n"
        "In CI, to fail when the committed feeds are out of date (exit 1):\n"
        "  postfeed build --check\n"
        "\n"
        "Paste into the <head> of your site's pages:\n"
        + _tags("https://example.com/feeds/", "My Blog")
    )
    assert _settings(tmp_path / "postfeed.yaml") == {
        "title": "My Blog",
        "url": "https://example.com/",
        "timezone": "UTC",
    }
    post = postfeed.load_post(tmp_path / "posts/hello-world.md", UTC)
    assert (post.title, post.draft, post.warnings) == ("Hello, world", True, ())
    assert main(["build"]) == 0
    assert capsys.readouterr().out == (
        "postfeed: 5 written, 0 unchanged in feeds; 0 posts published, 1 left out (1 draft)\n"
    )
    assert main(["build", "--drafts"]) == 0
    atom = feedparser.parse((tmp_path / "feeds/atom.xml").read_bytes())
    assert not atom.bozo
    [entry] = atom.entries
    assert entry.title == "Hello, world"
    assert entry.link == "https://example.com/posts/hello-world/"
    assert "postfeed build --drafts" in entry.content[0].value


def test_new_blog_in_a_new_folder_with_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """init FOLDER creates it; --title, --url, --timezone and --output are written as given,
    and the commands printed name the configuration in that folder."""
    monkeypatch.chdir(tmp_path)
    argv = ["init", "blog", "--title", 'Notes: "Go"', "--url", "https://notes.example.org/x"]
    assert main([*argv, "--timezone", "Europe/Berlin", "--output", "public/feeds"]) == 0
    out = capsys.readouterr().out
    config = Path("blog/postfeed.yaml")
    assert f"  postfeed build --config {config}\n" in out
    assert f"  postfeed build --check --config {config}\n" in out
    assert "Set url" not in out
    assert out.endswith(_tags("https://notes.example.org/x/feeds/", "Notes: &quot;Go&quot;"))
    assert _settings(config) == {
        "title": 'Notes: "Go"',
        "url": "https://notes.example.org/x/",
        "timezone": "Europe/Berlin",
        "output": "public/feeds",
    }
    berlin = ZoneInfo("Europe/Berlin")
    first = postfeed.load_post(Path("blog/posts/hello-world.md"), UTC)
    assert first.published.utcoffset() == first.published.astimezone(berlin).utcoffset()
    assert main(["build", "--config", str(config), "--drafts", "-q"]) == 0
    feed = json.loads(Path("blog/public/feeds/feed.json").read_bytes())
    assert feed["title"] == 'Notes: "Go"'
    assert feed["items"][0]["url"] == "https://notes.example.org/x/posts/hello-world/"


def test_existing_posts_get_no_first_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder with posts but no postfeed.yaml gets the configuration only."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts/mine.md").write_text("---\ntitle: Mine\ndate: 2024-01-01\n---\nHi.\n")
    assert main(["init", "--url", "https://me.example.org/", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert sorted(p.name for p in (tmp_path / "posts").iterdir()) == ["mine.md"]
    assert main(["build", "-q"]) == 0
    assert feedparser.parse((tmp_path / "feeds/rss.xml").read_bytes()).entries[0].title == "Mine"


def test_never_overwrites_postfeed_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing postfeed.yaml is left as it is: exit 2, nothing written."""
    site = _site(tmp_path, "hugo", monkeypatch)
    (site / "postfeed.yaml").write_text("title: Mine\n", encoding="utf-8")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    assert main(["init", "--source", "postfeed"]) == 2
    assert capsys.readouterr() == ("", EXISTS)
    assert (site / "postfeed.yaml").read_text(encoding="utf-8") == "title: Mine\n"
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_flags_replace_what_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--url, --title and --output win over the Hugo site's own, and the build uses them;
    --source postfeed starts a postfeed blog even in a Hugo site."""
    site = _site(tmp_path, "hugo", monkeypatch)
    argv = ["init", "--url", "https://preview.example.org/", "--title", "Preview"]
    assert main([*argv, "--output", "public-feeds"]) == 0
    assert capsys.readouterr().out.endswith(_tags("https://preview.example.org/feeds/", "Preview"))
    assert _settings(site / "postfeed.yaml") == {
        "source": "hugo",
        "output": "public-feeds",
        "title": "Preview",
        "url": "https://preview.example.org/",
    }
    assert main(["build", "-q"]) == 0
    atom = feedparser.parse((site / "public-feeds/atom.xml").read_bytes())
    assert atom.feed.title == "Preview"
    (site / "postfeed.yaml").unlink()
    assert main(["init", "--source", "postfeed", "-q"]) == 0
    assert _settings(site / "postfeed.yaml")["title"] == "My Blog"
    assert (site / "posts/hello-world.md").is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", "/blog/"], "--url: expected an absolute http(s) URL, got '/blog/'\n"),
        (
            ["--timezone", "Mars/Olympus"],
            "--timezone: unknown time zone 'Mars/Olympus' (use an IANA name such as"
            " Europe/Berlin)\n",
        ),
        (
            ["--source", "wordpress"],
            "--source: unknown source 'wordpress' (use postfeed, hugo, jekyll, pelican, mkdocs,"
            " eleventy, astro)\n",
        ),
        (["--title", " "], "--title: must not be empty\n"),
    ],
)
def test_bad_flags(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    """A flag postfeed.yaml would refuse is refused before anything is written: exit 2."""
    monkeypatch.chdir(tmp_path)
    assert main(["init", *argv]) == 2
    assert capsys.readouterr() == ("", message)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"mkdocs.yml": "site_name: Docs\nplugins:\n  - search\n", "docs/index.md": "# Hi\n"},
            "mkdocs.yml: no blog plugin in plugins: postfeed reads the posts of Material for"
            " MkDocs' blog plugin; add it (plugins: [blog]), or pass --source\n",
        ),
        (
            {"_config.yml": "title: J\n", "index.md": "Hi\n"},
            "_config.yml: no _posts folder beside it: postfeed reads a Jekyll site's posts from"
            " _posts/; create it, or pass --source\n",
        ),
        (
            {"astro.config.mjs": "export default {};\n", "src/pages/index.astro": "Hi\n"},
            "astro.config.mjs: no src/content folder: postfeed reads an Astro site's content"
            " collections there; create it, or pass --source\n",
        ),
        (
            {"hugo.toml": 'title = "H"\n', "pelicanconf.py": 'SITENAME = "P"\n'},
            "postfeed init: found a Hugo site (hugo.toml) and a Pelican site (pelicanconf.py)"
            " here: choose one with --source hugo or --source pelican\n",
        ),
    ],
)
def test_sites_postfeed_cannot_tell(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    message: str,
) -> None:
    """Part of a generator's site without what postfeed reads, or two generators' sites,
    is exit 2 with what to do; --source settles it."""
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["init"]) == 2
    assert capsys.readouterr() == ("", message)
    assert not (tmp_path / "postfeed.yaml").exists()
    assert main(["init", "--source", "postfeed", "-q"]) == 0


def test_mkdocs_blog_plugin_in_every_spelling(tmp_path: Path) -> None:
    """The blog plugin is found as a list item (indented or not, with options or not,
    as material/blog) or in a flow list."""
    from postfeed.reading.sources import detect

    for plugins in (
        "plugins:\n- search\n- blog\n",
        "plugins:\n  - blog:\n      blog_dir: .\n",
        "plugins:\n  - material/blog\n",
        "plugins: [search, blog]\n",
    ):
        (tmp_path / "mkdocs.yml").write_text(f"site_name: D\n{plugins}theme: material\n")
        assert detect.detect(tmp_path) == ["mkdocs"], plugins
    (tmp_path / "mkdocs.yml").write_text("site_name: D\nplugins:\n  - blogroll\n  - blog-x\n")
    with pytest.raises(detect.NotASite):
        detect.detect(tmp_path)


def test_no_url_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL that is not a plain string in the generator's configuration is left for the
    user to set: a commented line says why, and no tags are printed."""
    site = _site(tmp_path, "astro", monkeypatch)
    config = site / "astro.config.mjs"
    config.write_text(
        config.read_text().replace("site: 'https://astro.example.org'", "site: process.env.SITE")
    )
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert (
        "\nBefore the first build:\n  - Set url in postfeed.yaml to where the site is published"
        " (astro.config.mjs gives no site).\n" in out
    )
    assert out.endswith("\nThen 'postfeed links' prints the <link> tags for your pages' <head>.\n")
    text = (site / "postfeed.yaml").read_text(encoding="utf-8")
    assert text.endswith(
        "# postfeed could not read the site's address (astro.config.mjs gives no site): set it"
        " here.\n"
        '# url: "https://example.com/"\n'
    )


def test_nothing_of_the_site_is_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pelicanconf.py is read with ast, never run: code in it does nothing, texts joined
    with + are read as Pelican would have them, and publishconf.py's literal SITEURL is
    taken; the Pelican reader reads both itself, so they stay comments."""
    site = _site(tmp_path, "pelican", monkeypatch)
    marker = tmp_path / "ran"
    conf = site / "pelicanconf.py"
    conf.write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n"
        + conf.read_text().replace('SITENAME = "Field Notes on Go"', "SITENAME = 'A' + 'B'")
    )
    (site / "publishconf.py").write_text(
        f"from pelicanconf import *\nopen({str(marker)!r}, 'w')\nSITEURL = 'https://www.example.org'\n"
    )
    assert main(["init", "-q"]) == 0
    assert not marker.exists()
    assert _settings(site / "postfeed.yaml") == {"source": "pelican", "output": "content/feeds"}
    text = (site / "postfeed.yaml").read_text(encoding="utf-8")
    assert '# title: "AB"\n# url: "https://www.example.org/"\n' in text


def test_a_broken_generator_configuration_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """When the generator's configuration cannot be read, init still writes postfeed.yaml,
    and says on stderr what the build will report."""
    site = _site(tmp_path, "hugo", monkeypatch)
    (site / "hugo.toml").write_text('baseURL = "https://h.example.org/"\ntitle = \n')
    assert main(["init"]) == 0
    out, err = capsys.readouterr()
    assert err == "hugo.toml:2: invalid TOML: Invalid value\n"
    assert "Set url in postfeed.yaml" in out
    assert main(["build"]) == 2
    assert capsys.readouterr().err == "hugo.toml:2: invalid TOML: Invalid value\n"


@pytest.mark.parametrize(
    ("generator", "missing"),
    [
        ("hugo", "hugo.toml"),
        ("jekyll", "_config.yml"),
        ("pelican", "pelicanconf.py"),
        ("mkdocs", "mkdocs.yml"),
        ("eleventy", "eleventy.config.js"),
        ("astro", "astro.config.mjs"),
    ],
)
def test_source_given_in_a_folder_without_its_site(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    generator: str,
    missing: str,
) -> None:
    """--source names a generator whose configuration is not there (yet): postfeed.yaml is
    written all the same, with the URL left to set."""
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--source", generator]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"postfeed: wrote postfeed.yaml (source: {generator}; feeds go to ")
    assert (
        f"  - Set url in postfeed.yaml to where the site is published (there is no {missing}).\n"
    ) in out
    assert _settings(tmp_path / "postfeed.yaml") == {
        "source": generator,
        "output": {"hugo": "static/feeds", "jekyll": "feeds", "pelican": "content/feeds",
                   "mkdocs": "docs/feeds"}.get(generator, "public/feeds"),
        "title": "My Blog",
    }  # fmt: skip


def test_a_whole_site_wins_over_part_of_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Hugo site with a stray _config.yml (no _posts/) is a Hugo site."""
    site = _site(tmp_path, "hugo", monkeypatch)
    (site / "_config.yml").write_text("title: old\n", encoding="utf-8")
    assert main(["init", "-q"]) == 0
    assert _settings(site / "postfeed.yaml")["source"] == "hugo"
