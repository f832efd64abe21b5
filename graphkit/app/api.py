"""graphkit's public functions: load, validate, build, analyse, return polars frames.

Each takes its data as a dataset folder or file path, a :class:`Sources`, a
:class:`graphkit.io.Dataset`, a :class:`Loaded` (a graph built once and analysed many ways),
or tables in memory (``follows=``, ``interactions=``, ``accounts=``, ``identities=``: pyarrow
Tables, polars or pandas DataFrames, validated like files). The CLI commands are thin shells
over these functions.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack

import numpy as np
import polars as pl

from graphkit.algorithms.bootstrap import DEFAULT_LEVEL, check_confidence, few_replicates
from graphkit.algorithms.communities import METHODS, CommunityResult, Method, stability
from graphkit.algorithms.communities import communities as find_communities
from graphkit.algorithms.pagerank import pagerank_run
from graphkit.analysis import (
    brand_table,
    community_summary,
    community_table,
    expert_table,
    organizations,
    path_table,
    people_table,
    roster,
    select_audience,
)
from graphkit.analysis.audience import C_LEVEL, resolved_names
from graphkit.analysis.explain import Explanation
from graphkit.analysis.explain import explain as explain_account
from graphkit.analysis.rank import Ranking, rank_table
from graphkit.app.confidence import Previous, read_previous, resampling_graph, warm_start
from graphkit.app.selectors import ACCOUNT_ID, SELECTORS, text_item, text_items
from graphkit.app.settings import Settings
from graphkit.app.sources import Loaded, Location, Sources, load
from graphkit.errors import ParameterError, UsageError
from graphkit.graph import build_graph, parse_duration
from graphkit.io import Dataset
from graphkit.io.writers import check_not_input, check_output_names
from graphkit.progress import Progress


class Tables(TypedDict, total=False):
    """Tables named one by one: a file path, or a table in memory (pyarrow Table, polars or
    pandas DataFrame), validated like a file."""

    follows: object
    interactions: object
    accounts: object
    identities: object


Data = Location | Sources | Dataset | Loaded | None
"""What a public function reads: see the module's description."""

Selectors = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None
"""An audience: one selector (``"title~CTO"``, or a file of ids, also as a path) or several
that add up."""


def open_data(
    data: Data = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    analysis: str = "rank",
    **tables: Unpack[Tables],
) -> Loaded:
    """Load ``data`` (and the tables named) into a graph once, to analyse it many ways.

    Examples
    --------
    >>> import polars as pl
    >>> follows = pl.DataFrame({"follower": ["a", "b", "c"], "followed": ["c", "c", "a"]})
    >>> loaded = open_data(follows=follows)
    >>> loaded.graph.n_nodes, loaded.graph.n_edges
    (3, 3)
    """
    if isinstance(data, Loaded):
        if tables:
            raise UsageError("give loaded data or tables, not both")
        return data
    return _open(data, settings, progress, analysis, tables)


def _open(
    data: Location | Sources | Dataset | None,
    settings: Settings | None,
    progress: Progress | None,
    analysis: str,
    tables: Any,
) -> Loaded:
    settings = settings or Settings()
    given: dict[str, Any] = {name: value for name, value in tables.items() if value is not None}
    if isinstance(data, Dataset):
        if given:
            raise UsageError("give a Dataset or tables, not both")
        graph = build_graph(data, settings.weighting)
        return Loaded(data, graph, dict(data.sources))
    if isinstance(data, Sources):
        sources = dataclasses.replace(data, **given)
    else:
        sources = Sources(data=data, **given)
    return load(sources, settings, progress, analysis=analysis)


