"""The postfeed benchmark: synthetic archives of 100, 1,000 and 10,000 posts, built
cold, unchanged, after editing one post and after adding one, at ``limit: 20``,
at ``limit: 0`` and at ``limit: 20`` with an archive of 100 posts a page (``20:100``;
where every post is written, also after editing the oldest post), next to
references measured in the same run:

- floor: scan every post's front matter with PyYAML's C loader, render only the
  posts in the feed, write Atom and RSS with feedgen (bench/floor.py);
- naive: read every post, render every post with Python-Markdown, then feedgen
  (bench/naive.py);
- hugo, with ``--hugo`` and where every post is written: Hugo's RSS and an Atom
  output format of every post with its full content, and no HTML page
  (bench/hugo.py).

Every build runs as a subprocess of a fresh bench/measure.py, which reports its
wall time and peak memory. References and cold builds are measured in
alternating rounds, so that a busy machine slows both alike. Prints a table and
writes JSON; with --docs, rewrites the table in docs/performance.md.

Usage: python bench/run.py [--sizes 100,1000,10000] [--limits 20,0,20:100] [--repeat N]
           [--scenarios cold,add,...] [--references floor,naive,hugo] [--hugo HUGO]
           [--docs FILE]
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
import hugo  # noqa: E402

SIZES = (100, 1000, 10000)
LIMITS = ("20", "0", "20:100")
SCENARIOS = ("cold", "no-cache", "no-change", "edit", "edit-oldest", "add")
REFERENCES = ("floor", "naive", "hugo")
MARK = "bench-table"  # the docs' tables sit between <!-- bench-table[ NAME] --> and its end


def repetitions(size: int, every: bool, override: int | None) -> dict[str, int]:
    """How many times to run each measurement: fewer where one run takes long. ``every``
    is whether the builds write every post (``limit: 0``, or an archive)."""
    if override is not None:
        return {name: override for name in (*SCENARIOS, *REFERENCES)}
    if size >= 10000 and every:
        return {
            "cold": 1,
            "no-cache": 1,
            "no-change": 3,
            "edit": 3,
            "edit-oldest": 3,
            "add": 3,
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
    """One generated site and the commands that build it."""

    def __init__(self, work: Path, size: int) -> None:
        self.size = size
        self.folder = work / f"posts-{size}"
        stamp = self.folder / "generated.json"
        wanted = {"size": size, "generator": generate.__doc__}
        if not stamp.is_file() or json.loads(stamp.read_text()) != wanted:
            shutil.rmtree(self.folder, ignore_errors=True)
            generate.generate(self.folder, size)
            stamp.write_text(json.dumps(wanted))
        self.config = self.folder / "postfeed.yaml"
        self.added = 0
        self.edits = 0

    def postfeed(self, *options: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "postfeed",
            "build",
            "-q",
            *options,
            "--config",
            str(self.config),
        ]

    def reference(self, name: str, limit: int, hugo: str | None = None) -> list[str]:
        out = self.folder / f"{name}-out"
        if name == "hugo":
            assert hugo is not None
            shutil.rmtree(out, ignore_errors=True)  # every run writes its files anew
            source = self.folder / "hugo"
            return [hugo, "--source", str(source), "--destination", str(out), "--quiet"]
        return [sys.executable, str(HERE / f"{name}.py"), str(self.folder), str(out), str(limit)]

    def forget(self) -> None:
        """Remove the cache and the output: the next build is cold."""
        shutil.rmtree(self.folder / ".postfeed-cache", ignore_errors=True)
        shutil.rmtree(self.folder / "feeds", ignore_errors=True)

    def newest(self) -> Path:
        return self.folder / "posts" / f"{generate.slug(self.size - 1)}.md"

    def oldest(self) -> Path:
        return self.folder / "posts" / f"{generate.slug(0)}.md"

    def edit(self) -> None:
        """Change the body of the newest post, which every feed shows."""
        self.edits += 1
        text = generate.post(self.size - 1) + f"\nEdited in round {self.edits}.\n"
        self.newest().write_text(text, encoding="utf-8")

    def edit_oldest(self) -> None:
        """Change the body of the oldest post, which only a feed of every post shows."""
        self.edits += 1
        text = generate.post(0) + f"\nEdited in round {self.edits}.\n"
        self.oldest().write_text(text, encoding="utf-8")

    def add(self) -> None:
        """Add a post newer than all others."""
        number = self.size + self.added
        self.added += 1
        path = self.folder / "posts" / f"{generate.slug(number)}.md"
        path.write_text(generate.post(number), encoding="utf-8")

    def restore(self) -> None:
        """Undo edits and additions."""
        self.newest().write_text(generate.post(self.size - 1), encoding="utf-8")
        self.oldest().write_text(generate.post(0), encoding="utf-8")
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
    pages: int,
    counts: dict[str, int],
    scenarios: list[str],
    references: list[str],
    hugo: str | None,
    known: dict[str, list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Every measurement of one archive at one limit (and archive page size, 0: none).
    ``known`` holds references measured for this archive already, which do not depend
    on the limit (Hugo writes every post)."""
    generate.write_config(archive.folder, limit, pages)
    every = limit == 0 or pages > 0
    wanted = [name for name in SCENARIOS if name in scenarios]
    if not every:
        wanted = [name for name in wanted if name != "edit-oldest"]
    kept = [name for name in references if name != "hugo" or (every and hugo is not None)]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in (*kept, *wanted)}
    if "hugo" in kept and "hugo" in known:
        runs["hugo"] = known["hugo"]
        counts = {**counts, "hugo": 0}
    rounds = max([counts["cold"], counts["no-cache"], *(counts[name] for name in kept)])
    for round_ in range(rounds):
        for name in kept:
            if round_ < counts[name]:
                runs[name].append(measure(archive.reference(name, limit, hugo)))
        if "no-cache" in wanted and round_ < counts["no-cache"]:
            archive.forget()
            runs["no-cache"].append(measure(archive.postfeed("--no-cache")))
        if "cold" in wanted and round_ < counts["cold"]:
            archive.forget()
            runs["cold"].append(measure(archive.postfeed()))
    if "hugo" in kept:
        known["hugo"] = runs["hugo"]
    if "cold" not in wanted and set(wanted) - {"no-cache"}:
        archive.forget()
        measure(archive.postfeed())  # the build the others start from
    for _ in range(counts["no-change"] if "no-change" in wanted else 0):
        runs["no-change"].append(measure(archive.postfeed()))
    for _ in range(counts["edit"] if "edit" in wanted else 0):
        archive.edit()
        runs["edit"].append(measure(archive.postfeed()))
    for _ in range(counts["edit-oldest"] if "edit-oldest" in wanted else 0):
        archive.edit_oldest()
        runs["edit-oldest"].append(measure(archive.postfeed()))
    for _ in range(counts["add"] if "add" in wanted else 0):
        archive.add()
        runs["add"].append(measure(archive.postfeed()))
    archive.restore()
    rows = [summary(name, found) for name, found in runs.items() if found]
    medians = {row["scenario"]: row["median_s"] for row in rows}
    for row in rows:
        row.update(size=archive.size, limit=limit, archive=pages)
        for name in ("floor", "naive", "hugo"):
            row[f"x_{name}"] = row["median_s"] / medians[name] if name in medians else None
    return rows


