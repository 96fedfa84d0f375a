"""Entry parts for the posts the feeds show, each made once: from the cache, or
rendered in this process or in worker processes. The parts never depend on the
path taken; the cache is only a shortcut to the same text.

Two kinds of cached values: rendered HTML by a digest of the Markdown and the
renderer's settings, and finished entry parts by body, summary and URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import _workers, markup
from ._cache import Cache
from ._records import digest
from ._workers import Workers
from .model import Post, Progress, Site
from .posts import Archive
from .resolve import EntryMaker, EntryParts, finish, post_url, summary_markdown

HTML = "html"
PARTS = "parts"
_CHUNK = 16  # posts per call at most: bodies are held briefly, and no call runs long

# One job item: url, body html or None, body Markdown or None, summary html or None,
# summary Markdown or None.
_Item = tuple[str, str | None, str | None, str | None, str | None]
# One result: entry parts, and the body and summary HTML if they were rendered.
_Result = tuple[tuple[str, str, str | None], str | None, str | None]


@dataclass(slots=True)
class _Job:
    post: Post
    url: str
    body_key: str | None  # None while the body is unread and its digest unknown
    summary: str | None
    body_html: str | None = None
    body_markdown: str | None = None
    summary_html: str | None = None

    def parts_key(self) -> str | None:
        if self.body_key is None:
            return None
        summary = "" if self.summary is None else digest(self.summary)
        return digest(f"{self.url}\0{self.body_key}\0{summary}")


def prepare(
    site: Site,
    posts: Sequence[Post],
    maker: EntryMaker,
    *,
    cache: Cache | None = None,
    archive: Archive | None = None,
    workers: Workers | None = None,
    progress: Progress | None = None,
) -> None:
    """Put the entry parts of every post in ``posts`` into ``maker.prepared``.

    ``progress``, when given, is called as ``progress("render", done, total)`` as
    entries are made (those the cache holds count at once).

    Raises:
        PostErrors: a post's file cannot be read, or changed during the build.
    """
    settings = markup.renderer_settings()
    jobs: list[_Job] = []
    slugs = set(maker.prepared)
    for post in posts:
        if post.slug not in slugs:  # as EntryMaker, one entry per slug: the first post's
            slugs.add(post.slug)
            jobs.append(
                _Job(post, post_url(site, post), _body_key(post, archive), summary_markdown(post))
            )
    total = len(jobs)
    if cache is not None:
        jobs = _from_cache(jobs, maker, cache, settings)
    done_count = total - len(jobs)
    if progress is not None and done_count:
        progress("render", done_count, total)
    seconds = sum(_estimate(job, archive) for job in jobs)
    parallel = workers is not None and workers.worth(seconds)
    # Shared out, a few dozen posts still make a few calls for each process.
    size = min(_CHUNK, -(-len(jobs) // (4 * workers.count))) if workers and parallel else _CHUNK
    chunks = _items(jobs, maker, cache, settings, max(1, size))
    if workers is not None and parallel:
        done = workers.map(_run_in_worker, ((chunk,) for chunk in chunks))
    else:
        done = (_run(chunk, maker.render) for chunk in chunks)
    results = (result for chunk in done for result in chunk)
    for job, (parts, body_html, summary_html) in zip(jobs, results, strict=True):
        if parallel:  # the serial path counts its renders in maker.render
            maker.renders += (body_html is not None) + (summary_html is not None)
        maker.prepared[job.post.slug] = EntryParts(*parts)
        done_count += 1
        if progress is not None:
            progress("render", done_count, total)
        if cache is None:
            continue
        if body_html is not None and job.body_key is not None:
            cache.put(HTML, _html_key(settings, job.body_key), body_html)
        if summary_html is not None and job.summary is not None:
            cache.put(HTML, _html_key(settings, "md:" + digest(job.summary)), summary_html)
        key = job.parts_key()
        if key is not None:
            cache.put(PARTS, key, list(parts))
            cache.keep_only(PARTS, [key])
        cache.keep_only(HTML, _html_keys(job, settings))


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


def _from_cache(jobs: list[_Job], maker: EntryMaker, cache: Cache, settings: str) -> list[_Job]:
    """Take finished parts from the cache; return the jobs still to do, with any
    rendered HTML the cache has."""
    keys = {job.post.slug: job.parts_key() for job in jobs}
    found = cache.get(PARTS, [key for key in keys.values() if key is not None])
    todo = []
    for job in jobs:
        key = keys[job.post.slug]
        parts = _parts(found.get(key)) if key is not None else None
        if parts is not None and key is not None:
            maker.prepared[job.post.slug] = parts
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


def _parts(value: Any) -> EntryParts | None:
    """Cached entry parts, if they have the right shape."""
    if not isinstance(value, list) or len(value) != 3:
        return None
    summary_html, summary_text, content_html = value
    if not isinstance(summary_html, str) or not isinstance(summary_text, str):
        return None
    if content_html is not None and not isinstance(content_html, str):
        return None
    return EntryParts(summary_html, summary_text, content_html)


def _estimate(job: _Job, archive: Archive | None) -> float:
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
    return size * _workers.RENDER_SECONDS_PER_CHAR + finish * _workers.FINISH_SECONDS_PER_CHAR


def _items(
    jobs: list[_Job], maker: EntryMaker, cache: Cache | None, settings: str, size: int
) -> Iterator[list[_Item]]:
    """Each chunk of jobs as work items, reading bodies only as the chunk is due and
    keeping none of them once it is sent."""
    for start in range(0, len(jobs), size):
        chunk = jobs[start : start + size]
        unread = []
        for job in chunk:
            post = job.post
            if job.body_html is not None or post.html is not None:
                continue
            if post.markdown is not None or post.body_offset is None:
                job.body_markdown = post.markdown
                continue
            if maker.read_body is None:
                raise ValueError(f"post {post.slug!r} has no body in memory and no reader")
            job.body_markdown = maker.read_body(post)
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
                    job.url,
                    body_html,
                    None if body_html is not None else job.body_markdown,
                    job.summary_html,
                    None if job.summary_html is not None else job.summary,
                )
            )
            job.body_html = job.body_markdown = None
        yield items


def _run(items: Sequence[_Item], render: Callable[[str], str]) -> list[_Result]:
    """Render and finish each item: the work itself, in whichever process."""
    results: list[_Result] = []
    for url, body_html, body_markdown, summary_html, summary_source in items:
        rendered_body = rendered_summary = None
        if body_html is None:
            if body_markdown is not None and body_markdown.strip():
                body_html = rendered_body = render(body_markdown)
            else:
                body_html = ""
        if summary_html is None and summary_source is not None:
            summary_html = rendered_summary = render(summary_source)
        parts = finish(body_html, summary_html, url)
        results.append(
            (
                (parts.summary_html, parts.summary_text, parts.content_html),
                rendered_body,
                rendered_summary,
            )
        )
    return results


def _run_in_worker(items: Sequence[_Item]) -> list[_Result]:
    return _run(items, _worker_renderer().render)


@cache
def _worker_renderer() -> markup.Renderer:
    """The one Markdown renderer of a worker process."""
    return markup.Renderer()
