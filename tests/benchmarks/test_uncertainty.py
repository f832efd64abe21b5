"""benchmarks/uncertainty.py measures what it says on a small graph."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from benchmarks.uncertainty import _markdown, measure_bootstrap, measure_update


def _follows(edges: int, nodes: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    pairs = np.unique(rng.integers(0, nodes, edges) * nodes + rng.zipf(1.8, edges) % nodes)
    followers, followed = pairs // nodes, pairs % nodes
    keep = followers != followed
    return pa.table(
        {
            "follower": [f"u{value}" for value in followers[keep]],
            "followed": [f"u{value}" for value in followed[keep]],
        }
    )


def test_measures_bootstrap_and_update():
    follows = _follows(20_000, 3_000)
    boot = measure_bootstrap(follows, replicates=3, seed=1, repeat=1)
    assert boot["replicates"] == 3
    assert boot["edges"] <= follows.num_rows
    assert boot["median_rank_interval_width_top_10"] >= 0
    update = measure_update(follows, 0.01, seed=1, repeat=1)
    assert update["new_follows"] > 0
    assert update["warm_iterations"] <= update["cold_iterations"]
    assert update["l1_difference"] <= 1e-9
    assert update["same_top_1000"]
    text = _markdown({"measured": "now", "command": "x", "machine": "m", "threads": 1,
                      "size": "20K", "bootstrap": boot, "update": update})  # fmt: skip
    assert "| update: same top 1,000 | True | yes |" in text
