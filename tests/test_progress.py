"""Progress: bars on a terminal, one line per step with -v, nothing when not a terminal."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from rich.console import Console

from graphkit.algorithms.communities import communities
from graphkit.algorithms.pagerank import pagerank_run
from graphkit.app.api import open_data, rank
from graphkit.data import demo_folder
from graphkit.errors import ConvergenceError, InputError
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset
from graphkit.progress import Progress, report_bytes
from tests.strategies import GeneratedData, generated_data

# The module, not the function graphkit.algorithms re-exports under its name.
pagerank_module = sys.modules[pagerank_run.__module__]
progress_module = sys.modules[Progress.__module__]


def _progress(*, terminal: bool, verbose: bool = False, quiet: bool = False) -> Progress:
    progress = Progress(verbose=verbose, quiet=quiet)
    progress.console = Console(
        file=io.StringIO(),
        force_terminal=terminal,
        force_interactive=terminal,
        width=100,
        highlight=False,  # as Progress's own console
    )
    return progress


def _shown(progress: Progress) -> str:
    stream = progress.console.file
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()


def test_counts_reach_the_innermost_byte_step_only() -> None:
    progress = _progress(terminal=False, verbose=True)
    report_bytes(10)  # no step: nowhere to count, no error
    with progress.step("Reading tables", total=300, unit="bytes") as reading:
        report_bytes(100)
        with progress.step("Checking", total=3, unit="rows") as checking:
            checking.advance(2)
            report_bytes(50)  # still the reading step's
        report_bytes(150)
    report_bytes(1_000)
    assert reading.completed == 300
    assert checking.completed == 2
    assert progress.counts == {"Reading tables": 300, "Checking": 2}
    assert _shown(progress).splitlines() == [
        f"Checking (2 rows): {progress.timings['Checking']:.2f} s",
        f"Reading tables (0.00 MB): {progress.timings['Reading tables']:.2f} s",
    ]


def test_verbose_lines_name_count_and_detail() -> None:
    progress = _progress(terminal=False, verbose=True)
    with progress.step("Ranking", total=100, unit="iterations") as ranking:
        ranking.update(completed=37, detail="change 8e-11")
    with progress.step("Writing out.csv"):
        pass
    lines = _shown(progress).splitlines()
    assert lines[0].startswith("Ranking (37 iterations, change 8e-11): ")
    assert lines[1].startswith("Writing out.csv: ")
    assert lines[1].endswith(" s")


@pytest.mark.parametrize("quiet", [False, True])
def test_nothing_when_not_a_terminal_and_not_verbose(quiet: bool) -> None:
    progress = _progress(terminal=False, quiet=quiet)
    with progress.step("Reading tables", total=10, unit="bytes"):
        report_bytes(10)
    assert _shown(progress) == ""


def test_a_terminal_shows_a_bar_with_counts_and_clears_it() -> None:
    progress = _progress(terminal=True)
    assert progress.live
    with progress.step("Ranking", total=50, unit="iterations") as ranking:
        ranking.update(completed=20, detail="change 1e-3")
    shown = _shown(progress)
    assert "Ranking" in shown
    assert "20/50" in shown
    assert "change 1e-3" in shown


def test_quiet_terminal_draws_nothing() -> None:
    progress = _progress(terminal=True, quiet=True)
    assert not progress.live
    with progress.step("Ranking", total=5, unit="iterations") as ranking:
        ranking.advance(5)
    assert _shown(progress) == ""


@pytest.mark.slow
def test_piped_run_prints_nothing_on_stderr_unless_verbose(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "graphkit.cli.entry", "rank", "--demo", "--top", "3"]
    quiet = subprocess.run(
        [*command, "-o", str(tmp_path / "a.csv")], capture_output=True, text=True, check=True
    )
    lines = [line for line in quiet.stderr.splitlines() if "compiling graphkit" not in line]
    assert all(line.startswith(("Wrote ", "Certified order")) for line in lines), quiet.stderr
    verbose = subprocess.run(
        [*command, "-v", "-o", str(tmp_path / "b.csv")], capture_output=True, text=True, check=True
    )
    assert any(
        line.startswith("Reading tables (0.99 MB): ") for line in verbose.stderr.splitlines()
    )


class _Recorder:
    """An ``on_progress`` callback that keeps every report."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None, str]] = []

    def __call__(self, done: int, total: int | None, detail: str) -> None:
        self.calls.append((done, total, detail))


