"""``graphkit import``: platform exports (X, LinkedIn, Mastodon) into a dataset folder."""

from __future__ import annotations

import glob
from pathlib import Path

import click
import polars as pl
import pyarrow as pa

from graphkit.cli.options import run_options
from graphkit.io.platforms import PLATFORM_LABELS, PlatformExport, import_exports
from graphkit.io.platforms.read import platform_name
from graphkit.io.preflight import available_memory, check_memory, estimate_memory
from graphkit.io.schema import TABLES
from graphkit.io.writers import check_dataset_folder, write_dataset
from graphkit.progress import Progress

FORMAT_NAMES = ("x", "twitter", "linkedin", "mastodon", "auto")


def _owner(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("is blank: give the owner's name or profile URL")
    return value


owner_option = click.option(
    "--owner",
    metavar="NAME_OR_URL",
    callback=_owner,
    help="Whose connections a LinkedIn Connections.csv without Profile.csv holds (LinkedIn's "
    "'Connections' download sends that file alone): their name as their profile shows it "
    "('Maya Okafor') or their profile URL. Needed only then.",
)


@click.command("import")
@click.argument("sources", nargs=-1, required=True, metavar="FORMAT PATH... [FORMAT PATH...]")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Dataset folder to write (accounts, follows, interactions, identities).",
)
@click.option(
    "--accounts",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Accounts file adding or correcting attributes (kind, organization, title, ...); "
    "its id column may name accounts as x:@handle, linkedin:Full Name, mastodon:name@server "
    "or a profile URL.",
)
@click.option(
    "--identities",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Identities file (account,person) joining one person's accounts across platforms; "
    "accounts named as in --accounts.",
)
@click.option(
    "--format",
    "table_format",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="File format of the tables.",
)
@owner_option
@click.option("--force", is_flag=True, help="Replace the tables of an existing dataset folder.")
@click.option(
    "--memory-check/--no-memory-check",
    default=True,
    show_default=True,
    help="Before reading, estimate the memory the exports need from the sizes of their data "
    "files and stop with an error when the machine has less available.",
)
@run_options
def import_command(
    sources: tuple[str, ...],
    output: Path,
    accounts: Path | None,
    identities: Path | None,
    table_format: str,
    owner: str | None,
    force: bool,
    memory_check: bool,
    progress: Progress,
) -> None:
    """Convert platform data exports into a dataset folder that every command reads.

    FORMAT is x (or twitter), linkedin, mastodon, or auto (recognise each export); the
    PATHs after it are exports of that platform: the archive the platform sent (zip,
    tar.gz), its extracted folder, or one file of it (Connections.csv, outbox.json,
    following_accounts.csv). Give several formats to merge exports of several platforms;
    each export's owner is an account, and follows seen in two exports count once.

    \b
    X: data/account.js, follower.js, following.js, tweets.js (retweets, quotes, replies,
       mentions, with times).
    LinkedIn: Connections.csv (mutual follows; Company and Position give organization and
       title), Profile.csv (the owner), Positions.csv. LinkedIn's "Connections" download
       holds Connections.csv alone: name its owner with --owner.
    Mastodon: actor.json (the owner), following_accounts.csv, outbox.json (boosts,
       replies, mentions, quotes), likes.json.

    \b
    Examples:
      graphkit import x twitter-2024-05-01.zip -o dataset/
      graphkit import x brand.zip maya.zip linkedin maya-linkedin.zip -o dataset/
      graphkit import auto exports/* --accounts roles.csv --identities people.csv -o dataset/
      graphkit import linkedin Connections.csv --owner 'Maya Okafor' -o dataset/
      graphkit rank dataset/ --top 20
    """
    exports = _parse_sources(sources)
    check_dataset_folder(output, replace=force)
    for stale in remove_stale_staging(output):
        progress.note(f"Removed {stale}, left by an interrupted import")
    if memory_check:
        estimate = estimate_memory(
            exports=[path for _, path in exports], accounts=accounts, identities=identities
        )
        check_memory(estimate, available_memory())
    with progress.step("Reading exports"):
        dataset, read = import_exports(
            exports, accounts=accounts, identities=identities, owner=owner
        )
    for export in read:
        progress.note(_describe(export))
        for note in export.notes:
            progress.note(note)
    tables = {
        name: _frame(getattr(dataset, name))
        for name in ("accounts", "follows", "interactions", "identities")
        if getattr(dataset, name) is not None
    }
    with progress.step(f"Writing {output}"):
        write_dataset(tables, output, file_format=table_format, replace=force)
    counts = ", ".join(f"{frame.height:,} {name}" for name, frame in tables.items())
    progress.note(f"Wrote {output}: {counts}")


def _parse_sources(sources: tuple[str, ...]) -> list[tuple[str, str]]:
    """``FORMAT PATH... [FORMAT PATH...]`` (or ``FORMAT:PATH``) as (format, path) pairs."""
    exports: list[tuple[str, str]] = []
    current: str | None = None
    waiting = False
    for token in sources:
        prefix, separator, rest = token.partition(":")
        if token.lower() in FORMAT_NAMES:
            if waiting:
                raise click.UsageError(f"no PATH after the format {current!r}")
            current, waiting = _format(token), True
        elif separator and prefix.lower() in FORMAT_NAMES and rest:
            exports.append((_format(prefix), rest))
        elif current is None:
            raise click.UsageError(
                f"give the export format before {token!r}: x, linkedin, mastodon or auto"
            )
        else:
            exports.append((current, token))
            waiting = False
    if waiting:
        raise click.UsageError(f"no PATH after the format {current!r}")
    return exports


def remove_stale_staging(output: Path) -> list[Path]:
    """Remove the hidden staging folders an interrupted import into ``output`` left beside
    it (``.NAME.*.tmp`` holding only table files), so that nothing partial outlives the next
    run; return those removed."""
    parent = output.parent if str(output.parent) else Path()
    removed = []
    try:
        candidates = sorted(parent.glob(f".{glob.escape(output.name)}.*.tmp"))
    except OSError:
        return []
    for folder in candidates:
        try:
            if folder.is_symlink() or not folder.is_dir():
                continue
            files = list(folder.iterdir())
            if not all(
                item.is_file() and not item.is_symlink() and _is_table_file(item.name)
                for item in files
            ):
                continue  # not a staging folder of graphkit's: leave it alone
            for item in files:
                item.unlink()
            folder.rmdir()
        except OSError:
            continue  # another run's, or not ours to remove: write_dataset does not need it
        removed.append(folder)
    return removed


def _is_table_file(name: str) -> bool:
    stem, _, suffix = name.partition(".")
    return stem in TABLES and suffix in ("csv", "parquet")


def _format(name: str) -> str:
    return "auto" if name.lower() == "auto" else platform_name(name)


def _describe(export: PlatformExport) -> str:
    return (
        f"{PLATFORM_LABELS[export.platform]} {export.path} ({export.owner_label()}): "
        f"{export.follows.num_rows:,} follows, {export.interactions.num_rows:,} interactions"
    )


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame
