"""Shared fixtures: the real data folder and tiny named graphs."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The real social-network data: $GRAPHKIT_SHARED_DATA, else ../shared/data."""
    return Path(os.environ.get("GRAPHKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real graphs; tests using it skip where it is absent (a fresh clone)."""
    folder = shared_data_dir()
    if not (folder / "README.md").is_file():
        pytest.skip(
            f"real data not found at {folder}: set GRAPHKIT_SHARED_DATA to the shared/data folder"
        )
    return folder


def follows_graph(edges: list[tuple[str, str]]) -> SocialGraph:
    """A graph of follow edges given as (follower, followed) pairs."""
    follows = pa.table(
        {"follower": [a for a, _ in edges], "followed": [b for _, b in edges]},
        schema=pa.schema([("follower", pa.string()), ("followed", pa.string())]),
    )
    return build_graph(Dataset(follows=follows))


TINY_GRAPHS = {
    # a -> b -> c -> d: attention flows to the end of the path.
    "path": [("a", "b"), ("b", "c"), ("c", "d")],
    # Everyone follows the hub.
    "star": [("a", "hub"), ("b", "hub"), ("c", "hub"), ("d", "hub")],
    # Two 3-cliques joined by one edge.
    "two_cliques": [
        ("a", "b"), ("b", "a"), ("a", "c"), ("c", "a"), ("b", "c"), ("c", "b"),
        ("x", "y"), ("y", "x"), ("x", "z"), ("z", "x"), ("y", "z"), ("z", "y"),
        ("c", "x"),
    ],
    # d follows nobody (dangling) and e is followed by nobody.
    "dangling": [("a", "b"), ("b", "c"), ("c", "a"), ("a", "d"), ("e", "a")],
    # A single edge.
    "edge": [("a", "b")],
}  # fmt: skip


@pytest.fixture(params=sorted(TINY_GRAPHS))
def tiny_graph(request: pytest.FixtureRequest) -> SocialGraph:
    """Each tiny named graph in turn."""
    return follows_graph(TINY_GRAPHS[request.param])


def read_edge_list_reference(path: Path) -> dict[tuple[str, str], float]:
    """Read a SNAP edge list with plain Python: summed weight per (source, target), no loops."""
    weights: dict[tuple[str, str], float] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            fields = line.split()
            if not fields or fields[0].startswith("#") or fields[0] == fields[1]:
                continue
            key = (fields[0], fields[1])
            weights[key] = weights.get(key, 0.0) + (float(fields[2]) if len(fields) > 2 else 1.0)
    return weights


def networkx_pagerank(path: Path) -> dict[str, float]:
    """networkx's PageRank (alpha 0.85) of an edge list, converged far below 1e-8 per node."""
    import networkx as nx

    edges = read_edge_list_reference(path)
    graph = nx.DiGraph()
    with path.open(encoding="utf-8") as handle:  # nodes seen only in self-loops count too
        graph.add_nodes_from(token for line in handle for token in line.split()[:2])
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in edges.items())
    # networkx stops when the L1 change is below N * tol.
    return nx.pagerank(graph, alpha=0.85, tol=1e-15 / graph.number_of_nodes() * 100,
                       max_iter=2000, weight="weight")  # fmt: skip


@pytest.fixture(scope="session")
def ego_twitter_reference(shared_data: Path) -> dict[str, float]:
    """networkx PageRank of the ego-Twitter follower graph (81,306 accounts)."""
    return networkx_pagerank(shared_data / "ego-twitter" / "twitter_combined.txt")


@pytest.fixture(scope="session")
def higgs_retweet_reference(shared_data: Path) -> dict[str, float]:
    """networkx PageRank of the weighted Higgs retweet network."""
    return networkx_pagerank(shared_data / "higgs-twitter" / "higgs-retweet_network.edgelist")


PLATFORM_EXPORTS = ROOT / "tests" / "data" / "platforms" / "northwind"
"""Export fixtures of a brand (Northwind Cloud) and three of its people, in each platform's
documented format: X archives (brand, Maya, Daniel), LinkedIn exports (Maya, Daniel), a
Mastodon export (Hana), and the roles.csv / identities.csv a marketing team would write."""


def zip_folder(folder: Path, target: Path, *, wrap: str | None = None) -> Path:
    """Zip a fixture folder the way the platform sends it, optionally inside one folder."""
    import zipfile

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, f"{wrap}/{name}" if wrap else name)
    return target


