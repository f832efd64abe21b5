"""Tables in a database: read as Arrow tables, and a result written back as a table.

DuckDB files are the embedded default (and DuckDB's SQL reads Parquet and CSV globs too);
SQLite files and PostgreSQL servers go through their ADBC drivers. Rows travel as Arrow data
end to end, never row by row through Python.

A database is read like a dataset folder: the tables ``follows``, ``interactions``,
``accounts`` and ``identities`` that it holds, each of which a query may replace.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import pyarrow as pa

from graphkit.errors import InputError, MissingDependencyError, UsageError
from graphkit.io.files import check_regular_file
from graphkit.io.remote import display

__all__ = [
    "KINDS",
    "TABLE_NAMES",
    "check_not_queried",
    "check_output_not_queried",
    "check_table_name",
    "database_kind",
    "database_name",
    "parse_query",
    "read_tables",
    "single_statement",
    "write_table",
]

TABLE_NAMES: Final = ("follows", "interactions", "accounts", "identities")
KINDS: Final = ("duckdb", "sqlite", "postgresql")
_IDENTIFIER: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_DUCKDB_MAGIC: Final = b"DUCK"  # at byte 8 of a DuckDB file
_PACKAGES: Final = {
    "duckdb": "duckdb",
    "sqlite": "adbc-driver-sqlite",
    "postgresql": "adbc-driver-postgresql",
}


def database_kind(database: str | os.PathLike[str]) -> str:
    """Which database ``database`` names: ``postgresql`` (a ``postgresql://`` URI),
    ``sqlite`` (``sqlite://`` or a SQLite file), else ``duckdb``.

    >>> database_kind("postgresql://localhost/crm"), database_kind("duckdb:///tmp/x.db")
    ('postgresql', 'duckdb')
    """
    text = os.fspath(database)
    lower = text.lower()
    if lower.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    if lower.startswith("sqlite://"):
        return "sqlite"
    if lower.startswith("duckdb://"):
        return "duckdb"
    try:
        with Path(text).open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError:
        head = b""
    return "sqlite" if head == _SQLITE_MAGIC else "duckdb"


def database_name(database: str | os.PathLike[str]) -> str:
    """The database as messages name it (a password left out)."""
    text = os.fspath(database)
    return display(text) if "://" in text else text


def parse_query(spec: str) -> tuple[str, str]:
    """``TABLE=SQL`` as ``(table, sql)``.

    >>> parse_query("follows=SELECT src AS follower, dst AS followed FROM edges")
    ('follows', 'SELECT src AS follower, dst AS followed FROM edges')

    Raises
    ------
    UsageError
        When the table is not one graphkit reads or the query is empty.
    """
    table, equals, sql = spec.partition("=")
    table = table.strip().lower()
    if not equals or table not in TABLE_NAMES:
        raise UsageError(
            f"--query takes TABLE=SQL with TABLE one of {', '.join(TABLE_NAMES)}, got {spec[:60]!r}"
        )
    if not sql.strip():
        raise UsageError(f"--query {table}= has no SQL")
    return table, sql.strip()


def check_table_name(name: str) -> str:
    """A table name for ``--output-table``: letters, digits and underscores (at most 63,
    PostgreSQL's limit: it would shorten a longer name)."""
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name) or len(name) > 63:
        raise UsageError(
            f"--output-table {name!r}: a table name is at most 63 letters, digits and "
            "underscores, not starting with a digit"
        )
    if name.lower() in TABLE_NAMES:
        raise UsageError(
            f"--output-table {name}: graphkit reads a table of that name as input; write the "
            "result to another table"
        )
    return name


def check_not_queried(name: str, queries: Mapping[str, str]) -> None:
    """Refuse to write table ``name`` when a query reads it: the result would replace one of
    its own inputs. (A name the SQL merely mentions, as a column, counts too.)"""
    word = re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])", re.IGNORECASE)
    for table, sql in queries.items():
        if word.search(sql):
            raise UsageError(
                f"--output-table {name}: --query {table} reads {name}; write the result to "
                "another table"
            )


