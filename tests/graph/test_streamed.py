"""The two-pass build of follows files of integer ids against the text build of the same file:
the same graph, array for array, and the same scores, bit for bit."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphkit.graph.streamed as streamed
from graphkit.algorithms.pagerank import pagerank_run
from graphkit.cli.main import cli
from graphkit.errors import InputError
from graphkit.graph import SocialGraph, Weighting, build_graph
from graphkit.io import integer_edges, load_dataset
from graphkit.io.integer_edges import IntegerFollows, integer_follows

ARRAYS = ("in_indptr", "in_sources", "in_weights", "in_flags", "out_weight", "followers")
INTEGER_TYPES = (pa.int64(), pa.int32(), pa.uint32(), pa.uint16(), pa.int16())


@st.composite
def integer_follows_tables(draw: st.DrawFn) -> tuple[pa.Table, int, int]:
    """Follows of integer ids in the shapes exports have: repeated rows, self-loops, accounts
    only followed or only following, id 0, one-row tables; with the batch and row group
    sizes to write them in."""
    largest = draw(st.sampled_from([1, 3, 20, 200]))
    # Dense ids from 0 (direct addressing) or offset far out or below 0 (hashed).
    offset = draw(st.sampled_from([0, 0, -100, 2**40, 2**62]))
    ids = st.integers(offset, offset + largest)
    pairs = draw(st.lists(st.tuples(ids, ids), min_size=1, max_size=150))
    repeats = draw(st.lists(st.integers(0, len(pairs) - 1), max_size=20))
    pairs += [pairs[index] for index in repeats]
    order = draw(st.permutations(range(len(pairs))))
    pairs = [pairs[index] for index in order]
    kind = draw(st.sampled_from(INTEGER_TYPES if offset == 0 else (pa.int64(),)))
    names = draw(
        st.sampled_from([("follower", "followed"), ("followed", "follower"), ("src", "dst")])
    )
    followers = pa.array([pair[0] for pair in pairs], kind)
    followed = pa.array([pair[1] for pair in pairs], kind)
    columns = {"follower": followers, "followed": followed, "src": followers, "dst": followed}
    table = pa.table({name: columns[name] for name in names})
    batch = draw(st.sampled_from([3, 7, 64, 1 << 20]))
    group = draw(st.sampled_from([5, 50, 1 << 20]))
    return table, batch, group


def both_builds(
    path: Path, weighting: Weighting | None = None, *, whole: bool = False
) -> tuple[SocialGraph, SocialGraph]:
    """The two-pass graph and the text build's graph of the same file: streamed when the
    caller asks (numbered piece by piece), or as graphkit chooses (``whole``: numbered as a
    whole reading, the text build's when graphkit reads the file whole)."""
    if whole:
        fast = build_graph(load_dataset(follows=path, stream=None), weighting)
        slow = build_graph(load_dataset(follows=path, stream=False), weighting)
        return fast, slow
    fast = build_graph(load_dataset(follows=path, stream=True), weighting)
    with mock.patch.object(streamed, "streamable_follows", return_value=None):
        slow = build_graph(load_dataset(follows=path, stream=True), weighting)
    return fast, slow


def assert_same_graph(fast: SocialGraph, slow: SocialGraph) -> None:
    assert fast.ids.equals(slow.ids)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)
    assert (fast.self_loops, fast.records) == (slow.self_loops, slow.records)
    assert fast.uniform_weights == slow.uniform_weights


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    integer_follows_tables(),
    st.sampled_from([1.0, 0.3]),
    st.sampled_from([1, 2, 3, 7]),
    st.booleans(),
    st.booleans(),
)
def test_the_two_pass_build_is_the_text_build(
    tmp_path_factory, data, follow_weight, parts, whole, hashed
):
    table, batch, group = data
    path = tmp_path_factory.mktemp("streamed") / "follows.parquet"
    pq.write_table(table, path, row_group_size=group)
    weighting = Weighting(type_weights={"follow": follow_weight})

    def qualified(path: Path) -> IntegerFollows | None:
        found = integer_follows(path)  # dense ids hashed too, when asked
        return dataclasses.replace(found, slots=0) if hashed and found else found

    with (
        mock.patch.object(integer_edges, "PARQUET_BATCH_ROWS", batch),
        mock.patch.object(streamed, "part_count", return_value=parts),  # as on more cores
        mock.patch.object(streamed, "integer_follows", qualified),
    ):
        assert integer_follows(path) is not None
        fast, slow = both_builds(path, weighting, whole=whole)
    assert_same_graph(fast, slow)
    if fast.n_edges:
        first, second = pagerank_run(fast), pagerank_run(slow)
        assert first.scores.tobytes() == second.scores.tobytes()
        assert first.iterations == second.iterations


