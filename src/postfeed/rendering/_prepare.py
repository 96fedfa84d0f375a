"""Entry parts for the posts the feeds show, each made once: from the cache, or
rendered in this process or in worker processes, which format each new entry in
every output format while they have it. The parts never depend on the path
taken; the cache is only a shortcut to the same text.

The building process keeps each entry's summary, which the index page shows, but
not its content: a new entry comes back already formatted, and an unchanged one
is taken from the feed file the last build wrote. Only an entry some file needs
formatted again gets its content made (:func:`complete`), from the rendered HTML
the cache holds.

Two kinds of cached values: rendered HTML by a digest of the Markdown and the
renderer's settings, and finished summaries by body, summary and URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .. import _workers
from .._cache import Cache
from .._workers import Workers
from ..formats import FORMATS
from ..model import Entry, MarkdownProfile, Post, Progress, Site
from ..reading._records import digest
from ..reading.scan import Archive
from . import markup
from .entries import (
    EntryParts,
    bare_entry,
    entry_key,
    finish,
    finishing,
    link_root,
    summary_markdown,
    with_parts,
)

HTML = "html"
PARTS = "parts"
_CHUNK = 16  # posts per call at most: bodies are held briefly, and no call runs long

# One job item: url, body html or None, body Markdown or None, summary html or None,
# summary Markdown or None, and the entry without its parts.
_Item = tuple[str, str | None, str | None, str | None, str | None, Entry]
# One result: the summary (HTML and text), the body and summary HTML if they were
# rendered, and the entry's bytes in each format asked for.
_Result = tuple[tuple[str, str], str | None, str | None, tuple[bytes, ...]]
#: Pieces of feed files: an entry's bytes by format name and entry key.
Pieces = dict[tuple[str, str], bytes]


@dataclass(slots=True)
class _Job:
    post: Post
    bare: Entry
    body_key: str | None  # None while the body is unread and its digest unknown
    summary: str | None
    finishing: str  # entries.finishing(): whether and how the HTML is cleaned
    body_html: str | None = None
    body_markdown: str | None = None
    summary_html: str | None = None

    def parts_key(self) -> str | None:
        if self.body_key is None:
            return None
        summary = "" if self.summary is None else digest(self.summary)
        return digest(f"{self.bare.url}\0{self.body_key}\0{summary}\0{self.finishing}")


@dataclass(slots=True)
class Prepared:
    """The entry parts :func:`prepare` made, by slug: their summary but no content
    (see :func:`prepare`), and the parts key of each (what they are made from);
    each new entry's bytes in every format; each post's body key (what its
    rendered HTML is cached by), by slug; and how many Markdown texts it rendered."""

    parts: dict[str, EntryParts] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    pieces: Pieces = field(default_factory=dict)
    body_keys: dict[str, str] = field(default_factory=dict)
    renders: int = 0


def prepare(
    site: Site,
    posts: Sequence[tuple[Post, bool]],
    *,
    read_body: Callable[[Post], str | None],
    cache: Cache | None = None,
    archive: Archive | None = None,
    workers: Workers | None = None,
    progress: Progress | None = None,
    formats: Sequence[str] = (),
) -> Prepared:
    """The entry parts of every post in ``posts`` (each with whether its entry is
    summary-only), made once per post. The parts hold the summary but no content
    (``content_html`` is None): posts made now are formatted in each of
    ``formats`` instead, and :func:`complete` makes the content of any other entry
    that must be formatted.

    ``progress``, when given, is called as ``progress("render", done, total)`` as
    entries are made (those the cache holds count at once).

    Raises:
        PostErrors: a post's file cannot be read, or changed during the build.
    """
    settings = markup.renderer_settings(site.markdown)
    root = link_root(site)
    how = finishing(site)
    jobs: list[_Job] = []
    slugs: set[str] = set()
    for post, summary_only in posts:
        if post.slug not in slugs:  # as EntryMaker, one entry per slug: the first post's
            slugs.add(post.slug)
            bare = bare_entry(site, post, summary_only=summary_only)
            body_key = _body_key(post, archive)
            jobs.append(_Job(post, bare, body_key, summary_markdown(post), how))
    total = len(jobs)
    prepared = Prepared()
    if cache is not None:
        jobs = _from_cache(jobs, prepared, cache, settings)
    done_count = total - len(jobs)
    if progress is not None and done_count:
        progress("render", done_count, total)
    seconds = sum(_estimate(job, archive, len(formats)) for job in jobs)
    parallel = workers is not None and workers.worth(seconds)
    # Shared out, calls get smaller as the work left does, so that a few dozen posts
    # still make a few calls for each process and no process waits long at the end.
    share = 4 * workers.count if workers and parallel else 1
    chunks = _items(jobs, read_body, cache, settings, share)
    if workers is not None and parallel:
        done = workers.map(
            _run_in_worker,
            ((chunk, tuple(formats), site.markdown, root, site.sanitize) for chunk in chunks),
        )
    else:
        renderer = markup.Renderer.lazily(site.markdown)
        done = (_run(chunk, renderer, formats, root, site.sanitize) for chunk in chunks)
    results = (result for chunk in done for result in chunk)
    for job, (parts, body_html, summary_html, pieces) in zip(jobs, results, strict=True):
        prepared.renders += (body_html is not None) + (summary_html is not None)
        slug = job.post.slug
        prepared.parts[slug] = EntryParts(*parts, None)
        key = job.parts_key()
        if key is not None:
            prepared.keys[slug] = key
            made = entry_key(key, job.bare)
            for name, piece in zip(formats, pieces, strict=True):
                prepared.pieces[name, made] = piece
        if job.body_key is not None:
            prepared.body_keys[slug] = job.body_key
        done_count += 1
        if progress is not None:
            progress("render", done_count, total)
        if cache is None:
            continue
        if body_html is not None and job.body_key is not None:
            cache.put(HTML, _html_key(settings, job.body_key), body_html)
        if summary_html is not None and job.summary is not None:
            cache.put(HTML, _html_key(settings, "md:" + digest(job.summary)), summary_html)
        if key is not None:
            cache.put(PARTS, key, list(parts))
            cache.keep_only(PARTS, [key])
        cache.keep_only(HTML, _html_keys(job, settings))
    return prepared


def complete(
    entries: Sequence[Entry],
    posts: Mapping[str, Post],
    body_html: Callable[[Post], str],
    cache: Cache | None,
    body_keys: Mapping[str, str],
    site: Site,
) -> list[Entry]:
    """``entries`` with their content (unless summary-only), made from each post's
    rendered HTML, taken from the cache or else from ``body_html``. ``posts`` gives
    each entry's post by the entry's id, and ``body_keys`` each post's body key by
    slug (see :class:`Prepared`)."""
    settings = markup.renderer_settings(site.markdown)
    root = link_root(site)
    keys = {}
    for entry in entries:
        body_key = body_keys.get(posts[entry.id].slug)
        if body_key is not None and body_key.startswith("md:") and not entry.summary_only:
            keys[entry.id] = _html_key(settings, body_key)
    found = cache.get(HTML, keys.values()) if cache is not None and keys else {}
    result = []
    for entry in entries:
        if entry.summary_only:
            result.append(entry)
            continue
        html = found.get(keys.get(entry.id, ""))
        if not isinstance(html, str):
            html = body_html(posts[entry.id])
        # The summary, made beforehand, does not change the content.
        content = finish(html, None, entry.url, root, clean=site.sanitize).content_html
        result.append(replace(entry, content_html=content))
    return result


def _body_key(post: Post, archive: Archive | None) -> str | None:
    if post.html is not None:
        return "html:" + digest(post.html)
    if post.markdown is not None:
        return "md:" + digest(post.markdown)
    if post.body_offset is not None and post.source is not None:
        known = archive.body_digest(post) if archive is not None else None
        return None if known is None else "md:" + known
    return "none"


def _html_key(settings: str, body_key: str) -> str:
    return digest(f"{settings}\0{body_key}")


def _html_keys(job: _Job, settings: str) -> list[str]:
    keys = []
    if job.body_key is not None and job.body_key.startswith("md:"):
        keys.append(_html_key(settings, job.body_key))
    if job.summary is not None:
        keys.append(_html_key(settings, "md:" + digest(job.summary)))
    return keys


def _from_cache(jobs: list[_Job], prepared: Prepared, cache: Cache, settings: str) -> list[_Job]:
    """Take finished summaries from the cache; return the jobs still to do, with any
    rendered HTML the cache has."""
    keys = {job.post.slug: job.parts_key() for job in jobs}
    found = cache.get(PARTS, [key for key in keys.values() if key is not None])
    todo = []
    for job in jobs:
        key = keys[job.post.slug]
        summary = _summary(found.get(key)) if key is not None else None
        if summary is not None and key is not None and job.body_key is not None:
            prepared.parts[job.post.slug] = EntryParts(*summary, None)
            prepared.keys[job.post.slug] = key
            prepared.body_keys[job.post.slug] = job.body_key
            cache.keep_only(PARTS, [key])
            cache.keep_only(HTML, _html_keys(job, settings))
        else:
            todo.append(job)
    _html_from_cache(todo, cache, settings)
    return todo


def _html_from_cache(jobs: Sequence[_Job], cache: Cache, settings: str) -> None:
    wanted = [key for job in jobs for key in _html_keys(job, settings)]
    if not wanted:
        return
    found = cache.get(HTML, wanted)
    for job in jobs:
        if job.body_key is not None and job.body_key.startswith("md:"):
            html = found.get(_html_key(settings, job.body_key))
            if isinstance(html, str):
                job.body_html = html
        if job.summary is not None:
            html = found.get(_html_key(settings, "md:" + digest(job.summary)))
            if isinstance(html, str):
                job.summary_html = html


def _summary(value: Any) -> tuple[str, str] | None:
    """A cached summary (HTML and text), if it has the right shape."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    summary_html, summary_text = value
    if not isinstance(summary_html, str) or not isinstance(summary_text, str):
        return None
    return summary_html, summary_text