def check_output_not_queried(output: str | os.PathLike[str], queries: Mapping[str, str]) -> None:
    """Refuse an output file whose name a query mentions (DuckDB reads files by name): the
    output would replace one of the command's inputs."""
    name = os.fspath(output).rstrip("/").rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1]
    for table, sql in queries.items():
        if name and name in sql:
            raise InputError(
                f"is also an input of this command (--query {table} reads {name}); write the "
                "output elsewhere",
                path=os.fspath(output),
            )


def single_statement(sql: str) -> str:
    """``sql`` without a trailing ``;``, refused if it holds more than one statement (a
    ``;`` outside quotes and comments before more SQL).

    >>> single_statement("SELECT ';' AS x; -- done")
    "SELECT ';' AS x"
    """
    index, end, length = 0, None, len(sql)
    while index < length:
        char = sql[index]
        if char in "'\"`":
            close = sql.find(char, index + 1)
            index = length if close < 0 else close + 1
        elif sql.startswith("--", index):
            close = sql.find("\n", index)
            index = length if close < 0 else close + 1
        elif sql.startswith("/*", index):
            close = sql.find("*/", index + 2)
            index = length if close < 0 else close + 2
        elif char == "$" and (tag := re.match(r"\$[A-Za-z_]*\$", sql[index:])):
            close = sql.find(tag.group(), index + len(tag.group()))
            index = length if close < 0 else close + len(tag.group())
        elif char == ";":
            end = index if end is None else end
            index += 1
        else:
            if end is not None and not char.isspace():
                raise UsageError("--query takes one SQL statement (a SELECT), not several")
            index += 1
    return sql if end is None else sql[:end]


def read_tables(
    database: str | os.PathLike[str] | None,
    queries: Mapping[str, str],
    *,
    skip: Iterable[str] = (),
) -> dict[str, tuple[pa.Table, str]]:
    """Read the graphkit tables a database holds, and the queries given.

    Parameters
    ----------
    database
        A DuckDB or SQLite file, or a ``postgresql://`` (``sqlite://``, ``duckdb://``) URI;
        ``None`` runs the queries in an in-memory DuckDB (which reads Parquet and CSV files).
    queries
        Table name -> SQL whose result is that table.
    skip
        Tables given otherwise (a file option), not read from the database.

    Returns
    -------
    dict
        Table name -> (Arrow table, its name in messages: ``crm.duckdb, table follows``).

    Raises
    ------
    InputError
        When the database cannot be opened or a query fails, naming the database and query;
        when the database holds neither follows nor interactions.
    """
    if database is not None and not isinstance(database, str | os.PathLike):
        raise UsageError(f"database is a path or URI, not {type(database).__name__}")
    if not isinstance(queries, Mapping) or not all(
        table in TABLE_NAMES and isinstance(sql, str) for table, sql in queries.items()
    ):
        raise UsageError(
            "queries maps a table name (" + ", ".join(TABLE_NAMES) + ") to the SQL text "
            "that reads it, e.g. {'follows': 'SELECT src AS follower, dst AS followed FROM t'}"
        )
    shown = "DuckDB (in memory)" if database is None else database_name(database)
    connection = _connect(database, shown, write=False)
    try:
        present: dict[str, str] = {}
        for name in sorted(connection.tables()):
            other = present.setdefault(name.lower(), name)
            wanted = name.lower() in TABLE_NAMES and name.lower() not in {*queries, *skip}
            if other != name and wanted:
                raise InputError(
                    f"two tables named {name.lower()} ({other} and {name}); name one with "
                    f"--query {name.lower()}=SQL",
                    path=shown,
                )
        result: dict[str, tuple[pa.Table, str]] = {}
        for table in TABLE_NAMES:
            if table in skip:
                continue
            if table in queries:
                where = f"{shown}, query {table}"
                result[table] = (connection.query(queries[table], where), where)
            elif table in present and database is not None:
                where = f"{shown}, table {present[table]}"
                sql = f"SELECT * FROM {_quoted(present[table])}"
                result[table] = (connection.query(sql, where), where)
    finally:
        connection.close()
    edges = {"follows", "interactions"}
    if not (edges & (set(result) | set(skip))):
        found = ", ".join(sorted(present.values())) or "none"
        raise InputError(
            f"no follows or interactions table (tables: {found}); name one with --query "
            "follows=SQL or --query interactions=SQL",
            path=shown,
        )
    return result


