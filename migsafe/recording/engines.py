"""Engines a revision builds for the project's own database get the recording connection.

Some revisions open their own engine instead of ``op.get_bind()``: ``engine_from_config(config.get_section(
config.config_ini_section), prefix="sqlalchemy.")`` or ``create_engine(config.get_main_option("sqlalchemy.url"))``.
Under ``alembic upgrade`` that is the database being migrated; here it would be a connection attempt (or a
``create_engine(None)`` crash on a bare versions directory), and the revision a load error. While revisions run,
an engine for the project's URL (the Config's ``sqlalchemy.url``; no URL at all when the Config has none) is
the recording engine, whose ``connect()`` and ``begin()`` give the migration's recording connection, so what it
executes is recorded with the revision. Engines for any other URL are left alone.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import sqlalchemy
import sqlalchemy.engine
from sqlalchemy.engine import Connection, Engine


def migration_engine(connection: Connection, *, secondary: bool = False) -> Engine:
    """A copy of the recording engine whose connections are the migration's own connection.

    ``secondary``: for the engine a revision reaches through the migration's connection (``op.get_bind().
    engine``), ``connect()`` gives another connection, as it does under ``alembic upgrade``: its isolation level
    and commits are its own (``engine.connect().execution_options(isolation_level="AUTOCOMMIT")`` for a
    ``CREATE INDEX CONCURRENTLY`` leaves the migration's transaction as it was)."""
    engine = connection.engine

    class ProjectEngine(type(engine)):  # type: ignore[misc,valid-type]
        def connect(self) -> Connection:  # type: ignore[override]
            if secondary:
                other = engine.connect()
                other._migsafe_secondary = True  # type: ignore[attr-defined]
                return other
            return connection

        @contextlib.contextmanager
        def begin(self) -> Iterator[Connection]:  # type: ignore[override]
            # The migration's transaction is already open; ending it here would commit the revision's work.
            yield connection

        def dispose(self, close: bool = True) -> None:
            pass

    # Errors name the class ("'Engine' object has no attribute 'execute'", a 1.x idiom under 2.x): keep its name.
    ProjectEngine.__name__ = ProjectEngine.__qualname__ = type(engine).__name__
    facade = object.__new__(ProjectEngine)
    facade.__dict__.update(engine.__dict__)
    return facade


def _is_project_url(url: Any, project_url: str | None) -> bool:
    if url is None or url == "":
        return True
    if isinstance(url, sqlalchemy.engine.URL):
        url = url.render_as_string(hide_password=False)  # str() hides the password
    return project_url is not None and str(url) == project_url


@contextlib.contextmanager
def project_engines(project_url: Callable[[], str | None], connection: Callable[[], Connection]) -> Iterator[None]:
    """Inside the block, ``sqlalchemy.create_engine`` (and ``engine_from_config``, which calls it) return the
    recording engine for the project's URL. ``project_url``: the Config's ``sqlalchemy.url``, asked lazily (a
    revision may read an env.py-style setting); ``connection``: the recording connection."""
    real = sqlalchemy.create_engine
    create_module = __import__("sqlalchemy.engine.create", fromlist=["create_engine"])

    def create_engine(url: Any = None, *args: Any, **kwargs: Any) -> Engine:
        if _is_project_url(url, project_url()):
            return migration_engine(connection())
        return real(url, *args, **kwargs)

    homes = (sqlalchemy, sqlalchemy.engine, create_module)
    saved = [home.create_engine for home in homes]
    for home in homes:
        home.create_engine = create_engine  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for home, original in zip(homes, saved):
            home.create_engine = original  # type: ignore[attr-defined]
