"""An identity merge reaches the accounts' organization column too."""

from __future__ import annotations

import pyarrow as pa

from graphkit.analysis import brand_table
from graphkit.graph import build_graph
from graphkit.io import Dataset


def test_people_keep_their_brand_when_its_accounts_merge():
    # The brand's X and LinkedIn accounts are one node, "acme"; Ann's organization names
    # the X account, which the merge renames.
    accounts = pa.table(
        {
            "id": ["acme_x", "acme_li", "ann"],
            "kind": ["brand", "brand", "person"],
            "organization": pa.array([None, None, "acme_x"], pa.string()),
        }
    )
    identities = pa.table({"account": ["acme_x", "acme_li"], "person": ["acme", "acme"]})
    follows = pa.table({"follower": ["z", "y", "w"], "followed": ["acme_li", "ann", "acme_x"]})
    graph = build_graph(Dataset(accounts=accounts, follows=follows, identities=identities))
    row = brand_table(graph).row(0, named=True)
    assert (row["organization"], row["people"]) == ("acme", 1)
    assert (row["corporate_reach"], row["personal_reach"]) == (2, 1)
