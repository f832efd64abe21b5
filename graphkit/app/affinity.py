"""Audience intelligence from the graph alone: what an audience pays attention to far above the
base rate (:func:`audience_affinities`) and the segments it splits into
(:func:`audience_segments`)."""

from __future__ import annotations

from typing import Unpack

import numpy as np
import polars as pl

from graphkit.analysis.affinity import (
    DEFAULT_LEADERS,
    DEFAULT_LEVEL,
    DEFAULT_MAX_SHARED,
    DEFAULT_MIN_SUPPORT,
    AudienceSegments,
    SegmentBy,
    affinity_table,
    audience_counts,
)
from graphkit.analysis.affinity import audience_segments as segment_audience
from graphkit.app.api import Data, Selectors, Tables, audience_mask, open_data
from graphkit.app.selectors import SELECTORS, text_items
from graphkit.app.settings import Settings
from graphkit.app.sources import Loaded
from graphkit.errors import ParameterError
from graphkit.progress import Progress


def audience_affinities(
    data: Data = None,
    *,
    audience: Selectors,
    settings: Settings | None = None,
    min_support: int = DEFAULT_MIN_SUPPORT,
    level: float = DEFAULT_LEVEL,
    top: int | None = None,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """The accounts an audience pays attention to far above the base rate.

    Parameters
    ----------
    data, follows, interactions, accounts, identities
        The data (see :mod:`graphkit.app.api`).
    audience
        Selectors as in ``graphkit rank --audience`` (a file of ids, ``FIELD=VALUE``,
        ``FIELD~REGEX``); several add up.
    settings
        Weighting of the influence graph (default :class:`Settings`).
    min_support
        Least number of audience members paying attention to a listed account.
    level
        Confidence level of ``lift_low``, at least 0.5 (below, a lower bound lies above the
        estimate).
    top
        Rows to keep (``None`` or 0: all).
    progress
        Where steps go (default: nowhere).

    Returns
    -------
    polars.DataFrame
        ``rank, id, handle, name, kind, audience_followers, audience_share,
        base_followers, base_share, lift, lift_low, p_value``, by ``lift_low``, then
        ``audience_followers``, then ``id``. ``audience_followers`` counts the distinct
        audience members that follow the account or interact with it; ``base_*`` the same
        among the active accounts (those paying attention to anyone) outside the audience;
        the shares divide by the active accounts of each population. Audience members are
        not listed. See :mod:`graphkit.analysis.affinity` for the test behind ``lift_low``
        and ``p_value``.

    Raises
    ------
    ParameterError
        When a selector is malformed or selects nothing, or the audience holds every active
        account (no base rate).

    Examples
    --------
    >>> import polars as pl
    >>> pairs = [("a", "x"), ("b", "x"), ("a", "y"), ("c", "y"), ("d", "y"), ("e", "y")]
    >>> follows = pl.DataFrame(pairs, schema=["follower", "followed"], orient="row")
    >>> table = audience_affinities(follows=follows, audience="id=a,b", min_support=1)
    >>> table.select("id", "audience_followers", "base_followers", "lift").rows()
    [('x', 2, 0, 3.0), ('y', 1, 3, 0.5)]
    """
    selectors = text_items(audience, "audience", SELECTORS)  # before the data is read
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    mask = _mask(loaded, selectors)  # the texts: a generator given is read only once
    with progress.step("Measuring the audience's affinities"):
        return affinity_table(loaded.graph, mask, min_support=min_support, level=level, top=top)


def audience_segments(
    data: Data = None,
    *,
    audience: Selectors,
    settings: Settings | None = None,
    by: SegmentBy = "interconnections",
    seed: int = 0,
    resolution: float = 1.0,
    leaders: int = DEFAULT_LEADERS,
    max_shared: int = DEFAULT_MAX_SHARED,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> AudienceSegments:
    """Split an audience into segments: by its interconnections or by shared followings.

    Returns an :class:`graphkit.analysis.affinity.AudienceSegments`: ``.table`` (per segment
    ``segment, size, share, leaders, leader_names, dominant_titles, dominant_topics``) and
    ``.members`` (``id, segment`` of every member). Segment -1 gathers the members linked to
    no other member. See :func:`graphkit.analysis.affinity.audience_segments` for the graphs
    Leiden (seeded: the same seed, the same segments) runs on and how leaders are chosen.

    Examples
    --------
    >>> import polars as pl
    >>> pairs = [("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"), ("a", "x"), ("c", "x")]
    >>> follows = pl.DataFrame(pairs, schema=["follower", "followed"], orient="row")
    >>> segments = audience_segments(follows=follows, audience="id=a,b,c,d")
    >>> segments.members.rows()
    [('a', 0), ('b', 0), ('c', 1), ('d', 1)]
    >>> segments.table.select("segment", "size").rows()
    [(0, 2), (1, 2)]
    """
    selectors = text_items(audience, "audience", SELECTORS)  # before the data is read
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    mask = _mask(loaded, selectors)  # the texts: a generator given is read only once
    with progress.step(f"Segmenting the audience by {by}"):
        return segment_audience(
            loaded.graph,
            mask,
            by=by,
            seed=seed,
            resolution=resolution,
            leaders=leaders,
            max_shared=max_shared,
        )


def audience_size(loaded: Loaded, audience: Selectors) -> tuple[int, int]:
    """How many accounts the selectors choose, and how many of them pay attention to anyone
    (the members an affinity can count)."""
    mask = _mask(loaded, audience)
    return int(mask.sum()), audience_counts(loaded.graph, mask).audience_size


def _mask(loaded: Loaded, audience: Selectors) -> np.ndarray:
    mask = audience_mask(loaded, audience)
    if mask is None:
        raise ParameterError("give an audience: one or more selectors (e.g. 'title~CTO')")
    return mask
