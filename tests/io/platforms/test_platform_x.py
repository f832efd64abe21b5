"""The X (Twitter) archive reader, on fixtures written to the archive's documented format.

Format, as X documents it in the README.txt at the root of every archive (a copy:
https://gist.github.com/migurski/1983d5b43c4ee432e49ad03de1956505): a zip whose ``data/``
folder holds "machine-readable JSON files with a .js extension", each assigning a JSON array
to a global: ``window.YTD.follower.part0 = [{"follower": {"accountId": "...", "userLink":
"https://twitter.com/intent/user?user_id=..."}}]``, the same for ``following``,
``window.YTD.account.part0 = [{"account": {"accountId", "username",
"accountDisplayName", ...}}]`` and ``window.YTD.tweets.part0 = [{"tweet": {...}}]`` with
the API's tweet fields (``created_at`` as ``Wed Oct 10 20:19:24 +0000 2018``,
``in_reply_to_user_id_str``, ``entities.user_mentions`` with ``indices``,
``display_text_range``, ``entities.urls[].expanded_url``). Large files are split into
``follower-part1.js`` (``window.YTD.follower.part1``); older archives name the tweets file
``tweet.js`` (``window.YTD.tweet.part0``) and omit the ``{"tweet": ...}`` wrapper. Archives
carry no quoted tweet: a quote is a link to ``twitter.com/<handle>/status/<id>``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphkit.errors import InputError
from graphkit.io.platforms import detect_platforms, read_export
from graphkit.io.platforms.x import _fast_created_at
from graphkit.io.schema import ACCOUNTS, FOLLOWS, INTERACTIONS
from tests.conftest import PLATFORM_EXPORTS, zip_folder

BRAND = PLATFORM_EXPORTS / "northwind_x"
MAYA = PLATFORM_EXPORTS / "maya_x"
DANIEL = PLATFORM_EXPORTS / "daniel_x"


def _edges(table: pa.Table) -> set[tuple[str, str]]:
    return set(zip(table["follower"].to_pylist(), table["followed"].to_pylist(), strict=True))


def _interactions(table: pa.Table) -> list[tuple[str, str, str, datetime | None]]:
    columns = ("source", "target", "type", "timestamp")
    return list(zip(*(table[name].to_pylist() for name in columns), strict=True))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)


def _ytd(path: Path, kind: str, items: object, part: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"window.YTD.{kind}.part{part} = {json.dumps(items)}", encoding="utf-8")
    return path


def _copy(folder: Path, target: Path) -> Path:
    for path in folder.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(folder)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
    return target


def test_brand_archive_follows_interactions_and_owner():
    export = read_export("x", BRAND)
    assert (export.platform, export.owner) == ("x", "x:1000")
    followers = ["2001", "2002", "3001", "3002", "3003", "3004", "3005", "3006"]
    assert _edges(export.follows) == {(f"x:{a}", "x:1000") for a in followers} | {
        ("x:1000", "x:2001"),
        ("x:1000", "x:2002"),
    }
    assert export.follows.num_rows == 10
    # RT @maya_builds; a reply whose leading @ada_b X writes itself (no extra mention); a mention.
    assert _interactions(export.interactions) == [
        ("x:1000", "x:2001", "repost", _at(4, 9)),
        ("x:1000", "x:3001", "reply", _at(5, 14, 30)),
        ("x:1000", "x:2002", "mention", _at(6, 16)),
    ]
    owner = export.accounts.filter(pa.compute.equal(export.accounts["id"], "x:1000")).to_pylist()
    assert owner[0] | {} == {
        "id": "x:1000",
        "handle": "northwindcloud",
        "name": "Northwind Cloud",
        "kind": None,
        "organization": None,
        "title": None,
        "platform": "x",
        "followers_count": 8,
        "email": None,
        "url": "https://x.com/northwindcloud",
    }
    assert export.accounts.column("id").to_pylist()[0] == "x:1000"  # the owner first


def test_tables_have_the_canonical_types():
    export = read_export("twitter", BRAND)
    for table, spec in (
        (export.accounts, ACCOUNTS),
        (export.follows, FOLLOWS),
        (export.interactions, INTERACTIONS),
    ):
        for field in table.schema:
            if field.name in spec.types:
                assert field.type == spec.types[field.name], (spec.name, field.name)
    assert export.identities.num_rows == 0


def test_quotes_replies_mentions_and_unicode_names():
    export = read_export("x", MAYA)
    # The quoted account is known only by its handle here: a provisional id.
    assert _interactions(export.interactions) == [
        ("x:2001", "x:@thedatathorne", "quote", _at(4, 10)),
        ("x:2001", "x:3007", "reply", _at(5, 8, 15)),
        ("x:2001", "x:1000", "mention", _at(6, 17, 45)),
        ("x:2001", "x:2002", "mention", _at(6, 17, 45)),
        ("x:2001", "x:1000", "repost", _at(7, 12)),
    ]
    names = dict(
        zip(export.accounts["id"].to_pylist(), export.accounts["name"].to_pylist(), strict=True)
    )
    assert names["x:2001"] == "Maya Okafor 🚀"
    handles = dict(
        zip(export.accounts["id"].to_pylist(), export.accounts["handle"].to_pylist(), strict=True)
    )
    assert handles["x:3007"] == "priya_threatintel"
    assert handles["x:@thedatathorne"] == "thedatathorne"
    assert export.interactions["post"][0].as_py() == (
        "https://x.com/maya_builds/status/1700000000000000001"
    )


def test_parts_are_read_in_order():
    export = read_export("x", DANIEL)
    followers = [a for a, b in zip(export.follows["follower"].to_pylist(),
                                   export.follows["followed"].to_pylist(), strict=True)
                 if b == "x:2002"]  # fmt: skip
    assert followers == ["x:1000", "x:2001", "x:3004", "x:3013"]  # part0, then part1
    assert _interactions(export.interactions) == [
        ("x:2002", "x:@maya_builds", "quote", datetime(2024, 3, 8, 9, tzinfo=UTC)),
        ("x:2002", "x:1000", "mention", datetime(2024, 3, 9, 10, 30, tzinfo=UTC)),
    ]


@pytest.mark.parametrize("wrap", [None, "twitter-2024-05-01-abcdef"])
def test_zip_reads_like_its_folder(tmp_path, wrap):
    folder = read_export("x", MAYA)
    archive = read_export("x", zip_folder(MAYA, tmp_path / "maya.zip", wrap=wrap))
    assert archive.accounts.equals(folder.accounts)
    assert archive.follows.equals(folder.follows)
    assert archive.interactions.equals(folder.interactions)
    assert detect_platforms(tmp_path / "maya.zip") == ["x"]


def test_older_archive_layout(tmp_path):
    data = tmp_path / "old" / "data"
    _ytd(data / "account.js", "account", [{"account": {"accountId": "7", "username": "zoë_old"}}])
    _ytd(data / "tweet.js", "tweet", [
        {"created_at": "Fri Jan 04 08:00:00 +0000 2019", "id_str": "5", "full_text": "@ana hi",
         "in_reply_to_user_id_str": "8", "in_reply_to_screen_name": "ana",
         "entities": {"user_mentions": [
             {"screen_name": "ana", "id_str": "8", "indices": ["0", "4"]}]}},
    ])  # fmt: skip
    export = read_export("x", tmp_path / "old")
    assert _interactions(export.interactions) == [
        ("x:7", "x:8", "reply", datetime(2019, 1, 4, 8, tzinfo=UTC))
    ]
    assert export.follows.num_rows == 0


def test_owner_from_manifest_when_account_js_is_missing(tmp_path):
    data = tmp_path / "a" / "data"
    (data).mkdir(parents=True)
    (data / "manifest.js").write_text(
        'window.__THAR_CONFIG = {"userInfo": {"accountId": "42", "userName": "ada", '
        '"displayName": "Ada"}}',
        encoding="utf-8",
    )
    _ytd(data / "follower.js", "follower", [{"follower": {"accountId": "1"}}])
    export = read_export("x", tmp_path / "a")
    assert export.owner == "x:42"
    assert _edges(export.follows) == {("x:1", "x:42")}


def _error(path: Path, platform: str = "x") -> str:
    with pytest.raises(InputError) as caught:
        read_export(platform, path)
    return str(caught.value)


def test_empty_zip(tmp_path):
    (tmp_path / "nothing").mkdir()
    empty = zip_folder(tmp_path / "nothing", tmp_path / "empty.zip")
    assert _error(empty) == f"{empty}: empty archive: it holds no files"


def test_truncated_zip(tmp_path):
    archive = zip_folder(MAYA, tmp_path / "maya.zip")
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert _error(archive).startswith(
        f"{archive}: not a readable zip archive, truncated or corrupt ("
    )


def test_truncated_data_file_names_file_and_line(tmp_path):
    folder = _copy(MAYA, tmp_path / "maya")
    follower = folder / "data" / "follower.js"
    text = follower.read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    follower.write_text(cut, encoding="utf-8")
    archive = zip_folder(folder, tmp_path / "maya.zip")
    assert _error(archive) == (
        f"{archive}/data/follower.js, row {cut.rstrip().count(chr(10)) + 1}: "
        "truncated JSON: the file ends too early"
    )


def test_missing_owner(tmp_path):
    folder = _copy(MAYA, tmp_path / "maya")
    (folder / "data" / "account.js").unlink()
    assert _error(folder) == (
        f"{folder}: no data/account.js: cannot tell whose archive this is "
        "(is the archive complete?)"
    )


def test_archive_without_follows_or_tweets(tmp_path):
    folder = tmp_path / "a"
    _ytd(folder / "data" / "account.js", "account", [{"account": {"accountId": "1"}}])
    assert _error(folder) == (
        f"{folder}: no data/follower.js, data/following.js or data/tweets.js: the archive "
        "holds no follows and no posts to import"
    )


def test_item_without_account_id(tmp_path):
    folder = _copy(BRAND, tmp_path / "brand")
    _ytd(folder / "data" / "follower.js", "follower",
         [{"follower": {"accountId": "1"}}, {"follower": {"userLink": "x"}}])  # fmt: skip
    assert _error(folder) == f"{folder}/data/follower.js: item 2 has no follower.accountId"


def test_file_without_the_assignment(tmp_path):
    folder = _copy(BRAND, tmp_path / "brand")
    (folder / "data" / "following.js").write_text('[{"following": {"accountId": "1"}}]')
    assert _error(folder) == (
        f"{folder}/data/following.js: does not start with 'window.YTD.following.part0 = ': "
        "not a data file of an X archive"
    )


def test_unparsable_tweet_time(tmp_path):
    folder = _copy(BRAND, tmp_path / "brand")
    _ytd(folder / "data" / "tweets.js", "tweets", [{"tweet": {"created_at": "yesterday"}}])
    assert _error(folder) == (
        f"{folder}/data/tweets.js: item 1 has an unparsable created_at 'yesterday' "
        "(expected e.g. 'Wed Oct 10 20:19:24 +0000 2018')"
    )


def test_other_platforms_are_recognised():
    linkedin = PLATFORM_EXPORTS / "maya_linkedin"
    assert _error(linkedin) == (
        f"{linkedin}: this is a LinkedIn export, not an X archive; import it as linkedin"
    )
    mastodon = PLATFORM_EXPORTS / "hana_mastodon"
    assert _error(mastodon) == (
        f"{mastodon}: this is a Mastodon export, not an X archive; import it as mastodon"
    )


def test_unrelated_folder():
    folder = Path(__file__).resolve().parents[2] / "data" / "bad" / "no_tables"
    assert _error(folder) == (
        f"{folder}: not an X archive: no data/account.js, data/follower.js, "
        "data/following.js or data/tweets.js"
    )


def test_two_archives_in_one_folder(tmp_path):
    _copy(BRAND, tmp_path / "both" / "brand")
    _copy(MAYA, tmp_path / "both" / "maya")
    assert _error(tmp_path / "both") == (
        f"{tmp_path / 'both'}: holds 2 X archives (brand/, maya/); give each one separately"
    )


def test_missing_path(tmp_path):
    assert _error(tmp_path / "nope.zip") == f"{tmp_path / 'nope.zip'}: export not found"


@given(st.datetimes(min_value=datetime(2006, 3, 21), max_value=datetime(2099, 12, 31)))
def test_fast_created_at_agrees_with_strptime(moment):
    text = moment.strftime("%a %b %d %H:%M:%S +0000 %Y")
    expected = datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
    assert _fast_created_at(text) == expected


@pytest.mark.parametrize(
    "text", ["Wed Oct 10 20:19:24 +0100 2018", "Wed Feb 30 20:19:24 +0000 2018", "2018-10-10"]
)
def test_fast_created_at_leaves_other_forms_to_strptime(text):
    assert _fast_created_at(text) is None
