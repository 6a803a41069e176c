"""What a project's env.py says about transactions, read from its syntax tree (migsafe never runs env.py).

The transaction model decides several findings, and it lives in ``context.configure(...)`` in env.py:
``transaction_per_migration=True`` (one transaction per revision; Alembic's default is one for the whole
upgrade) and ``transactional_ddl=False`` (no transactions at all). Only literal keyword arguments are
trusted; anything computed is left to configuration.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EnvSettings:
    transaction_per_migration: bool | None = None  # None: env.py does not say
    transactional_ddl: bool | None = None


def read_env_py(path: Path | None) -> EnvSettings:
    if path is None:
        return EnvSettings()
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, UnicodeDecodeError, SyntaxError):
        return EnvSettings()
    per_migration: bool | None = None
    transactional: bool | None = None
    configure_calls = 0
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "configure"):
            continue
        configure_calls += 1
        for keyword in node.keywords:
            if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, bool):
                if keyword.arg == "transaction_per_migration":
                    per_migration = per_migration or keyword.value.value
                elif keyword.arg == "transactional_ddl":
                    transactional = keyword.value.value if transactional is None else transactional
    if per_migration is None and configure_calls:
        per_migration = False  # configure() without the keyword: Alembic's default, one transaction overall
    # lock_timeout in env.py is read by the missing-lock-timeout rule, which parses it properly.
    return EnvSettings(transaction_per_migration=per_migration, transactional_ddl=transactional)
