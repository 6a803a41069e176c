"""detach-partition-not-concurrent: ``DETACH PARTITION ... CONCURRENTLY`` (PostgreSQL 14+) in an autocommit block."""

from __future__ import annotations

from functools import partial

from migsafe.fixing import Fix
from migsafe.fixing.autocommit import AutocommitForm, into_autocommit_block

FIX = Fix(rule="detach-partition-not-concurrent", statement=partial(into_autocommit_block, form=AutocommitForm(
    rule="detach-partition-not-concurrent", keyword_after=("$END",), min_pg=14)))
