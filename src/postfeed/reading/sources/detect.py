"""Which site generator's site a folder holds, and what its configuration says about
the site's title, URL and folders, for ``postfeed init``. Reads files as data only:
TOML, YAML and JSON as plain data, Python with ``ast`` (literal assignments), and
JavaScript by looking for plain string literals. Nothing is run; nothing is written.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._text import is_absolute_http
from ...errors import ConfigError
from .._yaml import YAMLProblem, load_mapping
from ._common import Problem, load_json, load_toml, load_yaml, read_text

#: Every generator ``postfeed init`` knows, whether or not its reader is installed.
GENERATORS = ("hugo", "jekyll", "pelican", "mkdocs", "eleventy", "astro")

_HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json")
_HUGO_OLD_CONFIGS = ("config.toml", "config.yaml", "config.yml", "config.json")
_JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
_MKDOCS_CONFIGS = ("mkdocs.yml", "mkdocs.yaml")
_ELEVENTY_CONFIGS = (
    *(f"{stem}.{ext}" for stem in ("eleventy.config", ".eleventy") for ext in ("js", "mjs", "cjs")),
    "eleventy.config.ts",
    "eleventy.config.mts",
)
_ASTRO_CONFIGS = tuple(f"astro.config.{ext}" for ext in ("mjs", "js", "ts", "mts", "cjs"))
_ELEVENTY_DATA = tuple(
    f"{folder}_data/metadata.{ext}"
    for folder in ("", "content/", "src/")
    for ext in ("js", "mjs", "cjs", "json")
)


class NotASite(Exception):
    """The folder holds part of a generator's site, but not what postfeed reads."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class Value:
    """A value found in a generator's configuration, and where: ``origin`` names the
    file and the generator's key, for a comment (``"hugo.toml's baseURL"``)."""

    text: str
    origin: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Peek:
    """What a generator's site shows ``postfeed init``: the files that told which
    generator it is, its title and URL where they are plain data (or why the URL is
    not), the folder to write the feeds to, and steps the user must take so that the
    generator publishes that folder."""

    source: str
    evidence: tuple[str, ...]
    title: Value | None = None
    url: Value | None = None
    no_url: str = ""  # why no URL was found
    output: str
    steps: tuple[str, ...] = ()


def detect(folder: Path) -> list[str]:
    """The generators whose sites ``folder`` holds, in the order of ``GENERATORS``.

    Raises:
        NotASite: no generator's site is there, but a generator's configuration is,
            without what postfeed reads (MkDocs without its blog plugin, say).
    """
    found: list[str] = []
    partial: NotASite | None = None
    for name in GENERATORS:
        try:
            if _EVIDENCE[name](folder):
                found.append(name)
        except NotASite as err:
            partial = partial or err
    if not found and partial is not None:
        raise partial
    return found


def peek(source: str, folder: Path) -> Peek:
    """What the configuration of ``source``'s site in ``folder`` says (see :class:`Peek`).
    Never fails: what cannot be read is left out."""
    try:
        evidence = _EVIDENCE[source](folder) or ()
    except NotASite:
        evidence = ()
    found = _PEEKS[source](folder)
    return Peek(source=source, evidence=evidence, **found)


def first(folder: Path, names: tuple[str, ...]) -> Path | None:
    """The first of ``names`` that is a file in ``folder``."""
    return next((folder / name for name in names if (folder / name).is_file()), None)


# --- which generator ------------------------------------------------------------------


def _hugo(folder: Path) -> tuple[str, ...] | None:
    config = first(folder, _HUGO_CONFIGS)
    if config is not None:
        return (config.name,)
    # config.toml alone is common to many tools: Hugo's only beside a content folder.
    config = first(folder, _HUGO_OLD_CONFIGS)
    if config is not None and (folder / "content").is_dir():
        return (config.name, "content/")
    return None


def _jekyll(folder: Path) -> tuple[str, ...] | None:
    config = first(folder, _JEKYLL_CONFIGS)
    if config is None:
        return None
    if not (folder / "_posts").is_dir():
        raise NotASite(
            config,
            "no _posts folder beside it: postfeed reads a Jekyll site's posts from _posts/;"
            " create it, or pass --source",
        )
    return (config.name, "_posts/")


def _pelican(folder: Path) -> tuple[str, ...] | None:
    return ("pelicanconf.py",) if (folder / "pelicanconf.py").is_file() else None


def _mkdocs(folder: Path) -> tuple[str, ...] | None:
    config = first(folder, _MKDOCS_CONFIGS)
    if config is None:
        return None
    if not _has_blog_plugin(_text(config)):
        raise NotASite(
            config,
            "no blog plugin in plugins: postfeed reads the posts of Material for MkDocs'"
            " blog plugin; add it (plugins: [blog]), or pass --source",
        )
    return (config.name,)


def _eleventy(folder: Path) -> tuple[str, ...] | None:
    config = first(folder, _ELEVENTY_CONFIGS)
    return (config.name,) if config is not None else None