def test_the_generator_makes_the_shapes(tmp_path):
    """The generator above draws repeated rows, self-loops, several batches and one-row files."""
    seen = {"repeated": 0, "self-loop": 0, "batches": 0, "one row": 0, "swapped": 0}

    @settings(max_examples=150, deadline=None, database=None)
    @given(integer_follows_tables())
    def draw(data: tuple[pa.Table, int, int]) -> None:
        table, batch, _ = data
        pairs = list(zip(*(column.to_pylist() for column in table.columns), strict=True))
        seen["repeated"] += len(set(pairs)) < len(pairs)
        seen["self-loop"] += any(a == b for a, b in pairs)
        seen["batches"] += table.num_rows > batch
        seen["one row"] += table.num_rows == 1
        seen["swapped"] += table.column_names[0] == "followed"

    draw()
    assert all(count >= 5 for count in seen.values()), seen


def write(path: Path, **columns: pa.Array) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def test_which_files_are_read_as_numbers_and_how(tmp_path):
    ids = pa.array([1, 2, 3], pa.int64())
    dense = integer_follows(write(tmp_path / "a.parquet", follower=ids, followed=ids))
    assert dense is not None
    assert dense.direct
    # Negative ids, ids far beyond the rows, no statistics: hashed.
    negative = pa.array([-1, 2, 3], pa.int64())
    sparse = pa.array([1, 2, 10**12], pa.int64())
    hashed = [
        write(tmp_path / "b.parquet", follower=negative, followed=ids),
        write(tmp_path / "c.parquet", follower=sparse, followed=ids),
    ]
    pq.write_table(pa.table({"follower": ids, "followed": ids}), tmp_path / "f.parquet",
                   write_statistics=False)  # fmt: skip
    hashed.append(tmp_path / "f.parquet")
    for path in hashed:
        found = integer_follows(path)
        assert found is not None, path
        assert not found.direct, path
    # Text ids, a third column, unsigned ids beyond 64-bit signed integers: read as text.
    huge = pa.array([1, 2, 2**64 - 1], pa.uint64())
    texts = [
        write(tmp_path / "d.parquet", follower=pa.array(["1", "2", "3"]), followed=ids),
        write(tmp_path / "e.parquet", follower=ids, followed=ids, weight=pa.array([1.0] * 3)),
        write(tmp_path / "g.parquet", follower=huge, followed=pa.array([1, 2, 3], pa.uint64())),
    ]
    for path in texts:
        assert integer_follows(path) is None, path
    graph = build_graph(load_dataset(follows=texts[2]))
    assert sorted(graph.ids.to_pylist()) == ["1", "18446744073709551615", "2", "3"]
    graph = build_graph(load_dataset(follows=hashed[0], stream=None))
    assert sorted(graph.ids.to_pylist()) == ["-1", "1", "2", "3"]


def test_accounts_or_options_the_two_passes_do_not_handle_take_the_text_build(tmp_path):
    path = write(
        tmp_path / "follows.parquet",
        follower=pa.array([1, 2, 2, 3]),
        followed=pa.array([2, 3, 1, 1]),
    )
    dataset = load_dataset(follows=path, stream=True)
    default = Weighting()
    assert streamed.streamable_follows(dataset, default, undirected=False, square_weights=False)
    for undirected, squares in ((True, False), (False, True)):
        assert not streamed.streamable_follows(
            dataset, default, undirected=undirected, square_weights=squares
        )
    decayed = Weighting(half_life=timedelta(days=1))
    assert not streamed.streamable_follows(dataset, decayed, undirected=False, square_weights=False)
    # An undirected build of the same file is the text build's.
    graph = build_graph(load_dataset(follows=path, stream=True), undirected=True)
    assert graph.n_edges == 6  # 1-2, 2-3 and 1-3, each both ways


def test_a_missing_id_is_named_by_row_and_column(tmp_path):
    path = write(
        tmp_path / "follows.parquet",
        follower=pa.array([1, 2, 3, 4]),
        followed=pa.array([2, 3, None, 1]),
    )
    assert integer_follows(path) is not None
    with pytest.raises(InputError) as caught:
        build_graph(load_dataset(follows=path, stream=True))
    assert caught.value.row == 3
    assert caught.value.column == "followed"
    assert "empty account id" in str(caught.value)


