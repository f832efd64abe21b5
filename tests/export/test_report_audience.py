"""The report's audience section: built from the affinity and segment analyses, shown only for
an audience, with room for the audience's quality."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest

from graphkit.analysis import select_audience
from graphkit.analysis.affinity import affinity_table, audience_segments
from graphkit.analysis.audit import audit_accounts, quality_table
from graphkit.data import demo_folder
from graphkit.export.report import (
    ReportSettings,
    build_audience_section,
    build_report,
    render_html,
    with_audience_quality,
)
from graphkit.export.report.audience import audience_section_html
from graphkit.graph import build_graph
from graphkit.io import Dataset, load_dataset
from tests.conftest import follows_graph

BUYERS = ("title~CTO|CIO|CISO",)


@pytest.fixture(scope="module")
def demo_graph():
    return build_graph(load_dataset(demo_folder()))


def _section(page: str) -> str:
    found = re.search(r'<section id="audience">(.*?)</section>', page, re.S)
    assert found is not None
    return found.group(1)


def test_section_holds_the_analyses_first_rows(demo_graph) -> None:
    section = build_audience_section(demo_graph, BUYERS, affinities=7, segments=4)
    mask = select_audience(demo_graph, BUYERS)
    expected = affinity_table(demo_graph, mask, top=7)
    assert section.affinities is not None
    assert section.affinities.drop("label", "profile", "shown_handle").equals(expected)
    segments = audience_segments(demo_graph, mask).table.head(4)
    assert section.segments["size"].to_list() == segments["size"].to_list()
    assert section.size == int(mask.sum())
    # Quality: the audience's own members first, then the followers of the top affinities.
    audit = audit_accounts(demo_graph)
    quality = section.quality
    assert quality is not None
    assert quality["account"].to_list()[0] == "The audience's own members"
    assert quality.row(0, named=True)["followers"] == int(mask.sum())
    flagged = int(((audit.suspicion >= 0.5) & mask).sum())
    assert quality.row(0, named=True)["suspicious"] == flagged
    assert quality.height == 1 + min(10, section.affinities.height)
    expected_quality = quality_table(
        demo_graph, audit, demo_graph.index_of(expected["id"].head(10).to_list())
    )
    assert quality["suspicious"].to_list()[1:] == expected_quality["suspicious_followers"].to_list()
    looks = quality["looks_authentic"].drop_nulls()
    assert ((looks >= 0) & (looks <= 1)).all()


@pytest.mark.slow
def test_report_shows_the_section_only_for_an_audience(demo_graph) -> None:
    plain = build_report(demo_graph, settings=ReportSettings(top=10, draw=0))
    assert plain.audience_section is None
    assert 'id="audience"' not in render_html(plain)
    report = build_report(demo_graph, settings=ReportSettings(top=10, draw=0, audience=BUYERS))
    assert report.audience_section is not None
    page = render_html(report)
    assert '<a href="#audience">Audience</a>' in page
    section = _section(page)
    assert "What the audience pays attention to: C-level titles (CTO, CIO, CISO)" in section
    affinities = report.audience_section.affinities
    assert affinities is not None
    first = affinities.row(0, named=True)
    assert f">{first['label']}</a>" in section  # names, not ids
    assert f"{first['lift']:,.1f}x" in section
    assert "Audience quality" in section
    assert "The audience&#x27;s own members" in section or "The audience's own members" in section
    # Other figures, when given, replace the audit's.
    quality = pl.DataFrame({"measure": ["suspicious followers"], "value": [0.042]})
    page = render_html(with_audience_quality(report, quality))
    section = _section(page)
    assert "Audience quality" in section
    assert "suspicious followers" in section
    assert "0.042" in section


def test_everyone_as_audience_gives_a_note_not_a_failure() -> None:
    graph = follows_graph([("a", "b"), ("b", "c"), ("c", "a")])
    report = build_report(graph, settings=ReportSettings(audience=("id=a,b,c",)))
    section = report.audience_section
    assert section is not None
    assert section.affinities is None
    assert section.note is not None
    assert "no base rate" in section.note
    page = _section(render_html(report))
    assert "no base rate" in page
    assert not np.isnan(section.segments["share"].to_numpy()).any()


def test_odd_audiences_read_right() -> None:
    graph = follows_graph([("a", "x"), ("b", "x"), ("c", "y")])
    idle = build_audience_section(graph, ("id=x",))  # follows nobody
    assert idle.affinities is not None
    assert idle.affinities.is_empty()
    assert idle.note == "No affinities: no member of the audience follows or engages with anyone."
    page = audience_section_html(idle, "")
    assert "What the audience pays attention to: id=x</h2>" in page
    assert "(id=x: 1 account, 0 of them" in page
    assert "No affinities: no member of the audience" in page
    rare = build_audience_section(graph, ("id=a",))  # x has 1 audience member, fewer than 3
    assert (
        rare.note == "No account is followed or engaged with by 3 or more members of the audience."
    )
    assert "No account is followed" in audience_section_html(rare, "")


def test_leaders_named_by_id_even_with_the_separator_in_it() -> None:
    follows = pl.DataFrame(
        [("a", "b"), ("b", "a"), ("a", "p; q"), ("b", "p; q")], schema=["follower", "followed"],
        orient="row",
    )  # fmt: skip
    accounts = pl.DataFrame({"id": ["p; q", "p"], "name": ["Pee Queue", "Pee"]})
    graph = build_graph(Dataset(follows=follows.to_arrow(), accounts=accounts.to_arrow()))
    section = build_audience_section(graph, ("id=a,b",))
    assert section.segments["leader_labels"].to_list() == ["Pee Queue, a, b"]  # not "Pee, q"
