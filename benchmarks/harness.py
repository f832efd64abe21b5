"""Side-by-side benchmark of graphkit against igraph, NetworKit and networkx, in one run.

For each size, every (stage, tool) pair runs in a fresh process (:mod:`benchmarks.stages`),
one after the other, so that each measurement has the machine to itself and its peak memory
is its own. The same run measures the machine's streaming bandwidth and gather rates
(:mod:`benchmarks.machine`), checks that graphkit's PageRank agrees with igraph's, and writes
``results.json`` and ``results.md`` (:mod:`benchmarks.report`).

Example
-------
``python -m benchmarks.harness --sizes 1M,10M --peers igraph,networkit,networkx``

Datasets missing from ``benchmarks/data/<size>/`` are generated first
(:mod:`benchmarks.generate`). The stages run a copy of graphkit taken when the run starts
(``--no-snapshot`` runs the working tree), and each waits for other processes to leave the
CPUs idle (``--idle-wait``): on a 2-core machine one busy neighbour can slow a 2-thread
kernel several times over.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from benchmarks.generate import (
    DATA_FOLDER,
    MODEL_VERSIONS,
    MODELS,
    GeneratedDataset,
    format_size,
    parse_size,
    read_manifest,
)
from benchmarks.machine import DEFAULT_GATHER_COUNT, DEFAULT_STREAM_BYTES
from benchmarks.report import evaluate_targets, render_markdown
from benchmarks.stages import (
    GRAPH_FILE,
    INGEST_TOOLS,
    PEERS,
    STAGES,
    scores_file,
)

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
RESULTS_FOLDER: Final = Path(__file__).resolve().parent / "results"
RESULTS_SCHEMA: Final = 1
DEFAULT_SIZES: Final = "1M,10M"
DEFAULT_TOLERANCE: Final = 1e-10  # graphkit's default L1 tolerance
DEFAULT_DAMPING: Final = 0.85
NETWORKX_MAX_EDGES: Final = 1_000_000
# Scores may differ by this much (absolute) between graphkit and igraph (the agreement the
# README promises).
AGREEMENT_TOLERANCE: Final = 1e-8
TOP_COMPARED: Final = 100
WARM_UP_EDGES: Final = 2_000
_STEP_LINE: Final = re.compile(r"^(?P<label>[^:]+): (?P<seconds>\d+(?:\.\d+)?) s$")


@dataclass(frozen=True)
class HarnessOptions:
    """Settings of one harness run (see ``python -m benchmarks.harness -h``)."""

    sizes: tuple[int, ...]
    peers: tuple[str, ...] = PEERS
    repeat: int = 1
    seed: int = 1
    model: str = "powerlaw"
    data: Path = DATA_FOLDER
    out: Path = RESULTS_FOLDER
    damping: float = DEFAULT_DAMPING
    tolerance: float = DEFAULT_TOLERANCE
    threads: int = 0
    pagerank_repeat: int = 3
    networkx_max_edges: int = NETWORKX_MAX_EDGES
    stream_bytes: int = DEFAULT_STREAM_BYTES
    gather_count: int = DEFAULT_GATHER_COUNT
    stage_timeout: float = 1800.0
    idle_wait: float = 120.0
    snapshot: bool = True
    warm_up: bool = True
    quiet: bool = False


@dataclass(frozen=True)
class ProcessRun:
    """How a child process ended.

    Attributes
    ----------
    returncode
        Exit status (negative: killed by that signal).
    seconds
        Wall time from start to exit.
    peak_rss_bytes
        Peak resident memory of the process and its children (``wait4``'s ``ru_maxrss``).
    timed_out
        Whether it was killed for running past the stage timeout.
    stderr_tail
        The end of what it printed on stderr.
    other_load
        Cores kept busy by other processes meanwhile, on average (machine CPU time minus the
        process's own, over its wall time): interference that makes the timing unreliable.
    """

    returncode: int
    seconds: float
    peak_rss_bytes: int
    timed_out: bool
    stderr_tail: str
    other_load: float = 0.0


def run_process(
    command: Sequence[str], *, stderr_path: Path, timeout: float, code_root: Path = REPO_ROOT
) -> ProcessRun:
    """Run a command to completion in its own session and measure its time and memory.

    The command runs in ``code_root``, which is also put first on ``PYTHONPATH``, so that it
    imports graphkit, the CLI and the benchmarks from there.
    """
    killed = threading.Event()
    busy_before = _machine_busy_seconds()
    start = time.perf_counter()
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            list(command),
            cwd=code_root,
            env=_child_environment(code_root),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )

        def kill_group() -> None:
            killed.set()
            os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill_group)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
    seconds = time.perf_counter() - start
    own_cpu_seconds = usage.ru_utime + usage.ru_stime
    other_cpu_seconds = _machine_busy_seconds() - busy_before - own_cpu_seconds
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr_text = stderr_path.read_text(errors="replace")
    return ProcessRun(
        returncode=process.returncode,
        seconds=seconds,
        peak_rss_bytes=int(usage.ru_maxrss) * 1024,
        timed_out=killed.is_set(),
        stderr_tail="\n".join(stderr_text.strip().splitlines()[-15:]),
        other_load=max(0.0, other_cpu_seconds / seconds) if seconds > 0 else 0.0,
    )


def wait_for_quiet_machine(
    max_wait: float, *, threshold: float = 0.25, window: float = 1.0
) -> tuple[float, float]:
    """Wait until other processes use less than ``threshold`` of a core, at most ``max_wait`` s.

    Returns
    -------
    waited, load
        Seconds waited, and the cores other processes kept busy over the last ``window``.
    """
    start = time.perf_counter()
    while True:
        before = _machine_busy_seconds()
        time.sleep(window)
        load = (_machine_busy_seconds() - before) / window
        waited = time.perf_counter() - start
        if load < threshold or waited >= max_wait:
            return waited, load


def _machine_busy_seconds() -> float:
    """CPU seconds spent busy by all cores since boot (from /proc/stat; 0 where missing)."""
    try:
        with Path("/proc/stat").open() as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    busy = sum(fields[:8]) - idle  # user .. steal; guest time is already inside user
    return busy / os.sysconf("SC_CLK_TCK")


def _child_environment(code_root: Path) -> dict[str, str]:
    environment = dict(os.environ)
    paths = [str(code_root), *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return environment


def source_fingerprint(code_root: Path = REPO_ROOT) -> str:
    """A short hash of graphkit's and the CLI's Python sources, to notice edits mid-run."""
    digest = hashlib.sha256()
    for folder in ("graphkit", "cli"):
        for path in sorted((code_root / folder).rglob("*.py")):
            digest.update(path.relative_to(code_root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def make_snapshot(target: Path) -> Path:
    """Copy graphkit, the CLI and the benchmark modules to ``target``; return ``target``.

    Every stage then runs this copy, so that edits made to the working tree during a long
    run do not mix versions within it. numba compiles the copy's kernels on first use (the
    warm-up run does that outside the measurements).
    """
    import graphkit

    shutil.rmtree(target, ignore_errors=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    # graphkit/cli links the project's cli/ folder: the copy holds its files.
    shutil.copytree(Path(graphkit.__file__ or "").parent, target / "graphkit", ignore=skip)
    benchmarks = target / "benchmarks"
    benchmarks.mkdir()
    for module in Path(__file__).parent.glob("*.py"):
        shutil.copy2(module, benchmarks / module.name)
    return target


def graphkit_command() -> list[str]:
    """The ``graphkit`` console script next to this Python, or ``python -m graphkit.cli.main``."""
    script = shutil.which("graphkit", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "graphkit.cli.main"]


class Harness:
    """Runs the stages of one benchmark and collects their results.

    Parameters
    ----------
    options
        What to run.
    arguments
        The command-line arguments the options came from, recorded in the results.
    """

    def __init__(self, options: HarnessOptions, arguments: Sequence[str] = ()) -> None:
        self.options = options
        self.code_root = REPO_ROOT
        self.results: dict[str, Any] = {
            "schema": RESULTS_SCHEMA,
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "settings": {
                **{
                    key: value
                    for key, value in asdict(options).items()
                    if key not in ("data", "out", "quiet")
                },
                "sizes": [format_size(edges) for edges in options.sizes],
                "agreement_tolerance": AGREEMENT_TOLERANCE,
                "top_compared": TOP_COMPARED,
                "arguments": list(arguments),
            },
            "sizes": {},
        }

    # -- orchestration --

    def run(self) -> dict[str, Any]:
        """Measure the machine, warm the caches, then benchmark every size in turn."""
        self.options.out.mkdir(parents=True, exist_ok=True)
        if self.options.snapshot:
            self.code_root = make_snapshot(self.options.data / "_snapshot")
            self._log(f"running a snapshot of graphkit in {self.code_root}")
        self.results["graphkit_source"] = {
            "snapshot": self.options.snapshot,
            "fingerprint": source_fingerprint(self.code_root),
        }
        self._log("measuring the machine")
        self._wait_for_quiet()
        machine = self._stage_outcome("machine", None, None)
        self.results["machine"] = machine.get("details", {}).get("machine")
        self.results["bandwidth"] = machine.get("details", {}).get("bandwidth")
        if machine.get("error"):
            self.results["machine_error"] = machine["error"]
        if self.options.warm_up:
            self._warm_up()
        for edges in self.options.sizes:
            label = format_size(edges)
            self._log(f"size {label}")
            self.results["sizes"][label] = self._run_size(edges)
            self._write()
        self.results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._write()
        return self.results

    def _warm_up(self) -> None:
        """Compile graphkit's numba kernels into their cache and load every library once."""
        self._log("warming up (JIT caches, imports)")
        dataset = self._dataset(WARM_UP_EDGES, self.options.data / "_warm_up")
        work = Path(dataset.folder) / "work"
        self._stage_outcome("prepare", None, dataset, work=work)
        for stage in ("build", "pagerank", "end_to_end"):
            for tool in self._tools(stage, WARM_UP_EDGES):
                record = self._measure_now(stage, tool, dataset, work)
                if record.get("error"):
                    self._log(f"  warm-up {stage} {tool}: {_summary(record)}")

    def _run_size(self, edges: int) -> dict[str, Any]:
        label = format_size(edges)
        source_before = source_fingerprint(self.code_root)
        folder_name = label if self.options.model == "powerlaw" else f"{label}-{self.options.model}"
        dataset = self._dataset(edges, self.options.data / folder_name, self.options.model)
        work = Path(dataset.folder) / "work"
        prepared = self._stage_outcome("prepare", None, dataset, work=work)
        if prepared.get("error"):
            return {"dataset": asdict(dataset), "error": prepared["error"]}
        _read_through(
            Path(dataset.folder) / "follows.csv", Path(dataset.folder) / "follows.parquet"
        )
        # Repeats go round all tools in turn, so that a noisy spell hits them evenly.
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for attempt in range(1, self.options.repeat + 1):
            for stage in STAGES:
                for tool in self._tools(stage, edges):
                    record = self._measure(stage, tool, dataset, work)
                    runs.setdefault((stage, tool), []).append(record)
                    self._log(
                        f"  run {attempt}/{self.options.repeat} {stage:<10} {tool:<9} "
                        + _summary(record)
                    )
        stages: dict[str, dict[str, Any]] = {}
        for (stage, tool), records in runs.items():
            stages.setdefault(stage, {})[tool] = _best_of(records)
        _credit_peer_ingest(stages, self._tools("build", edges))
        size_results: dict[str, Any] = {
            "dataset": asdict(dataset),
            "graph": json.loads((work / GRAPH_FILE).read_text()),
            "stages": stages,
            "graphkit_steps": self._graphkit_steps(dataset, work),
            "agreement": self._agreement(work, stages),
            "end_to_end_check": _compare_rankings(work, stages.get("end_to_end", {})),
            "streaming_bound": _streaming_bound(
                stages.get("pagerank", {}).get("graphkit"), self.results.get("bandwidth")
            ),
        }
        size_results["targets"] = evaluate_targets(edges, size_results)
        size_results["graphkit_source"] = {
            "before": source_before,
            "after": source_fingerprint(self.code_root),
        }
        return size_results

    def _tools(self, stage: str, edges: int) -> list[str]:
        if stage == "ingest":
            return list(INGEST_TOOLS)
        peers = [
            peer
            for peer in self.options.peers
            if peer != "networkx" or edges <= self.options.networkx_max_edges
        ]
        return ["graphkit", *peers]

    def _dataset(self, edges: int, folder: Path, model: str = "powerlaw") -> GeneratedDataset:
        manifest = read_manifest(folder)
        if (
            manifest is None
            or manifest.edges != edges
            or manifest.seed != self.options.seed
            or manifest.model != model
            or manifest.version != MODEL_VERSIONS[model]
        ):
            self._log(f"  generating {format_size(edges)} edges into {folder}")
            command = [
                sys.executable,
                "-m",
                "benchmarks.generate",
                "--edges",
                str(edges),
                "--seed",
                str(self.options.seed),
                "--model",
                model,
                "--out",
                str(folder),
                "--quiet",
            ]
            folder.mkdir(parents=True, exist_ok=True)
            outcome = run_process(
                command,
                stderr_path=folder / "generate.log",
                timeout=self.options.stage_timeout,
                code_root=self.code_root,
            )
            manifest = read_manifest(folder)
            if outcome.returncode != 0 or manifest is None:
                raise RuntimeError(f"generating {folder} failed:\n{outcome.stderr_tail}")
            shutil.rmtree(folder / "work", ignore_errors=True)
        return manifest

    # -- one measurement --

    def _measure(
        self, stage: str, tool: str, dataset: GeneratedDataset, work: Path
    ) -> dict[str, Any]:
        """Run one (stage, tool) in a fresh process and return its record."""
        waited, load = self._wait_for_quiet()
        record = self._measure_now(stage, tool, dataset, work)
        record["idle_wait_seconds"] = round(waited, 1)
        record["load_before"] = round(load, 3)
        return record

    def _wait_for_quiet(self) -> tuple[float, float]:
        if not self.options.idle_wait:
            return 0.0, 0.0
        return wait_for_quiet_machine(self.options.idle_wait)

    def _measure_now(
        self, stage: str, tool: str, dataset: GeneratedDataset, work: Path
    ) -> dict[str, Any]:
        if stage == "end_to_end":
            output = work / f"ranking_{tool}.csv"
            output.unlink(missing_ok=True)
            if tool == "graphkit":
                return self._graphkit_end_to_end(dataset, work, output, quiet=True)["record"]
            record = self._stage_outcome(stage, tool, dataset, work=work, output=output)
            # End to end is what a user waits for: the whole process, start-up included.
            record["seconds"] = record["process_seconds"]
            record["peak_rss_bytes"] = record["process_peak_rss_bytes"]
            return record
        record = self._stage_outcome(stage, tool, dataset, work=work)
        iterations = record.get("iterations")
        if iterations and record.get("seconds"):
            record["seconds_per_iteration"] = record["seconds"] / iterations
        return record

    def _stage_outcome(
        self,
        stage: str,
        tool: str | None,
        dataset: GeneratedDataset | None,
        *,
        work: Path | None = None,
        output: Path | None = None,
    ) -> dict[str, Any]:
        logs = (work or self.options.data / "_machine").resolve()
        logs.mkdir(parents=True, exist_ok=True)
        result_path = logs / f"{stage}_{tool or 'all'}.result.json"
        result_path.unlink(missing_ok=True)
        command = [
            sys.executable,
            "-m",
            "benchmarks.stages",
            "--stage",
            stage,
            "--result",
            str(result_path),
            "--damping",
            repr(self.options.damping),
            "--tolerance",
            repr(self.options.tolerance),
            "--threads",
            str(self.options.threads),
            "--pagerank-repeat",
            str(self.options.pagerank_repeat),
            "--stream-bytes",
            str(self.options.stream_bytes),
            "--gather-count",
            str(self.options.gather_count),
        ]
        if tool is not None:
            command += ["--tool", tool]
        if dataset is not None and work is not None:
            command += ["--dataset", dataset.folder, "--work", str(work)]
        if output is not None:
            command += ["--output", str(output)]
        process = run_process(
            command,
            stderr_path=logs / f"{stage}_{tool or 'all'}.stderr.txt",
            timeout=self.options.stage_timeout,
            code_root=self.code_root,
        )
        record: dict[str, Any] = {
            "process_seconds": process.seconds,
            "process_peak_rss_bytes": process.peak_rss_bytes,
            "other_load": round(process.other_load, 3),
            "error": _error(process),
        }
        if record["error"] is None and result_path.is_file():
            record.update(json.loads(result_path.read_text()))
        elif record["error"] is None:
            record["error"] = "the stage wrote no result"
        return record

    def _graphkit_end_to_end(
        self, dataset: GeneratedDataset, work: Path, output: Path, *, quiet: bool
    ) -> dict[str, Any]:
        command = [
            *graphkit_command(),
            "rank",
            "--follows",
            str(Path(dataset.folder) / "follows.csv"),
            "--top",
            "0",
            "--damping",
            repr(self.options.damping),
            "--tolerance",
            repr(self.options.tolerance),
            "--threads",
            str(self.options.threads),
            "-o",
            str(output),
            "-q" if quiet else "-v",
        ]
        stderr_path = work / f"end_to_end_graphkit{'' if quiet else '_verbose'}.stderr.txt"
        process = run_process(
            command,
            stderr_path=stderr_path,
            timeout=self.options.stage_timeout,
            code_root=self.code_root,
        )
        record = {
            "seconds": process.seconds,
            "peak_rss_bytes": process.peak_rss_bytes,
            "process_seconds": process.seconds,
            "process_peak_rss_bytes": process.peak_rss_bytes,
            "other_load": round(process.other_load, 3),
            "error": _error(process),
            "details": {"command": " ".join(["graphkit", *command[-14:]])},
        }
        return {"record": record, "stderr": stderr_path.read_text(errors="replace")}

    def _graphkit_steps(self, dataset: GeneratedDataset, work: Path) -> dict[str, Any]:
        """Where graphkit's end-to-end time goes: one more run with ``-v``, steps parsed."""
        self._log("  end_to_end graphkit -v (step breakdown)")
        output = work / "ranking_graphkit_verbose.csv"
        self._wait_for_quiet()
        run = self._graphkit_end_to_end(dataset, work, output, quiet=False)
        output.unlink(missing_ok=True)
        steps: dict[str, float] = {}
        for line in run["stderr"].splitlines():
            match = _STEP_LINE.match(line.strip())
            if match:
                label = (
                    "Writing output" if match["label"].startswith("Writing ") else match["label"]
                )
                steps[label] = float(match["seconds"])
        total = run["record"]["seconds"]
        return {
            "seconds": total,
            "peak_rss_bytes": run["record"]["peak_rss_bytes"],
            "steps": steps,
            "outside_steps": total - sum(steps.values()),
            "error": run["record"]["error"],
        }

    def _agreement(self, work: Path, stages: dict[str, dict[str, Any]]) -> dict[str, Any]:
        reference = work / scores_file("graphkit")
        agreement: dict[str, Any] = {}
        for tool in stages.get("pagerank", {}):
            if tool == "graphkit":
                continue
            other = work / scores_file(tool)
            if stages["pagerank"][tool].get("error") or not (
                reference.is_file() and other.is_file()
            ):
                agreement[tool] = {"passed": False, "error": "scores missing"}
                continue
            agreement[tool] = compare_scores(reference, other)
        return agreement

    def _write(self) -> None:
        out = self.options.out
        out.mkdir(parents=True, exist_ok=True)
        for name, text in (
            ("results.json", json.dumps(self.results, indent=2, default=str) + "\n"),
            ("results.md", render_markdown(self.results)),
        ):
            temporary = out / f"{name}.tmp"
            temporary.write_text(text)
            temporary.replace(out / name)

    def _log(self, message: str) -> None:
        if not self.options.quiet:
            print(message, file=sys.stderr, flush=True)


# --- checks -----------------------------------------------------------------------------------


def compare_scores(reference: Path, other: Path, *, top: int = TOP_COMPARED) -> dict[str, Any]:
    """Compare two tools' PageRank scores, matched by account id.

    Parameters
    ----------
    reference, other
        Parquet files with ``id`` and ``pagerank`` columns.
    top
        Length of the ranking head whose order must match.

    Returns
    -------
    dict
        ``same_nodes``, ``max_abs_diff``, ``max_rel_diff``, ``top_order_same``,
        ``first_top_difference`` (rank where the heads first differ, or ``None``) and
        ``passed``: same nodes, max abs diff <= :data:`AGREEMENT_TOLERANCE` and same top order.
    """
    import polars as pl

    left = pl.read_parquet(reference).select("id", "pagerank")
    right = pl.read_parquet(other).select("id", "pagerank")
    joined = left.join(right, on="id", how="inner", suffix="_other")
    difference = (joined.get_column("pagerank") - joined.get_column("pagerank_other")).abs()
    relative = difference / joined.get_column("pagerank").clip(lower_bound=1e-300)
    left_top = _top_ids(left, top)
    right_top = _top_ids(right, top)
    first_difference = next(
        (rank for rank, (a, b) in enumerate(zip(left_top, right_top, strict=True), 1) if a != b),
        None,
    )
    same_nodes = joined.height == left.height == right.height
    max_abs = float(difference.max() or 0.0)  # type: ignore[arg-type]
    return {
        "nodes": left.height,
        "same_nodes": same_nodes,
        "max_abs_diff": max_abs,
        "max_rel_diff": float(relative.max() or 0.0),  # type: ignore[arg-type]
        "top": top,
        "top_order_same": first_difference is None,
        "first_top_difference": first_difference,
        "passed": bool(same_nodes and max_abs <= AGREEMENT_TOLERANCE and first_difference is None),
    }


def _top_ids(scores: Any, top: int) -> list[str]:
    ordered = scores.sort(["pagerank", "id"], descending=[True, False]).head(top)
    return list(ordered.get_column("id").to_list())


def _compare_rankings(work: Path, records: dict[str, Any]) -> dict[str, Any]:
    """Check that each end-to-end output ranks every account and heads like graphkit's."""
    import polars as pl

    heads: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    for tool, record in records.items():
        path = work / f"ranking_{tool}.csv"
        if record.get("error") or not path.is_file():
            continue
        ranking = pl.read_csv(path, columns=["id", "pagerank"], schema_overrides={"id": pl.String})
        rows[tool] = ranking.height
        heads[tool] = _top_ids(ranking, TOP_COMPARED)
    reference = heads.get("graphkit")
    return {
        "rows": rows,
        "top_same_as_graphkit": {
            tool: head == reference for tool, head in heads.items() if tool != "graphkit"
        }
        if reference is not None
        else {},
    }


def _streaming_bound(
    record: dict[str, Any] | None, bandwidth: dict[str, Any] | None
) -> dict[str, Any] | None:
    """PageRank's per-iteration memory traffic over the measured read bandwidth."""
    from benchmarks.machine import pagerank_bytes_per_iteration

    if not record or record.get("error") or not bandwidth:
        return None
    details = record.get("details", {})
    n_nodes, n_edges = int(details["nodes"]), int(details["edges"])
    arrays = details.get("arrays", {})
    edge_arrays = [arrays[name]["bytes"] for name in ("in_sources", "in_weights") if name in arrays]
    edge_bytes = sum(edge_arrays) / n_edges if len(edge_arrays) == 2 and n_edges else 12.0
    traffic = pagerank_bytes_per_iteration(n_nodes, n_edges, edge_bytes=edge_bytes)
    gbps = float(bandwidth["read_gbps"])
    bound = {layout: size / (gbps * 1e9) for layout, size in traffic.items()}
    per_iteration = record.get("seconds_per_iteration")
    return {
        "nodes": n_nodes,
        "edges": n_edges,
        "edge_bytes": edge_bytes,
        "bytes_per_iteration": traffic,
        "read_gbps": gbps,
        "bound_seconds": bound,
        "graphkit_seconds_per_iteration": per_iteration,
        "ratio_to_bound": {layout: per_iteration / seconds for layout, seconds in bound.items()}
        if per_iteration
        else None,
    }


# --- helpers ----------------------------------------------------------------------------------


def _credit_peer_ingest(stages: dict[str, dict[str, Any]], graph_tools: list[str]) -> None:
    """Give each peer the faster of the pyarrow and polars ingests, marked ``ingest_with``.

    The peers have no CSV reader of their own worth using: a user of igraph or NetworKit
    ingests with pyarrow or polars, so that is the ingest they are compared on.
    """
    ingest = stages.get("ingest", {})
    candidates = [
        (tool, record)
        for tool, record in ingest.items()
        if tool in ("pyarrow", "polars") and not record.get("error")
    ]
    if not candidates:
        return
    fastest, record = min(candidates, key=lambda item: item[1]["seconds"])
    for tool in graph_tools:
        if tool != "graphkit":
            ingest[tool] = {**record, "ingest_with": fastest}


def _best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest successful run, with every run's time and the highest peak memory."""
    successful = [run for run in runs if not run.get("error")]
    if not successful:
        return runs[-1]
    best = dict(min(successful, key=lambda run: run["seconds"]))
    best["runs_seconds"] = [run["seconds"] for run in successful]
    best["peak_rss_bytes"] = max(run["peak_rss_bytes"] for run in successful)
    return best


def _error(process: ProcessRun) -> str | None:
    if process.timed_out:
        return f"timed out after {process.seconds:.0f} s"
    if process.returncode != 0:
        return f"exit status {process.returncode}: {process.stderr_tail}"
    return None


def _summary(record: dict[str, Any]) -> str:
    if record.get("error"):
        return "ERROR " + record["error"].splitlines()[-1]
    text = f"{record['seconds']:.3f} s, peak {record['peak_rss_bytes'] / 2**20:,.0f} MiB"
    if record.get("iterations"):
        text += f", {record['iterations']} iterations"
    return text


def _read_through(*paths: Path) -> None:
    """Read files once so that every tool finds them in the page cache."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass


def _parse_list(text: str, allowed: Sequence[str]) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}"
        )
    return names


def parse_arguments(argv: Sequence[str] | None = None) -> HarnessOptions:
    """Parse the command line into :class:`HarnessOptions`."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.harness",
        description="Benchmark graphkit against igraph, NetworKit and networkx on synthetic "
        "follower graphs: ingest, graph build, PageRank and end to end, one fresh process per "
        "measurement; writes results.json and results.md.",
        epilog="Example: python -m benchmarks.harness --sizes 1M,10M --peers igraph,networkit",
    )
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"edge counts, e.g. 1M,10M (default {DEFAULT_SIZES})"
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        type=lambda text: _parse_list(text, PEERS),
        help="peer libraries (default igraph,networkit,networkx; networkx only up to "
        "--networkx-max-edges)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; best kept")
    parser.add_argument("--seed", type=int, default=1, help="dataset seed (default 1)")
    parser.add_argument(
        "--model",
        choices=MODELS,
        default="powerlaw",
        help="generated graph (default powerlaw, in <data>/<size>; the others in "
        "<data>/<size>-<model>); see python -m benchmarks.generate -h",
    )
    parser.add_argument("--data", type=Path, default=DATA_FOLDER, help="dataset root folder")
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER, help="results folder")
    parser.add_argument("--damping", type=float, default=DEFAULT_DAMPING)
    parser.add_argument(
        "--tolerance", type=float, default=DEFAULT_TOLERANCE, help="PageRank L1 tolerance"
    )
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument(
        "--pagerank-repeat",
        type=int,
        default=3,
        help="PageRank runs inside each PageRank measurement, fastest kept (default 3)",
    )
    parser.add_argument("--networkx-max-edges", type=parse_size, default=NETWORKX_MAX_EDGES)
    parser.add_argument(
        "--stream-bytes",
        type=parse_size,
        default=DEFAULT_STREAM_BYTES,
        help="array size of the bandwidth test (default 1 GiB)",
    )
    parser.add_argument(
        "--gather-count", type=parse_size, default=DEFAULT_GATHER_COUNT, help="gathers per test"
    )
    parser.add_argument("--stage-timeout", type=float, default=1800.0, help="seconds per stage")
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=120.0,
        help="before each measurement, wait up to this many seconds for other processes to "
        "leave the CPUs idle (0: do not wait; default 120)",
    )
    parser.add_argument(
        "--no-snapshot",
        dest="snapshot",
        action="store_false",
        help="run graphkit from the working tree instead of a copy taken at the start (edits "
        "made during the run then leak into it)",
    )
    parser.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="skip the warm-up runs on a tiny graph (JIT caches, first imports)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print no progress")
    arguments = parser.parse_args(argv)
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        sizes = tuple(parse_size(text) for text in arguments.sizes.split(",") if text.strip())
    except ValueError as error:
        parser.error(str(error))
    return HarnessOptions(
        sizes=sizes,
        peers=arguments.peers,
        repeat=arguments.repeat,
        seed=arguments.seed,
        model=arguments.model,
        data=arguments.data,
        out=arguments.out,
        damping=arguments.damping,
        tolerance=arguments.tolerance,
        threads=arguments.threads,
        pagerank_repeat=max(1, arguments.pagerank_repeat),
        networkx_max_edges=arguments.networkx_max_edges,
        stream_bytes=arguments.stream_bytes,
        gather_count=arguments.gather_count,
        stage_timeout=arguments.stage_timeout,
        idle_wait=arguments.idle_wait,
        snapshot=arguments.snapshot,
        warm_up=arguments.warm_up,
        quiet=arguments.quiet,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; ``graphkit bench`` calls this with its arguments.

    Returns
    -------
    int
        0 when every stage ran and graphkit's PageRank agrees with igraph's, 1 otherwise
        (agreement with NetworKit and networkx is reported, not required).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = parse_arguments(arguments)
    results = Harness(options, arguments).run()
    if not options.quiet:
        print(f"wrote {options.out / 'results.md'} and results.json", file=sys.stderr)
    failed = (
        any(size.get("error") for size in results["sizes"].values())
        or any(
            record.get("error")
            for size in results["sizes"].values()
            for tools in size.get("stages", {}).values()
            for record in tools.values()
        )
        or any(
            not size.get("agreement", {}).get("igraph", {"passed": True}).get("passed")
            for size in results["sizes"].values()
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
