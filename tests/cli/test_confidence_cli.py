"""``graphkit rank --confidence``, ``--certify`` and ``--previous`` on the demo."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.cli.main import cli
from graphkit.export.manifest import sha256_file


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="graphkit", catch_exceptions=False)


@pytest.mark.slow
def test_confidence_adds_intervals_and_is_seeded(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (first, second):
        result = _run("rank", "--demo", "--confidence", "20", "--seed", "3", "--top", "30",
                      "-o", str(out), "-q")  # fmt: skip
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    table = pl.read_csv(first, schema_overrides={"id": pl.String})
    for name in ("rank_low", "rank_high", "score_low", "score_high", "order_certain"):
        assert name in table.columns
    assert (table["rank_low"] <= table["rank"]).all()
    assert (table["rank"] <= table["rank_high"]).all()
    assert (table["score_low"] <= table["score"]).all()
    assert (table["score"] <= table["score_high"]).all()
    assert (table["pagerank_low"] <= table["pagerank"]).all()
    assert table["rank_high"].max() > table["rank"].max()  # the demo is noisy further down
    other = tmp_path / "c.csv"
    assert _run("rank", "--demo", "--confidence", "20", "--seed", "4", "--top", "30",
                "-o", str(other), "-q").exit_code == 0  # fmt: skip
    assert other.read_bytes() != first.read_bytes()


def test_previous_gives_the_same_ranking_and_is_in_the_manifest(tmp_path):
    earlier = tmp_path / "earlier.parquet"
    assert _run("rank", "--demo", "--top", "0", "-o", str(earlier), "-q").exit_code == 0
    cold = pl.read_parquet(earlier)
    now = tmp_path / "now.csv"
    result = _run("rank", "--demo", "--top", "0", "--previous", str(earlier), "--manifest",
                  "-o", str(now), "-v")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Warm start: 3,000 of 3,000 accounts" in result.output
    assert "Certified order: the first" in result.output
    warm = pl.read_csv(now, schema_overrides={"id": pl.String})
    assert warm["id"].to_list() == cold["id"].to_list()
    assert np.abs(warm["pagerank"].to_numpy() - cold["pagerank"].to_numpy()).sum() <= 1e-9
    manifest = json.loads((tmp_path / "now.csv.manifest.json").read_text())
    previous = [entry for entry in manifest["inputs"] if entry["table"] == "previous"]
    assert previous[0]["sha256"] == sha256_file(earlier)
    assert manifest["ranking"]["iterations"] == 1
    assert manifest["ranking"]["certified_prefix"] > 100
    assert manifest["ranking"]["previous"] == str(earlier)


def test_certify_adds_the_column_only_when_asked(tmp_path):
    out = tmp_path / "out.csv"
    assert _run("rank", "--demo", "--top", "5", "-o", str(out), "-q").exit_code == 0
    assert "order_certain" not in pl.read_csv(out).columns
    assert _run("rank", "--demo", "--top", "5", "--certify", "-o", str(out), "-q").exit_code == 0
    assert pl.read_csv(out)["order_certain"].to_list() == [True] * 5


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.csv", "missing.csv: file not found"),
        ("id,score\na,1\n", "noscore.csv", "noscore.csv, column 'pagerank': no 'pagerank'"),
        ("rank,pagerank\n1,0.5\n", "noid.csv", "noid.csv, column 'id': no 'id' column"),
        ("id,pagerank\na,0.5\nb,nan\n", "nan.csv", "nan.csv, row 3, column 'pagerank': "),
        ("id,pagerank\na,0.5\na,0.1\n", "twice.csv", "twice.csv, row 3, column 'id': id 'a'"),
        ("id,pagerank\n", "scores.txt", "scores.txt: cannot tell the format"),
    ],
)
def test_bad_previous_is_one_line_naming_file_and_column(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = _run("rank", "--demo", "--previous", str(path), "-o", str(out))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--confidence", "-1"], "Invalid value for '--confidence'"),
        (["--confidence", "x"], "Invalid value for '--confidence'"),
        (["--level", "1"], "Invalid value for '--level'"),
        (["--level", "0"], "Invalid value for '--level'"),
        (["--confidence", "5", "--level", "nan"], "Invalid value for '--level'"),
        (["--confidence", "5", "--seed", "-1"], "Invalid value for '--seed'"),
    ],
)
def test_bad_confidence_options_are_usage_errors(options, message):
    result = _run("rank", "--demo", *options)
    assert result.exit_code == 2
    assert message in result.output


def test_python_api_takes_the_same_options(tmp_path):
    import graphkit

    table = graphkit.rank(demo_folder(), confidence=5, level=0.8, seed=1, top=3)
    assert table["rank_low"].to_list()[0] >= 1
    warm = graphkit.rank(demo_folder(), previous=table.select("id", "pagerank"), top=3)
    assert warm["id"].to_list() == table["id"].to_list()


def demo_folder():
    from graphkit.data.locate import demo_folder as folder

    return folder()


def test_tables_in_memory_need_a_dataset_for_intervals():
    import graphkit
    from graphkit.errors import UsageError
    from graphkit.io import Dataset

    follows = pl.DataFrame({"follower": ["a", "b", "c", "a"], "followed": ["b", "c", "a", "c"]})
    with pytest.raises(UsageError, match=r"give files, or the tables as a graphkit\.io\.Dataset"):
        graphkit.rank(follows=follows, confidence=3)
    table = graphkit.rank(Dataset(follows=follows.to_arrow()), confidence=3)
    assert (table["rank_low"] <= table["rank"]).all()
    assert (table["rank"] <= table["rank_high"]).all()


def test_experts_confidence(tmp_path):
    out = tmp_path / "experts.csv"
    result = _run("experts", "--demo", "--org", "b001", "--confidence", "10", "--seed", "2",
                  "-o", str(out), "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out, schema_overrides={"id": pl.String})
    assert (table["rank_low"] <= table["rank"]).all()
    assert (table["rank"] <= table["rank_high"]).all()
    assert table["rank_high"].max() <= table.height
    assert (table["score_low"] <= table["audience_influence"]).all()
    result = _run("experts", "--demo", "--org", "b001", "--confidence", "10",
                  "--sort-by", "audience_followers")  # fmt: skip
    assert result.exit_code == 2
    assert "confidence intervals need the ranking by audience_influence" in result.output


def test_confidence_on_standard_input_asks_for_a_file():
    result = CliRunner().invoke(
        cli, ["rank", "-", "--confidence", "5", "--format", "csv", "-q"], prog_name="graphkit",
        input="follower,followed\na,b\nb,c\nc,a\n", catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "save the input to a file and give that" in result.output
    assert "Traceback" not in result.output


def test_previous_csv_with_guarded_ids_matches_them(tmp_path):
    # CSV results guard formula-like ids with an apostrophe ('=a); --previous reads them back.
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\n=a,+b\n+b,-c\n-c,=a\n@d,=a\n", encoding="utf-8")
    earlier = tmp_path / "earlier.csv"
    assert _run("rank", "--follows", str(follows), "-o", str(earlier), "-q").exit_code == 0
    assert "'=a" in earlier.read_text(encoding="utf-8")
    result = _run("rank", "--follows", str(follows), "--previous", str(earlier), "-v",
                  "-o", str(tmp_path / "now.csv"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Warm start: 4 of 4 accounts" in result.output


def test_previous_of_unconvertible_types_is_an_input_error():
    import graphkit
    from graphkit.errors import InputError
    from graphkit.io import Dataset

    follows = pl.DataFrame({"follower": ["a", "b"], "followed": ["b", "a"]}).to_arrow()
    for frame, column in [
        (pl.DataFrame({"id": [["a"]], "pagerank": [0.5]}), "'id'"),
        (pl.DataFrame({"id": ["a"], "pagerank": [[0.5]]}), "'pagerank'"),
    ]:
        with pytest.raises(InputError, match=f"column {column}: .* must hold"):
            graphkit.rank(Dataset(follows=follows), previous=frame)


def test_too_few_replicates_for_the_level_are_noted(tmp_path):
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\na,b\nb,c\nc,a\na,c\n", encoding="utf-8")
    for replicates, level, warned in [("5", "0.9", True), ("21", "0.9", False),
                                      ("21", "0.99", True)]:  # fmt: skip
        result = _run("rank", "--follows", str(follows), "--confidence", replicates,
                      "--level", level, "-o", str(tmp_path / "out.csv"))  # fmt: skip
        assert result.exit_code == 0, result.output
        assert ("too few for" in result.output) is warned, result.output
