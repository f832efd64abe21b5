"""What users ask for, composed from the algorithms: rankings, audiences, communities,
brands, experts and explanations."""

from graphkit.analysis.audience import C_LEVEL, select_audience
from graphkit.analysis.brands import (
    BRAND_COLUMNS,
    PEOPLE_COLUMNS,
    ROSTER_COLUMNS,
    Organization,
    brand_table,
    organizations,
    people_table,
    roster,
)
from graphkit.analysis.communities import (
    COMMUNITY_COLUMNS,
    SUMMARY_COLUMNS,
    community_summary,
    community_table,
)
from graphkit.analysis.compare import COMPARE_COLUMNS, compare_rankings
from graphkit.analysis.experts import EXPERT_COLUMNS, expert_table
from graphkit.analysis.explain import (
    CONTRIBUTOR_COLUMNS,
    PATH_COLUMNS,
    Explanation,
    explain,
    path_table,
)
from graphkit.analysis.rank import RANK_COLUMNS, influence_score, rank_influencers
from graphkit.analysis.trend import TREND_COLUMNS, TrendResult, Window, plan_windows, rank_windows

__all__ = [
    "BRAND_COLUMNS",
    "COMMUNITY_COLUMNS",
    "COMPARE_COLUMNS",
    "CONTRIBUTOR_COLUMNS",
    "C_LEVEL",
    "EXPERT_COLUMNS",
    "PATH_COLUMNS",
    "PEOPLE_COLUMNS",
    "RANK_COLUMNS",
    "ROSTER_COLUMNS",
    "SUMMARY_COLUMNS",
    "TREND_COLUMNS",
    "Explanation",
    "Organization",
    "TrendResult",
    "Window",
    "brand_table",
    "community_summary",
    "community_table",
    "compare_rankings",
    "expert_table",
    "explain",
    "influence_score",
    "organizations",
    "path_table",
    "people_table",
    "plan_windows",
    "rank_influencers",
    "rank_windows",
    "roster",
    "select_audience",
]
