"""What ``--confidence`` and ``--previous`` need beyond the ranking itself: the graph with
its records' squared weights, and the scores of an earlier run as a warm start."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import polars as pl

from graphkit.app.sources import Loaded
from graphkit.errors import InputError, UsageError
from graphkit.export.guard import unguard_spreadsheet
from graphkit.graph import Weighting, build_graph
from graphkit.graph.social import SQUARE_WEIGHTS_KEY, SocialGraph
from graphkit.io.readers import missing_reason
from graphkit.io.writers import format_for

Previous = str | os.PathLike[str] | pl.DataFrame
"""An earlier ranking: a file ``graphkit rank`` wrote (CSV, Parquet, JSON, NDJSON) or a
DataFrame, with ``id`` and ``pagerank`` columns."""


def resampling_graph(
    loaded: Loaded, weighting: Weighting, *, undirected: bool = False
) -> SocialGraph:
    """The loaded graph with each edge's sum of squared record weights, which bootstrap
    intervals need (:func:`graphkit.algorithms.bootstrap.resampling_spread`).

    Loading drops the follows and interactions tables once the graph is built, so the graph
    is built again from the files (or the tables, where they were kept), and checked to have
    the same accounts and edges. ``undirected`` must be what loading was told.

    Raises
    ------
    UsageError
        When the edge tables were given in memory and are gone (a
        :class:`graphkit.io.Dataset` keeps them).
    """
    graph = loaded.graph
    if isinstance(graph._cache.get(SQUARE_WEIGHTS_KEY), np.ndarray):
        return graph
    dataset = loaded.dataset
    streamed = dict(dataset.streamed)
    for name in ("follows", "interactions"):
        if getattr(dataset, name) is None and name in dataset.sources:
            streamed.setdefault(name, Path(dataset.sources[name]))
    if not streamed and dataset.follows is None and dataset.interactions is None:
        raise UsageError(
            "confidence intervals read the follows and interactions again, and tables given "
            "in memory are not kept once loaded: give files, or the tables as a "
            "graphkit.io.Dataset"
        )
    for path in streamed.values():
        if not Path(path).is_file():
            raise UsageError(
                f"confidence intervals read the follows and interactions again, and {path} "
                "is gone (standard input or a download, staged while loading): save the "
                "input to a file and give that"
            )
    again = build_graph(
        dataclasses.replace(dataset, streamed=streamed),
        weighting,
        square_weights=True,
        undirected=undirected,
    )
    same = (
        again.n_nodes == graph.n_nodes
        and again.ids.equals(graph.ids)
        and np.array_equal(again.in_indptr, graph.in_indptr)
        and np.array_equal(again.in_sources, graph.in_sources)
    )
    if not same:
        raise InputError(
            "the input files changed while graphkit read them: run again",
            path=", ".join(str(path) for path in streamed.values()) or None,
        )
    return again


def read_previous(previous: Previous) -> pl.DataFrame:
    """The ``id`` and ``pagerank`` columns of an earlier ranking, checked.

    Raises
    ------
    InputError
        Naming the file (and the row and column) when it is missing, unreadable, lacks
        ``id`` or ``pagerank``, or holds an empty or repeated id or a PageRank that is not a
        finite number >= 0.
    """
    where = "the previous ranking"
    first_row = 1
    if isinstance(previous, pl.DataFrame):
        frame = previous
    elif isinstance(previous, str | os.PathLike):
        path = Path(previous)
        where = str(path)
        if not path.is_file():
            reason = missing_reason(path) if not path.exists() else "not a file"
            raise InputError(reason, path=path)
        try:
            file_format = format_for(path)
        except InputError:
            raise InputError(
                "cannot tell the format from the suffix; --previous reads .csv, .parquet, "
                ".json and .ndjson",
                path=path,
            ) from None
        first_row = 2 if file_format == "csv" else 1
        try:
            if file_format == "csv":
                # graphkit's CSV results guard formula-like ids ('=x): read them as written.
                frame = unguard_spreadsheet(
                    pl.read_csv(path, schema_overrides={"id": pl.String}, infer_schema_length=None)
                )
            elif file_format == "parquet":
                frame = pl.read_parquet(path)
            elif file_format == "json":
                frame = pl.read_json(path)
            else:
                frame = pl.read_ndjson(path)
        except (pl.exceptions.PolarsError, OSError, ValueError) as error:
            text = str(error).strip()
            first_line = text.splitlines()[0] if text else type(error).__name__
            raise InputError(f"cannot read it as {file_format} ({first_line})", path=path) from None
    else:
        raise UsageError("previous must be a file path or a polars DataFrame")
    for column in ("id", "pagerank"):
        if column not in frame.columns:
            raise InputError(
                f"no {column!r} column; --previous reads a ranking graphkit rank wrote",
                path=where,
                column=column,
            )
    ids = _cast(frame, "id", pl.String, where)
    blank = ids.is_null() | (ids.str.strip_chars() == "")
    if blank.any():
        raise InputError(
            "empty id", path=where, row=int(blank.arg_true()[0]) + first_row, column="id"
        )
    repeated = ids.is_duplicated()
    if repeated.any():
        row = int(repeated.arg_true()[1]) + first_row
        raise InputError(f"id {ids.filter(repeated)[0]!r} appears again", path=where, row=row,
                         column="id")  # fmt: skip
    scores = _cast(frame, "pagerank", pl.Float64, where)
    values = scores.to_numpy()
    bad = np.flatnonzero(scores.is_null().to_numpy() | ~np.isfinite(values) | (values < 0))
    if bad.shape[0]:
        raise InputError(
            "pagerank must be a finite number >= 0",
            path=where,
            row=int(bad[0]) + first_row,
            column="pagerank",
        )
    return pl.DataFrame({"id": ids, "pagerank": scores})


def _cast(frame: pl.DataFrame, column: str, dtype: type[pl.DataType], where: str) -> pl.Series:
    """The column as ``dtype`` (null where a value does not convert); an InputError naming the
    column when its type cannot convert at all (a list, a struct)."""
    try:
        return frame.get_column(column).cast(dtype, strict=False)
    except pl.exceptions.PolarsError:
        kind = "text" if dtype == pl.String else "numbers"
        raise InputError(
            f"{column} must hold {kind}, got {frame.schema[column]}", path=where, column=column
        ) from None


def warm_start(
    graph: SocialGraph, previous: pl.DataFrame, personalization: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """The start vector from an earlier ranking (:func:`read_previous`), and how many of the
    graph's accounts it matched.

    Accounts matched by id start at their earlier PageRank; new accounts start at the
    teleport value (``1 / n``, or their share of the personalization). Accounts of the
    earlier ranking that are gone are left out. :func:`graphkit.algorithms.pagerank`
    normalises the vector.
    """
    n = graph.n_nodes
    if personalization is None:
        start = np.full(n, 1.0 / n) if n else np.zeros(0)
    else:
        weights = np.asarray(personalization, dtype=np.float64)
        total = weights.sum()
        start = weights / total if total > 0 else np.full(n, 1.0 / max(n, 1))
    nodes = graph.index_of(previous.get_column("id").to_arrow())
    found = nodes >= 0
    start[nodes[found]] = previous.get_column("pagerank").to_numpy()[found]
    return start, int(np.count_nonzero(found))
