"""The dataset strategies draw the awkward shapes often enough to matter."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import GeneratedData, generated_data, shapes

pytestmark = pytest.mark.slow

SAMPLES = 400
# Each shape must be drawn in at least this share of the examples.
MIN_SHARE = {
    "duplicate follows": 0.2,
    "duplicate weighted follows": 0.1,
    "duplicate unweighted follows": 0.1,
    "duplicate interactions": 0.1,
    "self-loop": 0.2,
    "merge collapses edges": 0.1,
    # About 0.1 alone, 0.075 in one whole-suite run (the draws depend on what ran before in
    # the process even when derandomized): 0.05 is still 20 of the 400 examples.
    "merge makes self-loop": 0.05,
    "mixed follows and interactions": 0.2,
    "empty follows table": 0.03,
    "isolated account": 0.1,
    "one node": 0.05,
    "two nodes": 0.1,
    "dangling account": 0.2,
    "zero weight": 0.1,
    "very large weight": 0.1,
    "very small weight": 0.1,
    "timestamps with decay": 0.1,
    "missing timestamps": 0.1,
    "unicode id": 0.2,
    "control character id": 0.2,
}


def test_strategy_shapes() -> None:
    counts: Counter[str] = Counter()
    drawn = []

    @settings(
        max_examples=SAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(generated_data())
    def record(data: GeneratedData) -> None:
        drawn.append(1)
        counts.update(shapes(data))

    record()
    shares = {shape: counts[shape] / len(drawn) for shape in MIN_SHARE}
    rare = {shape: share for shape, share in shares.items() if share < MIN_SHARE[shape]}
    assert not rare, f"shapes drawn too rarely: {rare} (all: {shares})"
