"""Account attributes shown beside results: handle, name and title."""

from __future__ import annotations

from typing import Final

import polars as pl

from graphkit.graph.social import SocialGraph

ACCOUNT_TEXT: Final = ("handle", "name", "title")


def with_account_text(table: pl.DataFrame, accounts: pl.DataFrame | None) -> pl.DataFrame:
    """``table`` (keyed by ``id``) with ``handle``, ``name`` and ``title`` joined on.

    Columns the accounts table lacks come out null; the row order of ``table`` is kept.
    """
    present = [] if accounts is None else [c for c in ACCOUNT_TEXT if c in accounts.columns]
    if accounts is not None and present:
        attributes = accounts.select(pl.col("id").cast(pl.String), *present).with_columns(
            pl.col(present).cast(pl.String)
        )
        table = table.join(attributes, on="id", how="left", maintain_order="left")
    return table.with_columns(
        pl.lit(None, dtype=pl.String).alias(name) for name in ACCOUNT_TEXT if name not in present
    )


def account_text(graph: SocialGraph, ids: pl.Series) -> pl.DataFrame:
    """handle, name and title of each distinct id (null where unknown), keyed by ``id``."""
    table = pl.DataFrame({"id": ids.cast(pl.String)}).unique(maintain_order=True)
    return with_account_text(table, graph.accounts)
