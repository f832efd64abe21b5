"""Merging several exports into one dataset: provisional ids, duplicate follows, the
accounts overlay, identities, organizations, and the dataset folder written and read back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from graphkit.errors import InputError
from graphkit.graph import build_graph
from graphkit.io import load_dataset, write_dataset
from graphkit.io.platforms import Resolver, combine, import_exports, read_export
from tests.conftest import PLATFORM_EXPORTS

EXPORTS = [
    ("x", "northwind_x"),
    ("x", "maya_x"),
    ("x", "daniel_x"),
    ("linkedin", "maya_linkedin"),
    ("linkedin", "daniel_linkedin"),
    ("mastodon", "hana_mastodon"),
]
ROLES = PLATFORM_EXPORTS / "roles.csv"
IDENTITIES = PLATFORM_EXPORTS / "identities.csv"


def _import(**files: Path):
    pairs = [(platform, PLATFORM_EXPORTS / name) for platform, name in EXPORTS]
    return import_exports(pairs, **files)[0]


def _frame(table) -> pl.DataFrame:
    return pl.from_arrow(table)  # type: ignore[return-value]


def _accounts(dataset) -> dict[str, dict[str, object]]:
    return {row["id"]: row for row in dataset.accounts.to_pylist()}


def test_provisional_ids_become_real_ones():
    dataset = _import()
    ids = set(dataset.accounts["id"].to_pylist())
    # Daniel quoted @maya_builds (his archive has no id for her); Maya's archive has it.
    assert "x:@maya_builds" not in ids
    quotes = _frame(dataset.interactions).filter(pl.col("type") == "quote")
    assert ("x:2002", "x:2001") in set(quotes.select("source", "target").iter_rows())
    # LinkedIn owners, known by name, are found in each other's connections.
    assert {"linkedin:maya-okafor", "linkedin:daniel-reyes"} <= ids
    assert not any(i.startswith("linkedin:name:") for i in ids)
    # Nobody knows @thedatathorne's id: the provisional id stays.
    assert "x:@thedatathorne" in ids
    # The owner's own profile wins: Maya's url from her archive, not a follower link.
    assert _accounts(dataset)["x:2001"]["url"] == "https://x.com/maya_builds"


def test_follows_seen_twice_count_once():
    follows = _frame(_import().follows)
    pairs = follows.select("follower", "followed")
    assert pairs.n_unique() == follows.height
    # The brand's following.js and Maya's follower.js both say x:1000 follows x:2001.
    assert (
        follows.filter((pl.col("follower") == "x:1000") & (pl.col("followed") == "x:2001")).height
        == 1
    )
    # Maya and Daniel list each other: one connection each way.
    linked = follows.filter(pl.col("platform") == "linkedin")
    assert (
        linked.filter(
            (pl.col("follower") == "linkedin:maya-okafor")
            & (pl.col("followed") == "linkedin:daniel-reyes")
        ).height
        == 1
    )
    # brand: 8 followers + 2 following; Maya: 9 + 3, of which 1000->2001, 2001->1000 seen
    # before; Daniel: 4 + 1, of which 1000->2002, 2001->2002, 2002->1000 seen before;
    # LinkedIn: 4 + 2 mutual connections, Maya-Daniel counted once; Mastodon: 2 + 3.
    assert follows.height == 10 + 10 + 2 + (8 + 4 - 2) + 5


def test_earliest_date_of_a_connection_wins(tmp_path):
    notes_header = (
        'Notes:\n"..."\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n'
    )
    for owner, other, day in (("Ana", "Bo", "05 Jan 2024"), ("Bo", "Ana", "03 Jan 2024")):
        folder = tmp_path / owner
        folder.mkdir()
        (folder / "Profile.csv").write_text(f"First Name,Last Name\n{owner},X\n")
        (folder / "Connections.csv").write_text(
            notes_header + f"{other},X,https://www.linkedin.com/in/{other.lower()}-x,,,,{day}\n"
        )
    dataset = import_exports([("linkedin", tmp_path / "Ana"), ("linkedin", tmp_path / "Bo")])[0]
    follows = _frame(dataset.follows)
    assert follows.height == 2
    assert follows["since"].to_list() == [datetime(2024, 1, 3, tzinfo=UTC)] * 2


def test_the_same_export_twice_is_the_export_once():
    once = import_exports([("x", PLATFORM_EXPORTS / "maya_x")])[0]
    twice = import_exports([("x", PLATFORM_EXPORTS / "maya_x")] * 2)[0]
    assert twice.follows.equals(once.follows)
    assert twice.interactions.equals(once.interactions)
    assert twice.accounts.equals(once.accounts)


def test_roles_identities_and_organizations():
    dataset = _import(accounts=ROLES, identities=IDENTITIES)
    accounts = _accounts(dataset)
    assert accounts["x:1000"]["kind"] == "brand"
    # Organization given by name ("Northwind Cloud"), by reference (x:@northwindcloud), or
    # as a LinkedIn connection's Company: all become the brand, merged into "northwind".
    for account in ("x:2001", "x:2002", "mastodon:hana@fosstodon.org", "linkedin:maryam-alhassan"):
        assert accounts[account]["organization"] == "northwind", account
    assert accounts["linkedin:zoe-muller-4b2a1"]["organization"] == "Contoso Data"
    identities = dict(
        zip(
            dataset.identities["account"].to_pylist(),
            dataset.identities["person"].to_pylist(),
            strict=True,
        )
    )
    assert identities == {
        "x:1000": "northwind",
        "mastodon:northwind@mastodon.social": "northwind",
        "x:2001": "maya",
        "linkedin:maya-okafor": "maya",
        "x:2002": "daniel",
        "linkedin:daniel-reyes": "daniel",
        "mastodon:hana@fosstodon.org": "hana",
    }


@pytest.mark.slow
def test_merged_people_keep_every_attribute_in_the_graph():
    graph = build_graph(_import(accounts=ROLES, identities=IDENTITIES))
    accounts = {row["id"]: row for row in graph.accounts.iter_rows(named=True)}
    # The brand's Mastodon account lacks a name and kind in its export; the brand's X
    # profile and the roles give them to the merged account whichever row comes first.
    assert (accounts["northwind"]["kind"], accounts["northwind"]["name"]) == (
        "brand",
        "Northwind Cloud",
    )
    assert (accounts["maya"]["organization"], accounts["maya"]["title"]) == (
        "northwind",
        "Developer Advocate",
    )
    assert accounts["maya"]["followers_count"] == 9 + 4  # X followers + LinkedIn connections


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("x:2001", "x:2001"),
        ("x:@Maya_Builds", "x:2001"),
        ("twitter:maya_builds", "x:2001"),
        ("https://x.com/maya_builds", "x:2001"),
        ("https://twitter.com/maya_builds/", "x:2001"),
        ("linkedin:Maya Okafor", "linkedin:maya-okafor"),
        ("linkedin:zoë müller", "linkedin:zoe-muller-4b2a1"),
        ("https://www.linkedin.com/in/Maya-Okafor/", "linkedin:maya-okafor"),
        ("mastodon:@hana@fosstodon.org", "mastodon:hana@fosstodon.org"),
        ("https://fosstodon.org/@hana", "mastodon:hana@fosstodon.org"),
        ("x:@nobody", None),
        ("Maya Okafor", None),
    ],
)
def test_references(reference, expected):
    resolver = Resolver(_frame(_import().accounts))
    assert resolver.resolve(reference) == expected


def test_unknown_and_ambiguous_references(tmp_path):
    roles = tmp_path / "roles.csv"
    roles.write_text("account,kind\nx:@northwindcloud,brand\nx:@nobody,person\n")
    with pytest.raises(InputError) as caught:
        _import(accounts=roles)
    assert str(caught.value) == (
        f"{roles}, row 3, column 'id': 'x:@nobody' matches no account of the exports (give an "
        "id such as x:12, x:@handle, linkedin:Full Name or mastodon:name@server)"
    )
    people = tmp_path / "people.csv"
    people.write_text("account,person\nx:Daniel Reyes,daniel\n")
    # Several files name x:2002 "Daniel Reyes" (his archive, mentions of him): one account.
    assert _import(identities=people).identities["account"].to_pylist() == ["x:2002"]
    people.write_text("# who is who\naccount,person\nlinkedin:@مريم الحسن,m\nx:Twin,t\n")
    # Two of Maya's followers both called "Twin".
    twins = [read_export("x", PLATFORM_EXPORTS / "maya_x")]
    ids = twins[0].accounts["id"].to_pylist()
    names = [["Twin" if i in ("x:3008", "x:3009") else None for i in ids]]
    twins[0].accounts = twins[0].accounts.set_column(2, "name", names)
    from graphkit.io.readers import read_table
    from graphkit.io.schema import IDENTITIES as SPEC

    with pytest.raises(InputError) as caught:
        combine(twins, identities=read_table(people, SPEC), identities_path=people)
    assert str(caught.value) == (
        f"{people}, row 3, column 'account': 'linkedin:@مريم الحسن' matches no account of the "
        "exports (give an id such as x:12, x:@handle, linkedin:Full Name or mastodon:name@server)"
    )
    people.write_text("account,person\nx:Twin,t\n")
    with pytest.raises(InputError) as caught:
        combine(twins, identities=read_table(people, SPEC), identities_path=people)
    assert str(caught.value) == (
        f"{people}, row 2, column 'account': 'x:Twin' could be any of x:3008, x:3009; name the "
        "account by id"
    )


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_dataset_written_and_read_back(tmp_path, file_format):
    dataset = _import(accounts=ROLES, identities=IDENTITIES)
    tables = {
        name: _frame(getattr(dataset, name))
        for name in ("accounts", "follows", "interactions", "identities")
    }
    written = write_dataset(tables, tmp_path / "dataset", file_format=file_format)
    assert sorted(path.name for path in (tmp_path / "dataset").iterdir()) == sorted(
        p.name for p in written
    )
    back = load_dataset(tmp_path / "dataset")
    for name, frame in tables.items():
        read = _frame(getattr(back, name))
        assert read.columns == frame.columns, name
        assert read.equals(frame.cast(read.schema)), name  # CSV holds no types: cast to those read


def test_dataset_folder_is_not_overwritten(tmp_path):
    folder = tmp_path / "dataset"
    folder.mkdir()
    (folder / "follows.parquet").write_bytes(b"old")
    (folder / "notes.txt").write_text("keep me")
    tables = {"follows": pl.DataFrame({"follower": ["a"], "followed": ["b"]})}
    with pytest.raises(InputError) as caught:
        write_dataset(tables, folder)
    assert (
        str(caught.value)
        == f"{folder}: folder exists and is not empty; give --force to replace its tables"
    )
    write_dataset(tables, folder, replace=True)
    assert sorted(path.name for path in folder.iterdir()) == ["follows.csv", "notes.txt"]
    assert [path.name for path in tmp_path.iterdir()] == ["dataset"]  # no staging folder left
