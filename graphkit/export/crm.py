"""CRM import files from graphkit's result tables (rank, experts, brands)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from graphkit.errors import ParameterError
from graphkit.export.crm_definitions import (
    GROUP,
    TEXT_LENGTH,
    Column,
    campaign_mapping,
    data_loader_mapping,
    hubspot_properties,
    json_text,
    salesforce_package,
)
from graphkit.export.guard import GuardReport, guard_crm, is_formula
from graphkit.export.manifest import run_time
from graphkit.export.profiles import CrmProfile, Role, check_mapped_columns
from graphkit.export.split import Part, write_csv_parts
from graphkit.io.writers import PendingFile, write_error

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
CAMPAIGN_MEMBERS: Final = "campaign-members"
NOT_PROVIDED: Final = "[not provided]"  # a lead's Company when it has no organization
_CAMPAIGN_ID: Final = re.compile(r"701[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?")


@dataclass
class CrmFile:
    """One import file written by :func:`write_crm`.

    Attributes
    ----------
    path
        Where it was written.
    object_name
        The target's object (``contacts``, ``companies``, ``accounts``, ``leads``,
        ``campaign-members``; ``properties`` for what defines them all).
    rows
        Data rows (0 for definition files).
    size
        Bytes.
    sha256
        Hex digest.
    kind
        ``import`` (a CSV file to import), ``definition`` (properties or fields to create
        before the first import) or ``mapping`` (Data Loader's field mapping).
    """

    path: Path
    object_name: str
    rows: int
    size: int
    sha256: str
    kind: str = "import"


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
    unnamed
        Keys of the organizations named by their key for want of a name (Salesforce requires
        one): an upsert would give an existing account that name.
    """

    files: list[CrmFile] = field(default_factory=list)
    guard: GuardReport = field(default_factory=lambda: GuardReport("crm"))
    headers: dict[str, list[str]] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Data rows over all files."""
        return sum(file.rows for file in self.files)


@dataclass(frozen=True)
class CrmChoices:
    """What an export adds to every record besides the result's columns.

    Attributes
    ----------
    owner
        The owner of every record: a HubSpot user's email, a Salesforce username.
    lifecycle_stage
        HubSpot's lifecycle stage of every contact and company (``lead``, ``subscriber``,
        ...); a Salesforce lead's status.
    campaign
        A Salesforce campaign id (``701...``): the people become its members.
    """

    owner: str | None = None
    lifecycle_stage: str | None = None
    campaign: str | None = None

    def check(self, profile: CrmProfile) -> None:
        """Refuse values the target cannot import, and any that a spreadsheet would run.

        Raises
        ------
        ParameterError
            Naming the option and what to give instead.
        """
        people = profile.object_name("people")
        for option, value in (("--crm-owner", self.owner),
                              ("--crm-lifecycle-stage", self.lifecycle_stage),
                              ("--crm-campaign", self.campaign)):  # fmt: skip
            if value is None:
                continue
            if not isinstance(value, str):
                raise ParameterError(f"{option} must be text, not {value!r}")
            if not value.strip() or value != value.strip() or is_formula(value):
                raise ParameterError(
                    f"{option} {value!r}: give a plain value (no leading blanks, nothing a "
                    "spreadsheet would read as a formula)"
                )
            if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
                raise ParameterError(f"{option} {value!r} holds a control character")
        if self.lifecycle_stage is not None and (
            profile.header_for(people, "lifecycle_stage") is None
        ):
            raise ParameterError(
                f"--crm-lifecycle-stage: {profile.target} {people} have no lifecycle stage "
                "(HubSpot contacts and companies, Salesforce leads' status)"
            )
        if self.owner is not None and profile.header_for(people, "owner") is None:
            raise ParameterError(
                f"--crm-owner: the mapping file leaves the owner of {people} out "
                f"([{people}] owner = false)"
            )
        if self.campaign is not None:
            if profile.target != "salesforce":
                raise ParameterError(
                    "--crm-campaign is for Salesforce; HubSpot adds an import's contacts to "
                    "a static list in the import tool"
                )
            if not _CAMPAIGN_ID.fullmatch(self.campaign):
                raise ParameterError(
                    f"--crm-campaign {self.campaign!r} is not a Salesforce campaign id "
                    "(15 or 18 letters and digits starting 701)"
                )


def crm_keys(accounts: pl.DataFrame) -> dict[str, str]:
    """Each account's CRM key where it differs from its id: its earliest known id.

    Identity resolution changes ids: an export's ``x:@handle`` becomes the account's numeric
    id once another export names it, an identities file puts a person id in place of the
    accounts it joins. The dataset records the ids an account had in an ``aliases`` column
    (``;``-separated); the key is the smallest of them, the id a previous import knew the
    account by, so that the CRM updates the record it already has.

    Examples
    --------
    >>> crm_keys(pl.DataFrame({"id": ["x:12", "u2"], "aliases": ["x:@ada", None]}))
    {'x:12': 'x:@ada'}
    """
    if "aliases" not in accounts.columns or accounts.height == 0:
        return {}
    frame = accounts.select(
        pl.col("id").cast(pl.String),
        pl.col("aliases")
        .cast(pl.String)
        .str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.min()
        .alias("key"),
    ).filter(pl.col("key").is_not_null() & (pl.col("key") != pl.col("id")))
    return dict(frame.iter_rows())


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
    keys: Mapping[str, str] | None = None,
    choices: CrmChoices | None = None,
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
    keys
        Account id -> CRM key, for accounts whose key is not their id (:func:`crm_keys` of
        the accounts table); an ``aliases`` column in ``table`` adds to it.
    choices
        Owner, lifecycle stage and campaign of every record.

    Returns
    -------
    dict of str to polars.DataFrame
        One table per object name with rows, in the result's order; all values text. People
        go to contacts (or leads); brands, and every organization a contact works for, to
        companies (accounts), so that each such contact is associated with one.

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
     'Graphkit Rank': '1', 'Graphkit Company ID': 'b1', 'Graphkit Scored On': '2025-03-04'}
    >>> tables["companies"].columns
    ['Graphkit Company ID', 'Company name', 'Graphkit Rank', 'Graphkit Scored On']
    """
    objects = crm_objects(
        table,
        profile,
        organization_names=organization_names,
        scored_on=scored_on,
        report=report,
        keys=keys,
        choices=choices,
    )
    return {name: frame for name, (frame, _) in objects.items()}


