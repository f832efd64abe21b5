"""Reading, validating and writing graphkit's tables."""

from graphkit.io.graphfiles import GRAPH_FORMATS, graph_format_for, write_graph
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
from graphkit.io.writers import (
    PendingFile,
    atomic_path,
    format_for,
    write_dataset,
    write_frame,
)

__all__ = [
    "ACCOUNTS",
    "DEFAULT_TYPE_WEIGHTS",
    "FOLLOWS",
    "GRAPH_FORMATS",
    "IDENTITIES",
    "INTERACTIONS",
    "TABLES",
    "Dataset",
    "PendingFile",
    "TableSpec",
    "atomic_path",
    "find_tables",
    "format_for",
    "graph_format_for",
    "load_dataset",
    "read_table",
    "write_dataset",
    "write_frame",
    "write_graph",
]
