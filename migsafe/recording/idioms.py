"""Revisions written for the other SQLAlchemy major version.

A revision is written once, for the SQLAlchemy its project had then, and ``alembic upgrade`` in that project's
environment runs it. migsafe may run under the other major: a history that went from 1.x to 2.x still holds
revisions that call ``select([...])``, and a 1.4 environment may meet a revision or sample written with
``DeclarativeBase``. While a revision runs (only then; everything is restored afterwards) the common idioms of the
other major are given a shim, and each one the revision actually used is named, so the revision is marked partial
(the shim may not be exactly what that SQLAlchemy did). A name the shims do not cover stays a load error, whose
message :func:`explain` completes with the idiom and the SQLAlchemy version it needs.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import sqlalchemy as sa

VERSION = sa.__version__
MAJOR = int(VERSION.split(".")[0])
NOTE_KIND = "sqlalchemy-idiom"

_used: list[str] | None = None  # the idioms the running revision used; None outside a revision


def used(idiom: str) -> None:
    """Record that the running revision needed the shim of ``idiom``."""
    if _used is not None and idiom not in _used:
        _used.append(idiom)


def needed_version(idiom: str) -> str:
    return "SQLAlchemy 1.x" if MAJOR >= 2 else "SQLAlchemy 2.0 or later"


@contextlib.contextmanager
def shimmed() -> Iterator[list[str]]:
    """The shims for the other major's idioms, for one revision; yields the list of the idioms it used so far.
    Inside :func:`installed` (a whole recording) they are in place already: only the list is new."""
    global _used
    if not _installed:
        with installed(), shimmed() as used_here:
            yield used_here
        return
    saved, _used = _used, []
    try:
        yield _used
    finally:
        _used = saved


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Put the shims in place for the block (restored after it). Recording installs them once for the whole
    history: setting and restoring a dozen SQLAlchemy attributes for every revision cost a few percent of a
    2,000-revision review. Outside a revision they change nothing: they act only on the other major's idioms,
    and note them only while a revision runs (``_used`` is None otherwise)."""
    global _patches, _installed
    if _installed:
        yield
        return
    if _patches is None:
        # Built once, outside any shim: the closures keep the real functions.
        _patches = _patches_for_1x_idioms() if MAJOR >= 2 else _patches_for_2x_idioms()
    originals = [(owner, name, owner.__dict__.get(name, _MISSING)) for owner, name, _ in _patches]
    try:
        for owner, name, value in _patches:
            setattr(owner, name, value)
        _installed = True
        yield
    finally:
        _installed = False
        for owner, name, original in reversed(originals):
            if original is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(owner, name)
            else:
                setattr(owner, name, original)


_MISSING = object()
Patch = tuple[Any, str, Any]
_patches: list[Patch] | None = None
_installed = False


