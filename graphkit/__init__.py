"""graphkit: who moves your audience? Influencer and SME ranking for marketing and sales.

The public functions (:func:`rank`, :func:`communities`, :func:`brands`, :func:`experts`,
:func:`explain`, :func:`paths`, :func:`report`, :func:`trend`) read a dataset folder, files or
tables in memory and return polars DataFrames; :func:`compare` says what changed between two
rankings; :class:`Settings` holds how they weigh and rank.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from graphkit._version import __version__

if TYPE_CHECKING:
    from graphkit.algorithms import pagerank
    from graphkit.analysis import rank_influencers, select_audience
    from graphkit.app import (
        Loaded,
        Settings,
        Sources,
        audience_affinities,
        audience_segments,
        audit,
        brands,
        communities,
        compare,
        experts,
        explain,
        lookalikes,
        open_data,
        paths,
        rank,
        report,
        trend,
    )
    from graphkit.app.warm_paths import warm_paths
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

# The names load on first use: ``graphkit`` itself imports nothing heavy, so the command
# line's entry point (graphkit.cli.entry) catches a Ctrl-C from its first moment, and
# ``import graphkit.cli`` costs no numpy or numba.
_HOMES = {
    "pagerank": "graphkit.algorithms",
    "rank_influencers": "graphkit.analysis",
    "select_audience": "graphkit.analysis",
    **dict.fromkeys(
        (
            "Loaded", "Settings", "Sources", "audience_affinities", "audience_segments", "audit",
            "brands",
            "communities", "compare", "experts",
            "explain", "lookalikes", "open_data", "paths", "rank", "report", "trend",
            "warm_paths",
        ),
        "graphkit.app",
    ),
    **dict.fromkeys(
        (
            "ConvergenceError", "GraphkitError", "InputError", "ParameterError", "SchemaError",
            "UsageError",
        ),
        "graphkit.errors",
    ),
    **dict.fromkeys(("SocialGraph", "Weighting", "build_graph"), "graphkit.graph"),
    **dict.fromkeys(("Dataset", "load_dataset"), "graphkit.io"),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'graphkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


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
    "audience_affinities",
    "audience_segments",
    "audit",
    "brands",
    "build_graph",
    "communities",
    "compare",
    "experts",
    "explain",
    "load_dataset",
    "lookalikes",
    "open_data",
    "pagerank",
    "paths",
    "rank",
    "rank_influencers",
    "report",
    "select_audience",
    "trend",
    "warm_paths",
]
