"""Every rule is documented, and the documentation is reachable from the command line."""

from __future__ import annotations

import re

import pytest

from migsafe.docs import rule_doc
from migsafe.replay.reconcile import REPLAY_RULES
from migsafe.rules import all_rules

REQUIRED_SECTIONS = ("## What goes wrong", "## What PostgreSQL does", "## Safe way in Alembic")


@pytest.mark.parametrize("rule", all_rules() + REPLAY_RULES, ids=lambda r: r.id)
def test_rule_has_a_complete_docs_page(rule):
    text = rule_doc(rule.id)
    assert text is not None, f"docs/rules/{rule.id}.md is missing"
    assert text.startswith(f"# {rule.id}\n")
    for section in REQUIRED_SECTIONS:
        assert section in text, f"{rule.id}: missing section {section!r}"
    assert "```python" in text, f"{rule.id}: the safe recipe needs an Alembic code example"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_declaration_is_complete(rule):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id)
    assert rule.severity in ("error", "warning", "info")
    assert rule.summary and rule.fix
    assert rule.function is not None
