"""Ordinary input shapes that once gave wrong numbers: repeated rows, identity merges, weights
beyond floating point, timestamps in a header-less third column, missing times, undirected
lists, a header repeated inside a file, equal PageRanks.

Each test failed on 8701284 (the landed main before these fixes) and passes now.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from graphkit.cli.main import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="graphkit", catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def ranking(tmp_path: Path, *args: str) -> pl.DataFrame:
    out = tmp_path / "ranking.csv"
    result = run("rank", *args, "--top", "0", "-o", str(out))
    assert result.exit_code == 0, result.output
    return pl.read_csv(out, schema_overrides={"id": pl.String}).sort("id")


def assert_error(result: Result, line: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1] == line


@pytest.fixture
def three_cycle(tmp_path: Path) -> Path:
    """a -> b -> c -> a with the first row repeated: PageRank 1/3 each."""
    return write(tmp_path / "dup.csv", "follower,followed\na,b\na,b\nb,c\nc,a\n")


def test_repeated_follow_rows_rank_a_cycle_evenly(tmp_path, three_cycle):
    table = ranking(tmp_path, str(three_cycle))
    assert table["pagerank"].to_list() == pytest.approx([1 / 3] * 3, abs=1e-12)
    assert table["score"].to_list() == [100.0] * 3


def test_a_thousand_copies_of_one_row(tmp_path):
    rows = "a,b\n" * 1000 + "b,c\nc,a\n"
    follows = write(tmp_path / "copies.csv", "follower,followed\n" + rows)
    table = ranking(tmp_path, str(follows))
    assert table["pagerank"].to_list() == pytest.approx([1 / 3] * 3, abs=1e-12)


def test_identity_merge_that_makes_two_edges_one(tmp_path):
    # a1 and a2 are one person: a1 -> b and a2 -> b become a -> b twice; b -> a, and c
    # follows both.
    folder = tmp_path / "merged"
    folder.mkdir()
    write(folder / "follows.csv", "follower,followed\na1,b\na2,b\nb,a1\nc,b\nc,a2\n")
    write(folder / "identities.csv", "account,person\na1,a\na2,a\n")
    table = ranking(tmp_path, str(folder))
    # Slow twin: a passes everything to b (weight 2), b to a, c splits half and half.
    scores = dict(zip(table["id"], table["pagerank"], strict=True))
    teleport = 0.15 / 3
    # c receives only teleport; a = teleport + 0.85 (b + c/2); b = teleport + 0.85 (a + c/2)
    c = teleport
    a = b = (teleport + 0.85 * c / 2) / (1 - 0.85)
    assert scores["c"] == pytest.approx(c, abs=1e-10)
    assert scores["a"] == pytest.approx(a, abs=1e-10)
    assert scores["b"] == pytest.approx(b, abs=1e-10)


@pytest.mark.parametrize(
    "command",
    [
        ["rank"],
        ["rank", "--audience", "id=a"],
        ["communities"],
        ["explain", "{input}", "a"],
        ["paths", "--from", "a", "--to", "c"],
    ],
)
def test_every_command_takes_repeated_rows(tmp_path, three_cycle, command):
    out = tmp_path / "out.csv"
    if "{input}" not in command:
        command = [*command, "{input}"]
    arguments = [str(three_cycle) if item == "{input}" else item for item in command]
    result = run(*arguments, "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    assert table.height > 0
    for name in ("pagerank", "score", "influence"):
        if name in table.columns:
            assert table[name].is_finite().all()


def test_explain_and_communities_see_the_even_cycle(tmp_path, three_cycle):
    out = tmp_path / "communities.csv"
    result = run("communities", str(three_cycle), "--top", "0", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    assert table["pagerank"].to_list() == pytest.approx([1 / 3] * 3, abs=1e-12)


def test_brands_and_experts_on_repeated_rows(tmp_path):
    folder = tmp_path / "org"
    folder.mkdir()
    write(
        folder / "accounts.csv",
        "id,kind,organization,title,topics\nacme,brand,,,\nann,person,acme,CTO,cloud\n"
        "bob,person,acme,Engineer,cloud\ncat,person,,CTO,\n",
    )
    write(
        folder / "follows.csv",
        "follower,followed\ncat,ann\ncat,ann\ncat,acme\nbob,ann\nbob,ann\nann,acme\nacme,ann\n",
    )
    for command in (["brands"], ["experts", "--org", "acme"]):
        out = tmp_path / f"{command[0]}.csv"
        result = run(*command, str(folder), "-o", str(out))
        assert result.exit_code == 0, result.output
        table = pl.read_csv(out)
        assert table.height > 0
        for name, dtype in table.schema.items():
            if dtype.is_float():
                assert table[name].is_not_nan().all(), name


@pytest.mark.slow
def test_report_takes_repeated_rows(tmp_path, three_cycle):
    out = tmp_path / "report.html"
    result = run("report", str(three_cycle), "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert ">NaN<" not in page
    assert ">nan<" not in page


@pytest.mark.parametrize(
    "command",
    [
        ["rank"],
        ["communities"],
        ["explain", "{input}", "a"],
        ["paths", "--from", "a", "--to", "b"],
        ["report"],
    ],
)
def test_every_command_stops_on_weights_beyond_floating_point(tmp_path, command):
    follows = write(tmp_path / "f.csv", "follower,followed,weight\na,b,1e308\na,b,1e308\nb,a,1\n")
    out = tmp_path / "out" / "result.csv"
    out.parent.mkdir()
    if "{input}" not in command:
        command = [*command, "{input}"]
    arguments = [str(follows) if item == "{input}" else item for item in command]
    assert_error(
        run(*arguments, "-o", str(out)),
        f"Error: {follows}: the weights of the records from 'a' to 'b' add up to more than "
        "floating point holds (1.8e308); scale the weights down",
    )
    assert list(out.parent.iterdir()) == []


def test_weight_beyond_floating_point_is_one_line(tmp_path):
    interactions = write(
        tmp_path / "interactions.csv", "source,target,type,weight\na,b,repost,1e308\nb,a,like,1\n"
    )
    assert_error(
        run("rank", "--interactions", str(interactions)),
        f"Error: {interactions}, row 2, column 'weight': the record's weight times its type "
        "weight is beyond floating point (over 1.8e308); scale the weights down",
    )


def test_weights_that_add_up_beyond_floating_point(tmp_path):
    follows = write(tmp_path / "f.csv", "follower,followed,weight\na,b,1e308\na,b,1e308\nb,a,1\n")
    assert_error(
        run("rank", str(follows)),
        f"Error: {follows}: the weights of the records from 'a' to 'b' add up to more than "
        "floating point holds (1.8e308); scale the weights down",
    )


def test_type_weight_beyond_floating_point(tmp_path):
    interactions = write(
        tmp_path / "i.csv", "source,target,type\na,b,repost\na,c,repost\nb,a,repost\n"
    )
    result = run("rank", "--interactions", str(interactions), "--weights", "repost=1e308")
    assert_error(
        result,
        f"Error: {interactions}: the weights of the edges from 'a' add up to more than "
        "floating point holds (1.8e308); scale the weights down",
    )


def test_tiny_and_huge_finite_weights_rank_finitely(tmp_path):
    follows = write(
        tmp_path / "f.csv", "follower,followed,weight\na,b,1e-300\na,c,1e300\nb,c,1\nc,a,1e200\n"
    )
    table = ranking(tmp_path, str(follows))
    assert table["pagerank"].is_finite().all()
    assert table["pagerank"].sum() == pytest.approx(1.0, abs=1e-12)


UNIX_TIMES = "a b 1341100972\nb c 1341100973\nc a 1341101000\na c 1341180000\n"


def test_header_less_unix_times_are_not_read_as_weights(tmp_path):
    edges = write(tmp_path / "messages.txt", UNIX_TIMES)
    assert_error(
        run("rank", str(edges)),
        f"Error: {edges}, row 1: the third field looks like Unix times, not weights (every "
        "value a whole number between 1990 and 2100); say which: --columns "
        "source,target,timestamp (with --interaction-type TYPE), or --columns "
        "follower,followed,weight",
    )


def test_declared_columns_read_times_and_the_half_life_acts(tmp_path):
    edges = write(tmp_path / "messages.txt", UNIX_TIMES)
    declared = ["--columns", "source,target,timestamp", "--interaction-type", "reply"]
    plain = ranking(tmp_path, str(edges), *declared)
    decayed = ranking(tmp_path, str(edges), *declared, "--half-life", "1h")
    assert plain["interactions_received"].sum() == 4  # records, not seconds
    assert plain["pagerank"].to_list() != pytest.approx(decayed["pagerank"].to_list(), abs=1e-6)


def test_declared_weights_keep_the_old_reading(tmp_path):
    edges = write(tmp_path / "weighted.txt", "a b 2000000000\nb a 1000000000\n")
    table = ranking(tmp_path, str(edges), "--columns", "follower,followed,weight")
    assert table.height == 2


def test_columns_on_a_file_with_a_header(tmp_path, three_cycle):
    assert_error(
        run("rank", str(three_cycle), "--columns", "follower,followed"),
        f"Error: {three_cycle}, row 1: --columns names the fields of a header-less file, and "
        "this file has a header (follower, followed); drop --columns",
    )


def test_columns_must_name_the_account_columns(tmp_path, three_cycle):
    result = run("rank", str(three_cycle), "--columns", "a,b")
    assert result.exit_code == 2
    assert "names neither follower,followed" in result.output


def test_half_life_without_any_timestamp(tmp_path):
    interactions = write(tmp_path / "i.csv", "source,target,type\na,b,reply\nb,a,reply\n")
    assert_error(
        run("rank", "--interactions", str(interactions), "--half-life", "30d"),
        f"Error: {interactions}: --half-life decays interactions by their age, and no "
        "interaction has a timestamp; drop --half-life or give interactions with a timestamp "
        "column",
    )


def test_half_life_on_follows_alone(tmp_path, three_cycle):
    assert_error(
        run("rank", str(three_cycle), "--half-life", "30d"),
        "Error: --half-life decays interactions by their age, and no interaction has a "
        "timestamp (there are no interactions); drop --half-life or give interactions with a "
        "timestamp column",
    )


MISSING_TIMES = (
    "source,target,type,timestamp\n"
    "a,b,reply,2026-01-01\nb,c,reply,2026-03-01\nc,a,reply,\nc,b,reply,2026-03-02\n"
)


def test_missing_times_are_counted_and_reported(tmp_path):
    interactions = write(tmp_path / "i.csv", MISSING_TIMES)
    out = tmp_path / "out.csv"
    result = run("rank", "--interactions", str(interactions), "--half-life", "7d", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (
        "1 interactions have no timestamp: kept at full weight (--missing-time no-decay, drop "
        "or error)" in result.stderr
    )


def test_missing_time_error_names_the_row(tmp_path):
    interactions = write(tmp_path / "i.csv", MISSING_TIMES)
    result = run(
        "rank", "--interactions", str(interactions), "--half-life", "7d", "--missing-time", "error"
    )
    assert_error(
        result,
        f"Error: {interactions}, row 4, column 'timestamp': no timestamp, and --half-life needs "
        "one (1 interactions lack it); give --missing-time no-decay or drop to decide",
    )


def test_missing_time_drop_leaves_the_record_out(tmp_path):
    interactions = write(tmp_path / "i.csv", MISSING_TIMES)
    dropped = ranking(
        tmp_path, "--interactions", str(interactions), "--half-life", "7d", "--missing-time",
        "drop",
    )  # fmt: skip
    without = write(tmp_path / "without.csv", MISSING_TIMES.replace("c,a,reply,\n", ""))
    expected = ranking(tmp_path, "--interactions", str(without), "--half-life", "7d")
    shared = dropped.join(expected, on="id", suffix="_expected")
    assert shared["pagerank"].to_list() == pytest.approx(
        shared["pagerank_expected"].to_list(), abs=1e-12
    )


def test_undirected_reads_both_directions(tmp_path):
    pairs = write(tmp_path / "friends.csv", "follower,followed\na,b\nb,c\n")
    undirected = ranking(tmp_path, str(pairs), "--undirected")
    both = write(tmp_path / "both.csv", "follower,followed\na,b\nb,c\nb,a\nc,b\n")
    expected = ranking(tmp_path, str(both))
    assert undirected["pagerank"].to_list() == pytest.approx(expected["pagerank"].to_list())
    assert undirected["followers"].to_list() == expected["followers"].to_list()


def test_header_repeated_inside_a_file(tmp_path):
    joined = write(tmp_path / "joined.csv", "follower,followed\na,b\nfollower,followed\nb,c\n")
    assert_error(
        run("rank", str(joined)),
        f"Error: {joined}, row 3: this row repeats the header (were files joined with cat?); "
        "remove it, or give the files one at a time",
    )


@pytest.mark.parametrize("blank", ["\u00a0", "\u3000", "\u2028", "\x1c", "\ufeff"])
def test_header_repeated_with_unicode_blanks(tmp_path, blank):
    # Blanks the header comparison strips (str.isspace) were not blanks to the regex: the row
    # was read as an account named 'followed'.
    rows = f"follower,followed\na,b\n{blank}follower{blank},followed{blank}\nb,c\n"
    joined = write(tmp_path / "joined.csv", rows)
    assert_error(
        run("rank", str(joined)),
        f"Error: {joined}, row 3: this row repeats the header (were files joined with cat?); "
        "remove it, or give the files one at a time",
    )


RING_WEIGHTS = [0.15, 3.77, 2.7, 1.66, 3.94, 1.52, 2.27, 0.68]


@pytest.mark.parametrize(
    "rows",
    [
        # A ring whose weights make each share 1 only up to rounding (was 100 / 0 / ...).
        "".join(f"n{i},n{(i + 1) % len(RING_WEIGHTS)},{w}\n" for i, w in enumerate(RING_WEIGHTS)),
        "a,b,1\na,c,1\nb,a,1\nb,c,1\nc,a,1\nc,b,1\n",  # a complete graph
    ],
)
def test_equal_pageranks_score_equally(tmp_path, rows):
    follows = write(tmp_path / "f.csv", "follower,followed,weight\n" + rows)
    table = ranking(tmp_path, str(follows))
    assert table["score"].to_list() == [100.0] * table.height
