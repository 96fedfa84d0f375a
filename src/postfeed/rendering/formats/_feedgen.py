"""Feed to RSS 2.0 and Atom 1.0 bytes through feedgen, whose quirks and ``Any``s stay here.

Every feedgen call lives in this module. No file I/O, and never the clock: every
date feedgen would default to ``now()`` is set from the feed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from postfeed.formats import FORMATS
from postfeed.model import Author, Entry, Feed, PublishedEntry

_RSS, _ATOM = FORMATS["rss"], FORMATS["atom"]

GENERATOR_NAME = "postfeed"

# Written when a feed has no entries: a fixed date, so the bytes never depend on the clock.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_ATOM_NS = "http://www.w3.org/2005/Atom"
# RFC 5005: the namespace of <fh:archive/>, which marks an archive document.
FH_NS = "http://purl.org/syndication/history/1.0"
_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_MEDIA_NS = "http://search.yahoo.com/mrss/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# feedgen's methods that build the tree its atom_str() and rss_str() serialize.
BUILDERS = {"atom": "_create_atom", "rss": "_create_rss"}

# Where entries start in a pretty-printed document (the start tag's name, which ends
# with ">" or with a space before its attributes), and what follows the last one.
_ATOM_CUT = (b"\n  <entry", b"</feed>\n")
_RSS_CUT = (b"\n    <item", b"  </channel>\n</rss>\n")

# We parse only what feedgen just serialized; still, never resolve entities or fetch.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

# RSS elements holding plain text (not HTML), as serialized by lxml: text only, no children.
_RSS_PLAIN_TEXT = re.compile(
    r"(<(title|category|dc:creator|author|generator)(?:\s[^>]*)?>)([^<]*)(</\2>)"
)
# RSS Advisory Board profile, "Character Data": encode & and < in plain text as
# hexadecimal character references (and > as &#x3E;).
_HEX_REFERENCES = (("&amp;", "&#x26;"), ("&lt;", "&#x3C;"), ("&gt;", "&#x3E;"))


def render_atom(feed: Feed) -> bytes:
    """Render ``feed`` as an Atom 1.0 document (RFC 4287)."""
    head, tail = atom_head_tail(feed)
    return head + b"".join(atom_items(feed.entries)) + tail


def render_rss(feed: Feed) -> bytes:
    """Render ``feed`` as an RSS 2.0 document (RSS Advisory Board profile)."""
    head, tail = rss_head_tail(feed)
    return head + b"".join(rss_items(feed.entries)) + tail


def atom_head_tail(feed: Feed) -> tuple[bytes, bytes]:
    """The Atom document of ``feed`` without its entries, split where they go."""
    fg = _generator(feed, _ATOM.filename, _ATOM.media_type)
    if feed.hub:
        # WebSub 4: the hub link; after self and alternate, so it never becomes RSS <link>.
        fg.link(href=feed.hub, rel="hub")
    for rel, href in _archive_links(feed, _ATOM.filename):
        fg.link(href=href, rel=rel)
    _load_history(fg, feed)
    _load_media(fg, feed.entries)
    if feed.description:
        fg.subtitle(feed.description)
    if feed.author is not None:
        fg.author(_person(feed.author))
    elif not feed.entries or any(not entry.authors for entry in feed.entries):
        # RFC 4287 4.1.1: a feed needs an author unless every entry has one. The
        # W3C validator also wants one on a feed without entries.
        fg.author({"name": feed.title})
    head, _, tail = _cut(_serialize(_tree(fg, "atom")), _ATOM_CUT)
    return head, tail


def atom_items(entries: Sequence[Entry]) -> list[bytes]:
    """Each entry as an Atom ``<entry>``, exactly as it appears in a document."""
    if not entries:
        return []
    fg = _scratch()
    _load_media(fg, entries)
    for entry in entries:
        fe = _add_entry(fg, entry)
        for author in entry.authors:
            fe.author(_person(author))
        # type="html", never feedgen's type="CDATA", which is not an Atom type.
        if entry.summary_html:
            fe.summary(entry.summary_html, type="html")
        if entry.content_html:
            fe.content(entry.content_html, type="html")
        if entry.image is not None:
            _thumbnail(fe, entry)

    root = _tree(fg, "atom")
    # feedgen's own tree has its Atom elements in no namespace (its root declares the
    # default one, so the text it writes is right); parsed back, they are in Atom's.
    elements = root.iterfind("{*}entry")
    for element, entry in zip(elements, entries, strict=True):
        # feedgen 1.0.0 drops rel and type from entry links: its loop rebinds `link`
        # to the new element and then reads the attributes back from that element.
        links = list(element.iterfind("{*}link"))
        for link in links:
            link.set("rel", "alternate")
            link.set("type", "text/html")
        image = entry.image
        if image is not None and image.length is not None and image.media_type is not None:
            # RFC 4287 4.2.7.2: rel="enclosure", with the length in bytes.
            enclosure = etree.Element(links[-1].tag)
            enclosure.set("rel", "enclosure")
            enclosure.set("type", image.media_type)
            enclosure.set("length", str(image.length))
            enclosure.set("href", image.url)
            enclosure.tail = links[-1].tail
            links[-1].addnext(enclosure)
        element.find("{*}title").set("type", "text")
        if entry.language is not None:
            # RFC 4287 2: xml:lang on any element gives the language of what it holds.
            element.set(_XML_LANG, entry.language)
    _, items, _ = _cut(_serialize(root), _ATOM_CUT)
    return items


def rss_head_tail(feed: Feed) -> tuple[bytes, bytes]:
    """The RSS document of ``feed`` without its items, split where they go."""
    fg = _generator(feed, _RSS.filename, _RSS.media_type)
    fg.load_extension("dc", atom=False, rss=True)
    _load_history(fg, feed)
    _load_media(fg, feed.entries)
    # RSS requires a channel description; feedgen refuses an empty one.
    fg.description(feed.description or feed.title)
    root = _tree(fg, "rss")
    # WebSub 4 and RFC 5005 appendix B: RSS carries the hub and the archive links as
    # atom:link elements, after the self link.
    extra = [("hub", feed.hub)] if feed.hub else []
    extra += _archive_links(feed, _RSS.filename)
    last = root.find(f"channel/{{{_ATOM_NS}}}link")
    for rel, href in extra:
        link = etree.Element(f"{{{_ATOM_NS}}}link")
        link.set("href", href)
        link.set("rel", rel)
        link.tail = last.tail
        last.addnext(link)
        last = link
    head, _, tail = _cut(_serialize(root), _RSS_CUT)
    return _plain_text(head), tail


def rss_items(entries: Sequence[Entry]) -> list[bytes]:
    """Each entry as an RSS ``<item>``, exactly as it appears in a document."""
    if not entries:
        return []
    fg = _scratch()
    # Before any add_entry(): feedgen gives each new entry the loaded extensions.
    fg.load_extension("dc", atom=False, rss=True)
    _load_media(fg, entries)
    for entry in entries:
        fe = _add_entry(fg, entry)
        fe.guid(entry.id, permalink=entry.id == entry.url)
        if len(entry.authors) == 1 and entry.authors[0].email:
            fe.author(_person(entry.authors[0]))
        else:
            # RSS <author> must be an e-mail address, so feedgen drops name-only authors,
            # and an item has one <author> at most: Dublin Core's creator takes a plain
            # name, once per author (the W3C validator warns when an item has both).
            for author in entry.authors:
                fe.dc.dc_creator(author.name)
        if entry.language is not None:
            # RSS 2.0 has a channel language only; Dublin Core's is per item.
            fe.dc.dc_language(entry.language)
        if entry.summary_html:
            fe.summary(entry.summary_html)
        if entry.content_html:
            fe.content(entry.content_html)
        if entry.image is not None:
            _thumbnail(fe, entry)
            if entry.image.length is not None and entry.image.media_type is not None:
                # RSS 2.0: an enclosure needs all three of url, length and type.
                fe.enclosure(
                    url=entry.image.url, length=str(entry.image.length), type=entry.image.media_type
                )

    root = _tree(fg, "rss")
    for item, entry in zip(root.iterfind("channel/item"), entries, strict=True):
        if entry.content_html and not entry.summary_html:
            # Without a description, feedgen writes the content as <description>.
            item.find("description").tag = f"{{{_CONTENT_NS}}}encoded"
    _, items, _ = _cut(_serialize(root), _RSS_CUT)
    return [_plain_text(item) for item in items]


def _tree(fg: Any, kind: str) -> Any:
    """The lxml tree feedgen builds for ``kind`` ("atom" or "rss"). Its atom_str() and
    rss_str() only serialize that tree, which would then be parsed back to be
    fixed; when feedgen has the method that builds it (1.0.0 has), it is taken as
    it is, which takes about 40% off formatting an entry."""
    create = getattr(fg, BUILDERS[kind], None)
    if create is not None:
        return create()[0]
    return etree.fromstring(getattr(fg, f"{kind}_str")(), _PARSER)


def _cut(document: bytes, cut: tuple[bytes, bytes]) -> tuple[bytes, list[bytes], bytes]:
    """Split a serialized document into what comes before its entries, each entry
    (with its indentation and line end) and what follows them.

    Every ``<`` lxml writes starts markup (it escapes ``<`` in text and
    attributes), and entries are the only elements at their indentation with
    their name, so the cut never falls inside one.
    """
    opening, tail = cut
    assert document.endswith(tail), "lxml's pretty printing changed"
    body = document[: -len(tail)]
    starts = []
    at = body.find(opening)
    while at != -1:
        if body[at + len(opening) : at + len(opening) + 1] in (b">", b" "):
            starts.append(at + 1)  # after the line end before the entry
        at = body.find(opening, at + 1)
    if not starts:
        return body, [], tail
    ends = [*starts[1:], len(body)]
    return body[: starts[0]], [body[a:b] for a, b in zip(starts, ends, strict=True)], tail


def _scratch() -> Any:
    """A generator whose feed-level fields only satisfy feedgen: entries are formatted
    in it and taken out, and everything else it writes is thrown away."""
    fg = FeedGenerator()
    fg.id("urn:postfeed:scratch")
    fg.title("scratch")
    fg.link(href="urn:postfeed:scratch")
    fg.description("scratch")
    fg.updated(EPOCH)
    return fg


def _plain_text(xml: bytes) -> bytes:
    """RSS plain-text elements with the profile's hexadecimal character references."""
    return _RSS_PLAIN_TEXT.sub(_hex_references, xml.decode("utf-8")).encode("utf-8")


