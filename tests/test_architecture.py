"""The layout rules of docs/architecture.md, checked on the source (AST, no imports run).

- The environment is read at the entry points only (`Settings.from_env`).
- Imports go one way: entry points -> `defs` -> domain packages -> `settings`; no cycles.
- The domain packages import no Dagster; nothing imports a library's private modules.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ka_pipeline"
ENTRY_POINTS = {"ka_pipeline.definitions", "ka_pipeline.cli"}
# run from the CLI; they build definitions, so they sit above `defs`
ENTRY_LAYER = ("ka_pipeline.cli", "ka_pipeline.definitions", "ka_pipeline.runs")
DOMAIN_PACKAGES = ("extract", "generator", "landing", "mapping", "quality", "report", "serving")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")}


def imported(tree: ast.AST) -> set[str]:
    """Every module an import statement names, at any depth (lazy imports count too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def internal_imports(module: str) -> set[str]:
    return {name for name in imported(MODULES[module]) if name in MODULES and name != module}


def test_the_environment_is_read_only_at_the_entry_points():
    callers = {
        module
        for module, tree in MODULES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "from_env"
    }
    assert callers == ENTRY_POINTS


def test_no_module_imports_a_private_module_of_a_library():
    private = {
        (module, name)
        for module, tree in MODULES.items()
        for name in imported(tree)
        if not name.startswith("ka_pipeline")
        and any(part.startswith("_") and part != "__future__" for part in name.split("."))
    }
    assert private == set()


def test_there_are_no_import_cycles():
    graph = {module: internal_imports(module) for module in MODULES}
    # a package's __init__ re-exports its modules: an edge from a module to its own package
    # would be a cycle only through that re-export, which is not a dependency
    for module, deps in graph.items():
        graph[module] = {d for d in deps if not module.startswith(d + ".")}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_packages_import_no_dagster_and_nothing_above_them(package):
    prefix = f"ka_pipeline.{package}"
    for module in (m for m in MODULES if m == prefix or m.startswith(prefix + ".")):
        names = imported(MODULES[module])
        assert not any(n == "dagster" or n.startswith(("dagster.", "dagster_")) for n in names), (
            module
        )
        upward = {n for n in names if n.startswith(("ka_pipeline.defs", *ENTRY_LAYER))}
        assert upward == set(), f"{module} imports {upward}"


def test_defs_never_import_the_entry_layer():
    for module in (m for m in MODULES if m.startswith("ka_pipeline.defs")):
        upward = {n for n in imported(MODULES[module]) if n.startswith(ENTRY_LAYER)}
        assert upward == set(), f"{module} imports {upward}"
