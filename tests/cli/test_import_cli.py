"""``graphkit import`` and exports as inputs to every command, end to end: a brand and three
of its people, from the exports they downloaded, to a ranked list and a brands report.

The fixtures (tests/data/platforms/northwind/, formats cited in tests/io/platforms/) are
Northwind Cloud's X archive; Maya Okafor's X archive and LinkedIn export; Daniel Reyes's X
archive and LinkedIn export; Hana Sato's Mastodon export; a roles.csv marking the brand and
people's titles, and an identities.csv joining each person's accounts.
"""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import polars as pl
import pytest
from click.testing import CliRunner, Result

from graphkit.cli.main import cli
from graphkit.io.schema import DEFAULT_TYPE_WEIGHTS
from tests.conftest import PLATFORM_EXPORTS, zip_folder

ROLES = PLATFORM_EXPORTS / "roles.csv"
IDENTITIES = PLATFORM_EXPORTS / "identities.csv"


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(
        cli, [str(a) for a in args], prog_name="graphkit", catch_exceptions=False
    )


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> dict[str, Path]:
    """The exports as the platforms send them: zips (the LinkedIn ones inside a folder)."""
    folder = tmp_path_factory.mktemp("exports")
    return {
        "brand": zip_folder(PLATFORM_EXPORTS / "northwind_x", folder / "twitter-northwind.zip"),
        "maya": zip_folder(PLATFORM_EXPORTS / "maya_x", folder / "twitter-maya.zip"),
        "daniel": zip_folder(PLATFORM_EXPORTS / "daniel_x", folder / "twitter-daniel.zip"),
        "maya_li": zip_folder(
            PLATFORM_EXPORTS / "maya_linkedin", folder / "maya-linkedin.zip",
            wrap="Basic_LinkedInDataExport_05-01-2024",
        ),
        "daniel_li": zip_folder(
            PLATFORM_EXPORTS / "daniel_linkedin", folder / "daniel-linkedin.zip"
        ),
        "hana": zip_folder(PLATFORM_EXPORTS / "hana_mastodon", folder / "archive-hana.zip"),
    }  # fmt: skip


