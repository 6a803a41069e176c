"""bare-commit: a ``COMMIT`` followed only by statements that must run outside a transaction (CONCURRENTLY
builds and drops, ``ADD VALUE``, ``VACUUM``) becomes an autocommit block holding them: Alembic then ends its
transaction itself and opens the next one, and records the revision properly.

Anything else after the COMMIT needs a transaction, and where to put it is a decision: left alone with a note.
"""

from __future__ import annotations

import libcst as cst
from pglast import ast, enums

from migsafe.fixing import Fix, FixContext
from migsafe.fixing.rewrite import Edit, rewrite, single_node
from migsafe.fixing.source import RevisionSource, autocommit_block, is_autocommit_block
from migsafe.fixing.sql_literal import sql_literal
from migsafe.report import Finding
from migsafe.sql import actions as A
from migsafe.sql.analysis import parse

RULE = "bare-commit"


def fix(source: RevisionSource, finding: Finding, context: FixContext) -> str | None:
    node = single_node(finding.sql)
    if not isinstance(node, ast.TransactionStmt) or node.kind != enums.TransactionStmtKind.TRANS_STMT_COMMIT:
        return "only a COMMIT sent as SQL is rewritten (a ROLLBACK, or commit() on the connection, needs a decision)"
    done = rewrite(source, finding, Edit())
    if isinstance(done, str):
        return done
    after = source.following(done.located.node)
    if not after:
        return "nothing follows the COMMIT in its block"
    inner: list[cst.BaseStatement] = []
    for statement in after:
        if is_autocommit_block(statement) and isinstance(statement, cst.With):
            inner.extend(statement.body.body)  # type: ignore[union-attr]
        elif _outside_only(statement):
            inner.append(statement)
        else:
            return ("statements after the COMMIT need a transaction: move the ones that cannot run in one into "
                    "`with op.get_context().autocommit_block():` by hand")
    inner[0] = inner[0].with_changes(leading_lines=())  # type: ignore[call-arg]
    source.replace_from(done.located.node, [autocommit_block(inner, done.located.node.leading_lines)])
    return None


def _outside_only(statement: cst.BaseStatement) -> bool:
    """A statement PostgreSQL refuses (or that is pointless) inside a transaction block."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    call = small.value if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) else None
    if call is None:
        return False
    if any(arg.keyword is not None and arg.keyword.value == "postgresql_concurrently"
           and isinstance(arg.value, cst.Name) and arg.value.value == "True" for arg in call.args):
        return True
    literal = sql_literal(call)
    statements = parse(literal.value) if literal is not None else []
    return len(statements) == 1 and (isinstance(statements[0].node, ast.VacuumStmt) or any(
        isinstance(action, A.AddEnumValue) or getattr(action, "concurrently", False)
        for action in statements[0].actions))


FIX = Fix(rule=RULE, statement=fix)
