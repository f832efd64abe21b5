"""Results out of Spark: collected as polars, or written as part files."""

from __future__ import annotations

import polars as pl
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame

from graphkit.engines.spark.session import _first_line
from graphkit.errors import (
    InputError,
    ParameterError,
)


def to_polars(frame: DataFrame) -> pl.DataFrame:
    """Collect a (small) DataFrame to the driver as a polars DataFrame, via Arrow."""
    arrow = frame.toArrow()
    result = pl.from_arrow(arrow)
    assert isinstance(result, pl.DataFrame)
    return result


def write_table(frame: DataFrame, location: str, *, file_format: str = "parquet") -> None:
    """Write ``frame`` with Spark as a folder of part files at ``location``.

    Spark's output committer moves the parts into place only when every task succeeded and
    then writes ``_SUCCESS``, so a failed job leaves no partial table. An existing
    ``location`` is an error (nothing is overwritten).

    Parameters
    ----------
    frame
        The table to write.
    location
        Target folder, at any location Spark writes.
    file_format
        ``parquet``, ``csv`` (with a header row) or ``ndjson``.

    Raises
    ------
    InputError
        When the location exists or cannot be written.
    """
    writer = frame.write.mode("errorifexists")
    try:
        if file_format == "parquet":
            writer.parquet(location)
        elif file_format == "csv":
            writer.option("header", "true").csv(location)
        elif file_format in ("ndjson", "json"):
            writer.json(location)
        else:
            raise ParameterError(f"Spark writes parquet, csv or ndjson, not {file_format!r}")
    except AnalysisException as error:
        if "PATH_ALREADY_EXISTS" in str(error) or "already exists" in str(error):
            raise InputError(
                "already exists; remove it or choose another output location", path=location
            ) from None
        raise InputError(f"cannot write ({_first_line(error)})", path=location) from None
