"""Seeded generator of realistic follower and interaction graphs for the benchmarks.

Three graph models (``--model``):

``powerlaw`` (the default, and the graph of every earlier benchmark run)
    A Chung-Lu style configuration model: every account gets an out-weight (how many accounts
    it follows) and an in-weight (how many follow it), both drawn from heavy-tailed Pareto
    laws, and follows pair followers with followed accounts in proportion to those weights.
    It is an expander: PageRank converges in about 25 power iterations.
``realistic``
    A degree-corrected stochastic block model with the same degree laws: accounts fall into
    communities of heavy-tailed sizes (consecutive account numbers); each community keeps a
    share of its follows inside (its locality, Beta-distributed with mean 0.9), in proportion
    to in-weights there, the others go to popular accounts anywhere; the most followed
    accounts form a rich club that follows only itself; a share of follows go to a friend's
    friend (triadic closure) and a share of the follows inside a community are followed back
    (reciprocity); accounts that follow nobody gather in some communities (the periphery of a
    crawl). Tuned with ``python -m benchmarks.graphs`` so that its PageRank iterations,
    clustering, modularity, reciprocity and dangling share fall in the range of real follower
    graphs.
``dangling``
    The power-law graph with 90% of the accounts following nobody (only followed), the rest
    following them and each other: most of the PageRank flows through dangling accounts.

Duplicate follows and self-follows are removed and redrawn, so ``follows`` is a set of
distinct pairs, as a platform export is. Handles are random, unique strings. A few popular
accounts are brands with employees (``accounts.organization`` and ``accounts.title``) who follow
their brand. Interactions (about 10% of the follows) are mostly engagements with followed
accounts, typed and time-stamped.

Follows are generated in chunks of follower ranges (whole communities in the realistic model),
each chunk holding every follow of its followers, so that removing duplicates within a chunk
removes them globally; chunks stream to disk and memory stays bounded (under 2 GB at 100M
edges).

There are ``edges / 10`` accounts unless ``--accounts`` says how many. With ``--integer-ids``
the generator writes only ``follows.parquet`` (two int64 columns, one row group per chunk,
each sorted by follower then followed, as an edge export such as twitter_rv's) and
``manifest.json``: the accounts' ids are a seeded random permutation of ``1 .. accounts``, so
their values say nothing of the communities, and an account that follows nobody and is
followed by nobody appears nowhere. That is how a Twitter-sized graph is written on a small
machine (``--edges 1.47B --accounts 41.7M``: memory is dominated by a few arrays over the
accounts, not by the follows).

Example
-------
``python -m benchmarks.generate --edges 10M --seed 1`` writes ``benchmarks/data/10M/``
(``--model realistic`` writes ``benchmarks/data/10M-realistic/``) with ``follows.csv``,
``follows.parquet``, ``accounts.csv``, ``interactions.csv`` and ``manifest.json`` (the
parameters and counts; written last, so its presence means the dataset is complete).
``python -m benchmarks.generate --edges 1.47B --accounts 41.7M --model realistic
--integer-ids`` writes ``benchmarks/data/1.47B-realistic-41.7M-accounts-int/``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

GENERATOR_VERSION: Final = 1
# The graph models (see the module docstring); "powerlaw" is the original benchmark graph.
MODELS: Final = ("powerlaw", "realistic", "dangling")
# Version of each model's output: a dataset written by another version is regenerated.
MODEL_VERSIONS: Final = {"powerlaw": GENERATOR_VERSION, "realistic": 1, "dangling": 1}
DATA_FOLDER: Final = Path(__file__).resolve().parent / "data"

MEAN_DEGREE: Final = 10.0
# Pareto shapes of the node weights; the degree distributions then have power-law tails with
# exponents shape + 1: about 2.1 for followers (celebrities), 2.7 for followings.
IN_WEIGHT_SHAPE: Final = 1.1
OUT_WEIGHT_SHAPE: Final = 1.7
MAX_FOLLOWING: Final = 5_000  # the follow limit of the large platforms
MAX_FOLLOWER_SHARE: Final = 0.2  # no account is expected to be followed by more than 20%
DEFAULT_CHUNK_EDGES: Final = 10_000_000
# Node indices are int32 throughout the generator.
MAX_ACCOUNTS: Final = 2**31 - 2
INTERACTION_RATIO: Final = 0.1
# Share of interactions that engage with an account the source follows.
ENGAGES_FOLLOWED_SHARE: Final = 0.7
INTERACTION_TYPES: Final = {
    "like": 0.45,
    "repost": 0.18,
    "reply": 0.12,
    "mention": 0.10,
    "comment": 0.10,
    "quote": 0.05,
}
# Interactions are dated back from this instant, recent ones more often.
REFERENCE_TIME: Final = np.datetime64("2025-01-01T00:00:00", "s")
MEAN_INTERACTION_AGE_DAYS: Final = 120.0
MAX_INTERACTION_AGE_DAYS: Final = 730.0
TITLES: Final = (
    "CTO",
    "CIO",
    "CMO",
    "VP Engineering",
    "VP Marketing",
    "Head of Sales",
    "Head of Data",
    "Product Manager",
    "Software Engineer",
    "Data Scientist",
    "Developer Advocate",
    "Solutions Architect",
    "Account Executive",
    "Marketing Manager",
    "Security Engineer",
)
# People outside any brand who still give a job title (consultants, freelancers).
TITLED_PERSON_SHARE: Final = 0.02
HANDLE_ALPHABET: Final = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
HANDLE_LETTERS: Final = HANDLE_ALPHABET[10:]
MAX_HANDLE_PREFIX: Final = 9
_REFILL_ROUNDS: Final = 30
# The realistic model (tuned against the real graphs by ``python -m benchmarks.graphs``).
# Beta law of each community's share of accounts that follow nobody (only followed).
DANGLING_BETA: Final = (0.15, 0.9)
MIN_COMMUNITY: Final = 20
MAX_COMMUNITY_SHARE: Final = 0.02
COMMUNITY_SIZE_SHAPE: Final = 1.2  # Pareto shape of community sizes
LOCALITY_BETA: Final = (9.0, 1.0)  # Beta law of each community's share of follows inside it
RICH_CLUB_SHARE: Final = 0.005  # the most followed accounts, who follow each other
CLOSURE_SHARE: Final = 0.3  # follows made to a friend's friend
FOLLOW_BACK_SHARE: Final = 0.45  # follows inside a community that are returned
# The dangling model: most accounts are only followed, as in a crawl of a few active ones.
DANGLING_MODEL_SHARE: Final = 0.9
_SIZE_SUFFIXES: Final = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "b": 10**9}
_SIZE_LABELS: Final = (("B", 10**9), ("M", 10**6), ("k", 10**3))
_CSV_OPTIONS: Final = pacsv.WriteOptions(include_header=False, quoting_style="none")


def parse_size(text: str | int) -> int:
    """Parse a count of edges or accounts such as ``20k``, ``1M``, ``41.7M``, ``1.47B`` or
    ``100000``.

    Examples
    --------
    >>> parse_size("10M"), parse_size("20k"), parse_size("1.5m"), parse_size(300)
    (10000000, 20000, 1500000, 300)
    >>> parse_size("1.47B"), parse_size("41.7M")
    (1470000000, 41700000)
    """
    if isinstance(text, int):
        return text
    cleaned = text.strip().replace("_", "").lower()
    suffix = cleaned[-1] if cleaned and cleaned[-1] in _SIZE_SUFFIXES else ""
    number = cleaned[: len(cleaned) - len(suffix)]
    try:
        value = float(number) * _SIZE_SUFFIXES[suffix]
    except ValueError:
        raise ValueError(f"not a size: {text!r} (use e.g. 20k, 1M, 41.7M, 1.47B)") from None
    if not (math.isfinite(value) and value >= 1) or value != round(value):
        raise ValueError(f"size must be a positive whole number, got {text!r}")
    return round(value)


def format_size(edges: int) -> str:
    """Return the short label of a count (at most two decimals), the inverse of
    :func:`parse_size`.

    Examples
    --------
    >>> format_size(10_000_000), format_size(20_000), format_size(1_500_000), format_size(300)
    ('10M', '20k', '1.5M', '300')
    >>> format_size(1_470_000_000), format_size(41_700_000), format_size(1_234_000)
    ('1.47B', '41.7M', '1234k')
    """
    for suffix, scale in _SIZE_LABELS:
        if edges >= scale and (edges * 100) % scale == 0:
            return f"{edges / scale:.2f}".rstrip("0").rstrip(".") + suffix
    return str(edges)


@dataclass(frozen=True)
class GeneratedDataset:
    """What :func:`generate` wrote, as recorded in ``manifest.json``.

    Attributes
    ----------
    folder
        The dataset folder.
    edges
        Follow records (distinct follower-followed pairs, no self-follows).
    nodes
        Accounts: rows of the accounts table (a few may appear in no edge), or with integer
        ids the range ``1 .. nodes`` they are drawn from.
    interactions
        Interaction records.
    brands, employees
        Brand accounts and the people who work for them (who follow their brand).
    seed
        Seed of the random generator.
    seconds
        Generation time.
    files
        Size in bytes of each file written, by name.
    version
        Version of the model's generator; data from another version is regenerated.
    model
        The graph model (:data:`MODELS`).
    integer_ids
        Whether the follows name accounts by integer ids (and only ``follows.parquet`` was
        written) rather than by handles.
    accounts_in_follows
        Accounts that follow or are followed by someone (``None`` in older manifests).
    max_followers, max_following
        The largest in-degree and out-degree (``None`` in older manifests).
    """

    folder: str
    edges: int
    nodes: int
    interactions: int
    brands: int
    employees: int
    seed: int
    seconds: float
    files: dict[str, int] = field(default_factory=dict)
    version: int = GENERATOR_VERSION
    model: str = "powerlaw"
    integer_ids: bool = False
    accounts_in_follows: int | None = None
    max_followers: int | None = None
    max_following: int | None = None


def default_folder(edges: int) -> Path:
    """Return ``benchmarks/data/<size label>``, where datasets are written by default."""
    return DATA_FOLDER / format_size(edges)


def account_count(edges: int, accounts: int | None = None) -> int:
    """Return the number of accounts of a graph of ``edges`` follows: ``accounts``, checked,
    or by default ``edges / 10`` (at least 10).

    Examples
    --------
    >>> account_count(10_000_000), account_count(1_470_000_000, 41_700_000)
    (1000000, 41700000)
    """
    if accounts is None:
        return max(10, round(edges / MEAN_DEGREE))
    if not 10 <= accounts <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be between 10 and {MAX_ACCOUNTS:,}, got {accounts:,}")
    if edges / accounts > (accounts - 1) / 4:
        raise ValueError(
            f"{edges:,} follows among {accounts:,} accounts is too dense (at most "
            f"{accounts * (accounts - 1) // 4:,}); give more accounts"
        )
    return accounts


def dataset_folder(
    edges: int,
    model: str = "powerlaw",
    *,
    accounts: int | None = None,
    integer_ids: bool = False,
) -> Path:
    """Return where a dataset of ``model`` is written by default: ``benchmarks/data/<size>``
    for the power-law graph, ``benchmarks/data/<size>-<model>`` for the others, then
    ``-<accounts>-accounts`` if that is not the default and ``-int`` with integer ids.

    Examples
    --------
    >>> dataset_folder(10_000_000).name, dataset_folder(10_000_000, "realistic").name
    ('10M', '10M-realistic')
    >>> dataset_folder(1_470_000_000, "realistic", accounts=41_700_000, integer_ids=True).name
    '1.47B-realistic-41.7M-accounts-int'
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r} (choose from {', '.join(MODELS)})")
    label = format_size(edges)
    if model != "powerlaw":
        label += f"-{model}"
    if accounts is not None and accounts != account_count(edges):
        label += f"-{format_size(accounts)}-accounts"
    return DATA_FOLDER / (f"{label}-int" if integer_ids else label)


