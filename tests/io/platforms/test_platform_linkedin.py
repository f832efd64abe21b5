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

from graphkit.errors import InputError, UsageError
from graphkit.io.platforms import detect_platforms, import_exports, read_export
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
        "connections these are; name their owner with --owner NAME_OR_URL (their name as "
        "their profile shows it, or their profile URL), or import the whole LinkedIn export "
        "(zip or folder)"
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


def _connections_only(folder: Path, source: Path = MAYA) -> Path:
    """LinkedIn's "Connections" download: Connections.csv alone."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Connections.csv").write_bytes((source / "Connections.csv").read_bytes())
    return folder / "Connections.csv"


@pytest.mark.parametrize("spelling", ["Maya Okafor", "  Maya \t Okafor "])
def test_owner_by_name_gets_the_id_profile_csv_gives(tmp_path, spelling):
    whole = read_export("linkedin", MAYA)
    lone = read_export("auto", _connections_only(tmp_path / "lone"), owner=spelling)
    assert lone.owner == whole.owner == "linkedin:name:Maya Okafor"
    assert lone.follows.sort_by("follower").equals(whole.follows.sort_by("follower"))
    accounts, expected = _accounts(lone.accounts), _accounts(whole.accounts)
    assert accounts.keys() == expected.keys()
    assert accounts[lone.owner]["name"] == "Maya Okafor"
    assert accounts[lone.owner]["followers_count"] == 4
    for account in accounts.keys() - {lone.owner}:
        assert accounts[account] == expected[account]


def test_owner_by_url_is_the_account_other_exports_list(tmp_path):
    url = "https://www.linkedin.com/in/Maya-Okafor/?trk=x"
    lone = _connections_only(tmp_path / "lone")
    export = read_export("linkedin", lone, owner=url)
    owner = _accounts(export.accounts)["linkedin:maya-okafor"]
    assert export.owner == "linkedin:maya-okafor"
    assert (owner["handle"], owner["url"], owner["kind"]) == ("maya-okafor", url, "person")
    # Daniel's export lists Maya by her URL: merged, she is one account with both exports'
    # connections, as her whole export (Profile.csv) merged with Daniel's would give.
    by_url, _ = import_exports([("linkedin", lone), ("linkedin", DANIEL)], owner=url)
    by_profile, _ = import_exports([("linkedin", MAYA), ("linkedin", DANIEL)])
    for dataset in (by_url, by_profile):
        follows = set(zip(*dataset.follows.select(["follower", "followed"]).to_pydict().values(),
                          strict=True))  # fmt: skip
        assert ("linkedin:daniel-reyes", "linkedin:maya-okafor") in follows
        assert ("linkedin:chenjing-ai", "linkedin:maya-okafor") in follows
        assert not any(account.startswith("linkedin:name:") for pair in follows for account in pair)
    assert by_url.follows.num_rows == by_profile.follows.num_rows


def test_positions_csv_beside_a_lone_connections_csv(tmp_path):
    lone = _connections_only(tmp_path / "lone")
    (lone.parent / "Positions.csv").write_bytes((MAYA / "Positions.csv").read_bytes())
    owner = _accounts(read_export("linkedin", lone.parent, owner="Maya Okafor").accounts)
    expected = _accounts(read_export("linkedin", MAYA).accounts)["linkedin:name:Maya Okafor"]
    got = owner["linkedin:name:Maya Okafor"]
    assert (got["organization"], got["title"]) == (expected["organization"], expected["title"])


def test_owner_mistakes(tmp_path):
    lone = _connections_only(tmp_path / "lone")
    where = str(lone)
    cases = {
        " ": f"{where}: --owner is blank: give the owner's name or profile URL",
        "https://example.com/in/maya": (
            f"{where}: --owner 'https://example.com/in/maya' is not a LinkedIn profile URL "
            "(https://www.linkedin.com/in/NAME); give the profile URL or the owner's name"
        ),
        "linkedin.com/company/northwind": (
            f"{where}: --owner 'linkedin.com/company/northwind' is not a LinkedIn profile URL "
            "(https://www.linkedin.com/in/NAME); give the profile URL or the owner's name"
        ),
    }
    cases["linkedin:maya-okafor"] = (
        f"{where}: --owner 'linkedin:maya-okafor' looks like an account id; give the owner's "
        "name or profile URL"
    )
    for owner, message in cases.items():
        with pytest.raises(InputError) as caught:
            read_export("linkedin", lone, owner=owner)
        assert str(caught.value) == message
    with pytest.raises(InputError, match="NUL byte"):
        read_export("linkedin", lone, owner="Maya\x00Okafor")
    with pytest.raises(InputError) as caught:
        read_export("linkedin", MAYA, owner="Maya Okafor")
    assert str(caught.value) == (
        f"{MAYA}: holds Profile.csv, which names the export's owner: --owner is for a "
        "Connections.csv without it"
    )


def test_owner_goes_to_the_one_export_without_profile(tmp_path):
    first = _connections_only(tmp_path / "first")
    second = _connections_only(tmp_path / "second", DANIEL)
    with pytest.raises(InputError) as caught:
        import_exports([("linkedin", first), ("auto", second)], owner="Maya Okafor")
    assert str(caught.value) == (
        f"--owner names one owner, and 2 LinkedIn exports lack Profile.csv ({first}, "
        f"{second}): import them one at a time"
    )
    with pytest.raises(InputError) as caught:
        import_exports([("linkedin", MAYA)], owner="Maya Okafor")
    assert str(caught.value) == (
        "--owner names the owner of a LinkedIn Connections.csv without Profile.csv "
        "(LinkedIn's Connections download), and no export given is one"
    )
    # With a whole export beside it, the owner goes to the lone Connections.csv only.
    dataset, read = import_exports([("linkedin", DANIEL), ("linkedin", first)], owner="Maya Okafor")
    assert [export.owner for export in read] == ["linkedin:name:Daniel Reyes",
                                                 "linkedin:name:Maya Okafor"]  # fmt: skip
    # Daniel lists Maya by URL: merging gives the owner named by name her URL's id, as it
    # does a Profile.csv owner.
    ids = set(dataset.accounts.column("id").to_pylist())
    assert "linkedin:maya-okafor" in ids
    assert "linkedin:name:Maya Okafor" not in ids


def test_the_owner_is_not_one_of_their_own_connections(tmp_path):
    lone = _connections_only(tmp_path / "lone")
    # A connection's URL given as the owner's: a self-follow would hide the mistake.
    with pytest.raises(InputError) as caught:
        read_export("linkedin", lone, owner="https://www.linkedin.com/in/daniel-reyes/")
    assert str(caught.value) == (
        f"{lone}, row 5, column 'URL': this connection has the profile URL --owner gives: the "
        "owner is not one of their own connections; check --owner"
    )
    # A connection with the owner's name: merging would take the owner for that connection.
    homonym = tmp_path / "homonym" / "Connections.csv"
    homonym.parent.mkdir()
    homonym.write_text(
        NOTES + HEADER + "Bo,Lee,https://www.linkedin.com/in/bo-lee,,,,01 Jan 2020\n"
        "maya,OKAFOR,https://www.linkedin.com/in/maya-okafor-99,,,,01 Jan 2020\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_export("linkedin", homonym, owner="Maya Okafor")
    assert str(caught.value) == (
        f"{homonym}, row 6, column 'First Name': this connection has the name --owner gives "
        "('Maya Okafor'): name the owner by their profile URL instead (--owner "
        "https://www.linkedin.com/in/NAME)"
    )
    by_url = read_export("linkedin", homonym, owner="linkedin.com/in/maya-okafor")
    assert by_url.follows.num_rows == 4


def test_repeated_connection_rows_count_once(tmp_path):
    lone = tmp_path / "Connections.csv"
    row = "Bo,Lee,https://www.linkedin.com/in/bo-lee,,,,01 Jan 2020\n"
    lone.write_text("\ufeff" + NOTES + HEADER + row * 3 + ",,,,,,\n", encoding="utf-8")
    export = read_export("linkedin", lone, owner="Maya Okafor")
    assert _accounts(export.accounts)["linkedin:name:Maya Okafor"]["followers_count"] == 1


@pytest.mark.parametrize(
    "owner",
    [
        "https://www.linkedin.com/in/maya okafor",  # not the profile maya
        "https://notlinkedin.com/in/maya-okafor",
        "https://evil.example/?next=linkedin.com/in/maya-okafor",
        "ftp://www.linkedin.com/in/maya-okafor",
        "https://www.linkedin.com/in/%E2%80%8B",  # a name of nothing visible
        "http://[linkedin.com/in/maya",
    ],
)
def test_owner_urls_must_be_linkedin_profiles(tmp_path, owner):
    lone = _connections_only(tmp_path / "lone")
    with pytest.raises(InputError, match="is not a LinkedIn profile URL"):
        read_export("linkedin", lone, owner=owner)


def test_owner_of_the_wrong_type(tmp_path):
    lone = _connections_only(tmp_path / "lone")
    for owner in (123, b"Maya Okafor", ["Maya Okafor"]):
        with pytest.raises(UsageError, match="owner is a name or profile URL, not"):
            read_export("linkedin", lone, owner=owner)


def test_an_owner_url_without_scheme_is_stored_as_a_link(tmp_path):
    lone = _connections_only(tmp_path / "lone")
    export = read_export("linkedin", lone, owner="www.linkedin.com/in/maya-okafor")
    owner = _accounts(export.accounts)["linkedin:maya-okafor"]
    assert owner["url"] == "https://www.linkedin.com/in/maya-okafor"
