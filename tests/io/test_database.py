"""``--database`` and ``--query``: tables read from DuckDB, SQLite and PostgreSQL as Arrow
tables, validated like files; ``--output-table`` writes the result back in one transaction."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from click.testing import CliRunner, Result
from polars.testing import assert_frame_equal

import graphkit
from graphkit.app import Sources
from graphkit.cli.main import cli
from graphkit.errors import InputError, SchemaError, UsageError
from graphkit.io.database import database_kind, read_tables, write_table

duckdb = pytest.importorskip("duckdb")

FOLLOWS = pl.DataFrame(
    {
        "src": ["a", "b", "c", "d", "e", "a", "c"],
        "dst": ["b", "c", "a", "a", "a", "c", "e"],
        "platform": ["x", "x", "x", "y", "x", "y", "x"],
    }
)
ACCOUNTS = pl.DataFrame({"id": ["a", "b"], "name": ["Ann Å", "Bo"], "kind": ["person", "brand"]})
EDGES_SQL = "SELECT src AS follower, dst AS followed FROM edges WHERE platform = 'x'"


def run(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args, prog_name="graphkit", catch_exceptions=False)


def expected_rank() -> pl.DataFrame:
    """The ranking of the same tables given in memory."""
    follows = FOLLOWS.filter(pl.col("platform") == "x").select(follower="src", followed="dst")
    return graphkit.rank(follows=follows, accounts=ACCOUNTS)


def duckdb_file(tmp_path: Path) -> Path:
    path = tmp_path / "crm.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.register("edges_frame", FOLLOWS.to_arrow())
        connection.register("accounts_frame", ACCOUNTS.to_arrow())
        connection.execute("CREATE TABLE edges AS SELECT * FROM edges_frame")
        connection.execute("CREATE TABLE Accounts AS SELECT * FROM accounts_frame")
    return path


def sqlite_file(tmp_path: Path) -> Path:
    dbapi = pytest.importorskip("adbc_driver_sqlite.dbapi")
    path = tmp_path / "crm data.sqlite"
    with dbapi.connect(str(path)) as connection, connection.cursor() as cursor:
        cursor.adbc_ingest("edges", FOLLOWS.to_arrow())
        cursor.adbc_ingest("accounts", ACCOUNTS.to_arrow())
        connection.commit()
    return path


def query_table(database: str | Path, sql: str) -> pl.DataFrame:
    kind = database_kind(database)
    if kind == "duckdb":
        with duckdb.connect(str(database), read_only=True) as connection:
            return pl.from_arrow(connection.sql(sql).to_arrow_table())  # type: ignore[return-value]
    module = pytest.importorskip(f"adbc_driver_{kind}.dbapi")
    with module.connect(str(database)) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return pl.from_arrow(cursor.fetch_arrow_table())  # type: ignore[return-value]


@pytest.fixture(params=["duckdb", "sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same tables in each kind of database (PostgreSQL where a server runs)."""
    if request.param == "duckdb":
        return str(duckdb_file(tmp_path))
    if request.param == "sqlite":
        return str(sqlite_file(tmp_path))
    uri: str = request.getfixturevalue("postgres_uri")
    dbapi = pytest.importorskip("adbc_driver_postgresql.dbapi")
    with dbapi.connect(uri) as connection, connection.cursor() as cursor:
        cursor.adbc_ingest("edges", FOLLOWS.to_arrow())
        cursor.adbc_ingest("accounts", ACCOUNTS.to_arrow())
        connection.commit()
    return uri


def test_query_and_table_rank_as_the_same_tables_in_memory(database: str) -> None:
    ranked = graphkit.rank(Sources(database=database, queries={"follows": EDGES_SQL}))
    assert_frame_equal(ranked, expected_rank())
    assert ranked.filter(pl.col("id") == "a")["name"].to_list() == ["Ann Å"]


