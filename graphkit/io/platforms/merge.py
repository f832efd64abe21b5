"""Merge several exports into one dataset, and name accounts the way people know them.

Several exports (a brand's and its people's, on one or several platforms) merge into one
dataset:

- an account seen in several exports is one row; for each column the first value found
  wins, in the order the exports were given (each export's owner comes first in it);
- a provisional id (``x:@handle`` for an account an X archive names only by handle,
  ``linkedin:name:First Last`` for a LinkedIn export's owner) becomes the account's real id
  when exactly one account of that platform has that handle or name; the accounts table
  records it in an ``aliases`` column (``;``-separated), where CRM exports find the key an
  earlier import gave the account;
- a follow seen in two exports (the brand's ``following.js`` and the person's
  ``follower.js``) counts once, with its earliest date; an interaction seen twice (the same
  export given twice) counts once.

An ``--accounts`` file adds or corrects attributes (``kind``, ``organization``, ``title``,
...) and an ``--identities`` file joins one person's accounts. Their account columns may
name an account by any :func:`Resolver.resolve` reference: its id, ``PLATFORM:@handle``,
``PLATFORM:Full Name`` or a profile URL. An ``organization`` that names a brand account (by
reference, name or handle) becomes that account's id, after identity merge.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import polars as pl
import pyarrow as pa

from graphkit.errors import InputError
from graphkit.io.platforms import linkedin, mastodon
from graphkit.io.platforms.export import PlatformExport
from graphkit.io.readers import Dataset
from graphkit.io.schema import ACCOUNTS, FOLLOWS, IDENTITIES, INTERACTIONS

PLATFORM_NAMES: Final = {"x": "x", "twitter": "x", "linkedin": "linkedin", "mastodon": "mastodon"}


def fold(text: str) -> str:
    """Text compared without regard to case, Unicode form or repeated spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class Resolver:
    """Finds the account a reference names, among the accounts of a dataset.

    Parameters
    ----------
    accounts
        The accounts (``id``, ``platform``, ``handle``, ``name``).
    """

    def __init__(self, accounts: pl.DataFrame) -> None:
        frame = accounts.select(
            pl.col("id"),
            pl.col("platform").fill_null(""),
            pl.col("handle").fill_null(""),
            pl.col("name").fill_null(""),
        )
        self._ids = set(frame["id"].to_list())
        self._by_key: dict[tuple[str, str], list[str]] = {}
        for account_id, platform, handle, name in frame.iter_rows():
            keys = {fold(handle.removeprefix("@")), fold(name)} - {""}
            for key in keys:
                self._by_key.setdefault((platform, key), []).append(account_id)

    def resolve(self, reference: str) -> str | None:
        """The id of the account ``reference`` names, or None when none matches.

        A reference is an account id (``x:12``); ``PLATFORM:@handle`` or ``PLATFORM:Full
        Name`` (platform ``x``/``twitter``, ``linkedin``, ``mastodon``; compared without
        regard to case); or a profile URL (``https://x.com/handle``,
        ``https://www.linkedin.com/in/name``, ``https://server/@name``).

        Raises
        ------
        InputError
            When the reference matches several accounts.
        """
        reference = reference.strip()
        if reference in self._ids:
            return reference
        platform, value = self._split(reference)
        if platform is None:
            return None
        candidates: list[str | None] = []
        if platform == "mastodon" and "@" in value.removeprefix("@"):
            candidates.append(mastodon.address_id(value))
        if platform == "linkedin":
            candidates += [linkedin.profile_id(value), linkedin.name_id(value)]
        for candidate in candidates:
            if candidate in self._ids:
                return candidate
        matches = sorted(set(self._by_key.get((platform, fold(value.removeprefix("@"))), [])))
        if len(matches) > 1:
            raise InputError(
                f"{reference!r} could be any of {', '.join(matches[:5])}; name the account by id"
            )
        return matches[0] if matches else None

    @staticmethod
    def _split(reference: str) -> tuple[str | None, str]:
        lowered = reference.lower()
        for prefix in ("https://", "http://"):
            if lowered.startswith(prefix):
                rest = lowered.removeprefix(prefix).removeprefix("www.").removeprefix("mobile.")
                host, _, path = rest.partition("/")
                handle = reference[len(reference) - len(path) :].strip("/").split("/")[0]
                if host in ("x.com", "twitter.com"):
                    return "x", handle
                if host.endswith("linkedin.com"):
                    return "linkedin", reference
                if handle.startswith("@"):
                    return "mastodon", f"{handle.removeprefix('@')}@{host}"
                return None, reference
        platform, separator, value = reference.partition(":")
        if not separator or platform.lower() not in PLATFORM_NAMES:
            return None, reference
        return PLATFORM_NAMES[platform.lower()], value.strip()


