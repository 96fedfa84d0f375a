"""The entries of one build, each made once: one slot per post and variant (full or
summary-only), its key known before anything is rendered whenever the cache knows
what the post's body is, and the entries some document needs formatted made on
demand, in this process or in worker processes, which format each one in every
format asked for while they have it. Nothing made depends on the path taken; the
cache is only a shortcut to the same text.

An entry's content is never kept: a new entry comes back already formatted, in
the order of the posts, for the documents to take as it comes; an unchanged one
is taken from the file the last build wrote. Only finished summaries (which the
index page shows) and rendered HTML are cached.

Two kinds of cached values: rendered HTML by a digest of its Markdown (the
renderer's settings are part of the cache's header), and finished summaries by
what they are made from: a scanned post's file and the site settings posts are
made with, or else the post's body, summary and URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import _workers
from .._cache import Cache
from .._workers import Workers
from ..formats import FORMATS
from ..model import Entry, MarkdownProfile, Post, Progress, Site
from ..reading._records import digest
from ..reading.scan import Archive
from ..urls import post_url
from . import markup
from .entries import (
    EntryParts,
    Facts,
    bare_entry,
    entry_facts,
    entry_key,
    facts_of,
    finish,
    link_root,
    origin_parts_key,
    site_loads,
    summary_markdown,
    with_parts,
)

HTML = "html"
PARTS = "parts"
_CHUNK = 16  # posts per call at most: bodies are held briefly, and no call runs long

# One job item: url, body html or None, body Markdown or None, summary html or None,
# summary Markdown or None, the finished summary if known, and each entry to format
# (without its parts) with the formats to format it in.
_Item = tuple[
    str,
    str | None,
    str | None,
    str | None,
    str | None,
    tuple[str, str] | None,
    tuple[tuple[Entry, tuple[str, ...]], ...],
]
# One result: the finished summary (HTML and text), the body and summary HTML if they
# were rendered, and each entry's bytes in each format asked for, in the item's order.
_Result = tuple[tuple[str, str], str | None, str | None, tuple[bytes, ...]]
#: What making one post gives: each of its entries' bytes in a format.
Made = list[tuple["Slot", str, bytes]]


class Slot:
    """One entry the documents of a build show: a post, as a full or a summary-only
    entry. ``facts`` are a few of the entry's fields, and ``bare`` the entry without
    summary and content, each made when first asked for (most entries of a large
    build need only their facts); ``key`` stands for everything in the entry (see
    ``entries.entry_key``), once what the post's body is has been learnt;
    ``summary`` is its finished summary, HTML and text, once it is known."""

    __slots__ = ("_bare", "_facts", "key", "post", "site", "summary", "summary_only")

    def __init__(
        self,
        site: Site,
        post: Post,
        *,
        summary_only: bool = False,
        key: str | None = None,
        bare: Entry | None = None,
    ) -> None:
        self.site = site
        self.post = post
        self.summary_only = summary_only
        self.key = key
        self.summary: tuple[str, str] | None = None
        self._bare = bare
        self._facts: Facts | None = None if bare is None else facts_of(bare)

    @property
    def facts(self) -> Facts:
        """The entry's facts (see ``entries.Facts``)."""
        if self._facts is None:
            self._facts = entry_facts(self.site, self.post)
        return self._facts

    def knows_facts(self) -> bool:
        """Whether the entry's facts are made, or were given."""
        return self._facts is not None

    def know_facts(self, facts: Facts) -> None:
        """Take the facts of an entry with the same key, as an old file's record keeps
        them: they are the facts this entry's post gives."""
        self._facts = facts

    @property
    def bare(self) -> Entry:
        """The entry without summary and content."""
        if self._bare is None:
            self._bare = bare_entry(
                self.site, self.post, summary_only=self.summary_only, facts=self.facts
            )
        return self._bare

    def entry(self) -> Entry:
        """The entry with its summary (which must be known) and without content."""
        assert self.summary is not None
        return with_parts(self.bare, EntryParts(*self.summary, None), self.key)


