"""CRM import files: headers, objects, names, dates, limits and mapping overrides."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from graphkit.errors import InputError, ParameterError
from graphkit.export import crm_profile, crm_tables, write_crm

DAY = dt.date(2025, 3, 4)


def ranking() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "id": ["u1", "b1", "u2", "u3"],
            "handle": ["ada", "acme", "@chen", None],
            "name": ["Ada King Lovelace", "Acme Cloud", "陈静", None],
            "kind": ["person", "brand", "person", None],
            "organization": ["b1", None, "b1", None],
            "title": ["CTO", None, "Engineer", None],
            "score": [100.0, 50.5, 10.0, 0.0],
            "engagement_rate": [1.5, float("nan"), None, 0.0],
            "is_leader": [True, False, None, True],
            "since": [dt.datetime(2024, 5, 6, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-2))),
                      None, None, None],
            "topics": [["cloud", "ai"], [], None, ["x"]],
        }
    )  # fmt: skip


def test_hubspot_objects_headers_and_values() -> None:
    tables = crm_tables(ranking(), crm_profile("hubspot"), scored_on=DAY)
    assert set(tables) == {"contacts", "companies"}
    contacts, companies = tables["contacts"], tables["companies"]
    assert contacts.columns == [
        "Graphkit ID", "First Name", "Last Name", "Job Title", "Company Name", "Graphkit Rank",
        "Graphkit Handle", "Graphkit Company ID", "Graphkit Score", "Graphkit Engagement Rate",
        "Graphkit Is Leader", "Graphkit Since", "Graphkit Topics", "Graphkit Scored On",
    ]  # fmt: skip
    assert contacts["Graphkit ID"].to_list() == ["u1", "u2", "u3"]  # brands go to companies
    assert contacts["First Name"].to_list() == ["Ada", "陈静", None]
    assert contacts["Last Name"].to_list() == ["King Lovelace", None, None]
    assert contacts["Company Name"].to_list() == ["Acme Cloud", "Acme Cloud", None]
    assert contacts["Graphkit Handle"].to_list() == ["ada", "chen", None]  # sigil removed
    assert contacts["Graphkit Is Leader"].to_list() == ["true", None, "true"]
    assert contacts["Graphkit Since"].to_list() == ["2024-05-07T01:30:00Z", None, None]  # UTC
    assert contacts["Graphkit Topics"].to_list() == ["cloud;ai", None, "x"]
    assert contacts["Graphkit Engagement Rate"].to_list() == ["1.5", None, "0.0"]
    assert set(contacts["Graphkit Scored On"]) == {"2025-03-04"}
    assert companies.columns[:2] == ["Graphkit Company ID", "Company name"]
    assert companies.row(0, named=True)["Company name"] == "Acme Cloud"
    assert "Job Title" not in companies.columns
    assert all(dtype == pl.String for dtype in contacts.dtypes)


def test_salesforce_needs_a_last_name_and_writes_checkboxes_as_digits() -> None:
    contacts = crm_tables(ranking(), crm_profile("salesforce"), scored_on=DAY)["contacts"]
    assert contacts["First Name"].to_list() == ["Ada", None, None]
    assert contacts["Last Name"].to_list() == ["King Lovelace", "陈静", "u3"]  # id as fallback
    assert contacts["Title"].to_list() == ["CTO", "Engineer", None]
    assert contacts["Account Name"].to_list() == ["Acme Cloud", "Acme Cloud", None]
    assert contacts["Graphkit Is Leader"].to_list() == ["1", None, "1"]
    tables = crm_tables(ranking(), crm_profile("salesforce"), scored_on=DAY)
    assert set(tables) == {"contacts", "accounts"}
    assert tables["accounts"].columns[:2] == ["Graphkit ID", "Account Name"]


def test_brand_summary_goes_to_companies_keyed_by_organization() -> None:
    brands = pl.DataFrame({"organization": ["b1", "b2"], "name": ["Acme", "Contoso"],
                           "corporate_reach": [10, 20]})  # fmt: skip
    tables = crm_tables(brands, crm_profile("hubspot"), scored_on=DAY)
    assert list(tables) == ["companies"]
    assert tables["companies"].rows() == [
        ("b1", "Acme", "10", "2025-03-04"),
        ("b2", "Contoso", "20", "2025-03-04"),
    ]


def test_duplicate_ids_are_refused() -> None:
    people = pl.DataFrame({"id": ["p", "q", "p"], "name": ["A", "B", "C"]})
    with pytest.raises(ParameterError, match="id 'p' appears on 2 contacts rows"):
        crm_tables(people, crm_profile("hubspot"))


def test_mapping_file_overrides_headers_formats_and_limits(tmp_path: Path) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        'date_format = "%d/%m/%Y"\nmax_rows = 2\n'
        '[contacts]\nhandle = "Twitter Username"\nscore = false\n',
        encoding="utf-8",
    )
    profile = crm_profile("hubspot", mapping)
    assert profile.max_rows == 2
    contacts = crm_tables(ranking(), profile, scored_on=DAY)["contacts"]
    assert "Twitter Username" in contacts.columns
    assert "Graphkit Score" not in contacts.columns
    assert set(contacts["Graphkit Scored On"]) == {"04/03/2025"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("max_rows = 60000\n", "max_rows must be an integer from 1 to 50,000"),
        ("[contacts]\nhandle = 3\n", "[contacts] handle: give a header name or false, got 3"),
        ("colour = 1\n", "unknown key 'colour' for salesforce"),
        ("date_format = 'day'\n", "date_format must be a strftime format"),
        ("[contacts\n", "invalid TOML"),
    ],
)
def test_bad_mapping_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("[", r"\[")) as caught:
        crm_profile("salesforce", mapping)
    assert str(caught.value).startswith(str(mapping))


def test_two_columns_for_one_header_are_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text('[contacts]\nhandle = "Job Title"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="both map to the contacts header 'Job Title'"):
        crm_tables(ranking(), crm_profile("hubspot", mapping))


def test_write_crm_splits_per_object_and_reads_back(tmp_path: Path) -> None:
    people = pl.DataFrame({"id": [f"p{i}" for i in range(7)],
                           "name": [f"First{i} Last{i}" for i in range(7)]})  # fmt: skip
    mapping = tmp_path / "map.toml"
    mapping.write_text("max_rows = 3\n", encoding="utf-8")
    export = write_crm(people, crm_profile("hubspot", mapping), tmp_path / "out.csv",
                       scored_on=DAY)  # fmt: skip
    names = [file.path.name for file in export.files if file.kind == "import"]
    assert names == ["out.contacts-001.csv", "out.contacts-002.csv", "out.contacts-003.csv"]
    assert [file.rows for file in export.files if file.kind == "import"] == [3, 3, 1]
    definitions = ["out.property-group.json", "out.contacts.properties.json"]
    assert [file.path.name for file in export.files if file.kind != "import"] == definitions
    ids = []
    for file in export.files[:3]:
        with file.path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert list(rows[0]) == ["Graphkit ID", "First Name", "Last Name", "Graphkit Scored On"]
        ids += [row["Graphkit ID"] for row in rows]
    assert ids == people["id"].to_list()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["map.toml", *names, *definitions]
    )


def test_a_misspelt_column_in_a_mapping_file_is_an_error(tmp_path: Path) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text('[contacts]\nhanlde = "Twitter Username"\n', encoding="utf-8")
    profile = crm_profile("hubspot", mapping)
    with pytest.raises(InputError, match=r"\[contacts\] hanlde: no such column") as caught:
        crm_tables(ranking(), profile)
    assert str(caught.value).startswith(str(mapping))
    # A column graphkit knows but this result lacks is fine (one file for every result).
    mapping.write_text('[contacts]\nfollowers_count = "Followers"\n', encoding="utf-8")
    assert "Followers" not in crm_tables(ranking(), crm_profile("hubspot", mapping))["contacts"]


@pytest.mark.parametrize(("megabytes", "target"), [(0.001, "hubspot"), (101, "salesforce")])
def test_the_file_size_limit_stays_within_the_target(megabytes: float, target: str) -> None:
    with pytest.raises(ParameterError, match=r"the file size limit must be from 0\.01 to"):
        crm_profile(target, max_file_mb=megabytes)


def test_free_plan_file_size_splits_the_files(tmp_path: Path) -> None:
    # HubSpot's free tools import files up to 20 MB; --crm-max-file-mb 0.01 scales it down.
    people = pl.DataFrame({"id": [f"p{i}" for i in range(400)],
                           "name": [f"First{i} Last{i}" for i in range(400)]})  # fmt: skip
    profile = crm_profile("hubspot", max_file_mb=0.01)
    assert profile.max_bytes == 10_000
    export = write_crm(people, profile, tmp_path / "out.csv", scored_on=DAY)
    parts = [file for file in export.files if file.kind == "import"]
    assert len(parts) > 1
    assert all(file.size == file.path.stat().st_size <= 10_000 for file in parts)
    assert sum(file.rows for file in parts) == 400
