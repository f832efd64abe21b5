"""The steps every command ends with: writing a result (a file, standard output, a CRM's
import files, a Gephi file) with its run manifest, and printing it as a table."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import click
import polars as pl

from cli.options import OUTPUT_FORMATS, Location, _collect, _stack
from graphkit.errors import ParameterError
from graphkit.export import (
    TARGETS,
    GuardReport,
    build_manifest,
    crm_profile,
    file_record,
    guard_spreadsheet,
    manifest_path,
    write_crm,
    write_gephi,
    write_manifest,
)
from graphkit.export.crm import crm_file_names
from graphkit.graph import SocialGraph
from graphkit.io import format_for, write_frame
from graphkit.io.graphfiles import graph_format_for
from graphkit.io.writers import check_not_input, check_output_names
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
        write_crm_export(frame, output, choice, progress, graph=graph)
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
        _check_outputs([output, manifest_path(output)])
        _drop_stale_manifest(output)
        with progress.step(f"Writing {output}"):
            nodes, edges = write_gephi(graph, frame, output, description=_command_line())
        progress.note(f"Wrote {nodes:,} accounts and {edges:,} edges to {output}")
        _write_run_manifest(output, [file_record(output, rows=nodes, nodes=nodes, edges=edges)])
        return
    if output_format == "table" and not to_stdout:
        raise ParameterError("--format table prints to the terminal; drop -o or pick a file format")
    if to_stdout:
        chosen = output_format or ("table" if sys.stdout.isatty() else "csv")
        if chosen == "table":
            _print_table(frame, title)
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
    _check_outputs([output, manifest_path(output)] if choice.manifest else [output])
    _drop_stale_manifest(output)
    report = GuardReport("spreadsheet")
    with progress.step(f"Writing {output}"):
        written = frame
        if format_for(output, output_format) == "csv":
            written = guard_spreadsheet(frame, report)
        write_frame(written, output, file_format=output_format)
    progress.note(f"Wrote {frame.height:,} rows to {output}")
    if choice.manifest:
        _write_run_manifest(
            output, [file_record(output, rows=frame.height)], formula_guard=report.as_dict()
        )


def write_crm_export(
    frame: pl.DataFrame,
    output: Path,
    choice: ExportChoice,
    progress: Progress,
    *,
    graph: SocialGraph | None = None,
    scored_on: dt.date | None = None,
    **manifest_sections: Any,
) -> None:
    """Write a result as a CRM's import files with their manifest, and say what was written."""
    assert choice.crm is not None
    profile = crm_profile(choice.crm, choice.crm_mapping)
    # The longest names this export can take (numbered parts), before any file is written.
    _check_outputs(
        [
            *(
                crm_file_names(output, profile.object_name(role), 2)[0]
                for role in ("people", "organizations")
            ),
            manifest_path(output),
        ]
    )
    with progress.step(f"Writing {choice.crm} import files"):
        result = write_crm(
            frame,
            profile,
            output,
            organization_names=_organization_names(graph),
            scored_on=scored_on,
            before_commit=lambda: _drop_stale_manifest(output),
        )
    for file in result.files:
        progress.note(f"Wrote {file.rows:,} {file.object_name} to {file.path}")
    if result.guard.changed:
        progress.note(
            f"Formula guard: {result.guard.changed:,} cells changed (listed in "
            f"{manifest_path(output)})"
        )
    written = {file.path.name for file in result.files}
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    for stale in sorted(output.parent.glob(f"{stem}.*.csv")):
        if stale.name not in written and stale.name.split(".")[-2].split("-")[0] in {
            file.object_name for file in result.files
        }:
            progress.note(f"Note: {stale} is from an earlier run, not part of this export")
    _write_run_manifest(
        output,
        [
            {
                **file_record(file.path, rows=file.rows),
                "object": file.object_name,
                "sha256": file.sha256,
            }
            for file in result.files
        ],
        crm={
            "target": profile.target,
            "mapping_file": None if profile.mapping_file is None else str(profile.mapping_file),
            "overrides": profile.overrides,
            "limits": {
                "rows_per_file": profile.max_rows,
                "bytes_per_file": profile.max_bytes,
                "columns": profile.max_columns,
                "bytes_per_record": profile.max_record_bytes,
            },
            "date_format": profile.date_format,
            "datetime_format": profile.datetime_format,
            "headers": result.headers,
        },
        formula_guard=result.guard.as_dict(),
        **manifest_sections,
    )


