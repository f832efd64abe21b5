"""The memory preflight: row estimates, available memory, and the CLI stopping before a run
that would not fit (with a fake, small MemAvailable)."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from pathlib import Path
from unittest import mock

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import graphkit.io.preflight as preflight
from graphkit.cli.main import cli
from graphkit.errors import MemoryLimitError
from graphkit.io.preflight import (
    available_memory,
    check_memory,
    estimate_memory,
    estimate_rows,
    gib,
    stream_if_it_helps,
)

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "tests" / "data" / "bad" / "valid_follows.csv"


def _follows(path: Path, rows: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    ids = np.array([f"user{i:05d}" for i in range(max(rows // 10, 2))])
    edges = rng.integers(0, ids.shape[0], size=(rows, 2))
    frame = pl.DataFrame({"follower": ids[edges[:, 0]], "followed": ids[edges[:, 1]]})
    if path.suffix == ".parquet":
        frame.write_parquet(path)
    elif path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(frame.write_csv().encode()))
    else:
        frame.write_csv(path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("name", ["follows.csv", "follows.csv.gz", "follows.parquet"])
def test_row_estimates_are_close(tmp_path: Path, name: str) -> None:
    path = _follows(tmp_path / name, 200_000)
    estimated = estimate_rows(path)
    assert abs(estimated - 200_001) / 200_001 < 0.02, estimated  # header included for text


def test_row_estimates_of_odd_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    one_line = tmp_path / "line.csv"
    one_line.write_bytes(b"x" * 3_000_000)
    cr_only = tmp_path / "cr.csv"
    cr_only.write_bytes(b"a,b\r" * 1000)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    assert [estimate_rows(p) for p in (empty, one_line, cr_only, broken)] == [0, 1, 1000, 0]


def _meminfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, available_kb: int | None) -> None:
    path = tmp_path / "meminfo"
    lines = ["MemTotal:       24000000 kB", "MemFree:          100000 kB"]
    if available_kb is not None:
        lines.append(f"MemAvailable:   {available_kb:>8} kB")
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    monkeypatch.setattr(preflight, "MEMINFO", path)
    monkeypatch.setattr(preflight, "CGROUP", tmp_path / "no-cgroup")


def test_available_memory_reads_memavailable(tmp_path, monkeypatch):
    _meminfo(tmp_path, monkeypatch, 2_000_000)
    assert available_memory() == 2_000_000 * 1024


def test_available_memory_unknown(tmp_path, monkeypatch):
    _meminfo(tmp_path, monkeypatch, None)
    assert available_memory() is None
    monkeypatch.setattr(preflight, "MEMINFO", tmp_path / "absent")
    assert available_memory() is None


@pytest.mark.parametrize(
    ("cgroup_line", "files", "expected"),
    [
        pytest.param("0::/job", {"job/memory.max": "1048576000", "job/memory.current": "48576000"},
                     1_000_000_000, id="v2-limit"),
        pytest.param("0::/job", {"job/memory.max": "max", "job/memory.current": "1"},
                     2_048_000_000, id="v2-unlimited"),
        pytest.param("4:memory:/job", {"memory/job/memory.limit_in_bytes": "524288000",
                                       "memory/job/memory.usage_in_bytes": "0"},
                     524_288_000, id="v1-limit"),
        pytest.param("4:memory:/job", {"memory/job/memory.limit_in_bytes": "9223372036854771712",
                                       "memory/job/memory.usage_in_bytes": "0"},
                     2_048_000_000, id="v1-unlimited"),
    ],
)  # fmt: skip
def test_a_cgroup_limit_below_memavailable_wins(
    tmp_path, monkeypatch, cgroup_line, files, expected
):
    _meminfo(tmp_path, monkeypatch, 2_000_000)
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text + "\n", encoding="ascii")
    (tmp_path / "self-cgroup").write_text(f"{cgroup_line}\n", encoding="utf-8")
    monkeypatch.setattr(preflight, "CGROUP", tmp_path / "self-cgroup")
    monkeypatch.setattr(preflight, "CGROUP_ROOT", root)
    assert available_memory() == expected


def test_check_memory(tmp_path: Path) -> None:
    path = _follows(tmp_path / "follows.csv", 10_000)
    estimate = estimate_memory(follows=path)
    assert estimate.records == estimate_rows(path)
    assert estimate.bytes == preflight.BASE_BYTES + estimate.records * 150
    check_memory(estimate, None)  # unknown: no check
    check_memory(estimate, estimate.bytes)
    with pytest.raises(MemoryLimitError) as caught:
        check_memory(estimate, estimate.bytes - 1)
    assert str(caught.value) == (
        f"not enough memory: this run needs an estimated {gib(estimate.bytes)} (about "
        f"{estimate.records:,} follow and interaction records in follows.csv) and "
        f"{gib(estimate.bytes - 1)} is available; run it on Spark with --engine spark, free "
        "memory, or pass --no-memory-check to try anyway"
    )


def test_streaming_is_chosen_only_when_it_makes_the_run_fit(tmp_path: Path) -> None:
    estimate = estimate_memory(follows=_follows(tmp_path / "follows.csv", 10_000))
    streamed_bytes = preflight.BASE_BYTES + estimate.records * 64
    assert stream_if_it_helps(estimate, estimate.bytes) is None  # fits whole
    streamed = stream_if_it_helps(estimate, streamed_bytes)
    assert streamed is not None
    assert streamed.bytes == streamed_bytes
    assert [t.streamed for t in streamed.tables] == [True]
    assert stream_if_it_helps(estimate, streamed_bytes - 1) is None  # does not fit either way


def _rank(args: list[str]):
    return CliRunner().invoke(cli, ["rank", *args], prog_name="graphkit", catch_exceptions=False)


def test_cli_stops_before_reading_when_memory_is_short(tmp_path, monkeypatch):
    _meminfo(tmp_path, monkeypatch, 100_000)  # 100 MB available: less than the libraries
    out = tmp_path / "out"
    out.mkdir()
    result = _rank(["--follows", str(VALID), "-o", str(out / "ranks.csv")])
    assert result.exit_code == 1
    estimate = estimate_memory(follows=VALID)
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: not enough memory: this run needs an estimated {gib(estimate.bytes)} (about 5 "
        "follow and interaction records in valid_follows.csv) and 98 MiB is available; run it "
        "on Spark with --engine spark, free memory, or pass --no-memory-check to try anyway"
    )
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []
    result = _rank(["--follows", str(VALID), "--no-memory-check", "-o", str(out / "ranks.csv")])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out / "ranks.csv")["id"].sort().to_list() == ["a", "b", "c"]


def test_cli_streams_when_only_streaming_fits(tmp_path, monkeypatch):
    follows = _follows(tmp_path / "follows.csv", 50_000)
    whole = tmp_path / "whole.csv"
    assert _rank(["--follows", str(follows), "--top", "0", "-q", "-o", str(whole)]).exit_code == 0
    estimate = estimate_memory(follows=follows)
    streamed = stream_if_it_helps(estimate, preflight.BASE_BYTES + estimate.records * 64)
    assert streamed is not None
    _meminfo(tmp_path, monkeypatch, streamed.bytes // 1024 + 1)
    out = tmp_path / "streamed.csv"
    result = _rank(["--follows", str(follows), "--top", "0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        f"Streaming the edge files: reading them whole needs an estimated {gib(estimate.bytes)}, "
        f"streaming {gib(streamed.bytes)}, and {gib(streamed.bytes // 1024 * 1024 + 1024)} is "
        "available"
    )
    assert out.read_bytes() == whole.read_bytes()


def test_communities_are_estimated_with_their_working_copies(tmp_path, monkeypatch):
    follows = _follows(tmp_path / "follows.csv", 20_000)
    ranking = estimate_memory(follows=follows)
    communities = estimate_memory(follows=follows, extra_bytes_per_record=120)
    assert communities.bytes == ranking.bytes + 120 * ranking.records
    # Streaming would not save the communities run: it needs 64 + 120 bytes a record even then.
    streamed_communities = preflight.BASE_BYTES + ranking.records * (64 + 120)
    between = (ranking.bytes + streamed_communities) // 2
    assert ranking.bytes < between < streamed_communities
    _meminfo(tmp_path, monkeypatch, between // 1024)
    result = CliRunner().invoke(
        cli, ["communities", "--follows", str(follows), "-q"], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert f"needs an estimated {gib(communities.bytes)}" in result.stderr
    result = _rank(["--follows", str(follows), "-q"])  # ranking needs less: it fits
    assert result.exit_code == 0, result.output


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss counts KiB on Linux")
@pytest.mark.parametrize(
    ("table", "rows"), [("follows", 300_000), ("interactions", 300_000), ("accounts", 100_000)]
)
def test_the_estimate_is_above_the_measured_peak(tmp_path: Path, table: str, rows: int) -> None:
    rng = np.random.default_rng(1)
    ids = np.array([f"acct{i:06d}" for i in range(30_000)])
    edges = rng.integers(0, ids.shape[0], size=(rows, 2))
    follows = tmp_path / "follows.csv"
    pl.DataFrame({"follower": ids[edges[:, 0]], "followed": ids[edges[:, 1]]}).write_csv(follows)
    options = ["--follows", str(follows)]
    if table == "interactions":
        path = tmp_path / "interactions.csv"
        pl.DataFrame({
            "source": ids[edges[:, 0]], "target": ids[edges[:, 1]],
            "type": np.array(["repost", "like", "reply"])[edges[:, 0] % 3],
            "timestamp": 1_700_000_000 + edges[:, 1],
        }).write_csv(path)  # fmt: skip
        options = ["--interactions", str(path)]
    elif table == "accounts":
        path = tmp_path / "accounts.csv"
        many = np.array([f"acct{i:06d}" for i in range(rows)])
        pl.DataFrame({"id": many, "name": [f"First {i} Last {i}" for i in range(rows)],
                      "title": "Engineer", "kind": "person"}).write_csv(path)  # fmt: skip
        options += ["--accounts", str(path)]
    estimate = estimate_memory(**{option.strip("-"): value for option, value in
                                  zip(options[::2], options[1::2], strict=True)})  # fmt: skip
    command = [sys.executable, "-m", "graphkit.cli.main", "rank", *options, "--top", "0", "-q",
               "-o", str(tmp_path / "out.csv")]  # fmt: skip
    # Measured from a small wrapper process: a child forked from this (large) test process
    # would count the pages it shared with it before exec in its peak.
    measure = (
        "import resource, subprocess, sys; "
        "code = subprocess.call(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
    )
    run = subprocess.run([sys.executable, "-c", measure, *command], cwd=ROOT,
                         capture_output=True, text=True, check=True)  # fmt: skip
    peak = int(run.stdout.split()[-1]) * 1024
    assert peak < estimate.bytes, f"measured {gib(peak)}, estimated {gib(estimate.bytes)}"
    assert estimate.bytes < 3 * peak, "the estimate should not be absurdly high either"


def test_tables_without_rows_cost_nothing(tmp_path: Path) -> None:
    path = tmp_path / "follows.parquet"
    pq.write_table(pa.table({"follower": pa.array([], pa.string())}), path)
    assert estimate_memory(follows=path).bytes == preflight.BASE_BYTES


def _fooling_gzip(path: Path, rows: int) -> Path:
    """A gzip file whose first megabyte (random hex, long lines) compresses 2:1 and whose rest
    (``a,b`` lines) compresses a thousandfold: scaling the file by the head's ratio and line
    length guesses a few thousand rows."""
    rng = np.random.default_rng(0)
    head = "\n".join(rng.bytes(80).hex() + "," + rng.bytes(80).hex() for _ in range(3000))
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    with path.open("wb") as handle:
        handle.write(compressor.compress(b"follower,followed\n" + head.encode() + b"\n"))
        block = b"a,b\n" * (1 << 16)
        for _ in range(rows >> 16):
            handle.write(compressor.compress(block))
        handle.write(compressor.flush())
    return path


def test_a_gzip_whose_head_compresses_poorly_is_counted(tmp_path: Path) -> None:
    path = _fooling_gzip(tmp_path / "follows.csv.gz", 1 << 22)
    assert path.stat().st_size < 1 << 20
    rows = 1 + 3000 + (1 << 22)
    assert estimate_rows(path) == rows
    assert estimate_memory(follows=path).records == rows


def test_counting_a_gzip_stops_past_the_memory_available(tmp_path, monkeypatch) -> None:
    path = _fooling_gzip(tmp_path / "follows.csv.gz", 1 << 22)
    _meminfo(tmp_path, monkeypatch, 4 << 10)  # 4 MiB available: counting stops there
    estimate = estimate_memory(follows=path)
    assert estimate.records < 1 << 22
    assert estimate.bytes > 4 << 20
    with pytest.raises(MemoryLimitError):
        check_memory(estimate, available_memory())


def test_exports_go_through_the_preflight(tmp_path, monkeypatch) -> None:
    from tests.conftest import PLATFORM_EXPORTS

    export = PLATFORM_EXPORTS / "maya_x"
    data_bytes = sum(
        (export / "data" / name).stat().st_size
        for name in ("account.js", "follower.js", "following.js", "tweets.js")
    )
    estimate = estimate_memory(exports=[export])
    assert estimate.bytes == preflight.BASE_BYTES + int(data_bytes * 10.0)
    _meminfo(tmp_path, monkeypatch, 100_000)
    out = tmp_path / "out"
    out.mkdir()
    result = _rank(["--export", f"x:{export}", "-o", str(out / "ranks.csv")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: not enough memory: this run needs an estimated {gib(estimate.bytes)} (reading "
        "the exports maya_x) and 98 MiB is available; free memory, or pass --no-memory-check to "
        "try anyway"
    )
    assert list(out.iterdir()) == []


def test_a_follows_file_of_integer_ids_alone_is_estimated_for_the_two_pass_build(tmp_path):
    from graphkit.io import integer_edges
    from graphkit.io.preflight import (
        INTEGER_BYTES_PER_ACCOUNT,
        INTEGER_BYTES_PER_RECORD,
        INTEGER_BYTES_PER_SLOT,
        STREAMED_BYTES_PER_RECORD,
    )

    follows = tmp_path / "follows.parquet"
    pq.write_table(pa.table({"src": list(range(1000)), "dst": [7] * 1000}), follows)
    (table,) = estimate_memory(follows=follows).tables
    assert table.streamed
    per_id = INTEGER_BYTES_PER_SLOT + INTEGER_BYTES_PER_ACCOUNT
    assert table.bytes == 1000 * INTEGER_BYTES_PER_RECORD + 1000 * per_id
    # Dense ids: one record names at most two accounts, however large its ids.
    dense = tmp_path / "dense.parquet"
    pq.write_table(pa.table({"src": [4_000_000], "dst": [0]}), dense)
    (table,) = estimate_memory(follows=dense).tables
    assert table.bytes == INTEGER_BYTES_PER_RECORD + 4_000_001 * INTEGER_BYTES_PER_SLOT + 2 * (
        INTEGER_BYTES_PER_ACCOUNT
    )
    # Hashed ids: the accounts of the first batch, extrapolated (here the whole file: 101).
    sparse = tmp_path / "sparse.parquet"
    pq.write_table(pa.table({"src": [10**15 + i for i in range(100)], "dst": [0] * 100}), sparse)
    (table,) = estimate_memory(follows=sparse).tables
    per_account = INTEGER_BYTES_PER_ACCOUNT + 3 * INTEGER_BYTES_PER_SLOT
    assert table.bytes == 100 * INTEGER_BYTES_PER_RECORD + 101 * per_account
    with mock.patch.object(integer_edges, "PARQUET_BATCH_ROWS", 10):  # 11 in the first 10
        (table,) = estimate_memory(follows=sparse).tables
    assert table.bytes == 100 * INTEGER_BYTES_PER_RECORD + 110 * per_account
    assert STREAMED_BYTES_PER_RECORD["follows"] > INTEGER_BYTES_PER_RECORD
    # With an accounts table beside it the text build reads it: estimated as before.
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("id\n7\n")
    estimate = estimate_memory(follows=follows, accounts=accounts)
    (follows_estimate,) = [t for t in estimate.tables if t.table == "follows"]
    assert not follows_estimate.streamed
    # Refused streaming keeps the text estimate too.
    (table,) = estimate_memory(follows=follows, stream=False).tables
    assert not table.streamed
