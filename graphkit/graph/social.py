"""SocialGraph: the influence graph (u -> v: u pays attention to v) as CSR arrays over contiguous
node ids."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.errors import InputError, MissingDependencyError, quoted
from graphkit.graph.weights import (
    Weighting,
    decay_factors,
    timestamp_micros,
    type_weight_array,
)
from graphkit.io.readers import Dataset, TableSource
from graphkit.io.schema import integer_array, string_buffers
from graphkit.kernels.csr import (
    count_flagged,
    csr_by_row,
    descending_order,
    source_sums,
    uniform_values,
)
from graphkit.kernels.intern import StringInterner

if TYPE_CHECKING:
    import igraph as ig
    import networkx as nx

FOLLOW_FLAG: Final = 1
INTERACTION_FLAG: Final = 2
MAX_NODES: Final = 2**31 - 1
# Cache key of the per-edge sums of squared record weights (build_graph(square_weights=True)).
SQUARE_WEIGHTS_KEY: Final = "in_square_weights"
# Cache key of the ids identity merge replaced (account_aliases).
ALIASES_KEY: Final = "account_aliases"
# Cache key of the account -> person map a graph was built with (identity_map), so that ids
# the merge replaced still name the account they became.
IDENTITIES_KEY: Final = "identity_map"
# Cache key of what discounting suspicious accounts' edges did (graphkit.analysis.audit).
DISCOUNT_KEY: Final = "discount_suspicious"


@dataclass(frozen=True)
class SocialGraph:
    """A directed weighted influence graph: an edge ``u -> v`` means *u pays attention to v*.

    Nodes are numbered ``0 .. n-1`` by decreasing out-degree (ties by first appearance in the
    input); ``ids[i]`` is the string id of node ``i``. Edges are held by target (in-edges),
    sources ascending within each target, duplicates merged and self-loops dropped.

    Attributes
    ----------
    ids
        String id of each node (after identity merge).
    in_indptr
        int64, length ``n + 1``: the in-edges of ``v`` are ``in_indptr[v]:in_indptr[v + 1]``.
    in_sources
        int32 source node of each in-edge.
    in_weights
        float64 weight of each in-edge (type weight x record weight x decay, summed); a
        read-only view of one value when every edge weighs the same (no memory per edge).
    in_flags
        uint8 bit flags of each in-edge: 1 if it includes a follow, 2 if an interaction
        (a read-only view of one value when all edges have the same).
    out_weight
        float64 total weight each node gives; 0 for dangling nodes.
    followers
        int64 distinct followers of each node (follow records only).
    interactions_received
        float64 interaction records received (each counted by its ``weight`` column, default 1).
    engagement_received
        float64 type-weighted, decayed interaction weight received.
    accounts
        Account attributes after identity merge, one row per known account, keyed by ``id``.
    self_loops
        Number of self-loop records dropped.
    records
        Number of follow and interaction records read (before dropping self-loops; an
        undirected follow counts twice).
    missing_times
        Interaction records without a timestamp when a half-life was given (they decayed as
        ``Weighting.missing_time`` says).
    """

    ids: pa.Array
    in_indptr: np.ndarray
    in_sources: np.ndarray
    in_weights: np.ndarray
    in_flags: np.ndarray
    out_weight: np.ndarray
    followers: np.ndarray
    interactions_received: np.ndarray
    engagement_received: np.ndarray
    accounts: pl.DataFrame | None = None
    self_loops: int = 0
    records: int = 0
    missing_times: int = 0
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.in_indptr.shape[0] - 1)

    @property
    def n_edges(self) -> int:
        """Number of distinct directed edges (after merging duplicates)."""
        return int(self.in_indptr[-1])

    @property
    def uniform_weights(self) -> bool:
        """Whether every edge has the same weight (an unweighted graph)."""
        if "uniform_weights" not in self._cache:
            weights = self.in_weights
            self._cache["uniform_weights"] = bool(
                weights.shape[0] == 0 or weights.strides[0] == 0 or (weights == weights[0]).all()
            )
        return bool(self._cache["uniform_weights"])

    def attention_shares(self, edges: slice | np.ndarray) -> np.ndarray:
        """The share ``w(u, v) / out_weight(u)`` of its source's attention each in-edge of
        ``edges`` (a slice or mask of the in-edge arrays) carries; 0 where the source gives
        no weight at all (zero-weight edges of a dangling account).

        >>> from graphkit.io import Dataset
        >>> follows = pa.table({"follower": ["a", "a", "c"], "followed": ["b", "c", "b"]})
        >>> graph = build_graph(Dataset(follows=follows))
        >>> sorted(graph.attention_shares(slice(None)).tolist())
        [0.5, 0.5, 1.0]
        """
        weights = self.in_weights[edges]
        out = self.out_weight[self.in_sources[edges]]
        shares: np.ndarray = np.divide(weights, out, out=np.zeros(weights.shape[0]), where=out > 0)
        return shares

    def in_degree(self) -> np.ndarray:
        """Distinct in-neighbours of each node."""
        return np.diff(self.in_indptr)

    def edge_targets(self) -> np.ndarray:
        """int32 target of each in-edge, aligned with ``in_sources`` (read-only, made once)."""
        targets = self._cache.get("edge_targets")
        if not isinstance(targets, np.ndarray):
            targets = np.repeat(np.arange(self.n_nodes, dtype=np.int32), self.in_degree())
            targets.flags.writeable = False
            self._cache["edge_targets"] = targets
        return targets

    def out_degree(self) -> np.ndarray:
        """int64 number of distinct accounts each node pays attention to (its out-edges)."""
        ones = uniform_values(1.0, self.n_edges, np.float64)
        return source_sums(self.in_sources, ones, self.n_nodes).astype(np.int64)

    def with_weights(self, in_weights: np.ndarray) -> SocialGraph:
        """The same edges with other weights (out-weights recomputed, structure shared)."""
        # Depend on the edges only (the lumped layout checks that it still fits the weights).
        structural = ("edge_targets", "pagerank_pull_layout", "pagerank_lumped_layout")
        shared = {key: self._cache[key] for key in structural if key in self._cache}
        return dataclasses.replace(
            self,
            in_weights=in_weights,
            out_weight=source_sums(self.in_sources, in_weights, self.n_nodes),
            _cache=shared,
        )

    def index_of(self, ids: list[str] | pa.Array) -> np.ndarray:
        """Node index of each id, -1 where the id is not in the graph."""
        positions = pc.index_in(pa.array(ids, pa.string()), value_set=self.ids)
        return np.asarray(positions.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)

    def ids_of(self, nodes: np.ndarray) -> pl.Series:
        """The id of each node of ``nodes`` (integer node numbers), as a polars String Series."""
        taken = self.ids.take(integer_array(np.asarray(nodes, dtype=np.int64)))
        return pl.Series(taken).cast(pl.String)

    def to_igraph(self) -> ig.Graph:
        """The graph as a directed, weighted igraph Graph (built once, then cached).

        Vertex ``i`` is node ``i``; its ``name`` is the account id (igraph looks vertices up
        by name), the accounts table's columns are vertex attributes (``None`` for accounts
        that appear only in edges; the account's own ``name`` becomes ``label``).
        Edges carry ``weight`` and ``follow``/``interaction`` flags.

        Examples
        --------
        >>> from graphkit.io import Dataset
        >>> follows = pa.table({"follower": ["a", "b"], "followed": ["b", "a"]})
        >>> graph = build_graph(Dataset(follows=follows)).to_igraph()
        >>> graph.vs["name"], graph.es["weight"]
        (['a', 'b'], [1.0, 1.0])
        """
        if "igraph" not in self._cache:
            import igraph as ig

            edges = np.column_stack([self.in_sources, self.edge_targets()])
            graph = ig.Graph(n=self.n_nodes, edges=edges, directed=True)
            graph.es["weight"] = self.in_weights.tolist()
            graph.es["follow"] = (self.in_flags & FOLLOW_FLAG).astype(bool).tolist()
            graph.es["interaction"] = (self.in_flags & INTERACTION_FLAG).astype(bool).tolist()
            attributes = self.node_attributes()
            # igraph finds vertices by "name": it holds the id; an account's name is "label".
            if "name" in attributes:
                attributes["label"] = attributes.pop("name")
            graph.vs["name"] = attributes.pop("id")
            for name, values in attributes.items():
                graph.vs[name] = values
            self._cache["igraph"] = graph
        return self._cache["igraph"]

    def node_attributes(self) -> dict[str, list[object]]:
        """Per node: ``id``, the accounts table's columns (``None`` for accounts only seen in
        edges), and ``followers``."""
        attributes: dict[str, list[object]] = {"id": self.ids.to_pylist()}
        if self.accounts is not None:
            ordered = (
                pl.DataFrame({"id": pl.Series("id", self.ids).cast(pl.String)})
                .join(
                    self.accounts.with_columns(pl.col("id").cast(pl.String)),
                    on="id",
                    how="left",
                    maintain_order="left",
                )
                .drop("id")
            )
            for column in ordered.columns:
                attributes[column] = ordered.get_column(column).to_list()
        attributes["followers"] = self.followers.tolist()
        return attributes

    def to_networkx(self) -> nx.DiGraph:
        """The graph as a networkx DiGraph keyed by account id, with the account columns as
        node attributes and ``weight``, ``follow``, ``interaction`` on the edges (networkx
        must be installed).

        Examples
        --------
        >>> from graphkit.io import Dataset
        >>> follows = pa.table({"follower": ["a", "a", "b"], "followed": ["b", "b", "a"]})
        >>> graph = build_graph(Dataset(follows=follows)).to_networkx()
        >>> sorted(graph.edges(data="weight"))
        [('a', 'b', 2.0), ('b', 'a', 1.0)]
        """
        try:
            import networkx as nx
        except ImportError:
            raise MissingDependencyError(
                "to_networkx needs networkx: pip install networkx"
            ) from None
        ids = self.ids.to_pylist()
        graph = nx.DiGraph()
        attributes = self.node_attributes()
        del attributes["id"]
        graph.add_nodes_from(
            (ids[node], {key: values[node] for key, values in attributes.items()})
            for node in range(self.n_nodes)
        )
        targets = self.edge_targets()
        graph.add_edges_from(
            (
                ids[int(source)],
                ids[int(target)],
                {
                    "weight": float(weight),
                    "follow": bool(flag & FOLLOW_FLAG),
                    "interaction": bool(flag & INTERACTION_FLAG),
                },
            )
            for source, target, weight, flag in zip(
                self.in_sources, targets, self.in_weights, self.in_flags, strict=True
            )
        )
        return graph


def build_graph(
    dataset: Dataset,
    weighting: Weighting | None = None,
    *,
    release_tables: bool = False,
    undirected: bool = False,
    square_weights: bool = False,
    on_progress: Callable[[int, int | None, str], None] | None = None,
) -> SocialGraph:
    """Build the influence graph of a dataset.

    Duplicate records add up; self-loops are dropped and counted. With a half-life, each
    interaction decays by its age; interactions without a time follow
    ``weighting.missing_time``.

    Parameters
    ----------
    dataset
        Tables read by :func:`graphkit.io.load_dataset`.
    weighting
        Type weights and decay (default: the default type weights, no decay).
    release_tables
        Drop the dataset's follows and interactions tables as soon as their ids are
        interned, so their memory is free for the CSR build (large graphs).
    undirected
        Read each follow record as both directions (friendship and connection lists
        published as one row per pair).
    square_weights
        Also keep, per in-edge, the sum of the squares of its records' weights (what
        resampling the records needs; :data:`SQUARE_WEIGHTS_KEY` in the graph's cache).
    on_progress
        ``on_progress(rows, total, detail)`` as the follow and interaction rows are interned
        (``total`` ``None`` for tables still to be read from their files), then once more
        when the graph is built.

    Returns
    -------
    SocialGraph

    Raises
    ------
    InputError
        When the dataset holds no edges, or more nodes than int32 indices can address; when
        a half-life is given and no interaction has a time (or one lacks it and
        ``missing_time`` is ``"error"``); when weights overflow (a record's weight times its
        type weight, or the sum over an edge's records, is beyond floating point).
    """
    weighting = weighting or Weighting()
    # Imported here: the streamed build makes this module's SocialGraph.
    from graphkit.graph.streamed import build_streamed_graph, streamable_follows

    streamable = streamable_follows(
        dataset, weighting, undirected=undirected, square_weights=square_weights
    )
    if streamable is not None:
        return build_streamed_graph(streamable, dataset, weighting, on_progress)
    person_of = identity_map(dataset.identities)
    interner = StringInterner(expected_unique=max(1 << 16, dataset.estimated_records() // 8))
    accounts = None
    aliases = None
    if dataset.accounts is not None:
        accounts = _merge_accounts(dataset.accounts, person_of)
        if "aliases" in accounts.columns:
            # Kept beside the accounts, not as a column of every result (see account_aliases).
            aliases = accounts.select("id", pl.col("aliases").cast(pl.String)).drop_nulls()
            accounts = accounts.drop("aliases")
        _intern_column(interner, accounts.get_column("id").to_arrow())  # accounts come first

    source_parts: list[np.ndarray] = []
    target_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray | None] = []  # None: every record weighs follow_weight
    count_parts: list[np.ndarray] = []  # interaction records, by their weight column
    time_parts: list[np.ndarray] = []
    origins = _RecordOrigins()
    follow_weight = weighting.type_weights.get("follow", 1.0)
    total_rows = None if dataset.streamed else dataset.estimated_records()
    interned = 0  # ids of follow and interaction rows interned: two a row

    def count(ids: int) -> None:
        nonlocal interned
        interned += ids
        if on_progress is not None:
            on_progress(interned // 2, total_rows, "interning ids")

    with np.errstate(over="ignore", invalid="ignore"):  # overflow is found and named below
        for piece, source in dataset.sourced_pieces("follows"):
            follower_codes = _intern_column(
                interner, merge_identities(piece["follower"], person_of), count
            )
            followed_codes = _intern_column(
                interner, merge_identities(piece["followed"], person_of), count
            )
            weight = (
                follow_weight * _fill_ones(piece.column("weight"))
                if "weight" in piece.column_names
                else None
            )
            directions = [(follower_codes, followed_codes)]
            if undirected:
                directions.append((followed_codes, follower_codes))
            for sources, targets in directions:
                origins.add(source, "follows", sources.shape[0])
                source_parts.append(sources)
                target_parts.append(targets)
                weight_parts.append(weight)
        n_follow_records = sum(part.shape[0] for part in source_parts)
        for piece, source in dataset.sourced_pieces("interactions"):
            origins.add(source, "interactions", piece.num_rows)
            source_parts.append(
                _intern_column(interner, merge_identities(piece["source"], person_of), count)
            )
            target_parts.append(
                _intern_column(interner, merge_identities(piece["target"], person_of), count)
            )
            counts = (
                _fill_ones(piece.column("weight"))
                if "weight" in piece.column_names
                else np.ones(piece.num_rows)
            )
            weight_parts.append(
                type_weight_array(piece.column("type"), weighting.type_weights) * counts
            )
            count_parts.append(counts)
            if "timestamp" in piece.column_names:
                time_parts.append(timestamp_micros(piece.column("timestamp")))
            else:
                time_parts.append(np.full(piece.num_rows, np.nan))
    if release_tables:
        dataset.follows = dataset.interactions = None
    if not any(part.shape[0] for part in source_parts):
        files = ", ".join(
            str(dataset.sources[name])
            for name in ("follows", "interactions")
            if name in dataset.sources
        )
        raise InputError("no follow or interaction records: nothing to rank", path=files or None)

    ids = _string_array(*interner.finish())
    n_nodes = len(ids)
    if on_progress is not None:
        on_progress(interned // 2, interned // 2, "building the adjacency arrays")
    source_codes = _joined(source_parts)
    target_codes = _joined(target_parts)
    records = int(source_codes.shape[0])
    # Follows alone, without a weight column, weigh the same: the CSR build then carries no
    # weights or flags (a third of its memory traffic).
    uniform = records == n_follow_records and all(part is None for part in weight_parts)
    edge_weights: np.ndarray | float = follow_weight
    edge_flags: np.ndarray | int = FOLLOW_FLAG
    if not uniform:
        edge_weights = _joined(
            [
                np.full(source.shape[0], follow_weight) if weight is None else weight
                for source, weight in zip(source_parts, weight_parts, strict=True)
            ]
        )
        edge_flags = np.full(records, INTERACTION_FLAG, dtype=np.uint8)
        edge_flags[:n_follow_records] = FOLLOW_FLAG
    del source_parts, target_parts, weight_parts
    received_counts = _joined(count_parts) if count_parts else None
    missing_times = 0
    dropped: np.ndarray | None = None  # interactions left out for want of a time
    if weighting.half_life is not None:
        times = _joined(time_parts) if time_parts else np.empty(0)
        missing = np.isnan(times)
        missing_times = int(np.count_nonzero(missing))
        if missing_times == times.shape[0]:
            raise InputError(
                "--half-life decays interactions by their age, and no interaction has a "
                "timestamp"
                + ("" if times.shape[0] else " (there are no interactions)")
                + "; drop --half-life or give interactions with a timestamp column",
                path=dataset.sources.get("interactions"),
            )
        if missing_times and weighting.missing_time == "error":
            where, row = origins.locate(n_follow_records + int(np.argmax(missing)))
            raise InputError(
                f"no timestamp, and --half-life needs one ({missing_times:,} interactions lack "
                "it); give --missing-time no-decay or drop to decide",
                path=where,
                row=row,
                column="timestamp",
            )
        assert isinstance(edge_weights, np.ndarray)
        decay = decay_factors(times, weighting.half_life, weighting.as_of)
        assert decay is not None
        if missing_times and weighting.missing_time == "drop":
            dropped = np.zeros(records, dtype=bool)
            dropped[n_follow_records:] = missing
        edge_weights[n_follow_records:] *= decay
    if isinstance(edge_weights, np.ndarray):
        _check_finite_records(edge_weights, origins)

    loops = source_codes == target_codes
    self_loops = int(np.count_nonzero(loops))
    if dropped is not None:
        loops |= dropped  # removed with the self-loops, counted apart
    interaction_targets = target_codes[n_follow_records:]
    interaction_kept = ~loops[n_follow_records:]
    interactions_received = np.zeros(n_nodes)
    engagement_received = np.zeros(n_nodes)
    if received_counts is not None and isinstance(edge_weights, np.ndarray):
        interactions_received = np.bincount(
            interaction_targets[interaction_kept],
            weights=received_counts[interaction_kept],
            minlength=n_nodes,
        ).astype(np.float64)
        engagement_received = np.bincount(
            interaction_targets[interaction_kept],
            weights=edge_weights[n_follow_records:][interaction_kept],
            minlength=n_nodes,
        ).astype(np.float64)
    if self_loops or dropped is not None:
        keep = ~loops
        source_codes, target_codes = source_codes[keep], target_codes[keep]
        if isinstance(edge_weights, np.ndarray) and isinstance(edge_flags, np.ndarray):
            edge_weights, edge_flags = edge_weights[keep], edge_flags[keep]
    del loops

    # Number nodes by out-degree (descending, ties by first appearance): the accounts that
    # pass attention on most are read most by PageRank, and now share a few cache lines.
    order = descending_order(np.bincount(source_codes, minlength=n_nodes))
    new_number = np.empty(n_nodes, dtype=np.int32)
    new_number[order] = np.arange(n_nodes, dtype=np.int32)
    ids = ids.take(integer_array(order))
    interactions_received = interactions_received[order]
    engagement_received = engagement_received[order]

    with np.errstate(over="ignore", invalid="ignore"):
        in_indptr, in_sources, in_weights, in_flags = csr_by_row(
            target_codes, source_codes, edge_weights, edge_flags, n_nodes, n_nodes,
            relabel=new_number,
        )  # fmt: skip
    squares = None
    if square_weights:
        if isinstance(edge_weights, np.ndarray):
            with np.errstate(over="ignore", under="ignore"):  # the resampling handles those
                squares = csr_by_row(
                    target_codes, source_codes, edge_weights * edge_weights, edge_flags,
                    n_nodes, n_nodes, relabel=new_number,
                )[2]  # fmt: skip
        else:  # every record weighs follow_weight: the squares sum to weight x follow_weight
            squares = in_weights * follow_weight
    del source_codes, target_codes
    out_weight: np.ndarray
    followers: np.ndarray
    # Merged duplicates weigh their multiplicity: out-weights sum the merged weights, not the
    # distinct edges, or a repeated row passes on more than a node's whole score.
    out_weight = source_sums(in_sources, in_weights, n_nodes)
    followers = np.diff(in_indptr) if uniform else count_flagged(in_indptr, in_flags, FOLLOW_FLAG)
    check_finite_sums(
        in_indptr, in_sources, in_weights, out_weight, engagement_received, ids, dataset
    )
    graph = SocialGraph(
        ids=ids,
        in_indptr=in_indptr,
        in_sources=in_sources,
        in_weights=in_weights,
        in_flags=in_flags,
        out_weight=out_weight,
        followers=followers,
        interactions_received=interactions_received,
        engagement_received=engagement_received,
        accounts=accounts,
        self_loops=self_loops,
        records=records,
        missing_times=missing_times,
    )
    if squares is not None:
        graph._cache[SQUARE_WEIGHTS_KEY] = squares
    if aliases is not None:
        graph._cache[ALIASES_KEY] = aliases
    if person_of is not None:
        graph._cache[IDENTITIES_KEY] = person_of
    if on_progress is not None:
        on_progress(interned // 2, interned // 2, f"{n_nodes:,} accounts, {graph.n_edges:,} edges")
    return graph


def account_aliases(graph: SocialGraph) -> pl.DataFrame | None:
    """``id, aliases``: the ids each node was known by before identity resolution
    (``;``-separated), from the accounts' ``aliases`` column or the identity merge; None when
    no account has any. CRM exports keep an account's key with them."""
    frames = []
    if graph.accounts is not None and "aliases" in graph.accounts.columns:
        frames.append(graph.accounts.select(pl.col("id"), pl.col("aliases").cast(pl.String)))
    merged = graph._cache.get(ALIASES_KEY)
    if isinstance(merged, pl.DataFrame):
        frames.append(merged)
    if not frames:
        return None
    return pl.concat(frames).drop_nulls().unique(subset="id", keep="first", maintain_order=True)


class _RecordOrigins:
    """Where each record of the concatenated follows and interactions came from: the
    piece's file and first row, so that a problem found after the concatenation names them."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._pieces: list[tuple[TableSource | None, str]] = []
        self._total = 0

    def add(self, source: TableSource | None, table: str, records: int) -> None:
        self._starts.append(self._total)
        self._pieces.append((source, table))
        self._total += records

    def locate(self, record: int) -> tuple[str, int]:
        """The file (or in-memory table) and row of the ``record``-th record."""
        index = bisect.bisect_right(self._starts, record) - 1
        source, table = self._pieces[index]
        offset = record - self._starts[index]
        if source is None:
            return f"the {table} table", offset + 1
        return str(source.path), source.row(offset)


def _check_finite_records(weights: np.ndarray, origins: _RecordOrigins) -> None:
    """Every record's weight (record weight x type weight x decay) must be a finite number."""
    finite = np.isfinite(weights)
    if not finite.all():
        path, row = origins.locate(int(np.argmin(finite)))
        raise InputError(
            "the record's weight times its type weight is beyond floating point (over "
            "1.8e308); scale the weights down",
            path=path,
            row=row,
            column="weight",
        )


def check_finite_sums(
    in_indptr: np.ndarray,
    in_sources: np.ndarray,
    in_weights: np.ndarray,
    out_weight: np.ndarray,
    engagement_received: np.ndarray,
    ids: pa.Array,
    dataset: Dataset,
) -> None:
    """The sums over an edge's records and over an account's edges must stay finite."""
    files = ", ".join(
        str(dataset.sources[name])
        for name in ("follows", "interactions")
        if name in dataset.sources
    )
    where = f"{files}: " if files else ""
    # A weight shared by every edge is checked once.
    edge_weights = in_weights[:1] if in_weights.strides[0] == 0 else in_weights
    for values, what in (
        (edge_weights, "the weights of the records from {0} to {1} add up"),
        (out_weight, "the weights of the edges from {0} add up"),
        (engagement_received, "the interactions received by {0} add up"),
    ):
        finite = np.isfinite(values)
        if finite.all():
            continue
        index = int(np.argmin(finite))
        if values is edge_weights:
            target = int(np.searchsorted(in_indptr, index, side="right") - 1)
            names = (quoted(str(ids[int(in_sources[index])])), quoted(str(ids[target])))
        else:
            names = (quoted(str(ids[index])), "")
        raise InputError(
            f"{where}{what.format(*names)} to more than floating point holds (1.8e308); "
            "scale the weights down"
        )
    # Communities and modularity sum every edge twice (the graph made undirected).
    with np.errstate(over="ignore"):
        shared = edge_weights is not in_weights and in_weights.shape[0] > 0
        total = 2.0 * (
            float(in_weights[0]) * in_weights.shape[0] if shared else float(np.sum(in_weights))
        )
    if not np.isfinite(total):
        raise InputError(
            f"{where}the weights of all edges add up to more than floating point holds (twice "
            "that sum must stay below 1.8e308 for communities); scale the weights down"
        )


def intern_ids(columns: list[pa.ChunkedArray]) -> tuple[pa.Array, list[np.ndarray]]:
    """Number the account ids of some columns in order of first appearance.

    This is how :func:`build_graph` turns ids into node numbers before it renumbers them by
    out-degree.

    Returns
    -------
    ids, codes
        The distinct ids in number order, and the int32 number of each id of each column.

    Examples
    --------
    >>> ids, codes = intern_ids([pa.chunked_array([["b", "a"]]), pa.chunked_array([["a", "c"]])])
    >>> ids.to_pylist(), [column.tolist() for column in codes]
    (['b', 'a', 'c'], [[0, 1], [1, 2]])
    """
    interner = StringInterner(expected_unique=max(1 << 16, sum(map(len, columns)) // 16))
    codes = [_intern_column(interner, column) for column in columns]
    return _string_array(*interner.finish()), codes


def _fill_ones(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(column, 1.0).to_numpy(), dtype=np.float64)


def identity_map(identities: pa.Table | None) -> pa.Table | None:
    """The ``account -> person`` table for :func:`merge_identities`, one row per account.

    Raises
    ------
    InputError
        When an account is mapped to more than one person.
    """
    if identities is None or identities.num_rows == 0:
        return None
    frame = pl.from_arrow(identities.select(["account", "person"]))
    assert isinstance(frame, pl.DataFrame)
    conflicts = frame.unique().filter(pl.col("account").is_duplicated())
    if conflicts.height:
        account = conflicts.sort("account").get_column("account")[0]
        raise InputError(
            f"account {account!r} is mapped to more than one person in the identities table"
        )
    return frame.unique(subset="account", keep="first", maintain_order=True).to_arrow()


def merge_identities(ids: pa.ChunkedArray, person_of: pa.Table | None) -> pa.ChunkedArray:
    """Replace each account id by the person it belongs to, where the identities say so."""
    if person_of is None:
        return ids
    positions = pc.index_in(ids, value_set=person_of.column("account"))
    persons = pc.take(person_of.column("person"), positions)
    return pc.coalesce(persons, ids)


def _merge_accounts(accounts: pa.Table, person_of: pa.Table | None) -> pl.DataFrame:
    frame = pl.from_arrow(accounts)
    assert isinstance(frame, pl.DataFrame)
    if person_of is None:
        return frame
    merged_ids = merge_identities(accounts.column("id"), person_of)
    # The key each merged account had (its smallest alias, else its id): exports keep one.
    known = pl.concat_list(
        pl.coalesce(
            pl.col("aliases").cast(pl.String).str.split(";").list.min()
            if "aliases" in frame.columns
            else pl.lit(None, dtype=pl.String),
            pl.col("id").cast(pl.String),
        )
    ).alias("__known")
    columns = [*frame.columns, *([] if "aliases" in frame.columns else ["aliases"])]
    frame = frame.with_columns(known).with_columns(pl.Series("id", merged_ids))
    if "organization" in accounts.column_names:
        # A person's organization names the brand's account; merged, it names the brand's node.
        organizations = merge_identities(accounts.column("organization"), person_of)
        frame = frame.with_columns(pl.Series("organization", organizations))
    aggregations = [pl.all().exclude("id", "__known").first()]
    if "followers_count" in frame.columns:
        aggregations = [
            pl.all().exclude("id", "followers_count", "__known").first(),
            pl.col("followers_count").sum(),
        ]
    aggregations.append(
        pl.col("__known").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()
    )
    merged = frame.group_by("id", maintain_order=True).agg(aggregations)
    aliases = pl.col("__known").list.eval(pl.element().filter(pl.element() != "")).list.sort()
    unchanged = (aliases.list.len() == 0) | (
        (aliases.list.len() == 1) & (aliases.list.first() == pl.col("id"))
    )
    return merged.with_columns(
        pl.when(unchanged).then(None).otherwise(aliases.list.join(";")).alias("aliases")
    ).select(columns)


def _intern_column(
    interner: StringInterner,
    array: pa.ChunkedArray | pa.Array,
    on_chunk: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Ids of a column of account ids, read straight from its Arrow buffers, chunk by chunk
    (``on_chunk`` hears the length of each chunk interned)."""
    if isinstance(array, pa.Array):
        array = pa.chunked_array([array])
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.large_string())
    parts = [np.empty(0, dtype=np.int32)]
    for chunk in array.chunks:
        positions, raw = string_buffers(chunk)
        try:
            parts.append(interner.add(positions, raw))
        except OverflowError as error:
            raise InputError(f"too many distinct accounts: {error}") from None
        if on_chunk is not None:
            on_chunk(len(chunk))
    return _joined(parts[1:]) if len(parts) > 1 else parts[0]


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate, without a copy when there is one part."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _string_array(offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    ids = pa.LargeStringArray.from_buffers(
        offsets.shape[0] - 1, pa.py_buffer(offsets), pa.py_buffer(data)
    )
    return ids.cast(pa.string()) if data.shape[0] < 2**31 else ids