def test_an_integer_follows_file_alone_is_streamed_and_ranked_as_its_text_twin(tmp_path):
    rng = np.random.default_rng(3)
    followers = rng.integers(0, 300, 5_000)
    followed = rng.integers(0, 1_000, 5_000)
    numbers = write(tmp_path / "numbers.parquet", src=pa.array(followers), dst=pa.array(followed))
    text = tmp_path / "text.csv"
    text.write_text(
        "follower,followed\n"
        + "".join(f"{a},{b}\n" for a, b in zip(followers, followed, strict=True))
    )
    dataset = load_dataset(follows=numbers, stream=None)  # as the commands read
    assert "follows" in dataset.streamed  # chosen without being asked: a file of numbers alone
    assert dataset.numbered_whole == ("follows",)
    runner = CliRunner()
    # In batches of 700 records: numbered as the whole reading of the text file numbers them.
    with mock.patch.object(integer_edges, "PARQUET_BATCH_ROWS", 700):
        for source, output in ((numbers, "numbers.csv"), (text, "from-text.csv")):
            command = ["rank", str(source), "--top", "0", "-o", str(tmp_path / output)]
            result = runner.invoke(cli, command)
            assert result.exit_code == 0, result.output
    assert (tmp_path / "numbers.csv").read_bytes() == (tmp_path / "from-text.csv").read_bytes()


