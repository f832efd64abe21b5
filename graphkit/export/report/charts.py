"""Vega-Lite specifications of the report's charts, as plain dictionaries.

The data of each chart travels inside its specification, so the page needs nothing but the
Vega libraries inlined beside it. Colours of communities are the same in every chart and
table: Tableau 10 for the ten communities the drawing shows most of, grey for the others.
Accounts, organizations and communities appear by name: the frames given here hold ``label``
(an account's or organization's name) and ``community_name`` columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import polars as pl

from graphkit.export.visual import OTHER_COLOUR, PALETTE
from graphkit.export.visual import community_colours as community_colours

SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v5.json"
OTHER: Final = "other communities"
LABELLED: Final = 9  # accounts whose rank is written on their circle
DASH: Final = "\u2013"  # between the ends of a range: 3-5
FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

Spec = dict[str, Any]


def community_colour(community: int, colours: Mapping[int, str]) -> str:
    """The colour of a community in every chart."""
    return colours.get(community, OTHER_COLOUR)


def _colour_group(colours: Mapping[int, str]) -> pl.Expr:
    """The legend label of a row: its community's name when coloured, else ``OTHER``."""
    return (
        pl.when(pl.col("community").is_in(list(colours)))
        .then(pl.col("community_name"))
        .otherwise(pl.lit(OTHER))
    )


def _community_scale(rows: pl.DataFrame, colours: Mapping[int, str]) -> dict[str, Any]:
    """Colour scale of the communities in ``rows`` (``community``, ``community_name``), in
    community order, then ``OTHER``."""
    named = dict(rows.select("community", "community_name").unique("community").rows())
    domain = [named[community] for community in sorted(colours) if community in named]
    scale = [colours[community] for community in sorted(colours) if community in named]
    if any(community not in colours for community in named):
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


def distinct_labels(frame: pl.DataFrame, key: str = "id") -> pl.DataFrame:
    """``frame`` with each ``label`` that several accounts share followed by the account's
    ``key`` (``Dana Lee (u12)``): charts group by label, and two people of the same name
    must stay two bars, two lines.

    Examples
    --------
    >>> frame = pl.DataFrame({"id": ["a", "b", "c", "a"], "label": ["Dana", "Dana", "Sam", "Dana"]})
    >>> distinct_labels(frame)["label"].to_list()
    ['Dana (a)', 'Dana (b)', 'Sam', 'Dana (a)']
    """
    pairs = frame.select(pl.col(key).cast(pl.String), "label").unique()
    shared = pairs.filter(pl.col("label").is_duplicated())["label"].implode()
    return frame.with_columns(
        pl.when(pl.col("label").is_in(shared))
        .then(pl.col("label") + " (" + pl.col(key).cast(pl.String) + ")")
        .otherwise(pl.col("label"))
        .alias("label")
    )


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
    # Without links (one account, or only self-loops) the log axes need a domain of their own.
    empty = {"domain": [1, 10]} if curves.is_empty() else {}
    spec.update(
        {
            "height": 220,
            "data": {"values": _values(labelled)},
            "mark": {"type": "line", "point": {"size": 18}, "tooltip": True},
            "encoding": {
                "x": {
                    "field": "degree",
                    "type": "quantitative",
                    "scale": {"type": "log", "nice": False, **empty},
                    "title": "d: distinct linked accounts (log scale)",
                },
                "y": {
                    "field": "accounts",
                    "type": "quantitative",
                    "scale": {"type": "log", **empty},
                    "title": "accounts with at least d (log scale)",
                },
                "color": {
                    "field": "direction",
                    "type": "nominal",
                    "scale": {"range": [PALETTE[0], PALETTE[1]]},
                    "legend": None if empty else {"orient": "top-right", "title": None},
                },
            },
        }
    )
    return spec


