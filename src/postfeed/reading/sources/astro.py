"""An Astro site in the blog starter's layout, read as Astro 7 and @astrojs/rss 4 read
it: the blog collection's Markdown and MDX entries (the glob loader's folder and
pattern), their ``pubDate`` as JavaScript's ``new Date()`` reads it, ``updatedDate``,
``description`` and ``heroImage``, and each entry's link and id as the starter's
``rss.xml.js`` makes them.

Astro's configuration, content configuration and pages are JavaScript and are never
run: the site URL, the collection's folder, the feed's link pattern and its title are
taken where they are written as plain literals. An MDX entry's JavaScript (imports,
exports, expressions, components) is left out with a warning (see mdx.py).

Sources: Astro 7.4's ``dist/content/loaders/glob.js`` (``generateIdDefault``) and
``dist/content/utils.js`` (``getContentEntryIdAndSlug``), github-slugger 2's ``slug``,
@astrojs/rss 4.0's ``dist/index.js`` and ``dist/util.js`` (``createCanonicalURL``),
and the blog starter's ``src/pages/rss.xml.js`` and ``src/content.config.ts``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from ...errors import ConfigError
from ...model import Image, MarkdownProfile, Post, Progress, Site
from .. import _values
from . import Defaults, Reader, Reading, _js, _links, mdx, templates
from ._common import TOML, YAML, Problem, Problems, check_unique, front_matter, read_each, read_text

CONFIG_NAMES = (
    "astro.config.mjs",
    "astro.config.js",
    "astro.config.ts",
    "astro.config.mts",
    "astro.config.cjs",
)
CONTENT_CONFIGS = (
    "src/content.config.ts",
    "src/content.config.js",
    "src/content.config.mjs",
    "src/content.config.mts",
    "src/content/config.ts",
    "src/content/config.js",
    "src/content/config.mjs",
)
FEED_PAGES = ("src/pages/rss.xml.js", "src/pages/rss.xml.ts", "src/pages/rss.xml.mjs")
CONSTANT_FILES = ("src/consts.ts", "src/consts.js", "src/consts.mjs")
# The starter's collection, its glob loader's options and its items' link.
_COLLECTION = "blog"
_BASE = "./src/content/blog"
_PATTERN = "**/*.{md,mdx}"
_LINK = ("/blog/", "/")
# new Date(text): an ISO 8601 date alone is UTC; anything else without an offset is
# the local time of the machine that builds the site.
_ISO_DAY = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
# GitHub's heading slugs (github-slugger), as Astro makes ids of file names: letters,
# marks, decimal and letter numbers, connector punctuation, spaces and hyphens are
# kept (and the circled letters, which Unicode counts as alphabetic).
_CIRCLED = range(0x24B6, 0x24EA)
# Astro 7's Markdown (@astrojs/markdown-satteri): GitHub-flavoured Markdown (tables,
# strikethrough, task lists, footnotes, autolinks) and smart punctuation.
_PROFILE = MarkdownProfile(
    name="astro",
    extensions=(
        "tables",
        "footnotes",
        "pymdownx.tilde",
        "pymdownx.tasklist",
        "pymdownx.magiclink",
        "pymdownx.superfences",
        "pymdownx.highlight",
        "smarty",
        "sane_lists",
    ),
    settings=(
        ("pymdownx.tilde", (("subscript", False),)),
        ("pymdownx.tasklist", (("custom_checkbox", False), ("clickable_checkbox", False))),
        ("pymdownx.magiclink", (("hide_protocol", False),)),
        ("pymdownx.highlight", (("use_pygments", False),)),
    ),
)


@dataclass(frozen=True, slots=True)
class _Config:
    """What the Astro site's JavaScript says, as far as it is plain literals."""

    path: Path
    folder: Path
    base: Path
    patterns: tuple[str, ...]
    patterns_path: Path  # where the patterns are written (or the site folder)
    link: tuple[str, str]  # the items' link: prefix and suffix around the entry's id
    drafts: bool  # the feed leaves out entries with draft: true
    values: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def configure(folder: Path) -> Defaults:
    """What the Astro site in ``folder`` says about itself: ``site`` in
    astro.config.mjs, and the feed's title and description.

    Raises:
        ConfigError: there is no Astro configuration here.
    """
    config = _config(folder)
    return Defaults(
        path=config.path,
        values=config.values,
        names={"url": "site", "title": "title", "description": "description"},
        lines=config.lines,
        markdown=_PROFILE,
        future=True,
        warnings=config.warnings,
        missing={
            "url": f"{config.path.name} has no plain site URL (site: 'https://…'); set url in"
            " postfeed.yaml",
            "title": "the feed's title in src/pages/rss.xml.js is not a plain string; set"
            " title in postfeed.yaml",
        },
    )


