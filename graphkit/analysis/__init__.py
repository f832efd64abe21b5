"""What users ask for, composed from the algorithms: rankings, audiences, communities."""

from graphkit.analysis.audience import C_LEVEL, select_audience
from graphkit.analysis.communities import (
    COMMUNITY_COLUMNS,
    SUMMARY_COLUMNS,
    community_summary,
    community_table,
)
from graphkit.analysis.rank import RANK_COLUMNS, influence_score, rank_influencers

__all__ = [
    "COMMUNITY_COLUMNS",
    "C_LEVEL",
    "RANK_COLUMNS",
    "SUMMARY_COLUMNS",
    "community_summary",
    "community_table",
    "influence_score",
    "rank_influencers",
    "select_audience",
]
