"""The same input and options give byte-identical outputs: across runs, and across one and two
threads (ties are broken by id, seeds are explicit, kernels sum in a fixed order)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.cli.main import cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def skewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60,000 follows and 20,000 interactions among 6,000 accounts, with many exact ties (the
    accounts nobody follows), enough for the kernels to split work between threads."""
    folder = tmp_path_factory.mktemp("skewed")
    rng = np.random.default_rng(11)
    ids = np.array([f"acct{i:05d}" for i in range(6_000)])
    follower = rng.integers(0, 6_000, 60_000)
    followed = (rng.zipf(1.6, 60_000) - 1) % 6_000
    pl.DataFrame({"follower": ids[follower], "followed": ids[followed]}).write_csv(
        folder / "follows.csv"
    )
    source, target = rng.integers(0, 6_000, 20_000), (rng.zipf(1.8, 20_000) - 1) % 6_000
    pl.DataFrame({
        "source": ids[source], "target": ids[target],
        "type": np.array(["repost", "like", "reply", "mention"])[rng.integers(0, 4, 20_000)],
        "timestamp": 1_700_000_000 + rng.integers(0, 5_000_000, 20_000),
    }).write_csv(folder / "interactions.csv")  # fmt: skip
    return folder


def _output(args: list[str], threads: int, path: Path) -> bytes:
    result = CliRunner().invoke(
        cli, [*args, "--threads", str(threads), "-q", "-o", str(path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return path.read_bytes()


COMMANDS = {
    "rank": ["rank", "{skewed}", "--top", "0", "--half-life", "30d"],
    "rank-parquet": ["rank", "{skewed}", "--top", "0", "--format", "parquet"],
    "rank-audience": ["rank", "--demo", "--top", "0", "--audience", "title~CTO|CIO"],
    "communities-leiden": ["communities", "{skewed}", "--seed", "3"],
    "communities-label-propagation": [
        "communities", "{skewed}", "--method", "label_propagation", "--seed", "3",
    ],
    "communities-summary": ["communities", "--demo", "--summary", "--format", "json"],
    "brands": ["brands", "--demo"],
    "brands-people": ["brands", "--demo", "--people"],
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_byte_identical_across_runs_and_threads(command: str, skewed: Path, tmp_path: Path) -> None:
    args = [arg.format(skewed=skewed) for arg in COMMANDS[command]]
    suffix = ".parquet" if "parquet" in args else ".json" if "json" in args else ".csv"
    first = _output(args, 1, tmp_path / f"one{suffix}")
    again = _output(args, 1, tmp_path / f"again{suffix}")
    two = _output(args, 2, tmp_path / f"two{suffix}")
    assert len(first) > 200
    assert first == again, "two runs on one thread differ"
    assert first == two, "one and two threads differ"