def read_manifest(folder: str | Path) -> GeneratedDataset | None:
    """Return the manifest of a complete dataset folder, ``None`` if there is none."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return None
    try:
        return GeneratedDataset(**json.loads(path.read_text(encoding="utf-8")))
    except (TypeError, ValueError):
        return None


def ensure_dataset(
    edges: int,
    *,
    seed: int = 1,
    folder: str | Path | None = None,
    model: str = "powerlaw",
    accounts: int | None = None,
    integer_ids: bool = False,
    quiet: bool = False,
) -> GeneratedDataset:
    """Return the dataset of ``edges`` follows, ``seed``, ``model``, ``accounts`` and id kind,
    generating it unless present."""
    if folder is None:
        folder = dataset_folder(edges, model, accounts=accounts, integer_ids=integer_ids)
    manifest = read_manifest(folder)
    if (
        manifest is not None
        and manifest.edges == edges
        and manifest.seed == seed
        and manifest.model == model
        and manifest.version == MODEL_VERSIONS.get(model)
        and manifest.nodes == account_count(edges, accounts)
        and manifest.integer_ids == integer_ids
    ):
        return manifest
    return generate(
        edges,
        folder,
        seed=seed,
        model=model,
        accounts=accounts,
        integer_ids=integer_ids,
        quiet=quiet,
    )


def generate(
    edges: int,
    folder: str | Path | None = None,
    *,
    seed: int = 1,
    chunk_edges: int = DEFAULT_CHUNK_EDGES,
    interaction_ratio: float = INTERACTION_RATIO,
    model: str = "powerlaw",
    accounts: int | None = None,
    integer_ids: bool = False,
    quiet: bool = False,
) -> GeneratedDataset:
    """Generate a follower/interaction dataset and write it to ``folder``.

    Parameters
    ----------
    edges
        Number of follow records (distinct pairs).
    folder
        Output folder, created if needed (default :func:`dataset_folder`).
    seed
        Seed of the random generator: the same seed and sizes give the same files.
    chunk_edges
        Follows generated and written per chunk; bounds memory.
    interaction_ratio
        Interaction records per follow record (none with integer ids).
    model
        ``powerlaw`` (a random graph with power-law degrees, the original benchmark graph),
        ``realistic`` (communities, locality, follow-backs, friends of friends and accounts
        that follow nobody: mixes as slowly as real follower graphs) or ``dangling`` (90% of
        the accounts follow nobody; they are only followed).
    accounts
        Number of accounts (default ``edges / 10``).
    integer_ids
        Write only ``follows.parquet``, naming accounts by integer ids (a seeded random
        permutation of ``1 .. accounts``; accounts in no follow appear nowhere), one row group
        per chunk, each sorted by follower then followed: no handles, accounts or interactions.
    quiet
        Print no progress on stderr.

    Returns
    -------
    GeneratedDataset
        The counts and files written (also saved as ``manifest.json``).

    Raises
    ------
    ValueError
        If the sizes, the model or the accounts cannot make such a graph.

    Examples
    --------
    >>> import tempfile
    >>> dataset = generate(2_000, tempfile.mkdtemp(), seed=7, quiet=True)
    >>> dataset.edges, dataset.nodes, dataset.interactions
    (2000, 200, 200)
    >>> dataset = generate(2_000, tempfile.mkdtemp(), accounts=100, integer_ids=True, quiet=True)
    >>> dataset.nodes, list(dataset.files)
    (100, ['follows.parquet'])
    """
    if edges < 10:
        raise ValueError(f"edges must be at least 10, got {edges}")
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r} (choose from {', '.join(MODELS)})")
    n_nodes = account_count(edges, accounts)
    started = time.perf_counter()
    if folder is None:
        folder = dataset_folder(edges, model, accounts=accounts, integer_ids=integer_ids)
    folder = Path(folder)
    rng = np.random.default_rng(seed)

    plan = _follow_plan(rng, model, edges, n_nodes)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").unlink(missing_ok=True)
    communities = plan.communities
    # The power-law and dangling models draw whole chunks of targets at once from these.
    in_probabilities = (
        plan.in_weights / plan.in_weights.sum() if communities is None else np.empty(0)
    )
    target_sampler = WeightedSampler(plan.in_weights)
    handles = None if integer_ids else random_handles(rng, n_nodes)
    staff = _brands_and_staff(rng, plan.in_weights, plan.out_degrees)
    out_degrees = plan.out_degrees
    del plan
    kind = "integer ids" if integer_ids else "handles"
    _progress(
        quiet,
        f"generating {edges:,} follows among {n_nodes:,} accounts ({model}, {kind}) into {folder}",
    )
    chunks = _follow_chunks(
        rng, out_degrees, chunk_edges, communities, in_probabilities, target_sampler, staff
    )
    tally = _DegreeTally(n_nodes)
    try:
        if handles is None:
            files, n_interactions = _write_integer_follows(
                folder, rng, chunks, tally, edges, started, quiet
            )
        else:
            files, n_interactions = _write_handle_dataset(
                folder, rng, chunks, tally, handles, staff, edges, interaction_ratio, started, quiet
            )
    except BaseException:
        # No partial files (an interrupted Twitter-sized run would leave gigabytes).
        for name in ("follows.csv", "follows.parquet", "interactions.csv", "accounts.csv"):
            (folder / f"{name}.tmp").unlink(missing_ok=True)
        if created and not any(folder.iterdir()):
            folder.rmdir()
        raise

    dataset = GeneratedDataset(
        folder=str(folder),
        edges=edges,
        nodes=n_nodes,
        interactions=n_interactions,
        brands=int(staff.brands.shape[0]),
        employees=int(np.count_nonzero(staff.employer >= 0)),
        seed=seed,
        seconds=round(time.perf_counter() - started, 3),
        model=model,
        version=MODEL_VERSIONS[model],
        files=files,
        integer_ids=integer_ids,
        accounts_in_follows=tally.accounts_in_follows(),
        max_followers=int(tally.followers.max()),
        max_following=tally.max_following,
    )
    manifest = folder / "manifest.json"
    manifest.with_suffix(".tmp").write_text(json.dumps(asdict(dataset), indent=2) + "\n")
    manifest.with_suffix(".tmp").replace(manifest)
    _progress(quiet, f"done in {dataset.seconds:.1f} s")
    return dataset


def _write_handle_dataset(
    folder: Path,
    rng: np.random.Generator,
    chunks: Iterator[_FollowChunk],
    tally: _DegreeTally,
    handles: pa.StringArray,
    staff: _Staff,
    edges: int,
    interaction_ratio: float,
    started: float,
    quiet: bool,
) -> tuple[dict[str, int], int]:
    """Write follows (CSV and Parquet), interactions and accounts named by handles; return
    the files' sizes and the number of interactions."""
    follows_csv = _CsvStream(folder / "follows.csv", ["follower", "followed"])
    follows_parquet = _ParquetStream(folder / "follows.parquet", ["follower", "followed"])
    interactions_csv = _CsvStream(
        folder / "interactions.csv", ["source", "target", "type", "timestamp"]
    )
    n_interactions = 0
    for chunk in chunks:
        tally.add(chunk)
        sources, targets = chunk.sources, chunk.targets
        follows = pa.table({"follower": handles.take(sources), "followed": handles.take(targets)})
        follows_csv.write(follows)
        follows_parquet.write(follows)
        del follows
        wanted = round(interaction_ratio * chunk.edges_done) - n_interactions
        interactions = _interaction_chunk(rng, sources, targets, wanted, chunk.sampler)
        interactions_csv.write(
            pa.table(
                {
                    "source": handles.take(interactions.sources),
                    "target": handles.take(interactions.targets),
                    "type": interactions.types,
                    "timestamp": interactions.timestamps,
                }
            )
        )
        n_interactions += wanted
        _progress(quiet, _progress_line(chunk.edges_done, edges, started))
    for stream in (follows_csv, follows_parquet, interactions_csv):
        stream.close()
    _write_accounts(folder / "accounts.csv", rng, handles, staff)
    names = ("follows.csv", "follows.parquet", "accounts.csv", "interactions.csv")
    return {name: (folder / name).stat().st_size for name in names}, n_interactions


