"""postfeed: publish a folder of Markdown posts as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""

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
