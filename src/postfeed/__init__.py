"""postfeed: publish a folder of Markdown posts as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""

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
from .model import Author, Post, Progress, Site
from .posts import load_post, load_posts
from .scaffold import new_post

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
    "Progress",
    "Site",
    "SourceError",
    "build",
    "load_post",
    "load_posts",
    "load_site",
    "new_post",
    "render",
    "select",
]
