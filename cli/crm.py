"""What a written result leaves beside it: a CRM's import files and the run manifest that
describes them (inputs with checksums, parameters, graph size)."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import polars as pl

from graphkit.export import (
    build_manifest,
    crm_profile,
    file_record,
    manifest_path,
    write_crm,
    write_manifest,
)
from graphkit.export.crm import CAMPAIGN_MEMBERS, crm_definition_names, crm_file_names, crm_keys
from graphkit.export.profiles import CrmProfile
from graphkit.graph import SocialGraph
from graphkit.graph.social import account_aliases
from graphkit.io.remote import redacted
from graphkit.io.writers import check_not_input, check_output_names
from graphkit.progress import Progress

if TYPE_CHECKING:
    from graphkit.cli.output import ExportChoice


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
    settings = choice.settings
    profile = crm_profile(
        choice.crm,
        choice.crm_mapping,
        people_object=settings.crm_object,
        max_file_mb=settings.crm_max_file_mb,
    )
    objects = [profile.object_name("people"), profile.object_name("organizations")]
    # The longest names this export can take (numbered parts), before any file is written.
    check_outputs(
        [
            *(
                name
                for object_name in [*objects, CAMPAIGN_MEMBERS]
                for parts in (1, 2)  # one file, or the longest numbered name
                for name in crm_file_names(output, object_name, parts)[:1]
            ),
            *crm_definition_names(output, profile),
            manifest_path(output),
        ]
    )
    aliases = None if graph is None else account_aliases(graph)
    with progress.step(f"Writing {choice.crm} import files"):
        result = write_crm(
            frame,
            profile,
            output,
            organization_names=_organization_names(graph),
            scored_on=scored_on,
            before_commit=lambda: drop_stale_manifest(output),
            keys=None if aliases is None else crm_keys(aliases),
            choices=settings.choices,
        )
    for file in result.files:
        if file.kind == "import":
            progress.note(f"Wrote {file.rows:,} {file.object_name} to {file.path}")
    if result.guard.changed:
        progress.note(
            f"Formula guard: {result.guard.changed:,} cells changed (listed in "
            f"{manifest_path(output)})"
        )
    if result.unnamed:
        progress.note(
            f"Note: {len(result.unnamed):,} {profile.object_name('organizations')} have no name "
            f"in this result and take their id as their name ({', '.join(result.unnamed[:3])}"
            f"{', ...' if len(result.unnamed) > 3 else ''}): an upsert would rename an existing "
            "record so; export with --crm from the command that ranks to have the names"
        )
    definitions = [str(file.path) for file in result.files if file.kind != "import"]
    if definitions:
        progress.note(f"Before the first import, create: {', '.join(definitions)}")
    else:
        progress.note("The result has no rows: no import files written")
    for stale in _stale_files(output, profile, {file.path.name for file in result.files}):
        progress.note(f"Note: {stale} is from an earlier run, not part of this export")
    write_run_manifest(
        output,
        [
            {
                **file_record(file.path, rows=file.rows),
                "object": file.object_name,
                "kind": file.kind,
                "sha256": file.sha256,
            }
            for file in result.files
        ],
        crm={
            "target": profile.target,
            "people_object": profile.object_name("people"),
            "owner": settings.crm_owner,
            "lifecycle_stage": settings.crm_lifecycle_stage,
            "campaign": settings.crm_campaign,
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


def _stale_files(output: Path, profile: CrmProfile, written: set[str]) -> list[Path]:
    """Files an earlier export to ``output`` left that this one did not write (a part beyond
    this run's last, an object or definition this run has none of)."""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    objects = [profile.object_name("people"), profile.object_name("organizations")]
    names = {path.name for path in crm_definition_names(output, profile)}
    parts = re.compile(
        re.escape(stem) + r"\.(?:" + "|".join(map(re.escape, [*objects, CAMPAIGN_MEMBERS]))
        + r")(?:-[0-9]{3,})?\.csv"
    )  # fmt: skip
    try:
        found = sorted(output.parent.iterdir())
    except OSError:
        return []
    return [
        path
        for path in found
        if path.name not in written and (path.name in names or parts.fullmatch(path.name))
    ]


def _organization_names(graph: SocialGraph | None) -> dict[str, str]:
    """Brand id -> name, from the accounts table."""
    accounts = None if graph is None else graph.accounts
    if accounts is None or not {"kind", "name"} <= set(accounts.columns):
        return {}
    brands = accounts.filter(pl.col("kind").cast(pl.String).str.to_lowercase() == "brand")
    pairs = brands.select(pl.col("id").cast(pl.String), pl.col("name").cast(pl.String))
    return dict(pairs.drop_nulls().iter_rows())


def check_outputs(paths: list[Path]) -> None:
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
    options: list[Path] = []
    for name, value in context.params.items():
        if name == "output":
            continue
        for item in value if isinstance(value, tuple | list) else [value]:
            if isinstance(item, Path):
                options.append(item)
            elif isinstance(item, str) and _names_a_file(item):  # an audience file of ids
                options.append(Path(item))
    return [*sources, *options]


def _names_a_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def drop_stale_manifest(output: Path) -> None:
    """Remove the manifest of an earlier run before ``output`` changes, so that a run killed
    between the new files and their manifest never leaves one describing other files."""
    stale = manifest_path(output)
    try:
        if stale.is_file() or stale.is_symlink():
            stale.unlink()
    except OSError:  # a name too long for a manifest: none can exist
        return


def command_line() -> str:
    context = click.get_current_context(silent=True)
    if context is None:
        return ""
    argv = context.meta.get("graphkit.argv")
    name = context.find_root().info_name or "graphkit"
    return shlex.join([name, *redacted(argv)]) if argv is not None else context.command_path


def write_run_manifest(output: Path, outputs: list[dict[str, Any]], **sections: Any) -> None:
    """Write OUT.manifest.json from what the command line and :func:`load` recorded."""
    context = click.get_current_context(silent=True)
    run: dict[str, Any] = {} if context is None else context.meta.get("graphkit.run", {})
    # A URI's password or signature (?X-Amz-Signature=...) never reaches the manifest.
    parameters = {} if context is None else redacted(dict(context.params))
    argv = None if context is None else redacted(context.meta.get("graphkit.argv"))
    name = "graphkit" if context is None else context.find_root().info_name or "graphkit"
    manifest = build_manifest(
        outputs=outputs,
        command=None if argv is None else [name, *argv],
        parameters=parameters,
        inputs=run.get("sources"),
        seed=parameters.get("seed"),
        graph=run.get("graph"),
        **{**run.get("sections", {}), **sections},  # a command's own sections (remember_run)
    )
    write_manifest(manifest, manifest_path(output))
    progress = None if context is None else context.meta.get("graphkit.progress")
    if isinstance(progress, Progress):
        progress.note(f"Manifest: {manifest_path(output)}")