def lying_statistics(path: Path, follower: list[int], followed: list[int], patches) -> Path:
    """A Parquet file whose footer statistics were edited (``patches``: (true value, value
    the statistics then show)): what corruption or a faulty writer leaves."""
    pq.write_table(
        pa.table({"follower": pa.array(follower, pa.int64()), "followed": followed}),
        path,
        compression="none",
        use_dictionary=False,
    )
    data = bytearray(path.read_bytes())
    footer = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    for true, shown in patches:
        old, new = (value.to_bytes(8, "little", signed=True) for value in (true, shown))
        data[footer:-8] = bytes(data[footer:-8]).replace(old, new)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("follower", "followed", "patches", "row", "column"),
    [
        ([0, 1, 2, 11_259_375], [1, 2, 0, 1], [(11_259_375, 5)], 4, "follower"),
        ([0, 1, 2, 3], [1, 2, 0, 11_259_375], [(11_259_375, 5)], 4, "followed"),
        ([0, 1, -1, 2], [1, 2, 0, 1], [(-1, 0), (2, 10)], 3, "follower"),
    ],
)
def test_ids_outside_the_statistics_are_an_error_not_a_crash(
    tmp_path, follower, followed, patches, row, column
):
    path = lying_statistics(tmp_path / "follows.parquet", follower, followed, patches)
    assert integer_follows(path) is not None  # the statistics pass
    with pytest.raises(InputError, match="outside the range the file's statistics give") as caught:
        build_graph(load_dataset(follows=path, stream=True))
    assert (caught.value.row, caught.value.column) == (row, column)
    result = CliRunner().invoke(cli, ["rank", str(path), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()


def test_a_file_changed_between_the_passes_is_an_error(tmp_path):
    path = write(
        tmp_path / "follows.parquet", follower=pa.array([1, 2, 3]), followed=pa.array([2, 3, 1])
    )
    follows = integer_follows(path)
    assert follows is not None

    def rewrite(done: int, total: int | None, detail: str) -> None:
        if detail.startswith("counting") and done == total:  # the first pass is over
            write(path, follower=pa.array([1, 2, 3, 0]), followed=pa.array([2, 3, 1, 4]))

    with pytest.raises(InputError, match="changed while it was read"):
        streamed.build_streamed_graph(
            follows, load_dataset(follows=path, stream=True), Weighting(), rewrite
        )


def test_repeated_rows_past_floating_point_are_one_error_without_warnings(tmp_path):
    import warnings

    path = write(tmp_path / "follows.parquet", follower=pa.array([1, 1]), followed=pa.array([2, 2]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="more than floating point holds"):
            build_graph(
                load_dataset(follows=path, stream=True), Weighting(type_weights={"follow": 1e308})
            )


@pytest.mark.parametrize("target", [-5, 99])
def test_a_second_reading_with_a_followed_id_out_of_range_is_an_error(tmp_path, target):
    """Named at the row that holds it, not only by the counts that no longer add up."""
    path = write(
        tmp_path / "follows.parquet", follower=pa.array([1, 2, 3]), followed=pa.array([2, 3, 1])
    )
    follows = integer_follows(path)
    assert follows is not None

    def rewrite(done: int, total: int | None, detail: str) -> None:
        if detail.startswith("counting") and done == total:
            pq.write_table(pa.table({"follower": [1, 2, 3], "followed": [target, 3, 1]}), path)

    with pytest.raises(InputError, match="changed while it was read"):
        streamed.build_streamed_graph(
            follows, load_dataset(follows=path, stream=True), Weighting(), rewrite
        )


def rewritten_after_the_first_pass(tmp_path: Path, first: pa.Table, second: pa.Table) -> InputError:
    """The error of a build whose file is replaced by ``second`` once the first pass is over."""
    path = tmp_path / "follows.parquet"
    pq.write_table(first, path)
    follows = integer_follows(path)
    assert follows is not None

    def rewrite(done: int, total: int | None, detail: str) -> None:
        if detail.startswith("counting") and done == total:
            pq.write_table(second, path)

    dataset = load_dataset(follows=path, stream=True)
    with pytest.raises(InputError, match="changed while it was read") as caught:
        streamed.build_streamed_graph(follows, dataset, Weighting(), rewrite)
    return caught.value


@pytest.mark.parametrize(
    "second",
    [
        # The same records per followed account, from other followers: counts alone agree.
        pa.table({"follower": [1, 1, 5], "followed": [2, 2, 6]}),
        pa.table({"a": [1, 3, 5], "b": [2, 2, 6]}),  # renamed columns
        pa.table({"follower": [1.9, 3.2, 5.5], "followed": [2.0, 2.0, 6.0]}),  # numbers now
    ],
)
def test_any_other_second_reading_is_an_error(tmp_path, second):
    first = pa.table({"follower": [1, 3, 5], "followed": [2, 2, 6]})
    error = rewritten_after_the_first_pass(tmp_path, first, second)
    assert "\n" not in str(error)


def test_unsigned_ids_past_64_bit_signed_integers_are_named_where_they_are(tmp_path):
    path = lying_statistics(tmp_path / "u.parquet", [1, 2, 3, 4], [5, 6, 7, 8], [])
    table = pa.table(
        {"follower": pa.array([1, 2**63, 2**64 - 1, 4], pa.uint64()), "followed": [5, 6, 7, 8]}
    )
    follows = IntegerFollows(
        path=path, columns=("follower", "followed"), follower_first=True, rows=4, slots=0
    )
    pq.write_table(table, path)
    with pytest.raises(InputError, match=f"account id {2**63} ") as caught:
        list(integer_edges.iter_integer_follows(follows))
    assert (caught.value.row, caught.value.column) == (2, "follower")


def test_the_hash_table_seed_changes_nothing_but_the_buckets():
    from graphkit.kernels.direct import IdTable

    ids = np.random.default_rng(2).integers(-(2**62), 2**62, 10_000)
    tables = [IdTable(), IdTable()]
    assert tables[0].seed != tables[1].seed
    first, second = (table.intern(ids) for table in tables)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(tables[0].codes, tables[1].codes)


def test_identities_or_an_empty_file_take_the_text_build(tmp_path):
    follows = write(
        tmp_path / "follows.parquet", follower=pa.array([1, 2, 3]), followed=pa.array([2, 3, 1])
    )
    identities = tmp_path / "identities.csv"
    identities.write_text("account,person\n1,ann\n2,ann\n")
    dataset = load_dataset(follows=follows, identities=identities, stream=True)
    assert not streamed.streamable_follows(
        dataset, Weighting(), undirected=False, square_weights=False
    )
    graph = build_graph(dataset)
    assert sorted(graph.ids.to_pylist()) == ["3", "ann"]  # merged, as the text build merges
    empty = write(
        tmp_path / "empty.parquet",
        follower=pa.array([], pa.int64()),
        followed=pa.array([], pa.int64()),
    )
    assert integer_follows(empty) is None
    with pytest.raises(InputError, match="no follow or interaction records"):
        build_graph(load_dataset(follows=empty, stream=None))


@pytest.mark.parametrize("weight", [0.0, 1e-300, 1e200])
def test_odd_column_names_and_extreme_follow_weights_match_the_text_build(tmp_path, weight):
    rng = np.random.default_rng(11)
    table = pa.table({" FOLLOWED": rng.integers(0, 40, 300), "Follower ": rng.integers(0, 40, 300)})
    path = tmp_path / "follows.parquet"
    pq.write_table(table, path)
    follows = integer_follows(path)
    assert follows is not None
    assert not follows.follower_first
    fast, slow = both_builds(path, Weighting(type_weights={"follow": weight}))
    assert_same_graph(fast, slow)
