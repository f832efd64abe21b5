"""Graph files for Gephi and other graph tools: GEXF 1.3 and GraphML, written atomically.

Both take a node table (an ``id`` column, then attributes) and an edge table (``source``,
``target``, then attributes, ``weight`` among them) and write every attribute with its type
(integers as ``long``, floats as ``double``, booleans, text; other types as text). Null values
are left out of a node or edge. The XML is built column-wise by polars, so a graph of
millions of edges is written at the speed of the disk rather than of a Python loop.

Node columns named as the drawing (:class:`Drawing`: colour, size, position) are written the
way Gephi reads them instead of as attributes: GEXF ``viz:color``, ``viz:size`` and
``viz:position`` elements; GraphML keys ``r``, ``g``, ``b``, ``size``, ``x`` and ``y``, which
Gephi's GraphML importer takes for the colour, size and position. Every node has a label
(GEXF's ``label``, GraphML's ``label`` key): the first of the label columns that is set, else
the id. An attribute column whose name a reader would take for the label or the drawing
(GEXF: ``label``, ``viz``; GraphML: every node key Gephi's importer maps, ``color``, ``z`` and
``xpos`` among them) is written as ``NAME_attribute``.

References: GEXF 1.3 (https://gexf.net, schema in the gexf project's ``specs/1.3``; Gephi
0.9.3+ and networkx read it), GraphML (http://graphml.graphdrawing.org/specification.html).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import polars as pl

from graphkit._version import __version__
from graphkit.errors import InputError
from graphkit.io.writers import atomic_path

GRAPH_FORMATS: Final = {".gexf": "gexf", ".graphml": "graphml"}
GEXF_NAMESPACE: Final = "http://gexf.net/1.3"
VIZ_NAMESPACE: Final = "http://gexf.net/1.3/viz"
_COLOUR: Final = "^#[0-9A-Fa-f]{6}$"
_GEXF_RESERVED: Final = frozenset({"label", "viz"})
"""Node attribute titles networkx's GEXF reader overwrites with the label and the drawing."""
_GRAPHML_RESERVED: Final = frozenset(
    {"label", "d3", "x", "y", "xpos", "ypos", "z", "size", "r", "g", "b", "color"}
)
"""GraphML node keys Gephi's importer takes for a label, position, size or colour."""
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


@dataclass(frozen=True)
class Drawing:
    """The node columns that say how nodes are drawn (each optional).

    Attributes
    ----------
    colour
        ``#rrggbb`` text.
    size
        Sizes >= 0.
    x, y
        Coordinates (both or neither).
    """

    colour: str | None = None
    size: str | None = None
    x: str | None = None
    y: str | None = None

    def columns(self) -> list[str]:
        """The columns named, in the order above."""
        return [name for name in (self.colour, self.size, self.x, self.y) if name is not None]


def graph_format_for(path: str | Path) -> str | None:
    """``gexf`` or ``graphml`` for a graph file's suffix, else ``None``."""
    return GRAPH_FORMATS.get(Path(path).suffix.lower())


