"""Rankings over time: every account ranked in each time window of the interactions.

A window ``[start, end)`` holds

- the interactions with a timestamp in it (interactions without one are left out, counted);
- the follows that started before its end (``since < end``): a follow is a standing relation,
  so the follows of a window are cumulative; follows without ``since`` count from the
  beginning (in every window, counted).

Each window's graph is built from the filtered tables (the same graph :func:`rank` builds from
them) and its PageRank warm-starts from the previous window's scores, matched by account id.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.algorithms.bootstrap import DEFAULT_LEVEL, bootstrap_pagerank, check_confidence
from graphkit.algorithms.pagerank import (
    DEFAULT_DAMPING,
    DEFAULT_MAX_ITER,
    DEFAULT_TOLERANCE,
    pagerank_run,
)
from graphkit.analysis.audience import select_audience
from graphkit.analysis.rank import influence_score
from graphkit.checks import check_frame
from graphkit.errors import InputError, ParameterError
from graphkit.graph import SocialGraph, Weighting, build_graph
from graphkit.io import Dataset
from graphkit.io.rules import selects_nothing

TREND_COLUMNS: Final = ("window_start", "window_end", "id", "rank", "score", "pagerank")
MAX_WINDOWS: Final = 10_000
_MICROS: Final = timedelta(microseconds=1)
_TIME: Final = pl.Datetime("us", "UTC")
_LATEST: Final = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Window:
    """One time window, ``[start, end)``."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class TimedTables:
    """The edge tables of a trend, sorted by time once so each window is a slice.

    Attributes
    ----------
    follows
        Follows, those without ``since`` first, then by ``since``; ``None`` when absent.
    follow_times
        ``since`` of each follow in microseconds (the smallest int64 where missing).
    interactions
        Interactions with a timestamp, by timestamp; ``None`` when absent.
    interaction_times
        Timestamp of each interaction in microseconds.
    untimed_follows
        Follows without ``since`` (in every window).
    untimed_interactions
        Interactions without a timestamp (in no window).
    follow_rows, interaction_rows
        Each sorted record's position in the table read (``None``: the same order).
    sources, first_rows
        The file of each table and the line of its first record, to name in errors.
    """

    follows: pa.Table | None
    follow_times: np.ndarray
    interactions: pa.Table | None
    interaction_times: np.ndarray
    untimed_follows: int = 0
    untimed_interactions: int = 0
    follow_rows: np.ndarray | None = None
    interaction_rows: np.ndarray | None = None
    sources: dict[str, Path] = field(default_factory=dict)
    first_rows: dict[str, int] = field(default_factory=dict)

    def span(self) -> tuple[datetime, datetime]:
        """The earliest and latest interaction timestamps; without interactions, the
        earliest and latest ``since`` of the follows."""
        times = self.interaction_times
        if not times.shape[0]:
            times = self.follow_times[self.untimed_follows :]
        return _datetime(int(times[0])), _datetime(int(times[-1]))

    def window(self, window: Window) -> tuple[pa.Table | None, pa.Table | None]:
        """The follows and interactions of ``window`` (see the module's description)."""
        start, end = _micros(window.start), _micros(window.end)
        follows = None
        if self.follows is not None:
            stop = int(np.searchsorted(self.follow_times, end, side="left"))
            follows = self.follows.slice(0, stop) if stop else None
        interactions = None
        if self.interactions is not None:
            first, stop = np.searchsorted(self.interaction_times, [start, end], side="left")
            interactions = self.interactions.slice(first, stop - first) if stop > first else None
        return follows, interactions

    def relocated(self, error: InputError, window: Window) -> InputError:
        """``error`` about a row of ``window``'s tables (:meth:`window`) naming that record's
        file and row instead."""
        for name in ("follows", "interactions"):
            if error.path != f"the {name} table":
                continue
            path = self.sources.get(name)
            if error.row is None:
                return type(error)(error.reason, path=path or error.path, column=error.column)
            start, end = _micros(window.start), _micros(window.end)
            if name == "follows":
                first = 0
                held = int(np.searchsorted(self.follow_times, end, side="left"))
                positions = self.follow_rows
            else:
                first, stop = np.searchsorted(self.interaction_times, [start, end], side="left")
                held = int(stop - first)
                positions = self.interaction_rows
            index = int(first) + (error.row - 1) % max(held, 1)  # undirected: follows twice
            if positions is not None:
                index = int(positions[index])
            row = index + (self.first_rows.get(name, 1) if path is not None else 1)
            return type(error)(error.reason, path=path or error.path, row=row, column=error.column)
        return error

    def outside(self, windows: Sequence[Window]) -> tuple[int, int]:
        """How many timed interactions fall in no window (before the first, after the last
        or between two), and how many follows start after the last window ends."""
        if not windows:
            return self.interaction_times.shape[0], self.follow_times.shape[0]
        starts = np.array([_micros(window.start) for window in windows], dtype=np.int64)
        ends = np.array([_micros(window.end) for window in windows], dtype=np.int64)
        times = self.interaction_times
        depth = np.zeros(times.shape[0] + 1, dtype=np.int64)  # windows holding each record
        np.add.at(depth, np.searchsorted(times, starts, side="left"), 1)
        np.add.at(depth, np.searchsorted(times, ends, side="left"), -1)
        interactions = int((np.cumsum(depth[:-1]) == 0).sum())
        started = int(np.searchsorted(self.follow_times, ends.max(), side="left"))
        return interactions, self.follow_times.shape[0] - started


