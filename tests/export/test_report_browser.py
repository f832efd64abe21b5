"""The demo report in headless Chromium, with the network off: the charts draw, nothing errs.

Needs Debian's ``chromium`` (``.ci/run`` installs it). Without it the tests are skipped with
that reason on a developer's machine and fail in CI.
"""

from __future__ import annotations

import base64
import functools
import os
import re
import struct

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.analysis import rank_influencers
from graphkit.cli.main import cli
from graphkit.data import demo_folder
from graphkit.export.report import Report, build_report, score_histogram
from graphkit.graph import build_graph
from graphkit.io import load_dataset
from tests.export.browser import Browser, find_chromium
from tests.export.test_report import _downloads

# A browser and the demo report per module: seconds, out of the fast tier.
pytestmark = pytest.mark.slow

WIDTH = 1280
# Per chart: its <svg> size and, per kind of mark (rect, symbol, rule, line, text), how many
# marks Vega drew and how many of them have an area or a length on screen.
CHART_STATE = """(() => [...document.querySelectorAll("figure.chart")].map((figure) => {
  const svg = figure.querySelector("svg.marks");
  const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
  const marks = {};
  for (const group of figure.querySelectorAll("g.role-mark")) {
    const kind = [...group.classList].find((name) => name.startsWith("mark-")).slice(5);
    const entry = marks[kind] ?? (marks[kind] = { drawn: 0, visible: 0 });
    for (const mark of group.children) {
      const size = mark.getBBox();
      entry.drawn += 1;
      entry.visible += size.width > 0 || size.height > 0 ? 1 : 0;
    }
  }
  return { id: figure.id, width: box.width, height: box.height, marks };
}))()"""


