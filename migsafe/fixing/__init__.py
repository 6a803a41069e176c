"""``migsafe review --fix`` / ``--diff``: rewrite findings into their safe Alembic form.

Each fix lives in ``migsafe/fixing/rules/<rule id with underscores>.py`` and declares ``FIX = Fix(...)``: adding
a fix is adding a module, as adding a rule is (migsafe/rules/__init__.py). The package imports libcst, so only
``--fix`` and ``--diff`` import it: a plain review never pays for it.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Optional

from migsafe.config import PgVersion
from migsafe.fixing.source import RevisionSource
from migsafe.report import Finding


@dataclass(frozen=True)
class FixContext:
    """What a fix may need beyond the file and the finding: the target PostgreSQL, how transactions run, and
    the lock_timeout to write."""

    pg_version: PgVersion
    transaction_model: str  # "per-migration", "single" or "none", as the report states it
    lock_timeout: str
    # --followup-revision: the VALIDATE statements for a new revision (None: validate in the same revision).
    followup: list[str] | None = field(default=None, compare=False)


# A statement fix edits the statement of one finding; None when done, else why it left the finding alone.
StatementFix = Callable[[RevisionSource, Finding, FixContext], Optional[str]]
# A revision fix runs once per file, after every statement fix of the file, with all its findings of the rule.
RevisionFix = Callable[[RevisionSource, "list[Finding]", FixContext], Optional[str]]


@dataclass(frozen=True)
class Fix:
    rule: str
    statement: StatementFix | None = None
    revision: RevisionFix | None = None


@lru_cache(maxsize=1)
def all_fixes() -> dict[str, Fix]:
    """Every fix, by rule id."""
    from migsafe.fixing import rules

    found: dict[str, Fix] = {}
    for info in pkgutil.iter_modules(rules.__path__):
        module = importlib.import_module(f"{rules.__name__}.{info.name}")
        fix = getattr(module, "FIX", None)
        if isinstance(fix, Fix):
            if fix.rule.replace("-", "_") != info.name:
                raise RuntimeError(f"the fix for {fix.rule!r} must live in fixing/rules/{fix.rule.replace('-', '_')}.py")
            found[fix.rule] = fix
    return found
