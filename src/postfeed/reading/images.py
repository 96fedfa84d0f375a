"""Front matter ``image``: check its form, make it absolute, and read the byte length
and media type of an image published from the site's static folder. Reads file sizes
only; never fetches a URL."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from stat import S_ISREG
from urllib.parse import unquote, urlsplit

from .. import _paths
from ..model import Image, Site
from ..urls import image_url
from . import _values

# Our own table, not the mimetypes module: its answers depend on the machine's
# /etc/mime.types, and the same posts must give the same bytes everywhere.
MEDIA_TYPES = {
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def image_value(value: object) -> str:
    """A front matter ``image``: a path under the site URL, or an absolute http(s) URL."""
    text = _values.text(value).strip()
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in text):
        raise _values.ValueProblem(
            f"expected a path or URL without spaces (write a space as %20), got {text!r}"
        )
    scheme = urlsplit(text).scheme
    if scheme and scheme not in ("http", "https"):
        raise _values.ValueProblem(
            f"expected a path under the site url or an absolute http(s) URL, got {text!r}"
        )
    return text


def locate(site: Site, value: str) -> Image:
    """The image with an absolute URL and, when the URL is under the site URL and the
    site has a static folder, the byte length and media type of the file there.

    Raises:
        _values.ValueProblem: the file is missing, outside the static folder, or not
            a known image type.
    """
    url = image_url(site, value)
    path = static_file(site, url)
    if path is None:
        return Image(url=url)
    folder = site.static_dir
    assert folder is not None
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        inside = False
    if not inside:
        raise _values.ValueProblem(f"{value!r} points outside the static folder {folder}")
    found = _paths.status(path)
    if found is None or not S_ISREG(found.st_mode):
        raise _values.ValueProblem(
            f"no such file {path} (images under the site url are read from the static folder)"
        )
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        known = ", ".join(sorted(MEDIA_TYPES))
        raise _values.ValueProblem(f"unknown image type {path.suffix or path.name!r} (use {known})")
    return Image(url=url, length=found.st_size, media_type=media_type)


def static_file(site: Site, url: str) -> Path | None:
    """Where in the static folder an image of this absolute URL is read from, if it is;
    the path may lead outside the folder, which :func:`locate` refuses."""
    if site.static_dir is None:
        return None
    relative = _path_under_site(site, url)
    if relative is None:
        return None
    return site.static_dir.joinpath(*relative.parts) if relative.parts else site.static_dir


def _path_under_site(site: Site, url: str) -> PurePosixPath | None:
    """The part of ``url``'s path below the site URL's path, or None when the URL is
    elsewhere."""
    base, target = urlsplit(site.url), urlsplit(url)
    if (target.scheme, target.netloc.lower()) != (base.scheme, base.netloc.lower()):
        return None
    if not target.path.startswith(base.path):
        return None
    rest = unquote(target.path[len(base.path) :])
    if "\x00" in rest or "\\" in rest:
        return PurePosixPath("..")
    return PurePosixPath(rest)
