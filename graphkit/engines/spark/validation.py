"""Converting raw columns to the canonical types and checking every value in one pass,
by the rules and with the messages of :mod:`graphkit.io.rules`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from graphkit.engines.spark.locations import _is_local, _local_path
from graphkit.errors import InputError, SchemaError, quoted
from graphkit.io import rules
from graphkit.io.schema import ACCOUNT_KINDS, ACCOUNTS, INTERACTIONS, TYPE_ALIASES, TableSpec

_WHITESPACE: Final = " \t\n\r\x0b\x0c"
# Text that Spark decoded from bytes that are not UTF-8 holds the replacement character.
_REPLACEMENT: Final = "\ufffd"


def _strip(column: Column) -> Column:
    """Text without leading and trailing whitespace (``btrim``: no regular expression)."""
    return F.btrim(column, F.lit(_WHITESPACE))


def _canonical(
    raw: DataFrame,
    spec: TableSpec,
    location: str,
    header_row: int | None,
    interaction_type: str | None,
    known_types: Sequence[str] | None,
) -> DataFrame:
    """Rename to canonical columns and convert to the schema's types (bad values -> null)."""
    columns: dict[str, str] = {}
    for name in raw.columns:
        if name in ("_fields", "_expected"):
            continue
        canonical = spec.canonical_name(name) or name.strip()
        if canonical in columns:
            raise SchemaError(
                rules.columns_collide(columns[canonical], name, canonical),
                path=location,
                row=header_row,
                column=name,
            )
        columns[canonical] = name
    if spec is INTERACTIONS and "type" not in columns and interaction_type is not None:
        raw = raw.withColumn("_type", F.lit(interaction_type))
        columns["type"] = "_type"
    for required in spec.required:
        if required not in columns:
            found = [name for name in raw.columns if not name.startswith("_")]
            raise SchemaError(
                rules.missing_column(required, spec, found),
                path=location,
                row=header_row,
            )
    types = dict(raw.dtypes)
    converted: list[Column] = []
    for name, original in columns.items():
        source = F.col(f"`{original}`")
        kind = types[original]
        if name in spec.id_columns:
            if kind in ("double", "float") or kind.startswith("decimal"):
                raise SchemaError(rules.FLOAT_IDS, path=location, column=original)
            converted.append(source.cast("string").alias(name))
        elif name == "type" and spec is INTERACTIONS:
            converted.append(_type_column(source, known_types).alias(name))
            converted.append(source.cast("string").alias("_raw_type"))
        elif spec.types.get(name) in (pa.float64(), pa.int64()):
            converted.append(_number(source, kind).alias(name))
            converted.append(source.cast("string").alias(f"_raw_{name}"))
        elif name in ("timestamp", "since"):
            converted.append(_micros(source, kind).alias(f"_micros_{name}"))
            converted.append(source.cast("string").alias(f"_raw_{name}"))
        elif isinstance(spec.types.get(name), pa.ListType):
            converted.append(_text_list(source, kind).alias(name))
        elif name == "kind" and spec is ACCOUNTS:
            text = F.lower(_strip(source.cast("string")))
            converted.append(F.when(text != "", text).alias(name))
        else:
            text = source.cast("string")
            converted.append(F.when(_strip(text) != "", text).alias(name))
    if "_fields" in raw.columns:
        converted += [F.col("_fields"), F.col("_expected")]
    return raw.select(*converted)


def _type_column(source: Column, known_types: Sequence[str] | None) -> Column:
    """Canonical interaction type (aliases resolved), null where unknown."""
    interaction_types = rules.interaction_types(known_types)
    key = F.lower(_strip(source.cast("string")))
    aliases = F.create_map(*(F.lit(part) for pair in TYPE_ALIASES.items() for part in pair))
    mapped = F.coalesce(F.element_at(aliases, key), key)
    return F.when(mapped.isin(interaction_types), mapped)


def _number(source: Column, kind: str) -> Column:
    """A double from a number or text column; null where blank or not a number."""
    if kind == "string":
        text = _strip(source)
        return F.when(text != "", text).try_cast("double")
    return source.cast("double")


def _micros(source: Column, kind: str) -> Column:
    """Microseconds since the epoch (double) from a timestamp, Unix seconds or ISO 8601."""
    if kind.startswith("timestamp"):
        return F.unix_micros(source.cast("timestamp")).cast("double")
    if kind == "string":
        text = _strip(source)
        text = F.when(text != "", text)
        epoch = text.try_cast("double")
        iso = F.unix_micros(F.try_to_timestamp(text)).cast("double")
    else:
        epoch = source.cast("double")
        iso = F.lit(None).cast("double")
    in_range = epoch.between(rules.TIMESTAMP_MIN_SECONDS, rules.TIMESTAMP_MAX_SECONDS)
    from_epoch = F.when(in_range, F.round(epoch * 1e6))  # whole microseconds, as locally
    return F.coalesce(from_epoch, iso)


def _text_list(source: Column, kind: str) -> Column:
    if kind.startswith("array"):
        return source.cast("array<string>")
    items = F.transform(F.split(source.cast("string"), rules.LIST_SEPARATORS), _strip)
    return F.filter(items, lambda item: item != "")


@dataclass(frozen=True)
class _Check:
    """One kind of bad value: the column named, which rows are bad, and the message given the
    first bad row's ``shown`` value."""

    column: str | None
    bad: Column
    shown: Column
    message: Callable[[Any], str]


