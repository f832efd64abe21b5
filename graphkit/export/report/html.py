"""The report as one self-contained HTML page: styles, scripts and data inline, no network.

Tables are rendered here (escaped), so they read and print without JavaScript; a small script
makes them sortable and searchable. Charts are Vega-Lite specifications drawn as SVG by the
Vega libraries, inlined from the ``vl-convert-python`` package (the ``report`` extra).
"""

from __future__ import annotations

import functools
import html
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import polars as pl

from graphkit import __version__
from graphkit.errors import MissingDependencyError
from graphkit.export.report import charts
from graphkit.export.report.content import Report
from graphkit.io.writers import atomic_path

INSTALL_HINT: Final = "pip install 'graphkit[report]'"
# The bundle's entry point: what report.js uses.
_EMBED_SNIPPET: Final = "window.vegaEmbed = vegaEmbed;"


@dataclass(frozen=True)
class Column:
    """A table column: source field, header, how to show a value, and whether it is numeric."""

    field: str
    header: str
    show: Callable[[Any], str] = str
    numeric: bool = False
    wrap: bool = False


def _integer(value: Any) -> str:
    return f"{int(value):,}"


def _fixed(digits: int) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        return f"{float(value):,.{digits}f}"

    return show


def _share(value: Any) -> str:
    return f"{float(value):.1%}"


def _small(value: Any) -> str:
    return f"{float(value):.3g}"


