"""``review --fix``: plan the fixes of a review, write them, and review again; a file the fix made unloadable
(or partial) is put back as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from migsafe.config import PgVersion
from migsafe.engine import ReviewOptions, resolve_settings
from migsafe.fixing import FixContext
from migsafe.fixing.apply import FileChange, FixPlan, plan_fixes, transaction_note
from migsafe.fixing.followup import check_possible, write_followup
from migsafe.fixing.write import write_atomically
from migsafe.model import Note
from migsafe.pg_locks import SUGGESTED_LOCK_TIMEOUT
from migsafe.project import Project, locate
from migsafe.report import Report


def context_for(options: ReviewOptions, report: Report, project: Project, followup: bool = False) -> FixContext:
    """The version and transaction model the review judged by (a stats snapshot or env.py may have set them,
    and the fixes must agree with the findings), and the lock_timeout the configuration asks fixes to write."""
    settings = resolve_settings(options, project)
    return FixContext(pg_version=PgVersion.parse(report.pg_version, "pg-version"),
                      transaction_model=report.transaction_model,
                      lock_timeout=settings.fix_lock_timeout or SUGGESTED_LOCK_TIMEOUT,
                      followup=[] if followup else None)


# Fixing one statement can reveal another finding (a DROP INDEX after an earlier one that held ACCESS EXCLUSIVE
# on the same table was covered by that lock): --fix reviews and fixes again until nothing changes, as ruff does.
ROUNDS = 4


def fix_review(options: ReviewOptions, report: Report, review: Callable[[], Report], *,
               write: bool, followup: bool = False) -> tuple[Report, FixPlan]:
    """The report to show and the fixes made (``write``, repeated until nothing changes) or that one pass would
    make (``--diff``); ``followup``: VALIDATE CONSTRAINT in a new revision (``--followup-revision``, with
    ``write`` only)."""
    project = locate(options.paths, options.cwd)
    if followup:
        check_possible(project)
    context = context_for(options, report, project, followup)
    plan = plan_fixes(report, context)
    if not write or not plan.changes:
        plan.notes.extend(filter(None, [transaction_note(plan.changes, context)]))
        report.notes.extend(plan.notes)
        return report, plan
    made: dict[Path, FileChange] = {}
    restored: list[Note] = []
    after = report
    for _ in range(ROUNDS):
        for change in plan.changes:
            write_atomically(change.path, change.after)
        if context.followup:
            path = write_followup(project, context.followup)
            plan.changes.append(FileChange(path=path, before="", after=path.read_text(encoding="utf-8"), fixed=[],
                                           created=True))
            context.followup.clear()
        before, after = after, review()
        unloadable = _newly_broken(before, after, {change.path for change in plan.changes})
        for change in plan.changes:
            if change.path in unloadable:
                if change.created:
                    change.path.unlink()
                else:
                    write_atomically(change.path, change.before)
                restored.append(Note(kind="fix-skipped", path=change.path, message=(
                    f"{after.display_path(change.path)}: the fixed file did not load as before "
                    f"({unloadable[change.path]}); put back as it was")))
            elif change.path in made:
                made[change.path].after = change.after
                made[change.path].fixed.extend(change.fixed)
            else:
                made[change.path] = change
        if unloadable:
            after = review()
        # The notes that count are those of the state left: why each remaining finding was not fixed.
        plan = plan_fixes(after, context)
        if not plan.changes or unloadable:
            break
    else:
        restored.append(Note(kind="fix", message=f"more fixes remain after {ROUNDS} passes: run --fix again"))
    notes = [*filter(None, [transaction_note(list(made.values()), context)]), *restored, *plan.notes]
    after.notes.extend(notes)
    after.fixed_files = list(made)
    return after, FixPlan(changes=list(made.values()), notes=notes)


def _newly_broken(before: Report, after: Report, paths: set[Path]) -> dict[Path, str]:
    """The fixed files that fail to load, or load only partly, where they did not before: why, by path."""
    failed_before = {error.path for error in before.errors} | {partial.path for partial in before.partial}
    broken: dict[Path, str] = {}
    for error in after.errors:
        if error.path in paths and error.path not in failed_before:
            broken[error.path] = f"{error.kind}: {error.message}"
    for partial in after.partial:
        if partial.path in paths and partial.path not in failed_before:
            broken.setdefault(partial.path, "partial review")
    return broken
