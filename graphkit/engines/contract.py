"""The engine contract: what every engine does, in the same steps, with the same rules.

An engine reads tables, builds the influence graph, runs PageRank, and makes the influencer
and community tables of :mod:`graphkit.analysis`, which :meth:`Engine.to_polars` brings back
as polars frames. :class:`LocalEngine` runs them in this process (Arrow, numpy, numba);
:class:`graphkit.engines.spark.SparkEngine` on Spark DataFrames. Both validate inputs and
settings with :mod:`graphkit.io.rules`, so the same bad input gives the same error line, and
the contract suite (``tests/engines/test_contract.py``) runs the same cases on both.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Final, Protocol, TypeVar

import numpy as np
import polars as pl

from graphkit.algorithms.communities import CommunityResult
from graphkit.algorithms.communities import communities as find_communities
from graphkit.algorithms.pagerank import (
    DEFAULT_DAMPING,
    DEFAULT_MAX_ITER,
    DEFAULT_TOLERANCE,
    PageRankResult,
    pagerank_run,
)
from graphkit.analysis import community_table, rank_influencers, select_audience
from graphkit.graph import SocialGraph, Weighting, build_graph
from graphkit.io import Dataset, load_dataset
from graphkit.io.rules import check_pagerank_parameters

Location = str | os.PathLike[str]
"""Where a table is: a path, or a URI (``s3a://...``) for engines that read them."""

SPARK_INSTALL_HINT: Final = "--engine spark needs pyspark: pip install 'graphkit[spark]'"
DEFAULT_LEADERS: Final = 3

TablesT = TypeVar("TablesT")
GraphT = TypeVar("GraphT")
ScoresT = TypeVar("ScoresT")
PartitionT = TypeVar("PartitionT")
FrameT = TypeVar("FrameT")


class Engine(Protocol[TablesT, GraphT, ScoresT, PartitionT, FrameT]):
    """What an engine does: read -> build graph -> PageRank -> rank table / communities
    table -> polars.

    The type parameters are the engine's own representations: its tables, graph, PageRank
    result, partition and result frame (Arrow and numpy locally, DataFrames on Spark).
    """

    @property
    def name(self) -> str:
        """``local`` or ``spark``, as ``--engine`` names it."""
        ...

    def read(
        self,
        folder: Location | None = None,
        *,
        accounts: Location | None = None,
        follows: Location | None = None,
        interactions: Location | None = None,
        identities: Location | None = None,
        interaction_type: str | None = None,
        known_types: tuple[str, ...] | None = None,
    ) -> TablesT:
        """Read and validate a dataset folder and/or named tables (InputError when bad)."""
        ...

    def build_graph(self, tables: TablesT, weighting: Weighting | None = None) -> GraphT:
        """The influence graph of the tables, weighted by ``weighting``."""
        ...

    def pagerank(
        self,
        graph: GraphT,
        *,
        damping: float = DEFAULT_DAMPING,
        tolerance: float = DEFAULT_TOLERANCE,
        max_iter: int = DEFAULT_MAX_ITER,
        audience: Sequence[str] = (),
    ) -> ScoresT:
        """PageRank, personalized on the accounts the ``audience`` selectors pick."""
        ...

    def rank_table(
        self,
        graph: GraphT,
        scores: ScoresT,
        *,
        kind: str | None = None,
        top: int | None = None,
        communities: PartitionT | None = None,
    ) -> FrameT:
        """The influencer table (:data:`graphkit.analysis.RANK_COLUMNS` first)."""
        ...

    def communities(self, graph: GraphT, *, seed: int = 0, resolution: float = 1.0) -> PartitionT:
        """A partition of the accounts into communities."""
        ...

    def community_table(
        self,
        graph: GraphT,
        partition: PartitionT,
        scores: ScoresT,
        *,
        leaders: int = DEFAULT_LEADERS,
    ) -> FrameT:
        """One row per account with its community (:data:`graphkit.analysis.COMMUNITY_COLUMNS`)."""
        ...

    def to_polars(self, frame: FrameT) -> pl.DataFrame:
        """A result frame as a polars DataFrame."""
        ...


@dataclass(frozen=True)
class LocalScores:
    """PageRank of a local graph: its settings, with the scores computed on first use.

    :func:`graphkit.analysis.rank_influencers` runs PageRank itself, so a ranking made from
    these settings runs it once; :attr:`result` runs it for the community table.
    """

    graph: SocialGraph
    damping: float
    tolerance: float
    max_iter: int
    audience: np.ndarray | None

    @cached_property
    def result(self) -> PageRankResult:
        """The scores, iterations and final change."""
        personalization = None if self.audience is None else self.audience.astype(np.float64)
        return pagerank_run(
            self.graph,
            damping=self.damping,
            tolerance=self.tolerance,
            max_iter=self.max_iter,
            personalization=personalization,
        )


class LocalEngine:
    """The engine of this process: :mod:`graphkit.io`, :mod:`graphkit.graph`,
    :mod:`graphkit.algorithms` and :mod:`graphkit.analysis`.

    Communities are found by label propagation, the method both engines have.

    Examples
    --------
    >>> import pyarrow as pa
    >>> engine = LocalEngine()
    >>> tables = Dataset(follows=pa.table({"follower": ["a", "b"], "followed": ["b", "c"]}))
    >>> graph = engine.build_graph(tables)
    >>> table = engine.rank_table(graph, engine.pagerank(graph))
    >>> engine.to_polars(table)["id"].to_list()
    ['c', 'b', 'a']
    """

    @property
    def name(self) -> str:
        return "local"

    def read(
        self,
        folder: Location | None = None,
        *,
        accounts: Location | None = None,
        follows: Location | None = None,
        interactions: Location | None = None,
        identities: Location | None = None,
        interaction_type: str | None = None,
        known_types: tuple[str, ...] | None = None,
    ) -> Dataset:
        return load_dataset(
            _path(folder),
            accounts=_path(accounts),
            follows=_path(follows),
            interactions=_path(interactions),
            identities=_path(identities),
            interaction_type=interaction_type,
            known_types=known_types,
        )

    def build_graph(self, tables: Dataset, weighting: Weighting | None = None) -> SocialGraph:
        return build_graph(tables, weighting)

    def pagerank(
        self,
        graph: SocialGraph,
        *,
        damping: float = DEFAULT_DAMPING,
        tolerance: float = DEFAULT_TOLERANCE,
        max_iter: int = DEFAULT_MAX_ITER,
        audience: Sequence[str] = (),
    ) -> LocalScores:
        check_pagerank_parameters(damping, tolerance, max_iter)
        mask = select_audience(graph, tuple(audience)) if audience else None
        return LocalScores(graph, damping, tolerance, max_iter, mask)

    def rank_table(
        self,
        graph: SocialGraph,
        scores: LocalScores,
        *,
        kind: str | None = None,
        top: int | None = None,
        communities: CommunityResult | None = None,
    ) -> pl.DataFrame:
        return rank_influencers(
            graph,
            damping=scores.damping,
            tolerance=scores.tolerance,
            max_iter=scores.max_iter,
            audience=scores.audience,
            kind=kind,
            top=top,
            communities=communities,
        )

    def communities(
        self, graph: SocialGraph, *, seed: int = 0, resolution: float = 1.0
    ) -> CommunityResult:
        return find_communities(graph, method="label_propagation", seed=seed, resolution=resolution)

    def community_table(
        self,
        graph: SocialGraph,
        partition: CommunityResult,
        scores: LocalScores,
        *,
        leaders: int = DEFAULT_LEADERS,
    ) -> pl.DataFrame:
        return community_table(graph, partition, scores.result.scores, leaders=leaders)

    def to_polars(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame


def _path(location: Location | None) -> Path | None:
    return None if location is None else Path(os.fspath(location))


def local_engine() -> Engine[Dataset, SocialGraph, LocalScores, CommunityResult, pl.DataFrame]:
    """The local engine, typed as the contract (mypy checks that it keeps it)."""
    return LocalEngine()
