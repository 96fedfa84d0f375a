"""postfeed init: a commented postfeed.yaml for the site generator's site in a folder,
or a new postfeed blog (a postfeed.yaml and a first post, a draft) where there is none.
Reads the generator's configuration as data, never runs it; creates new files only,
never replacing one.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .._text import is_absolute_http
from ..errors import ConfigError, OutputError, PostfeedError
from ..model import Post, Site
from ..reading import _values, sources
from ..reading.config import CONFIG_NAME
from ..reading.sources import detect
from .scaffold import create, post_text

#: What ``init`` can set up: postfeed's own posts folder, or a generator's site.
SOURCES = ("postfeed", *detect.GENERATORS)

_NAMES = {
    "postfeed": "postfeed",
    "hugo": "Hugo",
    "jekyll": "Jekyll",
    "pelican": "Pelican",
    "mkdocs": "MkDocs",
    "eleventy": "Eleventy",
    "astro": "Astro",
}
# Why each generator's output folder: the generator publishes it as it is.
_WHY_OUTPUT = {
    "hugo": "Hugo publishes its static folder as it is, at the site's root",
    "jekyll": "Jekyll copies a folder whose files have no front matter as it is",
    "pelican": "Pelican copies the folders named in STATIC_PATHS as they are",
    "mkdocs": "MkDocs copies the files of docs_dir that are not Markdown as they are",
    "eleventy": "eleventy-base-blog has Eleventy copy public/ as it is, to the site's root",
    "astro": "Astro copies public/ as it is, to the site's root",
}
FIRST_POST = "Hello, world"
_FIRST_BODY = """
This is the blog's first post, a draft: `postfeed build` leaves it out of the feeds until
its `draft` line is gone (`postfeed build --drafts` shows it anyway).

The first paragraph is the summary feed readers show in their lists; the whole post is in
the feeds too. Start the next post with `postfeed new "Its title"`.
"""
_EXISTS = "already exists; nothing was written (edit it, or remove it and run postfeed init again)"


@dataclass(frozen=True, slots=True, kw_only=True)
class InitResult:
    """What ``init_site`` found and wrote.

    ``found`` names the files that told which generator's site the folder holds
    (empty when ``source`` was given, or for a new blog); ``post`` is the first
    post of a new blog. ``site`` is the site as far as the configuration
    written says (title, URL, output folder), for its discovery tags; None when
    no URL is known, and ``no_url`` says why. ``steps`` are what the user must
    still do so that the generator publishes the feeds; ``warnings`` what the
    generator's reader found wrong in its configuration.
    """

    config: Path
    source: str
    found: tuple[str, ...] = ()
    output: str
    post: Path | None = None
    site: Site | None = None
    no_url: str = ""
    steps: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Setting:
    """One key of the postfeed.yaml written: its value, where it comes from, and
    whether it is written commented out (the generator's configuration gives it)."""

    value: str
    origin: str
    commented: bool = False


def init_site(
    folder: Path | str = ".",
    *,
    source: str | None = None,
    url: str | None = None,
    output: str | None = None,
    title: str | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
) -> InitResult:
    """Write ``folder/postfeed.yaml`` for the site in ``folder``; return what was done.

    Without ``source``, the folder's files say which generator's site it is (Hugo,
    Jekyll, Pelican, MkDocs with Material's blog, Eleventy, Astro); a folder that
    holds none becomes a new postfeed blog, with a first post (a draft) in
    ``posts/`` unless it has posts already. The other arguments replace what the
    folder says: the site's ``url`` and ``title``, the ``output`` folder (relative to
    ``folder``) and its ``timezone`` (for a generator's site, replacing the
    generator's). ``now`` dates the first post of a new blog.

    Raises:
        OutputError: postfeed.yaml exists (nothing is written), or a file cannot be
            written.
        ConfigError: an argument is invalid, or the folder holds part of a
            generator's site but not what postfeed reads.
        PostfeedError: the folder holds several generators' sites and no ``source``
            says which.
    """
    root = Path(folder)
    config = root / CONFIG_NAME
    if config.exists():
        raise OutputError(config, _EXISTS)
    given = _check(source=source, url=url, output=output, title=title, timezone=timezone)
    source = given.get("source")
    found: tuple[str, ...] = ()
    if source is None:
        source, found = _detect(root)
    if source == "postfeed":
        return _new_blog(root, config, given, now)
    return _generator(root, config, source, found, given)


def _check(**flags: str | None) -> dict[str, str]:
    """The arguments given, checked as postfeed.yaml would check them."""
    given: dict[str, str] = {}
    for name, value in flags.items():
        if value is None:
            continue
        try:
            text = _values.text(value).strip()
            if name == "source" and text not in SOURCES:
                raise _values.ValueProblem(f"unknown source {text!r} (use {', '.join(SOURCES)})")
            if name == "url" and not is_absolute_http(text):
                raise _values.ValueProblem(f"expected an absolute http(s) URL, got {text!r}")
            if name == "output" and "\0" in text:
                raise _values.ValueProblem("must not contain a NUL byte")
            if name == "timezone":
                _zone(text)
        except _values.ValueProblem as err:
            raise ConfigError(f"--{name}", None, str(err)) from err
        given[name] = text if name != "url" or text.endswith("/") else f"{text}/"
    return given


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise _values.ValueProblem(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)"
        ) from err


