"""Progress on standard error for long steps: a spinner on a terminal, timings when verbose."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rich.console import Console


class Progress:
    """Report the steps of a run on standard error.

    Parameters
    ----------
    verbose
        Print each step's duration when it ends.
    quiet
        Print nothing at all.
    """

    def __init__(self, *, verbose: bool = False, quiet: bool = False) -> None:
        self.console = Console(stderr=True, highlight=False)
        self.verbose = verbose and not quiet
        self.quiet = quiet
        self.timings: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Show ``label`` while the block runs and record how long it took."""
        start = time.perf_counter()
        if self.console.is_terminal and not self.quiet:
            with self.console.status(f"{label}..."):
                yield
        else:
            yield
        elapsed = time.perf_counter() - start
        self.timings[label] = elapsed
        if self.verbose:
            self.console.print(f"{label}: {elapsed:.2f} s")

    def note(self, message: str) -> None:
        """Print a one-line remark unless quiet."""
        if not self.quiet:
            self.console.print(message, soft_wrap=True)  # one line, never wrapped at 80
