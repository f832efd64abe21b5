"""What changed between two rankings: movers, entrants, exits and score changes.

Rows are matched by ``id``. ``rank_change`` is ``rank_before - rank_after``: positive when an
account moved up. A change is ``significant`` only where both rankings carry confidence
intervals of the rank (``rank_low``, ``rank_high``) and the two intervals do not overlap;
without intervals it is null.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from graphkit.checks import check_frame
from graphkit.errors import InputError

NAME_COLUMNS: Final = ("handle", "name")
COMPARE_COLUMNS: Final = (
    "id",
    *NAME_COLUMNS,
    "rank_before",
    "rank_after",
    "rank_change",
    "score_before",
    "score_after",
    "score_change",
    "status",
    "significant",
)
STATUSES: Final = ("entered", "exited", "moved", "same")
_INTERVAL: Final = ("rank_low", "rank_high")
_LARGEST_RANK: Final = 2**53  # beyond, floating point skips whole numbers


def compare_rankings(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Compare two rankings of the same accounts (each with unique ``id`` and ``rank``).

    Parameters
    ----------
    before, after
        Rankings, e.g. the outputs of ``graphkit rank`` a month apart; ``score``, ``handle``,
        ``name``, ``rank_low`` and ``rank_high`` are used when present.

    Returns
    -------
    polars.DataFrame
        ``id``, ``handle`` and ``name`` (when either ranking has them), ``rank_before,
        rank_after, rank_change, score_before, score_after, score_change, status,
        significant``; ``status`` is ``entered`` (only after), ``exited`` (only before),
        ``moved`` or ``same``. Sorted by the size of the rank change (largest first, entrants
        and exits last), then by id.

    Examples
    --------
    >>> before = pl.DataFrame({"id": ["a", "b", "c"], "rank": [1, 2, 3]})
    >>> after = pl.DataFrame({"id": ["b", "a", "d"], "rank": [1, 2, 3]})
    >>> compare_rankings(before, after).select("id", "rank_change", "status").rows()
    [('a', -1, 'moved'), ('b', 1, 'moved'), ('c', None, 'exited'), ('d', None, 'entered')]
    """
    names: list[str] = [
        name for name in NAME_COLUMNS if name in before.columns or name in after.columns
    ]
    intervals = all(name in frame.columns for name in _INTERVAL for frame in (before, after))
    joined = _side(before, "before", names, intervals).join(
        _side(after, "after", names, intervals), on="id", how="full", coalesce=True
    )
    in_before = pl.col("rank_before").is_not_null()
    in_after = pl.col("rank_after").is_not_null()
    significant: pl.Expr = pl.lit(None, dtype=pl.Boolean)
    if intervals:
        apart = (pl.col("rank_high_before") < pl.col("rank_low_after")) | (
            pl.col("rank_high_after") < pl.col("rank_low_before")
        )
        significant = pl.when(in_before & in_after).then(apart).otherwise(None)
    table = joined.with_columns(
        *(pl.coalesce(f"{name}_after", f"{name}_before").alias(name) for name in names),
        (pl.col("rank_before") - pl.col("rank_after")).alias("rank_change"),
        (pl.col("score_after") - pl.col("score_before")).alias("score_change"),
        pl.when(~in_before)
        .then(pl.lit("entered"))
        .when(~in_after)
        .then(pl.lit("exited"))
        .when(pl.col("rank_before") != pl.col("rank_after"))
        .then(pl.lit("moved"))
        .otherwise(pl.lit("same"))
        .alias("status"),
        significant.alias("significant"),
    )
    overflow = table.filter(pl.col("score_change").is_infinite())
    if overflow.height:
        raise InputError(
            f"the score change of {overflow['id'][0]!r} is too large for a number "
            f"({overflow['score_before'][0]:g} before, {overflow['score_after'][0]:g} after)",
            column="score",
        )
    table = table.select(
        "id", *names, "rank_before", "rank_after", "rank_change", "score_before",
        "score_after", "score_change", "status", "significant",
    ).sort(
        [pl.col("rank_change").abs(), pl.col("id")],
        descending=[True, False],
        nulls_last=True,
    )  # fmt: skip
    return check_frame(table)


