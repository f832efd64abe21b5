"""Progress on standard error: bars with counts and time left on a terminal, one summary line
per step with ``-v``, nothing at all when standard error is not a terminal (unless ``-v``).

A step is a block (:meth:`Progress.step`); work whose size is known reports it on the step's
handle (:class:`Step`: ``total``, ``advance``, ``detail``) and shows as a bar. Layers below the
application report through :func:`report_bytes`, which adds to the innermost step that counts
bytes, so that the readers need not be handed a progress object, or through a plain
``on_progress(done, total, detail)`` callable (:data:`OnProgress`; a :class:`Step` is one).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

OnProgress = Callable[[int, int | None, str], None]
"""``on_progress(done, total, detail)``: how kernels and algorithms report work done (rows,
iterations, levels, replicates) out of a total (``None`` when unknown), with a short detail."""

POLL_SECONDS = 0.5  # how often watched work is polled (see Progress.watch)

_BYTE_STEP: ContextVar[Step | None] = ContextVar("graphkit_byte_step", default=None)


class Step:
    """What one step has done: a count out of a total (when known) and a detail line.

    Handed out by :meth:`Progress.step`; its methods do nothing visible when the progress
    is quiet or not on a terminal, and cost a few attribute writes.
    """

    def __init__(self, label: str, total: float | None, unit: str) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.completed = 0.0
        self.detail = ""
        self._bar: tuple[Any, Any] | None = None  # (rich Progress, task id) while shown

    def advance(self, amount: float = 1) -> None:
        """Count ``amount`` more units done."""
        self.completed += amount
        self._refresh()

    def update(
        self,
        *,
        completed: float | None = None,
        total: float | None = None,
        detail: str = "",
        unit: str | None = None,
    ) -> None:
        """Set the count, the total or the detail shown after the bar (e.g. ``change 3e-9``);
        a new ``unit`` starts counting something else (bootstrap replicates after PageRank's
        iterations) and clears the detail."""
        if unit is not None and unit != self.unit:
            self.unit = unit
            self.detail = ""
        if completed is not None:
            self.completed = completed
        if total is not None:
            self.total = total
        if detail:
            self.detail = detail
        self._refresh()

    def __call__(self, done: float, total: float | None = None, detail: str = "") -> None:
        """The step as the lower layers' ``on_progress(done, total, detail)`` callback: they
        report through a plain callable and never see this class."""
        self.update(completed=done, total=total, detail=detail)

    def summary(self, seconds: float) -> str:
        """The ``-v`` line: ``Reading tables (48.31 MB): 1.04 s``, ``Ranking (37 iterations,
        change 8e-11): 0.12 s``, or ``Writing out.csv: 0.01 s`` where nothing was counted."""
        counted = [_amount(self.completed, self.unit)] if self.completed else []
        facts = ", ".join([*counted, *([self.detail] if self.detail else [])])
        return f"{self.label}{f' ({facts})' if facts else ''}: {seconds:.2f} s"

    def _refresh(self) -> None:
        if self._bar is not None:
            bar, task = self._bar
            bar.update(
                task, completed=self.completed, total=self.total, detail=self.detail,
                unit=self.unit,
            )  # fmt: skip


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        return f"{value / 1e6:.2f} MB"  # as the run manifests and the README write sizes
    return f"{int(value):,} {unit}".rstrip()


class Progress:
    """Report the steps of a run on standard error.

    Parameters
    ----------
    verbose
        Print one line per step when it ends: its name, what it counted and its duration.
    quiet
        Print nothing at all.
    """

    def __init__(self, *, verbose: bool = False, quiet: bool = False) -> None:
        from rich.console import Console  # imported here: readers import report_bytes

        self.console = Console(stderr=True, highlight=False)
        self.verbose = verbose and not quiet
        self.quiet = quiet
        self.timings: dict[str, float] = {}
        self.counts: dict[str, float] = {}
        self._watched: Callable[[], tuple[int, int, str] | None] | None = None

    def watch(self, poll: Callable[[], tuple[int, int, str] | None]) -> None:
        """Show what ``poll()`` returns, ``(done, total, detail)`` or ``None`` for nothing now,
        on the bar of every later step while it runs on a terminal (polled twice a second
        from a thread): work that reports from elsewhere, such as Spark's running stages.
        What it shows is not counted in the step's summary."""
        self._watched = poll

    @property
    def live(self) -> bool:
        """Whether steps are drawn: a terminal that can redraw a line (not ``TERM=dumb``),
        and not quiet."""
        return self.console.is_interactive and not self.quiet

    @contextlib.contextmanager
    def step(self, label: str, *, total: float | None = None, unit: str = "") -> Iterator[Step]:
        """Show ``label`` while the block runs, and a bar once a total is known; record how
        long it took. ``unit`` names what is counted (``bytes`` reads as KiB, MiB...)."""
        step = Step(label, total, unit)
        token = _BYTE_STEP.set(step) if unit == "bytes" else None
        start = time.perf_counter()
        try:
            if self.live:
                with self._bar() as bar, self._polling(bar, step):
                    task = bar.add_task(label, total=total, detail="", unit=unit)
                    step._bar = (bar, task)
                    yield step
                    step._bar = None
            else:
                yield step
        finally:
            if token is not None:
                _BYTE_STEP.reset(token)
        elapsed = time.perf_counter() - start
        self.timings[label] = elapsed
        if step.completed:
            self.counts[label] = step.completed
        if self.verbose:
            self.console.print(step.summary(elapsed), soft_wrap=True)

    @contextlib.contextmanager
    def _polling(self, bar: Any, step: Step) -> Iterator[None]:
        """Poll the watched work (see :meth:`watch`) onto ``step``'s bar while the block runs."""
        poll = self._watched
        if poll is None:
            yield
            return
        done = threading.Event()

        def show() -> None:
            while not done.wait(POLL_SECONDS):
                shown = step._bar
                try:
                    status = poll()
                except Exception:  # progress never fails a run
                    status = None
                if shown is not None and status is not None:
                    completed, total, detail = status
                    bar.update(shown[1], completed=completed, total=total, detail=detail)

        thread = threading.Thread(target=show, name="graphkit-progress-poll", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def note(self, message: str) -> None:
        """Print a one-line remark unless quiet."""
        if not self.quiet:
            self.console.print(message, soft_wrap=True)  # one line, never wrapped at 80

    def _bar(self) -> Any:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            ProgressColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bars
        from rich.text import Text

        class Count(ProgressColumn):
            """``12.0/48.3 MiB`` for bytes, ``3/50`` otherwise; blank without a total."""

            def render(self, task: Any) -> Any:
                if task.total is None:
                    return Text("")
                if task.fields.get("unit") == "bytes":
                    return DownloadColumn(binary_units=True).render(task)
                return MofNCompleteColumn().render(task)

        return Bars(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            Count(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[detail]}"),
            console=self.console,
            transient=True,
        )


def report_bytes(amount: int) -> None:
    """Count ``amount`` bytes read in the innermost step counting bytes, if any."""
    step = _BYTE_STEP.get()
    if step is not None:
        step.advance(amount)
