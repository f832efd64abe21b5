"""Hostile input files: special files given to every file option, archive bombs, oversized
configs, ids that graphkit would refuse once imported.

Each case must stop with one ``Error: ...`` line (exit 1), no traceback and no output, and a
FIFO or ``/dev/zero`` must stop within 2 seconds: opening a FIFO blocks until a writer comes,
and ``/dev/zero`` never ends, so a reader that opens either hangs or fills memory.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from graphkit.cli.main import cli
from graphkit.io.platforms.source import MEMBER_BYTES
from tests.conftest import PLATFORM_EXPORTS, zip_folder

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "hostile"
FIFO = "is a FIFO (named pipe), not a file"
DEVICE = "is a character device, not a file"
DEADLINE_S = 2.0


class TookTooLong(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (rather than hang the suite) when the block runs longer than ``seconds``: a
    blocked ``open`` of a FIFO is interrupted by the alarm."""

    def expire(signum: int, frame: object) -> None:
        raise TookTooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args, prog_name="graphkit", catch_exceptions=False)


def assert_failed_cleanly(result: Result, expected_line: str, out_dir: Path) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == expected_line
    assert "Traceback" not in result.output
    assert list(out_dir.iterdir()) == [], "no output file and no temporary file may be left"


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def follows(tmp_path: Path) -> Path:
    path = tmp_path / "follows.csv"
    path.write_text("follower,followed\na,b\nb,c\nc,a\n")
    return path


# Every file option, as (command line, the argument that is the special file). ``{special}``
# is replaced by the FIFO or /dev/zero, ``{follows}`` by a valid follows file, ``{out}`` by
# the output folder.
FILE_OPTIONS: dict[str, list[str]] = {
    "follows": ["rank", "--follows", "{special}", "-o", "{out}/r.csv"],
    "interactions": ["rank", "--interactions", "{special}", "-o", "{out}/r.csv"],
    "accounts": ["rank", "--follows", "{follows}", "--accounts", "{special}", "-o", "{out}/r.csv"],
    "identities": [
        "rank", "--follows", "{follows}", "--identities", "{special}", "-o", "{out}/r.csv",
    ],
    "input": ["rank", "{special}", "-o", "{out}/r.csv"],
    "config": ["rank", "--follows", "{follows}", "--config", "{special}", "-o", "{out}/r.csv"],
    "crm-mapping": [
        "rank", "--follows", "{follows}", "--crm", "hubspot", "--crm-mapping", "{special}",
        "-o", "{out}/r.csv",
    ],
    "export": ["rank", "--export", "{special}", "-o", "{out}/r.csv"],
    "export-with-format": ["rank", "--export", "x:{special}", "-o", "{out}/r.csv"],
    "audience": [
        "rank", "--follows", "{follows}", "--audience", "{special}", "-o", "{out}/r.csv",
    ],
    "import": ["import", "x", "{special}", "-o", "{out}/dataset"],
    "import-accounts": [
        "import", "x", str(PLATFORM_EXPORTS / "maya_x"), "--accounts", "{special}",
        "-o", "{out}/dataset",
    ],
    "import-identities": [
        "import", "x", str(PLATFORM_EXPORTS / "maya_x"), "--identities", "{special}",
        "-o", "{out}/dataset",
    ],
}  # fmt: skip


def _fill(args: list[str], special: str, follows: Path, out_dir: Path) -> list[str]:
    return [
        arg.replace("{special}", special)
        .replace("{follows}", str(follows))
        .replace("{out}", str(out_dir))
        for arg in args
    ]


@pytest.mark.parametrize("option", sorted(FILE_OPTIONS))
def test_a_fifo_is_refused_at_once(option: str, tmp_path: Path, follows: Path, out_dir: Path):
    fifo = tmp_path / "input.csv"
    os.mkfifo(fifo)
    args = _fill(FILE_OPTIONS[option], str(fifo), follows, out_dir)
    started = time.monotonic()
    with deadline(DEADLINE_S * 5):  # the margin is for a loaded machine; 2 s is checked below
        result = run(args)
    assert time.monotonic() - started < DEADLINE_S
    assert_failed_cleanly(result, f"Error: {fifo}: {FIFO}", out_dir)


