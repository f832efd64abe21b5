"""graphkit: who moves your audience? Influencer and SME ranking for marketing and sales.

The public functions (:func:`rank`, :func:`communities`, :func:`brands`, :func:`experts`,
:func:`explain`, :func:`paths`, :func:`report`) read a dataset folder, files or tables in
memory and return polars DataFrames; :class:`Settings` holds how they weigh and rank.
"""

from graphkit._version import __version__
from graphkit.algorithms import pagerank
from graphkit.analysis import rank_influencers, select_audience
from graphkit.app import (
    Loaded,
    Settings,
    Sources,
    brands,
    communities,
    experts,
    explain,
    open_data,
    paths,
    rank,
    report,
)
from graphkit.errors import (
    ConvergenceError,
    GraphkitError,
    InputError,
    ParameterError,
    SchemaError,
    UsageError,
)
from graphkit.graph import SocialGraph, Weighting, build_graph
from graphkit.io import Dataset, load_dataset

__all__ = [
    "ConvergenceError",
    "Dataset",
    "GraphkitError",
    "InputError",
    "Loaded",
    "ParameterError",
    "SchemaError",
    "Settings",
    "SocialGraph",
    "Sources",
    "UsageError",
    "Weighting",
    "__version__",
    "brands",
    "build_graph",
    "communities",
    "experts",
    "explain",
    "load_dataset",
    "open_data",
    "pagerank",
    "paths",
    "rank",
    "rank_influencers",
    "report",
    "select_audience",
]
