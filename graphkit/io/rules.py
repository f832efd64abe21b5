"""The input rules every engine applies, and the messages it gives when one is broken.

The local engine (:mod:`graphkit.io.readers`, :mod:`graphkit.algorithms.pagerank`,
:mod:`graphkit.analysis.audience`, :class:`graphkit.app.Settings`) and the Spark engine
(:mod:`graphkit.engines.spark`) take their file suffixes, header rules, timestamp range,
parameter checks, audience grammar and user-facing messages from here, so that the same bad
input gives the same error line on both. Each engine applies a rule its own way (Arrow and
polars here, Spark columns there); only the rule and its words live here.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from graphkit.errors import ParameterError, quoted
from graphkit.io.schema import ACCOUNT_KINDS, DEFAULT_TYPE_WEIGHTS, FOLLOWS, INTERACTIONS, TableSpec

# --- files -------------------------------------------------------------------------------------

DELIMITED_SUFFIXES: Final = (".csv", ".tsv", ".txt", ".edgelist", ".edges", ".el", ".dat")
JSON_SUFFIXES: Final = (".ndjson", ".jsonl", ".json")
PARQUET_SUFFIXES: Final = (".parquet", ".pq")
LIST_SEPARATORS: Final = r"[;|]"
"""What separates the items of a list cell (``topics``): ``cloud;security`` or ``a|b``."""

ACCOUNT_COLUMNS: Final = ("handle", "name", "kind", "organization", "title")
"""Account attributes every result table carries (empty where the data lacks them)."""

FILE_EMPTY: Final = "file is empty (no header and no rows)"
NO_RECORDS: Final = "no follow or interaction records: nothing to rank"
NO_TABLES: Final = (
    "no tables found: expected accounts.*, follows.*, interactions.* or identities.* "
    "(.csv, .csv.gz, .parquet, .ndjson)"
)
INVALID_UTF8: Final = "invalid UTF-8 text; re-save the file as UTF-8"
NUL_TEXT: Final = "NUL byte: not a text table"
DATASET_FOLDER_NOT_FOUND: Final = "dataset folder not found"
NOT_A_DATASET_FOLDER: Final = "expected a dataset folder"


def split_first_line(first: str) -> tuple[str, list[str], bool]:
    """The delimiter of a delimited file, read from its first line, and that line's fields.

    A tab, else a comma, else a semicolon, else a space (an edge list). The third value says
    whether the line ended in a space delimiter, whose empty last field is dropped (edge lists
    written with a space after the last field).

    >>> split_first_line("a b ")
    (' ', ['a', 'b'], True)
    >>> split_first_line('follower,"followed"')
    (',', ['follower', 'followed'], False)
    """
    if "\t" in first:
        delimiter = "\t"
    elif "," in first:
        delimiter = ","
    elif ";" in first:
        delimiter = ";"
    else:
        delimiter = " "
    fields = next(csv.reader([first], delimiter=delimiter))
    drop_trailing = delimiter == " " and len(fields) > 1 and fields[-1] == ""
    return delimiter, fields[:-1] if drop_trailing else fields, drop_trailing


def headerless_names(spec: TableSpec, n_fields: int) -> list[str] | None:
    """The columns of a header-less edge list of ``n_fields`` fields, or None when a table of
    ``spec`` cannot be one (``a b``, ``a b weight``, ``a b timestamp type``).

    >>> headerless_names(INTERACTIONS, 4)
    ['source', 'target', 'timestamp', 'type']
    """
    if spec is FOLLOWS and n_fields in (2, 3):
        return ["follower", "followed", "weight"][:n_fields]
    if spec is INTERACTIONS and n_fields in (2, 3):
        return ["source", "target", "weight"][:n_fields]
    if spec is INTERACTIONS and n_fields == 4:
        return ["source", "target", "timestamp", "type"]
    return None


def no_header(spec: TableSpec) -> str:
    """The message for a file whose first line is no header and no edge list."""
    return (
        f"no header row found; a {spec.name} file needs a header naming "
        + ", ".join(spec.required)
        + (
            " (or a header-less edge list: 'a b', 'a b weight' or 'a b timestamp type')"
            if spec in (FOLLOWS, INTERACTIONS)
            else ""
        )
    )


def wrong_field_count(expected: int, found: int) -> str:
    return f"expected {expected} fields, found {found}"


def no_edge_tables(folder: object | None, option_value: str = "FILE") -> str:
    """Neither follows nor interactions were found (``option_value``: FILE or LOCATION)."""
    where = f" in {folder}" if folder is not None else ""
    return (
        f"no follows or interactions table found{where}; "
        f"give a dataset folder, --follows {option_value} or --interactions {option_value}"
    )


def two_files(table: str, first: str, second: str) -> str:
    return f"two files for the {table} table: {first} and {second}"


# --- columns -----------------------------------------------------------------------------------


def columns_collide(first: str, second: str, canonical: str) -> str:
    return f"columns '{first}' and '{second}' both mean '{canonical}'"


def missing_column(required: str, spec: TableSpec, found: Sequence[str]) -> str:
    """A required column is absent; ``found`` lists the columns the table has."""
    hint = (
        " (or pass --interaction-type TYPE)" if spec is INTERACTIONS and required == "type" else ""
    )
    return (
        f"missing required column '{required}' in the {spec.name} table "
        f"(found: {', '.join(found) or 'none'}){hint}"
    )


FLOAT_IDS: Final = (
    "account ids must be text or integers, found floating-point numbers (write the ids as text)"
)
EMPTY_ID: Final = "empty account id"


# --- values ------------------------------------------------------------------------------------

# Timestamps graphkit accepts: years 0001 to 9999, the range of ISO 8601's four-digit years and
# of Python's datetime (which outputs and manifests go through), in microseconds since 1970.
TIMESTAMP_MIN_US: Final = -62_135_596_800_000_000
TIMESTAMP_MAX_US: Final = 253_402_300_799_999_999
TIMESTAMP_MIN_SECONDS: Final = TIMESTAMP_MIN_US / 1e6
TIMESTAMP_MAX_SECONDS: Final = TIMESTAMP_MAX_US / 1e6
YEARS: Final = "(graphkit reads the years 0001 to 9999)"
LONG_YEAR: Final = re.compile(r"^[+-]?\d{5,}-\d")
"""An ISO 8601 time with a year of five digits or more: out of range, not unparsable."""


def timestamp_out_of_range(shown: str) -> str:
    """``shown``: the value as quoted, or ``<ticks> <unit> since 1970`` for typed times."""
    return f"timestamp out of range: {shown} {YEARS}"


def unparsable_timestamp(value: object) -> str:
    return (
        f"unparsable timestamp {quoted(value)}; use ISO 8601 (2025-03-04T10:00:00Z) or Unix seconds"
    )


def not_a_number(value: object) -> str:
    return f"not a number: {quoted(value)}"


WEIGHT_RANGE: Final = "weight must be a finite number >= 0"
KIND_VALUES: Final = f"kind must be one of {', '.join(ACCOUNT_KINDS)} or empty"
WHOLE_NUMBER_RANGE: Final = "whole number out of range (at most 2**63 - 1)"
NOT_WHOLE: Final = "not a whole number"


def found(problem: str, value: object) -> str:
    """``problem (found VALUE)``, as range errors name the value at fault."""
    return f"{problem} (found {quoted(value)})"


def interaction_types(known_types: Sequence[str] | None) -> list[str]:
    """The interaction types accepted: ``known_types`` (default: the default weights'), less
    ``follow``."""
    known = tuple(known_types) if known_types is not None else tuple(DEFAULT_TYPE_WEIGHTS)
    return [value for value in known if value != "follow"]


def unknown_type(value: object, known_types: Sequence[str] | None) -> str:
    return (
        f"unknown interaction type {quoted(value)}; expected one of "
        f"{', '.join(interaction_types(known_types))} (add types with --weights TYPE=W)"
    )


def duplicate_id(value: object) -> str:
    return f"duplicate account id {value!r}"


def identity_conflict(account: object) -> str:
    return f"account {account!r} is mapped to more than one person in the identities table"


# --- parameters --------------------------------------------------------------------------------


def check_pagerank_parameters(damping: float, tolerance: float, max_iter: int) -> None:
    """Raise ParameterError unless PageRank can run with these settings.

    >>> check_pagerank_parameters(0.85, 1e-10, 100)
    >>> check_pagerank_parameters(1.0, 1e-10, 100)
    Traceback (most recent call last):
    ...
    graphkit.errors.ParameterError: damping must be in [0, 1), got 1.0
    """
    if not 0.0 <= damping < 1.0:
        raise ParameterError(f"damping must be in [0, 1), got {damping}")
    if not 0.0 < tolerance < math.inf:
        raise ParameterError(f"tolerance must be a positive finite number, got {tolerance}")
    if max_iter < 1:
        raise ParameterError(f"max-iter must be at least 1, got {max_iter}")


def not_converged(iterations: int, change: float, tolerance: float) -> str:
    return (
        f"PageRank did not converge in {iterations} iterations (L1 change {change:.3g} > "
        f"tolerance {tolerance:g}); raise --max-iter or --tolerance"
    )


PERSONALIZATION_RANGE: Final = "personalization weights must be finite and >= 0"
PERSONALIZATION_EMPTY: Final = "personalization selects no node (all weights are zero)"


def check_community_parameters(resolution: float, seed: int) -> None:
    """Raise ParameterError for a resolution that is not a positive number or a negative seed."""
    if not (math.isfinite(resolution) and resolution > 0):
        raise ParameterError(f"resolution must be a positive number, got {resolution}")
    if seed < 0:
        raise ParameterError(f"seed must be an integer >= 0, got {seed!r}")


def check_rank_table(kind: str | None, top: int | None) -> None:
    """Raise ParameterError for a kind other than person or brand, or a negative top."""
    if kind is not None and kind not in ("person", "brand"):
        raise ParameterError(f"kind must be person or brand, got {kind!r}")
    if top is not None and top < 0:
        raise ParameterError(f"top must be >= 0, got {top}")


def check_leaders(leaders: int) -> None:
    if leaders < 0:
        raise ParameterError(f"leaders must be >= 0, got {leaders}")


# --- audience selectors ------------------------------------------------------------------------

_CLAUSE: Final = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(=|~)\s*(.*?)\s*$", re.DOTALL)
FIELD_ALIASES: Final = {
    "topic": "topics",
    "org": "organization",
    "company": "organization",
    "account": "id",
    "ids": "id",
}


@dataclass(frozen=True)
class AudienceClause:
    """One ``FIELD=VALUE[,VALUE]`` or ``FIELD~REGEX`` clause, the field's alias resolved.

    Attributes
    ----------
    field
        The accounts column (``topic`` -> ``topics``, ``org`` -> ``organization``...).
    operator
        ``=`` (one of the comma-separated values, case-insensitive) or ``~`` (a regular
        expression, case-insensitive).
    value
        The text after the operator.
    """

    field: str
    operator: str
    value: str

    @property
    def values(self) -> list[str]:
        """The values of an ``=`` clause, stripped (lower-case unless the field is ``id``)."""
        items = [item.strip() for item in self.value.split(",")]
        return items if self.field == "id" else [item.lower() for item in items]

    @property
    def pattern(self) -> str:
        """The case-insensitive regular expression of a ``~`` clause, checked."""
        try:
            re.compile(self.value)
        except re.error as error:
            raise ParameterError(f"bad regular expression {self.value!r}: {error}") from None
        return f"(?i){self.value}"


def is_clause_selector(selector: str) -> bool:
    """Whether ``selector`` reads as clauses (else it names a file of ids)."""
    return _CLAUSE.match(selector) is not None


def parse_selector(selector: str) -> list[AudienceClause]:
    """The clauses of ``FIELD=VALUE`` / ``FIELD~REGEX`` clauses joined by ``&``.

    >>> parse_selector("title~CTO & topic=cloud,ai")
    [AudienceClause(field='title', operator='~', value='CTO'), \
AudienceClause(field='topics', operator='=', value='cloud,ai')]

    Raises
    ------
    ParameterError
        For a clause that is neither form.
    """
    clauses = []
    for clause in selector.split("&"):
        match = _CLAUSE.match(clause)
        if match is None:
            raise ParameterError(
                f"bad audience clause {clause!r}: expected FIELD=VALUE or FIELD~REGEX"
            )
        name, operator, value = match.groups()
        field = FIELD_ALIASES.get(name.lower(), name.lower())
        clauses.append(AudienceClause(field, operator, value))
    return clauses


def bad_selector(selector: str) -> ParameterError:
    return ParameterError(
        f"bad audience {selector!r}: expected a file of ids, FIELD=VALUE or FIELD~REGEX"
    )


def field_needs_accounts(field: str) -> ParameterError:
    return ParameterError(
        f"audience field {field!r} needs an accounts table (give --accounts FILE)"
    )


def unknown_field(field: str, columns: Sequence[str]) -> ParameterError:
    return ParameterError(
        f"unknown audience field {field!r}; the accounts table has: " + ", ".join(columns)
    )


def selects_nothing(selectors: Sequence[str]) -> ParameterError:
    return ParameterError(
        f"audience {' + '.join(repr(s) for s in selectors)} selects no account in the graph"
    )


def first_line(error: Exception) -> str:
    """The first line of an error's message (its type's name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def parquet_problem(error: Exception) -> str:
    """What pyarrow's complaint about a Parquet file means, without repeating the path."""
    text = first_line(error)
    if "magic bytes not found" in text:
        return "not a Parquet file, or a truncated one (no Parquet footer)"
    text = re.sub(r"^Could not open Parquet input source '.*?': ", "", text)
    return f"not a readable Parquet file, truncated or corrupt ({text})"
