"""The postfeed command. Uses only the public API; returns exit codes, never exits itself."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import postfeed  # lazy: a module is imported when a command first uses it

from .commands import _term

EXIT_OK, EXIT_STALE, EXIT_INVALID = 0, 1, 2


def main(argv: Sequence[str] | None = None, *, exiting: bool = False) -> int:
    """Run the command line; return the exit code.

    ``exiting`` says that the process ends once the command is done (see :func:`run`):
    ``build`` then keeps Python's cycle collector paused from start to end. A build
    pauses it while it runs, and makes no reference cycles (see
    ``_workers.COLLECTOR``); once it is resumed, its first collection walks every
    object the build made, only for the end of the process to discard them (about
    30 ms after a build of 10,000 posts). For the same reason, what the build made is
    kept to the end rather than freed as it returns (``_workers.keep_to_exit``)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    if exiting and args.handler is _build:
        from . import _workers

        gc.disable()
        _workers.keep_to_exit()
    try:
        code: int = args.handler(args)
    except postfeed.PostfeedError as err:
        _print_error(err, quiet=getattr(args, "quiet", False))
        return EXIT_INVALID
    except BrokenPipeError:
        # The reader went away (`postfeed build -v | head`): stop printing, quietly.
        # Files were already written or left alone, all or nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def run() -> NoReturn:
    """The ``postfeed`` command: :func:`main`, then exit.

    Once its output is flushed, the process ends without Python's teardown, which
    would only free every object of the build one by one (25 ms after a build of
    10,000 posts). An error in postfeed itself still ends with its traceback.
    """
    code = main(exiting=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or 1  # the reader went away (`postfeed links | head -1`)
    os._exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="postfeed",
        description="Publish a folder of Markdown posts as RSS 2.0, Atom 1.0 and JSON Feed 1.1.",
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="build the feeds (the default config is ./postfeed.yaml)",
        description="Build every feed in memory, then write the files whose bytes changed.",
    )
    _add_site_options(build)
    build.add_argument("--drafts", action="store_true", help="publish posts marked draft: true")
    build.add_argument("--future", action="store_true", help="publish posts dated in the future")
    build.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 listing every feed file that is missing, stale or extra",
    )
    build.add_argument(
        "--allow-id-change",
        action="store_true",
        help="accept that a published entry's id changes or disappears",
    )
    build.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the build cache"
    )
    build.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        metavar="N",
        help="processes for large builds, this one included (default: one per CPU, when"
        " the work pays for it)",
    )
    _add_output_options(build)
    build.set_defaults(handler=_build)

    init = commands.add_parser(
        "init",
        help="set up postfeed in a site's folder (or start a new blog), asking nothing",
        description=(
            "Write a commented postfeed.yaml for the site generator's site in FOLDER (Hugo,"
            " Jekyll, Pelican, MkDocs with Material's blog, Eleventy, Astro), read as data;"
            " in a folder without one, start a postfeed blog: a postfeed.yaml and a first"
            " post, a draft. Then print the commands to run and the <link> tags to paste."
            " Never overwrites postfeed.yaml."
        ),
    )
    init.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path(),
        metavar="FOLDER",
        help="the site's folder, created if missing (default: the current folder)",
    )
    init.add_argument(
        "--source",
        metavar="NAME",
        help=f"the site's generator, instead of the one found: one of {', '.join(_INIT_SOURCES)}",
    )
    init.add_argument("--url", metavar="URL", help="the site's URL, instead of the one found")
    init.add_argument(
        "--output",
        "--out",
        metavar="DIR",
        help="where the feeds go, relative to FOLDER (default: a folder the generator"
        " publishes as it is, e.g. static/feeds for Hugo; feeds for a postfeed blog)",
    )
    init.add_argument("--title", metavar="TITLE", help="the site's title, instead of the one found")
    init.add_argument(
        "--timezone",
        metavar="ZONE",
        help="an IANA time zone, e.g. Europe/Berlin (default: the generator's; UTC for a new blog)",
    )
    _add_output_options(init, verbose=False)
    init.set_defaults(handler=_init)

    new = commands.add_parser(
        "new",
        help="start a new post, a draft dated now, in the posts folder",
        description=(
            "Create posts/<slug>.md (with a site generator's source: where the generator"
            " expects it) with the title, the date and time now in the site's timezone, and"
            " draft: true, so that it is not published until you say so. Never overwrites."
        ),
    )
    new.add_argument("title", help="the post's title")
    _add_config_option(new)
    new.add_argument("--slug", help="file name and URL slug (default: made from the title)")
    new.add_argument(
        "--tags", metavar="TAGS", default="", help="comma-separated tags, e.g. --tags 'go, testing'"
    )
    state = new.add_mutually_exclusive_group()
    state.add_argument(
        "--publish",
        action="store_true",
        help="write a post the next build publishes, not a draft",
    )
    state.add_argument("--draft", action="store_true", help="write a draft (the default)")
    _add_output_options(new, verbose=False)
    new.set_defaults(handler=_new)

    serve = commands.add_parser(
        "serve",
        help="serve the output folder on 127.0.0.1 for preview and local subscription",
        description="Serve the output folder over HTTP on 127.0.0.1 until Ctrl-C.",
    )
    _add_site_options(serve)
    serve.add_argument(
        "--port",
        type=int,
        default=8000,
        metavar="N",
        help="TCP port (default: %(default)s; 0 picks a free one)",
    )
    serve.add_argument(
        "--watch",
        action="store_true",
        help="build now, then rebuild whenever a post or the configuration changes",
    )
    serve.add_argument("-q", "--quiet", action="store_true", help="do not log each request")
    serve.set_defaults(handler=_serve)

    links = commands.add_parser(
        "links",
        help='print the <link rel="alternate"> tags for a site\'s <head>',
        description=(
            "Print the feed discovery tags, one a line, for the site's HTML <head>: the main"
            " feed's, or with --feed those of another planned feed (for a tag's or an"
            " author's page)."
        ),
    )
    _add_site_options(links)
    links.add_argument(
        "--feed",
        metavar="PATH",
        help="the folder of a planned feed under the output folder, e.g. tags/go",
    )
    links.set_defaults(handler=_links)

    ping = commands.add_parser(
        "ping",
        help="notify the configured WebSub hub that the feeds changed",
        description="POST hub.mode=publish and hub.url to the hub for every feed URL.",
    )
    _add_site_options(ping)
    _add_output_options(ping, verbose=False)
    ping.set_defaults(handler=_ping)
    return parser


