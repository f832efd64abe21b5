"""Inputs and outputs at URIs, read by the local engine: a real S3-compatible server (moto's
server mode on 127.0.0.1) and a local HTTP server. Each staged copy is read as a local file
would be, and errors name the URI, never the staged copy."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result
from polars.testing import assert_frame_equal

import graphkit
from graphkit.cli.main import cli
from graphkit.errors import InputError, UsageError
from graphkit.io.remote import Staging, _suffix_from_content, display

FOLLOWS = pl.DataFrame(
    {
        "follower": ["a", "b", "c", "d", "e", "a", "ü"],
        "followed": ["b", "c", "a", "a", "a", "c", "a"],
    }
)
ACCOUNTS = pl.DataFrame({"id": ["a", "b", "ü"], "name": ["Ann", "Bo", "Üma"]})


def run(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args, prog_name="graphkit", catch_exceptions=False)


def put(s3: tuple[object, str], key: str, body: bytes) -> str:
    client, bucket = s3
    client.put_object(Bucket=bucket, Key=key, Body=body)  # type: ignore[attr-defined]
    return f"s3://{bucket}/{key}"


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def test_s3_dataset_folder_ranks_as_the_local_folder(s3, tmp_path: Path) -> None:
    put(s3, "crm/follows.csv.gz", gzip.compress(FOLLOWS.write_csv().encode()))
    put(s3, "crm/accounts.ndjson", ACCOUNTS.write_ndjson().encode())
    put(s3, "crm/notes.txt", b"not a table")
    FOLLOWS.write_csv(tmp_path / "follows.csv")
    ACCOUNTS.write_ndjson(tmp_path / "accounts.ndjson")
    remote = graphkit.rank(f"s3://{s3[1]}/crm/")
    assert_frame_equal(remote, graphkit.rank(tmp_path))
    assert remote.filter(pl.col("id") == "ü")["name"].to_list() == ["Üma"]
    loaded = graphkit.open_data(f"s3://{s3[1]}/crm")
    assert loaded.sources == {}  # the staged copies are gone; nothing names them


def test_s3_parquet_dataset_of_many_files_with_partitions(s3) -> None:
    first, second = FOLLOWS.head(3), FOLLOWS.tail(-3)
    put(s3, "lake/follows/platform=x/part-0.parquet", parquet_bytes(first))
    put(s3, "lake/follows/platform=y/part-1.parquet", parquet_bytes(second))
    put(s3, "lake/follows/_SUCCESS", b"")
    put(s3, "lake/accounts.parquet", parquet_bytes(ACCOUNTS))
    as_folder = graphkit.rank(f"s3://{s3[1]}/lake")
    as_table = graphkit.rank(follows=f"s3://{s3[1]}/lake/follows/")
    expected = graphkit.rank(follows=FOLLOWS, accounts=ACCOUNTS)
    assert_frame_equal(as_folder, expected)
    assert as_table["pagerank"].to_list() == pytest.approx(expected["pagerank"].to_list())


def test_s3_keys_are_written_as_they_are(s3) -> None:
    uri = put(s3, "dätä 2024/fóllows 1.csv", FOLLOWS.write_csv().encode())
    put(s3, "dätä 2024/follows.csv", FOLLOWS.write_csv().encode())
    assert_frame_equal(graphkit.rank(uri), graphkit.rank(follows=FOLLOWS))
    assert_frame_equal(graphkit.rank(uri.rsplit("/", 1)[0]), graphkit.rank(follows=FOLLOWS))


def test_s3_errors_name_the_uri(s3) -> None:
    bucket = s3[1]
    put(s3, "bad/follows.csv", b"follower,followed\na,b\nb,\n")
    put(s3, "mixed/follows/part-0.parquet", parquet_bytes(FOLLOWS))
    put(s3, "mixed/follows/part-1.csv", b"follower,followed\na,b\n")
    cases = {
        f"s3://{bucket}/bad/follows.csv": (
            f"Error: s3://{bucket}/bad/follows.csv, row 3, column 'followed': empty account id"
        ),
        f"s3://{bucket}/bad/": (
            f"Error: s3://{bucket}/bad/follows.csv, row 3, column 'followed': empty account id"
        ),
        f"s3://{bucket}/nothing-here.csv": f"Error: s3://{bucket}/nothing-here.csv: not found",
        f"s3://{bucket}/mixed/": (
            f"Error: s3://{bucket}/mixed/follows: a folder of several files is read as a Parquet "
            "dataset, and part-1.csv is not a .parquet file"
        ),
    }
    for uri, message in cases.items():
        result = run(["rank", uri])
        assert result.exit_code == 1, (uri, result.output)
        assert result.output.strip() == message
        assert "graphkit-staged" not in result.output


def test_output_to_s3_is_the_local_output_uploaded(s3, tmp_path: Path) -> None:
    client, bucket = s3
    source = put(s3, "in/follows.parquet", parquet_bytes(FOLLOWS))
    local = tmp_path / "ranking.parquet"
    assert run(["rank", "--follows", source, "-o", str(local), "-q"]).exit_code == 0
    result = run(["rank", "--follows", source, "-o", f"s3://{bucket}/out/ranking.parquet"])
    assert result.exit_code == 0, result.output
    assert f"Wrote 6 rows to s3://{bucket}/out/ranking.parquet" in result.output
    uploaded = client.get_object(Bucket=bucket, Key="out/ranking.parquet")["Body"].read()
    assert_frame_equal(pl.read_parquet(io.BytesIO(uploaded)), pl.read_parquet(local))
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(keys) == ["in/follows.parquet", "out/ranking.parquet"]


def test_output_never_replaces_a_remote_input(s3) -> None:
    source = put(s3, "data/follows.csv", FOLLOWS.write_csv().encode())
    folder = source.rsplit("/", 1)[0] + "/"
    for args in (
        ["--follows", source, "-o", source],
        [folder, "-o", folder + "follows.parquet"],
    ):
        result = run(["rank", *args])
        assert result.exit_code == 1, result.output
        assert "is also an input of this command" in result.output
    body = s3[0].get_object(Bucket=s3[1], Key="data/follows.csv")["Body"].read()
    assert body == FOLLOWS.write_csv().encode()


def test_http_file_and_its_errors(http_folder: tuple[str, Path]) -> None:
    base, folder = http_folder
    (folder / "follows.csv").write_text(FOLLOWS.write_csv(), encoding="utf-8")
    (folder / "edges").write_bytes(parquet_bytes(FOLLOWS))  # no suffix: read by its content
    expected = graphkit.rank(follows=FOLLOWS)
    assert_frame_equal(graphkit.rank(f"{base}/follows.csv"), expected)
    assert_frame_equal(graphkit.rank(follows=f"{base}/edges?token=secret"), expected)
    result = run(["rank", "--follows", f"{base}/missing.csv?token=secret"])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {base}/missing.csv: HTTP error 404 (File not found)"
    result = run(["rank", f"{base}/"])
    assert result.exit_code == 1
    assert "names one table file" in result.output
    result = run(["rank", "--demo", "-o", f"{base}/out.csv"])
    assert result.exit_code == 2
    assert "does not write to http(s) URLs" in result.output


def test_unreachable_server_is_one_line() -> None:
    result = run(["rank", "http://127.0.0.1:9/follows.csv"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: http://127.0.0.1:9/follows.csv: cannot connect (")
    assert result.output.count("\n") == 1


def test_staging_stops_at_its_budget() -> None:
    with Staging(limit=1000) as staging, pytest.raises(InputError) as caught:
        staging.stdin(stream=io.BytesIO(b"a,b\n" * 1000))
    assert str(caught.value).startswith("<stdin>: larger than the 1000 bytes free to stage it")
    with Staging(limit=1000) as staging:
        path = staging.stdin("follows", stream=io.BytesIO(b"a,b\n" * 10))
        assert path.name == "follows.csv"
        assert path.read_bytes() == b"a,b\n" * 10
    assert not path.exists()


def test_format_is_read_from_the_first_bytes() -> None:
    ndjson = b'\xef\xbb\xbf\n {"follower": "a", "followed": "b"}\n'
    assert _suffix_from_content(ndjson) == ".ndjson"
    assert _suffix_from_content(gzip.compress(ndjson)) == ".ndjson.gz"
    assert _suffix_from_content(parquet_bytes(FOLLOWS)) == ".parquet"
    assert _suffix_from_content(gzip.compress(b"a\tb\n")) == ".csv.gz"
    assert _suffix_from_content(b"") == ".csv"
    assert _suffix_from_content(b"PK\x03\x04...") == ".zip"


def test_secrets_never_reach_messages() -> None:
    assert display("https://u:p4ss@host/f.csv?sig=abc") == "https://u:***@host/f.csv"
    with pytest.raises(UsageError, match="local engine reads s3://"):
        graphkit.rank("hdfs://namenode/data/")


# --- regressions found in review -------------------------------------------------------------


@pytest.fixture
def odd_http_server():
    """An HTTP server on 127.0.0.1 that lies about its lengths and checks passwords; yields
    its base URL and the Authorization headers it saw."""
    import http.server
    import threading

    seen: list[str | None] = []
    body = FOLLOWS.write_csv().encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            if self.path.startswith("/short/"):  # promises more than it sends
                self.send_response(200)
                self.send_header("Content-Length", str(len(body) + 500))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path.startswith("/away/"):  # to another host: no password goes along
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{port}/plain/follows.csv")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", seen
    server.shutdown()
    server.server_close()


def test_a_download_cut_short_is_an_error(odd_http_server) -> None:
    base, _ = odd_http_server
    result = run(["rank", "--follows", f"{base}/short/follows.csv"])
    assert result.exit_code == 1, result.output
    size = len(FOLLOWS.write_csv().encode())
    assert result.output.strip() == (
        f"Error: {base}/short/follows.csv: the server sent {size:,} of {size + 500:,} bytes "
        "(connection closed early)"
    )


def test_a_password_in_the_url_is_basic_auth_for_that_host_only(
    odd_http_server, tmp_path: Path
) -> None:
    base, seen = odd_http_server
    secret_url = base.replace("http://", "http://ann:s%40cret@") + "/plain/follows.csv?sig=XYZ"
    output = tmp_path / "ranking.csv"
    result = run(["rank", "--follows", secret_url, "--manifest", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert seen == ["Basic YW5uOnNAY3JldA=="]  # ann:s@cret
    for text in (result.output, (tmp_path / "ranking.csv.manifest.json").read_text()):
        assert "s%40cret" not in text
        assert "XYZ" not in text
    seen.clear()
    redirected = base.replace("http://", "http://ann:pw@") + "/away/follows.csv"
    assert run(["rank", "--follows", redirected]).exit_code == 0
    assert seen == ["Basic YW5uOnB3", None]


@pytest.mark.parametrize(
    "url", ["http://[::1/follows.csv", "http://127.0.0.1:80x/follows.csv", "https://h/a\x01.csv"]
)
def test_a_malformed_url_is_one_line(url: str) -> None:
    result = run(["rank", "--follows", url])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ")
    assert result.output.count("\n") == 1


def test_parquet_dataset_files_must_have_the_same_columns(s3) -> None:
    weighted = FOLLOWS.with_columns(weight=pl.lit(5.0))
    put(s3, "data/follows/part-0.parquet", parquet_bytes(FOLLOWS))
    put(s3, "data/follows/part-1.parquet", parquet_bytes(weighted))
    result = run(["rank", f"s3://{s3[1]}/data/"])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == (
        f"Error: s3://{s3[1]}/data/follows: the files of a Parquet dataset must have the same "
        "columns: part-1.parquet has followed, follower, weight; part-0.parquet has followed, "
        "follower"
    )


def test_output_never_replaces_an_input_by_another_name_of_the_store(s3) -> None:
    source = put(s3, "data/follows.csv", FOLLOWS.write_csv().encode())
    for output in (
        source.replace("s3://", "s3a://"),
        source.replace("s3://", "S3N://"),
        source + "?region=us-east-1",
    ):
        result = run(["rank", "--follows", source, "-o", output])
        assert result.exit_code == 1, result.output
        assert "is also an input of this command" in result.output
    body = s3[0].get_object(Bucket=s3[1], Key="data/follows.csv")["Body"].read()
    assert body == FOLLOWS.write_csv().encode()


def test_store_errors_of_any_arrow_kind_are_one_line() -> None:
    """Azure's client fails with a bare ArrowException (no credentials), not an OSError."""
    import pyarrow as pa

    from graphkit.io.remote import _file_info

    class Failing:
        def get_file_info(self, path: str) -> None:
            raise pa.ArrowException("Unknown error: Failed to get token\nSee the logger")

    with pytest.raises(InputError) as caught:
        _file_info(Failing(), "c/x.csv", "abfs://c@account.dfs.core.windows.net/x.csv")
    assert str(caught.value) == (
        "abfs://c@account.dfs.core.windows.net/x.csv: cannot read (Unknown error: Failed to "
        "get token)"
    )
