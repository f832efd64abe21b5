"""``graphkit.warm_paths``: for every target account, the strongest short paths of attention
from the target to an organization's people (warm introductions).

An edge ``u -> v`` means *u pays attention to v*; influence flows against it, so a colleague
reaches a target when the target pays attention to the colleague, directly or through up to
two intermediaries (:mod:`graphkit.algorithms.warm_paths` has the rules). The colleagues are
the organization's *people*: the accounts whose ``organization`` names it, brand accounts
excepted. The brand's own accounts introduce nobody (``graphkit paths --from ID --to BRAND``
shows the paths to them), though they may stand in the middle of a path.

A path's strength is the product of the attention shares along it, with the edge weights of
the graph as built: interactions decay with age when a half-life is given (``--half-life``,
``Settings.weighting``) and follows never do. No half-life is applied by default, so the
strengths are those ``graphkit paths`` reports for the same pair.
"""

from __future__ import annotations

import os
from typing import Final, Unpack

import numpy as np
import polars as pl

from graphkit.algorithms.warm_paths import (
    DEFAULT_MAX_HOPS,
    DEFAULT_PER_TARGET,
    WarmPaths,
    check_limits,
)
from graphkit.algorithms.warm_paths import warm_paths as find_warm_paths
from graphkit.analysis import organizations, select_audience
from graphkit.analysis.accounts import account_text
from graphkit.analysis.audience import resolved_names
from graphkit.analysis.brands import Organization
from graphkit.app.api import Data, Selectors, Tables, open_data
from graphkit.app.selectors import SELECTORS, text_items
from graphkit.app.settings import Settings
from graphkit.checks import check_frame
from graphkit.errors import ParameterError
from graphkit.graph.social import SocialGraph
from graphkit.progress import Progress

WARM_PATH_COLUMNS: Final = (
    "target",
    "target_name",
    "path_rank",
    "strength",
    "colleague",
    "colleague_name",
    "hops",
    "intermediaries",
    "path",
)
PATH_SEPARATOR: Final = " > "


