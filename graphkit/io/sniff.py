"""How a delimited text file is written: its delimiter, sniffed from its first lines with quoting
respected, and its encoding, UTF-8 unless the user names another or a UTF-16 byte-order mark
says so. Files in another encoding are read through :class:`Utf8Reader`, which decodes them as
they are read (never altering a character: undecodable bytes are an error).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import BinaryIO, Final

# Delimiters tried, in the order that breaks ties; a space only when none of them splits.
CANDIDATES: Final = ("\t", ",", ";", "|")
DELIMITER_NAMES: Final = {"tab": "\t", ",": ",", ";": ";", "|": "|", "space": " "}
_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Codecs Python calls text encodings that no file is written in: they rewrite what they read
# (backslash escapes, domain labels) or refuse everything.
_NOT_FILE_ENCODINGS: Final = frozenset(
    ("unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined")
)


@dataclass(frozen=True)
class TextFormat:
    """How delimited files are read: ``delimiter`` (``None``: sniffed) and ``encoding`` (a
    Python codec name; ``None``: UTF-8, or UTF-16 where the file starts with its BOM)."""

    delimiter: str | None = None
    encoding: str | None = None


_TEXT_FORMAT: ContextVar[TextFormat | None] = ContextVar("graphkit_text_format", default=None)


def current() -> TextFormat:
    """The text format files are read with now (see :func:`reading_as`)."""
    return _TEXT_FORMAT.get() or TextFormat()


@contextlib.contextmanager
def reading_as(text_format: TextFormat) -> Iterator[None]:
    """Read delimited files with ``text_format`` inside the block."""
    token = _TEXT_FORMAT.set(text_format)
    try:
        yield
    finally:
        _TEXT_FORMAT.reset(token)


def delimiter_option(value: str) -> str:
    """The delimiter a ``--delimiter`` value names: ``,`` ``;`` ``|`` ``tab`` or ``space``.

    Raises
    ------
    ValueError
        For anything else.
    """
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not one of , ; | tab space")
    text = value if value in ("\t", " ") else value.strip().lower()
    if text in ("\t", "\\t"):
        return "\t"
    if text == " ":
        return " "
    if text not in DELIMITER_NAMES:
        raise ValueError(f"{value!r} is not one of , ; | tab space")
    return DELIMITER_NAMES[text]


def encoding_option(value: str) -> str:
    """The codec name of an ``--encoding`` value (``cp1252``, ``latin-1``, ``utf-16``...).

    Raises
    ------
    ValueError
        For a name Python does not know, or a codec that is not a text encoding.
    """
    try:
        if not isinstance(value, str):
            raise LookupError(value)
        info = codecs.lookup(value.strip())
    except LookupError:
        raise ValueError(f"unknown encoding {value!r} (e.g. utf-8, cp1252, utf-16)") from None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FILE_ENCODINGS:
        raise ValueError(f"{value!r} is not a text encoding")
    return info.name


def sniff_delimiter(lines: list[str], *, complete: bool) -> str:
    """The delimiter of a file whose first lines are ``lines``.

    Each candidate (tab, comma, semicolon, pipe) splits every line as the csv module does,
    quotes respected; the winner gives the first line more than one field and the most later
    lines the same number of fields, then the most fields, then the order above. When none
    splits the first line, a space (a header-less edge list). ``complete`` says whether
    ``lines`` reach the end of the file; if not, the last line may be cut short and is left
    out.

    >>> sniff_delimiter(['"name, full";id', '"Doe, J";1'], complete=True)
    ';'
    >>> sniff_delimiter(["a b", "c d"], complete=True)
    ' '
    """
    sample = [line for line in lines if line.strip() and not line.startswith("#")]
    if not complete and len(sample) > 1:
        sample = sample[:-1]
    if not sample:
        return ","
    best: tuple[int, int, int] | None = None
    chosen = " "
    for order, candidate in enumerate(CANDIDATES):
        counts = [len(fields) for fields in _split(sample, candidate)]
        if not counts or counts[0] < 2:
            continue
        agreeing = sum(count == counts[0] for count in counts)
        score = (agreeing, counts[0], -order)
        if best is None or score > best:
            best, chosen = score, candidate
    return chosen


def _split(lines: list[str], delimiter: str) -> list[list[str]]:
    try:
        return [next(csv.reader([line], delimiter=delimiter), []) for line in lines]
    except csv.Error:
        return []


def describe(delimiter: str, encoding: str | None) -> str:
    """``read as ';'-separated UTF-8``: how a file was read, for error messages."""
    name = {"\t": "tab", " ": "space"}.get(delimiter, repr(delimiter))
    return f"read as {name}-separated {display_encoding(encoding)}"


def display_encoding(encoding: str | None) -> str:
    """``UTF-8``, ``UTF-16``, ``cp1252``...: an encoding's name as people write it."""
    name = codecs.lookup(encoding or "utf-8").name
    return name.upper() if name.startswith("utf") else name


def bom_encoding(head: bytes) -> str | None:
    """``utf-16`` for a file starting with a UTF-16 byte-order mark, else ``None``."""
    return "utf-16" if head.startswith(_UTF16_BOMS) else None


class UndecodableText(ValueError):
    """Bytes a file's encoding cannot decode, at ``offset`` bytes into the (decompressed) file."""

    def __init__(self, encoding: str, undecodable: bytes, offset: int, reason: str) -> None:
        shown = f": {undecodable!r}" if undecodable else ""
        super().__init__(
            f"not {display_encoding(encoding)} text{shown} at byte {offset:,} ({reason})"
        )


class Utf8Reader(io.RawIOBase):
    """The bytes of ``raw`` (in ``encoding``) as UTF-8, decoded as they are read.

    Bytes ``encoding`` cannot decode raise :class:`UndecodableText` with their offset in the
    file; nothing is replaced.
    """

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        super().__init__()
        self.raw = raw
        self.encoding = encoding
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self.pending = b""
        self.offset = 0  # bytes of ``raw`` decoded so far
        self.finished = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self.pending and not self.finished:
            chunk = self.raw.read(1 << 20)
            self.finished = not chunk
            start = self.offset - len(self.decoder.getstate()[0])  # where error offsets count
            try:
                text = self.decoder.decode(chunk, final=self.finished)
            except UnicodeDecodeError as error:
                raise UndecodableText(
                    self.encoding, error.object[error.start : error.end],
                    start + error.start, error.reason,
                ) from None  # fmt: skip
            except UnicodeError as error:  # a decoder's own check (UTF-16 without its BOM)
                raise UndecodableText(self.encoding, b"", start, str(error)) from None
            self.offset += len(chunk)
            self.pending = text.encode("utf-8")
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

    def close(self) -> None:
        self.raw.close()
        super().close()


def utf8_stream(raw: BinaryIO, encoding: str) -> BinaryIO:
    """``raw`` read as UTF-8 through :class:`Utf8Reader`, buffered."""
    return io.BufferedReader(Utf8Reader(raw, encoding), buffer_size=1 << 20)
