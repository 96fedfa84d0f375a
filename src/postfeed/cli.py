"""The postfeed command. Uses only the public API; returns exit codes, never exits itself."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import TextIO

import postfeed

EXIT_OK, EXIT_STALE, EXIT_INVALID = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        code: int = args.handler(args)
    except postfeed.PostfeedError as err:
        _print_error(err, sys.stderr)
        return EXIT_INVALID
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="postfeed",
        description="Publish a folder of Markdown posts as RSS 2.0, Atom 1.0 and JSON Feed 1.1.",
    )
    parser.add_argument("--version", action="version", version=f"postfeed {version('postfeed')}")
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
    build.add_argument("-q", "--quiet", action="store_true", help="print nothing unless it fails")
    build.set_defaults(handler=_build)

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
        description="Print the feed discovery tags, one a line, for the site's HTML <head>.",
    )
    _add_site_options(links)
    links.set_defaults(handler=_links)

    ping = commands.add_parser(
        "ping",
        help="notify the configured WebSub hub that the feeds changed",
        description="POST hub.mode=publish and hub.url to the hub for every feed URL.",
    )
    _add_site_options(ping)
    ping.add_argument("-q", "--quiet", action="store_true", help="print nothing unless it fails")
    ping.set_defaults(handler=_ping)
    return parser


def _add_site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("postfeed.yaml"),
        metavar="FILE",
        help="site configuration (default: ./postfeed.yaml)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: from the config)"
    )
    parser.add_argument("--url", metavar="URL", help="site URL (default: from the config)")


def _load_site(args: argparse.Namespace) -> postfeed.Site:
    return postfeed.load_site(args.config, url=args.url, output=args.out)


def _build(args: argparse.Namespace) -> int:
    site = _load_site(args)
    result = postfeed.build(
        site,
        drafts=args.drafts,
        future=args.future,
        check=args.check,
        allow_id_change=args.allow_id_change,
    )
    if not args.quiet:
        for warning in result.warnings:
            print(f"{warning}", file=sys.stderr)
    if result.checked:
        for path, state in result.stale:
            print(f"{path}: {state}", file=sys.stderr)
        if result.stale:
            print(
                f"postfeed: {len(result.stale)} feed file(s) out of date; run 'postfeed build'",
                file=sys.stderr,
            )
            return EXIT_STALE
        if not args.quiet:
            print(
                f"postfeed: feeds in {result.output_dir} are up to date ({_posts_summary(result)})"
            )
        return EXIT_OK
    if not args.quiet:
        print(
            f"postfeed: {len(result.written)} written, {len(result.unchanged)} unchanged"
            + (f", {len(result.removed)} removed" if result.removed else "")
            + f" in {result.output_dir}; {_posts_summary(result)}"
        )
    return EXIT_OK


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
    print(postfeed.link_tags(_load_site(args)), end="")
    return EXIT_OK


def _ping(args: argparse.Namespace) -> int:
    site = _load_site(args)
    if site.hub is None:
        where = site.config_path if site.config_path is not None else args.config
        raise postfeed.ConfigError(where, None, "hub: not set; add 'hub: URL' to ping a hub")
    published, _ = postfeed.select(postfeed.load_posts(site))
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


def _print_error(err: postfeed.PostfeedError, stream: TextIO) -> None:
    errors = err.errors if isinstance(err, postfeed.PostErrors) else (err,)
    for error in errors:
        print(f"{error}", file=stream)
    if len(errors) > 1:
        print(f"postfeed: {len(errors)} problems; nothing was written", file=stream)