def _patches_for_1x_idioms() -> list[Patch]:
    """Under SQLAlchemy 2.x: what 1.x revisions commonly call and 2.0 removed."""
    import sqlalchemy.future
    import sqlalchemy.sql
    import sqlalchemy.sql.expression
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    real_select, real_case = sa.select, sa.case
    real_metadata_init = sa.MetaData.__init__
    real_execute, real_session_execute = Connection.execute, Session.execute
    real_table_new, real_reflect = sa.Table.__dict__["_new"].__func__, sa.MetaData.reflect

    def select(*entities: Any, **kwargs: Any) -> Any:
        if len(entities) == 1 and isinstance(entities[0], (list, tuple)):
            used("select([...])")
            statement = real_select(*entities[0])
            # 1.x keyword arguments are the 2.x methods of the same name (whereclause: where, from_obj: select_from).
            for keyword, value in kwargs.items():
                method = {"whereclause": "where", "from_obj": "select_from"}.get(keyword, keyword)
                if value is not None and value is not False:
                    arguments = value if keyword == "from_obj" and isinstance(value, (list, tuple)) else [value]
                    statement = getattr(statement, method)(*arguments) if value is not True \
                        else getattr(statement, method)()
            return statement
        return real_select(*entities, **kwargs)

    def case(*whens: Any, **kwargs: Any) -> Any:
        if len(whens) == 1 and isinstance(whens[0], list):
            used("case([...])")
            return real_case(*whens[0], **kwargs)
        return real_case(*whens, **kwargs)

    def metadata_init(self: Any, *args: Any, bind: Any = None, **kwargs: Any) -> None:
        real_metadata_init(self, *args, **kwargs)
        if bind is not None:
            used("MetaData(bind=...)")
            self.bind = bind

    def table_new(cls: Any, *args: Any, **kwargs: Any) -> Any:
        # Table(name, metadata, autoload=True): reflected through the metadata's bind (MetaData(bind=...)).
        if "autoload" in kwargs:
            autoload = kwargs.pop("autoload")
            bind = getattr(args[1], "bind", None) if len(args) > 1 else None
            used("Table(..., autoload=True)")
            if autoload and bind is not None and kwargs.get("autoload_with") is None:
                kwargs["autoload_with"] = bind
        return real_table_new(cls, *args, **kwargs)

    def reflect(self: Any, bind: Any = None, *args: Any, **kwargs: Any) -> Any:
        if bind is None and getattr(self, "bind", None) is not None:
            used("MetaData(bind=...).reflect()")
            bind = self.bind
        return real_reflect(self, bind, *args, **kwargs)

    def execute(self: Any, statement: Any, *multiparams: Any, **kwargs: Any) -> Any:
        options = kwargs.pop("execution_options", None)
        parameters = kwargs.pop("parameters", None)
        if kwargs:
            used("execute(statement, name=value)")
            parameters = {**(parameters or {}), **kwargs}
        if len(multiparams) > 1:
            used("execute(statement, {...}, {...})")
            parameters = list(multiparams)
        elif multiparams:
            parameters = multiparams[0]
        if isinstance(statement, str):
            used("plain SQL string in Connection.execute()")
            return self.exec_driver_sql(statement, parameters or (), execution_options=options)
        arguments = {"execution_options": options} if options is not None else {}
        return real_execute(self, statement, parameters, **arguments)

    def session_execute(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(statement, str):
            used("plain SQL string in Session.execute()")
            statement = sa.text(statement)
        return real_session_execute(self, statement, *args, **kwargs)

    import sqlalchemy.engine

    # 1.4's legacy result classes, mostly named in annotations and isinstance checks: 2.x's own classes.
    legacy = {"LegacyCursorResult": "CursorResult", "LegacyRow": "Row", "ResultProxy": "CursorResult",
              "RowProxy": "Row"}

    def engine_attribute(name: str) -> Any:
        if name in legacy:
            used(f"sqlalchemy.engine.{name}")
            return getattr(sqlalchemy.engine, legacy[name])
        raise AttributeError(f"module 'sqlalchemy.engine' has no attribute {name!r}")

    return [
        *([(sqlalchemy.engine, "__getattr__", engine_attribute)] if "__getattr__" not in vars(sqlalchemy.engine)
          else []),
        *[(module, "select", select) for module in (sa, sqlalchemy.sql, sqlalchemy.sql.expression, sqlalchemy.future)],
        *[(module, "case", case) for module in (sa, sqlalchemy.sql, sqlalchemy.sql.expression)],
        (sa.MetaData, "__init__", metadata_init),
        (sa.MetaData, "reflect", reflect),
        (sa.Table, "_new", classmethod(table_new)),
        (Connection, "execute", execute),
        (Session, "execute", session_execute),
    ]


def _patches_for_2x_idioms() -> list[Patch]:
    """Under SQLAlchemy 1.4: the 2.0 names revisions written for 2.x commonly use."""
    import sqlalchemy.orm
    import sqlalchemy.types
    from sqlalchemy.dialects import postgresql

    def type_shim(name: str, base: type) -> type:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            used(f"sa.{name}")
            kwargs.pop("native_uuid", None)
            base.__init__(self, *args, **kwargs)  # type: ignore[misc]

        return type(name, (base,), {"__init__": __init__, "__module__": base.__module__})

    uuid = type_shim("Uuid", postgresql.UUID)
    double = type_shim("Double", postgresql.DOUBLE_PRECISION)
    patches: list[Patch] = []
    for module in (sa, sqlalchemy.types):
        patches += [(module, "Uuid", uuid), (module, "UUID", type_shim("UUID", postgresql.UUID)),
                    (module, "Double", double), (module, "DOUBLE", type_shim("DOUBLE", postgresql.DOUBLE_PRECISION)),
                    (module, "DOUBLE_PRECISION", type_shim("DOUBLE_PRECISION", postgresql.DOUBLE_PRECISION))]
    patches = [(owner, name, value) for owner, name, value in patches if not hasattr(owner, name)]
    if not hasattr(sqlalchemy.orm, "DeclarativeBase"):
        patches.append((sqlalchemy.orm, "DeclarativeBase", _declarative_base_shim()))
    if not hasattr(sqlalchemy.orm, "mapped_column"):
        patches.append((sqlalchemy.orm, "mapped_column", _mapped_column))
    return patches


def _mapped_column(*args: Any, **kwargs: Any) -> Any:
    used("mapped_column()")
    for option in ("init", "repr", "default_factory", "compare", "kw_only", "sort_order", "insert_default"):
        kwargs.pop(option, None)
    return sa.Column(*args, **kwargs)


def _declarative_base_shim() -> type:
    """``class Base(DeclarativeBase)``: the direct subclass becomes a 1.4 declarative base (same metadata)."""
    from sqlalchemy.orm import registry

    class _Meta(type):
        def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kw: Any) -> Any:
            if not bases:
                return super().__new__(mcls, name, bases, namespace)
            used("DeclarativeBase")
            base = registry(metadata=namespace.get("metadata")).generate_base(name=name)
            for key, value in namespace.items():
                if not key.startswith("__") and key != "metadata":
                    setattr(base, key, value)
            return base

    return _Meta("DeclarativeBase", (), {})