def test_output_table_replaces_the_table_in_one_go(database: str, tmp_path: Path) -> None:
    csv = tmp_path / "ranking.csv"
    args = ["rank", "--database", database, "--query", f"follows={EDGES_SQL}", "-q"]
    result = run([*args, "--output-table", "ranking", "-o", str(csv)])
    assert result.exit_code == 0, result.output
    written = query_table(database, "SELECT * FROM ranking ORDER BY rank")
    from_file = pl.read_csv(csv)
    assert written["id"].to_list() == from_file["id"].to_list()
    assert written["pagerank"].to_list() == pytest.approx(from_file["pagerank"].to_list())
    # Run again with fewer rows: the table is replaced, not appended to.
    again = run([*args, "--top", "2", "--output-table", "ranking"])
    assert again.exit_code == 0, again.output
    top_two = expected_rank()["id"].head(2).to_list()
    assert query_table(database, "SELECT id FROM ranking ORDER BY rank")["id"].to_list() == top_two
    assert "graphkit_new" not in " ".join(
        query_table(database, _table_names_sql(database))[:, 0].to_list()
    )


def _table_names_sql(database: str) -> str:
    if database_kind(database) == "sqlite":
        return "SELECT name FROM sqlite_master"
    return "SELECT table_name FROM information_schema.tables"


def test_missing_column_names_database_and_query(database: str) -> None:
    bad = "SELECT src AS follower FROM edges"
    with pytest.raises(SchemaError) as caught:
        graphkit.rank(Sources(database=database, queries={"follows": bad}))
    shown = database if "://" not in database else database.split("?")[0]
    assert str(caught.value).startswith(f"{shown}, query follows: missing required column")
    assert "'followed'" in str(caught.value)


def test_missing_table_names_database_and_query(database: str) -> None:
    with pytest.raises(InputError) as caught:
        graphkit.rank(Sources(database=database, queries={"follows": "SELECT * FROM nowhere"}))
    assert ", query follows: " in str(caught.value)
    assert "nowhere" in str(caught.value).lower()
    assert "\n" not in str(caught.value)


def test_a_database_without_edge_tables_lists_its_tables(database: str) -> None:
    with pytest.raises(InputError, match=r"no follows or interactions table \(tables: "):
        graphkit.rank(Sources(database=database))


def test_bad_value_names_database_table_and_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE follows (follower VARCHAR, followed VARCHAR)")
        connection.execute("INSERT INTO follows VALUES ('a', 'b'), ('b', '  '), ('c', 'a')")
    result = run(["rank", "--database", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {path}, table follows, row 2, column 'followed': empty account id"
    )


def test_tables_are_found_whatever_their_case_and_files_take_precedence(
    tmp_path: Path,
) -> None:
    path = duckdb_file(tmp_path)
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "CREATE TABLE FOLLOWS AS SELECT src AS follower, dst AS followed FROM edges"
        )
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\nb,a\n")
    from_file = graphkit.rank(Sources(database=str(path), follows=str(follows)))
    assert from_file["id"].to_list() == ["a", "b"]  # accounts still from the database
    assert from_file["name"].to_list() == ["Ann Å", "Bo"]
    tables = read_tables(str(path), {})
    assert set(tables) == {"follows", "accounts"}
    assert tables["accounts"][1] == f"{path}, table Accounts"


def test_duckdb_queries_read_parquet_globs_without_a_database(tmp_path: Path) -> None:
    parts = FOLLOWS.filter(pl.col("platform") == "x").select(follower="src", followed="dst")
    parts.head(2).write_parquet(tmp_path / "part-1.parquet")
    parts.tail(-2).write_parquet(tmp_path / "part-2.parquet")
    sql = f"SELECT * FROM '{tmp_path}/part-*.parquet'"
    result = run(["rank", "--query", f"follows={sql}", "--accounts", str(tmp_path / "a.csv")])
    assert result.exit_code == 1  # the accounts file does not exist
    ACCOUNTS.write_csv(tmp_path / "a.csv")
    ranked = graphkit.rank(Sources(queries={"follows": sql}, accounts=str(tmp_path / "a.csv")))
    assert_frame_equal(ranked, expected_rank())


def test_queries_cannot_change_the_database(tmp_path: Path) -> None:
    path = duckdb_file(tmp_path)
    with pytest.raises(InputError, match="one SELECT statement"):
        graphkit.rank(Sources(database=str(path), queries={"follows": "DROP TABLE edges"}))
    sqlite = sqlite_file(tmp_path)
    with pytest.raises(InputError, match=r"readonly|read-only|read only"):
        graphkit.rank(Sources(database=str(sqlite), queries={"follows": "DROP TABLE edges"}))
    assert query_table(sqlite, "SELECT count(*) AS n FROM edges")["n"].item() == FOLLOWS.height


