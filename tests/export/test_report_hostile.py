"""The HTML report against hostile data and options: namesakes, controls, links-free graphs,
trend windows it cannot make, standard input, NaN options."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import polars as pl
import pyarrow as pa
import pytest
from click.testing import CliRunner

import graphkit
from graphkit.algorithms import communities, pagerank
from graphkit.analysis import community_summary
from graphkit.cli.main import cli
from graphkit.errors import ParameterError
from graphkit.export.report import ReportSettings, build_report, charts, render_html
from graphkit.export.report.content import _windows_text
from graphkit.export.report.html import _json_for_script
from graphkit.export.report.naming import account_labels, community_names
from graphkit.graph import build_graph
from graphkit.io import Dataset


def _specs(page: str) -> dict:
    found = re.search(r'id="chart-specs">(.*?)</script>', page, re.S)
    assert found is not None
    return dict(json.loads(found.group(1)))


def test_namesakes_stay_two_bars_in_the_charts():
    # Two experts of the same name: one bar each, not one bar of both scores stacked.
    accounts = pa.table(
        {
            "id": ["b", "p", "q", "x", "y"],
            "name": ["Brand", "Dana Lee", "Dana Lee", "Ceo One", "Ceo Two"],
            "kind": ["brand", "person", "person", "person", "person"],
            "organization": [None, "b", "b", None, None],
            "title": [None, "Engineer", "Engineer", "CEO", "CEO"],
        }
    )
    follows = pa.table({"follower": ["x", "y", "x", "y"], "followed": ["p", "q", "b", "p"]})
    graph = build_graph(Dataset(accounts=accounts, follows=follows))
    page = render_html(build_report(graph, settings=ReportSettings(org="b")))
    labels = [row["label"] for row in _specs(page)["chart-experts"]["data"]["values"]]
    assert sorted(labels) == ["Dana Lee (p)", "Dana Lee (q)"]
    # The tables keep the name as it is.
    assert page.count(">Dana Lee<") >= 2
    frame = pl.DataFrame({"id": ["a", "b", "a"], "label": ["Kim", "Kim", "Kim"]})
    assert charts.distinct_labels(frame)["label"].to_list() == ["Kim (a)", "Kim (b)", "Kim (a)"]


def test_chart_data_escapes_line_separators():
    text = _json_for_script({"name": "a\u2028b\u2029</script><!--&"})
    assert "\u2028" not in text
    assert "\u2029" not in text
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"name": "a\u2028b\u2029</script><!--&"}


def test_a_graph_without_links_draws_empty_log_axes():
    # One account that only follows itself: no link left, no degree to draw on a log scale.
    graph = build_graph(Dataset(follows=pa.table({"follower": ["a"], "followed": ["a"]})))
    spec = _specs(render_html(build_report(graph)))["chart-degrees"]
    assert spec["data"]["values"] == []
    assert spec["encoding"]["x"]["scale"]["domain"] == [1, 10]
    assert spec["encoding"]["color"]["legend"] is None


def test_labels_drop_bidi_controls_and_stay_short():
    accounts = pa.table(
        {
            "id": ["a", "b", "c"],
            "name": ["\u202eevil", "x" * 10_000, "\tother\ncommunities"],
        }
    )
    follows = pa.table({"follower": ["a", "b", "c"], "followed": ["b", "c", "a"]})
    graph = build_graph(Dataset(accounts=accounts, follows=follows))
    labels = dict(account_labels(graph, ["a", "b", "c"]).select("id", "label").rows())
    assert labels["a"] == "evil"
    assert len(labels["b"]) == 120
    assert labels["b"].endswith("\u2026")
    assert labels["c"] == "other communities"
    # A community named like the charts' group of uncoloured communities is renamed.
    partition = communities(graph)
    summary = community_summary(graph, partition, pagerank(graph), leaders=1)
    only = {"c": "other communities", "a": "other communities", "b": "other communities"}
    names = community_names(graph, partition.membership, summary, [0], only)
    assert names[0] != charts.OTHER


def _interactions(first: datetime) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source": ["a", "b", "c"],
            "target": ["b", "c", "a"],
            "type": ["mention"] * 3,
            "timestamp": [
                first,
                datetime(2025, 1, 1, tzinfo=UTC),
                datetime(2025, 1, 2, tzinfo=UTC),
            ],
        }
    )


def test_windows_the_trend_cannot_make(tmp_path):
    # A stray timestamp a thousand years back: 50,000 weekly windows, over the limit.
    interactions = _interactions(datetime(1000, 1, 1, tzinfo=UTC))
    page = graphkit.report(interactions=interactions, output=tmp_path / "auto.html")
    text = page.read_text(encoding="utf-8")
    assert "chart-trend" not in _specs(text)
    assert "give a longer --trend-step" in text  # unasked: a note, the rest of the report
    with pytest.raises(ParameterError, match="--trend-step"):
        graphkit.report(interactions=interactions, output=tmp_path / "asked.html", trend=True)
    assert not (tmp_path / "asked.html").exists()


def test_one_window_and_short_windows_read_right():
    start = datetime(2025, 1, 1, tzinfo=UTC)
    one = pl.DataFrame(
        {"window_start": [start], "window_end": [start + timedelta(milliseconds=500)]}
    )
    assert _windows_text(one) == "1 window of 500 milliseconds, 2025-01-01 to 2025-01-01"


def test_trend_from_standard_input_says_why(tmp_path):
    out = tmp_path / "stdin.html"
    result = CliRunner().invoke(
        cli,
        ["report", "--follows", "-", "-q", "-o", str(out)],
        input="follower,followed,since\na,b,2025-01-01\nb,c,2025-02-01\nc,a,2025-03-01\n",
    )
    assert result.exit_code == 0, result.output
    assert "standard input or a pipe, which can be read only once" in out.read_text("utf-8")


@pytest.mark.parametrize(
    ("option", "value"), [("--level", "nan"), ("--damping", "nan"), ("--confidence", "100001")]
)
def test_cli_refuses_nan_and_huge_options(tmp_path, option, value):
    data = tmp_path / "follows.csv"
    data.write_text("follower,followed\na,b\n", encoding="utf-8")
    out = tmp_path / "out.html"
    result = CliRunner().invoke(
        cli, ["report", "--follows", str(data), option, value, "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "options",
    [
        {"trend_window": timedelta(0)},
        {"trend_step": timedelta(days=-1)},
        {"trend": "yes"},
        {"top": 2.5},
    ],
)
def test_api_refuses_bad_options_before_writing(tmp_path, options):
    follows = pl.DataFrame({"follower": ["a", "b"], "followed": ["b", "c"]})
    with pytest.raises(ParameterError):
        graphkit.report(follows=follows, output=tmp_path / "out.html", **options)
    assert not (tmp_path / "out.html").exists()


def test_dot_handles_build_no_profile_link():
    # "https://x.com/.." is x.com itself: a handle of dots links nowhere.
    accounts = pa.table({"id": ["a", "b"], "handle": ["..", "ok.name"], "platform": ["x", "x"]})
    graph = build_graph(
        Dataset(accounts=accounts, follows=pa.table({"follower": ["a"], "followed": ["b"]}))
    )
    urls = dict(account_labels(graph, ["a", "b"]).select("id", "url").rows())
    assert urls == {"a": None, "b": "https://x.com/ok.name"}