def combine(
    exports: Sequence[PlatformExport],
    *,
    accounts: pa.Table | None = None,
    accounts_path: str | Path | None = None,
    identities: pa.Table | None = None,
    identities_path: str | Path | None = None,
) -> Dataset:
    """Merge exports into one dataset, with an optional accounts overlay and identities.

    Parameters
    ----------
    exports
        Exports read by :func:`graphkit.io.platforms.read_export`, in order of precedence.
    accounts
        Account attributes to add or correct, keyed by references in ``id`` (an ``--accounts``
        file read as the accounts table); non-empty cells win over the exports'.
    accounts_path, identities_path
        The files these came from, to name in errors.
    identities
        ``account, person`` rows joining one person's accounts; ``account`` is a reference.

    Returns
    -------
    Dataset
        accounts, follows, interactions and identities (None when not given).

    Raises
    ------
    InputError
        When a reference of the accounts or identities file matches no account or several
        (naming file, row and column).
    """
    if not exports:
        raise InputError("no exports to import")
    # Each owner's own profile first: it wins over what other exports say of the account.
    frames = [_frame(e.accounts) for e in exports]
    owners = [f.filter(pl.col("id") == e.owner) for f, e in zip(frames, exports, strict=True)]
    others = [f.filter(pl.col("id") != e.owner) for f, e in zip(frames, exports, strict=True)]
    frame = _coalesce(pl.concat([*owners, *others], how="diagonal_relaxed"))
    follows = pl.concat([_frame(e.follows) for e in exports], how="diagonal_relaxed")
    interactions = pl.concat([_frame(e.interactions) for e in exports], how="diagonal_relaxed")

    renamed = _provisional_ids(frame)
    if renamed:
        frame = _coalesce(frame.with_columns(_renamed("id", renamed)))
        # The dataset records the ids an account had, so that an export keeps its CRM key.
        known: dict[str, list[str]] = {}
        for provisional, real in renamed.items():
            known.setdefault(real, []).append(provisional)
        aliases = {real: ";".join(sorted(ids)) for real, ids in known.items()}
        frame = frame.with_columns(
            pl.col("id")
            .replace_strict(aliases, default=None, return_dtype=pl.String)
            .alias("aliases")
        )
        follows = follows.with_columns(_renamed("follower", renamed), _renamed("followed", renamed))
        interactions = interactions.with_columns(
            _renamed("source", renamed), _renamed("target", renamed)
        )
    follows = (
        follows.group_by("follower", "followed", maintain_order=True)
        .agg(pl.col("platform").first(), pl.col("since").min())
        .select(follows.columns)
    )
    interactions = pl.concat(
        [
            interactions.filter(pl.col("post").is_null()),
            interactions.filter(pl.col("post").is_not_null()).unique(
                subset=["source", "target", "type", "post"], keep="first", maintain_order=True
            ),
        ]
    )

    resolver = Resolver(frame)
    if accounts is not None:
        frame = _overlay(frame, accounts, resolver, accounts_path)
    identity_frame = None
    if identities is not None:
        identity_frame = _identities(identities, resolver, identities_path)
    frame = _link_organizations(frame, Resolver(frame), identity_frame)
    if identity_frame is not None:
        frame = _share_attributes(frame, identity_frame)
    return Dataset(
        accounts=_table(frame, ACCOUNTS.types),
        follows=_table(follows, FOLLOWS.types),
        interactions=_table(interactions, INTERACTIONS.types),
        identities=None if identity_frame is None else _table(identity_frame, IDENTITIES.types),
    )


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _table(frame: pl.DataFrame, types: Mapping[str, pa.DataType]) -> pa.Table:
    table = frame.to_arrow()
    return pa.table(
        {name: table.column(name).cast(types.get(name, pa.string())) for name in table.column_names}
    )


