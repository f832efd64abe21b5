"""The engine contract, run on every engine: same inputs, same results; same bad input, same
error line.

Each test is parametrized over ``local`` and ``spark``; the Spark cases skip where pyspark or
Java is missing and share one session (the ``spark`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.analysis import COMMUNITY_COLUMNS, RANK_COLUMNS
from graphkit.cli.main import cli
from graphkit.engines.contract import LocalEngine
from graphkit.errors import GraphkitError
from graphkit.graph import Weighting, parse_duration
from tests.cli.test_bad_input import CORPUS

ENGINES = ["local", "spark"]
TOLERANCE = 1e-9


def _spark_available() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "the Spark engine needs pip install -e '.[spark]'"
    if shutil.which("java") is None:
        return "the Spark engine needs Java (a JDK 17 on PATH)"
    return None


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    if request.param == "spark":
        reason = _spark_available()
        if reason is not None:
            pytest.skip(reason)
        request.getfixturevalue("spark")
    return str(request.param)


@pytest.fixture
def engine(engine_name: str, request: pytest.FixtureRequest) -> Any:
    if engine_name == "local":
        return LocalEngine()
    from graphkit.engines.spark import SparkEngine

    return SparkEngine(request.getfixturevalue("spark"))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Accounts, weighted follows, typed and timed interactions, identities: tiny CSV files."""
    folder = tmp_path_factory.mktemp("contract")
    (folder / "accounts.csv").write_text(
        "id,handle,kind,organization,title,topics\n"
        "a,@a,person,acme,CTO,cloud;ai\n"
        "b,@b,person,acme,Engineer,cloud\n"
        "c,@c,brand,,,ai\n"
        "d,@d,person,beta,CIO,data\n"
        "e,@e,person,beta,Analyst,\n"
        "f,@f,person,,CTO,cloud\n"
    )
    (folder / "follows.csv").write_text(
        "follower,followed,weight\n"
        "a,b,\nb,c,2\nc,a,\nd,a,\ne,a,1\nf,d,\nd,e,\ne,d,\nb,a,\na,a,\ng,c,\nh,g,\n"
    )
    (folder / "interactions.csv").write_text(
        "source,target,type,timestamp\n"
        "a,c,repost,2025-03-01T10:00:00Z\n"
        "b,c,like,2025-03-02T10:00:00Z\n"
        "d,f,reply,1740787200\n"
        "e,b,mention,2025-02-01\n"
        "f,a,quote,2025-03-03 12:00:00\n"
        "c,d,comment,\n"
    )
    (folder / "identities.csv").write_text("account,person\nh,g\n")
    return folder


def _ranking(engine: Any, folder: Path, **options: Any) -> pl.DataFrame:
    weighting = Weighting(half_life=parse_duration("30d"))
    graph = engine.build_graph(engine.read(folder), weighting)
    # Damping 0.5 converges in a few dozen iterations: each is a Spark job.
    audience = options.pop("audience", ())
    scores = engine.pagerank(graph, damping=0.5, tolerance=1e-12, audience=audience)
    return engine.to_polars(engine.rank_table(graph, scores, **options))


@pytest.fixture(scope="module")
def local_ranking(small: Path) -> pl.DataFrame:
    return _ranking(LocalEngine(), small)


def _same_table(ours: pl.DataFrame, theirs: pl.DataFrame) -> None:
    assert ours.columns == theirs.columns
    assert ours["id"].to_list() == theirs["id"].to_list()
    difference = (ours["pagerank"] - theirs["pagerank"]).abs().max()
    assert isinstance(difference, float)
    assert difference < TOLERANCE
    for name in ("rank", "followers", "interactions_received", "handle", "kind", "title"):
        assert ours[name].to_list() == theirs[name].to_list(), name
    assert (ours["score"] - theirs["score"]).abs().max() <= 0.01 + 1e-9  # rounded to 2 places


def test_rank_table_is_the_same(engine: Any, small: Path, local_ranking: pl.DataFrame) -> None:
    table = _ranking(engine, small)
    assert table.columns[: len(RANK_COLUMNS)] == list(RANK_COLUMNS)
    assert table.height == 7  # a to g: h is merged into g
    _same_table(table, local_ranking)


def test_personalized_rank_table_by_kind_and_top_is_the_same(engine: Any, small: Path) -> None:
    options = {"audience": ("title~^C.O$", "id=e"), "kind": "person", "top": 3}
    _same_table(_ranking(engine, small, **options), _ranking(LocalEngine(), small, **options))


def test_community_table_has_the_same_columns_and_accounts(engine: Any, small: Path) -> None:
    graph = engine.build_graph(engine.read(small))
    partition = engine.communities(graph, seed=0)
    scores = engine.pagerank(graph, damping=0.5)
    table = engine.to_polars(engine.community_table(graph, partition, scores))
    assert table.columns == list(COMMUNITY_COLUMNS)
    assert sorted(table["id"].to_list()) == ["a", "b", "c", "d", "e", "f", "g"]
    for _, group in table.group_by("community"):
        assert group["community_size"].unique().to_list() == [group.height]
        assert sorted(group["community_rank"].to_list()) == list(range(1, group.height + 1))


