"""Deterministic synthetic archives of Go-blog posts for the benchmark.

Post ``n`` is the same in every archive: a 1,000-post archive is the oldest
1,000 posts of the 10,000-post one. Each post has about 1,300 words of
Markdown with headings, inline code, links, two fenced Go blocks, a table and
a list; its tags come from a small vocabulary.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

TAGS = (
    "go",
    "concurrency",
    "distributed-systems",
    "testing",
    "performance",
    "architecture",
    "reliability",
    "tooling",
)
# The families scenario: 30 tags, 10 categories, 20 authors, and one post in ten in German.
FAMILY_TAGS = TAGS + tuple(
    """
    observability kubernetes grpc http postgres sqlite kafka redis caching security
    profiling memory garbage-collection generics errors logging tracing benchmarks
    migrations deployment incidents on-call
    """.split()  # noqa: SIM905
)
CATEGORIES = (
    "Deep Dives",
    "Case Studies",
    "Tutorials",
    "Postmortems",
    "Opinion",
    "News",
    "Tools",
    "Design",
    "Operations",
    "Reviews",
)
FIRST_NAMES = "Ada Bo Cy Di Ed Fay Gus Hal Ivy Jo Kim Lu Max Nia Oz Pia Quin Rae Sol Tam"
LAST_NAMES = "Lind Berg Holm Dahl Ek Falk Grip Hed Ivers Juhl Kron Lund Moss Nord Ohr Palm Rask"
AUTHORS = tuple(
    f"{first} {last}"
    for first, last in zip(FIRST_NAMES.split(), (LAST_NAMES + " Sand Tor Vik").split(), strict=True)
)
# Word lists read best as text.
WORDS = """
    goroutine channel context deadline timeout mutex lock atomic scheduler heap stack
    allocation escape analysis profile trace latency throughput backpressure queue
    worker pool batch retry budget circuit breaker replica leader follower quorum
    consensus log snapshot checkpoint index cache eviction shard partition key value
    request response handler middleware interface struct method pointer receiver slice
    map buffer reader writer stream encoder decoder marshal schema migration rollout
    canary deploy service client server listener connection socket packet header payload
    token session tenant metric histogram counter gauge alert dashboard incident outage
    error wrap sentinel panic recover defer closure generic constraint module dependency
    vendor build test fixture fake benchmark fuzz race detector signal shutdown drain
    graceful probe health
""".split()  # noqa: SIM905
GLUE = "the a an of to in for with on by from that which when while so and but or then".split()  # noqa: SIM905
FUNCS = ("Run", "Serve", "Drain", "Fetch", "Store", "Retry", "Batch", "Flush", "Watch", "Close")
TYPES = ("Worker", "Queue", "Cache", "Client", "Server", "Breaker", "Pool", "Shard", "Index")
CONFIG = """\
title: Synthetic Go Blog
url: https://bench.example/
description: Generated posts for the postfeed benchmark.
language: en
author:
  name: Bench Author
  email: author@bench.example
