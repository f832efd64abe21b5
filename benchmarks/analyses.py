"""Time the analyses beyond ranking (``graphkit brands`` for every organization and
``graphkit experts`` for the largest one) on a generated benchmark graph, end to end.

Example: ``python -m benchmarks.analyses --size 10M`` (after ``python -m benchmarks.generate
--edges 10M``) writes ``benchmarks/results/analyses.md``.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from benchmarks.generate import DATA_FOLDER
from benchmarks.harness import RESULTS_FOLDER, graphkit_command, run_process


def largest_organization(accounts: Path) -> str:
    """The brand with the most people in the generated accounts table."""
    table = pl.read_csv(
        accounts, columns=["organization"], schema_overrides={"organization": pl.String}
    )
    counts = (
        table.drop_nulls()
        .group_by("organization")
        .len()
        .sort(["len", "organization"], descending=[True, False])
    )
    return str(counts["organization"][0])


def main(argv: Sequence[str] | None = None) -> int:
    """Run both analyses once each in a fresh process and write a markdown table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analyses", description=__doc__)
    parser.add_argument("--size", default="10M", help="dataset folder under benchmarks/data")
    parser.add_argument("--out", type=Path, default=RESULTS_FOLDER / "analyses.md")
    options = parser.parse_args(argv)
    folder = DATA_FOLDER / options.size
    inputs = [
        "--follows", str(folder / "follows.csv"),
        "--interactions", str(folder / "interactions.csv"),
        "--accounts", str(folder / "accounts.csv"),
    ]  # fmt: skip
    organization = largest_organization(folder / "accounts.csv")
    runs = {
        "brands (all organizations)": ["brands", *inputs],
        f"experts --org {organization}": ["experts", *inputs, "--org", organization],
    }
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for label, arguments in runs.items():
            output = Path(work) / "out.csv"
            run = run_process(
                [*graphkit_command(), *arguments, "-q", "-o", str(output)],
                stderr_path=Path(work) / "stderr.txt",
                timeout=1800,
            )
            status = "ok" if run.returncode == 0 else f"failed ({run.stderr_tail.strip()[-200:]})"
            rows.append(
                f"| {label} | {run.seconds:.1f} s | {run.peak_rss_bytes / 2**30:.2f} GiB "
                f"| {run.other_load:.2f} | {status} |"
            )
    lines = [
        f"# Analyses on the {options.size} benchmark graph",
        "",
        "End to end in a fresh process (read, build, analysis, write) on "
        f"{platform.machine()}, Python {platform.python_version()}; 'other load' is the cores"
        " other processes kept busy meanwhile.",
        "",
        "| command | time | peak RSS | other load (cores) | status |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
    options.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if all(row.endswith("| ok |") for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
