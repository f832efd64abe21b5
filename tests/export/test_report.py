"""The HTML report: its content against the analyses it is built from, the page, the command."""

from __future__ import annotations

import base64
import hashlib
import html.parser
import io
import json
import re
from datetime import UTC, datetime

import networkx as nx
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from click.testing import CliRunner

import graphkit
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
from graphkit.export.report.naming import account_labels, community_names, describe_audience
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
    # Nothing that would load from the network when shown: web addresses only on profile
    # links (followed when clicked), which open in a new tab without the page as referrer.
    assert re.search(r"""src\s*=\s*["']?\s*(https?:)?//""", demo_page) is None
    assert parser.links
    for link in parser.links:
        href = link["href"] or ""
        if href.startswith("#"):  # the sections
            assert href[1:] in parser.ids
        elif href.startswith("data:"):
            assert href.startswith("data:text/csv;charset=utf-8;base64,")
            assert link["download"]
        else:
            assert href.startswith("https://"), href
            assert link["rel"] == "noopener noreferrer"
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
        ["report", "--demo", "--top", "30", "--draw", "20", "--no-trend", "-o", str(out)],
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
    assert 'id="trend"' not in page


@pytest.mark.slow
def test_cli_errors(tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.html"
    missing = runner.invoke(cli, ["report", "--demo"])
    assert missing.exit_code == 2
    assert "Missing option '-o' / '--output'" in missing.output
    too_many = runner.invoke(cli, ["report", "--demo", "--draw", "501", "-o", str(out)])
    assert too_many.exit_code == 2
    for option, value in (("--trend-window", "soon"), ("--trend-step", "-1d")):
        bad = runner.invoke(cli, ["report", "--demo", option, value, "-o", str(out)])
        assert bad.exit_code == 2, (option, bad.output)
        assert f"Invalid value for '{option}'" in bad.output
    for value in ("0", "1", "1.5"):
        bad = runner.invoke(cli, ["report", "--demo", "--level", value, "-o", str(out)])
        assert bad.exit_code == 2
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
        self.links: list[dict[str, str | None]] = []  # the attributes of each <a href>
        self.handlers: list[str] = []  # on...= attributes
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.handlers += [name for name in values if name.startswith("on")]
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and "href" in values:
            self.links.append(values)
        if tag == "script":
            self.scripts.append(values.get("type") or "text/javascript")
        if "src" in values or tag == "link":
            self.external.append(f"<{tag} {values}>")


def _html_table(page: str, table_id: str) -> tuple[list[str], list[list[str]]]:
    """Headers and cell values (``data-value``, unescaped) of one table of the page."""
    found = re.search(rf'<table id="{table_id}".*?</table>', page, re.S)
    assert found is not None, table_id
    headers = [
        html.unescape(header)
        for header in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', found.group())
    ]
    rows = [
        [html.unescape(value) for value in re.findall(r'data-value="([^"]*)"', row)]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(), re.S)
    ]
    return headers, [row for row in rows if row]


def test_every_table_names_its_accounts_without_an_accounts_table():
    # An edge list only (every SNAP graph): no handles, no names; the ids stand in.
    graph = follows_graph(TINY_GRAPHS["two_cliques"])
    page = render_html(build_report(graph), title="Edge list")
    headers, rows = _html_table(page, "influencer-table")
    column = headers.index("Name")
    ids = {str(node) for node in graph.ids.to_pylist()}
    assert {row[column] for row in rows} == ids
    headers, rows = _html_table(page, "community-table")
    column = headers.index("Leaders")
    assert all(row[column] for row in rows)
    assert {leader for row in rows for leader in row[column].split(", ")} <= ids


def _visible_text(page: str) -> str:
    """The page's text as a reader sees it: no tags, attributes, scripts or styles."""
    parser = _Text()
    parser.feed(page)
    return " ".join(parser.parts)


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}"')
    return page[start : page.index("</section>", start)]


def _strings(value: object) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _label(row: dict) -> str:
    for key in ("name", "handle"):
        if row.get(key) and row[key].strip():
            return row[key].strip()
    return row["id"]


