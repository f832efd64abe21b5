"""Uniform access to the files of a platform export: a zip, a tar(.gz), a folder or one file.

Exports arrive as the archive the platform sent, as its extracted folder, or as a single file
taken out of it; every reader sees them through :class:`ExportSource` and names files in
errors as ``archive.zip/data/follower.js``.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Final

from graphkit.errors import InputError

# Members of a tar archive kept in memory: the data files, not the media beside them.
_TEXT_SUFFIXES: Final = (".json", ".csv", ".js", ".txt")
_ZIP_MAGIC: Final = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC: Final = b"PK\x05\x06"
_GZIP_MAGIC: Final = b"\x1f\x8b"


class ExportSource:
    """The files of one export, by their path inside it (``/``-separated).

    Use :func:`open_export` to make one; close it (or use it as a context manager) when done.

    Attributes
    ----------
    path
        The zip, tar archive, folder or file given.
    """

    def __init__(self, path: Path, names: list[str]) -> None:
        self.path = path
        self._names = sorted(names)

    def names(self) -> list[str]:
        """Every file of the export, sorted."""
        return list(self._names)

    def find(self, filename: str) -> list[str]:
        """The files called ``filename`` (case-insensitively), in any folder, sorted."""
        wanted = filename.casefold()
        return [name for name in self._names if PurePosixPath(name).name.casefold() == wanted]

    def read_bytes(self, name: str) -> bytes:
        """The contents of one file of the export."""
        raise NotImplementedError

    def read_head(self, name: str, size: int = 1 << 14) -> str:
        """The first ``size`` bytes of a file as text (for recognising it), without a BOM."""
        return self.read_bytes(name)[:size].decode("utf-8", errors="replace").lstrip("\ufeff")

    def where(self, name: str) -> str:
        """How errors name a file of the export: ``archive.zip/data/follower.js``."""
        return f"{self.path}/{name}"

    def close(self) -> None:
        """Release the archive."""

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class _FolderSource(ExportSource):
    def __init__(self, path: Path) -> None:
        names = []
        # os.walk does not follow links to folders (a link loop cannot trap it) and, unlike
        # rglob, reports a folder it may not read.
        for root, _, files in os.walk(path, onerror=_unreadable_folder):
            for name in files:
                item = Path(root) / name
                if item.is_file() and not name.startswith("."):
                    names.append(item.relative_to(path).as_posix())
        super().__init__(path, names)

    def read_bytes(self, name: str) -> bytes:
        try:
            return (self.path / name).read_bytes()
        except OSError as error:
            raise InputError(
                f"cannot read file ({error.strerror or error})", path=self.where(name)
            ) from None


def _unreadable_folder(error: OSError) -> None:
    raise InputError(
        f"cannot read folder ({error.strerror or error})", path=error.filename
    ) from None


class _FileSource(ExportSource):
    def __init__(self, path: Path) -> None:
        super().__init__(path, [path.name])

    def read_head(self, name: str, size: int = 1 << 14) -> str:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(size)
        except OSError as error:
            raise InputError(
                f"cannot read file ({error.strerror or error})", path=self.path
            ) from None
        return head.decode("utf-8", errors="replace").lstrip("\ufeff")

    def read_bytes(self, name: str) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as error:
            raise InputError(
                f"cannot read file ({error.strerror or error})", path=self.path
            ) from None

    def where(self, name: str) -> str:
        return str(self.path)


class _ZipSource(ExportSource):
    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise InputError(
                f"not a readable zip archive, truncated or corrupt ({error})", path=path
            ) from None
        names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
        super().__init__(path, names)

    def read_bytes(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as error:
            raise InputError(
                f"cannot read this member of the zip archive, truncated or corrupt ({error})",
                path=self.where(name),
            ) from None

    def close(self) -> None:
        self._zip.close()


class _TarSource(ExportSource):
    def __init__(self, path: Path) -> None:
        self._contents: dict[str, bytes] = {}
        names = []
        try:
            with tarfile.open(path) as archive:
                for member in archive:
                    if not member.isfile():
                        continue
                    name = member.name.removeprefix("./")
                    names.append(name)
                    if name.lower().endswith(_TEXT_SUFFIXES):
                        handle = archive.extractfile(member)
                        if handle is not None:
                            self._contents[name] = handle.read()
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            raise InputError(
                f"not a readable tar archive, truncated or corrupt ({error})", path=path
            ) from None
        super().__init__(path, names)

    def read_bytes(self, name: str) -> bytes:
        if name not in self._contents:
            raise InputError("not a data file of this archive", path=self.where(name))
        return self._contents[name]


def open_export(path: str | Path) -> ExportSource:
    """Open an export given as a zip, a tar archive (``.tar``, ``.tar.gz``, ``.tgz``), a folder
    or a single file.

    Raises
    ------
    InputError
        When the path does not exist or the archive cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("export not found", path=path)
    if path.is_dir():
        return _FolderSource(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise InputError(f"cannot read file ({error.strerror or error})", path=path) from None
    name = path.name.lower()
    if name.endswith(".zip") or magic in (_ZIP_MAGIC, _EMPTY_ZIP_MAGIC):
        return _ZipSource(path)
    if name.endswith((".tar", ".tar.gz", ".tgz")) or (
        magic.startswith(_GZIP_MAGIC) and tarfile.is_tarfile(path)
    ):
        return _TarSource(path)
    return _FileSource(path)