def write_graph(
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    path: str | Path,
    *,
    label: str | Sequence[str] | None = None,
    drawing: Drawing | None = None,
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
        Node column(s) giving each node's label: the first one set (not null nor empty),
        else the id.
    drawing
        Node columns of colour, size and position, written as Gephi reads them rather than
        as attributes.
    description
        Text for the file's metadata.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        For another suffix, when ``id``, ``source`` or ``target`` or a column named by
        ``label`` or ``drawing`` is missing, a colour is not ``#rrggbb``, a size is negative
        or not finite, or a position is not finite.

    Examples
    --------
    >>> import networkx as nx, tempfile
    >>> nodes = pl.DataFrame({"id": ["a", "b"], "score": [1.5, None]})
    >>> edges = pl.DataFrame({"source": ["a"], "target": ["b"], "weight": [2.0]})
    >>> folder = Path(tempfile.mkdtemp())
    >>> graph = nx.read_graphml(write_graph(nodes, edges, folder / "g.graphml"))
    >>> dict(graph.nodes(data=True)), list(graph.edges(data=True))
    ({'a': {'label': 'a', 'score': 1.5}, 'b': {'label': 'b'}}, [('a', 'b', {'weight': 2.0})])
    """
    chosen = graph_format_for(path)
    if chosen is None:
        raise InputError("graph files end in .gexf or .graphml", path=path)
    for table, needed in ((nodes, ("id",)), (edges, ("source", "target"))):
        missing = [name for name in needed if name not in table.columns]
        if missing:
            raise InputError(f"the graph table lacks the column {missing[0]!r}", path=path)
    labels = [label] if isinstance(label, str) else list(label or ())
    drawing = drawing or Drawing()
    _check_drawing(nodes, labels, drawing, path)
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
            _write_gexf(handle, nodes, edges, labels, drawing, description)
        else:
            _write_graphml(handle, nodes, edges, labels, drawing, description)
    return Path(path)


def _check_drawing(
    nodes: pl.DataFrame, labels: list[str], drawing: Drawing, path: str | Path
) -> None:
    for name in [*labels, *drawing.columns()]:
        if name not in nodes.columns or name == "id":
            raise InputError(f"the node table lacks the column {name!r}", path=path)
    if (drawing.x is None) != (drawing.y is None):
        raise InputError("a position needs both an x and a y column", path=path)
    checks = []
    if drawing.colour is not None:
        colour = pl.col(drawing.colour).cast(pl.String)
        checks.append((colour.is_not_null() & ~colour.str.contains(_COLOUR), "#rrggbb colour"))
    for column, allowed in ((drawing.size, "size >= 0"), (drawing.x, "x"), (drawing.y, "y")):
        if column is not None:
            number = pl.col(column).cast(pl.Float64, strict=False)
            bad = number.is_null() | ~number.is_finite()
            if column == drawing.size:
                bad = bad | (number < 0)
            checks.append((pl.col(column).is_not_null() & bad, f"finite {allowed}"))
    for bad, expected in checks:
        wrong = nodes.filter(bad)
        if wrong.height:
            raise InputError(f"node {wrong['id'][0]!r}: not a {expected} for drawing it", path=path)


def _renamed(columns: list[str], reserved: set[str]) -> dict[str, str]:
    """Titles of attribute columns: a name Gephi reserves gets ``_attribute`` appended."""
    titles: dict[str, str] = {}
    taken = set(columns) | reserved
    for name in columns:
        title = name
        if name.casefold() in reserved:
            title = f"{name}_attribute"
            while title in taken:
                title += "_"
            taken.add(title)
        titles[name] = title
    return titles


def _label(nodes: pl.DataFrame, labels: list[str]) -> pl.Expr:
    """The first label column set (not null, not blank), else the id, escaped."""
    candidates = [
        pl.when(pl.col(name).cast(pl.String).str.strip_chars() != "").then(
            pl.col(name).cast(pl.String)
        )
        for name in labels
    ]
    return _escaped(pl.coalesce(*candidates, pl.col("id").cast(pl.String)))


def _number(column: str) -> pl.Expr:
    """A float column as XML Schema's float text (``-0.0`` as ``0.0``)."""
    return (pl.col(column).cast(pl.Float64) + 0.0).cast(pl.String)


def _channels(column: str) -> list[pl.Expr]:
    """Red, green and blue (0-255) of a ``#rrggbb`` column, as text."""
    return [
        pl.col(column).str.slice(offset, 2).str.to_integer(base=16).cast(pl.String)
        for offset in (1, 3, 5)
    ]


def _gexf_viz(drawing: Drawing) -> pl.Expr:
    pieces: list[pl.Expr] = []
    if drawing.colour is not None:
        red, green, blue = _channels(drawing.colour)
        pieces.append(
            pl.concat_str(
                pl.lit('<viz:color r="'),
                red,
                pl.lit('" g="'),
                green,
                pl.lit('" b="'),
                blue,
                pl.lit('"/>'),
            )
        )
    if drawing.size is not None:
        pieces.append(
            pl.concat_str(pl.lit('<viz:size value="'), _number(drawing.size), pl.lit('"/>'))
        )
    if drawing.x is not None and drawing.y is not None:
        pieces.append(
            pl.concat_str(
                pl.lit('<viz:position x="'),
                _number(drawing.x),
                pl.lit('" y="'),
                _number(drawing.y),
                pl.lit('"/>'),
            )
        )
    return pl.concat_str([piece.fill_null("") for piece in pieces]) if pieces else pl.lit("")


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


def _gexf_declarations(
    frame: pl.DataFrame, columns: list[str], kind: str, titles: dict[str, str] | None = None
) -> str:
    titles = titles or {}
    lines = [f'    <attributes class="{kind}">']
    lines += [
        f'      <attribute id="{index}" title="{_text(titles.get(name, name))}" '
        f'type="{_kind(frame.schema[name])}"/>'
        for index, name in enumerate(columns)
    ]
    return "\n".join([*lines, "    </attributes>"]) + "\n"


def _write_gexf(
    handle: IO[str],
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    labels: list[str],
    drawing: Drawing,
    description: str,
) -> None:
    drawn = set(drawing.columns())
    node_columns = [name for name in nodes.columns if name != "id" and name not in drawn]
    edge_columns = [name for name in edges.columns if name not in ("source", "target")]
    edge_attributes = [name for name in edge_columns if name != "weight"]
    handle.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gexf xmlns="{GEXF_NAMESPACE}" xmlns:viz="{VIZ_NAMESPACE}" version="1.3">\n'
        f"  <meta><creator>graphkit {__version__}</creator>"
        f"<description>{_text(description)}</description></meta>\n"
        '  <graph mode="static" defaultedgetype="directed">\n'
    )
    titles = _renamed(node_columns, set(_GEXF_RESERVED))
    handle.write(_gexf_declarations(nodes, node_columns, "node", titles))
    handle.write(_gexf_declarations(edges, edge_attributes, "edge"))
    node_line = pl.concat_str(
        pl.lit('      <node id="'),
        _escaped(pl.col("id")),
        pl.lit('" label="'),
        _label(nodes, labels),
        pl.lit('">'),
        _gexf_attvalues(nodes, node_columns),
        _gexf_viz(drawing),
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


def _graphml_drawing(drawing: Drawing) -> tuple[list[tuple[str, str]], list[pl.Expr]]:
    """The keys (id, type) Gephi reads as the drawing, and each node's data of them."""
    keys: list[tuple[str, str]] = [("label", "string")]
    values: list[tuple[str, pl.Expr]] = []
    if drawing.colour is not None:
        keys += [("r", "int"), ("g", "int"), ("b", "int")]
        values += list(zip("rgb", _channels(drawing.colour), strict=True))
    if drawing.size is not None:
        keys.append(("size", "double"))
        values.append(("size", _number(drawing.size)))
    if drawing.x is not None and drawing.y is not None:
        keys += [("x", "double"), ("y", "double")]
        values += [("x", _number(drawing.x)), ("y", _number(drawing.y))]
    data = [
        pl.concat_str(pl.lit(f'<data key="{key}">'), value, pl.lit("</data>")).fill_null("")
        for key, value in values
    ]
    return keys, data


def _write_graphml(
    handle: IO[str],
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    labels: list[str],
    drawing: Drawing,
    description: str,
) -> None:
    drawn = set(drawing.columns())
    node_columns = [name for name in nodes.columns if name != "id" and name not in drawn]
    edge_columns = [name for name in edges.columns if name not in ("source", "target")]
    drawing_keys, drawing_data = _graphml_drawing(drawing)
    titles = _renamed(node_columns, set(_GRAPHML_RESERVED) | {key for key, _ in drawing_keys})
    handle.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        f"  <desc>graphkit {__version__}: {_text(description)}</desc>\n"
    )
    handle.writelines(
        f'  <key id="{key}" for="node" attr.name="{key}" attr.type="{kind}"/>\n'
        for key, kind in drawing_keys
    )
    for frame, columns, kind, prefix, names in (
        (nodes, node_columns, "node", "n", titles),
        (edges, edge_columns, "edge", "e", {}),
    ):
        handle.writelines(
            f'  <key id="{prefix}{index}" for="{kind}" '
            f'attr.name="{_text(names.get(name, name))}" '
            f'attr.type="{_kind(frame.schema[name])}"/>\n'
            for index, name in enumerate(columns)
        )
    handle.write('  <graph id="G" edgedefault="directed">\n')
    node_line = pl.concat_str(
        pl.lit('    <node id="'),
        _escaped(pl.col("id")),
        pl.lit('"><data key="label">'),
        _label(nodes, labels),
        pl.lit("</data>"),
        *drawing_data,
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
