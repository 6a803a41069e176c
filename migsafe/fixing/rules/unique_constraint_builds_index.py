"""unique-constraint-builds-index: build the unique index concurrently in an autocommit block, then attach it
with ``ADD CONSTRAINT ... UNIQUE USING INDEX`` (ACCESS EXCLUSIVE for a moment: no build) after a lock_timeout.

A PRIMARY KEY only when the schema model knows its columns are NOT NULL already: ``USING INDEX`` sets them
NOT NULL, which scans the table otherwise.
"""

from __future__ import annotations

from pglast import ast, enums

from migsafe.fixing import Fix, FixContext
from migsafe.fixing.autocommit import drop_index_if_exists
from migsafe.fixing.rewrite import Edit, rewrite, single_node
from migsafe.fixing.source import RevisionSource, autocommit_block, execute_statement
from migsafe.fixing.sql_literal import identifier, relation
from migsafe.report import Finding

RULE = "unique-constraint-builds-index"


def fix(source: RevisionSource, finding: Finding, context: FixContext) -> str | None:
    node = single_node(finding.sql)
    command = node.cmds[0] if isinstance(node, ast.AlterTableStmt) and len(node.cmds or ()) == 1 else None
    constraint = command.def_ if command is not None else None
    if not isinstance(constraint, ast.Constraint) or command.subtype != enums.AlterTableType.AT_AddConstraint:
        return "not a single ALTER TABLE ... ADD CONSTRAINT"
    kind = {enums.ConstrType.CONSTR_UNIQUE: "UNIQUE", enums.ConstrType.CONSTR_PRIMARY: "PRIMARY KEY"}.get(
        constraint.contype)
    if kind is None:
        return "not a UNIQUE or PRIMARY KEY constraint"
    if kind == "PRIMARY KEY" and ("columns-not-null", "yes") not in finding.facts:
        return ("a PRIMARY KEY USING INDEX sets its columns NOT NULL, a full scan unless they already are, and "
                "they are not known to be: make them NOT NULL first (set-not-null), then run --fix again")
    if not constraint.conname or not constraint.keys:
        return "the constraint has no name (or no columns) to build its index by"
    if (constraint.including or constraint.options or constraint.indexspace or constraint.deferrable
            or getattr(constraint, "nulls_not_distinct", False) or constraint.where_clause is not None):
        return "the constraint has options (INCLUDE, WITH, DEFERRABLE, NULLS NOT DISTINCT...) to carry over by hand"
    done = rewrite(source, finding, Edit(op_names=frozenset({"create_unique_constraint", "create_primary_key"})))
    if isinstance(done, str):
        return done
    if done.located.in_autocommit:
        return "the ADD CONSTRAINT runs in an autocommit block already"
    name = constraint.conname
    table = relation(node.relation)
    columns = ", ".join(identifier(key.sval) for key in constraint.keys)
    quote = done.quote
    build = execute_statement(f"CREATE UNIQUE INDEX CONCURRENTLY {identifier(name)} ON {table} ({columns})", quote)
    attach = [
        execute_statement(f"SET LOCAL lock_timeout = '{context.lock_timeout}'", quote,
                          comment=f"{RULE}: attaching the built index takes ACCESS EXCLUSIVE, for a moment"),
        execute_statement(f"ALTER TABLE {table} ADD CONSTRAINT {identifier(name)} {kind} USING INDEX "
                          f"{identifier(name)}", quote),
    ]
    block = autocommit_block([drop_index_if_exists(name, node.relation.schemaname, quote, RULE), build],
                             done.located.node.leading_lines)
    source.replace_statement(done.located.node, [block, *attach])
    return None


FIX = Fix(rule=RULE, statement=fix)
