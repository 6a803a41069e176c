"""What a project's env.py says about transactions, read from its syntax tree (migsafe never runs env.py).

The transaction model decides several findings, and it lives in ``context.configure(...)`` in env.py:
``transaction_per_migration=True`` (one transaction per revision; Alembic's default is one for the whole
upgrade) and ``transactional_ddl=False`` (no transactions at all), or a connection env.py puts in AUTOCOMMIT
(no transactions either). Only literal keyword arguments are trusted; anything computed is left to
configuration.
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EnvSettings:
    transaction_per_migration: bool | None = None  # None: env.py does not say
    transactional_ddl: bool | None = None
    autocommit: bool = False  # the connection is put in AUTOCOMMIT: every statement commits as it runs


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
    options = _option_dicts(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "configure"):
            continue
        keywords: list[tuple[str | None, ast.expr]] = []
        unknown = False
        for keyword in node.keywords:
            if keyword.arg is not None:
                keywords.append((keyword.arg, keyword.value))
            elif isinstance(keyword.value, ast.Name) and keyword.value.id in options:
                # context.configure(**config_opts), with config_opts = dict(transaction_per_migration=True, ...)
                keywords.extend(options[keyword.value.id])
            else:
                unknown = True  # options we cannot read: this call says nothing about the default
        configure_calls += 0 if unknown else 1
        for name, value in keywords:
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                if name == "transaction_per_migration":
                    per_migration = per_migration or value.value
                elif name == "transactional_ddl":
                    transactional = value.value if transactional is None else transactional
    autocommit = _autocommit_connection(tree)
    if transactional is None and autocommit:
        transactional = False  # every statement commits on its own: no transaction holds locks across statements
    if per_migration is None and configure_calls:
        per_migration = False  # configure() without the keyword: Alembic's default, one transaction overall
    # lock_timeout in env.py is read by the missing-lock-timeout rule, which parses it properly.
    return EnvSettings(transaction_per_migration=per_migration, transactional_ddl=transactional,
                       autocommit=autocommit)


def _autocommit_connection(tree: ast.Module) -> bool:
    """Whether env.py puts its connection in AUTOCOMMIT (``connection.execution_options(isolation_level=
    "AUTOCOMMIT")``, or the same keyword to ``create_engine``/``engine_from_config``). Alembic's
    ``begin_transaction()`` then opens no transaction on the server: each statement commits as it runs, as with
    ``transactional_ddl=False`` (checked on PostgreSQL 15: no lock outlives its statement)."""
    return any(isinstance(node, ast.keyword) and node.arg == "isolation_level"
               and isinstance(node.value, ast.Constant) and node.value.value == "AUTOCOMMIT"
               for node in ast.walk(tree))


def _option_dicts(tree: ast.Module) -> dict[str, list[tuple[str | None, ast.expr]]]:
    """Names bound once to ``dict(key=value, ...)`` or ``{"key": value, ...}``: env.py files that keep their
    configure() options in a dict (JupyterHub's ``common_config_opts``) and pass them as ``**name``."""
    found: dict[str, list[tuple[str | None, ast.expr]]] = {}
    assigned: dict[str, int] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name, value = node.targets[0].id, node.value
        assigned[name] = assigned.get(name, 0) + 1
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" \
                and not value.args:
            found[name] = [(k.arg, k.value) for k in value.keywords if k.arg is not None]
        elif isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                                 for k in value.keys):
            found[name] = [(k.value, v) for k, v in zip(value.keys, value.values)]  # type: ignore[union-attr]
    for node in ast.walk(tree):  # a dict changed after it is built (opts.update(...), opts["k"] = v) is not read
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in _MUTATORS:
            assigned[node.value.id] = 2
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
            assigned[node.value.id] = 2
    return {name: items for name, items in found.items() if assigned[name] == 1}


_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear"})


# What the driver does with a bare COMMIT sent as SQL, by the driver name in the SQLAlchemy URL
# ("postgresql+<driver>://"). psycopg2 (SQLAlchemy's default for "postgresql://") and SQLAlchemy's asyncpg
# adapter keep their own note of the transaction they opened: the server's COMMIT does not reach it, so they
# send no new BEGIN and the statements after it run outside any transaction until Alembic's own commit.
# psycopg 3 asks the server, finds no transaction, and opens a new one before the next statement.
DEFAULT_DRIVER = "psycopg2"
_REOPENS_AFTER_COMMIT = frozenset({"psycopg", "psycopg_async"})
# A URL, or a bare drivername as URL.create("postgresql+psycopg", ...) and url.set(drivername=...) take it.
_URL_DRIVER_RE = re.compile(r"^\s*postgres(?:ql)?\+(\w+)(?:://|\s*$)")


@dataclass(frozen=True)
class Driver:
    name: str = DEFAULT_DRIVER
    source: str = "default"  # "default", "alembic.ini", "env.py"

    @property
    def reopens_after_commit(self) -> bool:
        """True when a bare ``COMMIT`` is followed by a new transaction the driver opens by itself."""
        return self.name in _REOPENS_AFTER_COMMIT

    @property
    def description(self) -> str:
        after = ("the driver opens a new transaction after a bare COMMIT" if self.reopens_after_commit
                 else "statements after a bare COMMIT run outside a transaction until Alembic's commit")
        origin = "SQLAlchemy's default for postgresql://" if self.source == "default" else f"from {self.source}"
        return f"driver {self.name} ({origin}): {after}"


def read_driver(config_file: Path | None, env_py: Path | None) -> Driver:
    """The PostgreSQL driver of the project's ``sqlalchemy.url``: a literal URL in env.py wins (env.py makes the
    engine), then ``sqlalchemy.url`` in alembic.ini; a URL without ``+driver`` means SQLAlchemy's default."""
    for path, source in ((env_py, "env.py"), (config_file, "alembic.ini")):
        if path is None:
            continue
        urls = _env_py_urls(path) if source == "env.py" else _ini_urls(path)
        drivers = [m.group(1) for url in urls if (m := _URL_DRIVER_RE.match(url))]
        if drivers:
            return Driver(drivers[0], source)
    return Driver()


def _env_py_urls(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return []
    # f-strings and concatenations keep the scheme in a literal part. What a URL is compared with or replaced
    # (url.replace("postgresql+asyncpg://", "postgresql://"), url.startswith(...)) is not what runs.
    replaced = {id(call.args[0]) for call in ast.walk(tree)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.args
                and call.func.attr in ("replace", "startswith", "endswith", "removeprefix")}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in replaced]


def _ini_urls(path: Path) -> list[str]:
    if path.suffix != ".ini":
        return []
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []
    return [parser.get(section, "sqlalchemy.url") for section in parser.sections()
            if parser.has_option(section, "sqlalchemy.url")]
