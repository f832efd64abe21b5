"""Read exports of any platform: recognise them, read them, merge them into a dataset."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Final

from graphkit.errors import InputError
from graphkit.io.platforms import linkedin, mastodon, x
from graphkit.io.platforms.export import PlatformExport
from graphkit.io.platforms.merge import PLATFORM_NAMES, combine
from graphkit.io.platforms.source import MEMBER_BYTES, ExportSource, open_export
from graphkit.io.readers import Dataset, read_table
from graphkit.io.schema import ACCOUNTS, IDENTITIES

PLATFORMS: Final = ("x", "linkedin", "mastodon")
PLATFORM_LABELS: Final = MappingProxyType(
    {"x": x.LABEL, "linkedin": linkedin.LABEL, "mastodon": mastodon.LABEL}
)
_READERS: Final = {"x": x, "linkedin": linkedin, "mastodon": mastodon}
_WITH_ARTICLE: Final = {
    "x": "an X archive",
    "linkedin": "a LinkedIn export",
    "mastodon": "a Mastodon export",
}


def detect_platforms(path: str | Path) -> list[str]:
    """The platforms whose export ``path`` holds (usually one; none for other files).

    >>> detect_platforms("README.md")
    []
    """
    path = Path(path)
    if not path.exists():
        return []
    with open_export(path) as source:
        return _detect(source)


def _detect(source: ExportSource) -> list[str]:
    return [name for name in PLATFORMS if _READERS[name].looks_like(source)]


def export_data_bytes(path: str | os.PathLike[str]) -> int:
    """The bytes (uncompressed) of the files of an export that reading it reads, as the
    archive or file system declares them, without reading them (0 for an export of no known
    platform).

    Raises
    ------
    InputError
        When the export cannot be opened (a missing path, a corrupt archive, a FIFO).
    """
    with open_export(path) as source:
        names = {
            name for platform in _detect(source) for name in _READERS[platform].data_files(source)
        }
        return sum(source.size(name) for name in names)


def platform_name(name: str) -> str:
    """The canonical platform name (``twitter`` -> ``x``).

    Raises
    ------
    InputError
        When the name is not a platform graphkit reads.
    """
    canonical = PLATFORM_NAMES.get(name.strip().lower())
    if canonical is None:
        raise InputError(
            f"unknown export format {name!r}; use x (or twitter), linkedin, mastodon or auto"
        )
    return canonical


def read_export(
    platform: str,
    path: str | Path,
    *,
    member_limit: int = MEMBER_BYTES,
    owner: str | None = None,
) -> PlatformExport:
    """Read one export of ``platform`` (``x``/``twitter``, ``linkedin``, ``mastodon`` or
    ``auto`` to recognise it).

    Parameters
    ----------
    platform
        The platform, or ``auto``.
    path
        The archive the platform sent (zip, tar.gz), its extracted folder, or one file of it.
    member_limit
        The most bytes (uncompressed) read from one file of the export.
    owner
        The owner of a LinkedIn ``Connections.csv`` without ``Profile.csv``, by name or
        profile URL (see :mod:`graphkit.io.platforms.linkedin`).

    Returns
    -------
    PlatformExport

    Raises
    ------
    InputError
        When the export is missing, empty, from another platform, truncated or malformed
        (naming the file and what is missing), a file of it is larger than
        ``member_limit``, or ``owner`` is given for an export that names its owner.
    """
    with open_export(path, member_limit=member_limit) as source:
        found = _detect(source)
        if platform == "auto":
            if not found:
                expected = ", ".join(_WITH_ARTICLE.values())
                empty = "empty archive: it holds no files" if not source.names() else None
                raise InputError(empty or f"not a platform export (expected {expected})", path=path)
            if len(found) > 1:
                raise InputError(
                    f"holds exports of several platforms ({', '.join(found)}); "
                    "name the format of each",
                    path=path,
                )
            chosen = found[0]
        else:
            chosen = platform_name(platform)
            others = [name for name in found if name != chosen]
            if chosen not in found and others:
                raise InputError(
                    f"this is {_WITH_ARTICLE[others[0]]}, not {_WITH_ARTICLE[chosen]}; "
                    f"import it as {others[0]}",
                    path=path,
                )
        if chosen == "linkedin":
            return linkedin.read(source, owner=owner)
        if owner is not None:
            raise InputError(
                f"--owner names the owner of a LinkedIn Connections.csv; this is "
                f"{_WITH_ARTICLE[chosen]}, which names its owner",
                path=path,
            )
        return _READERS[chosen].read(source)  # type: ignore[no-any-return]


def _needs_owner(platform: str, path: str | Path) -> bool:
    """Whether an export is a LinkedIn Connections.csv without Profile.csv (False for one
    that cannot be opened: reading it says why)."""
    if platform not in ("auto", "linkedin") or not Path(path).exists():
        return False
    try:
        with open_export(path) as source:
            return (platform == "linkedin" or _detect(source) == ["linkedin"]) and (
                linkedin.needs_owner(source)
            )
    except InputError:
        return False


def parse_export_spec(spec: str) -> tuple[str, Path]:
    """``FORMAT:PATH`` (``x:archive.zip``) or a bare ``PATH`` (format ``auto``).

    >>> parse_export_spec("twitter:exports/maya.zip")
    ('x', PosixPath('exports/maya.zip'))
    """
    prefix, separator, rest = spec.partition(":")
    if separator and (prefix.lower() in PLATFORM_NAMES or prefix.lower() == "auto"):
        name = "auto" if prefix.lower() == "auto" else platform_name(prefix)
        return name, Path(rest)
    return "auto", Path(spec)


def import_exports(
    exports: Sequence[tuple[str, str | Path]],
    *,
    accounts: str | os.PathLike[str] | None = None,
    identities: str | os.PathLike[str] | None = None,
    member_limit: int = MEMBER_BYTES,
    owner: str | None = None,
) -> tuple[Dataset, list[PlatformExport]]:
    """Read exports and merge them into one dataset.

    Parameters
    ----------
    exports
        ``(platform, path)`` pairs; platform ``auto`` recognises the export.
    accounts
        A file of account attributes to add or correct (kind, organization, title, ...),
        naming accounts by reference (see :class:`graphkit.io.platforms.Resolver`).
    identities
        A file of ``account, person`` rows joining one person's accounts across platforms.
    member_limit
        The most bytes (uncompressed) read from one file of an export.
    owner
        The owner of the one LinkedIn ``Connections.csv`` given without ``Profile.csv``
        (LinkedIn's "Connections" download), by name or profile URL.

    Returns
    -------
    tuple of Dataset and list of PlatformExport
        The merged dataset, and each export as read (for its owner and notes).

    Raises
    ------
    InputError
        When an export or file is invalid, a reference matches no account, or ``owner`` is
        given without exactly one LinkedIn export lacking ``Profile.csv``.
    """
    lacking = [owner is not None and _needs_owner(platform, path) for platform, path in exports]
    if sum(lacking) > 1:
        paths = ", ".join(str(path) for (_, path), lacks in zip(exports, lacking, strict=True)
                          if lacks)  # fmt: skip
        raise InputError(
            f"--owner names one owner, and {sum(lacking)} LinkedIn exports lack Profile.csv "
            f"({paths}): import them one at a time"
        )
    read = [
        read_export(platform, path, member_limit=member_limit, owner=owner if lacks else None)
        for (platform, path), lacks in zip(exports, lacking, strict=True)
    ]
    if owner is not None and not any(lacking):
        raise InputError(
            "--owner names the owner of a LinkedIn Connections.csv without Profile.csv "
            "(LinkedIn's Connections download), and no export given is one"
        )
    accounts = None if accounts is None else Path(accounts)
    identities = None if identities is None else Path(identities)
    overlay = read_table(accounts, ACCOUNTS) if accounts is not None else None
    joins = read_table(identities, IDENTITIES) if identities is not None else None
    dataset = combine(
        read,
        accounts=overlay,
        accounts_path=accounts,
        identities=joins,
        identities_path=identities,
    )
    return dataset, read