@pytest.mark.slow
def test_demo_page_names_accounts_organizations_and_communities(demo, demo_report, demo_page):
    dataset, graph = demo
    accounts = {row["id"]: row for row in pl.from_arrow(dataset.accounts).iter_rows(named=True)}
    headers, rows = _html_table(demo_page, "influencer-table")
    influencers = demo_report.influencers
    names = [row[headers.index("Name")] for row in rows]
    assert names == [_label(accounts[key]) for key in influencers["id"]]
    organizations = [row[headers.index("Organization")] for row in rows]
    expected = ["" if org is None else _label(accounts[org]) for org in influencers["organization"]]
    assert organizations == expected
    assert "Northwind Cloud" in organizations
    # Communities: named by their leaders (by rank), then their most common title and topic.
    communities = [row[headers.index("Community")] for row in rows]
    assert communities == [demo_report.community_names[c] for c in influencers["community"]]
    summary = demo_report.community_overview
    named = demo_report.community_names
    assert len(set(named.values())) == len(named)
    for community, leaders, titles, topics in summary.select(
        "community", "leaders", "top_titles", "top_topics"
    ).iter_rows():
        people = ", ".join(_label(accounts[key]) for key in leaders.split("; ")[:2])
        title = titles.split(" (")[0]
        topic = topics.split(" (")[0]
        assert named[community] == f"{people} · {title}s · {topic}"
    # What a reader sees, apart from the computation details, holds no ids: no organization
    # ids (b001), no community numbers (C0), no account id; nor do the charts.
    ids = set(accounts) | {str(key) for key in graph.ids.to_pylist()}
    text = _visible_text(demo_page.replace(_section(demo_page, "parameters"), ""))
    assert re.search(r"\bb0\d\d\b", text) is None
    assert re.search(r"\bC\d+\b", text) is None
    assert "title~" not in text  # the audience in words
    assert "Experts of Northwind Cloud for C-level titles" in text
    assert "Modularity" not in text
    specs = json.loads(re.search(r'id="chart-specs">(.*?)</script>', demo_page, re.S).group(1))
    shown = set(_strings(specs))
    assert not shown & ids
    assert not {value for value in shown if re.fullmatch(r"C\d+", value)}
    assert set(named.values()) <= shown


def test_scores_show_pagerank_on_hover(demo_report, demo_page):
    table = re.search(r'<table id="influencer-table".*?</table>', demo_page, re.S).group()
    titles = re.findall(r'<td class="number" title="([^"]*)" data-value="([^"]*)"', table)
    pageranks = demo_report.influencers["pagerank"].to_list()
    assert [title for title, _ in titles] == [f"PageRank {value:.6g}" for value in pageranks]
    assert [float(score) for _, score in titles] == demo_report.influencers["score"].to_list()


def _downloads(page: str) -> dict[str, tuple[str, str]]:
    """File name to (text, the id of the table after the link) of every CSV download."""
    found = {}
    for match in re.finditer(
        r'<a class="download" download="([^"]+)" href="data:text/csv;charset=utf-8;base64,'
        r'([^"]+)">.*?<table id="([^"]+)"',
        page,
        re.S,
    ):
        found[match[1]] = (base64.b64decode(match[2]).decode("utf-8"), match[3])
    return found


def test_every_table_downloads_as_csv(demo_page):
    downloads = _downloads(demo_page)
    assert set(downloads) == {
        "top-influencers.csv",
        "communities.csv",
        "people-vs-brand.csv",
        "experts.csv",
    }
    for text, table_id in downloads.values():
        assert text.startswith("\ufeff")  # spreadsheets then read UTF-8 names right
        frame = pl.read_csv(io.StringIO(text[1:]), infer_schema=False)
        headers, rows = _html_table(demo_page, table_id)
        # The columns shown first, under the same headings, then the CSV-only ones.
        assert frame.columns[: len(headers)] == headers
        assert frame.height == len(rows)
        for position, header in enumerate(headers):
            shown = [row[position] for row in rows]
            assert frame[header].fill_null("").to_list() == shown, (table_id, header)
    influencers = pl.read_csv(io.StringIO(downloads["top-influencers.csv"][0][1:]))
    assert influencers.columns[-4:] == ["Handle", "Profile", "PageRank", "Account id"]
    assert influencers["Profile"].str.starts_with("https://").all()
    assert influencers["PageRank"].is_between(0, 1).all()


