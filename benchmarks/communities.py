"""Time graphkit's communities against NetworKit's ParallelLeiden and igraph's Leiden.

In one run, on one machine, each side ``--repeats`` times (the best run is reported):

* graphkit, what ``graphkit communities`` does by default: read ``follows.parquet``, build the
  influence graph, its undirected projection and the numba Leiden
  (``graphkit.algorithms.communities`` with its defaults: 2 iterations, resolution 1, seed 0);
* NetworKit (``--peers networkit``): build an undirected weighted ``networkit.Graph`` from the
  projection's int arrays (each edge once: ``low``, ``high``, ``weight``) with
  ``networkit.GraphFromCsr`` on their upper-triangle CSR (6x faster than ``GraphFromCoo`` or
  ``Graph.addEdges`` at 10M follows), then ``networkit.community.ParallelLeiden`` with its
  defaults, on all of NetworKit's threads;
* igraph (``--peers igraph``): an undirected weighted ``igraph.Graph`` from the same arrays
  (one ``add_edges`` call with a numpy array of the pairs, the fastest we found) and
  ``community_leiden`` with the modularity objective and ``n_iterations=2`` (igraph's default)
  and, with ``--converged``, to convergence (``n_iterations=-1``), and graphkit's kernel to
  convergence too.

The peers' clocks start from the int arrays, so they skip reading the file and building the
projection, which graphkit's clock includes. Every partition is scored by the same function,
igraph's ``Graph.modularity`` on the same weighted undirected graph (cross-checked with
graphkit's). The numba kernels are compiled (or loaded from numba's cache) on a tiny graph
before the clock starts. With NetworKit among the peers the report states issue 23's targets:
graphkit at least 2x faster than ParallelLeiden with the graph build included, at a modularity
no lower than ParallelLeiden's minus 0.002 (the highest of its runs: its result varies with the
threads' timing).

Example: ``python -m benchmarks.communities --size 10M --model realistic`` (after ``python -m
benchmarks.generate --edges 10M --model realistic``) writes
``benchmarks/results/communities-10M-realistic.md``, adds the run to ``communities.json`` and
rewrites the summary ``communities.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import igraph as ig
import numba
import numpy as np
import pyarrow as pa

from benchmarks.generate import DATA_FOLDER, MODELS
from benchmarks.harness import RESULTS_FOLDER
from graphkit.algorithms.communities import communities, modularity, undirected_projection
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset, load_dataset
from graphkit.kernels.leiden import leiden

PEERS: Final = ("networkit", "igraph")
# Issue 23's targets against NetworKit: speed-up with the build included, modularity slack.
TARGET_SPEED_UP: Final = 2.0
TARGET_MODULARITY_SLACK: Final = 0.002
NETWORKIT_LABEL: Final = "NetworKit ParallelLeiden"
IGRAPH_LABEL: Final = "igraph Leiden (n_iterations=2)"
IGRAPH_CONVERGED_LABEL: Final = "igraph Leiden (to convergence)"

Pairs = tuple[int, np.ndarray, np.ndarray, np.ndarray]


def _timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def dataset_label(size: str, model: str) -> str:
    """The dataset folder's name, as ``benchmarks.generate`` names it (``10M-realistic``)."""
    return size if model == "powerlaw" else f"{size}-{model}"


