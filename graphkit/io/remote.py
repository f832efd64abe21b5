"""Data that is not a local file: standard input (``-``) and storage URIs (``s3://``,
``gs://``, ``abfs://``, ``http(s)://``).

Each is staged into a private temporary folder under its own name (so that its suffix says its
format) and then read there exactly as a local file, with every check a local file gets;
errors name the original location, never the staged copy. A staged copy must fit in the free
space of the temporary folder (``TMPDIR``). Outputs to a URI are written locally, then
uploaded (an object store shows an object only once its upload is complete).

Object stores are reached through :mod:`pyarrow.fs`, which takes credentials and settings
from each store's usual environment and configuration files (``AWS_ACCESS_KEY_ID``,
``AWS_PROFILE``, ``AWS_ENDPOINT_URL`` for S3-compatible stores such as MinIO or R2;
``GOOGLE_APPLICATION_CREDENTIALS``; ``AZURE_STORAGE_ACCOUNT_KEY`` ...). HTTP(S) goes through
:mod:`urllib` (proxies from ``HTTPS_PROXY``).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import shutil
import stat
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final

import pyarrow as pa

from graphkit.errors import GraphkitError, InputError, UsageError
from graphkit.io.rules import DELIMITED_SUFFIXES, JSON_SUFFIXES, PARQUET_SUFFIXES
from graphkit.io.schema import TABLES

STDIN: Final = "-"
_STDIN_NAMES: Final = (STDIN, "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")
STDIN_NAME: Final = "<stdin>"
"""How errors name standard input."""

# The schemes read here, and the one pyarrow knows each by.
_SCHEMES: Final = {
    "s3": "s3",
    "s3a": "s3",
    "s3n": "s3",
    "gs": "gs",
    "gcs": "gs",
    "abfs": "abfs",
    "abfss": "abfss",
    "az": "abfs",
    "http": "http",
    "https": "https",
}
_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_CHUNK: Final = 1 << 20
_SNIFF: Final = 1 << 16
# Space left free on the staging disk for everything else.
_RESERVE: Final = 64 << 20
_TIMEOUT_S: Final = 60
_GCS_RETRY_S: Final = 15  # how long Google's client retries a failing request (its own: 15 min)
_KNOWN_SUFFIXES: Final = DELIMITED_SUFFIXES + JSON_SUFFIXES + PARQUET_SUFFIXES


def scheme(location: object) -> str | None:
    """The scheme of a URI (lower case), or None for a path.

    >>> scheme("S3://bucket/follows.csv"), scheme("data/follows.csv")
    ('s3', None)
    """
    if not isinstance(location, str):
        return None
    match = _SCHEME.match(location)
    return None if match is None else match.group(1).lower()


def is_stdin(location: object) -> bool:
    """Whether ``location`` is ``-`` (or ``/dev/stdin``), standard input."""
    return isinstance(location, str | os.PathLike) and os.fspath(location) in _STDIN_NAMES


def is_pipe(location: object) -> bool:
    """Whether ``location`` is a pipe the shell handed over as ``/dev/fd/N`` (process
    substitution, ``<(zcat follows.csv.gz)``), read once like standard input.

    A named pipe elsewhere stays refused: opening one blocks until something writes to it.
    """
    if not isinstance(location, str | os.PathLike) or is_stdin(location):
        return False
    text = os.fspath(location)
    if not text.startswith(("/dev/fd/", "/proc/self/fd/")):
        return False
    try:
        return stat.S_ISFIFO(Path(text).stat().st_mode)
    except (OSError, ValueError):
        return False


def is_remote(location: object) -> bool:
    """Whether ``location`` is a URI this module reads (S3, GCS, Azure, HTTP(S)).

    >>> is_remote("s3://bucket/x.csv"), is_remote("hdfs://x"), is_remote("x.csv")
    (True, False, False)
    """
    return scheme(location) in _SCHEMES


def display(uri: str) -> str:
    """A URI as messages show it: without a password or a query string (which can hold a
    signature or a token).

    >>> display("postgresql://ann:secret@db:5432/crm?sslmode=require")
    'postgresql://ann:***@db:5432/crm'
    >>> display("https://host/follows.csv?X-Amz-Signature=abc")
    'https://host/follows.csv'
    """
    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:  # not a URL (an unclosed [ of an IPv6 host): hide all that may be secret
        head, _, rest = uri.partition("://")
        netloc, slash, path = rest.partition("/")
        netloc = netloc.rpartition("@")[2]
        return f"{head}://{netloc}{slash}{path.split('?', 1)[0].split('#', 1)[0]}"
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


_URI_IN_TEXT: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"]+")


def redacted(value: Any) -> Any:
    """``value`` (text, or lists and mappings of it) with each URI in it as :func:`display`
    shows it: for command lines and parameters written to manifests and files.

    >>> redacted(["--database", "postgresql://ann:secret@db/crm", "--top", 5])
    ['--database', 'postgresql://ann:***@db/crm', '--top', 5]
    """
    if isinstance(value, str):
        return _URI_IN_TEXT.sub(lambda match: display(match.group()), value)
    if isinstance(value, tuple | list):
        return type(value)(redacted(item) for item in value)
    if isinstance(value, dict):
        return {key: redacted(item) for key, item in value.items()}
    return value


class Staging:
    """A private temporary folder for staged inputs, and the original name of each.

    Use as a context manager: the folder and all it holds go when the block ends.

    Parameters
    ----------
    limit
        The most bytes staged in all (default: the free space of the temporary folder, less
        a reserve).
    """

    def __init__(self, *, limit: int | None = None) -> None:
        self._folder: Path | None = None
        self._folders = 0
        self._limit = limit
        self._staged = 0
        self._names: dict[str, str] = {}

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the staged files."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def holds(self, path: object) -> bool:
        """Whether ``path`` is a staged copy."""
        return isinstance(path, str | os.PathLike) and any(
            os.fspath(path) == staged or os.fspath(path).startswith(staged + os.sep)
            for staged in self._names
        )

    def label(self, name: str) -> str:
        """A stand-in path for a table read in memory, shown as ``name`` in errors."""
        token = f"graphkit-table-{len(self._names) + 1}"
        self._names[token] = name
        return token

    def renamed(self, error: GraphkitError) -> GraphkitError:
        """``error`` with every staged path replaced by the location it came from."""
        if not self._names:
            return error

        def rename(text: str) -> str:
            for staged in sorted(self._names, key=len, reverse=True):
                original = self._names[staged]
                text = text.replace(staged + os.sep, original.rstrip("/") + "/")
                text = text.replace(staged, original)
            return text

        if isinstance(error, InputError):
            path = None if error.path is None else rename(error.path)
            renamed: GraphkitError = type(error)(
                rename(error.reason), path=path, row=error.row, column=error.column
            )
        else:
            try:
                renamed = type(error)(rename(str(error)))
            except TypeError:  # an error class with other arguments keeps its message
                return error
        return renamed

    # --- inputs -------------------------------------------------------------------------------

    def stdin(self, table: str | None = None, stream: IO[bytes] | None = None) -> Path:
        """Copy standard input (or ``stream``) into a staged file named for its format:
        Parquet (``PAR1``), NDJSON (``{``), a zip (a platform export), else delimited text;
        gzip recognised."""
        if stream is None:
            if sys.stdin is None or sys.stdin.isatty():
                state = "closed" if sys.stdin is None else "a terminal"
                raise UsageError(
                    f"- reads a table from standard input, which is {state}: pipe one in, "
                    "e.g. cat follows.csv | graphkit rank --follows -"
                )
            stream = sys.stdin.buffer
        return self._stream(stream, table, STDIN_NAME)

    def pipe(self, path: str, table: str | None = None) -> Path:
        """Copy a pipe the shell opened (``--follows <(zcat follows.csv.gz)``) as
        :meth:`stdin` does."""
        try:
            with Path(path).open("rb") as stream:
                return self._stream(stream, table, path)
        except OSError as error:
            raise InputError(f"cannot read ({error.strerror or error})", path=path) from None

    def _stream(self, stream: IO[bytes], table: str | None, shown: str) -> Path:
        try:
            head = stream.read(_SNIFF)
        except OSError as error:
            raise InputError(f"cannot read ({error.strerror or error})", path=shown) from None
        name = (table or "stdin") + _suffix_from_content(head)
        target = self._new_folder() / name
        self._names[str(target)] = shown
        try:
            with target.open("wb") as output:
                output.write(head)
                self._copy(stream, output, shown, already=len(head))
        except OSError as error:  # the temporary folder's disk is full
            raise InputError(f"cannot stage it locally ({error.strerror})", path=shown) from None
        return target

    def fetch(self, uri: str, table: str | None = None) -> Path:
        """Stage the file, dataset folder or Parquet dataset at ``uri``; returns the staged
        file or folder."""
        kind = scheme(uri)
        if kind in ("http", "https"):
            return self._fetch_http(uri, table)
        filesystem, path = _filesystem(uri)
        shown = display(uri)
        info = _file_info(filesystem, path, shown)
        from pyarrow import fs

        if info.type == fs.FileType.File:
            target = self._new_folder() / _staged_name(PurePosixPath(path).name, table)
            self._names[str(target)] = shown
            self._reserve(info.size or 0, shown)
            self._download(filesystem, path, target, shown)
            if target.suffix.lower() not in (".gz", *_KNOWN_SUFFIXES):
                target = target.rename(target.with_name(target.name + _sniffed(target)))
                self._names[str(target)] = shown
            return target
        if info.type != fs.FileType.Directory:
            raise InputError("not found", path=shown)
        return self._fetch_folder(filesystem, path, shown, table)

    def _fetch_folder(self, filesystem: Any, path: str, shown: str, table: str | None) -> Path:
        from pyarrow import fs

        try:
            listing = filesystem.get_file_info(fs.FileSelector(path, recursive=True))
        except (OSError, pa.ArrowException) as error:
            raise InputError(f"cannot list ({_first_line(error)})", path=shown) from None
        files = {
            info.path[len(path.rstrip("/")) + 1 :]: info
            for info in listing
            if info.type == fs.FileType.File
        }
        # Spark and Hadoop leave _SUCCESS, _metadata and .crc files beside the data.
        files = {
            relative: info
            for relative, info in files.items()
            if not any(part.startswith(("_", ".")) for part in relative.split("/"))
        }
        groups: dict[str, list[Any]] = {}
        for relative, info in sorted(files.items()):
            first = relative.split("/", 1)[0]
            groups.setdefault(first, []).append(info)
        tables = {
            first: infos
            for first, infos in groups.items()
            if first.split(".", 1)[0].lower() in TABLES
        }
        folder = self._new_folder()
        self._names[str(folder)] = shown
        if table is None and tables:  # a dataset folder: one file or Parquet dataset per table
            self._reserve(sum(info.size or 0 for infos in tables.values() for info in infos), shown)
            for first, infos in tables.items():
                if len(infos) == 1 and infos[0].path.endswith("/" + first):
                    self._download(filesystem, infos[0].path, folder / first, shown)
                else:
                    name = first.split(".", 1)[0].lower() + ".parquet"
                    where = f"{shown.rstrip('/')}/{first}"
                    self._merge_parquet(filesystem, infos, f"{path}/{first}", folder / name, where)
                    self._names[str(folder / name)] = where
            return folder
        parts = list(files.values())
        if not parts:
            raise InputError("no files at this location", path=shown)
        self._reserve(sum(info.size or 0 for info in parts), shown)
        target = folder / _staged_name(PurePosixPath(path).name + ".parquet", table)
        self._names[str(target)] = shown
        self._merge_parquet(filesystem, parts, path, target, shown)
        return target

    def _merge_parquet(
        self, filesystem: Any, parts: list[Any], base: str, target: Path, shown: str
    ) -> None:
        """Write the Parquet files ``parts`` (Hive partitions as columns) into one file."""
        import pyarrow.dataset as ds
        import pyarrow.parquet as pq

        others = [info.path for info in parts if not info.path.lower().endswith(PARQUET_SUFFIXES)]
        if others:
            raise InputError(
                "a folder of several files is read as a Parquet dataset, and "
                f"{others[0][len(base) + 1 :]} is not a .parquet file",
                path=shown,
            )
        try:
            dataset = ds.dataset(
                sorted(info.path for info in parts),
                filesystem=filesystem,
                format="parquet",
                partitioning="hive",
                partition_base_dir=base,
            )
            # A dataset takes its columns from its first file: a column only later files
            # have (a weight) would be dropped without a word.
            first: Any = None
            for fragment in dataset.get_fragments():
                names = sorted(fragment.physical_schema.names)
                if first is None:
                    first = (fragment.path, names)
                elif names != first[1]:
                    raise InputError(
                        f"the files of a Parquet dataset must have the same columns: "
                        f"{fragment.path[len(base) + 1 :]} has {', '.join(names)}; "
                        f"{first[0][len(base) + 1 :]} has {', '.join(first[1])}",
                        path=shown,
                    )
            with pq.ParquetWriter(target, dataset.schema) as writer:
                for batch in dataset.to_batches():
                    writer.write_batch(batch)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            raise InputError(
                f"not a readable Parquet dataset ({_first_line(error)})", path=shown
            ) from None
        except (OSError, pa.ArrowException) as error:
            raise InputError(f"cannot read ({_first_line(error)})", path=shown) from None

    def _fetch_http(self, uri: str, table: str | None) -> Path:
        shown = display(uri)
        try:
            request = _http_request(uri)
        except ValueError as error:
            raise InputError(f"not a valid URL ({_first_line(error)})", path=shown) from None
        name = PurePosixPath(urllib.parse.unquote(urllib.parse.urlsplit(uri).path)).name
        if not name:
            raise InputError(
                "an http(s) URL names one table file; give each table with its own option "
                "(--follows URL --accounts URL)",
                path=shown,
            )
        target = self._new_folder() / _staged_name(name, table)
        self._names[str(target)] = shown
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
                length = response.headers.get("Content-Length")
                expected = int(length) if length is not None and length.isdigit() else None
                if expected is not None:
                    self._reserve(expected, shown)
                before = self._staged
                with target.open("wb") as output:
                    self._copy(response, output, shown)
                # http.client ends a read early, without an error, when the server closes the
                # connection: a truncated table must not pass for the whole one.
                if expected is not None and self._staged - before != expected:
                    raise InputError(
                        f"the server sent {self._staged - before:,} of {expected:,} bytes "
                        "(connection closed early)",
                        path=shown,
                    )
        except urllib.error.HTTPError as error:
            raise InputError(f"HTTP error {error.code} ({error.reason})", path=shown) from None
        except urllib.error.URLError as error:
            raise InputError(f"cannot connect ({error.reason})", path=shown) from None
        except (TimeoutError, ConnectionError, http.client.HTTPException) as error:
            raise InputError(f"cannot read ({_first_line(error)})", path=shown) from None
        except ValueError as error:  # http.client.InvalidURL: a bad port, control characters
            raise InputError(f"not a valid URL ({_first_line(error)})", path=shown) from None
        if target.suffix.lower() not in (".gz", *_KNOWN_SUFFIXES):
            target = target.rename(target.with_name(target.name + _sniffed(target)))
            self._names[str(target)] = shown
        return target

    # --- plumbing -----------------------------------------------------------------------------

    def _new_folder(self) -> Path:
        try:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="graphkit-staged-"))
            self._folders += 1
            folder = self._folder / str(self._folders)
            folder.mkdir()
        except OSError as error:
            raise InputError(
                f"cannot create a temporary folder ({error.strerror or error}); set TMPDIR to "
                "a folder graphkit can write",
                path=tempfile.gettempdir(),
            ) from None
        return folder

    def _budget(self) -> int:
        if self._limit is not None:
            return self._limit
        assert self._folder is not None
        return max(shutil.disk_usage(self._folder).free - _RESERVE, 0) + self._staged

    def _reserve(self, size: int, shown: str) -> None:
        """Refuse ``size`` more bytes before copying them when they would not fit."""
        if self._staged + size > self._budget():
            raise InputError(self._too_large(), path=shown)

    def _too_large(self) -> str:
        from graphkit.io.files import size_text

        return (
            f"larger than the {size_text(self._budget())} free to stage it locally; set TMPDIR "
            "to a folder on a larger disk"
        )

    def _copy(self, source: Any, output: IO[bytes], shown: str, already: int = 0) -> None:
        budget = self._budget()
        copied = already
        if self._staged + copied > budget:
            raise InputError(self._too_large(), path=shown)
        while True:
            try:
                chunk = source.read(_CHUNK)
            except (OSError, pa.ArrowException) as error:
                raise InputError(f"cannot read ({_first_line(error)})", path=shown) from None
            if not chunk:
                break
            copied += len(chunk)
            if self._staged + copied > budget:
                raise InputError(self._too_large(), path=shown)
            try:
                output.write(chunk)
            except OSError as error:
                raise InputError(
                    f"cannot stage it locally ({error.strerror})", path=shown
                ) from None
        self._staged += copied

    def _download(self, filesystem: Any, path: str, target: Path, shown: str) -> None:
        try:
            # compression=None: a .gz object is staged as it is (the reader unzips it).
            with (
                filesystem.open_input_stream(path, compression=None) as source,
                target.open("wb") as output,
            ):
                self._copy(source, output, shown)
        except (OSError, pa.ArrowException) as error:
            raise InputError(f"cannot read ({_first_line(error)})", path=shown) from None


@contextlib.contextmanager
def uploaded(uri: str) -> Iterator[Path]:
    """Yield a local path to write ``uri``'s content (and any files beside it, such as a
    manifest) to; on success every file written there is uploaded beside ``uri``."""
    if scheme(uri) in ("http", "https"):
        raise UsageError(f"{display(uri)}: graphkit does not write to http(s) URLs")
    if uri.endswith("/"):
        raise UsageError(f"{display(uri)}: -o names a file, not a folder")
    filesystem, path = _filesystem(uri)
    if "/" not in path.strip("/"):
        raise UsageError(f"{display(uri)}: -o names a file in the bucket or container")
    folder = Path(tempfile.mkdtemp(prefix="graphkit-upload-"))
    try:
        yield folder / PurePosixPath(path).name
        parent = str(PurePosixPath(path).parent)
        for written in sorted(folder.iterdir()):
            try:
                with (
                    written.open("rb") as source,
                    filesystem.open_output_stream(f"{parent}/{written.name}") as output,
                ):
                    shutil.copyfileobj(source, output, _CHUNK)
            except (OSError, pa.ArrowException) as error:
                raise InputError(
                    f"cannot write ({_first_line(error)})", path=display(uri)
                ) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_not_remote_input(output: str, inputs: Iterable[object]) -> None:
    """Raise InputError when the URI ``output`` would replace an input: the same object, or
    a table file of an input dataset folder (``inputs`` may hold anything; URIs count)."""
    target = _canonical(output)
    stem = target.rsplit("/", 1)[-1].split(".", 1)[0].lower()
    for value in inputs:
        for item in value if isinstance(value, tuple | list) else [value]:
            if not (isinstance(item, str) and is_remote(item)):
                continue
            source = _canonical(item)
            if target == source or (target.startswith(source + "/") and stem in TABLES):
                raise InputError(
                    "is also an input of this command; write the output elsewhere",
                    path=display(output),
                )


def _canonical(uri: str) -> str:
    """``uri`` as the object it names, to compare locations: one scheme for each store
    (``s3a://`` is ``s3://``), no query string, no trailing slash.

    >>> _canonical("S3A://bucket/data/?region=eu-west-1")
    's3://bucket/data'
    """
    kind = scheme(uri)
    assert kind is not None
    store = {"abfss": "abfs", "https": "http"}.get(
        _SCHEMES.get(kind, kind), _SCHEMES.get(kind, kind)
    )
    rest = uri[len(kind) + 3 :].split("?", 1)[0].split("#", 1)[0]
    return f"{store}://{rest}".rstrip("/")


def _filesystem(uri: str) -> tuple[Any, str]:
    """The pyarrow file system of ``uri`` and the path in it."""
    from pyarrow import fs

    kind = scheme(uri)
    assert kind is not None
    # pyarrow takes URIs percent-encoded; people write keys as they are (dätä/follows.csv).
    head, _, rest = uri[len(kind) + 3 :].partition("/")
    key, question, query = rest.partition("?")
    if _SCHEMES[kind] == "gs" and "retry_limit_seconds=" not in query:
        # Without credentials, Google's client retries for 15 minutes before it says so.
        query = "&".join(filter(None, (query, f"retry_limit_seconds={_GCS_RETRY_S}")))
        question = "?"
    normalized = f"{_SCHEMES[kind]}://{head}/{urllib.parse.quote(key)}{question}{query}"
    try:
        found: tuple[Any, str] = fs.FileSystem.from_uri(normalized)
        return found
    except (pa.ArrowInvalid, ValueError, OSError) as error:
        raise InputError(f"cannot open ({_first_line(error)})", path=display(uri)) from None


def _http_request(uri: str) -> urllib.request.Request:
    """A GET request for ``uri``; a user and password in it are sent as HTTP basic
    authentication, to this host only (not to one it redirects to)."""
    parts = urllib.parse.urlsplit(uri)
    headers = {"User-Agent": "graphkit"}
    credentials = None
    if parts.username is not None or parts.password is not None:
        user = urllib.parse.unquote(parts.username or "")
        password = urllib.parse.unquote(parts.password or "")
        credentials = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        host = parts.netloc.rpartition("@")[2]
        uri = urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
    request = urllib.request.Request(uri, headers=headers)
    if credentials is not None:
        request.add_unredirected_header("Authorization", f"Basic {credentials}")
    return request


def _file_info(filesystem: Any, path: str, shown: str) -> Any:
    try:
        return filesystem.get_file_info(path)
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot read ({_first_line(error)})", path=shown) from None


def _staged_name(name: str, table: str | None) -> str:
    """The staged file's name: the table's name (for ``--follows URI``) with the original
    suffix, so the reader takes it for that table's format."""
    if table is None:
        return name or "input"
    lower = name.lower()
    suffix = next(
        (s + ".gz" for s in _KNOWN_SUFFIXES if lower.endswith(s + ".gz")),
        next((s for s in _KNOWN_SUFFIXES if lower.endswith(s)), ""),
    )
    return table + suffix


def _sniffed(path: Path) -> str:
    with path.open("rb") as handle:
        return _suffix_from_content(handle.read(_SNIFF))


def _suffix_from_content(head: bytes) -> str:
    """The suffix of a table from its first bytes: ``.parquet``, ``.ndjson`` or ``.csv``,
    with ``.gz`` for gzip.

    >>> _suffix_from_content(b"PAR1..."), _suffix_from_content(b'  {"follower": "a"}')
    ('.parquet', '.ndjson')
    >>> _suffix_from_content(b"a b\\n")
    '.csv'
    """
    gzipped = head[:2] == b"\x1f\x8b"
    if gzipped:
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 4096)
        except zlib.error:  # the reader names a corrupt file
            head = b""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"PAR1"):
        suffix = ".parquet"
    elif head.startswith(b"PK\x03\x04") and not gzipped:  # a platform export
        return ".zip"
    elif text.startswith(b"{"):
        suffix = ".ndjson"
    else:
        suffix = ".csv"
    return suffix + (".gz" if gzipped else "")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
