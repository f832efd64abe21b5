"""Run manifests: what produced an export, so a list can be reproduced and audited.

``OUT.manifest.json`` beside an export ``OUT`` records graphkit's version, the command line
and its parameters, every input file with its size and SHA-256, the seed, the row counts of
the graph and of every file written (with their SHA-256), and the versions of Python and of
the libraries that computed the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from graphkit._version import __version__
from graphkit.errors import ParameterError
from graphkit.io.writers import atomic_path

DEPENDENCIES: Final = ("numpy", "polars", "pyarrow", "igraph", "numba", "click", "rich")
_BLOCK: Final = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def file_record(path: str | Path, **extra: Any) -> dict[str, Any]:
    """``path`` (as given), its absolute path, size in bytes and SHA-256, plus ``extra``."""
    file = Path(path)
    return {
        "path": str(file),
        "absolute_path": str(file.resolve()),
        "bytes": file.stat().st_size,
        "sha256": sha256_file(file),
        **extra,
    }


def dependency_versions(names: Iterable[str] = DEPENDENCIES) -> dict[str, str | None]:
    """Installed version of each distribution (``None`` where it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def run_time() -> dt.datetime:
    """When the run happened: now (UTC), or the time ``SOURCE_DATE_EPOCH`` gives.

    ``SOURCE_DATE_EPOCH`` (Unix seconds; https://reproducible-builds.org/specs/source-date-epoch/)
    makes manifests and CRM files byte-for-byte reproducible.

    Raises
    ------
    ParameterError
        When ``SOURCE_DATE_EPOCH`` is not a whole number of seconds in years 1970 to 9999.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return dt.datetime.now(tz=dt.UTC)
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ParameterError(
            f"SOURCE_DATE_EPOCH must be Unix seconds (a whole number from 0 to "
            f"253402300799), got {epoch!r}"
        ) from None


def manifest_path(output: str | Path) -> Path:
    """Where the manifest of an export goes: ``OUT.manifest.json`` beside ``OUT``.

    Examples
    --------
    >>> manifest_path("out/leads.csv").as_posix()
    'out/leads.csv.manifest.json'
    """
    output = Path(output)
    return output.with_name(output.name + ".manifest.json")


def build_manifest(
    *,
    outputs: list[dict[str, Any]],
    command: list[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    inputs: Mapping[str, str | Path] | None = None,
    seed: int | None = None,
    graph: Mapping[str, int] | None = None,
    **sections: Any,
) -> dict[str, Any]:
    """The manifest of one export.

    Parameters
    ----------
    outputs
        One record per file written (:func:`file_record`, with ``rows``).
    command
        The command line, as a list of arguments.
    parameters
        The command's parameters after parsing (defaults included).
    inputs
        Input table name -> file; each file is recorded with its size and SHA-256.
    seed
        Random seed of the run, where it used one.
    graph
        Counts of the influence graph (nodes, edges, records, self-loops).
    **sections
        More top-level sections (e.g. ``crm``, ``formula_guard``, ``source_manifest``).

    Returns
    -------
    dict
        JSON-ready manifest.
    """
    return {
        "graphkit_version": __version__,
        "created": run_time().isoformat(timespec="seconds"),
        "command": command,
        "parameters": _jsonable(dict(parameters or {})),
        "seed": seed,
        "inputs": [
            file_record(path, table=table)
            for table, path in sorted((inputs or {}).items())
            if Path(path).is_file()
        ],
        "graph": dict(graph or {}),
        "rows": sum(int(record.get("rows", 0)) for record in outputs),
        "outputs": outputs,
        **{key: _jsonable(value) for key, value in sections.items()},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "dependencies": dependency_versions(),
    }


def write_manifest(manifest: Mapping[str, Any], path: str | Path) -> Path:
    """Write a manifest as indented JSON, atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return Path(path)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
