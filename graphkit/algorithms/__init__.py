"""Public, validated graph algorithms returning numpy arrays indexed by node."""

from graphkit.algorithms.pagerank import PageRankResult, pagerank, pagerank_run

__all__ = ["PageRankResult", "pagerank", "pagerank_run"]
