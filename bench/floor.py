"""The floor for this stack: scan every post's front matter with PyYAML's C loader,
render only the posts in the feed with one Markdown instance, write Atom and RSS
with feedgen. No validation, no cache; the least any tool on this stack must do.

Usage: python bench/floor.py SITE_DIR OUT_DIR LIMIT
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import markdown
import yaml
from feedgen.feed import FeedGenerator


def scan(folder: Path) -> list[tuple[datetime, str, dict[str, object], int]]:
    """Each post's date, file name, front matter and body offset, reading only the front matter."""
    found = []
    for name in sorted(path.name for path in folder.iterdir()):
        if not name.endswith(".md"):
            continue
        with (folder / name).open("rb") as handle:
            handle.readline()
            lines = []
            while line := handle.readline():
                if line.rstrip() == b"---":
                    break
                lines.append(line)
            offset = handle.tell()
        meta = yaml.load(b"".join(lines).decode("utf-8"), Loader=yaml.CSafeLoader)
        date = meta["date"]
        if not isinstance(date, datetime):
            date = datetime.fromisoformat(str(date))
        found.append((date.astimezone(UTC), name, meta, offset))
    return found


def main() -> None:
    site, out, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    posts = sorted(scan(site / "posts"), key=lambda item: (item[0], item[1]), reverse=True)
    chosen = posts[:limit] if limit else posts
    renderer = markdown.Markdown(extensions=["extra", "sane_lists"])
    generators = []
    for kind in ("atom", "rss"):
        fg = FeedGenerator()
        fg.id("https://bench.example/")
        fg.title("Synthetic Go Blog")
        fg.link(href=f"https://bench.example/feeds/{kind}.xml", rel="self")
        fg.link(href="https://bench.example/", rel="alternate")
        fg.description("Generated posts for the postfeed benchmark.")
        fg.updated(chosen[0][0] if chosen else datetime(1970, 1, 1, tzinfo=UTC))
        generators.append(fg)
    for date, name, meta, offset in chosen:
        with (site / "posts" / name).open("rb") as handle:
            handle.seek(offset)
            body = handle.read().decode("utf-8")
        renderer.reset()
        html = renderer.convert(body)
        url = f"https://bench.example/posts/{name[:-3]}/"
        for fg in generators:
            fe = fg.add_entry(order="append")
            fe.id(url)
            fe.title(str(meta["title"]))
            fe.link(href=url)
            fe.published(date)
            fe.updated(date)
            fe.content(html, type="html")
    out.mkdir(parents=True, exist_ok=True)
    generators[0].atom_file(str(out / "atom.xml"))
    generators[1].rss_file(str(out / "rss.xml"))


if __name__ == "__main__":
    main()
