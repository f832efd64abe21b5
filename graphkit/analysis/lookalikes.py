"""Lookalikes: accounts whose audiences resemble the audience of given seed accounts.

An account's audience is the set of its distinct followers (with ``edges="attention"``, of the
accounts paying it any attention: following, reposting, replying, ...), by edges of positive
weight: an edge of weight 0 passes no PageRank and makes nobody a follower here. The seed audience
``F`` is the union of the seeds' audiences. For every other account ``v``:

- ``shared_followers`` = ``|followers(v) & F|``
- ``similarity`` = Jaccard ``|followers(v) & F| / |followers(v) | F|``
- ``overlap`` = overlap coefficient ``|followers(v) & F| / min(|followers(v)|, |F|)``

The exact method counts ``shared_followers`` for every account in one pass over the edges.
The MinHash method estimates the similarity of every candidate from ``k``-hash signatures
(standard error ``sqrt(J (1 - J) / k)``, stated at ``J = (agreeing hashes + 1/2) / (k + 1)``:
evaluated at the estimate itself it would claim no error for estimates of 0 and 1), then
re-scores the best-estimated candidates
exactly: the rows it returns carry exact values; an account whose estimate fell short of the
re-scored pool is missed, which is the sketch's error. Signatures (``4 k`` bytes per account
with followers) are built on the first query and kept with the graph, so later queries on the
same graph read ``k`` bytes per account instead of every edge. On one machine the exact pass
is cheaper than building signatures (a query reads each edge once, the signatures ``k``
times), so ``auto`` picks MinHash only for graphs beyond :data:`EXACT_BUDGET` edges, where
an exact pass takes seconds and signatures built once pay off over many queries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.analysis.accounts import with_account_text
from graphkit.analysis.audience import attention_flags
from graphkit.checks import check_frame
from graphkit.errors import InputError, MemoryLimitError, ParameterError, quoted
from graphkit.graph.social import FOLLOW_FLAG, INTERACTION_FLAG, SocialGraph
from graphkit.io.preflight import available_memory, gib
from graphkit.kernels.lookalikes import (
    audience_mask,
    minhash_signatures,
    shared_followers,
    signature_agreement,
)

Method = Literal["auto", "exact", "minhash"]
Edges = Literal["follows", "attention"]
METHODS: Final = ("auto", "exact", "minhash")
EDGES: Final = ("follows", "attention")
DEFAULT_TOP: Final = 100
DEFAULT_HASHES: Final = 128
MAX_HASHES: Final = 4096
# The exact method reads every edge once; above this many edge visits `auto` sketches.
EXACT_BUDGET: Final = 500_000_000
# MinHash re-scores exactly this many best-estimated candidates per row asked for (at least
# MIN_RESCORED).
RESCORE_FACTOR: Final = 10
MIN_RESCORED: Final = 1_000
MAX_HASH_SEED: Final = 2**63 - 1
LOOKALIKE_COLUMNS: Final = (
    "rank",
    "id",
    "handle",
    "name",
    "kind",
    "similarity",
    "shared_followers",
    "followers",
    "overlap",
)
ESTIMATE_COLUMNS: Final = ("estimated_similarity", "similarity_error")
_SIGNATURES_KEY: Final = "lookalike_signatures"


@dataclass(frozen=True)
class Lookalikes:
    """Lookalikes of seed accounts and how they were found.

    Attributes
    ----------
    table
        ``rank, id, handle, name, kind, similarity, shared_followers, followers, overlap``
        (with MinHash also ``estimated_similarity, similarity_error``), most similar first
        (then most shared followers, ties by id).
    method
        ``"exact"`` or ``"minhash"`` (what ``"auto"`` chose).
    seed_audience
        Distinct accounts in the seeds' audience (``|F|``).
    candidates
        Accounts compared with the seed audience (MinHash: those with at least
        ``min_followers`` followers; exact: every account).
    hashes
        MinHash signature length ``k`` (0 for exact).
    rescored
        Candidates re-scored exactly after MinHash (0 for exact).
    edge_visits
        Edges read to answer (signatures excluded when reused).
    note
        Why the table is empty, when it is.
    """

    table: pl.DataFrame
    method: str
    seed_audience: int
    candidates: int
    hashes: int = 0
    rescored: int = 0
    edge_visits: int = 0
    note: str = ""

    def facts(self) -> dict[str, object]:
        """The run facts a manifest records."""
        facts: dict[str, object] = {
            "method": self.method,
            "seed_audience": self.seed_audience,
            "candidates": self.candidates,
            "edge_visits": self.edge_visits,
        }
        if self.method == "minhash":
            facts |= {"hashes": self.hashes, "rescored": self.rescored}
        return facts


def seed_nodes(graph: SocialGraph, seeds: Sequence[str]) -> np.ndarray:
    """Node numbers of the seed ids (each once, ascending).

    Raises
    ------
    InputError
        Naming the first id that is not in the graph.
    ParameterError
        When no seed is given.
    """
    if isinstance(seeds, str):
        seeds = [seeds]
    if any(seed is None for seed in seeds):
        raise ParameterError("a seed account id is missing (None)")
    names = [str(seed) for seed in seeds]
    if not names:
        raise ParameterError("give at least one seed account id")
    # One pass over the ids with the few seeds in a hash set: looking the seeds up in a hash
    # set of every id (graph.index_of) costs more than the query itself on large graphs.
    found = pc.is_in(graph.ids, value_set=pa.array(names, pa.string()))
    nodes = np.flatnonzero(found.to_numpy(zero_copy_only=False)).astype(np.int64)
    if nodes.size < len(set(names)):
        known = set(graph.ids_of(nodes).to_list())
        missing = next(name for name in names if name not in known)
        raise InputError(
            f"account {quoted(missing)} is not in the graph{_missing_hint(graph, missing)}"
        )
    return nodes


def _missing_hint(graph: SocialGraph, name: str) -> str:
    """What ``name`` looks like when it is not an id: an account's handle, or several ids
    joined by commas (``""`` when neither)."""
    parts = [part.strip() for part in name.split(",")]
    known = pc.sum(pc.is_in(graph.ids, value_set=pa.array(parts, pa.string()))).as_py() or 0
    if len(parts) > 1 and known == len(set(parts)):
        return f"; give several seeds as separate arguments: {' '.join(map(quoted, parts))}"
    accounts = graph.accounts
    if accounts is None or "handle" not in accounts.columns:
        return ""
    handle = pl.col("handle").cast(pl.String).str.strip_prefix("@").str.to_lowercase()
    wanted = name.removeprefix("@").lower()
    owners = accounts.filter(handle == wanted).get_column("id").cast(pl.String).sort()
    if owners.is_empty():
        return ""
    return f"; it is the handle of account {quoted(owners[0])} (seeds are account ids)"


def find_lookalikes(
    graph: SocialGraph,
    seeds: Sequence[str],
    *,
    top: int = DEFAULT_TOP,
    method: Method = "auto",
    min_shared: int = 1,
    min_followers: int = 1,
    edges: Edges = "follows",
    hashes: int = DEFAULT_HASHES,
    seed: int = 0,
) -> Lookalikes:
    """Accounts whose audiences resemble the seeds' audience (see the module's description).

    Parameters
    ----------
    graph
        The influence graph.
    seeds
        Ids of the seed accounts; they are left out of the result.
    top
        Rows to keep (0: every account sharing at least ``min_shared`` followers).
    method
        ``"exact"``, ``"minhash"`` or ``"auto"`` (exact unless it would read more than
        :data:`EXACT_BUDGET` edges).
    min_shared
        Keep accounts sharing at least this many followers with the seed audience (>= 1).
    min_followers
        Keep accounts with at least this many followers (MinHash signs only these).
    edges
        ``"follows"``: an audience is the followers; ``"attention"``: every account paying
        attention (following or interacting).
    hashes
        MinHash signature length ``k`` (standard error ``sqrt(J (1 - J) / k)``).
    seed
        Seed of the MinHash hash functions.

    Returns
    -------
    Lookalikes

    Raises
    ------
    InputError
        When a seed id is not in the graph.
    ParameterError
        For a parameter out of range.
    """
    _check_parameters(top, method, min_shared, min_followers, edges, hashes, seed)
    seed_ids = seed_nodes(graph, seeds)
    flag_mask = FOLLOW_FLAG if edges == "follows" else FOLLOW_FLAG | INTERACTION_FLAG
    flags = attention_flags(graph)
    member = audience_mask(graph.in_indptr, graph.in_sources, flags, flag_mask, seed_ids)
    query = _Query(graph, flag_mask, seed_ids, member, int(np.count_nonzero(member)),
                   min_shared, min_followers, top)  # fmt: skip
    if method == "auto":
        method = "exact" if graph.n_edges <= EXACT_BUDGET else "minhash"
    if query.audience_size == 0:
        what = "followers" if edges == "follows" else "accounts paying them attention"
        nothing = np.zeros(0, np.int64)
        sketched = method == "minhash"
        table = query.table(nothing, nothing, nothing, np.zeros(0) if sketched else None, hashes)
        note = f"the seed accounts have no {what}: no audience to compare with"
        return Lookalikes(table, method, 0, 0, hashes if sketched else 0, note=note)
    found = _exact(query) if method == "exact" else _minhash(query, hashes=hashes, seed=seed)
    if found.table.is_empty():
        one, many = (
            ("follower", "followers") if edges == "follows"
            else ("account paying attention", "accounts paying attention")
        )  # fmt: skip
        note = f"no account besides the seeds shares {min_shared:,} or more "
        note += f"{many if min_shared > 1 else one} with the seed audience"
        if min_followers > 1:
            note += f" and has {min_followers:,} or more {many}"
        if method == "minhash" and top:
            note += " (among the accounts whose MinHash estimate is above 0)"
        found = dataclasses.replace(found, note=note)
    return found


@dataclass(frozen=True)
class _Query:
    """One lookalike query: the seeds, their audience and the filters."""

    graph: SocialGraph
    flag_mask: int
    seeds: np.ndarray
    member: np.ndarray  # the seed audience, as a mask over accounts
    audience_size: int
    min_shared: int
    min_followers: int
    top: int

    def counts(self, nodes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(shared followers, followers) of every account, or of ``nodes``."""
        graph = self.graph
        return shared_followers(
            graph.in_indptr, graph.in_sources, attention_flags(graph), self.flag_mask, self.member,
            nodes,
        )  # fmt: skip

    def table(
        self,
        nodes: np.ndarray,
        shared: np.ndarray,
        followers: np.ndarray,
        estimates: np.ndarray | None,
        hashes: int,
    ) -> pl.DataFrame:
        """The result table of ``nodes``: filtered, best first, ties by id, cut at ``top``."""
        keep = (shared >= self.min_shared) & (followers >= self.min_followers)
        nodes, shared, followers = nodes[keep], shared[keep], followers[keep]
        estimates = None if estimates is None else estimates[keep]
        similarity: np.ndarray = shared / (followers + self.audience_size - shared)
        if self.top and nodes.size > self.top:
            # Keep the rows as similar as the top-th (all its ties): only these meet the id
            # strings that break ties.
            threshold = np.partition(similarity, nodes.size - self.top)[nodes.size - self.top]
            kept = similarity >= threshold
            nodes, shared, followers = nodes[kept], shared[kept], followers[kept]
            similarity = similarity[kept]
            estimates = None if estimates is None else estimates[kept]
        smaller = np.minimum(followers, self.audience_size)
        overlap = np.divide(shared, smaller, out=np.zeros(nodes.size), where=smaller > 0)
        columns: dict[str, pl.Series] = {
            "id": self.graph.ids_of(nodes),
            "similarity": pl.Series(similarity, dtype=pl.Float64),
            "shared_followers": pl.Series(shared, dtype=pl.Int64),
            "followers": pl.Series(followers, dtype=pl.Int64),
            "overlap": pl.Series(overlap, dtype=pl.Float64),
        }
        if estimates is not None:
            hashes = max(hashes, 1)
            smoothed = (estimates * hashes + 0.5) / (hashes + 1)
            error = np.sqrt(smoothed * (1 - smoothed) / hashes)
            columns["estimated_similarity"] = pl.Series(estimates, dtype=pl.Float64)
            columns["similarity_error"] = pl.Series(error, dtype=pl.Float64)
        table = pl.DataFrame(columns).sort(
            ["similarity", "shared_followers", "id"], descending=[True, True, False]
        )
        if self.top:
            table = table.head(min(self.top, table.height))  # polars refuses a top past int64
        accounts = self.graph.accounts
        table = _with_kind(with_account_text(table, accounts), accounts)
        table = table.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
        extra = ESTIMATE_COLUMNS if estimates is not None else ()
        return check_frame(table.select(*LOOKALIKE_COLUMNS, *extra))


