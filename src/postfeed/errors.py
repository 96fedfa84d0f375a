"""The exception tree. Every error postfeed raises on purpose is a PostfeedError."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class PostfeedError(Exception):
    """Base for every error postfeed raises on purpose."""


class SourceError(PostfeedError):
    """Something is wrong in an input file, at a known line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = Path(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class ConfigError(SourceError):
    """The site configuration (postfeed.yaml) is invalid."""


class PostError(SourceError):
    """A post is invalid."""


class PostErrors(PostfeedError):
    """Every problem found in one run, sorted by path and line."""

    def __init__(self, errors: Iterable[SourceError]) -> None:
        ordered = tuple(sorted(errors, key=_sort_key))
        super().__init__(ordered)
        self.errors = ordered

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class OutputError(PostfeedError):
    """A feed could not be written."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(path, message)
        self.path = Path(path)
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class LockError(OutputError):
    """Another build is writing to the same output folder; nothing was written."""


def _sort_key(error: SourceError) -> tuple[str, int]:
    return (str(error.path), error.line or 0)
