"""A deterministic force-directed layout for drawing a small subgraph."""

from __future__ import annotations

import numpy as np

from graphkit.errors import ParameterError
from graphkit.export.visual import checked_edges

_MAX_NODES = 2_000  # pairwise repulsion costs n^2 per iteration


def force_layout(
    n_nodes: int,
    sources: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    seed: int = 0,
    iterations: int = 300,
) -> np.ndarray:
    """Place ``n_nodes`` nodes in the unit square so that linked nodes sit close together.

    Fruchterman-Reingold forces (every pair repels, edges attract in proportion to their
    weight) with a weak pull to the centre, so that nodes without edges stay in view instead
    of drifting away, and a temperature that cools linearly.

    Parameters
    ----------
    n_nodes
        Number of nodes, at most 2,000 (the repulsion is computed for every pair).
    sources, targets
        Node numbers ``0 .. n_nodes - 1`` of each edge's ends; the direction is ignored.
    weights
        Positive weight of each edge (default 1); heavier edges pull harder.
    seed
        Seed of the random start; the same seed gives the same layout.
    iterations
        Steps of the simulation.

    Returns
    -------
    numpy.ndarray
        float64 ``(n_nodes, 2)`` positions, scaled into ``[0, 1]`` on both axes.

    Raises
    ------
    ParameterError
        For more than 2,000 nodes, edges naming an unknown node or a negative weight.

    Examples
    --------
    Two triangles joined by one edge: each triangle ends up on its own side.

    >>> sources = np.array([0, 1, 2, 3, 4, 5, 2])
    >>> targets = np.array([1, 2, 0, 4, 5, 3, 3])
    >>> positions = force_layout(6, sources, targets)
    >>> positions.shape
    (6, 2)
    >>> within = np.linalg.norm(positions[0] - positions[1])
    >>> across = np.linalg.norm(positions[0] - positions[4])
    >>> bool(within < across)
    True
    """
    if not 0 <= n_nodes <= _MAX_NODES:
        raise ParameterError(f"force_layout draws 0 to {_MAX_NODES:,} nodes, got {n_nodes:,}")
    sources, targets, strengths = checked_edges(n_nodes, sources, targets, weights)
    if n_nodes == 0:
        return np.zeros((0, 2))
    if n_nodes == 1:
        return np.full((1, 2), 0.5)
    keep = sources != targets
    sources, targets, strengths = sources[keep], targets[keep], strengths[keep]
    if strengths.size and strengths.max() > 0:
        strengths = strengths / strengths.max()
    rng = np.random.default_rng(seed)
    positions = rng.uniform(-1.0, 1.0, size=(n_nodes, 2))
    ideal = np.sqrt(4.0 / n_nodes)  # ideal edge length in the [-1, 1] square
    start_temperature = 0.1
    for step in range(iterations):
        delta = positions[:, None, :] - positions[None, :, :]
        distance = np.maximum(np.sqrt((delta**2).sum(axis=-1)), 1e-3)
        np.fill_diagonal(distance, np.inf)
        displacement = (delta * (ideal**2 / distance**2)[:, :, None]).sum(axis=1)
        along = positions[sources] - positions[targets]
        length = np.maximum(np.sqrt((along**2).sum(axis=1)), 1e-3)
        pull = along * (length * strengths / ideal)[:, None]
        np.subtract.at(displacement, sources, pull)
        np.add.at(displacement, targets, pull)
        displacement -= 0.25 * positions  # gravity: isolated nodes stay near the centre
        size = np.maximum(np.sqrt((displacement**2).sum(axis=1)), 1e-12)
        temperature = start_temperature * (1.0 - step / iterations)
        positions += displacement * (np.minimum(size, temperature) / size)[:, None]
    low = positions.min(axis=0)
    span = np.where(positions.max(axis=0) > low, positions.max(axis=0) - low, 1.0)
    scaled: np.ndarray = (positions - low) / span
    return scaled
