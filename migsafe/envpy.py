"""What a project's env.py says about transactions, read from its syntax tree (migsafe never runs env.py).

The transaction model decides several findings, and it lives in ``context.configure(...)`` in env.py:
``transaction_per_migration=True`` (one transaction per revision; Alembic's default is one for the whole
upgrade) and ``transactional_ddl=False`` (no transactions at all). Only literal keyword arguments are
trusted; anything computed is left to configuration.
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
