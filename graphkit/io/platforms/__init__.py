"""Readers of the data exports of social platforms: X archives, LinkedIn exports, Mastodon
archives and CSV exports, into graphkit's canonical tables."""

from graphkit.io.platforms.export import PlatformExport
from graphkit.io.platforms.merge import Resolver, combine
from graphkit.io.platforms.read import (
    PLATFORM_LABELS,
    PLATFORMS,
    detect_platforms,
    import_exports,
    parse_export_spec,
    read_export,
)

__all__ = [
    "PLATFORMS",
    "PLATFORM_LABELS",
    "PlatformExport",
    "Resolver",
    "combine",
    "detect_platforms",
    "import_exports",
    "parse_export_spec",
    "read_export",
]