def test_hostile_names_and_addresses_stay_text():
    hostile = "<script>alert(1)</script>"
    accounts = pa.table(
        {
            "id": ["b", "p", "q", "r", "s"],
            "handle": ["brand", "pat", "=cmd|' /C calc'!A0", "ron", 'x" onclick="alert(1)'],
            "name": ["Brand", hostile, '=HYPERLINK("https://evil.example")', "", None],
            "kind": ["brand", "person", "person", "person", "person"],
            "organization": [None, "b", "b", "b", "b"],
            "platform": ["x", "x", "x", "x", "x"],
            "url": [
                "javascript:alert(1)",
                'https://example.com/p" onmouseover="alert(1)',
                "data:text/html,<script>alert(1)</script>",
                None,
                None,
            ],
        }
    )
    follows = pa.table(
        {"follower": ["p", "q", "r", "s", "x", "y"], "followed": ["b", "b", "p", "q", "r", "s"]}
    )
    graph = build_graph(Dataset(accounts=accounts, follows=follows))
    page = render_html(build_report(graph, settings=ReportSettings(audience=("id=x,y",))))
    parser = _Elements()
    parser.feed(page)
    assert parser.scripts == ["application/json", "module", "module"]
    assert parser.handlers == []
    hrefs = [link["href"] or "" for link in parser.links]
    profiles = sorted(href for href in hrefs if not href.startswith(("#", "data:")))
    # Addresses that are not plain http(s) give way to the handle's profile on the platform;
    # a handle that is no handle gives no link.
    assert set(profiles) == {"https://x.com/brand", "https://x.com/pat", "https://x.com/ron"}
    assert "javascript:" not in "".join(hrefs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Experts of Brand for 2 chosen accounts" in _visible_text(page)
    # The CSV files guard formulas as plain CSV results do.
    text, _ = _downloads(page)["top-influencers.csv"]
    frame = pl.read_csv(io.StringIO(text[1:]), infer_schema=False)
    assert '\'=HYPERLINK("https://evil.example")' in frame["Name"].to_list()
    assert "'=cmd|' /C calc'!A0" in frame["Handle"].to_list()


def test_community_names_by_leaders_titles_and_topics(tmp_path):
    # Two triangles; the leaders of both are named "Sam Roy", so the names must still differ.
    pairs = [("a", "b"), ("c", "b"), ("b", "a"), ("x", "y"), ("z", "y"), ("y", "z")]
    accounts = pa.table(
        {
            "id": ["a", "b", "c", "x", "y", "z"],
            "name": ["Dana Lee", "Sam Roy", None, None, "Sam Roy", "Kim"],
            "handle": [None, None, "cee", None, None, None],
            "title": ["CTO", "CTO", "Head of Sales", None, " ", None],
            "topics": [["cloud"], ["cloud", "ai"], ["security"], [], [], []],
        }
    )
    follows = pa.table({"follower": [a for a, _ in pairs], "followed": [b for _, b in pairs]})
    graph = build_graph(Dataset(follows=follows, accounts=accounts))
    partition = communities(graph)
    summary = community_summary(graph, partition, pagerank(graph))
    labels = account_labels(graph, graph.ids.to_pylist())
    label_of = dict(labels.select("id", "label").rows())
    assert label_of == {
        "a": "Dana Lee",
        "b": "Sam Roy",
        "c": "cee",
        "x": "x",
        "y": "Sam Roy",
        "z": "Kim",
    }
    names = community_names(graph, partition.membership, summary, [0, 1], label_of)
    first = partition.membership[graph.index_of(["b"])[0]]
    second = 1 - first
    assert names[first] == "Sam Roy, Dana Lee · CTOs · cloud"
    assert names[second] in ("Sam Roy, Kim", "Sam Roy, Kim (2)")
    assert len(set(names.values())) == 2
    # An id file is named by the file, not listed.
    ids = tmp_path / "buyers.txt"
    ids.write_text("a\nb\n", encoding="utf-8")
    assert (
        describe_audience([str(ids), "topic=ai"]) == "the accounts listed in buyers.txt or topic ai"
    )
    assert describe_audience(["title~CTO|Cargo"]) == "titles containing CTO or Cargo"


def _specs(page: str) -> dict:
    found = re.search(r'id="chart-specs">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.slow
def test_confidence_shows_interval_bars(demo):
    dataset, _ = demo
    graph = build_graph(dataset, square_weights=True)
    settings = ReportSettings(top=40, confidence=20, level=0.8, seed=3)
    report = build_report(graph, settings=settings)
    expected = rank_influencers(
        graph, top=40, communities=report.community_result, confidence=20, level=0.8, seed=3
    )
    assert report.influencers.equals(expected)
    page = render_html(report)
    # The chart: one bar per influencer of the first 25, over its ranks, a dot at its rank.
    chart = _specs(page)["chart-intervals"]
    assert chart["title"]["text"] == "How sure each rank is (80% intervals)"
    values = chart["data"]["values"]
    top = expected.head(25)
    assert [row["rank"] for row in values] == top["rank"].to_list()
    assert [row["bar_from"] + 0.4 for row in values] == pytest.approx(top["rank_low"].to_list())
    assert [row["bar_to"] - 0.4 for row in values] == pytest.approx(top["rank_high"].to_list())
    labels = dict(report.labels.select("id", "label").rows())
    assert [row["label"] for row in values] == [labels[key] for key in top["id"]]
    assert all(row["rank_low"] <= row["rank"] <= row["rank_high"] for row in top.to_dicts())
    # The table: the likely ranks, sorted by their start; the CSV: both ends.
    headers, rows = _html_table(page, "influencer-table")
    assert [row[headers.index("Likely rank")] for row in rows] == [
        str(low) for low in expected["rank_low"]
    ]
    table = re.search(r'<table id="influencer-table".*?</table>', page, re.S).group()
    low, high = expected["rank_low"][9], expected["rank_high"][9]
    assert f">{low}\u2013{high}</td>" in table
    text, _ = _downloads(page)["top-influencers.csv"]
    frame = pl.read_csv(io.StringIO(text[1:]))
    assert frame["Rank low"].to_list() == expected["rank_low"].to_list()
    assert frame["Rank high"].to_list() == expected["rank_high"].to_list()
    assert report.parameters["Rank intervals"] == (
        "20 bootstrap replicates (Poisson, seed 3), level 0.8"
    )


@pytest.mark.slow
def test_trend_follows_the_top_influencers(tmp_path, monkeypatch):
    days = [datetime(2026, 1, day, hour, tzinfo=UTC) for day in range(1, 11) for hour in (1, 2)]
    sources = ["a", "b", "c", "d", "e"] * 4
    targets = ["b", "c", "a", "a", "c", "a", "b", "e", "b", "c"] * 2
    interactions = pl.DataFrame(
        {"source": sources, "target": targets, "type": ["repost"] * 20, "timestamp": days}
    )
    accounts = pl.DataFrame({"id": ["a", "b", "c"], "name": ["Ann Lee", "Bo Roy", "Cy Day"]})
    out = graphkit.report(
        interactions=interactions,
        accounts=accounts,
        output=tmp_path / "trend.html",
        trend_window="3d",
        trend_step="2d",
    )
    page = out.read_text(encoding="utf-8")
    expected = graphkit.trend(interactions=interactions, accounts=accounts, window="3d", step="2d")
    ranked = graphkit.rank(interactions=interactions, accounts=accounts)
    followed = ranked["id"].head(8).to_list()
    expected = expected.filter(pl.col("id").is_in(followed)).sort("window_start", "rank")
    names = {"a": "Ann Lee", "b": "Bo Roy", "c": "Cy Day"}
    values = _specs(page)["chart-trend"]["data"]["values"]
    assert [(row["label"], row["rank"]) for row in values] == [
        (names.get(key, key), rank) for key, rank in expected.select("id", "rank").iter_rows()
    ]
    assert [row["window_end"] for row in values] == [
        f"{end:%Y-%m-%dT%H:%M:%SZ}" for end in expected["window_end"]
    ]
    assert 'href="#trend"' in page
    assert "windows of 3 days, every 2 days, 2026-01-01 to" in _visible_text(page)
    # Without times, or with --no-trend: no chart, and a note saying why (none asked: none).
    follows = pl.DataFrame({"follower": ["a", "b"], "followed": ["b", "c"]})
    untimed = graphkit.report(follows=follows, output=tmp_path / "untimed.html")
    page = untimed.read_text(encoding="utf-8")
    assert "chart-trend" not in _specs(page)
    assert "No trend over time: nothing has a time" in _visible_text(page)
    skipped = graphkit.report(
        interactions=interactions, output=tmp_path / "none.html", trend=False
    ).read_text(encoding="utf-8")
    assert 'id="trend"' not in skipped
    assert 'href="#trend"' not in skipped
    # Unasked, only on graphs small enough: each window ranks the whole graph again.
    monkeypatch.setattr(graphkit.app.api, "REPORT_TREND_EDGES", 5)
    large = graphkit.report(interactions=interactions, output=tmp_path / "large.html")
    page = large.read_text(encoding="utf-8")
    assert "chart-trend" not in _specs(page)
    assert re.search(
        r"The trend over time was left out: each time window ranks all \d+ links again\. "
        r"Ask for it with --trend\.",
        _visible_text(page),
    )
    asked = graphkit.report(interactions=interactions, output=tmp_path / "asked.html", trend=True)
    assert "chart-trend" in _specs(asked.read_text(encoding="utf-8"))
