"""The exception tree: every error postfeed raises on purpose is a PostfeedError with a useful str()."""

from __future__ import annotations

from pathlib import Path

import pytest

import postfeed
from postfeed.errors import (
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

EXAMPLES: dict[type[PostfeedError], tuple[PostfeedError, str]] = {
    PostfeedError: (PostfeedError("plain"), "plain"),
    SourceError: (SourceError(Path("a.md"), 3, "bad"), "a.md:3: bad"),
    ConfigError: (ConfigError(Path("postfeed.yaml"), None, "missing"), "postfeed.yaml: missing"),
    PostError: (PostError("posts/x.md", 1, "oops"), "posts/x.md:1: oops"),
    PostErrors: (
        PostErrors(
            [PostError("b.md", 2, "two"), PostError("a.md", 9, "nine"), PostError("b.md", 1, "one")]
        ),
        "a.md:9: nine\nb.md:1: one\nb.md:2: two",
    ),
    OutputError: (
        OutputError(Path("feeds/rss.xml"), "cannot write: Permission denied"),
        "feeds/rss.xml: cannot write: Permission denied",
    ),
    IdChangeError: (
        IdChangeError(
            [
                IdChange("posts/b.md", "B", "tag:x.org,2024-01-02:old-b", "tag:x.org,2024-01-02:b"),
                IdChange("feeds/atom.xml", "Gone", "tag:x.org,2024-01-01:gone", None),
            ]
        ),
        "feeds/atom.xml: entry 'tag:x.org,2024-01-01:gone' ('Gone') would disappear while"
        " older entries stay in the feed; if its post was renamed, give it 'id: tag:x.org,2024-01-01:gone'"
        " in its front matter; if it was removed on purpose, build with --allow-id-change\n"
        "posts/b.md: the id of 'B' would change from 'tag:x.org,2024-01-02:old-b' to"
        " 'tag:x.org,2024-01-02:b', and readers would show the post again as new; keep the old"
        " one with 'id: tag:x.org,2024-01-02:old-b' in its front matter, or build with"
        " --allow-id-change",
    ),
    PingError: (
        PingError("https://hub.example/", "cannot reach the hub: Connection refused"),
        "https://hub.example/: cannot reach the hub: Connection refused",
    ),
    LockError: (
        LockError(
            Path("feeds"), "another postfeed build is running (lock held on feeds/.postfeed.lock)"
        ),
        "feeds: another postfeed build is running (lock held on feeds/.postfeed.lock)",
    ),
}


def _all_subclasses(cls: type[PostfeedError]) -> set[type[PostfeedError]]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _all_subclasses(sub)
    return found


def test_every_error_class_has_an_example() -> None:
    """Each PostfeedError subclass is walked once (a new class needs an example here)."""
    assert _all_subclasses(PostfeedError) == set(EXAMPLES)


@pytest.mark.parametrize("cls", sorted(EXAMPLES, key=lambda c: c.__name__))
def test_str_and_hierarchy(cls: type[PostfeedError]) -> None:
    """str() is the message users see, and every error is a PostfeedError exported by postfeed."""
    error, text = EXAMPLES[cls]
    assert str(error) == text
    assert isinstance(error, PostfeedError)
    assert getattr(postfeed, cls.__name__) is cls


def test_args_are_kept() -> None:
    """All arguments reach Exception.__init__, so errors pickle and repr faithfully."""
    import pickle

    error = PostError(Path("p.md"), 4, "bad date")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == "p.md:4: bad date"
    assert again.line == 4
