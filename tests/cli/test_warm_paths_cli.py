"""``graphkit paths --from-org ORG --to TARGETS`` (cli/explain.py) end to end on the demo."""

from __future__ import annotations

import gzip
import io

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.app.warm_paths import WARM_PATH_COLUMNS
from graphkit.cli.main import cli
from graphkit.data.locate import demo_folder


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv(text: str) -> pl.DataFrame:
    return pl.read_csv(
        io.StringIO(text),
        schema_overrides={"target": pl.String, "colleague": pl.String, "path": pl.String},
    )


@pytest.fixture(scope="module")
def demo_accounts() -> pl.DataFrame:
    return pl.read_csv(demo_folder() / "accounts.csv", infer_schema_length=0)


def test_warm_paths_on_the_demo(demo_accounts):
    result = _run("paths", "--demo", "--from-org", "b001", "--to", "title~CTO")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(WARM_PATH_COLUMNS)
    people = set(
        demo_accounts.filter(
            (pl.col("organization") == "b001") & (pl.col("kind") != "brand")
        ).get_column("id")
    )
    ctos = set(demo_accounts.filter(pl.col("title") == "CTO").get_column("id"))
    assert set(table["target"]) == ctos - people - {"b001"}
    assert table.group_by("target").len()["len"].max() <= 3
    paths = table.drop_nulls("path_rank")
    assert set(paths["colleague"]) <= people
    for row in paths.iter_rows(named=True):
        accounts = row["path"].split(" > ")
        assert accounts[0] == row["target"]
        assert accounts[-1] == row["colleague"]
        assert len(accounts) == row["hops"] + 1 == len(set(accounts))
        assert people.isdisjoint(accounts[1:-1])  # the first colleague reached ends the path
        assert 0 < row["strength"] <= 1
    strongest = paths.filter(pl.col("path_rank") == 1)["strength"].to_list()
    assert strongest == sorted(strongest, reverse=True)  # warmest targets first
    notes = " ".join(result.stderr.split())
    assert "Left out 1 target that belongs to b001" in notes
    reached = paths["target"].n_unique()
    assert f"{reached} of {table['target'].n_unique()} targets have a warm path" in notes


def test_organization_by_name_and_options(tmp_path):
    by_id = _run("paths", "--demo", "--from-org", "b001", "--to", "title~CTO", "-q")
    by_name = _run("paths", "--demo", "--from-org", "Northwind Cloud", "--to", "title~CTO", "-q")
    assert by_name.stdout == by_id.stdout  # and the same bytes on every run
    targets = tmp_path / "buyers.txt"
    targets.write_text("u0855\nu2360\n")
    output = tmp_path / "warm.parquet"
    result = _run(
        "paths", "--demo", "--from-org", "b001", "--to", str(targets),
        "--per-target", "5", "--max-hops", "2", "-o", str(output), "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(output)
    assert set(table["target"]) == {"u0855", "u2360"}
    assert table["hops"].max() <= 2
    assert table.group_by("target").len()["len"].max() == 5


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["--from-org", "nobody", "--to", "title~CTO"], 1,
         "Error: unknown organization 'nobody': no brand account has that id, name or handle "
         "and no account names it as its organization"),
        (["--from-org", "b001", "--to", "title~Astronaut"], 1,
         "Error: audience 'title~Astronaut' selects no account in the graph"),
        (["--from-org", "b001", "--to", "id=u2044"], 1,
         "Error: every target belongs to the organization 'b001'"),
        (["--from-org", "b001"], 2, "Error: Missing option '--to'."),
        (["--from", "u0855", "--from-org", "b001", "--to", "b001"], 2,
         "Error: give one of --from ID and --from-org ORG"),
        (["--to", "b001"], 2, "Error: give one of --from ID and --from-org ORG"),
        (["--from", "u0855", "--to", "b001", "--per-target", "2"], 2,
         "Error: --per-target and --max-hops go with --from-org"),
        (["--from-org", "b001", "--to", "title~CTO", "-k", "2"], 2,
         "Error: -k goes with --from; with --from-org use --per-target"),
        (["--from-org", "b001", "--to", "title~CTO", "--max-hops", "4"], 2,
         "Error: Invalid value for '--max-hops': 4 is not in the range 1<=x<=3."),
        (["--from", "u0855", "--to", "b001", "--to", "b002"], 2,
         "Error: --from takes one --to ID; several go with --from-org"),
    ],
)  # fmt: skip
def test_errors(args, exit_code, message):
    result = _run("paths", "--demo", *args, "-q")
    assert result.exit_code == exit_code
    assert result.stderr.strip().splitlines()[-1] == message
    assert result.stdout == ""


