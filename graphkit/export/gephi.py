"""Gephi files of the influence graph: the accounts of a result table and the edges among them,
drawn as the report draws them.

- Label: the account's name, else its handle, else its id.
- Colour: the community (``community`` column, from ``rank --communities`` or
  ``communities``): the ten communities with the most accounts in the file get the report's
  palette, every other community and accounts without one are grey.
- Size: the 0-100 ``score`` (a table without one: the score of its ``pagerank`` column over
  the accounts written), from 5 (score 0) to 50 (score 100), linearly.
- Position: a seeded force-directed layout (:func:`graphkit.export.visual.layout`) of the
  accounts and the edges among them, for up to 10,000 accounts; larger files have no
  positions (lay them out in Gephi).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from graphkit.analysis.rank import influence_score
from graphkit.errors import ParameterError
from graphkit.export.visual import (
    MAX_LAYOUT_NODES,
    OTHER_COLOUR,
    community_colours,
    layout,
    node_sizes,
)
from graphkit.graph.social import FOLLOW_FLAG, INTERACTION_FLAG, SocialGraph
from graphkit.io.graphfiles import Drawing, write_graph

RELATIONS: Final = {
    FOLLOW_FLAG: "follow",
    INTERACTION_FLAG: "interaction",
    FOLLOW_FLAG | INTERACTION_FLAG: "follow+interaction",
}
"""Edge ``relation`` by the edge's flags: it holds follows, interactions or both."""
LABELS: Final = ("name", "handle")
"""Columns a node's label comes from, the first one set; else the id."""
# Node columns of the drawing while the file is written (never attributes of it).
_COLUMNS: Final = {"colour": "graphkit:colour", "size": "graphkit:size", "x": "graphkit:x",
                   "y": "graphkit:y"}  # fmt: skip


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
    if not isinstance(graph, SocialGraph) or not isinstance(table, pl.DataFrame):
        raise ParameterError("a Gephi file needs a SocialGraph and a polars DataFrame of it")
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


def drawing_columns(nodes: pl.DataFrame, edges: pl.DataFrame, *, seed: int = 0) -> pl.DataFrame:
    """The colour, size and position of each node of :func:`graph_tables` (module docstring).

    Returns
    -------
    polars.DataFrame
        One row per node, in order: ``colour`` (``#rrggbb``), ``size``, ``x`` and ``y``
        (null beyond :data:`~graphkit.export.visual.MAX_LAYOUT_NODES` nodes).

    Examples
    --------
    >>> nodes = pl.DataFrame({"id": ["a", "b", "c"], "score": [100.0, 0.0, 50.0],
    ...                       "community": [1, 1, None]})
    >>> edges = pl.DataFrame({"source": ["a"], "target": ["b"], "weight": [1.0]})
    >>> drawn = drawing_columns(nodes, edges)
    >>> drawn.select("colour", "size").rows()
    [('#4e79a7', 50.0), ('#4e79a7', 5.0), ('#bab0ac', 27.5)]
    """
    if "community" in nodes.columns:
        community = nodes["community"].cast(pl.Int64, strict=False)
        colours = community_colours(community)
        colour = community.replace_strict(
            colours, default=OTHER_COLOUR, return_dtype=pl.String
        ).fill_null(OTHER_COLOUR)
    else:
        colour = pl.Series([OTHER_COLOUR] * nodes.height, dtype=pl.String)
    if "score" in nodes.columns:
        scores = nodes["score"].cast(pl.Float64, strict=False).fill_null(0.0).to_numpy()
    elif "pagerank" in nodes.columns:
        pagerank = nodes["pagerank"].cast(pl.Float64, strict=False).fill_null(0.0).to_numpy()
        scores = influence_score(pagerank)
    else:
        scores = np.zeros(nodes.height)
    drawn = pl.DataFrame(
        {"colour": colour, "size": node_sizes(scores)}, schema_overrides={"size": pl.Float64}
    )
    if nodes.height > MAX_LAYOUT_NODES:
        return drawn.with_columns(x=pl.lit(None, pl.Float64), y=pl.lit(None, pl.Float64))
    numbers = pl.DataFrame({"id": nodes["id"].cast(pl.String)}).with_row_index("number")
    ends = edges.select(
        pl.col("source").cast(pl.String), pl.col("target").cast(pl.String), pl.col("weight")
    )
    for end in ("source", "target"):
        ends = ends.join(
            numbers.rename({"id": end, "number": f"{end}_number"}), on=end, maintain_order="left"
        )
    positions = layout(
        nodes.height,
        ends["source_number"].to_numpy(),
        ends["target_number"].to_numpy(),
        ends["weight"].cast(pl.Float64).fill_null(1.0).to_numpy(),
        seed=seed,
    )
    return drawn.with_columns(x=pl.Series(positions[:, 0]), y=pl.Series(positions[:, 1]))


def write_gephi(
    graph: SocialGraph,
    table: pl.DataFrame,
    path: str | Path,
    *,
    description: str = "",
    seed: int = 0,
) -> tuple[int, int]:
    """Write the accounts of ``table`` and the edges among them as GEXF or GraphML, with
    labels, colours, sizes and (up to 10,000 accounts) positions (module docstring).

    Parameters
    ----------
    graph, table
        As :func:`graph_tables`.
    path
        ``.gexf`` or ``.graphml`` file.
    description
        Text for the file's metadata (the command line).
    seed
        Seed of the layout.

    Returns
    -------
    (nodes, edges)
        Counts written.
    """
    nodes, edges = graph_tables(graph, table)
    drawn = drawing_columns(nodes, edges, seed=seed)
    written = nodes.with_columns(drawn[key].alias(name) for key, name in _COLUMNS.items())
    labels = [name for name in LABELS if name in nodes.columns]
    drawing = Drawing(**_COLUMNS)
    write_graph(written, edges, path, label=labels, drawing=drawing, description=description)
    return nodes.height, edges.height
