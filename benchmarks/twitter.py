"""A Twitter-sized graph ranked end to end on one machine, against the COST figures.

Runs ``graphkit rank FOLLOWS --top 0 -v`` on a generated graph of integer ids (by default the
size of twitter_rv: ``python -m benchmarks.generate --edges 1.47B --accounts 41.7M --model
realistic --integer-ids``) under the profiler, in a child process whose peak memory the
kernel reports, and writes the time per phase, the peak RSS and the PageRank time per edge and
iteration to ``benchmarks/results/twitter.json`` and ``twitter.md``.

The COST anchor (McSherry, Isard, Murray: "Scalability! But at what COST?", HotOS 2015): 20
PageRank iterations over twitter_rv (41.7M accounts, 1.47B follows) took about 300 s on one
thread of a laptop (10.2 ns per edge and iteration), 110 s in Hilbert-curve order (3.7 ns);
GraphBLAS/LAGraph does about 10.7 ns per edge and iteration per core on a 20-core server.

Example: ``python -m benchmarks.twitter --data benchmarks/data/1.47B-realistic-41.7M-accounts-int``.
This runs for many minutes and needs most of a 24 GiB machine: never in CI.
"""

from __future__ import annotations

import argparse
import json
import pstats
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.generate import read_manifest
from benchmarks.harness import RESULTS_FOLDER, run_process
from benchmarks.machine import machine_info

DEFAULT_DATA = Path("benchmarks/data/1.47B-realistic-41.7M-accounts-int")
# (what, seconds, iterations, edges) of the COST paper's PageRank runs on twitter_rv.
COST_RUNS = (
    ("COST: one thread, vertex order", 300.0, 20, 1_468_365_182),
    ("COST: one thread, Hilbert order", 110.0, 20, 1_468_365_182),
)
GRAPHBLAS_NS_PER_EDGE_CORE = 10.7
# Functions whose time the profile reports (cumulative seconds).
PROFILED = {
    "build_graph": "building the graph",
    "build_streamed_graph": "two-pass build",
    "iter_integer_follows": "reading the Parquet batches (both passes)",
    "count_batch_kernel": "pass 1: first appearances and degrees",
    "place_batch_kernel": "pass 2: placing the edges",
    "sort_rows": "sorting each account's followers",
    "pagerank_run": "PageRank",
    "_anderson_phase": "lumped layout and Anderson state",
    "score_error_bounds": "certified order: error bounds",
    "rank_table": "ranking (PageRank, bounds, table)",
    "write_frame": "writing the ranking",
}
# The console script under the profiler (which must dump its statistics before the script's
# fast exit would skip it).
_PROFILED_CLI = """
import cProfile, sys
from graphkit.cli.main import _ordinary_pages_for_fresh_memory, cli
_ordinary_pages_for_fresh_memory()
profile = cProfile.Profile()
try:
    profile.runcall(cli, sys.argv[2:], prog_name="graphkit", standalone_mode=False)
finally:
    profile.dump_stats(sys.argv[1])
"""
_PHASE = re.compile(r"^(Reading tables|Building graph|Ranking|Writing)\b.*?: ([0-9.]+) s$")
_ITERATIONS = re.compile(r"Ranking \(([0-9,]+) iterations")


