"""Vega-Lite specifications of the report's charts, as plain dictionaries.

The data of each chart travels inside its specification, so the page needs nothing but the
Vega libraries inlined beside it. Colours of communities are the same in every chart and
table: Tableau 10 for the ten communities the drawing shows most of, grey for the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import polars as pl

from graphkit.export.report.content import Drawing

SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v5.json"
PALETTE: Final = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
)
OTHER: Final = "other"
OTHER_COLOUR: Final = "#bab0ac"
LABELLED: Final = 9  # accounts whose rank is written on their circle
FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

Spec = dict[str, Any]


def community_colours(drawn: pl.Series) -> dict[int, str]:
    """Colours of the communities with the most drawn accounts (ties: the larger community).

    The drawing is where colours tell communities apart, so the ten communities it shows most
    of get the ten colours; every other community is grey, in every chart and table.

    Examples
    --------
    >>> community_colours(pl.Series([3, 3, 0, 12]))
    {3: '#4e79a7', 0: '#f28e2b', 12: '#e15759'}
    """
    counts = (
        pl.DataFrame({"community": drawn.cast(pl.Int64)})
        .group_by("community")
        .len()
        .sort(["len", "community"], descending=[True, False])
        .head(len(PALETTE))
    )
    return {
        int(community): PALETTE[position]
        for position, community in enumerate(counts["community"].to_list())
    }


def community_colour(community: int, colours: Mapping[int, str]) -> str:
    """The colour of a community in every chart."""
    return colours.get(community, OTHER_COLOUR)


def _colour_group(colours: Mapping[int, str]) -> pl.Expr:
    """The legend label of the ``community`` column: ``C<id>`` when coloured, else ``other``."""
    community = pl.col("community")
    return (
        pl.when(community.is_in(list(colours)))
        .then(pl.lit("C") + community.cast(pl.String))
        .otherwise(pl.lit(OTHER))
    )


def _community_scale(labels: list[str], colours: Mapping[int, str]) -> dict[str, Any]:
    present = set(labels)
    domain = [f"C{community}" for community in sorted(colours) if f"C{community}" in present]
    scale = [colours[int(label[1:])] for label in domain]
    if OTHER in present:
        domain.append(OTHER)
        scale.append(OTHER_COLOUR)
    return {"domain": domain, "range": scale}


def _base(title: str, description: str) -> Spec:
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "description": description,
        "width": "container",
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
        },
    }


def _values(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts()


def score_chart(histogram: pl.DataFrame, top_score: float | None) -> Spec:
    """Accounts per score bin, counts on a log axis; a rule marks the table's last score."""
    spec = _base(
        "Score distribution",
        "Accounts per bin of the 0-100 influence score (PageRank on a log scale).",
    )
    bars: Spec = {
        "data": {"values": _values(histogram)},
        "mark": {"type": "bar", "color": PALETTE[0], "tooltip": True},
        "encoding": {
            "x": {
                "field": "score_from",
                "type": "quantitative",
                "bin": {"binned": True, "step": 2},
                "scale": {"domain": [0, 100]},
                "title": "influence score (0-100, log of PageRank)",
            },
            "x2": {"field": "score_to"},
            "y": {
                "field": "accounts",
                "type": "quantitative",
                "scale": {"type": "log", "domainMin": 0.5},
                "title": "accounts (log scale)",
            },
            # Bars start below 1 so that a bin of one account shows (log 0 is undefined).
            "y2": {"datum": 0.5},
        },
    }
    layers = [bars]
    if top_score is not None:
        layers.append(
            {
                "data": {"values": [{"score": top_score, "label": "last row of the table"}]},
                "mark": {"type": "rule", "color": "#333", "strokeDash": [4, 3]},
                "encoding": {
                    "x": {"field": "score", "type": "quantitative"},
                    "tooltip": [
                        {"field": "label", "title": "marks"},
                        {"field": "score", "title": "score"},
                    ],
                },
            }
        )
    spec.update({"height": 220, "layer": layers})
    return spec