def graphkit_run(follows: Path, seed: int) -> dict[str, Any]:
    """Read, build, project and partition; seconds of each step and the partition."""
    dataset, read = _timed(lambda: load_dataset(follows=follows))
    graph, build = _timed(lambda: build_graph(dataset))
    _, projection = _timed(lambda: undirected_projection(graph))
    started = time.perf_counter()
    levels: list[tuple[float, str]] = []

    def on_progress(done: int, total: int | None, detail: str) -> None:
        levels.append((round(time.perf_counter() - started, 3), detail))

    result, leiden_seconds = _timed(
        lambda: communities(graph, method="leiden", seed=seed, on_progress=on_progress)
    )
    return {
        "graph": graph,
        "membership": result.membership,
        "seconds": {
            "read": read,
            "build": build,
            "projection": projection,
            "leiden": leiden_seconds,
            "total": read + build + projection + leiden_seconds,
        },
        "levels": levels,
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


def networkit_settings() -> dict[str, Any]:
    """ParallelLeiden's defaults as the installed NetworKit documents them, and its threads."""
    import networkit as nk

    documented = nk.community.ParallelLeiden.__doc__ or ""
    signature = re.search(r"ParallelLeiden\(G,([^)]*)\)", documented)
    defaults = {}
    for argument in (signature.group(1) if signature else "").split(","):
        name, _, value = argument.strip().partition("=")
        if name:
            defaults[name] = value
    return {
        "version": nk.__version__,
        "threads": nk.getMaxNumberOfThreads(),
        "parallel_leiden_defaults": defaults,
    }


def networkit_graph(pairs: Pairs) -> Any:
    """The undirected weighted NetworKit graph of ``pairs`` (each edge once, ``low < high``).

    The pairs come sorted by ``low`` (then ``high``): they are the rows of the projection's
    upper triangle, so their CSR is one count per row away.
    """
    import networkit as nk
    import scipy.sparse

    n_nodes, low, high, weights = pairs
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(low, minlength=n_nodes), out=indptr[1:])
    upper = scipy.sparse.csr_matrix((weights, high, indptr), shape=(n_nodes, n_nodes))
    return nk.GraphFromCsr(upper, directed=False, weighted=True)


def networkit_run(pairs: Pairs, seed: int) -> dict[str, Any]:
    """Build NetworKit's graph and run ParallelLeiden with its defaults."""
    import networkit as nk

    nk.engineering.setSeed(seed, False)
    graph, build = _timed(lambda: networkit_graph(pairs))
    algorithm = nk.community.ParallelLeiden(graph)
    _, leiden_seconds = _timed(algorithm.run)
    partition = algorithm.getPartition()
    membership = np.asarray(partition.getVector(), dtype=np.int64)
    return {
        "membership": membership,
        "seconds": {"build": build, "leiden": leiden_seconds, "total": build + leiden_seconds},
        "communities": int(np.unique(membership).shape[0]),
    }


def igraph_graph(pairs: Pairs) -> ig.Graph:
    """The undirected weighted igraph Graph of ``pairs``, all edges in one ``add_edges``.

    One call: igraph re-indexes the whole graph after each ``add_edges``, so adding the edges
    in chunks grows quadratically (at 10M follows 22.7 s where one call takes 4.3 s).
    """
    n_nodes, low, high, weights = pairs
    result = ig.Graph(n=n_nodes)
    result.add_edges(np.column_stack((low, high)))
    result.es["weight"] = weights.tolist()
    return result


