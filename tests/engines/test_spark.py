"""The Spark engine against the local engine: real graphs, weighting, audiences, communities.

All tests share one local Spark session (the ``spark`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from graphkit.algorithms import pagerank, pagerank_run
from graphkit.algorithms.communities import modularity
from graphkit.analysis import rank_influencers, select_audience
from graphkit.errors import InputError
from graphkit.graph import Weighting, build_graph, parse_duration, parse_timestamp
from graphkit.io import Dataset, load_dataset
from tests.reference import synchronous_label_propagation_reference, xxhash64_longs

pytest.importorskip("pyspark", reason="the Spark engine needs pip install -e '.[spark]'")
S = pytest.importorskip("graphkit.engines.spark", reason="needs pip install -e '.[spark]'")
if shutil.which("java") is None:
    pytest.skip("the Spark engine needs Java (a JDK 17 on PATH)", allow_module_level=True)

# Both engines run the same iteration; this tolerance keeps the Spark runs short.
TOLERANCE = 1e-9


def _spark_run(spark, *, tolerance=TOLERANCE, **tables):
    graph = S.build_graph(S.read_tables(spark, **{k: str(v) for k, v in tables.items()}))
    result = S.pagerank(graph, tolerance=tolerance)
    table = S.to_polars(S.rank_table(graph, result, top=0))
    return graph, result, table


def _aligned(table: pl.DataFrame, ids: list[str], column: str) -> np.ndarray:
    order = pl.DataFrame({"id": ids}).join(table, on="id", how="left", maintain_order="left")
    return order[column].to_numpy()


def _top_ids(ids: list[str], scores: np.ndarray, count: int = 100) -> list[str]:
    frame = pl.DataFrame({"id": ids, "score": scores})
    return frame.sort(["score", "id"], descending=[True, False])["id"].head(count).to_list()


@contextlib.contextmanager
def _shuffle_partitions(spark, count: int) -> Iterator[None]:
    """Shuffle into ``count`` partitions for a while (the session's default is one)."""
    before = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(count))
    try:
        yield
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", before)


# The real graphs run on several partitions: results must not depend on how rows are split.
REAL_GRAPH_PARTITIONS = 4


@pytest.fixture(scope="module")
def ego_twitter(spark, shared_data):
    path = shared_data / "ego-twitter" / "twitter_combined.txt"
    with _shuffle_partitions(spark, REAL_GRAPH_PARTITIONS):
        return path, _spark_run(spark, follows=path)


@pytest.fixture(scope="module")
def higgs_retweets(spark, shared_data):
    path = shared_data / "higgs-twitter" / "higgs-retweet_network.edgelist"
    with _shuffle_partitions(spark, REAL_GRAPH_PARTITIONS):
        tables = S.read_tables(spark, interactions=str(path), interaction_type="repost")
        graph = S.build_graph(tables)
        result = S.pagerank(graph, tolerance=TOLERANCE)
        table = S.to_polars(S.rank_table(graph, result, top=0))
    return path, graph, result, table


@pytest.mark.shared_data
def test_ego_twitter_pagerank_matches_local_engine(ego_twitter):
    path, (graph, result, table) = ego_twitter
    local = build_graph(load_dataset(follows=path))
    assert (graph.n_nodes, graph.n_edges, graph.self_loops, graph.records) == (
        81_306,
        local.n_edges,
        14,
        1_768_149,
    )
    # Spark runs power steps; so does the local engine with solver="power": the same iterations.
    same = pagerank_run(local, tolerance=TOLERANCE, solver="power")
    default = pagerank(local)  # the local engine's default tolerance, 1e-10
    ids = local.ids.to_pylist()
    scores = _aligned(table, ids, "pagerank")
    assert result.iterations == same.iterations
    assert np.abs(scores - same.scores).max() < 1e-12
    assert np.abs(scores - default).max() < 1e-6
    assert _top_ids(ids, scores) == _top_ids(ids, default)
    assert scores.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.array_equal(_aligned(table, ids, "followers"), local.followers)
    assert table["rank"].to_list() == list(range(1, 81_307))