def _write_integer_follows(
    folder: Path,
    rng: np.random.Generator,
    chunks: Iterator[_FollowChunk],
    tally: _DegreeTally,
    edges: int,
    started: float,
    quiet: bool,
) -> tuple[dict[str, int], int]:
    """Write ``follows.parquet`` with integer ids, one row group per chunk sorted by follower
    then followed; return the file's size and no interactions."""
    n_nodes = tally.followers.shape[0]
    # ids[node] is the account's id; id_span leaves room to pack an id pair in one int64.
    ids = rng.permutation(n_nodes)
    ids += 1
    id_span = n_nodes + 1
    follows_parquet = _ParquetStream(
        folder / "follows.parquet", ["follower", "followed"], row_group_size=None
    )
    for chunk in chunks:
        tally.add(chunk)
        keys = ids[chunk.sources]
        keys *= id_span
        keys += ids[chunk.targets]
        del chunk
        keys.sort()
        followers, followed = np.divmod(keys, id_span)
        del keys
        follows_parquet.write(pa.table({"follower": followers, "followed": followed}))
        del followers, followed
        _progress(quiet, _progress_line(tally.edges, edges, started))
    follows_parquet.close()
    return {"follows.parquet": (folder / "follows.parquet").stat().st_size}, 0


def _progress_line(done: int, edges: int, started: float) -> str:
    seconds = time.perf_counter() - started
    rate = done / max(seconds, 1e-9)
    left = (edges - done) / max(rate, 1e-9)
    return (
        f"  {done:,} / {edges:,} follows ({seconds:,.0f} s, {rate / 1e6:.2f}M/s, "
        f"~{left:,.0f} s left)"
    )


