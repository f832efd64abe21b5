"""What every platform reader returns, and the pieces they share: building the canonical
tables record by record, reading CSV and JSON files of an export with errors that name the
file, row and column."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.errors import InputError, quoted
from graphkit.io.schema import ACCOUNTS, FOLLOWS, IDENTITIES, INTERACTIONS, TIMESTAMP_TYPE

ACCOUNT_COLUMNS: Final = (
    "id",
    "handle",
    "name",
    "kind",
    "organization",
    "title",
    "platform",
    "followers_count",
    "email",
    "url",
)
FOLLOW_COLUMNS: Final = ("follower", "followed", "platform", "since")
# ``platform`` and ``post`` (the post's address) pass through as extra columns.
INTERACTION_COLUMNS: Final = ("source", "target", "type", "timestamp", "platform", "post")
_EXTRA_TYPES: Final = {"platform": pa.string(), "post": pa.string()}


@dataclass
class PlatformExport:
    """One export read into graphkit's canonical tables.

    Attributes
    ----------
    platform
        ``x``, ``linkedin`` or ``mastodon``.
    path
        The export read.
    owner
        Account id of the person or brand whose export it is.
    accounts, follows, interactions, identities
        Tables with the canonical columns and types of :mod:`graphkit.io.schema`. Account
        ids are prefixed with the platform (``x:12``, ``linkedin:maya-okafor``,
        ``mastodon:maya@hachyderm.io``).
    notes
        Remarks about records skipped, one line each.
    """

    platform: str
    path: Path
    owner: str
    accounts: pa.Table
    follows: pa.Table
    interactions: pa.Table
    identities: pa.Table
    notes: list[str] = field(default_factory=list)

    def owner_label(self) -> str:
        """The owner's handle, else name, else id."""
        owner = self.accounts.filter(pc.equal(self.accounts.column("id"), self.owner))
        for column in ("handle", "name"):
            value = owner.column(column)[0].as_py() if owner.num_rows else None
            if value:
                return str(value)
        return self.owner


class TableBuilder:
    """Collects the records of one export and makes the canonical tables of them.

    Account attributes merge: the first value given for a column is kept, so the owner's
    own profile, recorded first, wins over what other files say about the same account.
    """

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self._accounts: dict[str, dict[str, Any]] = {}
        self._follows: list[tuple[str, str, datetime | None]] = []
        self._interactions: list[tuple[str, str, str, datetime | None, str | None]] = []

    def account(self, account_id: str, **attributes: Any) -> str:
        """Record an account (or more about it); return its id."""
        known = self._accounts.setdefault(account_id, {"platform": self.platform})
        for name, value in attributes.items():
            if value is not None and value != "" and known.get(name) is None:
                known[name] = value
        return account_id

    def follow(self, follower: str, followed: str, since: datetime | None = None) -> None:
        """Record that ``follower`` follows ``followed``."""
        self._follows.append((follower, followed, since))

    def interaction(
        self,
        source: str,
        target: str,
        kind: str,
        timestamp: datetime | None = None,
        post: str | None = None,
    ) -> None:
        """Record that ``source`` reposted, quoted, replied to, mentioned or liked ``target``."""
        self._interactions.append((source, target, kind, timestamp, post))

    def build(self, path: Path, owner: str, notes: list[str]) -> PlatformExport:
        """The canonical tables of everything recorded.

        Raises
        ------
        InputError
            When an id holds a NUL byte or a line break, or a text attribute a NUL byte, that
            the readers let through (each reader checks the ids it makes, naming the field):
            graphkit would refuse the tables written.
        """
        rows = list(self._accounts.items())
        for account_id, values in rows:
            checked_id(account_id, str(path), "account id")
            for name, value in values.items():
                if isinstance(value, str) and "\x00" in value:
                    raise InputError(
                        f"{name} of account {quoted(account_id)} holds a NUL byte: {quoted(value)}",
                        path=path,
                    )
        for record in self._interactions:
            if record[4] is not None and "\x00" in record[4]:
                raise InputError(f"post address with a NUL byte: {quoted(record[4])}", path=path)
        accounts = pa.table(
            {
                name: pa.array(
                    [
                        account_id if name == "id" else values.get(name)
                        for account_id, values in rows
                    ],
                    type=ACCOUNTS.types[name],
                )
                for name in ACCOUNT_COLUMNS
            }
        )
        follows = pa.table(
            {
                "follower": pa.array([row[0] for row in self._follows], FOLLOWS.types["follower"]),
                "followed": pa.array([row[1] for row in self._follows], FOLLOWS.types["followed"]),
                "platform": pa.array([self.platform] * len(self._follows), pa.string()),
                "since": pa.array([row[2] for row in self._follows], TIMESTAMP_TYPE),
            }
        )
        records = self._interactions
        interactions = pa.table(
            {
                "source": pa.array([row[0] for row in records], INTERACTIONS.types["source"]),
                "target": pa.array([row[1] for row in records], INTERACTIONS.types["target"]),
                "type": pa.array([row[2] for row in records], INTERACTIONS.types["type"]),
                "timestamp": pa.array([row[3] for row in records], TIMESTAMP_TYPE),
                "platform": pa.array([self.platform] * len(records), pa.string()),
                "post": pa.array([row[4] for row in records], pa.string()),
            }
        )
        return PlatformExport(
            platform=self.platform,
            path=path,
            owner=owner,
            accounts=accounts,
            follows=follows,
            interactions=interactions,
            identities=empty_identities(),
            notes=notes,
        )