def test_missing_database_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    result = run(["rank", "--database", str(missing)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {missing}: database not found"
    assert not missing.exists()
    not_a_database = tmp_path / "follows.csv"
    not_a_database.write_text("follower,followed\na,b\n")
    result = run(["rank", "--database", str(not_a_database)])
    assert result.output.strip() == f"Error: {not_a_database}: not a DuckDB or SQLite database file"


def test_options_that_do_not_go_together(tmp_path: Path) -> None:
    path = str(duckdb_file(tmp_path))
    cases = {
        ("rank", "--demo", "--database", path): "give INPUT (or --demo) or --database",
        (
            "rank",
            "--demo",
            "--output-table",
            "ranking",
        ): "--output-table writes into the --database",
        ("rank", "--database", path, "--output-table", "follows"): "reads a table of that",
        ("rank", "--database", path, "--output-table", "a-b"): "letters, digits",
        ("rank", "--query", "edges=SELECT 1"): "TABLE one of follows",
        ("rank", "--query", "follows="): "has no SQL",
    }
    for args, message in cases.items():
        result = run(list(args))
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)


def test_a_failed_replace_keeps_the_old_table(tmp_path: Path) -> None:
    sqlite = sqlite_file(tmp_path)
    dbapi = pytest.importorskip("adbc_driver_sqlite.dbapi")
    with dbapi.connect(str(sqlite)) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE VIEW board AS SELECT src FROM edges")
        connection.commit()
    table = pa.table({"id": ["a"], "score": [1.0]})
    with pytest.raises(InputError, match=r"crm data.sqlite, table board: cannot write"):
        write_table(str(sqlite), "board", table)  # a view is no table to drop
    assert query_table(sqlite, "SELECT count(*) AS n FROM board")["n"].item() == FOLLOWS.height
    names = query_table(sqlite, "SELECT name FROM sqlite_master")["name"].to_list()
    assert not [name for name in names if "graphkit" in name]


def test_sqlite_output_takes_lists_and_categories(tmp_path: Path) -> None:
    sqlite = sqlite_file(tmp_path)
    frame = pl.DataFrame(
        {
            "id": pl.Series(["a", "b"], dtype=pl.Categorical),
            "topics": [["cloud", "ai"], None],
            "count": pl.Series([1, 2], dtype=pl.UInt32),
        }
    )
    write_table(str(sqlite), "topics", frame.to_arrow())
    assert query_table(sqlite, "SELECT * FROM topics").to_dicts() == [
        {"id": "a", "topics": "cloud;ai", "count": 1},
        {"id": "b", "topics": None, "count": 2},
    ]


def test_usage_errors_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        graphkit.rank(Sources(data="x.csv", database="y.duckdb"))


# --- regressions found in review -------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 'a' AS follower, 'b' AS followed) TO '{written}'",
        "ATTACH '{other}' AS o; DROP TABLE o.keep; SELECT 'a' AS follower, 'b' AS followed",
        "SELECT 1; SELECT src AS follower, dst AS followed FROM edges",
    ],
    ids=["copy", "attach", "two-statements"],
)
@pytest.mark.parametrize("on_file", [True, False], ids=["database", "in-memory"])
def test_a_duckdb_query_is_one_select(tmp_path: Path, sql: str, on_file: bool) -> None:
    """DuckDB's SQL writes files and attaches other databases read-write: refused."""
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as connection:
        connection.execute("CREATE TABLE keep AS SELECT 1 AS x")
    written = tmp_path / "written.csv"
    database = str(duckdb_file(tmp_path)) if on_file else None
    sql = sql.format(written=written, other=other)
    with pytest.raises(InputError, match="a query is one SELECT statement"):
        graphkit.rank(Sources(database=database, queries={"follows": sql}))
    assert not written.exists()
    assert query_table(other, "SELECT count(*) AS n FROM keep")["n"].item() == 1


def test_a_sqlite_query_of_two_statements_is_refused(tmp_path: Path) -> None:
    """SQLite would run the first statement and drop the second without a word."""
    sqlite = str(sqlite_file(tmp_path))
    two = "SELECT src AS follower, dst AS followed FROM edges; SELECT 'x', 'y'"
    with pytest.raises(InputError, match="one SQL statement"):
        graphkit.rank(Sources(database=sqlite, queries={"follows": two}))
    # A ; in a string or a comment, or a last one, is no second statement.
    one = "SELECT src AS follower, dst AS followed FROM edges WHERE platform <> ';' /* ; */;  "
    assert_frame_equal(
        graphkit.rank(Sources(database=sqlite, queries={"follows": one})),
        graphkit.rank(
            follows=FOLLOWS.filter(pl.col("platform") != ";").select(
                follower="src", followed="dst"
            ),
            accounts=ACCOUNTS,
        ),
    )


