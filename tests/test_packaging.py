"""Packaging: the command line installs inside the graphkit namespace, every package is listed,
and no import cycle runs among the CLI's modules."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI_MODULE_LINES = 250


def test_cli_is_graphkit_cli_and_nothing_named_cli_is_installed(tmp_path):
    # Outside the source tree only what the installation put on the path is importable.
    probe = (
        "import importlib.util, graphkit.cli.main as m; "
        "print(importlib.util.find_spec('cli') is None, m.cli.name)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "cli"]


def test_every_package_is_listed_in_pyproject():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(settings["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "graphkit").rglob("__init__.py")
    }
    assert found | {"graphkit.cli"} == listed
    assert (ROOT / "graphkit" / "cli").resolve() == (ROOT / "cli").resolve()
    assert settings["project"]["scripts"]["graphkit"] == "graphkit.cli.entry:main"


def _cli_imports(path: Path) -> set[str]:
    """The graphkit.cli modules a CLI module imports at its top level."""
    imported = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("graphkit.cli."):
            imported.add(node.module.removeprefix("graphkit.cli."))
    return imported


def test_no_import_cycle_among_cli_modules():
    graph = {path.stem: _cli_imports(path) for path in (ROOT / "cli").glob("*.py")}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in visiting, f"import cycle: {' -> '.join((*trail, module))}"
        if module in done:
            return
        visiting.add(module)
        for imported in graph.get(module, set()):
            visit(imported, (*trail, module))
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, ())


def test_cli_modules_stay_thin():
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "cli").glob("*.py")
    }
    assert {name: lines for name, lines in sizes.items() if lines > CLI_MODULE_LINES} == {}


def test_cli_reaches_below_the_app_layer_only_for_rendering():
    # Commands call graphkit.app; what they take from lower layers is constants, types and
    # the writers that render a result.
    allowed = ("graphkit.algorithms", "graphkit.analysis")
    for path in (ROOT / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(allowed):
                names = {alias.name for alias in node.names}
                functions = {name for name in names if name.islower() and not name.isupper()}
                assert not functions, f"{path.name} calls {node.module}: {sorted(functions)}"


def test_every_public_name_resolves():
    import graphkit

    assert all(getattr(graphkit, name) is not None for name in graphkit.__all__)