def _generator(feed: Feed, filename: str, media_type: str) -> Any:
    """Start a feedgen generator with the metadata both XML formats share."""
    fg = FeedGenerator()
    fg.id(feed.id)
    fg.title(feed.title)
    # feedgen's RSS <link> is the last link added, so self goes first.
    fg.link(href=feed.base_url + filename, rel="self", type=media_type)
    fg.link(href=feed.home_url, rel="alternate", type="text/html")
    if feed.language:
        fg.language(feed.language)
    # feedgen defaults updated/lastBuildDate to now(); always set it.
    fg.updated(_instant(feed.updated or EPOCH))
    # No version attribute: the output must not change with the tool's version.
    fg.generator(GENERATOR_NAME, uri=feed.generator_uri)
    return fg


def _archive_links(feed: Feed, filename: str) -> list[tuple[str, str]]:
    """RFC 5005 section 4's links of a document, in this format: the subscription
    document (``current``), then the archive pages before and after it."""
    links = [
        ("current", feed.current),
        ("prev-archive", feed.prev_archive),
        ("next-archive", feed.next_archive),
    ]
    return [(rel, folder + filename) for rel, folder in links if folder is not None]


class _History(BaseExtension):  # type: ignore[misc]  # feedgen ships no type hints
    """RFC 5005's <fh:archive/>, in an archive document's feed or channel element."""

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FH_NS}

    def extend_atom(self, feed: Any) -> Any:
        etree.SubElement(feed, f"{{{FH_NS}}}archive")
        return feed

    def extend_rss(self, feed: Any) -> Any:
        etree.SubElement(feed.find("channel"), f"{{{FH_NS}}}archive")
        return feed


def _load_history(fg: Any, feed: Feed) -> None:
    """Mark an archive document (RFC 5005 section 4); other documents keep their bytes."""
    if feed.archive:
        fg.register_extension("fh", _History, None)


def _load_media(fg: Any, entries: Sequence[Entry]) -> None:
    """Load Media RSS when an entry has an image (before any add_entry(): feedgen gives
    each new entry the loaded extensions). Feeds without images keep their bytes."""
    if any(entry.image is not None for entry in entries):
        fg.load_extension("media")


def _thumbnail(fe: Any, entry: Entry) -> None:
    assert entry.image is not None
    # group=None puts media:thumbnail straight in the entry, not in a media:group.
    fe.media.thumbnail(url=entry.image.url, group=None)


def _add_entry(fg: Any, entry: Entry) -> Any:
    """Append an entry with the fields both XML formats share."""
    # add_entry() prepends by default; the caller already ordered the entries.
    fe = fg.add_entry(order="append")
    fe.id(entry.id)
    fe.title(entry.title)
    fe.link(href=entry.url, rel="alternate", type="text/html")
    fe.published(_instant(entry.published))
    # feedgen defaults an entry's updated to now(); always set it.
    fe.updated(_instant(entry.updated))
    for tag in entry.tags:
        fe.category(term=tag)
    for category in entry.categories:
        # The scheme tells a category from a tag (RSS domain, Atom scheme).
        fe.category(term=category, scheme=entry.category_scheme)
    return fe