def _random_graph(n: int, edges: int, seed: int) -> SocialGraph:
    rng = np.random.default_rng(seed)
    follows = pa.table(
        {
            "follower": rng.integers(0, n, edges).astype(str),
            "followed": (rng.zipf(1.6, edges) % n).astype(str),
        }
    )
    return build_graph(Dataset(follows=follows))


def _same_run(graph: SocialGraph, **options: Any) -> _Recorder:
    """Assert that PageRank reporting progress gives the bits it gives without; return the
    reports."""
    plain = pagerank_run(graph, **options)
    recorder = _Recorder()
    reported = pagerank_run(graph, on_progress=recorder, **options)
    assert reported.scores.tobytes() == plain.scores.tobytes()
    assert (reported.iterations, reported.change) == (plain.iterations, plain.change)
    assert recorder.calls[-1] == (plain.iterations, plain.iterations, f"change {plain.change:.1e}")
    done = [call[0] for call in recorder.calls]
    assert done == sorted(set(done))  # counts only go up
    return recorder


@pytest.mark.parametrize("chunk", [1, 3, 10])
def test_pagerank_in_chunks_gives_the_same_bits(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(pagerank_module, "PROGRESS_MIN_ITERATIONS", chunk)
    monkeypatch.setattr(pagerank_module, "PROGRESS_SECONDS", 0.0)  # every chunk the least
    graph = _random_graph(3_000, 20_000, seed=chunk)
    recorder = _same_run(graph)
    assert len(recorder.calls) >= 3  # it did report along the way
    assert recorder.calls[0][0] < recorder.calls[-2][0] < recorder.calls[-1][0]
    expected = [total for _, total, _ in recorder.calls[1:-1]]
    assert all(total is not None and total >= chunk for total in expected)
    teleport = np.random.default_rng(chunk).random(graph.n_nodes)
    start = np.random.default_rng(chunk + 1).random(graph.n_nodes)
    _same_run(graph, personalization=teleport, start=start, damping=0.9)
    _same_run(build_graph(Dataset(follows=pa.table({"follower": ["a"], "followed": ["b"]}))))


def test_pagerank_in_chunks_on_the_demo_gives_the_same_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pagerank_module, "PROGRESS_MIN_ITERATIONS", 2)
    monkeypatch.setattr(pagerank_module, "PROGRESS_SECONDS", 0.0)
    loaded = open_data(demo_folder())
    _same_run(loaded.graph)


@settings(max_examples=40, deadline=None)
@given(data=generated_data())
def test_pagerank_in_chunks_same_bits_on_generated_graphs(data: GeneratedData) -> None:
    pagerank_module.PROGRESS_MIN_ITERATIONS, saved = 1, pagerank_module.PROGRESS_MIN_ITERATIONS
    try:
        try:
            graph = data.build()
        except InputError:  # a half-life without the times it needs: nothing to rank
            return
        _same_run(graph)
    finally:
        pagerank_module.PROGRESS_MIN_ITERATIONS = saved


def test_pagerank_that_fails_to_converge_fails_the_same_with_progress() -> None:
    graph = _random_graph(500, 3_000, seed=7)
    for on_progress in (None, _Recorder()):
        with pytest.raises(ConvergenceError, match="12 iterations"):
            pagerank_run(graph, max_iter=12, on_progress=on_progress)


def test_a_step_is_an_on_progress_callback() -> None:
    progress = _progress(terminal=False, verbose=True)
    with progress.step("Ranking", unit="iterations") as ranking:
        pagerank_run(_random_graph(300, 2_000, seed=3), on_progress=ranking)
    assert ranking.total == ranking.completed > 0
    assert ranking.detail.startswith("change ")
    line = _shown(progress).splitlines()[0]
    assert line.startswith(f"Ranking ({int(ranking.completed)} iterations, change ")


