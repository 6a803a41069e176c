"""rename-table: renaming a table that running application code still queries under its old name."""

from __future__ import annotations

from typing import Iterator

from pglast import ast

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.drop_table import created_in_this_deploy, named_in_this_deploy
from migsafe.sql import actions as A

RULE = Rule(
    id="rename-table",
    severity="warning",
    summary="Renaming a table breaks application code that still uses the old name",
    fix="In the same migration, rename the table and create a view with the old name "
        "(op.execute('CREATE VIEW old AS SELECT * FROM new')), so running code keeps working through it; "
        "drop the view in a later release.",
)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.RenameTable):
        if statement.operation.batch_recreate:
            # Alembic's copy-and-swap renames its temporary table to the real name: not a user's rename.
            continue
        if created_in_this_deploy(view, statement, action.table) or named_in_this_deploy(view, statement, action.table):
            continue
        if _old_name_kept_as_view(view, statement, action.table):
            continue
        if _old_name_recreated(view, statement, action.table):
            # Other sessions never see the name missing: at commit they find the new table under it.
            yield view.hit(
                statement,
                f"renames table {action.table} to {action.new_name!r} and creates a new {action.table} in the same "
                f"transaction: running code keeps finding {action.table}, but it is the new table, with its "
                "columns and only the rows this migration copies into it; a brief ACCESS EXCLUSIVE lock (no "
                "rewrite)",
                key=("table", action.table),
                fix="Make sure the release that runs during the deploy works with the new table's columns, or "
                    "keep the old table under its name and move the data in a later release.",
            )
            continue
        yield view.hit(
            statement,
            f"renames table {action.table} to {action.new_name!r}: a brief ACCESS EXCLUSIVE lock (no rewrite), "
            f"but running code that still queries {action.table} fails with 'relation does not exist' until the "
            "new release is deployed",
            key=("table", action.table),
            fix=_fix(action),
        )


def _fix(action: A.RenameTable) -> str:
    """The recipe with the real names: a view under the old name keeps old code reading and writing."""
    old, new = action.table, A.QName(action.table.schema, action.new_name)
    schema = "" if old.schema == A.display_default_schema() else f", schema={old.schema!r}"
    return (f"In the same migration, op.rename_table({old.name!r}, {new.name!r}{schema}) and then "
            f"op.execute('CREATE VIEW {old} AS SELECT * FROM {new}') so running code keeps reading and writing "
            "through the view; drop the view in a later release.")


def _old_name_kept_as_view(view: RevisionView, statement: Statement, old: A.QName) -> bool:
    """The safe recipe: a view under the old name, created in the same transaction as the rename, so old
    code never sees the name missing (a simple view is updatable: it keeps writing through it too)."""
    if statement.transaction is not None:
        later = list(view.later_in_transaction(statement))
    else:
        later = view.statements[view.statements.index(statement) + 1:]
    for other in later:
        node = other.node
        if isinstance(node, ast.ViewStmt) and node.view is not None:
            if A.QName(node.view.schemaname or old.schema, node.view.relname) == old:
                return True
    return False


def _old_name_recreated(view: RevisionView, statement: Statement, old: A.QName) -> bool:
    """A new table under the old name, created later in the same transaction (rename the old table away, build
    its replacement, copy the rows): the name never stops resolving for other sessions."""
    if statement.transaction is None:
        return False
    return any(isinstance(action, A.CreateTable) and action.table == old
               for other in view.later_in_transaction(statement) for action in other.actions)
