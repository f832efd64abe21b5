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
from graphkit.algorithms.paths import (
    Contributions,
    InfluencePath,
    influence_paths,
    pagerank_contributions,
)
from graphkit.algorithms.reach import (
    Coverage,
    GroupReach,
    Overlap,
    follower_mask,
    greedy_coverage,
    group_reach,
    overlap,
    reach,
    reach_2hop,
    reach_2hop_estimate,
    two_hop_audience,
    unique_reach,
)

__all__ = [
    "CommunityResult",
    "Contributions",
    "Coverage",
    "GroupReach",
    "InfluencePath",
    "Overlap",
    "PageRankResult",
    "adjusted_rand_index",
    "communities",
    "follower_mask",
    "greedy_coverage",
    "group_reach",
    "influence_paths",
    "modularity",
    "normalized_mutual_information",
    "overlap",
    "pagerank",
    "pagerank_contributions",
    "pagerank_run",
    "reach",
    "reach_2hop",
    "reach_2hop_estimate",
    "stability",
    "two_hop_audience",
    "undirected_projection",
    "unique_reach",
]
