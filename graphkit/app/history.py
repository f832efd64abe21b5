"""Rankings over time and what changed between two rankings: :func:`trend` and
:func:`compare`, with the conventions of :mod:`graphkit.app.api`."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Unpack

import numpy as np
import polars as pl

from graphkit.algorithms.bootstrap import DEFAULT_LEVEL, check_confidence
from graphkit.analysis.compare import NAME_COLUMNS, check_ranking, compare_rankings
from graphkit.analysis.trend import (
    TrendResult,
    plan_windows,
    rank_windows,
    timed_tables,
)
from graphkit.app.api import Data, Selectors, Tables
from graphkit.app.selectors import SELECTORS, text_items
from graphkit.app.settings import Settings
from graphkit.app.sources import Loaded, Sources, _is_export, input_locations, is_uri, load
from graphkit.errors import InputError, ParameterError, UsageError
from graphkit.export import unguard_spreadsheet
from graphkit.graph import parse_duration, parse_timestamp
from graphkit.io import Dataset, load_dataset
from graphkit.io.preflight import available_memory, check_memory, estimate_memory
from graphkit.io.readers import missing_reason, read_table, validate_table
from graphkit.io.schema import TABLES
from graphkit.io.writers import format_for
from graphkit.progress import Progress

Duration = str | timedelta
"""A duration: ``"30d"``, ``"12h"``, ``"2w"``, or a :class:`datetime.timedelta`."""

Moment = str | datetime | None
"""A time: ISO 8601 text (UTC when no offset is given) or a :class:`datetime.datetime`."""

Ranking = str | os.PathLike[str] | pl.DataFrame
"""A ranking: a file graphkit wrote (CSV, Parquet, JSON, NDJSON) or a DataFrame."""


def trend(
    data: Data = None,
    *,
    window: Duration = "30d",
    step: Duration = "7d",
    start: Moment = None,
    end: Moment = None,
    settings: Settings | None = None,
    audience: Selectors = None,
    top: int | None = None,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """Rank the accounts in each time window of the interactions.

    A window ``[start, end)`` holds the interactions with a timestamp in it and the follows
    that started before its end (``since``; follows without one count from the beginning).
    Interactions without a timestamp are left out. Windows start at ``start`` (default: the
    earliest interaction, without interactions the earliest follow, at midnight UTC when the
    step is whole days) every ``step`` until one reaches ``end`` (default: just after the
    latest); with ``end`` given, none reaches past it. With a half-life, ages count back from
    each window's end. Each window after the first warm-starts from the previous one.

    Parameters
    ----------
    data, follows, interactions, accounts, identities
        The data (see :mod:`graphkit.app.api`).
    window, step
        Length of each window and the time between their starts (``"30d"``, ``"12h"``,
        ``"2w"`` or timedeltas).
    start, end
        Where the first window starts and where the windows stop.
    settings
        Weighting (no ``as_of``: ages count from each window's end), PageRank settings.
    audience
        Personalize each window's ranking on this audience (as :func:`graphkit.rank`);
        windows where it selects no account have no rows.
    top
        Rows to keep per window (``None`` or 0: all).
    confidence, level, seed
        Bootstrap replicates of each window's ranking (0: none): adds ``rank_low,
        rank_high, score_low, score_high, pagerank_low, pagerank_high``, intervals at
        ``level`` (as :func:`graphkit.rank`), resampled with ``seed``.
    progress
        Where steps and notes go (default: nowhere).

    Returns
    -------
    polars.DataFrame
        ``window_start, window_end, id, rank, score, pagerank`` (and the intervals with
        ``confidence``), window by window, best first (ties by id); windows without any
        follow or interaction have no rows.

    Raises
    ------
    InputError
        For bad input, or when nothing has a time.
    ParameterError
        For a bad duration or time, windows that end before they start, or windows that hold
        no follow or interaction at all.
    UsageError
        For a wrong type of ``top`` or ``audience``, or ``start`` not before ``end``.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import datetime, UTC
    >>> day = [datetime(2026, 1, d, tzinfo=UTC) for d in (1, 2, 3)]
    >>> interactions = pl.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "c"],
    ...     "type": ["repost"] * 3, "timestamp": day})
    >>> table = trend(interactions=interactions, window="2d", step="1d")
    >>> leaders = table.filter(pl.col("rank") == 1)
    >>> [(str(when.date()), who) for when, who in leaders.select("window_start", "id").rows()]
    [('2026-01-01', 'c'), ('2026-01-02', 'c')]
    """
    return trend_run(
        data, window=window, step=step, start=start, end=end, settings=settings,
        audience=audience, top=top, confidence=confidence, level=level, seed=seed,
        progress=progress, **tables,
    ).table  # fmt: skip


def trend_run(
    data: Data = None,
    *,
    window: Duration = "30d",
    step: Duration = "7d",
    start: Moment = None,
    end: Moment = None,
    settings: Settings | None = None,
    audience: Selectors = None,
    top: int | None = None,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> TrendResult:
    """:func:`trend` with the windows planned, those left empty and the PageRank iterations
    of each window (notes about what was left out go to ``progress``)."""
    settings = settings or Settings()
    progress = progress or Progress(quiet=True)
    if settings.engine != "local":
        raise UsageError("graphkit trend runs on the local engine")
    if settings.weighting.as_of is not None:
        raise UsageError("a trend measures ages from each window's end: drop --as-of")
    check_confidence(confidence, level)
    window_length, step_length = _duration(window), _duration(step)
    first_moment, last_moment = _moment(start), _moment(end)
    if first_moment is not None and last_moment is not None and first_moment >= last_moment:
        raise UsageError(f"--start ({start}) must be before --end ({end})")
    selectors = text_items(audience, "audience", SELECTORS)
    if top is not None and (isinstance(top, bool) or not isinstance(top, int | np.integer)):
        raise UsageError(f"top must be a whole number of rows, got {top!r}")
    dataset, undirected = _read(data, settings, progress, dict(tables))
    timed = timed_tables(dataset)
    if timed.untimed_interactions and settings.weighting.half_life is not None:
        _refuse_untimed(dataset, settings.weighting.missing_time)
    first, last = timed.span()
    windows = plan_windows(
        first, last, window=window_length, step=step_length, start=first_moment, end=last_moment
    )
    replicates = f" ({confidence:,} bootstrap replicates each)" if confidence else ""
    with progress.step(f"Ranking {len(windows):,} windows{replicates}"):
        result = rank_windows(
            timed,
            windows,
            accounts=dataset.accounts,
            identities=dataset.identities,
            weighting=settings.weighting,
            undirected=undirected,
            damping=settings.damping,
            tolerance=settings.tolerance,
            max_iter=settings.max_iter,
            audience=tuple(selectors),
            top=top,
            confidence=confidence,
            level=level,
            seed=seed,
        )
    result = dataclasses.replace(result, sources=dict(dataset.sources))
    if result.empty_windows == len(windows):
        raise ParameterError(
            f"no window holds any follow or interaction (the data's times run from "
            f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}): check --start, --end and --step"
        )
    _notes(result, timed.untimed_follows, timed.untimed_interactions, progress)
    outside, later = timed.outside(windows)
    if outside:
        progress.note(
            f"Left out {outside:,} interactions outside every window (before the first, after "
            "the last or between two)"
        )
    if later:
        progress.note(f"Left out {later:,} follows that start after the last window ends")
    if progress.verbose and last_moment is None and windows[-1].end > last:
        progress.note(
            f"The last window runs past the latest time ({last:%Y-%m-%d %H:%M}) to "
            f"{windows[-1].end:%Y-%m-%d %H:%M}; give --end to end the last window there"
        )
    return result


def _refuse_untimed(dataset: Dataset, missing_time: str) -> None:
    """With ``--missing-time error``, the first interaction without a timestamp is an error
    (a trend otherwise leaves such interactions out, whatever ``--missing-time`` says)."""
    if missing_time != "error" or dataset.interactions is None:
        return
    times = dataset.interactions.column("timestamp")
    index = int(np.argmin(times.is_valid().to_numpy(zero_copy_only=False)))
    path = dataset.sources.get("interactions")
    raise InputError(
        f"no timestamp, and --missing-time error refuses it ({times.null_count:,} "
        "interactions lack one; a trend leaves them out otherwise)",
        path=path or "the interactions table",
        row=index + (dataset.first_rows.get("interactions", 1) if path is not None else 1),
        column="timestamp",
    )


def _notes(result: TrendResult, untimed_follows: int, untimed: int, progress: Progress) -> None:
    if untimed:
        progress.note(f"Left out {untimed:,} interactions without a timestamp")
    if result.empty_windows:
        progress.note(
            f"{_windows(result.empty_windows)} without any follow or interaction: no rows"
        )
    if result.audience_missing:
        progress.note(
            f"{_windows(result.audience_missing)} without any account of the audience: no rows"
        )
    if progress.verbose:
        if untimed_follows:
            progress.note(f"{untimed_follows:,} follows without a since time count from the start")
        if len(result.iterations) > 1:
            progress.note(
                f"PageRank iterations per window: first {result.iterations[0]}, then "
                f"{sum(result.iterations[1:]) / (len(result.iterations) - 1):.1f} on "
                "average (warm starts)"
            )


def _windows(count: int) -> str:
    return f"{count:,} window" + ("" if count == 1 else "s")


def compare(
    before: Ranking,
    after: Ranking,
    *,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """What changed between two rankings: movers, entrants, exits and score changes.

    Parameters
    ----------
    before, after
        Rankings (files graphkit wrote in any output format, or DataFrames) with ``id`` and
        ``rank`` columns; ``score``, ``handle``, ``name`` and the intervals ``rank_low`` /
        ``rank_high`` are used when present.
    progress
        Where steps go (default: nowhere).

    Returns
    -------
    polars.DataFrame
        ``id`` (with ``handle``, ``name`` when present), ``rank_before, rank_after,
        rank_change`` (positive: moved up), ``score_before, score_after, score_change``,
        ``status`` (``entered``, ``exited``, ``moved``, ``same``) and ``significant`` (true
        where both rankings have rank intervals and they do not overlap; null without
        intervals). Largest rank changes first, then by id.

    Raises
    ------
    InputError
        For a file that cannot be read, a missing ``id`` or ``rank`` column, or a repeated id,
        naming the file, row and column.

    Examples
    --------
    >>> import polars as pl
    >>> before = pl.DataFrame({"id": ["a", "b"], "rank": [1, 2], "score": [100.0, 50.0]})
    >>> after = pl.DataFrame({"id": ["b", "a"], "rank": [1, 2], "score": [100.0, 80.0]})
    >>> compare(before, after).select("id", "rank_change", "score_change").rows()
    [('a', -1, -20.0), ('b', 1, 50.0)]
    """
    progress = progress or Progress(quiet=True)
    with progress.step("Reading rankings"):
        first = read_ranking(before, "before")
        second = read_ranking(after, "after")
    with progress.step("Comparing"):
        return compare_rankings(first, second)


def read_ranking(ranking: Ranking, what: str = "ranking") -> pl.DataFrame:
    """A ranking from a file graphkit wrote (format by suffix) or a DataFrame, checked: ``id``
    and ``rank`` present, ids unique and not empty, ranks whole numbers >= 1."""
    if isinstance(ranking, pl.DataFrame):
        return check_ranking(ranking, what)
    if not isinstance(ranking, str | os.PathLike):
        raise UsageError(f"{what} must be a file path or a polars DataFrame")
    path = Path(ranking)
    if not path.is_file():
        reason = missing_reason(path) if not path.exists() else "not a file"
        raise InputError(reason, path=path)
    try:
        file_format = format_for(path)
    except InputError:
        raise InputError(
            "cannot tell the format from the suffix; compare reads .csv, .parquet, .json and "
            ".ndjson",
            path=path,
        ) from None
    try:
        if file_format == "csv":
            # graphkit's CSV results guard formula-like text: read the text back as written,
            # ids and names as text ("007" stays "007").
            frame = unguard_spreadsheet(
                pl.read_csv(
                    path,
                    schema_overrides=dict.fromkeys(("id", *NAME_COLUMNS), pl.String),
                    infer_schema_length=None,
                )
            )
        elif file_format == "parquet":
            frame = pl.read_parquet(path)
        elif file_format == "json":
            frame = pl.read_json(path)
        else:
            frame = pl.read_ndjson(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        raise InputError(f"cannot read it as {file_format} ({first_line})", path=path) from None
    for column in frame.columns:  # polars renames a repeated CSV header: refuse the guess
        named = column.removesuffix("_duplicated_0")
        if file_format == "csv" and named != column and named in frame.columns:
            raise InputError("the header names this column twice", path=path, column=named)
    return check_ranking(frame, str(path), first_row=2 if file_format == "csv" else 1)


def _read(
    data: Data, settings: Settings, progress: Progress, tables: dict[str, Any]
) -> tuple[Dataset, bool]:
    """The tables of ``data`` in memory (a trend filters them window by window), and whether
    follows are read both ways."""
    given = {name: value for name, value in tables.items() if value is not None}
    if isinstance(data, Loaded | Dataset):
        if given:
            raise UsageError("give loaded data or tables, not both")
        dataset = data.dataset if isinstance(data, Loaded) else data
        if any(name in dataset.streamed for name in ("follows", "interactions")) or (
            isinstance(data, Loaded) and dataset.follows is None and dataset.interactions is None
        ):
            raise UsageError(
                "a trend reads the follows and interactions tables again: give the data "
                "(a path, Sources or tables), not loaded data"
            )
        return dataset, False
    sources = (
        dataclasses.replace(data, **given)
        if isinstance(data, Sources)
        else Sources(data=data, **given)
    )
    local = sources.data is not None and not sources.demo and not is_uri(sources.data)
    if sources.exports or (local and _is_export(Path(str(sources.data)))):
        loaded = load(sources, settings, progress)  # exports keep their tables
        return loaded.dataset, sources.undirected
    folder, files = input_locations(sources)
    for location in (folder, *files.values()):
        if is_uri(location):
            raise UsageError(f"{location} is a URI: graphkit trend reads local files")
    in_memory = {
        name: value
        for name, value in files.items()
        if value is not None and not isinstance(value, str | os.PathLike)
    }
    paths = {
        name: None if value is None or name in in_memory else Path(value)
        for name, value in files.items()
    }
    local_folder = None if folder is None else Path(folder)
    if settings.memory_check:
        estimate = estimate_memory(
            local_folder,
            follows=paths["follows"],
            interactions=paths["interactions"],
            accounts=paths["accounts"],
            identities=paths["identities"],
        )
        check_memory(estimate, available_memory())
    with progress.step("Reading tables"):
        if local_folder is not None or paths["follows"] or paths["interactions"]:
            dataset = load_dataset(
                local_folder,
                interaction_type=sources.interaction_type,
                known_types=settings.weighting.known_types,
                stream=False,
                columns=sources.columns,
                **paths,
            )
        else:
            dataset = Dataset()
            for name, path in paths.items():
                if path is not None:
                    setattr(dataset, name, read_table(path, TABLES[name]))
                    dataset.sources[name] = path
        for name, table in in_memory.items():
            setattr(
                dataset,
                name,
                validate_table(
                    table,
                    TABLES[name],
                    interaction_type=sources.interaction_type,
                    known_types=settings.weighting.known_types,
                ),
            )
    if dataset.follows is None and dataset.interactions is None:
        raise InputError(
            "no follows or interactions table given; give a dataset folder, follows= or "
            "interactions="
        )
    return dataset, sources.undirected


def _duration(value: Duration) -> timedelta:
    if isinstance(value, timedelta):
        if value <= timedelta(0):
            raise UsageError(f"a window and a step must be positive, got {value}")
        return value
    return parse_duration(str(value))


def _moment(value: Moment) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return parse_timestamp(str(value))