@pytest.mark.shared_data
def test_higgs_weighted_retweets_pagerank_matches_local_engine(higgs_retweets):
    path, graph, result, table = higgs_retweets
    local = build_graph(load_dataset(interactions=path, interaction_type="repost"))
    assert (graph.n_nodes, graph.n_edges) == (256_491, local.n_edges)
    same = pagerank_run(local, tolerance=TOLERANCE, solver="power")
    default = pagerank(local)
    ids = local.ids.to_pylist()
    scores = _aligned(table, ids, "pagerank")
    assert result.iterations == same.iterations
    assert np.abs(scores - same.scores).max() < 1e-12
    assert np.abs(scores - default).max() < 1e-6
    assert _top_ids(ids, scores) == _top_ids(ids, default)
    # Retweets counted by the file's weight column, loops excluded; 3 per retweet weighted.
    received = _aligned(table, ids, "interactions_received")
    assert np.array_equal(received, local.interactions_received)
    assert received.sum() == pytest.approx(local.interactions_received.sum())
    assert np.allclose(
        _aligned(table.fill_null(0.0), ids, "engagement_rate"), 0.0
    )  # no follows, so no followers to divide by: null, filled here


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory) -> Path:
    """Accounts, weighted follows, timed interactions and identities, as CSV files."""
    folder = tmp_path_factory.mktemp("small")
    rng = random.Random(7)
    people = [f"p{index:02d}" for index in range(30)]
    titles = ["CTO", "CIO", "Engineer", "Analyst", None]
    rows = ["id,handle,kind,organization,title,topics,followers_count,region"]
    for index, person in enumerate(people):
        title = titles[index % len(titles)]
        kind = "brand" if index < 3 else "person"
        rows.append(
            f"{person},@{person},{kind},{'p00' if index % 4 == 0 else ''},{title or ''},"
            f"{'cloud;security' if index % 3 == 0 else 'data'},{index * 10},r{index % 2}"
        )
    (folder / "accounts.csv").write_text("\n".join(rows) + "\n")
    follows = ["follower,followed,weight"]
    for _ in range(120):
        a, b = rng.sample([*people, "outsider1", "outsider2"], 2)
        follows.append(f"{a},{b},{rng.choice(['', '1', '2'])}")
    follows.append("p05,p05,")  # a self-loop
    (folder / "follows.csv").write_text("\n".join(follows) + "\n")
    interactions = ["source,target,type,timestamp,weight"]
    for day in range(80):
        a, b = rng.sample(people, 2)
        kind = rng.choice(["repost", "reply", "like", "RT", "mention"])
        interactions.append(f"{a},{b},{kind},2025-01-{1 + day % 28:02d}T{day % 24:02d}:00:00Z,")
    interactions.append("p07,p08,quote,,2")  # no timestamp: no decay
    (folder / "interactions.csv").write_text("\n".join(interactions) + "\n")
    (folder / "identities.csv").write_text("account,person\np29,p28\noutsider2,outsider1\n")
    return folder


def _compare_tables(spark_table: pl.DataFrame, local_table: pl.DataFrame) -> None:
    assert spark_table.columns == local_table.columns
    assert spark_table["id"].to_list() == local_table["id"].to_list()
    for name in spark_table.columns:
        ours, theirs = spark_table[name], local_table[name]
        if ours.dtype.is_float():
            assert ours.is_null().to_list() == theirs.is_null().to_list(), name
            assert np.allclose(
                ours.fill_null(0).to_numpy(), theirs.fill_null(0).to_numpy(), atol=1e-12
            ), name
        else:
            assert ours.cast(pl.String).to_list() == theirs.cast(pl.String).to_list(), name


@pytest.mark.parametrize(
    "weighting",
    [
        Weighting(),
        Weighting(half_life=parse_duration("7d"), as_of=parse_timestamp("2025-02-01")),
        Weighting(type_weights={"follow": 2.0, "repost": 4.0, "reply": 1.0, "like": 0.0,
                                "mention": 1.0, "quote": 3.0, "comment": 2.0},
                  half_life=parse_duration("3d")),
    ],
    ids=["default", "half-life-as-of", "custom-weights-newest"],
)  # fmt: skip
def test_rank_table_matches_local_engine(spark, small_dataset, weighting):
    tables = S.read_tables(spark, str(small_dataset), known_types=weighting.known_types)
    graph = S.build_graph(tables, weighting)
    result = S.pagerank(graph, tolerance=1e-12)
    ours = S.to_polars(S.rank_table(graph, result, top=0))
    local = build_graph(load_dataset(small_dataset, known_types=weighting.known_types), weighting)
    assert (graph.n_nodes, graph.n_edges, graph.self_loops, graph.records) == (
        local.n_nodes,
        local.n_edges,
        local.self_loops,
        local.records,
    )
    _compare_tables(ours, rank_influencers(local, tolerance=1e-12))