def _detect(root: Path) -> tuple[str, tuple[str, ...]]:
    """The source for the site in ``root``, and the files that told it."""
    try:
        names = detect.detect(root)
    except detect.NotASite as err:
        raise ConfigError(err.path, None, err.message) from err
    if not names:
        return "postfeed", ()
    if len(names) > 1:
        sites = " and ".join(
            f"{'an' if name in ('mkdocs', 'eleventy', 'astro') else 'a'} {_NAMES[name]} site"
            f" ({', '.join(detect.peek(name, root).evidence)})"
            for name in names
        )
        raise PostfeedError(
            f"postfeed init: found {sites} here: choose one with"
            f" {' or '.join(f'--source {name}' for name in names)}"
        )
    return names[0], detect.peek(names[0], root).evidence


def _new_blog(root: Path, config: Path, given: dict[str, str], now: datetime | None) -> InitResult:
    title = given.get("title", "My Blog")
    url = given.get("url", "https://example.com/")
    output = given.get("output", "feeds")
    timezone = given.get("timezone", "UTC")
    lines = [
        "# postfeed.yaml: this blog's settings, written by postfeed init. Every key is",
        "# described in postfeed's documentation (docs/configuration.md).",
        "",
        f"title: {_quoted(title)}",
    ]
    if "url" in given:
        lines += ["# Where the blog is published: every link in the feeds is built from it."]
    else:
        lines += [
            "# Where the blog is published: every link in the feeds is built from it.",
            "# Change it before the feeds are published.",
        ]
    lines += [
        f"url: {_quoted(url)}",
        '# description: "What the blog is about, in a sentence."',
        "# author:",
        '#   name: "Your Name"',
        "# Dates written without an offset are in this time zone (an IANA name).",
        f"timezone: {_quoted(timezone)}",
        "# The posts are the Markdown files in posts/; the feeds are written to the output",
        "# folder, to be published with the site.",
        "# posts: posts",
        f"output: {_quoted(output)}" if "output" in given else "# output: feeds",
        "",
    ]
    create(config, "\n".join(lines), exists=_EXISTS)
    site = Site(title=title, url=url, timezone=timezone, output_dir=root / output)
    post = None
    posts = root / "posts"
    if not (posts.is_dir() and any(posts.glob("*.md"))):
        when = (now if now is not None else datetime.now(UTC)).astimezone(ZoneInfo(timezone))
        first = Post(
            slug="hello-world",
            title=FIRST_POST,
            published=when.replace(microsecond=0),
            draft=True,
        )
        post = posts / f"{first.slug}.md"
        create(post, post_text(site, first, _FIRST_BODY), exists=_EXISTS)
    steps = () if "url" in given else (f"Set url in {config} to where the blog is published.",)
    return InitResult(
        config=config, source="postfeed", output=output, post=post, site=site, steps=steps
    )


