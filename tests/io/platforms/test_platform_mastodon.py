"""The Mastodon export reader, on fixtures written to Mastodon's documented formats.

Formats: Mastodon's "Import and export" settings page (https://docs.joinmastodon.org/user/
moving/) offers CSV exports and an account archive. The CSV of follows is written by
``Export#to_following_accounts_csv`` in Mastodon's app/models/export.rb: header ``Account
address,Show boosts,Notify on new posts,Languages``, one ``name@server`` per row (older
servers wrote the addresses alone). The archive is built by app/services/backup_service.rb:
``outbox.json`` (an ActivityStreams ``OrderedCollection`` of the account's ``Create`` and
``Announce`` activities), ``actor.json`` (the ``Person`` with ``preferredUsername``),
``likes.json`` (a collection of the favourited posts' URIs) and the media, in a
``.tar.gz`` (newer servers send a zip). Activity vocabulary (``Announce``, ``Create``,
``Note.inReplyTo``, ``Mention`` tags, ``published``): W3C Activity Streams 2.0,
https://www.w3.org/TR/activitystreams-vocabulary/. Mastodon addresses posts as
``https://server/users/name/statuses/id`` and addresses a boost to the boosted author.
"""

from __future__ import annotations

import io
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from graphkit.errors import InputError
from graphkit.io.platforms import detect_platforms, read_export
from tests.conftest import PLATFORM_EXPORTS, zip_folder

HANA = PLATFORM_EXPORTS / "hana_mastodon"
OWNER = "mastodon:hana@fosstodon.org"
NORTHWIND = "mastodon:northwind@mastodon.social"
ZOE = "mastodon:zoe@hachyderm.io"


def _interactions(table: pa.Table) -> list[tuple[str, str, str, datetime | None]]:
    columns = ("source", "target", "type", "timestamp")
    return list(zip(*(table[name].to_pylist() for name in columns), strict=True))


def _edges(table: pa.Table) -> set[tuple[str, str]]:
    return set(zip(table["follower"].to_pylist(), table["followed"].to_pylist(), strict=True))