# Names that exist in only one major: the load error of a revision that uses one says which version it needs.
_ONLY_IN_1X = ("Binary", "RowProxy", "ResultProxy", "LegacyRow", "LegacyCursorResult")
_ONLY_IN_2X = ("DeclarativeBase", "DeclarativeBaseNoMeta", "MappedAsDataclass", "mapped_column", "Uuid",
               "Double", "DOUBLE", "DOUBLE_PRECISION", "UUID", "insert_sentinel", "TupleType", "Commit",
               "WriteOnlyMapped", "DynamicMapped", "MappedSQLExpression")


def explain(failure: BaseException, message: str) -> str:
    """``message`` for a load error, with the SQLAlchemy version the failing idiom needs when it is one the
    other major has (and no shim covers)."""
    if not isinstance(failure, (AttributeError, ImportError, TypeError, sa.exc.ArgumentError)):
        return message
    text = str(failure)
    if MAJOR < 2:
        names = [name for name in _ONLY_IN_2X if f"'{name}'" in text]
        if names and "sqlalchemy" in text:
            return (f"{message} ({names[0]} is SQLAlchemy 2.0 API; SQLAlchemy {VERSION} is installed: run migsafe "
                    "in an environment with the SQLAlchemy this project uses)")
        return message
    removed = ("unexpected keyword argument 'bind'", "named <dialectname>_<argument>, got 'autoload'",
               "'Engine' object has no attribute 'execute'", "'MetaData' object has no attribute 'bind'",
               "Textual SQL expression", "expected, got [")
    if any(marker in text for marker in removed) or (
            "sqlalchemy" in text and any(f"'{name}'" in text for name in _ONLY_IN_1X)):
        return (f"{message} (a SQLAlchemy 1.x idiom that migsafe cannot shim: this revision needs SQLAlchemy < 2.0, "
                f"SQLAlchemy {VERSION} is installed; run migsafe in the project's own environment)")
    return message
