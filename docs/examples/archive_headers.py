"""Cache rules for the closed archive pages of a postfeed site, for a static host.

Closed pages never change, so a host may let browsers, proxies and feed readers keep
them for a year. The newest page of each archive still grows, and the subscription
documents change with every post: those keep the host's default (a short lifetime
and revalidation). Which pages are closed changes only when a page fills up, so run
this after each build, or at least whenever a new page opens:

    python archive_headers.py netlify >> public/_headers     # Netlify, Cloudflare Pages
    python archive_headers.py nginx > /etc/nginx/postfeed-archive.conf
    python archive_headers.py apache > feeds/.htaccess

Usage: python archive_headers.py [--config postfeed.yaml] netlify|nginx|apache
"""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

import postfeed

LONG = "public, max-age=31536000, immutable"


def closed_pages(site: postfeed.Site) -> list[tuple[postfeed.PlannedFeed, postfeed.ArchivePage]]:
    """Every archive page but the newest of each feed, with its feed."""
    published, _ = postfeed.select(postfeed.load_posts(site))
    return [(feed, page) for feed in postfeed.plan(site, published) for page in feed.pages[:-1]]


def netlify(site: postfeed.Site) -> str:
    """A ``_headers`` file's rules (Netlify and Cloudflare Pages read the same syntax)."""
    return "".join(
        f"{urlsplit(page.base_url).path}*\n  Cache-Control: {LONG}\n"
        for _, page in closed_pages(site)
    )


def nginx(site: postfeed.Site) -> str:
    """An nginx ``map`` to include in the ``http`` block; then, where the feeds are
    served, ``add_header Cache-Control $postfeed_archive;`` (an empty value adds none)."""
    lines = ["map $uri $postfeed_archive {", '    default "";']
    for _, page in closed_pages(site):
        lines.append(f'    ~^{urlsplit(page.base_url).path} "{LONG}";')
    return "\n".join([*lines, "}"]) + "\n"


def apache(site: postfeed.Site) -> str:
    """mod_headers rules for the output folder's ``.htaccess`` (or a server config)."""
    numbers: dict[str, list[int]] = {}
    for feed, page in closed_pages(site):
        numbers.setdefault(urlsplit(feed.base_url).path, []).append(page.number)
    return "".join(
        f'<If "%{{REQUEST_URI}} =~ m#^{folder}archive/({"|".join(map(str, found))})/#">\n'
        f'  Header set Cache-Control "{LONG}"\n</If>\n'
        for folder, found in numbers.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host", choices=("netlify", "nginx", "apache"))
    parser.add_argument("--config", default="postfeed.yaml")
    args = parser.parse_args()
    site = postfeed.load_site(args.config)
    print({"netlify": netlify, "nginx": nginx, "apache": apache}[args.host](site), end="")


if __name__ == "__main__":
    main()