@dataclass(frozen=True)
class _FollowChunk:
    """The follows of followers ``start .. stop-1``, and how many follows are done with it."""

    start: int
    stop: int
    sources: np.ndarray  # int32 follower of each follow
    targets: np.ndarray  # int32 followed account
    edges_done: int
    sampler: WeightedSampler


def _follow_chunks(
    rng: np.random.Generator,
    out_degrees: np.ndarray,
    chunk_edges: int,
    communities: _Communities | None,
    in_probabilities: np.ndarray,
    target_sampler: WeightedSampler,
    staff: _Staff,
) -> Iterator[_FollowChunk]:
    """Draw the follows chunk by chunk (followers in consecutive ranges, whole communities in
    the realistic model), each chunk holding every follow of its followers."""
    n_nodes = out_degrees.shape[0]
    first_edge = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(out_degrees, out=first_edge[1:])
    starts = None if communities is None else communities.starts
    ranges = _follower_ranges(first_edge, chunk_edges, starts)
    edges_done = [int(first_edge[stop_node]) for _, stop_node in ranges]
    del first_edge
    for (start_node, stop_node), done in zip(ranges, edges_done, strict=True):
        # No local keeps the pairs while the caller holds the chunk, so it can free them.
        yield _FollowChunk(
            start_node,
            stop_node,
            *(
                _follow_chunk(
                    rng,
                    start_node,
                    stop_node,
                    out_degrees,
                    in_probabilities,
                    target_sampler,
                    staff.employer,
                )
                if communities is None
                else _community_chunk(
                    rng,
                    start_node,
                    stop_node,
                    out_degrees,
                    communities,
                    target_sampler,
                    staff.employer,
                )
            ),
            edges_done=done,
            sampler=target_sampler,
        )


class _DegreeTally:
    """Running in- and out-degrees of the follows written, for the manifest."""

    def __init__(self, n_nodes: int) -> None:
        self.followers = np.zeros(n_nodes, dtype=np.int32)
        self.follows_anyone = np.zeros(n_nodes, dtype=bool)
        self.max_following = 0
        self.edges = 0

    def add(self, chunk: _FollowChunk) -> None:
        following = np.bincount(chunk.sources - chunk.start, minlength=chunk.stop - chunk.start)
        self.follows_anyone[chunk.start : chunk.stop] = following > 0
        self.max_following = max(self.max_following, int(following.max(initial=0)))
        followers = np.bincount(chunk.targets, minlength=self.followers.shape[0])
        np.add(self.followers, followers, out=self.followers, casting="unsafe")
        self.edges += chunk.sources.shape[0]

    def accounts_in_follows(self) -> int:
        return int(np.count_nonzero(self.follows_anyone | (self.followers > 0)))


