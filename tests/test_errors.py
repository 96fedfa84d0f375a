"""The exception tree: every error postfeed raises on purpose is a PostfeedError with a useful str()."""

from __future__ import annotations

from pathlib import Path

import pytest

import postfeed
from postfeed.errors import (
    ConfigError,
    LockError,
    OutputError,
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
