"""The postfeed benchmark: synthetic archives of 100, 1,000 and 10,000 posts, built
cold, unchanged, after editing one post and after adding one, at ``limit: 20``
and ``limit: 0``, next to two references measured in the same run:

- floor: scan every post's front matter with PyYAML's C loader, render only the
  posts in the feed, write Atom and RSS with feedgen (bench/floor.py);
- naive: read every post, render every post with Python-Markdown, then feedgen
  (bench/naive.py).

The families scenario builds an archive whose posts have 30 tags, 10 categories and
20 authors, with every family of feeds on (RSS and Atom, limit 20), next to Hugo
building the same posts' home and tag feeds (bench/hugo_site.py).

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
the HTML costs). ``--no-references`` leaves out floor and naive.

Prints tables and writes JSON; with --docs, rewrites the tables in
docs/performance.md. ``--parts`` runs only some of the two (the families scenario
is part of the builds).

Usage: python bench/run.py [--parts builds,render] [--sizes 100,1000,10000] [--limits 20,0]
                           [--families-size 10000] [--repeat N]
                           [--scenarios cold,no-cache,...] [--no-references] [--docs FILE]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
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

import generate  # noqa: E402  (the generator sits beside this script)
import hugo_site  # noqa: E402

SIZES = (100, 1000, 10000)
LIMITS = (20, 0)
SCENARIOS = ("cold", "no-cache", "no-change", "edit", "add")
PARTS = ("builds", "render")
MARKS = {
    "builds": ("<!-- bench-table -->", "<!-- /bench-table -->"),
    "render": ("<!-- bench-render -->", "<!-- /bench-render -->"),
}
RENDER_FORMATS = ("atom", "rss", "json")
#: Builds with sanitize: false, each measured in the rounds of the build it is named after.
VERBATIM = {"cold-verbatim": "cold", "no-cache-verbatim": "no-cache"}
REFERENCES = ("floor", "naive")


def repetitions(size: int, limit: int, override: int | None) -> dict[str, int]:
    """How many times to run each measurement: fewer where one run takes long."""
    if override is not None:
        return {name: override for name in (*SCENARIOS, *VERBATIM, *REFERENCES)}
    counts = _repetitions(size, limit)
    return counts | {name: counts[twin] for name, twin in VERBATIM.items()}


def _repetitions(size: int, limit: int) -> dict[str, int]:
    if size >= 10000 and limit == 0:
        return {
            "cold": 1,
            "no-cache": 1,
            "no-change": 3,
            "edit": 3,
            "add": 3,
            "floor": 1,
            "naive": 1,
        }
    if size >= 10000:
        return {
            "cold": 5,
            "no-cache": 5,
            "no-change": 5,
            "edit": 5,
            "add": 5,
            "floor": 5,
            "naive": 1,
        }
    return {"cold": 5, "no-cache": 5, "no-change": 5, "edit": 5, "add": 5, "floor": 5, "naive": 3}


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

    def write_config(self, limit: int) -> None:
        """Both configurations at ``limit``: as generated, and with ``sanitize: false``."""
        generate.write_config(self.folder, limit, families=self.families)
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

    def reference(self, name: str, limit: int) -> list[str]:
        out = self.folder / f"{name}-out"
        return [sys.executable, str(HERE / f"{name}.py"), str(self.folder), str(out), str(limit)]

    def forget(self) -> None:
        """Remove the cache and the output: the next build is cold."""
        shutil.rmtree(self.folder / ".postfeed-cache", ignore_errors=True)
        shutil.rmtree(self.folder / "feeds", ignore_errors=True)

    def newest(self) -> Path:
        return self.folder / "posts" / f"{generate.slug(self.size - 1)}.md"

    def edit(self) -> None:
        """Change the body of the newest post, which every feed shows."""
        self.edits += 1
        text = generate.post(self.size - 1, families=self.families)
        self.newest().write_text(text + f"\nEdited in round {self.edits}.\n", encoding="utf-8")

    def add(self) -> None:
        """Add a post newer than all others."""
        number = self.size + self.added
        self.added += 1
        path = self.folder / "posts" / f"{generate.slug(number)}.md"
        path.write_text(generate.post(number, families=self.families), encoding="utf-8")

    def restore(self) -> None:
        """Undo edits and additions."""
        self.newest().write_text(
            generate.post(self.size - 1, families=self.families), encoding="utf-8"
        )
        for number in range(self.size, self.size + self.added):
            (self.folder / "posts" / f"{generate.slug(number)}.md").unlink()
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
    counts: dict[str, int],
    scenarios: tuple[str, ...] = SCENARIOS,
    references: bool = True,
) -> list[dict[str, Any]]:
    """Every measurement of one archive at one limit."""
    archive.write_config(limit)
    names = (*(REFERENCES if references else ()), *scenarios)
    counts = {name: counts[name] if name in names else 0 for name in counts}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    rounds = max(counts[name] for name in ("floor", "naive", "cold", "no-cache", *VERBATIM))
    for round_ in range(rounds):
        if round_ < counts["floor"]:
            runs["floor"].append(measure(archive.reference("floor", limit)))
        if round_ < counts["naive"]:
            runs["naive"].append(measure(archive.reference("naive", limit)))
        for name in ("no-cache", "no-cache-verbatim", "cold", "cold-verbatim"):
            if round_ < counts[name]:
                archive.forget()
                options = ("--no-cache",) if name.startswith("no-cache") else ()
                verbatim = name in VERBATIM
                runs[name].append(measure(archive.postfeed(*options, verbatim=verbatim)))
    for _ in range(counts["no-change"]):
        runs["no-change"].append(measure(archive.postfeed()))
    for _ in range(counts["edit"]):
        archive.edit()
        runs["edit"].append(measure(archive.postfeed()))
    for _ in range(counts["add"]):
        archive.add()
        runs["add"].append(measure(archive.postfeed()))
    archive.restore()
    rows = [summary(name, found) for name, found in runs.items()]
    floor = rows[0]["median_s"] if references else None
    naive = rows[1]["median_s"] if references else None
    for row in rows:
        row.update(size=archive.size, limit=limit)
        row["x_floor"] = row["median_s"] / floor if floor else None
        row["x_naive"] = row["median_s"] / naive if naive else None
    return rows


FAMILY_SCENARIOS = ("cold", "no-change", "edit")


def bench_families(archive: Archive, repeat: int | None) -> list[dict[str, Any]]:
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
        runs["hugo"].append(measure(hugo_site.command(site, out)))
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
        row.update(size=archive.size, limit=limit, families=True)
        row["x_hugo"] = row["median_s"] / reference
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
    rows: list[dict[str, Any]], size: int, limit: int, scenario: str, *, families: bool = False
) -> dict[str, Any]:
    for row in rows:
        if (row["size"], row["limit"], row["scenario"], row.get("families", False)) == (
            size,
            limit,
            scenario,
            families,
        ):
            return row
    raise KeyError((size, limit, scenario, families))


def targets(rows: list[dict[str, Any]], probes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured figure, where the run measured it."""
    try:
        return _targets(rows, probes)
    except (KeyError, TypeError):  # a run of some scenarios, or without references
        return []


