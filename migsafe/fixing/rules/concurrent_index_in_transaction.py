"""concurrent-index-in-transaction: the CONCURRENTLY statement moves into an autocommit block as it is."""

from __future__ import annotations

from functools import partial

from migsafe.fixing import Fix
from migsafe.fixing.autocommit import AutocommitForm, into_autocommit_block

FIX = Fix(rule="concurrent-index-in-transaction", statement=partial(into_autocommit_block, form=AutocommitForm(
    rule="concurrent-index-in-transaction", op_names=frozenset({"create_index", "drop_index"}))))
