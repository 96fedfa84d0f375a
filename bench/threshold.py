"""Where a process pool starts to pay: cold builds of n posts at ``limit: 0`` (every
post rendered, no cache), serial (``--jobs 1``) and shared with a worker
(``--jobs 2``), as subprocesses; the median of several runs each. Also prints the
single-core work postfeed estimates for each build, which the pool threshold in
src/postfeed/_workers.py is compared with.

Usage: python bench/threshold.py [--repeat 5] [--counts 2,4,8,16,32,64,128]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the generator sits beside this script)
from run import measure  # noqa: E402

from postfeed import _workers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--counts", default="2,4,8,16,32,64,128")
    args = parser.parse_args()
    print("| posts | estimated work, s | --jobs 1, s | --jobs 2, s | 2 / 1 |")
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as work:
        for count in (int(text) for text in args.counts.split(",")):
            folder = Path(work) / str(count)
            config = generate.generate(folder, count, limit=0)
            chars = sum(len(path.read_text()) for path in (folder / "posts").glob("*.md"))
            estimate = chars * _workers.RENDER_SECONDS_PER_CHAR
            medians = []
            for jobs in (1, 2):
                command = [
                    sys.executable,
                    "-m",
                    "postfeed",
                    "build",
                    "-q",
                    "--no-cache",
                    "--jobs",
                    str(jobs),
                    "--config",
                    str(config),
                ]
                walls = []
                for _ in range(args.repeat):
                    for path in (folder / "feeds").glob("*.xml"):
                        path.unlink()
                    walls.append(measure(command)["wall_s"])
                medians.append(statistics.median(walls))
            print(
                f"| {count} | {estimate:.3f} | {medians[0]:.3f} | {medians[1]:.3f}"
                f" | {medians[1] / medians[0]:.2f} |"
            )


if __name__ == "__main__":
    main()
