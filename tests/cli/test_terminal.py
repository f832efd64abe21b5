"""The terminal table: it fits the terminal's width, the rank, name and score always showing."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console

from graphkit.cli import table as terminal_table
from graphkit.cli.table import fit_columns, natural_width, print_table, with_best_name

GRAPHKIT = [sys.executable, "-m", "graphkit.cli.entry"]
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _in_terminal(columns: int, *args: str) -> str:
    """What ``graphkit ARGS`` shows on a pseudo-terminal ``columns`` wide (escapes removed)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm"}
    process = subprocess.Popen(
        [*GRAPHKIT, *args], stdin=follower, stdout=follower, stderr=follower, env=environment
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # the follower side closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0, shown.decode(errors="replace")
    return _ESCAPES.sub("", shown.decode()).replace("\r", "")


@pytest.mark.slow
def test_demo_at_80_columns_shows_rank_name_and_score(tmp_path: Path) -> None:
    expected_file = tmp_path / "top.csv"
    subprocess.run([*GRAPHKIT, "rank", "--demo", "--top", "5", "-q", "-o", str(expected_file)],
                   check=True, capture_output=True)  # fmt: skip
    expected = pl.read_csv(expected_file)
    shown = _in_terminal(80, "rank", "--demo", "--top", "5", "-q")
    lines = shown.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines), shown
    header = next(line for line in lines if " rank " in f" {line} ")
    assert "name" in header.split(), shown
    assert "score" in header.split(), shown
    for rank, name, score in expected.select("rank", "name", "score").iter_rows():
        row = next((line for line in lines if f" {name} " in line), None)
        assert row is not None, f"{name!r} not shown whole:\n{shown}"
        fields = row.split()
        assert fields[0] == str(rank), row
        assert f"{score:,.2f}" in fields, row
    assert "columns not shown:" in shown
    assert "--wide" in shown


@pytest.mark.slow
def test_wide_shows_every_column() -> None:
    shown = _in_terminal(80, "rank", "--demo", "--top", "3", "-q", "--wide")
    assert "columns not shown" not in shown
    header = next(line for line in shown.splitlines() if " rank " in f" {line} ")
    for column in ("id", "handle", "name", "organization", "title", "score", "followers"):
        assert column in header.split(), header


def _frame(rows: int = 3) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rank": list(range(1, rows + 1)),
            "id": [f"account-{index:04d}" for index in range(rows)],
            "handle": [f"handle_{index}" if index % 2 else None for index in range(rows)],
            "name": [None if index == 1 else f"Person Number {index}" for index in range(rows)],
            "organization": ["Some Organization Ltd"] * rows,
            "title": ["Principal Engineer, Platform"] * rows,
            "score": [100.0 - index for index in range(rows)],
            "followers": [123_456 * (index + 1) for index in range(rows)],
            "engagement_rate": [0.5] * rows,
        }
    )


@pytest.mark.parametrize("width", [40, 60, 80, 100, 140, 400])
def test_fit_keeps_rank_name_score_and_the_frame_order(width: int) -> None:
    frame = with_best_name(_frame())
    cells = {name: [terminal_table.cell(v) for v in frame[name]] for name in frame.columns}
    shown = fit_columns(frame, cells, width)
    assert {"rank", "name", "score"} <= set(shown)
    assert shown == [name for name in frame.columns if name in shown]
    full = natural_width(terminal_table._table(frame, cells, list(frame.columns), ""))
    if width >= full:
        assert shown == frame.columns
    else:
        assert shown != frame.columns
        essential = natural_width(terminal_table._table(frame, cells, shown, ""))
        assert essential <= width or shown == ["rank", "name", "score"]


def test_best_name_falls_back_to_handle_then_id() -> None:
    frame = pl.DataFrame(
        {"id": ["a1", "a2", "a3"], "handle": ["h1", None, None], "name": ["N1", None, None]}
    )
    assert with_best_name(frame)["name"].to_list() == ["N1", "a2", "a3"]
    frame = frame.with_columns(pl.Series("handle", ["h1", "h2", None]))
    assert with_best_name(frame)["name"].to_list() == ["N1", "h2", "a3"]
    no_names = pl.DataFrame({"id": ["a1", "a2"], "handle": [None, None], "name": [None, None]})
    assert with_best_name(no_names)["name"].to_list() == ["a1", "a2"]


def _printed(frame: pl.DataFrame, width: int, *, wide: bool) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=True, color_system=None)
    original = terminal_table._console
    terminal_table._console = lambda: console
    try:
        print_table(frame, "Title", wide=wide)
    finally:
        terminal_table._console = original
    return buffer.getvalue()


def test_note_names_the_columns_left_out_and_wide_shows_them() -> None:
    frame = _frame()
    narrow = _printed(frame, 60, wide=False)
    note = next(line for line in narrow.splitlines() if "columns not shown" in line)
    assert "title" in narrow.split("columns not shown")[1]
    assert "Principal Engineer" not in narrow
    assert "Person Number 0" in narrow
    assert "handle_1" in narrow  # the second row has no name: its handle shows
    assert note
    wide = _printed(frame, 60, wide=True)
    assert "columns not shown" not in wide
    assert "Principal Engineer, Platform" in wide
    assert all(len(line) <= 60 for line in narrow.splitlines())


@pytest.mark.parametrize("width", [20, 30])
def test_a_narrow_terminal_cuts_the_name_never_the_score(width: int) -> None:
    frame = _frame().with_columns(pl.Series("name", ["x" * 500, "王" * 40, "😀" * 30]))
    shown = _printed(frame, width, wide=False)
    for score in ("100.00", "99.00", "98.00"):
        assert score in shown, shown
    header = next(line for line in shown.splitlines() if "rank" in line)
    assert header.split() == ["rank", "name", "score"], shown
    assert "xxxxxxx…" in shown


def test_columns_zero_prints_at_80() -> None:
    shown = _printed(_frame(), 0, wide=False)
    assert "Person Number 0" in shown
    assert max(len(line) for line in shown.splitlines()) <= 80


def test_column_names_in_the_note_are_shown_as_text() -> None:
    frame = _frame().with_columns(pl.Series("\x1b[2Jx", ["a" * 30] * 3))
    frame = frame.with_columns(pl.Series("name", ["\u061cevil", "b", "c"]))
    shown = _printed(frame, 60, wide=False)
    assert "\x1b[2J" not in shown
    assert "\\x1b[2Jx" in shown.split("columns not shown")[1]
    assert "\u061c" not in shown
