"""The report's tables as HTML, each with its CSV download inside the page.

Every value is escaped here, so the tables read and print without JavaScript; a small script
(``assets/report.js``) makes them sortable and searchable. Each table's rows also travel as a
CSV file in a ``data:`` address of its download link (UTF-8 with a byte-order mark, so that
spreadsheets read names in any script), with the formula guard of plain CSV results applied
(:func:`graphkit.export.guard.guard_spreadsheet`): the page stays one offline file.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from graphkit.export.guard import guard_spreadsheet

Row = Mapping[str, Any]
CSV_MEDIA_TYPE: Final = "text/csv;charset=utf-8"
BYTE_ORDER_MARK: Final = "\ufeff"


@dataclass(frozen=True)
class Column:
    """A table column.

    Attributes
    ----------
    field
        The frame's column: the cell's value, its sort key and its CSV value.
    header
        The column's heading, in the page and in the CSV.
    show
        The value as shown.
    numeric
        Right-aligned, sorted as a number.
    wrap
        Long text that may wrap (else cut with an ellipsis).
    css
        A class of the column's cells (for its width).
    sort_field
        The column whose value sorts the cells, when not ``field`` (a range sorts by its
        start).
    tooltip
        The cell's ``title`` (shown on hover) from its row, e.g. the PageRank behind a score.
    cell
        The cell's HTML from its row (escaped by the function), e.g. a profile link.
    """

    field: str
    header: str
    show: Callable[[Any], str] = str
    numeric: bool = False
    wrap: bool = False
    css: str = ""
    sort_field: str | None = None
    tooltip: Callable[[Row], str] | None = None
    cell: Callable[[Row], str] | None = None


@dataclass(frozen=True)
class Table:
    """One table of the page: its rows, columns, caption and CSV download."""

    table_id: str
    frame: pl.DataFrame
    columns: Sequence[Column]
    caption: str
    filename: str
    csv_extra: Sequence[tuple[str, str]] = ()  # (field, header) in the CSV only


def integer(value: Any) -> str:
    return f"{int(value):,}"


def fixed(digits: int) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        return f"{float(value):,.{digits}f}"

    return show


def share(value: Any) -> str:
    return f"{float(value):.1%}"


def small_share(value: Any) -> str:
    """A share of a whole that may be tiny: 2 significant digits as a percentage."""
    percent = 100 * float(value)
    return "0%" if percent == 0 else f"{percent:.2g}%" if percent < 10 else f"{percent:.0f}%"


def text(value: object) -> str:
    """``value`` as HTML text (also safe inside a quoted attribute)."""
    return html.escape(str(value), quote=True)


def name_cell(prefix: str = "") -> Callable[[Row], str]:
    """A cell naming an account: its label, linked to its profile where one is known, with its
    handle as the tooltip where that differs from the label.

    The row holds ``{prefix}label``, ``{prefix}profile`` and ``{prefix}shown_handle``; the
    profile is an http(s) address checked by :func:`graphkit.export.report.naming.is_web_address`.
    """

    def show(row: Row) -> str:
        label = text(row[f"{prefix}label"])
        handle = row.get(f"{prefix}shown_handle")
        title = f' title="{text(handle)}"' if handle and handle != row[f"{prefix}label"] else ""
        url = row.get(f"{prefix}profile")
        if url:
            return (
                f'<a href="{text(url)}"{title} target="_blank" rel="noopener noreferrer">'
                f"{label}</a>"
            )
        return f"<span{title}>{label}</span>" if title else label

    return show


def render_table(table: Table) -> str:
    """The table as HTML, with its download link above it."""
    frame = table.frame
    present = _present(frame, table.columns)
    head = "".join(
        f'<th scope="col" data-type="{"number" if column.numeric else "text"}">'
        f"{text(column.header)}</th>"
        for column in present
    )
    rows = []
    for row in frame.iter_rows(named=True):
        cells = []
        for column in present:
            value = row[column.field]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append('<td data-value=""></td>')
                continue
            shown = column.cell(row) if column.cell else text(column.show(value))
            classes = "number" if column.numeric else "" if column.wrap else "text"
            classes = f"{classes} {column.css}".strip()
            kind = f' class="{classes}"' if classes else ""
            title = f' title="{text(column.tooltip(row))}"' if column.tooltip else ""
            key = value if column.sort_field is None else row[column.sort_field]
            cells.append(f'<td{kind}{title} data-value="{text(key)}">{shown}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="table-wrap"><table id="{table.table_id}" class="sortable">'
        f"<caption>{text(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def download_link(table: Table) -> str:
    """A link that saves the table as a CSV file, the data inside the link."""
    payload = base64.b64encode((BYTE_ORDER_MARK + table_csv(table)).encode("utf-8")).decode()
    return (
        f'<a class="download" download="{text(table.filename)}" '
        f'href="data:{CSV_MEDIA_TYPE};base64,{payload}">Download this table (CSV)</a>'
    )


def table_csv(table: Table) -> str:
    """The CSV text of a table: the columns shown, under their headings, with raw values
    (full numbers, names as text), then the CSV-only columns; formula-like text guarded."""
    present = _present(table.frame, table.columns)
    fields = [(column.field, column.header) for column in present]
    fields += [(name, header) for name, header in table.csv_extra if name in table.frame.columns]
    frame = table.frame.select(pl.col(name).alias(header) for name, header in fields)
    return guard_spreadsheet(frame).write_csv()


def _present(frame: pl.DataFrame, columns: Sequence[Column]) -> list[Column]:
    """The columns the frame fills: a column the data never fills (no titles, say) only
    takes room."""
    present = [column for column in columns if column.field in frame.columns]
    return [
        column
        for column in present
        if frame[column.field].null_count() < frame.height
        and not (frame.schema[column.field] == pl.String and (frame[column.field] == "").all())
    ]
