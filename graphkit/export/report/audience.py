"""The report's audience section: what a chosen audience pays attention to far above everyone
else (affinities), the segments it splits into and, once measured, its quality.

Built only when the report is given an audience (``graphkit report --audience``). The quality
figures come from the audience audit (``graphkit audit``): :func:`with_audience_quality` adds
them to a built report, and the section shows them when present.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from graphkit.analysis.affinity import (
    DEFAULT_MIN_SUPPORT,
    affinity_table,
    audience_counts,
    audience_segments,
)
from graphkit.analysis.audience import select_audience
from graphkit.analysis.audit import (
    DEFAULT_THRESHOLD,
    REASON_LEVEL,
    SIGNALS,
    audit_accounts,
    quality_table,
)
from graphkit.errors import ParameterError
from graphkit.export.report.naming import account_labels
from graphkit.export.report.tables import (
    Column,
    Table,
    download_link,
    fixed,
    integer,
    name_cell,
    render_table,
    small_share,
    text,
)
from graphkit.graph.social import SocialGraph

if TYPE_CHECKING:
    from graphkit.export.report.content import Report

DEFAULT_AFFINITIES: Final = 25
DEFAULT_SEGMENTS: Final = 10
HOW_TO_READ: Final = (
    "Share of the audience is the part of the audience's active members (those who follow or "
    "engage with anyone) that follow or engage with the account; share of everyone else is the "
    "same among all other active accounts. Lift is their ratio: 5x means the audience is five "
    "times as likely to pay attention to the account. 'At least' is the lift the data "
    "guarantees with 95% confidence: the table is sorted by it, so small accounts followed by "
    "a handful of members by chance do not crowd the top. Segments are groups of the audience "
    "that follow each other; their leaders are the accounts the group attends to most, and "
    "more than the rest of the audience does."
)


@dataclass(frozen=True)
class AudienceSection:
    """What the audience section shows.

    Attributes
    ----------
    selectors
        The audience selectors.
    size, active
        Accounts the audience holds, and those of them paying attention to anyone.
    affinities
        The first rows of :func:`graphkit.analysis.affinity.affinity_table`, with ``label``,
        ``profile`` and ``shown_handle``; ``None`` with a note when there is no base rate.
    segments
        The first segments of :func:`graphkit.analysis.affinity.audience_segments` (by
        interconnections) with ``leader_labels``.
    quality
        Audience-quality figures (from the audience audit), or ``None`` until added by
        :func:`with_audience_quality`.
    note
        Why the affinities are missing, for the page to say.
    """

    selectors: tuple[str, ...]
    size: int
    active: int
    affinities: pl.DataFrame | None
    segments: pl.DataFrame
    quality: pl.DataFrame | None = None
    note: str | None = None


def build_audience_section(
    graph: SocialGraph,
    selectors: Sequence[str],
    *,
    seed: int = 0,
    affinities: int = DEFAULT_AFFINITIES,
    segments: int = DEFAULT_SEGMENTS,
    quality: pl.DataFrame | None = None,
) -> AudienceSection:
    """The audience section of ``selectors`` (which must select some account)."""
    mask = select_audience(graph, tuple(selectors))
    active = audience_counts(graph, mask).audience_size
    note = None
    table: pl.DataFrame | None
    try:
        table = affinity_table(graph, mask, top=affinities)
        table = _named(graph, table)
    except ParameterError as error:
        table, note = None, f"No affinities: {error}."
    if table is not None and table.is_empty():
        note = (
            "No affinities: no member of the audience follows or engages with anyone."
            if active == 0
            else f"No account is followed or engaged with by {DEFAULT_MIN_SUPPORT} or more "
            "members of the audience."
        )
    if quality is None:
        quality = audience_quality(graph, mask, None if table is None else table["id"].head(10))
    result = audience_segments(graph, mask, seed=seed)
    split = result.table.head(segments)
    # The leaders by id, never split out of the joined text (an id may hold "; ").
    leaders = result.leaders.filter(pl.col("segment").is_in(split["segment"].implode()))
    labels = account_labels(graph, leaders["leader"].to_list()).select("id", "label")
    named = (
        leaders.join(labels, left_on="leader", right_on="id", how="left", maintain_order="left")
        .group_by("segment", maintain_order=True)
        .agg(pl.col("label").str.join(", ").alias("leader_labels"))
    )
    split = split.join(named, on="segment", how="left", maintain_order="left").with_columns(
        pl.col("dominant_titles").str.replace_all("; ", ", ", literal=True),
        pl.col("dominant_topics").str.replace_all("; ", ", ", literal=True),
    )
    return AudienceSection(
        selectors=tuple(selectors),
        size=int(mask.sum()),
        active=active,
        affinities=table,
        segments=split,
        quality=quality,
        note=note,
    )


def audience_quality(graph: SocialGraph, mask: Any, followed: pl.Series | None) -> pl.DataFrame:
    """How authentic the audience looks, and the followers of the accounts it follows most
    above the base rate (``followed``): one row for the audience's members, then one per
    account, from the audit of every account (:mod:`graphkit.analysis.audit`, default
    trusted accounts and threshold)."""
    audit = audit_accounts(graph)
    suspicious = audit.suspicion >= DEFAULT_THRESHOLD
    members = int(mask.sum())
    flagged = suspicious & mask
    member_reasons = {name: int((flagged & (audit.signals[name] >= REASON_LEVEL)).sum())
                      for name in SIGNALS}  # fmt: skip
    rows: list[dict[str, Any]] = [
        {
            "account": "The audience's own members",
            "followers": members,
            "suspicious": int(flagged.sum()),
            "looks_authentic": 1.0 - int(flagged.sum()) / members if members else None,
            "main_reason": _main_reason(member_reasons),
        }
    ]
    if followed is not None and followed.len():
        nodes = graph.index_of(followed.to_list())
        per_account = quality_table(graph, audit, nodes[nodes >= 0])
        labels = account_labels(graph, per_account["id"].to_list())["label"].to_list()
        for row, label in zip(per_account.iter_rows(named=True), labels, strict=True):
            reasons = {name: int(row[f"reason_{name}"]) for name in SIGNALS}
            rows.append(
                {
                    "account": f"Followers of {label}",
                    "followers": int(row["followers"]),
                    "suspicious": int(row["suspicious_followers"]),
                    "looks_authentic": row["audience_quality"],
                    "main_reason": _main_reason(reasons),
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "account": pl.String,
            "followers": pl.Int64,
            "suspicious": pl.Int64,
            "looks_authentic": pl.Float64,
            "main_reason": pl.String,
        },
    )


def _main_reason(counts: dict[str, int]) -> str:
    """The signal that fired for the most suspicious accounts, in words ("" for none)."""
    name, count = max(counts.items(), key=lambda item: (item[1], -SIGNALS.index(item[0])))
    return name.replace("_", " ") if count else ""


def with_audience_quality(report: Report, quality: pl.DataFrame | None) -> Report:
    """The report with audience-quality figures in its audience section.

    The place for the audience audit: ``quality`` is any table of figures (e.g. one row per
    measure: ``measure, value``, or per account: ``id, followers, suspicious_followers,
    audience_quality``); the section shows it as given under "Audience quality". A report
    without an audience section is returned unchanged.
    """
    if report.audience_section is None:
        return report
    section = dataclasses.replace(report.audience_section, quality=quality)
    return dataclasses.replace(report, audience_section=section)


def audience_section_html(section: AudienceSection | None, audience_text: str) -> str:
    """The section as HTML ("" without a section)."""
    if section is None:
        return ""
    audience = audience_text or " + ".join(section.selectors)
    accounts = "1 account" if section.size == 1 else f"{section.size:,} accounts"
    parts = [
        f'<section id="audience">\n<h2>What the audience pays attention to: {text(audience)}</h2>',
        f"<p>The audience ({text(audience)}: {accounts}, {section.active:,} of them following "
        "or engaging with others) compared with everyone else: the accounts it pays attention "
        "to far more than others do, and the groups it splits into.</p>",
        f'<p class="how-to-read"><strong>How to read this:</strong> {text(HOW_TO_READ)}</p>',
    ]
    if section.affinities is None or section.affinities.is_empty():
        parts.append(f'<p class="note">{text(section.note or "No account passes the test.")}</p>')
    else:
        affinities = Table(
            "affinity-table",
            section.affinities,
            (
                Column("rank", "Rank", integer, numeric=True),
                Column("label", "Name", cell=name_cell()),
                Column("audience_share", "Share of the audience", small_share, numeric=True),
                Column("base_share", "Share of everyone else", small_share, numeric=True),
                Column("lift", "Lift", _times, numeric=True),
                Column("lift_low", "Lift at least", _times, numeric=True),
                Column("audience_followers", "Audience members", integer, numeric=True),
            ),
            caption=f"Accounts {audience} follow or engage with far above the base rate.",
            filename="affinities.csv",
            csv_extra=(("p_value", "p-value"), ("id", "Account id")),
        )
        parts += [f'<div class="table-tools">{download_link(affinities)}</div>',
                  render_table(affinities)]  # fmt: skip
    if not section.segments.is_empty():
        segments = Table(
            "segment-table",
            section.segments.with_columns(
                pl.when(pl.col("segment") < 0)
                .then(pl.lit("Not linked to other members"))
                .otherwise(pl.format("Segment {}", pl.col("segment") + 1))
                .alias("segment_name")
            ),
            (
                Column("segment_name", "Segment"),
                Column("size", "Members", integer, numeric=True),
                Column("share", "Share of the audience", small_share, numeric=True),
                Column("leader_labels", "Leaders", wrap=True),
                Column("dominant_titles", "Titles", wrap=True),
                Column("dominant_topics", "Topics", wrap=True),
            ),
            caption="Segments of the audience: members who follow and engage with each other.",
            filename="segments.csv",
            csv_extra=(("leaders", "Leader ids"),),
        )
        parts += [f'<div class="table-tools">{download_link(segments)}</div>',
                  render_table(segments)]  # fmt: skip
    parts.append(_quality_html(section.quality))
    parts.append("</section>\n")
    return "\n".join(part for part in parts if part)


def _quality_html(quality: pl.DataFrame | None) -> str:
    """Audience quality (from the audience audit), shown as given; "" until measured."""
    if quality is None:
        return ""
    columns = tuple(
        Column(name, name.replace("_", " ").capitalize(), _plain(quality.schema[name]),
               numeric=quality.schema[name].is_numeric())
        for name in quality.columns
    )  # fmt: skip
    table = Table(
        "audience-quality-table", quality, columns,
        caption="How many followers look authentic: accounts scored by graphkit audit (no "
        "followers, mass following, never interacting, low trust from established accounts, "
        "follow rings); suspicious at a score of 0.5 or more.",
        filename="audience_quality.csv",
    )  # fmt: skip
    return f"<h3>Audience quality</h3>\n{render_table(table)}"


def _plain(dtype: pl.DataType) -> Callable[[Any], str]:
    if dtype.is_float():
        return fixed(3)
    if dtype.is_integer():
        return integer
    return str


def _times(value: Any) -> str:
    number = float(value)
    return f"{number:,.1f}x" if number < 100 else f"{number:,.0f}x"


def _named(graph: SocialGraph, table: pl.DataFrame) -> pl.DataFrame:
    labels = account_labels(graph, table["id"].to_list()).select(
        "id",
        "label",
        pl.col("url").alias("profile"),
        pl.col("handle").alias("shown_handle"),
    )
    return table.join(labels, on="id", how="left", maintain_order="left")
