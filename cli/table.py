"""The terminal table: a result printed as text, whatever its accounts' names hold."""

from __future__ import annotations

import re
from typing import Final

import polars as pl


def print_table(frame: pl.DataFrame, title: str) -> None:
    """Print ``frame`` as a table; account text is shown as text (see :func:`visible`)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console.width = max(console.width, 160)
    table = Table(title=Text(visible(title)) if title else None, box=box.SIMPLE_HEAD)
    for name in frame.columns:
        numeric = frame.schema[name].is_numeric()
        header = visible(name.replace("_", " "))
        table.add_column(
            Text(header, style="bold"),
            min_width=len(header) if numeric else None,
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=None if numeric else 28,
        )
    for row in frame.iter_rows():  # a screenful of rows: --top bounds it
        table.add_row(*(Text(cell(value)) for value in row))
    console.print(table)


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 0.01 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return visible(str(value))


# Control characters (C0, DEL, C1) and the bidirectional controls that reorder what follows.
_INVISIBLE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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
