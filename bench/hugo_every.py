"""The Hugo reference where every post is written (``limit: 0``, or an archive): a Hugo
site over the benchmark's posts that writes an RSS feed and an Atom feed of every post
with its full content, and no HTML page.

Hugo's RSS output format, with a template that puts each post's content in the feed
(Hugo's own template carries the summary), and a custom Atom output format; the
RSS limit is -1 (every post). Pages get their URLs without being written
(``build.render = "link"``). The posts are read where they are (``contentDir``).
The families scenario's Hugo site, and the Hugo binary both are built with, are in
bench/hugo_site.py.

Usage: python bench/hugo_every.py SITE_DIR   (writes SITE_DIR/hugo/, prints nothing)
Then:  HUGO --quiet --source SITE_DIR/hugo --destination OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

CONFIG = """\
baseURL = "https://bench.example/"
title = "Synthetic Go Blog"
locale = "en"
timeZone = "Europe/Berlin"
contentDir = "{posts}"
disableKinds = ["taxonomy", "term", "section", "sitemap", "robotsTXT", "404"]

[outputs]
  home = ["rss", "atom"]

# Posts get their URLs, but no page is written.
[[cascade]]
  [cascade.build]
    render = "link"
  [cascade.target]
    kind = "page"

[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]

[outputFormats.atom]
  mediaType = "application/atom+xml"
  baseName = "atom"
  isPlainText = false

[services.rss]
  limit = -1

[params]
  description = "Generated posts for the postfeed benchmark."

[markup.goldmark.renderer]
  unsafe = true
"""

RSS = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{{ site.Title }}</title>
    <link>{{ .Permalink }}</link>
    <description>{{ site.Params.description }}</description>
    <language>{{ site.Language.Locale }}</language>
    {{- with site.RegularPages.ByLastmod.Reverse }}
    {{- $format := "Mon, 02 Jan 2006 15:04:05 -0700" }}
    <lastBuildDate>{{ (index . 0).Lastmod.Format $format | safeHTML }}</lastBuildDate>
    {{- end }}
    {{- with .OutputFormats.Get "rss" }}
    <atom:link href="{{ .Permalink }}" rel="self" type="{{ .MediaType }}" />
    {{- end }}
    {{- range site.RegularPages.ByDate.Reverse }}
    <item>
      <title>{{ .Title }}</title>
      <link>{{ .Permalink }}</link>
      <pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
      <guid>{{ .Permalink }}</guid>
      <description>{{ .Content | transform.XMLEscape | safeHTML }}</description>
    </item>
    {{- end }}
  </channel>
</rss>
"""

ATOM = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>{{ site.Home.Permalink }}</id>
  <title>{{ site.Title }}</title>
  <subtitle>{{ site.Params.description }}</subtitle>
  {{- with site.RegularPages.ByLastmod.Reverse }}
  <updated>{{ (index . 0).Lastmod.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
  {{- end }}
  <link href="{{ .Permalink }}" rel="self" type="application/atom+xml"/>
  <link href="{{ site.Home.Permalink }}" rel="alternate" type="text/html"/>
  {{- range site.RegularPages.ByDate.Reverse }}
  <entry>
    <id>{{ .Permalink }}</id>
    <title>{{ .Title }}</title>
    <link href="{{ .Permalink }}" rel="alternate" type="text/html"/>
    <published>{{ .Date.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</published>
    <updated>{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
    <content type="html">{{ .Content | transform.XMLEscape | safeHTML }}</content>
  </entry>
  {{- end }}
</feed>
"""


def write_site(site: Path) -> Path:
    """Write the Hugo site over ``site``'s posts; return its folder."""
    folder = site / "hugo"
    layouts = folder / "layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    posts = (site / "posts").resolve()
    (folder / "hugo.toml").write_text(CONFIG.format(posts=posts.as_posix()), encoding="utf-8")
    (layouts / "home.rss.xml").write_text(RSS, encoding="utf-8")
    (layouts / "home.atom.xml").write_text(ATOM, encoding="utf-8")
    return folder


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    write_site(Path(sys.argv[1]))


if __name__ == "__main__":
    main()
