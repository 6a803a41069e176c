"""detach-partition-not-concurrent: ``DETACH PARTITION ... CONCURRENTLY`` (PostgreSQL 14+) in an autocommit block."""

from __future__ import annotations

from functools import partial

from migsafe.fixing import Fix
from migsafe.fixing.concurrently import ConcurrentForm, make_concurrent

FIX = Fix(rule="detach-partition-not-concurrent", statement=partial(make_concurrent, form=ConcurrentForm(
    rule="detach-partition-not-concurrent", keyword_after=("$END",), min_pg=14)))
