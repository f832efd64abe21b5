"""What users ask for, composed from the algorithms: influencer rankings and audiences."""

from graphkit.analysis.audience import C_LEVEL, select_audience
from graphkit.analysis.rank import RANK_COLUMNS, influence_score, rank_influencers

__all__ = ["C_LEVEL", "RANK_COLUMNS", "influence_score", "rank_influencers", "select_audience"]
