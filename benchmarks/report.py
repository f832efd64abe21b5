"""The results table: markdown rendering of the harness's ``results.json``, and the targets
of issue 3 checked against it."""

from __future__ import annotations

from typing import Any, Final

from benchmarks.generate import parse_size

TOOL_COLUMNS: Final = ("graphkit", "igraph", "networkit", "networkx")
INGEST_VARIANTS: Final = ("pyarrow", "polars")
# Measurements during which other processes kept this much of a core busy are flagged.
BUSY_MACHINE_LOAD: Final = 0.25
STAGE_TITLES: Final = {
    "ingest": "ingest (CSV -> int ids)",
    "build": "graph build (int ids -> graph)",
    "pagerank": "PageRank",
    "end_to_end": "end to end (CSV -> ranked CSV)",
}
GIB: Final = 1 << 30
MIB: Final = 1 << 20


def evaluate_targets(edges: int, size_results: dict[str, Any]) -> list[dict[str, Any]]:
    """Check one size's results against the targets of issue 3 that apply to it.

    Returns
    -------
    list of dict
        ``target`` (what is checked), ``value``, ``limit`` and ``passed`` for each target.
    """
    stages = size_results.get("stages", {})
    graphkit = {stage: stages.get(stage, {}).get("graphkit") or {} for stage in stages}
    targets: list[dict[str, Any]] = []

    def check(target: str, value: float | None, limit: float, *, at_most: bool = True) -> None:
        passed = value is not None and (value <= limit if at_most else value >= limit)
        targets.append({"target": target, "value": value, "limit": limit, "passed": passed})

    agreement = size_results.get("agreement", {}).get("igraph")
    if agreement is not None:
        targets.append(
            {
                "target": "PageRank agrees with igraph (max abs diff <= 1e-8, same top-100 order)",
                "value": agreement.get("max_abs_diff"),
                "limit": 1e-8,
                "passed": bool(agreement.get("passed")),
            }
        )
    end_to_end = graphkit.get("end_to_end", {})
    if edges == parse_size("10M"):
        check("end to end <= 5 s", _seconds(end_to_end), 5.0)
        peers = [
            record["seconds"]
            for tool, record in stages.get("end_to_end", {}).items()
            if tool != "graphkit" and not record.get("error")
        ]
        speedup = min(peers) / end_to_end["seconds"] if peers and _seconds(end_to_end) else None
        check("end to end >= 3.5x faster than the fastest peer", speedup, 3.5, at_most=False)
        check("graph build from int ids <= 1 s", _seconds(graphkit.get("build", {})), 1.0)
        per_iteration = graphkit.get("pagerank", {}).get("seconds_per_iteration")
        milliseconds = per_iteration * 1e3 if per_iteration is not None else None
        check("PageRank <= 10 ms per iteration", milliseconds, 10.0)
        bound = size_results.get("streaming_bound") or {}
        ratio = (bound.get("ratio_to_bound") or {}).get("as_stored")
        check("PageRank <= 2x the streaming bound (graph as stored)", ratio, 2.0)
    if edges == parse_size("100M"):
        check("end to end <= 60 s", _seconds(end_to_end), 60.0)
        peak = end_to_end.get("peak_rss_bytes") if not end_to_end.get("error") else None
        check("end to end peak RSS <= 8 GiB", peak / GIB if peak else None, 8.0)
    return targets


def render_markdown(results: dict[str, Any]) -> str:
    """Render the harness results as a markdown report."""
    lines = ["# graphkit benchmark results", ""]
    lines += _machine_lines(results)
    for label, size in results.get("sizes", {}).items():
        lines += _size_lines(label, size)
    lines += _definitions()
    return "\n".join(lines) + "\n"


# --- sections ---------------------------------------------------------------------------------


