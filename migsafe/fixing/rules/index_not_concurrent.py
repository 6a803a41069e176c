"""index-not-concurrent: ``CREATE INDEX CONCURRENTLY`` in an autocommit block, after dropping an INVALID leftover."""

from __future__ import annotations

from functools import partial

from migsafe.fixing import Fix
from migsafe.fixing.concurrently import ConcurrentForm, make_concurrent

FIX = Fix(rule="index-not-concurrent", statement=partial(make_concurrent, form=ConcurrentForm(
    rule="index-not-concurrent", op_names=frozenset({"create_index"}), keyword_after=("INDEX",))))