def _estimate(job: _Job, archive: Archive | None, formats: int) -> float:
    """Seconds of work a job is likely to take on one core."""
    post = job.post
    size = 0
    if job.body_html is None and post.html is None:
        if post.markdown is not None:
            size = len(post.markdown)
        elif archive is not None:
            size = archive.body_size(post)
    if job.summary is not None and job.summary_html is None:
        size += len(job.summary)
    finish = len(job.body_html or post.html or "") or size
    return (
        size * _workers.RENDER_SECONDS_PER_CHAR
        + finish * _workers.FINISH_SECONDS_PER_CHAR
        + formats * (_workers.FORMAT_SECONDS_PER_ENTRY + finish * _workers.FORMAT_SECONDS_PER_CHAR)
    )


def _items(
    jobs: list[_Job],
    read_body: Callable[[Post], str | None],
    cache: Cache | None,
    settings: str,
    share: int,
) -> Iterator[list[_Item]]:
    """Each chunk of jobs as work items, reading bodies only as the chunk is due and
    keeping none of them once it is sent. A chunk is at most a ``share``-th of the
    jobs left (see ``_workers.portions``)."""
    for start, end in _workers.portions(len(jobs), share, _CHUNK):
        chunk = jobs[start:end]
        unread = []
        for job in chunk:
            post = job.post
            if job.body_html is not None or post.html is not None:
                continue
            if post.markdown is not None or post.body_offset is None:
                job.body_markdown = post.markdown
                continue
            job.body_markdown = read_body(post)
            if job.body_key is None:
                job.body_key = "md:" + digest(job.body_markdown or "")
                unread.append(job)
        if cache is not None and unread:
            _html_from_cache(unread, cache, settings)
        items: list[_Item] = []
        for job in chunk:
            body_html = job.body_html if job.body_html is not None else job.post.html
            items.append(
                (
                    job.bare.url,
                    body_html,
                    None if body_html is not None else job.body_markdown,
                    job.summary_html,
                    None if job.summary_html is not None else job.summary,
                    job.bare,
                )
            )
            job.body_html = job.body_markdown = None
        yield items