def igraph_run(pairs: Pairs, seed: int, iterations: int) -> dict[str, Any]:
    """Build igraph's graph and run its Leiden; seconds of each step and the partition."""
    reference, build = _timed(lambda: igraph_graph(pairs))
    random.seed(seed)
    clustering, leiden_seconds = _timed(
        lambda: reference.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=iterations
        )
    )
    return {
        "igraph": reference,
        "membership": np.asarray(clustering.membership, dtype=np.int64),
        "seconds": {"build": build, "leiden": leiden_seconds, "total": build + leiden_seconds},
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


def _repeated(label: str, repeats: int, run: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
    """``repeats`` runs, each reported on stderr as it ends (a run at 50M takes minutes)."""
    runs = []
    for _ in range(repeats):
        runs.append(run())
        steps = ", ".join(f"{step} {value:.1f}" for step, value in runs[-1]["seconds"].items())
        print(f"{label}: {steps} s", file=sys.stderr, flush=True)
        gc.collect()
    return runs


def measure(
    folder: Path, *, repeats: int, seed: int, peers: Sequence[str], converged: bool
) -> dict[str, Any]:
    """Every side ``repeats`` times on ``folder/follows.parquet``; figures as a dict."""
    load_at_start = os.getloadavg()
    _warm_up()
    follows = folder / "follows.parquet"
    ours = _repeated("graphkit", repeats, lambda: graphkit_run(follows, seed))
    graph = ours[-1]["graph"]
    for run in ours[:-1]:
        run.pop("graph")
    gc.collect()
    low, high, weights = undirected_projection(graph).pairs()
    pairs = (graph.n_nodes, low, high, weights)
    converged_ours = (
        _repeated("graphkit converged", repeats, lambda: graphkit_converged_run(graph, seed))
        if converged
        else []
    )
    theirs: dict[str, list[dict[str, Any]]] = {}
    if "networkit" in peers:
        theirs[NETWORKIT_LABEL] = _repeated(
            NETWORKIT_LABEL, repeats, lambda: networkit_run(pairs, seed)
        )
    if "igraph" in peers:
        theirs[IGRAPH_LABEL] = _repeated(IGRAPH_LABEL, repeats, lambda: igraph_run(pairs, seed, 2))
        if converged:
            theirs[IGRAPH_CONVERGED_LABEL] = _repeated(
                IGRAPH_CONVERGED_LABEL, repeats, lambda: igraph_run(pairs, seed, -1)
            )
    load_at_end = os.getloadavg()
    # Scoring: one igraph graph for every partition (the peer's own where it ran).
    reference = theirs[IGRAPH_LABEL][0]["igraph"] if "igraph" in peers else igraph_graph(pairs)

    def score(run: dict[str, Any]) -> dict[str, Any]:
        figures = _public(run)
        figures["modularity"] = reference.modularity(run["membership"].tolist(), weights="weight")
        figures["modularity_graphkit"] = modularity(graph, run["membership"])
        return figures

    scored_ours = [score(run) for run in ours]
    scored_converged = [score(run) for run in converged_ours]
    scored_theirs = {label: [score(run) for run in runs] for label, runs in theirs.items()}
    best_ours = _best(scored_ours)
    figures: dict[str, Any] = {
        "dataset": str(follows),
        "nodes": graph.n_nodes,
        "follows": graph.n_edges,
        "undirected_edges": int(low.shape[0]),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "numba_threads": numba.get_num_threads(),
            "python": platform.python_version(),
            "igraph": ig.__version__,
            "numba": numba.__version__,
            "networkit": networkit_settings() if "networkit" in peers else None,
            "load_average_at_start": load_at_start,
            "load_average_at_end": load_at_end,
        },
        "seed": seed,
        "repeats": repeats,
        "peers": list(peers),
        "graphkit": {"runs": scored_ours, "best": best_ours},
        "graphkit_converged": (
            {"runs": scored_converged, "best": _best(scored_converged)} if converged else None
        ),
        "others": {
            label: {"runs": runs, "best": _best(runs)} for label, runs in scored_theirs.items()
        },
    }
    figures["comparisons"] = {
        label: {
            "speed_up": side["best"]["seconds"]["total"] / best_ours["seconds"]["total"],
            "modularity_difference": best_ours["modularity"]
            - max(run["modularity"] for run in side["runs"]),
        }
        for label, side in figures["others"].items()
    }
    if NETWORKIT_LABEL in figures["comparisons"]:
        versus = figures["comparisons"][NETWORKIT_LABEL]
        figures["targets"] = {
            "speed_up": versus["speed_up"] >= TARGET_SPEED_UP,
            "modularity": versus["modularity_difference"] >= -TARGET_MODULARITY_SLACK,
        }
    return figures


def _totals(runs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{run['seconds']['total']:.1f}" for run in runs)


def _modularities(runs: list[dict[str, Any]]) -> str:
    values = sorted({round(run["modularity"], 4) for run in runs})
    return " / ".join(f"{value:.4f}" for value in values)


def _yes_no(met: bool) -> str:
    return "**yes**" if met else "**no**"


def _target_lines(figures: dict[str, Any]) -> list[str]:
    if "targets" not in figures:
        return []
    versus = figures["comparisons"][NETWORKIT_LABEL]
    theirs = figures["others"][NETWORKIT_LABEL]
    ours = figures["graphkit"]["best"]
    best_theirs = max(run["modularity"] for run in theirs["runs"])
    return [
        "Issue 23's targets against NetworKit's ParallelLeiden:",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| graphkit >= {TARGET_SPEED_UP:g}x faster, graph build included | "
        f"{versus['speed_up']:.2f}x ({theirs['best']['seconds']['total']:.1f} s / "
        f"{ours['seconds']['total']:.1f} s) | {_yes_no(figures['targets']['speed_up'])} |",
        f"| graphkit's modularity >= NetworKit's (best of its runs) - "
        f"{TARGET_MODULARITY_SLACK:g} | {ours['modularity']:.4f} vs {best_theirs:.4f} "
        f"({versus['modularity_difference']:+.4f}) | "
        f"{_yes_no(figures['targets']['modularity'])} |",
        "",
    ]


def markdown(label: str, figures: dict[str, Any]) -> str:
    """The figures of one graph as a markdown report."""
    best = figures["graphkit"]["best"]
    seconds = best["seconds"]
    rows = [
        f"| graphkit `communities` (read + build + projection + Leiden, 2 iterations) | "
        f"{seconds['total']:.1f} s | read {seconds['read']:.1f}, build {seconds['build']:.1f}, "
        f"projection {seconds['projection']:.1f}, Leiden {seconds['leiden']:.1f} | "
        f"{_totals(figures['graphkit']['runs'])} | {best['modularity']:.4f} | "
        f"{best['communities']} |"
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
    for label_other, side in figures["others"].items():
        run = side["best"]
        rows.append(
            f"| {label_other} (graph from int arrays + Leiden) | "
            f"{run['seconds']['total']:.1f} s | build {run['seconds']['build']:.1f}, "
            f"Leiden {run['seconds']['leiden']:.1f} | {_totals(side['runs'])} | "
            f"{_modularities(side['runs'])} | {run['communities']} |"
        )
    machine = figures["machine"]
    start = ", ".join(f"{value:.1f}" for value in machine["load_average_at_start"])
    end = ", ".join(f"{value:.1f}" for value in machine["load_average_at_end"])
    networkit = machine.get("networkit")
    versions = f"igraph {machine['igraph']}, numba {machine['numba']}"
    if networkit:
        defaults = ", ".join(
            f"{name}={value}" for name, value in networkit["parallel_leiden_defaults"].items()
        )
        versions += (
            f", NetworKit {networkit['version']} on {networkit['threads']} threads "
            f"(ParallelLeiden defaults: {defaults})"
        )
    comparisons = [
        f"graphkit is {versus['speed_up']:.2f}x faster than {label_other} (build included), "
        f"modularity {versus['modularity_difference']:+.4f} against its best run."
        for label_other, versus in figures["comparisons"].items()
    ]
    return "\n".join(
        [
            f"# Communities on the {label} benchmark graph",
            "",
            f"{figures['nodes']:,} accounts, {figures['follows']:,} follows, "
            f"{figures['undirected_edges']:,} undirected edges; seed {figures['seed']}; best of "
            f"{figures['repeats']} runs per side in one process ({machine['cpus']} CPUs, "
            f"{machine['numba_threads']} numba threads, Python {machine['python']}, "
            f"{versions}; load average at the start {start}, at the end {end}). "
            "Modularity of every partition by igraph's `Graph.modularity` on the same weighted "
            "undirected graph (all distinct values over the runs where they differ).",
            "",
            "| run | best time | steps (s) | all runs (s) | modularity | communities |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            *comparisons,
            "",
            *_target_lines(figures),
        ]
    )


def summary(recorded: dict[str, dict[str, Any]]) -> str:
    """One row per graph measured: the headline figures, linking each graph's report."""
    rows = []
    for label, figures in sorted(recorded.items(), key=lambda item: _order(item[0])):
        ours = figures["graphkit"]["best"]
        cells = [
            f"[{label}](communities-{label}.md)",
            f"{figures['follows']:,}",
            f"{ours['seconds']['total']:.1f} s ({ours['seconds']['leiden']:.1f} s)",
            f"{ours['modularity']:.4f}",
        ]
        for peer_label in (NETWORKIT_LABEL, IGRAPH_LABEL):
            side = figures["others"].get(peer_label)
            if side is None:
                cells.append("not run")
                continue
            run = side["best"]
            versus = figures["comparisons"][peer_label]
            cells.append(
                f"{run['seconds']['total']:.1f} s ({run['seconds']['leiden']:.1f} s), "
                f"{_modularities(side['runs'])}: {versus['speed_up']:.2f}x"
            )
        targets = figures.get("targets")
        cells.append(
            f"{_yes_no(targets['speed_up'])} / {_yes_no(targets['modularity'])}"
            if targets
            else "not measured"
        )
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(
        [
            "# Communities: graphkit against NetworKit and igraph",
            "",
            "`python -m benchmarks.communities` on each graph (its report linked); times are "
            "the best run, with the Leiden step alone in brackets; a peer's time includes "
            "building its graph from the projection's int arrays, graphkit's reading the file, "
            "building the influence graph and its projection. Targets (issue 23): graphkit "
            f">= {TARGET_SPEED_UP:g}x faster than NetworKit's ParallelLeiden with the build, "
            f"at a modularity >= NetworKit's - {TARGET_MODULARITY_SLACK:g}.",
            "",
            "| graph | follows | graphkit: total (Leiden) | modularity | NetworKit: total "
            "(Leiden), modularity: graphkit's speed-up | igraph: total (Leiden), modularity: "
            "graphkit's speed-up | targets met: 2x / modularity |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def _order(label: str) -> tuple[str, float, str]:
    size, _, model = label.partition("-")
    scale = {"k": 1e3, "M": 1e6, "G": 1e9}.get(size[-1:], 1.0)
    number = float(size[:-1]) if size[-1:] in "kMG" else float(size)
    return (model, number * scale, label)


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _peers(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(PEERS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"peers must be a comma-separated choice of {', '.join(PEERS)}, got {text!r}"
        )
    return list(dict.fromkeys(chosen))


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every side on one graph; write its report, the JSON and the summary."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.communities", description=__doc__)
    parser.add_argument("--size", default="10M", help="edge count label of the dataset")
    parser.add_argument("--model", choices=MODELS, default="realistic", help="graph model")
    parser.add_argument("--data", type=Path, default=DATA_FOLDER, help="generated datasets")
    parser.add_argument("--peers", type=_peers, default=list(PEERS), help="networkit,igraph")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--converged", action="store_true", help="also Leiden to convergence")
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER, help="results folder")
    options = parser.parse_args(argv)
    if options.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {options.repeats}")
    label = dataset_label(options.size, options.model)
    folder = options.data / label
    if not (folder / "follows.parquet").is_file():
        parser.error(
            f"{folder / 'follows.parquet'} not found: run python -m benchmarks.generate "
            f"--edges {options.size} --model {options.model} first"
        )
    figures = measure(
        folder,
        repeats=options.repeats,
        seed=options.seed,
        peers=options.peers,
        converged=options.converged,
    )
    report = markdown(label, figures)
    options.out.mkdir(parents=True, exist_ok=True)
    json_path = options.out / "communities.json"
    recorded = json.loads(json_path.read_text()) if json_path.is_file() else {}
    # Runs recorded before NetworKit joined have another layout: this run's format replaces them.
    recorded = {key: value for key, value in recorded.items() if "others" in value}
    recorded[label] = figures
    _write(options.out / f"communities-{label}.md", report)
    _write(json_path, json.dumps(recorded, indent=2, default=float) + "\n")
    _write(options.out / "communities.md", summary(recorded))
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
