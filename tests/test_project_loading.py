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


# Layouts: a versions directory whose revisions sit in subfolders that env.py adds or picks in code.

def _write(directory: Path, name: str, body: str, revision: str, down: str | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(revision_source(body, revision, down), encoding="utf-8")


def _layout_notes(report) -> list[str]:
    return [n.message for n in report.notes if n.kind == "layout"]


def test_release_subfolders_of_a_bare_versions_directory_are_reviewed_and_said(tmp_path):
    # An initial revision at the top, then release folders with expand/contract branches (as env.py adds them).
    versions = tmp_path / "alembic_migrations" / "versions"
    _write(versions, "initial.py", USERS_TABLE, "base1", None)
    _write(versions / "rel1" / "expand", "e1.py", 'op.add_column("users", sa.Column("nick", sa.Text()))',
           "e1", "base1")
    _write(versions / "rel1" / "contract", "c1.py", DROP, "c1", "base1")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert report.revisions_reviewed == 3
    assert ("drop-column", "c1") in _rules(report)
    assert _layout_notes(report) == ["read 2 revision files in subfolders (rel1) too, as Alembic's "
                                     "recursive_version_locations does"]


def test_subfolders_are_read_too_when_the_ini_does_not_make_alembic_recurse(tmp_path):
    root = tmp_path / "project"
    versions = root / "migrations" / "versions"
    _write(versions, "initial.py", USERS_TABLE, "base1", None)
    _write(versions / "rel1", "c1.py", DROP, "c1", "base1")
    _ini(root)
    report = review(ReviewOptions(paths=[root / "alembic.ini"], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "c1")]
    assert len(_layout_notes(report)) == 1


def _dialect_chains(versions: Path, names: tuple[str, str], shared_ids: bool = True) -> None:
    """The same history written twice, once per database; only the second chain drops a column."""
    first, second = names
    suffix = "" if shared_ids else "b"
    _write(versions / first, "001.py", USERS_TABLE, "d1", None)
    _write(versions / first, "002.py", 'op.add_column("users", sa.Column("nick", sa.Text()))', "d2", "d1")
    _write(versions / second, "001.py", USERS_TABLE, "d1" + suffix, None)
    _write(versions / second, "002.py", DROP, "d2" + suffix, "d1" + suffix)


@pytest.mark.parametrize("shared_ids", [True, False])
def test_alternative_dialect_chains_review_the_postgresql_one(tmp_path, shared_ids):
    versions = tmp_path / "_migrations" / "versions"
    _dialect_chains(versions, ("postgresql", "sqlite"), shared_ids)
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert report.revisions_reviewed == 2
    assert _rules(report) == []  # the drop is in the sqlite chain only
    (note,) = _layout_notes(report)
    why = "postgresql and sqlite share revision ids" if shared_ids else "each has its own base"
    assert note.startswith("subfolders postgresql, sqlite hold alternative migration chains (" + why)
    assert note.endswith("reviewed postgresql, PostgreSQL's (pass the sqlite subfolder to review another)")


def test_the_script_directory_of_alternative_chains_means_the_postgresql_one(tmp_path):
    script_dir = tmp_path / "_migrations"
    _dialect_chains(script_dir / "versions", ("sqlite", "pg"))
    (script_dir / "env.py").write_text("from alembic import context\n", encoding="utf-8")
    report = review(ReviewOptions(paths=[script_dir], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "d2")]


def test_alternative_chains_without_a_postgresql_one_is_a_usage_error_naming_them(tmp_path):
    versions = tmp_path / "versions"
    _dialect_chains(versions, ("mysql", "sqlite"))
    with pytest.raises(UsageError) as caught:
        review(ReviewOptions(paths=[versions], cwd=tmp_path))
    message = str(caught.value)
    assert "subfolders mysql, sqlite hold alternative migration chains" in message
    assert f"migsafe review {versions / 'mysql'}" in message and "\n" not in message


def test_separate_histories_in_subfolders_are_all_reviewed(tmp_path):
    # Two applications' chains side by side, each with its own base: parts of one upgrade, not alternatives.
    directory = tmp_path / "alembic"
    _write(directory / "versions_app", "001.py", USERS_TABLE, "a1", None)
    _write(directory / "versions_app", "002.py", DROP, "a2", "a1")
    _write(directory / "versions_tools", "001.py", 'op.create_table("tools", sa.Column("id", sa.Integer()))',
           "t1", None)
    report = review(ReviewOptions(paths=[directory], cwd=tmp_path))
    assert report.revisions_reviewed == 3
    assert _rules(report) == [("drop-column", "a2")]
    assert _layout_notes(report) == ["read 3 revision files in subfolders (versions_app, versions_tools) too, as "
                                     "Alembic's recursive_version_locations does"]


def test_a_directory_without_revisions_anywhere_is_still_a_usage_error(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "helper.py").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no revision scripts"):
        review(ReviewOptions(paths=[tmp_path / "empty"], cwd=tmp_path))


def test_package_script_location_falls_back_to_the_package_directory_when_not_importable(tmp_path):
    # src/appx/alembic.ini says `appx:db/migrations`; appx is not installed where migsafe runs.
    package = tmp_path / "src" / "appx_not_installed"
    write_history(package / "db" / "migrations" / "versions", [USERS_TABLE, DROP])
    (package / "__init__.py").write_text("", encoding="utf-8")
    ini = _ini(package, script_location="appx_not_installed:db/migrations")
    report = review(ReviewOptions(paths=[ini], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "r2")]


def test_a_bare_versions_directory_takes_the_transaction_model_from_the_env_py_beside_it(tmp_path):
    versions = tmp_path / "migrations" / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (tmp_path / "migrations" / "env.py").write_text(textwrap.dedent("""\
        from alembic import context

        def run_migrations_online():
            context.configure(connection=None, transaction_per_migration=False)
        """), encoding="utf-8")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert (report.transaction_model, report.transaction_model_source) == ("single", "env.py")


def test_a_subfolder_of_alternative_chains_takes_env_py_from_the_script_directory(tmp_path):
    script_dir = tmp_path / "_migrations"
    _dialect_chains(script_dir / "versions", ("postgresql", "sqlite"))
    (script_dir / "env.py").write_text("from alembic import context\ncontext.configure(transactional_ddl=False)\n",
                                       encoding="utf-8")
    report = review(ReviewOptions(paths=[script_dir / "versions" / "sqlite"], cwd=tmp_path))
    assert (report.transaction_model, report.transaction_model_source) == ("none", "env.py")
    assert _rules(report) == [("drop-column", "d2")]


def test_a_package_script_location_that_cannot_be_found_says_what_to_pass(tmp_path):
    ini = _ini(tmp_path, script_location="absent_pkg_xyz:db/migrations")
    with pytest.raises(UsageError, match="package 'absent_pkg_xyz' is not importable here .* pass the versions "
                                         "directory instead"):
        review(ReviewOptions(paths=[ini], cwd=tmp_path))


OPTIONS_ENV_PY = """
from alembic import context

shared_options = dict(target_metadata=None, transaction_per_migration={flag})

def run_offline():
    opts = {{}}
    opts.update(shared_options)
    opts["literal_binds"] = True
    context.configure(url="postgresql://", **opts)

def run_online():
    context.configure(connection=None, **{online})
"""


@pytest.mark.parametrize("flag, online, expected", [
    ("True", "shared_options", ("per-migration", "env.py")),
    ("False", "shared_options", ("single", "env.py")),
    ("True", "build_options()", ("per-migration", "default")),  # options we cannot read: nothing is assumed
])
def test_env_py_options_passed_as_a_dict_are_read(tmp_path, flag, online, expected):
    versions = tmp_path / "alembic" / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (tmp_path / "alembic" / "env.py").write_text(OPTIONS_ENV_PY.format(flag=flag, online=online), encoding="utf-8")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert (report.transaction_model, report.transaction_model_source) == expected


def test_a_project_root_is_not_read_as_a_versions_directory(tmp_path):
    # No configuration, Python of its own at the top: revisions somewhere below are not this directory's.
    root = tmp_path / "repo"
    write_history(root / "app" / "migrations", [USERS_TABLE, DROP])
    (root / "setup.py").write_text("from setuptools import setup\nsetup()\n", encoding="utf-8")
    with pytest.raises(UsageError, match="nothing to review"):
        review(ReviewOptions(paths=[root], cwd=tmp_path))


def test_a_helper_module_beside_revisions_does_not_hide_the_subfolders(tmp_path):
    versions = tmp_path / "versions"
    _write(versions, "001.py", USERS_TABLE, "base1", None)
    (versions / "helpers.py").write_text("def batch_size():\n    return 1000\n", encoding="utf-8")
    _write(versions / "rel1", "c1.py", DROP, "c1", "base1")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert _rules(report) == [("drop-column", "c1")]
