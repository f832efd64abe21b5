"""Write docs/api.md, the API reference, from the public functions' docstrings.

Run ``python -m docs.api`` from the project folder after changing a public docstring;
``tests/test_readme.py`` fails while the file differs from what this writes.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import graphkit

OUTPUT = Path(__file__).with_name("api.md")
FUNCTIONS = (
    "rank",
    "communities",
    "brands",
    "experts",
    "explain",
    "paths",
    "warm_paths",
    "report",
    "trend",
    "compare",
    "audience_affinities",
    "audience_segments",
    "lookalikes",
    "audit",
    "open_data",
)
CLASSES = ("Settings", "Sources", "Loaded")
MORE = (
    ("graphkit.app", "find_communities_table"),
    ("graphkit.graph", "build_graph"),
    ("graphkit.io", "load_dataset"),
    ("graphkit.algorithms", "pagerank"),
    ("graphkit.analysis", "select_audience"),
)


def _section(title: str, thing: object) -> str:
    doc = inspect.getdoc(thing) or ""
    try:
        signature = f"{title}{inspect.signature(thing)}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        signature = title
    return f"## `{title}`\n\n```python\n{signature}\n```\n\n{doc}\n"


def render() -> str:
    """The reference, as Markdown."""
    import importlib

    parts = [
        "# graphkit's Python API\n\n"
        "Generated from the docstrings by `python -m docs.api`; do not edit by hand. The "
        'README\'s "Python API" section shows them at work.\n',
        inspect.getdoc(importlib.import_module("graphkit.app.api")) or "",
        "",
    ]
    for name in FUNCTIONS + CLASSES:
        parts.append(_section(f"graphkit.{name}", getattr(graphkit, name)))
    parts.append("# Lower layers\n")
    for module, name in MORE:
        parts.append(_section(f"{module}.{name}", getattr(importlib.import_module(module), name)))
    return "\n".join(parts)


def main() -> None:
    OUTPUT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"Wrote {OUTPUT}\n")


if __name__ == "__main__":
    main()
