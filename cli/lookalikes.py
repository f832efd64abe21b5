"""``graphkit lookalikes``: accounts whose audiences resemble given accounts' audiences."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import cast

import click

from graphkit.analysis.lookalikes import (
    DEFAULT_HASHES,
    DEFAULT_TOP,
    EDGES,
    MAX_HASHES,
    METHODS,
    Edges,
    Method,
)
from graphkit.app.similar_audiences import lookalikes_run
from graphkit.cli.inputs import InputChoice, input_options, load
from graphkit.cli.options import (
    as_input,
    input_or_id,
    remember_run,
    run_options,
    weighting_options,
)
from graphkit.cli.output import emit, output_options
from graphkit.graph import Weighting
from graphkit.progress import Progress


@click.command("lookalikes")
@input_options
@click.argument("seeds", nargs=-1, metavar="ID [ID...]")
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=DEFAULT_TOP,
    show_default=True,
    help="Rows to keep (0 = every account sharing --min-shared followers).",
)
@click.option(
    "--min-shared",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Keep accounts sharing at least this many followers with the seeds' audience.",
)
@click.option(
    "--min-followers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Keep accounts with at least this many followers (MinHash signs only these).",
)
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="auto",
    show_default=True,
    help="exact: count shared followers in one pass over the edges; minhash: estimate from "
    "MinHash signatures, then re-score the best exactly; auto: exact up to 500M edges.",
)
@click.option(
    "--edges",
    type=click.Choice(EDGES),
    default="follows",
    show_default=True,
    help="An audience is the followers, or every account paying attention (follows and "
    "interactions).",
)
@click.option(
    "--hashes",
    type=click.IntRange(min=1, max=MAX_HASHES),
    default=DEFAULT_HASHES,
    show_default=True,
    help="MinHash signature length k (standard error sqrt(J(1-J)/k)).",
)
@click.option(
    "--hash-seed",
    type=click.IntRange(min=0, max=2**63 - 1),
    default=0,
    show_default=True,
    help="Seed of the MinHash hash functions.",
)
@weighting_options
@output_options
@run_options
def lookalikes(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    seeds: tuple[str, ...],
    top: int,
    min_shared: int,
    min_followers: int,
    method: str,
    edges: str,
    hashes: int,
    hash_seed: int,
    output: Path | None,
    output_format: str | None,
) -> None:
    """List accounts whose audiences resemble the audience of the given accounts.

    The seeds' audience is the union of their followers. Every other account gets the
    Jaccard similarity of its followers with that audience (shared / union), the followers
    they share, and the overlap coefficient (shared / the smaller of the two). Rows come
    most similar first, then most shared followers, ties by id. With --method minhash the
    table adds each account's estimated similarity and the estimate's standard error.
    Similarity is unweighted: --weights and --half-life leave it unchanged, and
    --discount-suspicious leaves out the followers an audit finds suspicious.

    \b
    Examples:
      graphkit lookalikes --demo b001
      graphkit lookalikes --demo u0664 u0903 --top 20 --min-shared 10
      graphkit lookalikes --demo b001 --method minhash --hashes 256
      graphkit lookalikes exports/ acme --edges attention -o lookalikes.csv
    """
    if inputs.input is not None and (
        inputs.demo or inputs.follows or inputs.interactions or inputs.database
    ):
        # Without a dataset folder the first argument is the first seed, as typed.
        seeds = (str(inputs.input), *seeds)
        inputs = dataclasses.replace(inputs, input=None)
    elif isinstance(inputs.input, str):
        inputs = dataclasses.replace(inputs, input=as_input(inputs.input))
    if not seeds:
        raise click.UsageError("Missing argument 'ID [ID...]'.")
    loaded = load(inputs, weighting, progress)
    found = lookalikes_run(
        loaded, seeds=seeds, top=top, method=cast(Method, method), min_shared=min_shared,
        min_followers=min_followers, edges=cast(Edges, edges),
        hashes=hashes, seed=hash_seed, progress=progress,
    )  # fmt: skip
    remember_run(lookalikes=found.facts())
    accounts = "account" if found.seed_audience == 1 else "accounts"
    summary = f"Seed audience: {found.seed_audience:,} {accounts}; method: {found.method}"
    if found.method == "minhash":
        summary += (
            f" (k = {found.hashes} hashes, standard error sqrt(J(1-J)/{found.hashes}); "
            f"best {found.rescored:,} of {found.candidates:,} estimates re-scored exactly)"
        )
    progress.note(summary)
    if found.note:
        hint = ""
        if weighting.discount_suspicious:
            hint = " (--discount-suspicious left out the followers an audit finds suspicious)"
        elif edges == "follows" and not found.seed_audience:
            hint = " (--edges attention counts interactions too)"
        progress.note(f"No lookalikes: {found.note}{hint}")
    title = f"Lookalikes of {', '.join(seeds[:3])}{' ...' if len(seeds) > 3 else ''}"
    emit(found.table, output, output_format, progress, title=title)


input_or_id(lookalikes)
