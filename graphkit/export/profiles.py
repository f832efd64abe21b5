"""CRM profiles: the headers, limits and value formats HubSpot and Salesforce imports expect.

Each rule cites the vendor's documentation:

HubSpot (import tool)
    - Files up to 512 MB and 1,048,576 rows per file (Starter, Professional and Enterprise),
      fewer than 1,000 columns, UTF-8 when the text is not plain ASCII, a header row whose
      names match properties:
      https://knowledge.hubspot.com/import-and-export/set-up-your-import-file
    - Records are deduplicated by Record ID or by a custom property that requires unique
      values (contacts also by email, companies also by domain):
      https://knowledge.hubspot.com/articles/kcs_article/contacts/deduplication-of-contacts-companies-deals-tickets
      graphkit writes the account id as ``Graphkit ID``: create it as a unique-value
      property and match on it.
      Company domains are not mapped by default: accounts of one dataset often share a
      domain and HubSpot would merge them.
    - Date properties as ``YYYY-MM-DD``, datetimes as ISO 8601 with a UTC offset:
      https://developers.hubspot.com/changelog/new-standardization-of-date-formats-for-hubspots-form-submissions-api

Salesforce (Data Import Wizard)
    - Up to 50,000 records per import ("To update more than 50,000 records ... use Data
      Loader"), files up to 100 MB, records up to 400 KB, at most 90 fields per record:
      https://help.salesforce.com/s/articleView?id=sf.faq_import_general.htm and
      https://help.salesforce.com/s/articleView?id=xcloud.faq_import_general_are_there_size.htm
    - Contacts and accounts are matched by Salesforce ID, name, email or an External ID
      field: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.for_accounts_and_contacts.htm;
      graphkit's id goes to ``Graphkit ID`` (create it as a text field with the External ID
      and Unique attributes).
    - Files in UTF-8 (https://help.salesforce.com/s/articleView?id=000381876), dates as
      ``yyyy-MM-dd`` and datetimes as ``yyyy-MM-ddTHH:mm:ssZ``, the locale-neutral forms
      Salesforce recommends for integrations
      (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_valid_date_formats.htm,
      https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.admin_locales_code_integrations.htm);
      checkboxes as 1 and 0
      (https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.notes_on_importing_data.htm).
    - Contacts need a Last Name: a single-word name goes there, and an account without a
      name gets its handle (or id). Leads map Company, First and Last Name and Lead Status
      (https://help.salesforce.com/s/articleView?id=xcloud.field_mapping_for_importing_leads.htm),
      and Last Name and Company are required on every lead: a lead without an organization
      gets the placeholder ``[not provided]``.
    - A contact without an account is private: "A contact that isn't linked to an account is
      always private ... Only the owner of the contact and administrators can view it"
      (https://help.salesforce.com/apex/HTViewHelpDoc?id=sales.contacts_sharing_considerations.htm).
      Contacts name their account by its external id (``Graphkit Account ID``), which Data
      Loader maps to ``Account:Graphkit_ID__c`` (relationship name, a colon, the parent's
      External ID field: the form Data Loader's own mapping files use, see
      ``ParentIdLookupFieldFormatter`` in https://github.com/forcedotcom/dataloader).

HubSpot associates contacts with companies in a two-file import when both files have a
column with the same header holding a unique identifier of the companies
(https://knowledge.hubspot.com/import-and-export/import-objects):
``Graphkit Company ID`` is the companies' unique key and each contact's company.

Both: RFC 4180 CSV (CRLF line ends, fields with commas, quotes or line breaks quoted, quotes
doubled), UTF-8 without a byte-order mark.

A small TOML file (``--crm-mapping``) overrides headers and formats::

    date_format = "%d/%m/%Y"          # strftime format of date columns
    max_rows = 20000                  # lower the per-file row limit
    max_bytes = 20000000              # lower the per-file size (HubSpot's free tools: 20 MB)
    [contacts]                        # the target's object name: contacts, companies, accounts
    handle = "Twitter Username"       # graphkit column = header
    pagerank = false                  # leave the column out
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

import polars as pl

from graphkit.errors import InputError, ParameterError
from graphkit.io.files import read_small_text

Role = Literal["people", "organizations"]
TARGETS: Final = ("hubspot", "salesforce")
PEOPLE_OBJECTS: Final = ("contacts", "leads")
# Columns every graphkit result may carry (the accounts table's, and those the export derives):
# a mapping file may name them even when this result lacks them.
KNOWN_COLUMNS: Final = frozenset(
    {"id", "handle", "name", "kind", "organization", "title", "platform", "topics",
     "followers_count", "email", "url", "aliases", "first_name", "last_name",
     "organization_name", "scored_on", "owner", "lifecycle_stage", "rank", "score",
     "pagerank"}
)  # fmt: skip


@dataclass(frozen=True)
class CrmProfile:
    """What one CRM's import expects.

    Attributes
    ----------
    target
        ``hubspot`` or ``salesforce``.
    objects
        The target's object name for each role (``people``, ``organizations``).
    headers
        For each object name, graphkit column -> header; columns absent from the map get
        ``Graphkit <Column Name>``, columns mapped to ``None`` are left out.
    max_rows
        Data rows per file (the header row not counted).
    max_bytes
        Bytes per file, header included.
    max_columns
        Columns per file.
    max_record_bytes
        Bytes per record, when the target limits it.
    date_format, datetime_format
        strftime formats of date and datetime columns (datetimes in UTC).
    true, false
        How booleans are written.
    last_name_required
        Contacts must have a Last Name (a one-word name goes there).
    standard
        For each object name, the headers of the target's own fields -> their internal (API)
        names (empty: no field, the importer reads it); every other header is a custom
        property / field graphkit defines.
    references
        For each object name, the headers that name a record of another object by its key:
        header -> (that object's name, the relationship's name).
    mapped
        For each object name, the columns a mapping file names (checked against the result).
    """

    target: str
    objects: dict[str, str]
    headers: dict[str, dict[str, str | None]]
    max_rows: int
    max_bytes: int
    max_columns: int
    max_record_bytes: int | None = None
    date_format: str = "%Y-%m-%d"
    datetime_format: str = "%Y-%m-%dT%H:%M:%SZ"
    true: str = "true"
    false: str = "false"
    last_name_required: bool = False
    mapping_file: Path | None = None
    handle_columns: tuple[str, ...] = ("handle",)
    overrides: dict[str, Any] = field(default_factory=dict)
    standard: dict[str, dict[str, str]] = field(default_factory=dict)
    references: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    mapped: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def object_name(self, role: Role) -> str:
        """The target's name for the object of a role."""
        return self.objects[role]

    def header_for(self, object_name: str, column: str) -> str | None:
        """The header of a graphkit column in an object's file (``None``: left out)."""
        mapping = self.headers.get(object_name, {})
        if column in mapping:
            return mapping[column]
        return "Graphkit " + " ".join(word.capitalize() for word in column.split("_"))


