"""The HTML of every entry made safe to show: every nh3 (Ammonia) call lives here.

Feed readers show an entry's HTML inside their own pages, and web-based readers have
a long record of cross-site scripting bugs, so a feed carries no active content.
What is not on the allowlist below goes: scripts and styles with their content;
forms, ``object``, ``embed``, ``base``, ``meta`` and every other unknown tag, whose
text stays; event handlers and every other unknown attribute; URLs whose scheme is
not on Ammonia's list of ordinary ones (``http``, ``https``, ``mailto``, ``tel``,
``ftp`` and the like), so ``javascript:``, ``vbscript:`` and ``data:``; comments.
What authors embed stays: images, figures, tables, code, ``details``, audio and
video, ``iframe`` whose source is ``https``, and the checkboxes of task lists (an
``input`` is always a checkbox; with no form around it, it sends nothing).

The output is Ammonia's own serialisation of the HTML it parsed, never the input's
bytes: a reader's parser then sees what the sanitizer saw.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from .. import _cache

if TYPE_CHECKING:
    import nh3

#: Tags kept besides nh3's defaults (which hold text, lists, tables, figures, details).
EXTRA_TAGS = frozenset({"audio", "iframe", "input", "picture", "source", "track", "video"})
#: Attributes kept on every tag besides nh3's ``lang`` and ``title``: Python-Markdown's
#: footnotes, fenced code and ``attr_list`` write ``id`` and ``class``, its tables
#: ``style`` (which keeps only the properties below).
GENERIC_ATTRIBUTES = frozenset({"class", "dir", "id", "lang", "style", "title"})
#: Attributes kept on some tags besides nh3's defaults.
EXTRA_ATTRIBUTES = {
    "a": frozenset({"rel"}),
    "img": frozenset({"decoding", "loading", "sizes", "srcset"}),
    "iframe": frozenset(
        {"allow", "allowfullscreen", "frameborder", "height", "loading", "referrerpolicy", "src"}
        | {"width"}
    ),
    "video": frozenset(
        {"controls", "height", "loop", "muted", "playsinline", "poster", "preload", "src"}
        | {"width"}
    ),
    "audio": frozenset({"controls", "loop", "muted", "preload", "src"}),
    "details": frozenset({"open"}),
    # The checkboxes task lists are written with (GitHub-style Markdown, pymdownx).
    "input": frozenset({"checked", "disabled"}),
    "source": frozenset({"media", "sizes", "src", "srcset", "type"}),
    "track": frozenset({"default", "kind", "label", "src", "srclang"}),
}
#: CSS properties kept in a ``style`` attribute: alignment (Python-Markdown's tables)
#: and colour. Nothing that moves or covers the page around the entry.
STYLE_PROPERTIES = frozenset({"background-color", "color", "text-align"})


@cache
def settings() -> str:
    """What cleaned HTML depends on besides the input: the installed nh3 (looked up
    once: the nh3 a process cleans with is the one it loaded). The allowlist is
    postfeed's code, which the cache's fingerprint covers."""
    return _cache.installed("nh3")


def clean(html: str) -> str:
    """``html`` with everything but the allowlist removed."""
    return _cleaner().clean(html)


@cache
def _cleaner() -> nh3.Cleaner:
    """The one cleaner of this process, made on first use."""
    # Imported here: a build whose HTML all comes from the cache never needs it.
    import nh3

    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in EXTRA_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(names)
    attributes["*"] = set(GENERIC_ATTRIBUTES)
    return nh3.Cleaner(
        tags=nh3.ALLOWED_TAGS | EXTRA_TAGS,
        attributes=attributes,
        attribute_filter=_attribute,
        # Ammonia adds rel="noopener noreferrer" to every link by default, for links
        # that open a new window; target is not kept, so no link can.
        link_rel=None,
        # Every input is a checkbox (a task list's), whatever type it said it was.
        set_tag_attribute_values={"input": {"type": "checkbox"}},
        filter_style_properties=set(STYLE_PROPERTIES),
    )


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    """An ``iframe`` keeps its ``src`` only for an ``https`` address: a frame of a
    plain ``http`` page can be altered on its way."""
    if tag == "iframe" and attribute == "src":
        return value if value.strip().lower().startswith("https://") else None
    return value