def _check_parameters(
    top: int, method: str, min_shared: int, min_followers: int, edges: str, hashes: int, seed: int
) -> None:
    if method not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if edges not in EDGES:
        raise ParameterError(f"edges must be one of {', '.join(EDGES)}, got {edges!r}")
    for name, value, least in (
        ("top", top, 0), ("min_shared", min_shared, 1), ("min_followers", min_followers, 1),
        ("hashes", hashes, 1),
    ):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ParameterError(f"{name} must be an integer >= {least}, got {value!r}")
    if hashes > MAX_HASHES:
        raise ParameterError(f"hashes must be at most {MAX_HASHES}, got {hashes!r}")
    if (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer)
        or not 0 <= seed <= MAX_HASH_SEED
    ):  # fmt: skip
        raise ParameterError(f"seed must be an integer from 0 to {MAX_HASH_SEED}, got {seed!r}")


def _exact(query: _Query) -> Lookalikes:
    """Count every account's shared followers in one pass over the edges."""
    graph = query.graph
    shared, followers = query.counts()
    nodes = np.flatnonzero(shared > 0)
    nodes = nodes[~np.isin(nodes, query.seeds)]
    table = query.table(nodes, shared[nodes], followers[nodes], None, 0)
    candidates = graph.n_nodes - query.seeds.size
    return Lookalikes(table, "exact", query.audience_size, candidates, edge_visits=graph.n_edges)


