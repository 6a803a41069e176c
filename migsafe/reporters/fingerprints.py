"""Per-finding fingerprints for the formats that track an alert over time (SARIF, GitLab Code Quality).

GitHub code scanning and GitLab's merge-request widget match an alert in one run to the same alert in the
next by a fingerprint. The baseline's fingerprint (:func:`migsafe.baseline.fingerprint`) already names a
finding without its line number (rule, revision, direction, normalized statement), so adding lines above it
does not change it; but two identical statements in one revision share it. Adding the occurrence index
(0 for the first such finding in report order, 1 for the next, ...) makes each one unique while keeping it
stable: reports are sorted by revision and line, so the n-th identical statement stays the n-th.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from migsafe.baseline import fingerprint
from migsafe.report import Finding

# The key under SARIF's `partialFingerprints`; the version changes if the way it is computed ever does, so
# that code scanning does not match old alerts to unrelated new ones.
SARIF_KEY = "migsafeFingerprint/v1"


def occurrence_fingerprints(findings: list[Finding]) -> list[str]:
    """One fingerprint per finding, in the same order: the baseline fingerprint and the occurrence index of
    that fingerprint among the findings before it, hashed to 32 hex digits."""
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        base = fingerprint(finding)
        index = seen[base]
        seen[base] += 1
        result.append(hashlib.sha256(f"{base}:{index}".encode("ascii")).hexdigest()[:32])
    return result