def _generator(
    root: Path, config: Path, source: str, found: tuple[str, ...], given: dict[str, str]
) -> InitResult:
    peek = detect.peek(source, root)
    name = _NAMES[source]
    read, warnings = _read_by_postfeed(source, root)
    settings: dict[str, _Setting] = {}
    for key, value in (("title", peek.title), ("url", peek.url)):
        if key in given:
            settings[key] = _Setting(given[key], f"given to postfeed init (--{key})")
        elif key in read:
            settings[key] = read[key]
        elif value is not None:
            settings[key] = _Setting(value.text, value.origin)
    if "title" not in settings:
        settings["title"] = _Setting("My Blog", "no title found: change it")
    output = given.get("output", peek.output)
    lines = [
        f"# postfeed.yaml for the {name} site in this folder, written by postfeed init.",
        "# Every key is described in postfeed's documentation (docs/configuration.md).",
        "",
        f"# The posts are read from the {name} site where they stand, each keeping the link",
        "# and the id the site's feed gives it today.",
        f"source: {source}",
        "",
    ]
    if "output" in given:
        lines.append("# Where the feeds are written (given to postfeed init).")
    else:
        address = settings["url"].value + "feeds/" if "url" in settings else "<url>feeds/"
        lines += _comment(f"{_WHY_OUTPUT[source]}: the feeds go live with the site, at {address}")
    lines += [f"output: {_quoted(output)}", ""]
    lines += _setting_lines(settings, timezone=given.get("timezone"))
    if "url" not in settings:
        lines += [
            f"# postfeed could not read the site's address ({peek.no_url}): set it here.",
            '# url: "https://example.com/"',
        ]
    lines.append("")
    create(config, "\n".join(lines), exists=_EXISTS)
    steps = list(peek.steps)
    site = None
    if "url" in settings:
        site = Site(
            title=settings["title"].value,
            url=settings["url"].value,
            output_dir=root / output,
            source=source,
        )
    else:
        steps.insert(0, f"Set url in {config} to where the site is published ({peek.no_url}).")
    return InitResult(
        config=config,
        source=source,
        found=found,
        output=output,
        site=site,
        no_url=peek.no_url if site is None else "",
        steps=tuple(steps),
        warnings=warnings,
    )


def _read_by_postfeed(source: str, root: Path) -> tuple[dict[str, _Setting], tuple[str, ...]]:
    """The title and URL postfeed's reader of ``source`` takes from the generator's
    configuration, to be written commented out (none when postfeed has no reader
    for it, or the value is not usable), and the problem that configuration has."""
    if source not in sources.NAMES:
        return {}, ()
    try:
        defaults = sources.configure(source, root)
    except PostfeedError as err:
        return {}, (str(err),)
    read: dict[str, _Setting] = {}
    for key in ("title", "url"):
        value = defaults.values.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        if key == "url" and not is_absolute_http(value.strip()):
            continue
        origin = f"{defaults.path.name}'s {defaults.names.get(key, key)}"
        read[key] = _Setting(value.strip(), origin, commented=True)
    return read, ()


def _setting_lines(settings: dict[str, _Setting], *, timezone: str | None) -> list[str]:
    lines: list[str] = []
    read = [key for key in ("title", "url") if key in settings and settings[key].commented]
    if read:
        origins = " and ".join(f"{key} ({settings[key].origin})" for key in read)
        lines += [
            f"# postfeed reads the site's {origins}.",
            "# Set them here only to replace them (url for a preview build, say):",
        ]
        lines += [f"# {key}: {_quoted(settings[key].value)}" for key in read]
    for key in ("title", "url"):
        if key in settings and not settings[key].commented:
            lines += [
                f"# {_sentence(settings[key].origin)}",
                f"{key}: {_quoted(settings[key].value)}",
            ]
    if timezone is not None:
        lines += ["# Given to postfeed init (--timezone).", f"timezone: {_quoted(timezone)}"]
    return lines


def _comment(text: str) -> list[str]:
    return textwrap.wrap(
        text, 86, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False
    )


def _sentence(origin: str) -> str:
    if origin.startswith(("given", "no ")):
        return origin[0].upper() + origin[1:] + "."
    return f"Read from {origin}."


def _quoted(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar, escapes included.
    return json.dumps(value, ensure_ascii=False)
