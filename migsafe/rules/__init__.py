"""The rule set. Each module in this package defines one rule (``RULE``), named after its id.

Rules are discovered, not listed: adding ``migsafe/rules/<id with underscores>.py`` adds the rule.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from migsafe.rules.base import Hit, RevisionView, Rule

__all__ = ["Hit", "RevisionView", "Rule", "all_rules", "known_rule_ids", "rules_by_id"]

_NOT_RULES = {"base"}


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    found: list[Rule] = []
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name in _NOT_RULES or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule):
            if rule.id.replace("-", "_") != module_info.name:
                raise RuntimeError(f"rule {rule.id!r} must live in rules/{rule.id.replace('-', '_')}.py")
            found.append(rule)
    return tuple(sorted(found, key=lambda r: r.id))


def rules_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in all_rules()}


def known_rule_ids() -> set[str]:
    """Every id ``select``, ``ignore`` and ``severity`` may name: the static rules, and the findings only
    ``migsafe replay`` reports (``observed-*``, ``migration-failed``; documented in docs/rules/ like the
    others). A review has no use for the replay ids, but one configuration serves both commands."""
    from migsafe.rules._replay_only import REPLAY_RULES

    return set(rules_by_id()) | {rule.id for rule in REPLAY_RULES}
