"""Audience selectors: which accounts a personalized ranking starts from.

A selector is one of

- a path to a file of account ids (one per line, or a CSV/Parquet/NDJSON table with an ``id``
  column);
- ``FIELD=VALUE[,VALUE...]``: accounts whose FIELD equals one of the values (case-insensitive;
  for ``topics``/``topic``, accounts having one of the topics); ``id=a,b`` lists ids;
  ``org=ID`` selects the people of an organization;
- ``FIELD~REGEX``: accounts whose FIELD matches the regular expression (case-insensitive),
  e.g. ``title~CTO|CIO|Chief Technology``.

Clauses joined by ``&`` must all hold (``title~CTO&topic=cloud``); several selectors add up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import polars as pl
import pyarrow as pa

from graphkit.graph.social import SocialGraph
from graphkit.io import rules
from graphkit.io.files import check_regular_file, read_small_text
from graphkit.io.readers import read_table
from graphkit.io.rules import AudienceClause
from graphkit.io.schema import ACCOUNTS

ID_FILE_BYTES: Final = 1 << 30
"""Largest text file of audience ids read (about 50 million ids)."""

# C-level titles: CEO, CTO, CIO, CFO, CMO, CISO, CDAO... and "Chief ... Officer".
C_LEVEL: Final = "title~\\bC[A-Z]{1,3}O\\b|^chief\\b"


def select_audience(graph: SocialGraph, selectors: list[str] | tuple[str, ...]) -> np.ndarray:
    """Return a boolean mask of the nodes any of ``selectors`` picks.

    Raises
    ------
    ParameterError
        When a selector is malformed, names an unknown field, needs account attributes the
        data lacks, or the selectors pick no account of the graph.
    """
    mask = np.zeros(graph.n_nodes, dtype=bool)
    for selector in selectors:
        mask |= _select_one(graph, selector)
    if not mask.any():
        raise rules.selects_nothing(selectors)
    return mask


def _select_one(graph: SocialGraph, selector: str) -> np.ndarray:
    path = Path(selector)
    check_regular_file(path)  # a FIFO or device given as the id file: refused, not opened
    is_file = _is_file(path)
    if not rules.is_clause_selector(selector) or is_file:
        if not is_file:
            raise rules.bad_selector(selector)
        return _select_file(graph, path)
    mask = np.ones(graph.n_nodes, dtype=bool)
    for clause in rules.parse_selector(selector):
        mask &= _select_clause(graph, clause)
    return mask


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name the system cannot look up (``id=`` followed by
    thousands of ids is too long for a file name) is none."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_audience_ids(path: Path) -> list[str]:
    """The ids of an audience file: one per line (``.txt``, ``.txt.gz`` or no suffix; ``#``
    starts a comment), or the ``id`` column of an accounts table. Both engines read it so."""
    if path.suffix.lower() in (".txt", "") or path.name.lower().endswith(".txt.gz"):
        text = read_small_text(
            path, limit=ID_FILE_BYTES, what="file of ids", gzipped=path.suffix.lower() == ".gz"
        )
        lines = text.splitlines()
        return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return [str(value) for value in read_table(path, ACCOUNTS).column("id").to_pylist()]


def _select_file(graph: SocialGraph, path: Path) -> np.ndarray:
    ids = read_audience_ids(path)
    mask = np.zeros(graph.n_nodes, dtype=bool)
    index = graph.index_of(ids)
    mask[index[index >= 0]] = True
    return mask


def _select_clause(graph: SocialGraph, clause: AudienceClause) -> np.ndarray:
    field = clause.field
    if field == "id" and clause.operator == "=":
        mask = np.zeros(graph.n_nodes, dtype=bool)
        index = graph.index_of(clause.values)
        mask[index[index >= 0]] = True
        return mask
    accounts = graph.accounts
    if accounts is None:
        raise rules.field_needs_accounts(field)
    if field not in accounts.columns:
        raise rules.unknown_field(field, accounts.columns)
    column = pl.col(field)
    dtype = accounts.schema[field]
    if clause.operator == "~":
        pattern = clause.pattern
        if isinstance(dtype, pl.List):
            condition = column.list.eval(pl.element().str.contains(pattern)).list.any()
        else:
            condition = column.cast(pl.String).str.contains(pattern)
    else:
        wanted = clause.values
        if isinstance(dtype, pl.List):
            condition = column.list.eval(pl.element().str.to_lowercase().is_in(wanted)).list.any()
        else:
            condition = column.cast(pl.String).str.to_lowercase().is_in(wanted)
    selected = accounts.filter(condition.fill_null(False)).get_column("id")
    mask = np.zeros(graph.n_nodes, dtype=bool)
    index = graph.index_of(pa.array(selected.to_arrow()).cast(pa.string()))
    mask[index[index >= 0]] = True
    return mask
