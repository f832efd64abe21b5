"""Postconditions every result meets before it leaves the library.

A violation is a bug in graphkit, never an answer: :class:`ResultError` stops the run before
anything is written, with one line that names the column and the account.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from graphkit.errors import ResultError, quoted

PAGERANK_SUM_TOLERANCE = 1e-9
# Columns that count accounts or attention: never negative (differences such as a departure's
# impact may be).
_NON_NEGATIVE = frozenset(
    {"pagerank", "score", "followers", "interactions_received", "audience", "reach"}
)


def check_scores(scores: np.ndarray, what: str = "PageRank") -> None:
    """Scores of every node: finite, >= 0 and summing to 1 (an empty graph has none).

    >>> check_scores(np.array([0.25, 0.75]))
    >>> check_scores(np.array([0.5, np.nan]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphkit.errors.ResultError: internal check failed: PageRank of node 1 is nan; ...
    """
    if scores.shape[0] == 0:
        return
    finite = np.isfinite(scores)
    if not finite.all():
        node = int(np.argmin(finite))
        _fail(f"{what} of node {node} is {scores[node]}")
    if (scores < 0).any():
        node = int(np.argmax(scores < 0))
        _fail(f"{what} of node {node} is negative ({scores[node]})")
    total = float(scores.sum())
    if abs(total - 1.0) > PAGERANK_SUM_TOLERANCE:
        _fail(f"{what} sums to {total!r}, not 1")


def check_frame(frame: pl.DataFrame, *, keys: Iterable[str] = ("id",)) -> pl.DataFrame:
    """A result table: unique keys, finite numbers, no negative counts; returned unchanged.

    ``keys`` are the columns that together identify a row (those present are checked).

    >>> check_frame(pl.DataFrame({"id": ["a", "b"], "pagerank": [0.5, 0.5]})).height
    2
    >>> check_frame(pl.DataFrame({"id": ["a", "a"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphkit.errors.ResultError: internal check failed: the key 'a' appears in 2 rows; ...
    """
    key_columns = [name for name in keys if name in frame.columns]
    if key_columns and frame.height and _distinct_rows(frame, key_columns) < frame.height:
        repeated = frame.group_by(key_columns).len().filter(pl.col("len") > 1)
        if repeated.height:
            row = repeated.sort(key_columns).row(0)
            key = row[0] if len(key_columns) == 1 else row[:-1]
            _fail(f"the key {quoted(key)} appears in {row[-1]} rows")
    for name, dtype in frame.schema.items():
        if not dtype.is_numeric():
            continue
        column = frame.get_column(name)
        if dtype.is_float():
            bad = column.is_nan() | column.is_infinite()
            if bad.any():
                _fail(f"column {name!r} holds {column.filter(bad)[0]}{_where(frame, bad)}")
        if name in _NON_NEGATIVE or name.endswith("_reach") or name.startswith("reach_"):
            negative = column < 0
            if negative.any():
                _fail(f"column {name!r} is negative{_where(frame, negative)}")
    return frame


def _distinct_rows(frame: pl.DataFrame, columns: list[str]) -> int:
    """How many distinct values ``columns`` take together (counting is cheaper than grouping,
    which is left to find the repeated key)."""
    key = pl.col(columns[0]) if len(columns) == 1 else pl.struct(columns)
    return int(frame.select(key.n_unique()).item())


def _where(frame: pl.DataFrame, mask: pl.Series) -> str:
    if "id" not in frame.columns:
        return ""
    return f" for account {quoted(frame.get_column('id').filter(mask)[0])}"


def _fail(problem: str) -> None:
    raise ResultError(
        f"internal check failed: {problem}; nothing was written (please report this with the input)"
    )