def write_table(database: str | os.PathLike[str], name: str, table: pa.Table) -> None:
    """Replace table ``name`` of ``database`` by ``table`` in one transaction: readers see
    the old table or the new one, never a part.

    Raises
    ------
    InputError
        When the database cannot be opened or written.
    """
    check_table_name(name)
    shown = database_name(database)
    connection = _connect(database, shown, write=True)
    try:
        connection.replace(name, table, f"{shown}, table {name}")
    finally:
        connection.close()


def _connect(database: str | os.PathLike[str] | None, shown: str, *, write: bool) -> _Connection:
    kind = "duckdb" if database is None else database_kind(database)
    text = "" if database is None else os.fspath(database)
    if database is not None and (kind != "postgresql" or "://" not in text):
        path = Path(text.split("://", 1)[-1])
        if not path.is_file():
            reason = "is a folder, not a database file" if path.is_dir() else "database not found"
            raise InputError(reason, path=shown)
        check_regular_file(path)
        with path.open("rb") as handle:
            head = handle.read(16)
        if not (head.startswith(_SQLITE_MAGIC) or head[8:12] == _DUCKDB_MAGIC):
            raise InputError("not a DuckDB or SQLite database file", path=shown)
    try:
        if kind == "duckdb":
            return _DuckDB(database, shown, write=write)
        return _Adbc(kind, os.fspath(database or ""), shown, write=write)
    except ImportError:
        raise MissingDependencyError(
            f"reading {kind} databases needs the {_PACKAGES[kind]} package: "
            f"pip install {_PACKAGES[kind]}"
        ) from None