def probe(archive: Archive) -> dict[str, Any]:
    """Renders and Markdown time of one cold build at limit 20."""
    generate.write_config(archive.folder, 20)
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


def find(
    rows: list[dict[str, Any]], size: int, limit: int, scenario: str, archive: int = 0
) -> dict[str, Any]:
    for row in rows:
        if (row["size"], row["limit"], row["archive"], row["scenario"]) == (
            size,
            limit,
            archive,
            scenario,
        ):
            return row
    raise KeyError((size, limit, archive, scenario))


def targets(rows: list[dict[str, Any]], probes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets, each with the measured figure, where the run measured it."""
    checks: list[dict[str, Any]] = []

    def check(name: str, value: float, limit: float, unit: str) -> None:
        checks.append(
            {"target": name, "value": value, "limit": limit, "unit": unit, "met": value <= limit}
        )

    def get(size: int, limit: int, scenario: str, archive: int = 0) -> dict[str, Any] | None:
        try:
            return find(rows, size, limit, scenario, archive)
        except KeyError:
            return None

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
    every, plain = get(10000, 20, "cold", 100), get(10000, 0, "cold")
    if every is not None and plain is not None:
        ratio = every["median_s"] / plain["median_s"]
        check("10,000 posts: cold build, archive 100 / limit 0", ratio, 1.0, "x")
    return checks


def table(rows: list[dict[str, Any]], probes: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""

    def times(row: dict[str, Any], name: str, digits: int) -> str:
        value = row[f"x_{name}"]
        return "" if value is None else f"{value:.{digits}f}"

    lines = [
        "| posts | limit | archive | build | median s | x floor | x naive | x Hugo | peak MiB"
        " | runs |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['size']:,} | {row['limit']} | {row['archive'] or ''} | {row['scenario']}"
            f" | {row['median_s']:.3f} | {times(row, 'floor', 2)} | {times(row, 'naive', 3)}"
            f" | {times(row, 'hugo', 3)} | {row['peak_mib']:.0f} | {len(row['runs'])} |"
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
            for name in ("postfeed", "Markdown", "PyYAML", "feedgen", "lxml", "python-dateutil")
        },
        "load_at_start": os.getloadavg()[0],
    }


def write_docs(path: Path, text: str, block: str = "") -> None:
    """Put ``text`` between the file's markers of ``block`` (the main block by default)."""
    name = f"{MARK} {block}" if block else MARK
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
        "--scenarios",
        default=",".join(SCENARIOS),
        help="the builds to measure, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--references",
        default=",".join(REFERENCES),
        help="the references to measure, comma-separated (default: %(default)s; hugo only"
        " with --hugo, and where every post is written)",
    )
    parser.add_argument(
        "--hugo", help="the Hugo binary for the hugo reference (make bench installs Hugo 0.168)"
    )
    parser.add_argument("--repeat", type=int, help="runs of every measurement (default: by size)")
    parser.add_argument(
        "--work", type=Path, help="folder for the archives (default: a temporary one)"
    )
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="results file")
    parser.add_argument("--docs", type=Path, help="rewrite the results table in this Markdown file")
    parser.add_argument(
        "--docs-block",
        default="",
        metavar="NAME",
        help="the table to rewrite there: between <!-- bench-table NAME --> and its end"
        " (default: the one without a name, for a full run)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    limits = [parse_limit(limit) for limit in args.limits.split(",")]
    scenarios = [name for name in args.scenarios.split(",") if name]
    references = [name for name in args.references.split(",") if name]
    for name in (*scenarios, *references):
        if name not in (*SCENARIOS, *REFERENCES):
            parser.error(f"unknown build {name!r}")
    work = args.work or Path(tempfile.mkdtemp(prefix="postfeed-bench-"))
    started = time.time()
    compile_postfeed()
    env = environment()
    rows: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    try:
        for size in sizes:
            archive = Archive(work, size)
            if args.hugo is not None:
                hugo.write_site(archive.folder)
            known: dict[str, list[dict[str, Any]]] = {}
            for limit, pages in limits:
                label = f"limit {limit}" + (f", archive {pages}" if pages else "")
                print(f"{size} posts, {label} ...", file=sys.stderr)
                counts = repetitions(size, limit == 0 or pages > 0, args.repeat)
                rows += bench_limit(
                    archive, limit, pages, counts, scenarios, references, args.hugo, known
                )
            if (20, 0) in limits and "cold" in scenarios:
                probes.append(probe(archive))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    env["load_at_end"] = os.getloadavg()[0]
    env["seconds"] = round(time.time() - started)
    checks = targets(rows, probes)
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    report = table(rows, probes)
    print(report)
    if checks:
        print()
        print(target_lines(checks))
    args.json.write_text(
        json.dumps(
            {
                "command": command.strip(),
                "environment": env,
                "results": rows,
                "probes": probes,
                "targets": checks,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    if args.docs is not None:
        write_docs(
            args.docs,
            block=args.docs_block,
            text=f"{report}\n\n{target_lines(checks)}\n\n"
            f"Measured with `{command.strip()}` in {env['seconds']} s on {env['cpus']} CPUs"
            f" ({env['cpu'] or 'unknown'}), Python {env['python']}, load average"
            f" {env['load_at_start']:.2f} at the start and {env['load_at_end']:.2f} at the end.",
        )


if __name__ == "__main__":
    main()