def _first_file(folder: Path, names: tuple[str, ...]) -> tuple[Path | None, str]:
    for name in names:
        path = folder / name
        if path.is_file():
            try:
                return path, read_text(path)
            except Problem as err:
                raise ConfigError(path, err.line, err.message) from err
    return None, ""


def _config(folder: Path) -> _Config:
    path, text = _first_file(folder, CONFIG_NAMES)
    if path is None:
        raise ConfigError(
            folder,
            None,
            "no Astro configuration here (astro.config.mjs); set source_dir to the Astro"
            " site's folder",
        )
    warnings: list[str] = []
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    site = _js.first_string(text, "site")
    if site is not None:
        values["url"], lines["url"] = site.value, site.line
    feed_path, feed = _first_file(folder, FEED_PAGES)
    constants = "\n".join(_first_file(folder, CONSTANT_FILES)[1:]) + "\n" + feed
    collection = _COLLECTION
    link = _LINK
    drafts = False
    if feed_path is None:
        warnings.append(
            f"{folder}: no src/pages/rss.xml.js: entries are linked as the blog starter's"
            " feed links them (/blog/<id>/)"
        )
    else:
        code = _js.code(feed)
        called = re.search(r"getCollection\(\s*(['\"])(\w+)\1", code)
        collection = called.group(2) if called else collection
        drafts = re.search(r"\bdata\.draft\b", code) is not None
        pattern = re.search(r"\blink\s*:\s*`([^`$]*)\$\{\s*[\w$]+\.id\s*\}([^`$]*)`", code)
        if pattern is not None:
            link = (pattern.group(1), pattern.group(2))
        else:
            found = re.search(r"\blink\s*:", code)
            warnings.append(
                f"{feed_path}:{_js.line_of(code, found.start()) if found else 1}: the items'"
                " link is not a template string around ${post.id}: entries are linked as"
                " /blog/<id>/"
            )
        for key in ("title", "description"):
            value = _feed_text(code, key, constants)
            if value is not None:
                values[key] = value
    base, patterns = _collection(folder, collection, warnings)
    content_path = _first_file(folder, CONTENT_CONFIGS)[0] or folder
    return _Config(
        path=path,
        folder=folder,
        base=base,
        patterns=patterns,
        patterns_path=content_path,
        link=link,
        drafts=drafts,
        values=values,
        lines=lines,
        warnings=tuple(warnings),
    )


def _feed_text(code: str, key: str, constants: str) -> str | None:
    """The feed's ``title`` or ``description``: a string, or a constant holding one."""
    found = re.search(rf"\b{key}\s*:\s*([\w$]+)\s*[,}}\n]", code)
    if found is not None:
        constant = re.search(
            rf"\b(?:const|let|var)\s+{re.escape(found.group(1))}\s*=\s*(?=['\"`])",
            _js.code(constants),
        )
        if constant is None:
            return None
        try:
            value, _ = _js.literal(_js.code(constants), constant.end())
        except _js.NotLiteral:
            return None
        return value if isinstance(value, str) else None
    literal = _js.first_string(code, key)
    return literal.value if literal is not None and isinstance(literal.value, str) else None


