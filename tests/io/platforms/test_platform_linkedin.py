"""The LinkedIn export reader, on fixtures written to the export's documented format.

Format: LinkedIn's "Get a copy of your data" (Settings & Privacy > Data privacy) sends a zip
such as ``Basic_LinkedInDataExport_12-05-2022.zip`` of CSV files. ``Connections.csv``
starts with a few lines of notes ("Notes:", a quoted paragraph about missing e-mail
addresses, a blank line) before its header ``First Name,Last Name,URL,Email Address,
Company,Position,Connected On``, with dates like ``15 Mar 2024``; members who left appear
as rows of empty cells. Public descriptions: "Backup your LinkedIn data!" on code-maven.com
(szabgab/code-maven.com, pages/backup-your-linkedin-data.md: the zip name, the empty rows
at the top, the header line to move back up), and the many import tools that skip the
"Notes:" preamble. ``Profile.csv`` (``First Name,Last Name,Maiden Name,Address,Birth
Date,Headline,Summary,Industry,Zip Code,Geo Location,Twitter Handles,Websites,Instant
Messengers``) describes the owner and ``Positions.csv`` (``Company Name,Title,Description,
Location,Started On,Finished On``) the owner's jobs.

The expected connections are read independently with the ``csv`` module.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from graphkit.errors import InputError
from graphkit.io.platforms import detect_platforms, read_export
from tests.conftest import PLATFORM_EXPORTS, zip_folder

MAYA = PLATFORM_EXPORTS / "maya_linkedin"
DANIEL = PLATFORM_EXPORTS / "daniel_linkedin"
NOTES = 'Notes:\n"Some e-mail addresses may be missing."\n\n'
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def _reference_connections(path: Path) -> list[dict[str, str]]:
    """Connections.csv read with the csv module, after the notes lines."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("First Name,"))
    return [row for row in csv.DictReader(lines[start:]) if any(row.values())]


def _accounts(table: pa.Table) -> dict[str, dict[str, object]]:
    return {row["id"]: row for row in table.to_pylist()}


def _export(folder: Path, connections: str, profile: str = "Ana,Lima\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Connections.csv").write_text(connections, encoding="utf-8")
    (folder / "Profile.csv").write_text("First Name,Last Name\n" + profile, encoding="utf-8")
    return folder


def test_connections_match_the_csv_module():
    export = read_export("linkedin", MAYA)
    reference = _reference_connections(MAYA / "Connections.csv")
    assert len(reference) == 4
    owner = "linkedin:name:Maya Okafor"
    assert export.owner == owner
    accounts = _accounts(export.accounts)
    expected_edges = set()
    for row in reference:
        slug = row["URL"].rstrip("/").rsplit("/", 1)[-1]
        account = accounts[f"linkedin:{slug}"]
        assert account["name"] == f"{row['First Name']} {row['Last Name']}"
        assert account["organization"] == row["Company"]
        assert account["title"] == row["Position"]
        assert account["email"] == (row["Email Address"] or None)
        assert account["url"] == row["URL"]
        assert account["kind"] == "person"
        since = datetime.strptime(row["Connected On"], "%d %b %Y").replace(tzinfo=UTC)
        expected_edges |= {(f"linkedin:{slug}", owner, since), (owner, f"linkedin:{slug}", since)}
    edges = set(
        zip(
            export.follows["follower"].to_pylist(),
            export.follows["followed"].to_pylist(),
            export.follows["since"].to_pylist(),
            strict=True,
        )
    )
    assert edges == expected_edges
    assert export.follows.num_rows == 8
    assert export.interactions.num_rows == 0


def test_unicode_names_and_quoted_commas():
    accounts = _accounts(read_export("linkedin", MAYA).accounts)
    assert accounts["linkedin:zoe-muller-4b2a1"]["name"] == "Zoë Müller"
    assert accounts["linkedin:chenjing-ai"]["name"] == "静 陈"
    assert accounts["linkedin:chenjing-ai"]["organization"] == "Fabrikam, Inc."
    assert accounts["linkedin:maryam-alhassan"]["name"] == "مريم الحسن"


def test_owner_from_profile_and_current_position():
    accounts = _accounts(read_export("linkedin", MAYA).accounts)
    owner = accounts["linkedin:name:Maya Okafor"]
    # Positions.csv: Northwind Cloud (no end date) is current, Contoso Data ended in 2022.
    assert (owner["name"], owner["organization"], owner["title"]) == (
        "Maya Okafor",
        "Northwind Cloud",
        "Developer Advocate",
    )
    assert owner["followers_count"] == 4  # connections
    daniel = _accounts(read_export("linkedin", DANIEL).accounts)["linkedin:name:Daniel Reyes"]
    assert (daniel["organization"], daniel["title"]) == (None, None)  # no Positions.csv


@pytest.mark.parametrize("wrap", [None, "Basic_LinkedInDataExport_05-01-2024"])
def test_zip_reads_like_its_folder(tmp_path, wrap):
    archive = zip_folder(MAYA, tmp_path / "linkedin.zip", wrap=wrap)
    folder = read_export("linkedin", MAYA)
    zipped = read_export("auto", archive)
    assert zipped.accounts.equals(folder.accounts)
    assert zipped.follows.equals(folder.follows)
    assert detect_platforms(archive) == ["linkedin"]