def _import_args(archives: dict[str, Path], out: Path) -> list[str | Path]:
    return [
        "import", "x", archives["brand"], archives["maya"], archives["daniel"],
        "linkedin", archives["maya_li"], archives["daniel_li"], "mastodon", archives["hana"],
        "--accounts", ROLES, "--identities", IDENTITIES, "-o", out,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def dataset(archives, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("imported") / "northwind"
    result = _run(*_import_args(archives, out))
    assert result.exit_code == 0, result.output
    return out


def test_import_writes_a_dataset_and_says_what_it_read(archives, tmp_path):
    out = tmp_path / "dataset"
    result = _run(*_import_args(archives, out))
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == [
        "accounts.csv", "follows.csv", "identities.csv", "interactions.csv",
    ]  # fmt: skip
    lines = result.stderr.splitlines()
    assert lines[0] == f"X archive {archives['brand']} (northwindcloud): 10 follows, 3 interactions"
    assert (
        lines[3]
        == f"LinkedIn export {archives['maya_li']} (Maya Okafor): 8 follows, 0 interactions"
    )
    assert lines[-1] == (f"Wrote {out}: 27 accounts, 37 follows, 16 interactions, 7 identities")
    with (out / "accounts.csv").open(encoding="utf-8", newline="") as handle:
        accounts = {row["id"]: row for row in csv.DictReader(handle)}
    assert accounts["linkedin:maryam-alhassan"]["name"] == "مريم الحسن"
    assert accounts["mastodon:hana@fosstodon.org"]["name"] == "Hana Sato 佐藤花"


def _reference_pagerank(folder: Path) -> dict[str, float]:
    """networkx PageRank of the imported dataset, read with the csv module: identities
    merged, default type weights, self-loops dropped, duplicate records added up."""

    def rows(name: str) -> list[dict[str, str]]:
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    person = {row["account"]: row["person"] for row in rows("identities")}
    weights: dict[tuple[str, str], float] = {}
    edges = [(r["follower"], r["followed"], "follow") for r in rows("follows")]
    edges += [(r["source"], r["target"], r["type"]) for r in rows("interactions")]
    nodes = {person.get(row["id"], row["id"]) for row in rows("accounts")}
    for source, target, kind in edges:
        source, target = person.get(source, source), person.get(target, target)
        nodes |= {source, target}
        if source != target:
            weights[source, target] = (
                weights.get((source, target), 0.0) + DEFAULT_TYPE_WEIGHTS[kind]
            )
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    return nx.pagerank(graph, alpha=0.85, tol=1e-14, max_iter=1000, weight="weight")


def test_rank_the_imported_dataset(dataset):
    result = _run("rank", dataset, "--top", "0", "--format", "csv", "-q")
    assert result.exit_code == 0, result.output
    table = pl.read_csv(result.stdout.encode(), schema_overrides={"id": pl.String})
    reference = _reference_pagerank(dataset)
    assert table.height == len(reference) == 24  # 27 accounts, 7 of them merged into 4 people
    for row in table.iter_rows(named=True):
        assert row["pagerank"] == pytest.approx(reference[row["id"]], abs=1e-9), row["id"]
    top = table.head(3).select("id", "name", "kind", "organization", "followers").rows()
    assert top == [
        ("maya", "Maya Okafor 🚀", "person", "northwind", 13),
        ("northwind", "Northwind Cloud", "brand", None, 9),
        ("daniel", "Daniel Reyes", "person", "northwind", 5),
    ]


def test_brands_on_the_imported_dataset(dataset):
    result = _run("brands", dataset, "--org", "northwind", "--format", "csv", "-q")
    assert result.exit_code == 0, result.output
    row = pl.read_csv(result.stdout.encode()).row(0, named=True)
    # By hand: the brand's outside followers are X 3001-3006 (6); its people's are Maya's
    # X 3001, 3002, 3007-3012 and LinkedIn Zoë and Chen (10), Daniel's 3004 and 3013, Hana's
    # ravi and mei: 14, of whom 3001, 3002 and 3004 also follow the brand.
    assert (row["people"], row["corporate_reach"], row["personal_reach"], row["overlap"]) == (
        4,
        6,
        14,
        3,
    )
    assert row["combined_reach"] == 17
    assert row["personal_share"] == pytest.approx(14 / 17)
    people = _run("brands", dataset, "--org", "northwind", "--people", "--format", "csv", "-q")
    assert people.exit_code == 0, people.output
    table = pl.read_csv(people.stdout.encode())
    unique = dict(zip(table["id"].to_list(), table["unique_reach"].to_list(), strict=True))
    # Maryam is a person of Northwind because her LinkedIn Company says so.
    assert unique == {"maya": 8, "hana": 2, "daniel": 1, "linkedin:maryam-alhassan": 0}


def test_exports_as_inputs_give_the_same_ranking(archives, dataset):
    imported = _run("rank", dataset, "--top", "0", "--format", "csv", "-q")
    direct = _run(
        "rank", "--export", f"x:{archives['brand']}", "--export", f"twitter:{archives['maya']}",
        "--export", archives["daniel"], "--export", f"linkedin:{archives['maya_li']}",
        "--export", archives["daniel_li"], "--export", f"mastodon:{archives['hana']}",
        "--accounts", ROLES, "--identities", IDENTITIES, "--top", "0", "--format", "csv", "-q",
    )  # fmt: skip
    assert direct.exit_code == 0, direct.output
    assert direct.stdout == imported.stdout


def test_an_export_given_as_input(archives):
    result = _run("rank", archives["maya"], "--top", "3", "--format", "csv", "-q")
    assert result.exit_code == 0, result.output
    table = pl.read_csv(result.stdout.encode(), schema_overrides={"id": pl.String})
    # Maya's own archive: the nine followers it lists all follow her.
    assert table.row(0, named=True)["id"] == "x:2001"
    assert table.row(0, named=True)["followers"] == 9
    named = _run("rank", "--export", f"x:{archives['maya']}", "--top", "3", "--format", "csv", "-q")
    assert named.stdout == result.stdout
    folder = _run("rank", PLATFORM_EXPORTS / "hana_mastodon", "--top", "1", "--format", "csv")
    assert folder.exit_code == 0, folder.output
    assert folder.stdout.splitlines()[1].startswith("1,mastodon:hana@fosstodon.org,")
    assert "skipped 1 boosts, replies or quotes" in folder.stderr


def test_bad_exports_fail_with_one_line(archives, tmp_path):
    out = tmp_path / "out"
    result = _run("import", "x", archives["maya_li"], "-o", out)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {archives['maya_li']}: this is a LinkedIn export, not an X archive; "
        "import it as linkedin"
    ]
    assert not out.exists()
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(archives["maya"].read_bytes()[:300])
    result = _run("rank", "--export", f"x:{truncated}")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: {truncated}: not a readable zip archive, truncated or corrupt (")
    )
    assert "Traceback" not in result.output


def test_existing_dataset_needs_force(archives, tmp_path):
    out = tmp_path / "dataset"
    assert _run("import", "auto", archives["hana"], "-o", out).exit_code == 0
    again = _run("import", "auto", archives["maya"], "-o", out)
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        f"Error: {out}: folder exists and is not empty; give --force to replace its tables"
    )
    forced = _run("import", "auto", archives["maya"], "-o", out, "--force", "--format", "parquet")
    assert forced.exit_code == 0, forced.output
    assert sorted(path.name for path in out.iterdir()) == [
        "accounts.parquet", "follows.parquet", "interactions.parquet",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["import", "maya.zip", "-o", "out"],
            "give the export format before 'maya.zip': x, linkedin, mastodon or auto",
        ),
        (["import", "x", "-o", "out"], "no PATH after the format 'x'"),
        (["import", "x", "linkedin", "a.zip", "-o", "out"], "no PATH after the format 'x'"),
    ],
)
def test_usage_errors(args, message):
    result = _run(*args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == f"Error: {message}"


def test_exports_do_not_mix_with_tables(archives):
    follows = Path(__file__).resolve().parents[1] / "data" / "bad" / "valid_follows.csv"
    result = _run("rank", "--export", archives["maya"], "--follows", follows)
    assert result.exit_code == 2
    assert "--follows and --interactions do not mix with exports" in result.stderr


def test_import_help_has_examples():
    result = _run("import", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "graphkit import x twitter-2024-05-01.zip -o dataset/" in result.output
    assert "--export" in _run("rank", "--help").output
    for command in ("import", "rank"):
        text = " ".join(_run(command, "--help").output.split())
        assert "--owner NAME_OR_URL" in text
        assert "a LinkedIn Connections.csv without Profile.csv" in text
        assert "Needed only then." in text


def test_a_lone_connections_csv_with_its_owner(tmp_path):
    lone = tmp_path / "Connections.csv"  # LinkedIn's "Connections" download
    lone.write_bytes((PLATFORM_EXPORTS / "maya_linkedin" / "Connections.csv").read_bytes())
    out = tmp_path / "dataset"
    missing = _run("import", "linkedin", lone, "-o", out)
    assert missing.exit_code == 1
    assert missing.stderr.strip().splitlines() == [
        f"Error: {lone}: no Profile.csv beside Connections.csv: the export does not say whose "
        "connections these are; name their owner with --owner NAME_OR_URL (their name as "
        "their profile shows it, or their profile URL), or import the whole LinkedIn export "
        "(zip or folder)"
    ]
    assert not out.exists()
    result = _run("import", "linkedin", lone, "--owner", "Maya Okafor", "-o", out)
    assert result.exit_code == 0, result.output
    whole = tmp_path / "whole"
    whole_export = PLATFORM_EXPORTS / "maya_linkedin"
    assert _run("import", "linkedin", whole_export, "-o", whole).exit_code == 0
    # The same follows and accounts as the whole export: the owner has Profile.csv's id.
    follows = pl.read_csv(out / "follows.csv", infer_schema=False)
    assert follows.sort(follows.columns).equals(
        pl.read_csv(whole / "follows.csv", infer_schema=False).sort(follows.columns)
    )
    ids = pl.read_csv(out / "accounts.csv", infer_schema=False)["id"]
    assert sorted(ids) == sorted(pl.read_csv(whole / "accounts.csv", infer_schema=False)["id"])
    assert "linkedin:name:Maya Okafor" in ids
    assert "LinkedIn export" in result.stderr
    assert "(Maya Okafor): 8 follows" in result.stderr
    by_url = _run(
        "rank", "--export", f"linkedin:{lone}", "--owner", "https://www.linkedin.com/in/maya-okafor",
        "--top", "1", "--format", "csv", "-q",
    )  # fmt: skip
    assert by_url.exit_code == 0, by_url.output
    assert by_url.stdout.splitlines()[1].startswith("1,linkedin:maya-okafor,maya-okafor,")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["rank", "--demo", "--owner", "Maya"], 2,
         "--owner names the owner of a LinkedIn export: give one (--export)"),
        (["import", "linkedin", PLATFORM_EXPORTS / "maya_linkedin", "--owner", "Maya", "-o",
          "out"], 1, "--owner names the owner of a LinkedIn Connections.csv without "
         "Profile.csv (LinkedIn's Connections download), and no export given is one"),
    ],
)  # fmt: skip
def test_owner_without_a_lone_connections_csv(tmp_path, args, code, message):
    result = _run(*args)
    assert result.exit_code == code
    assert result.stderr.strip().splitlines()[-1] == f"Error: {message}"


@pytest.mark.parametrize("command", ["import", "rank"])
def test_a_blank_owner_is_a_usage_error(tmp_path, command):
    lone = tmp_path / "Connections.csv"
    lone.write_bytes((PLATFORM_EXPORTS / "maya_linkedin" / "Connections.csv").read_bytes())
    out = tmp_path / "out"
    args = (["import", "linkedin", lone, "-o", out] if command == "import"
            else ["rank", "--export", f"linkedin:{lone}", "-o", out / "r.csv"])  # fmt: skip
    result = _run(*args, "--owner", " \t")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--owner': is blank: give the owner's name or profile URL"
    )
    assert not out.exists()