def crm_objects(
    table: pl.DataFrame,
    profile: CrmProfile,
    *,
    organization_names: Mapping[str, str] | None = None,
    scored_on: dt.date | None = None,
    report: GuardReport | None = None,
    keys: Mapping[str, str] | None = None,
    choices: CrmChoices | None = None,
) -> dict[str, tuple[pl.DataFrame, list[Column]]]:
    """:func:`crm_tables` with each file's columns as their definitions need them."""
    if not isinstance(table, pl.DataFrame):
        raise ParameterError(
            "the table must be a polars DataFrame (a result of rank, experts or brands), "
            f"not {type(table).__name__}"
        )
    if not isinstance(profile, CrmProfile):
        raise ParameterError(
            f"the profile must be a CrmProfile (crm_profile('hubspot')), not {profile!r}"
        )
    choices = choices or CrmChoices()
    choices.check(profile)
    table = _normalized(table)
    _check_ids(table)
    key_of = {**crm_keys(table), **dict(keys or {})}
    roles = row_roles(table)
    stamp = scored_on or scored_on_date()
    names = dict(organization_names or {})
    if "kind" in table.columns and "name" in table.columns:  # brands ranked beside people
        brands = table.filter(roles == "organizations").select("id", "name").drop_nulls()
        names = {**dict(brands.iter_rows()), **names}
    if key_of:
        table = table.with_columns(
            pl.col(name).cast(pl.String).replace(key_of)
            for name in _KEY_COLUMNS
            if name in table.columns
        )
        names = {key_of.get(account, account): name for account, name in names.items()}
    people = table.filter(roles == "people")
    if "organization" in people.columns:  # a blank organization, or the person's own id: none
        employer = pl.col("organization").cast(pl.String)
        people = people.with_columns(
            pl.when((employer.str.strip_chars() == "") | (employer == pl.col("id").cast(pl.String)))
            .then(None)
            .otherwise(employer)
            .alias("organization")
        )
    organizations = _with_employers(table.filter(roles == "organizations"), people, profile, names)
    result: dict[str, tuple[pl.DataFrame, list[Column]]] = {}
    by_role: list[tuple[Role, pl.DataFrame]] = [
        ("people", people),
        ("organizations", organizations),
    ]
    for role, rows in by_role:
        if rows.height == 0:
            continue
        object_name = profile.object_name(role)
        rows = rows.with_columns(
            pl.lit(value, dtype=pl.String).alias(column)
            for column, value in (("owner", choices.owner),
                                  ("lifecycle_stage", choices.lifecycle_stage))
            if value is not None
        )  # fmt: skip
        frame = _with_derived(rows, role, profile, names, stamp)
        check_mapped_columns(profile, object_name, frame.columns)
        frame = _mapped(frame, profile, object_name)
        _check_finite(frame, object_name)
        kinds = {name: _kind(dtype) for name, dtype in frame.schema.items()}
        frame = _formatted(frame, profile)
        key_headers = [
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
            key_columns=key_headers,
        )
        key_header = _guarded_header(key_headers[0])
        _check_unique_keys(guarded, key_header, object_name)
        if profile.target == "salesforce":  # the External ID is a Text(255) field
            _check_key_length(guarded, key_header, object_name, TEXT_LENGTH)
        columns = [
            Column(
                header,
                kinds[original],
                longest=_longest(guarded[header]) if kinds[original] == "text" else 0,
                key=header == key_header,
            )
            for original, header in zip(frame.columns, guarded.columns, strict=True)
        ]
        result[object_name] = (guarded, columns)
    return result


