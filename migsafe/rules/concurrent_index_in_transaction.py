"""concurrent-index-in-transaction: a ``CONCURRENTLY`` command that PostgreSQL will refuse to run.

``CREATE INDEX CONCURRENTLY``, ``DROP INDEX CONCURRENTLY``, ``REINDEX ... CONCURRENTLY`` and ``ALTER TABLE ...
DETACH PARTITION ... CONCURRENTLY`` call
PostgreSQL's ``PreventInTransactionBlock``: inside ``BEGIN`` they fail at once, whatever the table (one created
in the same transaction included). A SQL string holding several statements counts too: PostgreSQL runs a
multi-statement query as one implicit transaction block, even in autocommit mode.
"""

from __future__ import annotations

from typing import Any, Iterator

from pglast import ast

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="concurrent-index-in-transaction",
    severity="error",
    summary="CONCURRENTLY commands (index builds and drops, REINDEX, DETACH PARTITION) cannot run inside a "
            "transaction block: the migration fails",
    fix="Put the operation inside `with op.get_context().autocommit_block():`, one statement per "
        "`op.execute()` call, so it runs on its own outside Alembic's transaction.",
)

_SPLIT_FIX = ("Give each statement its own `op.execute()` call inside "
              "`with op.get_context().autocommit_block():`; a string with several statements is one transaction.")

# What defGetBoolean accepts as false for ``REINDEX (CONCURRENTLY false)``.
_FALSE_WORDS = frozenset({"false", "off", "0", "no"})


def _reindex_concurrently(node: Any) -> bool:
    if not isinstance(node, ast.ReindexStmt):
        return False
    for param in node.params or ():
        if isinstance(param, ast.DefElem) and param.defname == "concurrently":
            arg = param.arg
            if arg is None:
                return True
            value = getattr(arg, "ival", None)
            if value is not None:
                return bool(value)
            return str(getattr(arg, "sval", "true")).lower() not in _FALSE_WORDS
    return False


def _concurrent_commands(statement: Statement) -> Iterator[tuple[str, str, tuple[object, ...]]]:
    """(command as PostgreSQL's error names it, the statement in short, hit key) per CONCURRENTLY part."""
    for action in statement.actions:
        if isinstance(action, A.CreateIndex) and action.concurrently:
            name = f"{action.name.name} " if action.name is not None else ""
            yield ("CREATE INDEX CONCURRENTLY", f"CREATE INDEX CONCURRENTLY {name}ON {action.table}",
                   ("index", action.table, action.name))
        elif isinstance(action, A.DropIndex) and action.concurrently:
            yield "DROP INDEX CONCURRENTLY", f"DROP INDEX CONCURRENTLY {action.name}", ("index", action.name)
        elif isinstance(action, A.DetachPartition) and action.concurrently:
            # PostgreSQL 14+ (checked on 15): "ALTER TABLE ... DETACH CONCURRENTLY cannot run inside a
            # transaction block", in a multi-statement string too.
            yield ("ALTER TABLE ... DETACH CONCURRENTLY",
                   f"ALTER TABLE {action.table} DETACH PARTITION {action.partition} CONCURRENTLY",
                   ("detach", action.table, action.partition))
    node = statement.node
    if _reindex_concurrently(node):
        relation = node.relation
        if relation is not None:
            target = f"{relation.schemaname}.{relation.relname}" if relation.schemaname else relation.relname
        else:
            target = node.name or ""  # REINDEX SCHEMA / DATABASE name
        kind = node.kind.name.removeprefix("REINDEX_OBJECT_")
        yield "REINDEX CONCURRENTLY", f"REINDEX {kind} CONCURRENTLY {target}", ("reindex", target)


def _shares_query_string(view: RevisionView, statement: Statement) -> bool:
    """True when the statement was sent in one ``op.execute()`` / ``bind.execute()`` string with others.

    The recorder gives every such call its own operation record and parses the whole string under it, so
    sibling statements under the same record came from the same query string.
    """
    if statement.source not in ("execute", "bind"):
        return False
    return any(other is not statement and other.operation is statement.operation
               and other.source == statement.source for other in view.statements)


def _which_transaction(view: RevisionView, statement: Statement) -> str:
    """The migration's transaction, or the one opened after a COMMIT earlier in the revision (psycopg 3 opens
    one after ``op.execute("COMMIT")``, SQLAlchemy after ``conn.commit()``): the user thought they had left it."""
    position = next(i for i, other in enumerate(view.statements) if other is statement)
    for earlier in reversed(view.statements[:position]):
        ended = any(isinstance(a, A.Transaction) and a.kind == "commit" for a in earlier.actions)
        if ended and earlier.in_transaction and earlier.transaction != statement.transaction:
            opener = "SQLAlchemy" if earlier.source == "bind" else "the driver"
            return f"the transaction {opener} opened after the COMMIT on line {earlier.line}"
    return "the migration's transaction"


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement in view.statements:
        for command, summary, key in _concurrent_commands(statement):
            # Whether the table is new does not matter: PostgreSQL refuses before it looks at the table.
            if statement.in_transaction:
                yield view.hit(
                    statement,
                    f"{summary} runs inside {_which_transaction(view, statement)}: PostgreSQL refuses it "
                    f"(\"{command} cannot run inside a transaction block\") and the migration fails",
                    key=key,
                )
            elif _shares_query_string(view, statement):
                yield view.hit(
                    statement,
                    f"{summary} is sent in one SQL string with other statements: PostgreSQL runs "
                    f"them as one implicit transaction and refuses it (\"{command} cannot run inside a "
                    "transaction block\"), so the migration fails",
                    key=key,
                    fix=_SPLIT_FIX,
                )
