"""Operations from Alembic plugins, understood whether or not the plugin is installed.

``op.sync_enum_values(...)`` (alembic-postgresql-enum) renames the enum type, creates the new one,
converts every affected column with ``ALTER COLUMN ... TYPE ... USING`` and drops the old type: an enum
recreation. When the plugin is installed, its own implementation emits that SQL and we record it like any
operation; when it is not, the revision still imports ``TableReference`` from it and calls the operation, so
a small shim module provides the names and the recorder emits the equivalent SQL itself.
"""

from __future__ import annotations

import types
from typing import Any, Callable, Iterable

PluginHandler = Callable[[Any, tuple[Any, ...], dict[str, Any]], None]


class TableReference:
    """Shim of alembic_postgresql_enum.TableReference: keeps what the revision passes."""

    def __init__(self, table_name: str | None = None, column_name: str | None = None, table_schema: str | None = None,
                 *args: Any, **kwargs: Any) -> None:
        self.table_name = kwargs.pop("table_name", table_name)
        self.column_name = kwargs.pop("column_name", column_name)
        self.table_schema = kwargs.pop("table_schema", table_schema)
        self.existing_server_default = kwargs.pop("existing_server_default", None)


class ColumnType:
    COMMON = "common"
    ARRAY = "array"


def _postgresql_enum_shim() -> types.ModuleType:
    module = types.ModuleType("alembic_postgresql_enum", "migsafe shim: the plugin is not installed")
    module.TableReference = TableReference  # type: ignore[attr-defined]
    module.ColumnType = ColumnType  # type: ignore[attr-defined]
    module.__path__ = []  # type: ignore[attr-defined]
    module.__migsafe_stub__ = True  # type: ignore[attr-defined]
    return module


# Plugin module name -> shim used when the real package is absent.
SHIMS: dict[str, Callable[[], types.ModuleType]] = {"alembic_postgresql_enum": _postgresql_enum_shim}


def _quote(identifier: str) -> str:
    return identifier if identifier.isidentifier() and identifier.islower() else '"' + identifier.replace('"', '""') + '"'


def _qualified(schema: str | None, name: str) -> str:
    return f"{_quote(schema)}.{_quote(name)}" if schema else _quote(name)


def _columns(affected: Iterable[Any]) -> list[tuple[str | None, str, str]]:
    found = []
    for item in affected or ():
        if isinstance(item, (tuple, list)) and len(item) >= 2:
            found.append((None, str(item[0]), str(item[1])))
        elif getattr(item, "table_name", None) and getattr(item, "column_name", None):
            found.append((getattr(item, "table_schema", None), str(item.table_name), str(item.column_name)))
    return found


def sync_enum_values(operations: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Emit what alembic-postgresql-enum does: rename, create, convert each column, drop the old type."""
    names = ["enum_schema", "enum_name", "new_values", "affected_columns"]
    bound = dict(zip(names, args))
    bound.update({k: v for k, v in kwargs.items() if k in names})
    schema = bound.get("enum_schema") or kwargs.get("schema")
    name = bound.get("enum_name") or kwargs.get("name")
    values = bound.get("new_values") or []
    if not isinstance(name, str):
        return
    labels = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
    old = _qualified(schema, name + "_old")
    new = _qualified(schema, name)
    operations.execute(f"ALTER TYPE {new} RENAME TO {_quote(name + '_old')}")
    operations.execute(f"CREATE TYPE {new} AS ENUM ({labels})")
    for table_schema, table, column in _columns(bound.get("affected_columns") or []):
        operations.execute(f"ALTER TABLE {_qualified(table_schema or schema, table)} ALTER COLUMN {_quote(column)} "
                           f"TYPE {new} USING {_quote(column)}::text::{new}")
    operations.execute(f"DROP TYPE {old}")


# Operation name -> how to record it when the plugin that provides it is not installed.
OPERATIONS: dict[str, PluginHandler] = {"sync_enum_values": sync_enum_values}