class _Connection:
    shown: str

    def tables(self) -> list[str]:
        raise NotImplementedError

    def query(self, sql: str, where: str) -> pa.Table:
        raise NotImplementedError

    def replace(self, name: str, table: pa.Table, where: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _DuckDB(_Connection):
    def __init__(self, database: str | os.PathLike[str] | None, shown: str, *, write: bool) -> None:
        import duckdb

        self.shown = shown
        self._error = duckdb.Error
        path = ":memory:" if database is None else os.fspath(database).removeprefix("duckdb://")
        try:
            self._connection = duckdb.connect(path, read_only=not write and database is not None)
        except duckdb.Error as error:
            raise InputError(
                f"cannot open the database ({_first_line(error)})", path=shown
            ) from None

    def tables(self) -> list[str]:
        rows = self._connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def query(self, sql: str, where: str) -> pa.Table:
        import duckdb

        try:
            statements = self._connection.extract_statements(sql)
            # DuckDB's SQL writes files (COPY) and attaches other databases read-write: a
            # query is one SELECT, which does neither.
            if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
                raise InputError(
                    "a query is one SELECT statement (not COPY, ATTACH, a write or several)",
                    path=where,
                )
            relation = self._connection.sql(statements[0])
            if relation is None:
                raise InputError("the query returns no rows (give a SELECT)", path=where)
            to_arrow = getattr(relation, "to_arrow_table", None) or relation.arrow
            table: pa.Table = to_arrow()
        except self._error as error:
            raise InputError(_first_line(error), path=where) from None
        return table

    def replace(self, name: str, table: pa.Table, where: str) -> None:
        try:
            self._connection.begin()
            self._connection.register("graphkit_result", table)
            self._connection.execute(
                f"CREATE OR REPLACE TABLE {_quoted(name)} AS SELECT * FROM graphkit_result"
            )
            self._connection.unregister("graphkit_result")
            self._connection.commit()
        except self._error as error:
            raise InputError(f"cannot write ({_first_line(error)})", path=where) from None

    def close(self) -> None:
        self._connection.close()


class _Adbc(_Connection):
    def __init__(self, kind: str, database: str, shown: str, *, write: bool) -> None:
        self.kind = kind
        self.shown = shown
        if kind == "sqlite":
            path = database.removeprefix("sqlite://")
            # Read only, so a query cannot change the file.
            uri = path if write else Path(path).resolve().as_uri() + "?mode=ro"
        else:
            uri = "postgresql://" + database.split("://", 1)[1]
        dbapi: Any = importlib.import_module(f"adbc_driver_{kind}.dbapi")
        self._error = dbapi.Error
        try:
            self._connection = dbapi.connect(uri)
        except dbapi.Error as error:
            raise InputError(
                f"cannot open the database ({_first_line(error)})", path=shown
            ) from None
        if kind == "postgresql" and not write:
            self._execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", shown)
            # The driver has opened a transaction already: the setting holds from the next.
            self._connection.commit()

    def _execute(self, sql: str, where: str) -> Any:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql)
        except self._error as error:
            cursor.close()
            raise InputError(_first_line(error), path=where) from None
        return cursor

    def tables(self) -> list[str]:
        if self.kind == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        else:
            sql = (
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = ANY (current_schemas(false))"
            )
        cursor = self._execute(sql, self.shown)
        try:
            return [str(name) for name in cursor.fetch_arrow_table().column(0).to_pylist()]
        finally:
            cursor.close()

    def query(self, sql: str, where: str) -> pa.Table:
        # SQLite would run the first statement and ignore the others without a word.
        try:
            sql = single_statement(sql)
        except UsageError as error:
            raise InputError(str(error), path=where) from None
        cursor = self._execute(sql, where)
        try:
            table: pa.Table = cursor.fetch_arrow_table()
        except (self._error, OSError, pa.ArrowException) as error:
            # SQLite types each value, not each column: a column of numbers and text fails.
            hint = (
                " (give the column one type: CAST(... AS TEXT))" if "mismatch" in str(error) else ""
            )
            raise InputError(_first_line(error) + hint, path=where) from None
        finally:
            cursor.close()
        return table

    def replace(self, name: str, table: pa.Table, where: str) -> None:
        staging = f"{name}__graphkit_new"
        cursor = self._connection.cursor()
        try:
            cursor.execute(f"DROP TABLE IF EXISTS {_quoted(staging)}")
            cursor.adbc_ingest(staging, _portable(table, self.kind), mode="create")
            cursor.execute(f"DROP TABLE IF EXISTS {_quoted(name)}")
            cursor.execute(f"ALTER TABLE {_quoted(staging)} RENAME TO {_quoted(name)}")
            self._connection.commit()
        except self._error as error:
            self._connection.rollback()
            raise InputError(f"cannot write ({_first_line(error)})", path=where) from None
        finally:
            cursor.close()

    def close(self) -> None:
        self._connection.close()


def _portable(table: pa.Table, kind: str) -> pa.Table:
    """``table`` in types the ADBC driver writes: categories as text, unsigned integers as
    signed 64-bit, string views as strings, lists joined by ``;`` (SQLite has no lists)."""
    columns = []
    for column in table.columns:
        kind_of = column.type
        if pa.types.is_dictionary(kind_of):
            column = column.cast(kind_of.value_type)
            kind_of = column.type
        if pa.types.is_string_view(kind_of) or pa.types.is_large_string(kind_of):
            column = column.cast(pa.string())
        elif pa.types.is_unsigned_integer(kind_of):
            column = column.cast(pa.int64())
        elif (pa.types.is_list(kind_of) or pa.types.is_large_list(kind_of)) and kind == "sqlite":
            column = _joined_text(column)
        elif pa.types.is_list_view(kind_of) or pa.types.is_large_list_view(kind_of):
            column = column.cast(pa.list_(kind_of.value_type))
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _joined_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A list column as text joined by ``;``, as CSV outputs write it."""
    import polars as pl

    series = pl.Series(column).list.eval(pl.element().cast(pl.String)).list.join(";")
    return pa.chunked_array([series.to_arrow().cast(pa.string())])


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
