"""The Spark session the engine runs in, and how its tables are materialised."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from pyspark import StorageLevel
from pyspark.errors import PySparkException
from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from graphkit.errors import (
    ParameterError,
)

DEFAULT_MASTER: Final = "local[*]"


_LOG_CONFIG: Final = Path(__file__).with_name("spark-log4j2.properties")


# Per-node tables (id and score: about 16 bytes a node) up to this many nodes are broadcast.
_BROADCAST_NODES: Final = 2_000_000


def spark_session(
    *,
    master: str | None = None,
    remote: str | None = None,
    checkpoint_dir: str | None = None,
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """Start (or join) the Spark session the engine runs in.

    Parameters
    ----------
    master
        Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://...``).
        Default: the one ``spark-submit`` set, else ``local[*]``.
    remote
        Spark Connect URL (``sc://host:15002``) instead of a master: the client then holds no
        JVM and all work runs on the server.
    checkpoint_dir
        Where iterations are checkpointed reliably (a folder on storage all executors
        reach); default: each iteration is kept with ``localCheckpoint`` on the executors.
    conf
        Further Spark settings (``spark.driver.memory`` and the like).

    Returns
    -------
    pyspark.sql.SparkSession
        A session whose SQL time zone is UTC (times without an offset are UTC, as in the
        local engine).

    Raises
    ------
    ParameterError
        When both ``master`` and ``remote`` are given.
    """
    if master is not None and remote is not None:
        raise ParameterError("give --spark-master or --spark-remote, not both")
    settings: dict[str, str] = {"spark.app.name": "graphkit"}
    if remote is not None:
        builder = SparkSession.builder.remote(remote)
    else:
        builder = SparkSession.builder
        submitted = "PYSPARK_GATEWAY_PORT" in os.environ or "SPARK_REMOTE" in os.environ
        if master is not None or not submitted:
            chosen = master or DEFAULT_MASTER
            builder = builder.master(chosen)
            if chosen.startswith("local") and SparkSession.getActiveSession() is None:
                settings.update(_local_settings(chosen))
    if checkpoint_dir is not None:
        settings["spark.checkpoint.dir"] = checkpoint_dir
        settings["spark.cleaner.referenceTracking.cleanCheckpoints"] = "true"
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


def _local_settings(master: str) -> dict[str, str]:
    """Settings for a JVM started here: quiet, no web UI, few shuffle partitions."""
    match = re.match(r"local\[(\d+)", master)
    cores = int(match.group(1)) if match else os.cpu_count() or 1
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        # Spark's default driver heap (1 GiB) thrashes on a few million edges.
        "spark.driver.memory": f"{max(1, min(32, int(memory_gib // 4)))}g",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(max(2, 2 * cores)),
        "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile=file:{_LOG_CONFIG}",
    }


def _observed(observation: Observation) -> Mapping[str, float] | None:
    """The metrics of an observation if Spark delivered them, else None."""
    try:
        values = observation.get
    except PySparkException:
        return None
    return values if values else None


def _partitions(session: SparkSession) -> int:
    return int(session.conf.get("spark.sql.shuffle.partitions", "200") or 200)


def _by_node(frame: DataFrame, n_nodes: int) -> DataFrame:
    """A per-node table to join to edges: broadcast to every executor while it is small."""
    return F.broadcast(frame) if n_nodes <= _BROADCAST_NODES else frame


def _cached(frame: DataFrame) -> DataFrame:
    """Materialise a table read many times in Spark's columnar cache (release it with
    ``unpersist``); unlike a checkpoint it keeps its lineage, so lost blocks are recomputed."""
    cached = frame.persist()
    cached.count()
    return cached


def _checkpoint(frame: DataFrame) -> DataFrame:
    """Materialise ``frame`` and cut its lineage (reliably when a checkpoint dir is set)."""
    if frame.sparkSession.conf.get("spark.checkpoint.dir", None):
        return frame.checkpoint(eager=True)
    # Serialized blocks: rows as bytes take a fraction of the heap of row objects.
    return frame.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def numbered(frame: DataFrame, order: Sequence[str | Column], name: str) -> DataFrame:
    """``frame`` with a column ``name`` numbering its rows 0, 1, ... in ``order``, checkpointed.

    Distributed: rows are sorted and numbered within each partition, and each partition's
    offset is the count of the partitions before it, so no step gathers the rows in one
    place. The numbers depend only on the data and ``order`` (break ties with a unique
    column), not on how Spark partitions it.
    """
    ordered = _checkpoint(
        frame.orderBy(*order)
        .withColumn("_part", F.spark_partition_id())
        .withColumn("_position", F.monotonically_increasing_id())
    )
    counts = sorted(
        (int(row["_part"]), int(row["count"]), int(row["first"]))
        for row in ordered.groupBy("_part")
        .agg(F.count("*").alias("count"), F.min("_position").alias("first"))
        .collect()
    )
    offsets: list[Column] = []
    start = 0
    for part, count, first in counts:
        offsets += [F.lit(part), F.lit(start - first)]
        start += count
    shift = F.element_at(F.create_map(*offsets), F.col("_part")) if offsets else F.lit(0)
    return _checkpoint(
        ordered.withColumn(name, F.col("_position") + shift).drop("_part", "_position")
    )