def degree_chart(curves: pl.DataFrame) -> Spec:
    """Accounts with at least d links in and out, both axes on log scales."""
    spec = _base(
        "Degree distribution",
        "How many accounts have at least d distinct accounts paying attention to them (in) "
        "or that they pay attention to (out); both axes log scales.",
    )
    labelled = curves.with_columns(
        pl.when(pl.col("direction") == "in")
        .then(pl.lit("in: attended by"))
        .otherwise(pl.lit("out: attends to"))
        .alias("direction")
    )
    spec.update(
        {
            "height": 220,
            "data": {"values": _values(labelled)},
            "mark": {"type": "line", "point": {"size": 18}, "tooltip": True},
            "encoding": {
                "x": {
                    "field": "degree",
                    "type": "quantitative",
                    "scale": {"type": "log", "nice": False},
                    "title": "d: distinct linked accounts (log scale)",
                },
                "y": {
                    "field": "accounts",
                    "type": "quantitative",
                    "scale": {"type": "log"},
                    "title": "accounts with at least d (log scale)",
                },
                "color": {
                    "field": "direction",
                    "type": "nominal",
                    "scale": {"range": [PALETTE[0], PALETTE[1]]},
                    "legend": {"orient": "top-right", "title": None},
                },
            },
        }
    )
    return spec


def community_chart(overview: pl.DataFrame, colours: Mapping[int, str]) -> Spec:
    """Community sizes as bars, coloured as in the drawing."""
    spec = _base("Community sizes", "Accounts per community, largest first.")
    rows = overview.select(
        pl.col("community"),
        pl.col("size"),
        pl.col("share"),
        pl.col("leader_handles").fill_null(pl.col("leaders")).fill_null("").alias("leaders"),
    ).with_columns(
        ("C" + pl.col("community").cast(pl.String)).alias("name"),
        _colour_group(colours).alias("colour_group"),
    )
    spec.update(
        {
            "height": {"step": 16},
            "data": {"values": _values(rows)},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {
                    "field": "name",
                    "type": "nominal",
                    "sort": {"field": "community", "order": "ascending"},
                    "title": None,
                },
                "x": {"field": "size", "type": "quantitative", "title": "accounts"},
                "color": {
                    "field": "colour_group",
                    "type": "nominal",
                    "scale": _community_scale(rows["colour_group"].to_list(), colours),
                    "legend": None,
                },
                "tooltip": [
                    {"field": "name", "title": "community"},
                    {"field": "size", "title": "accounts", "format": ","},
                    {"field": "share", "title": "share", "format": ".1%"},
                    {"field": "leaders", "title": "leaders"},
                ],
            },
        }
    )
    return spec


def drawing_chart(drawing: Drawing, colours: Mapping[int, str]) -> Spec:
    """The top accounts as circles sized by score and coloured by community, with their links."""
    spec = _base(
        f"The {drawing.nodes.height:,} accounts of most attention",
        "Accounts of most PageRank and the links among them, laid out by force-directed "
        "placement; colour: community, size: score, numbers: rank in the table.",
    )
    nodes = drawing.nodes.with_columns(
        pl.col("handle").fill_null(pl.col("name")).fill_null(pl.col("id")).alias("label"),
        ("C" + pl.col("community").cast(pl.String)).alias("community_name"),
        _colour_group(colours).alias("colour_group"),
    )
    hidden = {"axis": None, "scale": {"domain": [-0.03, 1.03]}}
    x_axis = {"type": "quantitative", **hidden}
    spec.update(
        {
            "height": 520,
            "layer": [
                {
                    "data": {"values": _values(drawing.edges)},
                    "mark": {"type": "rule", "color": "#9aa0a6", "opacity": 0.35},
                    "encoding": {
                        "x": {"field": "x", **x_axis},
                        "y": {"field": "y", **x_axis},
                        "x2": {"field": "x2"},
                        "y2": {"field": "y2"},
                        "strokeWidth": {
                            "field": "weight",
                            "type": "quantitative",
                            "scale": {"type": "log", "range": [0.5, 2.5]},
                            "legend": None,
                        },
                    },
                },
                {
                    "data": {"values": _values(nodes)},
                    "layer": [
                        {
                            "mark": {
                                "type": "circle",
                                "opacity": 0.9,
                                "stroke": "white",
                                "strokeWidth": 0.8,
                            },
                            "encoding": {
                                "x": {"field": "x", **x_axis},
                                "y": {"field": "y", **x_axis},
                                "size": {
                                    "field": "score",
                                    "type": "quantitative",
                                    "scale": {"range": [20, 420]},
                                    "legend": None,
                                },
                                "color": {
                                    "field": "colour_group",
                                    "type": "nominal",
                                    "scale": _community_scale(
                                        nodes["colour_group"].to_list(), colours
                                    ),
                                    "legend": {"title": "community", "orient": "right"},
                                },
                                "tooltip": [
                                    {"field": "rank", "title": "rank"},
                                    {"field": "label", "title": "account"},
                                    {"field": "name", "title": "name"},
                                    {"field": "community_name", "title": "community"},
                                    {"field": "score", "title": "score", "format": ".1f"},
                                    {"field": "followers", "title": "followers", "format": ","},
                                ],
                            },
                        },
                        {
                            "transform": [{"filter": f"datum.rank <= {LABELLED}"}],
                            # Ranks, not names: the first accounts are hubs in the middle,
                            # where names would cover each other.
                            "mark": {
                                "type": "text",
                                "fontSize": 10,
                                "fontWeight": "bold",
                                "color": "white",
                                "baseline": "middle",
                                "align": "center",
                            },
                            "encoding": {
                                "x": {"field": "x", **x_axis},
                                "y": {"field": "y", **x_axis},
                                "text": {"field": "rank"},
                                "tooltip": [
                                    {"field": "rank", "title": "rank"},
                                    {"field": "label", "title": "account"},
                                ],
                            },
                        },
                    ],
                },
            ],
        }
    )
    return spec


