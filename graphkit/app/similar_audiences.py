"""``graphkit.lookalikes``: accounts whose audiences resemble given accounts' audiences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import polars as pl

from graphkit.analysis.audience import resolved_names
from graphkit.analysis.lookalikes import (
    DEFAULT_HASHES,
    DEFAULT_TOP,
    Edges,
    Lookalikes,
    Method,
    find_lookalikes,
)
from graphkit.app.api import Data, Tables, open_data
from graphkit.app.selectors import ACCOUNT_IDS, text_items
from graphkit.app.settings import Settings
from graphkit.progress import Progress


def lookalikes(
    data: Data = None,
    *,
    seeds: str | Sequence[str],
    top: int = DEFAULT_TOP,
    method: Method = "auto",
    min_shared: int = 1,
    min_followers: int = 1,
    edges: Edges = "follows",
    hashes: int = DEFAULT_HASHES,
    seed: int = 0,
    settings: Settings | None = None,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """Accounts whose audiences resemble the audience of the ``seeds``.

    An account's audience is its distinct followers (``edges="attention"``: every account
    following or interacting with it); the seed audience is the union of the seeds'. Each
    other account gets the Jaccard ``similarity`` of its audience with the seed audience,
    the followers they share and the overlap coefficient (shared / the smaller audience).

    Parameters
    ----------
    data, follows, interactions, accounts, identities
        The data (see :mod:`graphkit.app.api`).
    seeds
        One account id or several; an account the identities merge into a person stands for
        that person.
    top
        Rows to keep (0: every account sharing at least ``min_shared`` followers).
    method
        ``"exact"`` (one pass over the edges), ``"minhash"`` (``hashes``-long MinHash
        signatures, best estimates re-scored exactly) or ``"auto"`` (exact unless the graph
        has more than 500 million edges).
    min_shared, min_followers
        Keep accounts sharing at least ``min_shared`` followers with the seed audience and
        having at least ``min_followers`` followers.
    edges
        ``"follows"`` or ``"attention"`` (see above).
    hashes, seed
        MinHash signature length and the seed of its hash functions.
    settings
        How edges are weighted when the data is loaded (the similarity itself is unweighted).
    progress
        Where steps and notes go (default: nowhere).

    Returns
    -------
    polars.DataFrame
        ``rank, id, handle, name, kind, similarity, shared_followers, followers, overlap``
        (with MinHash also ``estimated_similarity`` and its standard error
        ``similarity_error``), most similar first, then most shared followers, ties by id.
        Empty when the seeds have no followers.

    Raises
    ------
    InputError
        For bad input, or a seed that is not in the graph.
    ParameterError
        For a parameter out of range.

    Examples
    --------
    >>> import polars as pl
    >>> follows = pl.DataFrame({
    ...     "follower": ["a", "b", "c", "a", "b", "d", "c"],
    ...     "followed": ["x", "x", "x", "y", "y", "y", "z"],
    ... })
    >>> lookalikes(follows=follows, seeds="x").select("id", "similarity", "shared_followers").rows()
    [('y', 0.5, 2), ('z', 0.3333333333333333, 1)]
    """
    return lookalikes_run(
        data, seeds=seeds, top=top, method=method, min_shared=min_shared,
        min_followers=min_followers, edges=edges, hashes=hashes, seed=seed, settings=settings,
        progress=progress, **tables,
    ).table  # fmt: skip


def lookalikes_run(
    data: Data = None,
    *,
    seeds: str | Sequence[str],
    top: int = DEFAULT_TOP,
    method: Method = "auto",
    min_shared: int = 1,
    min_followers: int = 1,
    edges: Edges = "follows",
    hashes: int = DEFAULT_HASHES,
    seed: int = 0,
    settings: Settings | None = None,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> Lookalikes:
    """:func:`lookalikes` with the method used, the seed audience's size, the number of
    candidates and, when the result is empty, why (:class:`Lookalikes`)."""
    names = text_items(seeds, "seeds", ACCOUNT_IDS)
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    # The graph knows merged accounts by the account they became: a seed named by one of
    # its ids means that account (ids not in the graph stay, for find_lookalikes to name).
    merged = resolved_names(loaded.graph, names)
    with progress.step("Finding lookalikes"):
        return find_lookalikes(
            loaded.graph, merged, top=top,
            method=method, min_shared=min_shared, min_followers=min_followers, edges=edges,
            hashes=hashes, seed=seed,
        )  # fmt: skip
