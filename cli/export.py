"""``graphkit export``: turn an earlier result into a CRM's import files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import polars as pl

from graphkit.cli.crm import write_crm_export
from graphkit.cli.crm_options import CRM_SETTINGS, CrmSettings, checked_choice, crm_settings_options
from graphkit.cli.options import remember_run, run_options
from graphkit.cli.output import ExportChoice
from graphkit.errors import InputError, UsageError
from graphkit.export import TARGETS, manifest_path, unguard_spreadsheet
from graphkit.export.profiles import KNOWN_COLUMNS
from graphkit.io import format_for
from graphkit.io.files import check_regular_file
from graphkit.io.readers import missing_reason
from graphkit.progress import Progress

# Columns of a CSV result that stay text whatever they hold (ids, handles, names); the others
# get back the numbers and booleans graphkit wrote, so that their fields are defined as such.
_TEXT_COLUMNS = (KNOWN_COLUMNS - {"rank", "score", "pagerank", "followers_count"}) | {
    "topics_matched"
}
_INTEGER = r"^-?(?:0|[1-9][0-9]{0,17})$"
_FLOAT = r"^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|-?inf|NaN|nan)$"


@click.command("export")
@click.argument("result", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--crm",
    type=click.Choice(TARGETS),
    required=True,
    help="The CRM whose import files to write.",
)
@click.option(
    "--crm-mapping",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="TOML",
    help='TOML file overriding headers ([contacts] handle = "Twitter Username"), '
    "date_format, max_rows or max_bytes.",
)
@crm_settings_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="OUT.csv: writes OUT.contacts.csv, OUT.companies.csv (Salesforce: OUT.accounts.csv), "
    "numbered when split, and OUT.csv.manifest.json.",
)
@run_options
def export_command(
    progress: Progress,
    result: Path,
    crm: str,
    crm_mapping: Path | None,
    output: Path,
    **settings: Any,
) -> None:
    """Convert an earlier result of rank, experts or brands into CRM import files.

    RESULT is a file written by graphkit rank, experts or brands (-o FILE.csv, .parquet,
    .json or .ndjson). Brands go to companies (Salesforce: accounts), everyone else to
    contacts. The apostrophes graphkit's CSV output puts before formula-like text are
    removed first, and the CRM's own formula guard applied. When RESULT has a manifest
    beside it, the new manifest embeds it and the scores keep their original date.

    \b
    Examples:
      graphkit rank --demo --top 500 -o ranking.csv
      graphkit export ranking.csv --crm hubspot -o hubspot.csv
      graphkit export experts.parquet --crm salesforce --crm-mapping sf.toml -o sf.csv
      graphkit export ranking.csv --crm salesforce --crm-object leads -o leads.csv
    """
    choice = checked_choice(
        ExportChoice(
            crm,
            crm_mapping,
            manifest=True,
            settings=CrmSettings(**{name: settings[name] for name in CRM_SETTINGS}),
        )
    )
    if _same_path(manifest_path(output), manifest_path(result)):
        raise UsageError(
            f"-o {output} would put the export's manifest in place of RESULT's "
            f"({manifest_path(result)}); name the export differently"
        )
    table = _read_result(result)
    _check_result(table, result)
    source_manifest = _source_manifest(result)
    remember_run(sources={"result": result})
    scored_on = None
    if source_manifest is not None and "created" in source_manifest:
        try:
            scored_on = dt.datetime.fromisoformat(str(source_manifest["created"])).date()
        except ValueError:
            raise InputError(
                f"'created' is {source_manifest['created']!r}, not an ISO 8601 time",
                path=manifest_path(result),
            ) from None
    write_crm_export(
        table,
        output,
        choice,
        progress,
        scored_on=scored_on,
        source_manifest=source_manifest,
    )


def _read_result(path: Path) -> pl.DataFrame:
    check_regular_file(path)  # a FIFO or device: named as such, never opened
    if not path.is_file():
        raise InputError(missing_reason(path), path=path)
    kind = format_for(path)
    try:
        if kind == "csv":
            # Read as text, so that ids like 007 stay 007; numbers are typed again after.
            return _typed(unguard_spreadsheet(pl.read_csv(path, infer_schema=False)))
        if kind == "parquet":
            return pl.read_parquet(path)
        if kind == "json":
            return pl.read_json(path)
        return pl.read_ndjson(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        reason = " ".join(str(error).split())[:200]
        raise InputError(f"cannot read the {kind} result ({reason})", path=path) from None


def _check_result(table: pl.DataFrame, path: Path) -> None:
    """Each row of RESULT has an id of its own, the record's external id in the CRM, and
    finite numbers (named by file, row and column: line numbers of a CSV file, record numbers
    of the others)."""
    column = "id" if "id" in table.columns else "organization"
    if column not in table.columns:
        return  # crm_tables names what is missing
    if table[column].dtype.is_nested():
        raise InputError(
            "an id is text or a number, not a list or a record", path=path, column=column
        )
    ids = table[column].cast(pl.String)
    first = 2 if format_for(path) == "csv" else 1  # a CSV file's header is its line 1
    missing = (ids.is_null() | (ids.str.strip_chars() == "")).arg_true()
    if missing.len():
        raise InputError(
            "no id: every CRM record needs one", path=path, row=missing[0] + first, column=column
        )
    for name, dtype in table.schema.items():
        if not dtype.is_float():
            continue
        infinite = table[name].is_infinite().arg_true()
        if infinite.len():
            raise InputError(
                f"{table[name][infinite[0]]} is not a number a CRM can import",
                path=path,
                row=infinite[0] + first,
                column=name,
            )
    repeated = (~ids.is_first_distinct()).arg_true()
    if repeated.len():
        raise InputError(
            f"id {ids[repeated[0]]!r} repeats an earlier row's: the CRM would merge the two",
            path=path,
            row=repeated[0] + first,
            column=column,
        )


def _same_path(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except (OSError, RuntimeError):
        return False


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """A CSV result read as text, with the columns graphkit wrote as numbers (integers
    without leading zeros, decimals) or booleans (``true``, ``false``) typed again; ids,
    handles and names stay as written."""
    columns = []
    for name, values in frame.to_dict().items():
        if (
            name in _TEXT_COLUMNS
            or values.dtype != pl.String
            or values.null_count() == frame.height
        ):
            continue
        given = values.drop_nulls()
        if given.str.contains(_INTEGER).all():
            columns.append(values.cast(pl.Int64))
        elif given.str.contains(_FLOAT).all():
            columns.append(values.cast(pl.Float64))
        elif given.is_in(["true", "false"]).all():
            columns.append(values == "true")
    return frame.with_columns(columns)


def _source_manifest(result: Path) -> dict[str, Any] | None:
    path = manifest_path(result)
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"invalid manifest JSON ({error})", path=path) from None
    return manifest if isinstance(manifest, dict) else None
