"""Feeds over HTTP: the answer to a feed request, with the conditional-request rules of
RFC 9110 that ``postfeed serve`` follows too. No I/O of its own, and never the clock in a header."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus

from ._text import MONTHS
from .formats import FORMATS
from .model import Post, Site
from .pipeline import render_feed

_CHARSET = "; charset=utf-8"
_MONTHS = tuple(month[:3] for month in MONTHS)
_MONTH = "(?P<month>" + "|".join(_MONTHS) + ")"
_TIME = r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)"
# RFC 9110 5.6.7: a recipient accepts all three forms of HTTP-date, always GMT.
_HTTP_DATES = (
    # IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    re.compile(
        rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?P<day>\d\d) {_MONTH} (?P<year>\d{{4}}) {_TIME} GMT"
    ),
    # rfc850-date (obsolete): Sunday, 06-Nov-94 08:49:37 GMT
    re.compile(
        rf"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (?P<day>\d\d)-{_MONTH}"
        rf"-(?P<year>\d\d) {_TIME} GMT"
    ),
    # asctime-date (obsolete): Sun Nov  6 08:49:37 1994
    re.compile(
        rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) {_MONTH} (?P<day>[ \d]\d) {_TIME} (?P<year>\d{{4}})"
    ),
)


def strong_etag(data: bytes) -> str:
    """A strong entity tag for these bytes (RFC 9110 8.8.3): a quoted hash of them."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def http_date(moment: datetime) -> str:
    """An aware datetime as an HTTP-date (IMF-fixdate), such as ``Sun, 06 Nov 1994
    08:49:37 GMT``; whole seconds."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def parse_http_date(text: str) -> datetime | None:
    """An HTTP-date in any of its three forms (RFC 9110 5.6.7) as a UTC datetime, or
    None when the text is not one (nor a date that exists)."""
    for form in _HTTP_DATES:
        match = form.fullmatch(text.strip(" \t"))
        if match is None:
            continue
        year = int(match["year"])
        if len(match["year"]) == 2:
            # RFC 9110 5.6.7 reads a two-digit year as the latest past year with those
            # digits; without the clock, 70 to 99 are 1970 to 1999, the rest 2000 on.
            year += 1900 if year >= 70 else 2000
        try:
            return datetime(
                year,
                _MONTHS.index(match["month"]) + 1,
                int(match["day"]),
                int(match["hour"]),
                int(match["minute"]),
                int(match["second"]),
                tzinfo=UTC,
            )
        except ValueError:  # 31 Feb, 25:00:00, year 0, ...
            return None
    return None


def not_modified(
    etag: str,
    modified: datetime | None,
    *,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> bool:
    """Whether a GET or HEAD with these request fields is answered 304 Not Modified, for
    a representation with this ``etag`` last modified at ``modified`` (None when no
    ``Last-Modified`` is sent).

    RFC 9110 13.2.2: If-None-Match, when present, decides alone, by weak comparison
    (13.1.2); else If-Modified-Since, unless it is not a single valid HTTP-date
    (13.1.3), in which case it is ignored.
    """
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag.removeprefix("W/") in tags
    if if_modified_since is None or modified is None:
        return False
    since = parse_http_date(if_modified_since)
    if since is None:
        return False
    # Last-Modified has whole seconds: compare what was sent.
    return modified.replace(microsecond=0) <= since


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedResponse:
    """What a web application answers a request for a feed with.

    ``status`` is 200 (``body`` is the feed) or 304 Not Modified (``body`` is
    empty). ``etag`` is strong, from the feed's bytes; ``last_modified`` the
    newest entry's ``updated`` as an HTTP-date, or None for a feed without
    entries. ``headers`` are the fields to send, Content-Type included for 200.
    """

    status: int
    body: bytes
    media_type: str
    etag: str
    last_modified: str | None

    @property
    def headers(self) -> dict[str, str]:
        """Content-Type (for 200), ETag, Last-Modified when known, and Cache-Control:
        ``no-cache``, so that caches ask again each time (and get a 304 while the
        feed is unchanged)."""
        fields = {"Content-Type": self.media_type} if self.status == HTTPStatus.OK else {}
        fields["ETag"] = self.etag
        if self.last_modified is not None:
            fields["Last-Modified"] = self.last_modified
        fields["Cache-Control"] = "no-cache"
        return fields


def respond(
    site: Site,
    posts: Sequence[Post],
    format: str = "atom",
    *,
    tag: str | None = None,
    feed: str | None = None,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
) -> FeedResponse:
    """The answer to a GET (or HEAD) of the feed :func:`postfeed.render` renders from
    the same arguments, given the request's ``If-None-Match`` and
    ``If-Modified-Since`` fields (None when absent).

    ``Last-Modified`` is the newest entry's ``updated``, never the clock: a change
    that does not move it (an edit that keeps ``updated``, a post removed) is seen
    only through the ``ETag``, which readers that have one send instead. A feed
    whose newest entry is dated in the future gets no ``Last-Modified``, which
    RFC 9110 8.8.2.1 forbids to be later than the response.

    Raises:
        ValueError: an unknown format, or no feed is planned in ``feed``.
        PostErrors: the plan cannot be made (see :func:`postfeed.plan`).
    """
    made, body = render_feed(site, posts, format, tag=tag, feed=feed)
    etag = strong_etag(body)
    modified = made.updated
    if modified is not None and modified > datetime.now(UTC):
        modified = None
    media_type = FORMATS[format].media_type + _CHARSET
    last_modified = None if modified is None else http_date(modified)
    if not_modified(
        etag, modified, if_none_match=if_none_match, if_modified_since=if_modified_since
    ):
        status, body = HTTPStatus.NOT_MODIFIED, b""
    else:
        status = HTTPStatus.OK
    return FeedResponse(
        status=int(status),
        body=body,
        media_type=media_type,
        etag=etag,
        last_modified=last_modified,
    )
