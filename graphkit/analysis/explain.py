"""Why an account ranks where it does: its top PageRank contributors and influence paths."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from graphkit.algorithms.pagerank import DEFAULT_DAMPING
from graphkit.algorithms.paths import influence_paths, pagerank_contributions
from graphkit.analysis.accounts import account_text
from graphkit.checks import check_frame
from graphkit.errors import ParameterError
from graphkit.graph.social import FOLLOW_FLAG, INTERACTION_FLAG, SocialGraph

DEFAULT_CONTRIBUTORS: Final = 10
DEFAULT_PATHS: Final = 5
CONTRIBUTOR_COLUMNS: Final = (
    "rank",
    "id",
    "handle",
    "name",
    "title",
    "contribution",
    "share",
    "attention_share",
    "pagerank",
    "via",
)
PATH_COLUMNS: Final = ("rank", "hops", "influence", "path", "handles")


@dataclass(frozen=True)
class Explanation:
    """Where one account's PageRank comes from.

    Attributes
    ----------
    id
        The account explained.
    rank
        Its position among all accounts by score (1 = highest; ties share the better rank).
    n_accounts
        Number of accounts ranked.
    score
        Its PageRank.
    in_neighbors
        Accounts paying attention to it.
    teleport_share
        Share of its score received by teleporting (and from dangling accounts) rather than
        along edges.
    audience_share
        Share of its score passed on directly by audience members (``None`` without an
        audience).
    community
        Its community, when a membership was given.
    community_rank
        Its rank by score inside that community.
    contributors
        The top in-neighbours by contribution, columns ``rank, id, handle, name, title,
        contribution, share, attention_share, pagerank, via``: ``contribution`` is
        ``damping * pagerank[u] * w(u, v) / out_weight[u]``, ``share`` its part of the score,
        ``attention_share`` the part of u's attention going to the account, ``via`` whether
        the edge is a follow, interactions or both.
    """

    id: str
    rank: int
    n_accounts: int
    score: float
    in_neighbors: int
    teleport_share: float
    audience_share: float | None
    community: int | None
    community_rank: int | None
    contributors: pl.DataFrame


def explain(
    graph: SocialGraph,
    account: str,
    scores: np.ndarray,
    *,
    damping: float = DEFAULT_DAMPING,
    audience: np.ndarray | None = None,
    membership: np.ndarray | None = None,
    top: int = DEFAULT_CONTRIBUTORS,
) -> Explanation:
    """Explain an account's PageRank by the in-neighbours that pass it on.

    Parameters
    ----------
    graph
        The influence graph.
    account
        The account's id.
    scores
        PageRank of every node, computed with ``damping`` and, when ``audience`` is given,
        personalized on it (teleporting uniformly to the audience).
    damping
        The damping factor of ``scores``.
    audience
        Boolean mask of an audience: ``audience_share`` says how much of the score its
        members pass on directly.
    membership
        Community of each node, to report the account's community and rank in it.
    top
        Contributors listed (0: all).

    Returns
    -------
    Explanation

    Raises
    ------
    ParameterError
        When the account is not in the graph or an array has the wrong length.

    Examples
    --------
    ``a`` and ``b`` follow ``c``; ``c`` follows ``a``.

    >>> import pyarrow as pa
    >>> from graphkit.algorithms.pagerank import pagerank
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "c"], "followed": ["c", "c", "a"]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> why = explain(graph, "c", pagerank(graph))
    >>> why.rank, why.in_neighbors, why.contributors["id"].to_list()
    (1, 2, ['a', 'b'])
    >>> round(why.contributors["share"].sum() + why.teleport_share, 6)
    1.0
    """
    node = _node(graph, account)
    n = graph.n_nodes
    if scores.shape != (n,):
        raise ParameterError(f"scores must have one value per node ({n:,})")
    if top < 0:
        raise ParameterError(f"top must be >= 0, got {top}")
    personalization = None
    if audience is not None:
        if audience.shape != (n,):
            raise ParameterError(f"audience must have one value per node ({n:,})")
        personalization = audience.astype(np.float64)
    parts = pagerank_contributions(
        graph, node, scores, damping=damping, personalization=personalization
    )
    score = float(scores[node])
    start = int(graph.in_indptr[node])
    flags = graph.in_flags[start : start + parts.sources.shape[0]]
    attention = graph.attention_shares(slice(start, start + parts.sources.shape[0]))
    contributors = pl.DataFrame(
        {
            "id": graph.ids_of(parts.sources),
            "contribution": parts.amounts,
            "share": parts.amounts / score if score > 0 else np.zeros(parts.amounts.shape),
            "attention_share": attention,
            "pagerank": scores[parts.sources],
            "via": [_via(int(flag)) for flag in flags],
        }
    ).sort(["contribution", "id"], descending=[True, False])
    if top:
        contributors = contributors.head(top)
    contributors = contributors.with_row_index("rank", offset=1).with_columns(
        pl.col("rank").cast(pl.Int64)
    )
    contributors = check_frame(
        contributors.join(
            account_text(graph, contributors["id"]), on="id", how="left", maintain_order="left"
        ).select(CONTRIBUTOR_COLUMNS)
    )
    audience_share = None
    if audience is not None and score > 0:
        audience_share = float(parts.amounts[audience[parts.sources]].sum() / score)
    community = community_rank = None
    if membership is not None:
        if membership.shape != (n,):
            raise ParameterError(f"membership must have one value per node ({n:,})")
        community = int(membership[node])
        peers = scores[membership == community]
        community_rank = int(np.count_nonzero(peers > score)) + 1
    return Explanation(
        id=account,
        rank=int(np.count_nonzero(scores > score)) + 1,
        n_accounts=n,
        score=score,
        in_neighbors=int(parts.sources.shape[0]),
        teleport_share=parts.teleport / score if score > 0 else 0.0,
        audience_share=audience_share,
        community=community,
        community_rank=community_rank,
        contributors=contributors,
    )


def path_table(
    graph: SocialGraph, source: str, target: str, *, k: int = DEFAULT_PATHS
) -> pl.DataFrame:
    """The strongest influence paths from one account to another ("pathing the purchase").

    Parameters
    ----------
    graph
        The influence graph.
    source, target
        Account ids, e.g. a buyer and a brand; paths follow attention from source to target.
    k
        Most paths listed.

    Returns
    -------
    polars.DataFrame
        Columns ``rank, hops, influence, path, handles``, best first: ``influence`` is the
        product of the normalised edge weights (the chance that a walk from the source that
        follows attention takes this path), ``path`` the ids and ``handles`` the handles
        (ids where unknown) joined by `` > ``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["buyer", "buyer", "analyst"],
    ...                     "followed": ["analyst", "brand", "brand"], "weight": [3.0, 1.0, 1.0]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> path_table(graph, "buyer", "brand").select("hops", "influence", "path").rows()
    [(2, 0.75, 'buyer > analyst > brand'), (1, 0.25, 'buyer > brand')]
    """
    paths = influence_paths(graph, _node(graph, source), _node(graph, target), k=k)
    nodes = np.concatenate([path.nodes for path in paths]) if paths else np.zeros(0, np.int64)
    ids = graph.ids_of(nodes)
    text = account_text(graph, ids)
    handle_of = dict(zip(text["id"].to_list(), text["handle"].to_list(), strict=True))
    rows = []
    for position, path in enumerate(paths, start=1):
        path_ids = [str(graph.ids[int(node)]) for node in path.nodes]
        handles = [handle_of.get(item) or item for item in path_ids]
        rows.append(
            (position, path.hops, path.influence, " > ".join(path_ids), " > ".join(handles))
        )
    table = pl.DataFrame(
        rows,
        schema={
            "rank": pl.Int64,
            "hops": pl.Int64,
            "influence": pl.Float64,
            "path": pl.String,
            "handles": pl.String,
        },
        orient="row",
    ).select(PATH_COLUMNS)
    return check_frame(table, keys=["rank"])


def _node(graph: SocialGraph, account: str) -> int:
    node = int(graph.index_of([account])[0])
    if node < 0:
        raise ParameterError(f"account {account!r} is not in the graph")
    return node


def _via(flag: int) -> str:
    if flag & FOLLOW_FLAG and flag & INTERACTION_FLAG:
        return "follow+interaction"
    return "follow" if flag & FOLLOW_FLAG else "interaction"
