"""What the command line shows on a terminal: colour, the progress bar and GitHub Actions
annotations. Only the command line (cli.py, and serve for its log) uses this module; the
library never prints."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

#: Seconds a build runs before the progress bar appears.
PROGRESS_DELAY = 2.0
_REDRAW = 0.1
_BAR_WIDTH = 30
_STAGES = {"read": "reading posts", "render": "rendering"}
_LOCATED = re.compile(r"^(?P<path>.+?):(?:(?P<line>\d+):)? (?P<message>.*)$", re.DOTALL)
# Control characters but tab and line feed (messages of several lines keep them), and the
# marks that reorder how a terminal shows the text around them.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_STYLES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
}


def shown(text: str) -> str:
    """Text as a terminal may show it: each control character but tab and line feed
    written as a Python escape (``\\x1b``), as quoted values in messages already are.
    File names come from many hands, and one holding an escape code would otherwise
    restyle or retitle the terminal."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def wants_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal; never when ``NO_COLOR`` is set; ``FORCE_COLOR`` forces it.

    Both variables count only when non-empty (https://no-color.org/).
    """
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return is_terminal(stream) and environ.get("TERM") != "dumb"


def is_terminal(stream: TextIO) -> bool:
    """Whether the stream is a terminal (False for a replaced or closed stream)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


class Painter:
    """Wraps text in ANSI styles, or leaves it alone when colour is off."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, *styles: str) -> str:
        """The text, control characters escaped (see :func:`shown`), in ``styles``."""
        text = shown(text)
        if not self.colour or not styles:
            return text
        codes = ";".join(_STYLES[style] for style in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def located(self, text: str, *styles: str) -> str:
        """A ``path:line: message`` line with the location bold and the message styled."""
        text = shown(text)
        match = _LOCATED.match(text)
        if not self.colour or match is None:
            return self(text, *styles)
        location = text[: match.start("message") - 1]
        return f"{self(location, 'bold')} {self(match.group('message'), *styles)}"


class ProgressBar:
    """A one-line progress bar, drawn only once the build has run ``delay`` seconds.

    Call it as a build's ``progress`` callback; call :meth:`close` when the build ends.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.clock = clock
        self.start = clock()
        self.drawn = 0
        self._last = float("-inf")
        self._width = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.start < self.delay or (now - self._last < _REDRAW and done < total):
            return
        self._last = now
        filled = _BAR_WIDTH * done // total if total else _BAR_WIDTH
        label = _STAGES.get(stage, stage)
        line = f"{label:<13} [{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {done}/{total}"
        self._width = max(self._width, len(line))
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self.drawn += 1

    def close(self) -> None:
        """Erase the bar, so that the summary line starts on a clean line."""
        if self.drawn:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()


def in_github_actions(environ: Mapping[str, str]) -> bool:
    """Whether this runs as a GitHub Actions step."""
    return environ.get("GITHUB_ACTIONS") == "true"


def annotation(
    kind: str, message: str, *, path: Path | None = None, line: int | None = None, root: str = ""
) -> str:
    """A GitHub Actions workflow command that shows ``message`` on the file's diff.

    ``kind`` is ``error`` or ``warning``. ``path`` is made relative to ``root``
    (``GITHUB_WORKSPACE``) when it lies inside it, as the pull request's diff expects.
    """
    properties: list[str] = []
    if path is not None:
        properties.append(f"file={shown(_escape_property(_relative(path, root)))}")
        if line is not None:
            properties.append(f"line={line}")
    head = f"::{kind} {','.join(properties)}" if properties else f"::{kind}"
    return f"{head}::{shown(_escape_data(message))}"


def parse_located(text: str) -> tuple[Path | None, int | None, str]:
    """Split a ``path:line: message`` (or ``path: message``) line into its parts."""
    match = _LOCATED.match(text)
    if match is None:
        return None, None, text
    line = match.group("line")
    return Path(match.group("path")), int(line) if line else None, match.group("message")


def place(located: str) -> tuple[str, int]:
    """The path and line a ``path:line: message`` line names, for sorting problems so
    that each is in its place by path and line."""
    path, line, _ = parse_located(located)
    return (str(path) if path is not None else "", line or 0)


def _relative(path: Path, root: str) -> str:
    if root and path.is_absolute():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


# The escapes of @actions/core's command.ts: data keeps ':' and ',', properties don't.
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