@pytest.mark.parametrize("option", sorted(FILE_OPTIONS))
def test_dev_zero_is_refused_at_once(option: str, follows: Path, out_dir: Path):
    args = _fill(FILE_OPTIONS[option], "/dev/zero", follows, out_dir)
    started = time.monotonic()
    with deadline(DEADLINE_S * 5):
        result = run(args)
    assert time.monotonic() - started < DEADLINE_S
    assert_failed_cleanly(result, f"Error: /dev/zero: {DEVICE}", out_dir)


def test_a_fifo_table_in_a_dataset_folder_is_an_error(tmp_path: Path, out_dir: Path):
    folder = tmp_path / "dataset"
    folder.mkdir()
    (folder / "follows.csv").write_text("follower,followed\na,b\n")
    os.mkfifo(folder / "accounts.csv")
    with deadline(DEADLINE_S * 5):
        result = run(["rank", str(folder), "-o", str(out_dir / "r.csv")])
    assert_failed_cleanly(result, f"Error: {folder / 'accounts.csv'}: {FIFO}", out_dir)


def test_a_device_link_in_a_dataset_folder_is_an_error(tmp_path: Path, out_dir: Path):
    folder = tmp_path / "dataset"
    folder.mkdir()
    (folder / "follows.csv").write_text("follower,followed\na,b\n")
    (folder / "interactions.csv").symlink_to("/dev/zero")
    with deadline(DEADLINE_S * 5):
        result = run(["rank", str(folder), "-o", str(out_dir / "r.csv")])
    assert_failed_cleanly(result, f"Error: {folder / 'interactions.csv'}: {DEVICE}", out_dir)


def test_a_fifo_inside_an_export_folder_is_an_error(tmp_path: Path, out_dir: Path):
    import shutil

    folder = tmp_path / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_x", folder)
    (folder / "data" / "follower.js").unlink()
    os.mkfifo(folder / "data" / "follower.js")
    with deadline(DEADLINE_S * 5):
        result = run(["rank", "--export", f"x:{folder}", "-o", str(out_dir / "r.csv")])
    assert_failed_cleanly(result, f"Error: {folder / 'data' / 'follower.js'}: {FIFO}", out_dir)


# --- size budgets -------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--config", "--crm-mapping"])
def test_an_oversized_config_is_refused(option, tmp_path: Path, follows: Path, out_dir: Path):
    big = tmp_path / "settings.toml"
    big.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    crm = ["--crm", "hubspot"] if option == "--crm-mapping" else []
    result = run(
        ["rank", "--follows", str(follows), *crm, option, str(big), "-o", f"{out_dir}/r.csv"]
    )
    what = "config file" if option == "--config" else "mapping file"
    assert_failed_cleanly(
        result, f"Error: {big}: larger than 1 MiB: too large for a {what}", out_dir
    )


def _bomb_member(size: int) -> io.BufferedReader:
    class Spaces(io.RawIOBase):
        left = size

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            count = min(len(buffer), self.left)
            buffer[:count] = b" " * count
            self.left -= count
            return count

    return io.BufferedReader(Spaces())


