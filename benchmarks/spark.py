"""The Spark engine beside the local one: ``graphkit rank`` end to end on generated graphs.

Each engine runs ``graphkit rank --follows follows.parquet --top 0 -o ranking.csv`` in a
fresh process; the whole process tree (Python and, for Spark, its JVM) is sampled with psutil
for its peak resident memory and its CPU time. The rankings are then compared node by node.

Example: ``python -m benchmarks.spark --sizes 1M,10M`` (graphs from ``python -m
benchmarks.generate --edges 1M --seed 1``, made here when missing) writes
``benchmarks/results/spark.md`` and ``spark.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import polars as pl

from benchmarks.generate import ensure_dataset, format_size, parse_size

RESULTS_FOLDER: Final = Path(__file__).resolve().parent / "results"
SAMPLE_SECONDS: Final = 0.2
TOP_COMPARED: Final = 100


@dataclass(frozen=True)
class EngineRun:
    """One end-to-end run of one engine."""

    engine: str
    seconds: float
    peak_rss_bytes: int
    cpu_seconds: float
    returncode: int
    stderr_tail: str


def measure_tree(command: Sequence[str], *, timeout: float, stderr_path: Path) -> EngineRun:
    """Run ``command``; sample the RSS and CPU time of it and all its descendants."""
    import psutil

    start = time.perf_counter()
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        root = psutil.Process(process.pid)
        peak = 0
        cpu_by_pid: dict[int, float] = {}
        while process.poll() is None:
            if time.perf_counter() - start > timeout:
                for child in root.children(recursive=True):
                    child.kill()
                process.kill()
                break
            total = 0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                members = []
            for member in members:
                try:
                    total += member.memory_info().rss
                    times = member.cpu_times()
                    cpu_by_pid[member.pid] = times.user + times.system
                except psutil.NoSuchProcess:
                    continue
            peak = max(peak, total)
            time.sleep(SAMPLE_SECONDS)
        process.wait()
    seconds = time.perf_counter() - start
    tail = stderr_path.read_text(errors="replace")[-1500:]
    return EngineRun(
        engine=command[-1],
        seconds=seconds,
        peak_rss_bytes=peak,
        cpu_seconds=sum(cpu_by_pid.values()),
        returncode=process.returncode,
        stderr_tail=tail,
    )


def compare_rankings(local: Path, spark: Path) -> dict[str, Any]:
    """Largest PageRank difference per node and whether the top 100 order is the same."""
    schema = {"id": pl.String}
    ours = pl.read_csv(spark, columns=["id", "pagerank"], schema_overrides=schema)
    theirs = pl.read_csv(local, columns=["id", "pagerank"], schema_overrides=schema)
    joined = theirs.join(ours, on="id", how="full", suffix="_spark")
    both = joined.drop_nulls()
    difference = np.abs(both["pagerank"].to_numpy() - both["pagerank_spark"].to_numpy())
    return {
        "nodes_local": theirs.height,
        "nodes_spark": ours.height,
        "max_abs_difference": float(difference.max()) if difference.shape[0] else None,
        "same_top_order": ours["id"].head(TOP_COMPARED).to_list()
        == theirs["id"].head(TOP_COMPARED).to_list(),
    }


def _command(engine: str, follows: Path, output: Path, master: str, tolerance: float) -> list[str]:
    command = [sys.executable, "-m", "graphkit.cli.main", "rank", "--follows", str(follows),
               "--top", "0", "--tolerance", repr(tolerance), "-q", "-o", str(output)]  # fmt: skip
    if engine == "spark":
        command += ["--spark-master", master]
    return [*command, "--engine", engine]


def run_size(
    edges: int, *, seed: int, master: str, tolerance: float, timeout: float
) -> dict[str, Any]:
    """Both engines on the ``edges`` graph of ``seed``."""
    dataset = ensure_dataset(edges, seed=seed)
    follows = Path(dataset.folder) / "follows.parquet"
    record: dict[str, Any] = {"edges": edges, "follows": str(follows), "runs": {}}
    with tempfile.TemporaryDirectory() as work:
        outputs = {}
        for engine in ("local", "spark"):
            output = Path(work) / f"{engine}.csv"
            run = measure_tree(
                _command(engine, follows, output, master, tolerance),
                timeout=timeout,
                stderr_path=Path(work) / f"{engine}.stderr",
            )
            record["runs"][engine] = asdict(run)
            outputs[engine] = output
            print(
                f"{format_size(edges)} {engine}: {run.seconds:.1f} s, "
                f"{run.peak_rss_bytes / 2**30:.2f} GiB, cpu {run.cpu_seconds:.1f} s, "
                f"exit {run.returncode}",
                file=sys.stderr,
            )
        if all(record["runs"][engine]["returncode"] == 0 for engine in outputs):
            record["agreement"] = compare_rankings(outputs["local"], outputs["spark"])
    return record


def write_report(records: list[dict[str, Any]], out: Path, settings: dict[str, Any]) -> None:
    """``spark.json`` and ``spark.md`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "spark.json").write_text(
        json.dumps({"settings": settings, "sizes": records}, indent=2) + "\n"
    )
    lines = [
        "# The Spark engine beside the local one",
        "",
        "`graphkit rank --follows follows.parquet --top 0 -o ranking.csv` end to end in a fresh "
        f"process per run, local engine vs `--engine spark --spark-master {settings['master']}`"
        f" (PageRank tolerance {settings['tolerance']:g}); memory is the peak RSS of the whole "
        "process tree (Python and the JVM), CPU the user + system time of the tree. "
        f"{settings['machine']}; load average {settings['load_before']} before, "
        f"{settings['load_after']} after{settings['note']}.",
        "",
        "| edges | engine | time | peak memory (tree) | CPU time | agreement |",
        "|---|---|---|---|---|---|",
    ]
    for record in records:
        agreement = record.get("agreement")
        for engine in ("local", "spark"):
            run = record["runs"][engine]
            status = "" if run["returncode"] == 0 else f"failed (exit {run['returncode']})"
            if engine == "spark" and agreement is not None:
                same = "same" if agreement["same_top_order"] else "different"
                status = (
                    f"max abs PageRank difference {agreement['max_abs_difference']:.1e}, "
                    f"{same} top-100 order"
                )
            lines.append(
                f"| {format_size(record['edges'])} | {engine} | {run['seconds']:.1f} s | "
                f"{run['peak_rss_bytes'] / 2**30:.2f} GiB | {run['cpu_seconds']:.1f} s | "
                f"{status} |"
            )
    (out / "spark.md").write_text("\n".join(lines) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison for each size and write the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark", description=__doc__)
    parser.add_argument("--sizes", default="1M,10M", help="edge counts, e.g. 1M,10M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--master", default="local[*]", help="Spark master")
    parser.add_argument("--tolerance", type=float, default=1e-10)
    parser.add_argument("--timeout", type=float, default=7200.0, help="seconds per run")
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER)
    parser.add_argument("--note", default="", help="remark added to the report")
    options = parser.parse_args(argv)
    load_before = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    records = [
        run_size(
            parse_size(size),
            seed=options.seed,
            master=options.master,
            tolerance=options.tolerance,
            timeout=options.timeout,
        )
        for size in options.sizes.split(",")
    ]
    settings = {
        "master": options.master,
        "tolerance": options.tolerance,
        "seed": options.seed,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load_before": load_before,
        "load_after": ", ".join(f"{value:.1f}" for value in os.getloadavg()),
        "note": f"; {options.note}" if options.note else "",
    }
    write_report(records, options.out, settings)
    print((options.out / "spark.md").read_text())
    ok = all(run["returncode"] == 0 for record in records for run in record["runs"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
