"""The HTML report: rankings, communities, brands and experts on one offline page."""

from graphkit.export.report.audience import (
    AudienceSection,
    build_audience_section,
    with_audience_quality,
)
from graphkit.export.report.content import (
    Drawing,
    InputFile,
    Report,
    ReportSettings,
    build_report,
    degree_curves,
    file_sha256,
    score_histogram,
    top_subgraph,
    with_trend,
)
from graphkit.export.report.html import render_html, vega_bundle, vega_versions, write_report
from graphkit.export.report.layout import force_layout

__all__ = [
    "AudienceSection",
    "Drawing",
    "InputFile",
    "Report",
    "ReportSettings",
    "build_audience_section",
    "build_report",
    "degree_curves",
    "file_sha256",
    "force_layout",
    "render_html",
    "score_histogram",
    "top_subgraph",
    "vega_bundle",
    "vega_versions",
    "with_audience_quality",
    "with_trend",
    "write_report",
]