def test_empty_rows_and_rows_without_url(tmp_path):
    folder = _export(
        tmp_path / "e",
        NOTES + HEADER + ",,,,,,\n"
        "Bo,Ek,,,Acme,,01 Jan 2024\n"
        "Cy,Do,https://www.linkedin.com/in/cy-do/,,,,\n",
    )
    export = read_export("linkedin", folder)
    assert sorted(_accounts(export.accounts)) == [
        "linkedin:cy-do",
        "linkedin:name:Ana Lima",
        "linkedin:name:Bo Ek",
    ]
    assert export.follows.num_rows == 4
    assert export.follows["since"].null_count == 2  # Cy's connection has no date


def test_latest_current_position_wins(tmp_path):
    folder = _export(tmp_path / "p", NOTES + HEADER)
    (folder / "Positions.csv").write_text(
        "Company Name,Title,Description,Location,Started On,Finished On\n"
        "Old Co,Engineer,,,Jan 2015,Dec 2018\n"
        "Side Project,Founder,,,Mar 2019,\n"
        "Northwind Cloud,CTO,,,Feb 2023,\n",
        encoding="utf-8",
    )
    owner = _accounts(read_export("linkedin", folder).accounts)["linkedin:name:Ana Lima"]
    assert (owner["organization"], owner["title"]) == ("Northwind Cloud", "CTO")


def _error(path: Path, platform: str = "linkedin") -> str:
    with pytest.raises(InputError) as caught:
        read_export(platform, path)
    return str(caught.value)


def test_connections_without_profile(tmp_path):
    folder = tmp_path / "only"
    folder.mkdir()
    (folder / "Connections.csv").write_bytes((MAYA / "Connections.csv").read_bytes())
    assert _error(folder) == (
        f"{folder}: no Profile.csv beside Connections.csv: the export does not say whose "
        "connections these are; import the whole LinkedIn export (zip or folder)"
    )
    # The single file is recognised as LinkedIn's, and gets the same answer.
    assert _error(folder / "Connections.csv", "auto").startswith(
        f"{folder / 'Connections.csv'}: no Profile.csv beside Connections.csv"
    )


def test_truncated_connections(tmp_path):
    text = (MAYA / "Connections.csv").read_text(encoding="utf-8")
    cut = text[: text.index("Contoso Data") + 3]  # inside Zoë's row, line 6 of the file
    folder = _export(tmp_path / "t", cut)
    zipped = zip_folder(folder, tmp_path / "t.zip")
    assert _error(zipped) == (
        f"{zipped}/Connections.csv, row 6: truncated row (5 of 7 columns): the file is cut short"
    )


def test_truncated_inside_quotes(tmp_path):
    folder = _export(tmp_path / "q", NOTES + HEADER + 'Al,Bo,,,"Fabrikam, In')
    assert _error(folder).startswith(
        f"{folder}/Connections.csv, row 5: truncated or malformed CSV ("
    )


def test_bad_date_and_bad_url(tmp_path):
    folder = _export(tmp_path / "d", NOTES + HEADER + "Al,Bo,,,,,yesterday\n")
    assert _error(folder) == (
        f"{folder}/Connections.csv, row 5, column 'Connected On': unparsable date "
        "'yesterday' (expected e.g. '15 Mar 2024')"
    )
    folder = _export(tmp_path / "u", NOTES + HEADER + "Al,Bo,https://example.com/al,,,,\n")
    assert _error(folder) == (
        f"{folder}/Connections.csv, row 5, column 'URL': not a LinkedIn profile URL: "
        "'https://example.com/al'"
    )


def test_wrong_header_and_empty_files(tmp_path):
    folder = _export(tmp_path / "h", "follower,followed\na,b\n")
    assert _error(folder) == (
        f"{folder}/Connections.csv: no header line with First Name, Last Name: "
        "not a LinkedIn Connections.csv"
    )
    folder = _export(tmp_path / "e", "")
    assert _error(folder) == (
        f"{folder}/Connections.csv: empty file: expected a header with First Name, Last Name"
    )
    (tmp_path / "z").mkdir()
    empty = zip_folder(tmp_path / "z", tmp_path / "empty.zip")
    assert _error(empty) == f"{empty}: empty archive: it holds no files"


def test_other_platforms_are_recognised(tmp_path):
    x_archive = zip_folder(PLATFORM_EXPORTS / "maya_x", tmp_path / "maya.zip")
    assert _error(x_archive) == (
        f"{x_archive}: this is an X archive, not a LinkedIn export; import it as x"
    )
    follows = Path(__file__).resolve().parents[2] / "data" / "bad" / "valid_follows.csv"
    assert _error(follows) == (
        f"{follows}: not a LinkedIn export: no Connections.csv (request 'Connections' when "
        "you download your LinkedIn data)"
    )
