"""What the machine can do: its description, streaming bandwidth and random-gather rate.

PageRank streams its edge arrays and gathers one score per edge from a table indexed by the
edge's source, so these two numbers bound how fast one iteration can be on this machine.
Bandwidth is counted the way STREAM counts it: bytes read plus bytes written, write-allocate
traffic not included.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Final

import numba
import numpy as np

GIB: Final = 1 << 30
DEFAULT_STREAM_BYTES: Final = 1 << 30
DEFAULT_GATHER_COUNT: Final = 1 << 24
GATHER_TABLE_ENTRIES: Final = (1_000_000, 5_000_000)
TRIAD_SCALE: Final = 3.0
VERSIONED_PACKAGES: Final = (
    "graphkit",
    "numpy",
    "numba",
    "pyarrow",
    "polars",
    "igraph",
    "networkit",
    "networkx",
    "scipy",
    "psutil",
)


def machine_info() -> dict[str, object]:
    """Describe the machine and software the benchmark runs on.

    Returns
    -------
    dict
        ``cpu`` (model name from /proc/cpuinfo), ``logical_cores``, ``physical_cores``,
        ``memory_bytes``, ``caches`` (size by level), ``os``, ``python``, ``numba_threads`` and
        ``versions`` (installed version of each library, ``None`` when missing).
    """
    return {
        "cpu": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": _physical_cores(),
        "memory_bytes": _memory_bytes(),
        "caches": _cache_sizes(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numba_threads": int(numba.get_num_threads()),
        "versions": {name: _version(name) for name in VERSIONED_PACKAGES},
    }


@dataclass(frozen=True)
class Bandwidth:
    """Memory rates measured on this machine.

    Attributes
    ----------
    numpy_sum_gbps
        ``array.sum()`` over a ``stream_bytes`` float64 array (numpy, one thread), in GB/s.
    read_gbps
        The same sum by a numba parallel kernel on all numba threads: the read-only rate that
        bounds a kernel which, like PageRank, mostly reads.
    copy_gbps, triad_gbps
        numba parallel ``b[i] = a[i]`` and ``a[i] = b[i] + s * c[i]`` over arrays of
        ``stream_bytes / 2`` each, on all numba threads, in GB/s (10^9 bytes).
    gather_rates
        Million gathers per second, ``table[index[i]]`` summed on all threads, keyed by
        ``"<entries> random"`` and ``"<entries> sorted"``.
    stream_bytes
        Size of the summed array.
    gather_count
        Gathers per measurement.
    threads
        numba threads used.
    """

    numpy_sum_gbps: float
    read_gbps: float
    copy_gbps: float
    triad_gbps: float
    gather_rates: dict[str, float]
    stream_bytes: int
    gather_count: int
    threads: int

    @property
    def streaming_gbps(self) -> float:
        """The parallel read rate, which bounds PageRank's mostly-read iteration."""
        return self.read_gbps


