"""What a report shows, composed from the analyses: tables and small summaries, top-N only.

Everything here is plain data (polars frames, numbers, strings); :mod:`.html` turns it into the
page. Only summaries of the whole graph (histograms, degree curves) and the first rows of each
table reach the page, so its size does not grow with the graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from graphkit import __version__
from graphkit.algorithms.communities import CommunityResult, Method, communities
from graphkit.algorithms.pagerank import DEFAULT_DAMPING, DEFAULT_TOLERANCE, pagerank
from graphkit.analysis.accounts import account_text
from graphkit.analysis.audience import C_LEVEL, select_audience
from graphkit.analysis.brands import brand_table
from graphkit.analysis.communities import DEFAULT_LEADERS, community_summary
from graphkit.analysis.experts import expert_table
from graphkit.analysis.rank import influence_score, rank_influencers
from graphkit.data import demo_folder
from graphkit.errors import ParameterError
from graphkit.export.report.layout import force_layout
from graphkit.graph.social import SocialGraph
from graphkit.graph.weights import Weighting
from graphkit.progress import Progress

DEFAULT_TOP: Final = 250
DEFAULT_DRAW: Final = 100
MAX_DRAW: Final = 500
DEFAULT_COMMUNITIES: Final = 20
DEFAULT_ORGANIZATIONS: Final = 15
DEFAULT_EXPERTS: Final = 25
SCORE_BIN: Final = 2.0  # width of the score histogram's bins (scores run 0-100)
DEGREE_POINTS: Final = 60  # thresholds of the degree curves, log-spaced
_CHECKSUM_BLOCK: Final = 1 << 20
NO_ORGANIZATIONS: Final = "The data has no organizations (accounts with an organization column)."


@dataclass(frozen=True)
class ReportSettings:
    """What a report covers and how its analyses run.

    Attributes
    ----------
    top
        Influencers listed in the table (the page holds these rows only).
    draw
        Accounts of most PageRank in the drawing of the influence graph (at most 500).
    org
        Organization whose experts are listed; default: the one of largest combined reach.
    audience
        Audience selectors of the experts (see :func:`graphkit.analysis.select_audience`);
        default: C-level titles.
    method, resolution, seed
        Community detection (see :func:`graphkit.algorithms.communities`).
    leaders
        Accounts of most PageRank named as each community's leaders.
    damping
        PageRank damping factor of every ranking in the report.
    communities, organizations, experts
        Rows of the community, organization and expert tables.
    """

    top: int = DEFAULT_TOP
    draw: int = DEFAULT_DRAW
    org: str | None = None
    audience: tuple[str, ...] = ()
    method: Method = "leiden"
    resolution: float = 1.0
    seed: int = 0
    leaders: int = DEFAULT_LEADERS
    damping: float = DEFAULT_DAMPING
    communities: int = DEFAULT_COMMUNITIES
    organizations: int = DEFAULT_ORGANIZATIONS
    experts: int = DEFAULT_EXPERTS

    def __post_init__(self) -> None:
        for name in ("top", "communities", "organizations", "experts"):
            if getattr(self, name) < 1:
                raise ParameterError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.draw <= MAX_DRAW:
            raise ParameterError(f"draw must be 0 to {MAX_DRAW}, got {self.draw}")


@dataclass(frozen=True)
class InputFile:
    """One input file: its table, the name shown, its size and SHA-256."""

    table: str
    name: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Drawing:
    """The subgraph of the accounts of most PageRank, laid out for drawing.

    ``nodes``: ``rank, id, handle, name, community, score, followers, x, y``;
    ``edges``: ``x, y, x2, y2, weight`` (one row per linked pair, both directions summed).
    """

    nodes: pl.DataFrame
    edges: pl.DataFrame


@dataclass(frozen=True)
class Report:
    """Everything a report page shows.

    Attributes
    ----------
    settings
        The settings it was built with.
    overview
        Headline figures, label to value, in display order.
    influencers
        The first ``settings.top`` rows of :func:`graphkit.analysis.rank_influencers` with
        ``community`` and ``community_rank``.
    score_histogram
        ``score_from, score_to, accounts`` over every account (empty bins left out).
    degree_curves
        ``direction`` (``in``: accounts paying attention, ``out``: accounts attended to),
        ``degree``, ``accounts`` (accounts with at least that degree), on log-spaced degrees.
    community_result
        The partition.
    community_overview
        The first ``settings.communities`` rows of
        :func:`graphkit.analysis.community_summary`.
    drawing
        The top-``settings.draw`` subgraph.
    brands
        The first ``settings.organizations`` rows of :func:`graphkit.analysis.brand_table`,
        or ``None`` without organizations in the data.
    expert_org, expert_org_name, experts, audience_size
        The organization whose experts are listed, its name, the first ``settings.experts`` rows of
        :func:`graphkit.analysis.expert_table`, and the audience's size; ``None`` when the
        data has no organization or no account matches the default audience.
    audience
        The audience selectors used.
    notes
        Why a section is missing, for the page to say.
    parameters
        The run's settings, label to value.
    inputs
        The input files with their checksums.
    """

    settings: ReportSettings
    overview: dict[str, str]
    influencers: pl.DataFrame
    score_histogram: pl.DataFrame
    degree_curves: pl.DataFrame
    community_result: CommunityResult
    community_overview: pl.DataFrame
    drawing: Drawing
    brands: pl.DataFrame | None
    expert_org: str | None
    expert_org_name: str | None
    experts: pl.DataFrame | None
    audience_size: int | None
    audience: tuple[str, ...]
    notes: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    inputs: tuple[InputFile, ...] = ()


def build_report(
    graph: SocialGraph,
    *,
    settings: ReportSettings | None = None,
    sources: Mapping[str, Path] | None = None,
    weighting: Weighting | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run the analyses a report shows and keep their first rows.

    Parameters
    ----------
    graph
        The influence graph.
    settings
        What to cover (defaults: :class:`ReportSettings`).
    sources
        The input file of each table (``Dataset.sources``), checksummed for the report.
    weighting
        The edge weighting the graph was built with, shown among the parameters.
    progress
        Reports each step on standard error.

    Returns
    -------
    Report

    Raises
    ------
    ParameterError
        When ``settings.org`` names no organization, or the audience given in
        ``settings.audience`` selects no account.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "c", "c"], "followed": ["b", "c", "a", "b"]})
    >>> report = build_report(build_graph(Dataset(follows=follows)))
    >>> report.influencers["id"].to_list()
    ['b', 'c', 'a']
    >>> report.brands is None, report.notes["brands"]
    (True, 'The data has no organizations (accounts with an organization column).')
    """
    settings = settings or ReportSettings()
    progress = progress or Progress(quiet=True)
    with progress.step("Ranking"):
        scores = pagerank(graph, damping=settings.damping)
    with progress.step("Finding communities"):
        partition = communities(
            graph, method=settings.method, resolution=settings.resolution, seed=settings.seed
        )
    with progress.step("Summarising"):
        influencers = rank_influencers(
            graph, damping=settings.damping, top=settings.top, communities=partition
        )
        overview_table = community_summary(graph, partition, scores, leaders=settings.leaders)
        histogram = score_histogram(influence_score(scores))
        curves = degree_curves(graph)
    with progress.step("Laying out the drawing"):
        drawing = top_subgraph(graph, scores, partition, settings.draw, seed=settings.seed)
    notes: dict[str, str] = {}
    audience = settings.audience or (C_LEVEL,)
    with progress.step("Comparing brands and finding experts"):
        all_brands = _brands(graph, settings, scores)
        if all_brands is None:
            notes["brands"] = NO_ORGANIZATIONS
            notes["experts"] = "Experts are ranked among an organization's people: none here."
            expert_org, experts, audience_size = None, None, None
        else:
            expert_org, experts, audience_size = _experts(
                graph, settings, all_brands, audience, notes
            )
    with progress.step("Checksumming inputs"):
        inputs = tuple(_input_file(table, path) for table, path in sorted((sources or {}).items()))
    return Report(
        settings=settings,
        overview=_overview(graph, partition, influencers),
        influencers=influencers,
        score_histogram=histogram,
        degree_curves=curves,
        community_result=partition,
        community_overview=overview_table.head(settings.communities),
        drawing=drawing,
        brands=None if all_brands is None else all_brands.head(settings.organizations),
        expert_org=expert_org,
        expert_org_name=_name_of(all_brands, expert_org),
        experts=experts,
        audience_size=audience_size,
        audience=tuple(audience),
        notes=notes,
        parameters=_parameters(graph, settings, partition, weighting, audience, expert_org),
        inputs=inputs,
    )


