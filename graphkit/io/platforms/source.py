"""Uniform access to the files of a platform export: a zip, a tar(.gz), a folder or one file.

Exports arrive as the archive the platform sent, as its extracted folder, or as a single file
taken out of it; every reader sees them through :class:`ExportSource` and names files in
errors as ``archive.zip/data/follower.js``.

Every file is read within a byte budget (:data:`MEMBER_BYTES`, 256 MiB uncompressed): a member
that declares more is refused before a byte of it is decompressed, and one that holds more than
it declares is cut at the budget and refused, so that a zip or tar bomb costs no memory.
Special files (FIFOs, devices) are refused without being opened.
"""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Final

from graphkit.errors import InputError
from graphkit.io.files import check_regular_file, size_text, special_file_reason

MEMBER_BYTES: Final = 256 << 20
"""The most bytes (uncompressed) read from one file of an export. Reading a file costs twice
its size at least (its bytes and its text) before parsing: this keeps a hostile member under
1 GiB of memory, and is larger than the data files platforms write (they split larger ones into
parts)."""
MAX_MEMBERS: Final = 1 << 18
"""The most files an archive may list (each listed file costs memory before any is read)."""
# Members of a tar archive kept in memory while it is listed (read once, in one pass over a
# compressed archive); larger ones are read again from the archive when asked for.
_TAR_CACHE_BYTES: Final = 64 << 20
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
    member_limit
        The most bytes (uncompressed) read from one file.
    """

    def __init__(self, path: Path, names: list[str], *, member_limit: int = MEMBER_BYTES) -> None:
        self.path = path
        self.member_limit = member_limit
        # A name listed twice (a zip appended to) is one file: the last entry, as unzip leaves.
        self._names = sorted(set(names))
        if len(self._names) > MAX_MEMBERS:
            raise InputError(
                f"lists {len(self._names):,} files, more than the {MAX_MEMBERS:,} graphkit "
                "reads from an export",
                path=path,
            )

    def names(self) -> list[str]:
        """Every file of the export, sorted."""
        return list(self._names)

    def find(self, filename: str) -> list[str]:
        """The files called ``filename`` (case-insensitively), in any folder, sorted."""
        wanted = filename.casefold()
        return [name for name in self._names if PurePosixPath(name).name.casefold() == wanted]

    def size(self, name: str) -> int:
        """The size of one file (uncompressed), as the archive or file system declares it."""
        raise NotImplementedError

    def read_bytes(self, name: str) -> bytes:
        """The contents of one file of the export.

        Raises
        ------
        InputError
            When the file declares or holds more than :attr:`member_limit` bytes, or cannot
            be read.
        """
        declared = self.size(name)
        if declared > self.member_limit:
            raise self._too_large(name, declared)
        data = self._read(name, self.member_limit + 1)
        if len(data) > self.member_limit:
            raise self._too_large(name, None)
        return data

    def read_head(self, name: str, size: int = 1 << 14) -> str:
        """The first ``size`` bytes of a file as text (for recognising it), without a BOM."""
        return self._read(name, size)[:size].decode("utf-8", errors="replace").lstrip("\ufeff")

    def _read(self, name: str, limit: int) -> bytes:
        """At most ``limit`` bytes of a file, from its start."""
        raise NotImplementedError

    def _too_large(self, name: str, declared: int | None) -> InputError:
        size = f" (it declares {size_text(declared)})" if declared is not None else ""
        return InputError(
            f"more than {size_text(self.member_limit)} uncompressed{size}: too large for one "
            "file of an export (a damaged or hostile archive?)",
            path=self.where(name),
        )

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


def _read_handle(handle: IO[bytes], limit: int) -> bytes:
    """At most ``limit`` bytes of an open file, in pieces (a huge ``read`` size would make
    some readers allocate it up front)."""
    pieces = []
    left = limit
    while left > 0:
        piece = handle.read(min(left, 1 << 24))
        if not piece:
            break
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


class _FolderSource(ExportSource):
    def __init__(self, path: Path, *, member_limit: int = MEMBER_BYTES) -> None:
        names = []
        # os.walk does not follow links to folders (a link loop cannot trap it) and, unlike
        # rglob, reports a folder it may not read. Hidden folders (.git, a staging folder
        # left by an interrupted import) are not part of the export.
        for root, folders, files in os.walk(path, onerror=_unreadable_folder):
            folders[:] = [name for name in folders if not name.startswith(".")]
            for name in files:
                if name.startswith("."):
                    continue
                item = Path(root) / name
                try:
                    mode = item.stat().st_mode
                except OSError:
                    continue  # a broken link or link loop: no file of the export
                # A FIFO or device in an export folder is listed, and refused when read.
                if stat.S_ISREG(mode) or special_file_reason(mode) is not None:
                    names.append(item.relative_to(path).as_posix())
        super().__init__(path, names, member_limit=member_limit)

    def size(self, name: str) -> int:
        item = self.path / name
        check_regular_file(item)
        try:
            return item.stat().st_size
        except OSError as error:
            raise InputError(
                f"cannot read file ({error.strerror or error})", path=self.where(name)
            ) from None

    def _read(self, name: str, limit: int) -> bytes:
        item = self.path / name
        check_regular_file(item)
        try:
            with item.open("rb") as handle:
                return _read_handle(handle, limit)
        except OSError as error:
            raise InputError(
                f"cannot read file ({error.strerror or error})", path=self.where(name)
            ) from None


def _unreadable_folder(error: OSError) -> None:
    raise InputError(
        f"cannot read folder ({error.strerror or error})", path=error.filename
    ) from None


class _FileSource(ExportSource):
    def __init__(self, path: Path, *, member_limit: int = MEMBER_BYTES) -> None:
        super().__init__(path, [path.name], member_limit=member_limit)

    def size(self, name: str) -> int:
        try:
            return self.path.stat().st_size
        except OSError as error:
            raise InputError(
                f"cannot read file ({error.strerror or error})", path=self.path
            ) from None

    def _read(self, name: str, limit: int) -> bytes:
        check_regular_file(self.path)
        try:
            with self.path.open("rb") as handle:
                return _read_handle(handle, limit)
        except OSError as error:
            raise InputError(
                f"cannot read file ({error.strerror or error})", path=self.path
            ) from None

    def where(self, name: str) -> str:
        return str(self.path)


class _ZipSource(ExportSource):
    def __init__(self, path: Path, *, member_limit: int = MEMBER_BYTES) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            raise InputError(
                f"not a readable zip archive, truncated or corrupt ({error})", path=path
            ) from None
        names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
        try:
            super().__init__(path, names, member_limit=member_limit)
        except InputError:
            self._zip.close()
            raise

    def size(self, name: str) -> int:
        return int(self._zip.getinfo(name).file_size)

    def _read(self, name: str, limit: int) -> bytes:
        try:
            with self._zip.open(name) as handle:
                return _read_handle(handle, limit)
        except (
            zipfile.BadZipFile,
            EOFError,
            zlib.error,
            OSError,
            NotImplementedError,
            RuntimeError,  # an encrypted member
        ) as error:
            raise InputError(
                f"cannot read this member of the zip archive, truncated or corrupt ({error})",
                path=self.where(name),
            ) from None

    def close(self) -> None:
        self._zip.close()


class _TarSource(ExportSource):
    def __init__(self, path: Path, *, member_limit: int = MEMBER_BYTES) -> None:
        self._contents: dict[str, bytes] = {}
        self._members: dict[str, tarfile.TarInfo] = {}
        cached = 0
        try:
            # Kept open: large members are read on demand; close() releases it.
            self._archive = tarfile.open(path)  # noqa: SIM115
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            raise InputError(
                f"not a readable tar archive, truncated or corrupt ({error})", path=path
            ) from None
        try:
            for number, member in enumerate(self._archive, start=1):
                if number > MAX_MEMBERS:
                    raise InputError(
                        f"lists more than {MAX_MEMBERS:,} files, more than graphkit reads "
                        "from an export",
                        path=path,
                    )
                if not member.isfile():
                    continue
                name = member.name.removeprefix("./")
                self._members[name] = member
                self._contents.pop(name, None)  # a name listed twice: the last entry counts
                small = member.size <= min(member_limit, _TAR_CACHE_BYTES - cached)
                if name.lower().endswith(_TEXT_SUFFIXES) and small:
                    handle = self._archive.extractfile(member)
                    if handle is not None:
                        self._contents[name] = handle.read()
                        cached += member.size
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            self._archive.close()
            raise InputError(
                f"not a readable tar archive, truncated or corrupt ({error})", path=path
            ) from None
        except InputError:
            self._archive.close()
            raise
        super().__init__(path, list(self._members), member_limit=member_limit)

    def size(self, name: str) -> int:
        self._check_data_file(name)
        return int(self._members[name].size)

    def _read(self, name: str, limit: int) -> bytes:
        self._check_data_file(name)
        if name in self._contents:
            return self._contents[name][:limit]
        try:
            handle = self._archive.extractfile(self._members[name])
            return b"" if handle is None else _read_handle(handle, limit)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            raise InputError(
                f"not a readable tar archive, truncated or corrupt ({error})",
                path=self.where(name),
            ) from None

    def _check_data_file(self, name: str) -> None:
        if name not in self._members or not name.lower().endswith(_TEXT_SUFFIXES):
            raise InputError("not a data file of this archive", path=self.where(name))

    def close(self) -> None:
        self._archive.close()


def open_export(path: str | os.PathLike[str], *, member_limit: int = MEMBER_BYTES) -> ExportSource:
    """Open an export given as a zip, a tar archive (``.tar``, ``.tar.gz``, ``.tgz``), a folder
    or a single file.

    Parameters
    ----------
    path
        The export.
    member_limit
        The most bytes (uncompressed) read from one file of it.

    Raises
    ------
    InputError
        When the path does not exist, is a special file (a FIFO, a device), lists more than
        :data:`MAX_MEMBERS` files, or the archive cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("export not found", path=path)
    if path.is_dir():
        return _FolderSource(path, member_limit=member_limit)
    check_regular_file(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise InputError(f"cannot read file ({error.strerror or error})", path=path) from None
    name = path.name.lower()
    if name.endswith(".zip") or magic in (_ZIP_MAGIC, _EMPTY_ZIP_MAGIC):
        return _ZipSource(path, member_limit=member_limit)
    if name.endswith((".tar", ".tar.gz", ".tgz")) or (
        magic.startswith(_GZIP_MAGIC) and tarfile.is_tarfile(path)
    ):
        return _TarSource(path, member_limit=member_limit)
    return _FileSource(path, member_limit=member_limit)
