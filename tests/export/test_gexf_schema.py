"""Gephi files against the published GEXF 1.3 schema (tests/data/gexf/1.3).

Two validators: the RELAX NG grammar, the schema's source, puts the ``viz`` elements in their
own namespace as Gephi and networkx read them; the XSD generated from it declares them in the
GEXF namespace, so the XSD check runs on a copy with the ``viz`` elements moved there (every
other element and attribute, the viz attributes' types included, is checked as written).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from graphkit.export import write_gephi
from graphkit.io.graphfiles import GEXF_NAMESPACE, VIZ_NAMESPACE, Drawing, write_graph
from tests.conftest import follows_graph

SCHEMA = Path(__file__).parents[1] / "data" / "gexf" / "1.3"


@pytest.fixture(scope="module")
def grammar() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(SCHEMA / "gexf.rng"))


@pytest.fixture(scope="module")
def xsd() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(SCHEMA / "gexf.xsd"))


def viz_in_gexf_namespace(document: etree._ElementTree) -> etree._ElementTree:
    """A copy with the viz elements in the GEXF namespace, where the XSD declares them."""
    moved = copy.deepcopy(document)
    for element in moved.iter(f"{{{VIZ_NAMESPACE}}}*"):
        element.tag = f"{{{GEXF_NAMESPACE}}}{etree.QName(element).localname}"
    etree.cleanup_namespaces(moved)
    return moved


def check(path: Path, grammar: etree.RelaxNG, xsd: etree.XMLSchema) -> None:
    document = etree.parse(str(path))
    assert grammar.validate(document), grammar.error_log
    assert xsd.validate(viz_in_gexf_namespace(document)), xsd.error_log


def test_a_ranked_gephi_file_is_valid_gexf_13(tmp_path: Path, grammar, xsd) -> None:
    graph = follows_graph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("d", "d")])
    table = pl.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "name": ['<Ada> & "Bo"', None, "  ", "陈静 🚀\x01"],
            "score": [100.0, 50.0, 0.0, 12.5],
            "community": [0, 0, 1, None],
            "is_leader": [True, False, None, True],
        }
    )
    path = tmp_path / "ranked.gexf"
    write_gephi(graph, table, path)
    check(path, grammar, xsd)
    document = etree.parse(str(path))
    assert document.getroot().get("version") == "1.3"
    viz = document.getroot().findall(f".//{{{VIZ_NAMESPACE}}}color")
    assert len(viz) == 4  # the validators saw the drawing, not a file without it


def test_the_validators_refuse_what_the_schema_forbids(tmp_path: Path, grammar, xsd) -> None:
    graph = follows_graph([("a", "b")])
    path = write_graph_of(graph, tmp_path)
    text = path.read_text(encoding="utf-8")
    for broken in (
        text.replace('version="1.3"', 'version="1.2"'),
        re.sub(r'<viz:color r="\d+"', '<viz:color r="256"', text, count=1),
        re.sub(r'<viz:size value="[^"]+"', '<viz:size value="-1"', text, count=1),
        re.sub(r'<viz:position x="[^"]+"', '<viz:position x="far"', text, count=1),
        text.replace('type="long"', 'type="int64"', 1),
    ):
        assert broken != text
        document = etree.fromstring(broken.encode()).getroottree()
        assert not grammar.validate(document)
        assert not xsd.validate(viz_in_gexf_namespace(document))


def write_graph_of(graph, folder: Path) -> Path:
    path = folder / "small.gexf"
    write_gephi(graph, pl.DataFrame({"id": ["a", "b"], "rank": [1, 2], "score": [1.0, 0.0]}), path)
    return path


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(st.one_of(st.none(), st.text(max_size=8)), min_size=1, max_size=6),
    numbers=st.lists(
        st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=6, max_size=6
    ),
)
def test_any_names_and_numbers_stay_valid(
    tmp_path: Path, grammar, xsd, names: list[str | None], numbers: list[float]
) -> None:
    count = len(names)
    ids = [f"{name or ''}#{index}" for index, name in enumerate(names)]
    nodes = pl.DataFrame(
        {
            "id": ids,
            "name": names,
            "colour": ["#00ff7F", None, "#123456", "#abcdef", None, "#000000"][:count],
            "size": [abs(value) for value in numbers[:count]],
            "x": numbers[:count],
            "y": numbers[::-1][:count],
            "value": numbers[:count],
        },
        schema_overrides={"name": pl.String},
    )
    edges = pl.DataFrame({"source": ids, "target": ids[::-1], "weight": numbers[:count]})
    path = tmp_path / "any.gexf"
    drawing = Drawing(colour="colour", size="size", x="x", y="y")
    write_graph(nodes, edges, path, label="name", drawing=drawing)
    check(path, grammar, xsd)
