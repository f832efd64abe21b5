"""Entry point of the ``graphkit`` console script: Ctrl-C is a clean exit from the first moment.

Importing the application (numpy, numba's compiled kernels, polars) takes most of a second;
a Ctrl-C then would print a traceback. This module imports only the standard library before
it is ready to catch one.
"""

from __future__ import annotations

import sys

INTERRUPTED_EXIT_CODE = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


def main() -> None:
    """Import and run the application; a Ctrl-C prints ``Interrupted`` and exits with 130."""
    try:
        from graphkit.cli.main import main as run

        run()
    except KeyboardInterrupt:
        print("Interrupted", file=sys.stderr)
        sys.exit(INTERRUPTED_EXIT_CODE)


if __name__ == "__main__":
    main()