@pytest.fixture(scope="module")
def chromium() -> str:
    executable = find_chromium()
    if executable is None:
        message = "chromium not found: apt-get install chromium (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return executable


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("report")
    page = folder / "demo.html"
    result = CliRunner().invoke(
        cli,
        # Monthly trend windows: the same chart, a quarter of the windows to rank.
        ["report", "--demo", "--confidence", "20", "--trend-step", "30d", "-q", "-o", str(page)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return page


@pytest.fixture(scope="module")
def opened(chromium, demo_page):
    with Browser(chromium, width=WIDTH, height=900) as browser:
        browser.open(demo_page.as_uri())
        browser.wait_for("document.documentElement.dataset.charts", timeout=60)
        yield browser


def test_charts_draw_offline_without_errors(opened, demo_page):
    assert opened.evaluate("document.documentElement.dataset.charts") == "drawn"
    charts = {chart["id"]: chart for chart in opened.evaluate(CHART_STATE)}
    assert set(charts) == {
        "chart-intervals",
        "chart-trend",
        "chart-scores",
        "chart-degrees",
        "chart-community-sizes",
        "chart-drawing",
        "chart-brands",
        "chart-experts",
    }
    for chart in charts.values():
        assert chart["width"] > 200, chart["id"]
        assert chart["height"] > 100, chart["id"]
        assert chart["marks"], chart["id"]
        for kind, count in chart["marks"].items():
            assert count["visible"] > 0, (chart["id"], kind)
    # One bar per non-empty score bin, one circle per drawn account, one rule per link,
    # three bars per organization, one per expert, one per community.
    drawing = charts["chart-drawing"]["marks"]
    assert drawing["symbol"]["drawn"] == drawing["symbol"]["visible"] == 100
    assert drawing["rule"]["drawn"] > 100
    assert drawing["text"]["drawn"] == 9  # the ranks of the first 9 accounts
    assert charts["chart-community-sizes"]["marks"]["rect"]["drawn"] == 6
    assert charts["chart-brands"]["marks"]["rect"]["drawn"] == 12 * 3
    assert charts["chart-experts"]["marks"]["rect"]["drawn"] == 15
    scores = _demo_ranking(top=None)["score"].to_numpy()
    assert charts["chart-scores"]["marks"]["rect"]["drawn"] == score_histogram(scores).height
    assert charts["chart-degrees"]["marks"]["line"]["drawn"] == 2  # in and out
    # One interval bar and one dot per influencer of the first 25; one line per account
    # followed over time.
    assert charts["chart-intervals"]["marks"]["rect"]["drawn"] == 25
    assert charts["chart-intervals"]["marks"]["symbol"]["drawn"] == 25
    assert charts["chart-trend"]["marks"]["line"]["drawn"] == 8
    # Nothing went wrong and nothing was fetched but the page itself.
    assert opened.log.errors() == []
    assert opened.log.requests == [demo_page.as_uri()]
    assert opened.log.failed_requests == []


def test_screenshot_shows_names_not_ids(opened, tmp_path):
    shot = tmp_path / "report.png"
    opened.screenshot(shot, full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == WIDTH
    assert height > 3000  # every section is laid out, one under the other
    assert len(data) > 300_000  # a blank page of that size compresses to a few kilobytes
    # What the screenshot shows, as the browser laid it out: the text of every section but
    # the computation details, and the text Vega drew in the charts.
    shown = opened.evaluate(
        """[...document.querySelectorAll("header, section:not(#parameters)")]
        .map((element) => element.innerText).join("\\n")"""
    )
    drawn = opened.evaluate(
        """[...document.querySelectorAll("figure.chart svg text")]
        .map((element) => element.textContent).join("\\n")"""
    )
    report = _demo_report()
    labels = dict(report.labels.select("id", "label").rows())
    for account in report.influencers["id"].head(20):
        assert labels[account] in shown
    assert labels[account] != account
    for name in report.community_names.values():
        assert name in shown
    # Chart labels may be cut short with an ellipsis: each starts as its community's name.
    leaders = [name.split(",")[0] for name in report.community_names.values()]
    assert all(leader in drawn for leader in leaders)
    for text in (shown, drawn):
        assert re.search(r"\bb0\d\d\b", text) is None  # organizations by name
        assert re.search(r"\bC\d+\b", text) is None  # communities by name
        assert re.search(r"\bu\d{4}\b", text) is None  # people by name
    assert "Experts of Northwind Cloud for C-level titles" in shown
    assert "title~" not in shown
    assert "How to read this" in shown
    assert shown.count("Download this table (CSV)") == 4


def test_table_sorts_and_searches(opened, demo_page):
    rows_shown = """[...document.querySelectorAll("#influencer-table tbody tr")]
        .filter((row) => !row.hidden)"""
    header_of = """[...document.querySelectorAll("#influencer-table thead th")]
        .find((th) => th.textContent === "{}")"""
    # Sort by followers (most first), then again (fewest first).
    opened.evaluate(header_of.format("Followers") + ".click()")
    column = opened.evaluate(
        """[...document.querySelectorAll("#influencer-table thead th")]
        .findIndex((th) => th.textContent === "Followers")"""
    )
    read = f"{rows_shown}.map((row) => Number(row.cells[{column}].dataset.value))"
    descending = opened.evaluate(read)
    assert len(descending) == 250
    assert descending == sorted(descending, reverse=True)
    opened.evaluate(header_of.format("Followers") + ".click()")
    assert opened.evaluate(read) == sorted(descending)
    # Search: the rows whose name, title, organization or community mention "security".
    opened.evaluate(
        """(() => { const input = document.querySelector("input[data-filter]");
        input.value = "Security"; input.dispatchEvent(new Event("input")); })()"""
    )
    shown = opened.evaluate(f"{rows_shown}.length")
    report = _demo_report()
    labels = dict(report.labels.select("id", "label").rows())
    expected = sum(
        any(
            "security" in (text or "").lower()
            for text in (
                labels[account],
                title,
                labels.get(organization or "", ""),
                report.community_names[community],
            )
        )
        for account, title, organization, community in report.influencers.select(
            "id", "title", "organization", "community"
        ).iter_rows()
    )
    assert shown == expected > 0
    count = opened.evaluate('document.getElementById("influencer-table-count").textContent')
    assert count == f"{expected} of 250 rows"
    opened.evaluate(
        """(() => { const input = document.querySelector("input[data-filter]");
        input.value = ""; input.dispatchEvent(new Event("input")); })()"""
    )
    assert opened.evaluate(f"{rows_shown}.length") == 250


def test_tables_download_as_csv_files(opened, demo_page):
    # The script turns each link's data: address into a Blob (no 2 MB limit): the same file.
    links = opened.evaluate(
        """Promise.all([...document.querySelectorAll("a.download")].map(async (link) => [
            link.getAttribute("download"), link.href.slice(0, 5),
            await (await fetch(link.href)).text()]))"""
    )
    page = demo_page.read_text(encoding="utf-8")
    files = {name: text for name, (text, _) in _downloads(page).items()}
    assert (
        {name for name, _, _ in links}
        == set(files)
        == {
            "top-influencers.csv",
            "communities.csv",
            "people-vs-brand.csv",
            "experts.csv",
        }
    )
    for name, scheme, text in links:
        assert scheme == "blob:"
        assert text == files[name].removeprefix("\ufeff")  # text() drops the byte-order mark
    assert "Ada Brightwater" in {name: text for name, _, text in links}["top-influencers.csv"]


def test_prints(opened):
    opened.call("Emulation.setEmulatedMedia", session=True, media="print")
    try:
        assert opened.evaluate('getComputedStyle(document.querySelector("nav")).display') == "none"
        assert (
            opened.evaluate('getComputedStyle(document.querySelector(".table-tools")).display')
            == "none"
        )
        pdf = base64.b64decode(
            opened.call("Page.printToPDF", session=True, timeout=60, printBackground=True)["data"]
        )
    finally:
        opened.call("Emulation.setEmulatedMedia", session=True, media="")
    assert pdf.startswith(b"%PDF")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= 4


def test_network_is_really_off(opened):
    # The page made no request; check that one would indeed have failed.
    outcome = opened.evaluate(
        "fetch('http://example.com/').then(() => 'reached', () => 'blocked')", timeout=30
    )
    assert outcome == "blocked"


def _demo_ranking(top: int | None = 250) -> pl.DataFrame:
    return rank_influencers(build_graph(load_dataset(demo_folder())), top=top)


@functools.cache
def _demo_report() -> Report:
    return build_report(build_graph(load_dataset(demo_folder())))


def test_the_checks_see_errors_and_requests(chromium, tmp_path):
    # The same checks on a broken page: they must report what the report page does not have.
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><title>broken</title>"
        '<img src="http://example.com/logo.png">'
        "<script>console.error('boom'); missingFunction();</script>",
        encoding="utf-8",
    )
    with Browser(chromium) as browser:
        browser.open(broken.as_uri())
        browser.wait_for("document.readyState === 'complete'")
        errors = browser.log.errors()
    assert "console.error: boom" in errors
    assert any(line.startswith("exception: ReferenceError: missingFunction") for line in errors)
    assert "http://example.com/logo.png" in browser.log.requests
    assert browser.log.failed_requests