def test_personalized_pagerank_and_kind_match_local_engine(spark, small_dataset):
    graph = S.build_graph(S.read_tables(spark, str(small_dataset)))
    selectors = ("title~^C.O$", "id=p11,p12")
    audience = S.select_audience(graph, selectors)
    result = S.pagerank(graph, tolerance=1e-12, personalization=audience)
    ours = S.to_polars(S.rank_table(graph, result, kind="person", top=10))
    local = build_graph(load_dataset(small_dataset))
    mask = select_audience(local, selectors)
    assert audience.count() == int(mask.sum()) > 2
    theirs = rank_influencers(local, tolerance=1e-12, audience=mask, kind="person", top=10)
    _compare_tables(ours, theirs)


def test_dangling_nodes_spread_by_personalization(spark):
    # d follows nobody: its score goes back by the teleport vector, as in the local kernel.
    follows = pa.table(
        {"follower": ["a", "b", "c", "a", "e"], "followed": ["b", "c", "a", "d", "a"]}
    )
    local = build_graph(Dataset(follows=follows))
    frame = spark.createDataFrame(follows.to_pylist())
    graph = S.build_graph(S.SparkTables(follows=frame))
    weights = spark.createDataFrame([("d", 3.0), ("e", 1.0)], "id string, weight double")
    personal = weights.join(graph.nodes, "id").select("node", "weight")
    result = S.pagerank(graph, tolerance=1e-13, personalization=personal)
    scores = S.to_polars(result.scores.join(graph.nodes, "node").select("id", "pagerank"))
    teleport = np.zeros(local.n_nodes)
    teleport[local.index_of(["d", "e"])] = [3.0, 1.0]
    expected = pagerank(local, tolerance=1e-13, personalization=teleport)
    assert np.abs(_aligned(scores, local.ids.to_pylist(), "pagerank") - expected).max() < 1e-13


def test_bad_rows_name_file_row_and_column(spark, tmp_path):
    path = tmp_path / "follows.csv"
    path.write_text("follower,followed\na,b\nc,\n")
    with pytest.raises(InputError) as error:
        S.read_tables(spark, follows=str(path))
    assert str(error.value) == f"{path}, row 3, column 'followed': empty account id"
    edges = tmp_path / "edges.txt"
    edges.write_text("1 2\n3 4 5 6\n")
    with pytest.raises(InputError, match=r"row 2: expected 2 fields, found 4"):
        S.read_tables(spark, follows=str(edges))
    typed = tmp_path / "interactions.csv"
    typed.write_text("source,target,type\na,b,repost\na,c,poke\n")
    with pytest.raises(InputError, match=r"row 3, column 'type': unknown interaction type 'poke'"):
        S.read_tables(spark, interactions=str(typed))
    with pytest.raises(InputError, match="file or folder not found"):
        S.read_tables(spark, follows=str(tmp_path / "missing.csv"))


def test_reads_parquet_folders_of_part_files(spark, small_dataset, tmp_path):
    # A dataset of Spark-written part folders (follows/, accounts.parquet/) reads the same.
    for name, target in (("follows", "follows"), ("accounts", "accounts.parquet")):
        spark.read.option("header", "true").csv(str(small_dataset / f"{name}.csv")).repartition(
            3
        ).write.parquet(str(tmp_path / target))
    found = S.find_tables(spark, str(tmp_path))
    assert sorted(found) == ["accounts", "follows"]
    graph = S.build_graph(S.read_tables(spark, str(tmp_path)))
    table = S.to_polars(S.rank_table(graph, S.pagerank(graph, tolerance=1e-12), top=0))
    local = build_graph(
        load_dataset(follows=small_dataset / "follows.csv", accounts=small_dataset / "accounts.csv")
    )
    _compare_tables(table, rank_influencers(local, tolerance=1e-12))


# --- label propagation -------------------------------------------------------------------------


def test_coin_is_sparks_xxhash64(spark):
    from pyspark.sql import functions as F

    rows = (
        spark.range(50)
        .select(
            "id",
            F.xxhash64(F.lit(7).cast("long"), F.col("id"), F.lit(3).cast("long")).alias("h"),
        )
        .collect()
    )
    assert [row["h"] for row in rows] == [xxhash64_longs(7, row["id"], 3) for row in rows]


