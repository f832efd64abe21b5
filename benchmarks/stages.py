"""One benchmark stage of one tool, run in a fresh process so that its memory is its own.

The harness starts ``python -m benchmarks.stages --stage STAGE --tool TOOL ...`` once per
measurement. The process sets up its inputs untimed, runs the stage inside a
:class:`MeasuredSection` (wall time, and the peak resident memory of that section alone) and
writes a JSON :class:`StageOutcome` to ``--result``.

Stages (the rows of the results table):

``ingest``
    CSV file -> one int id per account and an int pair per follow. graphkit:
    ``graphkit.io.load_dataset`` and the id interning of ``graphkit.graph.build_graph``;
    ``pyarrow``: ``pyarrow.csv.read_csv`` and ``pyarrow.compute.dictionary_encode``;
    ``polars``: ``polars.read_csv`` and a cast to ``Categorical``.
``build``
    int pairs -> graph. graphkit: ``graphkit.kernels.csr.csr_by_row`` plus the out-weights;
    igraph: ``Graph(n, edges)``; NetworKit: ``Graph`` + ``addEdges``; networkx: ``DiGraph``.
``pagerank``
    graph -> scores, same damping and tolerance. graphkit: ``pagerank_run``; igraph:
    ``Graph.pagerank`` (PRPACK); NetworKit: ``PageRank`` with L1 norm and sink distribution;
    networkx: ``pagerank`` with its tolerance scaled by 1/n (it stops at L1 < n * tol).
``end_to_end``
    CSV -> ranked CSV of all accounts. graphkit runs its CLI (started by the harness); the
    peers run :func:`peer_end_to_end`, the straightforward fast pipeline: pyarrow read,
    dictionary encoding, graph build, PageRank, polars sort and CSV write.

Two more stages serve the harness: ``prepare`` writes the int pairs every ``build`` and
``pagerank`` stage starts from, and ``machine`` measures the machine (:mod:`benchmarks.machine`).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

STAGES: Final = ("ingest", "build", "pagerank", "end_to_end")
INGEST_TOOLS: Final = ("graphkit", "pyarrow", "polars")
GRAPH_TOOLS: Final = ("graphkit", "igraph", "networkit", "networkx")
PEERS: Final = ("igraph", "networkit", "networkx")
FOLLOW_COLUMNS: Final = ("follower", "followed")

# Files of a size's work folder, written by the prepare stage and the pagerank stages.
SOURCES_FILE: Final = "sources.npy"
TARGETS_FILE: Final = "targets.npy"
IDS_FILE: Final = "ids.parquet"
GRAPH_FILE: Final = "graph.json"


def scores_file(tool: str) -> str:
    """Name of the file, in the work folder, where a tool's PageRank scores are saved."""
    return f"scores_{tool}.parquet"


@dataclass(frozen=True)
class StageSettings:
    """Where a stage reads and writes, and the PageRank settings shared by all tools.

    Attributes
    ----------
    dataset
        Folder with ``follows.csv`` and ``follows.parquet``.
    work
        Folder for the files stages hand to each other.
    damping, tolerance
        PageRank damping and L1 tolerance.
    threads
        Threads for the tools that use several (numba, NetworKit); 0 means all cores.
    pagerank_repeat
        PageRank runs within the process; the fastest is reported. PageRank is short next
        to building its input graph, so repeating it in place is cheap.
    """

    dataset: Path
    work: Path
    damping: float = 0.85
    tolerance: float = 1e-10
    threads: int = 0
    pagerank_repeat: int = 1

    @property
    def follows_csv(self) -> Path:
        """The follows CSV file."""
        return self.dataset / "follows.csv"

    @property
    def follows_parquet(self) -> Path:
        """The follows Parquet file."""
        return self.dataset / "follows.parquet"


@dataclass
class StageOutcome:
    """What one stage run measured.

    Attributes
    ----------
    seconds
        Wall time of the measured section.
    baseline_rss_bytes
        Resident memory when the section started (interpreter, libraries, inputs).
    peak_rss_bytes
        Peak resident memory during the section (including the baseline).
    iterations
        PageRank iterations, when the tool reports them.
    details
        Sub-step times and sizes, by name.
    """

    seconds: float = 0.0
    baseline_rss_bytes: int = 0
    peak_rss_bytes: int = 0
    iterations: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


# --- measuring --------------------------------------------------------------------------------


