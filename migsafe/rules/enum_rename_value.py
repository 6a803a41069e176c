"""enum-rename-value: ``ALTER TYPE ... RENAME VALUE`` on an enum the running application already uses.

The rename is instant and takes no table lock, which is what makes it tempting. But the old label stops
existing the moment it commits: the old release still sends it in INSERTs, UPDATEs and WHERE clauses, and
PostgreSQL refuses those ("invalid input value for enum"); reading goes wrong too, because SQLAlchemy's
``Enum`` raises LookupError on a label it was not told about. There is no deploy order without an error
window, so this is a warning like rename-column.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="enum-rename-value",
    severity="warning",
    summary="Renaming an enum label breaks application code that still reads or writes the old label",
    fix="Add the new label instead (`ALTER TYPE ... ADD VALUE` in `op.get_context().autocommit_block()`), deploy "
        "code that reads both and writes the new one, then move existing rows over in batches; leave the old "
        "label unused in the type.",
)


def _created_in_this_deploy(view: RevisionView, statement: Statement, enum: A.QName) -> bool:
    """A type created by a revision shipping with this one: no running code knows its labels yet."""
    known = statement.enums_before.get(enum)
    if known is None:
        return False
    return view.made_in_this_deploy(known.created_in)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.RenameEnumValue):
        if _created_in_this_deploy(view, statement, action.type):
            continue
        yield view.hit(
            statement,
            f"renames label {action.old!r} of enum type {action.type} to {action.new!r}: no table lock and no "
            f"rewrite, but running code that still writes or filters on {action.old!r} fails with 'invalid input "
            f"value for enum {action.type.name}: \"{action.old}\"', and SQLAlchemy code loading a row that now "
            f"says {action.new!r} raises LookupError, until the new release is deployed",
            key=("enum-label", action.type, action.old),
        )
