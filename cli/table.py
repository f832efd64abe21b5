"""The terminal table: a result printed as text, whatever its accounts' names hold."""

from __future__ import annotations

import re
from typing import Any, Final

import click
import polars as pl

# What the table always shows when the terminal is narrow: the rank, the best name
# available, and the score (the first of these present in the frame).
RANK_COLUMNS: Final = ("rank",)
NAME_COLUMNS: Final = ("name", "handle", "id", "organization")
SCORE_COLUMNS: Final = ("score", "audience_influence", "pagerank", "personal_share")
# Shown after every other column: the name already shows, and the kind is mostly "person".
_LAST: Final = ("kind", "handle", "id")
_TEXT_WIDTH: Final = 28  # widest a text column is drawn before it is cut with an ellipsis
_MIN_TEXT_WIDTH: Final = 8  # narrowest the name is cut to on a narrow terminal


def print_table(frame: pl.DataFrame, title: str, *, wide: bool | None = None) -> None:
    """Print ``frame`` as a table that fits the terminal; account text is shown as text (see
    :func:`visible`).

    The rank, the best name available and the score always show; the other columns follow,
    by :func:`fit_columns`, as the width allows, and a dim line names those left out.
    ``wide`` (``--wide``; by default the command line's choice) shows every column.
    """
    from rich.text import Text

    console = _console()
    if console.width <= 0:  # COLUMNS=0
        console.width = 80
    if wide is None:
        context = click.get_current_context(silent=True)
        wide = bool(context is not None and context.meta.get("graphkit.wide"))
    if not console.is_terminal:  # --format table into a pipe: every column
        console.width = max(console.width, 160)
        wide = True
    frame = with_best_name(frame)
    cells = {name: [cell(value) for value in frame[name]] for name in frame.columns}
    text_width = _TEXT_WIDTH if wide else essential_text_width(frame, cells, console.width)
    shown = list(frame.columns) if wide else fit_columns(frame, cells, console.width, text_width)
    table = _table(frame, cells, shown, title, text_width)
    # Lines longer than the terminal rather than columns cut: --wide, or a terminal too narrow
    # for the rank, the name cut to its narrowest and the score.
    console.width = max(console.width, natural_width(table))
    console.print(table)
    hidden = [name for name in frame.columns if name not in shown]
    if hidden:
        note = f"columns not shown: {', '.join(hidden)} (use --wide or -o FILE)"
        console.print(Text(visible(note), style="dim"))


def _console() -> Any:
    from rich.console import Console

    return Console(soft_wrap=False)


def with_best_name(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with an empty ``name`` filled from the handle, else the id."""
    if "name" not in frame.columns or frame.schema["name"] not in (pl.String, pl.Null):
        return frame
    fallbacks = [pl.col(name) for name in ("handle", "id") if frame.schema.get(name) == pl.String]
    if not fallbacks or frame["name"].null_count() == 0:
        return frame
    filled = pl.coalesce(pl.col("name").cast(pl.String), *fallbacks)
    return frame.with_columns(filled.alias("name"))


def fit_columns(
    frame: pl.DataFrame, cells: dict[str, list[str]], width: int, text_width: int = _TEXT_WIDTH
) -> list[str]:
    """The columns of ``frame`` (in its order) that fit in ``width`` terminal columns.

    The rank, the name and the score come first whatever the width; then numeric columns,
    then text ones, each in the frame's order, the kind, handle and id last.
    """
    chosen = _essential(frame)
    rest = [name for name in frame.columns if name not in chosen]
    rest.sort(key=lambda name: (name in _LAST, not frame.schema[name].is_numeric()))
    for name in rest:
        trial = [column for column in frame.columns if column in chosen or column == name]
        if natural_width(_table(frame, cells, trial, "", text_width)) <= width:
            chosen.add(name)
    return [name for name in frame.columns if name in chosen]


def essential_text_width(frame: pl.DataFrame, cells: dict[str, list[str]], width: int) -> int:
    """The widest a text column is drawn: :data:`_TEXT_WIDTH`, or less where the rank, the
    name and the score would not fit ``width`` otherwise (down to :data:`_MIN_TEXT_WIDTH`;
    the numbers are never cut)."""
    from rich.cells import cell_len

    essential = [name for name in frame.columns if name in _essential(frame)]
    excess = natural_width(_table(frame, cells, essential, "")) - width
    texts = [name for name in essential if not frame.schema[name].is_numeric()]
    if excess <= 0 or not texts:
        return _TEXT_WIDTH
    drawn = max(min(_TEXT_WIDTH, cell_len(text)) for name in texts for text in [name, *cells[name]])
    return max(_MIN_TEXT_WIDTH, drawn - excess)


def _essential(frame: pl.DataFrame) -> set[str]:
    """The rank, the best name and the score columns of ``frame`` (else its first column)."""
    essential = [
        next((name for name in group if name in frame.columns), None)
        for group in (RANK_COLUMNS, NAME_COLUMNS, SCORE_COLUMNS)
    ]
    return {name for name in essential if name is not None} or set(frame.columns[:1])


def natural_width(table: Any) -> int:
    """Terminal columns ``table`` takes when nothing is cut."""
    from rich.console import Console

    console = Console(width=1 << 20)
    return int(console.measure(table, options=console.options).maximum)


def _table(
    frame: pl.DataFrame,
    cells: dict[str, list[str]],
    shown: list[str],
    title: str,
    text_width: int = _TEXT_WIDTH,
) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(visible(title)) if title else None, box=box.SIMPLE_HEAD)
    for name in shown:
        numeric = frame.schema[name].is_numeric()
        header = visible(name.replace("_", " "))
        table.add_column(
            Text(header, style="bold"),
            min_width=max((len(text) for text in cells[name]), default=0) if numeric else None,
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=None if numeric else text_width,
        )
    for row in range(frame.height):  # a screenful of rows: --top bounds it
        table.add_row(*(Text(cells[name][row]) for name in shown))
    return table


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: True is an int
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 0.01 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return visible(str(value))


# Control characters (C0, DEL, C1) and the bidirectional controls that reorder what follows.
_INVISIBLE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    r"""``text`` with control characters written out, so a terminal shows and never runs them.

    Rich markup in account text needs no escaping: cells reach rich as plain
    :class:`rich.text.Text`, which it never parses. What a terminal itself would act on
    (escape sequences that clear the screen or open an OSC 8 hyperlink, carriage returns that
    overwrite a line, bidi overrides that reorder it) is written as ``\xNN`` or ``\uNNNN``.

    Examples
    --------
    >>> visible("\x1b[2J\x1b]8;;https://evil.example\x07x\x1b]8;;\x07 [/bold]")
    '\\x1b[2J\\x1b]8;;https://evil.example\\x07x\\x1b]8;;\\x07 [/bold]'
    """
    return _INVISIBLE.sub(lambda match: ascii(match.group())[1:-1], text)
