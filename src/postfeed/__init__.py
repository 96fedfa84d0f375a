"""postfeed: publish a folder of Markdown posts as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build import BuildResult, LeftOut, build, render, select
    from .config import load_site
    from .errors import (
        ConfigError,
        OutputError,
        PostError,
        PostErrors,
        PostfeedError,
        SourceError,
    )
    from .model import Author, Post, Site
    from .posts import load_post, load_posts

__all__ = [
    "Author",
    "BuildResult",
    "ConfigError",
    "LeftOut",
    "OutputError",
    "Post",
    "PostError",
    "PostErrors",
    "PostfeedError",
    "Site",
    "SourceError",
    "build",
    "load_post",
    "load_posts",
    "load_site",
    "render",
    "select",
]

# Where each public name lives. Importing postfeed imports none of them: a module
# (and the libraries it needs) is imported when one of its names is first used,
# so that `postfeed --version` starts in milliseconds.
_HOMES = {
    "BuildResult": "build",
    "LeftOut": "build",
    "build": "build",
    "render": "build",
    "select": "build",
    "load_site": "config",
    "ConfigError": "errors",
    "OutputError": "errors",
    "PostError": "errors",
    "PostErrors": "errors",
    "PostfeedError": "errors",
    "SourceError": "errors",
    "Author": "model",
    "Post": "model",
    "Site": "model",
    "load_post": "posts",
    "load_posts": "posts",
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