def _runs_on_spark(item: pytest.Item) -> bool:
    """Whether a test uses the Spark session, directly or as the ``spark`` engine parameter."""
    if "spark" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and any(
        isinstance(value, str) and value == "spark" for value in callspec.params.values()
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Spark tests are slow (a JVM, seconds per query): out of the fast tier, kept in CI."""
    for item in items:
        if _runs_on_spark(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (2 cores) for the whole run, serving Spark Connect too.

    Skips where pyspark is not installed (``pip install -e '.[spark]'``; CI installs it) or
    where there is no Java to run it.
    """
    pytest.importorskip("pyspark", reason="the Spark engine needs pip install -e '.[spark]'")
    import shutil
    import socket

    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java (a JDK 17 on PATH)")

    from graphkit.engines.spark import spark_session

    with socket.socket() as probe:  # a free port for the Spark Connect server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = spark_session(
        master="local[2]",
        conf={
            "spark.plugins": "org.apache.spark.sql.connect.SparkConnectPlugin",
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(port),
            # One shuffle partition: the test tables are small, and each further partition
            # of every shuffle is a task (about 3x the time per label-propagation iteration
            # with 4). The real graphs' tests ask for more (tests/engines/test_spark.py).
            "spark.sql.shuffle.partitions": "1",
        },
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server (moto's server mode) on 127.0.0.1, for the whole run; yields
    its endpoint URL. Clients reach it through the usual AWS environment (see ``s3``)."""
    moto_server = pytest.importorskip("moto.server", reason="needs pip install 'moto[server]'")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server: str, monkeypatch: pytest.MonkeyPatch):
    """A fresh bucket on the test S3 server, the AWS environment pointing at it; yields a
    boto3 client and the bucket name."""
    import uuid

    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "graphkit",
        "AWS_SECRET_ACCESS_KEY": "graphkit-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_server,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.client("s3", endpoint_url=s3_server)
    bucket = f"graphkit-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    return client, bucket


@pytest.fixture(scope="session")
def http_folder(tmp_path_factory: pytest.TempPathFactory):
    """A local HTTP server on 127.0.0.1 serving a folder; yields (base URL, folder)."""
    import functools
    import http.server
    import threading

    folder = tmp_path_factory.mktemp("http")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


@pytest.fixture
def postgres_uri():
    """A fresh schema on the PostgreSQL server of ``GRAPHKIT_TEST_POSTGRES_URI`` (.ci/run
    starts one); yields a URI whose search path is that schema. Skips without a server."""
    import urllib.parse
    import uuid

    uri = os.environ.get("GRAPHKIT_TEST_POSTGRES_URI")
    if not uri:
        pytest.skip("no PostgreSQL server: GRAPHKIT_TEST_POSTGRES_URI is unset (.ci/run sets it)")
    dbapi = pytest.importorskip("adbc_driver_postgresql.dbapi")
    try:
        connection = dbapi.connect(uri)
    except dbapi.Error as error:
        pytest.skip(f"PostgreSQL at {uri} is unreachable: {str(error).splitlines()[0]}")
    schema = f"graphkit_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    connection.commit()
    separator = "&" if "?" in uri else "?"
    options = urllib.parse.quote(f"-csearch_path={schema}")
    yield f"{uri}{separator}options={options}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {schema} CASCADE")
    connection.commit()
    connection.close()