def run(data: Path, threads: int, timeout: float) -> dict[str, Any]:
    """Rank ``data``'s follows once and return the measurements."""
    dataset = read_manifest(data)
    if dataset is None:
        raise SystemExit(f"error: no generated dataset in {data} (see benchmarks.generate)")
    work = Path(tempfile.mkdtemp(prefix="graphkit-twitter-"))
    profile = work / "rank.prof"
    command = [
        sys.executable, "-c", _PROFILED_CLI, str(profile),
        "rank", str(data / "follows.parquet"), "--top", "0", "--threads", str(threads),
        "-o", str(work / "ranking.csv"), "-v",
    ]  # fmt: skip
    process = run_process(command, stderr_path=work / "stderr.txt", timeout=timeout)
    stderr = (work / "stderr.txt").read_text(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"error: graphkit rank failed:\n{process.stderr_tail}")
    phases = {
        match.group(1): float(match.group(2))
        for line in stderr.splitlines()
        if (match := _PHASE.match(line.strip()))
    }
    found = _ITERATIONS.search(stderr)
    iterations = int(found.group(1).replace(",", "")) if found else 0
    stats = pstats.Stats(str(profile))
    profiled: dict[str, float] = {}
    for (_, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if name in PROFILED:
            profiled[name] = max(profiled.get(name, 0.0), float(row[3]))
    ranking_rows = sum(1 for _ in (work / "ranking.csv").open()) - 1
    pagerank = profiled.get("pagerank_run", 0.0)
    edges = dataset.edges
    return {
        "data": str(data),
        "edges": edges,
        "accounts": dataset.nodes,
        "rows_written": ranking_rows,
        "threads": threads,
        "seconds": round(process.seconds, 2),
        "peak_rss_bytes": process.peak_rss_bytes,
        "other_load": round(process.other_load, 2),
        "phases": phases,
        "profiled_seconds": {name: round(value, 2) for name, value in profiled.items()},
        "iterations": iterations,
        "pagerank_ns_per_edge_iteration": (
            round(pagerank * 1e9 / (edges * iterations), 2) if iterations else None
        ),
        "machine": machine_info(),
    }


def report(result: dict[str, Any]) -> str:
    """The Markdown summary of a run."""
    gib = result["peak_rss_bytes"] / 2**30
    per_edge = result["pagerank_ns_per_edge_iteration"]
    machine = result["machine"]
    lines = [
        "# A Twitter-sized graph on one machine",
        "",
        f"Graph: `{result['data']}` ({result['edges']:,} follows, {result['accounts']:,} "
        "accounts, integer ids, Parquet). Machine: "
        f"{machine.get('cpu', '?')}, {result['threads']} threads, "
        f"{int(machine.get('memory_bytes') or 0) / 2**30:.1f} GiB; other load during the run "
        f"{result['other_load']} cores.",
        "",
        f"- End to end (`graphkit rank --top 0`, all {result['rows_written']:,} accounts "
        f"written): **{result['seconds']:.1f} s**, peak RSS **{gib:.2f} GiB**",
        f"- PageRank: {result['iterations']} iterations to L1 change 1e-10, "
        f"**{per_edge} ns per edge and iteration** (wall time on {result['threads']} threads)",
        "",
        "| phase | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {value:.1f} |" for name, value in result["phases"].items()]
    lines += ["", "| step (profile, cumulative) | seconds |", "|---|---:|"]
    lines += [
        f"| {PROFILED[name]} | {value:.1f} |"
        for name, value in sorted(result["profiled_seconds"].items(), key=lambda item: -item[1])
    ]
    lines += ["", "| against COST | ns per edge and iteration |", "|---|---:|"]
    for what, seconds, iterations, edges in COST_RUNS:
        lines.append(f"| {what} | {seconds * 1e9 / (iterations * edges):.1f} |")
    lines.append(
        f"| GraphBLAS/LAGraph, per core (20-core server) | {GRAPHBLAS_NS_PER_EDGE_CORE:.1f} |"
    )
    lines.append(f"| graphkit, wall on {result['threads']} cores | {per_edge} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.twitter [--data DIR] [--threads 2]``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.twitter", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="generated folder")
    parser.add_argument("--threads", type=int, default=2, help="threads (default 2)")
    parser.add_argument("--timeout", type=float, default=7_200.0, help="seconds (default 7200)")
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER, help="results folder")
    arguments = parser.parse_args(argv)
    result = run(arguments.data, arguments.threads, arguments.timeout)
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "twitter.json").write_text(json.dumps(result, indent=2) + "\n")
    (arguments.out / "twitter.md").write_text(report(result))
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
