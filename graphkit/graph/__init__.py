"""The influence graph: id interning, CSR arrays, edge weighting and identity merge."""

from graphkit.graph.social import SocialGraph, build_graph, intern_ids
from graphkit.graph.weights import (
    MISSING_TIME_CHOICES,
    Weighting,
    parse_duration,
    parse_timestamp,
    parse_type_weights,
)

__all__ = [
    "MISSING_TIME_CHOICES",
    "SocialGraph",
    "Weighting",
    "build_graph",
    "intern_ids",
    "parse_duration",
    "parse_timestamp",
    "parse_type_weights",
]
