"""index-not-concurrent: ``CREATE INDEX CONCURRENTLY`` in an autocommit block, after dropping an INVALID leftover."""

from __future__ import annotations

from functools import partial

from migsafe.fixing import Fix
from migsafe.fixing.autocommit import AutocommitForm, into_autocommit_block

FIX = Fix(rule="index-not-concurrent", statement=partial(into_autocommit_block, form=AutocommitForm(
    rule="index-not-concurrent", op_names=frozenset({"create_index"}), keyword_after=("INDEX",))))
