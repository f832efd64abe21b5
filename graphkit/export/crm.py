"""CRM import files from graphkit's result tables (rank, experts, brands)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl

from graphkit.errors import ParameterError
from graphkit.export.guard import GuardReport, guard_crm
from graphkit.export.manifest import run_time
from graphkit.export.profiles import CrmProfile, Role
from graphkit.export.split import Part, write_csv_parts

# Columns that say which object a row belongs to in each result table.
_ORGANIZATION_TABLE: Final = "corporate_reach"  # only brand_table has it
_FIRST_COLUMNS: Final = (
    "id",
    "first_name",
    "last_name",
    "name",
    "email",
    "title",
    "organization_name",
    "url",
)
# Identifiers: the import's external id, and the contacts' reference to their organization's.
_KEY_COLUMNS: Final = ("id", "organization")


@dataclass
class CrmFile:
    """One import file written by :func:`write_crm`.

    Attributes
    ----------
    path
        Where it was written.
    object_name
        The target's object (``contacts``, ``companies``, ``accounts``).
    rows
        Data rows.
    size
        Bytes.
    sha256
        Hex digest.
    """

    path: Path
    object_name: str
    rows: int
    size: int
    sha256: str


@dataclass
class CrmExport:
    """What :func:`write_crm` wrote.

    Attributes
    ----------
    files
        The import files, by object then part.
    guard
        The cells the formula-injection guard changed.
    headers
        The header row of each object's files.
    """

    files: list[CrmFile] = field(default_factory=list)
    guard: GuardReport = field(default_factory=lambda: GuardReport("crm"))
    headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Data rows over all files."""
        return sum(file.rows for file in self.files)


def row_roles(table: pl.DataFrame) -> pl.Series:
    """The role of each row: ``organizations`` for brands, ``people`` for everyone else.

    A ``brands`` summary (one row per organization) is all organizations; a table with a
    ``kind`` column (``rank``) sends its brand rows to organizations; any other table
    (``experts``, ``brands --people``, ``brands --roster``) is people.

    Examples
    --------
    >>> row_roles(pl.DataFrame({"id": ["a", "b"], "kind": ["person", "brand"]})).to_list()
    ['people', 'organizations']
    """
    if _ORGANIZATION_TABLE in table.columns:
        return pl.Series("role", ["organizations"] * table.height, dtype=pl.String)
    if "kind" in table.columns:
        is_brand = table["kind"].cast(pl.String).str.to_lowercase() == "brand"
        return (
            pl.select(pl.when(is_brand.fill_null(False)).then(pl.lit("organizations")))
            .to_series()
            .fill_null("people")
            .alias("role")
        )
    return pl.Series("role", ["people"] * table.height, dtype=pl.String)


def scored_on_date() -> dt.date:
    """The date the scores are stamped with: today (UTC), or ``SOURCE_DATE_EPOCH``'s day
    (see :func:`graphkit.export.manifest.run_time`)."""
    return run_time().date()


def crm_tables(
    table: pl.DataFrame,
    profile: CrmProfile,
    *,
    organization_names: Mapping[str, str] | None = None,
    scored_on: dt.date | None = None,
    report: GuardReport | None = None,
) -> dict[str, pl.DataFrame]:
    """Map a result table to the target's objects, headers and value formats.

    Parameters
    ----------
    table
        A result of ``rank``, ``experts`` or ``brands`` (any of its variants).
    profile
        The target (:func:`graphkit.export.crm_profile`).
    organization_names
        Brand id -> name, for the contacts' company / account name.
    scored_on
        Date written in the ``scored_on`` column (default :func:`scored_on_date`).
    report
        Collects the cells the formula-injection guard changed.

    Returns
    -------
    dict of str to polars.DataFrame
        One table per object name with rows, in the result's order; all values text.

    Raises
    ------
    ParameterError
        When two rows of an object share an id (the CRM would merge them), two columns map
        to one header, or a file would have more columns than the target accepts.

    Examples
    --------
    >>> from graphkit.export.profiles import crm_profile
    >>> ranking = pl.DataFrame({"rank": [1, 2], "id": ["u1", "b1"], "name": ["Ada Lovelace",
    ...     "Acme"], "kind": ["person", "brand"], "organization": ["b1", None]})
    >>> tables = crm_tables(ranking, crm_profile("hubspot"), organization_names={"b1": "Acme"},
    ...                     scored_on=dt.date(2025, 3, 4))
    >>> tables["contacts"].row(0, named=True)  # doctest: +NORMALIZE_WHITESPACE
    {'Graphkit ID': 'u1', 'First Name': 'Ada', 'Last Name': 'Lovelace', 'Company Name': 'Acme',
     'Graphkit Rank': '1', 'Graphkit Organization': 'b1', 'Graphkit Scored On': '2025-03-04'}
    >>> tables["companies"].columns
    ['Graphkit ID', 'Company name', 'Graphkit Rank', 'Graphkit Scored On']
    """
    table = _normalized(table)
    roles = row_roles(table)
    stamp = scored_on or scored_on_date()
    names = dict(organization_names or {})
    if "kind" in table.columns and "name" in table.columns:  # brands ranked beside people
        brands = table.filter(roles == "organizations").select("id", "name").drop_nulls()
        names = {**dict(brands.iter_rows()), **names}
    result: dict[str, pl.DataFrame] = {}
    for role in ("people", "organizations"):
        rows = table.filter(roles == role)
        if rows.height == 0:
            continue
        object_name = profile.object_name(role)
        frame = _with_derived(rows, role, profile, names, stamp)
        frame = _mapped(frame, profile, object_name)
        frame = _formatted(frame, profile)
        keys = [
            header
            for column in _KEY_COLUMNS
            if (header := profile.header_for(object_name, column)) in frame.columns
        ]
        guarded = guard_crm(
            frame,
            report,
            table=object_name,
            handle_columns=[
                header
                for column in profile.handle_columns
                if (header := profile.header_for(object_name, column)) in frame.columns
            ],
            key_columns=keys,
        )
        _check_unique_keys(guarded, _guarded_header(keys[0]), object_name)
        result[object_name] = guarded
    return result


