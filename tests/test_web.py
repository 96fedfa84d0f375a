"""respond() and the conditional-request rules it shares with postfeed serve (RFC 9110)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

import postfeed
from postfeed.web import http_date, not_modified, parse_http_date, strong_etag

SITE = postfeed.Site(title="Web", url="https://web.example/", feeds_url="https://web.example/f/")
BERLIN = timezone(timedelta(hours=2))
POSTS = [
    postfeed.Post(
        slug="old",
        title="Old",
        published=datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
        updated=datetime(2025, 6, 7, 10, 11, 12, 500, tzinfo=BERLIN),
        markdown="Old, then [edited](/edit/).",
        tags=("news",),
    ),
    postfeed.Post(
        slug="new",
        title="New",
        published=datetime(2025, 1, 1, 9, 0, tzinfo=UTC),
        markdown="New.",
    ),
]
LAST_MODIFIED = "Sat, 07 Jun 2025 08:11:12 GMT"


def test_a_plain_request_gets_the_feed() -> None:
    """Without conditions the answer is 200 with render()'s bytes, a strong ETag from
    them, and the newest entry's updated as Last-Modified."""
    answer = postfeed.respond(SITE, POSTS, "atom")
    assert answer.status == 200
    assert answer.body == postfeed.render(SITE, POSTS, "atom")
    assert answer.media_type == "application/atom+xml; charset=utf-8"
    assert answer.etag == strong_etag(answer.body)
    assert answer.etag.startswith('"')
    assert answer.etag.endswith('"')
    assert len(answer.etag) == 34
    assert answer.last_modified == LAST_MODIFIED
    assert answer.headers == {
        "Content-Type": "application/atom+xml; charset=utf-8",
        "ETag": answer.etag,
        "Last-Modified": LAST_MODIFIED,
        "Cache-Control": "no-cache",
    }
    parsed = feedparser.parse(answer.body)
    assert not parsed.bozo
    assert parsed.feed.updated == "2025-06-07T10:11:12+02:00"


def test_every_format_and_tag() -> None:
    """Each format has its media type with a charset; tag gives the tag's feed."""
    media_types = {
        "rss": "application/rss+xml; charset=utf-8",
        "atom": "application/atom+xml; charset=utf-8",
        "json": "application/feed+json; charset=utf-8",
    }
    for name, media_type in media_types.items():
        answer = postfeed.respond(SITE, POSTS, name, tag="news")
        assert answer.media_type == media_type
        assert answer.body == postfeed.render(SITE, POSTS, name, tag="news")
    feed = json.loads(postfeed.respond(SITE, POSTS, "json", tag="news").body)
    assert [item["title"] for item in feed["items"]] == ["Old"]
    assert feed["feed_url"] == "https://web.example/f/tags/news/feed.json"


def test_if_none_match() -> None:
    """A matching If-None-Match, weakly compared, in a list, or *, gets a 304 with an
    empty body and the validators; any other tag gets the feed."""
    etag = postfeed.respond(SITE, POSTS).etag
    for value in (etag, f"W/{etag}", f'"other", {etag}', f' "a" ,W/{etag} ', "*"):
        answer = postfeed.respond(SITE, POSTS, if_none_match=value)
        assert (answer.status, answer.body) == (304, b""), value
        assert answer.headers == {
            "ETag": etag,
            "Last-Modified": LAST_MODIFIED,
            "Cache-Control": "no-cache",
        }
    for value in ('"other"', etag[:-2] + '"', "", etag.strip('"')):
        assert postfeed.respond(SITE, POSTS, if_none_match=value).status == 200, value


def test_if_modified_since() -> None:
    """If-Modified-Since at or after Last-Modified gets a 304, before it the feed."""
    for value in (LAST_MODIFIED, "Sat, 07 Jun 2025 08:11:13 GMT", "Fri, 01 Jan 2100 00:00:00 GMT"):
        assert postfeed.respond(SITE, POSTS, if_modified_since=value).status == 304, value
    earlier = "Sat, 07 Jun 2025 08:11:11 GMT"
    assert postfeed.respond(SITE, POSTS, if_modified_since=earlier).status == 200


def test_if_none_match_wins() -> None:
    """With both fields, If-None-Match alone decides (RFC 9110 13.2.2)."""
    etag = postfeed.respond(SITE, POSTS).etag
    stale = postfeed.respond(SITE, POSTS, if_none_match='"other"', if_modified_since=LAST_MODIFIED)
    assert stale.status == 200
    early = "Mon, 01 Jan 2001 00:00:00 GMT"
    fresh = postfeed.respond(SITE, POSTS, if_none_match=etag, if_modified_since=early)
    assert fresh.status == 304


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 01 Jan 99999999999 00:00:00 GMT",
        "Mon, 01 Jan 0000 00:00:00 GMT",
        "Sat, 31 Feb 2099 00:00:00 GMT",
        "Sat, 07 Jun 2099 25:00:00 GMT",
        "Sat, 07 Jun 2099 08:11:12 +0000",
        "Sat, 07 Jun 2099 08:11:12 GMT, Sat, 07 Jun 2099 08:11:12 GMT",
        "07 Jun 2099",
        "tomorrow",
        "",
    ],
)
def test_an_invalid_date_is_ignored(value: str) -> None:
    """An If-Modified-Since that is not one valid HTTP-date is ignored (RFC 9110
    13.1.3): the feed is sent, and nothing raises."""
    assert parse_http_date(value) is None
    assert postfeed.respond(SITE, POSTS, if_modified_since=value).status == 200