def current_rss_bytes() -> int:
    """Resident memory of this process now."""
    return _status_kib("VmRSS") * 1024


class MeasuredSection:
    """Time a block and track the peak resident memory reached inside it.

    The kernel's peak (``VmHWM``) is reset when the block starts (``/proc/self/clear_refs``),
    so the peak is that of the block, not of the setup before it; where the reset is not
    allowed, a thread samples the resident memory every 2 ms instead.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.baseline_rss_bytes = 0
        self.peak_rss_bytes = 0
        self._sampler: _RssSampler | None = None
        self._start = 0.0

    def __enter__(self) -> MeasuredSection:
        gc.collect()
        if not _reset_peak_rss():
            self._sampler = _RssSampler()
            self._sampler.start()
        self.baseline_rss_bytes = current_rss_bytes()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self._start
        if self._sampler is not None:
            self.peak_rss_bytes = self._sampler.stop()
        else:
            self.peak_rss_bytes = _status_kib("VmHWM") * 1024

    def outcome(self, **values: Any) -> StageOutcome:
        """A :class:`StageOutcome` with this section's measurements."""
        return StageOutcome(
            seconds=self.seconds,
            baseline_rss_bytes=self.baseline_rss_bytes,
            peak_rss_bytes=self.peak_rss_bytes,
            **values,
        )


def fastest_section(
    function: Callable[[], Any], repeats: int
) -> tuple[StageOutcome, Any, list[float]]:
    """Run ``function`` ``repeats`` times, each in a :class:`MeasuredSection`.

    Returns
    -------
    outcome, result, seconds
        The fastest run's time with the highest peak memory of all runs, the last run's
        return value, and every run's time.
    """
    sections: list[MeasuredSection] = []
    result: Any = None
    for _ in range(max(1, repeats)):
        with MeasuredSection() as section:
            result = function()
        sections.append(section)
    fastest = min(sections, key=lambda section: section.seconds)
    outcome = fastest.outcome()
    outcome.peak_rss_bytes = max(section.peak_rss_bytes for section in sections)
    return outcome, result, [section.seconds for section in sections]


@contextlib.contextmanager
def timed_step(steps: dict[str, float], name: str) -> Iterator[None]:
    """Record the wall time of a block in ``steps[name]``."""
    start = time.perf_counter()
    yield
    steps[name] = round(time.perf_counter() - start, 6)


def _status_kib(field_name: str) -> int:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class _RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = current_rss_bytes()
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(0.002):
            self.peak = max(self.peak, current_rss_bytes())

    def stop(self) -> int:
        self._stopped.set()
        self.join()
        return max(self.peak, current_rss_bytes())


# --- shared steps -----------------------------------------------------------------------------


def read_follows_pyarrow(path: Path) -> Any:
    """Read a follows CSV with pyarrow's multi-threaded reader, ids as strings."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(FOLLOW_COLUMNS, pa.string()),
            include_columns=list(FOLLOW_COLUMNS),
        ),
    )


def encode_ids_pyarrow(follows: Any) -> tuple[Any, np.ndarray, np.ndarray]:
    """Number the ids of a follows table in order of first appearance (followers first).

    Returns
    -------
    ids, sources, targets
        The pyarrow string array of ids and the int32 follower and followed number of each
        follow.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    followers, followed = follows.column("follower"), follows.column("followed")
    encoded = pc.dictionary_encode(
        pa.chunked_array([*followers.chunks, *followed.chunks], followers.type)
    )
    codes = np.concatenate([chunk.indices.to_numpy() for chunk in encoded.chunks])
    codes = codes.astype(np.int32, copy=False)
    n_follows = follows.num_rows
    return encoded.chunk(0).dictionary, codes[:n_follows], codes[n_follows:]


def graphkit_intern(columns: list[Any]) -> tuple[int, list[np.ndarray]]:
    """Number account ids the way ``graphkit.graph.build_graph`` does, first appearance first.

    Returns
    -------
    nodes, codes
        The number of distinct ids and the int32 codes of each column.
    """
    from graphkit.graph import intern_ids

    ids, codes = intern_ids(columns)
    return len(ids), codes


