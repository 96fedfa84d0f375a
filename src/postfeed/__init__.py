"""postfeed: publish a folder of Markdown posts as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .commands.init import InitResult, init_site
    from .commands.scaffold import new_post
    from .commands.serve import make_server, serve
    from .commands.websub import ping
    from .errors import (
        ArchiveChange,
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
    from .model import (
        ArchivePage,
        Author,
        CustomFeed,
        Image,
        PlannedFeed,
        Post,
        Progress,
        Selection,
        Site,
    )
    from .pipeline import BuildResult, LeftOut, build, feed_urls, render, select
    from .planning.plan import Plan, plan
    from .reading.config import load_site
    from .reading.post import load_post
    from .reading.scan import load_posts
    from .rendering.memo import memo
    from .rendering.page import link_tags
    from .web import FeedResponse, respond

__all__ = [
    "ArchiveChange",
    "ArchivePage",
    "Author",
    "BuildResult",
    "ConfigError",
    "CustomFeed",
    "FeedResponse",
    "IdChange",
    "IdChangeError",
    "Image",
    "InitResult",
    "LeftOut",
    "LockError",
    "OutputError",
    "PingError",
    "Plan",
    "PlannedFeed",
    "Post",
    "PostError",
    "PostErrors",
    "PostfeedError",
    "Progress",
    "Selection",
    "Site",
    "SourceError",
    "build",
    "feed_urls",
    "init_site",
    "link_tags",
    "load_post",
    "load_posts",
    "load_site",
    "make_server",
    "memo",
    "new_post",
    "ping",
    "plan",
    "render",
    "respond",
    "select",
    "serve",
]

# Where each public name lives. Importing postfeed imports none of them: a module
# (and the libraries it needs) is imported when one of its names is first used,
# so that `postfeed --version` starts in milliseconds.
_HOMES = {
    "BuildResult": "pipeline",
    "LeftOut": "pipeline",
    "build": "pipeline",
    "feed_urls": "pipeline",
    "render": "pipeline",
    "select": "pipeline",
    "load_site": "reading.config",
    "ArchiveChange": "errors",
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
    "ArchivePage": "model",
    "Author": "model",
    "CustomFeed": "model",
    "PlannedFeed": "model",
    "Selection": "model",
    "Plan": "planning.plan",
    "plan": "planning.plan",
    "Image": "model",
    "Post": "model",
    "Progress": "model",
    "Site": "model",
    "link_tags": "rendering.page",
    "memo": "rendering.memo",
    "load_post": "reading.post",
    "load_posts": "reading.scan",
    "new_post": "commands.scaffold",
    "init_site": "commands.init",
    "InitResult": "commands.init",
    "make_server": "commands.serve",
    "serve": "commands.serve",
    "ping": "commands.websub",
    "FeedResponse": "web",
    "respond": "web",
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
