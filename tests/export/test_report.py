"""The HTML report: its content against the analyses it is built from, the page, the command."""

from __future__ import annotations

import hashlib
import html.parser
import re

import networkx as nx
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from click.testing import CliRunner

from graphkit.algorithms import communities, pagerank
from graphkit.analysis import (
    brand_table,
    community_summary,
    expert_table,
    rank_influencers,
    select_audience,
)
from graphkit.analysis.audience import C_LEVEL
from graphkit.cli.main import cli
from graphkit.data import demo_folder
from graphkit.errors import InputError, MissingDependencyError, ParameterError
from graphkit.export.report import (
    ReportSettings,
    build_report,
    degree_curves,
    force_layout,
    render_html,
    score_histogram,
    top_subgraph,
    write_report,
)
from graphkit.export.report import html as report_html
from graphkit.graph import build_graph
from graphkit.io import Dataset, load_dataset
from tests.conftest import TINY_GRAPHS, follows_graph


@pytest.fixture(scope="module")
def demo():
    dataset = load_dataset(demo_folder())
    return dataset, build_graph(dataset)


@pytest.fixture(scope="module")
def demo_report(demo):
    dataset, graph = demo
    return build_report(graph, sources=dataset.sources)


@pytest.fixture(scope="module")
def demo_page(demo_report) -> str:
    return render_html(demo_report, title="Demo report", subject="the demo dataset")


@pytest.mark.slow
def test_tables_are_the_analyses_first_rows(demo, demo_report):
    _, graph = demo
    settings = demo_report.settings
    partition = communities(graph, seed=settings.seed)
    scores = pagerank(graph)
    expected = rank_influencers(graph, top=settings.top, communities=partition)
    assert demo_report.influencers.equals(expected)
    assert demo_report.influencers.height == 250
    assert demo_report.community_overview.equals(
        community_summary(graph, partition, scores).head(settings.communities)
    )
    brands = brand_table(graph, pagerank_scores=scores)
    assert demo_report.brands is not None
    assert demo_report.brands.equals(brands.head(settings.organizations))
    # The experts are those of the organization of largest combined reach, for C-level titles.
    assert demo_report.expert_org == brands["organization"][0] == "b001"
    audience = select_audience(graph, [C_LEVEL])
    assert demo_report.audience_size == int(audience.sum()) == 236
    assert demo_report.experts is not None
    assert demo_report.experts.equals(
        expert_table(graph, "b001", audience_mask=audience).head(settings.experts)
    )
    assert demo_report.notes == {}


def test_org_and_audience_choose_the_experts(demo):
    _, graph = demo
    settings = ReportSettings(org="b002", audience=("title~CTO",), top=10)
    report = build_report(graph, settings=settings)
    audience = select_audience(graph, ["title~CTO"])
    assert report.expert_org == "b002"
    assert report.audience_size == int(audience.sum())
    assert report.experts is not None
    assert report.experts.equals(
        expert_table(graph, "b002", audience_mask=audience).head(settings.experts)
    )
    assert report.influencers.height == 10


@pytest.mark.slow
def test_unknown_org_and_empty_audience_are_errors(demo):
    _, graph = demo
    with pytest.raises(ParameterError, match="unknown organization 'nope'"):
        build_report(graph, settings=ReportSettings(org="nope"))
    with pytest.raises(ParameterError, match="selects no account"):
        build_report(graph, settings=ReportSettings(audience=("title~^Astronaut$",)))


def test_checksums_and_sizes_of_the_inputs(demo, demo_report):
    dataset, _ = demo
    assert [item.table for item in demo_report.inputs] == sorted(dataset.sources)
    for item in demo_report.inputs:
        path = dataset.sources[item.table]
        assert item.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert item.bytes == len(path.read_bytes())
        assert item.name == f"graphkit demo: {path.name}"