class _Version(argparse.Action):
    """--version, reading the installed version only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        sys.stdout.write(f"postfeed {version('postfeed')}\n")
        parser.exit()


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return jobs


def _add_output_options(parser: argparse.ArgumentParser, *, verbose: bool = True) -> None:
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing unless something is wrong"
    )
    if verbose:
        loudness.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="also list every file and every post left out, with the reason",
        )


def _add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("postfeed.yaml"),
        metavar="FILE",
        help="site configuration (default: ./postfeed.yaml)",
    )


def _add_site_options(parser: argparse.ArgumentParser) -> None:
    _add_config_option(parser)
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: from the config)"
    )
    parser.add_argument("--url", metavar="URL", help="site URL (default: from the config)")


def _load_site(args: argparse.Namespace) -> postfeed.Site:
    return postfeed.load_site(args.config, url=args.url, output=args.out)


def _build(args: argparse.Namespace) -> int:
    site = _load_site(args)
    if args.no_cache:
        site = dataclasses.replace(site, cache_dir=None)
    out, err = _painter(sys.stdout), _painter(sys.stderr)
    bar = None if args.quiet or not _term.is_terminal(sys.stderr) else _term.ProgressBar(sys.stderr)
    try:
        result = postfeed.build(
            site,
            drafts=args.drafts,
            future=args.future,
            check=args.check,
            allow_id_change=args.allow_id_change,
            jobs=args.jobs,
            progress=bar,
        )
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet:
        for warning in result.warnings:
            print(err.located(warning, "yellow"), file=sys.stderr)
            _annotate("warning", warning)
    if args.verbose:
        listing = [
            *(("written", "green", f"{path}") for path in result.written),
            *(("unchanged", "dim", f"{path}") for path in result.unchanged),
            *(("removed", "yellow", f"{path}") for path in result.removed),
            *(("left alone", "dim", f"{path}") for path in result.left_alone),
            *(("left out", "yellow", _left_out(left)) for left in result.left_out),
        ]
        for state, style, what in listing:
            print(f"  {out(state.ljust(10), style)}  {out(what)}")
    if result.checked:
        for path, state in result.stale:
            print(f"{err(str(path), 'bold')}: {err(state, 'red')}", file=sys.stderr)
            _annotate_path("error", path, f"feed file is {state}: run 'postfeed build' and commit")
        if result.stale:
            print(
                f"postfeed: {len(result.stale)} feed file(s) out of date; run 'postfeed build'",
                file=sys.stderr,
            )
            return EXIT_STALE
        if not args.quiet:
            print(
                f"postfeed: feeds in {result.output_dir} are {out('up to date', 'green')}"
                f" ({_posts_summary(result)})"
            )
        return EXIT_OK
    if not args.quiet:
        print(
            f"postfeed: {len(result.written)} written, {len(result.unchanged)} unchanged"
            + (f", {len(result.removed)} removed" if result.removed else "")
            + f" in {result.output_dir}; {_posts_summary(result)}"
        )
    return EXIT_OK


_INIT_SOURCES = ("postfeed", "hugo", "jekyll", "pelican", "mkdocs", "eleventy", "astro")


def _init(args: argparse.Namespace) -> int:
    done = postfeed.init_site(
        args.folder,
        source=args.source,
        url=args.url,
        output=args.output,
        title=args.title,
        timezone=args.timezone,
    )
    for warning in done.warnings:
        print(_painter(sys.stderr).located(warning, "yellow"), file=sys.stderr)
    if args.quiet:
        return EXIT_OK
    out = _painter(sys.stdout)
    if done.post is not None:
        print(f"postfeed: started a blog: wrote {done.config} and {done.post} (a draft)")
    elif done.source == "postfeed":
        print(f"postfeed: wrote {done.config} for the posts in posts/")
    else:
        if done.found:
            label = _GENERATOR_NAMES[done.source]
            print(f"postfeed: found {label} site ({', '.join(done.found)})")
        print(f"postfeed: wrote {done.config} (source: {done.source}; feeds go to {done.output})")
    if done.steps:
        print(f"\n{out('Before the first build:', 'bold')}")
        for step in done.steps:
            print(f"  - {step}")
    print(f"\n{out('Build the feeds, and commit them with the site:', 'bold')}")
    here = args.folder.resolve() == Path.cwd().resolve()
    config = "" if here else f" --config {done.config}"
    print(f"  postfeed build{config}")
    print(out("In CI, to fail when the committed feeds are out of date (exit 1):", "bold"))
    print(f"  postfeed build --check{config}")
    if done.site is None:
        print(f"\nThen 'postfeed links{config}' prints the <link> tags for your pages' <head>.")
        return EXIT_OK
    head = _INIT_HEADS.get(done.source, "your pages")
    print(f"\n{out(f'Paste into the <head> of {head}:', 'bold')}")
    print(postfeed.link_tags(done.site), end="")
    return EXIT_OK


_GENERATOR_NAMES = {
    "hugo": "a Hugo",
    "jekyll": "a Jekyll",
    "pelican": "a Pelican",
    "mkdocs": "an MkDocs",
    "eleventy": "an Eleventy",
    "astro": "an Astro",
}
_INIT_HEADS = {
    "postfeed": "your site's pages",
    "hugo": "your pages (a partial such as layouts/partials/head.html, or your theme's)",
    "jekyll": "your pages (_includes/head.html, or your theme's)",
    "pelican": "your pages (your theme's base.html)",
    "mkdocs": "your pages (the extrahead block of a theme override, overrides/main.html)",
    "eleventy": "your pages (_includes/layouts/base.njk in eleventy-base-blog)",
    "astro": "your pages (src/components/BaseHead.astro in Astro's blog starter)",
}


def _new(args: argparse.Namespace) -> int:
    site = postfeed.load_site(args.config)
    tags = [tag.strip() for tag in args.tags.split(",") if tag.strip()]
    draft = not args.publish
    path = postfeed.new_post(site, args.title, slug=args.slug, tags=tags, draft=draft)
    if not args.quiet:
        shown = _term.shown(str(path))
        if not draft:
            print(f"postfeed: created {shown}")
        elif site.source == "jekyll":
            print(
                f"postfeed: created {shown}, a draft: move it into _posts/, its name starting"
                " with its date, to publish it"
            )
        else:
            print(f"postfeed: created {shown}, a draft: remove its draft line to publish it")
    return EXIT_OK


def _left_out(left: postfeed.LeftOut) -> str:
    where = left.post.source if left.post.source is not None else left.post.slug
    if left.reason == "future":
        return f"{where} (future: dated {left.post.published.isoformat()})"
    return f"{where} ({left.reason})"


def _serve(args: argparse.Namespace) -> int:
    site = _load_site(args)

    def ready(url: str) -> None:
        print(f"postfeed: serving {site.output_dir} at {url} (Ctrl-C to stop)", flush=True)

    try:
        postfeed.serve(
            site,
            port=args.port,
            watch=args.watch,
            reload=lambda: _load_site(args),
            quiet=args.quiet,
            on_ready=ready,
        )
    except KeyboardInterrupt:
        print("postfeed: stopped", flush=True)
    return EXIT_OK


def _links(args: argparse.Namespace) -> int:
    site = _load_site(args)
    if args.feed is None:
        print(postfeed.link_tags(site), end="")
        return EXIT_OK
    published, _ = postfeed.select(postfeed.load_posts(site), site=site)
    planned = postfeed.plan(site, published)
    feed = planned.get(args.feed)
    if feed is None:
        paths = ", ".join(str(found.path) for found in planned if found.family != "main")
        raise postfeed.PostfeedError(
            f"--feed: no feed is planned in {args.feed!r}"
            + (f" (planned: {paths})" if paths else " (only the main feed is planned)")
        )
    print(postfeed.link_tags(site, feed), end="")
    return EXIT_OK


def _ping(args: argparse.Namespace) -> int:
    site = _load_site(args)
    if site.hub is None:
        where = site.config_path if site.config_path is not None else args.config
        raise postfeed.ConfigError(where, None, "hub: not set; add 'hub: URL' to ping a hub")
    published, _ = postfeed.select(postfeed.load_posts(site), site=site)
    urls = postfeed.feed_urls(site, published)
    postfeed.ping(site.hub, urls)
    if not args.quiet:
        print(f"postfeed: notified {site.hub} of {len(urls)} feed URLs")
    return EXIT_OK


def _posts_summary(result: postfeed.BuildResult) -> str:
    text = f"{len(result.published)} post{'s' if len(result.published) != 1 else ''} published"
    if result.left_out:
        reasons = Counter(left.reason for left in result.left_out)
        why = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
        text += f", {len(result.left_out)} left out ({why})"
    return text


def _print_error(err: postfeed.PostfeedError, *, quiet: bool = False) -> None:
    paint = _painter(sys.stderr)
    errors = err.errors if isinstance(err, postfeed.PostErrors) else (err,)
    warnings = err.warnings if isinstance(err, postfeed.PostErrors) and not quiet else ()
    # Warnings are shown with the errors, each in its place by path and line.
    lines: list[tuple[tuple[str, int], str, BaseException | str]] = [
        (_term.place(f"{error}"), "red", error) for error in errors
    ]
    lines += [(_term.place(warning), "yellow", warning) for warning in warnings]
    for _, colour, problem in sorted(lines, key=lambda line: line[0]):
        print(paint.located(f"{problem}", colour), file=sys.stderr)
        if isinstance(problem, str):
            _annotate("warning", problem)
        elif isinstance(problem, postfeed.SourceError):
            _annotate_path("error", problem.path, problem.message, problem.line)
        elif isinstance(problem, postfeed.OutputError):
            _annotate_path("error", problem.path, problem.message)
        else:
            _annotate("error", f"{problem}")
    if len(errors) > 1:
        print(f"postfeed: {len(errors)} problems; nothing was written", file=sys.stderr)


def _painter(stream: TextIO) -> _term.Painter:
    return _term.Painter(_term.wants_colour(stream, os.environ))


def _annotate(kind: str, located: str) -> None:
    """Repeat a ``path:line: message`` line as a GitHub Actions annotation."""
    path, line, message = _term.parse_located(located)
    if path is None:
        _annotate_path(kind, None, message)
    else:
        _annotate_path(kind, path, message, line)


def _annotate_path(kind: str, path: Path | None, message: str, line: int | None = None) -> None:
    # Workflow commands are read from stdout, as @actions/core writes them.
    if _term.in_github_actions(os.environ):
        root = os.environ.get("GITHUB_WORKSPACE", "")
        print(_term.annotation(kind, message, path=path, line=line, root=root), flush=True)
