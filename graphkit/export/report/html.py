"""The report as one self-contained HTML page: styles, scripts and data inline, no network.

The page speaks to the people who act on it (marketing, sales): accounts, organizations and
communities by name, audiences in words, scores on a 0-100 scale (the PageRank behind each
in its tooltip), profile links, a CSV download under every table and a short "how to read
this" per section. Tables are rendered in :mod:`.tables` (escaped), so they read and print
without JavaScript. Charts are Vega-Lite specifications drawn as SVG by the Vega libraries,
inlined from the ``vl-convert-python`` package (the ``report`` extra).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Final

import polars as pl

from graphkit import __version__
from graphkit.errors import MissingDependencyError
from graphkit.export.report import charts
from graphkit.export.report.audience import audience_section_html
from graphkit.export.report.content import Report
from graphkit.export.report.tables import (
    Column,
    Row,
    Table,
    download_link,
    fixed,
    integer,
    name_cell,
    render_table,
    share,
    small_share,
    text,
)
from graphkit.io.writers import atomic_path

INSTALL_HINT: Final = "pip install 'graphkit[report]'"
# The bundle's entry point: what report.js uses.
_EMBED_SNIPPET: Final = "window.vegaEmbed = vegaEmbed;"
INTERVAL_ROWS: Final = 25  # influencers in the chart of rank intervals
HOW_TO_READ: Final = {
    "influencers": (
        "Rank 1 receives the most attention. The score runs from 0 to 100 on a log scale: equal "
        "steps in score are equal multiples of attention, so 90 against 80 is the same gap as 50 "
        "against 40. Hover a score for the PageRank behind it. Names link to the profile where "
        "one is known. Click a heading to sort; type to search."
    ),
    "communities": (
        "A community's leaders are its members that receive the most attention: reach them to "
        "reach the niche. Share of attention is the part of all attention in the graph its "
        "members receive. In the drawing, each circle is one of the accounts of most attention, "
        "sized by score and coloured by community, numbered by rank; lines join accounts linked "
        "by follows or interactions. Hover a circle for its name."
    ),
    "brands": (
        "Reach counts distinct followers outside the organization. A long orange part of a bar "
        "means the organization's people reach many accounts its brand does not: an audience to "
        "activate through them. Share of attention is the part of all attention in the graph the "
        "brand accounts, or the people, receive."
    ),
    "experts": (
        "The audience score is 100 for the person the audience pays the most attention to and "
        "proportionally less for the others (hover for the personalized PageRank). Followers in "
        "the audience count audience accounts that follow the person; within 2 steps adds those "
        "who follow someone who follows them."
    ),
    "intervals": (
        "The graph is a sample of what people do: collected again, it would differ a little, "
        "and so would the ranks. Each bar spans the ranks an account takes in most resamples "
        "of the records (the level is in the chart's title), the dot its rank in the data. "
        "Accounts whose bars overlap may trade places; a short bar is a sure rank."
    ),
    "trend": (
        "Each line follows one of the accounts of most attention through time windows of the "
        "data: its rank in each window, rank 1 at the top. A rising line gains attention, a "
        "falling one loses it; a gap is a window where the account ranked below the first "
        "1,000 or had no activity."
    ),
    "distributions": (
        "Left: how many accounts have each score; the dashed line marks the last account of the "
        "influencer table. Right: how many accounts have at least d connections, in (accounts "
        "paying attention to them) and out (accounts they pay attention to). Both use log scales."
    ),
    "parameters": (
        "For the analyst who reruns or checks the report: the edge weights, the PageRank and "
        "community settings, and a SHA-256 checksum of every input file."
    ),
}
"""The short "how to read this" of each section, for readers new to the measures."""


def vega_bundle() -> str:
    """The Vega, Vega-Lite and Vega-Embed libraries as one JavaScript module (about 0.9 MB).

    Raises
    ------
    MissingDependencyError
        When ``vl-convert-python`` is not installed.
    """
    return _bundle_and_versions()[0]


def vega_versions() -> dict[str, str]:
    """The versions of Vega, Vega-Lite and Vega-Embed that :func:`vega_bundle` holds."""
    return _bundle_and_versions()[1]


@functools.cache
def _bundle_and_versions() -> tuple[str, dict[str, str]]:
    try:
        import vl_convert
    except ImportError:
        raise MissingDependencyError(
            f"the HTML report needs the vl-convert-python package: {INSTALL_HINT}"
        ) from None
    versions = {
        "Vega": str(vl_convert.get_vega_version()),
        "Vega-Lite": str(vl_convert.get_vegalite_versions()[-1]),
        "Vega-Embed": str(vl_convert.get_vega_embed_version()),
    }
    return str(vl_convert.javascript_bundle(_EMBED_SNIPPET)), versions


def render_html(report: Report, *, title: str = "graphkit report", subject: str = "") -> str:
    """The report as one HTML document.

    Parameters
    ----------
    report
        From :func:`graphkit.export.report.build_report`.
    title
        The page's title.
    subject
        What the data is (shown under the title), e.g. the input folder.

    Returns
    -------
    str
        The page; the same report gives the same text (no clock, no random ids).

    Raises
    ------
    MissingDependencyError
        When ``vl-convert-python`` is not installed.
    """
    bundle = vega_bundle()
    page = _Page(report)
    sections = [
        page.influencers_section(),
        page.trend_section(),
        page.communities_section(),
        page.brands_section(),
        page.experts_section(),
        audience_section_html(report.audience_section, report.audience_text),
        _distributions_section(),
        _parameters_section(report),
    ]
    versions = ", ".join(f"{name} {version}" for name, version in vega_versions().items())
    over_time = (("trend", "Over time"),) if page.has_trend_section() else ()
    audience = (("audience", "Audience"),) if report.audience_section is not None else ()
    nav = "".join(
        f'<a href="#{anchor}">{label}</a>'
        for anchor, label in (
            ("influencers", "Top influencers"),
            *over_time,
            ("communities", "Communities"),
            ("brands", "People vs brand"),
            ("experts", "Experts"),
            *audience,
            ("distributions", "How attention is spread"),
            ("parameters", "How this was computed"),
        )
    )
    overview = "".join(
        f"<div><dt>{text(label)}</dt><dd>{text(value)}</dd></div>"
        for label, value in report.overview.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="graphkit {text(__version__)}">
<title>{text(title)}</title>
<style>
{_asset("report.css")}
</style>
</head>
<body>
<header class="page-header">
<h1>{text(title)}</h1>
<p class="subject">{text(subject)}</p>
<dl class="overview">{overview}</dl>
<nav aria-label="Sections">{nav}</nav>
</header>
<main>
{"".join(sections)}
</main>
<footer>Made with graphkit {text(__version__)}; charts drawn by {text(versions)}, inlined:
this file needs no network.</footer>
<script type="application/json" id="chart-specs">{_json_for_script(page.chart_specs())}</script>
<script type="module">
{bundle}
</script>
<script type="module">
{_asset("report.js")}
</script>
</body>
</html>
"""