@dataclass(slots=True, eq=False)
class _Work:
    """One post to make entries of, and what is known of it."""

    post: Post
    slots: list[Slot]
    body_key: str | None  # None while the body is unread and its digest unknown
    summary: str | None  # the post's own summary, Markdown
    body_html: str | None = None
    body_markdown: str | None = None
    summary_html: str | None = None
    known: tuple[str, str] | None = None  # the finished summary, from the cache
    formats: dict[Slot, list[str]] = field(default_factory=dict)  # entries to format
    origin: str | None = None  # what its scanned file holds, when known (Archive.origin)
    loads: str = ""  # the site settings a scanned post is made with (entries.site_loads)
    _parts: tuple[str, str] | None = None  # what the parts key was made from, and the key
    #: The summary's key among rendered HTML in the cache, as the body's is ``body_key``.
    summary_key: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.summary_key = None if self.summary is None else "md:" + digest(self.summary)

    def parts_key(self) -> str | None:
        """A digest of what the post's parts are made from: its file (a scanned post's),
        or its URL, body and summary."""
        if self.origin is not None:
            made_from = "file:" + self.origin
        elif self.body_key is not None:
            made_from = self.body_key
        else:
            return None
        if self._parts is None or self._parts[0] != made_from:
            site = self.slots[0].site
            if self.origin is not None:
                key = origin_parts_key(self.loads, self.origin)
            else:
                summary = self.summary_key or ""
                key = digest(f"{post_url(site, self.post)}\0{self.body_key}\0{summary}")
            self._parts = (made_from, key)
        return self._parts[1]

    def key(self, slot: Slot) -> str | None:
        """The key of one of its entries, when known."""
        parts_key = self.parts_key()
        if parts_key is None:
            return None
        return entry_key(
            parts_key,
            slot.site,
            slot.post,
            summary_only=slot.summary_only,
            scanned=self.origin is not None,
        )

    @property
    def bare_url(self) -> str:
        return post_url(self.slots[0].site, self.post)