def _collection(folder: Path, name: str, warnings: list[str]) -> tuple[Path, tuple[str, ...]]:
    """The folder and glob patterns of the collection's glob loader."""
    path, text = _first_file(folder, CONTENT_CONFIGS)
    base, patterns = _BASE, (_PATTERN,)
    if path is None:
        warnings.append(
            f"{folder}: no src/content.config.ts: the {name} collection is read from"
            f" {_BASE} ({_PATTERN})"
        )
        return Path(os.path.normpath(folder / base)), patterns
    code = _js.code(text)
    definitions = list(
        re.finditer(r"\b(?:const|let|var)\s+([\w$]+)\s*=\s*defineCollection\(", code)
    )
    chosen = next((d for d in definitions if d.group(1) == name), None)
    if chosen is None and len(definitions) == 1:
        chosen = definitions[0]
    options = None
    if chosen is not None:
        following = [d.start() for d in definitions if d.start() > chosen.start()]
        end = min(following, default=len(code))
        options = _js.object_after(code[chosen.start() : end], r"\bglob\(\s*")
    if (
        options is None
        or not isinstance(options.value, dict)
        or not {"base", "pattern"} <= set(options.value)
    ):
        warnings.append(
            f"{path}: the {name} collection's glob loader is not plain literals: it is read"
            f" from {_BASE} ({_PATTERN})"
        )
        return Path(os.path.normpath(folder / base)), patterns
    given_base = options.value.get("base", base)
    given = options.value.get("pattern", _PATTERN)
    base = given_base if isinstance(given_base, str) else base
    if isinstance(given, str):
        patterns = (given,)
    elif isinstance(given, list) and all(isinstance(p, str) for p in given):
        patterns = tuple(given)
    return Path(os.path.normpath(folder / base)), patterns


# --- the entries -----------------------------------------------------------------------


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob pattern (``**/*.{md,mdx}``, ``[^_]*.md``) as a regular expression over
    posix paths, as picomatch reads it (``*`` and ``?`` never match ``/`` or a leading
    dot)."""
    out: list[str] = []
    index = 0
    depth = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append(r"(?:[^/.][^/]*/)*")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(r"(?:[^/.][^/]*(?:/[^/.][^/]*)*)?")
            index += 2
            continue
        if char == "*":
            at_start = index == 0 or pattern[index - 1] == "/"
            out.append(r"(?!\.)[^/]*" if at_start else r"[^/]*")
        elif char == "?":
            out.append(r"[^/]")
        elif char == "{":
            out.append("(?:")
            depth += 1
        elif char == "}" and depth:
            out.append(")")
            depth -= 1
        elif char == "," and depth:
            out.append("|")
        elif char == "[":
            close = pattern.find("]", index + 1)
            if close < 0:
                out.append(re.escape(char))
            else:
                inner = pattern[index + 1 : close]
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append(f"[{inner}]")
                index = close
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + ")" * depth + r"\Z")


def _entry_files(config: _Config) -> list[Path]:
    """The collection's entries: files under its folder matching its patterns (and
    none of its ``!`` patterns), in path order."""
    if not config.base.is_dir():
        problem = "is not a folder" if config.base.exists() else "does not exist"
        raise ConfigError(config.path, None, f"the collection's folder {config.base} {problem}")
    try:
        positive = [glob_regex(p) for p in config.patterns if not p.startswith("!")]
        negative = [glob_regex(p[1:]) for p in config.patterns if p.startswith("!")]
    except re.error as err:
        raise ConfigError(
            config.patterns_path,
            None,
            f"the collection's pattern {', '.join(config.patterns)!r} is not a glob pattern"
            f" postfeed reads: {err}",
        ) from err
    found = []
    for folder, dirs, names in os.walk(config.base):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            relative = path.relative_to(config.base).as_posix()
            if any(p.match(relative) for p in positive) and not any(
                n.match(relative) or n.match(relative.split("/", 1)[0]) for n in negative
            ):
                found.append(path)
    return found