def _person(author: Author) -> dict[str, str]:
    """Return feedgen's author dict, leaving out fields we do not have."""
    person = {"name": author.name}
    if author.email:
        person["email"] = author.email
    if author.uri:
        person["uri"] = author.uri
    return person


def _instant(value: datetime) -> datetime:
    """Drop microseconds, keeping the datetime's own offset."""
    return value.replace(microsecond=0)


def _serialize(root: Any) -> bytes:
    """Serialize a tree as pretty-printed UTF-8 with an XML declaration."""
    xml: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return xml


def _hex_references(match: re.Match[str]) -> str:
    """Rewrite one plain-text element's escapes as hexadecimal character references."""
    start, _, text, end = match.groups()
    for escape, reference in _HEX_REFERENCES:
        text = text.replace(escape, reference)
    return start + text + end


def read_atom(source: bytes | BinaryIO) -> tuple[PublishedEntry, ...]:
    """The entries of an Atom document (bytes, or a binary file read as it is parsed):
    id, title and publish date (else updated).

    Raises:
        ValueError: the bytes are not an Atom feed.
    """
    result = []
    for element in _entries(source, f"{{{_ATOM_NS}}}feed", f"{{{_ATOM_NS}}}entry"):
        stamp = element.findtext(f"{{{_ATOM_NS}}}published") or element.findtext(
            f"{{{_ATOM_NS}}}updated"
        )
        result.append(
            PublishedEntry(
                id=(element.findtext(f"{{{_ATOM_NS}}}id") or "").strip(),
                title=element.findtext(f"{{{_ATOM_NS}}}title") or "",
                published=_read_date(stamp, datetime.fromisoformat),
            )
        )
    return tuple(result)


def read_rss(source: bytes | BinaryIO) -> tuple[PublishedEntry, ...]:
    """The items of an RSS document (bytes, or a binary file read as it is parsed):
    guid (else link), title and pubDate.

    Raises:
        ValueError: the bytes are not an RSS feed.
    """
    # Only the id guard reads RSS: a process that only writes feeds skips its import.
    from email.utils import parsedate_to_datetime

    result = []
    for item in _entries(source, "rss", "item", parent="channel"):
        result.append(
            PublishedEntry(
                id=(item.findtext("guid") or item.findtext("link") or "").strip(),
                title=item.findtext("title") or "",
                published=_read_date(item.findtext("pubDate"), parsedate_to_datetime),
            )
        )
    return tuple(result)


def _entries(
    source: bytes | BinaryIO, root_tag: str, entry_tag: str, parent: str | None = None
) -> Iterator[Any]:
    """Each entry element of a feed document, children of the root (or of its ``parent``
    child), parsed as the document is read: each is emptied once the caller is done
    with it, so that a feed of every post is never held whole (the id guard reads the
    files a build replaces).

    Raises:
        ValueError: the document is not well-formed, or its root is not ``root_tag``.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    events = etree.iterparse(
        stream, events=("start", "end"), resolve_entities=False, no_network=True
    )
    depth = 0
    level = 1 if parent is None else 2  # how deep the entries lie, below the root
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != root_tag:
                    raise ValueError(f"expected a <{root_tag}> document, got <{element.tag}>")
                continue
            depth -= 1
            if depth != level:
                continue
            if element.tag == entry_tag and (parent is None or element.getparent().tag == parent):
                yield element
            # Done with it: its text and children go, and so do the siblings before it.
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as err:
        raise ValueError(f"not well-formed XML: {err}") from err
    if depth:
        raise ValueError("not well-formed XML: the document ends early")


def _read_date(text: str | None, parse: Any) -> datetime | None:
    if not text:
        return None
    try:
        value: datetime = parse(text.strip())
    except (ValueError, TypeError):
        return None
    return value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