def test_the_three_forms_of_http_date() -> None:
    """IMF-fixdate, the obsolete RFC 850 form and asctime all read as the same instant."""
    moment = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == moment
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == moment
    assert parse_http_date("Sun Nov  6 08:49:37 1994") == moment
    assert parse_http_date("Thursday, 01-Jan-26 00:00:00 GMT") == datetime(2026, 1, 1, tzinfo=UTC)
    assert http_date(moment) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert http_date(
        datetime(1994, 11, 6, 9, 49, 37, 999, tzinfo=timezone(timedelta(hours=1)))
    ) == ("Sun, 06 Nov 1994 08:49:37 GMT")


@given(st.text(), st.text(), st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))))
def test_no_field_value_raises(
    if_none_match: str, if_modified_since: str, modified: datetime | None
) -> None:
    """Whatever a client sends, the rules answer without raising: If-None-Match matches
    only text naming the tag (or *), If-Modified-Since only a valid date at or after
    the modification."""
    if not_modified('"abc"', modified, if_none_match=if_none_match, if_modified_since=None):
        assert '"abc"' in if_none_match or "*" in if_none_match
    since = parse_http_date(if_modified_since)
    expected = (
        since is not None and modified is not None and modified.replace(microsecond=0) <= since
    )
    assert (
        not_modified('"abc"', modified, if_none_match=None, if_modified_since=if_modified_since)
        is expected
    )


def test_last_modified_is_never_the_clock() -> None:
    """Last-Modified comes from the entries: none for a feed without entries, and none
    for one whose newest entry is dated in the future (RFC 9110 8.8.2.1); the ETag
    still answers conditional requests."""
    empty = postfeed.respond(SITE, [])
    assert empty.status == 200
    assert empty.last_modified is None
    assert "Last-Modified" not in empty.headers
    assert postfeed.respond(SITE, [], if_modified_since=http_date(datetime.now(UTC))).status == 200
    ahead = postfeed.Post(
        slug="ahead", title="Ahead", published=datetime(2999, 1, 1, tzinfo=UTC), markdown="Soon."
    )
    future = postfeed.respond(SITE, [*POSTS, ahead])
    assert future.last_modified is None
    assert postfeed.respond(SITE, [*POSTS, ahead], if_none_match=future.etag).status == 304
    late = "Fri, 01 Jan 3000 00:00:00 GMT"
    assert postfeed.respond(SITE, [*POSTS, ahead], if_modified_since=late).status == 200


def test_a_changed_feed_is_never_not_modified() -> None:
    """An edit that moves updated changes both validators: the old ones get the feed."""
    before = postfeed.respond(SITE, POSTS)
    edited = [
        POSTS[0],
        postfeed.Post(
            slug="new",
            title="New",
            published=datetime(2025, 1, 1, 9, 0, tzinfo=UTC),
            updated=datetime(2025, 7, 1, tzinfo=UTC),
            markdown="New, edited.",
        ),
    ]
    after = postfeed.respond(
        SITE, edited, if_none_match=before.etag, if_modified_since=before.last_modified
    )
    assert after.status == 200
    assert after.etag != before.etag
    assert after.last_modified == "Tue, 01 Jul 2025 00:00:00 GMT"
    assert postfeed.respond(SITE, edited, if_modified_since=before.last_modified).status == 200


def test_unknown_format() -> None:
    """An unknown format is a ValueError, as for render()."""
    with pytest.raises(
        ValueError, match=r"^unknown format 'xml'; expected one of rss, atom, json$"
    ):
        postfeed.respond(SITE, POSTS, "xml")


def test_a_planned_feed_by_its_folder() -> None:
    """feed names a planned feed by its folder, as for render(); a folder with no feed
    is a ValueError."""
    answer = postfeed.respond(SITE, POSTS, "rss", feed="tags/news")
    assert answer.body == postfeed.render(SITE, POSTS, "rss", feed="tags/news")
    assert answer.body == postfeed.render(SITE, POSTS, "rss", tag="news")
    assert answer.last_modified == LAST_MODIFIED
    with pytest.raises(ValueError, match=r"^no feed is planned in 'tags/none'$"):
        postfeed.respond(SITE, POSTS, "rss", feed="tags/none")