def rank(
    data: Data = None,
    *,
    settings: Settings | None = None,
    audience: Selectors = None,
    kind: Literal["person", "brand"] | None = None,
    top: int | None = None,
    communities: bool = False,
    seed: int = 0,
    progress: Progress | None = None,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    previous: Previous | None = None,
    certify: bool = False,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """Rank every account by the attention it receives (weighted PageRank).

    Parameters
    ----------
    data, follows, interactions, accounts, identities
        The data (see the module's description).
    settings
        Weighting, PageRank settings, threads (default :class:`Settings`).
    audience
        Personalize on this audience: whom it pays attention to, directly and indirectly
        (selectors as in ``graphkit rank --audience``).
    kind
        Keep only people or only brands.
    top
        Keep the first ``top`` rows (``None`` or 0: all).
    communities
        Add each account's community (Leiden, ``seed``) and its rank there.
    progress
        Where steps and notes go (default: nowhere).
    confidence
        Bootstrap replicates (seeded by ``seed``): adds ``rank_low, rank_high, score_low,
        score_high, pagerank_low, pagerank_high`` (intervals at ``level``) and
        ``order_certain`` (see :func:`graphkit.analysis.rank_influencers`). 0: none.
    level
        Confidence level of the intervals, in (0, 1).
    previous
        An earlier ranking (a file ``graphkit rank`` wrote, or a DataFrame with ``id`` and
        ``pagerank``) to warm-start PageRank from: the same scores, fewer iterations.
    certify
        Add ``order_certain`` (whether each row's rank is certain given PageRank's
        numerical error).

    Returns
    -------
    polars.DataFrame
        ``rank, id, handle, name, kind, organization, title, score, pagerank, followers,
        followers_count, interactions_received, engagement_rate`` (then the interval and
        ``order_certain`` columns asked for) and any other account column, best first (ties
        by id).

    Raises
    ------
    InputError
        For bad input, with the same messages as the command line.

    Examples
    --------
    >>> import polars as pl
    >>> follows = pl.DataFrame({"follower": ["a", "a", "b", "c"], "followed": ["b", "b", "c", "a"]})
    >>> rank(follows=follows).select("id", "pagerank").rows()
    [('a', 0.3333333333333333), ('b', 0.3333333333333333), ('c', 0.3333333333333333)]
    """
    return rank_run(
        data, settings=settings, audience=audience, kind=kind, top=top,
        communities=communities, seed=seed, progress=progress, confidence=confidence,
        level=level, previous=previous, certify=certify, **tables,
    ).table  # fmt: skip


def rank_run(
    data: Data = None,
    *,
    settings: Settings | None = None,
    audience: Selectors = None,
    kind: Literal["person", "brand"] | None = None,
    top: int | None = None,
    communities: bool = False,
    seed: int = 0,
    progress: Progress | None = None,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    previous: Previous | None = None,
    certify: bool = False,
    undirected: bool = False,
    prefix: bool = False,
    **tables: Unpack[Tables],
) -> Ranking:
    """:func:`rank` with the PageRank iterations, the length of the certified prefix of the
    ranking (with ``prefix``, ``certify`` or ``confidence``) and the bootstrap settings
    (:class:`graphkit.analysis.rank.Ranking`). ``undirected``: whether loaded data read its
    follows both ways (rebuilt so for ``confidence``)."""
    check_confidence(confidence, level)
    selectors = text_items(audience, "audience", SELECTORS)  # before the data is read
    settings = settings or Settings()
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    graph = loaded.graph
    if confidence and not isinstance(data, Loaded):
        undirected = isinstance(data, Sources) and data.undirected
    mask = audience_mask(loaded, selectors)
    start = None
    if previous is not None:
        start, matched = warm_start(
            graph, read_previous(previous), None if mask is None else mask.astype(float)
        )
        origin = "" if isinstance(previous, pl.DataFrame) else f" from {previous}"
        progress.note(f"Warm start: {matched:,} of {graph.n_nodes:,} accounts{origin}")
    partition = None
    if communities:
        with progress.step("Finding communities", unit="levels") as finding:
            partition = find_communities(graph, seed=seed, on_progress=finding)
    if confidence:
        with progress.step("Reading the records again for resampling"):
            graph = resampling_graph(loaded, settings.weighting, undirected=undirected)
        if (warning := few_replicates(confidence, level)) is not None:
            progress.note(warning)
    with progress.step("Ranking", unit="iterations") as ranking:

        def replicated(done: int) -> None:
            ranking.update(completed=done, total=confidence, unit="bootstrap replicates")

        return rank_table(
            graph,
            damping=settings.damping,
            tolerance=settings.tolerance,
            max_iter=settings.max_iter,
            audience=mask,
            kind=kind,
            top=top,
            communities=partition,
            start=start,
            confidence=confidence,
            level=level,
            seed=seed,
            certify=certify,
            prefix=prefix,
            on_progress=ranking,
            on_replicate=replicated,
        )


def audience_mask(loaded: Loaded, audience: Selectors) -> np.ndarray | None:
    """The accounts an audience selects (``None`` for no audience)."""
    selectors = text_items(audience, "audience", SELECTORS)
    if not selectors:
        return None
    return select_audience(loaded.graph, selectors)


@dataclasses.dataclass(frozen=True)
class CommunitiesResult:
    """Communities found, with the table and their stability when asked.

    Attributes
    ----------
    table
        One row per account (or per community with ``summary``).
    partition
        The partition (membership, modularity, method).
    stability
        Mean pairwise NMI over the seeds, when ``stability_seeds`` was given.
    """

    table: pl.DataFrame
    partition: CommunityResult
    stability: float | None = None


def communities(
    data: Data = None,
    *,
    settings: Settings | None = None,
    method: Method = "leiden",
    resolution: float = 1.0,
    seed: int = 0,
    iterations: int | None = None,
    leaders: int = 3,
    only_leaders: bool = False,
    top: int = 0,
    summary: bool = False,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """Find the communities (niches) and who leads each one.

    Returns one row per account (``community``, ``community_rank``, ``is_leader``,
    ``pagerank``, ...) or, with ``summary``, one per community. See
    :func:`find_communities_table` for the partition and stability as well.

    Examples
    --------
    >>> import polars as pl
    >>> pairs = [("a", "b"), ("b", "a"), ("c", "d"), ("d", "c")]
    >>> follows = pl.DataFrame(pairs, schema=["follower", "followed"], orient="row")
    >>> communities(follows=follows).select("id", "community").sort("id").rows()
    [('a', 0), ('b', 0), ('c', 1), ('d', 1)]
    """
    return find_communities_table(
        data, settings=settings, method=method, resolution=resolution, seed=seed,
        iterations=iterations, leaders=leaders, only_leaders=only_leaders, top=top,
        summary=summary, progress=progress, **tables,
    ).table  # fmt: skip


def find_communities_table(
    data: Data = None,
    *,
    settings: Settings | None = None,
    method: Method = "leiden",
    resolution: float = 1.0,
    seed: int = 0,
    iterations: int | None = None,
    leaders: int = 3,
    only_leaders: bool = False,
    top: int = 0,
    summary: bool = False,
    stability_seeds: int | None = None,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> CommunitiesResult:
    """:func:`communities` with the partition itself and, with ``stability_seeds``, the
    mean pairwise NMI of the partitions of that many seeds."""
    if method not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if summary and top:
        raise UsageError("--top selects accounts; --summary has one row per community")
    settings = settings or Settings()
    loaded = open_data(data, settings=settings, progress=progress, analysis="communities", **tables)
    progress = progress or Progress(quiet=True)
    graph = loaded.graph
    with progress.step("Finding communities", unit="levels") as finding:
        partition = find_communities(
            graph, method=method, resolution=resolution, seed=seed, max_iter=iterations,
            on_progress=finding,
        )  # fmt: skip
    with progress.step("Ranking", unit="iterations") as ranking:
        scores = pagerank_run(
            graph, damping=settings.damping, tolerance=settings.tolerance,
            max_iter=settings.max_iter, on_progress=ranking,
        ).scores  # fmt: skip
    score = None
    if stability_seeds:
        with progress.step("Stability"):
            score = stability(
                graph,
                method=method,
                seeds=range(seed, seed + stability_seeds),
                resolution=resolution,
                max_iter=iterations,
            )
    if summary:
        table = community_summary(graph, partition, scores, leaders=leaders)
    else:
        table = community_table(graph, partition, scores, leaders=leaders)
        if only_leaders:
            table = table.filter(table["is_leader"])
        if top:
            keep = table.sort(["pagerank", "id"], descending=[True, False]).head(top)["id"]
            table = table.filter(pl.col("id").is_in(keep.implode()))
    return CommunitiesResult(table, partition, score)


def brands(
    data: Data = None,
    *,
    settings: Settings | None = None,
    orgs: Sequence[str] | None = None,
    people: bool = False,
    roster_size: int | None = None,
    departure_top: int | None = 10,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """Personal vs corporate reach: one row per organization, per person (``people``), or
    the best ``roster_size`` people of each organization with the coverage curve.

    ``departure_top`` people of each organization get their departure impact on PageRank
    recomputed (``None``: everyone; 0: nobody).
    """
    if people and roster_size is not None:
        raise UsageError("give --people or --roster, not both")
    selected = text_items(orgs, "orgs", "organization ids (text)") or None
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    graph = loaded.graph
    if selected is not None:  # an organization named by an id merged into its account
        selected = resolved_names(graph, selected)
    if people:
        with progress.step("Measuring people's reach and departure impact"):
            return people_table(graph, orgs=selected, departure_top=departure_top)
    if roster_size is not None:
        with progress.step("Choosing rosters"):
            groups = organizations(graph, selected)
            return pl.concat([roster(graph, group.id, roster_size) for group in groups])
    with progress.step("Measuring brand reach"):
        return brand_table(graph, orgs=selected, dataset=_with_interactions(loaded.dataset))


def _with_interactions(dataset: Dataset) -> Dataset:
    """The dataset with its interactions readable again for their timestamps.

    Loading drops the interactions table once the graph is built; the file is then read
    again piece by piece (only people_first_share needs it).
    """
    path = dataset.sources.get("interactions")
    if dataset.interactions is None and path is not None and "interactions" not in dataset.streamed:
        return dataclasses.replace(dataset, streamed={**dataset.streamed, "interactions": path})
    return dataset


def experts(
    data: Data = None,
    *,
    org: str,
    settings: Settings | None = None,
    audience: Selectors = None,
    topics: Sequence[str] | None = None,
    sort_by: str = "audience_influence",
    top: int | None = None,
    progress: Progress | None = None,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    undirected: bool = False,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """Rank an organization's people by the attention a target audience pays them
    (default audience: C-level titles). ``confidence`` bootstrap replicates (seeded by
    ``seed``) add ``rank_low, rank_high, score_low, score_high`` at ``level`` and
    ``order_certain``; ``undirected`` as for :func:`rank_run`."""
    check_confidence(confidence, level)
    text_item(org, "org", "an organization id (text)")
    chosen = text_items(audience, "audience", SELECTORS)
    wanted = text_items(topics, "topics", "topics (text)") or None
    settings = settings or Settings()
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    mask = audience_mask(loaded, chosen or C_LEVEL)
    assert mask is not None
    graph = loaded.graph
    if confidence:
        if not isinstance(data, Loaded):
            undirected = isinstance(data, Sources) and data.undirected
        with progress.step("Reading the records again for resampling"):
            graph = resampling_graph(loaded, settings.weighting, undirected=undirected)
        if (warning := few_replicates(confidence, level)) is not None:
            progress.note(warning)
    with progress.step("Ranking experts"):
        table = expert_table(
            graph,
            resolved_names(loaded.graph, [org])[0],
            audience_mask=mask,
            topic=wanted,
            sort_by=sort_by,
            damping=settings.damping,
            confidence=confidence,
            level=level,
            seed=seed,
        )
    return table.head(top) if top else table


def explain(
    data: Data = None,
    *,
    account: str,
    settings: Settings | None = None,
    audience: Selectors = None,
    top: int = 10,
    community: bool = False,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> Explanation:
    """Why an account ranks where it does: its rank and the accounts whose attention makes
    its PageRank (``.contributors``, a DataFrame), with the share from teleporting and,
    with ``audience``, from the audience."""
    text_item(account, "account", ACCOUNT_ID)
    selectors = text_items(audience, "audience", SELECTORS)
    settings = settings or Settings()
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    graph = loaded.graph
    mask = audience_mask(loaded, selectors)
    with progress.step("Ranking", unit="iterations") as ranking:
        personalization = None if mask is None else mask.astype(float)
        scores = pagerank_run(
            graph, damping=settings.damping, tolerance=settings.tolerance,
            max_iter=settings.max_iter, personalization=personalization, on_progress=ranking,
        ).scores  # fmt: skip
    membership = None
    if community:
        with progress.step("Finding communities", unit="levels") as finding:
            membership = find_communities(graph, seed=0, on_progress=finding).membership
    return explain_account(
        graph,
        resolved_names(graph, [account])[0],
        scores,
        damping=settings.damping,
        audience=mask,
        membership=membership,
        top=top,
    )


def paths(
    data: Data = None,
    *,
    source: str,
    target: str,
    k: int = 5,
    settings: Settings | None = None,
    progress: Progress | None = None,
    **tables: Unpack[Tables],
) -> pl.DataFrame:
    """The ``k`` strongest paths of attention from ``source`` to ``target``: ``rank, hops,
    influence, path, handles`` (influence: the product of the attention shares along it)."""
    ends = [text_item(source, "source", ACCOUNT_ID), text_item(target, "target", ACCOUNT_ID)]
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    progress = progress or Progress(quiet=True)
    source, target = resolved_names(loaded.graph, ends)
    with progress.step("Finding paths"):
        return path_table(loaded.graph, source, target, k=k)


def report(
    data: Data = None,
    *,
    output: str | Path,
    settings: Settings | None = None,
    org: str | None = None,
    audience: Selectors = None,
    top: int = 100,
    draw: int = 100,
    method: Method = "leiden",
    seed: int = 0,
    title: str | None = None,
    data_name: str = "input",
    progress: Progress | None = None,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    undirected: bool = False,
    trend: bool | None = None,
    trend_window: str | timedelta = "30d",
    trend_step: str | timedelta = "7d",
    trend_data: Data = None,
    **tables: Unpack[Tables],
) -> Path:
    """Write the one-page HTML report (influencers, communities, brands, experts) to
    ``output``; returns its path. Needs the report extra (``pip install
    'graphkit[report]'``).

    ``confidence`` bootstrap replicates add rank intervals at ``level`` to the top
    influencers (``undirected``: whether loaded data read its follows both ways). When the
    records have times, a ``trend`` follows the top influencers through windows of
    ``trend_window`` every ``trend_step`` (:func:`graphkit.trend`), read from ``trend_data``
    (default: the data again). Each window ranks the whole graph again, so ``trend=None``
    draws it on graphs of up to 250,000 links only (``True``: always, ``False``: never).
    An ``audience`` also adds an audience section: what it pays attention to far above
    everyone else (:func:`graphkit.audience_affinities`) and its segments."""
    from graphkit.export.report import (
        ReportSettings,
        build_report,
        vega_bundle,
        with_trend,
        write_report,
    )

    settings = settings or Settings()
    progress = progress or Progress(quiet=True)
    check_confidence(confidence, level)
    selectors = text_items(audience, "audience", SELECTORS)
    if trend is not None and not isinstance(trend, bool):
        raise ParameterError(f"trend must be True, False or None, got {trend!r}")
    for duration in (trend_window, trend_step):  # bad ones fail before the analyses
        if isinstance(duration, timedelta) and duration <= timedelta(0):
            raise ParameterError(f"trend_window and trend_step must be positive, got {duration}")
        if not isinstance(duration, timedelta):
            parse_duration(str(duration))
    with progress.step("Bundling the chart libraries"):
        vega_bundle()  # first: fails before the analyses when the report extra is missing
    loaded = open_data(data, settings=settings, progress=progress, **tables)
    graph = loaded.graph
    if confidence:
        if not isinstance(data, Loaded):
            undirected = isinstance(data, Sources) and data.undirected
        with progress.step("Reading the records again for resampling"):
            graph = resampling_graph(loaded, settings.weighting, undirected=undirected)
    content = build_report(
        graph,
        settings=ReportSettings(
            top=top,
            draw=draw,
            org=org,
            audience=tuple(selectors),
            method=method,
            seed=seed,
            damping=settings.damping,
            confidence=confidence,
            level=level,
        ),
        sources=loaded.sources,
        weighting=settings.weighting,
        progress=progress,
    )
    if trend is None and loaded.graph.n_edges > REPORT_TREND_EDGES:
        content = with_trend(
            content,
            None,
            f"The trend over time was left out: each time window ranks all "
            f"{loaded.graph.n_edges:,} links again. Ask for it with --trend.",
        )
    elif trend is not False:
        again, again_tables = (trend_data, {}) if trend_data is not None else (data, tables)
        trend_table, note = _report_trend(
            again,
            settings,
            trend_window,
            trend_step,
            undirected=undirected,
            progress=progress,
            tables=again_tables,
            asked=trend is True,
        )
        content = with_trend(content, trend_table, note)
    subject = (
        f"Who moves the audience of {data_name}: {graph.n_nodes:,} accounts, "
        f"{graph.n_edges:,} links between them"
    )
    output = Path(output)
    # Never over an input, a device or a link loop (the command line checks the same).
    check_output_names([output])
    check_not_input([output], loaded.sources.values())
    with progress.step(f"Writing {output}"):
        write_report(
            content, output, title=title or f"Influencer report: {data_name}", subject=subject
        )
    return output


REPORT_TREND_DEPTH = 1_000  # ranks kept per window of a report's trend
# Largest graph whose report draws the trend unasked: the 1M-follow benchmark graph's 101
# windows took 210 s, eight times the rest of its report.
REPORT_TREND_EDGES = 250_000


def _report_trend(
    data: Data,
    settings: Settings,
    window: str | timedelta,
    step: str | timedelta,
    *,
    undirected: bool,
    progress: Progress,
    tables: Any,
    asked: bool = False,
) -> tuple[pl.DataFrame | None, str | None]:
    """A report's trend (:func:`graphkit.trend`, the first ranks of each window), or a note
    saying why there is none (no times in the records, data that cannot be read twice, and,
    unless ``asked`` for, windows the durations cannot make)."""
    import re

    from graphkit.app.history import trend_run
    from graphkit.errors import InputError
    from graphkit.io.remote import is_pipe, is_stdin

    if isinstance(data, Sources) and any(
        is_stdin(value) or is_pipe(value)
        for value in (getattr(data, item.name) for item in dataclasses.fields(data))
    ):
        return None, (
            "No trend over time: the records came from standard input or a pipe, which can "
            "be read only once: give them as a file for the trend"
        )

    if isinstance(data, Loaded) and (
        any(name in data.dataset.streamed for name in ("follows", "interactions"))
        or (data.dataset.follows is None and data.dataset.interactions is None)
    ):
        # Loading let the edge tables go: read them again from their files.
        files = data.dataset.sources
        data = Sources(
            follows=files.get("follows"),
            interactions=files.get("interactions"),
            accounts=files.get("accounts"),
            identities=files.get("identities"),
            undirected=undirected,
        )
    # Ages count from each window's end in a trend, never from --as-of.
    timeless = dataclasses.replace(
        settings, weighting=dataclasses.replace(settings.weighting, as_of=None)
    )
    try:
        result = trend_run(
            data, window=window, step=step, settings=timeless, top=REPORT_TREND_DEPTH,
            progress=progress, **tables,
        )  # fmt: skip
    except (InputError, UsageError) as error:
        return None, f"No trend over time: {error}"
    except ParameterError as error:  # too many windows, or past the year 9999
        message = re.sub(r"--(window|step)\b", r"--trend-\1", str(error))
        if asked:
            raise ParameterError(message) from None
        return None, f"No trend over time: {message}"
    return result.table, None
