"""Labelled corpus of Alembic revisions: every case is reviewed and its findings compared with its labels.

A case is a file ``tests/corpus/<name>.py`` (one revision reviewed alone, its parent absent) or a
directory ``tests/corpus/<name>/`` (a small history of chained revisions, reviewed together).

Labels, written in the revision files themselves:

- ``# expect: rule-id`` at the end of the line where the finding must be reported (the first line of the
  ``op.*`` call); several findings on one line: ``# expect: rule-a, rule-b``. A rule id repeated on the
  same line means that many findings (one per statement: ``op.execute`` of three ``CREATE INDEX`` is
  ``# expect: index-not-concurrent, index-not-concurrent, index-not-concurrent``).
- ``# migsafe-test: pg-version=11`` (or ``transaction-per-migration=false``) on a line of its own, in any
  file of the case: review options for the case.
- ``# migsafe-test: ship-together=2_add.py 3_use.py``: those files of the case ship in one deploy (one
  ``alembic upgrade``): they are named on the command line with ``deploy = "changed-together"``, the other
  files are context. Without it, each revision is its own deploy (migsafe's default).
- ``# migsafe-test: rules=backfill-in-transaction,missing-lock-timeout`` : the rule ids this case is scored
  on (instead of the 16 rules in ``RULES``); ``default`` in the list stands for ``RULES``. Rules added after
  the original corpus (``NEW_RULES``) fire broadly (``missing-lock-timeout`` on every unguarded ALTER of a
  live table), so a case labels only the rules it names, and old cases stay unaffected.
- A case without any ``# expect:`` expects no finding at all.

Each case is copied to a fresh temporary directory and reviewed there with the default settings (so a
file is truly alone, and no pyproject.toml applies). Findings are compared as a multiset of (file, line,
rule), for the 16 rules in ``RULES`` only (or the case's ``rules=`` list). Every case must load without errors. Run ``python tests/test_corpus.py`` for per-rule precision and
recall over the whole corpus, and the list of disagreements.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from migsafe.engine import ReviewOptions, review

CORPUS = Path(__file__).resolve().parent / "corpus"

# The static rules the corpus is labelled for (public, stable ids).
RULES = (
    "hidden-rename", "enum-add-value-in-transaction", "enum-recreate", "index-not-concurrent",
    "drop-index-not-concurrent", "concurrent-index-in-transaction", "not-null-without-default", "set-not-null",
    "column-type-rewrite", "constraint-without-not-valid", "unique-constraint-builds-index", "volatile-default",
    "rename-column", "rename-table", "drop-column", "drop-table",
)

# Rules added later: scored only by the cases that name them in ``# migsafe-test: rules=...``.
NEW_RULES = (
    "backfill-in-transaction", "multiple-strong-locks", "missing-lock-timeout", "bare-commit",
    "add-column-rewrites", "table-rewrite-command", "reindex-not-concurrent", "enum-rename-value",
    "refresh-matview-not-concurrent", "truncate-table", "lock-table", "detach-partition-not-concurrent",
    "concurrent-index-pg14-bug",
)
ALL_RULES = RULES + NEW_RULES

EXPECT_RE = re.compile(r"#\s*expect:\s*([a-z0-9\-,\s]+?)\s*$")
OPTION_RE = re.compile(r"^\s*#\s*migsafe-test:\s*(.+?)\s*$")

@dataclass
class Case:
    name: str
    path: Path
    files: list[Path]
    pg_version: str | None = None
    transaction_per_migration: bool | None = None
    ship_together: tuple[str, ...] = ()  # files deployed in one `alembic upgrade` (the others are context)
    rules: tuple[str, ...] = RULES  # the rule ids this case is scored on
    expected: Counter = field(default_factory=Counter)


def _case_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def _relname(case_path: Path, file: Path) -> str:
    if case_path.is_file():
        return file.name
    return file.resolve().relative_to(case_path.resolve()).as_posix()


def load_case(path: Path) -> Case:
    case = Case(name=path.stem if path.is_file() else path.name, path=path, files=_case_files(path))
    rules: list[str] | None = None
    for file in case.files:
        rel = _relname(path, file)
        for lineno, line in enumerate(file.read_text().splitlines(), start=1):
            option = OPTION_RE.match(line)
            if option:
                key = None
                for item in option.group(1).split(","):
                    if "=" not in item and key == "rules":  # rules=a,b,c: the list goes on
                        value = item.strip()
                    else:
                        key, _, value = item.strip().partition("=")
                        key, value = key.strip(), value.strip()
                    if key == "rules":
                        names = RULES if value == "default" else (value,)
                        for name in names:
                            if name not in ALL_RULES:
                                raise ValueError(f"{file}:{lineno}: unknown rule id {name!r} in rules=")
                        if rules is None:
                            rules = []
                        rules.extend(n for n in names if n not in rules)
                    elif key == "pg-version":
                        case.pg_version = value
                    elif key == "transaction-per-migration":
                        case.transaction_per_migration = value.lower() in ("1", "true", "yes")
                    elif key == "ship-together":
                        case.ship_together = tuple(value.split())
                    else:
                        raise ValueError(f"{file}:{lineno}: unknown migsafe-test option {key!r}")
                continue
            expect = EXPECT_RE.search(line)
            if expect:
                for rule in expect.group(1).split(","):
                    rule = rule.strip()
                    if rule:
                        case.expected[(rel, lineno, rule)] += 1
    if rules is not None:
        case.rules = tuple(rules)
    outside = {rule for (_, _, rule) in case.expected} - set(case.rules)
    if outside:
        raise ValueError(f"{path}: labels name rule ids the case is not scored on: {sorted(outside)}")
    return case


def all_cases() -> list[Case]:
    entries = sorted(p for p in CORPUS.iterdir()
                     if (p.is_file() and p.suffix == ".py") or (p.is_dir() and p.name != "__pycache__"))
    return [load_case(p) for p in entries]


@dataclass
class Outcome:
    case: Case
    got: Counter
    errors: list[str]

    @property
    def missing(self) -> Counter:
        return self.case.expected - self.got

    @property
    def unexpected(self) -> Counter:
        return self.got - self.case.expected


def run_case(case: Case) -> Outcome:
    # Each case is copied to a directory of its own: migsafe reads the other revision files next to a file it
    # is given as context, and a file "reviewed alone" must not see the rest of the corpus.
    with tempfile.TemporaryDirectory(prefix="migsafe-corpus-") as tmp:
        target = Path(tmp) / case.path.name
        if case.path.is_file():
            shutil.copy2(case.path, target)
        else:
            shutil.copytree(case.path, target, ignore=shutil.ignore_patterns("__pycache__"))
        paths, config = [target], None
        if case.ship_together:
            config = Path(tmp) / "pyproject.toml"
            config.write_text('[tool.migsafe]\ndeploy = "changed-together"\n', encoding="utf-8")
            paths = [target / name for name in case.ship_together]
        options = ReviewOptions(paths=paths, cwd=Path(tmp), pg_version=case.pg_version, config_file=config,
                                transaction_per_migration=case.transaction_per_migration)
        report = review(options)
        got: Counter = Counter()
        for finding in report.findings:
            if finding.rule in case.rules:  # only the rules this case is labelled for
                got[(_relname(target, Path(finding.path)), finding.line, finding.rule)] += 1
        errors = [f"{e.kind}: {Path(e.path).name if e.path else ''}:{e.line}: {e.message}" for e in report.errors]
    return Outcome(case=case, got=got, errors=errors)


CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Case) -> None:
    outcome = run_case(case)
    problems = [f"error {e}" for e in outcome.errors]
    problems += [f"missing {file}:{line} {rule}" for (file, line, rule) in sorted(outcome.missing.elements())]
    problems += [f"unexpected {file}:{line} {rule}" for (file, line, rule) in sorted(outcome.unexpected.elements())]
    assert problems == []


def test_corpus_labels_cover_every_rule() -> None:
    from migsafe.rules import all_rules

    labelled = {rule for case in CASES for (_, _, rule) in case.expected}
    known = {rule.id for rule in all_rules()}
    assert labelled - set(ALL_RULES) == set(), "labels name rule ids outside the labelled set"
    assert set(ALL_RULES) - known == set(), "migsafe lacks a labelled rule"
    assert set(ALL_RULES) - labelled == set(), "rules without a BAD case in the corpus"


def summary(outcomes: list[Outcome] | None = None) -> dict[str, dict[str, float]]:
    """Per-rule true positives, false positives, false negatives, precision and recall over the corpus.

    A finding counts as a true positive only on the labelled line (and file) with the labelled rule.
    """
    if outcomes is None:
        outcomes = [run_case(case) for case in CASES]
    stats: dict[str, dict[str, float]] = {rule: {"tp": 0, "fp": 0, "fn": 0} for rule in ALL_RULES}
    for outcome in outcomes:
        hit = outcome.case.expected & outcome.got
        for (_, _, rule), n in hit.items():
            stats.setdefault(rule, {"tp": 0, "fp": 0, "fn": 0})["tp"] += n
        for (_, _, rule), n in outcome.unexpected.items():
            stats.setdefault(rule, {"tp": 0, "fp": 0, "fn": 0})["fp"] += n
        for (_, _, rule), n in outcome.missing.items():
            stats.setdefault(rule, {"tp": 0, "fp": 0, "fn": 0})["fn"] += n
    for s in stats.values():
        s["precision"] = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
        s["recall"] = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 1.0
    return stats


def main() -> int:
    outcomes = [run_case(case) for case in CASES]
    stats = summary(outcomes)
    print(f"{len(CASES)} cases, {sum(sum(c.expected.values()) for c in CASES)} expected findings\n")
    print(f"{'rule':34} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for rule, s in sorted(stats.items()):
        print(f"{rule:34} {s['tp']:>4} {s['fp']:>4} {s['fn']:>4} {s['precision']:>10.2f} {s['recall']:>8.2f}")
    failing = [o for o in outcomes if o.errors or o.missing or o.unexpected]
    print(f"\n{len(outcomes) - len(failing)}/{len(outcomes)} cases agree")
    for o in failing:
        print(f"\n{o.case.name}:")
        for error in o.errors:
            print(f"  error      {error}")
        for (file, line, rule) in sorted(o.missing.elements()):
            print(f"  missing    {file}:{line} {rule}")
        for (file, line, rule) in sorted(o.unexpected.elements()):
            print(f"  unexpected {file}:{line} {rule}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