def _targets(rows: list[dict[str, Any]], probes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []

    def check(name: str, value: float, limit: float, unit: str) -> None:
        checks.append(
            {"target": name, "value": value, "limit": limit, "unit": unit, "met": value <= limit}
        )

    sizes = {row["size"] for row in rows if not row.get("families")}
    for size in sorted({row["size"] for row in rows if row.get("families")}):
        cold = find(rows, size, 20, "cold", families=True)
        check(f"families, {size:,} posts: cold build / Hugo's tag feeds", cold["x_hugo"], 0.5, "x")
        change = find(rows, size, 20, "no-change", families=True)
        check(f"families, {size:,} posts: no-change rebuild", change["median_s"], 0.5, "s")
        peak = max(
            find(rows, size, 20, name, families=True)["peak_mib"] for name in FAMILY_SCENARIOS
        )
        check(f"families, {size:,} posts: peak memory", peak, 150, "MiB")
    if 10000 in sizes:
        cold = find(rows, 10000, 20, "cold")
        check("10,000 posts, limit 20: cold build / floor", cold["x_floor"], 1.2, "x")
        check(
            "10,000 posts, limit 20: no-change rebuild",
            find(rows, 10000, 20, "no-change")["median_s"],
            0.4,
            "s",
        )
        check(
            "10,000 posts, limit 20: one-post edit",
            find(rows, 10000, 20, "edit")["median_s"],
            0.5,
            "s",
        )
        peak = max(find(rows, 10000, 20, name)["peak_mib"] for name in SCENARIOS)
        check("10,000 posts, limit 20: peak memory", peak, 120, "MiB")
    if 1000 in sizes:
        check(
            "1,000 posts, limit 0: cold build / naive",
            find(rows, 1000, 0, "cold")["x_naive"],
            0.6,
            "x",
        )
        check(
            "1,000 posts, limit 0: one-post edit / naive",
            find(rows, 1000, 0, "edit")["x_naive"],
            0.1,
            "x",
        )
    if {1000, 10000} <= sizes:
        growth = (
            find(rows, 10000, 20, "cold")["median_s"] / find(rows, 1000, 20, "cold")["median_s"]
        )
        check("1,000 -> 10,000 posts, limit 20: cold build growth", growth, 10, "x")
        by_size = {found["size"]: found for found in probes}
        renders = by_size[10000]["render_s"] / by_size[1000]["render_s"]
        check("1,000 -> 10,000 posts, limit 20: Markdown render time growth", renders, 1.1, "x")
    return checks


def table(rows: list[dict[str, Any]], probes: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| posts | limit | build | median s | x floor | x naive | peak MiB | runs |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    families = [row for row in rows if row.get("families")]
    rows = [row for row in rows if not row.get("families")]
    for row in rows:
        x_floor = "" if row["x_floor"] is None else f"{row['x_floor']:.2f}"
        x_naive = "" if row["x_naive"] is None else f"{row['x_naive']:.3f}"
        lines.append(
            f"| {row['size']:,} | {row['limit']} | {row['scenario']} | {row['median_s']:.3f}"
            f" | {x_floor} | {x_naive} | {row['peak_mib']:.0f} | {len(row['runs'])} |"
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


def write_docs(path: Path, part: str, text: str) -> None:
    start, end = MARKS[part]
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
        default=",".join(map(str, LIMITS)),
        help="feed limits, comma-separated (default: %(default)s)",
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
        help=f"builds to measure, of {', '.join((*SCENARIOS, *VERBATIM))} (default: %(default)s)",
    )
    parser.add_argument(
        "--no-references", action="store_true", help="measure neither floor nor naive"
    )
    parser.add_argument(
        "--work", type=Path, help="folder for the archives (default: a temporary one)"
    )
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="results file")
    parser.add_argument("--docs", type=Path, help="rewrite the results table in this Markdown file")
    args = parser.parse_args()
    parts = args.parts.split(",")
    if not set(parts) <= set(PARTS):
        parser.error(f"--parts: choose from {', '.join(PARTS)}")
    sizes = [int(size) for size in args.sizes.split(",") if size]
    limits = [int(limit) for limit in args.limits.split(",")]
    scenarios = tuple(name for name in args.scenarios.split(",") if name)
    unknown = sorted(set(scenarios) - {*SCENARIOS, *VERBATIM})
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}")
    work = args.work or Path(tempfile.mkdtemp(prefix="postfeed-bench-"))
    started = time.time()
    compile_postfeed()
    env = environment()
    rows: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    rendered: dict[str, Any] = {}
    try:
        for size in sizes if "builds" in parts else ():
            archive = Archive(work, size)
            for limit in limits:
                print(f"{size} posts, limit {limit} ...", file=sys.stderr)
                counts = repetitions(size, limit, args.repeat)
                rows += bench_limit(archive, limit, counts, scenarios, not args.no_references)
            if 20 in limits and not args.no_references:
                probes.append(probe(archive))
        if args.families_size and "builds" in parts:
            print(f"{args.families_size} posts, families ...", file=sys.stderr)
            rows += bench_families(Archive(work, args.families_size, families=True), args.repeat)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if "render" in parts:
        print("render() in a web application ...", file=sys.stderr)
        rendered = bench_render()
    env["load_at_end"] = os.getloadavg()[0]
    env["seconds"] = round(time.time() - started)
    checks = targets(rows, probes)
    render_checks = render_targets(rendered) if rendered else []
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    reports = {}
    if "builds" in parts:
        reports["builds"] = table(rows, probes)
        if checks:
            reports["builds"] += "\n\n" + target_lines(checks)
    if rendered:
        reports["render"] = render_table(rendered) + "\n\n" + target_lines(render_checks)
    print("\n\n".join(reports.values()))
    # A part not run keeps the figures it had in the file.
    data = json.loads(args.json.read_text(encoding="utf-8")) if args.json.is_file() else {}
    if "builds" in parts:
        data.update(
            command=command.strip(), environment=env, results=rows, probes=probes, targets=checks
        )
    if rendered:
        data["render"] = {
            "command": command.strip(),
            "environment": env,
            "results": rendered,
            "targets": render_checks,
        }
    args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    if args.docs is not None:
        for part, report in reports.items():
            write_docs(
                args.docs,
                part,
                f"{report}\n\n"
                f"Measured with `{command.strip()}` in {env['seconds']} s on {env['cpus']} CPUs"
                f" ({env['cpu'] or 'unknown'}), Python {env['python']}, load average"
                f" {env['load_at_start']:.2f} at the start and {env['load_at_end']:.2f} at the"
                " end.",
            )


if __name__ == "__main__":
    main()
