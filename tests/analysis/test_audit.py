"""The audit on planted follow farms (a small version of ``python -m benchmarks.audit``), and
its public function."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import graphkit
from benchmarks.audit import BEHAVIOURS, Planted, evaluate, plant, read_edges
from graphkit.analysis.audit import SIGNALS, audit_accounts, discounted, quality_table
from graphkit.errors import InputError, ParameterError, UsageError
from tests.conftest import follows_graph

CAUGHT = [behaviour for behaviour in BEHAVIOURS if behaviour != "followed-back"]


def generated_real_graph(accounts: int = 1500, seed: int = 7) -> np.ndarray:
    """A follower graph where everyone is followed: each account follows 5 to 30 others,
    drawn in proportion to a heavy-tailed popularity, and a third of follows are returned."""
    rng = np.random.default_rng(seed)
    popularity = rng.pareto(1.5, accounts) + 1
    popularity /= popularity.sum()
    pairs = []
    for account in range(accounts):
        followed = rng.choice(accounts, rng.integers(5, 31), replace=False, p=popularity)
        followed = followed[followed != account]
        pairs.append(np.column_stack([np.full(followed.shape[0], account), followed]))
        back = followed[rng.random(followed.shape[0]) < 1 / 3]
        pairs.append(np.column_stack([back, np.full(back.shape[0], account)]))
    # a follower for each account
    pairs.append(np.column_stack([np.roll(np.arange(accounts), 1), np.arange(accounts)]))
    return np.unique(np.vstack(pairs), axis=0)


@pytest.fixture(scope="module")
def real_edges() -> np.ndarray:
    return generated_real_graph()


@pytest.mark.parametrize("behaviour", CAUGHT)
@pytest.mark.parametrize("size", [20, 150])
def test_planted_farms_are_caught(real_edges: np.ndarray, behaviour: str, size: int) -> None:
    result = evaluate(plant(real_edges, behaviour, size, seed=size))
    assert result["recall"] >= 0.95
    assert result["fpr"] <= 0.005


def test_a_followed_back_farm_is_missed(real_edges: np.ndarray) -> None:
    """The documented failure: fakes that real accounts follow back receive trust."""
    result = evaluate(plant(real_edges, "followed-back", 150))
    assert result["recall"] < 0.5


def test_on_real_data_false_positives_are_accounts_no_one_follows(shared_data: Path) -> None:
    edges = read_edges(shared_data / "congress-twitter" / "congress.edgelist")
    planted = plant(edges, "camouflage", 100)
    table = graphkit.audit(follows=planted.follows, all=True)
    flagged = table.filter(pl.col("suspicion") >= 0.5)
    fakes = flagged.filter(pl.col("id").is_in(planted.fakes))
    assert fakes.height / len(planted.fakes) >= 0.95
    real = flagged.filter(~pl.col("id").is_in(planted.fakes))
    assert real.height <= 10
    assert (real["followers"] == 0).all()


def test_discount_takes_a_customer_down(real_edges: np.ndarray) -> None:
    planted = plant(real_edges, "camouflage", 150)
    result = evaluate(planted, discount=True)
    assert result["customer_median_rank_discounted"] > 2 * result["customer_median_rank_plain"]


def test_discounted_graph_keeps_pagerank_a_distribution() -> None:
    graph = follows_graph(
        [("a", "b"), ("b", "a"), ("c", "a"), ("a", "c"), ("f1", "c"), ("f2", "c"), ("f3", "c")]
    )
    audit = audit_accounts(graph)
    lighter = discounted(graph, audit)
    assert lighter.n_edges == graph.n_edges - 3  # the three fakes' edges
    assert (lighter.followers == graph.followers).all()
    scores = graphkit.pagerank(lighter)
    assert scores.sum() == pytest.approx(1.0)
    assert np.isfinite(scores).all()


def test_audit_function_errors() -> None:
    follows = pl.DataFrame({"follower": ["a", "b"], "followed": ["b", "a"]})
    with pytest.raises(ParameterError, match="account 'z' is not in the graph"):
        graphkit.audit(follows=follows, ids=["z"])
    with pytest.raises(UsageError, match="ids or --all"):
        graphkit.audit(follows=follows, ids=["a"], all=True)
    with pytest.raises(ParameterError, match="threshold"):
        graphkit.audit(follows=follows, threshold=2.0)
    table = graphkit.audit(follows=follows)
    assert table["audience_quality"].to_list() == [1.0, 1.0]


def test_an_account_without_followers_has_no_quality() -> None:
    follows = pl.DataFrame({"follower": ["a", "b"], "followed": ["b", "c"]})
    table = graphkit.audit(follows=follows, ids=["a"])
    assert table["followers"][0] == 0
    assert table["audience_quality"][0] is None


def test_planted_tables_are_what_they_say() -> None:
    edges = np.array([[0, 1], [1, 0], [2, 1], [1, 2]] * 1)
    planted: Planted = plant(np.vstack([edges, edges + 3]), "bursty", 5)
    assert len(planted.fakes) == 5
    assert "since" in planted.follows.columns
    fake_rows = planted.follows.filter(pl.col("follower").is_in(planted.fakes))
    spread = fake_rows.group_by("follower").agg(
        (pl.col("since").max() - pl.col("since").min()).dt.total_seconds().alias("seconds")
    )
    assert (spread["seconds"] <= 600).all()


def test_bursty_fakes_are_flagged_for_their_bursts(real_edges: np.ndarray) -> None:
    """Follow times of tables given in memory reach the burst signal."""
    planted = plant(real_edges, "bursty", 40)
    table = graphkit.audit(follows=planted.follows, all=True)
    fakes = table.filter(pl.col("id").is_in(planted.fakes))
    assert fakes["reasons"].str.contains("burst").all()
    real = table.filter(~pl.col("id").is_in(planted.fakes))
    assert not real["reasons"].str.contains("burst").any()


def test_quality_counts_match_a_loop_over_each_audience(real_edges: np.ndarray) -> None:
    planted = plant(real_edges, "ring", 60)
    loaded = graphkit.open_data(follows=planted.follows)
    graph = loaded.graph
    audit = audit_accounts(graph)
    nodes = graph.index_of([*planted.customers, *planted.fakes[:5], "0", "1"])
    table = quality_table(graph, audit, nodes, threshold=0.3)
    for row, node in zip(table.iter_rows(named=True), nodes, strict=True):
        followers = [
            int(graph.in_sources[edge])
            for edge in range(graph.in_indptr[node], graph.in_indptr[node + 1])
            if audit.follow_mask[edge]
        ]
        bad = [follower for follower in followers if audit.suspicion[follower] >= 0.3]
        assert row["followers"] == len(followers)
        assert row["suspicious_followers"] == len(bad)
        for name in SIGNALS:
            fired = [follower for follower in bad if audit.signals[name][follower] >= 0.5]
            assert row[f"reason_{name}"] == len(fired)


def test_placeholder_and_date_only_follow_times_show_no_burst(real_edges: np.ndarray) -> None:
    """One time for every follow (an export's own time), or dates without a time of day,
    say nothing about bursts (before, nine in ten real accounts were flagged 'burst'); a
    real burst among them still counts."""
    follows = pl.DataFrame({"follower": real_edges[:, 0], "followed": real_edges[:, 1]})
    follows = follows.cast(pl.String)
    minutes = np.datetime64("2024-05-05T10:00", "us") + np.arange(20) * np.timedelta64(1, "m")
    burst = pl.DataFrame(
        {"follower": "bot", "followed": [str(i) for i in range(20)], "since": minutes}
    )
    one_time = pl.lit(np.datetime64("2024-03-05T10:11:12", "us"))
    days = np.datetime64("2024-01-01", "us") + (real_edges[:, 0] % 3) * np.timedelta64(1, "D")
    for since in (one_time, pl.Series(days)):
        timed = pl.concat([follows.with_columns(since=since), burst])
        table = graphkit.audit(follows=timed, all=True)
        bursty = table.filter(pl.col("reasons").str.contains("burst"))["id"].to_list()
        assert bursty == ["bot"]


def test_an_export_of_one_accounts_followers_flags_no_one() -> None:
    """A star: the data holds the hub's followers but not theirs. Before, all 200 were
    flagged (no followers, no trust) and the hub's audience quality was 0."""
    follows = pl.DataFrame({"follower": [f"fan{i}" for i in range(200)], "followed": "hub"})
    audit = audit_accounts(graphkit.open_data(follows=follows).graph)
    assert audit.unscored.startswith("no_followers, low_trust, weak_followers, ring not scored")
    assert "only 0 of the 200 accounts that follow have followers" in audit.unscored
    for name in ("no_followers", "low_trust", "weak_followers", "ring"):
        assert not audit.signals[name].any()
    table = graphkit.audit(follows=follows, ids=["hub"])
    assert table.select("suspicious_followers", "audience_quality").row(0) == (0, 1.0)


def test_interactions_alone_score_no_follower_signals(shared_data: Path) -> None:
    """On the Higgs reply network 97% of accounts were flagged: no one replies to most."""
    edges = read_edges(shared_data / "higgs-twitter" / "higgs-reply_network.edgelist")
    replies = pl.DataFrame({"source": edges[:, 0], "target": edges[:, 1]}).cast(pl.String)
    table = graphkit.audit(interactions=replies.with_columns(type=pl.lit("reply")), all=True)
    assert table.height == 38_918
    assert table.filter(pl.col("suspicion") >= 0.5).height < 0.01 * table.height
    assert not table["reasons"].str.contains("no_followers|low_trust").any()


def test_a_discount_that_leaves_no_edge_is_an_error() -> None:
    graph = follows_graph([("a", "b"), ("b", "a"), ("c", "a"), ("a", "c")])
    with pytest.raises(InputError, match=r"^all 3 accounts that follow or interact have "):
        discounted(graph, audit_accounts(graph), threshold=0.0)


def test_the_audit_refuses_a_discounted_graph() -> None:
    follows = pl.DataFrame({"follower": ["a", "b", "c"], "followed": ["b", "a", "a"]})
    settings = graphkit.Settings(weighting=graphkit.app.make_weighting(discount_suspicious=True))
    with pytest.raises(UsageError, match="leave it out of audit"):
        graphkit.audit(follows=follows, settings=settings)
