"""constraint-without-not-valid: ``NOT VALID`` on the ADD, then ``VALIDATE CONSTRAINT`` in an autocommit block
right after it (after the ADD's transaction has committed; it scans under SHARE UPDATE EXCLUSIVE), or, with
``--followup-revision``, in a new revision after the head; a VALIDATE reported for running in the ADD's
transaction moves into an autocommit block."""

from __future__ import annotations

from pglast import ast, enums

from migsafe.fixing import Fix, FixContext
from migsafe.fixing.autocommit import AutocommitForm, into_autocommit_block
from migsafe.fixing.rewrite import Edit, rewrite, single_node
from migsafe.fixing.source import RevisionSource, autocommit_block, execute_statement
from migsafe.fixing.sql_literal import identifier, relation
from migsafe.report import Finding

RULE = "constraint-without-not-valid"
_KINDS = (enums.ConstrType.CONSTR_FOREIGN, enums.ConstrType.CONSTR_CHECK)
_EDIT = Edit(op_names=frozenset({"create_foreign_key", "create_check_constraint"}),
             op_keyword=("postgresql_not_valid", "True"), sql_after=("$END",), sql_text=" NOT VALID")


def fix(source: RevisionSource, finding: Finding, context: FixContext) -> str | None:
    node = single_node(finding.sql)
    if not isinstance(node, ast.AlterTableStmt) or len(node.cmds or ()) != 1:
        return "not a single ALTER TABLE ... ADD CONSTRAINT (an inline REFERENCES or several subcommands)"
    command = node.cmds[0]
    if command.subtype == enums.AlterTableType.AT_ValidateConstraint:
        return into_autocommit_block(source, finding, context, AutocommitForm(rule=RULE))
    constraint = command.def_
    if (command.subtype != enums.AlterTableType.AT_AddConstraint or not isinstance(constraint, ast.Constraint)
            or constraint.contype not in _KINDS):
        return "not a single ALTER TABLE ... ADD CONSTRAINT (an inline REFERENCES or several subcommands)"
    if not constraint.conname:
        return "the constraint has no name to validate it by: name it"
    done = rewrite(source, finding, _EDIT)
    if isinstance(done, str):
        return done
    validate = execute_statement(f"ALTER TABLE {relation(node.relation)} VALIDATE CONSTRAINT "
                                 f"{identifier(constraint.conname)}", done.quote,
                                 comment=f"{RULE}: checks the rows after the ADD has committed, letting "
                                         "reads and writes through")
    if done.located.in_autocommit:
        return "the ADD runs in an autocommit block already: validate it in a later revision"
    added = done.statement.with_changes(leading_lines=done.located.node.leading_lines)
    if context.followup is not None:  # --followup-revision: the VALIDATE goes in a new revision after the head
        context.followup.append(f"ALTER TABLE {relation(node.relation)} VALIDATE CONSTRAINT "
                                f"{identifier(constraint.conname)}")
        source.replace_statement(done.located.node, [added])
        return None
    source.replace_statement(done.located.node, [added, autocommit_block([validate], ())])
    return None


FIX = Fix(rule=RULE, statement=fix)
