"""postfeed: publish a folder of Markdown posts as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""

from .build import BuildResult, LeftOut, build, render, select
from .config import load_site
from .errors import (
    ConfigError,
    LockError,
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
    "LockError",
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
