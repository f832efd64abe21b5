"""Time graphkit's communities against igraph's Leiden on a generated benchmark graph.

In one run, on one machine, each side twice (the best of the two is reported):

* graphkit: read ``follows.parquet``, build the influence graph, its undirected projection
  and the numba Leiden (``graphkit.algorithms.communities``, 2 iterations, seed 0);
* igraph: build an undirected weighted ``igraph.Graph`` from the projection's int arrays
  (what a user holding the edge arrays does) and run ``community_leiden`` with the
  modularity objective, ``n_iterations=2`` (igraph's default) and, with ``--converged``,
  to convergence (``n_iterations=-1``), and graphkit's kernel to convergence too.

Both partitions are scored by the same function, igraph's ``Graph.modularity`` on the same
weighted graph (and cross-checked with graphkit's). The numba kernels are compiled (or loaded
from numba's cache) on a tiny graph before the clock starts.

Example: ``python -m benchmarks.communities --size 10M`` (after ``python -m benchmarks.generate
--edges 10M``) writes ``benchmarks/results/communities.md`` and ``communities.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import igraph as ig
import numba
import numpy as np
import pyarrow as pa

from benchmarks.generate import DATA_FOLDER
from benchmarks.harness import RESULTS_FOLDER
from graphkit.algorithms.communities import communities, modularity, undirected_projection
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset, load_dataset
from graphkit.kernels.leiden import leiden

IGRAPH_CHUNK = 1 << 18


def _timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def graphkit_run(follows: Path, seed: int) -> dict[str, Any]:
    """Read, build, project and partition; seconds of each step and the partition."""
    dataset, read = _timed(lambda: load_dataset(follows=follows))
    graph, build = _timed(lambda: build_graph(dataset))
    _, projection = _timed(lambda: undirected_projection(graph))
    result, leiden = _timed(lambda: communities(graph, method="leiden", seed=seed))
    return {
        "graph": graph,
        "membership": result.membership,
        "seconds": {
            "read": read,
            "build": build,
            "projection": projection,
            "leiden": leiden,
            "total": read + build + projection + leiden,
        },
        "communities": result.n_communities,
        "modularity_graphkit": result.modularity,
    }


def graphkit_converged_run(graph: SocialGraph, seed: int) -> dict[str, Any]:
    """The Leiden kernel iterated until an iteration changes nothing (projection built)."""
    projection = undirected_projection(graph)
    (membership, iterations), seconds = _timed(
        lambda: leiden(projection.indptr, projection.neighbors, projection.weights, seed=seed)
    )
    return {
        "membership": membership,
        "seconds": {"leiden": seconds, "total": seconds},
        "communities": int(membership.max()) + 1,
        "iterations": iterations,
    }


def igraph_graph(graph: SocialGraph) -> ig.Graph:
    """The undirected projection as a weighted igraph Graph, from int arrays in chunks."""
    low, high, weights = undirected_projection(graph).pairs()
    result = ig.Graph(n=graph.n_nodes)
    for start in range(0, low.shape[0], IGRAPH_CHUNK):
        stop = start + IGRAPH_CHUNK
        result.add_edges(zip(low[start:stop].tolist(), high[start:stop].tolist(), strict=True))
    result.es["weight"] = weights.tolist()
    return result


def igraph_run(graph: SocialGraph, seed: int, iterations: int) -> dict[str, Any]:
    """Build igraph's graph and run its Leiden; seconds of each step and the partition."""
    reference, build = _timed(lambda: igraph_graph(graph))
    random.seed(seed)
    clustering, leiden = _timed(
        lambda: reference.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=iterations
        )
    )
    return {
        "igraph": reference,
        "membership": np.asarray(clustering.membership, dtype=np.int64),
        "seconds": {"build": build, "leiden": leiden, "total": build + leiden},
        "communities": len(clustering),
    }


def _warm_up() -> None:
    follows = pa.table({"follower": ["a", "b", "c", "x"], "followed": ["b", "c", "a", "y"]})
    communities(build_graph(Dataset(follows=follows)), seed=0)


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return min(runs, key=lambda run: run["seconds"]["total"])


def _public(run: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value for key, value in run.items() if key not in {"graph", "igraph", "membership"}
    }


