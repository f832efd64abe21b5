"""Gephi files of the influence graph: the accounts of a result table and the edges among them."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from graphkit.errors import ParameterError
from graphkit.graph.social import FOLLOW_FLAG, INTERACTION_FLAG, SocialGraph
from graphkit.io.graphfiles import write_graph

RELATIONS: Final = {
    FOLLOW_FLAG: "follow",
    INTERACTION_FLAG: "interaction",
    FOLLOW_FLAG | INTERACTION_FLAG: "follow+interaction",
}
"""Edge ``relation`` by the edge's flags: it holds follows, interactions or both."""


def graph_tables(graph: SocialGraph, table: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Nodes and edges of the subgraph induced by the accounts of a result table.

    Parameters
    ----------
    graph
        The influence graph the table was computed on.
    table
        A result with one row per account and an ``id`` column (``rank``, ``communities``):
        its columns (scores, communities, ...) become node attributes, with the accounts
        table's other columns (kind, organization, platform, topics, ...). All accounts give
        the whole graph; the first N rows give the top-N induced subgraph.

    Returns
    -------
    (nodes, edges)
        ``nodes``: the table's rows and columns plus account attributes; ``edges``:
        ``source, target, weight, relation`` for every edge between two of the nodes
        (``relation``: follow, interaction, or follow+interaction), in the graph's order.

    Raises
    ------
    ParameterError
        When the table has no ``id`` column, repeats an id, or names an account the graph
        lacks.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "c"], "followed": ["b", "c", "a"]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> nodes, edges = graph_tables(graph, pl.DataFrame({"id": ["a", "b"], "rank": [1, 2]}))
    >>> edges.rows()
    [('a', 'b', 1.0, 'follow')]
    """
    if "id" not in table.columns:
        raise ParameterError("a Gephi file needs a table with one row per account (an id column)")
    ids = table["id"].cast(pl.String)
    if ids.is_duplicated().any():
        raise ParameterError("a Gephi file needs one row per account; this table repeats accounts")
    index = graph.index_of(ids.to_arrow())
    if (index < 0).any():
        missing = ids.filter(pl.Series(index < 0))[0]
        raise ParameterError(f"account {missing!r} of the table is not in the graph")
    selected = np.zeros(graph.n_nodes, dtype=np.bool_)
    selected[index] = True
    sources = graph.in_sources
    targets = graph.edge_targets()
    keep = selected[sources] & selected[targets]
    flags = graph.in_flags[keep]
    edges = pl.DataFrame(
        {
            "source": graph.ids_of(sources[keep]),
            "target": graph.ids_of(targets[keep]),
            "weight": graph.in_weights[keep],
            "relation": pl.Series(flags.astype(np.int64)).replace_strict(
                dict(RELATIONS), return_dtype=pl.String
            ),
        }
    ).with_columns(pl.col("source", "target").cast(pl.String))
    nodes = table.with_columns(pl.col("id").cast(pl.String))
    if graph.accounts is not None:
        extra = [name for name in graph.accounts.columns if name not in nodes.columns]
        if extra:
            attributes = graph.accounts.select(
                pl.col("id").cast(pl.String),
                *(
                    pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(";")
                    if isinstance(graph.accounts.schema[name], pl.List)
                    else pl.col(name)
                    for name in extra
                ),
            )
            nodes = nodes.join(attributes, on="id", how="left", maintain_order="left")
    return nodes, edges


def write_gephi(
    graph: SocialGraph, table: pl.DataFrame, path: str | Path, *, description: str = ""
) -> tuple[int, int]:
    """Write the accounts of ``table`` and the edges among them as GEXF or GraphML.

    Returns
    -------
    (nodes, edges)
        Counts written.
    """
    nodes, edges = graph_tables(graph, table)
    label = next((name for name in ("name", "handle") if name in nodes.columns), None)
    write_graph(nodes, edges, path, label=label, description=description)
    return nodes.height, edges.height
