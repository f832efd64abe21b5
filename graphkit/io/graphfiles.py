"""Graph files for Gephi and other graph tools: GEXF 1.2 and GraphML, written atomically.

Both take a node table (an ``id`` column, then attributes) and an edge table (``source``,
``target``, then attributes, ``weight`` among them) and write every attribute with its type
(integers as ``long``, floats as ``double``, booleans, text; other types as text). Null values
are left out of a node or edge. The XML is built column-wise by polars, so a graph of
millions of edges is written at the speed of the disk rather than of a Python loop.

References: GEXF 1.2 (https://gexf.net/schema.html, the version Gephi and networkx read),
GraphML (http://graphml.graphdrawing.org/specification.html).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final

import polars as pl

from graphkit._version import __version__
from graphkit.errors import InputError
from graphkit.io.writers import atomic_path

GRAPH_FORMATS: Final = {".gexf": "gexf", ".graphml": "graphml"}
_CHUNK: Final = 100_000
# Characters XML 1.0 cannot hold at all, not even as references: written out as \xNN or
# \uNNNN, so that two ids that differ only in them stay two nodes. Tab, CR and LF are kept
# as character references so that parsers give them back unchanged (attribute values are
# otherwise normalised to spaces and CRs to LFs).
_FORBIDDEN: Final = (
    *(chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"),
    "\ufffe",
    "\uffff",
)
_INVALID_XML: Final = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_ESCAPES: Final = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\t", "&#9;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
)


def graph_format_for(path: str | Path) -> str | None:
    """``gexf`` or ``graphml`` for a graph file's suffix, else ``None``."""
    return GRAPH_FORMATS.get(Path(path).suffix.lower())


def write_graph(
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    path: str | Path,
    *,
    label: str | None = None,
    description: str = "",
) -> Path:
    """Write a directed graph as GEXF or GraphML, following the suffix of ``path``.

    Parameters
    ----------
    nodes
        ``id`` (unique) and attribute columns.
    edges
        ``source`` and ``target`` (node ids) and attribute columns; ``weight`` becomes the
        GEXF edge weight.
    path
        ``.gexf`` or ``.graphml`` file.
    label
        Node column shown as the label in GEXF (default: the id).
    description
        Text for the file's metadata.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        For another suffix, or when ``id``, ``source`` or ``target`` is missing.

    Examples
    --------
    >>> import networkx as nx, tempfile
    >>> nodes = pl.DataFrame({"id": ["a", "b"], "score": [1.5, None]})
    >>> edges = pl.DataFrame({"source": ["a"], "target": ["b"], "weight": [2.0]})
    >>> folder = Path(tempfile.mkdtemp())
    >>> graph = nx.read_graphml(write_graph(nodes, edges, folder / "g.graphml"))
    >>> dict(graph.nodes(data=True)), list(graph.edges(data=True))
    ({'a': {'score': 1.5}, 'b': {}}, [('a', 'b', {'weight': 2.0})])
    """
    chosen = graph_format_for(path)
    if chosen is None:
        raise InputError("graph files end in .gexf or .graphml", path=path)
    for table, needed in ((nodes, ("id",)), (edges, ("source", "target"))):
        missing = [name for name in needed if name not in table.columns]
        if missing:
            raise InputError(f"the graph table lacks the column {missing[0]!r}", path=path)
    written_ids = nodes.select(_without_forbidden(pl.col("id").cast(pl.String)).alias("id"))
    duplicated = written_ids.filter(pl.col("id").is_duplicated())
    if duplicated.height:
        raise InputError(
            f"the node id {duplicated['id'][0]!r} would stand for {duplicated.height} accounts "
            "once the characters XML cannot hold are written out; Gephi files need unique ids",
            path=path,
        )
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8") as handle:
        if chosen == "gexf":
            _write_gexf(handle, nodes, edges, label, description)
        else:
            _write_graphml(handle, nodes, edges, description)
    return Path(path)


def _escaped(expression: pl.Expr) -> pl.Expr:
    text = _without_forbidden(expression.cast(pl.String))
    for character, reference in _ESCAPES:
        text = text.str.replace_all(character, reference, literal=True)
    return text


def _without_forbidden(text: pl.Expr) -> pl.Expr:
    """``text`` with the characters XML 1.0 forbids written out (``a\x01`` -> ``a\\x01``)."""
    written = text
    for character in _FORBIDDEN:
        written = written.str.replace_all(character, ascii(character)[1:-1], literal=True)
    return pl.when(text.str.contains(_INVALID_XML)).then(written).otherwise(text)


def _text(value: str) -> str:
    result: str = pl.select(_escaped(pl.lit(value))).item()
    return result


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    """A column's values as the text of an XML attribute of its type."""
    expression = pl.col(column)
    if isinstance(dtype, pl.List):
        expression = expression.list.eval(pl.element().cast(pl.String)).list.join(";")
    elif dtype == pl.Boolean:
        expression = pl.when(expression).then(pl.lit("true")).otherwise(pl.lit("false"))
    elif dtype.is_float():
        expression = pl.when(expression.is_nan()).then(None).otherwise(expression)
    return _escaped(expression)


