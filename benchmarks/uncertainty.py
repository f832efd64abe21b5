"""Time how sure a ranking is, and how fast an update is, on a generated benchmark graph.

(a) ``--replicates`` bootstrap replicates of PageRank (:mod:`graphkit.algorithms.bootstrap`,
warm-started from the full scores), intervals for the top 1,000 accounts, ranks among all.
(b) The update of issue 19: the graph less a random ``--update`` share of its follows is
ranked first; then the whole graph (those follows added, new accounts included) is ranked
cold and warm-started from the first scores (matched by id, new accounts at the teleport
value, as ``graphkit rank --previous`` does): time and iterations of both, the L1
difference of their scores and whether their top 1,000 agree.

Both run in this process on the follows of ``benchmarks/data/<size>`` (generated when
absent), after one untimed run that compiles the kernels; PageRank times are the best of
``--repeat``.

Example: ``python -m benchmarks.uncertainty --size 10M --threads 2`` writes
``benchmarks/results/uncertainty.json`` and ``uncertainty.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.generate import ensure_dataset, parse_size
from benchmarks.harness import RESULTS_FOLDER
from graphkit.algorithms.bootstrap import bootstrap_pagerank
from graphkit.algorithms.pagerank import PageRankResult, pagerank_run
from graphkit.app.confidence import warm_start
from graphkit.config import set_threads
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset

TOP: int = 1000
T = TypeVar("T")


def best_of(function: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """``function()``'s value and its best time (seconds) over ``repeat`` runs."""
    best = float("inf")
    value: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - started)
    return value, best


def _top(graph: SocialGraph, scores: np.ndarray) -> list[str]:
    # Accounts of mathematically equal score (the same followers, say) differ in the last bits
    # by the path the solver took; scores equal to 11 digits count as tied, ordered by id.
    rounded = np.asarray([float(f"{score:.11g}") for score in scores])
    order = np.lexsort((np.asarray(graph.ids.to_numpy(zero_copy_only=False)), -rounded))
    return [str(graph.ids[int(node)]) for node in order[:TOP]]


def measure_bootstrap(follows: pa.Table, replicates: int, seed: int, repeat: int) -> dict[str, Any]:
    """Time ``replicates`` bootstrap replicates on the whole follow graph."""
    graph, build_seconds = best_of(
        lambda: build_graph(Dataset(follows=follows), square_weights=True)
    )
    full, cold_seconds = best_of(lambda: pagerank_run(graph), repeat)
    top = np.argsort(-full.scores, kind="stable")[:TOP]
    bootstrap_pagerank(graph, full.scores, nodes=top, replicates=1, seed=seed)  # compile
    intervals, seconds = best_of(
        lambda: bootstrap_pagerank(graph, full.scores, nodes=top, replicates=replicates, seed=seed)
    )
    widths = intervals.rank_high - intervals.rank_low
    return {
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "build_with_square_weights_seconds": round(build_seconds, 3),
        "cold_pagerank_seconds": round(cold_seconds, 4),
        "cold_iterations": full.iterations,
        "replicates": replicates,
        "bootstrap_seconds": round(seconds, 2),
        "seconds_per_replicate": round(seconds / replicates, 4),
        "median_rank_interval_width_top_1000": float(np.median(widths)),
        "median_rank_interval_width_top_10": float(np.median(widths[:10])),
    }


def measure_update(follows: pa.Table, share: float, seed: int, repeat: int) -> dict[str, Any]:
    """Rank the graph less ``share`` of its follows, then the whole graph cold and warm."""
    rng = np.random.default_rng(seed)
    held_out = rng.random(follows.num_rows) < share
    before = build_graph(Dataset(follows=follows.filter(pa.array(~held_out))))
    after = build_graph(Dataset(follows=follows))
    earlier = pagerank_run(before)
    previous = pl.DataFrame(
        {"id": pl.Series(before.ids).cast(pl.String), "pagerank": earlier.scores}
    )
    start, matched = warm_start(after, previous)
    cold: PageRankResult
    warm: PageRankResult
    cold, cold_seconds = best_of(lambda: pagerank_run(after), repeat)
    warm, warm_seconds = best_of(lambda: pagerank_run(after, start=start), repeat)
    return {
        "new_follows": int(held_out.sum()),
        "new_accounts": after.n_nodes - matched,
        "cold_seconds": round(cold_seconds, 4),
        "cold_iterations": cold.iterations,
        "warm_seconds": round(warm_seconds, 4),
        "warm_iterations": warm.iterations,
        "time_ratio": round(warm_seconds / cold_seconds, 3),
        "iteration_ratio": round(warm.iterations / cold.iterations, 3),
        "l1_difference": float(np.abs(warm.scores - cold.scores).sum()),
        "same_top_1000": _top(after, warm.scores) == _top(after, cold.scores),
    }


def _markdown(record: dict[str, Any]) -> str:
    boot = record["bootstrap"]
    update = record["update"]
    targets = [
        ("100 replicates <= 60 s", boot["bootstrap_seconds"], boot["bootstrap_seconds"] <= 60),
        ("update: time <= 25% of cold", update["time_ratio"], update["time_ratio"] <= 0.25),
        ("update: iterations <= 25% of cold", update["iteration_ratio"],
         update["iteration_ratio"] <= 0.25),
        ("update: L1 <= 1e-9 of cold", update["l1_difference"], update["l1_difference"] <= 1e-9),
        ("update: same top 1,000", update["same_top_1000"], update["same_top_1000"]),
    ]  # fmt: skip
    lines = [
        "# How sure, and how fast an update: bootstrap and warm start",
        "",
        f"Measured {record['measured']} with `{record['command']}` on {record['machine']}, "
        f"{record['threads']} threads; follows of the {record['size']} benchmark graph "
        f"({boot['nodes']:,} accounts, {boot['edges']:,} edges).",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| bootstrap: {key} | {value} |" for key, value in boot.items()),
        *(f"| update: {key} | {value} |" for key, value in update.items()),
        "",
        "| target (issue 19) | measured | met |",
        "|---|---|---|",
        *(f"| {name} | {value} | {'yes' if met else 'no'} |" for name, value, met in targets),
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.uncertainty", description=__doc__)
    parser.add_argument("--size", default="10M", help="edges of the generated graph (1M, 10M)")
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--update", type=float, default=0.001, help="share of follows added")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="PageRank runs, best kept")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER / "uncertainty.json")
    options = parser.parse_args(argv)
    threads = set_threads(options.threads)
    folder = Path(ensure_dataset(parse_size(options.size)).folder)
    follows = pq.read_table(folder / "follows.parquet")
    tiny = Dataset(follows=pa.table({"follower": ["a", "b"], "followed": ["b", "a"]}))
    pagerank_run(build_graph(tiny))  # compile outside the timing
    record = {
        "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "python -m benchmarks.uncertainty " + " ".join(argv or []),
        "machine": f"{platform.processor() or platform.machine()}, {platform.platform()}",
        "threads": threads,
        "size": options.size,
        "bootstrap": measure_bootstrap(follows, options.replicates, options.seed, options.repeat),
        "update": measure_update(follows, options.update, options.seed, options.repeat),
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    options.out.with_suffix(".md").write_text(_markdown(record), encoding="utf-8")
    print(_markdown(record))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
