"""A CRM key survives identity resolution: two successive imports into one CRM (modelled
as a table upserted on the key, as HubSpot's unique property and Salesforce's External ID
do) keep one record per account when a later export resolves an id."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.cli.main import cli
from graphkit.export import crm_keys, crm_profile, crm_tables
from tests.conftest import PLATFORM_EXPORTS

ALL_X = ["northwind_x", "maya_x", "daniel_x"]
EVERY_EXPORT = [*ALL_X, "linkedin", "maya_linkedin", "daniel_linkedin", "mastodon", "hana_mastodon"]


def run(*args: str) -> None:
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1741046400"}).invoke(
        cli, list(args), prog_name="graphkit", catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


def export(tmp_path: Path, name: str, exports: list[str], *options: str) -> dict[str, dict]:
    """Import the exports into a dataset, rank it into HubSpot files, and read the contacts."""
    dataset = tmp_path / name
    sources = [
        export if export in ("linkedin", "mastodon") else str(PLATFORM_EXPORTS / export)
        for export in exports
    ]
    run("import", "x", *sources, *options, "-o", str(dataset))
    out = tmp_path / f"{name}.csv"
    run("rank", str(dataset), "--top", "0", "--crm", "hubspot", "-o", str(out))
    with (tmp_path / f"{name}.contacts.csv").open(encoding="utf-8", newline="") as handle:
        return {row["Graphkit ID"]: row for row in csv.DictReader(handle)}


def upsert(crm: dict[str, dict], rows: dict[str, dict]) -> None:
    """What an import matched on a unique key does: update the record holding it, else
    create one."""
    for key, row in rows.items():
        crm.setdefault(key, {}).update(row)


@pytest.mark.slow
def test_a_resolved_handle_keeps_its_key_across_two_imports(tmp_path: Path) -> None:
    # First import: Daniel's archive names Maya only by handle (x:@maya_builds).
    first = export(tmp_path, "first", ["northwind_x", "daniel_x"])
    assert "x:@maya_builds" in first
    # Second import: Maya's own archive gives her id, x:2001; the dataset records the alias.
    second = export(tmp_path, "second", ALL_X)
    accounts = pl.read_csv(tmp_path / "second" / "accounts.csv", infer_schema=False)
    maya = accounts.filter(pl.col("id") == "x:2001").row(0, named=True)
    assert maya["aliases"] == "x:@maya_builds"
    assert "x:2001" not in second  # the key an earlier import knew her by
    assert second["x:@maya_builds"]["Graphkit Handle"] == "maya_builds"
    crm: dict[str, dict] = {}
    upsert(crm, first)
    before = len(crm)
    upsert(crm, second)
    # Every contact of the first import is updated, not duplicated; only new accounts add.
    assert set(first) <= set(second)
    assert len(crm) == before + len(set(second) - set(first))
    handles = [row["Graphkit Handle"] for row in crm.values() if row.get("Graphkit Handle")]
    assert len(handles) == len(set(handles))  # one record per person


@pytest.mark.slow
def test_an_identities_file_keeps_a_key_a_previous_import_used(tmp_path: Path) -> None:
    before = export(tmp_path, "before", EVERY_EXPORT)
    after = export(
        tmp_path, "after", EVERY_EXPORT, "--identities", str(PLATFORM_EXPORTS / "identities.csv")
    )
    merged = set(after) - set(before)
    # The person ids of the identities file (maya, daniel, ...) never become keys.
    assert not {"maya", "daniel", "northwind"} & set(after)
    assert not merged, f"new keys for merged people: {sorted(merged)}"
    # Maya is one contact now, under the key one of her accounts had; her company is the
    # brand's key in the same export.
    mayas = [key for key, row in after.items() if row["First Name"] == "Maya"]
    assert len(mayas) == 1
    assert mayas[0] in {key for key, row in before.items() if row["First Name"] == "Maya"}
    maya = after[mayas[0]]
    with (tmp_path / "after.companies.csv").open(encoding="utf-8", newline="") as handle:
        companies = {row["Graphkit Company ID"] for row in csv.DictReader(handle)}
    assert maya["Graphkit Company ID"] in companies


def test_the_key_is_the_smallest_alias_and_references_follow_it() -> None:
    ranking = pl.DataFrame(
        {
            "rank": [1, 2, 3],
            "id": ["x:12", "p:brand", "u3"],
            "name": ["Ada King", "Acme", "Bo Li"],
            "kind": ["person", "brand", "person"],
            "organization": ["p:brand", None, "p:brand"],
            "aliases": ["x:@ada;x:@ada_old", "x:@acme;mastodon:acme@x.y", None],
        }
    )
    assert crm_keys(ranking) == {"x:12": "x:@ada", "p:brand": "mastodon:acme@x.y"}
    tables = crm_tables(ranking, crm_profile("salesforce"))
    contacts, accounts = tables["contacts"], tables["accounts"]
    assert contacts["Graphkit ID"].to_list() == ["x:@ada", "u3"]
    assert contacts["Graphkit Account ID"].to_list() == ["mastodon:acme@x.y"] * 2
    assert accounts["Graphkit ID"].to_list() == ["mastodon:acme@x.y"]
    assert "Graphkit Aliases" not in contacts.columns


def test_two_accounts_with_one_key_are_refused() -> None:
    people = pl.DataFrame({"id": ["x:1", "x:2"], "aliases": ["x:@a", "x:@a"]})
    with pytest.raises(Exception, match="x:@a"):
        crm_tables(people, crm_profile("hubspot"))
