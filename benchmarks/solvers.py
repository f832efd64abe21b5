"""PageRank solvers side by side: iterations and time to graphkit's default tolerance.

For each graph (generated benchmark folders and the real graphs of the shared data), the same
graph is ranked by plain power steps and by the default solver (dangling accounts lumped,
Anderson mixing of memory ``m``, power steps to finish: :mod:`graphkit.kernels.anderson`)
with several memories, all to L1 change 1e-10 at damping 0.85. Reported: iterations, the best
of ``--repeat`` times, the L1 distance to the power steps' scores, and igraph's PRPACK (a
direct solver) on the same graph for scale. Every kernel is compiled before timing.

Example: ``python -m benchmarks.solvers --data benchmarks/data/10M
benchmarks/data/10M-realistic --shared ../shared/data`` writes
``benchmarks/results/solvers.json`` and ``solvers.md``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from benchmarks.harness import RESULTS_FOLDER
from benchmarks.uncertainty import best_of
from graphkit.algorithms.pagerank import pagerank_run
from graphkit.config import set_threads
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset

MEMORIES = (2, 3, 5, 8)
# The real graphs of the shared data: (name, file under the data folder, directed follows).
SHARED_GRAPHS = (
    ("ego-twitter", "ego-twitter/twitter_combined.txt"),
    ("higgs-retweet", "higgs-twitter/higgs-retweet_network.edgelist"),
    ("email-eu-core", "email-eu-core/email-Eu-core.txt"),
)


def _edge_list(path: Path) -> pa.Table:
    """Follows from a whitespace-separated edge list (first two columns)."""
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(autogenerate_column_names=True),
        parse_options=pacsv.ParseOptions(delimiter=" "),
        convert_options=pacsv.ConvertOptions(column_types={"f0": pa.string(), "f1": pa.string()}),
    )
    return pa.table({"follower": table.column("f0"), "followed": table.column("f1")})


def _folder_follows(folder: Path) -> pa.Table:
    parquet = folder / "follows.parquet"
    if parquet.exists():
        return pq.read_table(parquet, columns=["follower", "followed"])
    return pacsv.read_csv(folder / "follows.csv").select(["follower", "followed"])


def measure(name: str, graph: SocialGraph, repeat: int) -> dict[str, Any]:
    """Iterations and time of each solver on ``graph``."""
    # The module, not the function graphkit.algorithms re-exports under the same name.
    module = importlib.import_module("graphkit.algorithms.pagerank")
    default_memory = module.ANDERSON_MEMORY
    record: dict[str, Any] = {
        "graph": name,
        "accounts": graph.n_nodes,
        "edges": graph.n_edges,
        "dangling_share": float((graph.out_weight == 0).mean()),
        "methods": [],
    }
    power, seconds = best_of(lambda: pagerank_run(graph, solver="power"), repeat)
    record["methods"].append(
        {"method": "power", "iterations": power.iterations, "seconds": seconds, "l1": 0.0}
    )
    for memory in MEMORIES:
        module.ANDERSON_MEMORY = memory
        try:
            pagerank_run(graph)  # the lumped layout, once per graph (as in any command)
            mixed, seconds = best_of(lambda: pagerank_run(graph), repeat)
        finally:
            module.ANDERSON_MEMORY = default_memory
        record["methods"].append(
            {
                "method": f"anderson m={memory}"
                + (" (default)" if memory == default_memory else ""),
                "iterations": mixed.iterations,
                "seconds": seconds,
                "l1": float(np.abs(mixed.scores - power.scores).sum()),
            }
        )
    record["methods"].append(_prpack(graph, repeat, power.scores))
    return record


def _prpack(graph: SocialGraph, repeat: int, reference: np.ndarray) -> dict[str, Any]:
    """igraph's PRPACK on the same weighted graph (graph build not timed)."""
    import igraph as ig

    targets = np.repeat(np.arange(graph.n_nodes), np.diff(graph.in_indptr))
    edges = np.column_stack([graph.in_sources, targets])
    view = ig.Graph(n=graph.n_nodes, edges=edges, directed=True)
    view.es["weight"] = graph.in_weights
    scores, seconds = best_of(
        lambda: np.asarray(view.pagerank(damping=0.85, weights="weight", implementation="prpack")),
        repeat,
    )
    return {
        "method": "igraph PRPACK",
        "iterations": None,
        "seconds": seconds,
        "l1": float(np.abs(scores - reference).sum()),
    }


def _markdown(records: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    lines = [
        "# PageRank solvers: iterations and time to L1 change 1e-10 (damping 0.85)",
        "",
        f"Machine: {machine['machine']}; threads: {machine['threads']}; "
        f"Python {machine['python']}. Times are the best of {machine['repeat']} runs, graph "
        "build excluded; `l1` is the distance to the power steps' scores.",
        "",
        "| graph | accounts | edges | dangling | method | iterations | time (s) | l1 |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for record in records:
        for index, method in enumerate(record["methods"]):
            head = (
                f"| {record['graph']} | {record['accounts']:,} | {record['edges']:,} | "
                f"{record['dangling_share']:.0%} "
                if index == 0
                else "| | | | "
            )
            iterations = "" if method["iterations"] is None else str(method["iterations"])
            lines.append(
                f"{head}| {method['method']} | {iterations} | {method['seconds']:.3f} | "
                f"{method['l1']:.1e} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="*", type=Path, default=[], help="generated folders")
    parser.add_argument("--shared", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER)
    options = parser.parse_args(argv)
    threads = set_threads(options.threads or None)
    sources: list[tuple[str, Callable[[], pa.Table]]] = [
        (folder.name, lambda folder=folder: _folder_follows(folder)) for folder in options.data
    ]
    if options.shared is not None:
        sources += [
            (name, lambda path=options.shared / relative: _edge_list(path))
            for name, relative in SHARED_GRAPHS
            if (options.shared / relative).exists()
        ]
    warm = build_graph(Dataset(follows=pa.table({"follower": ["a", "b"], "followed": ["b", "c"]})))
    pagerank_run(warm)
    pagerank_run(warm, solver="power")
    records = []
    for name, read in sources:
        graph = build_graph(Dataset(follows=read()))
        records.append(measure(name, graph, options.repeat))
        print(json.dumps(records[-1]), flush=True)
    machine = {
        "machine": f"{platform.processor() or platform.machine()}, {threads} threads",
        "threads": threads,
        "python": platform.python_version(),
        "repeat": options.repeat,
    }
    options.out.mkdir(parents=True, exist_ok=True)
    record = {"machine": machine, "graphs": records}
    (options.out / "solvers.json").write_text(json.dumps(record, indent=1))
    (options.out / "solvers.md").write_text(_markdown(records, machine))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
