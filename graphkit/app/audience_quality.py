"""Audience quality: fake-follower signals per account, and the quality of accounts'
audiences (:mod:`graphkit.analysis.audit` says how suspicion is scored)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Unpack

import numpy as np
import polars as pl

from graphkit.analysis import select_audience
from graphkit.analysis.audience import resolve_ids
from graphkit.analysis.audit import (
    DEFAULT_THRESHOLD,
    Audit,
    accounts_table,
    audit_accounts,
    quality_table,
    top_followed,
    usable_follow_times,
)
from graphkit.app.api import Data, Selectors, Tables, open_data
from graphkit.app.selectors import ACCOUNT_IDS, SELECTORS, text_items
from graphkit.app.settings import Settings
from graphkit.app.sources import Loaded, Sources
from graphkit.checks import check_frame
from graphkit.errors import ParameterError, UsageError, quoted
from graphkit.graph.social import (
    DISCOUNT_KEY,
    SocialGraph,
    identity_map,
    merge_identities,
)
from graphkit.graph.weights import timestamp_micros
from graphkit.io import Dataset
from graphkit.io.readers import validate_table
from graphkit.io.schema import FOLLOWS
from graphkit.progress import Progress

DEFAULT_TOP = 20


def audit(
    data: Data = None,
    *,
    ids: Sequence[str] | None = None,
    all: bool = False,
    trusted: Selectors = None,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = DEFAULT_TOP,
    settings: Settings | None = None,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """Audit audiences: how many of an account's followers look fake, and why.

    Parameters
    ----------
    data, follows, interactions, accounts, identities
        The data (see :mod:`graphkit.app.api`).
    ids
        The accounts whose audiences to audit.
    all
        Instead, score every account as a follower: ``id, name, followers, following,
        suspicion, reasons`` (reasons joined by ``;``), most suspicious first.
    trusted
        Trust seeds (audience selectors as in ``--audience``); default: the accounts with the
        most followers among those that interact (see :mod:`graphkit.analysis.audit`).
    threshold
        Followers with a suspicion at or above it count as suspicious.
    top
        Without ``ids`` and ``all``: audit the ``top`` accounts with the most followers.
    settings, progress
        As for :func:`graphkit.rank`.

    Returns
    -------
    polars.DataFrame
        Per audited account: ``id, name`` (with an accounts table that has names),
        ``followers, suspicious_followers, audience_quality`` (the share of followers with
        suspicion below ``threshold``; null without followers) and ``reason_<signal>``, the
        suspicious followers for which each signal fired.

    Raises
    ------
    ParameterError
        For an id not in the graph, a threshold outside [0, 1], or trusted selectors that pick
        no account.
    UsageError
        For ``ids`` together with ``all``, or a graph already discounted
        (``--discount-suspicious``: the audit would not see the edges it removed).

    Examples
    --------
    >>> import polars as pl
    >>> real = [("a", "b"), ("b", "a"), ("c", "a"), ("a", "c"), ("c", "b"), ("b", "c")]
    >>> farm = [(f"fake{i}", "c") for i in range(3)]
    >>> follows = pl.DataFrame(real + farm, schema=["follower", "followed"], orient="row")
    >>> table = audit(follows=follows, ids=["c"])
    >>> table.select("id", "followers", "suspicious_followers", "audience_quality").row(0)
    ('c', 5, 3, 0.4)
    >>> audit(follows=follows, all=True).filter(pl.col("id") == "fake0")["reasons"][0]
    'no_followers;low_trust'
    """
    if ids is not None and all:
        raise UsageError("give account ids or --all, not both")
    if not 0.0 <= threshold <= 1.0:
        raise ParameterError(f"threshold must be in [0, 1], got {threshold}")
    if top < 1:
        raise ParameterError(f"top must be at least 1, got {top}")
    wanted = list(dict.fromkeys(text_items(ids, "ids", ACCOUNT_IDS)))
    chosen = text_items(trusted, "trusted", SELECTORS)  # checked before the data is read
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    graph = loaded.graph
    if DISCOUNT_KEY in graph._cache:
        raise UsageError(
            "the audit reads the edges --discount-suspicious removes: leave it out of audit"
        )
    nodes = None
    if ids is not None:
        nodes = audited_nodes(graph, wanted, progress)
    given = tables.get("follows")
    if given is None and isinstance(data, Sources):
        given = data.follows
    in_memory = None if given is None or isinstance(given, str | os.PathLike) else given
    with progress.step("Scoring followers"):
        result = audit_loaded(loaded, trusted=chosen, follows=in_memory)
    if result.unscored:
        progress.note(f"Note: {result.unscored}")
    if all:
        return check_frame(accounts_table(graph, result))
    if nodes is None:
        nodes = top_followed(result, graph, top)
    return check_frame(quality_table(graph, result, nodes, threshold))


def audited_nodes(graph: SocialGraph, ids: list[str], progress: Progress) -> np.ndarray:
    """The node of each id (each once, in the order given), an id the identities merged
    away read as the account it became (noted).

    Raises
    ------
    ParameterError
        Naming the first id that is not in the graph.
    """
    nodes = resolve_ids(graph, ids)
    missing = [name for name, node in zip(ids, nodes, strict=True) if node < 0]
    if missing:
        raise ParameterError(f"account {quoted(missing[0])} is not in the graph")
    found = graph.ids_of(nodes).to_list()
    merged = [(name, node) for name, node in zip(ids, found, strict=True) if name != node]
    if merged:
        name, node = merged[0]
        more = f" (and {len(merged) - 1:,} more ids)" if len(merged) > 1 else ""
        progress.note(f"Auditing {quoted(node)} for {quoted(name)}{more}, the account it became")
    return np.asarray(list(dict.fromkeys(nodes.tolist())), dtype=np.int64)


def audit_loaded(loaded: Loaded, *, trusted: Selectors = None, follows: object = None) -> Audit:
    """The audit of every account of a loaded graph, with follow bursts from the follows'
    ``since`` times when the follows table (or its file, or ``follows``: the table given in
    memory it was loaded from) is at hand."""
    graph = loaded.graph
    mask = None
    selectors = text_items(trusted, "trusted", SELECTORS)
    if selectors:
        mask = select_audience(graph, selectors)
    return audit_accounts(graph, trusted=mask, follow_times=follow_times(loaded, follows))


def follow_times(loaded: Loaded, follows: object = None) -> tuple[np.ndarray, np.ndarray] | None:
    """``(follower node, since in microseconds)`` of each follow record with a time (NaN
    where it cannot show a burst: :func:`graphkit.analysis.audit.usable_follow_times`), or
    ``None`` when the follows carry no times or are no longer at hand. Loading drops the
    follows table once the graph is built: its file is then read again, piece by piece, or
    ``follows``, the table given in memory, validated again. (Standard input and fetched
    files are gone by then: their follows count no bursts.)"""
    dataset = loaded.dataset
    if dataset.follows is None and follows is not None:
        dataset = Dataset(follows=validate_table(follows, FOLLOWS), identities=dataset.identities)
    elif dataset.follows is None:
        path = loaded.sources.get("follows")
        if path is None or not Path(path).is_file():
            return None
        dataset = dataclasses.replace(dataset, streamed={"follows": Path(path)})
    person_of = identity_map(dataset.identities)
    nodes: list[np.ndarray] = []
    times: list[np.ndarray] = []
    for piece in dataset.pieces("follows"):
        if "since" not in piece.column_names:
            return None
        follower = merge_identities(piece["follower"], person_of)
        nodes.append(loaded.graph.index_of(follower.combine_chunks()))
        times.append(timestamp_micros(piece["since"]))
    if not nodes:
        return None
    follower_nodes = np.concatenate(nodes)
    return follower_nodes, usable_follow_times(follower_nodes, np.concatenate(times))
