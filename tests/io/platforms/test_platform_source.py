"""ExportSource: the byte budget of every file of an export, in each form an export takes (zip,
tar.gz, folder, one file), duplicate entries, special files and hidden folders."""

from __future__ import annotations

import os
import shutil
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest

import graphkit.io.platforms.source as source_module
from graphkit.errors import InputError
from graphkit.io.files import size_text
from graphkit.io.platforms import read_export
from graphkit.io.platforms.source import open_export
from tests.conftest import PLATFORM_EXPORTS, zip_folder

LIMIT = 1 << 10


def _too_large(where: str, declared: int | None) -> str:
    size = f" (it declares {size_text(declared)})" if declared else ""
    return (
        f"{where}: more than 1 KiB uncompressed{size}: too large for one file of an export "
        "(a damaged or hostile archive?)"
    )


def _tar(folder: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz") as archive:
        archive.add(folder, arcname=".")
    return target


@pytest.mark.parametrize("form", ["zip", "tar.gz", "folder"])
def test_a_member_over_the_budget_is_refused(form: str, tmp_path: Path) -> None:
    folder = tmp_path / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_x", folder)
    follower = folder / "data" / "follower.js"
    size = follower.stat().st_size
    assert size > LIMIT
    if form == "zip":
        export = zip_folder(folder, tmp_path / "maya.zip")
    elif form == "tar.gz":
        export = _tar(folder, tmp_path / "maya.tar.gz")
    else:
        export = folder
    with open_export(export, member_limit=LIMIT) as source:
        with pytest.raises(InputError) as caught:
            source.read_bytes("data/follower.js")
        assert str(caught.value) == _too_large(f"{export}/data/follower.js", size)
        assert source.read_bytes("data/account.js") == (folder / "data" / "account.js").read_bytes()
    with pytest.raises(InputError, match="too large for one file of an export"):
        read_export("x", export, member_limit=LIMIT)


def test_a_zip_member_holding_more_than_it_declares_is_cut_at_the_budget(tmp_path: Path) -> None:
    """zipfile stops at the declared size and checks the CRC: a lying header cannot make a
    member larger than its declaration, and the budget holds either way."""
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("data/follower.js", b" " * (4 * LIMIT))
    data = bytearray(archive.read_bytes())
    # Shrink the declared size in the central directory (offset 24 of its entry).
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    with open_export(archive, member_limit=LIMIT) as source, pytest.raises(InputError):
        source.read_bytes("data/follower.js")


def test_large_tar_members_are_read_again_from_the_archive(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(source_module, "_TAR_CACHE_BYTES", 0)  # keep nothing while listing
    archive = _tar(PLATFORM_EXPORTS / "maya_x", tmp_path / "maya.tar.gz")
    from_tar = read_export("x", archive)
    from_folder = read_export("x", PLATFORM_EXPORTS / "maya_x")
    assert from_tar.follows.equals(from_folder.follows)
    assert from_tar.interactions.equals(from_folder.interactions)


def test_an_archive_listing_too_many_files_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(source_module, "MAX_MEMBERS", 3)
    archive = zip_folder(PLATFORM_EXPORTS / "maya_x", tmp_path / "maya.zip")
    with pytest.raises(InputError) as caught:
        open_export(archive)
    assert str(caught.value) == (
        f"{archive}: lists 4 files, more than the 3 graphkit reads from an export"
    )


def test_a_name_listed_twice_is_one_file_the_last_entry(tmp_path: Path) -> None:
    archive = tmp_path / "twice.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(archive, "w") as handle:
            handle.writestr("data/follower.js", b"first")
            handle.writestr("data/follower.js", b"last")
    with open_export(archive) as source:
        assert source.names() == ["data/follower.js"]
        assert source.read_bytes("data/follower.js") == b"last"


def test_hidden_folders_are_not_part_of_a_folder_export(tmp_path: Path) -> None:
    folder = tmp_path / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_x", folder)
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("[core]\n")
    with open_export(folder) as source:
        assert not any(name.startswith(".") for name in source.names())


def test_special_files_are_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "outbox.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as caught:
        open_export(fifo)
    assert str(caught.value) == f"{fifo}: is a FIFO (named pipe), not a file"
    folder = tmp_path / "hana"
    shutil.copytree(PLATFORM_EXPORTS / "hana_mastodon", folder)
    (folder / "likes.json").unlink()
    (folder / "likes.json").symlink_to("/dev/zero")
    with pytest.raises(InputError) as caught:
        read_export("mastodon", folder)
    assert str(caught.value) == f"{folder}/likes.json: is a character device, not a file"


def test_read_head_reads_only_the_head(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("Connections.csv", b"First Name,Last Name\n" + b"x" * (8 * LIMIT))
    with open_export(archive, member_limit=LIMIT) as source:
        assert source.read_head("Connections.csv", 10) == "First Name"


def test_a_single_file_export_over_the_budget(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.json"
    outbox.write_bytes(b'{"orderedItems": []}' + b" " * (2 * LIMIT))
    with pytest.raises(InputError) as caught:
        read_export("mastodon", outbox, member_limit=LIMIT)
    assert str(caught.value) == _too_large(str(outbox), outbox.stat().st_size)
