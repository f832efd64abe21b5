"""The steps every command ends with: writing a result (a file, standard output, a CRM's
import files, a Gephi file) with its run manifest, and printing it as a table."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click
import polars as pl

from graphkit.cli import crm
from graphkit.cli.options import OUTPUT_FORMATS, Location, _collect, _stack
from graphkit.cli.table import print_table
from graphkit.errors import ParameterError
from graphkit.export import (
    TARGETS,
    GuardReport,
    file_record,
    guard_spreadsheet,
    manifest_path,
    write_gephi,
)
from graphkit.graph import SocialGraph
from graphkit.io import format_for, write_frame
from graphkit.io.graphfiles import graph_format_for
from graphkit.progress import Progress

output_options = _stack(
    click.option(
        "-o",
        "--output",
        type=Location(path_type=Path, dir_okay=False, allow_dash=True),
        help="Write here; the format follows the suffix (.csv .parquet .json .ndjson). "
        "Default: a table on a terminal, CSV when piped.",
    ),
    click.option(
        "--format",
        "output_format",
        type=click.Choice(OUTPUT_FORMATS),
        help="Output format, overriding the suffix.",
    ),
)

export_options = _stack(
    click.option(
        "--crm",
        type=click.Choice(TARGETS),
        help="Write import files for this CRM instead: OUT.contacts.csv and "
        "OUT.companies.csv (Salesforce: OUT.accounts.csv), the CRM's headers, a stable "
        "Graphkit ID for upserts, its date format, split at its file limits; with "
        "OUT.csv.manifest.json.",
    ),
    click.option(
        "--crm-mapping",
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="TOML",
        help='TOML file overriding CRM headers ([contacts] handle = "Twitter Username"), '
        "date_format, max_rows or max_bytes.",
    ),
    click.option(
        "--manifest",
        "with_manifest",
        is_flag=True,
        help="Also write OUT.manifest.json (version, command, inputs with SHA-256, row "
        "counts) beside a plain -o file; CRM and Gephi exports always get one.",
    ),
    _collect(
        ("crm", "crm_mapping", "with_manifest"),
        "export",
        lambda crm, crm_mapping, with_manifest: ExportChoice(crm, crm_mapping, with_manifest),
    ),
)
"""CRM export and manifest options, handed to the command as ``export: ExportChoice``."""


@dataclass(frozen=True)
class ExportChoice:
    """Where a result goes besides a plain table: a CRM's import files, a manifest."""

    crm: str | None = None
    crm_mapping: Path | None = None
    manifest: bool = False


def emit(
    frame: pl.DataFrame,
    output: Path | str | None,
    output_format: str | None,
    progress: Progress,
    *,
    title: str = "",
    graph: SocialGraph | None = None,
    gephi: bool = False,
    export: ExportChoice | None = None,
) -> None:
    """Write ``frame`` to a file (atomically) or to standard output.

    CSV goes through the formula-injection guard (:func:`graphkit.export.guard_spreadsheet`).
    ``export.crm`` writes the CRM's import files instead, and an output ending in ``.gexf``
    or ``.graphml`` writes the accounts of ``frame`` and the edges among them from ``graph``
    (commands that offer it pass ``gephi=True``). Both write a run manifest beside the
    output, as does a plain file with ``export.manifest``. URIs are for ``--engine spark``.
    """
    if isinstance(output, str):
        raise click.UsageError(f"{output} is a URI: write it with --engine spark")
    choice = export or ExportChoice()
    to_stdout = output is None or str(output) == "-"
    if choice.crm is not None:
        if to_stdout or output_format not in (None, "csv"):
            raise click.UsageError("--crm writes CSV import files: give -o FILE.csv")
        assert output is not None
        crm.write_crm_export(frame, output, choice, progress, graph=graph)
        return
    if choice.crm_mapping is not None:
        raise click.UsageError("--crm-mapping goes with --crm")
    if choice.manifest and to_stdout:
        raise click.UsageError("--manifest goes with -o FILE")
    if output is not None and not to_stdout and graph_format_for(output) is not None:
        if not gephi or graph is None:
            raise click.UsageError(
                "Gephi files (.gexf, .graphml) come from graphkit rank and graphkit communities"
            )
        if output_format is not None:
            raise click.UsageError("a .gexf or .graphml output takes no --format")
        crm.check_outputs([output, manifest_path(output)])
        crm.drop_stale_manifest(output)
        with progress.step(f"Writing {output}"):
            nodes, edges = write_gephi(graph, frame, output, description=crm.command_line())
        progress.note(f"Wrote {nodes:,} accounts and {edges:,} edges to {output}")
        crm.write_run_manifest(output, [file_record(output, rows=nodes, nodes=nodes, edges=edges)])
        return
    if output_format == "table" and not to_stdout:
        raise ParameterError("--format table prints to the terminal; drop -o or pick a file format")
    if to_stdout:
        chosen = output_format or ("table" if sys.stdout.isatty() else "csv")
        if chosen == "table":
            print_table(frame, title)
        elif chosen == "csv":
            click.echo(guard_spreadsheet(frame).write_csv(), nl=False)
        elif chosen == "ndjson":
            click.echo(frame.write_ndjson(), nl=False)
        elif chosen == "json":
            click.echo(frame.write_json())
        else:
            raise ParameterError("parquet output needs a file: give -o FILE.parquet")
        return
    assert output is not None
    crm.check_outputs([output, manifest_path(output)] if choice.manifest else [output])
    crm.drop_stale_manifest(output)
    report = GuardReport("spreadsheet")
    with progress.step(f"Writing {output}"):
        written = frame
        if format_for(output, output_format) == "csv":
            written = guard_spreadsheet(frame, report)
        write_frame(written, output, file_format=output_format)
    progress.note(f"Wrote {frame.height:,} rows to {output}")
    if choice.manifest:
        crm.write_run_manifest(
            output, [file_record(output, rows=frame.height)], formula_guard=report.as_dict()
        )
