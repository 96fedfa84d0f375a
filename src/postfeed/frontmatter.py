"""Split a post file's bytes into YAML front matter and Markdown body. No YAML parsing here."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FRONT_MATTER = 64 * 1024
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")


class SplitProblem(Exception):
    """The file cannot be split into front matter and body."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class Parts:
    """A post file's front matter and body, with the lines they start on."""

    front_matter: str
    front_matter_line: int
    body: str
    body_line: int


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
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
        raise SplitProblem(1, "no front matter: a post must start with a '---' line")
    start = pos = first_end + 1 if first_end >= 0 else len(text)
    line = 2
    # Characters never outnumber UTF-8 bytes: past this many, the limit is exceeded.
    while pos < len(text) and pos - start <= MAX_FRONT_MATTER:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if _CLOSE.fullmatch(text, pos, end):
            front = text[start:pos]
            size = len(front.encode("utf-8"))
            if size > MAX_FRONT_MATTER:
                raise SplitProblem(
                    1, f"front matter is too large ({size} bytes; at most {MAX_FRONT_MATTER})"
                )
            return Parts(front, 2, text[end + 1 :], line + 1)
        pos = end + 1
        line += 1
    if pos - start > MAX_FRONT_MATTER:
        raise SplitProblem(
            1,
            "front matter is too large or never closed:"
            f" no closing '---' line in its first {MAX_FRONT_MATTER} bytes",
        )
    raise SplitProblem(1, "front matter is never closed: add a '---' line after it")