def _label_graphs(shared_data: Path | None) -> dict[str, dict[tuple[str, str], float]]:
    rng = random.Random(11)
    weighted: dict[tuple[str, str], float] = {}
    for _ in range(400):
        a, b = rng.randrange(60), rng.randrange(60)
        group_a, group_b = a // 15, b // 15
        if a != b and (group_a == group_b or rng.random() < 0.1):
            key = (f"n{a}", f"n{b}")
            weighted[key] = weighted.get(key, 0.0) + rng.choice([1.0, 2.0, 3.0])
    graphs = {
        "two_cliques": {(a, b): 1.0 for a in "abc" for b in "abc" if a != b}
        | {(a, b): 1.0 for a in "xyz" for b in "xyz" if a != b}
        | {("c", "x"): 1.0},
        "pair": {("a", "b"): 1.0},
        "star": {(leaf, "hub"): 1.0 for leaf in "abcd"},
        "weighted_groups": weighted,
    }
    return graphs


def _spark_partition(spark, edges: dict[tuple[str, str], float], *, seed: int, resolution=1.0):
    follows = spark.createDataFrame(
        [(a, b, w) for (a, b), w in edges.items()],
        "follower string, followed string, weight double",
    )
    graph = S.build_graph(S.SparkTables(follows=follows))
    found = S.label_propagation(graph, seed=seed, resolution=resolution)
    rows = found.membership.join(graph.nodes, "node").select("id", "community").collect()
    return found, {row["id"]: row["community"] for row in rows}


@pytest.mark.parametrize("name", ["two_cliques", "pair", "star", "weighted_groups"])
@pytest.mark.parametrize("seed", [0, 5])
def test_label_propagation_matches_reference(spark, name, seed):
    edges = _label_graphs(None)[name]
    ids = sorted({account for pair in edges for account in pair})
    found, ours = _spark_partition(spark, edges, seed=seed)
    expected = synchronous_label_propagation_reference(edges, ids, seed=seed)
    assert ours == expected
    assert found.settled
    assert found.n_communities == len(set(expected.values()))


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["karate_club", "football"])
def test_label_propagation_matches_reference_on_classic_graphs(spark, shared_data, name):
    import igraph as ig

    raw = ig.Graph.Read_GML(str(shared_data / "classic" / f"{name}.gml"))
    edges: dict[tuple[str, str], float] = {}
    for a, b in raw.get_edgelist():
        if a != b:
            edges[(str(a), str(b))] = edges.get((str(a), str(b)), 0.0) + 1.0
    ids = [str(index) for index in range(raw.vcount())]
    found, ours = _spark_partition(spark, edges, seed=0)
    expected = synchronous_label_propagation_reference(edges, ids, seed=0)
    assert ours == expected
    # The modularity reported is that of the local engine's formula on the same partition.
    follows = pa.table({"follower": [a for a, _ in edges], "followed": [b for _, b in edges]})
    local = build_graph(Dataset(follows=follows))
    membership = np.array([ours[account] for account in local.ids.to_pylist()])
    assert found.modularity == pytest.approx(modularity(local, membership), abs=1e-12)
    assert found.modularity > 0.3


def test_label_propagation_plans_stay_small(spark, monkeypatch):
    # Spark carries a checkpointed table's size estimate into the next plan, and a join
    # multiplies its sides' estimates: with the labels joined in several times per iteration
    # the estimate's digits multiplied each iteration (6,531 digits after 8 on the demo graph,
    # and planning took minutes). Now they grow by a few digits an iteration.
    from graphkit.data import demo_folder

    digits: list[int] = []
    checkpoint = S._checkpoint

    def measured(frame):
        kept = checkpoint(frame)
        size = kept._jdf.queryExecution().optimizedPlan().stats().sizeInBytes()
        digits.append(len(str(size)))
        return kept

    graph = S.build_graph(S.read_tables(spark, str(demo_folder())))
    # label propagation checkpoints through the communities module's own reference
    monkeypatch.setattr(S.communities, "_checkpoint", measured)
    found = S.label_propagation(graph, seed=0)
    assert found.settled
    assert found.iterations >= 5
    assert found.modularity > 0.2
    assert len(digits) >= found.iterations
    assert max(digits) <= 12 * len(digits)
