"""The application layer: the public functions the CLI and Python users both call."""

from graphkit.app.affinity import audience_affinities, audience_segments
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
from graphkit.app.audience_quality import audit
from graphkit.app.history import compare, trend
from graphkit.app.settings import Settings, make_weighting, read_config
from graphkit.app.similar_audiences import lookalikes
from graphkit.app.sources import Loaded, Sources, input_locations, is_uri, load
from graphkit.app.warm_paths import warm_paths

__all__ = [
    "CommunitiesResult",
    "Loaded",
    "Settings",
    "Sources",
    "audience_affinities",
    "audience_mask",
    "audience_segments",
    "audit",
    "brands",
    "communities",
    "compare",
    "experts",
    "explain",
    "find_communities_table",
    "input_locations",
    "is_uri",
    "load",
    "lookalikes",
    "make_weighting",
    "open_data",
    "paths",
    "rank",
    "read_config",
    "report",
    "trend",
    "warm_paths",
]
