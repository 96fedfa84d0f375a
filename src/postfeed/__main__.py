"""``python -m postfeed``."""

import sys

from .cli import main

sys.exit(main())