_SHARED_PEOPLE: Final[dict[str, str | None]] = {
    "id": "Graphkit ID",
    "kind": None,
    "aliases": None,  # the ids an account had before; they choose its key
    "name": None,  # split into first and last name
    "email": "Email",
    "pagerank": "Graphkit PageRank",
    "scored_on": "Graphkit Scored On",
}
_SHARED_ORGANIZATIONS: Final[dict[str, str | None]] = {
    "id": "Graphkit ID",
    "kind": None,
    "organization": None,  # a brand's own organization is itself
    "title": None,  # job titles are people's
    "aliases": None,
    "pagerank": "Graphkit PageRank",
    "scored_on": "Graphkit Scored On",
}

HUBSPOT: Final = CrmProfile(
    target="hubspot",
    objects={"people": "contacts", "organizations": "companies"},
    headers={
        "contacts": {
            **_SHARED_PEOPLE,
            "first_name": "First Name",
            "last_name": "Last Name",
            "title": "Job Title",
            "organization_name": "Company Name",
            "organization": "Graphkit Company ID",  # the common column of the two files
            "url": "Website URL",
            "owner": "Contact owner",
            "lifecycle_stage": "Lifecycle Stage",
        },
        "companies": {
            **_SHARED_ORGANIZATIONS,
            "id": "Graphkit Company ID",
            "name": "Company name",
            "url": "Website URL",
            "owner": "Company owner",
            "lifecycle_stage": "Lifecycle Stage",
        },
    },
    max_rows=1_048_576 - 1,  # the header row counts towards the file's rows
    max_bytes=512 * 1000 * 1000,  # "512 MB", read as decimal megabytes to stay below either
    max_columns=999,  # "less than 1000 columns"
    standard={
        "contacts": {
            "First Name": "firstname",
            "Last Name": "lastname",
            "Email": "email",
            "Job Title": "jobtitle",
            "Company Name": "company",
            "Website URL": "website",
            "Contact owner": "hubspot_owner_id",
            "Lifecycle Stage": "lifecyclestage",
        },
        "companies": {
            "Company name": "name",
            "Website URL": "website",
            "Company owner": "hubspot_owner_id",
            "Lifecycle Stage": "lifecyclestage",
        },
    },
    references={"contacts": {"Graphkit Company ID": ("companies", "company")}},
)

