"""Audience selectors on Spark: the grammar of :mod:`graphkit.io.rules`, evaluated as
Spark column expressions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from graphkit.analysis.audience import read_audience_ids
from graphkit.engines.spark.graph import SparkGraph
from graphkit.engines.spark.session import _checkpoint
from graphkit.io import rules
from graphkit.io.rules import AudienceClause


def select_audience(graph: SparkGraph, selectors: Sequence[str]) -> DataFrame:
    """The nodes any of ``selectors`` picks, as a DataFrame of ``node`` and ``weight`` (1).

    Selectors are those of :func:`graphkit.analysis.select_audience`: a local file of ids,
    ``FIELD=VALUE[,VALUE]`` (case-insensitive) and ``FIELD~REGEX`` (Java regular expressions,
    case-insensitive), clauses joined by ``&``.

    Raises
    ------
    ParameterError
        When a selector is malformed, names an unknown field, or selects no account.
    """
    session = graph.nodes.sparkSession
    chosen: DataFrame | None = None
    for selector in selectors:
        ids = _select_one(session, graph, selector)
        chosen = ids if chosen is None else chosen.unionByName(ids)
    assert chosen is not None
    picked = graph.nodes.join(chosen.distinct(), "id", "left_semi").select(
        "node", F.lit(1.0).alias("weight")
    )
    picked = _checkpoint(picked)
    if picked.isEmpty():
        raise rules.selects_nothing(selectors)
    return picked


def _select_one(session: SparkSession, graph: SparkGraph, selector: str) -> DataFrame:
    path = Path(selector)
    if not rules.is_clause_selector(selector) or path.is_file():
        if not path.is_file():
            raise rules.bad_selector(selector)
        ids = read_audience_ids(path)
        return session.createDataFrame([(value,) for value in ids], "id string")
    condition: Column | None = None
    for clause in rules.parse_selector(selector):
        term = _clause(graph, clause)
        condition = term if condition is None else condition & term
    assert condition is not None
    source = graph.accounts if graph.accounts is not None else graph.nodes.select("id")
    return source.filter(F.coalesce(condition, F.lit(False))).select("id")


def _clause(graph: SparkGraph, clause: AudienceClause) -> Column:
    """One clause as a Spark condition on the accounts table."""
    name = clause.field
    if name == "id" and clause.operator == "=":
        return F.col("id").isin(clause.values)
    accounts = graph.accounts
    if accounts is None:
        raise rules.field_needs_accounts(name)
    columns = [column for column in accounts.columns if not column.startswith("_")]
    if name not in columns:
        raise rules.unknown_field(name, columns)
    column = F.col(name)
    is_list = dict(accounts.dtypes)[name].startswith("array")
    if clause.operator == "~":
        pattern = F.lit(clause.pattern)
        if is_list:
            return F.exists(column, lambda item: F.regexp_like(item, pattern))
        return F.regexp_like(column.cast("string"), pattern)
    wanted = clause.values
    if is_list:
        return F.exists(column, lambda item: F.lower(item).isin(wanted))
    return F.lower(column.cast("string")).isin(wanted)
