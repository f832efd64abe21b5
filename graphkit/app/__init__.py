"""The application layer: the public functions the CLI and Python users both call."""

from graphkit.app.api import (
    CommunitiesResult,
    audience_mask,
    brands,
    communities,
    experts,
    explain,
    find_communities_table,
    open_data,
    paths,
    rank,
    report,
)
from graphkit.app.history import compare, trend
from graphkit.app.settings import Settings, make_weighting, read_config
from graphkit.app.sources import Loaded, Sources, input_locations, is_uri, load

__all__ = [
    "CommunitiesResult",
    "Loaded",
    "Settings",
    "Sources",
    "audience_mask",
    "brands",
    "communities",
    "compare",
    "experts",
    "explain",
    "find_communities_table",
    "input_locations",
    "is_uri",
    "load",
    "make_weighting",
    "open_data",
    "paths",
    "rank",
    "read_config",
    "report",
    "trend",
]
