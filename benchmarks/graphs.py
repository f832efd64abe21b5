"""Profile the generated benchmark graphs side by side with the real ones.

For each graph: accounts, distinct follows, the share of dangling accounts (they follow nobody),
reciprocity (the share of follows returned), global clustering (igraph's
``transitivity_undirected`` on the simple undirected graph), modularity (igraph's
``community_multilevel`` on the same graph, seeded) and the PageRank iterations graphkit's solver
needs to reach its default tolerance (1e-10, damping 0.85). Real social graphs mix slowly
(communities, locality, closed groups), so their PageRank takes far more iterations than a
random power-law graph's; the ``realistic`` generator model is tuned to fall in their range.

The generated graphs are read from ``benchmarks/data/<size>[-<model>]/follows.parquet``
(generated first when missing); the real ones from ``--real``, the folder described in the
project's data README (``$GRAPHKIT_SHARED_DATA``).

Example: ``python -m benchmarks.graphs --real /path/to/shared/data`` writes
``benchmarks/results/graphs.md`` and ``graphs.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np

from benchmarks.generate import (
    MODELS,
    dataset_folder,
    ensure_dataset,
    parse_size,
)
from graphkit.algorithms.pagerank import PageRankResult, pagerank_run
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import load_dataset

RESULTS_FOLDER = Path(__file__).resolve().parent / "results"
IGRAPH_CHUNK = 1 << 18
# Real graphs: folder-relative edge file and how graphkit reads it (an edge u -> v always
# means u pays attention to v: follows, retweets, replies, mentions, e-mails).
REAL_GRAPHS: dict[str, tuple[str, str | None]] = {
    "ego-twitter": ("ego-twitter/twitter_combined.txt", None),
    "higgs-retweet": ("higgs-twitter/higgs-retweet_network.edgelist", "repost"),
    "higgs-mention": ("higgs-twitter/higgs-mention_network.edgelist", "mention"),
    "higgs-reply": ("higgs-twitter/higgs-reply_network.edgelist", "reply"),
    "congress-twitter": ("congress-twitter/congress.edgelist", "mention"),
    "email-eu-core": ("email-eu-core/email-Eu-core.txt", None),
}


@dataclass(frozen=True)
class GraphProfile:
    """The shape of one graph, as reported in ``graphs.md``."""

    name: str
    kind: str  # "generated" or "real"
    accounts: int
    edges: int
    dangling_share: float
    reciprocity: float
    clustering: float
    modularity: float
    communities: int
    pagerank_iterations: int  # power iterations: the graph's own rate of convergence
    solver_iterations: int  # iterations of graphkit's default solver
    seconds: float


def edge_arrays(graph: SocialGraph) -> tuple[np.ndarray, np.ndarray]:
    """The distinct directed edges ``(sources, targets)`` of ``graph`` (self-loops dropped)."""
    targets = np.repeat(
        np.arange(graph.n_nodes, dtype=np.int64), np.diff(graph.in_indptr).astype(np.int64)
    )
    return graph.in_sources.astype(np.int64), targets


def reciprocity(sources: np.ndarray, targets: np.ndarray, n_nodes: int) -> float:
    """Share of the distinct directed edges ``u -> v`` whose reverse ``v -> u`` exists too
    (igraph's default ``Graph.reciprocity``)."""
    if sources.shape[0] == 0:
        return 0.0
    keys = np.sort(sources * n_nodes + targets)
    reverse = targets * n_nodes + sources
    positions = np.minimum(np.searchsorted(keys, reverse), keys.shape[0] - 1)
    return float(np.count_nonzero(keys[positions] == reverse) / keys.shape[0])


def simple_undirected(sources: np.ndarray, targets: np.ndarray, n_nodes: int) -> ig.Graph:
    """The simple undirected igraph graph of the directed edges (each pair once), built from
    int arrays in chunks rather than one list of every edge."""
    low, high = np.minimum(sources, targets), np.maximum(sources, targets)
    pairs = np.unique(low * n_nodes + high)
    low, high = np.divmod(pairs, n_nodes)
    result = ig.Graph(n=n_nodes)
    for start in range(0, pairs.shape[0], IGRAPH_CHUNK):
        stop = start + IGRAPH_CHUNK
        result.add_edges(zip(low[start:stop].tolist(), high[start:stop].tolist(), strict=True))
    return result


def _power_solver() -> dict[str, str]:
    """The keyword that makes :func:`pagerank_run` run plain power iterations (the only
    solver of the versions without a ``solver`` parameter)."""
    if "solver" in inspect.signature(pagerank_run).parameters:
        return {"solver": "power"}
    return {}


def profile_graph(name: str, kind: str, graph: SocialGraph, *, seed: int = 0) -> GraphProfile:
    """Measure every figure of :class:`GraphProfile` on ``graph``."""
    started = time.perf_counter()
    sources, targets = edge_arrays(graph)
    undirected = simple_undirected(sources, targets, graph.n_nodes)
    random.seed(seed)  # igraph draws from Python's generator
    partition = undirected.community_multilevel()
    # Called through a loosely typed name: the solver keyword is newer than some versions.
    run: Callable[..., PageRankResult] = pagerank_run
    power = run(graph, **_power_solver())
    default = pagerank_run(graph)
    return GraphProfile(
        name=name,
        kind=kind,
        accounts=graph.n_nodes,
        edges=graph.n_edges,
        dangling_share=round(
            float(np.count_nonzero(graph.out_weight == 0) / max(graph.n_nodes, 1)), 4
        ),
        reciprocity=round(reciprocity(sources, targets, graph.n_nodes), 4),
        clustering=round(float(undirected.transitivity_undirected()), 4),
        modularity=round(float(partition.modularity), 4),
        communities=len(partition),
        pagerank_iterations=power.iterations,
        solver_iterations=default.iterations,
        seconds=round(time.perf_counter() - started, 2),
    )


def profile_generated(size: int, model: str, *, seed: int = 1) -> GraphProfile:
    """Profile the generated graph of ``size`` follows and ``model`` (generated if missing)."""
    dataset = ensure_dataset(size, seed=seed, model=model, quiet=True)
    graph = build_graph(load_dataset(follows=Path(dataset.folder) / "follows.parquet"))
    return profile_graph(dataset_folder(size, model).name, "generated", graph)


def profile_real(root: Path, name: str) -> GraphProfile:
    """Profile one of :data:`REAL_GRAPHS` under ``root``."""
    relative, interaction_type = REAL_GRAPHS[name]
    path = root / relative
    if interaction_type is None:
        dataset = load_dataset(follows=path)
    else:
        dataset = load_dataset(interactions=path, interaction_type=interaction_type)
    return profile_graph(name, "real", build_graph(dataset))


def markdown(profiles: Sequence[GraphProfile], measured: str) -> str:
    """The side-by-side table of ``graphs.md``; ``measured`` says when and with what."""
    lines = [
        "# Benchmark graphs against real ones",
        "",
        f"Measured {measured}. Dangling: share of accounts that follow "
        "nobody. Reciprocity: share of follows returned. Clustering: global transitivity of the "
        "simple undirected graph (igraph). Modularity: igraph `community_multilevel` on the "
        "same graph (seed 0). PageRank: power iterations to an L1 change < 1e-10, damping 0.85 "
        "(graphkit's power solver; the graph's own rate of convergence); solver: iterations "
        "of graphkit's default solver to the same tolerance. Real graphs are read as graphkit "
        "reads them (retweets, mentions and replies as attention, weighted by their counts); "
        "generated ones from their follows (accounts in no follow left out).",
        "",
        "| graph | kind | accounts | edges | dangling | reciprocity | clustering | modularity "
        "| communities | PageRank power iterations | solver iterations |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in profiles:
        lines.append(
            f"| {item.name} | {item.kind} | {item.accounts:,} | {item.edges:,} | "
            f"{item.dangling_share:.3f} | {item.reciprocity:.3f} | {item.clustering:.4f} | "
            f"{item.modularity:.3f} | {item.communities:,} | {item.pagerank_iterations} | "
            f"{item.solver_iterations} |"
        )
    real = [item for item in profiles if item.kind == "real"]
    if real:
        lines += ["", "Range of the real graphs:", ""]
        for label in (
            "dangling_share",
            "reciprocity",
            "clustering",
            "modularity",
            "pagerank_iterations",
        ):
            values = [getattr(item, label) for item in real]
            lines.append(f"- {label.replace('_', ' ')}: {min(values)} .. {max(values)}")
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Profile the graphs and write ``graphs.md`` and ``graphs.json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.graphs", description=__doc__)
    parser.add_argument(
        "--sizes", default="1M", help="comma-separated generated sizes, e.g. 1M,10M (default 1M)"
    )
    parser.add_argument(
        "--models", default=",".join(MODELS), help=f"generator models (default {','.join(MODELS)})"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--real",
        type=Path,
        default=os.environ.get("GRAPHKIT_SHARED_DATA"),
        help="folder of the real graphs (default $GRAPHKIT_SHARED_DATA; none: skip them)",
    )
    parser.add_argument(
        "--real-graphs", default=",".join(REAL_GRAPHS), help="which real graphs (default all)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER / "graphs")
    options = parser.parse_args(argv)
    real_names = [text for text in options.real_graphs.split(",") if text]
    models = [text for text in options.models.split(",") if text]
    for model in models:
        if model not in MODELS:
            parser.error(f"unknown model {model!r} (choose from {', '.join(MODELS)})")
    try:
        sizes = [parse_size(text) for text in options.sizes.split(",") if text]
    except ValueError as error:
        parser.error(str(error))
    if options.real is not None:
        for name in real_names:
            if name not in REAL_GRAPHS:
                parser.error(f"unknown real graph {name!r} (choose from {', '.join(REAL_GRAPHS)})")
            if not (Path(options.real) / REAL_GRAPHS[name][0]).is_file():
                parser.error(f"{Path(options.real) / REAL_GRAPHS[name][0]} not found (--real)")
    profiles: list[GraphProfile] = []
    for size in sizes:
        for model in models:
            profiles.append(profile_generated(size, model, seed=options.seed))
            print(profiles[-1], flush=True)
    if options.real is not None:
        for name in real_names:
            profiles.append(profile_real(Path(options.real), name))
            print(profiles[-1], flush=True)
    real = "" if options.real is None else " --real $GRAPHKIT_SHARED_DATA"
    measured = (
        f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} by `python -m "
        f"benchmarks.graphs --sizes {options.sizes} --models {options.models}{real}` "
        f"(graphkit {version('graphkit')}, igraph {ig.__version__}, generator seed "
        f"{options.seed})"
    )
    payload: dict[str, Any] = {
        "measured": measured,
        "graphs": [asdict(item) for item in profiles],
    }
    _write(options.out.with_suffix(".json"), json.dumps(payload, indent=2) + "\n")
    _write(options.out.with_suffix(".md"), markdown(profiles, measured))
    print(markdown(profiles, measured))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