INFLUENCER_COLUMNS: Final = (
    Column("rank", "Rank", _integer, numeric=True),
    Column("account", "Account"),
    Column("name", "Name"),
    Column("title", "Title"),
    Column("organization", "Organization"),
    Column("score", "Score", _fixed(2), numeric=True),
    Column("followers", "Followers", _integer, numeric=True),
    Column("interactions_received", "Interactions", _fixed(0), numeric=True),
    Column("engagement_rate", "Engagement / follower", _fixed(2), numeric=True),
    Column("community", "Community", numeric=True),
    Column("community_rank", "Rank in community", _integer, numeric=True),
)
COMMUNITY_COLUMNS: Final = (
    Column("community", "Community", numeric=True),
    Column("size", "Accounts", _integer, numeric=True),
    Column("share", "Share", _share, numeric=True),
    Column("modularity_contribution", "Modularity", _fixed(3), numeric=True),
    Column("pagerank_share", "Attention share", _share, numeric=True),
    Column("leader_accounts", "Leaders", wrap=True),
    Column("top_titles", "Dominant titles", wrap=True),
    Column("top_topics", "Dominant topics", wrap=True),
)
BRAND_COLUMNS: Final = (
    Column("organization", "Organization"),
    Column("name", "Name"),
    Column("people", "People", _integer, numeric=True),
    Column("corporate_reach", "Corporate reach", _integer, numeric=True),
    Column("personal_reach", "People's reach", _integer, numeric=True),
    Column("overlap", "Overlap", _integer, numeric=True),
    Column("combined_reach", "Combined", _integer, numeric=True),
    Column("personal_share", "People's share", _share, numeric=True),
    Column("pagerank_corporate", "PageRank brand", _small, numeric=True),
    Column("pagerank_people", "PageRank people", _small, numeric=True),
)
EXPERT_COLUMNS: Final = (
    Column("rank", "Rank", _integer, numeric=True),
    Column("account", "Account"),
    Column("name", "Name"),
    Column("title", "Title", wrap=True),
    Column("topics_matched", "Topics", wrap=True),
    Column("audience_influence", "Audience influence", _small, numeric=True),
    Column("audience_attention", "Direct attention", _small, numeric=True),
    Column("audience_followers", "Audience followers", _integer, numeric=True),
    Column("audience_reached", "Audience within 2 hops", _integer, numeric=True),
    Column("followers", "Followers", _integer, numeric=True),
)


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
    specs = _chart_specs(report)
    sections = [
        _influencers_section(report),
        _distributions_section(),
        _communities_section(report),
        _brands_section(report),
        _experts_section(report),
        _parameters_section(report),
    ]
    versions = ", ".join(f"{name} {version}" for name, version in vega_versions().items())
    nav = "".join(
        f'<a href="#{anchor}">{label}</a>'
        for anchor, label in (
            ("influencers", "Influencers"),
            ("distributions", "Distributions"),
            ("communities", "Communities"),
            ("brands", "Brands"),
            ("experts", "Experts"),
            ("parameters", "Parameters"),
        )
    )
    overview = "".join(
        f"<div><dt>{_text(label)}</dt><dd>{_text(value)}</dd></div>"
        for label, value in report.overview.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="graphkit {_text(__version__)}">
<title>{_text(title)}</title>
<style>
{_asset("report.css")}
</style>
</head>
<body>
<header class="page-header">
<h1>{_text(title)}</h1>
<p class="subject">{_text(subject)}</p>
<dl class="overview">{overview}</dl>
<nav aria-label="Sections">{nav}</nav>
</header>
<main>
{"".join(sections)}
</main>
<footer>Made with graphkit {_text(__version__)}; charts drawn by {_text(versions)}, inlined:
this file needs no network.</footer>
<script type="application/json" id="chart-specs">{_json_for_script(specs)}</script>
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


def _chart_specs(report: Report) -> dict[str, charts.Spec]:
    influencers = report.influencers
    last_score = float(influencers["score"][-1]) if influencers.height else None
    colours = _colours(report)
    specs = {
        "chart-scores": charts.score_chart(report.score_histogram, last_score),
        "chart-degrees": charts.degree_chart(report.degree_curves),
        "chart-community-sizes": charts.community_chart(report.community_overview, colours),
        "chart-drawing": charts.drawing_chart(report.drawing, colours),
    }
    if report.brands is not None:
        specs["chart-brands"] = charts.brands_chart(report.brands)
    if report.experts is not None and report.expert_org is not None:
        specs["chart-experts"] = charts.experts_chart(
            report.experts.head(15), _org_name(report, report.expert_org)
        )
    return specs


def _influencers_section(report: Report) -> str:
    table = report.influencers
    n_accounts = report.overview.get("Accounts", "")
    body = _table(
        "influencer-table",
        _with_account(table),
        INFLUENCER_COLUMNS,
        caption=f"The {table.height:,} accounts of most attention, of {n_accounts}.",
        cell_extra={"community": _community_cell(_colours(report))},
    )
    return f"""<section id="influencers">
<h2>Top influencers</h2>
<p>Accounts ranked by the attention they receive, directly and through the accounts that pass
it on (weighted PageRank). The score maps PageRank to 0-100 on a log scale: equal steps are equal
multiples of attention. Click a column to sort; type to search.</p>
<div class="table-tools"><input type="search" data-filter="influencer-table"
placeholder="Search account, name, title, organization" aria-label="Search the influencers">
<span class="count" id="influencer-table-count"></span></div>
{body}
</section>
"""


def _distributions_section() -> str:
    return """<section id="distributions">
<h2>Distributions</h2>
<p>Over every account of the graph. Attention is concentrated: a few accounts receive most of it,
and the number of accounts falls off steadily as the number of links grows.</p>
<div class="grid">
<figure class="chart" id="chart-scores" role="img" aria-label="Score distribution"></figure>
<figure class="chart" id="chart-degrees" role="img" aria-label="Degree distribution"></figure>
</div>
</section>
"""


def _communities_section(report: Report) -> str:
    result = report.community_result
    overview = report.community_overview
    modularity = "" if math.isnan(result.modularity) else f", modularity {result.modularity:.3f}"
    shown = (
        f"the {overview.height:,} largest are listed"
        if overview.height < result.n_communities
        else "all are listed"
    )
    table = _table(
        "community-table",
        _with_leader_accounts(overview),
        COMMUNITY_COLUMNS,
        caption=f"{result.n_communities:,} communities{modularity}; {shown}.",
        cell_extra={"community": _community_cell(_colours(report))},
    )
    return f"""<section id="communities">
<h2>Communities</h2>
<p>Niches of accounts that pay attention to each other more than to the rest
({_text(result.method)}, seed {result.seed}), and the accounts that lead each one.</p>
<div class="grid">
<figure class="chart" id="chart-community-sizes" role="img" aria-label="Community sizes"></figure>
<figure class="chart" id="chart-drawing" role="img"
aria-label="Drawing of the accounts of most attention"></figure>
</div>
<p class="legend-note">In the drawing, each circle is one of the accounts of most attention,
sized by score and coloured by community, with its rank written on the first ones; lines join
accounts linked by follows or interactions. Hover for names.</p>
{table}
</section>
"""


def _brands_section(report: Report) -> str:
    if report.brands is None:
        return _missing("brands", "Personal vs corporate reach", report.notes.get("brands", ""))
    table = _table(
        "brand-table",
        report.brands,
        BRAND_COLUMNS,
        caption="Reach counts distinct followers outside the organization.",
    )
    return f"""<section id="brands">
<h2>Personal vs corporate reach</h2>
<p>For each organization, the outside accounts its corporate accounts reach, those its people
reach, and the overlap: how much of the audience only its people bring.</p>
<figure class="chart wide" id="chart-brands" role="img"
aria-label="Corporate and personal reach per organization"></figure>
{table}
</section>
"""


def _experts_section(report: Report) -> str:
    if report.experts is None or report.expert_org is None:
        return _missing("experts", "Experts", report.notes.get("experts", ""))
    org = _org_name(report, report.expert_org)
    audience = " + ".join(report.audience)
    size = f"{report.audience_size:,}" if report.audience_size is not None else "?"
    table = _table(
        "expert-table",
        _with_account(report.experts),
        EXPERT_COLUMNS,
        caption=f"People of {org}, by the attention the audience pays them.",
    )
    return f"""<section id="experts">
<h2>Experts of {_text(org)}</h2>
<p>The people of {_text(org)} ranked by the attention of the audience
<code>{_text(audience)}</code> ({size} accounts): personalized PageRank from the audience, the
part it pays directly, and how many audience accounts follow each person or are within two
follow hops.</p>
<figure class="chart wide" id="chart-experts" role="img" aria-label="Experts"></figure>
{table}
</section>
"""


def _parameters_section(report: Report) -> str:
    parameters = "".join(
        f"<tr><th scope='row'>{_text(label)}</th><td>{_text(value)}</td></tr>"
        for label, value in report.parameters.items()
    )
    inputs = "".join(
        f"<tr><td>{_text(item.table)}</td><td>{_text(item.name)}</td>"
        f"<td class='number'>{item.bytes:,}</td><td><code>{item.sha256}</code></td></tr>"
        for item in report.inputs
    )
    return f"""<section id="parameters">
<h2>Parameters and inputs</h2>
<p>What this report was computed from and with: the same files (same checksums) and the same
parameters give the same report.</p>
<div class="table-wrap"><table class="parameters">{parameters}</table></div>
<div class="table-wrap"><table class="inputs">
<thead><tr><th>Table</th><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead>
<tbody>{inputs}</tbody></table></div>
</section>
"""


def _missing(anchor: str, heading: str, note: str) -> str:
    return (
        f'<section id="{anchor}"><h2>{_text(heading)}</h2>'
        f'<p class="note">{_text(note)}</p></section>\n'
    )


def _with_account(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``account``: the handle, or the id where there is none (an edge list has no
    handles), so that every table names its accounts."""
    handle = pl.col("handle") if "handle" in frame.columns else pl.lit(None, dtype=pl.String)
    handle = handle.cast(pl.String)
    ids = pl.col("id").cast(pl.String) if "id" in frame.columns else pl.lit(None, pl.String)
    return frame.with_columns(
        pl.when(handle.is_null() | (handle == "")).then(ids).otherwise(handle).alias("account")
    )


def _with_leader_accounts(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``leader_accounts``: the leaders' handles, or their ids where there are none."""
    names = [name for name in ("leader_handles", "leaders") if name in frame.columns]
    if not names:
        return frame
    texts = [pl.col(name).cast(pl.String) for name in names]
    chosen = texts[-1]
    for text in reversed(texts[:-1]):
        chosen = (
            pl.when(text.is_null() | (text.str.strip_chars("; ") == ""))
            .then(chosen)
            .otherwise(text)
        )
    return frame.with_columns(chosen.alias("leader_accounts"))


def _table(
    table_id: str,
    frame: pl.DataFrame,
    columns: Sequence[Column],
    *,
    caption: str,
    cell_extra: dict[str, Callable[[Any], str]] | None = None,
) -> str:
    present = [column for column in columns if column.field in frame.columns]
    # A column the data never fills (no titles, say) only takes room.
    present = [
        column
        for column in present
        if frame[column.field].null_count() < frame.height
        and not (frame.schema[column.field] == pl.String and (frame[column.field] == "").all())
    ]
    head = "".join(
        f'<th scope="col" data-type="{"number" if column.numeric else "text"}">'
        f"{_text(column.header)}</th>"
        for column in present
    )
    rows = []
    for row in frame.select(column.field for column in present).iter_rows():
        cells = []
        for column, value in zip(present, row, strict=True):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append('<td data-value=""></td>')
                continue
            shown = column.show(value)
            if cell_extra and column.field in cell_extra:
                shown = cell_extra[column.field](value)
            else:
                shown = _text(shown)
            kind = ' class="number"' if column.numeric else "" if column.wrap else ' class="text"'
            cells.append(f'<td{kind} data-value="{_text(str(value))}">{shown}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="table-wrap"><table id="{table_id}" class="sortable">'
        f"<caption>{_text(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _colours(report: Report) -> dict[int, str]:
    return charts.community_colours(report.drawing.nodes["community"])


def _community_cell(colours: dict[int, str]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        colour = charts.community_colour(int(value), colours)
        return f'<span class="swatch" style="background:{colour}"></span>C{int(value)}'

    return show


def _org_name(report: Report, org: str) -> str:
    name = report.expert_org_name
    return f"{name} ({org})" if name else org


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _json_for_script(value: object) -> str:
    """JSON that cannot end its ``<script>`` element early (no ``<``, ``>`` or ``&`` literal)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@functools.cache
def _asset(name: str) -> str:
    return resources.files("graphkit.export.report").joinpath("assets", name).read_text("utf-8")
