"""Input options: where a command's data is, handed to it as one object, and loading it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

from graphkit import app
from graphkit.app import Loaded, Settings, Sources
from graphkit.cli.imports import owner_option
from graphkit.cli.options import INPUT_PATH, _collect, _stack, remember_run
from graphkit.errors import UsageError
from graphkit.graph import Weighting
from graphkit.io.database import parse_query
from graphkit.io.schema import FOLLOWS, INTERACTIONS
from graphkit.io.sniff import delimiter_option, encoding_option
from graphkit.progress import Progress

input_options = _stack(
    click.argument("input", required=False, type=INPUT_PATH),
    click.option(
        "--follows",
        type=INPUT_PATH,
        help="Follows file (follower,followed), or a header-less edge list 'a b'. Any "
        "file option or INPUT may be - (standard input) or an s3://, gs://, abfs:// or "
        "http(s):// URI.",
    ),
    click.option(
        "--interactions",
        type=INPUT_PATH,
        help="Interactions file (source,target,type[,timestamp,weight]).",
    ),
    click.option("--accounts", type=INPUT_PATH, help="Accounts file (id,...)."),
    click.option(
        "--identities",
        type=INPUT_PATH,
        help="Identities file (account,person) merging one person's accounts.",
    ),
    click.option(
        "--interaction-type",
        metavar="TYPE",
        help="Type of every record of an interactions file without a type column "
        "(e.g. repost); an INPUT file is then read as interactions.",
    ),
    click.option(
        "--columns",
        metavar="NAME,NAME[,...]",
        callback=lambda ctx, param, value: _parse_columns(ctx, param, value),
        help="Names of the fields of a header-less edge list, in order, e.g. "
        "source,target,timestamp or follower,followed,weight (a file with a header row "
        "needs none). Names of interactions columns make it an interactions file.",
    ),
    click.option(
        "--undirected",
        is_flag=True,
        help="Read each follows row as both directions (friendship or connection lists "
        "published as one row per pair).",
    ),
    click.option("--demo", is_flag=True, help="Use the demo dataset shipped with graphkit."),
    click.option(
        "--database",
        metavar="URI",
        help="Read the tables follows, interactions, accounts and identities (those present) "
        "from a database: a DuckDB or SQLite file, or postgresql://user@host/db.",
    ),
    click.option(
        "--query",
        "queries",
        multiple=True,
        metavar="TABLE=SQL",
        callback=lambda ctx, param, value: _parse_queries(ctx, param, value),
        help="Read TABLE from this query on --database (without it, on DuckDB, whose SQL "
        'reads Parquet and CSV files), e.g. follows="SELECT src AS follower, dst AS followed '
        'FROM edges"; repeat for more tables.',
    ),
    click.option(
        "--delimiter",
        metavar="D",
        callback=lambda ctx, param, value: _checked_text(ctx, param, value, delimiter_option),
        help="Field delimiter of text tables: , ; | tab or space (default: sniffed).",
    ),
    click.option(
        "--encoding",
        metavar="CODEC",
        callback=lambda ctx, param, value: _checked_text(ctx, param, value, encoding_option),
        help="Encoding of text tables, e.g. cp1252, latin-1, utf-16 (default: UTF-8).",
    ),
    click.option(
        "--memory-check/--no-memory-check",
        default=True,
        show_default=True,
        help="Before reading, estimate the memory the run needs from the input files and stop "
        "with an error when the machine has less available.",
    ),
    click.option(
        "--export",
        "exports",
        multiple=True,
        metavar="[FORMAT:]PATH",
        help="A platform export to read: x:archive.zip, linkedin:export.zip, "
        "mastodon:archive.zip (or its folder; the format is recognised when omitted). Repeat "
        "to merge; --accounts and --identities may then name accounts as x:@handle. An "
        "export given as INPUT is recognised too.",
    ),
    owner_option,
    _collect(
        (
            "input",
            "follows",
            "interactions",
            "accounts",
            "identities",
            "interaction_type",
            "demo",
            "exports",
            "memory_check",
            "columns",
            "undirected",
            "database",
            "queries",
            "delimiter",
            "encoding",
            "owner",
        ),
        "inputs",
        lambda **options: InputChoice(**options),
    ),
)
"""Input options, handed to the command as ``inputs: InputChoice``."""


def _checked_text(
    ctx: click.Context, param: click.Parameter, value: str | None, parse: Callable[[str], str]
) -> str | None:
    try:
        return None if value is None else parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


def _parse_columns(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    """``--columns``: distinct names that include the two account columns of follows or of
    interactions (any of their aliases)."""
    if value is None:
        return None
    names = tuple(name.strip() for name in value.split(","))
    if any(not name for name in names):
        raise click.BadParameter(f"empty name in {value!r}", ctx=ctx, param=param)
    if len(set(names)) != len(names):
        raise click.BadParameter(f"a name is given twice in {value!r}", ctx=ctx, param=param)
    unknown: list[str] = []
    for spec in (INTERACTIONS, FOLLOWS):
        canonical = [spec.canonical_name(name) for name in names]
        if set(spec.id_columns) <= set(canonical):
            missing = [name for name, known in zip(names, canonical, strict=True) if not known]
            if not missing:
                return names
            unknown = unknown or [f"unknown {spec.name} column {missing[0]!r}; known: "
                                  + ", ".join(spec.types)]  # fmt: skip
    if unknown:  # a misspelt "weight" would be read as no weight at all
        raise click.BadParameter(unknown[0], ctx=ctx, param=param)
    raise click.BadParameter(
        f"{value!r} names neither follower,followed (follows) nor source,target (interactions)",
        ctx=ctx,
        param=param,
    )


def _parse_queries(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> dict[str, str]:
    """``--query TABLE=SQL``, each table once."""
    queries: dict[str, str] = {}
    for spec in value:
        try:
            table, sql = parse_query(spec)
        except UsageError as error:
            raise click.BadParameter(str(error), ctx=ctx, param=param) from None
        if table in queries:
            raise click.BadParameter(f"two queries for {table}", ctx=ctx, param=param)
        queries[table] = sql
    return queries


@dataclass(frozen=True)
class InputChoice:
    """The files a command reads, as given on the command line (URIs stay strings)."""

    input: Path | str | None
    follows: Path | str | None
    interactions: Path | str | None
    accounts: Path | str | None
    identities: Path | str | None
    interaction_type: str | None
    demo: bool
    exports: tuple[str, ...] = ()
    memory_check: bool = True
    columns: tuple[str, ...] | None = None
    undirected: bool = False
    database: str | None = None
    queries: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    owner: str | None = None

    def sources(self) -> Sources:
        """Where the data is, for :mod:`graphkit.app`."""
        return Sources(
            data=self.input,
            follows=self.follows,
            interactions=self.interactions,
            accounts=self.accounts,
            identities=self.identities,
            demo=self.demo,
            exports=self.exports,
            interaction_type=self.interaction_type,
            columns=self.columns,
            undirected=self.undirected,
            database=self.database,
            queries=self.queries,
            delimiter=self.delimiter,
            encoding=self.encoding,
            owner=self.owner,
        )


def load(
    choice: InputChoice,
    weighting: Weighting,
    progress: Progress,
    *,
    analysis: str = "rank",
) -> Loaded:
    """Read the input tables and build the influence graph (:func:`graphkit.app.load`), and
    remember the inputs and graph size for the run manifest."""
    loaded = app.load(
        choice.sources(),
        Settings(weighting=weighting, memory_check=choice.memory_check),
        progress,
        analysis=analysis,
    )
    remember_run(**loaded.facts())
    return loaded