def load_int_edges(work: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Load the int pairs written by the prepare stage: sources, targets, number of nodes."""
    graph = json.loads((work / GRAPH_FILE).read_text())
    return np.load(work / SOURCES_FILE), np.load(work / TARGETS_FILE), int(graph["nodes"])


def build_peer_graph(tool: str, sources: np.ndarray, targets: np.ndarray, n_nodes: int) -> Any:
    """Build a peer's directed graph from int pairs the fastest straightforward way.

    igraph and networkx take Python pairs (igraph converts numpy arrays element by element,
    which is slower still); the garbage collector is paused while millions of tuples are
    created, which roughly halves igraph's build time. NetworKit takes the arrays.
    """
    if tool == "networkit":
        import networkit as nk

        graph = nk.Graph(n_nodes, weighted=False, directed=True)
        graph.addEdges((sources, targets))
        return graph
    gc.disable()
    try:
        pairs = zip(sources.tolist(), targets.tolist(), strict=True)
        if tool == "igraph":
            import igraph as ig

            return ig.Graph(n=n_nodes, edges=list(pairs), directed=True)
        if tool == "networkx":
            import networkx as nx

            graph = nx.DiGraph()
            graph.add_nodes_from(range(n_nodes))
            graph.add_edges_from(pairs)
            return graph
    finally:
        gc.enable()
    raise ValueError(f"unknown graph tool {tool!r}")


def peer_pagerank(
    tool: str, graph: Any, n_nodes: int, *, damping: float, tolerance: float
) -> tuple[np.ndarray, int | None]:
    """Run a peer's PageRank with graphkit's settings; return (scores, iterations or None)."""
    if tool == "igraph":
        scores = graph.pagerank(damping=damping, directed=True, implementation="prpack")
        return np.asarray(scores), None
    if tool == "networkit":
        import networkit as nk

        sink_handling = nk.centrality.SinkHandling
        distribute = (
            getattr(sink_handling, "DISTRIBUTE_SINKS", None) or sink_handling.DistributeSinks
        )
        ranker = nk.centrality.PageRank(
            graph, damp=damping, tol=tolerance, distributeSinks=distribute
        )
        ranker.norm = nk.centrality.Norm.L1_NORM
        ranker.run()
        return np.asarray(ranker.scores()), int(ranker.numberOfIterations())
    if tool == "networkx":
        import networkx as nx

        # networkx stops when the L1 change is below n * tol.
        by_node = nx.pagerank(graph, alpha=damping, tol=tolerance / n_nodes, max_iter=1000)
        scores = np.zeros(n_nodes)
        scores[np.fromiter(by_node.keys(), np.int64)] = np.fromiter(by_node.values(), float)
        return scores, None
    raise ValueError(f"unknown PageRank tool {tool!r}")


def _save_scores(path: Path, ids: Any, scores: np.ndarray) -> None:
    import polars as pl

    pl.DataFrame({"id": pl.Series("id", ids), "pagerank": scores}).write_parquet(path)


def _set_threads(threads: int) -> None:
    import numba

    numba.set_num_threads(threads or int(numba.config.NUMBA_NUM_THREADS))


# --- stages -----------------------------------------------------------------------------------


def run_prepare(settings: StageSettings) -> StageOutcome:
    """Encode the follows once and save the int pairs and ids the later stages start from."""
    import pyarrow.parquet as pq

    with MeasuredSection() as section:
        ids, sources, targets = encode_ids_pyarrow(read_follows_pyarrow(settings.follows_csv))
    settings.work.mkdir(parents=True, exist_ok=True)
    np.save(settings.work / SOURCES_FILE, sources)
    np.save(settings.work / TARGETS_FILE, targets)
    import pyarrow as pa

    pq.write_table(pa.table({"id": ids}), settings.work / IDS_FILE)
    graph = {"nodes": len(ids), "edges": int(sources.shape[0]), "dataset": str(settings.dataset)}
    (settings.work / GRAPH_FILE).write_text(json.dumps(graph))
    return section.outcome(details=graph)


def run_ingest(tool: str, settings: StageSettings) -> StageOutcome:
    """CSV -> int ids, by graphkit, pyarrow or polars."""
    steps: dict[str, float] = {}
    if tool == "graphkit":
        import pyarrow as pa

        from graphkit.io import load_dataset

        graphkit_intern([pa.chunked_array([["a", "b"]])])  # load JIT, as the peers import theirs
        with MeasuredSection() as section:
            with timed_step(steps, "read"):
                follows = load_dataset(follows=settings.follows_csv).follows
            with timed_step(steps, "intern"):
                n_nodes, _ = graphkit_intern([follows.column(name) for name in FOLLOW_COLUMNS])
        return section.outcome(details={"steps": steps, "nodes": n_nodes})
    if tool == "pyarrow":
        with MeasuredSection() as section:
            with timed_step(steps, "read"):
                follows = read_follows_pyarrow(settings.follows_csv)
            with timed_step(steps, "encode"):
                ids, _, _ = encode_ids_pyarrow(follows)
        return section.outcome(details={"steps": steps, "nodes": len(ids)})
    if tool == "polars":
        import polars as pl

        with MeasuredSection() as section:
            with timed_step(steps, "read"):
                frame = pl.read_csv(
                    settings.follows_csv,
                    columns=list(FOLLOW_COLUMNS),
                    schema_overrides=dict.fromkeys(FOLLOW_COLUMNS, pl.String),
                )
            with timed_step(steps, "encode"):
                both = pl.concat([frame.get_column(name) for name in FOLLOW_COLUMNS])
                codes = both.cast(pl.Categorical).to_physical()
        return section.outcome(details={"steps": steps, "nodes": codes.n_unique()})
    raise ValueError(f"unknown ingest tool {tool!r}")


def run_build(tool: str, settings: StageSettings) -> StageOutcome:
    """int pairs -> graph."""
    sources, targets, n_nodes = load_int_edges(settings.work)
    _set_threads(settings.threads)
    if tool == "graphkit":
        from graphkit.kernels.csr import csr_by_row

        tiny = np.array([0, 1], dtype=np.int32)
        csr_by_row(tiny, tiny[::-1].copy(), 1.0, 1, 2, 2)  # load JIT
        with MeasuredSection() as section:
            # As build_graph does for follows without weights: one weight for every record.
            indptr, in_sources, _, _ = csr_by_row(targets, sources, 1.0, 1, n_nodes, n_nodes)
            np.bincount(in_sources, minlength=n_nodes)
        return section.outcome(details={"edges": int(indptr[-1])})
    if tool == "networkit":
        import networkit as nk

        nk.setNumberOfThreads(settings.threads or nk.getMaxNumberOfThreads())
    with MeasuredSection() as section:
        graph = build_peer_graph(tool, sources, targets, n_nodes)
    return section.outcome(details={"edges": _edge_count(tool, graph)})


def run_pagerank(tool: str, settings: StageSettings) -> StageOutcome:
    """graph -> PageRank scores; the scores are saved for the agreement check."""
    if tool == "graphkit":
        return _graphkit_pagerank(settings)
    import pyarrow.parquet as pq

    sources, targets, n_nodes = load_int_edges(settings.work)
    if tool == "networkit":
        import networkit as nk

        nk.setNumberOfThreads(settings.threads or nk.getMaxNumberOfThreads())
    graph = build_peer_graph(tool, sources, targets, n_nodes)
    del sources, targets
    outcome, (scores, iterations), all_seconds = fastest_section(
        lambda: peer_pagerank(
            tool, graph, n_nodes, damping=settings.damping, tolerance=settings.tolerance
        ),
        settings.pagerank_repeat,
    )
    total = float(scores.sum())
    ids = pq.read_table(settings.work / IDS_FILE).column("id")
    _save_scores(settings.work / scores_file(tool), ids, scores / total)
    outcome.iterations = iterations
    outcome.details = {
        "nodes": n_nodes,
        "score_sum_before_normalising": total,
        "runs_seconds": all_seconds,
    }
    return outcome


def _graphkit_pagerank(settings: StageSettings) -> StageOutcome:
    import numba
    import pyarrow as pa

    from graphkit.algorithms import pagerank_run
    from graphkit.graph import build_graph
    from graphkit.io import Dataset, load_dataset

    _set_threads(settings.threads)
    tiny = Dataset(follows=pa.table({"follower": ["a", "b"], "followed": ["b", "a"]}))
    pagerank_run(build_graph(tiny))  # load the JIT-compiled kernel outside the timing
    graph = build_graph(load_dataset(follows=settings.follows_parquet))
    outcome, result, all_seconds = fastest_section(
        lambda: pagerank_run(graph, damping=settings.damping, tolerance=settings.tolerance),
        settings.pagerank_repeat,
    )
    _save_scores(settings.work / scores_file("graphkit"), graph.ids, result.scores)
    arrays = {
        name: {"dtype": str(value.dtype), "bytes": int(value.nbytes)}
        for name, value in vars(graph).items()
        if isinstance(value, np.ndarray)
    }
    outcome.iterations = int(result.iterations)
    outcome.details = {
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "final_change": float(result.change),
        "arrays": arrays,
        "runs_seconds": all_seconds,
        "numba_threads": int(numba.get_num_threads()),
        "numba_threading_layer": numba.threading_layer(),
        "graphkit_path": str(Path(sys.modules["graphkit"].__file__ or "").parent),
    }
    return outcome


def peer_end_to_end(tool: str, settings: StageSettings, output: Path) -> StageOutcome:
    """CSV in -> ranked CSV of all accounts out, with a peer library.

    Writes ``rank, id, pagerank`` sorted by decreasing PageRank (ties by id).
    """
    import polars as pl

    steps: dict[str, float] = {}
    with MeasuredSection() as section:
        with timed_step(steps, "read"):
            follows = read_follows_pyarrow(settings.follows_csv)
        with timed_step(steps, "encode"):
            ids, sources, targets = encode_ids_pyarrow(follows)
            del follows
        with timed_step(steps, "build"):
            graph = build_peer_graph(tool, sources, targets, len(ids))
            del sources, targets
        with timed_step(steps, "pagerank"):
            scores, iterations = peer_pagerank(
                tool, graph, len(ids), damping=settings.damping, tolerance=settings.tolerance
            )
            del graph
        with timed_step(steps, "write"):
            ranking = (
                pl.DataFrame({"id": pl.Series("id", ids), "pagerank": scores})
                .sort(["pagerank", "id"], descending=[True, False])
                .with_row_index("rank", offset=1)
            )
            ranking.write_csv(output)
    return section.outcome(iterations=iterations, details={"steps": steps, "nodes": len(ids)})


def run_machine(stream_bytes: int, gather_count: int) -> StageOutcome:
    """Describe the machine and measure its memory rates."""
    from benchmarks.machine import machine_info, measure_bandwidth

    with MeasuredSection() as section:
        bandwidth = measure_bandwidth(stream_bytes=stream_bytes, gather_count=gather_count)
    return section.outcome(details={"machine": machine_info(), "bandwidth": asdict(bandwidth)})


def _edge_count(tool: str, graph: Any) -> int:
    if tool == "igraph":
        return int(graph.ecount())
    if tool == "networkit":
        return int(graph.numberOfEdges())
    return int(graph.number_of_edges())


# --- command line -----------------------------------------------------------------------------


def run(arguments: argparse.Namespace) -> StageOutcome:
    """Dispatch one stage run from parsed command-line arguments."""
    if arguments.stage == "machine":
        return run_machine(arguments.stream_bytes, arguments.gather_count)
    settings = StageSettings(
        dataset=arguments.dataset,
        work=arguments.work,
        damping=arguments.damping,
        tolerance=arguments.tolerance,
        threads=arguments.threads,
        pagerank_repeat=arguments.pagerank_repeat,
    )
    runners: dict[str, Callable[[], StageOutcome]] = {
        "prepare": lambda: run_prepare(settings),
        "ingest": lambda: run_ingest(arguments.tool, settings),
        "build": lambda: run_build(arguments.tool, settings),
        "pagerank": lambda: run_pagerank(arguments.tool, settings),
        "end_to_end": lambda: peer_end_to_end(arguments.tool, settings, arguments.output),
    }
    return runners[arguments.stage]()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one stage and write its :class:`StageOutcome` as JSON to ``--result``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__)
    parser.add_argument(
        "--stage", required=True, choices=[*STAGES, "prepare", "machine"], help="what to run"
    )
    parser.add_argument("--tool", help="graphkit, pyarrow, polars, igraph, networkit, networkx")
    parser.add_argument("--dataset", type=Path, help="folder with follows.csv/.parquet")
    parser.add_argument("--work", type=Path, help="folder for files shared between stages")
    parser.add_argument("--result", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--output", type=Path, help="ranked CSV written by end_to_end")
    parser.add_argument("--damping", type=float, default=0.85)
    parser.add_argument("--tolerance", type=float, default=1e-10)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--pagerank-repeat", type=int, default=1, help="PageRank runs, best kept")
    parser.add_argument("--stream-bytes", type=int, default=1 << 30)
    parser.add_argument("--gather-count", type=int, default=1 << 24)
    arguments = parser.parse_args(argv)
    try:
        outcome = run(arguments)
    except Exception:
        traceback.print_exc()
        return 1
    arguments.result.write_text(json.dumps(asdict(outcome), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