timezone: Europe/Berlin
limit: {limit}
formats: [rss, atom]
tag_feeds: false
"""
FIRST = datetime(2001, 1, 1, 9, 0, tzinfo=UTC)
STEP = timedelta(hours=7)


def slug(number: int) -> str:
    """The slug (and file stem) of post ``number``."""
    return f"post-{number:05d}"


def sentence(rng: random.Random, low: int = 8, high: int = 18) -> str:
    """One sentence of plausible technical words."""
    words = []
    for _ in range(rng.randint(low, high)):
        words.append(rng.choice(GLUE) if rng.random() < 0.3 else rng.choice(WORDS))
    if rng.random() < 0.25:
        words[rng.randrange(len(words))] = f"`{rng.choice(WORDS)}.{rng.choice(FUNCS)}()`"
    if rng.random() < 0.1:
        words[rng.randrange(len(words))] = f"*{rng.choice(WORDS)}*"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, number: int, sentences: int) -> str:
    """A paragraph, sometimes with an internal or an external link."""
    parts = [sentence(rng) for _ in range(sentences)]
    if number > 0 and rng.random() < 0.5:
        other = rng.randrange(number)
        parts.append(f"See [an earlier post](/posts/{slug(other)}/) for the details.")
    if rng.random() < 0.3:
        parts.append(f"The [Go documentation](https://go.dev/doc/{rng.choice(WORDS)}) agrees.")
    return " ".join(parts)


def code_block(rng: random.Random) -> str:
    """A fenced Go block of 15 to 25 lines."""
    kind, func = rng.choice(TYPES), rng.choice(FUNCS)
    lines = [
        "```go",
        f"// {func} handles one {rng.choice(WORDS)} for the {kind}.",
        f"func (w *{kind}) {func}(ctx context.Context, in <-chan Item) error {{",
        "\tfor {",
        "\t\tselect {",
        "\t\tcase <-ctx.Done():",
        "\t\t\treturn ctx.Err()",
        "\t\tcase item, ok := <-in:",
        "\t\t\tif !ok {",
        "\t\t\t\treturn nil",
        "\t\t\t}",
    ]
    for _ in range(rng.randint(4, 12)):
        name = rng.choice(WORDS)
        lines.append(
            f'\t\t\tif err := w.{name}(item); err != nil {{ return fmt.Errorf("{name}: %w", err) }}'
        )
    lines += ["\t\t}", "\t}", "}", "```"]
    return "\n".join(lines)


def table(rng: random.Random) -> str:
    """A Markdown table of measurements."""
    rows = ["| Setting | p50 | p99 | Notes |", "| --- | ---: | ---: | --- |"]
    for _ in range(rng.randint(3, 6)):
        rows.append(
            f"| `{rng.choice(WORDS)}` | {rng.randint(1, 90)} ms | {rng.randint(100, 900)} ms"
            f" | {sentence(rng, 3, 6)} |"
        )
    return "\n".join(rows)


def post(number: int, seed: int = 7, *, families: bool = False) -> str:
    """The full text of post ``number``: front matter and a Markdown body. With
    ``families``, its tags come from 30, and it has a category, one or two authors,
    and one post in ten is in German; the body is the same either way."""
    rng = random.Random(f"{seed}-{number}")
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()
    date = FIRST + STEP * number
    tags = rng.sample(TAGS, rng.randint(1, 3))
    if families:
        extra = random.Random(f"{seed}-families-{number}")
        tags = extra.sample(FAMILY_TAGS, extra.randint(1, 3))
    front = [
        "---",
        f'title: "{title} ({number})"',
        f"date: {date.isoformat()}",
        f"tags: [{', '.join(tags)}]",
    ]
    if families:
        authors = extra.sample(AUTHORS, extra.randint(1, 2))
        front.append(f'categories: ["{extra.choice(CATEGORIES)}"]')
        front.append(f"authors: [{', '.join(authors)}]")
        if extra.random() < 0.1:
            front.append("lang: de")
    if rng.random() < 0.3:
        front.append(f'summary: "{sentence(rng)}"')
    front.append("---")
    blocks = [paragraph(rng, number, 4), paragraph(rng, number, 5)]
    for section in range(5):
        blocks.append(f"## {sentence(rng, 3, 6)[:-1]}")
        blocks += [paragraph(rng, number, rng.randint(4, 7)) for _ in range(2)]
        if section in (1, 3):
            blocks.append(code_block(rng))
        if section == 2:
            blocks.append(table(rng))
        if section == 4:
            blocks.append("\n".join(f"- {sentence(rng, 5, 10)}" for _ in range(5)))
    return "\n".join(front) + "\n\n" + "\n\n".join(blocks) + "\n"


FAMILIES_CONFIG = """\
tag_feeds: true
category_feeds: true
author_feeds: true
language_feeds: true
"""


def generate(
    folder: Path, count: int, *, limit: int = 20, seed: int = 7, families: bool = False
) -> Path:
    """Write ``count`` posts and a postfeed.yaml into ``folder``; return the config path."""
    posts = folder / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        text = post(number, seed, families=families)
        (posts / f"{slug(number)}.md").write_text(text, encoding="utf-8")
    return write_config(folder, limit, families=families)


def write_config(folder: Path, limit: int, archive: int = 0, *, families: bool = False) -> Path:
    """Write the benchmark's postfeed.yaml with the given limit and, unless 0, archive
    page size; with ``families``, with every family of feeds on."""
    config = folder / "postfeed.yaml"
    text = CONFIG.format(limit=limit)
    if families:
        text = text.replace("tag_feeds: false\n", FAMILIES_CONFIG)
    if archive:
        text += f"archive: {archive}\n"
    config.write_text(text, encoding="utf-8")
    return config


def main() -> None:
    """Generate one archive: ``python bench/generate.py DIR COUNT``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args()
    generate(args.folder, args.count, limit=args.limit)


if __name__ == "__main__":
    main()
