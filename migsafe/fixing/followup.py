"""The follow-up revision ``review --fix --followup-revision`` writes: the VALIDATE CONSTRAINT statements, in a
revision of their own after the head, so they run in a later transaction than the ``ADD ... NOT VALID``.

It is made the way ``alembic revision`` makes one (Alembic's ScriptDirectory: the project's
``script.py.mako``, named with its ``file_template``), without the project's post-write hooks: those (a
formatter, migsafe's own advisory hook) already ran on the files this run edits, and a hook may be this very
command.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from migsafe.errors import UsageError
from migsafe.project import Project

MESSAGE = "validate constraints added NOT VALID"


def check_possible(project: Project) -> None:
    """Refuse before anything is written when no revision can be generated here."""
    _script_directory(project)


def write_followup(project: Project, statements: list[str]) -> Path:
    """The new revision's path; its ``upgrade()`` runs ``statements``, its ``downgrade()`` nothing (a validation
    has nothing to undo: the earlier revision's downgrade drops the constraint)."""
    script, head, version_path = _script_directory(project)
    comment = "# constraint-without-not-valid: validated in a revision of its own, after the ADD ... NOT VALID"
    upgrades = "\n    ".join([comment, *(f"op.execute({sql!r})" for sql in statements)])
    # The steps of ScriptDirectory.generate_revision() after it has found the head: that method finds it by
    # importing every revision, which runs the project's code outside migsafe's worker and without the shims
    # for the other SQLAlchemy major (a 2.x idiom fails on 1.4), so the head comes from migsafe's own reading.
    from alembic import util

    create_date = script._generate_create_date()
    revision = uuid.uuid4().hex[:12]
    path = Path(script._rev_path(version_path, revision, MESSAGE, create_date))
    script._generate_template(Path(script.dir, "script.py.mako"), path, up_revision=revision, down_revision=head,
                              branch_labels=(), depends_on=None, create_date=create_date,
                              comma=util.format_as_comma, message=MESSAGE, upgrades=upgrades, downgrades="pass",
                              imports="")
    return path


def _script_directory(project: Project):  # type: ignore[no-untyped-def]
    """Alembic's ScriptDirectory for the project, its one head, and the directory the head's file is in."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from migsafe.listing import list_versions
    from migsafe.revisions import load_history

    config_file = project.config_file
    if config_file is None:
        raise UsageError("--followup-revision needs the project's alembic.ini or [tool.alembic] pyproject.toml "
                         "(script_location, script.py.mako); none was found")
    config = (Config(toml_file=str(config_file)) if config_file.suffix == ".toml"
              else Config(file_=str(config_file)))
    try:
        script = ScriptDirectory.from_config(config)
    except CommandError as exc:
        raise UsageError(f"--followup-revision: {config_file}: {exc}") from None
    files = load_history(list_versions(project.versions_dirs, recursive=project.recursive).paths).files
    parents = {parent for file in files for parent in file.down_revisions}
    heads = [file for file in files if file.revision and file.revision not in parents]
    if len(heads) != 1:
        named = ", ".join(str(head.revision) for head in heads)
        raise UsageError(f"--followup-revision: the history has {len(heads)} heads ({named}); merge them first, "
                         "so the new revision has one place to go")
    return script, heads[0].revision, heads[0].path.parent