EXPECTED_INTERACTIONS = [
    # A reply to @northwind that also mentions @zoe: one reply, one mention (not two).
    (OWNER, NORTHWIND, "reply", datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
    (OWNER, ZOE, "mention", datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
    (OWNER, NORTHWIND, "repost", datetime(2024, 3, 6, 12, tzinfo=UTC)),
    # The boost of misskey.example/notes/9xyz names no author: skipped, and said so.
    (OWNER, ZOE, "quote", datetime(2024, 3, 8, 18, 20, tzinfo=UTC)),
    (OWNER, NORTHWIND, "like", None),
    (OWNER, ZOE, "like", None),
]


def test_archive_folder_with_csv_exports():
    export = read_export("mastodon", HANA)
    assert export.owner == OWNER
    assert _edges(export.follows) == {
        (OWNER, NORTHWIND),
        (OWNER, ZOE),
        (NORTHWIND, OWNER),
        ("mastodon:ravi@hachyderm.io", OWNER),
        ("mastodon:mei@fosstodon.org", OWNER),
    }
    assert _interactions(export.interactions) == EXPECTED_INTERACTIONS
    assert export.notes == [
        f"{HANA}/outbox.json: skipped 1 boosts, replies or quotes of posts whose address does "
        "not name their author"
    ]
    owner = {row["id"]: row for row in export.accounts.to_pylist()}[OWNER]
    assert (owner["handle"], owner["name"], owner["kind"], owner["url"]) == (
        "hana@fosstodon.org",
        "Hana Sato 佐藤花",
        "person",
        "https://fosstodon.org/@hana",
    )


def _tar(folder: Path, target: Path, names: list[str]) -> Path:
    with tarfile.open(target, "w:gz") as archive:
        for name in names:
            archive.add(folder / name, arcname=name)
        avatar = b"\x89PNG fake image bytes"
        info = tarfile.TarInfo("avatar.png")
        info.size = len(avatar)
        archive.addfile(info, io.BytesIO(avatar))
    return target


def test_tar_gz_and_zip_archives(tmp_path):
    archive = _tar(HANA, tmp_path / "archive-20240310-abc.tar.gz",
                   ["actor.json", "outbox.json", "likes.json"])  # fmt: skip
    export = read_export("auto", archive)
    assert export.owner == OWNER
    assert _interactions(export.interactions) == EXPECTED_INTERACTIONS
    assert export.follows.num_rows == 0  # the archive holds no follows; the CSVs do
    zipped = read_export("mastodon", zip_folder(HANA, tmp_path / "archive.zip"))
    assert zipped.interactions.equals(read_export("mastodon", HANA).interactions)
    assert detect_platforms(archive) == ["mastodon"]


def test_outbox_alone_names_its_owner(tmp_path):
    export = read_export("auto", HANA / "outbox.json")
    assert export.owner == OWNER
    assert [row[:3] for row in _interactions(export.interactions)] == [
        row[:3] for row in EXPECTED_INTERACTIONS if row[2] != "like"
    ]


def test_headerless_follows_of_older_servers(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "actor.json").write_bytes((HANA / "actor.json").read_bytes())
    (folder / "following_accounts.csv").write_text("ravi@hachyderm.io\n@Mei@Fosstodon.org\n")
    export = read_export("mastodon", folder)
    assert _edges(export.follows) == {
        (OWNER, "mastodon:ravi@hachyderm.io"),
        (OWNER, "mastodon:mei@fosstodon.org"),
    }


def test_organization_actor_is_a_brand(tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    actor = {"id": "https://mastodon.social/users/northwind", "type": "Organization",
             "preferredUsername": "northwind", "name": "Northwind Cloud"}  # fmt: skip
    (folder / "actor.json").write_text(json.dumps(actor))
    (folder / "following_accounts.csv").write_text(
        "Account address,Show boosts\nzoe@hachyderm.io,true\n"
    )
    export = read_export("mastodon", folder)
    assert {row["id"]: row["kind"] for row in export.accounts.to_pylist()}[NORTHWIND] == "brand"


def _error(path: Path, platform: str = "mastodon") -> str:
    with pytest.raises(InputError) as caught:
        read_export(platform, path)
    return str(caught.value)


def test_follows_without_an_owner(tmp_path):
    lone = tmp_path / "following_accounts.csv"
    lone.write_bytes((HANA / "following_accounts.csv").read_bytes())
    assert _error(lone, "auto") == (
        f"{lone}: no actor.json (nor an outbox.json naming its actor): cannot tell whose "
        "export this is; give the archive's actor.json beside the CSV files"
    )


def test_truncated_outbox(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    text = (HANA / "outbox.json").read_text(encoding="utf-8")
    cut = text[: int(len(text) * 0.6)]
    (folder / "outbox.json").write_text(cut, encoding="utf-8")
    archive = zip_folder(folder, tmp_path / "t.zip")
    assert _error(archive) == (
        f"{archive}/outbox.json, row {cut.rstrip().count(chr(10)) + 1}: truncated JSON: "
        "the file ends too early"
    )


def test_bad_address_and_not_a_collection(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "actor.json").write_bytes((HANA / "actor.json").read_bytes())
    (folder / "following_accounts.csv").write_text(
        "Account address,Show boosts\nzoe@hachyderm.io,true\nnot an address,true\n"
    )
    assert _error(folder) == (
        f"{folder}/following_accounts.csv, row 3, column 'Account address': not an account "
        "address (name@server): 'not an address'"
    )
    (folder / "following_accounts.csv").unlink()
    (folder / "outbox.json").write_text('{"type": "OrderedCollection", "totalItems": 0}')
    assert _error(folder) == (
        f"{folder}/outbox.json: not an ActivityStreams collection: no orderedItems list"
    )


def test_empty_archive_and_other_platforms(tmp_path):
    (tmp_path / "z").mkdir()
    empty = zip_folder(tmp_path / "z", tmp_path / "empty.zip")
    assert _error(empty) == f"{empty}: empty archive: it holds no files"
    x_archive = PLATFORM_EXPORTS / "northwind_x"
    assert _error(x_archive) == (
        f"{x_archive}: this is an X archive, not a Mastodon export; import it as x"
    )
    truncated = tmp_path / "archive.tar.gz"
    _tar(HANA, truncated, ["actor.json", "outbox.json"])
    truncated.write_bytes(truncated.read_bytes()[:200])
    assert _error(truncated).startswith(
        f"{truncated}: not a readable tar archive, truncated or corrupt ("
    )
