"""Personal vs corporate brands: how much of an organization's reach flows through its people.

An *organization* is a brand account (``kind`` = ``brand``) together with the people whose
``organization`` column names it, after identity merge; other brand accounts whose
``organization`` names it (regional or product accounts) count as its corporate accounts too.

Reach counts distinct followers **outside** the organization: its own brand accounts and
people following each other are not its audience. With that convention

- ``corporate_reach``: followers of the corporate accounts;
- ``personal_reach``: followers of any of its people;
- ``overlap``: followers of both; ``combined_reach = corporate + personal - overlap``;
- ``personal_only_reach = personal_reach - overlap``: the audience only its people reach;
- ``personal_share = personal_reach / combined_reach``;
- a person's ``unique_reach``: followers reached by no colleague and not by the brand. It is
  exactly the combined reach the organization loses when the person and their edges are
  removed (``departure_impact_reach``), since a member's own follows never count as reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.algorithms.pagerank import DEFAULT_DAMPING, pagerank
from graphkit.algorithms.reach import follower_mask, greedy_coverage, group_reach
from graphkit.analysis.accounts import account_text
from graphkit.checks import check_frame
from graphkit.errors import ParameterError
from graphkit.graph.social import SocialGraph, identity_map, merge_identities
from graphkit.io.readers import Dataset

BRAND_COLUMNS: Final = (
    "organization",
    "name",
    "people",
    "corporate_reach",
    "personal_reach",
    "combined_reach",
    "overlap",
    "personal_only_reach",
    "personal_share",
    "pagerank_corporate",
    "pagerank_people",
    "people_first_share",
)
PEOPLE_COLUMNS: Final = (
    "organization",
    "rank",
    "id",
    "handle",
    "name",
    "title",
    "followers",
    "reach",
    "unique_reach",
    "departure_impact_reach",
    "departure_impact_pagerank",
    "pagerank",
)
DEFAULT_DEPARTURE_TOP: Final = 10
ROSTER_COLUMNS: Final = (
    "organization",
    "step",
    "id",
    "handle",
    "name",
    "title",
    "gain",
    "coverage",
    "coverage_share",
)


@dataclass(frozen=True)
class Organization:
    """A brand and its people, as node numbers.

    Attributes
    ----------
    id
        The brand account's id.
    corporate
        int64 nodes of its corporate accounts (the brand account first, when in the graph).
    people
        int64 nodes of its people, ordered by id.
    """

    id: str
    corporate: np.ndarray
    people: np.ndarray

    def members(self) -> np.ndarray:
        """Corporate accounts and people together."""
        return np.concatenate([self.corporate, self.people])


def organizations(graph: SocialGraph, orgs: Sequence[str] | None = None) -> list[Organization]:
    """The organizations of the accounts table, or those named in ``orgs``, ordered by id.

    Raises
    ------
    ParameterError
        When the graph has no accounts table with an ``organization`` column, or a named
        organization is neither a brand account nor anyone's organization.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> accounts = pa.table({"id": ["b", "p", "q"], "kind": ["brand", "person", "person"],
    ...                      "organization": [None, "b", "b"]})
    >>> follows = pa.table({"follower": ["x", "y"], "followed": ["b", "p"]})
    >>> graph = build_graph(Dataset(accounts=accounts, follows=follows))
    >>> [(org.id, [str(graph.ids[i]) for i in org.people]) for org in organizations(graph)]
    [('b', ['p', 'q'])]
    """
    accounts = _accounts_with_organization(graph)
    kind = (
        pl.col("kind").cast(pl.String).str.to_lowercase()
        if "kind" in accounts.columns
        else pl.lit(None, dtype=pl.String)
    )
    roles = accounts.select(
        pl.col("id").cast(pl.String),
        pl.col("organization").cast(pl.String),
        (kind == "brand").fill_null(False).alias("is_brand"),
    )
    # A brand account naming another organization is one of that organization's accounts.
    independent_brands = roles.filter(
        pl.col("is_brand")
        & (pl.col("organization").is_null() | (pl.col("organization") == pl.col("id")))
    )
    known = set(independent_brands["id"].to_list()) | set(
        roles["organization"].drop_nulls().unique().to_list()
    )
    if orgs is None:
        wanted = sorted(known)
    else:
        unknown = [org for org in orgs if org not in known]
        if unknown:
            raise ParameterError(
                f"unknown organization {unknown[0]!r}: no brand account has that id and no "
                "account names it as its organization"
            )
        wanted = sorted(dict.fromkeys(orgs))
    # The brand accounts first (corporate), then the organization's other accounts, by id.
    members = pl.concat(
        [
            pl.DataFrame(
                {"id": wanted, "organization": wanted, "is_brand": [True] * len(wanted)},
                schema=roles.schema,
            ),
            roles.filter(
                pl.col("organization").is_in(wanted) & (pl.col("id") != pl.col("organization"))
            ).sort("id"),
        ]
    )
    # One lookup for every member: each index_of hashes all of the graph's ids.
    members = members.with_columns(
        pl.Series("node", graph.index_of(members["id"].to_arrow()), dtype=pl.Int64)
    ).filter(pl.col("node") >= 0)
    nodes_of: dict[tuple[str, bool], list[int]] = {}
    for org, is_brand, node in members.select("organization", "is_brand", "node").iter_rows():
        nodes_of.setdefault((org, is_brand), []).append(node)
    return [
        Organization(
            org,
            np.array(nodes_of.get((org, True), []), dtype=np.int64),
            np.array(nodes_of.get((org, False), []), dtype=np.int64),
        )
        for org in wanted
    ]


def brand_table(
    graph: SocialGraph,
    *,
    orgs: Sequence[str] | None = None,
    pagerank_scores: np.ndarray | None = None,
    dataset: Dataset | None = None,
) -> pl.DataFrame:
    """One row per organization: corporate vs personal reach and PageRank.

    Parameters
    ----------
    graph
        The influence graph, with an accounts table holding ``organization``.
    orgs
        Brand ids to report (default: every organization).
    pagerank_scores
        PageRank of every node (computed here when ``None``).
    dataset
        The dataset the graph was built from; its interactions' timestamps give
        ``people_first_share`` (null without them).

    Returns
    -------
    polars.DataFrame
        Columns ``organization, name, people, corporate_reach, personal_reach,
        combined_reach, overlap, personal_only_reach, personal_share, pagerank_corporate,
        pagerank_people, people_first_share``, by combined reach (descending), then id.
        Reach counts distinct followers outside the organization (see the module notes).
        ``people_first_share``: among outside accounts that interacted with both a person of
        the organization and a corporate account, the share whose first such interaction
        (by timestamp) was with a person; null without timestamps or such accounts.

    Examples
    --------
    Brand ``b`` with people ``p`` and ``q``: ``x`` follows b and p, ``y`` and ``z`` follow p.

    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> accounts = pa.table({"id": ["b", "p", "q"], "kind": ["brand", "person", "person"],
    ...                      "organization": [None, "b", "b"]})
    >>> follows = pa.table({"follower": ["x", "x", "y", "z"], "followed": ["b", "p", "p", "p"]})
    >>> graph = build_graph(Dataset(accounts=accounts, follows=follows))
    >>> row = brand_table(graph).row(0, named=True)
    >>> [row[name] for name in ("corporate_reach", "personal_reach", "overlap", "combined_reach")]
    [1, 3, 1, 3]
    >>> row["personal_share"], row["people_first_share"]
    (1.0, None)
    """
    groups = organizations(graph, orgs)
    scores = _scores(graph, pagerank_scores)
    reach = group_reach(
        graph,
        corporate=[org.corporate for org in groups],
        people=[org.people for org in groups],
    )
    combined = reach.combined_reach
    table = pl.DataFrame(
        {
            "organization": [org.id for org in groups],
            "people": [org.people.shape[0] for org in groups],
            "corporate_reach": reach.corporate_reach,
            "personal_reach": reach.personal_reach,
            "combined_reach": combined,
            "overlap": reach.overlap,
            "personal_only_reach": reach.personal_only_reach,
            "personal_share": np.divide(
                reach.personal_reach,
                combined,
                out=np.full(len(groups), np.nan),
                where=combined > 0,
            ),
            "pagerank_corporate": [float(scores[org.corporate].sum()) for org in groups],
            "pagerank_people": [float(scores[org.people].sum()) for org in groups],
            "people_first_share": _people_first_share(graph, groups, dataset),
        },
        schema_overrides={
            "organization": pl.String,  # typed even when there is no organization
            "people": pl.Int64,
            "pagerank_corporate": pl.Float64,
            "pagerank_people": pl.Float64,
            "people_first_share": pl.Float64,
        },
    ).with_columns(pl.col("personal_share", "people_first_share").fill_nan(None))
    names = account_text(graph, table["organization"]).select("id", "name")
    table = table.join(names, left_on="organization", right_on="id", how="left")
    return check_frame(
        table.sort(["combined_reach", "organization"], descending=[True, False]).select(
            BRAND_COLUMNS
        ),
        keys=["organization"],
    )


def people_table(
    graph: SocialGraph,
    *,
    orgs: Sequence[str] | None = None,
    pagerank_scores: np.ndarray | None = None,
    departure_top: int | None = DEFAULT_DEPARTURE_TOP,
    damping: float = DEFAULT_DAMPING,
) -> pl.DataFrame:
    """One row per person of each organization: reach, unique reach and departure impact.

    Parameters
    ----------
    graph
        The influence graph, with an accounts table holding ``organization``.
    orgs
        Brand ids to report (default: every organization).
    pagerank_scores
        Plain PageRank of every node with ``damping`` (computed here when ``None``).
    departure_top
        Recompute PageRank without each of the first ``departure_top`` people of each
        organization (by rank) for ``departure_impact_pagerank``; ``None``: everyone, 0:
        nobody. Each person costs one full PageRank run, so the column is null beyond them.
    damping
        PageRank damping factor.

    Returns
    -------
    polars.DataFrame
        Columns ``organization, rank, id, handle, name, title, followers, reach,
        unique_reach, departure_impact_reach, departure_impact_pagerank, pagerank``, by
        organization then rank. ``followers`` counts all distinct followers, ``reach`` those
        outside the organization; ``rank`` orders the people of an organization by unique
        reach, then reach, then id. ``departure_impact_pagerank`` is the PageRank the
        corporate accounts lose (negative: gain) when the person and all their edges are
        removed and PageRank is recomputed on the remaining accounts.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> accounts = pa.table({"id": ["b", "p", "q"], "kind": ["brand", "person", "person"],
    ...                      "organization": [None, "b", "b"]})
    >>> follows = pa.table({"follower": ["x", "x", "y", "z", "q"],
    ...                     "followed": ["b", "p", "p", "q", "b"]})
    >>> graph = build_graph(Dataset(accounts=accounts, follows=follows))
    >>> table = people_table(graph)
    >>> table.select("id", "rank", "reach", "unique_reach").rows()
    [('p', 1, 2, 1), ('q', 2, 1, 1)]
    >>> bool(table.filter(pl.col("id") == "q")["departure_impact_pagerank"][0] > 0)  # q -> b
    True
    """
    groups = organizations(graph, orgs)
    scores = _scores(graph, pagerank_scores)
    reach = group_reach(
        graph,
        corporate=[org.corporate for org in groups],
        people=[org.people for org in groups],
    )
    if departure_top is not None and departure_top < 0:
        raise ParameterError(f"departure_top must be >= 0, got {departure_top}")
    people = np.concatenate([org.people for org in groups]) if groups else np.zeros(0, np.int64)
    table = pl.DataFrame(
        {
            "organization": pl.Series(
                [org.id for org in groups for _ in range(org.people.shape[0])], dtype=pl.String
            ),
            "group": np.repeat(np.arange(len(groups)), [org.people.shape[0] for org in groups]),
            "node": people,
            "id": graph.ids_of(people),
            "followers": graph.followers[people],
            "reach": reach.member_reach,
            "unique_reach": reach.member_unique_reach,
            "departure_impact_reach": reach.member_unique_reach,
            "pagerank": scores[people],
        },
        schema_overrides={"group": pl.Int64, "node": pl.Int64},
    )
    table = table.sort(
        ["organization", "unique_reach", "reach", "id"], descending=[False, True, True, False]
    ).with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("organization").alias("rank"))
    chosen = table if departure_top is None else table.filter(pl.col("rank") <= departure_top)
    lost = _departure_pagerank(
        graph,
        chosen["node"].to_numpy(),
        [groups[group].corporate for group in chosen["group"]],
        scores,
        damping,
    )
    table = table.join(
        chosen.select("node", pl.Series("departure_impact_pagerank", lost, dtype=pl.Float64)),
        on="node",
        how="left",
        maintain_order="left",
    )
    table = table.join(account_text(graph, table["id"]), on="id", how="left")
    return check_frame(table.select(PEOPLE_COLUMNS), keys=["organization", "id"])


def roster(graph: SocialGraph, org: str, k: int, *, include_corporate: bool = True) -> pl.DataFrame:
    """The ``k`` people who together add the most reach to an organization, with the curve.

    Greedy maximum coverage with lazy evaluation (CELF; within 63 % of the best roster):
    each step adds the person whose followers add the most outside accounts not yet reached
    (ties to the smaller id). Stops early when nobody adds anyone.

    Parameters
    ----------
    graph
        The influence graph, with an accounts table holding ``organization``.
    org
        The brand id.
    k
        Most people to choose.
    include_corporate
        Start from the corporate accounts' followers (count what people add beyond the
        brand); ``False`` covers from nothing.

    Returns
    -------
    polars.DataFrame
        Columns ``organization, step, id, handle, name, title, gain, coverage,
        coverage_share``: ``gain`` is what the step added, ``coverage`` the reach so far
        (corporate reach included when ``include_corporate``), ``coverage_share`` that
        coverage over the organization's combined reach (brand and all people).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> accounts = pa.table({"id": ["b", "p", "q", "r"], "kind": ["brand", *["person"] * 3],
    ...                      "organization": [None, "b", "b", "b"]})
    >>> pairs = [("w", "b"), ("x", "p"), ("y", "p"), ("x", "q"), ("y", "q"), ("z", "r")]
    >>> follows = pa.table({"follower": [a for a, _ in pairs], "followed": [b for _, b in pairs]})
    >>> graph = build_graph(Dataset(accounts=accounts, follows=follows))
    >>> roster(graph, "b", 3).select("step", "id", "gain", "coverage", "coverage_share").rows()
    [(1, 'p', 2, 3, 0.75), (2, 'r', 1, 4, 1.0)]
    """
    (group,) = organizations(graph, [org])
    members = group.members()
    insiders = np.zeros(graph.n_nodes, dtype=np.bool_)
    insiders[members] = True
    corporate_audience = follower_mask(graph, group.corporate, exclude=insiders)
    combined = int(
        np.count_nonzero(corporate_audience | follower_mask(graph, group.people, exclude=insiders))
    )
    base = int(np.count_nonzero(corporate_audience)) if include_corporate else 0
    picks = greedy_coverage(
        graph,
        group.people,
        min(k, group.people.shape[0]),  # more than everyone is everyone (and fits int64)
        covered=corporate_audience if include_corporate else None,
        exclude=insiders,
    )
    coverage = base + picks.curve
    table = pl.DataFrame(
        {
            "organization": pl.Series([org] * picks.chosen.shape[0], dtype=pl.String),
            "step": np.arange(1, picks.chosen.shape[0] + 1, dtype=np.int64),
            "id": graph.ids_of(picks.chosen),
            "gain": picks.gains,
            "coverage": coverage,
            "coverage_share": coverage / combined if combined else np.full(coverage.shape, np.nan),
        }
    ).with_columns(pl.col("coverage_share").fill_nan(None))
    table = table.join(account_text(graph, table["id"]), on="id", how="left")
    return check_frame(table.select(ROSTER_COLUMNS), keys=["organization", "id"])


def _accounts_with_organization(graph: SocialGraph) -> pl.DataFrame:
    accounts = graph.accounts
    if accounts is None or "organization" not in accounts.columns:
        raise ParameterError(
            "brand analysis needs an accounts table with an organization column "
            "(give --accounts FILE)"
        )
    return accounts


def _nodes_of(graph: SocialGraph, ids: pa.ChunkedArray) -> np.ndarray:
    """Node of each id (-1 where absent), for ids of any string type."""
    positions = pc.index_in(ids.cast(graph.ids.type), value_set=graph.ids)
    return np.asarray(positions.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _scores(graph: SocialGraph, pagerank_scores: np.ndarray | None) -> np.ndarray:
    if pagerank_scores is None:
        return pagerank(graph)
    scores = np.asarray(pagerank_scores, dtype=np.float64)
    if scores.shape != (graph.n_nodes,):
        raise ParameterError(f"pagerank_scores must have one score per node ({graph.n_nodes:,})")
    return scores


def _departure_pagerank(
    graph: SocialGraph,
    people: np.ndarray,
    brand_of_person: list[np.ndarray],
    scores: np.ndarray,
    damping: float,
) -> np.ndarray:
    """PageRank the brand loses when each person and their edges are removed.

    The reduced graph is the same CSR with the person's in- and out-edges weighted 0 (their
    followers' out-weights recomputed) and no teleport to the person, which gives the
    person score 0 and everyone else the PageRank of the graph without them.
    """
    n = graph.n_nodes
    is_person = np.zeros(n, dtype=np.bool_)
    is_person[people] = True
    out_edges = np.flatnonzero(is_person[graph.in_sources])
    out_edges = out_edges[np.argsort(graph.in_sources[out_edges], kind="stable")]
    owners = graph.in_sources[out_edges]
    weights = graph.in_weights.copy()
    teleport = np.ones(n)
    lost = np.empty(people.shape[0])
    for position, person in enumerate(people):
        in_edges = slice(int(graph.in_indptr[person]), int(graph.in_indptr[person + 1]))
        first, last = np.searchsorted(owners, [person, person + 1])
        person_out_edges = out_edges[first:last]
        weights[in_edges] = 0.0
        weights[person_out_edges] = 0.0
        teleport[person] = 0.0
        reduced = graph.with_weights(weights)
        corporate = brand_of_person[position]
        without = pagerank(reduced, damping=damping, personalization=teleport)
        lost[position] = scores[corporate].sum() - without[corporate].sum()
        weights[in_edges] = graph.in_weights[in_edges]
        weights[person_out_edges] = graph.in_weights[person_out_edges]
        teleport[person] = 1.0
    return lost


def _people_first_share(
    graph: SocialGraph, groups: list[Organization], dataset: Dataset | None
) -> np.ndarray:
    """Per organization, the share of dual-engaged outsiders who engaged a person first."""
    share = np.full(len(groups), np.nan)
    if dataset is None or not groups:
        return share
    n = graph.n_nodes
    # Each node belongs to at most one organization (its accounts-table row names one).
    member_of = np.full(n, -1, dtype=np.int64)
    is_person = np.zeros(n, dtype=np.bool_)
    for position, org in enumerate(groups):
        member_of[org.corporate] = position
        member_of[org.people] = position
        is_person[org.people] = True
    person_of = identity_map(dataset.identities)
    firsts: list[pl.DataFrame] = []
    for piece in dataset.pieces("interactions"):
        if "timestamp" not in piece.column_names:
            return share
        targets = _nodes_of(graph, merge_identities(piece.column("target"), person_of))
        sources = _nodes_of(graph, merge_identities(piece.column("source"), person_of))
        target_org = np.where(targets >= 0, member_of[np.maximum(targets, 0)], -1)
        source_org = np.where(sources >= 0, member_of[np.maximum(sources, 0)], -2)
        frame = pl.DataFrame(
            {
                "source": sources,
                "source_org": source_org,
                "org": target_org,
                "to_person": is_person[np.maximum(targets, 0)],
                "timestamp": pl.Series(piece.column("timestamp")).cast(pl.Int64),
            }
        ).filter(
            (pl.col("org") >= 0)
            & (pl.col("source_org") != pl.col("org"))
            & pl.col("timestamp").is_not_null()
        )
        firsts.append(
            frame.group_by("source", "org").agg(
                pl.col("timestamp").filter(pl.col("to_person")).min().alias("first_person"),
                pl.col("timestamp").filter(~pl.col("to_person")).min().alias("first_brand"),
            )
        )
    if not firsts:
        return share
    both = (
        pl.concat(firsts)
        .group_by("source", "org")
        .agg(pl.col("first_person").min(), pl.col("first_brand").min())
        .drop_nulls()
    )
    per_org = both.group_by("org").agg(
        (pl.col("first_person") < pl.col("first_brand")).mean().alias("share")
    )
    share[per_org["org"].to_numpy()] = per_org["share"].to_numpy()
    return share
