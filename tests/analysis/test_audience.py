"""Audience selectors (graphkit/analysis/audience.py): selectors too long to be file names."""

from __future__ import annotations

import io

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from click.testing import CliRunner

from graphkit.analysis.audience import select_audience
from graphkit.cli.main import cli
from graphkit.errors import ParameterError
from graphkit.graph import build_graph
from graphkit.io import Dataset

# 2,000 ids make a selector of about 18,000 characters: far beyond a file name's 255 bytes,
# which made Path.is_file() raise OSError ("File name too long").
MANY_IDS = [f"user{number}" for number in range(2000)]


def test_a_selector_longer_than_a_file_name_selects_by_id():
    graph = build_graph(
        Dataset(follows=pa.table({"follower": ["user7", "bob"], "followed": ["bob", "ana"]}))
    )
    selector = "id=" + ",".join([*MANY_IDS, "ana"])
    assert len(selector.encode()) > 4096
    mask = select_audience(graph, [selector])
    assert sorted(graph.ids_of(np.flatnonzero(mask)).to_list()) == ["ana", "user7"]


def test_rank_audience_with_a_very_long_selector(tmp_path):
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\nuser1,ana\nuser2,ana\nuser3,bob\nsam,bob\n")
    selector = "id=" + ",".join(MANY_IDS)
    result = CliRunner().invoke(
        cli,
        ["rank", "--follows", str(follows), "--audience", selector, "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output[-500:]
    ranked = pl.read_csv(io.StringIO(result.stdout))
    assert ranked.height == 6
    assert ranked["id"][0] == "ana"  # users 1 and 2 of the audience follow ana


def test_a_long_name_that_is_no_selector_is_a_one_line_error():
    graph = build_graph(Dataset(follows=pa.table({"follower": ["a"], "followed": ["b"]})))
    selector = "x" * 5000
    with pytest.raises(ParameterError) as error:
        select_audience(graph, [selector])
    assert str(error.value) == (
        f"bad audience {selector!r}: expected a file of ids, FIELD=VALUE or FIELD~REGEX"
    )
