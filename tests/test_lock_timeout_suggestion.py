"""migsafe suggests one lock_timeout everywhere: the rule fixes, the docs' recipes, replay's hints, the samples.

Two different values in two places ("5s" in a fix, "3s" in a recipe) read as if either were arbitrary; the
value and the reasons for it live in one place (``migsafe.pg_locks.SUGGESTED_LOCK_TIMEOUT`` and
docs/rules/missing-lock-timeout.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migsafe.pg_locks import SUGGESTED_LOCK_TIMEOUT, duration_ms
from migsafe.replay.reconcile import REPLAY_RULES
from migsafe.rules import all_rules

ROOT = Path(__file__).resolve().parents[1]

# A lock_timeout value as a suggestion spells it: SQL (`SET [LOCAL] lock_timeout = '2s'`, `TO '2s'`,
# `set_config('lock_timeout', '2s', ...)`), libpq options (`-c lock_timeout=2s`), the configuration key
# (`lock-timeout = "2s"`).
VALUE = re.compile(r"""lock_timeout\s*(?:=|\bTO\b)\s*'(?P<sql>[^']*)'"""
                   r"""|set_config\(\s*'lock_timeout'\s*,\s*'(?P<config>[^']*)'"""
                   r"""|lock_timeout=(?P<option>[^\s"'`)&]+)"""
                   r"""|lock-timeout\s*=\s*"(?P<key>[^"]*)\"""", re.IGNORECASE)


def suggested_values(text: str) -> list[str]:
    """The values written in ``text``; placeholders (``-c lock_timeout=...``, ``{SUGGESTED_LOCK_TIMEOUT}``
    in an f-string) have no digit and are left out."""
    values = [next(v for v in match.groups() if v is not None) for match in VALUE.finditer(text)]
    return [value for value in values if any(c.isdigit() for c in value)]


def _files() -> list[Path]:
    found = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    found += sorted((ROOT / "sample_migrations").rglob("*.py"))
    found += sorted((ROOT / "migsafe" / "rules").glob("*.py")) + sorted((ROOT / "migsafe" / "replay").glob("*.py"))
    return found


def test_the_suggestion_is_2s():
    assert SUGGESTED_LOCK_TIMEOUT == "2s" and duration_ms(SUGGESTED_LOCK_TIMEOUT) == 2000


def test_the_pattern_reads_every_way_a_value_is_written():
    text = ("SET LOCAL lock_timeout = '5s'; SET lock_timeout TO '3s'; set_config('lock_timeout', '1s', true); "
            '"options": "-c lock_timeout=4s"; lock-timeout = "6s"; -c lock_timeout=...')
    assert suggested_values(text) == ["5s", "3s", "1s", "4s", "6s"]


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_samples_and_rule_sources_suggest_only_that_value(path):
    values = suggested_values(path.read_text(encoding="utf-8"))
    assert set(values) <= {SUGGESTED_LOCK_TIMEOUT}, f"{path.name}: {values}"


def test_the_rule_pages_show_the_value_at_all():
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "rules").glob("*.md"))
    assert suggested_values(pages).count(SUGGESTED_LOCK_TIMEOUT) >= 10


def test_fix_texts_as_shown_suggest_only_that_value():
    from migsafe.rules.detach_partition_not_concurrent import _BEFORE_14_FIX

    texts = [rule.fix for rule in (*all_rules(), *REPLAY_RULES)] + [_BEFORE_14_FIX]
    values = [value for text in texts for value in suggested_values(text)]
    assert values and set(values) == {SUGGESTED_LOCK_TIMEOUT}