def measure(folder: Path, *, repeats: int, seed: int, converged: bool) -> dict[str, Any]:
    """Both sides ``repeats`` times each on ``folder/follows.parquet``; figures as a dict."""
    _warm_up()
    follows = folder / "follows.parquet"
    ours = []
    for _ in range(repeats):
        ours.append(graphkit_run(follows, seed))
        gc.collect()
    graph = ours[-1]["graph"]
    converged_ours = (
        [graphkit_converged_run(graph, seed) for _ in range(repeats)] if converged else []
    )
    theirs = {}
    variants = {"igraph Leiden (n_iterations=2)": 2}
    if converged:
        variants["igraph Leiden (to convergence)"] = -1
    for label, iterations in variants.items():
        theirs[label] = [igraph_run(graph, seed, iterations) for _ in range(repeats)]
        gc.collect()
    reference = theirs["igraph Leiden (n_iterations=2)"][0]["igraph"]

    def score(run: dict[str, Any]) -> dict[str, Any]:
        figures = _public(run)
        figures["modularity"] = reference.modularity(run["membership"].tolist(), weights="weight")
        figures["modularity_graphkit"] = modularity(graph, run["membership"])
        return figures

    scored_ours = [score(run) for run in ours]
    scored_converged = [score(run) for run in converged_ours]
    scored_theirs = {label: [score(run) for run in runs] for label, runs in theirs.items()}
    baseline = _best(scored_theirs["igraph Leiden (n_iterations=2)"])
    best_ours = _best(scored_ours)
    return {
        "dataset": str(follows),
        "nodes": graph.n_nodes,
        "follows": graph.n_edges,
        "undirected_edges": int(undirected_projection(graph).neighbors.shape[0] // 2),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "numba_threads": numba.get_num_threads(),
            "python": platform.python_version(),
            "igraph": ig.__version__,
            "numba": numba.__version__,
            "load_average_at_end": os.getloadavg(),
        },
        "seed": seed,
        "repeats": repeats,
        "graphkit": {"runs": scored_ours, "best": best_ours},
        "graphkit_converged": (
            {"runs": scored_converged, "best": _best(scored_converged)} if converged else None
        ),
        "igraph": {
            label: {"runs": runs, "best": _best(runs)} for label, runs in scored_theirs.items()
        },
        "speed_up": baseline["seconds"]["total"] / best_ours["seconds"]["total"],
        "modularity_ratio": best_ours["modularity"] / baseline["modularity"],
    }


def _totals(runs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{run['seconds']['total']:.1f}" for run in runs)


def markdown(size: str, figures: dict[str, Any]) -> str:
    """The figures as a markdown report."""
    best = figures["graphkit"]["best"]
    rows = [
        f"| graphkit (read + build + projection + Leiden, 2 iterations) | "
        f"{best['seconds']['total']:.1f} s | read {best['seconds']['read']:.1f}, build "
        f"{best['seconds']['build']:.1f}, projection {best['seconds']['projection']:.1f}, "
        f"Leiden {best['seconds']['leiden']:.1f} | "
        f"{_totals(figures['graphkit']['runs'])} | "
        f"{best['modularity']:.4f} | {best['communities']} |"
    ]
    converged = figures.get("graphkit_converged")
    if converged:
        run = converged["best"]
        rows.append(
            f"| graphkit Leiden to convergence (projection built) | "
            f"{run['seconds']['total']:.1f} s | Leiden {run['seconds']['leiden']:.1f}, "
            f"{run['iterations']} iterations | {_totals(converged['runs'])} | "
            f"{run['modularity']:.4f} | {run['communities']} |"
        )
    for label, side in figures["igraph"].items():
        run = side["best"]
        rows.append(
            f"| {label} (graph from int arrays + Leiden) | {run['seconds']['total']:.1f} s | "
            f"build {run['seconds']['build']:.1f}, Leiden {run['seconds']['leiden']:.1f} | "
            f"{_totals(side['runs'])} | "
            f"{run['modularity']:.4f} | {run['communities']} |"
        )
    machine = figures["machine"]
    load = ", ".join(f"{value:.1f}" for value in machine["load_average_at_end"])
    return "\n".join(
        [
            f"# Communities on the {size} benchmark graph",
            "",
            f"{figures['nodes']:,} accounts, {figures['follows']:,} follows, "
            f"{figures['undirected_edges']:,} undirected edges; seed {figures['seed']}; best of "
            f"{figures['repeats']} runs per side in one process ({machine['cpus']} CPUs, "
            f"{machine['numba_threads']} numba threads, Python {machine['python']}, igraph "
            f"{machine['igraph']}, numba {machine['numba']}; load average at the end {load}). "
            "Modularity of both partitions by igraph's `Graph.modularity` on the same weighted "
            "undirected graph.",
            "",
            "| run | best time | steps (s) | all runs (s) | modularity | communities |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"graphkit is {figures['speed_up']:.2f}x faster than igraph (n_iterations=2, build "
            f"included) with {figures['modularity_ratio']:.4f}x its modularity.",
            "",
        ]
    )


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure both sides and write ``communities.md`` and ``communities.json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.communities", description=__doc__)
    parser.add_argument("--size", default="10M", help="dataset folder under --data")
    parser.add_argument("--data", type=Path, default=DATA_FOLDER, help="generated datasets")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--converged", action="store_true", help="also igraph to convergence")
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER / "communities")
    options = parser.parse_args(argv)
    figures = measure(
        options.data / options.size,
        repeats=options.repeats,
        seed=options.seed,
        converged=options.converged,
    )
    report = markdown(options.size, figures)
    # One file per size would scatter; the latest run of each size is kept side by side.
    json_path = options.out.with_suffix(".json")
    previous = json.loads(json_path.read_text()) if json_path.is_file() else {}
    previous[options.size] = figures
    _write(json_path, json.dumps(previous, indent=2, default=float) + "\n")
    md_path = options.out.with_suffix(".md")
    sections = {}
    for size, recorded in sorted(previous.items(), key=lambda item: (len(item[0]), item[0])):
        sections[size] = report if size == options.size else markdown(size, recorded)
    _write(md_path, "\n".join(sections.values()))
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
