"""set-not-null (PostgreSQL 12+): prove the column has no NULL with a CHECK validated outside the transaction,
so SET NOT NULL itself skips its full-table scan, then drop the CHECK.

``ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID`` (ACCESS EXCLUSIVE, for a moment: no scan) ->
``VALIDATE CONSTRAINT`` in an autocommit block (SHARE UPDATE EXCLUSIVE: reads and writes go on) -> the
original ``SET NOT NULL`` (ACCESS EXCLUSIVE, for a moment: the valid CHECK proves it) -> ``DROP CONSTRAINT``
(ACCESS EXCLUSIVE, for a moment). The downgrade, which drops NOT NULL, is unchanged.
"""

from __future__ import annotations

from pglast import ast, enums

from migsafe.fixing import Fix, FixContext
from migsafe.fixing.rewrite import Edit, rewrite, single_node
from migsafe.fixing.source import RevisionSource, autocommit_block, execute_statement
from migsafe.fixing.sql_literal import identifier, relation
from migsafe.report import Finding

RULE = "set-not-null"
# alter_column() arguments that only describe the column: with any other (type_, server_default,
# new_column_name...) the call does more than SET NOT NULL and is left alone.
_DESCRIBING = frozenset({"existing_type", "existing_server_default", "existing_nullable", "existing_comment",
                         "schema", "nullable"})


def fix(source: RevisionSource, finding: Finding, context: FixContext) -> str | None:
    if not context.pg_version.at_least(12):
        return f"PostgreSQL {context.pg_version} scans for SET NOT NULL even with a validated CHECK"
    node = single_node(finding.sql)
    if (not isinstance(node, ast.AlterTableStmt) or len(node.cmds or ()) != 1
            or node.cmds[0].subtype != enums.AlterTableType.AT_SetNotNull):
        return "not a single ALTER COLUMN ... SET NOT NULL"
    done = rewrite(source, finding, Edit(op_names=frozenset({"alter_column"})))
    if isinstance(done, str):
        return done
    if done.located.in_autocommit:
        return "the SET NOT NULL runs in an autocommit block already"
    if done.form == "op":
        call = done.located.call
        assert call is not None
        extra = [arg.keyword.value for arg in call.args[2:] if arg.keyword is None
                 or arg.keyword.value not in _DESCRIBING]  # type: ignore[union-attr]
        if extra or len(call.args) < 2:
            return "the alter_column() call changes more than NOT NULL"
    table, column = relation(node.relation), node.cmds[0].name
    check = identifier(f"{node.relation.relname}_{column}_not_null"[:63])
    quote = done.quote
    add = execute_statement(f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({identifier(column)} IS NOT NULL) "
                            "NOT VALID", quote, comment=f"{RULE}: a validated CHECK spares SET NOT NULL its "
                                                        "full-table scan (PostgreSQL 12+)")
    validate = execute_statement(f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}", quote)
    drop = execute_statement(f"ALTER TABLE {table} DROP CONSTRAINT {check}", quote)
    add = add.with_changes(leading_lines=[*done.located.node.leading_lines, *add.leading_lines])
    source.replace_statement(done.located.node, [add, autocommit_block([validate], ()), done.statement, drop])
    return None


FIX = Fix(rule=RULE, statement=fix)