def _guarded_header(header: str) -> str:
    return guard_crm(pl.DataFrame(schema={header: pl.String})).columns[0]


def _check_unique_keys(frame: pl.DataFrame, key: str, object_name: str) -> None:
    """The external ids as written are unique: the CRM would merge two rows into one record."""
    duplicated = frame.filter(pl.col(key).is_duplicated())
    if duplicated.height:
        raise ParameterError(
            f"id {duplicated[key][0]!r} appears on {duplicated.height} {object_name} rows of "
            "the import file: the CRM would merge them into one record"
        )


def _normalized(table: pl.DataFrame) -> pl.DataFrame:
    if "id" not in table.columns and "organization" in table.columns:  # brands summary
        table = table.rename({"organization": "id"})
    if "id" not in table.columns:
        raise ParameterError(
            "the table has no id column: CRM exports take the results of rank, experts or brands"
        )
    return table.with_columns(
        pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(";")
        for name, dtype in table.schema.items()
        if isinstance(dtype, pl.List)
    )


def _with_derived(
    rows: pl.DataFrame,
    role: Role,
    profile: CrmProfile,
    organization_names: Mapping[str, str],
    scored_on: dt.date,
) -> pl.DataFrame:
    derived = [pl.lit(scored_on, dtype=pl.Date).alias("scored_on")]
    if role == "people":
        name = pl.col("name") if "name" in rows.columns else pl.lit(None)
        name = name.cast(pl.String)
        name = name.str.strip_chars()
        parts = name.str.splitn(" ", 2)
        first = parts.struct.field("field_0")
        rest = parts.struct.field("field_1").str.strip_chars()
        if profile.last_name_required:
            fallback = pl.coalesce(
                *(pl.col(c).cast(pl.String) for c in ("handle", "id") if c in rows.columns)
            )
            derived += [
                pl.when(rest.is_null()).then(None).otherwise(first).alias("first_name"),
                pl.coalesce(rest, first, fallback).alias("last_name"),
            ]
        else:
            derived += [first.alias("first_name"), rest.alias("last_name")]
        if "organization" in rows.columns and organization_names:
            derived.append(
                pl.col("organization")
                .cast(pl.String)
                .replace_strict(organization_names, default=None, return_dtype=pl.String)
                .alias("organization_name")
            )
    return rows.with_columns(derived)