def warm_paths(
    data: Data = None,
    *,
    organization: str,
    targets: Selectors | os.PathLike[str],
    per_target: int = DEFAULT_PER_TARGET,
    max_hops: int = DEFAULT_MAX_HOPS,
    settings: Settings | None = None,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """The ``per_target`` strongest paths of at most ``max_hops`` hops from each target to
    the people of ``organization``.

    Parameters
    ----------
    data, follows, interactions, accounts, identities
        The data (see :mod:`graphkit.app.api`); the accounts table must hold
        ``organization``.
    organization
        The organization: its brand account's id, or the ``name`` or ``handle`` of exactly
        one brand account (case-insensitive).
    targets
        The target accounts: selectors as in ``graphkit rank --audience`` (a file of ids,
        ``title~CTO``, ``id=a,b``; a path object names a file of ids); several add up.
        Targets that are the organization's own accounts are left out.
    per_target
        Most paths per target (1 to 20).
    max_hops
        Longest path (1 to 3 edges).
    settings
        Weighting (and a half-life for recency) and threads.
    progress
        Where steps and notes go (default: nowhere).

    Returns
    -------
    polars.DataFrame
        Columns ``target, target_name, path_rank, strength, colleague, colleague_name, hops,
        intermediaries, path``: one row per path, the targets with the strongest paths
        first (then by id), each target's paths by ``path_rank``. ``strength`` is the product
        of the attention shares along the path; ``intermediaries`` the names (else handles,
        else ids) of the accounts between target and colleague, ``path`` the ids from the
        target to the colleague, both joined by `` > `` (``intermediaries`` is empty for a
        direct path). A target without a path has one row with only ``target`` and
        ``target_name`` filled in. Names are the accounts' ``name``, else ``handle``.

    Raises
    ------
    ParameterError
        When the organization is unknown or has no people in the graph, the targets are not
        selectors or select no account (or only the organization's own), or
        ``per_target``/``max_hops`` are out of range.

    Examples
    --------
    >>> import polars as pl
    >>> accounts = pl.DataFrame({"id": ["acme", "maya", "ana", "bob"],
    ...                          "name": ["Acme", "Maya", "Ana", None],
    ...                          "kind": ["brand", "person", "person", "person"],
    ...                          "organization": [None, "acme", None, None],
    ...                          "title": [None, None, "Analyst", "CTO"]})
    >>> follows = pl.DataFrame({"follower": ["bob", "bob", "ana"],
    ...                         "followed": ["ana", "maya", "maya"]})
    >>> found = warm_paths(accounts=accounts, follows=follows, organization="Acme",
    ...                    targets="title~CTO")
    >>> found.select("target", "path_rank", "strength", "colleague", "intermediaries").rows()
    [('bob', 1, 0.5, 'maya', ''), ('bob', 2, 0.5, 'maya', 'Ana')]
    """
    per_target, max_hops = check_limits(per_target, max_hops)
    selectors = target_selectors(targets)
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    graph = loaded.graph
    group = find_organization(graph, organization)
    if group.people.shape[0] == 0:
        raise ParameterError(f"organization {group.id!r} has no people in the graph")
    chosen = select_audience(graph, selectors)
    members = int(np.count_nonzero(chosen[group.members()]))
    chosen[group.members()] = False
    if not chosen.any():
        raise ParameterError(f"every target belongs to the organization {group.id!r}")
    if members:
        belong = "target that belongs" if members == 1 else "targets that belong"
        progress.note(f"Left out {members:,} {belong} to {group.id}")
    target_nodes = np.flatnonzero(chosen)
    with progress.step("Finding warm paths"):
        found = find_warm_paths(
            graph, group.people, target_nodes, per_target=per_target, max_hops=max_hops
        )
    return warm_path_table(graph, found, target_nodes)


def target_selectors(targets: object) -> list[str]:
    """The selector texts of ``targets``: one selector or path, or a sequence of them.

    Raises
    ------
    ParameterError
        When there is none, or one is not a text or a path.
    """
    selectors = text_items(targets, "targets", SELECTORS, paths=True)
    if not selectors:
        raise ParameterError("give the targets: a file of ids or a selector such as title~CTO")
    return selectors


def find_organization(graph: SocialGraph, organization: str) -> Organization:
    """The organization whose brand account has the id ``organization``, or else the one
    brand account of that id, name or handle (names and handles case-insensitive; a regional
    brand account stands for the organization it names).

    Raises
    ------
    ParameterError
        When the accounts table lacks ``organization``, no organization matches, or the name
        fits several brand accounts.
    """
    if not isinstance(organization, str):
        raise ParameterError(f"organization must be a brand's id or name, got {organization!r}")
    accounts = graph.accounts
    if accounts is None or "organization" not in accounts.columns:
        raise ParameterError(
            "warm paths need an accounts table with an organization column (give --accounts FILE)"
        )
    try:
        (group,) = organizations(graph, resolved_names(graph, [organization]))
        return group
    except ParameterError:
        pass  # not a brand's id: perhaps its name
    wanted = organization.strip().lower()
    labels = [name for name in ("name", "handle") if name in accounts.columns]
    is_brand = (
        pl.col("kind").cast(pl.String).str.to_lowercase() == "brand"
        if "kind" in accounts.columns
        else pl.lit(False)
    )
    matching = accounts.filter(
        is_brand.fill_null(False)
        & pl.any_horizontal(
            pl.col("id").cast(pl.String) == organization,
            *(
                pl.col(label).cast(pl.String).str.strip_chars().str.to_lowercase() == wanted
                for label in labels
            ),
        ).fill_null(False)
    )
    # A regional brand account (naming its organization, by id, name or handle) stands for
    # that organization.
    owners = matching.select(
        pl.coalesce(pl.col("organization").cast(pl.String), pl.col("id").cast(pl.String))
    )
    ids = sorted(set(owners.to_series().to_list()))
    if len(ids) > 1:
        raise ParameterError(
            f"organization {organization!r} is the name of several brand accounts "
            f"({', '.join(ids[:5])}): give the brand's id"
        )
    if not ids:
        hint = _not_a_brand(accounts, organization)
        raise ParameterError(
            f"unknown organization {organization!r}: no brand account has that id, name or "
            f"handle and no account names it as its organization{hint}"
        )
    (group,) = organizations(graph, ids)
    return group


def _not_a_brand(accounts: pl.DataFrame, organization: str) -> str:
    """A hint when ``organization`` is the id of an account that is not a brand (a person's,
    most likely): the organization it belongs to."""
    account = accounts.filter(pl.col("id").cast(pl.String) == organization)
    if account.height == 0:
        return ""
    owner = account.get_column("organization").cast(pl.String)[0]
    if owner is None:
        return f" ({organization!r} is an account that is not a brand)"
    return f" ({organization!r} is an account of the organization {owner!r}: give that)"


def warm_path_table(graph: SocialGraph, found: WarmPaths, targets: np.ndarray) -> pl.DataFrame:
    """The paths as a table (see :func:`warm_paths`), with a row for each of ``targets``
    (nodes) that has none."""
    rows = np.arange(found.nodes.shape[0])
    hops = found.hops
    colleague = found.nodes[rows, hops] if rows.shape[0] else np.zeros(0, np.int64)
    middle = [
        np.where(hops > position, found.nodes[:, position], -1)
        if found.nodes.shape[1] > position
        else np.full(rows.shape[0], -1)
        for position in (1, 2)
    ]
    involved = np.unique(np.concatenate([targets, found.nodes.ravel()]))
    involved = involved[involved >= 0]
    ids = graph.ids_of(involved)
    text = account_text(graph, ids)
    labels = text.select(pl.coalesce("name", "handle")).to_series()

    def lookup(nodes: np.ndarray, values: pl.Series) -> pl.Series:
        position = np.minimum(np.searchsorted(involved, nodes), involved.shape[0] - 1)
        taken = values.gather(position.astype(np.int64))
        missing = np.flatnonzero(nodes < 0)
        return taken.scatter(missing, None) if missing.shape[0] else taken

    names_or_ids = text.select(pl.coalesce("name", "handle", "id")).to_series()
    steps = [f"step_{position}" for position in range(found.nodes.shape[1])]
    paths = pl.DataFrame(
        {
            "target": lookup(found.targets, ids),
            "target_name": lookup(found.targets, labels),
            "path_rank": pl.Series(found.ranks, dtype=pl.Int64),
            "strength": pl.Series(found.strengths, dtype=pl.Float64),
            "colleague": lookup(colleague, ids),
            "colleague_name": lookup(colleague, labels),
            "hops": pl.Series(hops, dtype=pl.Int64),
            "first_between": lookup(middle[0], names_or_ids),
            "second_between": lookup(middle[1], names_or_ids),
            **{step: lookup(found.nodes[:, position], ids) for position, step in enumerate(steps)},
        }
    ).with_columns(
        pl.concat_str(
            ["first_between", "second_between"], separator=PATH_SEPARATOR, ignore_nulls=True
        ).alias("intermediaries"),
        pl.concat_str(steps, separator=PATH_SEPARATOR, ignore_nulls=True).alias("path"),
    )
    without = np.setdiff1d(targets, found.targets)
    lonely = pl.DataFrame({"target": lookup(without, ids), "target_name": lookup(without, labels)})
    table = pl.concat([paths, lonely], how="diagonal_relaxed").select(WARM_PATH_COLUMNS)
    best = pl.col("strength").max().over("target")
    table = table.sort(
        [best, "target", "path_rank"], descending=[True, False, False], nulls_last=True
    )
    return check_frame(table, keys=["target", "path_rank"])