def community_chart(overview: pl.DataFrame, colours: Mapping[int, str]) -> Spec:
    """Community sizes as bars, coloured as in the drawing.

    ``overview``: ``community, community_name, size, share, leader_names``.
    """
    spec = _base("Community sizes", "Accounts per community, largest first.")
    rows = overview.select(
        pl.col("community"),
        pl.col("community_name").alias("name"),
        pl.col("community_name"),
        pl.col("size"),
        pl.col("share"),
        pl.col("leader_names").fill_null("").alias("leaders"),
    ).with_columns(_colour_group(colours).alias("colour_group"))
    spec.update(
        {
            "height": {"step": 18},
            "data": {"values": _values(rows.drop("community_name"))},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {
                    "field": "name",
                    "type": "nominal",
                    "sort": {"field": "community", "order": "ascending"},
                    "title": None,
                    "axis": {"labelLimit": 260},
                },
                "x": {"field": "size", "type": "quantitative", "title": "accounts"},
                "color": {
                    "field": "colour_group",
                    "type": "nominal",
                    "scale": _community_scale(rows, colours),
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


def drawing_chart(
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    colours: Mapping[int, str],
) -> Spec:
    """The top accounts as circles sized by score and coloured by community, with their links.

    ``nodes``: the drawing's nodes (:class:`graphkit.export.report.Drawing`) with ``label``
    and ``community_name``; ``edges``: the drawing's edges.
    """
    spec = _base(
        f"The {nodes.height:,} accounts of most attention",
        "Accounts of most PageRank and the links among them, laid out by force-directed "
        "placement; colour: community, size: score, numbers: rank in the table.",
    )
    nodes = nodes.select(
        "rank", "label", "community", "community_name", "score", "followers", "x", "y"
    ).with_columns(_colour_group(colours).alias("colour_group"))
    hidden = {"axis": None, "scale": {"domain": [-0.03, 1.03]}}
    x_axis = {"type": "quantitative", **hidden}
    spec.update(
        {
            "height": 520,
            "layer": [
                {
                    "data": {"values": _values(edges)},
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
                                    "scale": _community_scale(nodes, colours),
                                    "legend": {
                                        "title": "community",
                                        "orient": "bottom",
                                        "columns": 1,
                                        "labelLimit": 480,
                                    },
                                },
                                "tooltip": [
                                    {"field": "rank", "title": "rank"},
                                    {"field": "label", "title": "name"},
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
                                    {"field": "label", "title": "name"},
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
    """Per organization (``label``: its name): outsiders only the brand reaches, both reach,
    only its people reach."""
    spec = _base(
        "Brand vs people's reach",
        "Distinct outside followers of each organization: reached only by the corporate "
        "accounts, by both, or only by its people. The bar's length is the combined reach.",
    )
    parts = ("brand only", "both", "people only")
    rows = []
    for order, row in enumerate(brands.iter_rows(named=True)):
        label = str(row["label"])
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
    """The experts' audience score (0-100, the top expert 100) as bars; ``experts`` holds
    ``rank, label, title, audience_score, audience_influence, audience_followers``."""
    spec = _base(
        f"Experts of {org} for the audience",
        "The attention the audience pays each person, directly and through the accounts it "
        "listens to, relative to the top expert (100).",
    )
    rows = experts.select(
        "rank",
        "label",
        pl.col("title").fill_null(""),
        "audience_score",
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
                    "field": "audience_score",
                    "type": "quantitative",
                    "scale": {"domain": [0, 100]},
                    "title": "audience score (top expert = 100)",
                },
                "tooltip": [
                    {"field": "rank"},
                    {"field": "label", "title": "name"},
                    {"field": "title"},
                    {"field": "audience_score", "title": "audience score", "format": ".1f"},
                    {"field": "audience_influence", "title": "PageRank", "format": ".3g"},
                    {"field": "audience_followers", "title": "followers in the audience"},
                ],
            },
        }
    )
    return spec


def interval_chart(influencers: pl.DataFrame, level: float) -> Spec:
    """The rank interval of each influencer as a bar from ``rank_low`` to ``rank_high``, a dot
    at its rank; ``influencers`` holds ``label, rank, rank_low, rank_high, score, score_low,
    score_high``."""
    spec = _base(
        f"How sure each rank is ({level:.0%} intervals)",
        f"The ranks each account takes in {level:.0%} of the resamples of the records (bar) "
        "and its rank in the data (dot).",
    )
    rows = influencers.select(
        "rank",
        "label",
        # Each bar covers its ranks' slots, so that a sure rank (3-3) still shows.
        (pl.col("rank_low") - 0.4).alias("bar_from"),
        (pl.col("rank_high") + 0.4).alias("bar_to"),
        (pl.col("rank_low").cast(pl.String) + DASH + pl.col("rank_high").cast(pl.String)).alias(
            "likely"
        ),
        pl.col("score").round(1),
        (
            pl.col("score_low").round(1).cast(pl.String)
            + DASH
            + pl.col("score_high").round(1).cast(pl.String)
        ).alias("score_range"),
    )
    y = {
        "field": "label",
        "type": "nominal",
        "sort": {"field": "rank", "order": "ascending"},
        "title": None,
        "axis": {"labelLimit": 220},
    }
    tooltip = [
        {"field": "rank", "title": "rank"},
        {"field": "label", "title": "name"},
        {"field": "likely", "title": f"likely ranks ({level:.0%})"},
        {"field": "score", "title": "score"},
        {"field": "score_range", "title": f"likely scores ({level:.0%})"},
    ]
    x_title = "rank (1 = most attention); bar: likely ranks"
    spec.update(
        {
            "height": {"step": 18},
            "data": {"values": _values(rows)},
            "encoding": {"y": y, "tooltip": tooltip},
            "layer": [
                {
                    "mark": {"type": "bar", "color": "#a0cbe8", "height": 10, "cornerRadius": 2},
                    "encoding": {
                        "x": {
                            "field": "bar_from",
                            "type": "quantitative",
                            "scale": {"domainMin": 0.5, "nice": False},
                            "title": x_title,
                        },
                        "x2": {"field": "bar_to"},
                    },
                },
                {
                    "mark": {"type": "point", "filled": True, "color": PALETTE[0], "size": 40},
                    "encoding": {"x": {"field": "rank", "type": "quantitative"}},
                },
            ],
        }
    )
    return spec


def trend_chart(trend: pl.DataFrame) -> Spec:
    """The rank of each followed account in each time window, rank 1 at the top, on a log
    scale; ``trend`` holds ``label, window_end, rank, score``."""
    spec = _base(
        "Rank over time",
        "The rank of the top accounts in each time window (the window's end on the x axis); "
        "rank 1 at the top, log scale.",
    )
    rows = trend.select(
        "label",
        pl.col("window_end").dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("window_end"),
        "rank",
        pl.col("score").round(1),
    )
    spec.update(
        {
            "height": 300,
            "data": {"values": _values(rows)},
            "mark": {"type": "line", "point": {"size": 22}, "tooltip": True},
            "encoding": {
                "x": {"field": "window_end", "type": "temporal", "title": "window ending"},
                "y": {
                    "field": "rank",
                    "type": "quantitative",
                    "scale": {"type": "log", "reverse": True, "domainMin": 1},
                    "title": "rank (1 = most attention, log scale)",
                },
                "color": {
                    "field": "label",
                    "type": "nominal",
                    "scale": {"range": list(PALETTE)},
                    "sort": None,
                    "legend": {"title": None, "orient": "right", "labelLimit": 220},
                },
                "tooltip": [
                    {"field": "label", "title": "name"},
                    {"field": "window_end", "type": "temporal", "title": "window ending"},
                    {"field": "rank", "title": "rank"},
                    {"field": "score", "title": "score"},
                ],
            },
        }
    )
    return spec