def _longest(values: pl.Series) -> int:
    longest = values.str.len_chars().max()
    return longest if isinstance(longest, int) else 0


def _kind(dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float() or dtype.is_decimal():
        return "number"
    return "text"


def _with_employers(
    organizations: pl.DataFrame,
    people: pl.DataFrame,
    profile: CrmProfile,
    names: Mapping[str, str],
) -> pl.DataFrame:
    """The organizations of the result and every one a contact works for, so that each
    contact with an organization is associated with its record (a Salesforce contact without
    an account is private to its owner). Leads stand alone: they name a company as text."""
    if (
        profile.object_name("people") != "contacts"
        or "organization" not in people.columns
        or people.height == 0
    ):
        return organizations
    known = set(organizations["id"].cast(pl.String).to_list()) if organizations.height else set()
    employers = (
        people.select(pl.col("organization").cast(pl.String).alias("id"))
        .drop_nulls()
        .filter(pl.col("id").str.strip_chars() != "")
        .unique(maintain_order=True)
        .filter(~pl.col("id").is_in(list(known)))
    )
    if employers.height == 0:
        return organizations
    employers = employers.with_columns(
        pl.col("id").replace_strict(dict(names), default=None, return_dtype=pl.String).alias("name")
    )
    if organizations.height == 0:
        return employers
    return pl.concat([organizations, employers], how="diagonal_relaxed")


def _guarded_header(header: str) -> str:
    return guard_crm(pl.DataFrame(schema={header: pl.String})).columns[0]


def _check_ids(table: pl.DataFrame) -> None:
    """Every row has an id: a record without its external id would be created again by
    every import."""
    text = pl.col("id").cast(pl.String)
    missing = table.select(
        (text.is_null() | (text.str.strip_chars() == "")).arg_true().first()
    ).item()
    if missing is not None:
        raise ParameterError(
            f"row {missing + 1:,} of the result has no id: every CRM record needs one (its "
            "external id)"
        )


def _check_finite(frame: pl.DataFrame, object_name: str) -> None:
    """No number is infinite: a CRM's number field cannot hold it (NaN, an undefined value
    such as the engagement rate of an account without followers, is written empty)."""
    for header, dtype in frame.schema.items():
        if not dtype.is_float():
            continue
        bad = frame.select(pl.col(header).is_infinite().arg_true().first()).item()
        if bad is not None:
            raise ParameterError(
                f"{object_name} row {bad + 1:,}, column {header!r}: "
                f"{frame[header][bad]} is not a number a CRM can import"
            )


def _check_key_length(frame: pl.DataFrame, key: str, object_name: str, limit: int) -> None:
    """External ids fit their field (longer ones would fail to import)."""
    long = frame.select((pl.col(key).str.len_chars() > limit).arg_true().first()).item()
    if long is not None:
        raise ParameterError(
            f"{object_name} row {long + 1:,}: the id {frame[key][long][:40]!r}... has "
            f"{len(frame[key][long]):,} characters, more than the {limit} an External ID holds"
        )


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
    if table.schema["id"].is_nested():
        raise ParameterError("the id column holds lists or records: an id is text or a number")
    table = table.with_columns(
        pl.col(name).arr.to_list()
        for name, dtype in table.schema.items()
        if isinstance(dtype, pl.Array)
    )
    return table.with_columns(
        pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(";")
        for name, dtype in table.schema.items()
        if isinstance(dtype, pl.List) and not dtype.inner.is_nested()  # else refused later
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
        company: pl.Expr = pl.lit(None, dtype=pl.String)
        if "organization" in rows.columns and organization_names:
            company = (
                pl.col("organization")
                .cast(pl.String)
                .replace_strict(organization_names, default=None, return_dtype=pl.String)
            )
        if profile.object_name("people") == "leads":  # a lead needs a company
            company = pl.coalesce(company, pl.lit(NOT_PROVIDED))
        if ("organization" in rows.columns and organization_names) or (
            profile.object_name("people") == "leads"
        ):
            derived.append(company.alias("organization_name"))
    elif profile.last_name_required:  # a Salesforce account needs a name
        derived.append(
            pl.coalesce(
                *(pl.col(c).cast(pl.String) for c in ("name", "handle", "id") if c in rows.columns)
            ).alias("name")
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
        elif isinstance(dtype, pl.Duration | pl.Binary | pl.Object) or dtype.is_nested():
            raise ParameterError(
                f"column {name!r} holds {dtype}, which no CRM field takes; leave it out with "
                "a mapping file"
            )
        columns.append(column.cast(pl.String).alias(name))
    text = frame.select(columns)
    return text.with_columns(
        _positional(frame[name], text[name]) for name, dtype in frame.schema.items()
        if dtype.is_float() and text[name].str.contains("e", literal=True).any()
    )  # fmt: skip


def _positional(numbers: pl.Series, text: pl.Series) -> pl.Series:
    """Numbers polars writes with an exponent (``3.4e-8``, ``1e+16``: PageRank in a large
    graph) in plain decimal notation, the one number form every importer reads."""
    values = text.to_list()
    for row in text.str.contains("e", literal=True).arg_true().to_list():
        values[row] = np.format_float_positional(numbers[row], trim="-")
    return pl.Series(text.name, values, dtype=pl.String)


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


def crm_definition_names(output: Path, profile: CrmProfile) -> list[Path]:
    """Every definition and mapping file an export to ``profile`` may write beside ``output``.

    Examples
    --------
    >>> from graphkit.export.profiles import crm_profile
    >>> [p.name for p in crm_definition_names(Path("hs.csv"), crm_profile("hubspot"))]
    ['hs.property-group.json', 'hs.contacts.properties.json', 'hs.companies.properties.json']
    """
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    objects = [profile.object_name("people"), profile.object_name("organizations")]
    if profile.target == "hubspot":
        return [
            output.with_name(f"{stem}.property-group.json"),
            *(output.with_name(f"{stem}.{name}.properties.json") for name in objects),
        ]
    return [
        output.with_name(f"{stem}.salesforce-fields.zip"),
        *(output.with_name(f"{stem}.{name}.sdl") for name in [*objects, CAMPAIGN_MEMBERS]),
    ]


def write_crm(
    table: pl.DataFrame,
    profile: CrmProfile,
    output: str | Path,
    *,
    organization_names: Mapping[str, str] | None = None,
    scored_on: dt.date | None = None,
    before_commit: Callable[[], None] | None = None,
    keys: Mapping[str, str] | None = None,
    choices: CrmChoices | None = None,
) -> CrmExport:
    """Write a result table as the target's import files, split at its limits, with the
    definitions of the properties or fields they fill.

    ``OUT.csv`` becomes ``OUT.<object>.csv`` per object (``contacts`` and ``companies`` for
    HubSpot, ``contacts`` (or ``leads``) and ``accounts`` for Salesforce, and
    ``campaign-members`` with a campaign), numbered ``-001``, ``-002``, ... when the rows
    exceed one file. Beside them: HubSpot's ``OUT.property-group.json`` and
    ``OUT.<object>.properties.json``; Salesforce's ``OUT.salesforce-fields.zip`` and Data
    Loader's ``OUT.<object>.sdl`` (see :mod:`graphkit.export.crm_definitions`). All files
    are named only once all are complete.

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
    keys
        Account id -> CRM key where they differ (:func:`crm_keys`).
    choices
        Owner, lifecycle stage and campaign of every record.

    Returns
    -------
    CrmExport
        The files written and what the formula-injection guard changed.
    """
    output = Path(output)
    choices = choices or CrmChoices()
    export = CrmExport()
    objects = crm_objects(
        table,
        profile,
        organization_names=organization_names,
        scored_on=scored_on,
        report=export.guard,
        keys=keys,
        choices=choices,
    )
    if not objects:  # an empty result: nothing to import, nothing to define
        return export
    organizations = profile.object_name("organizations")
    name = profile.header_for(organizations, "name")
    if profile.last_name_required and organizations in objects and name is not None:
        frame, columns = objects[organizations]
        key, name = next(c.header for c in columns if c.key), _guarded_header(name)
        if name in frame.columns:  # named by their key for want of a name
            export.unnamed = frame.filter(pl.col(name) == pl.col(key))[key].to_list()
    people = profile.object_name("people")
    if choices.campaign is not None and people not in objects:
        raise ParameterError("--crm-campaign: the result has no people to make its members")
    if choices.campaign is not None:
        frame, columns = objects[people]
        key = next(column.header for column in columns if column.key)
        members = frame.select(pl.lit(choices.campaign).alias("CampaignId"), pl.col(key))
        objects[CAMPAIGN_MEMBERS] = (members, [Column("CampaignId", "text"), Column(key, "text")])
    written: list[tuple[str, list[Part]]] = []
    definitions: list[tuple[str, str, Path, PendingFile]] = []
    committed: list[Path] = []
    try:
        for object_name, (frame, _) in objects.items():
            parts = write_csv_parts(
                frame,
                output.parent,
                output.name,
                max_rows=profile.max_rows,
                max_bytes=profile.max_bytes,
                max_record_bytes=profile.max_record_bytes,
                label=object_name,
            )
            written.append((object_name, parts))
            export.headers[object_name] = frame.columns
        parts_of = {object_name: len(parts) for object_name, parts in written}
        for object_name, kind, path, content in _definitions(objects, profile, output, parts_of):
            pending = PendingFile(output.parent, path.name)
            definitions.append((object_name, kind, path, pending))
            try:
                pending.path.write_bytes(content)
            except OSError as error:
                raise write_error(error, path) from None
        if before_commit is not None:
            before_commit()
        for object_name, parts in written:
            for part, path in zip(
                parts, crm_file_names(output, object_name, len(parts)), strict=True
            ):
                part.pending.commit(path)
                committed.append(path)
                export.files.append(CrmFile(path, object_name, part.rows, part.size, part.sha256))
        for object_name, kind, path, pending in definitions:
            pending.commit(path)
            committed.append(path)
            content = path.read_bytes()
            export.files.append(
                CrmFile(
                    path,
                    object_name,
                    0,
                    len(content),
                    hashlib.sha256(content).hexdigest(),
                    kind=kind,
                )
            )
    except BaseException:
        # All or nothing: files of this export named before the failure go too.
        for path in committed:
            path.unlink(missing_ok=True)
        raise
    finally:
        for _, parts in written:
            for part in parts:
                part.pending.discard()
        for *_, pending in definitions:
            pending.discard()
    return export


def _definitions(
    objects: Mapping[str, tuple[pl.DataFrame, list[Column]]],
    profile: CrmProfile,
    output: Path,
    parts: Mapping[str, int],
) -> list[tuple[str, str, Path, bytes]]:
    """(object, kind, path, content) of each definition and mapping file."""
    names = {path.name: path for path in crm_definition_names(output, profile)}
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    files: list[tuple[str, str, Path, bytes]] = []
    if profile.target == "hubspot":
        files.append(
            ("properties", "definition", names[f"{stem}.property-group.json"],
             json_text(GROUP).encode())
        )  # fmt: skip
        for object_name, (_, columns) in objects.items():
            body = hubspot_properties(profile, object_name, columns)
            path = names[f"{stem}.{object_name}.properties.json"]
            files.append((object_name, "definition", path, json_text(body).encode()))
        return files
    fields = {name: columns for name, (_, columns) in objects.items() if name != CAMPAIGN_MEMBERS}
    files.append(
        ("properties", "definition", names[f"{stem}.salesforce-fields.zip"],
         salesforce_package(profile, fields))
    )  # fmt: skip
    for object_name, (frame, _) in objects.items():
        path = names[f"{stem}.{object_name}.sdl"]
        if object_name == CAMPAIGN_MEMBERS:
            text = campaign_mapping(profile, profile.object_name("people"), frame.columns[1])
        else:
            csv_files = crm_file_names(output, object_name, parts[object_name])
            shown = csv_files[0].name
            if len(csv_files) > 1:
                shown += f" to {csv_files[-1].name}"
            title = f"Data Loader field mapping of {shown}"
            text = data_loader_mapping(profile, object_name, frame.columns, title=title)
        files.append((object_name, "mapping", path, text.encode("latin-1", "backslashreplace")))
    return files