def _coalesce(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per id; each column's first non-null value, in row order."""
    others = [name for name in frame.columns if name != "id"]
    return (
        frame.group_by("id", maintain_order=True)
        .agg(pl.col(name).drop_nulls().first() for name in others)
        .select(frame.columns)
    )


def _renamed(column: str, renamed: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace(renamed)


def _provisional_ids(frame: pl.DataFrame) -> dict[str, str]:
    """Real ids of provisional ones, where exactly one account of the platform matches."""
    rows = frame.select("id", "platform", "handle", "name").iter_rows()
    by_handle: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    provisional: list[tuple[str, str]] = []
    for account_id, platform, handle, name in rows:
        if account_id.startswith("x:@"):
            provisional.append((account_id, "x"))
        elif account_id.startswith("linkedin:name:"):
            provisional.append((account_id, "linkedin"))
        elif platform == "x" and handle:
            by_handle.setdefault(fold(handle), []).append(account_id)
        elif platform == "linkedin" and name:
            by_name.setdefault(fold(name), []).append(account_id)
    renamed = {}
    for account_id, platform in provisional:
        if platform == "x":
            matches = by_handle.get(fold(account_id.removeprefix("x:@")), [])
        else:
            matches = by_name.get(fold(account_id.removeprefix("linkedin:name:")), [])
        if len(matches) == 1:
            renamed[account_id] = matches[0]
    return renamed


def _row_numbers(path: str | Path | None, count: int) -> list[int | None]:
    """File line (or record) number of each row of a table read from ``path``."""
    if path is None:
        return [None] * count
    from graphkit.io.readers import JSON_SUFFIXES, PARQUET_SUFFIXES, _layout

    name = Path(path).name.lower().removesuffix(".gz")
    if name.endswith(PARQUET_SUFFIXES + JSON_SUFFIXES):
        return list(range(1, count + 1))
    layout = _layout(Path(path), ACCOUNTS)
    first = layout.skip_lines + (2 if layout.header is not None else 1)
    return list(range(first, first + count))


def _resolve_column(
    values: list[str | None],
    resolver: Resolver,
    path: str | Path | None,
    column: str,
    *,
    required: bool,
) -> list[str | None]:
    rows = _row_numbers(path, len(values))
    resolved: list[str | None] = []
    for value, row in zip(values, rows, strict=True):
        if value is None:
            resolved.append(None)
            continue
        try:
            account_id = resolver.resolve(value)
        except InputError as error:
            raise InputError(error.reason, path=path, row=row, column=column) from None
        if account_id is None and required:
            raise InputError(
                f"{value!r} matches no account of the exports (give an id such as x:12, "
                "x:@handle, linkedin:Full Name or mastodon:name@server)",
                path=path,
                row=row,
                column=column,
            )
        resolved.append(account_id)
    return resolved


def _overlay(
    frame: pl.DataFrame, accounts: pa.Table, resolver: Resolver, path: str | Path | None
) -> pl.DataFrame:
    overlay = _frame(accounts)
    ids = _resolve_column(overlay["id"].to_list(), resolver, path, "id", required=True)
    overlay = overlay.with_columns(pl.Series("id", ids, dtype=pl.String))
    if "organization" in overlay.columns:
        organizations = overlay["organization"].to_list()
        resolved = _resolve_column(organizations, resolver, path, "organization", required=False)
        overlay = overlay.with_columns(
            pl.Series(
                "organization",
                [found or given for found, given in zip(resolved, organizations, strict=True)],
                dtype=pl.String,
            )
        )
    overlay = overlay.unique(subset="id", keep="last", maintain_order=True)
    columns = [name for name in overlay.columns if name != "id"]
    for name in columns:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=overlay.schema[name]).alias(name))
    joined = frame.join(
        overlay.rename({name: f"{name}__overlay" for name in columns}),
        on="id",
        how="left",
        maintain_order="left",
    )
    return joined.with_columns(
        pl.coalesce(pl.col(f"{name}__overlay"), pl.col(name).cast(overlay.schema[name])).alias(name)
        for name in columns
    ).select(frame.columns)


def _identities(identities: pa.Table, resolver: Resolver, path: str | Path | None) -> pl.DataFrame:
    frame = _frame(identities.select(["account", "person"]))
    accounts = _resolve_column(frame["account"].to_list(), resolver, path, "account", required=True)
    return frame.with_columns(pl.Series("account", accounts, dtype=pl.String))


def _link_organizations(
    frame: pl.DataFrame, resolver: Resolver, identities: pl.DataFrame | None
) -> pl.DataFrame:
    """Organizations naming a brand account (reference, name or handle) become its id."""
    if "organization" not in frame.columns:
        return frame
    brands = frame.filter(pl.col("kind") == "brand")
    brand_of: dict[str, str | None] = {}
    for account_id, handle, name in brands.select("id", "handle", "name").iter_rows():
        for key in {fold(account_id)} | {fold(text) for text in (handle, name) if text}:
            brand_of[key] = account_id if key not in brand_of else None  # None: ambiguous
    person_of = (
        dict(zip(identities["account"].to_list(), identities["person"].to_list(), strict=True))
        if identities is not None
        else {}
    )
    linked: list[str | None] = []
    for organization in frame["organization"].to_list():
        if organization is None:
            linked.append(None)
            continue
        try:
            target = resolver.resolve(organization)
        except InputError:
            target = None
        target = target or brand_of.get(fold(organization)) or organization
        linked.append(person_of.get(target, target))
    return frame.with_columns(pl.Series("organization", linked, dtype=pl.String))


def _share_attributes(frame: pl.DataFrame, identities: pl.DataFrame) -> pl.DataFrame:
    """Give every account of one person the person's first known value of each attribute,
    so that whichever account the graph keeps for the person carries them all."""
    person = frame.join(identities.unique("account"), left_on="id", right_on="account", how="left")
    person = person.with_columns(pl.coalesce("person", "id").alias("__person"))
    # Not followers_count: the graph adds up the counts of a person's accounts.
    shared = [
        name for name in ("name", "kind", "organization", "title", "email") if name in frame.columns
    ]
    return person.with_columns(
        pl.col(name).drop_nulls().first().over("__person").alias(name) for name in shared
    ).select(frame.columns)