@dataclass(frozen=True)
class TrendResult:
    """A trend with what it left out and how the warm starts went.

    Attributes
    ----------
    table
        ``window_start, window_end, id, rank, score, pagerank``, window by window, best first.
    windows
        Every window planned, ranked or not.
    empty_windows
        Windows without any follow or interaction (no rows in ``table``).
    audience_missing
        Windows where the audience selects no account (no rows in ``table``).
    iterations
        PageRank iterations of each window ranked.
    sources
        The file of each table read, by table name.
    """

    table: pl.DataFrame
    windows: list[Window]
    empty_windows: int = 0
    audience_missing: int = 0
    iterations: list[int] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)


def timed_tables(dataset: Dataset) -> TimedTables:
    """Sort the dataset's follows and interactions by time, without the untimed interactions.

    Raises
    ------
    InputError
        When there are interactions and none has a timestamp, or nothing has a time at all.
    """
    follows, follow_times, untimed_follows = None, np.empty(0, dtype=np.int64), 0
    follow_rows = interaction_rows = None
    if dataset.follows is not None and dataset.follows.num_rows:
        follows = dataset.follows
        if "since" in follows.column_names:
            times = follows.column("since").cast(pa.int64())
            untimed_follows = times.null_count
            follow_times = _filled(times)  # the untimed first: the smallest int64
            follow_rows = np.argsort(follow_times, kind="stable")
            follows = follows.take(follow_rows)
            follow_times = follow_times[follow_rows]
        else:
            untimed_follows = follows.num_rows
            follow_times = np.full(follows.num_rows, np.iinfo(np.int64).min)
    interactions, interaction_times, untimed_interactions = None, np.empty(0, np.int64), 0
    if dataset.interactions is not None and dataset.interactions.num_rows:
        table = dataset.interactions
        if "timestamp" in table.column_names:
            times = table.column("timestamp").cast(pa.int64())
            untimed_interactions = times.null_count
            timed = np.flatnonzero(times.is_valid().to_numpy(zero_copy_only=False))
            interaction_rows = timed[np.argsort(_filled(times)[timed], kind="stable")]
            interactions = table.take(interaction_rows) if interaction_rows.shape[0] else None
            interaction_times = _filled(times)[interaction_rows]
        else:
            untimed_interactions = table.num_rows
        if interactions is None:
            raise InputError(
                "no interaction has a timestamp: a trend ranks the interactions of each time "
                "window; give a timestamp column",
                path=dataset.sources.get("interactions"),
                column="timestamp",
            )
    records = 0 if dataset.interactions is None else dataset.interactions.num_rows
    if follows is None and not records:
        files = [str(dataset.sources[name]) for name in ("follows", "interactions")
                 if name in dataset.sources]  # fmt: skip
        raise InputError(
            "no follow or interaction records: nothing to rank", path=", ".join(files) or None
        )
    tables = TimedTables(
        follows, follow_times, interactions, interaction_times, untimed_follows,
        untimed_interactions, follow_rows, interaction_rows, dict(dataset.sources),
        dict(dataset.first_rows),
    )  # fmt: skip
    if interactions is None and follow_times.shape[0] == untimed_follows:
        raise InputError(
            "nothing has a time: a trend needs interactions with a timestamp or follows with "
            "a since column",
            path=dataset.sources.get("follows"),
        )
    return tables


