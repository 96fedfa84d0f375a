"""The postfeed command. Uses only the public API; returns exit codes, never exits itself."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import postfeed  # lazy: a module is imported when a command first uses it

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
    build.add_argument("-q", "--quiet", action="store_true", help="print nothing unless it fails")
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
    build.set_defaults(handler=_build)
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
    if args.no_cache:
        site = dataclasses.replace(site, cache_dir=None)
    result = postfeed.build(
        site, drafts=args.drafts, future=args.future, check=args.check, jobs=args.jobs
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
