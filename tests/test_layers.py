"""The layers of migsafe's modules, checked from the import statements (function-level imports included).

PostgreSQL's lock knowledge (``migsafe.pg_locks``) is the bottom; the configuration sits beside it; the SQL
model (``migsafe.sql``) on them; rules on the SQL model; replay on everything. A module that imports from a
layer above its own makes a circle sooner or later (config -> sql.locks -> rules.base -> config was one), so
each check follows imports transitively: an indirect path upward fails as a direct one does.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "migsafe"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@lru_cache(maxsize=1)
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


@lru_cache(maxsize=None)
def imports_of(module: str) -> frozenset[str]:
    """The migsafe modules ``module`` imports anywhere in its source (``from migsafe.sql import actions``
    counts as ``migsafe.sql.actions``)."""
    modules = _modules()
    tree = ast.parse(modules[module].read_text(encoding="utf-8"))
    package = module if modules[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules)
    return frozenset(name for name in found if name in modules and name != module)


def reachable(module: str) -> dict[str, str]:
    """Every migsafe module ``module`` reaches through imports, each with the chain that reaches it."""
    chains = {module: module}
    todo = [module]
    while todo:
        current = todo.pop()
        for imported in sorted(imports_of(current)):
            if imported not in chains:
                chains[imported] = f"{chains[current]} -> {imported}"
                todo.append(imported)
    del chains[module]
    return chains


def _in(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


# (modules, layers they must never reach)
LAYERS = [
    ("migsafe.pg_locks", ["migsafe"]),
    ("migsafe.config", ["migsafe.sql", "migsafe.rules", "migsafe.replay"]),
    ("migsafe.sql", ["migsafe.rules", "migsafe.replay"]),
    ("migsafe.rules", ["migsafe.replay"]),
]


@pytest.mark.parametrize(("layer", "forbidden"), LAYERS, ids=[layer for layer, _ in LAYERS])
def test_no_module_imports_from_a_layer_above_its_own(layer, forbidden):
    offending = []
    for module in sorted(_modules()):
        if not _in(module, layer):
            continue
        for reached, chain in reachable(module).items():
            if any(_in(reached, above) for above in forbidden) and not _in(reached, layer):
                offending.append(chain)
    assert not offending, "imports reach upward:\n" + "\n".join(offending)


def test_the_import_reader_sees_function_level_and_package_relative_imports():
    # The checks above are only as good as this reader: the old circle went through a function-level import.
    assert "migsafe.sql.locks" in imports_of("migsafe.rules.base")  # `from migsafe.sql.locks import ...` in a def
    assert "migsafe.sql.actions" in imports_of("migsafe.model")  # `from migsafe.sql.actions import ...`
    assert "migsafe.rules.base" in imports_of("migsafe.rules")  # the package's own __init__