def _machine_lines(results: dict[str, Any]) -> list[str]:
    machine = results.get("machine") or {}
    settings = results.get("settings", {})
    versions = machine.get("versions", {})
    memory = machine.get("memory_bytes")
    caches = ", ".join(f"{name} {size}" for name, size in machine.get("caches", {}).items())
    lines = [
        f"Measured {results.get('started', '?')} in one run of `python -m benchmarks.harness "
        f"{' '.join(settings.get('arguments', []))}`.".replace(" `.", "`."),
        "",
        f"- Machine: {machine.get('cpu', '?')}, {machine.get('logical_cores', '?')} cores, "
        f"{memory / GIB:.1f} GiB RAM"
        if memory
        else "- Machine: ?",
        f"- Caches: {caches or '?'}; {machine.get('os', '?')}",
        f"- Python {machine.get('python', '?')}; "
        + ", ".join(f"{name} {version}" for name, version in versions.items() if version),
        f"- PageRank: damping {settings.get('damping')}, L1 tolerance {settings.get('tolerance')}"
        f"; threads: {settings.get('threads') or 'all cores'} (numba, NetworKit, igraph's "
        "PRPACK through OpenMP; networkx uses one); best of "
        f"{settings.get('repeat', 1)} run(s) (PageRank: best of "
        f"{settings.get('pagerank_repeat', 1)} more inside each); each measurement in a fresh "
        "process.",
    ]
    source = results.get("graphkit_source") or {}
    if source:
        lines.append(
            f"- graphkit source fingerprint {source.get('fingerprint')}"
            + (" (a copy taken when the run started)" if source.get("snapshot") else "")
        )
    lines.append("")
    bandwidth = results.get("bandwidth")
    if bandwidth:
        gathers = bandwidth.get("gather_rates", {})
        lines += [
            "## Machine limits (measured in the same run)",
            "",
            "| measure | rate |",
            "|---|---|",
            f"| numpy sum, 1 thread, {bandwidth['stream_bytes'] / GIB:g} GiB array | "
            f"{bandwidth['numpy_sum_gbps']:.1f} GB/s |",
            f"| numba parallel read (sum), {bandwidth['threads']} threads | "
            f"{bandwidth['read_gbps']:.1f} GB/s |",
            f"| numba parallel copy | {bandwidth['copy_gbps']:.1f} GB/s |",
            f"| numba parallel triad | {bandwidth['triad_gbps']:.1f} GB/s |",
        ]
        for key, rate in gathers.items():
            entries, order = key.split()
            lines.append(
                f"| gather from a {int(entries) / 1e6:g}M-entry float64 table, {order} int32 "
                f"indices | {rate:,.0f} M/s |"
            )
        lines.append("")
    elif results.get("machine_error"):
        lines += [f"Machine measurement failed: {results['machine_error']}", ""]
    return lines


def _size_lines(label: str, size: dict[str, Any]) -> list[str]:
    graph = size.get("graph", {})
    dataset = size.get("dataset", {})
    lines = [
        f"## {label} edges",
        "",
        f"{graph.get('edges', dataset.get('edges', 0)):,} follows among "
        f"{graph.get('nodes', 0):,} accounts with string handles "
        f"(generated with seed {dataset.get('seed')}; follows.csv "
        f"{dataset.get('files', {}).get('follows.csv', 0) / MIB:,.0f} MiB).",
        "",
    ]
    if size.get("error"):
        return [*lines, f"Failed: {size['error']}", ""]
    source = size.get("graphkit_source") or {}
    if source.get("before") != source.get("after"):
        lines += [
            "**Warning:** graphkit's source changed while this size was measured (fingerprint "
            f"{source.get('before')} -> {source.get('after')}); its stages may mix versions.",
            "",
        ]
    stages = size.get("stages", {})
    tools = [tool for tool in TOOL_COLUMNS if any(tool in records for records in stages.values())]
    lines += [
        "Time, peak RSS (time relative to graphkit: > 1 means slower than graphkit).",
        "",
        "| stage | " + " | ".join(tools) + " |",
        "|---|" + "---|" * len(tools),
    ]
    busy = False
    for stage, records in stages.items():
        reference = records.get("graphkit", {})
        cells = [_cell(records.get(tool), reference, stage) for tool in tools]
        busy = busy or any("†" in cell for cell in cells)
        lines.append(f"| {STAGE_TITLES.get(stage, stage)} | " + " | ".join(cells) + " |")
    lines.append("")
    variants = [
        f"{tool} {_cell(stages['ingest'][tool], stages['ingest'].get('graphkit', {}), 'ingest')}"
        + _steps_text(stages["ingest"][tool])
        for tool in INGEST_VARIANTS
        if tool in stages.get("ingest", {})
    ]
    if variants:
        graphkit_ingest = stages["ingest"].get("graphkit", {})
        lines += [
            "Peers ingest with the faster of: "
            + "; ".join(variants)
            + ". graphkit: "
            + (_steps_text(graphkit_ingest).strip(" ()") or "-")
            + ".",
            "",
        ]
    if busy:
        lines += [
            f"† other processes kept more than {BUSY_MACHINE_LOAD:g} of a core busy during this "
            "measurement on average; its time is less reliable.",
            "",
        ]
    lines += _breakdown_lines(size)
    lines += _bound_lines(size.get("streaming_bound"))
    lines += _agreement_lines(size)
    lines += _target_lines(size.get("targets", []))
    return lines


