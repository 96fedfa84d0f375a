"""Split a post file's bytes into YAML front matter and Markdown body. No YAML parsing here."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FRONT_MATTER = 64 * 1024
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE_LINE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


class SplitProblem(Exception):
    """The file cannot be split into front matter and body."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class Parts:
    """A post file's front matter and body, with the lines they start on and the
    offset of the body in the decoded text."""

    front_matter: str
    front_matter_line: int
    body: str
    body_line: int
    body_offset: int


def decode(data: bytes) -> str:
    """Decode UTF-8 (a BOM is allowed) and turn CRLF and CR line ends into LF.

    Raises:
        SplitProblem: naming the line and byte offset of the first invalid byte.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SplitProblem(
            line,
            f"not UTF-8: invalid byte 0x{data[err.start]:02x} at offset {err.start}"
            " (save the file as UTF-8)",
        ) from err
    # Most files have no CR at all; looking first is much cheaper than replacing.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split(text: str) -> Parts:
    """Split decoded text at its ``---`` fences.

    Looks no further than ``MAX_FRONT_MATTER`` bytes for the closing fence, so
    the work done on a file that never closes it is bounded.

    Raises:
        SplitProblem: when the file does not start with ``---``, the front matter
            is never closed, or it is larger than ``MAX_FRONT_MATTER`` bytes.
    """
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if not _FENCE.match(first):
        # Hugo's other front matter formats: say what was seen, and what to set.
        for opening, kind in (("+++", "TOML front matter (+++)"), ("{", "JSON front matter")):
            if first.strip() == opening or (opening == "{" and first.startswith("{")):
                raise SplitProblem(
                    1,
                    f"{kind} is not read with source: postfeed; write it as YAML between"
                    " '---' lines, or set source: hugo in postfeed.yaml to read the Hugo"
                    " site where it stands",
                )
        raise SplitProblem(1, "no front matter: a post must start with a '---' line")
    start = first_end + 1 if first_end >= 0 else len(text)
    # Characters never outnumber UTF-8 bytes, so a closing line further than this is
    # past the limit; the search bound keeps the work on a file that never closes small.
    close = _CLOSE_LINE.search(text, start, min(len(text), start + MAX_FRONT_MATTER + 64))
    if close is not None and close.end() < len(text) and text[close.end()] != "\n":
        close = None  # a longer line, cut where the search stopped
    if close is None or close.start() - start > MAX_FRONT_MATTER:
        if len(text) - start > MAX_FRONT_MATTER:
            raise SplitProblem(
                1,
                "front matter is too large or never closed:"
                f" no closing '---' line in its first {MAX_FRONT_MATTER} bytes",
            )
        raise SplitProblem(1, "front matter is never closed: add a '---' line after it")
    front = text[start : close.start()]
    size = len(front.encode("utf-8"))
    if size > MAX_FRONT_MATTER:
        raise SplitProblem(
            1, f"front matter is too large ({size} bytes; at most {MAX_FRONT_MATTER})"
        )
    body_offset = min(close.end() + 1, len(text))
    return Parts(front, 2, text[body_offset:], front.count("\n") + 3, body_offset)