@dataclass(slots=True)
class _Entry:
    path: Path
    data: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    id: str = ""
    url: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    warnings: list[tuple[int | None, str]] = field(default_factory=list)


def read(site: Site, progress: Progress | None = None) -> Reading:
    """Every entry of the Astro site's blog collection in ``site.posts_dir``.

    Raises:
        ConfigError: the collection's folder does not exist.
        PostErrors: every problem in every entry, with the warnings.
    """
    config = _config(site.posts_dir)
    problems = Problems()
    files = _entry_files(config)
    entries = read_each(files, lambda path: _entry(config, site, path, problems), progress)
    check_unique(entries, problems, ("slug",))
    posts = [_post(config, site, entry) for entry in entries]
    problems.check(warning for post in posts for warning in post.warnings)
    return Reading(posts, tuple(problems.warnings))


def _entry(config: _Config, site: Site, path: Path, problems: Problems) -> _Entry | None:
    """One entry's data, dates and link; None when it has problems (noted)."""
    try:
        front = front_matter(read_text(path), formats=(YAML, TOML), timestamps=True)
    except Problem as err:
        problems.error(path, err.line, err.message)
        return None
    entry = _Entry(path, front.data, front.lines, front.body, front.body_line)
    errors = len(problems.errors)

    def error(key: str, message: str) -> None:
        problems.error(path, entry.lines.get(key), f"{key}: {message}")

    for key in ("title", "description"):
        value = entry.data.get(key)
        if value is not None and not isinstance(value, str):
            error(key, f"expected text, got {_values.describe(value)} (quote it)")
    if "title" not in entry.data:
        problems.error(path, None, "title: missing (the blog's schema requires it)")
    local = ZoneInfo(site.timezone)
    if entry.data.get("pubDate") is None:
        problems.error(path, None, "pubDate: missing (the blog's schema requires it)")
    else:
        entry.published = _date(entry.data["pubDate"], local, "pubDate", error)
    if entry.data.get("updatedDate") is not None:
        entry.updated = _date(entry.data["updatedDate"], local, "updatedDate", error)
    if len(problems.errors) > errors:
        return None
    relative = path.relative_to(config.base).as_posix()
    slug = entry.data.get("slug")
    entry.id = str(slug) if slug not in (None, "") else entry_id(relative)
    entry.url = _link(config, site, entry.id)
    return entry


def entry_id(relative: str) -> str:
    """An entry's id from its path under the collection's folder
    (``getContentEntryIdAndSlug``): each segment slugged as GitHub slugs headings,
    the extension and a trailing ``/index`` dropped."""
    stem = re.sub(r"\.[^./]*$", "", relative)
    return re.sub(r"/index$", "", "/".join(github_slug(part) for part in stem.split("/")))


def github_slug(text: str) -> str:
    """github-slugger's ``slug``: lower-cased, characters other than letters, marks,
    numbers (decimal and letter), connector punctuation, spaces and hyphens dropped,
    spaces made hyphens."""
    kept = []
    for char in text.lower():
        category = unicodedata.category(char)
        if (
            category[0] in "LM"
            or category in ("Nd", "Nl", "Pc")
            or char in " -"
            or ord(char) in _CIRCLED
        ):
            kept.append(char)
    return "".join(kept).replace(" ", "-")