def _cell(record: dict[str, Any] | None, reference: dict[str, Any], stage: str) -> str:
    if record is None:
        return "-"
    if record.get("error"):
        return "error: " + record["error"].splitlines()[-1][:80].replace("|", "/")
    text = f"{_format_seconds(record['seconds'])}, {_format_bytes(record['peak_rss_bytes'])}"
    if reference and not reference.get("error") and reference is not record:
        text += f" ({record['seconds'] / reference['seconds']:.2f}x)"
    if record.get("ingest_with"):
        text += f" [{record['ingest_with']}]"
    if record.get("other_load", 0.0) > BUSY_MACHINE_LOAD:
        text += " †"
    if stage == "pagerank":
        iterations = record.get("iterations")
        per_iteration = record.get("seconds_per_iteration")
        if iterations:
            text += f"; {iterations} it"
        if per_iteration:
            text += f", {per_iteration * 1e3:.1f} ms/it"
    return text


def _steps_text(record: dict[str, Any]) -> str:
    steps = record.get("details", {}).get("steps") or {}
    if not steps or record.get("error"):
        return ""
    return (
        " (" + " + ".join(f"{name} {_format_seconds(value)}" for name, value in steps.items()) + ")"
    )


def _breakdown_lines(size: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    steps = size.get("graphkit_steps") or {}
    if steps.get("steps"):
        total = steps["seconds"]
        lines += [
            "Where graphkit's end-to-end time goes (`graphkit rank -v`, a separate run):",
            "",
            "| step | time | share |",
            "|---|---|---|",
        ]
        for name, seconds in [*steps["steps"].items(), ("start-up, imports, exit", None)]:
            value = steps["outside_steps"] if seconds is None else seconds
            lines.append(f"| {name} | {_format_seconds(value)} | {value / total:.0%} |")
        lines += [f"| total | {_format_seconds(total)} | 100% |", ""]
    peer_steps = {
        tool: record.get("details", {}).get("steps")
        for tool, record in size.get("stages", {}).get("end_to_end", {}).items()
        if tool != "graphkit" and record.get("details", {}).get("steps")
    }
    if peer_steps:
        names = list(next(iter(peer_steps.values())))
        lines += [
            "Peer pipelines, by step (inside the process):",
            "",
            "| tool | " + " | ".join(names) + " |",
            "|---|" + "---|" * len(names),
        ]
        for tool, step_times in peer_steps.items():
            cells = [_format_seconds(step_times.get(name, 0.0)) for name in names]
            lines.append(f"| {tool} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _bound_lines(bound: dict[str, Any] | None) -> list[str]:
    if not bound:
        return []
    traffic = bound["bytes_per_iteration"]
    seconds = bound["bound_seconds"]
    ratio = bound.get("ratio_to_bound") or {}
    measured = bound.get("graphkit_seconds_per_iteration")
    measured_text = f"{measured * 1e3:.1f} ms" if measured else "?"
    lines = [
        f"PageRank streaming bound at {bound['read_gbps']:.1f} GB/s (parallel read); graphkit "
        f"takes {measured_text} per iteration:",
        "",
        "| layout | bytes per iteration | bound | graphkit / bound |",
        "|---|---|---|---|",
    ]
    for layout in traffic:
        ratio_text = f"{ratio[layout]:.1f}x" if layout in ratio else "?"
        lines.append(
            f"| {layout.replace('_', ' ')} | {traffic[layout] / 1e6:,.0f} MB | "
            f"{seconds[layout] * 1e3:.1f} ms | {ratio_text} |"
        )
    return [*lines, ""]


def _agreement_lines(size: dict[str, Any]) -> list[str]:
    agreement = size.get("agreement") or {}
    if not agreement:
        return []
    lines = [
        "PageRank agreement with graphkit (scores matched by id):",
        "",
        "| tool | max abs diff | max rel diff | same top-100 order | passed |",
        "|---|---|---|---|---|",
    ]
    for tool, check in agreement.items():
        if check.get("error"):
            lines.append(f"| {tool} | - | - | - | no ({check['error']}) |")
            continue
        order = (
            "yes" if check["top_order_same"] else f"no (from rank {check['first_top_difference']})"
        )
        lines.append(
            f"| {tool} | {check['max_abs_diff']:.2e} | {check['max_rel_diff']:.2e} | {order} | "
            f"{'yes' if check['passed'] else 'no'} |"
        )
    same = (size.get("end_to_end_check") or {}).get("top_same_as_graphkit", {})
    if same:
        lines += [
            "",
            "End-to-end outputs, top 100 same as graphkit's: "
            + ", ".join(f"{tool} {'yes' if value else 'no'}" for tool, value in same.items())
            + ".",
        ]
    return [*lines, ""]


def _target_lines(targets: list[dict[str, Any]]) -> list[str]:
    if not targets:
        return []
    lines = ["Issue 3 targets:", "", "| target | measured | met |", "|---|---|---|"]
    for target in targets:
        value = target["value"]
        text = "-" if value is None else f"{value:.3g}"
        lines.append(f"| {target['target']} | {text} | {'yes' if target['passed'] else 'no'} |")
    return [*lines, ""]


def _definitions() -> list[str]:
    return [
        "## What is measured",
        "",
        "- **ingest**: CSV file -> int id per account and per follow. graphkit: "
        "`load_dataset` + the interning of `build_graph`; pyarrow: `read_csv` + "
        "`dictionary_encode`; polars: `read_csv` + cast to `Categorical`; each peer is credited "
        "with the faster of the two (marked in brackets). The peers' end-to-end pipelines use "
        "pyarrow.",
        "- **graph build**: from the same int32 pairs. graphkit: `csr_by_row` + out-weights; "
        "igraph: `Graph(n, edges)` from Python pairs (garbage collector paused); NetworKit: "
        "`Graph` + `addEdges`; networkx: `DiGraph.add_edges_from`.",
        "- **PageRank**: on the built graph, scores saved for the agreement check. igraph uses "
        "PRPACK (its own solver tolerance, iterations not reported); NetworKit: L1 norm, sinks "
        "distributed; networkx: tolerance / n (it stops at L1 < n * tol).",
        "- **end to end**: the whole process, start-up included. graphkit: `graphkit rank "
        "--follows follows.csv --top 0 -o out.csv -q`; peers: pyarrow read, dictionary "
        "encoding, build, PageRank, polars sort and CSV write (`rank,id,pagerank`).",
        "- Times and peak RSS of ingest, build and PageRank cover the measured section only "
        "(inputs are loaded before it; the peak includes the resident inputs and libraries); "
        "end to end covers the whole process.",
        "",
    ]


def _seconds(record: dict[str, Any]) -> float | None:
    if not record or record.get("error"):
        return None
    return float(record["seconds"])


def _format_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms" if seconds >= 0.01 else f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _format_bytes(size: float) -> str:
    if size >= GIB:
        return f"{size / GIB:.2f} GiB"
    return f"{size / MIB:.0f} MiB"