def empty_identities() -> pa.Table:
    """An identities table without rows."""
    return pa.table({name: pa.array([], IDENTITIES.types[name]) for name in IDENTITIES.required})


def empty_table(columns: tuple[str, ...], spec_types: dict[str, pa.DataType]) -> pa.Table:
    """A table of the given columns without rows."""
    return pa.table({name: pa.array([], spec_types[name]) for name in columns})


def interaction_types() -> dict[str, pa.DataType]:
    """Arrow types of the interaction columns readers write, extra columns included."""
    return {**dict(INTERACTIONS.types), **_EXTRA_TYPES}


def decode(data: bytes, where: str) -> str:
    """Text of a UTF-8 file (a byte-order mark is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", path=where, row=line) from None


def parse_json(text: str, where: str) -> Any:
    """Parse JSON, naming the line where it is cut short or invalid."""
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError(
            "JSON nested too deeply (thousands of levels): not a platform's data file", path=where
        ) from None
    except json.JSONDecodeError as error:
        end = len(text.rstrip())
        if error.pos >= end:  # name the last line that has anything on it
            line = text.count("\n", 0, end) + 1
            raise InputError(
                "truncated JSON: the file ends too early", path=where, row=line
            ) from None
        raise InputError(f"invalid JSON ({error.msg})", path=where, row=error.lineno) from None


def checked_id(
    account_id: str,
    where: str,
    field: str,
    *,
    row: int | None = None,
    item: int | None = None,
) -> str:
    """``account_id``, or InputError when it holds a NUL byte or a line break (graphkit's
    readers refuse such ids, so an import must not write them), naming the file, the row or
    item, and the field it came from.

    >>> checked_id("x:12", "follower.js", "follower.accountId", item=1)
    'x:12'
    """
    if "\x00" not in account_id and "\n" not in account_id and "\r" not in account_id:
        return account_id
    problem = "a NUL byte" if "\x00" in account_id else "a line break"
    place = f"item {item}: " if item is not None else ""
    column = field if item is None else None
    source = f" ({field})" if column is None else ""
    raise InputError(
        f"{place}account id with {problem}{source}: {quoted(account_id)}",
        path=where,
        row=row,
        column=column,
    )


@dataclass(frozen=True)
class CsvRow:
    """One data row of an export's CSV file: values by header name, and its line number."""

    values: dict[str, str]
    line: int

    def get(self, column: str) -> str:
        """The stripped value of a column ('' where absent)."""
        return (self.values.get(column) or "").strip()


def csv_rows(text: str, where: str, header_line: int) -> tuple[list[str], Iterator[CsvRow]]:
    """The header and data rows of a CSV text whose header is on ``header_line`` (0-based).

    Rows whose cells are all empty are skipped. Raises InputError for a row with the wrong
    number of cells (naming a file cut short as such) or an unclosed quote.
    """
    lines = text.splitlines(keepends=True)
    header = [name.strip() for name in next(csv.reader([lines[header_line]]))]
    body = "".join(lines[header_line + 1 :])
    ends_cleanly = text.endswith(("\n", "\r"))

    def rows() -> Iterator[CsvRow]:
        reader = csv.reader(io.StringIO(body, newline=""), strict=True)
        previous_end = header_line + 1
        try:
            for cells in reader:
                line = header_line + 1 + reader.line_num
                start = previous_end + 1
                previous_end = line
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    last = line >= len(lines) and not ends_cleanly
                    if last and len(cells) < len(header):
                        reason = (
                            f"truncated row ({len(cells)} of {len(header)} columns): "
                            "the file is cut short"
                        )
                    else:
                        reason = f"{len(cells)} cells where the header has {len(header)}"
                    raise InputError(reason, path=where, row=start)
                yield CsvRow(dict(zip(header, cells, strict=True)), start)
        except csv.Error as error:
            raise InputError(
                f"truncated or malformed CSV ({error})", path=where, row=previous_end + 1
            ) from None

    return header, rows()


def find_header(text: str, required: tuple[str, ...], *, search_lines: int = 50) -> int | None:
    """The 0-based line of the first of the first ``search_lines`` lines that holds every
    ``required`` column name (case-insensitively), or None."""
    wanted = {name.casefold() for name in required}
    for number, line in enumerate(text.splitlines()[:search_lines]):
        cells = {cell.strip().casefold() for cell in next(csv.reader([line]), [])}
        if wanted <= cells:
            return number
    return None


def parse_date(value: str, formats: tuple[str, ...]) -> datetime | None:
    """The first of ``formats`` that parses ``value`` (as UTC when it names no zone)."""
    from datetime import UTC

    for pattern in formats:
        try:
            parsed = datetime.strptime(value, pattern)
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 timestamp (``2024-03-15T10:00:00Z``) as UTC, or None."""
    from datetime import UTC

    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
