"""``graphkit explain`` and ``graphkit paths``: why an account ranks where it does."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from graphkit import app
from graphkit.algorithms.pagerank import DEFAULT_DAMPING
from graphkit.algorithms.warm_paths import DEFAULT_PER_TARGET, MAX_HOPS, MAX_PER_TARGET
from graphkit.analysis.explain import DEFAULT_CONTRIBUTORS, DEFAULT_PATHS
from graphkit.app import Settings
from graphkit.cli.inputs import InputChoice, input_options, load
from graphkit.cli.options import run_options, weighting_options
from graphkit.cli.output import emit, output_options
from graphkit.graph import Weighting
from graphkit.progress import Progress


@click.command("explain")
@input_options
@click.argument("account", metavar="ID", required=False)
@click.option(
    "--audience",
    "audience_selectors",
    multiple=True,
    metavar="SELECTOR",
    help="Explain the ranking personalized on this audience (as in graphkit rank "
    "--audience) and report the share of the score its members pass on directly.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=DEFAULT_CONTRIBUTORS,
    show_default=True,
    help="Contributors to list (0 = all).",
)
@click.option(
    "--community",
    "with_community",
    is_flag=True,
    help="Also find communities (Leiden, seed 0) and report the account's community rank.",
)
@click.option(
    "--damping",
    type=click.FloatRange(0, 1, max_open=True),
    default=DEFAULT_DAMPING,
    show_default=True,
    help="PageRank damping factor.",
)
@weighting_options
@output_options
@run_options
def explain_command(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    account: str | None,
    audience_selectors: tuple[str, ...],
    top: int,
    with_community: bool,
    damping: float,
    output: Path | None,
    output_format: str | None,
) -> None:
    """Explain an account's PageRank: the accounts whose attention makes it.

    Lists the in-neighbours by contribution (damping x their PageRank x the share of their
    attention going to the account); a summary line on stderr gives the rank, the share
    received by teleport and, with --audience, the share passed on by the audience.

    \b
    Examples:
      graphkit explain --demo u2044
      graphkit explain --demo u2044 --audience 'title~CTO|CIO|CISO' --community
      graphkit explain exports/ acme --top 0 -o contributors.csv
    """
    if account is None:
        # With --demo or the tables named by options, the only argument is the account.
        if inputs.input is None or not (inputs.demo or inputs.follows or inputs.interactions):
            raise click.UsageError("Missing argument 'ID'.")
        account = str(inputs.input)
        inputs = dataclasses.replace(inputs, input=None)
    loaded = load(inputs, weighting, progress)
    why = app.explain(
        loaded,
        account=account,
        settings=Settings(weighting=weighting, damping=damping),
        audience=audience_selectors,
        top=top,
        community=with_community,
        progress=progress,
    )
    summary = (
        f"{why.id} ranks #{why.rank:,} of {why.n_accounts:,} accounts (PageRank {why.score:.4g}): "
        f"{why.in_neighbors:,} {'account pays' if why.in_neighbors == 1 else 'accounts pay'} "
        "attention to it; "
        f"{why.teleport_share:.1%} of its score comes from teleporting"
    )
    if why.audience_share is not None:
        summary += f"; {why.audience_share:.1%} is passed on directly by the audience"
    if why.community is not None:
        summary += f"; #{why.community_rank:,} in community {why.community}"
    progress.note(summary)
    emit(why.contributors, output, output_format, progress, title=f"Who makes {account} rank")


@click.command("paths")
@input_options
@click.option("--from", "source", metavar="ID", help="Start: e.g. a buyer.")
@click.option(
    "--from-org",
    "organization",
    metavar="ORG",
    help="Warm paths to every target from this organization's people (brand id or name).",
)
@click.option(
    "--to",
    "targets",
    required=True,
    multiple=True,
    metavar="ID|TARGETS",
    help="End: e.g. your brand; with --from-org, the targets: a file of ids or a selector "
    "as in --audience (title~CTO), repeated to add more.",
)
@click.option(
    "-k", "k", type=click.IntRange(min=1), help=f"Paths to list [default: {DEFAULT_PATHS}]."
)
@click.option(
    "--per-target",
    type=click.IntRange(1, MAX_PER_TARGET),
    help=f"With --from-org: paths per target [default: {DEFAULT_PER_TARGET}].",
)
@click.option(
    "--max-hops",
    type=click.IntRange(1, MAX_HOPS),
    help=f"With --from-org: longest path [default: {MAX_HOPS}].",
)
@weighting_options
@output_options
@run_options
def paths(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    source: str | None,
    organization: str | None,
    targets: tuple[str, ...],
    k: int | None,
    per_target: int | None,
    max_hops: int | None,
    output: Path | None,
    output_format: str | None,
) -> None:
    """List the strongest paths of attention from one account to another, or from every
    target to an organization's people (warm paths).

    A path's influence is the product, along its edges, of the share of each account's
    attention that goes to the next (the chance a walk following attention takes it).
    Paths follow edges as 'pays attention to', so --from a buyer --to a brand shows
    through whom the buyer's attention reaches the brand ("pathing the purchase").

    With --from-org ORG --to TARGETS, each target gets its --per-target strongest paths of
    at most --max-hops hops to a colleague: a person whose organization is ORG (not the
    brand account). A path ends at the first colleague it reaches, never repeats an account,
    and its strength is that influence; a target without one is listed with empty path
    columns, and targets that are ORG's own accounts are left out. Interactions decay
    with age only with --half-life.

    \b
    Examples:
      graphkit paths --demo --from u0855 --to b001
      graphkit paths --demo --from u0855 --to b001 -k 10 -o paths.csv
      graphkit paths --demo --from-org b001 --to 'title~CTO'
      graphkit paths --demo --from-org 'Northwind Cloud' --to buyers.txt --half-life 90d
    """
    if (source is None) == (organization is None):
        raise click.UsageError("give one of --from ID and --from-org ORG")
    if organization is None and (per_target or max_hops):
        raise click.UsageError("--per-target and --max-hops go with --from-org")
    if organization is not None and k:
        raise click.UsageError("-k goes with --from; with --from-org use --per-target")
    if source is not None and len(targets) > 1:
        raise click.UsageError("--from takes one --to ID; several go with --from-org")
    loaded = load(inputs, weighting, progress)
    if source is not None:
        (target,) = targets
        table = app.paths(
            loaded, source=source, target=target, k=k or DEFAULT_PATHS, progress=progress
        )
        if table.height == 0:
            progress.note(f"No path of attention leads from {source} to {target}")
        emit(table, output, output_format, progress, title=f"Paths from {source} to {target}")
    elif organization is not None:
        hops = max_hops or MAX_HOPS
        found = app.warm_paths(
            loaded,
            organization=organization,
            targets=targets,
            per_target=per_target or DEFAULT_PER_TARGET,
            max_hops=hops,
            progress=progress,
        )
        listed = found.get_column("target").n_unique()
        reached = found.drop_nulls("path_rank").get_column("target").n_unique()
        progress.note(
            f"{reached:,} of {listed:,} targets have a warm path from {organization} "
            f"within {hops} hops"
        )
        emit(found, output, output_format, progress, title=f"Warm paths from {organization}")