class WeightedSampler:
    """Draw node indices with probability proportional to their weights (inverse CDF).

    The weights are sorted in decreasing order first, so most draws land in the short, heavy
    head of the cumulative table and stay in cache.

    Parameters
    ----------
    weights
        Non-negative weight of each node, not all zero.
    """

    def __init__(self, weights: np.ndarray) -> None:
        self.order = np.argsort(-weights, kind="stable").astype(np.int32)
        self.cumulative = np.cumsum(weights[self.order])

    def sample(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Return ``count`` int32 node indices drawn independently."""
        thresholds = rng.random(count) * self.cumulative[-1]
        positions = np.searchsorted(self.cumulative, thresholds, side="right")
        nodes: np.ndarray = self.order[np.minimum(positions, self.order.shape[0] - 1)]
        return nodes


def random_handles(rng: np.random.Generator, count: int) -> pa.StringArray:
    """Return ``count`` unique, random-looking handles such as ``kqzr0x3f9``.

    Each handle is 1 to 9 random letters followed by a fixed-width base-36 code; the codes are
    an affine bijection of ``0 .. count-1``, which makes the handles unique.

    Examples
    --------
    >>> handles = random_handles(np.random.default_rng(0), 1000)
    >>> len(set(handles.to_pylist()))
    1000
    """
    width = max(4, math.ceil(math.log(max(count, 2) * 64, 36)))
    space = 36**width
    multiplier = 7_919 * 1_000_003  # coprime with 36, so the map below is a bijection
    codes = (np.arange(count, dtype=np.int64) * (multiplier % space) + rng.integers(space)) % space
    prefix_lengths = rng.integers(1, MAX_HANDLE_PREFIX + 1, count)
    characters = np.empty((count, MAX_HANDLE_PREFIX + width), dtype=np.uint8)
    characters[:, :MAX_HANDLE_PREFIX] = HANDLE_LETTERS[
        rng.integers(0, HANDLE_LETTERS.shape[0], (count, MAX_HANDLE_PREFIX), dtype=np.uint8)
    ]
    for position in range(width):
        codes, digit = np.divmod(codes, 36)
        characters[:, MAX_HANDLE_PREFIX + width - 1 - position] = HANDLE_ALPHABET[digit]
    # Right-align each prefix against its code, then keep the last (prefix + width) bytes.
    keep = np.arange(MAX_HANDLE_PREFIX + width) >= (MAX_HANDLE_PREFIX - prefix_lengths)[:, None]
    offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(prefix_lengths + width, out=offsets[1:])
    data = characters[keep]
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))


# --- follows ----------------------------------------------------------------------------------


def _capped_weights(weights: np.ndarray, edges: int, max_degree: float) -> np.ndarray:
    """Saturate weights smoothly so that no node's expected degree exceeds ``max_degree``.

    An expected degree ``d`` becomes ``d * max / (d + max)`` (repeated as the total shifts),
    which keeps the order of the heaviest nodes instead of clipping them to one value.
    """
    for _ in range(50):
        degrees = weights * (edges / weights.sum())
        if degrees.max() <= max_degree:
            break
        weights = degrees * max_degree / (degrees + max_degree)
    return weights


def _follower_ranges(
    first_edge: np.ndarray, chunk_edges: int, community_starts: np.ndarray | None = None
) -> list[tuple[int, int]]:
    """Split nodes into consecutive ranges holding about ``chunk_edges`` out-edges each; with
    ``community_starts``, every range holds whole communities."""
    total = int(first_edge[-1])
    n_chunks = max(1, math.ceil(total / chunk_edges))
    cuts = np.searchsorted(first_edge, np.arange(1, n_chunks) * (total / n_chunks))
    if community_starts is not None:
        cuts = community_starts[np.searchsorted(community_starts, cuts, side="right") - 1]
    bounds = [0, *sorted(set(cuts.tolist()) - {0, first_edge.shape[0] - 1})]
    bounds.append(first_edge.shape[0] - 1)
    return list(itertools.pairwise(bounds))


def _follow_chunk(
    rng: np.random.Generator,
    start_node: int,
    stop_node: int,
    out_degrees: np.ndarray,
    in_probabilities: np.ndarray,
    target_sampler: WeightedSampler,
    employer: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct (follower, followed) pairs of followers ``start .. stop-1``.

    Pairs come out in random order, without self-follows; every employee follows its brand.
    """
    n_nodes = in_probabilities.shape[0]
    degrees = out_degrees[start_node:stop_node]
    wanted = int(degrees.sum())
    sources = np.repeat(np.arange(start_node, stop_node, dtype=np.int32), degrees)
    # A multinomial draw of in-degrees, shuffled, pairs like independent weighted draws but
    # avoids a binary search per edge.
    in_degrees = rng.multinomial(wanted, in_probabilities)
    targets = rng.permutation(np.repeat(np.arange(n_nodes, dtype=np.int32), in_degrees))
    chunk_employees = np.flatnonzero(employer[start_node:stop_node] >= 0)
    first_edges = np.concatenate([[0], np.cumsum(degrees)[:-1]])[chunk_employees]
    targets[first_edges] = employer[start_node + chunk_employees]

    keys = _pair_keys(sources, targets, n_nodes)
    keys = _unique_sorted(keys)
    for _ in range(_REFILL_ROUNDS):
        missing = wanted - keys.shape[0]
        if missing == 0:
            break
        # Redraw the lost follows: followers in proportion to their follows in this chunk.
        draw = missing + missing // 4 + 16
        extra_sources = sources[rng.integers(0, sources.shape[0], draw)]
        extra_targets = target_sampler.sample(rng, draw)
        extra = _unique_sorted(_pair_keys(extra_sources, extra_targets, n_nodes))
        keys = _with_new_keys(rng, keys, extra, missing)
    return _shuffled_pairs(rng, keys, wanted, n_nodes, start_node, stop_node)


def _with_new_keys(
    rng: np.random.Generator, keys: np.ndarray, extra: np.ndarray, missing: int
) -> np.ndarray:
    """``keys`` (sorted, distinct) with up to ``missing`` random ones of the sorted, distinct
    ``extra`` that are not among them, sorted."""
    if keys.shape[0]:
        positions = np.minimum(np.searchsorted(keys, extra), keys.shape[0] - 1)
        extra = extra[keys[positions] != extra]
    extra = np.sort(extra[rng.permutation(extra.shape[0])[:missing]])
    # A merge of the few new keys into the sorted ones (a full sort per refill round was most
    # of a chunk's time).
    merged: np.ndarray = np.insert(keys, np.searchsorted(keys, extra), extra)
    return merged


def _shuffled_pairs(
    rng: np.random.Generator,
    keys: np.ndarray,
    wanted: int,
    n_nodes: int,
    start_node: int,
    stop_node: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The (follower, followed) pairs of ``keys`` in random order, once they are ``wanted``."""
    if keys.shape[0] != wanted:
        raise RuntimeError(
            f"could not draw {wanted:,} distinct follows for accounts {start_node:,}.."
            f"{stop_node - 1:,}; the graph is too dense for its size"
        )
    keys = rng.permutation(keys)
    followers, followed = np.divmod(keys, n_nodes)
    return followers.astype(np.int32), followed.astype(np.int32)


def _pair_keys(sources: np.ndarray, targets: np.ndarray, n_nodes: int) -> np.ndarray:
    """Encode (source, target) pairs as int64 keys, dropping self-loops."""
    distinct = sources != targets
    keys: np.ndarray = sources[distinct].astype(np.int64) * n_nodes + targets[distinct]
    return keys


def _unique_sorted(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash path is slower on large int64 arrays)."""
    ordered = np.sort(keys)
    if ordered.shape[0] == 0:
        return ordered
    first = np.empty(ordered.shape[0], dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


# --- graph models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Communities:
    """The communities of the realistic model: consecutive node ranges."""

    starts: np.ndarray  # int64, first node of each community, then n
    of: np.ndarray  # int32 community of each node
    locality: np.ndarray  # per community: share of its follows that stay inside
    cumulative_in: np.ndarray  # 0 then the running sum of the in-weights


@dataclass(frozen=True)
class _FollowPlan:
    """Who follows how many accounts, who is followed how much, and the communities (of the
    realistic model only)."""

    in_weights: np.ndarray
    out_degrees: np.ndarray
    communities: _Communities | None = None


def _follow_plan(rng: np.random.Generator, model: str, edges: int, n_nodes: int) -> _FollowPlan:
    """Draw the node weights and out-degrees of ``model`` (the power-law draws come first and
    in the original order, so the ``powerlaw`` files are those of generator version 1)."""
    in_weights = _capped_weights(
        rng.pareto(IN_WEIGHT_SHAPE, n_nodes) + 1.0, edges, MAX_FOLLOWER_SHARE * n_nodes
    )
    raw_out = rng.pareto(OUT_WEIGHT_SHAPE, n_nodes) + 1.0
    starts = None
    closed = np.zeros(0, dtype=bool)
    if model == "dangling":
        raw_out[rng.permutation(n_nodes)[: math.floor(DANGLING_MODEL_SHARE * n_nodes)]] = 0.0
    elif model == "realistic":
        # Accounts that follow nobody gather in some communities (the periphery of a crawl)
        # and are rare in others, which keep their attention (and their PageRank) inside.
        starts = _community_starts(rng, n_nodes)
        n_communities = starts.shape[0] - 1
        # The rich club: the most followed accounts form the first community, all follow
        # someone and only each other, so the attention everyone pays them stays among them.
        closed = np.zeros(n_communities, dtype=bool)
        closed[0] = True
        richest = np.argsort(-in_weights, kind="stable")[: starts[1]]
        others = np.ones(n_nodes, dtype=bool)
        others[richest] = False
        in_weights = np.concatenate([in_weights[richest], in_weights[others]])
        community_dangling = np.where(
            closed, 0.0, rng.beta(DANGLING_BETA[0], DANGLING_BETA[1], n_communities)
        )
        raw_out[rng.random(n_nodes) < np.repeat(community_dangling, np.diff(starts))] = 0.0
    active = max(1, int(np.count_nonzero(raw_out)))
    out_weights = _capped_weights(raw_out, edges, min(MAX_FOLLOWING, max(1.0, (n_nodes - 1) / 4)))
    if model != "powerlaw" and edges / active > (n_nodes - 1) / 2:
        raise ValueError(
            f"the {model} model cannot place {edges:,} follows: only {active:,} of the "
            f"{n_nodes:,} accounts follow anyone; generate more edges"
        )
    out_degrees = rng.multinomial(edges, out_weights / out_weights.sum())
    if starts is None:
        return _FollowPlan(in_weights=in_weights, out_degrees=out_degrees)
    cumulative_in = np.zeros(n_nodes + 1)
    np.cumsum(in_weights, out=cumulative_in[1:])
    locality = rng.beta(LOCALITY_BETA[0], LOCALITY_BETA[1], starts.shape[0] - 1)
    communities = _Communities(
        starts=starts,
        of=np.repeat(np.arange(starts.shape[0] - 1, dtype=np.int32), np.diff(starts)),
        locality=np.where(closed, 1.0, locality),
        cumulative_in=cumulative_in,
    )
    return _FollowPlan(in_weights=in_weights, out_degrees=out_degrees, communities=communities)


def _community_starts(rng: np.random.Generator, n_nodes: int) -> np.ndarray:
    """First node of each community, then ``n_nodes``: the rich club
    (:data:`RICH_CLUB_SHARE` of the accounts), then heavy-tailed sizes (Pareto) from
    :data:`MIN_COMMUNITY` to :data:`MAX_COMMUNITY_SHARE` of the accounts."""
    largest = max(MIN_COMMUNITY, round(MAX_COMMUNITY_SHARE * n_nodes))
    sizes = np.minimum(
        np.round(
            MIN_COMMUNITY * (rng.pareto(COMMUNITY_SIZE_SHAPE, n_nodes // MIN_COMMUNITY + 1) + 1.0)
        ),
        largest,
    ).astype(np.int64)
    sizes[0] = max(MIN_COMMUNITY, round(RICH_CLUB_SHARE * n_nodes))
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, n_nodes)) + 1
    starts = np.concatenate([[0], ends[: count - 1], [n_nodes]]).astype(np.int64)
    return np.unique(np.minimum(starts, n_nodes))


def _local_targets(
    rng: np.random.Generator, sources: np.ndarray, communities: _Communities
) -> np.ndarray:
    """One followed account per source, inside its community, in proportion to in-weights."""
    community = communities.of[sources]
    first = communities.starts[community]
    last = communities.starts[community + 1] - 1
    cumulative = communities.cumulative_in
    low = cumulative[first]
    thresholds = low + rng.random(sources.shape[0]) * (cumulative[last + 1] - low)
    positions = np.searchsorted(cumulative, thresholds, side="right") - 1
    targets: np.ndarray = np.clip(positions, first, last).astype(np.int32)
    return targets


def _model_targets(
    rng: np.random.Generator,
    sources: np.ndarray,
    communities: _Communities,
    target_sampler: WeightedSampler,
    locality: float | None = None,
) -> np.ndarray:
    """One followed account per source: inside its community with the community's locality
    (or ``locality``), else anywhere in proportion to in-weights."""
    share = communities.locality[communities.of[sources]] if locality is None else locality
    local = rng.random(sources.shape[0]) < share
    targets = np.empty(sources.shape[0], dtype=np.int32)
    targets[local] = _local_targets(rng, sources[local], communities)
    targets[~local] = target_sampler.sample(rng, int(np.count_nonzero(~local)))
    return targets


def _community_chunk(
    rng: np.random.Generator,
    start_node: int,
    stop_node: int,
    out_degrees: np.ndarray,
    communities: _Communities,
    target_sampler: WeightedSampler,
    employer: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (follower, followed) pairs of followers ``start .. stop-1`` (whole
    communities) in the realistic model, in random order, without self-follows.

    Follows go inside the follower's community with its locality, else to popular accounts
    anywhere; a share goes to a friend's friend (triadic closure), and a share of the
    follows inside a community are followed back by accounts that follow anyone at all. The
    count is then trimmed or topped up to the followers' out-degrees. Every employee follows
    its brand.
    """
    n_nodes = out_degrees.shape[0]
    degrees = out_degrees[start_node:stop_node]
    wanted = int(degrees.sum())
    # Leave room for the follow-backs, which count as follows of the followed account.
    base_degrees = rng.binomial(degrees, 1.0 / (1.0 + FOLLOW_BACK_SHARE))
    sources = np.repeat(np.arange(start_node, stop_node, dtype=np.int32), base_degrees)
    targets = _model_targets(rng, sources, communities, target_sampler)
    # Triadic closure: replace some follows u -> w by u -> x, x a follow of w drawn above.
    first_follow = np.zeros(stop_node - start_node + 1, dtype=np.int64)
    np.cumsum(base_degrees, out=first_follow[1:])
    in_chunk = (targets >= start_node) & (targets < stop_node)
    closing = np.flatnonzero(in_chunk & (rng.random(sources.shape[0]) < CLOSURE_SHARE))
    friend = targets[closing] - start_node
    friend_follows = base_degrees[friend]
    closing, friend, friend_follows = (
        array[friend_follows > 0] for array in (closing, friend, friend_follows)
    )
    picks = first_follow[friend] + (rng.random(closing.shape[0]) * friend_follows).astype(np.int64)
    targets[closing] = targets[picks]
    # Employees follow their brand.
    employees = start_node + np.flatnonzero(employer[start_node:stop_node] >= 0)
    staff_keys = employees.astype(np.int64) * n_nodes + employer[employees]
    keys = _unique_sorted(np.concatenate([_pair_keys(sources, targets, n_nodes), staff_keys]))
    # Follow-backs inside a community, by accounts that follow anyone.
    followers, followed = np.divmod(keys, n_nodes)
    returning = (
        (communities.of[followed] == communities.of[followers])
        & (out_degrees[followed] > 0)
        & (rng.random(keys.shape[0]) < FOLLOW_BACK_SHARE)
    )
    backs = followed[returning] * n_nodes + followers[returning]
    keys = _unique_sorted(np.concatenate([keys, backs]))
    del followers, followed, backs
    if keys.shape[0] > wanted:
        # Too many: drop random follows other than the employees' brand follows.
        removable = np.flatnonzero(~np.isin(keys, staff_keys, assume_unique=True))
        dropped = rng.choice(removable, keys.shape[0] - wanted, replace=False)
        keys = np.delete(keys, dropped)
    for round_ in range(_REFILL_ROUNDS):
        missing = wanted - keys.shape[0]
        if missing <= 0:
            break
        draw = missing + missing // 4 + 16
        extra_sources = sources[rng.integers(0, sources.shape[0], draw)]
        # Half the rounds keep the model; then anywhere, for followers whose community is
        # too small for all their follows.
        locality = None if round_ < _REFILL_ROUNDS // 2 else 0.0
        extra_targets = _model_targets(rng, extra_sources, communities, target_sampler, locality)
        extra = _unique_sorted(_pair_keys(extra_sources, extra_targets, n_nodes))
        keys = _with_new_keys(rng, keys, extra, missing)
    return _shuffled_pairs(rng, keys, wanted, n_nodes, start_node, stop_node)


# --- brands and staff -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Staff:
    brands: np.ndarray  # node of each brand account
    employer: np.ndarray  # per node: the brand node it works for, -1 if none
    title: np.ndarray  # per node: index into TITLES (CEO = -2), -1 if none


def _brands_and_staff(
    rng: np.random.Generator, in_weights: np.ndarray, out_degrees: np.ndarray
) -> _Staff:
    """Pick popular brand accounts and give each a staff of people who follow it."""
    n_nodes = in_weights.shape[0]
    n_brands = int(np.clip(n_nodes // 10_000, 3, 50))
    popular = np.argsort(-in_weights)[: max(n_brands, n_nodes // 100)]
    brands = rng.choice(popular, n_brands, replace=False).astype(np.int32)
    employer = np.full(n_nodes, -1, dtype=np.int32)
    title = np.full(n_nodes, -1, dtype=np.int16)
    is_brand = np.zeros(n_nodes, dtype=bool)
    is_brand[brands] = True
    # Staff must follow at least one account: their first follow becomes their brand.
    candidates = rng.permutation(np.flatnonzero((out_degrees > 0) & ~is_brand))
    staff_sizes = np.clip(np.round(rng.lognormal(np.log(30), 1.0, n_brands)), 3, 500)
    staff_sizes = staff_sizes.astype(np.int64)
    staff_sizes = np.minimum(staff_sizes, candidates.shape[0] // (2 * n_brands))
    start = 0
    for brand, size in zip(brands, staff_sizes, strict=True):
        people = candidates[start : start + size]
        start += size
        employer[people] = brand
        title[people] = rng.integers(0, len(TITLES), people.shape[0])
        if people.shape[0]:
            title[people[0]] = -2
    others = candidates[start:]
    freelancers = others[rng.random(others.shape[0]) < TITLED_PERSON_SHARE]
    title[freelancers] = rng.integers(0, len(TITLES), freelancers.shape[0])
    return _Staff(brands=brands, employer=employer, title=title)


def _write_accounts(
    path: Path, rng: np.random.Generator, handles: pa.StringArray, staff: _Staff
) -> None:
    """Write ``id, handle, kind, organization, title``, one row per account."""
    n_nodes = len(handles)
    titles = pa.array(["CEO", *TITLES], pa.string())
    kinds = pa.array(["person", "brand"], pa.string())
    is_brand = np.zeros(n_nodes, dtype=np.int8)
    is_brand[staff.brands] = 1
    stream = _CsvStream(path, ["id", "handle", "kind", "organization", "title"])
    step = 1_000_000
    for start in range(0, n_nodes, step):
        stop = min(n_nodes, start + step)
        ids = handles.slice(start, stop - start)
        employer = staff.employer[start:stop]
        title = staff.title[start:stop]
        title_index = np.where(title == -2, 0, title + 1)
        stream.write(
            pa.table(
                {
                    "id": ids,
                    "handle": pc.binary_join_element_wise("@", ids, ""),
                    "kind": kinds.take(is_brand[start:stop]),
                    "organization": handles.take(
                        pa.array(np.maximum(employer, 0), mask=employer < 0)
                    ),
                    "title": titles.take(pa.array(title_index, mask=title == -1)),
                }
            )
        )
    stream.close()


# --- interactions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Interactions:
    sources: np.ndarray
    targets: np.ndarray
    types: pa.Array
    timestamps: pa.Array


def _interaction_chunk(
    rng: np.random.Generator,
    follow_sources: np.ndarray,
    follow_targets: np.ndarray,
    count: int,
    target_sampler: WeightedSampler,
) -> _Interactions:
    """Draw ``count`` interactions by the followers of this chunk.

    Most engage with an account the source follows; the rest reach popular accounts at random.
    Sources are active in proportion to how many accounts they follow. No self-interactions.
    """
    engaging = round(count * ENGAGES_FOLLOWED_SHARE)
    picked = rng.integers(0, follow_sources.shape[0], count)
    sources = follow_sources[picked]
    targets = np.empty(count, dtype=np.int32)
    targets[:engaging] = follow_targets[picked[:engaging]]
    targets[engaging:] = target_sampler.sample(rng, count - engaging)
    n_nodes = target_sampler.order.shape[0]
    loops = sources == targets
    targets[loops] = (targets[loops] + 1) % n_nodes
    order = rng.permutation(count)
    names = pa.array(list(INTERACTION_TYPES), pa.string())
    probabilities = np.array(list(INTERACTION_TYPES.values()))
    type_index = rng.choice(len(INTERACTION_TYPES), count, p=probabilities / probabilities.sum())
    age_seconds = np.minimum(
        rng.exponential(MEAN_INTERACTION_AGE_DAYS * 86_400, count),
        MAX_INTERACTION_AGE_DAYS * 86_400,
    ).astype(np.int64)
    timestamps = REFERENCE_TIME - age_seconds.astype("timedelta64[s]")
    return _Interactions(
        sources=sources[order],
        targets=targets[order],
        types=names.take(type_index),
        timestamps=pa.array(timestamps, pa.timestamp("s", tz="UTC")),
    )


# --- writers ----------------------------------------------------------------------------------


class _CsvStream:
    """A CSV file written table by table, renamed into place when closed."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.temporary = path.with_name(path.name + ".tmp")
        self.columns = columns
        self.writer: pacsv.CSVWriter | pq.ParquetWriter | None = None
        self.file: BinaryIO | None = None

    def write(self, table: pa.Table) -> None:
        table = table.select(self.columns)
        if self.writer is None:
            # pyarrow quotes header names; write a plain header as exports usually have.
            self.file = self.temporary.open("wb")
            self.file.write((",".join(self.columns) + "\n").encode())
            self.writer = pacsv.CSVWriter(self.file, table.schema, write_options=_CSV_OPTIONS)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            if self.file is not None:
                self.file.close()
            self.temporary.replace(self.path)


class _ParquetStream(_CsvStream):
    """A Parquet file written table by table (row groups of at most ``row_group_size`` rows,
    or one per table if ``None``), renamed when closed."""

    def __init__(self, path: Path, columns: list[str], row_group_size: int | None = 1 << 20):
        super().__init__(path, columns)
        self.row_group_size = row_group_size

    def write(self, table: pa.Table) -> None:
        table = table.select(self.columns)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.temporary, table.schema)
        self.writer.write_table(table, row_group_size=self.row_group_size or max(1, len(table)))


def _progress(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.generate --edges 10M [--model realistic] [--seed 1]
    [--accounts N] [--integer-ids] [--out DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate",
        description="Generate a synthetic follower/interaction dataset (CSV and Parquet).",
        epilog="Examples: python -m benchmarks.generate --edges 10M --model realistic --seed 1; "
        "a graph of twitter_rv's size: python -m benchmarks.generate --edges 1.47B "
        "--accounts 41.7M --model realistic --integer-ids",
    )
    parser.add_argument(
        "--edges", required=True, type=parse_size, help="follow records, e.g. 1M, 10M, 100M"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--model",
        choices=MODELS,
        default="powerlaw",
        help="powerlaw (default; the original benchmark graph), realistic (communities, "
        "locality, follow-backs: mixes like real follower graphs) or dangling (90%% of the "
        "accounts follow nobody)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="output folder (default benchmarks/data/<size>, or <size>-<model> for the "
        "realistic and dangling models; then -<accounts>-accounts if not the default and -int "
        "with --integer-ids)",
    )
    parser.add_argument(
        "--chunk-edges",
        type=parse_size,
        default=DEFAULT_CHUNK_EDGES,
        help="follows per chunk; bounds memory (default 10M)",
    )
    parser.add_argument(
        "--accounts",
        type=parse_size,
        help="number of accounts, e.g. 41.7M (default: edges / 10)",
    )
    parser.add_argument(
        "--integer-ids",
        action="store_true",
        help="write only follows.parquet, accounts named by integer ids (a random permutation "
        "of 1..accounts), one row group per chunk: no accounts, handles or interactions",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print no progress")
    arguments = parser.parse_args(argv)
    try:
        dataset = generate(
            arguments.edges,
            arguments.out,
            seed=arguments.seed,
            chunk_edges=arguments.chunk_edges,
            model=arguments.model,
            accounts=arguments.accounts,
            integer_ids=arguments.integer_ids,
            quiet=arguments.quiet,
        )
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(dataset), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