def _kind(dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "long"
    if dtype.is_float():
        return "double"
    if dtype == pl.Boolean:
        return "boolean"
    return "string"


def _lines(frame: pl.DataFrame, line: pl.Expr) -> Iterator[str]:
    for offset in range(0, frame.height, _CHUNK):
        chunk = frame.slice(offset, _CHUNK).select(line.alias("line"))["line"]
        yield "\n".join(chunk.to_list()) + "\n"


def _gexf_attvalues(frame: pl.DataFrame, columns: list[str]) -> pl.Expr:
    pieces = [
        pl.when(pl.col(name).is_null())
        .then(pl.lit(""))
        .otherwise(
            pl.concat_str(
                pl.lit(f'<attvalue for="{index}" value="'),
                _as_text(name, frame.schema[name]),
                pl.lit('"/>'),
            )
        )
        .fill_null("")
        for index, name in enumerate(columns)
    ]
    if not pieces:
        return pl.lit("")
    values = pl.concat_str(pieces)
    return (
        pl.when(values == "")
        .then(pl.lit(""))
        .otherwise(pl.concat_str(pl.lit("<attvalues>"), values, pl.lit("</attvalues>")))
    )


def _gexf_declarations(frame: pl.DataFrame, columns: list[str], kind: str) -> str:
    lines = [f'    <attributes class="{kind}">']
    lines += [
        f'      <attribute id="{index}" title="{_text(name)}" type="{_kind(frame.schema[name])}"/>'
        for index, name in enumerate(columns)
    ]
    return "\n".join([*lines, "    </attributes>"]) + "\n"


def _write_gexf(
    handle: IO[str],
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    label: str | None,
    description: str,
) -> None:
    node_columns = [name for name in nodes.columns if name != "id"]
    edge_columns = [name for name in edges.columns if name not in ("source", "target")]
    edge_attributes = [name for name in edge_columns if name != "weight"]
    handle.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
        f"  <meta><creator>graphkit {__version__}</creator>"
        f"<description>{_text(description)}</description></meta>\n"
        '  <graph mode="static" defaultedgetype="directed">\n'
    )
    handle.write(_gexf_declarations(nodes, node_columns, "node"))
    handle.write(_gexf_declarations(edges, edge_attributes, "edge"))
    shown = pl.col("id").cast(pl.String)
    if label is not None and label in nodes.columns:
        shown = pl.coalesce(pl.col(label).cast(pl.String), shown)
    label_text = _escaped(shown)
    node_line = pl.concat_str(
        pl.lit('      <node id="'),
        _escaped(pl.col("id")),
        pl.lit('" label="'),
        label_text,
        pl.lit('">'),
        _gexf_attvalues(nodes, node_columns),
        pl.lit("</node>"),
    )
    handle.write("    <nodes>\n")
    handle.writelines(_lines(nodes, node_line))
    handle.write("    </nodes>\n    <edges>\n")
    weight = (
        pl.when(pl.col("weight").is_null())
        .then(pl.lit(""))
        .otherwise(
            pl.concat_str(
                pl.lit(' weight="'), _as_text("weight", edges.schema["weight"]), pl.lit('"')
            )
        )
        if "weight" in edges.columns
        else pl.lit("")
    )
    edge_line = pl.concat_str(
        pl.lit('      <edge id="'),
        pl.col("_edge_id").cast(pl.String),
        pl.lit('" source="'),
        _escaped(pl.col("source")),
        pl.lit('" target="'),
        _escaped(pl.col("target")),
        pl.lit('"'),
        weight,
        pl.lit(">"),
        _gexf_attvalues(edges, edge_attributes),
        pl.lit("</edge>"),
    )
    handle.writelines(_lines(edges.with_row_index("_edge_id"), edge_line))
    handle.write("    </edges>\n  </graph>\n</gexf>\n")


def _graphml_data(frame: pl.DataFrame, columns: list[str], prefix: str) -> pl.Expr:
    pieces = [
        pl.when(pl.col(name).is_null())
        .then(pl.lit(""))
        .otherwise(
            pl.concat_str(
                pl.lit(f'<data key="{prefix}{index}">'),
                _as_text(name, frame.schema[name]),
                pl.lit("</data>"),
            )
        )
        .fill_null("")
        for index, name in enumerate(columns)
    ]
    return pl.concat_str(pieces) if pieces else pl.lit("")


def _write_graphml(
    handle: IO[str], nodes: pl.DataFrame, edges: pl.DataFrame, description: str
) -> None:
    node_columns = [name for name in nodes.columns if name != "id"]
    edge_columns = [name for name in edges.columns if name not in ("source", "target")]
    handle.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        f"  <desc>graphkit {__version__}: {_text(description)}</desc>\n"
    )
    for frame, columns, kind, prefix in (
        (nodes, node_columns, "node", "n"),
        (edges, edge_columns, "edge", "e"),
    ):
        handle.writelines(
            f'  <key id="{prefix}{index}" for="{kind}" attr.name="{_text(name)}" '
            f'attr.type="{_kind(frame.schema[name])}"/>\n'
            for index, name in enumerate(columns)
        )
    handle.write('  <graph id="G" edgedefault="directed">\n')
    node_line = pl.concat_str(
        pl.lit('    <node id="'),
        _escaped(pl.col("id")),
        pl.lit('">'),
        _graphml_data(nodes, node_columns, "n"),
        pl.lit("</node>"),
    )
    handle.writelines(_lines(nodes, node_line))
    edge_line = pl.concat_str(
        pl.lit('    <edge source="'),
        _escaped(pl.col("source")),
        pl.lit('" target="'),
        _escaped(pl.col("target")),
        pl.lit('">'),
        _graphml_data(edges, edge_columns, "e"),
        pl.lit("</edge>"),
    )
    handle.writelines(_lines(edges, edge_line))
    handle.write("  </graph>\n</graphml>\n")