def _checks(table: DataFrame, spec: TableSpec, known_types: Sequence[str] | None) -> list[_Check]:
    checks: list[_Check] = []
    text_columns = [name for name, kind in table.dtypes if kind == "string"]
    if text_columns:
        # Spark reads bytes that are not UTF-8 as U+FFFD and keeps NUL bytes: the local reader
        # refuses both, so the first such value is reported (with its row, for a local file).
        replaced = F.greatest(*(F.col(f"`{name}`").contains(_REPLACEMENT) for name in text_columns))
        nul = F.greatest(*(F.col(f"`{name}`").contains("\x00") for name in text_columns))
        checks.append(
            _Check(
                None, F.coalesce(replaced, F.lit(False)), F.lit(None), lambda _: rules.INVALID_UTF8
            )
        )
        checks.append(
            _Check(None, F.coalesce(nul, F.lit(False)), F.lit(None), lambda _: rules.NUL_TEXT)
        )
    if "_fields" in table.columns:
        counts = F.array(F.col("_expected"), F.col("_fields"))
        checks.append(
            _Check(
                None,
                F.col("_fields").isNotNull(),
                counts,
                lambda pair: rules.wrong_field_count(pair[0], pair[1]),
            )
        )
    for name in spec.id_columns:
        value = F.col(name)
        checks.append(
            _Check(name, value.isNull() | (_strip(value) == ""), value, lambda _: rules.EMPTY_ID)
        )
    if "type" in table.columns and spec is INTERACTIONS:
        checks.append(
            _Check(
                "type",
                F.col("type").isNull(),
                F.col("_raw_type"),
                lambda value: rules.unknown_type(value, known_types),
            )
        )
    for name in ("weight", "followers_count"):
        if name not in table.columns:
            continue
        raw, value = F.col(f"_raw_{name}"), F.col(name)
        blank = raw.isNull() | (_strip(raw) == "")
        if name == "weight":
            checks.append(_Check(name, value.isNull() & ~blank, raw, rules.not_a_number))
            invalid = value.isNotNull() & (
                F.isnan(value) | (F.abs(value) == math.inf) | (value < 0)
            )
            checks.append(
                _Check(name, invalid, value, lambda number: rules.found(rules.WEIGHT_RANGE, number))
            )
        else:
            too_large = value.isNotNull() & (F.abs(value) >= 2.0**63)
            checks.append(
                _Check(
                    name, too_large, raw, lambda text: f"{rules.WHOLE_NUMBER_RANGE}: {quoted(text)}"
                )
            )
            not_whole = value.isNotNull() & (F.round(value) != value)
            checks.append(
                _Check(
                    name,
                    (value.isNull() & ~blank) | not_whole,
                    raw,
                    lambda text: f"{rules.NOT_WHOLE}: {quoted(text)}",
                )
            )
    for name in ("timestamp", "since"):
        if f"_micros_{name}" not in table.columns:
            continue
        raw, micros = F.col(f"_raw_{name}"), F.col(f"_micros_{name}")
        given = raw.isNotNull() & (_strip(raw) != "")
        number = _strip(raw).try_cast("double")
        out_of_range = given & (
            (
                number.isNotNull()
                & ~number.between(rules.TIMESTAMP_MIN_SECONDS, rules.TIMESTAMP_MAX_SECONDS)
            )
            | (micros.isNotNull() & ~micros.between(rules.TIMESTAMP_MIN_US, rules.TIMESTAMP_MAX_US))
            | _strip(raw).rlike(rules.LONG_YEAR.pattern)
        )
        out_of_range = F.coalesce(out_of_range, F.lit(False))
        checks.append(
            _Check(name, out_of_range, raw, lambda text: rules.timestamp_out_of_range(quoted(text)))
        )
        unparsable = micros.isNull() & given & ~out_of_range
        checks.append(_Check(name, unparsable, raw, rules.unparsable_timestamp))
    if "kind" in table.columns and spec is ACCOUNTS:
        kind = F.col("kind")
        checks.append(
            _Check(
                "kind",
                kind.isNotNull() & ~kind.isin(*ACCOUNT_KINDS),
                kind,
                lambda value: rules.found(rules.KIND_VALUES, value),
            )
        )
    return checks


def _validate(
    table: DataFrame,
    spec: TableSpec,
    location: str,
    interaction_type: str | None,
    known_types: Sequence[str] | None,
) -> None:
    """One pass counting every kind of bad value; raises on the first kind found.

    For a local file the local reader then names the row (:func:`_located`); elsewhere the
    message is the same, without the row.
    """
    checks = _checks(table, spec, known_types)
    aggregates = []
    for index, check in enumerate(checks):
        aggregates.append(F.count_if(check.bad).alias(f"bad{index}"))
        aggregates.append(
            F.first(F.when(check.bad, check.shown), ignorenulls=True).alias(f"value{index}")
        )
    result = table.agg(*aggregates).first() if aggregates else None
    for index, check in enumerate(checks):
        assert result is not None
        if result[f"bad{index}"]:
            located = _located(location, spec, interaction_type, known_types)
            if located is not None:
                raise located
            message = check.message(result[f"value{index}"])
            raise InputError(message, path=location, column=check.column)
    if spec is ACCOUNTS:
        repeated = table.groupBy("id").count().filter(F.col("count") > 1).limit(1).collect()
        if repeated:
            located = _located(location, spec, interaction_type, known_types)
            if located is not None:
                raise located
            raise InputError(rules.duplicate_id(repeated[0]["id"]), path=location, column="id")


def _located(
    location: str,
    spec: TableSpec,
    interaction_type: str | None,
    known_types: Sequence[str] | None,
) -> InputError | None:
    """The local reader's error, naming the row, for a local file (error path only)."""
    if not _is_local(location):
        return None
    path = _local_path(location)
    if not path.is_file():
        return None
    from graphkit.io.readers import read_table as read_local_table

    try:
        read_local_table(
            path,
            spec,
            interaction_type=interaction_type,
            known_types=tuple(known_types) if known_types is not None else None,
        )
    except InputError as error:
        return error
    return None
