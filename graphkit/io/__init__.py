"""Reading, validating and writing graphkit's tables."""

from graphkit.io.readers import Dataset, find_tables, load_dataset, read_table
from graphkit.io.schema import (
    ACCOUNTS,
    DEFAULT_TYPE_WEIGHTS,
    FOLLOWS,
    IDENTITIES,
    INTERACTIONS,
    TABLES,
    TableSpec,
)
from graphkit.io.writers import atomic_path, format_for, write_dataset, write_frame

__all__ = [
    "ACCOUNTS",
    "DEFAULT_TYPE_WEIGHTS",
    "FOLLOWS",
    "IDENTITIES",
    "INTERACTIONS",
    "TABLES",
    "Dataset",
    "TableSpec",
    "atomic_path",
    "find_tables",
    "format_for",
    "load_dataset",
    "read_table",
    "write_dataset",
    "write_frame",
]