def brands_chart(brands: pl.DataFrame) -> Spec:
    """Per organization: outsiders only the brand reaches, both reach, only its people reach."""
    spec = _base(
        "Corporate vs personal reach",
        "Distinct outside followers of each organization: reached only by the corporate "
        "accounts, by both, or only by its people. The bar's length is the combined reach.",
    )
    parts = ("corporate only", "both (overlap)", "people only")
    rows = []
    for order, row in enumerate(brands.iter_rows(named=True)):
        label = str(row["name"] or row["organization"])
        values = (
            row["corporate_reach"] - row["overlap"],
            row["overlap"],
            row["personal_only_reach"],
        )
        for part_order, (part, value) in enumerate(zip(parts, values, strict=True)):
            rows.append(
                {
                    "organization": label,
                    "order": order,
                    "part": part,
                    "part_order": part_order,
                    "accounts": int(value),
                    "people": int(row["people"]),
                }
            )
    spec.update(
        {
            "height": {"step": 20},
            "data": {"values": rows},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {
                    "field": "organization",
                    "type": "nominal",
                    "sort": {"field": "order", "order": "ascending"},
                    "title": None,
                },
                "x": {
                    "field": "accounts",
                    "type": "quantitative",
                    "stack": "zero",
                    "title": "outside accounts reached",
                },
                "color": {
                    "field": "part",
                    "type": "nominal",
                    "scale": {"domain": list(parts), "range": [PALETTE[0], "#a0cbe8", PALETTE[1]]},
                    "legend": {"orient": "top", "title": None},
                },
                "order": {"field": "part_order"},
                "tooltip": [
                    {"field": "organization"},
                    {"field": "part", "title": "reached by"},
                    {"field": "accounts", "format": ","},
                    {"field": "people", "title": "people"},
                ],
            },
        }
    )
    return spec


def experts_chart(experts: pl.DataFrame, org: str) -> Spec:
    """The experts' audience influence (personalized PageRank) as bars."""
    spec = _base(
        f"Experts of {org} for the audience",
        "Personalized PageRank from the audience: the attention it pays each person, "
        "directly and through the accounts it listens to.",
    )
    rows = experts.select(
        "rank",
        pl.col("handle").fill_null(pl.col("name")).fill_null(pl.col("id")).alias("label"),
        pl.col("title").fill_null(""),
        "audience_influence",
        "audience_followers",
    )
    spec.update(
        {
            "height": {"step": 16},
            "data": {"values": _values(rows)},
            "mark": {"type": "bar", "color": PALETTE[4], "tooltip": True},
            "encoding": {
                "y": {
                    "field": "label",
                    "type": "nominal",
                    "sort": {"field": "rank", "order": "ascending"},
                    "title": None,
                },
                "x": {
                    "field": "audience_influence",
                    "type": "quantitative",
                    "title": "audience influence (personalized PageRank)",
                },
                "tooltip": [
                    {"field": "rank"},
                    {"field": "label", "title": "person"},
                    {"field": "title"},
                    {"field": "audience_influence", "format": ".5f"},
                    {"field": "audience_followers", "title": "audience followers"},
                ],
            },
        }
    )
    return spec