def _run(
    items: Sequence[_Item],
    render: Callable[[str], str],
    formats: Sequence[str],
    root: str | None = None,
    clean: bool = True,
) -> list[_Result]:
    """Render and finish each item, and format its entry: the work itself, in
    whichever process."""
    made: list[tuple[EntryParts, str | None, str | None]] = []
    for url, body_html, body_markdown, summary_html, summary_source, _ in items:
        rendered_body = rendered_summary = None
        if body_html is None:
            if body_markdown is not None and body_markdown.strip():
                body_html = rendered_body = render(body_markdown)
            else:
                body_html = ""
        if summary_html is None and summary_source is not None:
            summary_html = rendered_summary = render(summary_source)
        parts = finish(body_html, summary_html, url, root, clean=clean)
        made.append((parts, rendered_body, rendered_summary))
    entries = [with_parts(item[5], parts) for item, (parts, _, _) in zip(items, made, strict=True)]
    pieces = [FORMATS[name].items(entries) for name in formats]
    return [
        (
            (parts.summary_html, parts.summary_text),
            rendered_body,
            rendered_summary,
            tuple(found[number] for found in pieces),
        )
        for number, (parts, rendered_body, rendered_summary) in enumerate(made)
    ]


def _run_in_worker(
    items: Sequence[_Item],
    formats: tuple[str, ...],
    profile: MarkdownProfile,
    root: str | None,
    clean: bool,
) -> list[_Result]:
    # Also run in the building process, by whichever thread builds there: each thread
    # its own renderer for the profile.
    return _run(items, markup.thread_renderer(profile).render, formats, root, clean)
