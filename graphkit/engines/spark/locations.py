"""Where tables are: local paths and URIs, dataset folders, formats by suffix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession

from graphkit.errors import (
    InputError,
)
from graphkit.io import rules
from graphkit.io.schema import (
    TABLES,
)

_URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://|^file:/")


def is_uri(location: str | Path) -> bool:
    """Whether ``location`` names a storage scheme (``s3a://``, ``file:/``...).

    Examples
    --------
    >>> is_uri("s3a://bucket/follows.parquet"), is_uri("data/follows.csv")
    (True, False)
    """
    return _URI.match(str(location)) is not None


def _file_format(location: str) -> str | None:
    """``parquet``, ``json`` or ``delimited`` from the suffix, or None (e.g. a folder)."""
    name = location.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".gz")
    if name.endswith(rules.PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(rules.JSON_SUFFIXES):
        return "json"
    if name.endswith(rules.DELIMITED_SUFFIXES):
        return "delimited"
    return None


def _exists(session: SparkSession, location: str) -> bool:
    try:
        session.read.format("binaryFile").load(location).schema  # noqa: B018 (analysis only)
    except AnalysisException:
        return False
    return True


def _folder_format(session: SparkSession, location: str) -> str:
    """The format of a folder of part files, from the suffix of its first file."""
    files = (
        session.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(location)
        .select("path")
        .limit(16)
        .collect()
    )
    for row in files:
        found = _file_format(str(row["path"]))
        if found is not None:
            return found
    if files:
        return "parquet"  # Spark's own default format
    raise InputError("folder holds no table files", path=location)


def _local_folder_format(path: Path) -> str:
    if not path.is_dir():
        raise InputError(
            "cannot tell the format: use a .csv, .parquet or .ndjson suffix", path=path
        )
    for child in sorted(path.rglob("*")):
        if child.is_file() and not child.name.startswith((".", "_")):
            found = _file_format(child.name)
            if found is not None:
                return found
            return "parquet"
    raise InputError("folder holds no table files", path=path)


def find_tables(session: SparkSession, folder: str) -> dict[str, str]:
    """The table locations of a dataset folder, by table name.

    Entries named ``accounts``, ``follows``, ``interactions`` or ``identities`` (a file with
    a table suffix, or a folder of part files) count; a local folder is listed here, a URI
    with one listing job on the cluster.

    Raises
    ------
    InputError
        When the folder does not exist, holds two entries for one table, or no table.
    """
    base = str(folder).rstrip("/")
    entries = _local_entries(base) if _is_local(base) else _remote_entries(session, base)
    found: dict[str, str] = {}
    for entry in sorted(entries):
        stem = entry.split(".", 1)[0].lower()
        if stem not in TABLES:
            continue
        if stem in found:
            first = found[stem].rsplit("/", 1)[-1]
            raise InputError(rules.two_files(stem, first, entry), path=folder)
        found[stem] = base + "/" + entry
    if not found:
        raise InputError(rules.NO_TABLES, path=folder)
    return found


def _is_local(location: str) -> bool:
    return not is_uri(location) or location.startswith("file:")


def _local_path(location: str) -> Path:
    return Path(re.sub(r"^file:(//)?", "", location))


def _local_entries(folder: str) -> list[str]:
    path = _local_path(folder)
    if not path.is_dir():
        raise InputError(
            rules.DATASET_FOLDER_NOT_FOUND if not path.exists() else rules.NOT_A_DATASET_FOLDER,
            path=folder,
        )
    return [child.name for child in path.iterdir() if not child.name.startswith((".", "_"))]


def _remote_entries(session: SparkSession, folder: str) -> list[str]:
    """Names of the entries under ``folder`` whose names start with a table name."""
    pattern = folder + "/{" + ",".join(TABLES) + "}*"
    try:
        files = (
            session.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(pattern)
            .select("path")
            .collect()
        )
    except AnalysisException:
        if not _exists(session, folder):
            raise InputError(rules.DATASET_FOLDER_NOT_FOUND, path=folder) from None
        return []
    depth = len([part for part in urlparse(folder).path.split("/") if part])
    names = set()
    for row in files:
        parts = [part for part in urlparse(str(row["path"])).path.split("/") if part]
        if len(parts) > depth:
            names.add(parts[depth])
    return sorted(names)
