"""The files an export leaves for a CRM starting empty: HubSpot's property definitions,
Salesforce's custom fields and Data Loader mappings, and the association columns, checked
against the vendors' documented rules (each test cites the page)."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from graphkit.cli.main import cli
from graphkit.data import demo_folder

NS = {"md": "http://soap.sforce.com/2006/04/metadata"}
# https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide ("Property type
# and fieldType values"): the fieldTypes each type takes.
HUBSPOT_FIELD_TYPES = {
    "string": {"text", "textarea", "html", "phonenumber", "file"},
    "number": {"number"},
    "date": {"date"},
    "datetime": {"date"},
    "bool": {"booleancheckbox"},
    "enumeration": {"booleancheckbox", "checkbox", "radio", "select", "calculation_equation"},
}


def run(*args: str) -> str:
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1741046400"}).invoke(
        cli, list(args), prog_name="graphkit", catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.stderr


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def demo_people() -> dict[str, dict[str, str]]:
    with (demo_folder() / "accounts.csv").open(encoding="utf-8", newline="") as handle:
        accounts = {row["id"]: row for row in csv.DictReader(handle)}
    return {key: row for key, row in accounts.items() if row["kind"] != "brand"}


@pytest.fixture(scope="module")
def hubspot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hubspot")
    run("rank", "--demo", "--kind", "person", "--top", "0", "--crm", "hubspot",
        "--crm-owner", "ana@example.com", "--crm-lifecycle-stage", "lead",
        "-o", str(folder / "hs.csv"))  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def salesforce(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("salesforce")
    run("rank", "--demo", "--top", "0", "--crm", "salesforce", "--crm-owner",
        "ana@example.com.prod", "-o", str(folder / "sf.csv"))  # fmt: skip
    return folder


@pytest.mark.slow
def test_hubspot_property_definitions_match_the_batch_create_body(hubspot: Path) -> None:
    """https://developers.hubspot.com/docs/api-reference/crm-properties-v3/batch/post-crm-v3-properties-objectType-batch-create:
    ``{"inputs": [...]}``, each with name, label, type, fieldType and groupName; internal
    names lower case letters, digits and underscores, starting with a letter."""
    group = json.loads((hubspot / "hs.property-group.json").read_text(encoding="utf-8"))
    assert group == {"name": "graphkit", "label": "Graphkit", "displayOrder": -1}
    for object_name, key in (("contacts", "Graphkit ID"), ("companies", "Graphkit Company ID")):
        body = json.loads((hubspot / f"hs.{object_name}.properties.json").read_text("utf-8"))
        assert list(body) == ["inputs"]
        specs = {spec["label"]: spec for spec in body["inputs"]}
        headers = list(rows(hubspot / f"hs.{object_name}.csv")[0])
        # Every header is a HubSpot property: its own, or one defined here, except the
        # contacts' common column, which names the company's property.
        own = {"First Name", "Last Name", "Email", "Job Title", "Company Name", "Website URL",
               "Contact owner", "Lifecycle Stage", "Company name", "Company owner"}  # fmt: skip
        common = {"Graphkit Company ID"} if object_name == "contacts" else set()
        assert set(specs) == set(headers) - own - common
        for spec in body["inputs"]:
            assert {"name", "label", "type", "fieldType", "groupName"} <= set(spec)
            assert re.fullmatch(r"[a-z][a-z0-9_]*", spec["name"])
            assert spec["fieldType"] in HUBSPOT_FIELD_TYPES[spec["type"]]
            assert spec["groupName"] == group["name"]
            assert spec["hasUniqueValue"] is (spec["label"] == key)
        assert len({spec["name"] for spec in body["inputs"]}) == len(body["inputs"])
        assert specs[key]["type"] == "string"
        assert specs["Graphkit Scored On"]["type"] == "date"
        if object_name == "contacts":
            assert specs["Graphkit Rank"]["type"] == "number"


@pytest.mark.slow
def test_hubspot_contacts_and_companies_share_a_common_column(hubspot: Path) -> None:
    """https://knowledge.hubspot.com/import-and-export/import-objects:
    two files associate when they share a column (same header) of a unique identifier."""
    contacts, companies = rows(hubspot / "hs.contacts.csv"), rows(hubspot / "hs.companies.csv")
    assert "Graphkit Company ID" in contacts[0]
    assert "Graphkit Company ID" in companies[0]
    keys = [row["Graphkit Company ID"] for row in companies]
    assert len(keys) == len(set(keys))  # the unique identifier
    people = demo_people()
    # --kind person: no brand is ranked, yet every contact's organization is a company.
    employed = {row["Graphkit ID"] for row in contacts if row["Graphkit Company ID"]}
    assert employed == {key for key, row in people.items() if row["organization"]}
    assert {row["Graphkit Company ID"] for row in contacts} - {""} == set(keys)
    for row in companies:  # the added companies carry their names
        assert row["Company name"]
    assert {row["Contact owner"] for row in contacts} == {"ana@example.com"}
    assert {row["Lifecycle Stage"] for row in contacts + companies} == {"lead"}


def test_salesforce_fields_package_follows_the_metadata_api(salesforce: Path) -> None:
    """https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm:
    custom field API names end in ``__c``, letters, digits and single underscores, starting
    with a letter, 40 characters before the suffix; Number precision at most 18 and scale at
    most precision; Text length at most 255; a Checkbox has a default value; External ID
    and Unique on the key."""
    with zipfile.ZipFile(salesforce / "sf.salesforce-fields.zip") as package:
        names = set(package.namelist())
        assert names == {"package.xml", "objects/Contact.object", "objects/Account.object",
                         "permissionsets/Graphkit.permissionset"}  # fmt: skip
        xml = {name: ET.fromstring(package.read(name)) for name in names}
    members = {
        m.text
        for types in xml["package.xml"].findall("md:types", NS)
        if types.findtext("md:name", namespaces=NS) == "CustomField"
        for m in types.findall("md:members", NS)
    }
    defined = set()
    for api_object in ("Contact", "Account"):
        fields = xml[f"objects/{api_object}.object"].findall("md:fields", NS)
        by_label = {f.findtext("md:label", namespaces=NS): f for f in fields}
        for field in fields:
            name = field.findtext("md:fullName", namespaces=NS)
            assert name is not None
            assert re.fullmatch(r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c", name), name
            assert len(name) - 3 <= 40
            assert len(field.findtext("md:label", namespaces=NS) or "") <= 40
            kind = field.findtext("md:type", namespaces=NS)
            if kind == "Number":
                precision = int(field.findtext("md:precision", namespaces=NS))
                assert 0 <= int(field.findtext("md:scale", namespaces=NS)) <= precision <= 18
            elif kind == "Text":
                assert int(field.findtext("md:length", namespaces=NS)) <= 255
            elif kind == "Checkbox":
                assert field.findtext("md:defaultValue", namespaces=NS) == "false"
            defined.add(f"{api_object}.{name}")
        key = by_label["Graphkit ID"]
        assert key.findtext("md:externalId", namespaces=NS) == "true"
        assert key.findtext("md:unique", namespaces=NS) == "true"
        assert "Account Name" not in by_label  # the target's own fields are not defined
        assert "First Name" not in by_label
    assert members == defined
    permitted = {
        p.findtext("md:field", namespaces=NS)
        for p in xml["permissionsets/Graphkit.permissionset"].findall("md:fieldPermissions", NS)
    }
    assert permitted == defined


def read_properties(path: Path) -> dict[str, str]:
    """A Java properties file (Data Loader's .sdl), read as java.util.Properties does for
    the escapes graphkit writes."""
    return parse_properties(path.read_text(encoding="latin-1"))


def parse_properties(text: str) -> dict[str, str]:
    mapping = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key: list[str] = []
        value: list[str] = []
        target = key
        position = 0
        while position < len(line):
            character = line[position]
            position += 1
            if character == "\\":
                escaped = line[position]
                position += 1
                if escaped == "u":
                    target.append(chr(int(line[position : position + 4], 16)))
                    position += 4
                else:
                    target.append({"t": "\t"}.get(escaped, escaped))
            elif character == "=" and target is key:
                target = value
            else:
                target.append(character)
        # UTF-16 surrogate pairs, as Java strings hold them
        joined = "".join(key).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        mapping[joined] = "".join(value)
    return mapping


@given(st.text(min_size=1, max_size=30).filter(lambda text: "\n" not in text and "\r" not in text))
def test_mapping_headers_survive_the_properties_escapes(header: str) -> None:
    from graphkit.export.crm_definitions import _property_escape

    line = f"{_property_escape(header)}=X__c\n"
    line.encode("latin-1")  # a properties file is ISO 8859-1
    assert parse_properties(line) == {header: "X__c"}


@given(st.text(max_size=80))
def test_api_names_follow_the_vendors_rules(header: str) -> None:
    from graphkit.errors import ParameterError
    from graphkit.export.crm_definitions import hubspot_name, salesforce_name

    try:
        name = salesforce_name(header)
    except ParameterError:
        assert not re.search(r"[A-Za-z0-9]", header)
        return
    assert re.fullmatch(r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c", name)
    assert len(name) <= 43
    assert re.fullmatch(r"[a-z][a-z0-9_]*", hubspot_name(header))


def test_data_loader_mappings_name_every_field_and_the_account(salesforce: Path) -> None:
    """Data Loader's mapping file maps CSV headers to fields; a lookup by the parent's
    External ID is ``Relationship:Field`` (ParentIdLookupFieldFormatter in
    https://github.com/forcedotcom/dataloader)."""
    with zipfile.ZipFile(salesforce / "sf.salesforce-fields.zip") as package:
        account = ET.fromstring(package.read("objects/Account.object"))
    external = [
        f.findtext("md:fullName", namespaces=NS)
        for f in account.findall("md:fields", NS)
        if f.findtext("md:externalId", namespaces=NS) == "true"
    ]
    assert external == ["Graphkit_ID__c"]
    contacts = read_properties(salesforce / "sf.contacts.sdl")
    headers = list(rows(salesforce / "sf.contacts.csv")[0])
    assert set(contacts) == set(headers) - {"Account Name"}  # the wizard's name match only
    assert contacts["Graphkit Account ID"] == "Account:Graphkit_ID__c"
    assert contacts["Last Name"] == "LastName"
    assert contacts["Owner Username"] == "Owner:Username"
    assert contacts["Graphkit PageRank"] == "Graphkit_PageRank__c"
    accounts = read_properties(salesforce / "sf.accounts.sdl")
    assert accounts["Account Name"] == "Name"
    assert accounts["Graphkit ID"] == "Graphkit_ID__c"


def test_every_salesforce_contact_with_an_organization_has_its_account(salesforce: Path) -> None:
    """https://help.salesforce.com/apex/HTViewHelpDoc?id=sales.contacts_sharing_considerations.htm:
    a contact without an account is private; only people without an organization are."""
    contacts, accounts = rows(salesforce / "sf.contacts.csv"), rows(salesforce / "sf.accounts.csv")
    keys = {row["Graphkit ID"] for row in accounts}
    people = demo_people()
    private = [row for row in contacts if not row["Graphkit Account ID"]]
    assert {row["Graphkit ID"] for row in private} == {
        key for key, row in people.items() if not row["organization"]
    }
    assert all(row["Graphkit Account ID"] in keys for row in contacts if row["Graphkit Account ID"])
    assert all(row["Account Name"] for row in accounts)  # required by Salesforce
    assert all(row["Last Name"] for row in contacts)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--crm", "hubspot", "--crm-owner", "=HYPERLINK(1)"],
         "--crm-owner '=HYPERLINK(1)': give a plain value"),
        (["--crm", "hubspot", "--crm-campaign", "701000000000001"],
         "--crm-campaign is for Salesforce"),
        (["--crm", "salesforce", "--crm-campaign", "001000000000001"],
         "is not a Salesforce campaign id"),
        (["--crm", "hubspot", "--crm-object", "leads"], "hubspot imports people as contacts"),
        (["--crm", "salesforce", "--crm-lifecycle-stage", "lead"],
         "salesforce contacts have no lifecycle stage"),
        (["--crm", "hubspot", "--crm-max-file-mb", "600"], "must be from 0.01 to 512 MB"),
        (["--crm-owner", "ana@example.com"], "--crm-owner goes with --crm"),
    ],
)  # fmt: skip
def test_bad_crm_options_are_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "follows.csv").write_text("follower,followed\na,b\nb,c\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(
        cli, ["rank", str(data), *args, "-o", str(out / "x.csv")], prog_name="graphkit"
    )
    assert result.exit_code in (1, 2)
    lines = result.output.strip().splitlines()
    assert message in lines[-1]
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []


def test_leads_and_campaign_members(tmp_path: Path) -> None:
    """Leads take Company, Last Name and Lead Status
    (https://help.salesforce.com/s/articleView?id=xcloud.field_mapping_for_importing_leads.htm),
    Last Name and Company required; a campaign member
    names the campaign and the lead (Data Loader: ``Lead:Graphkit_ID__c``)."""
    out = tmp_path / "sf.csv"
    run("rank", "--demo", "--kind", "person", "--top", "100", "--crm", "salesforce",
        "--crm-object", "leads", "--crm-lifecycle-stage", "Open - Not Contacted",
        "--crm-campaign", "701000000000001AAA", "--crm-max-file-mb", "0.02",
        "-o", str(out))  # fmt: skip
    parts = sorted(tmp_path.glob("sf.leads-*.csv"))
    assert len(parts) > 1
    assert all(part.stat().st_size <= 20_000 for part in parts)
    leads = [row for part in parts for row in rows(part)]
    assert len(leads) == 100
    assert all(row["Last Name"] and row["Company"] for row in leads)
    assert "[not provided]" in {row["Company"] for row in leads}
    assert {row["Lead Status"] for row in leads} == {"Open - Not Contacted"}
    assert not (tmp_path / "sf.accounts.csv").exists()  # leads stand alone
    members = rows(tmp_path / "sf.campaign-members.csv")
    assert [row["Graphkit ID"] for row in members] == [row["Graphkit ID"] for row in leads]
    assert {row["CampaignId"] for row in members} == {"701000000000001AAA"}
    assert read_properties(tmp_path / "sf.campaign-members.sdl") == {
        "CampaignId": "CampaignId",
        "Graphkit ID": "Lead:Graphkit_ID__c",
    }
