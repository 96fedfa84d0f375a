"""``python -m postfeed``."""

from .cli import run

run()