def _mapped(frame: pl.DataFrame, profile: CrmProfile, object_name: str) -> pl.DataFrame:
    ordered: list[str] = [c for c in _FIRST_COLUMNS if c in frame.columns]
    ordered += [c for c in frame.columns if c not in ordered and c != "scored_on"]
    ordered.append("scored_on")
    selected: dict[str, str] = {}
    for column in ordered:
        header = profile.header_for(object_name, column)
        if header is None:
            continue
        if header in selected.values():
            other = next(c for c, h in selected.items() if h == header)
            raise ParameterError(
                f"columns {other!r} and {column!r} both map to the {object_name} header "
                f"{header!r}; change one in the mapping file"
            )
        selected[column] = header
    if len(selected) > profile.max_columns:
        raise ParameterError(
            f"{len(selected)} columns for {profile.target} {object_name}, more than the "
            f"{profile.max_columns} it imports; leave some out with a mapping file"
        )
    id_header = selected.get("id")
    if id_header is None:
        raise ParameterError(
            "the id column is the external id of the import: it cannot be left out"
        )
    duplicated = frame.filter(pl.col("id").is_duplicated())
    if duplicated.height:
        raise ParameterError(
            f"id {duplicated['id'][0]!r} appears on {duplicated.height} {object_name} rows: "
            "the CRM would merge them into one record"
        )
    return frame.select(pl.col(column).alias(header) for column, header in selected.items())


def _formatted(frame: pl.DataFrame, profile: CrmProfile) -> pl.DataFrame:
    """Every column as text in the target's formats (dates, datetimes in UTC, booleans)."""
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Date:
            column = column.dt.strftime(profile.date_format)
        elif isinstance(dtype, pl.Datetime):
            zoned = column.dt.convert_time_zone("UTC") if dtype.time_zone else column
            column = zoned.dt.strftime(profile.datetime_format)
        elif dtype == pl.Boolean:
            column = pl.when(column).then(pl.lit(profile.true)).otherwise(pl.lit(profile.false))
            column = pl.when(pl.col(name).is_null()).then(None).otherwise(column)
        elif dtype == pl.Null:
            column = column.cast(pl.String)
        elif dtype.is_float():
            column = column.fill_nan(None)
        columns.append(column.cast(pl.String).alias(name))
    return frame.select(columns)


def crm_file_names(output: Path, object_name: str, parts: int) -> list[Path]:
    """The files of one object: ``OUT.contacts.csv``, or ``OUT.contacts-001.csv``, ... when split.

    Examples
    --------
    >>> [p.name for p in crm_file_names(Path("leads.csv"), "contacts", 2)]
    ['leads.contacts-001.csv', 'leads.contacts-002.csv']
    """
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    if parts == 1:
        return [output.with_name(f"{stem}.{object_name}.csv")]
    return [output.with_name(f"{stem}.{object_name}-{n:03d}.csv") for n in range(1, parts + 1)]


def write_crm(
    table: pl.DataFrame,
    profile: CrmProfile,
    output: str | Path,
    *,
    organization_names: Mapping[str, str] | None = None,
    scored_on: dt.date | None = None,
    before_commit: Callable[[], None] | None = None,
) -> CrmExport:
    """Write a result table as the target's import files, split at its limits.

    ``OUT.csv`` becomes ``OUT.<object>.csv`` per object (``contacts`` and ``companies`` for
    HubSpot, ``contacts`` and ``accounts`` for Salesforce), numbered ``-001``, ``-002``, ...
    when the rows exceed one file. All files are named only once all are complete.

    Parameters
    ----------
    table
        A result of ``rank``, ``experts`` or ``brands``.
    profile
        The target (:func:`graphkit.export.crm_profile`).
    output
        Output path; its folder and stem name the files.
    organization_names
        Brand id -> name, for the contacts' company / account name.
    scored_on
        Date of the ``scored_on`` column.
    before_commit
        Called once every file is complete, just before the first is named (the CLI removes
        the previous manifest there, so that no manifest ever describes other files).

    Returns
    -------
    CrmExport
        The files written and what the formula-injection guard changed.
    """
    output = Path(output)
    export = CrmExport()
    tables = crm_tables(
        table,
        profile,
        organization_names=organization_names,
        scored_on=scored_on,
        report=export.guard,
    )
    written: list[tuple[str, list[Part]]] = []
    committed: list[Path] = []
    try:
        for object_name, frame in tables.items():
            parts = write_csv_parts(
                frame,
                output.parent,
                output.name,
                max_rows=profile.max_rows,
                max_bytes=profile.max_bytes,
                max_record_bytes=profile.max_record_bytes,
            )
            written.append((object_name, parts))
            export.headers[object_name] = frame.columns
        if before_commit is not None:
            before_commit()
        for object_name, parts in written:
            for part, path in zip(
                parts, crm_file_names(output, object_name, len(parts)), strict=True
            ):
                part.pending.commit(path)
                committed.append(path)
                export.files.append(CrmFile(path, object_name, part.rows, part.size, part.sha256))
    except BaseException:
        # All or nothing: files of this export named before the failure go too.
        for path in committed:
            path.unlink(missing_ok=True)
        raise
    finally:
        for _, parts in written:
            for part in parts:
                part.pending.discard()
    return export