def _minhash(query: _Query, *, hashes: int, seed: int) -> Lookalikes:
    """Estimate every candidate's similarity from signatures; re-score the best exactly."""
    graph = query.graph
    indptr = graph.in_indptr
    nodes, signatures, visits = _signatures(
        graph, query.flag_mask, query.min_followers, hashes, seed
    )
    seed_signature = minhash_signatures(
        indptr, graph.in_sources, attention_flags(graph), query.flag_mask, query.seeds,
        hashes=hashes, seed=seed,
    ).min(axis=0)  # fmt: skip
    estimates = signature_agreement(signatures, seed_signature)
    candidates = ~np.isin(nodes, query.seeds)
    nodes, estimates = nodes[candidates], estimates[candidates]
    order = _best(estimates, max(query.top * RESCORE_FACTOR, MIN_RESCORED) if query.top else 0)
    pooled = nodes[order]
    shared, followers = query.counts(pooled)
    table = query.table(pooled, shared, followers, estimates[order], hashes)
    visits += int(np.sum(indptr[pooled + 1] - indptr[pooled]))
    visits += int(np.sum(indptr[query.seeds + 1] - indptr[query.seeds]))
    return Lookalikes(table, "minhash", query.audience_size, int(nodes.size), hashes=hashes,
                      rescored=int(pooled.size), edge_visits=visits)  # fmt: skip


