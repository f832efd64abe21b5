"""graphkit: who moves your audience? Influencer and SME ranking for marketing and sales."""

from graphkit._version import __version__
from graphkit.algorithms import pagerank
from graphkit.analysis import rank_influencers, select_audience
from graphkit.errors import (
    ConvergenceError,
    GraphkitError,
    InputError,
    ParameterError,
    SchemaError,
)
from graphkit.graph import SocialGraph, Weighting, build_graph
from graphkit.io import Dataset, load_dataset

__all__ = [
    "ConvergenceError",
    "Dataset",
    "GraphkitError",
    "InputError",
    "ParameterError",
    "SchemaError",
    "SocialGraph",
    "Weighting",
    "__version__",
    "build_graph",
    "load_dataset",
    "pagerank",
    "rank_influencers",
    "select_audience",
]
