"""The canonical tables graphkit reads, their Arrow schemas and the column aliases accepted.

This module owns the schemas: readers rename columns to the canonical names given here and
cast them to the types given here, and every later layer relies on those names and types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np
import pyarrow as pa

TIMESTAMP_TYPE: Final = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    """What one canonical table holds.

    Attributes
    ----------
    name
        The table's name, which is also the stem of its file in a dataset folder.
    required
        Columns that must be present, in canonical order.
    types
        Arrow type of every known column (required and optional); other columns pass through
        as they were read.
    aliases
        Lower-case column names accepted for each canonical column.
    id_columns
        Columns holding account ids: read as strings, never empty.
    """

    name: str
    required: tuple[str, ...]
    types: MappingProxyType[str, pa.DataType]
    aliases: MappingProxyType[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    id_columns: tuple[str, ...] = ()

    def canonical_name(self, column: str) -> str | None:
        """Return the canonical name a file's column maps to, or None when it is not known."""
        key = column.strip().lower()
        for canonical, names in self.aliases.items():
            if key == canonical or key in names:
                return canonical
        return key if key in self.types else None


ACCOUNTS: Final = TableSpec(
    name="accounts",
    required=("id",),
    types=MappingProxyType(
        {
            "id": pa.string(),
            "handle": pa.string(),
            "name": pa.string(),
            "kind": pa.string(),
            "organization": pa.string(),
            "title": pa.string(),
            "platform": pa.string(),
            "topics": pa.list_(pa.string()),
            "followers_count": pa.int64(),
            "email": pa.string(),
            "url": pa.string(),
        }
    ),
    aliases=MappingProxyType(
        {
            "id": ("account", "account_id", "user_id", "node", "node_id"),
            "handle": ("username", "screen_name", "user_name"),
            "name": ("display_name", "full_name"),
            "organization": ("org", "company", "employer"),
            "title": ("job_title", "position", "role"),
            "followers_count": ("followers", "follower_count", "num_followers"),
        }
    ),
    id_columns=("id",),
)

FOLLOWS: Final = TableSpec(
    name="follows",
    required=("follower", "followed"),
    types=MappingProxyType(
        {
            "follower": pa.string(),
            "followed": pa.string(),
            "platform": pa.string(),
            "since": TIMESTAMP_TYPE,
            "weight": pa.float64(),
        }
    ),
    aliases=MappingProxyType(
        {
            "follower": ("src", "source", "from", "follower_id", "source_id", "user"),
            "followed": ("dst", "target", "to", "followed_id", "target_id", "followee"),
        }
    ),
    id_columns=("follower", "followed"),
)

INTERACTIONS: Final = TableSpec(
    name="interactions",
    required=("source", "target", "type"),
    types=MappingProxyType(
        {
            "source": pa.string(),
            "target": pa.string(),
            "type": pa.string(),
            "timestamp": TIMESTAMP_TYPE,
            "weight": pa.float64(),
            "topics": pa.list_(pa.string()),
        }
    ),
    aliases=MappingProxyType(
        {
            "source": ("src", "from", "source_id", "actor", "user"),
            "target": ("dst", "to", "target_id"),
            "type": ("interaction", "interaction_type", "kind", "action"),
            "timestamp": ("time", "ts", "created_at", "date", "datetime"),
        }
    ),
    id_columns=("source", "target"),
)

IDENTITIES: Final = TableSpec(
    name="identities",
    required=("account", "person"),
    types=MappingProxyType({"account": pa.string(), "person": pa.string()}),
    aliases=MappingProxyType(
        {"account": ("account_id", "id"), "person": ("person_id", "identity", "canonical")}
    ),
    id_columns=("account", "person"),
)

TABLES: Final = MappingProxyType(
    {spec.name: spec for spec in (ACCOUNTS, FOLLOWS, INTERACTIONS, IDENTITIES)}
)

ACCOUNT_KINDS: Final = ("person", "brand")

# Default weight of one record of each relation, before time decay.
DEFAULT_TYPE_WEIGHTS: Final = MappingProxyType(
    {
        "follow": 1.0,
        "repost": 3.0,
        "quote": 3.0,
        "reply": 2.0,
        "comment": 2.0,
        "mention": 1.0,
        "like": 0.5,
    }
)

# Names platforms use for the same interaction types (Twitter's RT/MT/RE among them).
TYPE_ALIASES: Final = MappingProxyType(
    {
        "rt": "repost",
        "retweet": "repost",
        "reblog": "repost",
        "boost": "repost",
        "share": "repost",
        "qt": "quote",
        "re": "reply",
        "mt": "mention",
        "favorite": "like",
        "favourite": "like",
        "fav": "like",
        "reaction": "like",
    }
)


def integer_array(values: np.ndarray) -> pa.Array:
    """An Arrow array over a numpy integer array's memory, without copying.

    ``pa.array`` on numpy input imports pandas to look for pandas types (0.3-0.4 s of start-up
    where pandas is installed); building the array from the buffer does not.
    """
    values = np.ascontiguousarray(values)
    if values.dtype.kind not in "iu":
        raise TypeError(f"integer_array needs integers, got {values.dtype}")
    buffers = [None, pa.py_buffer(values)]
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), buffers)


def string_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (``len(chunk) + 1`` of them, from the array's own offset) and the bytes of
    a ``string`` or ``large_string`` array, over its Arrow buffers without copying: string
    ``i`` is ``data[offsets[i]:offsets[i + 1]]``."""
    _, offsets_buffer, data_buffer = chunk.buffers()
    offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets: np.ndarray = np.frombuffer(offsets_buffer, dtype=offset_type)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else None
    return offsets, np.empty(0, dtype=np.uint8) if data is None else data