def _organization_names(graph: SocialGraph | None) -> dict[str, str]:
    """Brand id -> name, from the accounts table."""
    accounts = None if graph is None else graph.accounts
    if accounts is None or not {"kind", "name"} <= set(accounts.columns):
        return {}
    brands = accounts.filter(pl.col("kind").cast(pl.String).str.to_lowercase() == "brand")
    pairs = brands.select(pl.col("id").cast(pl.String), pl.col("name").cast(pl.String))
    return dict(pairs.drop_nulls().iter_rows())


def _check_outputs(paths: list[Path]) -> None:
    """Fail before any work is written when a file cannot be created or is an input."""
    check_output_names(paths)
    check_not_input(paths, _run_inputs())


def _run_inputs() -> list[Path]:
    """The files this run reads: the tables :func:`load` recorded and every file option."""
    context = click.get_current_context(silent=True)
    if context is None:
        return []
    run = context.meta.get("graphkit.run", {})
    sources = [Path(path) for path in (run.get("sources") or {}).values()]
    options = [
        value
        for name, value in context.params.items()
        if isinstance(value, Path) and name != "output"
    ]
    return [*sources, *options]


def _drop_stale_manifest(output: Path) -> None:
    """Remove the manifest of an earlier run before ``output`` changes, so that a run killed
    between the new files and their manifest never leaves one describing other files."""
    stale = manifest_path(output)
    if stale.is_file() or stale.is_symlink():
        stale.unlink()


def _command_line() -> str:
    context = click.get_current_context(silent=True)
    if context is None:
        return ""
    argv = context.meta.get("graphkit.argv")
    name = context.find_root().info_name or "graphkit"
    return shlex.join([name, *argv]) if argv is not None else context.command_path


def _write_run_manifest(output: Path, outputs: list[dict[str, Any]], **sections: Any) -> None:
    """Write OUT.manifest.json from what the command line and :func:`load` recorded."""
    context = click.get_current_context(silent=True)
    run: dict[str, Any] = {} if context is None else context.meta.get("graphkit.run", {})
    parameters = {} if context is None else dict(context.params)
    argv = None if context is None else context.meta.get("graphkit.argv")
    name = "graphkit" if context is None else context.find_root().info_name or "graphkit"
    manifest = build_manifest(
        outputs=outputs,
        command=None if argv is None else [name, *argv],
        parameters=parameters,
        inputs=run.get("sources"),
        seed=parameters.get("seed"),
        graph=run.get("graph"),
        **sections,
    )
    write_manifest(manifest, manifest_path(output))
    progress = None if context is None else context.meta.get("graphkit.progress")
    if isinstance(progress, Progress):
        progress.note(f"Manifest: {manifest_path(output)}")


def _print_table(frame: pl.DataFrame, title: str) -> None:
    """Print ``frame`` as a table; account text is shown as text (see :func:`visible`)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console.width = max(console.width, 160)
    table = Table(title=Text(visible(title)) if title else None, box=box.SIMPLE_HEAD)
    for name in frame.columns:
        numeric = frame.schema[name].is_numeric()
        header = visible(name.replace("_", " "))
        table.add_column(
            Text(header, style="bold"),
            min_width=len(header) if numeric else None,
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=None if numeric else 28,
        )
    for row in frame.iter_rows():  # a screenful of rows: --top bounds it
        table.add_row(*(Text(_cell(value)) for value in row))
    console.print(table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 0.01 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return visible(str(value))


# Control characters (C0, DEL, C1) and the bidirectional controls that reorder what follows.
_INVISIBLE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    r"""``text`` with control characters written out, so a terminal shows and never runs them.

    Rich markup in account text needs no escaping: cells reach rich as plain
    :class:`rich.text.Text`, which it never parses. What a terminal itself would act on
    (escape sequences that clear the screen or open an OSC 8 hyperlink, carriage returns that
    overwrite a line, bidi overrides that reorder it) is written as ``\xNN`` or ``\uNNNN``.

    Examples
    --------
    >>> visible("\x1b[2J\x1b]8;;https://evil.example\x07x\x1b]8;;\x07 [/bold]")
    '\\x1b[2J\\x1b]8;;https://evil.example\\x07x\\x1b]8;;\\x07 [/bold]'
    """
    return _INVISIBLE.sub(lambda match: ascii(match.group())[1:-1], text)
