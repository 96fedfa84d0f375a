"""Site generators' sites, read where they stand: which generators postfeed reads,
and the two calls each generator's reader answers.

A reader is one module here, named after its generator, ending with
``READER = Reader(configure=configure, read=read)``; ``NAMES`` lists them. It reads
files as data and never runs the generator's code, configuration or templates.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...model import MarkdownProfile, Post, Progress, Site

#: The generators postfeed reads, besides its own posts folder ("postfeed").
NAMES = ("hugo", "jekyll", "pelican", "mkdocs", "eleventy", "astro")

#: The postfeed.yaml keys a generator's configuration may give values for.
SITE_KEYS = ("title", "url", "description", "language", "author", "timezone", "limit")


@dataclass(frozen=True, slots=True, kw_only=True)
class Defaults:
    """What a generator's configuration says about the site.

    ``values`` are raw values for some of postfeed's settings (keys of
    ``SITE_KEYS``), checked by the configuration loader as if postfeed.yaml said
    them, and overridden by what postfeed.yaml does say; ``names`` gives, for
    messages, the generator's own name of each (``"baseURL"`` for ``"url"``),
    ``lines`` where each is in ``path``. ``markdown`` is how the generator
    renders posts; ``future`` says that it publishes posts dated in the future;
    ``warnings`` say what in the configuration is not read. ``missing`` says, for a
    key the configuration could not give, what to do when postfeed.yaml does not set
    it either (its message replaces "missing (it is required)").
    """

    path: Path
    values: Mapping[str, object] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
    markdown: MarkdownProfile = field(default_factory=MarkdownProfile)
    future: bool = False
    warnings: tuple[str, ...] = ()
    missing: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reading:
    """Every post of a generator's site, and the warnings reading them gave that no
    post carries (a file in a format postfeed does not read, ...)."""

    posts: list[Post]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Reader:
    """One generator's reader.

    ``configure(folder)`` reads the generator's configuration in its site folder.
    ``read(site, progress)`` reads every post of the site in ``site.posts_dir``
    (the generator's site folder), with ``site``'s settings (postfeed.yaml over
    the generator's configuration); ``progress``, when given, is called as
    ``progress("read", done, total)``. ``watched(site)``, when given, names the
    files and folders a read depends on (a folder: every file under it), for
    ``postfeed serve --watch``; without it, the whole site folder is watched.

    Both raise ConfigError (one problem in the configuration) or PostErrors
    (every problem found, with the warnings found so far).
    """

    configure: Callable[[Path], Defaults]
    read: Callable[[Site, Progress | None], Reading]
    watched: Callable[[Site], tuple[Path, ...]] | None = None


def configure(source: str, folder: Path) -> Defaults:
    """What the generator's configuration in ``folder`` says about the site."""
    return reader(source).configure(folder)


def read(site: Site, *, progress: Progress | None = None) -> Reading:
    """Every post of the site's generator site (see :class:`Reader`)."""
    return reader(site.source).read(site, progress)


def watched(site: Site) -> tuple[Path, ...]:
    """The files and folders a read of the site depends on (see :class:`Reader`)."""
    found = reader(site.source).watched
    return found(site) if found is not None else (site.posts_dir,)


def reader(source: str) -> Reader:
    """The reader of a generator in ``NAMES``, its module imported on first use."""
    if source not in NAMES:
        raise ValueError(f"postfeed reads no {source!r} sites (it reads {', '.join(NAMES)})")
    found = importlib.import_module(f"{__name__}.{source}").READER
    assert isinstance(found, Reader)
    return found
