"""LinkedIn data exports ("Get a copy of your data"): the zip LinkedIn sends, or its folder.

- ``Connections.csv``: a few lines of notes, a blank line, then the header
  ``First Name,Last Name,URL,Email Address,Company,Position,Connected On``. Each connection
  becomes a follow in both directions between it and the owner (a connection is mutual),
  dated by ``Connected On`` (``15 Mar 2024``); ``Company`` fills ``organization`` and
  ``Position`` fills ``title``; ``Email Address`` (often empty: members choose) fills
  ``email``.
- ``Profile.csv``: the owner's first and last name. LinkedIn's "Connections" download (the
  smaller of its two requests) holds ``Connections.csv`` alone: then ``owner`` (``--owner``)
  names the owner, by name or profile URL.
- ``Positions.csv`` (when present): the owner's current company and title (the position
  without ``Finished On``).

Account ids are ``linkedin:`` + the profile URL's name (``linkedin.com/in/maya-okafor`` ->
``linkedin:maya-okafor``). The export does not hold the owner's own profile URL, so the owner
(and a connection listed without URL) is ``linkedin:name:First Last`` until merging finds
the one account of that name whose URL another export gives (see
:mod:`graphkit.io.platforms.merge`).

An owner named by ``owner`` gets the id a ``Profile.csv`` would have given the same person:
a name is ``linkedin:name:`` + the name (Unicode NFC, runs of spaces as one), the id of a
``Profile.csv`` whose first and last name, joined by a space, read the same (case counts: give
the name as the profile shows it); a profile URL is ``linkedin:`` + its name, the id that
merging gives a ``Profile.csv`` owner once another export lists their URL, and that the owner
has in other people's ``Connections.csv``. Nobody is their own connection: a connection row
with the owner's URL, or with their name when ``owner`` is a name (merging would take the
owner for that namesake), is refused (name the owner by URL then).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final
from urllib.parse import unquote, urlsplit

from graphkit.errors import InputError, UsageError
from graphkit.io.platforms.export import (
    CsvRow,
    PlatformExport,
    TableBuilder,
    checked_id,
    csv_rows,
    decode,
    find_header,
    parse_date,
)
from graphkit.io.platforms.source import ExportSource

PLATFORM: Final = "linkedin"
LABEL: Final = "LinkedIn export"
CONNECTION_HEADER: Final = ("First Name", "Last Name")
_CONNECTED_ON: Final = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y")
_MONTH: Final = ("%b %Y", "%B %Y", "%Y", "%m/%Y")
_PROFILE_URL: Final = re.compile(r"linkedin\.com/in/(?P<slug>[^/?#\s]+)", re.IGNORECASE)
_URL_LIKE: Final = re.compile(r"://|^www\.|linkedin\.com", re.IGNORECASE)
OWNER_OPTION: Final = "--owner NAME_OR_URL"


def looks_like(source: ExportSource) -> bool:
    """Whether the export holds a LinkedIn ``Connections.csv`` (or is one)."""
    if source.find("Connections.csv"):
        return True
    names = source.names()
    if len(names) == 1 and names[0].lower().endswith(".csv"):
        header = find_header(
            source.read_head(names[0]), ("First Name", "Last Name", "Connected On")
        )
        return header is not None
    return False


def profile_id(url: str) -> str | None:
    """The account id of a LinkedIn profile URL, or None when it is not one.

    >>> profile_id("https://www.linkedin.com/in/Maya-Okafor/")
    'linkedin:maya-okafor'
    """
    match = _PROFILE_URL.search(url)
    return f"linkedin:{unquote(match['slug']).casefold()}" if match else None


def name_id(name: str) -> str:
    """The provisional id of an account known only by its name."""
    return f"linkedin:name:{' '.join(unicodedata.normalize('NFC', name).split())}"


def data_files(source: ExportSource) -> list[str]:
    """The files :func:`read` reads (for estimating its memory before reading)."""
    names = [
        name
        for filename in ("Connections.csv", "Profile.csv", "Positions.csv")
        for name in source.find(filename)[:1]
    ]
    single = source.names()
    return names or (single if len(single) == 1 else [])


def needs_owner(source: ExportSource) -> bool:
    """Whether the export is a LinkedIn ``Connections.csv`` without ``Profile.csv``."""
    return looks_like(source) and not source.find("Profile.csv")


def owner_account(owner: str, where: str) -> tuple[str, dict[str, str]]:
    """The id and attributes of an owner named by name or profile URL (module docstring).

    Examples
    --------
    >>> owner_account("  Maya   Okafor ", "Connections.csv")
    ('linkedin:name:Maya Okafor', {'name': 'Maya Okafor'})
    >>> owner_account("https://www.linkedin.com/in/maya-okafor/", "Connections.csv")[0]
    'linkedin:maya-okafor'

    Raises
    ------
    InputError
        When ``owner`` is blank, a URL that is not a LinkedIn profile's, or holds a NUL byte
        or a line break.
    UsageError
        When ``owner`` is not text.
    """
    if not isinstance(owner, str):
        raise UsageError(f"owner is a name or profile URL, not {type(owner).__name__}")
    text = owner.strip()
    if not text:
        raise InputError("--owner is blank: give the owner's name or profile URL", path=where)
    if text.casefold().startswith(f"{PLATFORM}:"):
        raise InputError(
            f"--owner {text!r} looks like an account id; give the owner's name or profile URL",
            path=where,
        )
    if _URL_LIKE.search(text):
        account_id = _owner_profile_id(text)
        if account_id is None:
            raise InputError(
                f"--owner {text!r} is not a LinkedIn profile URL "
                "(https://www.linkedin.com/in/NAME); give the profile URL or the owner's name",
                path=where,
            )
        url = text if "://" in text else f"https://{text}"  # a link, not a relative path
        attributes = {"handle": account_id.removeprefix("linkedin:"), "url": url}
    else:
        account_id = name_id(text)
        attributes = {"name": account_id.removeprefix("linkedin:name:")}
    return checked_id(account_id, where, "--owner"), attributes


def _owner_profile_id(text: str) -> str | None:
    """The id of a profile URL typed as ``--owner``: http(s) on linkedin.com or a subdomain of
    it, path ``/in/NAME``, no blanks, a name with a letter or digit; else None."""
    if any(character.isspace() for character in text):
        return None
    try:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host = (parts.hostname or "").casefold()
    except ValueError:  # a malformed host (``http://[linkedin.com/in/x``)
        return None
    if parts.scheme.casefold() not in ("http", "https") or not (
        host == "linkedin.com" or host.endswith(".linkedin.com")
    ):
        return None
    account_id = profile_id(f"linkedin.com{parts.path}")
    slug = (account_id or "").removeprefix("linkedin:")
    return account_id if any(character.isalnum() for character in slug) else None


def read(source: ExportSource, *, owner: str | None = None) -> PlatformExport:
    """Read a LinkedIn export into canonical tables.

    Parameters
    ----------
    source
        The export.
    owner
        The owner of a ``Connections.csv`` without ``Profile.csv``: their name, as their
        profile shows it, or their profile URL.

    Raises
    ------
    InputError
        When the export holds no ``Connections.csv``, no ``Profile.csv`` and no ``owner``
        (or both), or a file is truncated or malformed (naming the file, row and column).
    """
    if not source.names():
        raise InputError("empty archive: it holds no files", path=source.path)
    connections = source.find("Connections.csv")
    names = source.names()
    single_file = len(names) == 1 and not connections and looks_like(source)
    if single_file:
        connections = names
    if not connections:
        raise InputError(
            "not a LinkedIn export: no Connections.csv (request 'Connections' when you "
            "download your LinkedIn data)",
            path=source.path,
        )
    profile = source.find("Profile.csv")
    if profile and owner is not None:
        raise InputError(
            "holds Profile.csv, which names the export's owner: --owner is for a "
            "Connections.csv without it",
            path=source.path,
        )
    if not profile and owner is None:
        raise InputError(
            "no Profile.csv beside Connections.csv: the export does not say whose connections "
            f"these are; name their owner with {OWNER_OPTION} (their name as their profile "
            "shows it, or their profile URL), or import the whole LinkedIn export (zip or "
            "folder)",
            path=source.path,
        )
    builder = TableBuilder(PLATFORM)
    if owner is not None:
        owner_id, attributes = owner_account(owner, str(source.path))
        positions = source.find("Positions.csv")
        company, title = _current_position(source, positions[0]) if positions else (None, None)
        builder.account(owner_id, kind="person", organization=company, title=title, **attributes)
    else:
        owner_id = _read_owner(source, profile[0], source.find("Positions.csv"), builder)
    count = _read_connections(source, connections[0], builder, owner_id, named=owner is not None)
    builder.account(owner_id, followers_count=count)
    return builder.build(source.path, owner_id, [])


def _table(
    source: ExportSource, name: str, required: tuple[str, ...]
) -> tuple[list[str], list[CsvRow]]:
    where = source.where(name)
    text = decode(source.read_bytes(name), where)
    if not text.strip():
        raise InputError(f"empty file: expected a header with {', '.join(required)}", path=where)
    header_line = find_header(text, required)
    if header_line is None:
        raise InputError(
            f"no header line with {', '.join(required)}: not a LinkedIn {name.rsplit('/', 1)[-1]}",
            path=where,
        )
    header, rows = csv_rows(text, where, header_line)
    return header, list(rows)


def _read_owner(
    source: ExportSource, profile: str, positions: list[str], builder: TableBuilder
) -> str:
    _, rows = _table(source, profile, ("First Name", "Last Name"))
    if not rows:
        raise InputError(
            "no profile row: cannot tell whose export this is", path=source.where(profile)
        )
    row = rows[0]
    name = " ".join(part for part in (row.get("First Name"), row.get("Last Name")) if part)
    if not name:
        raise InputError(
            "the profile has no name: cannot tell whose export this is",
            path=source.where(profile),
            row=row.line,
            column="First Name",
        )
    company, title = _current_position(source, positions[0]) if positions else (None, None)
    owner_id = checked_id(name_id(name), source.where(profile), "First Name", row=row.line)
    return builder.account(owner_id, name=name, kind="person", organization=company, title=title)


def _current_position(source: ExportSource, name: str) -> tuple[str | None, str | None]:
    """Company and title of the latest position without an end date."""
    _, rows = _table(source, name, ("Company Name", "Title"))
    current: list[tuple[float, int, CsvRow]] = []
    for order, row in enumerate(rows):
        if row.get("Finished On"):
            continue
        started = parse_date(row.get("Started On"), _MONTH) if row.get("Started On") else None
        # LinkedIn lists the newest first: among equal start dates the first listed wins.
        current.append((started.timestamp() if started else float("-inf"), -order, row))
    if not current:
        return None, None
    latest = max(current, key=lambda item: item[:2])[2]
    return latest.get("Company Name") or None, latest.get("Title") or None


def _read_connections(
    source: ExportSource, name: str, builder: TableBuilder, owner_id: str, *, named: bool = False
) -> int:
    """Read the connections; their count (each account once, the owner never). ``named``:
    the owner was named by ``--owner``, which then must not be one of the connections."""
    where = source.where(name)
    _, rows = _table(source, name, CONNECTION_HEADER)
    owner_name = (
        owner_id.removeprefix("linkedin:name:") if owner_id.startswith("linkedin:name:") else None
    )
    connected: set[str] = set()
    for row in rows:
        full_name = " ".join(part for part in (row.get("First Name"), row.get("Last Name")) if part)
        url = row.get("URL")
        account_id = profile_id(url) if url else None
        if account_id is None and url:
            raise InputError(
                f"not a LinkedIn profile URL: {url!r}", path=where, row=row.line, column="URL"
            )
        if account_id is None:
            if not full_name:
                continue  # LinkedIn lists withdrawn members as empty rows
            account_id = name_id(full_name)
        checked_id(account_id, where, "URL" if url else "First Name", row=row.line)
        if named and (
            account_id == owner_id
            or (owner_name is not None and _fold(full_name) == _fold(owner_name))
        ):
            _owner_listed(owner_name is None, where, row.line, owner_id)
        since = None
        if row.get("Connected On"):
            since = parse_date(row.get("Connected On"), _CONNECTED_ON)
            if since is None:
                raise InputError(
                    f"unparsable date {row.get('Connected On')!r} (expected e.g. '15 Mar 2024')",
                    path=where,
                    row=row.line,
                    column="Connected On",
                )
        builder.account(
            account_id,
            handle=account_id.removeprefix("linkedin:") if url else None,
            name=full_name or None,
            kind="person",
            organization=row.get("Company") or None,
            title=row.get("Position") or None,
            email=row.get("Email Address") or None,
            url=url or None,
        )
        builder.follow(account_id, owner_id, since)
        builder.follow(owner_id, account_id, since)
        connected.add(account_id)
    return len(connected - {owner_id})


def _fold(text: str) -> str:
    """Names compared as merging compares them: case, Unicode form and repeated spaces aside."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _owner_listed(by_url: bool, where: str, row: int, owner_id: str) -> None:
    """Refuse a connection that is the owner ``--owner`` names: nobody is their own connection,
    so ``--owner`` names someone else (by URL), or a connection shares the owner's name, and
    merging would take the owner for that connection (by name)."""
    if by_url:
        raise InputError(
            "this connection has the profile URL --owner gives: the owner is not one of their "
            "own connections; check --owner",
            path=where,
            row=row,
            column="URL",
        )
    raise InputError(
        f"this connection has the name --owner gives ({owner_id.removeprefix('linkedin:name:')!r}):"
        " name the owner by their profile URL instead (--owner https://www.linkedin.com/in/NAME)",
        path=where,
        row=row,
        column="First Name",
    )