class Entries:
    """The entries of one build: a slot for each post and variant in ``posts`` (in
    the order given, newest first, which every document follows), and what the
    cache knows of them.

    ``read_body`` reads the Markdown body of a post that has none in memory.
    With a cache, each post's cached values are kept in it for the next build.
    """

    def __init__(
        self,
        site: Site,
        posts: Iterable[tuple[Post, bool]],
        *,
        read_body: Callable[[Post], str | None],
        cache: Cache | None = None,
        archive: Archive | None = None,
    ) -> None:
        self._profile = site.markdown
        self._root = link_root(site)
        self._clean = site.sanitize
        self._read_body = read_body
        self._cache = cache
        self._archive = archive
        self._works: dict[str, _Work] = {}
        self._slots: dict[tuple[str, bool], Slot] = {}
        loads = site_loads(site)
        #: How many Markdown texts were rendered, and entries formatted (once per format).
        self.renders = self.formatted = 0
        for post, summary_only in posts:
            work = self._works.get(post.slug)
            if work is None:  # one entry per slug, as EntryMaker: the first post's
                work = _Work(post, [], _body_key(post, archive), summary_markdown(post))
                work.origin = archive.origin(post) if archive is not None else None
                work.loads = loads
                self._works[post.slug] = work
            if (post.slug, summary_only) in self._slots:
                continue
            slot = Slot(site, work.post, summary_only=summary_only)
            work.slots.append(slot)
            self._slots[post.slug, summary_only] = slot
            slot.key = work.key(slot)
        if cache is not None:
            self._keep(self._works.values())

    def slot(self, post: Post, *, summary_only: bool = False) -> Slot:
        """The slot of a post's entry."""
        return self._slots[post.slug, summary_only]

    def summaries(self, slots: Iterable[Slot]) -> None:
        """Fill in each slot's summary from the cache, where it has it."""
        if self._cache is None:
            return
        works = dict.fromkeys(work for slot in slots if (work := self._work(slot)) is not None)
        self._known(list(works))

    def make(
        self,
        wanted: Mapping[Slot, Sequence[str]],
        *,
        summaries: Iterable[Slot] = (),
        workers: Workers | None = None,
        progress: Progress | None = None,
    ) -> Iterator[Made]:
        """Make each entry in ``wanted`` in each format listed for it, and the summary
        of every slot in ``summaries`` that has none yet: for each post concerned, in
        order, its entries' bytes. Rendered HTML and summaries go to the cache.

        ``progress``, when given, is called as ``progress("render", done, total)`` as
        posts are made (those that need nothing made count at once).

        Raises:
            PostErrors: a post's file cannot be read, or changed during the build.
        """
        todo: set[_Work] = set()
        for slot, names in wanted.items():
            work = self._work(slot)
            assert work is not None
            work.formats[slot] = list(names)
            todo.add(work)
        for slot in summaries:
            work = self._work(slot)
            if work is not None and slot.summary is None:
                todo.add(work)
        jobs = [work for work in self._works.values() if work in todo]
        total = len(self._works)
        done = total - len(jobs)
        if progress is not None and done:
            progress("render", done, total)
        if not jobs:
            return
        if self._cache is not None:
            self._known([job for job in jobs if job.known is None])
            self._html_from_cache(jobs)
        seconds = sum(_estimate(job, self._archive) for job in jobs)
        # A pool started ahead of the work has a worker ready to make it, where this
        # process would first import and set up all it takes.
        parallel = workers is not None and (workers.warmed or workers.worth(seconds))
        # Shared out, calls get smaller as the work left does, so that a few dozen posts
        # still make a few calls for each process and no process waits long at the end.
        share = 4 * workers.count if workers and parallel else 1
        chunks = self._items(jobs, share)
        results: Iterator[list[_Result]]
        finishing = (self._root, self._clean)
        if workers is not None and parallel:
            # This process also writes every file and keeps what was made in the cache:
            # it runs a call itself only when the pool has four in hand (with two, it did
            # a fifth more work than the pool at 10,000 posts with every family on).
            results = workers.map(
                _run_in_worker, ((chunk, self._profile, *finishing) for chunk in chunks), ahead=4
            )
        else:
            renderer = markup.Renderer.lazily(self._profile)
            results = (_run(chunk, renderer, *finishing) for chunk in chunks)
        made = (result for chunk in results for result in chunk)
        for job, (summary, body_html, summary_html, pieces) in zip(jobs, made, strict=True):
            done += 1
            if progress is not None:
                progress("render", done, total)
            yield self._finish(job, summary, body_html, summary_html, pieces)

    def _finish(
        self,
        job: _Work,
        summary: tuple[str, str],
        body_html: str | None,
        summary_html: str | None,
        pieces: tuple[bytes, ...],
    ) -> Made:
        """Record what making ``job`` gave; return its entries' bytes."""
        self.renders += (body_html is not None) + (summary_html is not None)
        parts_key = job.parts_key()
        made: Made = []
        at = 0
        for slot in job.slots:
            slot.summary = summary
            slot.key = job.key(slot)
            for name in job.formats.get(slot, ()):
                made.append((slot, name, pieces[at]))
                at += 1
        self.formatted += at
        cache = self._cache
        if cache is not None:
            if body_html is not None and job.body_key is not None:
                cache.put(HTML, job.body_key, body_html)
            if summary_html is not None and job.summary_key is not None:
                cache.put(HTML, job.summary_key, summary_html)
            if parts_key is not None and job.known is None:
                cache.put(PARTS, parts_key, list(summary))
            self._keep([job])
        job.known, job.formats = summary, {}
        return made

    def _work(self, slot: Slot) -> _Work | None:
        return self._works.get(slot.post.slug)

    def _keep(self, works: Iterable[_Work]) -> None:
        """Keep these posts' cached values for the next build."""
        assert self._cache is not None
        parts: list[str] = []
        html: list[str] = []
        for work in works:
            parts_key = work.parts_key()
            if parts_key is not None:
                parts.append(parts_key)
            html += self._html_keys(work)
        self._cache.keep_only(PARTS, parts)
        self._cache.keep_only(HTML, html)

    def _known(self, works: Sequence[_Work]) -> None:
        """Take finished summaries from the cache."""
        assert self._cache is not None
        keys = {work: work.parts_key() for work in works}
        found = self._cache.get(PARTS, [key for key in keys.values() if key is not None])
        for work in works:
            key = keys[work]
            summary = _summary(found.get(key)) if key is not None else None
            if summary is not None:
                work.known = summary
                for slot in work.slots:
                    slot.summary = summary

    def _html_keys(self, work: _Work) -> list[str]:
        # The renderer's settings are part of the cache's header: HTML is kept by the
        # digest of its Markdown alone.
        keys = []
        if work.body_key is not None and work.body_key.startswith("md:"):
            keys.append(work.body_key)
        if work.summary_key is not None:
            keys.append(work.summary_key)
        return keys

    def _html_from_cache(self, jobs: Sequence[_Work]) -> None:
        """Take the rendered HTML each job needs from the cache, where it has it."""
        assert self._cache is not None
        wanted = [key for job in jobs for key in self._html_keys(job)]
        if not wanted:
            return
        found = self._cache.get(HTML, wanted)
        for job in jobs:
            if job.body_key is not None and job.body_key.startswith("md:"):
                html = found.get(job.body_key)
                if isinstance(html, str):
                    job.body_html = html
            if job.summary_key is not None and job.known is None:
                html = found.get(job.summary_key)
                if isinstance(html, str):
                    job.summary_html = html

    def _items(self, jobs: list[_Work], share: int) -> Iterator[list[_Item]]:
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
                job.body_markdown = self._read_body(post)
                if job.body_key is None:
                    job.body_key = "md:" + digest(job.body_markdown or "")
                    unread.append(job)
                if self._archive is not None:
                    job.origin = self._archive.origin(post)
            if self._cache is not None and unread:
                self._html_from_cache(unread)
            items: list[_Item] = []
            for job in chunk:
                body_html = job.body_html if job.body_html is not None else job.post.html
                summary_html = None if job.known is not None else job.summary_html
                items.append(
                    (
                        job.bare_url,
                        body_html,
                        None if body_html is not None else job.body_markdown,
                        summary_html,
                        None if summary_html is not None or job.known else job.summary,
                        job.known,
                        tuple(
                            (slot.bare, tuple(job.formats[slot]))
                            for slot in job.slots
                            if slot in job.formats
                        ),
                    )
                )
                job.body_html = job.body_markdown = job.summary_html = None
            yield items