SALESFORCE: Final = CrmProfile(
    target="salesforce",
    objects={"people": "contacts", "organizations": "accounts"},
    headers={
        "contacts": {
            **_SHARED_PEOPLE,
            "first_name": "First Name",
            "last_name": "Last Name",
            "title": "Title",
            "organization_name": "Account Name",
            "organization": "Graphkit Account ID",  # Data Loader: Account:Graphkit_ID__c
            "owner": "Owner Username",
            "lifecycle_stage": None,  # HubSpot's; leads take it as their status
        },
        "leads": {
            **_SHARED_PEOPLE,
            "first_name": "First Name",
            "last_name": "Last Name",
            "title": "Title",
            "organization_name": "Company",
            "organization": "Graphkit Organization ID",
            "owner": "Owner Username",
            "lifecycle_stage": "Lead Status",
        },
        "accounts": {
            **_SHARED_ORGANIZATIONS,
            "name": "Account Name",
            "url": "Website",
            "owner": "Owner Username",
            "lifecycle_stage": None,
        },
    },
    max_rows=50_000,
    max_bytes=100 * 1000 * 1000,
    max_columns=90,
    max_record_bytes=400 * 1000,
    true="1",
    false="0",
    last_name_required=True,
    standard={
        "contacts": {
            "First Name": "FirstName",
            "Last Name": "LastName",
            "Email": "Email",
            "Title": "Title",
            "Account Name": "",  # the Data Import Wizard's account match; no field of its own
            "Owner Username": "Owner:Username",
        },
        "leads": {
            "First Name": "FirstName",
            "Last Name": "LastName",
            "Email": "Email",
            "Title": "Title",
            "Company": "Company",
            "Owner Username": "Owner:Username",
            "Lead Status": "Status",
        },
        "accounts": {
            "Account Name": "Name",
            "Website": "Website",
            "Owner Username": "Owner:Username",
        },
    },
    references={"contacts": {"Graphkit Account ID": ("accounts", "Account")}},
)

PROFILES: Final = {"hubspot": HUBSPOT, "salesforce": SALESFORCE}
_OPTION_KEYS: Final = ("date_format", "datetime_format", "max_rows", "max_bytes")


