"""How `ka_pipeline/quality/` is put together: parsing rules live only in the dbt macros,
and its modules use only each other's public names, without import cycles."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ka_pipeline.settings import DBT_PROJECT_DIR

QUALITY = Path(__file__).parent.parent / "ka_pipeline" / "quality"
MODULES = {p.stem: p for p in sorted(QUALITY.glob("*.py")) if p.stem != "__init__"}
PARSE_MACROS = DBT_PROJECT_DIR / "macros" / "cross_db"

# Each parsing rule, as a pattern that finds it in code: the rule's own spelling in the
# dbt macros (checked below, so a renamed rule cannot make this test pass vacuously).
PARSING_RULES = {
    "date / timestamp formats": r"%Y[-/]?%m[-/]?%d",
    "full-width digit map": "０１２３４５６７８９",
    "boolean words": r"在职|离职|'inactive'",
    "label normalisation (U+3000 removed)": r"replace\(.*'　'",
}


def test_every_parsing_rule_is_in_the_dbt_macros():
    macros = "\n".join(p.read_text(encoding="utf-8") for p in PARSE_MACROS.glob("*.sql"))
    for rule, pattern in PARSING_RULES.items():
        assert re.search(pattern, macros), f"{rule}: not found in {PARSE_MACROS}"


@pytest.mark.parametrize("name", MODULES)
def test_no_parsing_rule_in_python(name):
    """Raw rules on typed values are dbt tests on the base_ models, which parse with the
    macros: a second copy of a rule in Python would drift from staging's."""
    source = MODULES[name].read_text(encoding="utf-8")
    found = [rule for rule, pattern in PARSING_RULES.items() if re.search(pattern, source)]
    assert found == [], f"quality/{name}.py repeats staging's parsing: {found}"


def _quality_imports(name: str) -> list[tuple[str, list[str]]]:
    """(quality module, names) of each `from ka_pipeline.quality.<module> import ...`."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    return [
        (node.module.rsplit(".", 1)[1], [a.name for a in node.names])
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("ka_pipeline.quality.")
    ]


@pytest.mark.parametrize("name", MODULES)
def test_quality_modules_import_only_public_names(name):
    private = [
        f"{module}.{n}" for module, names in _quality_imports(name) for n in names if n[0] == "_"
    ]
    assert private == [], f"quality/{name}.py imports private names {private}"


def test_no_import_cycles_among_quality_modules():
    graph = {name: {m for m, _ in _quality_imports(name)} for name in MODULES}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph[start] - seen:
            if nxt == target or reaches(nxt, target, seen | {nxt}):
                return True
        return False

    cycles = [name for name in MODULES if reaches(name, name, set())]
    assert cycles == [], f"modules in an import cycle: {cycles}"