def score_histogram(scores: np.ndarray, *, width: float = SCORE_BIN) -> pl.DataFrame:
    """Accounts per bin of the 0-100 score, empty bins left out (a log axis cannot show 0).

    The last bin holds the top score (100) too.

    Examples
    --------
    >>> score_histogram(np.array([0.0, 1.0, 3.0, 100.0]), width=50).rows()
    [(0.0, 50.0, 3), (50.0, 100.0, 1)]
    """
    edges = np.arange(0.0, 100.0 + width / 2, width)
    counts, _ = np.histogram(np.clip(scores, 0.0, 100.0), bins=edges)
    table = pl.DataFrame(
        {"score_from": edges[:-1], "score_to": edges[1:], "accounts": counts.astype(np.int64)}
    )
    return table.filter(pl.col("accounts") > 0)


def degree_curves(graph: SocialGraph, *, points: int = DEGREE_POINTS) -> pl.DataFrame:
    """How many accounts have at least d in-neighbours / out-neighbours, on log-spaced d.

    ``in``: distinct accounts paying attention to the account (its audience in the graph);
    ``out``: distinct accounts it pays attention to.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "c"], "followed": ["hub", "hub", "hub"]})
    >>> degree_curves(build_graph(Dataset(follows=follows))).rows()
    [('in', 1, 1), ('in', 2, 1), ('in', 3, 1), ('out', 1, 3)]
    """
    in_degree = graph.in_degree()
    out_degree = np.bincount(graph.in_sources, minlength=graph.n_nodes)
    parts = []
    for direction, degree in (("in", in_degree), ("out", out_degree)):
        ordered = np.sort(degree)
        highest = int(ordered[-1]) if ordered.size else 0
        if highest < 1:
            continue
        thresholds = np.unique(np.round(np.geomspace(1, highest, points)).astype(np.int64))
        at_least = ordered.size - np.searchsorted(ordered, thresholds, side="left")
        parts.append(
            pl.DataFrame(
                {
                    "direction": [direction] * thresholds.size,
                    "degree": thresholds,
                    "accounts": at_least.astype(np.int64),
                }
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={"direction": pl.String, "degree": pl.Int64, "accounts": pl.Int64}
        )
    return pl.concat(parts)


def top_subgraph(
    graph: SocialGraph,
    scores: np.ndarray,
    partition: CommunityResult,
    size: int,
    *,
    seed: int = 0,
) -> Drawing:
    """The ``size`` accounts of most PageRank (ties by id), their links, and a layout.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.algorithms import communities, pagerank
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "c", "d"], "followed": ["b", "a", "b", "c"]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> drawing = top_subgraph(graph, pagerank(graph), communities(graph), 3)
    >>> drawing.nodes["id"].to_list(), drawing.edges.height
    (['b', 'a', 'c'], 2)
    """
    ids = pl.Series("id", graph.ids).cast(pl.String)
    order = (
        pl.DataFrame({"node": np.arange(graph.n_nodes), "id": ids, "pagerank": scores})
        .sort(["pagerank", "id"], descending=[True, False])
        .head(size)
    )
    nodes = order["node"].to_numpy()
    position = np.full(graph.n_nodes, -1, dtype=np.int64)
    position[nodes] = np.arange(nodes.shape[0])
    pair_weight: dict[tuple[int, int], float] = {}
    for target_position, node in enumerate(nodes):
        edges = slice(int(graph.in_indptr[node]), int(graph.in_indptr[node + 1]))
        source_positions = position[graph.in_sources[edges]]
        inside = source_positions >= 0
        for source_position, weight in zip(
            source_positions[inside].tolist(), graph.in_weights[edges][inside].tolist(), strict=True
        ):
            pair = (min(source_position, target_position), max(source_position, target_position))
            pair_weight[pair] = pair_weight.get(pair, 0.0) + weight
    pairs = sorted(pair_weight)
    first = np.array([a for a, _ in pairs], dtype=np.int64)
    second = np.array([b for _, b in pairs], dtype=np.int64)
    weights = np.array([pair_weight[pair] for pair in pairs], dtype=np.float64)
    layout = force_layout(nodes.shape[0], first, second, np.log1p(weights), seed=seed)
    ranked = rank_table_rows(graph, nodes, scores, partition)
    node_table = ranked.with_columns(
        pl.Series("x", layout[:, 0] if layout.size else [], dtype=pl.Float64).round(4),
        pl.Series("y", layout[:, 1] if layout.size else [], dtype=pl.Float64).round(4),
    )
    edge_table = pl.DataFrame(
        {
            "x": layout[first, 0] if first.size else np.zeros(0),
            "y": layout[first, 1] if first.size else np.zeros(0),
            "x2": layout[second, 0] if second.size else np.zeros(0),
            "y2": layout[second, 1] if second.size else np.zeros(0),
            "weight": weights,
        }
    ).with_columns(pl.col("x", "y", "x2", "y2").round(4))
    return Drawing(node_table, edge_table)


def rank_table_rows(
    graph: SocialGraph, nodes: np.ndarray, scores: np.ndarray, partition: CommunityResult
) -> pl.DataFrame:
    """``rank, id, handle, name, community, score, followers`` of ``nodes``, in their order."""
    ids = graph.ids_of(nodes).alias("id")
    table = pl.DataFrame(
        {
            "rank": np.arange(1, nodes.shape[0] + 1, dtype=np.int64),
            "id": ids,
            "community": partition.membership[nodes].astype(np.int64),
            "score": influence_score(scores)[nodes],
            "followers": graph.followers[nodes].astype(np.int64),
        }
    )
    text = account_text(graph, ids).select("id", "handle", "name")
    table = table.join(text, on="id", how="left", maintain_order="left")
    return table.select("rank", "id", "handle", "name", "community", "score", "followers")


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHECKSUM_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _input_file(table: str, path: Path) -> InputFile:
    return InputFile(table, _display_name(path), path.stat().st_size, file_sha256(path))


def _display_name(path: Path) -> str:
    """The path as given; the demo's files by their name, wherever graphkit is installed."""
    demo = demo_folder().resolve()
    if path.resolve().parent == demo:
        return f"graphkit demo: {path.name}"
    return str(path)


def _brands(
    graph: SocialGraph, settings: ReportSettings, scores: np.ndarray
) -> pl.DataFrame | None:
    """Every organization's brand row; None without organizations (unless one was asked for)."""
    try:
        table = brand_table(graph, pagerank_scores=scores)
    except ParameterError:
        if settings.org is not None:
            raise
        return None
    return None if table.is_empty() else table


def _experts(
    graph: SocialGraph,
    settings: ReportSettings,
    brands: pl.DataFrame,
    audience: Sequence[str],
    notes: dict[str, str],
) -> tuple[str | None, pl.DataFrame | None, int | None]:
    """The organization, its experts and the audience's size (None and a note when none)."""
    org = settings.org or _first_with_people(brands)
    if org is None:
        notes["experts"] = "No organization has people in the data."
        return None, None, None
    try:
        mask = select_audience(graph, tuple(audience))
    except ParameterError:
        if settings.audience:
            raise
        notes["experts"] = f"No account matches the default audience ({C_LEVEL})."
        return org, None, None
    experts = expert_table(graph, org, audience_mask=mask, damping=settings.damping)
    return org, experts.head(settings.experts), int(mask.sum())


def _name_of(brands: pl.DataFrame | None, org: str | None) -> str | None:
    if brands is None or org is None:
        return None
    names = brands.filter(pl.col("organization") == org)["name"]
    return names[0] if names.len() else None


def _first_with_people(brands: pl.DataFrame) -> str | None:
    with_people = brands.filter(pl.col("people") > 0)
    return None if with_people.is_empty() else str(with_people["organization"][0])


def _overview(
    graph: SocialGraph, partition: CommunityResult, influencers: pl.DataFrame
) -> dict[str, str]:
    leader = influencers.row(0, named=True) if influencers.height else None
    leader_text = "-"
    if leader is not None:
        leader_text = str(leader["handle"] or leader["name"] or leader["id"])
    return {
        "Accounts": f"{graph.n_nodes:,}",
        "Links": f"{graph.n_edges:,}",
        "Records read": f"{graph.records:,}",
        "Communities": f"{partition.n_communities:,}",
        "Modularity": "-" if np.isnan(partition.modularity) else f"{partition.modularity:.3f}",
        "Top influencer": leader_text,
    }


def _parameters(
    graph: SocialGraph,
    settings: ReportSettings,
    partition: CommunityResult,
    weighting: Weighting | None,
    audience: Sequence[str],
    expert_org: str | None,
) -> dict[str, str]:
    weighting = weighting or Weighting()
    type_weights = ", ".join(
        f"{name} {weight:g}" for name, weight in weighting.type_weights.items()
    )
    return {
        "graphkit": __version__,
        "Edge weights": type_weights,
        "Half-life": "none" if weighting.half_life is None else str(weighting.half_life),
        "As of": "newest interaction" if weighting.as_of is None else weighting.as_of.isoformat(),
        "PageRank": f"damping {settings.damping:g}, L1 tolerance {DEFAULT_TOLERANCE:g}",
        "Communities": f"{partition.method}, resolution {partition.resolution:g}, "
        f"seed {partition.seed}",
        "Leaders per community": str(settings.leaders),
        "Experts": f"of {expert_org or '-'} for the audience {' + '.join(audience)}",
        "Rows shown": f"{settings.top:,} influencers, {settings.draw:,} accounts drawn, "
        f"{settings.communities:,} communities, {settings.organizations:,} organizations, "
        f"{settings.experts:,} experts",
        "Self-loops dropped": f"{graph.self_loops:,}",
    }
