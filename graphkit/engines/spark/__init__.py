"""The Spark engine: ``graphkit rank`` and ``graphkit communities`` on Spark DataFrames.

For graphs that outgrow one machine. It reads the same tables as :mod:`graphkit.io` (CSV,
CSV.gz, header-less edge lists, Parquet, NDJSON; a file or a folder of part files) at any
location Spark can read (``s3a://``, ``gs://``, ``abfss://``, ``hdfs://``, local paths), with
the rules and messages of :mod:`graphkit.io.rules`, and computes what the local engine
computes:

- the influence graph with the weighting of :mod:`graphkit.graph.weights`: per-type weights,
  the record's ``weight`` column, half-life decay of interactions back from ``as_of`` (default:
  the newest interaction), identity merge, self-loops dropped and counted, duplicates summed;
- weighted, optionally personalized PageRank by the very iteration of
  :mod:`graphkit.kernels.pagerank` (start uniform; dangling score and teleport spread by the
  personalization vector; stop when the L1 change is below the tolerance), so scores agree with
  the local engine to rounding and take the same number of iterations;
- distinct followers, interactions received and engagement per follower;
- communities by a synchronous, seeded label propagation for modularity (see
  :func:`label_propagation` for how and why it differs from the local kernel).

Only the DataFrame API is used (no RDDs, no JVM calls), so everything runs unchanged over
Spark Connect (``--spark-remote sc://host:15002``). Each iteration is checkpointed, with
``localCheckpoint`` or, when the session has ``spark.checkpoint.dir`` set, a reliable
``checkpoint``, so query plans stay one iteration long. GraphFrames is not used: it has no
weighted PageRank and its label propagation ignores weights, so it could compute neither.

The modules, by concern: ``session`` (the session, checkpoints), ``locations`` (paths, URIs,
formats), ``readers`` and ``validation`` (tables), ``graph``, ``pagerank``, ``audience``,
``communities``, ``tables`` (result tables), ``output``, and ``engine`` (:class:`SparkEngine`,
the engine contract of :mod:`graphkit.engines.contract`).
"""

from graphkit.engines.contract import SPARK_INSTALL_HINT as INSTALL_HINT
from graphkit.errors import EngineUnavailableError

try:
    import pyspark  # noqa: F401 (the engine's optional dependency)
except ImportError:
    raise EngineUnavailableError(INSTALL_HINT) from None

from graphkit.engines.spark.audience import select_audience
from graphkit.engines.spark.communities import (
    DEFAULT_LABEL_PROPAGATION_ITERATIONS,
    SparkCommunities,
    label_propagation,
    undirected_projection,
)
from graphkit.engines.spark.engine import SparkEngine
from graphkit.engines.spark.graph import SparkGraph, build_graph, identity_map
from graphkit.engines.spark.locations import find_tables, is_uri
from graphkit.engines.spark.output import to_polars, write_table
from graphkit.engines.spark.pagerank import SparkPageRank, pagerank
from graphkit.engines.spark.readers import SparkTables, read_table, read_tables
from graphkit.engines.spark.session import DEFAULT_MASTER, _checkpoint, numbered, spark_session
from graphkit.engines.spark.tables import community_table, rank_table

__all__ = [
    "DEFAULT_LABEL_PROPAGATION_ITERATIONS",
    "DEFAULT_MASTER",
    "INSTALL_HINT",
    "SparkCommunities",
    "SparkEngine",
    "SparkGraph",
    "SparkPageRank",
    "SparkTables",
    "_checkpoint",
    "build_graph",
    "community_table",
    "find_tables",
    "identity_map",
    "is_uri",
    "label_propagation",
    "numbered",
    "pagerank",
    "rank_table",
    "read_table",
    "read_tables",
    "select_audience",
    "spark_session",
    "to_polars",
    "undirected_projection",
    "write_table",
]
