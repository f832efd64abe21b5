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
from graphkit.analysis.experts import EXPERT_COLUMNS, expert_table
from graphkit.analysis.explain import (
    CONTRIBUTOR_COLUMNS,
    PATH_COLUMNS,
    Explanation,
    explain,
    path_table,
)
from graphkit.analysis.rank import RANK_COLUMNS, influence_score, rank_influencers

__all__ = [
    "BRAND_COLUMNS",
    "COMMUNITY_COLUMNS",
    "CONTRIBUTOR_COLUMNS",
    "C_LEVEL",
    "EXPERT_COLUMNS",
    "PATH_COLUMNS",
    "PEOPLE_COLUMNS",
    "RANK_COLUMNS",
    "ROSTER_COLUMNS",
    "SUMMARY_COLUMNS",
    "Explanation",
    "Organization",
    "brand_table",
    "community_summary",
    "community_table",
    "expert_table",
    "explain",
    "influence_score",
    "organizations",
    "path_table",
    "people_table",
    "rank_influencers",
    "roster",
    "select_audience",
]
