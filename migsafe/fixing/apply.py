"""From a review's findings to the new text of each revision file they are in: what ``--fix`` writes and
``--diff`` shows.

Findings flow in, edited texts and notes flow out; nothing here writes a file (migsafe/fixing/write.py does)
or reviews (the command line reviews again after writing).
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from migsafe.fixing import FixContext, all_fixes
from migsafe.fixing.reload_check import reload_problem
from migsafe.fixing.source import RevisionSource
from migsafe.model import Note
from migsafe.report import Finding, Report


@dataclass
class FileChange:
    path: Path
    before: str
    after: str
    fixed: list[Finding]
    created: bool = False  # a new file (the follow-up revision): putting it back means removing it

    def diff(self, shown: str) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True),
                                            self.after.splitlines(keepends=True),
                                            fromfile="/dev/null" if self.created else f"a/{shown}",
                                            tofile=f"b/{shown}"))


@dataclass
class FixPlan:
    changes: list[FileChange] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def plan_fixes(report: Report, context: FixContext) -> FixPlan:
    """The fixes of ``report``'s upgrade findings, file by file (a downgrade() is left as written: the fixes
    change how the upgrade takes its locks, not what it leaves behind, so the downgrade still undoes it)."""
    fixes = all_fixes()
    result = FixPlan()
    by_path: dict[Path, list[Finding]] = {}
    for finding in report.findings:
        if finding.direction == "upgrade" and finding.rule in fixes:
            by_path.setdefault(finding.path, []).append(finding)
    for path, findings in by_path.items():
        change = _fix_file(path, findings, context, result.notes, report)
        if change is not None:
            result.changes.append(change)
    left = Counter(f.rule for f in report.findings if f.rule not in fixes or f.direction != "upgrade")
    if left:
        listed = ", ".join(f"{rule} ({count})" for rule, count in sorted(left.items()))
        result.notes.append(Note(kind="not-fixed", message=f"left for you (no mechanical fix: renames, drops, "
                                                           f"rewrites, back-fills and the like): {listed}"))
    return result


def transaction_note(changes: list[FileChange], context: FixContext) -> Note | None:
    """What an added ``autocommit_block()`` means when the whole upgrade is one transaction."""
    if context.transaction_model == "single" and any(c.after.count("autocommit_block()")
                                                     > c.before.count("autocommit_block()") for c in changes):
        return Note(kind="fix", message="transaction_per_migration is off: each autocommit_block() --fix added "
                                        "commits the whole upgrade run so far, earlier revisions included, before "
                                        "its statements run")
    return None


def _fix_file(path: Path, findings: list[Finding], context: FixContext, notes: list[Note],
              report: Report) -> FileChange | None:
    shown = report.display_path(path)
    if path.is_symlink():
        notes.append(Note(kind="fix-skipped", message=f"{shown} is a symbolic link: --fix does not write through "
                                                      "it; fix the file it points to", path=path))
        return None
    try:
        before = path.read_bytes().decode("utf-8")
        source = RevisionSource(before)
    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError) as exc:
        notes.append(Note(kind="fix-skipped", message=f"{shown}: cannot read it for fixing: {exc}", path=path))
        return None
    fixes = all_fixes()
    fixed: list[Finding] = []
    edited_lines: set[int] = set()
    # Bottom up: an edit moves only the lines below it, so the findings above still point at their statements.
    statement_findings = [f for f in findings if fixes[f.rule].statement is not None]
    for finding in sorted(statement_findings, key=lambda f: -f.line):
        if finding.line in edited_lines:
            _skip(notes, finding, "another fix rewrote this statement: run --fix again")
            continue
        reason = fixes[finding.rule].statement(source, finding, context)  # type: ignore[misc]
        if reason is None:
            fixed.append(finding)
            edited_lines.add(finding.line)
        else:
            _skip(notes, finding, reason)
    source.merge_autocommit_blocks()
    for rule, fix in fixes.items():
        of_rule = [f for f in findings if f.rule == rule]
        if fix.revision is None or not of_rule:
            continue
        reason = fix.revision(source, of_rule, context)
        if reason is None:
            fixed.extend(of_rule)
        else:
            for finding in of_rule:
                _skip(notes, finding, reason)
    after = source.code
    if after == before:
        return None
    problem = reload_problem(path, before, after)
    if problem is not None:
        notes.append(Note(kind="fix-skipped", message=f"{shown}: the fixed file would not load as before "
                                                      f"({problem}); left as it is", path=path))
        return None
    return FileChange(path=path, before=before, after=after, fixed=fixed)


def _skip(notes: list[Note], finding: Finding, reason: str) -> None:
    notes.append(Note(kind="fix-skipped", message=f"{finding.rule} not fixed: {reason}", path=finding.path,
                      line=finding.line, revision=finding.revision))