def write_report(
    report: Report, path: str | Path, *, title: str = "graphkit report", subject: str = ""
) -> Path:
    """Write the report page to ``path`` atomically (temporary file, then rename).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    page = render_html(report, title=title, subject=subject)
    with atomic_path(path) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return Path(path)


def _pagerank_tooltip(field: str) -> Callable[[Row], str]:
    def show(row: Row) -> str:
        value = row.get(field)
        return "" if value is None else f"PageRank {float(value):.6g}"

    return show


class _Page:
    """The report's frames with names joined on, and the sections and charts made of them."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.labels = report.labels
        self.label_of: dict[str, str] = dict(report.labels.select("id", "label").rows())
        self.colours = charts.community_colours(report.drawing.nodes["community"])
        self.names = report.community_names

    def label(self, account: str | None) -> str:
        if account is None:
            return "-"
        return self.label_of.get(account, account)

    def named(self, frame: pl.DataFrame, key: str = "id", prefix: str = "") -> pl.DataFrame:
        """``frame`` with ``{prefix}label``, ``{prefix}profile`` and ``{prefix}shown_handle``
        of the account in its ``key`` column (an account missing from the labels keeps its
        id as its label)."""
        labels = self.labels.select(
            pl.col("id").alias(key),
            pl.col("label").alias(f"{prefix}label"),
            pl.col("url").alias(f"{prefix}profile"),
            pl.col("handle").alias(f"{prefix}shown_handle"),
        )
        joined = frame.with_columns(pl.col(key).cast(pl.String)).join(
            labels, on=key, how="left", maintain_order="left"
        )
        return joined.with_columns(pl.col(f"{prefix}label").fill_null(pl.col(key)))

    def with_community_names(self, frame: pl.DataFrame) -> pl.DataFrame:
        names = pl.DataFrame(
            {"community": list(self.names), "community_name": list(self.names.values())},
            schema={"community": pl.Int64, "community_name": pl.String},
        )
        return frame.with_columns(pl.col("community").cast(pl.Int64)).join(
            names, on="community", how="left", maintain_order="left"
        )

    def community_cell(self, row: Row) -> str:
        colour = charts.community_colour(int(row["community"]), self.colours)
        name = row.get("community_name") or f"Community {int(row['community']) + 1}"
        return f'<span class="swatch" style="background:{colour}"></span>{text(name)}'

    # -- sections -------------------------------------------------------------------------

    def influencers_section(self) -> str:
        report = self.report
        frame = self.influencer_frame()
        n_accounts = report.overview.get("Accounts", "")
        table = Table(
            "influencer-table",
            frame,
            (
                Column("rank", "Rank", integer, numeric=True),
                Column("label", "Name", cell=name_cell()),
                Column("title", "Title"),
                Column("organization_label", "Organization"),
                Column(
                    "likely_rank",
                    "Likely rank",
                    numeric=True,
                    sort_field="rank_low",
                    tooltip=self.interval_tooltip,
                ),
                Column(
                    "score", "Score", fixed(1), numeric=True, tooltip=_pagerank_tooltip("pagerank")
                ),
                Column("followers", "Followers", integer, numeric=True),
                Column("interactions_received", "Interactions", fixed(0), numeric=True),
                Column("engagement_rate", "Engagement / follower", fixed(2), numeric=True),
                Column(
                    "community_name",
                    "Community",
                    cell=self.community_cell,
                    wrap=True,
                    css="community",
                ),
                Column("community_rank", "Rank in community", integer, numeric=True),
            ),
            caption=f"The {frame.height:,} accounts that receive the most attention, "
            f"of {n_accounts}.",
            filename="top-influencers.csv",
            csv_extra=(
                ("shown_handle", "Handle"),
                ("profile", "Profile"),
                ("pagerank", "PageRank"),
                ("rank_low", "Rank low"),
                ("rank_high", "Rank high"),
                ("score_low", "Score low"),
                ("score_high", "Score high"),
                ("id", "Account id"),
            ),
        )
        intervals = ""
        if self.has_intervals():
            intervals = f"""{_how_to_read("intervals")}
<figure class="chart wide" id="chart-intervals" role="img"
aria-label="Rank intervals of the top influencers"></figure>
"""
        return f"""<section id="influencers">
<h2>Top influencers</h2>
<p>The accounts your audience pays the most attention to: followed, reposted, quoted, replied to
and mentioned, directly and through the accounts that pass the attention on.</p>
{_how_to_read("influencers")}
{intervals}<div class="table-tools"><input type="search" data-filter="influencer-table"
placeholder="Search name, title, organization, community" aria-label="Search the influencers">
<span class="count" id="influencer-table-count"></span>{download_link(table)}</div>
{render_table(table)}
</section>
"""

    def has_intervals(self) -> bool:
        return "rank_low" in self.report.influencers.columns

    def interval_tooltip(self, row: Row) -> str:
        level = self.report.settings.level
        return (
            f"In {level:.0%} of the resamples: rank {row['rank_low']} to {row['rank_high']}, "
            f"score {row['score_low']:.1f} to {row['score_high']:.1f}"
        )

    def influencer_frame(self) -> pl.DataFrame:
        """The influencers with names, organizations' names, communities' names and, with
        intervals, ``likely_rank`` ("2-4")."""
        frame = self.with_community_names(
            self.named(self.named(self.report.influencers), "organization", "organization_")
        )
        if self.has_intervals():
            frame = frame.with_columns(
                (
                    pl.col("rank_low").cast(pl.String)
                    + charts.DASH
                    + pl.col("rank_high").cast(pl.String)
                ).alias("likely_rank")
            )
        return frame

    def has_trend_section(self) -> bool:
        return self.report.trend is not None or "trend" in self.report.notes

    def trend_section(self) -> str:
        report = self.report
        if report.trend is None or report.trend.is_empty():
            if not self.has_trend_section():
                return ""
            note = report.notes.get("trend") or "No time window holds the top accounts."
            return _missing("trend", "Over time", note)
        windows = report.parameters.get("Trend", "")
        return f"""<section id="trend">
<h2>Over time</h2>
<p>How the accounts of most attention rose and fell: their rank in each time window
({text(windows)}).</p>
{_how_to_read("trend")}
<figure class="chart wide" id="chart-trend" role="img" aria-label="Rank over time"></figure>
</section>
"""

    def communities_section(self) -> str:
        report = self.report
        result = report.community_result
        overview = self.with_community_names(report.community_overview)
        leader_names = [
            ", ".join(self.label(key) for key in (leaders or "").split("; ") if key)
            for leaders in overview["leaders"]
        ]
        frame = overview.with_columns(
            pl.Series("leader_names", leader_names, dtype=pl.String),
            pl.col("top_titles", "top_topics").str.replace_all("; ", ", ", literal=True),
        )
        shown = (
            f"the {frame.height:,} largest are listed"
            if frame.height < result.n_communities
            else "all are listed"
        )
        table = Table(
            "community-table",
            frame,
            (
                Column(
                    "community_name",
                    "Community",
                    cell=self.community_cell,
                    wrap=True,
                    css="community",
                ),
                Column("size", "Accounts", integer, numeric=True),
                Column("share", "Share of accounts", share, numeric=True),
                Column(
                    "pagerank_share",
                    "Share of attention",
                    share,
                    numeric=True,
                    tooltip=_pagerank_tooltip("pagerank_share"),
                ),
                Column("leader_names", "Leaders", wrap=True),
                Column("top_titles", "Most common titles", wrap=True),
                Column("top_topics", "Most common topics", wrap=True),
            ),
            caption=f"{result.n_communities:,} communities; {shown}.",
            filename="communities.csv",
            csv_extra=(("leaders", "Leader account ids"),),
        )
        return f"""<section id="communities">
<h2>Communities</h2>
<p>Groups of accounts that pay attention to each other more than to the rest: the niches of your
market, each named after its leading accounts and its members' most common title and topic.</p>
{_how_to_read("communities")}
<div class="grid">
<figure class="chart" id="chart-community-sizes" role="img" aria-label="Community sizes"></figure>
<figure class="chart" id="chart-drawing" role="img"
aria-label="Drawing of the accounts of most attention"></figure>
</div>
<div class="table-tools">{download_link(table)}</div>
{render_table(table)}
</section>
"""

    def brands_section(self) -> str:
        report = self.report
        if report.brands is None:
            return _missing("brands", "People vs brand", report.notes.get("brands", ""))
        frame = self.named(report.brands, "organization")
        table = Table(
            "brand-table",
            frame,
            (
                Column("label", "Organization", cell=name_cell()),
                Column("people", "People", integer, numeric=True),
                Column("corporate_reach", "Brand reach", integer, numeric=True),
                Column("personal_reach", "People's reach", integer, numeric=True),
                Column("overlap", "Reached by both", integer, numeric=True),
                Column("combined_reach", "Combined reach", integer, numeric=True),
                Column("personal_share", "Share only people reach", share, numeric=True),
                Column(
                    "pagerank_corporate",
                    "Brand's share of attention",
                    small_share,
                    numeric=True,
                    tooltip=_pagerank_tooltip("pagerank_corporate"),
                ),
                Column(
                    "pagerank_people",
                    "People's share of attention",
                    small_share,
                    numeric=True,
                    tooltip=_pagerank_tooltip("pagerank_people"),
                ),
            ),
            caption="Reach counts distinct followers outside the organization.",
            filename="people-vs-brand.csv",
            csv_extra=(("profile", "Profile"), ("organization", "Organization id")),
        )
        return f"""<section id="brands">
<h2>People vs brand</h2>
<p>For each organization: the outside accounts its brand accounts reach, those its people reach,
and how much of the audience only its people bring.</p>
{_how_to_read("brands")}
<figure class="chart wide" id="chart-brands" role="img"
aria-label="Brand and people's reach per organization"></figure>
<div class="table-tools">{download_link(table)}</div>
{render_table(table)}
</section>
"""

    def experts_section(self) -> str:
        report = self.report
        if report.experts is None or report.expert_org is None:
            return _missing("experts", "Experts", report.notes.get("experts", ""))
        org = self.org_name(report.expert_org)
        size = f"{report.audience_size:,}" if report.audience_size is not None else "?"
        frame = self.named(_with_audience_score(report.experts)).with_columns(
            pl.col("topics_matched").str.replace_all(";", ", ", literal=True)
        )
        table = Table(
            "expert-table",
            frame,
            (
                Column("rank", "Rank", integer, numeric=True),
                Column("label", "Name", cell=name_cell()),
                Column("title", "Title", wrap=True),
                Column("topics_matched", "Topics", wrap=True),
                Column(
                    "audience_score",
                    "Audience score",
                    fixed(1),
                    numeric=True,
                    tooltip=_pagerank_tooltip("audience_influence"),
                ),
                Column("audience_followers", "Followers in the audience", integer, numeric=True),
                Column("audience_reached", "Audience within 2 steps", integer, numeric=True),
                Column("followers", "All followers", integer, numeric=True),
            ),
            caption=f"People of {org}, by the attention the audience pays them.",
            filename="experts.csv",
            csv_extra=(
                ("shown_handle", "Handle"),
                ("profile", "Profile"),
                ("audience_influence", "Personalized PageRank"),
                ("id", "Account id"),
            ),
        )
        audience = report.audience_text or " + ".join(report.audience)
        return f"""<section id="experts">
<h2>Experts of {text(org)} for {text(audience)}</h2>
<p>The people of {text(org)} that the audience ({text(audience)}, {size} accounts) pays the most
attention to, directly and through the accounts it listens to.</p>
{_how_to_read("experts")}
<figure class="chart wide" id="chart-experts" role="img" aria-label="Experts"></figure>
<div class="table-tools">{download_link(table)}</div>
{render_table(table)}
</section>
"""

    def org_name(self, org: str) -> str:
        if org in self.label_of and self.label_of[org] != org:
            return self.label_of[org]
        return self.report.expert_org_name or org

    # -- charts ---------------------------------------------------------------------------

    def chart_specs(self) -> dict[str, charts.Spec]:
        report = self.report
        influencers = report.influencers
        last_score = float(influencers["score"][-1]) if influencers.height else None
        overview = self.with_community_names(report.community_overview).with_columns(
            pl.Series(
                "leader_names",
                [
                    ", ".join(self.label(key) for key in (leaders or "").split("; ") if key)
                    for leaders in report.community_overview["leaders"]
                ],
                dtype=pl.String,
            )
        )
        drawing = self.with_community_names(self.named(report.drawing.nodes))
        specs = {
            "chart-scores": charts.score_chart(report.score_histogram, last_score),
            "chart-degrees": charts.degree_chart(report.degree_curves),
            "chart-community-sizes": charts.community_chart(overview, self.colours),
            "chart-drawing": charts.drawing_chart(drawing, report.drawing.edges, self.colours),
        }
        # Charts group their bars and lines by name: namesakes get their ids.
        distinct = charts.distinct_labels
        if self.has_intervals():
            top = distinct(self.influencer_frame().head(INTERVAL_ROWS))
            specs["chart-intervals"] = charts.interval_chart(top, report.settings.level)
        if report.trend is not None and not report.trend.is_empty():
            specs["chart-trend"] = charts.trend_chart(distinct(self.named(report.trend)))
        if report.brands is not None:
            brands = distinct(self.named(report.brands, "organization"), "organization")
            specs["chart-brands"] = charts.brands_chart(brands)
        if report.experts is not None and report.expert_org is not None:
            experts = distinct(self.named(_with_audience_score(report.experts.head(15))))
            specs["chart-experts"] = charts.experts_chart(experts, self.org_name(report.expert_org))
        return specs


