"""What the public functions accept as audience selectors and lists of ids, names or topics:
one text, or a sequence of texts, checked once here.

Account ids are text everywhere in graphkit (``"01"`` and ``"1"`` are two accounts), so a
number given as an id or a selector is refused rather than turned into text.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping
from typing import Final

import pyarrow as pa

from graphkit.errors import ParameterError, quoted

SELECTORS: Final = "text selectors (a file of ids, FIELD=VALUE or FIELD~REGEX)"
ACCOUNT_IDS: Final = "account ids (text)"
ACCOUNT_ID: Final = "an account id (text)"


def text_items(value: object, name: str, expected: str, *, paths: bool = False) -> list[str]:
    """The texts of ``value``: ``[value]`` for one text (or path, with ``paths`` or for
    selectors, which may name a file of ids), the items of a sequence of them (an Arrow
    array or scalar too), ``[]`` for ``None`` or an empty sequence.

    Raises
    ------
    ParameterError
        Naming ``name`` and the first item that is not a text (nor a path, with ``paths``).

    Examples
    --------
    >>> text_items("title~CTO", "audience", SELECTORS)
    ['title~CTO']
    >>> text_items(("a", "b"), "seeds", ACCOUNT_IDS)
    ['a', 'b']
    >>> try:
    ...     text_items(["a", 1], "seeds", ACCOUNT_IDS)
    ... except ParameterError as error:
    ...     print(error)
    seeds: expected account ids (text), got 1 (int): ids are text, write '1'
    """
    if value is None:
        return []
    paths = paths or expected == SELECTORS  # a selector may be a file of ids
    if isinstance(value, pa.Array | pa.ChunkedArray | pa.Scalar):
        value = value.to_pylist() if not isinstance(value, pa.Scalar) else value.as_py()
    single = isinstance(value, str) or (paths and isinstance(value, os.PathLike))
    if single or isinstance(value, bytes | Mapping) or not isinstance(value, Iterable):
        items: Iterable[object] = [value]
    else:
        items = value
    texts = []
    for item in items:
        if isinstance(item, pa.Scalar):  # an item of an Arrow array iterated over
            item = item.as_py()
        if isinstance(item, str):
            texts.append(item)
        elif paths and isinstance(item, os.PathLike) and isinstance(os.fspath(item), str):
            texts.append(os.fspath(item))
        else:
            raise _refused(item, name, expected)
    return texts


def text_item(value: object, name: str, expected: str) -> str:
    """``value``, one text.

    Raises
    ------
    ParameterError
        Naming ``name`` and ``value`` when it is not a text.
    """
    if not isinstance(value, str):
        raise _refused(value, name, expected)
    return value


def _refused(item: object, name: str, expected: str) -> ParameterError:
    hint = ""
    if isinstance(item, numbers.Real) and not isinstance(item, bool) and math.isfinite(item):
        text = f"id={item}" if expected == SELECTORS else str(item)
        hint = f": ids are text, write {quoted(text)}"
    kind = type(item).__name__
    shown = " ".join(quoted(item).split())  # one line: a Series' repr has several
    return ParameterError(f"{name}: expected {expected}, got {shown} ({kind}){hint}")
