"""Public, validated graph algorithms returning numpy arrays indexed by node."""

from graphkit.algorithms.communities import (
    CommunityResult,
    adjusted_rand_index,
    communities,
    modularity,
    normalized_mutual_information,
    stability,
    undirected_projection,
)
from graphkit.algorithms.pagerank import PageRankResult, pagerank, pagerank_run

__all__ = [
    "CommunityResult",
    "PageRankResult",
    "adjusted_rand_index",
    "communities",
    "modularity",
    "normalized_mutual_information",
    "pagerank",
    "pagerank_run",
    "stability",
    "undirected_projection",
]