def _side(frame: pl.DataFrame, suffix: str, names: list[str], intervals: bool) -> pl.DataFrame:
    columns = [
        pl.col("id").cast(pl.String),
        pl.col("rank").cast(pl.Int64).alias(f"rank_{suffix}"),
        (pl.col("score") if "score" in frame.columns else pl.lit(None))
        .cast(pl.Float64)
        .alias(f"score_{suffix}"),
        *(
            (pl.col(name) if name in frame.columns else pl.lit(None))
            .cast(pl.String)
            .alias(f"{name}_{suffix}")
            for name in names
        ),
    ]
    if intervals:
        columns += [pl.col(name).cast(pl.Float64).alias(f"{name}_{suffix}") for name in _INTERVAL]
    return frame.select(columns)


def check_ranking(frame: pl.DataFrame, path: str, *, first_row: int = 1) -> pl.DataFrame:
    """``frame`` with ``id`` as text and ``rank`` as integers, or an error naming ``path``,
    the row and the column: a missing column, an empty or repeated id, a rank that is not a
    whole number >= 1. ``first_row`` is the row number of the frame's first record (2 in a
    CSV file under its header).
    """
    for column in ("id", "rank"):
        if column not in frame.columns:
            hint = ""
            if column == "rank":
                hint = "; compare reads rankings (graphkit rank, graphkit experts)"
            raise InputError(f"no {column!r} column{hint}", path=path, column=column)
    for column in ("id", "rank", "score", *NAME_COLUMNS, *_INTERVAL):
        dtype = frame.schema.get(column)
        if dtype is None:
            continue
        if dtype.is_nested():
            raise InputError("holds lists or records, not single values", path=path, column=column)
        if column in ("id", *NAME_COLUMNS):
            if dtype != pl.String:
                try:  # numbers as their text; bytes when they are UTF-8
                    frame = frame.with_columns(pl.col(column).cast(pl.String))
                except pl.exceptions.PolarsError:
                    raise InputError(
                        f"holds {dtype} values that are not text", path=path, column=column
                    ) from None
        elif dtype == pl.Boolean:
            raise InputError("holds true/false, not numbers", path=path, column=column)
        elif not (dtype.is_numeric() or dtype in (pl.String, pl.Null)):
            raise InputError(f"holds {dtype} values, not numbers", path=path, column=column)
    if "window_start" in frame.columns:
        raise InputError(
            "a trend table holds one ranking per window; keep one window's rows to compare it",
            path=path,
            column="window_start",
        )
    ids = frame.get_column("id")
    blank = ids.is_null() | (ids.str.strip_chars() == "")
    if blank.any():
        row = int(blank.arg_true()[0]) + first_row
        raise InputError("empty id", path=path, row=row, column="id")
    repeated = ids.is_duplicated()
    if repeated.any():
        duplicate = ids.filter(repeated)[0]
        rows = (ids == duplicate).arg_true()
        raise InputError(
            f"id {duplicate!r} appears again (first in row {int(rows[0]) + first_row})",
            path=path,
            row=int(rows[1]) + first_row,
            column="id",
        )
    ranks = frame.get_column("rank")
    whole = ranks.cast(pl.Float64, strict=False)
    bad = (
        whole.is_null()
        | ~whole.is_finite()
        | (whole < 1)
        | (whole > _LARGEST_RANK)
        | (whole != whole.floor())
    )
    if bad.any():
        index = int(bad.arg_true()[0])
        raise InputError(
            f"rank {str(ranks[index])!r} is not a whole number from 1 to 2**53",
            path=path,
            row=index + first_row,
            column="rank",
        )
    numbers = [whole.cast(pl.Int64).alias("rank")]
    for column in ("score", *_INTERVAL):
        if column in frame.columns:
            given = frame.get_column(column)
            values = given.cast(pl.Float64, strict=False)
            bad = (values.is_null() & given.is_not_null()) | ~values.is_finite().fill_null(True)
            if bad.any():
                index = int(bad.arg_true()[0])
                raise InputError(
                    f"{str(given[index])!r} is not a number", path=path, row=index + first_row,
                    column=column,
                )  # fmt: skip
            numbers.append(values.alias(column))
    if all(column in frame.columns for column in _INTERVAL):
        low, high = (frame.get_column(name).cast(pl.Float64) for name in _INTERVAL)
        inverted = (low > high).fill_null(False)
        if inverted.any():
            index = int(inverted.arg_true()[0])
            raise InputError(
                f"rank_low {low[index]:g} is above rank_high {high[index]:g}", path=path,
                row=index + first_row, column="rank_low",
            )  # fmt: skip
    return frame.with_columns(ids.alias("id"), *numbers)