def test_an_empty_targets_file(tmp_path):
    empty = tmp_path / "nobody.txt"
    empty.write_text("# no one yet\n")
    result = _run("paths", "--demo", "--from-org", "b001", "--to", str(empty), "-q")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: audience {str(empty)!r} selects no account in the graph"
    )


def test_single_pair_mode_keeps_its_default():
    result = _run("paths", "--demo", "--from", "u0855", "--to", "b001", "-q")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(io.StringIO(result.stdout)).height == 5


def test_help_shows_warm_paths():
    result = _run("paths", "--help")
    assert "graphkit paths --demo --from-org b001 --to 'title~CTO'" in result.output
    assert "--per-target" in result.output


def test_data_without_organizations(tmp_path):
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\na,b\nb,c\n")
    result = _run("paths", "--follows", str(follows), "--from-org", "x", "--to", "id=a", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: warm paths need an accounts table with an organization column "
        "(give --accounts FILE)"
    )


# Hostile and careless input (review of the first version).


def test_a_selector_of_thousands_of_ids():
    # Too long to be a file name: once an OSError ("File name too long") and a traceback.
    selector = "id=" + ",".join([f"nobody{number}" for number in range(2000)] + ["u0855"])
    result = _run("paths", "--demo", "--from-org", "b001", "--to", selector, "-q")
    assert result.exit_code == 0, result.output[-500:]
    assert set(_csv(result.stdout)["target"]) == {"u0855"}


def test_a_person_given_as_the_organization():
    result = _run("paths", "--demo", "--from-org", "u2044", "--to", "title~CTO", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: unknown organization 'u2044': no brand account has that id, name or handle and "
        "no account names it as its organization ('u2044' is an account of the organization "
        "'b001': give that)"
    )
    assert result.stdout == ""


def test_the_output_never_replaces_the_targets_file(tmp_path):
    targets = tmp_path / "buyers.txt"
    targets.write_text("u0855\nu2360\n")
    result = _run(
        "paths", "--demo", "--from-org", "b001", "--to", "id=u0855", "--to", str(targets),
        "-o", str(targets), "-q",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {targets}: is also an input of this command; write the output elsewhere"
    )
    assert targets.read_text() == "u0855\nu2360\n"


def test_a_gzipped_targets_file(tmp_path):
    targets = tmp_path / "buyers.txt.gz"
    targets.write_bytes(gzip.compress(b"u0855\nu2360\n"))
    result = _run("paths", "--demo", "--from-org", "b001", "--to", str(targets), "-q")
    assert result.exit_code == 0, result.output
    assert set(_csv(result.stdout)["target"]) == {"u0855", "u2360"}


def test_every_account_as_a_target_on_one_and_two_threads():
    outputs = [
        _run(
            "paths", "--demo", "--from-org", "b001", "--to", "id~.", "--per-target", "20",
            "--threads", threads, "-q",
        ).stdout
        for threads in ("1", "2", "2")
    ]  # fmt: skip
    assert outputs[0] == outputs[1] == outputs[2]
    table = _csv(outputs[0])
    assert table["strength"].drop_nulls().is_finite().all()
    assert table.drop_nulls("path_rank")["target"].n_unique() > 1000


def test_repeated_targets_add_up():
    # click keeps only the last value of an option given twice unless it is multiple: the
    # first --to was once dropped without a word.
    result = _run(
        "paths", "--demo", "--from-org", "b001", "--to", "id=u0855", "--to", "id=u2360", "-q"
    )
    assert result.exit_code == 0, result.output
    assert set(_csv(result.stdout)["target"]) == {"u0855", "u2360"}