def _astro(folder: Path) -> tuple[str, ...] | None:
    config = first(folder, _ASTRO_CONFIGS)
    if config is None:
        return None
    if not (folder / "src" / "content").is_dir():
        raise NotASite(
            config,
            "no src/content folder: postfeed reads an Astro site's content collections there;"
            " create it, or pass --source",
        )
    return (config.name, "src/content/")


_EVIDENCE: dict[str, Callable[[Path], tuple[str, ...] | None]] = {
    "hugo": _hugo,
    "jekyll": _jekyll,
    "pelican": _pelican,
    "mkdocs": _mkdocs,
    "eleventy": _eleventy,
    "astro": _astro,
}


def _has_blog_plugin(text: str) -> bool:
    """Whether mkdocs.yml's top-level ``plugins`` list names Material's blog plugin."""
    block = re.search(
        r"^plugins:[ \t]*(?P<flow>\[.*\])?[ \t]*$(?P<items>(?:\n(?:[ \t-].*|))*)", text, re.M
    )
    if block is None:
        return False
    listed = block["flow"] or block["items"]
    return (
        re.search(r"(?:^[ \t]*-[ \t]*|[\[,][ \t]*)(?:material/)?blog(?![\w-])", listed, re.M)
        is not None
    )


# --- what each configuration says -------------------------------------------------------

_Found = dict[str, Any]


def _peek_hugo(folder: Path) -> _Found:
    config = first(folder, (*_HUGO_CONFIGS, *_HUGO_OLD_CONFIGS))
    if config is None:
        return {"output": "static/feeds", "no_url": "there is no hugo.toml"}
    try:
        data = _load(config)
    except ConfigError as err:
        return {"output": "static/feeds", "no_url": f"{config.name} cannot be read ({err.message})"}
    keys = {str(key).lower(): value for key, value in data.items()}
    static = keys.get("staticdir")
    output = f"{static if isinstance(static, str) and static.strip() else 'static'}/feeds"
    return {
        "output": output,
        **_url(keys.get("baseurl"), f"{config.name}'s baseURL", config.name, "baseURL"),
        "title": _value(keys.get("title"), f"{config.name}'s title"),
    }


def _peek_jekyll(folder: Path) -> _Found:
    config = first(folder, _JEKYLL_CONFIGS)
    if config is None:
        return {"output": "feeds", "no_url": "there is no _config.yml"}
    try:
        data = _load(config)
    except ConfigError as err:
        return {"output": "feeds", "no_url": f"{config.name} cannot be read ({err.message})"}
    url, base = data.get("url"), data.get("baseurl")
    steps = []
    exclude = data.get("exclude")
    if not (isinstance(exclude, list) and "postfeed.yaml" in exclude):
        steps.append(
            f"Add postfeed.yaml to exclude: in {config.name}, or Jekyll publishes it with the site."
        )
    found = {
        "output": "feeds",
        "steps": tuple(steps),
        "title": _value(data.get("title"), f"{config.name}'s title"),
    }
    if isinstance(url, str) and isinstance(base, str) and base.strip("/"):
        url = f"{url.rstrip('/')}/{base.strip('/')}/"
        return found | _url(url, f"{config.name}'s url and baseurl", config.name, "url")
    return found | _url(url, f"{config.name}'s url", config.name, "url")


def _peek_pelican(folder: Path) -> _Found:
    config = folder / "pelicanconf.py"
    if not config.is_file():
        return {"output": "content/feeds", "no_url": "there is no pelicanconf.py"}
    settings = _python_literals(config)
    path = settings.get("PATH")
    content = path.strip("/") if isinstance(path, str) and path.strip("/") else "content"
    steps = []
    static = settings.get("STATIC_PATHS", ["images"])
    excluded = settings.get("ARTICLE_EXCLUDES", [])
    if not (isinstance(static, list) and "feeds" in static) or not (
        isinstance(excluded, list) and "feeds" in excluded
    ):
        steps.append(
            'Add "feeds" to STATIC_PATHS and to ARTICLE_EXCLUDES in pelicanconf.py, so that'
            f" Pelican copies {content}/feeds/ as it is and does not read its index.html as an"
            " article."
        )
    found: _Found = {
        "output": f"{content}/feeds",
        "steps": tuple(steps),
        "title": _value(settings.get("SITENAME"), "pelicanconf.py's SITENAME"),
    }
    # pelicanconf.py often leaves SITEURL empty for previews; publishconf.py sets it.
    published = _python_literals(folder / "publishconf.py").get("SITEURL")
    if isinstance(published, str) and is_absolute_http(published):
        return found | _url(published, "publishconf.py's SITEURL", "publishconf.py", "SITEURL")
    return found | _url(
        settings.get("SITEURL"), "pelicanconf.py's SITEURL", "pelicanconf.py", "SITEURL"
    )