def test_score_histogram_counts_every_account(demo):
    _, graph = demo
    scores = rank_influencers(graph)["score"]
    histogram = score_histogram(scores.to_numpy())
    assert int(histogram["accounts"].sum()) == graph.n_nodes
    # Counted again with polars: bin k holds scores in [2k, 2k + 2), the top score in the last.
    expected = (
        pl.DataFrame({"score": scores})
        .select((pl.col("score") // 2).clip(upper_bound=49).cast(pl.Int64).alias("bin"))
        .group_by("bin")
        .len()
        .sort("bin")
    )
    assert (histogram["score_from"] / 2).cast(pl.Int64).to_list() == expected["bin"].to_list()
    assert histogram["accounts"].to_list() == expected["len"].to_list()


@pytest.mark.parametrize("name", sorted(TINY_GRAPHS))
def test_degree_curves_against_networkx(name):
    graph = follows_graph(TINY_GRAPHS[name])
    reference = nx.DiGraph(TINY_GRAPHS[name])
    curves = degree_curves(graph)
    for direction, degrees in (
        ("in", dict(reference.in_degree())),
        ("out", dict(reference.out_degree())),
    ):
        rows = curves.filter(pl.col("direction") == direction)
        highest = max(degrees.values())
        assert rows["degree"].to_list() == list(range(1, highest + 1))  # few points: all
        for degree, accounts in rows.select("degree", "accounts").iter_rows():
            assert accounts == sum(1 for value in degrees.values() if value >= degree)


def test_degree_curves_are_log_spaced_on_a_large_graph(demo):
    _, graph = demo
    curves = degree_curves(graph)
    in_rows = curves.filter(pl.col("direction") == "in")
    assert 20 <= in_rows.height <= 60
    in_degree = graph.in_degree()
    assert in_rows["degree"][-1] == in_degree.max()
    for degree, accounts in in_rows.select("degree", "accounts").iter_rows():
        assert accounts == int(np.count_nonzero(in_degree >= degree))


def test_top_subgraph_holds_the_links_among_the_top_accounts(demo):
    dataset, graph = demo
    scores = pagerank(graph)
    partition = communities(graph)
    drawing = top_subgraph(graph, scores, partition, 40)
    ranked = rank_influencers(graph, top=40)
    assert drawing.nodes["id"].to_list() == ranked["id"].to_list()
    assert drawing.nodes["score"].to_list() == ranked["score"].to_list()
    # The linked pairs, from the raw follow and interaction records with networkx.
    reference = nx.Graph()
    for table in (dataset.follows, dataset.interactions):
        columns = table.column_names
        first, second = ("follower", "followed") if "follower" in columns else ("source", "target")
        reference.add_edges_from(
            zip(table.column(first).to_pylist(), table.column(second).to_pylist(), strict=True)
        )
    reference.remove_edges_from(nx.selfloop_edges(reference))
    top_ids = drawing.nodes["id"].to_list()
    assert drawing.edges.height == reference.subgraph(top_ids).number_of_edges()
    assert drawing.nodes["x"].is_between(0, 1).all()
    assert drawing.nodes["y"].is_between(0, 1).all()
    # Each edge's ends are the positions of two drawn accounts.
    positions = set(drawing.nodes.select("x", "y").iter_rows())
    for x, y, x2, y2 in drawing.edges.select("x", "y", "x2", "y2").iter_rows():
        assert (x, y) in positions
        assert (x2, y2) in positions


def test_force_layout_is_seeded_and_keeps_groups_together():
    # Two 5-cliques joined by one edge, and an isolated node.
    clique = [(a, b) for a in range(5) for b in range(a + 1, 5)]
    edges = clique + [(a + 5, b + 5) for a, b in clique] + [(4, 5)]
    sources = np.array([a for a, _ in edges])
    targets = np.array([b for _, b in edges])
    positions = force_layout(11, sources, targets, seed=3)
    assert np.array_equal(positions, force_layout(11, sources, targets, seed=3))
    assert not np.array_equal(positions, force_layout(11, sources, targets, seed=4))
    assert positions.min() == 0.0
    assert positions.max() == 1.0
    first, second = positions[:5], positions[5:10]
    within = np.mean([np.linalg.norm(a - b) for a in first for b in first if a is not b])
    across = np.mean([np.linalg.norm(a - b) for a in first for b in second])
    assert within < 0.6 * across
    assert force_layout(1, np.zeros(0), np.zeros(0)).tolist() == [[0.5, 0.5]]
    with pytest.raises(ParameterError, match="outside"):
        force_layout(2, np.array([0]), np.array([2]))


@pytest.mark.slow
def test_page_is_self_contained(demo_page):
    parser = _Elements()
    parser.feed(demo_page)
    assert parser.external == []  # no src=, no <link>: everything is inline
    assert parser.scripts == ["application/json", "module", "module"]
    assert "vegaEmbed" in demo_page
    # Nothing that would load from the network when shown.
    assert re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", demo_page) is None
    assert "@import" not in demo_page
    assert len(demo_page.encode()) < 2_000_000


@pytest.mark.slow
def test_page_is_deterministic(demo):
    dataset, graph = demo
    pages = [render_html(build_report(graph, sources=dataset.sources), title="t") for _ in range(2)]
    assert pages[0] == pages[1]


def test_account_text_is_escaped_everywhere():
    hostile = '</script><img src=x onerror="alert(1)">'
    accounts = pa.table(
        {
            "id": ["b", "p", "q"],
            "handle": [hostile, "<b>bold</b>", "q&amp;"],
            "name": ["Brand </style>", hostile, "Q"],
            "kind": ["brand", "person", "person"],
            "organization": [None, "b", "b"],
            "title": ["CTO", "CTO <i>", "CIO"],
        }
    )
    follows = pa.table({"follower": ["p", "q", "x", "y"], "followed": ["b", "b", "p", "q"]})
    graph = build_graph(Dataset(accounts=accounts, follows=follows))
    page = render_html(build_report(graph), title=hostile, subject=hostile)
    parser = _Elements()
    parser.feed(page)
    assert "img" not in parser.tags
    assert "b" not in parser.tags
    assert "i" not in parser.tags
    assert parser.scripts == ["application/json", "module", "module"]
    assert "&lt;/script&gt;&lt;img src=x" in page  # shown as text in the tables


def test_graph_without_organizations_says_so():
    graph = follows_graph(TINY_GRAPHS["two_cliques"])
    report = build_report(graph)
    assert report.brands is None
    assert report.experts is None
    assert set(report.notes) == {"brands", "experts"}
    page = render_html(report)
    assert "The data has no organizations" in page
    assert 'id="chart-brands"' not in page
    assert 'id="chart-drawing"' in page


def test_write_report_is_atomic(tmp_path, demo_report):
    with pytest.raises(InputError, match="output folder does not exist"):
        write_report(demo_report, tmp_path / "missing" / "report.html")
    assert not (tmp_path / "missing").exists()
    target = write_report(demo_report, tmp_path / "report.html")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]


def test_missing_vl_convert_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(__import__("sys").modules, "vl_convert", None)
    report_html._bundle_and_versions.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match=r"pip install 'graphkit\[report\]'"):
            report_html.vega_bundle()
        out = tmp_path / "report.html"
        result = CliRunner().invoke(cli, ["report", "--demo", "-q", "-o", str(out)])
        assert result.exit_code == 1
        assert result.output == (
            "Error: the HTML report needs the vl-convert-python package: "
            "pip install 'graphkit[report]'\n"
        )
        assert not out.exists()
    finally:
        report_html._bundle_and_versions.cache_clear()


