"""PATH forms, configuration files and the revision graph."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import USERS_TABLE, revision_source, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.errors import UsageError

DROP = 'op.drop_column("users", "name")'


def _ini(directory: Path, script_location: str = "%(here)s/migrations", extra: str = "") -> Path:
    ini = directory / "alembic.ini"
    ini.write_text(textwrap.dedent(f"""\
        [alembic]
        script_location = {script_location}
        prepend_sys_path = .
        {extra}
        """), encoding="utf-8")
    return ini


def _project(tmp_path: Path, bodies: list[str], **ini_options: str) -> Path:
    root = tmp_path / "project"
    versions = root / "migrations" / "versions"
    write_history(versions, bodies)
    _ini(root, **ini_options)
    return root


def _rules(report) -> list[tuple[str, str]]:
    # missing-lock-timeout fires on every unguarded ACCESS EXCLUSIVE statement; these tests are about loading.
    return [(f.rule, f.revision) for f in report.findings if f.rule != "missing-lock-timeout"]


@pytest.mark.parametrize("form", ["versions-dir", "project-dir", "ini-file"])
def test_path_forms_find_the_same_history(tmp_path, form):
    root = _project(tmp_path, [USERS_TABLE, DROP])
    path = {"versions-dir": root / "migrations" / "versions", "project-dir": root,
            "ini-file": root / "alembic.ini"}[form]
    report = review(ReviewOptions(paths=[path], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "r2")]
    assert report.revisions_reviewed == 2


def test_no_path_uses_the_project_in_the_current_directory(tmp_path):
    root = _project(tmp_path, [USERS_TABLE, DROP])
    report = review(ReviewOptions(paths=[], cwd=root))
    assert _rules(report) == [("drop-column", "r2")]


def test_no_path_and_no_project_is_a_clear_error(tmp_path):
    with pytest.raises(UsageError, match="no Alembic project"):
        review(ReviewOptions(paths=[], cwd=tmp_path))


def test_pyproject_tool_alembic(tmp_path):
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [USERS_TABLE, DROP])
    (root / "pyproject.toml").write_text('[tool.alembic]\nscript_location = "%(here)s/migrations"\n')
    report = review(ReviewOptions(paths=[], cwd=root))
    assert _rules(report) == [("drop-column", "r2")]


def test_version_locations_are_all_loaded(tmp_path):
    root = tmp_path / "project"
    first, second = root / "a", root / "b"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    (first / "001.py").write_text(revision_source(USERS_TABLE, "r1", None))
    (second / "002.py").write_text(revision_source(DROP, "r2", "r1"))
    (root / "migrations").mkdir()
    _ini(root, extra="version_locations = %(here)s/a %(here)s/b")
    report = review(ReviewOptions(paths=[root], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "r2")]


def test_prepend_sys_path_lets_revisions_import_the_application(tmp_path):
    root = _project(tmp_path, [USERS_TABLE, "from myapp import TABLE\nop.drop_column(TABLE, 'name')"])
    (root / "myapp").mkdir()
    (root / "myapp" / "__init__.py").write_text("TABLE = 'users'\n")
    report = review(ReviewOptions(paths=[root], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "r2")]


def test_a_single_file_is_reviewed_with_its_history_as_context(tmp_path):
    versions = tmp_path / "versions"
    paths = write_history(versions, [USERS_TABLE, DROP, 'op.drop_column("users", "status")'])
    report = review(ReviewOptions(paths=[paths[1]], cwd=tmp_path))
    # r3 is not reported; r1 provides the table, so r2's drop is on an existing table.
    assert _rules(report) == [("drop-column", "r2")]
    assert report.revisions_reviewed == 1


def test_a_file_whose_parent_is_missing_is_still_reviewed(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "pasted.py"
    path.write_text(revision_source(DROP, "abc123", "missing_parent"))
    report = review(ReviewOptions(paths=[path], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "abc123")]
    assert not report.errors
    assert any(n.kind == "graph" and "missing_parent" in n.message for n in report.notes)


def test_branches_and_merges_are_ordered_by_the_graph(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    # File names deliberately sort against the graph order.
    (versions / "d_merge.py").write_text(revision_source('op.drop_column("users", "email")', "m", ("b1", "b2")))
    (versions / "c_b2.py").write_text(revision_source(
        'op.add_column("users", sa.Column("b2col", sa.Integer()))', "b2", "root"))
    (versions / "b_b1.py").write_text(revision_source(
        'op.add_column("users", sa.Column("b1col", sa.Integer()))', "b1", "root"))
    (versions / "a_base.py").write_text(revision_source(USERS_TABLE, "root", None))
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert not report.errors
    assert _rules(report) == [("drop-column", "m")]


def test_duplicate_revision_ids_are_reported(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (versions / "zzz_dup.py").write_text(revision_source("pass", "r2", "r1"))
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert any("duplicate revision id 'r2'" in e.message for e in report.errors)
    assert report.exit_code() == 2
    assert ("drop-column", "r2") in _rules(report)  # both files still reviewed


def test_a_cycle_is_reported_and_the_rest_still_reviewed(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text(revision_source(USERS_TABLE, "a", None))
    (versions / "b.py").write_text(revision_source(DROP, "b", "a"))
    (versions / "x.py").write_text(revision_source("pass", "x", "y"))
    (versions / "y.py").write_text(revision_source("pass", "y", "x"))
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    cycle_errors = [e for e in report.errors if "cycle" in e.message]
    assert {e.revision for e in cycle_errors} == {"x", "y"}
    assert _rules(report) == [("drop-column", "b")]


def test_failing_revisions_become_load_errors_and_the_others_are_reviewed(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [
        USERS_TABLE,
        "import nonexistent_module_xyz\nop.drop_column('users', 'name')",
        "raise RuntimeError('boom\\nsecond line')",
        "import sys\nsys.exit(3)",
        DROP,
    ])
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, strict_imports=True))
    messages = {e.revision: (e.message, e.line) for e in report.errors}
    assert messages["r2"][0] == "ModuleNotFoundError: No module named 'nonexistent_module_xyz'"
    assert messages["r3"][0] == "RuntimeError: boom"
    assert messages["r4"][0] == "revision called sys.exit(3)"
    body_start = revision_source("x", "x", None).splitlines().index("def upgrade():") + 2
    assert messages["r3"][1] == body_start
    assert _rules(report) == [("drop-column", "r5")]
    assert report.exit_code() == 2


def test_syntax_error_and_bad_encoding_are_load_errors(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE])
    (versions / "002_bad.py").write_text(revision_source("op.drop_column('users',", "r2", "r1"))
    (versions / "003_latin1.py").write_bytes(
        revision_source("op.execute('select 1')  # caf\xe9", "r3", "r1").encode("latin-1"))
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    by_file = {e.path.name: e for e in report.errors}
    assert by_file["002_bad.py"].message.startswith("SyntaxError")
    assert "not valid UTF-8" in by_file["003_latin1.py"].message
    assert by_file["003_latin1.py"].line == revision_source("x", "x", None).splitlines().index("def upgrade():") + 2


def test_since_reviews_only_later_revisions(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP, 'op.drop_column("users", "status")'])
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, since="r2"))
    assert _rules(report) == [("drop-column", "r3")]
    with pytest.raises(UsageError, match="unknown revision 'nope'"):
        review(ReviewOptions(paths=[versions], cwd=tmp_path, since="nope"))


def test_empty_directory_is_nothing_to_review(tmp_path):
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "notes.py").write_text("x = 1\n")
    with pytest.raises(UsageError, match="nothing to review"):
        review(ReviewOptions(paths=[tmp_path / "versions"], cwd=tmp_path))


def test_a_script_directory_means_its_versions(tmp_path):
    # env.py beside versions/ is Alembic's script directory: env.py is not a revision.
    root = _project(tmp_path, [USERS_TABLE, DROP])
    (root / "migrations" / "env.py").write_text("from alembic import context\n", encoding="utf-8")
    report = review(ReviewOptions(paths=[root / "migrations"], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "r2")]
    assert report.revisions_reviewed == 2 and not report.errors


def test_flask_migrate_layout_without_script_location(tmp_path):
    # Flask-Migrate: alembic.ini inside migrations/ beside env.py, script_location set in code; the
    # application package lives at the project root, above migrations/.
    root = tmp_path / "project"
    migrations = root / "migrations"
    write_history(migrations / "versions", [USERS_TABLE, "from myapp.names import COLUMN\nop.drop_column('users', COLUMN)"])
    (migrations / "env.py").write_text("from alembic import context\n", encoding="utf-8")
    (migrations / "alembic.ini").write_text("[alembic]\n\n[loggers]\nkeys = root\n", encoding="utf-8")
    (root / "myapp").mkdir()
    (root / "myapp" / "__init__.py").write_text("", encoding="utf-8")
    (root / "myapp" / "names.py").write_text("COLUMN = 'name'\n", encoding="utf-8")
    for path in (migrations, migrations / "alembic.ini"):
        report = review(ReviewOptions(paths=[path], cwd=tmp_path, strict_imports=True))
        assert not report.errors, [e.message for e in report.errors]
        assert _rules(report) == [("drop-column", "r2")]


def test_an_ini_without_script_location_elsewhere_is_still_an_error(tmp_path):
    (tmp_path / "alembic.ini").write_text("[alembic]\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no script_location"):
        review(ReviewOptions(paths=[tmp_path / "alembic.ini"], cwd=tmp_path))
