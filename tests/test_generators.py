"""postfeed reads each site generator's sample site where it stands and gives every
post the entry the generator's own feed has: the same entries, ids, links and dates,
and full content (see compare_with_generator in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

# One case per generator: its name, its feed file under expected/, and the options of
# conftest.GeneratorCase that its feed needs.
CASES = [
    pytest.param({"name": "hugo", "feed": "index.xml"}, id="hugo"),
]


@pytest.mark.parametrize("case", CASES)
def test_same_entries_as_the_generator(
    case: dict[str, Any], compare_generator: Callable[..., Any]
) -> None:
    """Entry by entry, postfeed's feed has the generator's ids, links and dates."""
    comparison = compare_generator(**case)
    assert comparison.pairs