def _best(estimates: np.ndarray, pool: int) -> np.ndarray:
    """Positions of the ``pool`` best estimates (ties by position: a deterministic pool),
    ascending, less those estimated at 0 (almost surely sharing next to nothing); every
    position when ``pool`` is 0."""
    if pool == 0:
        return np.arange(estimates.size)
    if estimates.size > pool:
        threshold = np.partition(estimates, estimates.size - pool)[estimates.size - pool]
        above = np.flatnonzero(estimates > threshold)
        ties = np.flatnonzero(estimates == threshold)[: pool - above.size]
        chosen = np.union1d(above, ties)
    else:
        chosen = np.arange(estimates.size)
    return chosen[estimates[chosen] > 0]


def _signatures(
    graph: SocialGraph, flag_mask: int, min_followers: int, hashes: int, seed: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """(accounts signed, their signatures, edges read), built once per graph and settings and
    kept with the graph for later queries."""
    key = f"{_SIGNATURES_KEY}:{flag_mask}:{min_followers}:{hashes}:{seed}"
    cached = graph._cache.get(key)
    if isinstance(cached, tuple):
        return cached[0], cached[1], 0
    indptr, sources, flags = graph.in_indptr, graph.in_sources, attention_flags(graph)
    nobody = np.zeros(graph.n_nodes, np.bool_)
    _, followers = shared_followers(indptr, sources, flags, flag_mask, nobody)
    nodes = np.flatnonzero(followers >= min_followers).astype(np.int64)
    needed, available = nodes.size * hashes * 4, available_memory()
    if available is not None and needed > available:
        raise MemoryLimitError(
            f"not enough memory for MinHash: {nodes.size:,} accounts x {hashes} hashes need "
            f"{gib(needed)} and {gib(available)} is available; use fewer hashes, a higher "
            "minimum of followers, or the exact method"
        )
    signatures = minhash_signatures(
        indptr, sources, flags, flag_mask, nodes, hashes=hashes, seed=seed
    )
    graph._cache[key] = (nodes, signatures)
    return nodes, signatures, graph.n_edges + int(followers[nodes].sum())


def _with_kind(table: pl.DataFrame, accounts: pl.DataFrame | None) -> pl.DataFrame:
    if accounts is None or "kind" not in accounts.columns:
        return table.with_columns(pl.lit(None, dtype=pl.String).alias("kind"))
    kinds = accounts.select(pl.col("id").cast(pl.String), pl.col("kind").cast(pl.String))
    return table.join(kinds, on="id", how="left", maintain_order="left")