def test_a_postgresql_query_cannot_write(postgres_uri: str) -> None:
    dbapi = pytest.importorskip("adbc_driver_postgresql.dbapi")
    with dbapi.connect(postgres_uri) as connection, connection.cursor() as cursor:
        cursor.adbc_ingest("edges", FOLLOWS.to_arrow())
        connection.commit()
    sql = "WITH gone AS (DELETE FROM edges RETURNING src AS follower, dst AS followed) "
    with pytest.raises(InputError, match="read-only transaction"):
        graphkit.rank(
            Sources(database=postgres_uri, queries={"follows": sql + "SELECT * FROM gone"})
        )
    assert query_table(postgres_uri, "SELECT count(*) AS n FROM edges")["n"].item() == 7


def test_output_table_never_replaces_a_table_a_query_reads(tmp_path: Path) -> None:
    path = str(duckdb_file(tmp_path))
    result = run(
        ["rank", "--database", path, "--query", f"follows={EDGES_SQL}", "--output-table", "EDGES"]
    )
    assert result.exit_code == 2, result.output
    assert "--output-table EDGES: --query follows reads EDGES" in result.output
    assert query_table(path, "SELECT count(*) AS n FROM edges")["n"].item() == FOLLOWS.height


@pytest.mark.parametrize("name", ["ranking\n", "r" * 64])
def test_output_table_names_are_kept_exactly(tmp_path: Path, name: str) -> None:
    """A name with a newline, or one PostgreSQL would shorten, is refused."""
    result = run(["rank", "--database", str(duckdb_file(tmp_path)), "--output-table", name])
    assert result.exit_code == 2, result.output
    assert "at most 63 letters, digits and underscores" in result.output


@pytest.mark.parametrize(
    "sources",
    [
        Sources(database=123),  # type: ignore[arg-type]
        Sources(queries="follows=SELECT 1"),  # type: ignore[arg-type]
        Sources(queries={"edges": "SELECT 1"}),
        Sources(queries={"follows": 5}),  # type: ignore[dict-item]
    ],
    ids=["database-int", "queries-text", "queries-unknown-table", "query-not-text"],
)
def test_python_api_wrong_types_are_usage_errors(sources: Sources) -> None:
    with pytest.raises(UsageError):
        graphkit.rank(sources)


def test_a_sqlite_column_of_numbers_and_text_is_one_line(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "mixed.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE follows (follower, followed)")
        connection.executemany(
            "INSERT INTO follows VALUES (?, ?)", [*((i, i + 1) for i in range(3000)), ("a", 1)]
        )
    result = run(["rank", "--database", str(path)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: {path}, table follows: ")
    assert result.output.strip().endswith("(give the column one type: CAST(... AS TEXT))")


def test_two_tables_of_one_name_in_two_cases_are_refused(postgres_uri: str) -> None:
    """PostgreSQL tells "Follows" from follows: which one to read would depend on the order
    the database lists them."""
    dbapi = pytest.importorskip("adbc_driver_postgresql.dbapi")
    with dbapi.connect(postgres_uri) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE follows AS SELECT 'a' AS follower, 'b' AS followed")
        cursor.execute("CREATE TABLE \"Follows\" AS SELECT 'b' AS follower, 'a' AS followed")
        connection.commit()
    with pytest.raises(InputError, match=r"two tables named follows \(Follows and follows\)"):
        graphkit.rank(Sources(database=postgres_uri))
    sql = 'SELECT * FROM "Follows"'
    ranked = graphkit.rank(Sources(database=postgres_uri, queries={"follows": sql}))
    assert ranked["id"].to_list() == ["a", "b"]


def test_output_never_replaces_a_file_a_query_reads(tmp_path: Path) -> None:
    source = tmp_path / "edges.csv"
    FOLLOWS.select(follower="src", followed="dst").write_csv(source)
    before = source.read_bytes()
    result = run(["rank", "--query", f"follows=SELECT * FROM '{source}'", "-o", str(source)])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == (
        f"Error: {source}: is also an input of this command (--query follows reads "
        "edges.csv); write the output elsewhere"
    )
    assert source.read_bytes() == before