def _date(value: object, local: ZoneInfo, key: str, error: Any) -> datetime | None:
    """A date as ``z.coerce.date()`` makes one, ``new Date(value)``: a YAML or TOML
    timestamp without an offset is UTC, text in ISO 8601 with a day alone is UTC, other text
    without an offset is in the building machine's time zone (the site's
    ``timezone``)."""
    if isinstance(value, date):
        # A timestamp (a date alone is midnight) without an offset is UTC.
        text: object = value
        zone: tzinfo = UTC
    elif isinstance(value, str) and _ISO_DAY.match(value.strip()):
        # An ISO 8601 year, month or day alone (2024, 2024-02, 2024-02-10) is UTC.
        parts = value.strip().split("-")
        text, zone = "-".join(parts + ["01"] * (3 - len(parts))), UTC
    elif isinstance(value, str) and value.strip():
        text, zone = value.strip(), local
    else:
        hint = " (quote it)" if isinstance(value, int | float) else ""
        error(key, f"expected a date, got {_values.describe(value)}{hint}")
        return None
    try:
        return _values.timestamp(text, zone)
    except _values.ValueProblem as err:
        error(key, str(err))
        return None


def _link(config: _Config, site: Site, id: str) -> str:
    """The item's link: the starter's ``/blog/${post.id}/`` through @astrojs/rss's
    ``createCanonicalURL`` (a slash added when the last segment has no extension,
    repeated slashes made one, resolved against the site URL as ``new URL()`` does)."""
    link = f"{config.link[0]}{id}{config.link[1]}"
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", link):
        return link
    path = re.sub(r"/index\.html$", "", link)
    last = path.rsplit("/", 1)[-1]
    if "." not in last:
        path = re.sub(r"/*$", "/", path)
    path = re.sub(r"/+", "/", path)
    return urljoin(site.url, _links.whatwg_path(path))


def _post(config: _Config, site: Site, entry: _Entry) -> Post:
    """The entry as a Post: MDX's JavaScript left out, images Astro renames left out."""
    data = entry.data
    body = entry.body
    found: list[tuple[int, str]] = []
    if entry.path.suffix.lower() == ".mdx":
        body, found = templates.substitute(body, mdx.SYNTAX, entry.body_line)
    warnings = [*entry.warnings, *found]

    def image(link: _links.Link) -> str | None:
        if link.image and _links.is_relative(link.target):
            warnings.append((link.line, _optimised(f"image {link.target!r}")))
            return _links.REMOVE
        return None

    body = _links.rewrite(body, entry.body_line, image)
    hero = data.get("heroImage")
    picture = None
    if isinstance(hero, str) and hero.strip():
        target = hero.strip()
        if _links.is_relative(target) or target.startswith("~"):
            warnings.append((entry.lines.get("heroImage"), _optimised(f"heroImage {target!r}")))
        else:
            picture = Image(url=urljoin(site.url, target))
    assert entry.published is not None
    updated = (
        entry.updated if entry.updated is not None and entry.updated > entry.published else None
    )
    description = data.get("description")
    title = str(data.get("title") or "").strip()
    if not title:
        title = entry.path.stem
        warnings.insert(0, (entry.lines.get("title"), f"title: missing; the feeds show {title!r}"))
    return Post(
        slug=_slug(site, entry.url),
        title=title,
        published=entry.published,
        updated=updated,
        summary=description if isinstance(description, str) and description.strip() else None,
        markdown=body,
        tags=_tags(data.get("tags")),
        image=picture,
        id=entry.url,
        url=entry.url,
        draft=config.drafts and data.get("draft") is True,
        source=entry.path,
        warnings=tuple(
            f"{entry.path}:{line}: {message}" if line else f"{entry.path}: {message}"
            for line, message in sorted(warnings, key=lambda found: found[0] or 0)
        ),
        lines=entry.lines,
    )


def _optimised(what: str) -> str:
    return (
        f"{what} is optimised by Astro into a file whose name postfeed cannot know: left out"
        " of the feed (an image in public/ or at a full URL is kept)"
    )


def _slug(site: Site, url: str) -> str:
    if url.startswith(site.url):
        return url[len(site.url) :].strip("/")
    return urlsplit(url).path.strip("/")


def _tags(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    try:
        return _values.names([str(item) for item in value], "tag", "tags")
    except _values.ValueProblem:  # pragma: no cover - every item is text
        return ()


READER = Reader(configure=configure, read=read)
