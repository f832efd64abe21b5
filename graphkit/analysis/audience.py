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

Ids (in a file, after ``id=``, or an organization's after ``org=``) may name an account the
identities merged into another: they select the account it was merged into
(:func:`resolve_ids`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.graph.social import IDENTITIES_KEY, SocialGraph, account_aliases, merge_identities
from graphkit.io import rules
from graphkit.io.files import check_regular_file, read_small_text
from graphkit.io.readers import read_table
from graphkit.io.rules import AudienceClause
from graphkit.io.schema import ACCOUNTS

ID_FILE_BYTES: Final = 1 << 30
"""Largest text file of audience ids read (about 50 million ids)."""

# C-level titles: CEO, CTO, CIO, CFO, CMO, CISO, CDAO... and "Chief ... Officer".
C_LEVEL: Final = "title~\\bC[A-Z]{1,3}O\\b|^chief\\b"


# Cache keys of the in-edges that carry attention (attention_edges, attention_flags).
ATTENTION_EDGES_KEY: Final = "attention_edges"
ATTENTION_FLAGS_KEY: Final = "attention_flags"


def attention_edges(graph: SocialGraph) -> np.ndarray | None:
    """Boolean mask of the in-edges that carry attention: those of positive weight (``None``
    when every edge has some).

    An edge of weight 0 (its records weigh 0, or their type weight is 0) passes no share of
    PageRank: the analyses that count followers and audiences (affinities, experts,
    lookalikes) do not count its source either.
    """
    if ATTENTION_EDGES_KEY not in graph._cache:
        positive = graph.in_weights > 0
        graph._cache[ATTENTION_EDGES_KEY] = None if positive.all() else positive
    cached = graph._cache[ATTENTION_EDGES_KEY]
    return cached if isinstance(cached, np.ndarray) else None


def attention_flags(graph: SocialGraph) -> np.ndarray:
    """The flags of each in-edge (``graph.in_flags``), 0 for the edges that carry no
    attention (:func:`attention_edges`)."""
    positive = attention_edges(graph)
    if positive is None:
        return graph.in_flags
    flags = graph._cache.get(ATTENTION_FLAGS_KEY)
    if not isinstance(flags, np.ndarray):
        flags = np.where(positive, graph.in_flags, 0).astype(graph.in_flags.dtype)
        flags.flags.writeable = False
        graph._cache[ATTENTION_FLAGS_KEY] = flags
    return flags


def resolve_ids(graph: SocialGraph, ids: list[str] | pa.Array) -> np.ndarray:
    """Node of each id, -1 where there is none, reading ids the graph merged away as the
    account they were merged into.

    An id the identities map to a person is that person's node (the graph put the id's
    records there: identities apply once, so a chain ``a -> b -> c`` takes ``a`` to ``b``);
    an id listed in an account's ``aliases`` (the ids merged into it, or those the accounts
    table declares) is that account (the smallest such id when several list it).
    """
    names = ids.cast(pa.string()) if isinstance(ids, pa.Array) else pa.array(ids, pa.string())
    nodes = graph.index_of(names)
    person_of = graph._cache.get(IDENTITIES_KEY)
    if isinstance(person_of, pa.Table):
        merged = merge_identities(pa.chunked_array([names], pa.string()), person_of)
        as_merged = graph.index_of(merged.combine_chunks())
        nodes = np.where(as_merged >= 0, as_merged, nodes)
    missing = np.flatnonzero(nodes < 0)
    if missing.size:
        owners = _alias_owners(graph)
        if owners is not None:
            alias, owner = (
                owners.column(name).combine_chunks().cast(pa.string()) for name in ("alias", "id")
            )
            positions = pc.index_in(names.take(pa.array(missing)), value_set=alias)
            nodes[missing] = graph.index_of(pc.take(owner, positions))
    return nodes


def resolved_names(graph: SocialGraph, ids: list[str]) -> list[str]:
    """Each id as the graph knows it (:func:`resolve_ids`); ids it does not know stay as
    given, for the caller to name in its error."""
    nodes = resolve_ids(graph, ids)
    names = list(ids)
    known = np.flatnonzero(nodes >= 0)
    for position, name in zip(known.tolist(), graph.ids_of(nodes[known]), strict=True):
        names[position] = name
    return names


def _alias_owners(graph: SocialGraph) -> pa.Table | None:
    """``alias, id``: the account each alias belongs to (the smallest id of several)."""
    aliases = account_aliases(graph)
    if aliases is None or aliases.is_empty():
        return None
    owners = (
        aliases.select(pl.col("aliases").str.split(";").alias("alias"), pl.col("id"))
        .explode("alias")
        .with_columns(pl.col("alias").str.strip_chars())  # "a; b" lists "b", as CRM keys read it
        .filter(pl.col("alias") != "")
        .sort("id")
        .unique(subset="alias", keep="first")
    )
    return owners.to_arrow()


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
    return _select_ids(graph, read_audience_ids(path))


def _select_ids(graph: SocialGraph, ids: list[str]) -> np.ndarray:
    mask = np.zeros(graph.n_nodes, dtype=bool)
    index = resolve_ids(graph, ids)
    mask[index[index >= 0]] = True
    return mask


def _select_clause(graph: SocialGraph, clause: AudienceClause) -> np.ndarray:
    field = clause.field
    if field == "id" and clause.operator == "=":
        return _select_ids(graph, clause.values)
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
        if field == "organization":
            # People name their organization by its merged id: so does an alias of it.
            nodes = resolve_ids(graph, [item.strip() for item in clause.value.split(",")])
            merged = graph.ids_of(nodes[nodes >= 0]).str.to_lowercase().to_list()
            wanted = list(dict.fromkeys([*wanted, *merged]))
        if isinstance(dtype, pl.List):
            condition = column.list.eval(pl.element().str.to_lowercase().is_in(wanted)).list.any()
        else:
            condition = column.cast(pl.String).str.to_lowercase().is_in(wanted)
    selected = accounts.filter(condition.fill_null(False)).get_column("id")
    mask = np.zeros(graph.n_nodes, dtype=bool)
    index = graph.index_of(pa.array(selected.to_arrow()).cast(pa.string()))
    mask[index[index >= 0]] = True
    return mask
