"""Selectors and id lists of the public functions: types checked once (graphkit.app.selectors),
and ids the identities merged away read as the account they became."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

import graphkit
from graphkit.analysis.audience import resolve_ids, select_audience
from graphkit.app import audience_mask
from graphkit.app.selectors import ACCOUNT_IDS, SELECTORS, text_items
from graphkit.errors import ParameterError
from graphkit.graph import build_graph
from graphkit.io import Dataset

MISSING = "no/such/dataset"  # the errors come before the data is read

ACCOUNTS = pl.DataFrame(
    {
        "id": ["acme", "maya", "bob", "ana"],
        "kind": ["brand", "person", "person", "person"],
        "organization": [None, "acme", None, None],
        "title": [None, "Architect", "CTO", "Analyst"],
    }
)
FOLLOWS = pl.DataFrame({"follower": ["bob", "ana", "bob"], "followed": ["maya", "maya", "ana"]})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: graphkit.rank(MISSING, audience=[1, 2]),
         f"audience: expected {SELECTORS}, got 1 (int): ids are text, write 'id=1'"),
        (lambda: graphkit.rank(MISSING, audience=5),
         f"audience: expected {SELECTORS}, got 5 (int): ids are text, write 'id=5'"),
        (lambda: graphkit.rank(MISSING, audience=[None]),
         f"audience: expected {SELECTORS}, got None (NoneType)"),
        (lambda: graphkit.rank(MISSING, audience=b"title~CTO"),
         f"audience: expected {SELECTORS}, got b'title~CTO' (bytes)"),
        (lambda: graphkit.rank(MISSING, audience={"title": "CTO"}),
         f"audience: expected {SELECTORS}, got {{'title': 'CTO'}} (dict)"),
        (lambda: graphkit.explain(MISSING, account="a", audience=["id=a", 2.5]),
         f"audience: expected {SELECTORS}, got 2.5 (float): ids are text, write 'id=2.5'"),
        (lambda: graphkit.experts(MISSING, org="acme", audience=0),
         f"audience: expected {SELECTORS}, got 0 (int): ids are text, write 'id=0'"),
        (lambda: graphkit.experts(MISSING, org="acme", topics=["cloud", None]),
         "topics: expected topics (text), got None (NoneType)"),
        (lambda: graphkit.brands(MISSING, orgs=[7]),
         "orgs: expected organization ids (text), got 7 (int): ids are text, write '7'"),
        (lambda: graphkit.audience_affinities(MISSING, audience=[None]),
         f"audience: expected {SELECTORS}, got None (NoneType)"),
        (lambda: graphkit.audience_segments(MISSING, audience=3),
         f"audience: expected {SELECTORS}, got 3 (int): ids are text, write 'id=3'"),
        (lambda: graphkit.audit(MISSING, ids=["a", 1]),
         f"ids: expected {ACCOUNT_IDS}, got 1 (int): ids are text, write '1'"),
        (lambda: graphkit.audit(MISSING, trusted=[None]),
         f"trusted: expected {SELECTORS}, got None (NoneType)"),
        (lambda: graphkit.lookalikes(MISSING, seeds=[1]),
         f"seeds: expected {ACCOUNT_IDS}, got 1 (int): ids are text, write '1'"),
        (lambda: graphkit.lookalikes(MISSING, seeds=5),
         f"seeds: expected {ACCOUNT_IDS}, got 5 (int): ids are text, write '5'"),
        (lambda: graphkit.warm_paths(MISSING, organization="acme", targets=[np.int64(3)]),
         f"targets: expected {SELECTORS}, got np.int64(3) (int64): ids are text, write 'id=3'"),
        (lambda: graphkit.explain(MISSING, account=5),
         "account: expected an account id (text), got 5 (int): ids are text, write '5'"),
        (lambda: graphkit.paths(MISSING, source="a", target=None),
         "target: expected an account id (text), got None (NoneType)"),
        (lambda: graphkit.experts(MISSING, org=5),
         "org: expected an organization id (text), got 5 (int): ids are text, write '5'"),
        (lambda: graphkit.trend(MISSING, audience=[True]),
         f"audience: expected {SELECTORS}, got True (bool)"),
    ],
)  # fmt: skip
def test_wrong_types_are_refused_naming_the_parameter_and_the_item(call: Any, message: str):
    with pytest.raises(ParameterError) as error:
        call()
    assert str(error.value) == message
    assert "\n" not in str(error.value)


def test_what_text_items_accepts() -> None:
    assert text_items(None, "audience", SELECTORS) == []
    assert text_items([], "audience", SELECTORS) == []
    assert text_items("title~CTO", "audience", SELECTORS) == ["title~CTO"]
    assert text_items(("a", "b"), "seeds", ACCOUNT_IDS) == ["a", "b"]
    assert text_items(pl.Series(["x", "é"]), "seeds", ACCOUNT_IDS) == ["x", "é"]
    assert text_items(Path("ids.txt"), "targets", SELECTORS, paths=True) == ["ids.txt"]
    assert text_items([Path("a.txt"), "id=b"], "targets", SELECTORS, paths=True) == [
        "a.txt",
        "id=b",
    ]
    # An audience selector may be a file of ids: a path object names it as its text does.
    assert text_items(Path("ids.txt"), "audience", SELECTORS) == ["ids.txt"]
    with pytest.raises(ParameterError, match=r"^seeds: .* got PosixPath\('ids.txt'\)"):
        text_items(Path("ids.txt"), "seeds", ACCOUNT_IDS)  # ids are not files


def test_an_empty_list_is_no_audience_as_before() -> None:
    plain = graphkit.rank(follows=FOLLOWS)
    assert graphkit.rank(follows=FOLLOWS, audience=[]).equals(plain)
    assert graphkit.rank(follows=FOLLOWS, audience=()).equals(plain)


# Identity merges: bob's two other accounts, and a chain (old -> ana -> maya is applied once).
MERGED_FOLLOWS = pl.DataFrame(
    {
        "follower": ["bob_x", "bob_li", "ana", "old", "zoë"],
        "followed": ["maya", "ana", "maya", "bob_x", "maya"],
    }
)
IDENTITIES = pl.DataFrame(
    {
        "account": ["bob_x", "bob_li", "old", "ghost", "ana", "zoë"],
        "person": ["bob", "bob", "ana", "nobody", "maya", "ζωή"],
    }
)


def _mask_ids(loaded: graphkit.Loaded, audience: Any) -> list[str]:
    mask = audience_mask(loaded, audience)
    assert mask is not None
    return sorted(loaded.graph.ids_of(np.flatnonzero(mask)).to_list())


def test_alias_ids_select_the_account_they_were_merged_into(tmp_path: Path) -> None:
    loaded = graphkit.open_data(follows=MERGED_FOLLOWS, identities=IDENTITIES)
    assert set(loaded.graph.ids.to_pylist()) == {"bob", "maya", "ana", "ζωή"}
    assert _mask_ids(loaded, "id=bob_x") == ["bob"]
    assert _mask_ids(loaded, "id=bob_li,maya") == ["bob", "maya"]
    assert _mask_ids(loaded, "id=zoë") == ["ζωή"]  # unicode ids on both sides
    # A chain is applied once, as the graph applied it: old is ana, ana is maya.
    assert _mask_ids(loaded, "id=old") == ["ana"]
    assert _mask_ids(loaded, "id=ana") == ["maya"]
    ids = tmp_path / "buyers.txt"
    ids.write_text("bob_li\n# a comment\nzoë\n", encoding="utf-8")
    assert _mask_ids(loaded, str(ids)) == ["bob", "ζωή"]
    table = tmp_path / "buyers.csv"
    table.write_text("id\nbob_x\n", encoding="utf-8")
    assert _mask_ids(loaded, [str(table), "id=bob"]) == ["bob"]
    # An alias of an account nowhere in the graph selects nothing.
    with pytest.raises(ParameterError, match=r"^audience 'id=ghost' selects no account"):
        audience_mask(loaded, "id=ghost")
    # The ranking personalized on the alias is the one on the account.
    by_alias = graphkit.rank(loaded, audience="id=bob_x")
    assert by_alias.equals(graphkit.rank(loaded, audience="id=bob"))
    # Single ids too: explain and paths read an alias as its account.
    assert graphkit.explain(loaded, account="bob_li").contributors.equals(
        graphkit.explain(loaded, account="bob").contributors
    )
    path = graphkit.paths(loaded, source="old", target="bob_x")  # ana follows bob
    assert path["path"].to_list() == ["ana > bob"]


def test_aliases_declared_by_the_accounts_table_select_their_account() -> None:
    accounts = pl.DataFrame({"id": ["x:1", "x:2"], "aliases": ["x:@ada;x:@ada_old", None]})
    follows = pl.DataFrame({"follower": ["x:2", "x:1"], "followed": ["x:1", "x:3"]})
    loaded = graphkit.open_data(follows=follows, accounts=accounts)
    assert _mask_ids(loaded, "id=x:@ada_old") == ["x:1"]
    assert _mask_ids(loaded, "id=x:@ada,x:2") == ["x:1", "x:2"]


def test_resolve_ids_on_a_graph_built_directly() -> None:
    dataset = Dataset(follows=MERGED_FOLLOWS.to_arrow(), identities=IDENTITIES.to_arrow())
    graph = build_graph(dataset)
    # The graph keeps the identities it was built with: no accounts table is needed.
    nodes = resolve_ids(graph, ["bob_x", "maya", "ghost", "bob", "old", "zoë"])
    expected = graph.index_of(["bob", "maya", "bob", "ana", "ζωή"]).tolist()
    assert nodes.tolist() == [expected[0], expected[1], -1, expected[2], expected[3], expected[4]]
    mask = select_audience(graph, ["id=bob_li"])
    assert graph.ids_of(np.flatnonzero(mask)).to_list() == ["bob"]
    assert resolve_ids(graph, []).tolist() == []


def test_audit_lookalikes_and_warm_paths_read_aliases() -> None:
    accounts = pl.DataFrame(
        {
            "id": ["acme", "acme_uk", "maya", "bob_x", "bob_li", "ana"],
            "kind": ["brand", "brand", "person", "person", "person", "person"],
            "organization": [None, None, "acme", None, None, None],
            "title": [None, None, "Architect", "CTO", "CTO", "Analyst"],
        }
    )
    identities = pl.DataFrame(
        {"account": ["bob_x", "bob_li", "acme_uk"], "person": ["bob", "bob", "acme"]}
    )
    follows = pl.DataFrame(
        {
            "follower": ["bob_x", "ana", "bob_li", "maya"],
            "followed": ["maya", "maya", "ana", "bob_x"],
        }
    )
    loaded = graphkit.open_data(follows=follows, accounts=accounts, identities=identities)
    audited = graphkit.audit(loaded, ids=["bob_li", "bob"])
    assert audited["id"].to_list() == ["bob"]
    trusted = graphkit.audit(loaded, all=True, trusted="id=bob_x")
    assert trusted.equals(graphkit.audit(loaded, all=True, trusted="id=bob"))
    assert graphkit.lookalikes(loaded, seeds=["bob_li"]).equals(
        graphkit.lookalikes(loaded, seeds=["bob"])
    )
    paths = graphkit.warm_paths(loaded, organization="acme_uk", targets="id=bob_x")
    assert paths.equals(graphkit.warm_paths(loaded, organization="acme", targets="id=bob"))
    assert paths["target"].unique().to_list() == ["bob"]
    experts = graphkit.experts(loaded, org="acme_uk", audience="id=bob_li")
    assert experts.equals(graphkit.experts(loaded, org="acme", audience="id=bob"))
    assert experts.select("id", "audience_followers").rows() == [("maya", 1)]
    assert _mask_ids(loaded, "org=acme_uk") == ["maya"]
    people = graphkit.brands(loaded, orgs=["acme_uk"], people=True)
    assert people["id"].to_list() == ["maya"]


def test_review_an_audience_file_given_as_a_path_object(tmp_path: Path) -> None:
    # Was refused ("expected text selectors (a file of ids, ...)") for a path object.
    ids = tmp_path / "buyers.txt"
    ids.write_text("bob\nana\n", encoding="utf-8")
    by_text = graphkit.rank(follows=FOLLOWS, audience=str(ids))
    assert graphkit.rank(follows=FOLLOWS, audience=ids).equals(by_text)
    assert graphkit.rank(follows=FOLLOWS, audience=[ids, "id=bob"]).equals(by_text)
    assert not by_text.equals(graphkit.rank(follows=FOLLOWS))


def test_review_selectors_given_as_a_generator_are_read_once() -> None:
    # The type check before the data was read used up a generator: the affinities and
    # segments then saw no audience, and the audit no trusted accounts.
    follows = pl.DataFrame(
        {"follower": ["a", "b", "a", "c", "d"], "followed": ["x", "x", "y", "y", "y"]}
    )
    listed = graphkit.audience_affinities(follows=follows, audience=["id=a,b"], min_support=1)
    given = graphkit.audience_affinities(
        follows=follows, audience=(text for text in ["id=a,b"]), min_support=1
    )
    assert given.equals(listed)
    segments = graphkit.audience_segments(follows=follows, audience=iter(["id=a,b,c"]))
    assert segments.members.equals(
        graphkit.audience_segments(follows=follows, audience=["id=a,b,c"]).members
    )
    trusted = graphkit.audit(follows=FOLLOWS, all=True, trusted=["id=bob"])
    assert not trusted.equals(graphkit.audit(follows=FOLLOWS, all=True))
    assert graphkit.audit(follows=FOLLOWS, all=True, trusted=iter(["id=bob"])).equals(trusted)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_review_no_id_hint_for_a_number_that_is_no_id(value: float) -> None:
    with pytest.raises(ParameterError) as error:
        text_items([value], "audience", SELECTORS)
    assert str(error.value) == f"audience: expected {SELECTORS}, got {value!r} (float)"


def test_review_aliases_with_blanks_around_them() -> None:
    # "x:@ada; x:@old" lists x:@old (as CRM keys read it), not " x:@old".
    accounts = pl.DataFrame({"id": ["x:1", "x:2"], "aliases": ["x:@ada; x:@old ", None]})
    follows = pl.DataFrame({"follower": ["x:2"], "followed": ["x:1"]})
    loaded = graphkit.open_data(follows=follows, accounts=accounts)
    assert _mask_ids(loaded, "id=x:@old") == ["x:1"]
    assert _mask_ids(loaded, "id=x:@ada") == ["x:1"]


def test_review_arrow_arrays_of_ids_are_texts() -> None:
    # Were refused item by item ("got <pyarrow.StringScalar: 'x'>"); read as text before.
    import pyarrow as pa

    expected = graphkit.lookalikes(follows=FOLLOWS, seeds=["maya"])
    assert expected.height
    for seeds in (pa.array(["maya"]), pa.chunked_array([["maya"]], pa.large_string()),
                  pa.scalar("maya"), [pa.scalar("maya")]):  # fmt: skip
        assert graphkit.lookalikes(follows=FOLLOWS, seeds=seeds).equals(expected)
    assert text_items(pa.array(["id=a", "title~CTO"]), "audience", SELECTORS) == [
        "id=a",
        "title~CTO",
    ]
    with pytest.raises(ParameterError, match=r"^seeds: .* got 1 \(int\): ids are text"):
        text_items(pa.array([1]), "seeds", ACCOUNT_IDS)
    with pytest.raises(ParameterError, match=r"^seeds: .* got None \(NoneType\)$"):
        text_items(pa.array(["a", None]), "seeds", ACCOUNT_IDS)


def test_review_a_table_given_as_selectors_is_refused_on_one_line() -> None:
    # Iterating a DataFrame gives Series, whose repr spans lines: the error did too.
    with pytest.raises(ParameterError) as error:
        graphkit.rank(MISSING, audience=pl.DataFrame({"id": ["id=a", "id=b"]}))
    message = str(error.value)
    assert message.startswith(f"audience: expected {SELECTORS}, got shape: (2,) Series: 'id'")
    assert message.endswith("(Series)")
    assert "\n" not in message


def test_review_trend_reads_an_alias_as_its_account() -> None:
    # Each window's graph was built without the identities kept: 'id=a2' selected nothing.
    from datetime import UTC, datetime

    days = [datetime(2026, 1, day, tzinfo=UTC) for day in (1, 2, 3, 4)]
    interactions = pl.DataFrame(
        {"source": ["a2", "b", "a", "c"], "target": ["b", "c", "c", "a"],
         "type": ["reply"] * 4, "timestamp": days}
    )  # fmt: skip
    identities = pl.DataFrame({"account": ["a2"], "person": ["a"]})
    common: dict[str, Any] = {"interactions": interactions, "identities": identities}
    by_account = graphkit.trend(window="2d", step="2d", audience="id=a", **common)
    by_alias = graphkit.trend(window="2d", step="2d", audience="id=a2", **common)
    assert by_alias.equals(by_account)
    assert not by_alias.equals(graphkit.trend(window="2d", step="2d", **common))
