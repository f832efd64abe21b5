"""The graph of a follows file of integer ids, built in two passes over its batches: never
holding the records, their ids as text, or a weight per edge.

The first pass finds each id's first appearance and counts its records as follower and as
followed, by direct addressing; the accounts are then numbered as :func:`build_graph`
numbers them (by out-degree, ties by first appearance), and the second pass places each
record's follower under the followed account. The result is the graph :func:`build_graph`
makes of the same file read as text, array for array (tests/graph/test_streamed.py), at
about 4 bytes per edge instead of 50 at its peak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from graphkit.errors import InputError
from graphkit.graph.social import (
    FOLLOW_FLAG,
    MAX_NODES,
    SocialGraph,
    check_finite_sums,
)
from graphkit.graph.weights import Weighting
from graphkit.io.integer_edges import (
    IntegerFollows,
    changed_error,
    integer_follows,
    iter_integer_follows,
)
from graphkit.io.readers import Dataset
from graphkit.kernels.csr import (
    descending_order,
    distinct_per_row,
    merge_rows,
    sort_rows,
    source_sums,
    uniform_values,
)
from graphkit.kernels.direct import (
    UNSEEN,
    IdTable,
    count_batch_kernel,
    pairs_checksum,
    part_count,
    place_batch_kernel,
)

Progress = Callable[[int, int | None, str], None]


def streamable_follows(
    dataset: Dataset, weighting: Weighting, *, undirected: bool, square_weights: bool
) -> IntegerFollows | None:
    """The dataset's follows file when the graph can be built from it in two passes: a
    streamed Parquet file of integer ids (see :mod:`graphkit.io.integer_edges`) and nothing
    else to build from (no accounts, interactions or identities; no decay, undirected
    reading or squared weights)."""
    if (
        dataset.accounts is not None
        or dataset.identities is not None
        or dataset.interactions is not None
        or dataset.follows is not None
        or "interactions" in dataset.streamed
        or "follows" not in dataset.streamed
        or dataset.columns is not None
        or undirected
        or square_weights
        or weighting.half_life is not None
    ):
        return None
    return integer_follows(dataset.streamed["follows"])


def build_streamed_graph(
    follows: IntegerFollows, dataset: Dataset, weighting: Weighting, on_progress: Progress | None
) -> SocialGraph:
    """The influence graph of ``follows`` (see the module), as :func:`build_graph` makes it."""
    follow_weight = weighting.type_weights.get("follow", 1.0)
    # Each id's slot: the id itself when the ids are dense, else its number in a hash table.
    table = None if follows.direct else IdTable()
    counts = _first_pass(follows, table, "follows" in dataset.numbered_whole, on_progress)
    present = np.flatnonzero(counts.first_seen != UNSEEN)
    if present.shape[0] > MAX_NODES:
        raise InputError(
            f"{present.shape[0]:,} accounts: more than int32 indices can address",
            path=follows.path,
        )
    by_appearance = present[np.argsort(counts.first_seen[present], kind="stable")]
    node_ids = by_appearance[descending_order(counts.out_count[by_appearance])]
    del by_appearance, present
    n_nodes = node_ids.shape[0]
    in_indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(counts.in_count[node_ids], out=in_indptr[1:])
    node_of = np.full(counts.first_seen.shape[0], -1, dtype=np.int32)
    node_of[node_ids] = np.arange(n_nodes, dtype=np.int32)
    records, self_loops, checksum = counts.records, counts.self_loops, counts.checksum
    del counts
    in_sources = _second_pass(follows, table, node_of, in_indptr, records, checksum, on_progress)
    del node_of
    sort_rows(in_indptr, in_sources)
    merged_indptr = distinct_per_row(in_indptr, in_sources)
    in_weights: np.ndarray
    if int(merged_indptr[-1]) < in_sources.shape[0]:  # repeated records weigh their number
        in_sources, in_weights, _ = merge_rows(
            in_indptr, in_sources, np.empty(0), np.empty(0, dtype=np.uint8), merged_indptr
        )
        with np.errstate(over="ignore"):  # an overflow is named by check_finite_sums
            in_weights *= follow_weight
    else:
        in_weights = uniform_values(follow_weight, in_sources.shape[0], np.float64)
    in_indptr = merged_indptr
    ids = pa.array(node_ids if table is None else table.ids_by_code()[node_ids])
    ids = ids.cast(pa.string())
    out_weight = source_sums(in_sources, in_weights, n_nodes)
    engagement_received = uniform_values(0.0, n_nodes, np.float64)  # no interactions
    check_finite_sums(
        in_indptr, in_sources, in_weights, out_weight, engagement_received, ids, dataset
    )
    graph = SocialGraph(
        ids=ids,
        in_indptr=in_indptr,
        in_sources=in_sources,
        in_weights=in_weights,
        in_flags=uniform_values(FOLLOW_FLAG, in_sources.shape[0], np.uint8),
        out_weight=out_weight,
        followers=np.diff(in_indptr),
        interactions_received=engagement_received,
        engagement_received=engagement_received,
        self_loops=self_loops,
        records=records,
    )
    _report(on_progress, records, records, f"{n_nodes:,} accounts, {graph.n_edges:,} edges")
    return graph


@dataclass
class _Counts:
    """What the first pass learns: per slot, the first position and the records as follower
    and as followed (self-loops aside); in all, the records, self-loops and their checksum."""

    first_seen: np.ndarray
    out_count: np.ndarray
    in_count: np.ndarray
    records: int = 0
    self_loops: int = 0
    checksum: int = 0

    def grow(self, slots: int) -> None:
        """Room for ``slots`` slots."""
        self.first_seen = _grown(self.first_seen, slots, UNSEEN)
        self.out_count = _grown(self.out_count, slots, 0)
        self.in_count = _grown(self.in_count, slots, 0)


def _first_pass(
    follows: IntegerFollows, table: IdTable | None, whole: bool, on_progress: Progress | None
) -> _Counts:
    """Count the file's records by id. Positions follow the order in which the text interning
    meets the ids: the whole file's followers, then its followed accounts (``whole``); or so
    batch by batch, when the text reading streams it."""
    slots = follows.slots if table is None else 1 << 16
    counts = _Counts(
        np.full(slots, UNSEEN, dtype=np.int64),
        np.zeros(slots, dtype=np.int64),
        np.zeros(slots, dtype=np.int64),
    )
    for ids in iter_integer_follows(follows):
        counts.checksum = (counts.checksum + int(pairs_checksum(*ids))) % 2**64
        followers, followed = ids if table is None else _interned(table, ids, follows)
        if table is not None and table.count > counts.first_seen.shape[0]:
            counts.grow(max(2 * counts.first_seen.shape[0], table.count))
        rows, done = followers.shape[0], counts.records
        loops, outside = count_batch_kernel(
            followers, followed, done if whole else 2 * done,
            follows.rows + done if whole else 2 * done + rows,
            counts.first_seen, counts.out_count, counts.in_count,
            part_count(counts.first_seen.shape[0]),
        )  # fmt: skip
        if outside < rows:
            raise _outside_statistics(follows, *ids, done, outside)
        counts.self_loops += loops
        counts.records += rows
        _report(on_progress, counts.records, follows.rows, "counting ids (pass 1 of 2)")
    if counts.records != follows.rows:
        raise changed_error(
            follows, f"its footer counts {follows.rows:,} records and it holds {counts.records:,}"
        )
    return counts


def _second_pass(
    follows: IntegerFollows,
    table: IdTable | None,
    node_of: np.ndarray,
    in_indptr: np.ndarray,
    records: int,
    checksum: int,
    on_progress: Progress | None,
) -> np.ndarray:
    """The source node of each in-edge, placed under its target (rows unsorted), from a second
    reading that must find the records of the first."""
    in_sources = np.empty(int(in_indptr[-1]), dtype=np.int32)
    cursors = in_indptr[:-1].copy()
    ends = in_indptr[1:]
    parts = part_count(node_of.shape[0])
    placed = 0
    second_checksum = 0
    for ids in iter_integer_follows(follows):
        second_checksum = (second_checksum + int(pairs_checksum(*ids))) % 2**64
        followers, followed = (
            ids if table is None else (table.look_up(ids[0]), table.look_up(ids[1]))
        )
        unknown = place_batch_kernel(followers, followed, node_of, cursors, ends, in_sources, parts)
        if unknown < followers.shape[0]:
            row = placed + unknown + 1
            raise changed_error(follows, f"row {row:,} holds ids the first reading did not count")
        placed += followers.shape[0]
        _report(on_progress, placed, follows.rows, "placing edges (pass 2 of 2)")
    if placed != records:
        raise changed_error(
            follows, f"the second reading found {placed:,} records and the first {records:,}"
        )
    if second_checksum != checksum or not np.array_equal(cursors, ends):
        raise changed_error(follows, "the second reading found other records than the first")
    return in_sources


def _interned(
    table: IdTable, ids: tuple[np.ndarray, np.ndarray], follows: IntegerFollows
) -> tuple[np.ndarray, np.ndarray]:
    """The slots of a batch's followers, then of its followed accounts (numbered in that
    order)."""
    try:
        return table.intern(ids[0]), table.intern(ids[1])
    except OverflowError:
        raise InputError(
            f"more than {MAX_NODES:,} accounts: more than int32 indices can address",
            path=follows.path,
        ) from None


def _grown(values: np.ndarray, size: int, fill: int) -> np.ndarray:
    grown = np.full(size, fill, dtype=values.dtype)
    grown[: values.shape[0]] = values
    return grown


def _outside_statistics(
    follows: IntegerFollows, followers: np.ndarray, followed: np.ndarray, first: int, row: int
) -> InputError:
    """The error for an id outside the range the file's statistics promise."""
    column = 0 if not 0 <= followers[row] < follows.slots else 1
    name = follows.columns[column if follows.follower_first else 1 - column]
    value = int((followers, followed)[column][row])
    return InputError(
        f"account id {value} is outside the range the file's statistics give (0 to "
        f"{follows.slots - 1}): the file is corrupt or was altered",
        path=follows.path,
        row=first + row + 1,
        column=name,
    )


def _report(on_progress: Progress | None, done: int, total: int, detail: str) -> None:
    if on_progress is not None:
        on_progress(done, total, detail)
