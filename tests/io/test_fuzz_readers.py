"""A bounded fuzzing run of the readers: random bytes and mutated valid files, fed to
:func:`graphkit.io.read_table`, to the readers of the three platform exports (as folders, and
as zip and tar.gz archives whose own bytes are mutated) and to the ``--config`` and
``--crm-mapping`` loaders, must either parse into a table that keeps the schema's contract (an
import: tables graphkit reads back) or raise :class:`InputError` (a GraphkitError for the
settings files), never another exception.

The budget is fixed (``EXAMPLES`` per target, counted); a failure prints the input that broke
the reader, to keep in ``tests/data/bad/`` once fixed.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.errors import GraphkitError, InputError
from graphkit.io import ACCOUNTS, FOLLOWS, IDENTITIES, INTERACTIONS, TableSpec, read_table
from graphkit.io.platforms import import_exports
from graphkit.io.readers import Dataset
from graphkit.io.schema import TABLES
from tests.conftest import PLATFORM_EXPORTS, zip_folder

pytestmark = pytest.mark.slow

EXAMPLES: Final = int(os.environ.get("GRAPHKIT_FUZZ_EXAMPLES", "300"))
"""Examples per fuzz target and run (25 targets: 7,500 inputs); set GRAPHKIT_FUZZ_EXAMPLES for
a longer run."""

# Bytes that matter to the parsers: delimiters, quotes, line ends, encodings, numbers.
TOKENS: Final = (
    b",", b'"', b"\n", b"\r\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\t", b" ", b"#",
    b"NaN", b"-1", b"1e400", b"99999999999999999999999", b"{", b"}", b"[", b"]", b":", b"null",
    b"2025-01-01T00:00:00Z", b"99999-01-01", b"\\", b"\xc3", b"\xe2\x80\xa8", b"\xfe\xff",
)  # fmt: skip


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="none")
    return buffer.getvalue()


FOLLOWS_CSV: Final = (
    b'follower,followed,weight,since\na,b,1,2024-01-01\nb,c,2.5,1700000000\n"x,y",a,0,\n'
)
SEEDS: Final[dict[str, tuple[bytes, TableSpec]]] = {
    "follows.csv": (FOLLOWS_CSV, FOLLOWS),
    "follows.csv.gz": (gzip.compress(FOLLOWS_CSV, mtime=0), FOLLOWS),
    "follows.tsv": (b"follower\tfollowed\na\tb\nb\tc\n", FOLLOWS),
    "interactions.csv": (
        b"source,target,type,timestamp,weight\na,b,repost,2025-01-01T10:00:00Z,1\n"
        b"b,c,RT,1700000000,2\n",
        INTERACTIONS,
    ),
    "accounts.csv": (
        b"id,handle,name,kind,organization,title,topics,followers_count\n"
        b"a,al,Al,person,b,CTO,cloud;ai,10\nb,bb,B,brand,,,,\n",
        ACCOUNTS,
    ),
    "identities.csv": (b"account,person\na,p1\nb,p1\n", IDENTITIES),
    "edges.txt": (b"# comment\na b 1\nb c 2\n", FOLLOWS),
    "activity.txt": (b"1 2 1341100972 RT\n2 3 1341100973 MT\n", INTERACTIONS),
    "follows.ndjson": (
        b'{"follower":"a","followed":"b","weight":1}\n{"follower":"b","followed":"c"}\n',
        FOLLOWS,
    ),
    "interactions.ndjson": (
        b'{"source":"a","target":"b","type":"like","timestamp":"2025-01-01"}\n',
        INTERACTIONS,
    ),
    "follows.parquet": (
        _parquet(
            pa.table(
                {
                    "follower": ["a", "b"],
                    "followed": ["b", "c"],
                    "weight": [1.0, 2.0],
                    "since": pa.array([1, 2], pa.timestamp("s")),
                }
            )
        ),
        FOLLOWS,
    ),
}


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few random edits: bytes flipped, tokens inserted, ranges cut, copied or
    the file truncated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(("flip", "token", "delete", "truncate", "copy", "noise")))
        at = draw(st.integers(0, len(data)))
        if operation == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif operation == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif operation == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif operation == "truncate":
            del data[at:]
        elif operation == "copy":
            start = draw(st.integers(0, len(data)))
            data[at:at] = data[start : start + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


def _check_contract(table: pa.Table, spec: TableSpec) -> None:
    """What a successful read promises: the required columns, ids as non-empty strings."""
    for name in spec.required:
        assert name in table.column_names
    for name in spec.id_columns:
        column = table.column(name)
        assert pa.types.is_string(column.type)
        assert column.null_count == 0
        assert all(value.strip() for value in column.to_pylist())
    table.validate(full=True)  # valid UTF-8 and consistent buffers


def _fuzz(inputs: st.SearchStrategy[bytes], target: Callable[[bytes], None]) -> int:
    """Run ``target`` on EXAMPLES inputs; return how many it ran."""
    count = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(inputs)
    def one(data: bytes) -> None:
        nonlocal count
        count += 1
        target(data)

    one()
    return count


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutated_files_parse_or_raise_input_error(name: str, tmp_path: Path) -> None:
    seed, spec = SEEDS[name]
    path = tmp_path / name

    def read(data: bytes) -> None:
        path.write_bytes(data)
        try:
            table = read_table(path, spec)
        except InputError:
            return
        _check_contract(table, spec)

    assert _fuzz(mutated(seed), read) >= EXAMPLES


@pytest.mark.parametrize("name", ["follows.csv", "follows.ndjson", "follows.parquet"])
def test_random_bytes_parse_or_raise_input_error(name: str, tmp_path: Path) -> None:
    path = tmp_path / name

    def read(data: bytes) -> None:
        path.write_bytes(data)
        try:
            table = read_table(path, FOLLOWS)
        except InputError:
            return
        _check_contract(table, FOLLOWS)

    assert _fuzz(st.binary(max_size=300), read) >= EXAMPLES


EXPORTS: Final = ("maya_x", "maya_linkedin", "hana_mastodon")


@pytest.mark.parametrize("export", EXPORTS)
def test_mutated_exports_read_or_raise_input_error(export: str, tmp_path: Path) -> None:
    original = PLATFORM_EXPORTS / export
    files = sorted(path.relative_to(original) for path in original.rglob("*") if path.is_file())
    folder = tmp_path / export
    shutil.copytree(original, folder)
    choices = st.sampled_from(files).flatmap(
        lambda name: st.tuples(st.just(name), mutated((original / name).read_bytes()))
    )
    count = 0

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(choices)
    def one(change: tuple[Path, bytes]) -> None:
        nonlocal count
        count += 1
        name, data = change
        (folder / name).write_bytes(data)
        try:
            dataset, _ = import_exports([("auto", folder)])
        except InputError:
            return
        finally:
            (folder / name).write_bytes((original / name).read_bytes())
        _check_importable(dataset)

    one()
    assert count >= EXAMPLES


def _check_importable(dataset: Dataset) -> None:
    """What a successful import promises: tables graphkit's readers accept once written,
    so ids without NUL bytes or line breaks and text without NUL bytes."""
    for table_name in ("follows", "interactions", "accounts"):
        table = getattr(dataset, table_name)
        if table is None:
            continue
        table.validate(full=True)
        ids = TABLES[table_name].id_columns
        for name in table.column_names:
            if not pa.types.is_string(table.column(name).type):
                continue
            values = [value for value in table.column(name).to_pylist() if value is not None]
            assert not any("\x00" in value for value in values), (table_name, name)
            if name in ids:
                assert not any("\n" in value or "\r" in value for value in values), name


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_mutated_export_archives_read_or_raise_input_error(
    export: str, kind: str, tmp_path: Path
) -> None:
    """The archive's own bytes mutated (headers, sizes, compressed data): a zip or tar reader
    error must come out as InputError, and what reads must import cleanly."""
    archive = tmp_path / f"{export}.{kind}"
    if kind == "zip":
        zip_folder(PLATFORM_EXPORTS / export, archive)
    else:
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(PLATFORM_EXPORTS / export, arcname=".")
    seed = archive.read_bytes()

    def read(data: bytes) -> None:
        archive.write_bytes(data)
        try:
            dataset, _ = import_exports([("auto", archive)], member_limit=1 << 20)
        except InputError:
            return
        _check_importable(dataset)

    assert _fuzz(mutated(seed), read) >= EXAMPLES


CONFIG_SEED: Final = b'half_life = "30d"\nas_of = "2025-01-01T00:00:00Z"\n[weights]\nlike = 0.5\n'
MAPPING_SEED: Final = (
    b'date_format = "%Y-%m-%d"\nmax_rows = 1000\n[contacts]\nhandle = "Twitter Username"\n'
    b"name = false\n"
)


@pytest.mark.parametrize("kind", ["config", "mapping"])
def test_mutated_config_and_mapping_files_load_or_raise_graphkit_error(
    kind: str, tmp_path: Path
) -> None:
    """``--config`` (graphkit.cli.options.make_weighting) and ``--crm-mapping`` (crm_profile): a bad
    file is a GraphkitError (one line on the command line), never another exception."""
    from graphkit.cli.options import make_weighting
    from graphkit.export import crm_profile

    path = tmp_path / f"{kind}.toml"

    def load(data: bytes) -> None:
        path.write_bytes(data)
        try:
            if kind == "config":
                make_weighting(None, None, None, path)
            else:
                crm_profile("hubspot", path)
        except GraphkitError:
            return

    seed = CONFIG_SEED if kind == "config" else MAPPING_SEED
    assert _fuzz(mutated(seed), load) >= EXAMPLES
