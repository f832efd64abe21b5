"""Hostile inputs to CRM exports: records without ids, infinite numbers, ids too long for an
External ID, mapping files that would break the association of contacts with companies,
file names that would inject a Data Loader mapping, and ``graphkit export`` keeping the
types and the source manifest of a CSV result."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest
from click.testing import CliRunner, Result

from graphkit.cli.main import cli
from graphkit.errors import InputError, ParameterError
from graphkit.export import CrmChoices, crm_profile, crm_tables, write_crm
from tests.export.test_crm_definitions import read_properties

DAY = dt.date(2025, 3, 4)


def run(*args: str) -> Result:
    return CliRunner(env={"SOURCE_DATE_EPOCH": "1741046400"}).invoke(
        cli, list(args), prog_name="graphkit"
    )


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_a_row_without_an_id_is_refused(missing: str | None) -> None:
    table = pl.DataFrame({"id": ["a", missing], "name": ["Ada", "Bob"]})
    with pytest.raises(ParameterError, match=r"^row 2 of the result has no id"):
        crm_tables(table, crm_profile("hubspot"), scored_on=DAY)


def test_infinite_numbers_are_refused_and_tiny_ones_written_without_exponent() -> None:
    table = pl.DataFrame({"id": ["a", "b"], "pagerank": [3.4e-8, float("inf")]})
    with pytest.raises(ParameterError, match=r"contacts row 2, column 'Graphkit PageRank': inf"):
        crm_tables(table, crm_profile("salesforce"), scored_on=DAY)
    table = pl.DataFrame({"id": ["a", "b", "c"], "pagerank": [3.4e-8, 1e16, float("nan")]})
    contacts = crm_tables(table, crm_profile("hubspot"), scored_on=DAY)["contacts"]
    assert contacts["Graphkit PageRank"].to_list() == ["0.000000034", "10000000000000000", None]


def test_salesforce_external_ids_fit_255_characters(tmp_path: Path) -> None:
    table = pl.DataFrame({"id": ["a", "x" * 256], "name": ["Ada", "Bob"]})
    with pytest.raises(ParameterError, match=r"contacts row 2: the id .* 256 characters"):
        write_crm(table, crm_profile("salesforce"), tmp_path / "sf.csv", scored_on=DAY)
    assert list(tmp_path.iterdir()) == []
    tables = crm_tables(table, crm_profile("hubspot"), scored_on=DAY)  # HubSpot: no such limit
    assert tables["contacts"].height == 2


def test_a_person_is_not_their_own_employer_nor_works_for_a_blank() -> None:
    table = pl.DataFrame({"id": ["u1", "u2"], "name": ["Ada L", "Bob R"],
                          "organization": ["u1", "  "]})  # fmt: skip
    tables = crm_tables(table, crm_profile("salesforce"), scored_on=DAY)
    assert list(tables) == ["contacts"]  # no account made up for either
    assert tables["contacts"]["Graphkit Account ID"].to_list() == [None, None]


@pytest.mark.parametrize("value", ["x\x7fy", "x\u2028y", "a\u0085b"])
def test_owner_with_a_control_character_is_refused(value: str) -> None:
    table = pl.DataFrame({"id": ["a"]})
    with pytest.raises(ParameterError, match="control character"):
        crm_tables(table, crm_profile("hubspot"), choices=CrmChoices(owner=value))


@pytest.mark.parametrize(
    ("target", "mapping", "message"),
    [
        ("hubspot", '[companies]\nid = "Company Key"\n',
         "[contacts] organization 'Graphkit Company ID': hubspot associates contacts with "
         "companies through the companies' id column: give both the same header "
         "('Company Key')"),
        ("hubspot", '[contacts]\norganization = "Employer"\n', "give both the same header"),
        ("hubspot", '[contacts]\nid = "Email"\n', "[contacts] id: 'Email' is hubspot's own field"),
        ("salesforce", '[leads]\nid = "Company"\n', "[leads] id: 'Company' is salesforce's own"),
        ("salesforce", '[contacts]\norganization = "Title"\n',
         "[contacts] organization: 'Title' is salesforce's own field"),
    ],
)  # fmt: skip
def test_mapping_files_cannot_break_the_keys_or_the_association(
    tmp_path: Path, target: str, mapping: str, message: str
) -> None:
    path = tmp_path / "m.toml"
    path.write_text(mapping, encoding="utf-8")
    with pytest.raises(InputError) as error:
        crm_profile(target, path)
    assert message in str(error.value)


def test_mapped_headers_keep_the_association(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('[companies]\nid = "Company Key"\n[contacts]\norganization = "Company Key"\n')
    profile = crm_profile("hubspot", path)
    assert profile.references == {"contacts": {"Company Key": ("companies", "company")}}
    path.write_text('[contacts]\norganization = "Employer"\n')
    profile = crm_profile("salesforce", path)
    assert profile.references == {"contacts": {"Employer": ("accounts", "Account")}}
    table = pl.DataFrame({"id": ["u1", "b1"], "name": ["Ada L", "Acme"],
                          "kind": ["person", "brand"], "organization": ["b1", None]})  # fmt: skip
    write_crm(table, profile, tmp_path / "sf.csv", scored_on=DAY)
    assert read_properties(tmp_path / "sf.contacts.sdl")["Employer"] == "Account:Graphkit_ID__c"


def test_a_file_name_cannot_add_a_line_to_the_data_loader_mapping(tmp_path: Path) -> None:
    table = pl.DataFrame({"id": ["u1"], "name": ["Ada L"]})
    write_crm(table, crm_profile("salesforce"), tmp_path / "a\nId=Name.csv", scored_on=DAY)
    sdl = tmp_path / "a\nId=Name.contacts.sdl"
    assert "Id" not in read_properties(sdl)
    assert len(sdl.read_text(encoding="latin-1").splitlines()) == 5  # the comment and 4 mappings


def test_too_large_a_row_names_its_object(tmp_path: Path) -> None:
    table = pl.DataFrame({"id": ["u1"], "title": ["x" * 20_000]})
    with pytest.raises(ParameterError, match=r"^contacts row 1 takes 20,"):
        write_crm(table, crm_profile("hubspot", max_file_mb=0.01), tmp_path / "h.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_export_of_a_csv_result_defines_numbers_as_numbers(tmp_path: Path) -> None:
    ranking = tmp_path / "ranking.csv"
    assert run("rank", "--demo", "--top", "20", "-o", str(ranking)).exit_code == 0
    direct = tmp_path / "direct.csv"
    assert (
        run("rank", "--demo", "--top", "20", "--crm", "hubspot", "-o", str(direct)).exit_code == 0
    )
    later = tmp_path / "later.csv"
    result = run("export", str(ranking), "--crm", "hubspot", "-o", str(later))
    assert result.exit_code == 0, result.output
    for name in ("contacts.csv", "contacts.properties.json", "companies.properties.json"):
        assert (tmp_path / f"later.{name}").read_bytes() == (
            tmp_path / f"direct.{name}"
        ).read_bytes()
    types = {
        p["name"]: p["type"]
        for p in json.loads((tmp_path / "later.contacts.properties.json").read_text())["inputs"]
    }
    assert types["graphkit_score"] == types["graphkit_followers"] == "number"
    assert types["graphkit_handle"] == types["graphkit_id"] == "string"


def test_export_keeps_ids_as_written_and_refuses_an_infinite_score(tmp_path: Path) -> None:
    result_file = tmp_path / "r.csv"
    with result_file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["id", "handle", "score", "zip"], ["007", "123", "1.5", "02139"], ["8", "9", "2", "1"]]
        )
    assert (
        run("export", str(result_file), "--crm", "hubspot", "-o", str(tmp_path / "h.csv")).exit_code
        == 0
    )
    with (tmp_path / "h.contacts.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Graphkit ID"], r["Graphkit Handle"], r["Graphkit Zip"]) for r in rows] == [
        ("007", "123", "02139"), ("8", "9", "1")
    ]  # fmt: skip
    result_file.write_text("id,score\na,1.5\nb,inf\n", encoding="utf-8")
    result = run("export", str(result_file), "--crm", "hubspot", "-o", str(tmp_path / "i.csv"))
    assert result.exit_code == 1
    assert "r.csv, row 3, column 'score': inf is not a number a CRM can import" in result.output
    assert not (tmp_path / "i.contacts.csv").exists()


def test_export_never_replaces_the_results_own_manifest(tmp_path: Path) -> None:
    ranking = tmp_path / "ranking.csv"
    assert run("rank", "--demo", "--top", "5", "-o", str(ranking), "--manifest").exit_code == 0
    before = (tmp_path / "ranking.csv.manifest.json").read_bytes()
    result = run("export", str(ranking), "--crm", "hubspot", "-o", str(ranking))
    assert result.exit_code == 2
    assert "in place of RESULT's" in result.output
    assert (tmp_path / "ranking.csv.manifest.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ranking.csv",
        "ranking.csv.manifest.json",
    ]


def test_crm_option_mistakes_are_usage_errors_found_before_the_work(tmp_path: Path) -> None:
    result = run("rank", "--demo", "--crm", "hubspot", "--crm-campaign", "701000000000001",
                 "-o", str(tmp_path / "x.csv"))  # fmt: skip
    assert result.exit_code == 2
    assert "--crm-campaign is for Salesforce" in result.output
    result = run("export", str(tmp_path / "absent.csv"), "--crm", "salesforce",
                 "--crm-max-file-mb", "nan", "-o", str(tmp_path / "x.csv"))  # fmt: skip
    assert result.exit_code == 2
    assert "the file size limit must be from 0.01 to 100 MB" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_empty_result_says_so_and_names_what_an_earlier_run_left(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("id,name\n", encoding="utf-8")
    (tmp_path / "o[1].contacts.csv").write_text("old\n", encoding="utf-8")
    (tmp_path / "o[1].salesforce-fields.zip").write_text("old\n", encoding="utf-8")
    result = run("export", str(empty), "--crm", "salesforce", "-o", str(tmp_path / "o[1].csv"))
    assert result.exit_code == 0, result.output
    assert "The result has no rows: no import files written" in result.stderr
    assert "Before the first import" not in result.stderr
    assert f"Note: {tmp_path / 'o[1].contacts.csv'} is from an earlier run" in result.stderr
    assert f"Note: {tmp_path / 'o[1].salesforce-fields.zip'} is from an earlier run" in (
        result.stderr
    )


def test_the_python_api_names_wrong_types() -> None:
    with pytest.raises(ParameterError, match="must be a polars DataFrame"):
        crm_tables({"id": ["a"]}, crm_profile("hubspot"))  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="must be a CrmProfile"):
        crm_tables(pl.DataFrame({"id": ["a"]}), "hubspot")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="--crm-owner must be text"):
        crm_tables(pl.DataFrame({"id": ["a"]}), crm_profile("hubspot"),
                   choices=CrmChoices(owner=5))  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(ParameterError, match="file size limit"):
        crm_profile("hubspot", max_file_mb="5")  # type: ignore[arg-type]


def test_accounts_named_by_their_id_are_reported(tmp_path: Path) -> None:
    """An experts result names its organization only by id: Salesforce needs an Account Name,
    and an upsert would rename the existing account, so the export says so."""
    table = pl.DataFrame({"id": ["u1"], "name": ["Ada L"], "organization": ["b001"]})
    export = write_crm(table, crm_profile("salesforce"), tmp_path / "sf.csv", scored_on=DAY)
    assert export.unnamed == ["b001"]
    named = write_crm(table, crm_profile("salesforce"), tmp_path / "n.csv", scored_on=DAY,
                      organization_names={"b001": "Northwind"})  # fmt: skip
    assert named.unnamed == []
    experts = tmp_path / "experts.parquet"
    table.write_parquet(experts)
    result = run("export", str(experts), "--crm", "salesforce", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0, result.output
    assert (
        "Note: 1 accounts have no name in this result and take their id as their name (b001)"
        in (result.stderr)
    )


def test_control_characters_in_headers_leave_the_field_package_valid_xml(tmp_path: Path) -> None:
    table = pl.DataFrame({"id": ["a"], "x\x01y": ["v"]})
    write_crm(table, crm_profile("salesforce"), tmp_path / "sf.csv", scored_on=DAY)
    with zipfile.ZipFile(tmp_path / "sf.salesforce-fields.zip") as package:
        for info in package.infolist():
            assert (info.create_system, info.external_attr) == (3, 0o644 << 16)
            root = ElementTree.fromstring(package.read(info))
        labels = [
            label.text
            for label in ElementTree.fromstring(package.read("objects/Contact.object")).iter(
                "{http://soap.sforce.com/2006/04/metadata}label"
            )
        ]
    assert root is not None
    assert "Graphkit X y" in labels


def test_the_mapping_of_a_split_object_names_its_parts(tmp_path: Path) -> None:
    table = pl.DataFrame({"id": [f"u{i}" for i in range(400)], "title": ["x" * 40] * 400})
    profile = crm_profile("salesforce", max_file_mb=0.01)
    export = write_crm(table, profile, tmp_path / "sf.csv", scored_on=DAY)
    parts = sorted(f.path.name for f in export.files if f.object_name == "contacts" and f.rows)
    assert len(parts) > 1
    first = (tmp_path / "sf.contacts.sdl").read_text(encoding="latin-1").splitlines()[0]
    assert first == f"# Data Loader field mapping of {parts[0]} to {parts[-1]}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,name\na,A\n,B\n", "r.csv, row 3, column 'id': no id: every CRM record needs one"),
        ("id,name\na,A\nb,B\na,C\n",
         "r.csv, row 4, column 'id': id 'a' repeats an earlier row's: the CRM would merge"),
        ("organization,name,corporate_reach\nb1,A,1\n  ,B,2\n",
         "r.csv, row 3, column 'organization': no id"),
    ],
)  # fmt: skip
def test_export_names_the_row_without_an_id_or_repeating_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("r.csv").write_text(text, encoding="utf-8")
    result = run("export", "r.csv", "--crm", "salesforce", "-o", "out.csv")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {message}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


@pytest.mark.parametrize("value", ['{"a": 1}', "[1, 2]"])
def test_an_id_that_is_a_list_or_a_record_is_refused(tmp_path: Path, value: str) -> None:
    result_file = tmp_path / "r.json"
    result_file.write_text(f'[{{"id": {value}, "name": "x"}}]', encoding="utf-8")
    result = run("export", str(result_file), "--crm", "hubspot", "-o", str(tmp_path / "o.csv"))
    assert result.exit_code == 1
    assert "r.json, column 'id': an id is text or a number, not a list or a record" in (
        result.output
    )
    assert "Traceback" not in result.output
    with pytest.raises(ParameterError, match="an id is text or a number"):
        crm_tables(pl.DataFrame({"id": [{"a": 1}]}), crm_profile("hubspot"))


def test_columns_no_crm_field_takes_are_named_and_arrays_joined() -> None:
    profile = crm_profile("salesforce")
    for values in (
        pl.Series([dt.timedelta(days=1)]),
        pl.Series([b"\x00x"]),
        pl.Series([{"a": 1}]),
        pl.Series([[[1]]]),
    ):
        with pytest.raises(ParameterError, match=r"column 'Graphkit V' holds .* leave it out"):
            crm_tables(pl.DataFrame({"id": ["a"], "v": values}), profile, scored_on=DAY)
    array = pl.Series([[1, 2]], dtype=pl.Array(pl.Int64, 2))
    contacts = crm_tables(pl.DataFrame({"id": ["a"], "v": array}), profile, scored_on=DAY)
    assert contacts["contacts"]["Graphkit V"].to_list() == ["1;2"]


def test_an_owner_the_mapping_leaves_out_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text("[contacts]\nowner = false\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"--crm-owner: the mapping file leaves the owner"):
        crm_tables(pl.DataFrame({"id": ["a"]}), crm_profile("hubspot", mapping),
                   choices=CrmChoices(owner="ana@example.com"))  # fmt: skip
