"""``graphkit audit``: audience quality (fake followers) of accounts, or every account's
suspicion as a follower."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from graphkit.analysis.audit import DEFAULT_THRESHOLD
from graphkit.app.audience_quality import DEFAULT_TOP
from graphkit.app.audience_quality import audit as audit_accounts
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


@click.command("audit")
@input_options
@click.argument("ids", nargs=-1, metavar="[ID...]")
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Score every account as a follower: id, followers, following, suspicion, reasons.",
)
@click.option(
    "--trusted",
    multiple=True,
    metavar="SELECTOR",
    help="Trust seeds, as --audience selects (id=a,b; title~CTO; a file of ids); repeat to "
    "add. Default: the sqrt(n) accounts with the most followers among those that interact.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    callback=lambda ctx, param, value: _not_nan(ctx, param, value),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Followers with a suspicion at or above it count as suspicious.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=DEFAULT_TOP,
    show_default=True,
    help="Without ids or --all: audit the N accounts with the most followers.",
)
@weighting_options
@output_options
@run_options
def audit(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    ids: tuple[str, ...],
    every: bool,
    trusted: tuple[str, ...],
    threshold: float,
    top: int,
    output: Path | None,
    output_format: str | None,
) -> None:
    """Audit audiences: how many of each account's followers look fake, and why.

    Every account gets a suspicion in [0, 1] as a follower, from the graph alone: no
    followers, following many and followed by few, follows not followed back, never
    interacting, follow bursts (by the follows' since times), dense rings of untrusted
    followers, and low trust propagated from trusted seeds along who pays attention to whom
    (SybilRank-style, early-terminated). Per audited account: followers,
    suspicious_followers (suspicion >= --threshold), audience_quality (the share of
    followers that look authentic) and, per signal, reason_<signal>: the suspicious
    followers it fired for. With --all, every account's suspicion and reasons instead.
    Without ids or --all, the --top accounts with the most followers.

    \b
    Examples:
      graphkit audit --demo
      graphkit audit --demo u0903 u0664
      graphkit audit --demo --all -o accounts.csv
      graphkit audit --demo --trusted title~CEO --threshold 0.7
      graphkit rank --demo --discount-suspicious
    """
    if inputs.input is not None and (
        inputs.demo or inputs.follows or inputs.interactions or inputs.database
    ):
        # Without a dataset folder the first argument is the first id, as typed.
        ids = (str(inputs.input), *ids)
        inputs = dataclasses.replace(inputs, input=None)
    else:
        inputs = dataclasses.replace(inputs, input=as_input(inputs.input))
    if ids and every:
        raise click.UsageError("give account ids or --all, not both")
    loaded = load(inputs, weighting, progress)
    table = audit_accounts(
        loaded,
        ids=ids or None,
        all=every,
        trusted=list(trusted) or None,
        threshold=threshold,
        top=top,
        progress=progress,
    )
    remember_run(audit={"threshold": threshold, "trusted": list(trusted) or "default"})
    if every:
        flagged = table.filter(table["suspicion"] >= threshold).height
        progress.note(f"{flagged:,} of {table.height:,} accounts have suspicion >= {threshold:g}")
        title = f"{table.height:,} accounts by suspicion"
    else:
        title = f"Audience quality of {table.height:,} accounts"
    emit(table, output, output_format, progress, title=title)


def _not_nan(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value != value:  # NaN passes FloatRange's comparisons
        raise click.BadParameter("nan is not in the range 0<=x<=1.", ctx=ctx, param=param)
    return value


input_or_id(audit)