BAD_SETTINGS = [
    pytest.param({"damping": 1.0}, "damping must be in [0, 1), got 1.0", id="damping"),
    pytest.param(
        {"tolerance": 0.0}, "tolerance must be a positive finite number, got 0.0", id="tolerance"
    ),
    pytest.param({"max_iter": 0}, "max-iter must be at least 1, got 0", id="max-iter"),
    pytest.param(
        {"max_iter": 2},
        "PageRank did not converge in 2 iterations",
        id="no-convergence",
    ),
    pytest.param(
        {"audience": ("nosuchfile",)},
        "bad audience 'nosuchfile': expected a file of ids, FIELD=VALUE or FIELD~REGEX",
        id="bad-selector",
    ),
    pytest.param(
        {"audience": ("title=CTO&oops",)},
        "bad audience clause 'oops': expected FIELD=VALUE or FIELD~REGEX",
        id="bad-clause",
    ),
    pytest.param(
        {"audience": ("region=eu",)},
        "unknown audience field 'region'; the accounts table has: id, handle, kind, "
        "organization, title, topics",
        id="unknown-field",
    ),
    pytest.param(
        {"audience": ("title~(",)},
        "bad regular expression '(': missing ), unterminated subpattern at position 0",
        id="bad-regex",
    ),
    pytest.param(
        {"audience": ("id=nobody",)},
        "audience 'id=nobody' selects no account in the graph",
        id="selects-nothing",
    ),
    pytest.param({"kind": "robot"}, "kind must be person or brand, got 'robot'", id="kind"),
]


@pytest.mark.parametrize(("settings", "message"), BAD_SETTINGS)
def test_bad_settings_give_the_same_message(
    engine: Any, small: Path, settings: dict[str, Any], message: str
) -> None:
    graph = engine.build_graph(engine.read(small))
    settings = dict(settings)
    kind = settings.pop("kind", None)

    def rank() -> None:
        scores = engine.pagerank(graph, **settings)
        engine.to_polars(engine.rank_table(graph, scores, kind=kind))

    with pytest.raises(GraphkitError) as error:
        rank()
    assert str(error.value).startswith(message)


# Bad-input cases of tests/cli/test_bad_input.py that run on both engines: every corpus case
# that reads tables (platform exports and config files are read before any engine runs).
# Cases left out, and why:
LOCAL_ONLY = {
    # Spark reads a folder given as a table as a folder of part files, by design.
    "folder-given-as-file": "Spark reads folders of part files",
    # Spark's JSON reader infers its own schema (arrays, nested objects, mixed types, numbers
    # beyond 64 bits become rows or text instead of errors) and its Parquet reader decodes
    # structs and invalid UTF-8 without failing: these need Spark-side checks of their own.
    "ndjson-array": "Spark's JSON schema inference",
    "ndjson-empty": "Spark's JSON schema inference",
    "ndjson-mixed-types": "Spark's JSON schema inference",
    "json-document-not-a-table": "Spark's JSON schema inference",
    "ndjson-nested-id": "Spark's JSON schema inference",
    "ndjson-integer-id-beyond-64-bits": "Spark's JSON schema inference",
    "parquet-struct-id": "Spark casts a struct id to text",
    "parquet-invalid-utf8": "Spark's Parquet reader replaces invalid UTF-8",
}
SHARED_CASES = [
    case
    for case in CORPUS
    if not any(option in ("--export", "--config") for option in case.values[0])
    and case.id not in LOCAL_ONLY
]


@pytest.mark.parametrize(("options", "expected_line"), SHARED_CASES)
def test_bad_input_gives_the_same_error_line(
    engine_name: str, options: list[str], expected_line: str
) -> None:
    result = CliRunner().invoke(
        cli, ["rank", *options, "--engine", engine_name], prog_name="graphkit"
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == expected_line


def test_at_least_thirty_bad_inputs_run_on_both_engines() -> None:
    assert len(SHARED_CASES) >= 30


@pytest.mark.slow
def test_doubled_quotes_read_alike_on_both_engines(spark, tmp_path):
    follows = tmp_path / "quoted.csv"
    follows.write_text('follower,followed\n"x""y",z\nz,"x""y"\n', encoding="utf-8")
    lines = []
    for engine in ("local", "spark"):
        result = CliRunner().invoke(
            cli, ["rank", str(follows), "--format", "csv", "-q", "--engine", engine]
        )
        assert result.exit_code == 0, result.output
        lines.append(pl.read_csv(result.stdout.encode())["id"].sort().to_list())
    assert lines[0] == lines[1] == ['x"y', "z"]
