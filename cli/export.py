"""``graphkit export``: turn an earlier result into a CRM's import files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import polars as pl

from graphkit.cli.crm import write_crm_export
from graphkit.cli.options import remember_run, run_options
from graphkit.cli.output import ExportChoice
from graphkit.errors import InputError
from graphkit.export import TARGETS, manifest_path, unguard_spreadsheet
from graphkit.io import format_for
from graphkit.io.files import check_regular_file
from graphkit.io.readers import missing_reason
from graphkit.progress import Progress


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
    progress: Progress, result: Path, crm: str, crm_mapping: Path | None, output: Path
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
    """
    table = _read_result(result)
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
        ExportChoice(crm, crm_mapping, manifest=True),
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
            # All text, as written: ids like 007 stay 007; CRM files are text anyway.
            return unguard_spreadsheet(pl.read_csv(path, infer_schema=False))
        if kind == "parquet":
            return pl.read_parquet(path)
        if kind == "json":
            return pl.read_json(path)
        return pl.read_ndjson(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        reason = " ".join(str(error).split())[:200]
        raise InputError(f"cannot read the {kind} result ({reason})", path=path) from None


def _source_manifest(result: Path) -> dict[str, Any] | None:
    path = manifest_path(result)
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"invalid manifest JSON ({error})", path=path) from None
    return manifest if isinstance(manifest, dict) else None