def _with_audience_score(experts: pl.DataFrame) -> pl.DataFrame:
    """``audience_score``: the audience's attention relative to the first expert's, 0-100."""
    top = experts["audience_influence"].max()
    top_value = float(top) if isinstance(top, int | float) and top > 0 else None
    score = (100 * pl.col("audience_influence") / top_value).round(1) if top_value else pl.lit(0.0)
    return experts.with_columns(score.alias("audience_score"))


def _how_to_read(section: str) -> str:
    explanation = text(HOW_TO_READ[section])
    return f'<p class="how-to-read"><strong>How to read this:</strong> {explanation}</p>'


def _distributions_section() -> str:
    return f"""<section id="distributions">
<h2>How attention is spread</h2>
<p>Over every account of the graph: a few accounts receive most of the attention, and the number
of accounts falls off steadily as the number of connections grows.</p>
{_how_to_read("distributions")}
<div class="grid">
<figure class="chart" id="chart-scores" role="img" aria-label="Score distribution"></figure>
<figure class="chart" id="chart-degrees" role="img" aria-label="Degree distribution"></figure>
</div>
</section>
"""


def _parameters_section(report: Report) -> str:
    parameters = "".join(
        f"<tr><th scope='row'>{text(label)}</th><td>{text(value)}</td></tr>"
        for label, value in report.parameters.items()
    )
    inputs = "".join(
        f"<tr><td>{text(item.table)}</td><td>{text(item.name)}</td>"
        f"<td class='number'>{item.bytes:,}</td><td><code>{item.sha256}</code></td></tr>"
        for item in report.inputs
    )
    return f"""<section id="parameters">
<h2>How this was computed</h2>
<p>What this report was computed from and with: the same files (same checksums) and the same
parameters give the same report.</p>
{_how_to_read("parameters")}
<div class="table-wrap"><table class="parameters">{parameters}</table></div>
<div class="table-wrap"><table class="inputs">
<thead><tr><th>Table</th><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead>
<tbody>{inputs}</tbody></table></div>
</section>
"""


def _missing(anchor: str, heading: str, note: str) -> str:
    return (
        f'<section id="{anchor}"><h2>{text(heading)}</h2>'
        f'<p class="note">{text(note)}</p></section>\n'
    )


def _json_for_script(value: object) -> str:
    """JSON that cannot end its ``<script>`` element early (no ``<``, ``>`` or ``&`` literal),
    nor break a line in older JavaScript engines (no literal U+2028, U+2029)."""
    json_text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for character in "<>&\u2028\u2029":  # U+2028/9 end a line in engines before ES2019
        json_text = json_text.replace(character, f"\\u{ord(character):04x}")
    return json_text


@functools.cache
def _asset(name: str) -> str:
    return resources.files("graphkit.export.report").joinpath("assets", name).read_text("utf-8")