def measure_bandwidth(
    *,
    stream_bytes: int = DEFAULT_STREAM_BYTES,
    gather_count: int = DEFAULT_GATHER_COUNT,
    repeats: int = 5,
    seed: int = 0,
) -> Bandwidth:
    """Measure streaming bandwidth and random-gather rates; best of ``repeats`` runs each.

    Parameters
    ----------
    stream_bytes
        Size of the array summed by numpy; copy and triad use arrays of half this size.
    gather_count
        Number of int32 indices gathered per measurement.
    repeats
        Runs per measurement; the fastest is kept (the others saw interference).
    seed
        Seed of the random indices.
    """
    _warm_up_kernels()
    numpy_sum_gbps, read_gbps = _read_rates(stream_bytes, repeats)
    copy_gbps, triad_gbps = _copy_and_triad_rates(stream_bytes // 2, repeats)
    rng = np.random.default_rng(seed)
    gather_rates: dict[str, float] = {}
    for entries in GATHER_TABLE_ENTRIES:
        table = rng.random(entries)
        indices = rng.integers(0, entries, gather_count, dtype=np.int32)
        for order in ("random", "sorted"):
            if order == "sorted":
                indices.sort()
            seconds = _best_time(partial(_gather_kernel, table, indices), repeats)
            gather_rates[f"{entries} {order}"] = gather_count / seconds / 1e6
    return Bandwidth(
        numpy_sum_gbps=numpy_sum_gbps,
        read_gbps=read_gbps,
        copy_gbps=copy_gbps,
        triad_gbps=triad_gbps,
        gather_rates=gather_rates,
        stream_bytes=stream_bytes,
        gather_count=gather_count,
        threads=int(numba.get_num_threads()),
    )


def pagerank_bytes_per_iteration(
    n_nodes: int, n_edges: int, *, edge_bytes: float = 12.0
) -> dict[str, int]:
    """Bytes one pull PageRank iteration must move, for two storage layouts.

    ``as_stored`` is graphkit's kernel on the graph as stored: ``edge_bytes`` per edge (an
    int32 source and a float64 weight: 12), the int64 ``indptr`` and eight float64 accesses per
    node (read the score, inverse out-weight, out-weight, personalization and the gathered
    scaled score; write the scaled and the updated score; read the old score for the change).
    ``minimum`` is what any pull kernel needs on an unweighted graph: an int32 source per
    edge, the int64 ``indptr`` and three float64 vectors (read the gathered scores once, write
    the new ones, read the old for the change). Gathered scores are counted once per node, as
    if the score table stayed in cache.

    Examples
    --------
    >>> pagerank_bytes_per_iteration(1_000_000, 10_000_000)
    {'as_stored': 192000008, 'minimum': 72000008}
    """
    indptr = 8 * (n_nodes + 1)
    return {
        "as_stored": round(edge_bytes * n_edges) + indptr + 8 * 8 * n_nodes,
        "minimum": 4 * n_edges + indptr + 3 * 8 * n_nodes,
    }


# --- kernels ----------------------------------------------------------------------------------


# fastmath lets the reductions below use several accumulators; without it one dependent
# add per element, not memory, would set the rate.
@numba.njit(parallel=True, cache=True, nogil=True, fastmath=True)
def _sum_kernel(values: np.ndarray) -> float:
    total = 0.0
    for index in numba.prange(values.shape[0]):
        total += values[index]
    return total


@numba.njit(parallel=True, cache=True, nogil=True)
def _copy_kernel(source: np.ndarray, target: np.ndarray) -> None:
    for index in numba.prange(source.shape[0]):
        target[index] = source[index]


@numba.njit(parallel=True, cache=True, nogil=True)
def _triad_kernel(target: np.ndarray, first: np.ndarray, second: np.ndarray, scale: float) -> None:
    for index in numba.prange(target.shape[0]):
        target[index] = first[index] + scale * second[index]


@numba.njit(parallel=True, cache=True, nogil=True, fastmath=True)
def _gather_kernel(table: np.ndarray, indices: np.ndarray) -> float:
    total = 0.0
    for position in numba.prange(indices.shape[0]):
        total += table[indices[position]]
    return total


def _warm_up_kernels() -> None:
    """Compile (or load from cache) the kernels outside the timed runs."""
    small = np.ones(16)
    _sum_kernel(small)
    _copy_kernel(small, small.copy())
    _triad_kernel(small.copy(), small, small, TRIAD_SCALE)
    _gather_kernel(small, np.zeros(16, dtype=np.int32))


def _read_rates(stream_bytes: int, repeats: int) -> tuple[float, float]:
    """GB/s of numpy's one-thread sum and of the numba parallel sum over one array."""
    values = np.ones(stream_bytes // 8)
    numpy_seconds = _best_time(values.sum, repeats)
    parallel_seconds = _best_time(partial(_sum_kernel, values), repeats)
    return values.nbytes / numpy_seconds / 1e9, values.nbytes / parallel_seconds / 1e9


def _copy_and_triad_rates(array_bytes: int, repeats: int) -> tuple[float, float]:
    """GB/s of the numba parallel copy (2 arrays) and triad (3 arrays) of ``array_bytes``."""
    first = np.ones(array_bytes // 8)
    second = np.full(first.shape[0], 2.0)
    target = np.empty(first.shape[0])
    copy_seconds = _best_time(partial(_copy_kernel, first, target), repeats)
    triad_seconds = _best_time(partial(_triad_kernel, target, first, second, TRIAD_SCALE), repeats)
    return 2 * first.nbytes / copy_seconds / 1e9, 3 * first.nbytes / triad_seconds / 1e9


def _best_time(function: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


# --- machine description ----------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _physical_cores() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.cpu_count(logical=False)


def _memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _cache_sizes() -> dict[str, str]:
    caches: dict[str, str] = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        name = f"L{level}" + {"Data": "d", "Instruction": "i"}.get(kind, "")
        caches[name] = size
    return caches


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
