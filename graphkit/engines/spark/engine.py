"""The Spark engine behind the engine contract (:class:`graphkit.engines.contract.Engine`)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import polars as pl
from pyspark.sql import DataFrame, SparkSession

from graphkit.algorithms.pagerank import DEFAULT_DAMPING, DEFAULT_MAX_ITER, DEFAULT_TOLERANCE
from graphkit.engines.contract import DEFAULT_LEADERS, Engine, Location
from graphkit.engines.spark.audience import select_audience
from graphkit.engines.spark.communities import SparkCommunities, label_propagation
from graphkit.engines.spark.graph import SparkGraph, build_graph
from graphkit.engines.spark.output import to_polars, write_table
from graphkit.engines.spark.pagerank import SparkPageRank, pagerank
from graphkit.engines.spark.readers import SparkTables, read_tables
from graphkit.engines.spark.session import spark_session
from graphkit.engines.spark.status import stage_status
from graphkit.engines.spark.tables import community_table, rank_table
from graphkit.graph.weights import Weighting
from graphkit.io.rules import check_pagerank_parameters


class SparkEngine:
    """The steps of the engine contract on Spark DataFrames, in one session.

    Parameters
    ----------
    session
        The Spark session (see :func:`spark_session`).
    """

    def __init__(self, session: SparkSession) -> None:
        self.session = session

    @classmethod
    def start(
        cls,
        *,
        master: str | None = None,
        remote: str | None = None,
        checkpoint_dir: str | None = None,
        conf: Mapping[str, str] | None = None,
    ) -> SparkEngine:
        """Start (or join) a session, as :func:`spark_session`, and run in it."""
        return cls(
            spark_session(master=master, remote=remote, checkpoint_dir=checkpoint_dir, conf=conf)
        )

    @property
    def name(self) -> str:
        return "spark"

    def stage_status(self) -> tuple[int, int, str] | None:
        """Tasks done and in all of the Spark stages running now (see
        :func:`graphkit.engines.spark.status.stage_status`), for
        :meth:`graphkit.progress.Progress.watch`."""
        return stage_status(self.session)

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
    ) -> SparkTables:
        def text(location: Location | None) -> str | None:
            return None if location is None else os.fspath(location)

        return read_tables(
            self.session,
            text(folder),
            accounts=text(accounts),
            follows=text(follows),
            interactions=text(interactions),
            identities=text(identities),
            interaction_type=interaction_type,
            known_types=known_types,
        )

    def build_graph(self, tables: SparkTables, weighting: Weighting | None = None) -> SparkGraph:
        return build_graph(tables, weighting)

    def pagerank(
        self,
        graph: SparkGraph,
        *,
        damping: float = DEFAULT_DAMPING,
        tolerance: float = DEFAULT_TOLERANCE,
        max_iter: int = DEFAULT_MAX_ITER,
        audience: Sequence[str] = (),
    ) -> SparkPageRank:
        check_pagerank_parameters(damping, tolerance, max_iter)
        personalization = select_audience(graph, tuple(audience)) if audience else None
        return pagerank(
            graph,
            damping=damping,
            tolerance=tolerance,
            max_iter=max_iter,
            personalization=personalization,
        )

    def rank_table(
        self,
        graph: SparkGraph,
        scores: SparkPageRank,
        *,
        kind: str | None = None,
        top: int | None = None,
        communities: SparkCommunities | None = None,
    ) -> DataFrame:
        return rank_table(graph, scores, kind=kind, top=top, communities=communities)

    def communities(
        self, graph: SparkGraph, *, seed: int = 0, resolution: float = 1.0
    ) -> SparkCommunities:
        return label_propagation(graph, seed=seed, resolution=resolution)

    def community_table(
        self,
        graph: SparkGraph,
        partition: SparkCommunities,
        scores: SparkPageRank,
        *,
        leaders: int = DEFAULT_LEADERS,
    ) -> DataFrame:
        return community_table(graph, partition, scores, leaders=leaders)

    def to_polars(self, frame: DataFrame) -> pl.DataFrame:
        return to_polars(frame)

    def write(self, frame: DataFrame, location: str, *, file_format: str = "parquet") -> None:
        """Write a result as part files at ``location`` (see :func:`write_table`)."""
        write_table(frame, location, file_format=file_format)

    def as_engine(
        self,
    ) -> Engine[SparkTables, SparkGraph, SparkPageRank, SparkCommunities, DataFrame]:
        """This engine, typed as the contract (mypy checks that it keeps it)."""
        return self
