"""``graphkit audit`` (cli/audit.py) and ``--discount-suspicious`` end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.analysis.audit import SIGNALS
from graphkit.cli.main import cli

QUALITY_COLUMNS = [
    "id",
    "name",
    "followers",
    "suspicious_followers",
    "audience_quality",
    *(f"reason_{name}" for name in SIGNALS),
]


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv(text: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema_overrides={"id": pl.String})


def test_default_audits_the_most_followed_accounts() -> None:
    result = _run("audit", "--demo", "--top", "4")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == QUALITY_COLUMNS
    assert table.height == 4
    assert table["followers"].to_list() == sorted(table["followers"].to_list(), reverse=True)
    assert (table["suspicious_followers"] <= table["followers"]).all()
    quality = 1 - table["suspicious_followers"] / table["followers"]
    assert (table["audience_quality"] - quality).abs().max() < 1e-12
    for name in SIGNALS:  # each reason is counted among the suspicious followers only
        assert (table[f"reason_{name}"] <= table["suspicious_followers"]).all()


def test_ids_in_order_without_repeats_and_deterministic() -> None:
    result = _run("audit", "--demo", "u0664", "u0903", "u0664")
    assert result.exit_code == 0, result.output
    assert _csv(result.stdout)["id"].to_list() == ["u0664", "u0903"]
    assert _run("audit", "--demo", "u0664", "u0903", "u0664").stdout == result.stdout


def test_all_writes_every_account(tmp_path: Path) -> None:
    out = tmp_path / "accounts.csv"
    result = _run("audit", "--demo", "--all", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out, schema_overrides={"id": pl.String, "reasons": pl.String})
    assert table.columns == ["id", "name", "followers", "following", "suspicion", "reasons"]
    assert table.height == 3000
    assert table["id"].n_unique() == 3000
    assert table["suspicion"].is_between(0, 1).all()
    flagged = table.filter(pl.col("suspicion") >= 0.5)
    assert flagged.height > 0
    assert f"{flagged.height:,} of 3,000 accounts have suspicion >= 0.5" in result.stderr
    assert (flagged["reasons"].fill_null("") != "").all()
    known = set(SIGNALS)
    for reasons in table["reasons"].drop_nulls():
        assert not reasons or set(reasons.split(";")) <= known


def test_threshold_lowers_quality() -> None:
    strict = _csv(_run("audit", "--demo", "u0903", "--threshold", "0.05").stdout)
    loose = _csv(_run("audit", "--demo", "u0903", "--threshold", "0.99").stdout)
    assert strict["suspicious_followers"][0] >= loose["suspicious_followers"][0]
    assert strict["audience_quality"][0] <= loose["audience_quality"][0]


def test_trusted_selector() -> None:
    result = _run("audit", "--demo", "u0903", "--trusted", "title~CEO")
    assert result.exit_code == 0, result.output
    result = _run("audit", "--demo", "--trusted", "title~NoSuchTitle")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: audience 'title~NoSuchTitle' selects no account in the graph"
    )


def test_unknown_id_is_an_error() -> None:
    result = _run("audit", "--demo", "u0903", "nobody")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: account 'nobody' is not in the graph"


def test_ids_and_all_is_a_usage_error() -> None:
    result = _run("audit", "--demo", "u0903", "--all")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == "Error: give account ids or --all, not both"


def test_bad_threshold_is_a_usage_error() -> None:
    result = _run("audit", "--demo", "--threshold", "1.5")
    assert result.exit_code == 2
    assert "Invalid value for '--threshold'" in result.output


def test_missing_input_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = _run("audit", str(tmp_path / "missing"), "--all", "-o", str(out))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_discount_suspicious_drops_a_farm_customer(tmp_path: Path) -> None:
    """Fifty accounts no one follows, all following one real account: the discount takes
    that account down the ranking, and PageRank still sums to 1."""
    real = [(f"r{i}", f"r{(i + step) % 40}") for i in range(40) for step in (1, 3, 7)]
    farm = [(f"fake{i}", "r5") for i in range(50)]
    follows = tmp_path / "follows.csv"
    pl.DataFrame(real + farm, schema=["follower", "followed"], orient="row").write_csv(follows)
    plain = _csv(_run("rank", str(follows)).stdout)
    out = tmp_path / "rank.csv"
    result = _run("rank", str(follows), "--discount-suspicious", "-o", str(out), "--manifest")
    assert result.exit_code == 0, result.output
    discounted = pl.read_csv(out)
    score = {name: dict(zip(t["id"], t["pagerank"], strict=True)) for name, t in
             (("plain", plain), ("discounted", discounted))}  # fmt: skip
    assert plain["id"][0] == "r5"
    assert score["discounted"]["r5"] < score["plain"]["r5"] / 2
    # back among the real accounts: each of them has three real followers, as r5 does
    others = [value for key, value in score["discounted"].items() if key.startswith("r")]
    assert score["discounted"]["r5"] <= max(others) * (1 + 1e-9)
    assert abs(discounted["pagerank"].sum() - 1) < 1e-9
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["parameters"]["discount_suspicious"] is True
    assert manifest["graph"]["discount_suspicious"]["suspicious_accounts"] >= 50
    assert manifest["graph"]["discount_suspicious"]["edges_removed"] >= 50
    second = tmp_path / "again.csv"
    assert _run("rank", str(follows), "--discount-suspicious", "-o", str(second)).exit_code == 0
    assert second.read_bytes() == out.read_bytes()


def _bursty_follows() -> str:
    """Forty accounts following each other over a year, and one that follows twenty of them
    within twenty minutes."""
    rows = ["follower,followed,since"]
    for i in range(40):
        for step in (1, 3, 7):
            rows.append(f"r{i},r{(i + step) % 40},2024-{1 + (i + step) % 12:02d}-{1 + i % 28:02d}")
    rows += [f"burst,r{i},2024-05-05T10:{i:02d}:00Z" for i in range(20)]
    rows.append("r0,burst,2024-06-01")  # followed, so only the burst sets it apart
    return "\n".join(rows) + "\n"


def test_follow_bursts_read_from_a_file(tmp_path: Path) -> None:
    follows = tmp_path / "follows.csv"
    follows.write_text(_bursty_follows())
    table = _csv(_run("audit", str(follows), "--all").stdout).fill_null("")
    reasons = dict(zip(table["id"], table["reasons"], strict=True))
    assert "burst" in reasons["burst"].split(";")
    assert not any("burst" in text for name, text in reasons.items() if name != "burst")


def test_follows_from_standard_input_count_no_bursts() -> None:
    """Standard input is gone once the graph is built: no bursts, and no error."""
    result = CliRunner().invoke(
        cli, ["audit", "--follows", "-", "--all"], input=_bursty_follows(), catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout).fill_null("")
    assert table.height == 41
    assert not table["reasons"].str.contains("burst").any()


def test_a_star_says_which_signals_it_cannot_score(tmp_path: Path) -> None:
    follows = tmp_path / "fans.csv"
    follows.write_text("follower,followed\n" + "".join(f"fan{i},hub\n" for i in range(50)))
    result = _run("audit", str(follows), "hub")
    assert result.exit_code == 0, result.output
    assert _csv(result.stdout).select("suspicious_followers", "audience_quality").row(0) == (0, 1.0)
    assert result.stderr.splitlines()[-1] == (
        "Note: no_followers, low_trust, weak_followers, ring not scored: only 0 of the 50 "
        "accounts that follow have followers in the data (under 10%): it holds their follows, "
        "not their followers"
    )


def test_nan_threshold_is_a_usage_error() -> None:
    result = _run("audit", "--demo", "--threshold", "nan")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "Error: Invalid value for '--threshold': nan is not in the range 0<=x<=1."
    )


@pytest.mark.parametrize("account", ["u0903/", "./u0903", ""])
def test_first_id_is_taken_as_typed(account: str) -> None:
    # The first argument is parsed as INPUT, a path: "u0903/" and "./u0903" must not
    # become "u0903", nor "" become ".".
    result = _run("audit", "--demo", account, "-q")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: account {account!r} is not in the graph"


def test_an_account_merged_by_the_identities_is_audited_as_its_person(tmp_path: Path) -> None:
    follows, identities = tmp_path / "follows.csv", tmp_path / "identities.csv"
    follows.write_text("follower,followed\nr1,r2\nr2,r1\nfake0,r1\n")
    identities.write_text("account,person\nr1,alice\nfake0,alice\n")
    result = _run("audit", "--follows", str(follows), "--identities", str(identities), "fake0",
                  "alice", "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Auditing 'alice' for 'fake0', the account it became" in result.stderr
    rows = pl.read_csv(io.StringIO(result.stdout)).select("id", "followers").rows()
    assert rows == [("alice", 1)]  # once, though named twice: r2 follows alice


def test_audit_refuses_discount_suspicious() -> None:
    result = _run("audit", "--demo", "--discount-suspicious", "-q")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "Error: the audit reads the edges --discount-suspicious removes: leave it out of audit"
    )


def test_a_discount_that_leaves_no_edge_writes_nothing(tmp_path: Path) -> None:
    """Ten accounts following each other in a ring and six accounts no one else follows;
    trust stays on those six (they follow no one): every account with an edge is suspect."""
    follows = tmp_path / "follows.csv"
    rows = [f"f{i},s{j}" for i in range(10) for j in range(6)]
    rows += [f"f{i},f{(i + 1) % 10}" for i in range(10)]
    follows.write_text("follower,followed\n" + "\n".join(rows) + "\n")
    out = tmp_path / "rank.csv"
    result = _run("rank", str(follows), "--discount-suspicious", "-q", "-o", str(out))
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: all 10 accounts that follow or interact have suspicion >= 0.5: discounting them "
        "leaves no edge (graphkit audit --all says why)"
    )
    assert not out.exists()
