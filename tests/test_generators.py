"""postfeed reads each site generator's sample site where it stands and gives every
post the entry the generator's own feed has: the same entries, ids, links and dates,
and full content (see compare_with_generator in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import postfeed

MKDOCS_BUILD_TIME_DATED = (
    "https://mkdocs.example.org/handbook/blog/2023/11/20/backpressure-with-bounded-channels/"
)

# One case per generator: its name, its feed file under expected/, and the options of
# conftest.GeneratorCase that its feed needs.
CASES = [
    pytest.param({"name": "hugo", "feed": "index.xml"}, id="hugo"),
    # mkdocs-rss-plugin dates a post whose date it cannot read (a plain `date:` when it
    # reads date.created) by the build time: that date is compared in test_mkdocs.py.
    pytest.param(
        {
            "name": "mkdocs",
            "feed": "feed_rss_created.xml",
            "unstable_dates": frozenset({MKDOCS_BUILD_TIME_DATED}),
        },
        id="mkdocs",
    ),
    # The feed plugin writes one date, <updated>; the post whose front matter is
    # JavaScript (---js) is left out on purpose.
    pytest.param(
        {
            "name": "eleventy",
            "feed": "feed.xml",
            "date": "updated",
            "left_out": frozenset({"https://eleventy.example.org/blog/backpressure/"}),
        },
        id="eleventy",
    ),
    pytest.param({"name": "astro", "feed": "rss.xml"}, id="astro"),
    # Jekyll's categories 'distributed systems' and 'distributed-systems' are two, in two
    # URLs; postfeed gives them one category feed (see test_jekyll.py).
    pytest.param(
        {"name": "jekyll", "feed": "feed.xml", "compare_updated": True},
        id="jekyll",
    ),
    # Pelican's all-feed, translations included; its Atom entries carry full content.
    pytest.param(
        {"name": "pelican", "feed": "feeds/all.atom.xml", "compare_updated": True},
        id="pelican",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_same_entries_as_the_generator(
    case: dict[str, Any], compare_generator: Callable[..., Any]
) -> None:
    """Entry by entry, postfeed's feed has the generator's ids, links and dates."""
    comparison = compare_generator(**case)
    assert comparison.pairs


def test_a_generator_may_publish_future_posts(tmp_path: Path) -> None:
    """Site.future, which a reader sets for a generator that publishes future-dated
    posts, publishes them as --future does; without it they are left out."""
    post = postfeed.Post(
        slug="later", title="Later", published=datetime(2099, 1, 1, tzinfo=UTC), markdown="x"
    )
    site = postfeed.Site(title="T", url="https://t.example/", output_dir=tmp_path / "a")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert postfeed.build(site, [post], now=now).published == ()
    future = postfeed.Site(
        title="T", url="https://t.example/", output_dir=tmp_path / "b", future=True
    )
    assert postfeed.build(future, [post], now=now).published == (post,)


def test_select_with_the_site_agrees_with_build(tmp_path: Path) -> None:
    """select(posts, site=site), as links --feed and ping call it, publishes what a build
    of the site publishes: future-dated posts too when the site's generator does."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    posts = [
        postfeed.Post(
            slug="later",
            title="Later",
            published=datetime(2099, 1, 1, tzinfo=UTC),
            tags=("go",),
            markdown="x",
        ),
        postfeed.Post(
            slug="old", title="Old", published=datetime(2024, 1, 1, tzinfo=UTC), markdown="y"
        ),
    ]
    for future in (False, True):
        site = postfeed.Site(
            title="T", url="https://t.example/", output_dir=tmp_path / f"{future}", future=future
        )
        published, left_out = postfeed.select(posts, site=site, now=now)
        built = postfeed.build(site, posts, now=now)
        assert tuple(published) == built.published
        assert tuple(left_out) == built.left_out
        assert [post.slug for post in published] == (["later", "old"] if future else ["old"])
        tagged = postfeed.plan(site, published).get("tags/go")
        assert (tagged is not None) == future
    # Without the site, only the arguments decide, as before.
    assert [p.slug for p in postfeed.select(posts, now=now)[0]] == ["old"]