def test_watched_work_shows_on_the_bar_but_not_in_the_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress_module, "POLL_SECONDS", 0.01)
    progress = _progress(terminal=True, verbose=True)
    polled = threading.Event()

    def poll() -> tuple[int, int, str]:
        polled.set()
        return 3, 7, "Spark stage 12"

    progress.watch(poll)
    with progress.step("Ranking"):
        assert polled.wait(5)
        time.sleep(0.05)  # a redraw after the poll
    shown = _shown(progress)
    assert "3/7" in shown
    assert "Spark stage 12" in shown
    assert f"Ranking: {progress.timings['Ranking']:.2f} s" in shown  # nothing counted


def test_a_failing_poll_shows_nothing_and_fails_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "POLL_SECONDS", 0.01)
    progress = _progress(terminal=True)
    calls = []

    def poll() -> None:
        calls.append(1)
        raise RuntimeError("the JVM went away")

    progress.watch(poll)
    with progress.step("Ranking"):
        time.sleep(0.1)
    assert calls
    assert "JVM" not in _shown(progress)


def test_spark_stage_status_counts_the_running_tasks(spark: Any) -> None:
    from graphkit.engines.spark.status import stage_status

    assert stage_status(spark) is None  # nothing running
    # Four tasks of half a second each on the JVM (no Python workers to start).
    sleeping = "java_method('java.util.concurrent.locks.LockSupport', 'parkNanos', 500000000L)"
    job = threading.Thread(
        target=lambda: spark.range(4, numPartitions=4).selectExpr(sleeping).collect()
    )
    job.start()
    seen = []
    while job.is_alive():
        status = stage_status(spark)
        if status is not None:
            seen.append(status)
        time.sleep(0.1)
    job.join()
    assert seen, "no stage seen running"
    assert all(total == 4 and 0 <= done <= 4 for done, total, _ in seen)
    assert seen[0][2].startswith("Spark stage ")


@pytest.mark.parametrize("method", ["leiden", "louvain", "label_propagation"])
def test_communities_report_their_levels_and_find_the_same(method: Any) -> None:
    graph = _random_graph(2_000, 12_000, seed=5)
    recorder = _Recorder()
    plain = communities(graph, method=method, seed=3)
    reported = communities(graph, method=method, seed=3, on_progress=recorder)
    assert np.array_equal(plain.membership, reported.membership)
    levels = [done for done, _, _ in recorder.calls]
    assert levels == list(range(1, len(levels) + 1))  # one report a level, counted
    assert len(levels) >= 2
    assert all(
        total is None and detail.endswith(" communities") for _, total, detail in recorder.calls
    )


def test_building_reports_rows_interned_then_the_graph() -> None:
    follows = pa.table(
        {"follower": ["a", "b", "c", "a"], "followed": ["b", "c", "a", "a"]}
    ).to_batches(max_chunksize=1)  # four chunks: a report each
    interactions = pa.table({"source": ["d"], "target": ["a"], "type": ["like"]})
    recorder = _Recorder()
    graph = build_graph(
        Dataset(follows=pa.Table.from_batches(follows), interactions=interactions),
        on_progress=recorder,
    )
    done = [call[0] for call in recorder.calls]
    assert done == sorted(done)
    assert done[-1] == 5
    assert {total for _, total, _ in recorder.calls} == {5}
    assert recorder.calls[-1][2] == f"{graph.n_nodes:,} accounts, {graph.n_edges:,} edges"
    assert len([call for call in recorder.calls if call[2] == "interning ids"]) >= 4


def test_rank_steps_say_rows_iterations_and_replicates() -> None:
    progress = _progress(terminal=False, verbose=True)
    rank(demo_folder(), progress=progress, top=5, confidence=4)
    lines = _shown(progress).splitlines()
    building = next(line for line in lines if line.startswith("Building graph"))
    assert re.match(r"Building graph \([\d,]+ rows, [\d,]+ accounts, [\d,]+ edges\): ", building)
    assert any(line.startswith("Ranking (4 bootstrap replicates): ") for line in lines), lines
    progress = _progress(terminal=False, verbose=True)
    rank(demo_folder(), progress=progress, top=5)
    assert any(
        re.match(r"Ranking \(\d+ iterations, change \d\.\de-\d+\): ", line)
        for line in _shown(progress).splitlines()
    )
