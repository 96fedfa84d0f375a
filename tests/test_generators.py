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

# One case per generator: its name, its feed file under expected/, and the options of
# conftest.GeneratorCase that its feed needs.
CASES = [
    pytest.param({"name": "hugo", "feed": "index.xml"}, id="hugo"),
    # Jekyll's categories 'distributed systems' and 'distributed-systems' are two, in
    # two URLs; postfeed's category feeds would need one spelling for one folder.
    pytest.param(
        {
            "name": "jekyll",
            "feed": "feed.xml",
            "compare_updated": True,
            "config": "category_feeds: false\n",
        },
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