def _peek_mkdocs(folder: Path) -> _Found:
    config = first(folder, _MKDOCS_CONFIGS)
    if config is None:
        return {"output": "docs/feeds", "no_url": "there is no mkdocs.yml"}
    text = _text(config)
    # mkdocs.yml often holds !!python/name tags postfeed does not read: each key alone.
    docs = _yaml_key(text, "docs_dir")
    docs_dir = docs.strip("/") if isinstance(docs, str) and docs.strip("/") else "docs"
    return {
        "output": f"{docs_dir}/feeds",
        "title": _value(_yaml_key(text, "site_name"), f"{config.name}'s site_name"),
        **_url(_yaml_key(text, "site_url"), f"{config.name}'s site_url", config.name, "site_url"),
    }


def _peek_eleventy(folder: Path) -> _Found:
    config = first(folder, _ELEVENTY_CONFIGS)
    if config is None:
        return {"output": "public/feeds", "no_url": "there is no eleventy.config.js"}
    steps = []
    if not re.search(r"addPassthroughCopy\([^)]*public", _text(config)):
        steps.append(
            f'Add eleventyConfig.addPassthroughCopy({{ "./public/": "/" }}) to {config.name},'
            " as eleventy-base-blog has it, so that Eleventy copies public/ as it is."
        )
    found: _Found = {"output": "public/feeds", "steps": tuple(steps)}
    data = first(folder, _ELEVENTY_DATA)
    if data is None:
        return found | {"no_url": "there is no _data/metadata.js with url: in it"}
    text = _text(data)
    name = data.relative_to(folder).as_posix()
    found["title"] = _value(_js_string(text, "title"), f"{name}'s title")
    return found | _url(_js_string(text, "url"), f"{name}'s url", name, "url")


def _peek_astro(folder: Path) -> _Found:
    config = first(folder, _ASTRO_CONFIGS)
    if config is None:
        return {"output": "public/feeds", "no_url": "there is no astro.config.mjs"}
    consts = first(folder / "src", ("consts.ts", "consts.js", "consts.mjs"))
    title = _js_string(_text(consts), "SITE_TITLE", assign="=") if consts is not None else None
    return {
        "output": "public/feeds",
        "title": _value(title, f"src/{consts.name}'s SITE_TITLE" if consts else ""),
        **_url(_js_string(_text(config), "site"), f"{config.name}'s site", config.name, "site"),
    }


_PEEKS: dict[str, Callable[[Path], _Found]] = {
    "hugo": _peek_hugo,
    "jekyll": _peek_jekyll,
    "pelican": _peek_pelican,
    "mkdocs": _peek_mkdocs,
    "eleventy": _peek_eleventy,
    "astro": _peek_astro,
}


def _value(found: object, origin: str) -> Value | None:
    if isinstance(found, str) and found.strip():
        return Value(found.strip(), origin)
    return None


def _url(found: object, origin: str, file: str, key: str) -> _Found:
    """The site URL as a ``url`` value, or why there is none, as ``no_url``."""
    if isinstance(found, str) and is_absolute_http(found.strip()):
        url = found.strip()
        return {"url": Value(url if url.endswith("/") else f"{url}/", origin)}
    if found is None or (isinstance(found, str) and not found.strip()):
        return {"no_url": f"{file} gives no {key}"}
    if isinstance(found, str):
        return {"no_url": f"{file}'s {key} is {found.strip()!r}, not an absolute http(s) URL"}
    return {"no_url": f"{file}'s {key} is not a plain string"}


def _load(path: Path) -> dict[str, Any]:
    loader = {".toml": load_toml, ".json": load_json}.get(path.suffix, load_yaml)
    return loader(path)[0]


def _text(path: Path) -> str:
    try:
        return read_text(path)
    except Problem:
        return ""


def _yaml_key(text: str, key: str) -> object:
    """A top-level key's value in YAML text, read from its own line alone."""
    found = re.search(rf"^{re.escape(key)}:[ \t].*$", text, re.M)
    if found is None:
        return None
    try:
        return load_mapping(found[0]).data.get(key)
    except YAMLProblem:
        return None


def _js_string(text: str, key: str, *, assign: str = ":") -> str | None:
    """The plain string literal given to ``key`` in JavaScript (``site: 'https://…'``),
    never evaluated: a template literal with ``${`` or an expression gives None."""
    found = re.search(
        rf"""(?<![\w$.]){re.escape(key)}\s*{re.escape(assign)}\s*(?:(["'])((?:(?!\1)[^\\\n])*)\1|`([^`$\\]*)`)""",
        text,
    )
    if found is None:
        return None
    return found[2] if found[2] is not None else found[3]


def _python_literals(path: Path) -> dict[str, Any]:
    """The module-level ``NAME = literal`` assignments of a Python file, read with
    ``ast`` and never run; anything else (a call, a name, an f-string) is left out."""
    try:
        tree = ast.parse(_text(path), filename=str(path))
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, Any] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(statement.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    found.pop(target.id, None)
    return found