def _body_key(post: Post, archive: Archive | None) -> str | None:
    if post.html is not None:
        return "html:" + digest(post.html)
    if post.markdown is not None:
        return "md:" + digest(post.markdown)
    if post.body_offset is not None and post.source is not None:
        known = archive.body_digest(post) if archive is not None else None
        return None if known is None else "md:" + known
    return "none"


def _summary(value: Any) -> tuple[str, str] | None:
    """A cached summary (HTML and text), if it has the right shape."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    summary_html, summary_text = value
    if not isinstance(summary_html, str) or not isinstance(summary_text, str):
        return None
    return summary_html, summary_text


def _estimate(job: _Work, archive: Archive | None) -> float:
    """Seconds of work a job is likely to take on one core."""
    post = job.post
    size = 0
    if job.body_html is None and post.html is None:
        if post.markdown is not None:
            size = len(post.markdown)
        elif archive is not None:
            size = archive.body_size(post)
    if job.summary is not None and job.summary_html is None and job.known is None:
        size += len(job.summary)
    finish = len(job.body_html or post.html or "") or size
    formats = sum(len(names) for names in job.formats.values())
    return (
        size * _workers.RENDER_SECONDS_PER_CHAR
        + finish * _workers.FINISH_SECONDS_PER_CHAR
        + formats * (_workers.FORMAT_SECONDS_PER_ENTRY + finish * _workers.FORMAT_SECONDS_PER_CHAR)
    )


def _run(
    items: Sequence[_Item],
    render: Callable[[str], str],
    root: str | None = None,
    clean: bool = True,
) -> list[_Result]:
    """Render and finish each item (see ``entries.finish`` for ``root`` and
    ``clean``), and format its entries: the work itself, in whichever process."""
    made: list[tuple[EntryParts, str | None, str | None]] = []
    for url, body_html, body_markdown, summary_html, summary_source, known, _ in items:
        rendered_body = rendered_summary = None
        if body_html is None:
            if body_markdown is not None and body_markdown.strip():
                body_html = rendered_body = render(body_markdown)
            else:
                body_html = ""
        if known is not None:
            # The summary, made beforehand, does not change the content.
            content = finish(body_html, None, url, root, clean=clean).content_html
            parts = EntryParts(*known, content)
        else:
            if summary_html is None and summary_source is not None:
                summary_html = rendered_summary = render(summary_source)
            parts = finish(body_html, summary_html, url, root, clean=clean)
        made.append((parts, rendered_body, rendered_summary))
    # Each format formats all of its entries at once, with one feedgen generator.
    by_format: dict[str, list[Entry]] = {}
    for item, (parts, _, _) in zip(items, made, strict=True):
        for bare, names in item[6]:
            entry = with_parts(bare, parts)
            for name in names:
                by_format.setdefault(name, []).append(entry)
    formatted = {name: iter(FORMATS[name].items(found)) for name, found in by_format.items()}
    return [
        (
            (parts.summary_html, parts.summary_text),
            rendered_body,
            rendered_summary,
            tuple(next(formatted[name]) for _, names in item[6] for name in names),
        )
        for item, (parts, rendered_body, rendered_summary) in zip(items, made, strict=True)
    ]


def _run_in_worker(
    items: Sequence[_Item], profile: MarkdownProfile, root: str | None, clean: bool
) -> list[_Result]:
    # Also run in the building process, by whichever thread builds there: each thread
    # its own renderer for the profile.
    return _run(items, markup.thread_renderer(profile).render, root, clean)


def get_ready(profile: MarkdownProfile, formats: Iterable[str]) -> None:
    """Make a worker process ready to make entries (see ``Workers.warm``): the code of
    each format imported, and its renderer for the profile made, as
    :func:`_run_in_worker` takes it."""
    for name in formats:
        FORMATS[name].load()
    markup.thread_renderer(profile)
