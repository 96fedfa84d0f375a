"""What a newcomer writes: read every post, parse its front matter with
``yaml.safe_load``, render every body with ``markdown.markdown``, sort, and write
Atom and RSS with feedgen.

Usage: python bench/naive.py SITE_DIR OUT_DIR LIMIT
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import markdown
import yaml
from feedgen.feed import FeedGenerator


def main() -> None:
    site, out, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    posts = []
    for path in sorted((site / "posts").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        date = meta["date"]
        if not isinstance(date, datetime):
            date = datetime.fromisoformat(str(date))
        html = markdown.markdown(body, extensions=["extra", "sane_lists"])
        posts.append((date.astimezone(UTC), path.stem, meta, html))
    posts.sort(key=lambda item: (item[0], item[1]), reverse=True)
    chosen = posts[:limit] if limit else posts
    out.mkdir(parents=True, exist_ok=True)
    for kind in ("atom", "rss"):
        fg = FeedGenerator()
        fg.id("https://bench.example/")
        fg.title("Synthetic Go Blog")
        fg.link(href=f"https://bench.example/feeds/{kind}.xml", rel="self")
        fg.link(href="https://bench.example/", rel="alternate")
        fg.description("Generated posts for the postfeed benchmark.")
        fg.updated(chosen[0][0] if chosen else datetime(1970, 1, 1, tzinfo=UTC))
        for date, slug, meta, html in chosen:
            url = f"https://bench.example/posts/{slug}/"
            fe = fg.add_entry(order="append")
            fe.id(url)
            fe.title(str(meta["title"]))
            fe.link(href=url)
            fe.published(date)
            fe.updated(date)
            fe.content(html, type="html")
        if kind == "atom":
            fg.atom_file(str(out / "atom.xml"))
        else:
            fg.rss_file(str(out / "rss.xml"))


if __name__ == "__main__":
    main()
