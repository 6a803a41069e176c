"""enum-add-value-in-transaction: the ``ALTER TYPE ... ADD VALUE`` inside an autocommit block, so the new label
is committed before anything after the block uses it."""

from __future__ import annotations

from functools import partial

from migsafe.fixing import Fix
from migsafe.fixing.autocommit import AutocommitForm, into_autocommit_block

FIX = Fix(rule="enum-add-value-in-transaction", statement=partial(into_autocommit_block, form=AutocommitForm(
    rule="enum-add-value-in-transaction")))
