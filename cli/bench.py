"""``graphkit bench``: a thin entry to the benchmark harness in ``benchmarks/``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from graphkit.errors import GraphkitError


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("harness_arguments", nargs=-1, type=click.UNPROCESSED)
def bench(harness_arguments: tuple[str, ...]) -> None:
    """Benchmark graphkit against igraph, NetworKit and networkx, side by side in one run.

    Runs from a source checkout (the harness lives in benchmarks/, with the peers from the
    bench extra: pip install -e '.[bench]'). Arguments go to the harness; see
    `graphkit bench --help`.

    \b
    Examples:
      graphkit bench --sizes 1M --peers igraph,networkit,networkx
      graphkit bench --sizes 1M,10M --repeat 3
    """
    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "benchmarks" / "harness.py").is_file():
        raise GraphkitError(
            "graphkit bench runs from a source checkout: "
            "clone graphkit and pip install -e '.[bench]'"
        )
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    from benchmarks.harness import main as harness_main

    raise SystemExit(harness_main(list(harness_arguments)))
