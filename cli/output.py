"""The steps every command ends with: writing a result (a file, standard output, a CRM's
import files, a Gephi file) with its run manifest, and printing it as a table."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import polars as pl

from graphkit.cli import crm
from graphkit.cli.crm_options import CRM_SETTINGS, CrmSettings, checked_choice, crm_settings_options
from graphkit.cli.options import OUTPUT_FORMATS, Location, _collect, _stack
from graphkit.cli.table import print_table
from graphkit.errors import ParameterError, UsageError
from graphkit.export import (
    TARGETS,
    GuardReport,
    file_record,
    guard_spreadsheet,
    manifest_path,
    write_gephi,
)
from graphkit.export.visual import MAX_LAYOUT_NODES
from graphkit.graph import SocialGraph
from graphkit.io import format_for, write_frame
from graphkit.io.database import (
    check_not_queried,
    check_output_not_queried,
    check_table_name,
    database_name,
    write_table,
)
from graphkit.io.graphfiles import graph_format_for
from graphkit.io.remote import check_not_remote_input, display, is_remote, uploaded
from graphkit.progress import Progress


def _remember_output_table(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        try:
            ctx.meta["graphkit.output_table"] = check_table_name(value)
        except UsageError as error:
            raise click.BadParameter(str(error), ctx=ctx, param=param) from None


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
    click.option(
        "--output-table",
        metavar="NAME",
        expose_value=False,
        callback=_remember_output_table,
        help="Write the result as table NAME of the --database (replaced in one "
        "transaction); with -o, to both.",
    ),
    click.option(
        "--wide",
        is_flag=True,
        expose_value=False,
        callback=lambda ctx, param, value: ctx.meta.update({"graphkit.wide": value}),
        help="On a terminal, show every column of the table, however wide.",
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
    crm_settings_options,
    _collect(
        ("crm", "crm_mapping", "with_manifest", *CRM_SETTINGS),
        "export",
        lambda crm, crm_mapping, with_manifest, **settings: checked_choice(
            ExportChoice(crm, crm_mapping, with_manifest, CrmSettings(**settings))
        ),
    ),
)
"""CRM export and manifest options, handed to the command as ``export: ExportChoice``."""


@dataclass(frozen=True)
class ExportChoice:
    """Where a result goes besides a plain table: a CRM's import files, a manifest."""

    crm: str | None = None
    crm_mapping: Path | None = None
    manifest: bool = False
    settings: CrmSettings = field(default_factory=CrmSettings)


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
    """Write ``frame`` as :func:`_emit` does, or to an ``s3://``, ``gs://`` or ``abfs://``
    URI (written locally, then uploaded); with ``--output-table``, into the ``--database``."""
    context = click.get_current_context(silent=True)
    params = {} if context is None else context.params
    table = None if context is None else context.meta.get("graphkit.output_table")
    database: str | None = params.get("database")
    if table is not None and (database is None or (export is not None and export.crm)):
        raise click.UsageError("--output-table writes into the --database, without --crm")
    if table is not None:
        try:
            check_not_queried(table, params.get("queries") or {})
        except UsageError as error:
            raise click.UsageError(str(error)) from None
    if output is not None and str(output) != "-":
        check_output_not_queried(output, params.get("queries") or {})
    write = functools.partial(_emit, title=title, graph=graph, gephi=gephi, export=export)
    if isinstance(output, str) and is_remote(output):
        check_not_remote_input(output, [v for k, v in params.items() if k != "output"])
        if (export is not None and (export.crm or export.manifest)) or graph_format_for(output):
            raise click.UsageError(
                f"CRM, Gephi and manifest files are written locally: copy them to {output} after"
            )
        with uploaded(output) as local, progress.step(f"Writing {display(output)}"):
            write(frame, local, output_format, Progress(quiet=True))
        progress.note(f"Wrote {frame.height:,} rows to {display(output)}")
    elif output is not None or table is None:
        write(frame, output, output_format, progress)
    if table is not None and database is not None:
        with progress.step(f"Writing table {table}"):
            write_table(database, table, frame.to_arrow())
        progress.note(f"Wrote {frame.height:,} rows to table {table} of {database_name(database)}")


def _emit(
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
    if choice.settings.given():
        raise click.UsageError(f"{choice.settings.given()[0]} goes with --crm")
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
        if nodes > MAX_LAYOUT_NODES:
            progress.note(f"No positions: graphkit lays out at most {MAX_LAYOUT_NODES:,} accounts")
        crm.write_run_manifest(output, [file_record(output, rows=nodes, nodes=nodes, edges=edges)])
        return
    if output_format == "table" and not to_stdout:
        raise ParameterError("--format table prints to the terminal; drop -o or pick a file format")
    if to_stdout:
        chosen = output_format or ("table" if sys.stdout.isatty() else "csv")
        if chosen == "table":
            print_table(frame, title)
        elif chosen == "csv":
            # color=True: click would strip escape sequences (ids may hold them) from a pipe.
            click.echo(guard_spreadsheet(frame).write_csv(), nl=False, color=True)
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
