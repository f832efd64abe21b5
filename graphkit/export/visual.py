"""How accounts are drawn, the same in the report and in Gephi files: the community palette,
node sizes by score, and a seeded force-directed layout of up to 10,000 accounts (igraph's
Fruchterman-Reingold)."""

from __future__ import annotations

import random
from typing import Final

import igraph as ig
import numpy as np
import polars as pl

from graphkit.errors import ParameterError

PALETTE: Final = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
)
"""Tableau 10: the colours of the ten communities with the most accounts drawn."""
OTHER_COLOUR: Final = "#bab0ac"
"""The grey of every other community, and of accounts without one."""
SIZE_RANGE: Final = (5.0, 50.0)
"""Node sizes of scores 0 and 100 (Gephi's units); sizes grow linearly with the score."""
MAX_LAYOUT_NODES: Final = 10_000
"""The most accounts :func:`layout` places; larger graphs are laid out in Gephi itself."""
LAYOUT_EXTENT: Final = 1_000.0
"""Positions lie in ``[-LAYOUT_EXTENT, LAYOUT_EXTENT]`` along the layout's longer axis."""


def community_colours(drawn: pl.Series) -> dict[int, str]:
    """Colours of the communities with the most drawn accounts (ties: the lower community id).

    The ten communities drawn most get the ten colours of :data:`PALETTE`; every other
    community is grey (:data:`OTHER_COLOUR`). Nulls (accounts without a community) count for
    none.

    Examples
    --------
    >>> community_colours(pl.Series([3, 3, 0, 12]))
    {3: '#4e79a7', 0: '#f28e2b', 12: '#e15759'}
    """
    counts = (
        pl.DataFrame({"community": drawn.cast(pl.Int64)})
        .drop_nulls()
        .group_by("community")
        .len()
        .sort(["len", "community"], descending=[True, False])
        .head(len(PALETTE))
    )
    return {
        int(community): PALETTE[position]
        for position, community in enumerate(counts["community"].to_list())
    }


def node_sizes(scores: np.ndarray) -> np.ndarray:
    """Node sizes for 0-100 scores: linear from ``SIZE_RANGE[0]`` (score 0) to
    ``SIZE_RANGE[1]`` (score 100), scores outside the range clipped, NaN as 0.

    >>> node_sizes(np.array([0.0, 50.0, 100.0])).tolist()
    [5.0, 27.5, 50.0]
    """
    low, high = SIZE_RANGE
    clipped = np.clip(np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=0.0), 0.0, 100.0)
    sizes: np.ndarray = np.round(low + (high - low) * clipped / 100.0, 2)
    return sizes


def layout(
    n_nodes: int,
    sources: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    seed: int = 0,
    iterations: int = 500,
) -> np.ndarray:
    """Place ``n_nodes`` nodes so that linked nodes sit close together (igraph's
    Fruchterman-Reingold with its grid, from seeded random positions).

    Edge direction is ignored; heavier edges pull harder (``log(1 + weight)``, scaled to at
    most 1). The same input and seed give the same positions, bit for bit.

    Parameters
    ----------
    n_nodes
        Number of nodes, at most :data:`MAX_LAYOUT_NODES`.
    sources, targets
        Node numbers ``0 .. n_nodes - 1`` of each edge's ends.
    weights
        Finite weights >= 0 of the edges (default 1).
    seed
        Seed of the random start.
    iterations
        Steps of the simulation.

    Returns
    -------
    numpy.ndarray
        float64 ``(n_nodes, 2)`` positions centred on 0, the longer axis spanning
        ``[-LAYOUT_EXTENT, LAYOUT_EXTENT]``, rounded to 3 decimals.

    Raises
    ------
    ParameterError
        For more than :data:`MAX_LAYOUT_NODES` nodes, edges naming an unknown node, weights
        that are negative or not finite, or a count, seed or iterations that is not a whole
        number (>= 0; iterations >= 1).

    Examples
    --------
    Two triangles joined by one edge: each triangle ends up on its own side.

    >>> positions = layout(6, np.array([0, 1, 2, 3, 4, 5, 2]), np.array([1, 2, 0, 4, 5, 3, 3]))
    >>> within = np.linalg.norm(positions[0] - positions[1])
    >>> across = np.linalg.norm(positions[0] - positions[4])
    >>> bool(within < across)
    True
    """
    for name, value, least in (
        ("n_nodes", n_nodes, 0),
        ("seed", seed, 0),
        ("iterations", iterations, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ParameterError(f"layout's {name} is a whole number >= {least}, not {value!r}")
    if not 0 <= n_nodes <= MAX_LAYOUT_NODES:
        raise ParameterError(f"layout places 0 to {MAX_LAYOUT_NODES:,} nodes, got {n_nodes:,}")
    sources, targets, strengths = checked_edges(n_nodes, sources, targets, weights)
    if n_nodes <= 1:
        return np.zeros((n_nodes, 2))
    keep = sources != targets
    sources, targets, strengths = sources[keep], targets[keep], np.log1p(strengths[keep])
    if strengths.size and strengths.max() > 0:
        strengths = strengths / strengths.max()
    # Spread the start over a square of side sqrt(n), as igraph's own start: its grid then
    # keeps each step near-linear (a start packed in a unit square makes it quadratic).
    start = np.random.default_rng(seed).uniform(-0.5, 0.5, size=(n_nodes, 2)) * np.sqrt(n_nodes)
    graph = ig.Graph(n=n_nodes, edges=np.column_stack([sources, targets]), directed=False)
    # igraph nudges nodes that coincide at random: its generator is seeded too, then restored.
    ig.set_random_number_generator(random.Random(seed))
    try:
        placed = graph.layout_fruchterman_reingold(
            weights=strengths.tolist() if strengths.size else None,
            niter=iterations,
            seed=start.tolist(),
            grid=True,
        )
    finally:
        ig.set_random_number_generator(random)
    positions = np.asarray(placed.coords, dtype=np.float64).reshape(n_nodes, 2)
    positions -= (positions.max(axis=0) + positions.min(axis=0)) / 2
    span = float(np.abs(positions).max())
    scaled: np.ndarray = np.round(positions * (LAYOUT_EXTENT / span if span > 0 else 1.0), 3)
    return scaled + 0.0  # -0.0 as 0.0


def checked_edges(
    n_nodes: int, sources: object, targets: object, weights: object | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An edge list as int64 sources and targets and float64 strengths (1 without weights),
    checked: one entry per edge, nodes in ``0 .. n_nodes - 1``, weights finite and >= 0."""
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    strengths = np.ones(sources.shape[0]) if weights is None else np.asarray(weights, np.float64)
    if sources.shape != targets.shape or strengths.shape != sources.shape:
        raise ParameterError("sources, targets and weights must have one entry per edge")
    if sources.size and (
        min(sources.min(), targets.min()) < 0 or max(sources.max(), targets.max()) >= n_nodes
    ):
        raise ParameterError("an edge names a node outside 0 .. n_nodes - 1")
    if strengths.size and not (np.isfinite(strengths).all() and (strengths >= 0).all()):
        raise ParameterError("edge weights must be finite and >= 0")
    return sources, targets, strengths
