"""Alembic ``Operations`` subclasses that tell the recorder which operation is running.

Every ``op.*`` call goes through :meth:`Operations.invoke`; wrapping it is enough to know, for each emitted
statement, which operation (and so which source line) produced it. Batch blocks queue their operations and
emit SQL when the block exits, so the batch implementation remembers which queued entry came from which
``batch_op.*`` call.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

import sqlalchemy as sa
from alembic.operations import BatchOperations, Operations
from alembic.operations.batch import BatchOperationsImpl
from alembic.operations.ops import BulkInsertOp, ExecuteSQLOp
from sqlalchemy.types import UserDefinedType

if TYPE_CHECKING:
    from migsafe.recording.tracking import OperationTracker


def operation_name(operation: Any) -> str:
    name = type(operation).__name__
    name = re.sub(r"Op$", "", name)
    name = {"ExecuteSQL": "Execute"}.get(name, name)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_NAME_ATTRIBUTES = ("constraint_name", "index_name")


def _is_stand_in(value: Any) -> bool:
    from migsafe.recording.stubs import StubBase, _StubMeta

    return isinstance(value, (StubBase, _StubMeta))


def _stand_in_table_name(value: Any) -> str | None:
    """The table a stand-in given to ``op.bulk_insert`` most likely is: ``tables.accesstokenkind`` (a project
    whose env.py passes its metadata's tables to upgrade()) names it; ``Model.__table__`` names the model,
    whose table is named the usual SQLAlchemy way."""
    from migsafe.recording.stubs import _StubMeta, table_name_for

    name = (value if isinstance(value, _StubMeta) else type(value)).__stub_name__
    head, _, last = re.sub(r"(\(\)|\[\])+$", "", name).rpartition(".")
    if last.startswith("__") and head:
        return table_name_for(head)
    return last or None


def _name_stand_in_names(operation: Any) -> None:
    """A constraint or index named by application code that is a stand-in here (``naming_convention["fk"] %
    {...}`` from a module that is not installed) rendered as the stand-in's dotted path, which no parser reads:
    the statement became an unparsed note and its lock was never checked. Name it ``"naming_convention(...)"``
    (quoted): messages show it was computed by application code, and findings do not depend on a name."""
    from migsafe.recording.stubs import StubBase, _StubMeta, standin_type_name

    for attribute in _NAME_ATTRIBUTES:
        value = getattr(operation, attribute, None)
        if isinstance(value, (StubBase, _StubMeta)):
            bare, _ = standin_type_name(value if isinstance(value, _StubMeta) else type(value))
            setattr(operation, attribute, sa.sql.elements.quoted_name(f"{bare}(...)", quote=True))


_TYPE_SLOTS = frozenset({"item_type", "impl", "impl_instance"})


def _stand_in_argument(type_: Any) -> str | None:
    """The dotted name of a stand-in among a real type's arguments (``sa.String(length=db_const.NAME_SIZE)`` with
    the constants' module not installed), looking into an ARRAY's item type; None when there is none."""
    from migsafe.recording.stubs import StubBase, UnknownType, _StubMeta

    if not isinstance(type_, sa.types.TypeEngine) or isinstance(type_, (StubBase, UnknownType)):
        return None
    for attribute, value in vars(type_).items():
        if attribute in _TYPE_SLOTS:
            # A stand-in there is a type (``sa.ARRAY(app.Label())``, a TypeDecorator's ``impl``): it renders
            # as an unknown type of its own.
            if isinstance(value, sa.types.TypeEngine) and not isinstance(value, StubBase):
                found = _stand_in_argument(value)
                if found is not None:
                    return found
            continue
        if isinstance(value, (StubBase, _StubMeta)):
            return (value if isinstance(value, _StubMeta) else type(value)).__stub_name__
        if isinstance(value, sa.types.TypeEngine):
            found = _stand_in_argument(value)
            if found is not None:
                return found
    return None


def _unknown_for_stand_in_argument(type_: Any) -> Any:
    """A real type given a stand-in argument rendered it into the SQL (``VARCHAR(neutron_lib.db.constants...)``,
    or a TypeError under SQLAlchemy 1.4), which no parser reads: the statement became an unparsed note and the
    table it created never entered the schema model. Its SQL type is unknown here (the length is the
    application's), so it becomes an unknown type that renders as a quoted name, like a stand-in type:
    ``"VARCHAR(PROJECT_ID_FIELD_SIZE)"``, known to the rules as ``String(length=neutron_lib.db.constants...)``."""
    from migsafe.recording.stubs import UnknownType

    dotted = _stand_in_argument(type_)
    if dotted is None:
        return type_
    last = re.sub(r"(\(\)|\[\])+$", "", dotted).rsplit(".", 1)[-1]
    try:  # SQLAlchemy 2 writes the stand-in's dotted name where the length goes
        name = str(type_.compile(dialect=_plain_dialect())).replace(dotted, last)
    except Exception:  # noqa: BLE001 - SQLAlchemy 1.4 formats the length with %d: the type's bare SQL name
        try:
            name = f"{type(type_)().compile(dialect=_plain_dialect())}({last})"
        except Exception:  # noqa: BLE001 - a name for messages only
            name = f"{type(type_).__name__.upper()}({last})"
    if len(name.encode("utf-8")) > _MAX_IDENTIFIER:  # PostgreSQL's parser cuts longer names (then no lookup)
        name = name.encode("utf-8")[:_MAX_IDENTIFIER].decode("utf-8", "ignore")
    return UnknownType(name, f"{type(type_).__name__}({dotted})")


_MAX_IDENTIFIER = 63  # NAMEDATALEN - 1


def _plain_dialect() -> Any:
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()


def _replace_stand_in_arguments(operation: Any) -> None:
    """Give every column type of the operation that has a stand-in argument an unknown type instead (see
    :func:`_unknown_for_stand_in_argument`): CREATE TABLE's columns, ADD COLUMN's, ALTER COLUMN's types."""
    columns = []
    for name in ("columns", "column"):
        value = getattr(operation, name, None)
        if isinstance(value, (list, tuple)):
            columns.extend(value)
        elif value is not None:
            columns.append(value)
    for column in columns:
        if isinstance(column, sa.Column) and _stand_in_argument(column.type) is not None:
            column.type = _unknown_for_stand_in_argument(column.type)
    for name in ("modify_type", "existing_type"):
        value = getattr(operation, name, None)
        if value is not None and _stand_in_argument(value) is not None:
            setattr(operation, name, _unknown_for_stand_in_argument(value))
    kw = getattr(operation, "kw", None)
    if isinstance(kw, dict) and kw.get("existing_type") is not None \
            and _stand_in_argument(kw["existing_type"]) is not None:
        kw["existing_type"] = _unknown_for_stand_in_argument(kw["existing_type"])


class _RecordingMixin:
    _recorder: "OperationTracker"

    def invoke(self, operation: Any) -> Any:
        if isinstance(operation, BulkInsertOp) and _is_stand_in(operation.table):
            name = _stand_in_table_name(operation.table)
            if name is None or not self._recorder.known_table(name):
                with self._recorder.operation("bulk_insert", operation):
                    self._recorder.application_statement("bulk_insert", operation.table, "rows into a table")
                return None
            keys = sorted({key for row in operation.rows or () if isinstance(row, dict) for key in row})
            operation.table = sa.table(name, *(sa.column(key) for key in keys))
        if isinstance(operation, ExecuteSQLOp) and _is_stand_in(operation.sqltext):
            with self._recorder.operation("execute", operation):
                self._recorder.application_statement("execute", operation.sqltext, "a statement")
            return None
        if isinstance(operation, BulkInsertOp) and self.migration_context.as_sql:  # type: ignore[attr-defined]
            _type_untyped_columns(operation)
        _name_stand_in_names(operation)
        _replace_stand_in_arguments(operation)
        with self._recorder.operation(operation_name(operation), operation, batch=self._batch_info()):
            return super().invoke(operation)  # type: ignore[misc]

    def _batch_info(self) -> Any:
        return None

    def get_bind(self) -> Any:
        return self._recorder.bind()


class RecordingOperations(_RecordingMixin, Operations):
    def __init__(self, migration_context: Any, recorder: "OperationTracker") -> None:
        super().__init__(migration_context)
        self._recorder = recorder

    def __getattr__(self, name: str) -> Any:
        """``op.<name>`` that Alembic does not know: a plugin operation. Known plugins are recorded as the SQL
        they emit; any other is recorded as an unknown operation instead of failing the revision."""
        if name.startswith("_"):
            raise AttributeError(name)
        from migsafe.recording.plugins import OPERATIONS

        handler = OPERATIONS.get(name)
        recorder = self._recorder

        def call(*args: Any, **kwargs: Any) -> None:
            with recorder.operation(name, None):
                if handler is not None:
                    handler(self, args, kwargs)
                else:
                    recorder.unknown_operation(name)

        return call

    @contextmanager
    def batch_alter_table(  # type: ignore[override]
        self,
        table_name: str,
        schema: str | None = None,
        recreate: str = "auto",
        partial_reordering: Any = None,
        copy_from: sa.Table | None = None,
        table_args: tuple[Any, ...] = (),
        table_kwargs: Any = None,
        reflect_args: tuple[Any, ...] = (),
        reflect_kwargs: Any = None,
        naming_convention: Any = None,
    ) -> Iterator[BatchOperations]:
        # Same as Operations.batch_alter_table, with our batch classes; and for recreate="always", which needs
        # reflection Alembic cannot do offline, the table comes from the schema model.
        recorder = self._recorder
        with recorder.operation("batch_alter_table", None, batch=(table_name, recreate == "always")) as owner:
            pass
        impl = RecordingBatchImpl(
            self, table_name, schema, recreate, copy_from, table_args, dict(table_kwargs or {}), reflect_args,
            dict(reflect_kwargs or {}), naming_convention, partial_reordering,
        )
        impl.owner = owner
        batch_op = RecordingBatchOperations(self.migration_context, impl=impl)
        batch_op._recorder = recorder
        yield batch_op
        if recreate == "always" and copy_from is None:
            impl.copy_from = recorder.table_for_batch(table_name, schema, impl.batch)
        impl.flush()


class RecordingBatchOperations(_RecordingMixin, BatchOperations):
    impl: "RecordingBatchImpl"

    def _batch_info(self) -> Any:
        return (self.impl.table_name, self.impl.recreate == "always")

    def invoke(self, operation: Any) -> Any:
        _name_stand_in_names(operation)
        _replace_stand_in_arguments(operation)
        before = len(self.impl.batch)
        with self._recorder.operation(operation_name(operation), operation, batch=self._batch_info()) as rec:
            result = BatchOperations.invoke(self, operation)
        self.impl.owners.extend([rec] * (len(self.impl.batch) - before))
        return result


class RecordingBatchImpl(BatchOperationsImpl):
    owner: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners: list[Any] = []

    def flush(self) -> None:
        recorder = self.operations._recorder
        if self._should_recreate():
            # The whole copy-and-swap belongs to the `with op.batch_alter_table(...)` line.
            with recorder.attributed(self.owner, source="batch"):
                super().flush()
            recorder.after_batch_recreate(self.table_name, self.schema)
            return
        for (opname, args, kwargs), owner in zip(self.batch, self.owners):
            with recorder.attributed(owner, source="op"):
                getattr(self.operations.impl, opname)(*args, **kwargs)


def _type_untyped_columns(operation: Any) -> None:
    """``op.bulk_insert`` into ``sa.table("t", sa.column("x"))`` works online, but offline Alembic renders the
    values as literals and an untyped column has no literal renderer. Give such columns the type of the
    values the revision inserts, as the database would infer it."""
    from sqlalchemy.types import NullType

    table = getattr(operation, "table", None)
    rows = getattr(operation, "rows", None) or []
    for column in getattr(table, "c", ()):
        if not isinstance(column.type, NullType):
            continue
        sample = next((row[column.key] for row in rows if isinstance(row, dict)
                       and row.get(column.key) is not None), None)
        column.type = _type_for(sample)


def _type_for(value: Any) -> Any:
    import datetime
    import decimal

    if isinstance(value, bool):
        return sa.Boolean()
    if isinstance(value, int):
        return sa.BigInteger()
    if isinstance(value, float):
        return sa.Float()
    if isinstance(value, decimal.Decimal):
        return sa.Numeric()
    if isinstance(value, datetime.datetime):
        return sa.DateTime()
    if isinstance(value, datetime.date):
        return sa.Date()
    if isinstance(value, (dict, list)):
        return sa.JSON()
    return sa.String()


class RawType(UserDefinedType):
    """A column type known only by its SQL spelling (from the schema model)."""

    cache_ok = True

    def __init__(self, spelling: str) -> None:
        self.spelling = spelling

    def get_col_spec(self, **kw: Any) -> str:
        return self.spelling


def _share_proxy_setup() -> None:
    # `alembic.op` is filled in by Operations._install_proxy(), which looks its module list up by the exact
    # class. Register our subclass under the same entry so the standard proxy mechanism serves it.
    from alembic.util.langhelpers import ModuleClsProxy

    ModuleClsProxy._setups[RecordingOperations] = ModuleClsProxy._setups[Operations]


_share_proxy_setup()