def _zip_bomb(target: Path, size: int) -> Path:
    source = PLATFORM_EXPORTS / "maya_x"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.name != "follower.js":
                archive.write(path, path.relative_to(source).as_posix())
        with archive.open("data/follower.js", "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    return target


def _tar_bomb(target: Path, size: int) -> Path:
    source = PLATFORM_EXPORTS / "maya_x"
    with tarfile.open(target, "w:gz") as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.name != "follower.js":
                archive.add(path, path.relative_to(source).as_posix())
        info = tarfile.TarInfo("data/follower.js")
        info.size = size
        archive.addfile(info, _bomb_member(size))
    return target


@pytest.mark.slow
def test_a_zip_bomb_member_is_refused_before_it_is_read(tmp_path: Path, out_dir: Path):
    bomb = _zip_bomb(tmp_path / "bomb.zip", MEMBER_BYTES + (1 << 20))
    result = run(["import", "x", str(bomb), "-o", str(out_dir / "dataset")])
    assert_failed_cleanly(
        result,
        f"Error: {bomb}/data/follower.js: more than 256 MiB uncompressed (it declares "
        "257 MiB): too large for one file of an export (a damaged or hostile archive?)",
        out_dir,
    )


@pytest.mark.slow
def test_a_tar_bomb_member_is_refused(tmp_path: Path, out_dir: Path):
    bomb = _tar_bomb(tmp_path / "bomb.tar.gz", MEMBER_BYTES + (1 << 20))
    result = run(["rank", "--export", f"x:{bomb}", "-o", str(out_dir / "r.csv")])
    assert_failed_cleanly(
        result,
        f"Error: {bomb}/data/follower.js: more than 256 MiB uncompressed (it declares "
        "257 MiB): too large for one file of an export (a damaged or hostile archive?)",
        out_dir,
    )


# The peak from /proc (VmHWM): getrusage's ru_maxrss survives exec on Linux, so in a child of a
# large pytest process it reports the parent's size.
_MEASURE = """
import re, sys
from pathlib import Path
from graphkit.errors import InputError
from graphkit.io.platforms import read_export
try:
    read_export("x", sys.argv[1])
except InputError as error:
    print(error)
status = Path("/proc/self/status").read_text()
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) * 1024)
"""


@pytest.mark.slow
@pytest.mark.parametrize("make", [_zip_bomb, _tar_bomb], ids=["zip", "tar.gz"])
def test_a_1gb_bomb_stops_under_1gib(make: Callable[[Path, int], Path], tmp_path: Path):
    """The done-when of the archive budget, measured in a process of its own."""
    bomb = make(tmp_path / ("bomb.zip" if make is _zip_bomb else "bomb.tar.gz"), 1 << 30)
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(bomb)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    message, peak = completed.stdout.strip().splitlines()
    assert "too large for one file of an export" in message
    assert int(peak) < 1 << 30


# --- ids graphkit would refuse are refused at import ---------------------------------------


def _x_export_with_follower_id(tmp_path: Path, account_id: str) -> Path:
    import json
    import shutil

    folder = tmp_path / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_x", folder)
    items = [{"follower": {"accountId": "11"}}, {"follower": {"accountId": account_id}}]
    (folder / "data" / "follower.js").write_text("window.YTD.follower.part0 = " + json.dumps(items))
    return folder


@pytest.mark.parametrize(
    ("account_id", "problem"),
    [("12\x003", "a NUL byte"), ("12\n3", "a line break"), ("1\r2", "a line break")],
)
def test_x_ids_with_nul_or_line_breaks_are_refused(
    account_id: str, problem: str, tmp_path: Path, out_dir: Path
):
    folder = _x_export_with_follower_id(tmp_path, account_id)
    result = run(["import", "x", str(folder), "-o", str(out_dir / "dataset")])
    shown = repr(f"x:{account_id}")
    assert_failed_cleanly(
        result,
        f"Error: {folder}/data/follower.js: item 2: account id with {problem} "
        f"(follower.accountId): {shown}",
        out_dir,
    )


@pytest.mark.parametrize(("escaped", "problem"), [("%00", "a NUL byte"), ("%0A", "a line break")])
def test_linkedin_urls_decoding_to_nul_or_line_breaks_are_refused(
    escaped: str, problem: str, tmp_path: Path, out_dir: Path
):
    import shutil

    folder = tmp_path / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_linkedin", folder)
    connections = folder / "Connections.csv"
    text = connections.read_text()
    header_end = text.index("First Name")
    lines = text[header_end:].splitlines()
    lines.insert(1, f"Eve,Hacker,https://www.linkedin.com/in/eve{escaped}x,,,,15 Mar 2024")
    connections.write_text(text[:header_end] + "\n".join(lines) + "\n")
    row = text[:header_end].count("\n") + 2
    result = run(["import", "linkedin", str(folder), "-o", str(out_dir / "dataset")])
    shown = repr("linkedin:eve" + ("\x00" if escaped == "%00" else "\n") + "x")
    assert_failed_cleanly(
        result,
        f"Error: {connections}, row {row}, column 'URL': account id with {problem}: {shown}",
        out_dir,
    )


def test_duplicate_zip_entries_count_once(tmp_path: Path, out_dir: Path):
    import warnings

    single = zip_folder(PLATFORM_EXPORTS / "maya_x", tmp_path / "maya.zip")
    doubled = tmp_path / "doubled.zip"
    doubled.write_bytes(single.read_bytes())
    follower = (PLATFORM_EXPORTS / "maya_x" / "data" / "follower.js").read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: the point here
        with zipfile.ZipFile(doubled, "a") as archive:
            archive.writestr("data/follower.js", follower)
    counts = []
    for archive in (single, doubled):
        target = out_dir / archive.stem
        result = run(["import", "x", str(archive), "-o", str(target)])
        assert result.exit_code == 0, result.output
        accounts = pl.read_csv(target / "accounts.csv", infer_schema=False)
        counts.append(accounts.filter(pl.col("followers_count").is_not_null())["followers_count"])
    assert counts[0].to_list() == counts[1].to_list()


# --- interrupted imports --------------------------------------------------------------------


def test_a_staging_folder_left_by_a_killed_import_is_removed(tmp_path: Path):
    output = tmp_path / "dataset"
    stale = tmp_path / ".dataset.abc123.tmp"
    stale.mkdir()
    (stale / "accounts.csv").write_text("id\nhalf")
    other = tmp_path / ".dataset.notours.tmp"
    other.mkdir()
    (other / "notes.txt").write_text("someone else's")
    result = run(["import", "x", str(PLATFORM_EXPORTS / "maya_x"), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert other.exists(), "a folder holding other files is not graphkit's to remove"
    assert f"Removed {stale}, left by an interrupted import" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".dataset.notours.tmp",
        "dataset",
    ]


def test_a_hidden_staging_folder_inside_an_export_folder_is_not_read(tmp_path: Path):
    import shutil

    folder = tmp_path / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_x", folder)
    stale = folder / ".out.abc.tmp" / "data"
    stale.mkdir(parents=True)
    (stale / "follower.js").write_text("window.YTD.follower.part0 = [")
    result = run(["import", "x", str(folder), "-o", str(tmp_path / "dataset")])
    assert result.exit_code == 0, result.output


# --- stored regression inputs (tests/data/hostile/) ---------------------------------------


def stored(name: str) -> str:
    return str(HOSTILE / name)


# (command line, error line); "{follows}" is a valid follows file. The X mention without
# screen_name is valid input (it once raised KeyError): its case expects success (None).
STORED = {
    "x-mention-without-screen-name": (
        ["import", "x", stored("x_mention_without_screen_name"), "-o", "{out}/dataset"],
        None,
    ),
    "x-follower-id-with-nul": (
        ["import", "x", stored("x_follower_id_with_nul"), "-o", "{out}/dataset"],
        f"{stored('x_follower_id_with_nul')}/data/follower.js: item 2: account id with a NUL "
        "byte (follower.accountId): 'x:30\\x002'",
    ),
    "linkedin-url-with-escaped-line-break": (
        ["import", "linkedin", stored("linkedin_url_with_escaped_line_break"), "-o", "{out}/d"],
        f"{stored('linkedin_url_with_escaped_line_break/Connections.csv')}, row 3, column "
        "'URL': account id with a line break: 'linkedin:eve\\nx'",
    ),
    "mastodon-address-with-line-break": (
        ["rank", "--export", "mastodon:" + stored("mastodon_address_with_line_break"),
         "-o", "{out}/r.csv"],
        f"{stored('mastodon_address_with_line_break/following_accounts.csv')}, row 3, column "
        "'Account address': account id with a line break: 'eve@evil.example\\nx'",
    ),
    "audience-file-not-utf8": (
        ["rank", "--follows", "{follows}", "--audience", stored("audience_latin1.txt"),
         "-o", "{out}/r.csv"],
        f"{stored('audience_latin1.txt')}, row 3: not UTF-8 text; re-save the file as UTF-8",
    ),
    "config-not-utf8": (
        ["rank", "--follows", "{follows}", "--config", stored("config_latin1.toml"),
         "-o", "{out}/r.csv"],
        f"{stored('config_latin1.toml')}, row 3: not UTF-8 text; re-save the file as UTF-8",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(STORED))
def test_stored_hostile_input(case: str, follows: Path, out_dir: Path) -> None:
    args, expected = STORED[case]
    result = run(_fill(args, "", follows, out_dir))
    if expected is None:
        assert result.exit_code == 0, result.output
    else:
        assert_failed_cleanly(result, f"Error: {expected}", out_dir)


def test_every_stored_hostile_input_is_used_and_small() -> None:
    used = " ".join(" ".join(args) for args, _ in STORED.values())
    assert sorted(path.name for path in HOSTILE.iterdir() if stored(path.name) not in used) == []
    sizes = {path: path.stat().st_size for path in HOSTILE.rglob("*") if path.is_file()}
    assert max(sizes.values()) < 2048


# --- cases made at test time: too large to store ------------------------------------------


def test_a_header_longer_than_the_sniffed_head_is_read(tmp_path: Path, out_dir: Path):
    path = tmp_path / "follows.csv"
    extra = [f"pass_through_column_{number}" for number in range(5000)]  # about 140 KB
    row = ",".join(["a", "b", *["x"] * len(extra)])
    path.write_text(",".join(["follower", "followed", *extra]) + "\n" + row + "\n")
    result = run(["rank", "--follows", str(path), "-o", str(out_dir / "r.csv")])
    assert result.exit_code == 0, result.output


def test_nul_in_a_text_column_past_the_sniffed_head(tmp_path: Path, out_dir: Path):
    path = tmp_path / "follows.csv"
    rows = [f"u{i},u{i + 1},note {i}" for i in range(20_000)]  # about 300 KB
    rows[15_000] = "u1,u2,bad\x00note"
    path.write_text("follower,followed,note\n" + "\n".join(rows) + "\n")
    result = run(["rank", "--follows", str(path), "-o", str(out_dir / "r.csv")])
    assert_failed_cleanly(
        result,
        f"Error: {path}, row 15002, column 'note': text with a NUL byte: 'bad\\x00note'",
        out_dir,
    )


NESTED = "JSON nested too deeply (thousands of levels): not a platform's data file"


def test_deeply_nested_json_in_an_x_archive(tmp_path: Path, out_dir: Path):
    import shutil

    folder = tmp_path / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_x", folder)
    follower = folder / "data" / "follower.js"
    follower.write_text("window.YTD.follower.part0 = " + "[" * 100_000 + "]" * 100_000)
    result = run(["rank", "--export", f"x:{folder}", "-o", str(out_dir / "r.csv")])
    assert_failed_cleanly(result, f"Error: {follower}: {NESTED}", out_dir)


def test_deeply_nested_json_in_a_mastodon_outbox(tmp_path: Path, out_dir: Path):
    import shutil

    folder = tmp_path / "hana"
    shutil.copytree(PLATFORM_EXPORTS / "hana_mastodon", folder)
    outbox = folder / "outbox.json"
    outbox.write_text('{"orderedItems": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = run(["rank", "--export", f"mastodon:{folder}", "-o", str(out_dir / "r.csv")])
    assert_failed_cleanly(result, f"Error: {outbox}: {NESTED}", out_dir)
