"""missing-lock-timeout: ``SET LOCAL lock_timeout`` at the start of each transaction of ``upgrade()``.

A revision fix: it runs after the statement fixes of the file, which may have moved statements into autocommit
blocks. ``SET LOCAL`` ends with its transaction, and every autocommit block ends one, so the setting is
repeated at the start of each run of statements after a block.
"""

from __future__ import annotations

import libcst as cst

from migsafe.fixing import Fix, FixContext
from migsafe.fixing.source import RevisionSource, execute_statement, is_autocommit_block
from migsafe.report import Finding

_COMMENT = "missing-lock-timeout: give up instead of queueing every query on the table behind a lock wait"


def fix(source: RevisionSource, findings: list[Finding], context: FixContext) -> str | None:
    if context.transaction_model == "none":
        return ("revisions run outside a transaction (transactional_ddl=False), where SET LOCAL does not last: "
                "set lock_timeout for the connection in env.py instead")
    upgrade = source.upgrade()
    if upgrade is None or not isinstance(upgrade.body, cst.IndentedBlock):
        return "no upgrade() function with a body of its own"
    _bound_inside_autocommit_blocks(source, findings, context.lock_timeout)
    upgrade = source.upgrade()
    assert upgrade is not None and isinstance(upgrade.body, cst.IndentedBlock)
    setting = f"SET LOCAL lock_timeout = '{context.lock_timeout}'"
    body: list[cst.BaseStatement] = []
    starts_transaction = True
    for statement in upgrade.body.body:
        if is_autocommit_block(statement):
            starts_transaction = True
        elif starts_transaction and not _docstring(statement, first=not body):
            # A transaction an earlier --fix already started with the setting keeps it as it is.
            if "lock_timeout" not in source.module.code_for_node(statement):
                body.append(execute_statement(setting, "\"", comment=_COMMENT))
            starts_transaction = False
        body.append(statement)
    source.replace(upgrade.body, upgrade.body.with_changes(body=body))
    return None


def _bound_inside_autocommit_blocks(source: RevisionSource, findings: list[Finding], timeout: str) -> None:
    """A statement the finding cites inside ``autocommit_block()`` runs in a transaction of its own, where
    ``SET LOCAL`` would end with the SET itself: there the session gets the setting just before it and loses
    it just after (``DETACH PARTITION ... CONCURRENTLY`` takes ACCESS EXCLUSIVE on the partition in its second
    phase; if that times out, the partition is left "detach pending" and ``ALTER TABLE ... DETACH PARTITION
    ... FINALIZE`` completes it, as docs/fix.md says). Bottom-up, so the lines of the rest still hold."""
    for finding in sorted(findings, key=lambda f: f.line, reverse=True):
        located = source.statement_at(finding.line)
        if located is None or not located.in_autocommit:
            continue
        code = source.module.code_for_node(located.node)
        if "lock_timeout" in code:
            continue
        source.replace_statement(located.node, [
            execute_statement(f"SET lock_timeout = '{timeout}'", "\"", comment=_SESSION_COMMENT),
            located.node,
            execute_statement("RESET lock_timeout", "\""),
        ])


_SESSION_COMMENT = ("missing-lock-timeout: for this statement only (outside a transaction SET LOCAL would not "
                    "last)")


def _docstring(statement: cst.BaseStatement, first: bool) -> bool:
    return (first and isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr) and isinstance(statement.body[0].value,
                                                                         (cst.SimpleString, cst.ConcatenatedString)))


FIX = Fix(rule="missing-lock-timeout", revision=fix)
