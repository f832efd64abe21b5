"""What a report shows, composed from the analyses: tables and small summaries, top-N only.

Everything here is plain data (polars frames, numbers, strings); :mod:`.html` turns it into the
page. Only summaries of the whole graph (histograms, degree curves) and the first rows of each
table reach the page, so its size does not grow with the graph.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from graphkit import __version__
from graphkit.algorithms.bootstrap import DEFAULT_LEVEL, check_confidence
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
from graphkit.export.report.audience import AudienceSection, build_audience_section
from graphkit.export.report.layout import force_layout
from graphkit.export.report.naming import (
    LABEL_COLUMNS,
    account_labels,
    community_names,
    describe_audience,
)
from graphkit.graph.social import SocialGraph
from graphkit.graph.weights import Weighting
from graphkit.progress import Progress

DEFAULT_TOP: Final = 250
DEFAULT_DRAW: Final = 100
MAX_DRAW: Final = 500
DEFAULT_COMMUNITIES: Final = 20
DEFAULT_ORGANIZATIONS: Final = 15
DEFAULT_EXPERTS: Final = 25
TREND_ACCOUNTS: Final = 8  # accounts followed over time: the first of the influencer table
TREND_COLUMNS: Final = ("window_start", "window_end", "id", "rank", "score", "pagerank")
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
    confidence, level
        Bootstrap replicates behind the rank intervals of the influencers (0: none; the graph
        must then be built with ``square_weights=True``) and their confidence level.
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
    confidence: int = 0
    level: float = DEFAULT_LEVEL

    def __post_init__(self) -> None:
        check_confidence(self.confidence, self.level)
        for name in ("top", "draw", "communities", "organizations", "experts", "leaders", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ParameterError(f"{name} must be a whole number, got {value!r}")
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
    labels
        ``id, label, handle, url`` of every account and organization the page names
        (:func:`graphkit.export.report.naming.account_labels`): names, not ids.
    community_names
        Name of every community the page shows, by its leaders and themes.
    trend
        ``window_start, window_end, id, rank, score, pagerank`` of the first
        :data:`TREND_ACCOUNTS` influencers in each time window where they rank
        (:func:`graphkit.trend`), or ``None`` without a trend.
    audience_text
        The audience in words (``C-level titles``).
    notes
        Why a section is missing, for the page to say.
    parameters
        The run's settings, label to value.
    inputs
        The input files with their checksums.
    audience_section
        What the audience given in ``settings.audience`` pays attention to and its segments
        (:mod:`graphkit.export.report.audience`); ``None`` without an audience.
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
    labels: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=dict.fromkeys(LABEL_COLUMNS, pl.String))
    )
    community_names: dict[int, str] = field(default_factory=dict)
    audience_text: str = ""
    trend: pl.DataFrame | None = None
    notes: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    inputs: tuple[InputFile, ...] = ()
    audience_section: AudienceSection | None = None


def build_report(
    graph: SocialGraph,
    *,
    settings: ReportSettings | None = None,
    sources: Mapping[str, Path] | None = None,
    weighting: Weighting | None = None,
    progress: Progress | None = None,
    trend: pl.DataFrame | None = None,
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
    trend
        The ranking of each time window (:func:`graphkit.trend`, columns ``window_start,
        window_end, id, rank, score, pagerank``): the report follows its first influencers
        through it (see :func:`with_trend`).

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
    replicates = f" ({settings.confidence:,} bootstrap replicates)" * bool(settings.confidence)
    with progress.step("Summarising" + replicates):
        influencers = rank_influencers(
            graph,
            damping=settings.damping,
            top=settings.top,
            communities=partition,
            confidence=settings.confidence,
            level=settings.level,
            seed=settings.seed,
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
    shown_communities = overview_table.head(settings.communities)
    brands = None if all_brands is None else all_brands.head(settings.organizations)
    labels = _labels(graph, influencers, shown_communities, drawing, brands, experts, expert_org)
    label_of = dict(labels.select("id", "label").rows())
    audience_section = None
    if settings.audience:
        with progress.step("Measuring the audience's affinities and segments"):
            audience_section = build_audience_section(graph, settings.audience, seed=settings.seed)
    names = community_names(
        graph,
        partition.membership,
        overview_table,
        [
            *shown_communities["community"],
            *influencers["community"],
            *drawing.nodes["community"],
        ],
        label_of,
    )
    report = Report(
        settings=settings,
        overview=_overview(graph, partition, influencers, label_of),
        influencers=influencers,
        score_histogram=histogram,
        degree_curves=curves,
        community_result=partition,
        community_overview=shown_communities,
        drawing=drawing,
        brands=brands,
        expert_org=expert_org,
        expert_org_name=_name_of(all_brands, expert_org),
        experts=experts,
        audience_size=audience_size,
        audience=tuple(audience),
        labels=labels,
        community_names=names,
        audience_text=describe_audience(audience, label_of),
        notes=notes,
        parameters=_parameters(
            graph,
            settings,
            partition,
            weighting,
            audience,
            None if expert_org is None else label_of.get(expert_org, expert_org),
        ),
        inputs=inputs,
        audience_section=audience_section,
    )
    return report if trend is None else with_trend(report, trend)


def with_trend(report: Report, trend: pl.DataFrame | None, note: str | None = None) -> Report:
    """The report with a trend: the rows of :func:`graphkit.trend`'s table about its first
    :data:`TREND_ACCOUNTS` influencers, the trend's windows among the parameters, and
    ``note`` (why there is no trend) for the page to say.

    Raises
    ------
    ParameterError
        When the trend lacks a column of :data:`TREND_COLUMNS`.
    """
    notes = dict(report.notes)
    if note:
        notes["trend"] = note
    parameters = dict(report.parameters)
    parameters["Trend"] = "none" if trend is None else _windows_text(trend)
    return dataclasses.replace(
        report,
        trend=_followed(trend, report.influencers),
        notes=notes,
        parameters=parameters,
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
    out_degree = graph.out_degree()
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


def _followed(trend: pl.DataFrame | None, influencers: pl.DataFrame) -> pl.DataFrame | None:
    """The rows of the trend about the first influencers."""
    if trend is None:
        return None
    missing = [name for name in TREND_COLUMNS if name not in trend.columns]
    if missing:
        raise ParameterError(f"the trend lacks the columns {', '.join(missing)}")
    followed = influencers["id"].head(TREND_ACCOUNTS).cast(pl.String)
    return (
        trend.select(TREND_COLUMNS)
        .with_columns(pl.col("id").cast(pl.String))
        .filter(pl.col("id").is_in(followed.implode()))
        .sort("window_start", "rank")
    )


def _labels(
    graph: SocialGraph,
    influencers: pl.DataFrame,
    communities: pl.DataFrame,
    drawing: Drawing,
    brands: pl.DataFrame | None,
    experts: pl.DataFrame | None,
    expert_org: str | None,
) -> pl.DataFrame:
    """Labels and profile links of every account and organization the page names."""
    leaders = communities["leaders"].drop_nulls().str.split("; ").explode()
    ids = [
        *influencers["id"],
        *influencers["organization"].drop_nulls(),
        *leaders,
        *drawing.nodes["id"],
        *([] if brands is None else brands["organization"]),
        *([] if experts is None else experts["id"]),
        *([] if expert_org is None else [expert_org]),
    ]
    return account_labels(graph, ids)


def _overview(
    graph: SocialGraph,
    partition: CommunityResult,
    influencers: pl.DataFrame,
    label_of: Mapping[str, str],
) -> dict[str, str]:
    leader = str(influencers["id"][0]) if influencers.height else None
    return {
        "Accounts": f"{graph.n_nodes:,}",
        "Connections": f"{graph.n_edges:,}",
        "Communities": f"{partition.n_communities:,}",
        "Top influencer": "-" if leader is None else label_of.get(leader, leader),
    }


def _parameters(
    graph: SocialGraph,
    settings: ReportSettings,
    partition: CommunityResult,
    weighting: Weighting | None,
    audience: Sequence[str],
    expert_org: str | None,
) -> dict[str, str]:
    """The run's settings, label to value (``expert_org``: the organization's name)."""
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
        f"seed {partition.seed}; modularity "
        + ("-" if np.isnan(partition.modularity) else f"{partition.modularity:.3f}"),
        "Records read": f"{graph.records:,}",
        "Leaders per community": str(settings.leaders),
        "Experts": f"of {expert_org or '-'} for the audience {' + '.join(audience)}",
        "Rows shown": f"{settings.top:,} influencers, {settings.draw:,} accounts drawn, "
        f"{settings.communities:,} communities, {settings.organizations:,} organizations, "
        f"{settings.experts:,} experts",
        "Self-loops dropped": f"{graph.self_loops:,}",
        "Rank intervals": "none"
        if not settings.confidence
        else f"{settings.confidence:,} bootstrap replicates (Poisson, seed {settings.seed}), "
        f"level {settings.level:g}",
        "Trend": "none",
    }


def _windows_text(trend: pl.DataFrame) -> str:
    """The trend's windows in words: how many, how long, how far apart, from when to when."""
    windows = trend.select("window_start", "window_end").unique().sort("window_start")
    if windows.is_empty():
        return "no window with data"
    length = _duration_text(windows["window_end"][0] - windows["window_start"][0])
    starts = windows["window_start"]
    step = f", every {_duration_text(starts[1] - starts[0])}" if starts.len() > 1 else ""
    return (
        f"{windows.height:,} window{'s' * (windows.height != 1)} of {length}{step}, "
        f"{starts[0]:%Y-%m-%d} to {windows['window_end'][-1]:%Y-%m-%d}"
    )


def _duration_text(duration: timedelta) -> str:
    """``30 days``, ``12 hours``, ``90 minutes``: whole days, else hours, else minutes.

    >>> _duration_text(timedelta(days=7)), _duration_text(timedelta(hours=36))
    ('7 days', '36 hours')
    >>> _duration_text(timedelta(seconds=1)), _duration_text(timedelta(milliseconds=500))
    ('1 second', '500 milliseconds')
    """
    if duration < timedelta(seconds=1):  # --trend-window 500ms
        milliseconds = duration / timedelta(milliseconds=1)
        return f"{milliseconds:g} millisecond{'s' * (milliseconds != 1)}"
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds % size == 0 and seconds >= size:
            count = seconds // size
            return f"{count:,} {unit}{'s' * (count != 1)}"
    return f"{seconds:,} second{'s' * (seconds != 1)}"