@pytest.mark.slow
def test_cli_writes_the_demo_report(tmp_path):
    out = tmp_path / "demo.html"
    result = CliRunner().invoke(
        cli,
        ["report", "--demo", "--top", "30", "--draw", "20", "-o", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.stderr
    page = out.read_text(encoding="utf-8")
    start = page.index('id="influencer-table"')
    table = page[start : page.index("</table>", start)]
    assert table.count("<tr>") == 31  # header and 30 rows
    assert "The 20 accounts of most attention" in page
    assert "<title>Influencer report: the demo dataset</title>" in page


@pytest.mark.slow
def test_cli_errors(tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.html"
    missing = runner.invoke(cli, ["report", "--demo"])
    assert missing.exit_code == 2
    assert "Missing option '-o' / '--output'" in missing.output
    too_many = runner.invoke(cli, ["report", "--demo", "--draw", "501", "-o", str(out)])
    assert too_many.exit_code == 2
    unknown = runner.invoke(cli, ["report", "--demo", "--org", "nope", "-q", "-o", str(out)])
    assert unknown.exit_code == 1
    assert unknown.output == (
        "Error: unknown organization 'nope': no brand account has that id and no account "
        "names it as its organization\n"
    )
    bad_input = runner.invoke(cli, ["report", str(tmp_path / "none.csv"), "-o", str(out)])
    assert bad_input.exit_code == 1
    assert bad_input.output == f"Error: {tmp_path / 'none.csv'}: file or folder not found\n"
    assert not out.exists()


def test_cli_help_has_examples():
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert result.exit_code == 0
    assert "Examples:\n    graphkit report --demo -o report.html\n" in result.output
    assert "pip install 'graphkit[report]'" in result.output


class _Elements(html.parser.HTMLParser):
    """Tags of a page, the types of its scripts and any reference to an outside resource."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values.get("type") or "text/javascript")
        if "src" in values or tag == "link":
            self.external.append(f"<{tag} {values}>")


def _html_table(page: str, table_id: str) -> tuple[list[str], list[list[str]]]:
    """Headers and cell values (``data-value``) of one table of the page."""
    found = re.search(rf'<table id="{table_id}".*?</table>', page, re.S)
    assert found is not None, table_id
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', found.group())
    rows = [
        re.findall(r'data-value="([^"]*)"', row)
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(), re.S)
    ]
    return headers, [row for row in rows if row]


def test_every_table_names_its_accounts_without_an_accounts_table():
    # An edge list only (every SNAP graph): no handles, no names; the ids stand in.
    graph = follows_graph(TINY_GRAPHS["two_cliques"])
    page = render_html(build_report(graph), title="Edge list")
    headers, rows = _html_table(page, "influencer-table")
    column = headers.index("Account")
    ids = {str(node) for node in graph.ids.to_pylist()}
    assert {row[column] for row in rows} == ids
    headers, rows = _html_table(page, "community-table")
    column = headers.index("Leaders")
    assert all(row[column] for row in rows)
    assert {leader for row in rows for leader in row[column].split("; ")} <= ids
