"""Find a rule's documentation page, in an installed wheel or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A wheel carries the pages as migsafe/rule_docs/ (see pyproject.toml); a checkout or an editable install
# reads them from docs/rules/ at the repository root.
_LOCATIONS = (_PACKAGE / "rule_docs", _PACKAGE.parent / "docs" / "rules")

DOCS_URL = "https://github.com/migsafe/migsafe/blob/main/docs/rules/{id}.md"


def rule_doc_path(rule_id: str) -> Path | None:
    for location in _LOCATIONS:
        candidate = location / f"{rule_id}.md"
        if candidate.is_file():
            return candidate
    return None


def rule_doc(rule_id: str) -> str | None:
    path = rule_doc_path(rule_id)
    return path.read_text(encoding="utf-8") if path else None