def plan_windows(
    first: datetime,
    last: datetime,
    *,
    window: timedelta,
    step: timedelta,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Window]:
    """The windows ``[s, s + window)`` for ``s = start + k * step``, from ``start`` until the
    first window that reaches ``end`` (default: just after ``last``, the latest time), none
    starting at or after it; none reaches past the year 9999. With
    ``end`` given, no window reaches past it. Without ``start``, the windows start at
    ``first`` (the earliest time; midnight UTC before it when the step is whole days), or,
    with ``end``, so that the last window ends exactly at ``end`` and the first holds
    ``first`` (when the step is not longer than the window).

    Examples
    --------
    >>> day = timedelta(days=1)
    >>> first = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    >>> [(w.start.day, w.end.day) for w in plan_windows(
    ...     first, first + 9 * day, window=4 * day, step=3 * day)]
    [(1, 5), (4, 8), (7, 11)]
    """
    if window <= timedelta(0) or step <= timedelta(0):
        raise ParameterError("window and step must be positive durations")
    try:
        origin = start if start is not None else first
        if start is None and end is not None and end - window > first:
            # Aligned on the end: the last window is the full one before it.
            origin = end - window - _count_windows(first, end, window, step) * step + step
        elif start is None and step % timedelta(days=1) == timedelta(0):
            origin = datetime.combine(first.astimezone(UTC).date(), time(), UTC)  # midnight
        bound = end if end is not None else last + _MICROS
    except OverflowError:
        raise ParameterError(
            "the windows would reach past the years 0001 to 9999: give a shorter --window "
            "or --step, or --start and --end"
        ) from None
    if origin >= bound:
        raise ParameterError(
            f"the windows start at {_text(origin)}, not before they end at {_text(bound)}: "
            "check --start and --end against the data's times"
        )
    # No window starts at or after the bound (with a step longer than the window, the one
    # that would reach it can start past the data).
    count = min(_count_windows(origin, bound, window, step), -(-(bound - origin) // step))
    if count > MAX_WINDOWS:
        raise ParameterError(
            f"{count:,} windows from {_text(origin)} to {_text(bound)}: more than "
            f"{MAX_WINDOWS:,}; give a longer --step, or --start and --end"
        )
    planned = []
    for number in range(count):
        begin = origin + number * step  # before the bound: representable
        finish = begin + window if _LATEST - begin >= window else _LATEST  # none past 9999
        planned.append(Window(begin, min(finish, end) if end is not None else finish))
    return planned


def _count_windows(origin: datetime, bound: datetime, window: timedelta, step: timedelta) -> int:
    """Windows until the first one that reaches ``bound`` (its end at or after it)."""
    reach = bound - origin - window  # the first window k with k * step >= reach
    if reach <= timedelta(0):
        return 1
    return int(-(-reach // step)) + 1


def rank_windows(
    tables: TimedTables,
    windows: Sequence[Window],
    *,
    accounts: pa.Table | None = None,
    identities: pa.Table | None = None,
    weighting: Weighting | None = None,
    undirected: bool = False,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    audience: Sequence[str] = (),
    top: int | None = None,
    warm_start: bool = True,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
) -> TrendResult:
    """Rank the accounts of each window, each window warm-started from the one before.

    Parameters
    ----------
    tables
        The timed follows and interactions (:func:`timed_tables`).
    windows
        The windows to rank (:func:`plan_windows`).
    accounts, identities
        Account attributes and identity merges, as for one ranking.
    weighting
        Type weights and half-life; with a half-life, ages are measured from each window's
        end (``weighting.as_of`` must be ``None``).
    undirected
        Read each follow both ways.
    damping, tolerance, max_iter
        PageRank settings.
    audience
        Audience selectors: rank whom this audience pays attention to in each window.
    top
        Rows to keep per window (``None`` or 0: all).
    warm_start
        Start each window's PageRank from the previous window's scores (the same answer to
        the tolerance, in fewer iterations).
    confidence, level, seed
        Bootstrap replicates of each window's ranking (0: none), as ``graphkit rank
        --confidence``: add ``rank_low, rank_high, score_low, score_high, pagerank_low,
        pagerank_high`` at the confidence ``level``, resampled with ``seed``.

    Returns
    -------
    TrendResult
    """
    weighting = weighting or Weighting()
    if weighting.as_of is not None:
        raise ParameterError("a trend measures ages from each window's end: give no as-of time")
    if top is not None and top < 0:
        raise ParameterError(f"top must be >= 0, got {top}")
    check_confidence(confidence, level)
    frames: list[pl.DataFrame] = []
    iterations: list[int] = []
    empty = audience_missing = 0
    previous: tuple[pa.Array, np.ndarray] | None = None
    for window in windows:
        follows, interactions = tables.window(window)
        if follows is None and interactions is None:
            empty += 1
            continue
        dataset = Dataset(
            accounts=accounts, follows=follows, interactions=interactions, identities=identities
        )
        try:
            graph = build_graph(
                dataset,
                window_weighting(weighting, window, interactions),
                undirected=undirected,
                square_weights=bool(confidence),
            )
        except InputError as error:  # about a row of the window's slice: name the file's
            raise tables.relocated(error, window) from None
        personalization = None
        if audience:
            mask = _audience_mask(graph, audience)
            if mask is None:
                audience_missing += 1
                continue
            personalization = mask.astype(np.float64)
        start = _warm_start(graph, previous) if warm_start else None
        result = pagerank_run(
            graph,
            damping=damping,
            tolerance=tolerance,
            max_iter=max_iter,
            personalization=personalization,
            start=start,
        )
        iterations.append(result.iterations)
        previous = (graph.ids, result.scores)
        table = _window_frame(graph, result.scores, window, top)
        if confidence:
            intervals = bootstrap_pagerank(
                graph, result.scores, nodes=table.get_column("_node").to_numpy(),
                replicates=confidence, level=level, seed=seed, damping=damping,
                tolerance=tolerance, max_iter=max_iter, personalization=personalization,
            )  # fmt: skip
            table = table.with_columns(
                pl.Series("rank_low", intervals.rank_low, dtype=pl.Int64),
                pl.Series("rank_high", intervals.rank_high, dtype=pl.Int64),
                pl.Series("score_low", influence_score(intervals.score_low, result.scores)),
                pl.Series("score_high", influence_score(intervals.score_high, result.scores)),
                pl.Series("pagerank_low", intervals.score_low),
                pl.Series("pagerank_high", intervals.score_high),
            )
        frames.append(table.drop("_node"))
    if audience and audience_missing and not frames:
        raise selects_nothing(tuple(audience))  # in no window at all
    table = pl.concat(frames) if frames else _empty_frame(bool(confidence))
    check_frame(table, keys=("window_start", "id"))
    return TrendResult(table, list(windows), empty, audience_missing, iterations)


def window_weighting(
    weighting: Weighting, window: Window, interactions: pa.Table | None
) -> Weighting:
    """The weighting of one window: ages counted from its end; no half-life without
    interactions (follows never decay)."""
    if interactions is None:
        return dataclasses.replace(weighting, half_life=None, as_of=None)
    return dataclasses.replace(weighting, as_of=window.end)


def _audience_mask(graph: SocialGraph, audience: Sequence[str]) -> np.ndarray | None:
    """The audience's nodes, or ``None`` when it selects none in this window."""
    try:
        return select_audience(graph, tuple(audience))
    except ParameterError as error:
        if str(error) == str(selects_nothing(tuple(audience))):
            return None
        raise


def _warm_start(
    graph: SocialGraph, previous: tuple[pa.Array, np.ndarray] | None
) -> np.ndarray | None:
    """The previous window's score of each node, matched by id; new accounts start at the
    previous window's smallest score."""
    if previous is None:
        return None
    ids, scores = previous
    positions = pc.index_in(graph.ids, value_set=ids)
    found = np.asarray(positions.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    floor = float(scores.min()) if scores.shape[0] else 1.0
    start = np.full(graph.n_nodes, floor)
    known = found >= 0
    start[known] = scores[found[known]]
    return start


def _window_frame(
    graph: SocialGraph, scores: np.ndarray, window: Window, top: int | None
) -> pl.DataFrame:
    """One window's rows, best first, with each row's node number (``_node``)."""
    table = (
        pl.DataFrame(
            {
                "_node": np.arange(graph.n_nodes, dtype=np.int64),
                "id": pl.Series("id", graph.ids).cast(pl.String),
                "score": influence_score(scores),
                "pagerank": scores,
            }
        )
        .sort(["pagerank", "id"], descending=[True, False])
        .with_row_index("rank", offset=1)
    )
    if top:
        table = table.head(top)
    return table.select(
        pl.lit(window.start, dtype=_TIME).alias("window_start"),
        pl.lit(window.end, dtype=_TIME).alias("window_end"),
        "id",
        pl.col("rank").cast(pl.Int64),
        "score",
        "pagerank",
        "_node",
    )


def _empty_frame(intervals: bool) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "window_start": _TIME,
        "window_end": _TIME,
        "id": pl.String(),
        "rank": pl.Int64(),
        "score": pl.Float64(),
        "pagerank": pl.Float64(),
    }
    if intervals:
        schema.update(dict.fromkeys(("rank_low", "rank_high"), pl.Int64()))
        schema.update(
            dict.fromkeys(
                ("score_low", "score_high", "pagerank_low", "pagerank_high"), pl.Float64()
            )
        )
    return pl.DataFrame(schema=schema)


def _filled(times: pa.ChunkedArray) -> np.ndarray:
    filled = times.fill_null(np.iinfo(np.int64).min)
    return np.asarray(filled.to_numpy(), dtype=np.int64)


def _micros(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // _MICROS


def _datetime(micros: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + micros * _MICROS


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
