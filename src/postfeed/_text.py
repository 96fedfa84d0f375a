"""Text rules every stage shares: what XML allows, what counts as an absolute web
address, and how a name becomes a safe file or folder name. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

# XML 1.0 allows tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD and U+10000-U+10FFFF: the
# other C0 controls, the surrogates, U+FFFE and U+FFFF are dropped, and so are DEL and
# the C1 controls (U+007F-U+009F), which XML 1.0 discourages and readers such as
# feedparser turn into Windows-1252 letters (U+0080 becomes a euro sign). Written as the
# characters dropped: every build compiles it, and a class of a few short ranges
# compiles in a tenth of the time the class of those allowed takes.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NOT_SLUG = re.compile(r"[^\w]+|_+")
# Control characters, and the marks that reorder how a terminal shows the text around them.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: The months in English, for dates written out as people (and some generators) write them.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Device names Windows refuses as file or folder names, whatever the extension. Feeds
#: are often synced or served from Windows, so they are refused everywhere.
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{name}{i}" for name in ("com", "lpt") for i in range(10)}
)


def xml_safe(text: str) -> str:
    """Drop every character XML 1.0 forbids or discourages (C0 and C1 controls but tab and
    line ends, U+FFFE, U+FFFF, lone surrogates)."""
    # Every character dropped is one Python calls unprintable (a control, a surrogate or
    # a noncharacter), and most titles, ids and names have none: checked in C at once.
    return text if text.isprintable() else _NOT_XML.sub("", text)


def printable(text: str, limit: int) -> str:
    """Text another party wrote, made safe to print on a terminal: every run of white
    space becomes one space, every other control character (such as the ESC that starts
    a terminal's escape codes) is dropped, and beyond ``limit`` characters the text is
    cut and ends in ``...``."""
    text = _UNPRINTABLE.sub("", " ".join(text.split()))
    return text if len(text) <= limit else text[: max(limit - 3, 0)].rstrip() + "..."


def is_absolute_http(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def slugify(text: str) -> str:
    """Lowercase, accents folded, every run of other characters turned into one ``-``."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")
    return unicodedata.normalize("NFC", slug)


@lru_cache(maxsize=4096)  # an archive repeats a few tags many times
def tag_slug(tag: str) -> str:
    """A tag as a safe folder name: lowercase, ASCII-folded where possible,
    words joined by ``-``; '' when nothing usable is left.

    The result never contains ``/``, ``\\``, ``.`` or NUL, so it cannot leave
    the folder it is used in.
    """
    slug = slugify(tag)
    return slug + "-tag" if slug in RESERVED_NAMES else slug


def title_slug(title: str) -> str:
    """A post title as a file name, by the rules of :func:`tag_slug`."""
    slug = slugify(title)
    return slug + "-post" if slug in RESERVED_NAMES else slug