def crm_profile(
    target: str,
    mapping_file: str | Path | None = None,
    *,
    people_object: str = "contacts",
    max_file_mb: float | None = None,
) -> CrmProfile:
    """The profile of a CRM, with the overrides of a TOML mapping file.

    Parameters
    ----------
    target
        ``hubspot`` or ``salesforce``.
    mapping_file
        TOML file: top-level ``date_format``, ``datetime_format``, ``max_rows``,
        ``max_bytes``; one table per object name mapping graphkit columns to headers
        (``false`` leaves a column out).
    people_object
        ``contacts``, or ``leads`` (Salesforce): the object people go to.
    max_file_mb
        Largest file in decimal megabytes, for plans below the target's largest files
        (HubSpot's free tools: 20).

    Returns
    -------
    CrmProfile

    Raises
    ------
    ParameterError
        For an unknown target.
    InputError
        For an unreadable or invalid mapping file (named, with the key at fault).

    Examples
    --------
    >>> crm_profile("salesforce").max_rows
    50000
    >>> crm_profile("hubspot").header_for("contacts", "audience_influence")
    'Graphkit Audience Influence'
    """
    if target not in PROFILES:
        raise ParameterError(f"unknown CRM {target!r}; use {' or '.join(TARGETS)}")
    profile = PROFILES[target]
    if people_object not in PEOPLE_OBJECTS or people_object not in profile.headers:
        choices = [name for name in PEOPLE_OBJECTS if name in profile.headers]
        raise ParameterError(
            f"{target} imports people as {' or '.join(choices)}, not {people_object!r}"
        )
    profile = replace(profile, objects={**profile.objects, "people": people_object})
    if max_file_mb is not None:
        limit = profile.max_bytes / 1e6
        if (
            not isinstance(max_file_mb, int | float)
            or isinstance(max_file_mb, bool)
            or not 0.01 <= max_file_mb <= limit
        ):
            raise ParameterError(
                f"the file size limit must be from 0.01 to {limit:g} MB (the {target} "
                f"limit), got {max_file_mb}"
            )
        profile = replace(profile, max_bytes=round(max_file_mb * 1e6))
    if mapping_file is None:
        return profile
    path = Path(mapping_file)
    try:
        settings = tomllib.loads(read_small_text(path, what="mapping file"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"invalid TOML ({error})", path=path) from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise InputError("invalid TOML (nested too deeply)", path=path) from None
    headers = {name: dict(columns) for name, columns in profile.headers.items()}
    options: dict[str, Any] = {}
    mapped: dict[str, tuple[str, ...]] = {}
    for key, value in settings.items():
        if key in profile.headers:
            if not isinstance(value, dict):
                raise InputError(f"[{key}] must be a table of column = header", path=path)
            mapped[key] = tuple(value)
            for column, header in value.items():
                if header is False:
                    headers[key][column] = None
                elif isinstance(header, str) and header.strip():
                    headers[key][column] = header.strip()
                else:
                    raise InputError(
                        f"[{key}] {column}: give a header name or false, got {header!r}",
                        path=path,
                    )
        elif key in _OPTION_KEYS:
            options[key] = _option(path, profile, key, value)
        else:
            known = ", ".join([*_OPTION_KEYS, *(f"[{name}]" for name in profile.headers)])
            raise InputError(f"unknown key {key!r} for {target}; expected {known}", path=path)
    references = _checked_keys(path, profile, headers)
    return replace(
        profile,
        headers=headers,
        references=references,
        mapping_file=path,
        overrides=options,
        mapped=mapped,
        **options,
    )


def _checked_keys(
    path: Path, profile: CrmProfile, headers: dict[str, dict[str, str | None]]
) -> dict[str, dict[str, tuple[str, str]]]:
    """The references under the headers a mapping file gives them, once the keys are known
    to stay graphkit's own fields and HubSpot's two files to share their common column."""
    for object_name, columns in headers.items():
        header = columns.get("id")
        if header in profile.standard.get(object_name, {}):
            raise InputError(
                f"[{object_name}] id: {header!r} is {profile.target}'s own field; the id is "
                "graphkit's external id and needs a header of its own",
                path=path,
            )
    references: dict[str, dict[str, tuple[str, str]]] = {}
    for object_name, defaults in profile.references.items():
        for default, (target, relationship) in defaults.items():
            column = next(c for c, h in profile.headers[object_name].items() if h == default)
            header = headers[object_name].get(column, default)
            if header is None:
                continue
            key = headers[target].get("id")
            if header in profile.standard.get(object_name, {}):
                raise InputError(
                    f"[{object_name}] {column}: {header!r} is {profile.target}'s own field; "
                    f"the {target}' id needs a header of its own",
                    path=path,
                )
            if profile.target == "hubspot" and header != key:
                raise InputError(
                    f"[{object_name}] {column} {header!r}: {profile.target} associates "
                    f"{object_name} with {target} through the {target}' id column: give "
                    f"both the same header ({key!r})",
                    path=path,
                )
            references.setdefault(object_name, {})[header] = (target, relationship)
    return references


def check_mapped_columns(profile: CrmProfile, object_name: str, columns: list[str]) -> None:
    """A mapping file names only columns this result has or graphkit knows: a misspelt one
    (``hanlde``) would otherwise be ignored without a word.

    Raises
    ------
    InputError
        Naming the mapping file, the object and the column.
    """
    for column in profile.mapped.get(object_name, ()):
        if column not in columns and column not in KNOWN_COLUMNS:
            shown = ", ".join(sorted(set(columns) - {"scored_on"})[:12])
            raise InputError(
                f"[{object_name}] {column}: no such column in this result (it has {shown})",
                path=profile.mapping_file,
            )


def _option(path: Path, profile: CrmProfile, key: str, value: object) -> object:
    if key in ("max_rows", "max_bytes"):
        limit = getattr(profile, key)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
            raise InputError(
                f"{key} must be an integer from 1 to {limit:,} (the {profile.target} limit), "
                f"got {value!r}",
                path=path,
            )
        return value
    example = "'%Y-%m-%d'" if key == "date_format" else "'%Y-%m-%dT%H:%M:%SZ'"
    if not isinstance(value, str) or "%" not in value:
        raise InputError(f"{key} must be a strftime format such as {example}", path=path)
    try:  # polars formats the dates; a directive it does not know fails only then
        pl.Series([dt.datetime(2025, 3, 4, 5, 6, 7)]).dt.strftime(value)
    except (pl.exceptions.PolarsError, ValueError):
        raise InputError(
            f"{key} {value!r} is not a strftime format polars can write; use one such as {example}",
            path=path,
        ) from None
    return value
