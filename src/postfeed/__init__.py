"""postfeed: publish a folder of Markdown posts as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build import BuildResult, LeftOut, build, feed_urls, render, select
    from .config import load_site
    from .errors import (
        ConfigError,
        IdChange,
        IdChangeError,
        LockError,
        OutputError,
        PingError,
        PostError,
        PostErrors,
        PostfeedError,
        SourceError,
    )
    from .model import Author, Image, Post, Progress, Site
    from .page import link_tags
    from .posts import load_post, load_posts
    from .scaffold import new_post
    from .serve import make_server, serve
    from .websub import ping

__all__ = [
    "Author",
    "BuildResult",
    "ConfigError",
    "IdChange",
    "IdChangeError",
    "Image",
    "LeftOut",
    "LockError",
    "OutputError",
    "PingError",
    "Post",
    "PostError",
    "PostErrors",
    "PostfeedError",
    "Progress",
    "Site",
    "SourceError",
    "build",
    "feed_urls",
    "link_tags",
    "load_post",
    "load_posts",
    "load_site",
    "make_server",
    "new_post",
    "ping",
    "render",
    "select",
    "serve",
]

# Where each public name lives. Importing postfeed imports none of them: a module
# (and the libraries it needs) is imported when one of its names is first used,
# so that `postfeed --version` starts in milliseconds.
_HOMES = {
    "BuildResult": "build",
    "LeftOut": "build",
    "build": "build",
    "feed_urls": "build",
    "render": "build",
    "select": "build",
    "load_site": "config",
    "ConfigError": "errors",
    "IdChange": "errors",
    "IdChangeError": "errors",
    "LockError": "errors",
    "OutputError": "errors",
    "PingError": "errors",
    "PostError": "errors",
    "PostErrors": "errors",
    "PostfeedError": "errors",
    "SourceError": "errors",
    "Author": "model",
    "Image": "model",
    "Post": "model",
    "Progress": "model",
    "Site": "model",
    "link_tags": "page",
    "load_post": "posts",
    "load_posts": "posts",
    "new_post": "scaffold",
    "make_server": "serve",
    "serve": "serve",
    "ping": "websub",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'postfeed' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """This package's module type. ``build`` names both a submodule and a function:
    importing the submodule makes Python set ``postfeed.build`` to the module, and
    this keeps the function there instead, as the eager imports used to."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            if name in self.__dict__:
                return
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
