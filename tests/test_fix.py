"""`migsafe review --fix` / `--diff`: the engine (plan, reload check, atomic write, exit codes) and the
CONCURRENTLY and lock_timeout fixes, each on the op form and the raw-SQL form, comments and layout kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import USERS_TABLE, write_history

from migsafe.engine import ReviewOptions, review
from migsafe.fixing.reload_check import reload_problem
from migsafe.fixing.session import fix_review
from migsafe.fixing.write import FixWriteError, write_atomically

CONCURRENCY_RULES = ("index-not-concurrent", "drop-index-not-concurrent", "concurrent-index-in-transaction",
                     "reindex-not-concurrent", "detach-partition-not-concurrent")
# The tests of one fix select its rule alone: the lock_timeout fix would otherwise add lines to every file.
PARTITIONED = """
op.execute("CREATE TABLE events (id int, at date) PARTITION BY RANGE (at)")
op.execute("CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
"""


def _fix(tmp_path: Path, *bodies: str, write: bool = True, select: str | None = None, **options: object):
    versions = tmp_path / "versions"
    paths = write_history(versions, bodies)
    review_options = ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False,
                                   select=[select] if select else None, **options)  # type: ignore[arg-type]
    before = review(review_options)
    after, plan = fix_review(review_options, before, lambda: review(review_options), write=write)
    return paths[-1], after, plan


def _upgrade(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("def upgrade():\n") + len("def upgrade():\n"):text.index("\n\ndef downgrade")].rstrip("\n")


def _rules(report) -> list[str]:
    assert not report.errors, [e.message for e in report.errors]
    return [f.rule for f in report.findings]


def _left_alone(tmp_path: Path, rule: str, reason: str, *bodies: str, **options: object) -> None:
    """The finding of ``rule`` (in the last of ``bodies``) stays, nothing is written, and a note gives
    ``reason``."""
    path, after, plan = _fix(tmp_path, *bodies, select=rule, **options)
    assert plan.changes == [] and _rules(after) == [rule]
    assert textwrap.indent(textwrap.dedent(bodies[-1]).strip(), "    ") in path.read_text(encoding="utf-8")
    assert any(reason in note.message for note in after.notes), [note.message for note in after.notes]


def test_index_op_form_keeps_comments_and_layout(tmp_path):
    body = '''
# Look users up by email.
op.create_index(
    "ix_users_email",  # the login query
    "users",
    ["email"],
)
'''
    path, after, plan = _fix(tmp_path, USERS_TABLE, body, select="index-not-concurrent")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        # Look users up by email.
        with op.get_context().autocommit_block():
            # index-not-concurrent: a failed concurrent build leaves an INVALID index; a retry drops it first
            op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_users_email")
            op.create_index(
                "ix_users_email",  # the login query
                "users",
                ["email"],
                postgresql_concurrently=True,
            )'''), "    ")
    assert _rules(after) == [] and after.fixed_files == [path]
    assert [len(change.fixed) for change in plan.changes] == [1]


def test_index_raw_sql_form_in_odd_spelling(tmp_path):
    body = "op.execute('create   unique index ix_users_name '\n           'on users (name)')  # one per name"
    path, after, _ = _fix(tmp_path, USERS_TABLE, body, select="index-not-concurrent")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        with op.get_context().autocommit_block():
            # index-not-concurrent: a failed concurrent build leaves an INVALID index; a retry drops it first
            op.execute('DROP INDEX CONCURRENTLY IF EXISTS ix_users_name')
            op.execute('create   unique index CONCURRENTLY ix_users_name '
                       'on users (name)')  # one per name'''), "    ")
    assert _rules(after) == []


def test_index_in_another_schema_drops_the_qualified_name(tmp_path):
    body = """op.execute(sa.text('CREATE INDEX "Ix Mixed" ON audit.users (name)'))"""
    setup = 'op.execute("CREATE SCHEMA audit")\nop.execute("CREATE TABLE audit.users (id int, name text)")'
    path, after, _ = _fix(tmp_path, setup, body, select="index-not-concurrent")
    assert """op.execute('DROP INDEX CONCURRENTLY IF EXISTS audit."Ix Mixed"')""" in _upgrade(path)
    assert """op.execute(sa.text('CREATE INDEX CONCURRENTLY "Ix Mixed" ON audit.users (name)'))""" in _upgrade(path)
    assert _rules(after) == []


def test_escapes_where_the_keyword_goes_are_left_alone(tmp_path):
    body = 'op.execute("CREATE\\tINDEX ix_users_name ON users (name)")'
    _left_alone(tmp_path, "index-not-concurrent", "escape sequences", USERS_TABLE, body)


def test_drop_index_op_and_bind_forms(tmp_path):
    body = '''
op.drop_index("ix_users_name", table_name="users")
conn = op.get_bind()
conn.execute(sa.text("DROP INDEX ix_users_status"))  # old
'''
    setup = USERS_TABLE + '\nop.create_index("ix_users_name", "users", ["name"])\n' \
                          'op.create_index("ix_users_status", "users", ["status"])'
    path, after, _ = _fix(tmp_path, setup, body, select="drop-index-not-concurrent")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        with op.get_context().autocommit_block():
            op.drop_index("ix_users_name", table_name="users", postgresql_concurrently=True)
        conn = op.get_bind()
        with op.get_context().autocommit_block():
            conn.execute(sa.text("DROP INDEX CONCURRENTLY ix_users_status"))  # old'''), "    ")
    assert _rules(after) == []


def test_drop_index_cascade_is_left_with_a_note(tmp_path):
    setup = USERS_TABLE + '\nop.create_index("ix_users_name", "users", ["name"])'
    _left_alone(tmp_path, "drop-index-not-concurrent", "one index and no CASCADE", setup,
                'op.execute("DROP INDEX ix_users_name CASCADE")')


def test_concurrent_index_in_transaction_moves_into_the_existing_style(tmp_path):
    body = '''
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
op.execute("DROP INDEX CONCURRENTLY ix_users_email_old")
'''
    path, after, _ = _fix(tmp_path, USERS_TABLE, body, select="concurrent-index-in-transaction")
    # One block for both (adjacent blocks are merged); the build gets the drop of an INVALID leftover first.
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        with op.get_context().autocommit_block():
            # concurrent-index-in-transaction: a failed concurrent build leaves an INVALID index; a retry drops it first
            op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_users_name")
            op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
            op.execute("DROP INDEX CONCURRENTLY ix_users_email_old")'''), "    ")
    assert _rules(after) == []


def test_several_statements_in_one_string_are_left_alone(tmp_path):
    body = 'op.execute("CREATE INDEX CONCURRENTLY ix_users_name ON users (name); SELECT 1")'
    path, after, plan = _fix(tmp_path, USERS_TABLE, body, select="concurrent-index-in-transaction")
    assert plan.changes == [] and "op.execute(\"CREATE INDEX CONCURRENTLY" in _upgrade(path)
    assert any("several statements" in note.message for note in after.notes)


def test_reindex_index_and_table(tmp_path):
    setup = USERS_TABLE + '\nop.create_index("ix_users_name", "users", ["name"])'
    body = '''
op.execute("REINDEX (VERBOSE) INDEX ix_users_name")
op.execute("reindex table users")
'''
    path, after, _ = _fix(tmp_path, setup, body, select="reindex-not-concurrent")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        with op.get_context().autocommit_block():
            op.execute("REINDEX (VERBOSE) INDEX CONCURRENTLY ix_users_name")
            op.execute("reindex table CONCURRENTLY users")'''), "    ")
    assert _rules(after) == []


def test_reindex_before_postgresql_12_is_left_with_a_note(tmp_path):
    setup = USERS_TABLE + '\nop.create_index("ix_users_name", "users", ["name"])'
    _left_alone(tmp_path, "reindex-not-concurrent", "PostgreSQL 11 has no concurrent form", setup,
                'op.execute("REINDEX INDEX ix_users_name")', pg_version="11")


def test_detach_partition(tmp_path):
    body = "op.execute(\n    'ALTER TABLE events DETACH PARTITION events_2024;'\n)"
    path, after, _ = _fix(tmp_path, PARTITIONED, body, select="detach-partition-not-concurrent")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        with op.get_context().autocommit_block():
            op.execute(
                'ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;'
            )'''), "    ")
    assert _rules(after) == []


def test_lock_timeout_starts_every_transaction(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe]\nfix-lock-timeout = "750ms"\n', encoding="utf-8")
    body = '''
"""Index, then rename."""
op.add_column("users", sa.Column("note", sa.Text()))  # nullable
op.create_index("ix_users_name", "users", ["name"])
op.alter_column("users", "status", new_column_name="state")
'''
    path, after, _ = _fix(tmp_path, USERS_TABLE, body, config_file=tmp_path / "pyproject.toml",
                          select="missing-lock-timeout,index-not-concurrent")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        """Index, then rename."""
        # missing-lock-timeout: give up instead of queueing every query on the table behind a lock wait
        op.execute("SET LOCAL lock_timeout = '750ms'")
        op.add_column("users", sa.Column("note", sa.Text()))  # nullable
        with op.get_context().autocommit_block():
            # index-not-concurrent: a failed concurrent build leaves an INVALID index; a retry drops it first
            op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_users_name")
            op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
        # missing-lock-timeout: give up instead of queueing every query on the table behind a lock wait
        op.execute("SET LOCAL lock_timeout = '750ms'")
        op.alter_column("users", "status", new_column_name="state")'''), "    ")
    assert _rules(after) == []


def test_single_transaction_projects_are_told_what_autocommit_block_commits(tmp_path):
    _, after, _ = _fix(tmp_path, USERS_TABLE, 'op.create_index("ix_users_name", "users", ["name"])',
                       select="index-not-concurrent", transaction_per_migration=False)
    assert any("transaction_per_migration is off" in note.message for note in after.notes)


def test_diff_writes_nothing_and_downgrade_is_untouched(tmp_path):
    _, _, plan = _fix(tmp_path, USERS_TABLE, 'op.create_index("ix_users_name", "users", ["name"])',
                      write=False, select="index-not-concurrent")
    [change] = plan.changes
    assert change.path.read_text(encoding="utf-8") == change.before
    diff = change.diff("versions/002_r2.py")
    assert diff.startswith("--- a/versions/002_r2.py\n+++ b/versions/002_r2.py\n")
    assert "+        op.create_index(\"ix_users_name\", \"users\", [\"name\"], postgresql_concurrently=True)" in diff
    assert change.after.split("def downgrade")[1] == change.before.split("def downgrade")[1]


def test_reload_check_refuses_a_fix_that_moves_the_revision():
    before = 'revision = "a1"\ndown_revision = "a0"\n\ndef upgrade():\n    pass\n'
    assert reload_problem(Path("r.py"), before, before.replace("pass", "pass  # fixed")) is None
    assert "down_revisions" in reload_problem(Path("r.py"), before, before.replace('"a0"', '"zz"'))
    assert "SyntaxError" in reload_problem(Path("r.py"), before, before.replace("pass", "pass)"))


def test_atomic_write_keeps_the_mode_and_refuses_links(tmp_path):
    target = tmp_path / "r.py"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n" and (target.stat().st_mode & 0o777) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["r.py"]  # no temporary file left behind
    link = tmp_path / "link.py"
    link.symlink_to(target)
    try:
        write_atomically(link, "through the link\n")
    except FixWriteError as error:
        assert "symbolic link" in str(error)
    else:
        raise AssertionError("wrote through a symbolic link")
    assert target.read_text(encoding="utf-8") == "new\n"


def test_a_linked_revision_file_is_not_fixed(tmp_path):
    versions = tmp_path / "versions"
    [first, second] = write_history(tmp_path / "real", [USERS_TABLE, 'op.create_index("ix", "users", ["name"])'])
    versions.mkdir()
    (versions / first.name).symlink_to(first)
    (versions / second.name).symlink_to(second)
    options = ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False, select=["index-not-concurrent"])
    before = review(options)
    assert [f.rule for f in before.findings] == ["index-not-concurrent"]
    after, plan = fix_review(options, before, lambda: review(options), write=True)
    assert plan.changes == [] and "postgresql_concurrently" not in second.read_text(encoding="utf-8")
    assert any("symbolic link" in note.message for note in after.notes)


def _migsafe(*args: str, cwd: Path, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, "-m", "migsafe", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"})


def test_command_line_exit_codes_and_json(tmp_path):
    paths = write_history(tmp_path / "versions", [USERS_TABLE, 'op.create_index("ix_users_name", "users", ["name"])',
                                                  'op.drop_column("users", "status")'])
    diff = _migsafe("review", "versions", "--diff", "--no-cache", cwd=tmp_path)
    assert diff.returncode == 1 and diff.stdout.startswith("--- a/versions/002_r2.py")
    assert "postgresql_concurrently" not in paths[1].read_text(encoding="utf-8")
    fixed = _migsafe("review", "versions", "--fix", "--format", "json", "--no-cache", cwd=tmp_path)
    data = json.loads(fixed.stdout)
    assert fixed.returncode == 1  # drop-column remains
    assert data["fixed_files"] == ["versions/002_r2.py", "versions/003_r3.py"]
    assert sorted({f["rule"] for f in data["findings"]}) == ["drop-column"]
    assert any(n["kind"] == "not-fixed" and "drop-column (1)" in n["message"] for n in data["notes"])
    again = _migsafe("review", "versions", "--diff", "--no-cache", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "")


def test_hook_fixes_only_when_asked(tmp_path):
    [_, new] = write_history(tmp_path / "versions", [USERS_TABLE, 'op.create_index("ix", "users", ["name"])'])
    advisory = _migsafe("review", "--hook", str(new), "--no-cache", cwd=tmp_path)
    assert "postgresql_concurrently" not in new.read_text(encoding="utf-8") and "index-not-concurrent" in advisory.stdout
    fixing = _migsafe("review", "--hook", "--fix", str(new), "--no-cache", cwd=tmp_path)
    assert "postgresql_concurrently=True" in new.read_text(encoding="utf-8")
    assert "index-not-concurrent" not in fixing.stdout
    assert "the file is left as written" in advisory.stdout
    write_history(tmp_path / "versions", [USERS_TABLE, 'op.create_index("ix", "users", ["name"])\n'
                                                       'op.drop_column("users", "status")'])
    remaining = _migsafe("review", "--hook", "--fix", str(new), "--no-cache", cwd=tmp_path)
    assert "drop-column" in remaining.stdout and "--fix rewrote the file" in remaining.stdout


def test_plain_review_does_not_import_libcst(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, 'op.create_index("ix", "users", ["name"])'])
    plain = _migsafe("review", "versions", "--no-cache", cwd=tmp_path, importtime=True)
    assert plain.returncode == 1 and "index-not-concurrent" in plain.stdout
    assert " libcst" not in plain.stderr
    diff = _migsafe("review", "versions", "--diff", "--no-cache", cwd=tmp_path, importtime=True)
    assert diff.returncode == 1 and " libcst" in diff.stderr  # the same measure sees it when it is used


def test_a_fixed_file_that_no_longer_loads_is_put_back(tmp_path):
    from migsafe.model import LoadError

    versions = tmp_path / "versions"
    [_, path] = write_history(versions, [USERS_TABLE, 'op.create_index("ix", "users", ["name"])'])
    original = path.read_text(encoding="utf-8")
    options = ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False, select=["index-not-concurrent"])
    calls = []

    def review_again():  # the review after writing: the fixed file fails to load (as an import error would)
        calls.append(path.read_text(encoding="utf-8"))
        again = review(options)
        if len(calls) == 1:
            again.errors.append(LoadError(message="ImportError: boom", path=path, line=1, revision="r2"))
        return again

    after, plan = fix_review(options, review(options), review_again, write=True)
    assert "postgresql_concurrently" in calls[0]  # the fix was written, then reviewed
    assert path.read_text(encoding="utf-8") == original and plan.changes == [] and after.fixed_files == []
    assert any("did not load as before (load-error: ImportError: boom); put back" in n.message for n in after.notes)


def test_enum_add_value_leaves_the_transaction(tmp_path):
    setup = USERS_TABLE + "\nop.execute(\"CREATE TYPE mood AS ENUM ('ok')\")"
    body = '''
op.execute("ALTER TYPE mood ADD VALUE 'meh'")  # for the survey
conn = op.get_bind()
conn.execute(sa.text("UPDATE users SET status = 'meh'"))
'''
    path, after, _ = _fix(tmp_path, setup, body, select="enum-add-value-in-transaction")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE mood ADD VALUE 'meh'")  # for the survey
        conn = op.get_bind()
        conn.execute(sa.text("UPDATE users SET status = 'meh'"))'''), "    ")
    assert _rules(after) == []


def test_constraint_not_valid_then_validate_op_and_sql_forms(tmp_path):
    body = '''
op.add_column("users", sa.Column("boss_id", sa.Integer()))
op.create_foreign_key("fk_users_boss", "users", "users",
                      ["boss_id"], ["id"])  # self
op.execute("""
    ALTER TABLE users ADD CONSTRAINT ck_users_name CHECK (length(name) > 0)
""")
'''
    path, after, _ = _fix(tmp_path, USERS_TABLE, body, select="constraint-without-not-valid")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        op.add_column("users", sa.Column("boss_id", sa.Integer()))
        op.create_foreign_key("fk_users_boss", "users", "users",
                              ["boss_id"], ["id"], postgresql_not_valid=True)  # self
        with op.get_context().autocommit_block():
            # constraint-without-not-valid: checks the rows after the ADD has committed, letting reads and writes through
            op.execute("ALTER TABLE users VALIDATE CONSTRAINT fk_users_boss")
        op.execute("""
            ALTER TABLE users ADD CONSTRAINT ck_users_name CHECK (length(name) > 0) NOT VALID
        """)
        with op.get_context().autocommit_block():
            # constraint-without-not-valid: checks the rows after the ADD has committed, letting reads and writes through
            op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_name")'''), "    ")
    assert _rules(after) == []


def test_validate_in_the_adds_transaction_moves_out(tmp_path):
    body = '''
op.create_check_constraint("ck_users_name", "users", "length(name) > 0", postgresql_not_valid=True)
op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_name")
'''
    path, after, _ = _fix(tmp_path, USERS_TABLE, body, select="constraint-without-not-valid")
    assert _upgrade(path).endswith('''
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_name")''')
    assert _rules(after) == []


def test_unnamed_constraint_is_left_with_a_note(tmp_path):
    body = 'op.execute("ALTER TABLE users ADD CHECK (length(name) > 0)")'
    _left_alone(tmp_path, "constraint-without-not-valid", "no name to validate it by", USERS_TABLE, body)


def test_set_not_null_through_a_validated_check(tmp_path):
    body = '''
# Everyone has a name now.
op.alter_column("users", "name",
                existing_type=sa.String(50),
                nullable=False)  # required
op.execute("alter table users alter column status set not null")
'''
    path, after, _ = _fix(tmp_path, USERS_TABLE, body, select="set-not-null")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        # Everyone has a name now.
        # set-not-null: a validated CHECK spares SET NOT NULL its full-table scan (PostgreSQL 12+)
        op.execute("ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL) NOT VALID")
        with op.get_context().autocommit_block():
            op.execute("ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null")
        op.alter_column("users", "name",
                        existing_type=sa.String(50),
                        nullable=False)  # required
        op.execute("ALTER TABLE users DROP CONSTRAINT users_name_not_null")
        # set-not-null: a validated CHECK spares SET NOT NULL its full-table scan (PostgreSQL 12+)
        op.execute("ALTER TABLE users ADD CONSTRAINT users_status_not_null CHECK (status IS NOT NULL) NOT VALID")
        with op.get_context().autocommit_block():
            op.execute("ALTER TABLE users VALIDATE CONSTRAINT users_status_not_null")
        op.execute("alter table users alter column status set not null")
        op.execute("ALTER TABLE users DROP CONSTRAINT users_status_not_null")'''), "    ")
    assert _rules(after) == []


def test_set_not_null_left_alone_before_12_or_with_other_changes(tmp_path):
    _left_alone(tmp_path, "set-not-null", "PostgreSQL 11 scans", USERS_TABLE,
                'op.alter_column("users", "name", nullable=False)', pg_version="11")
    _left_alone(tmp_path / "other", "set-not-null", "changes more than NOT NULL", USERS_TABLE,
                'op.alter_column("users", "name", nullable=False, server_default="x")')


def test_unique_constraint_from_a_concurrent_index(tmp_path):
    body = '''
op.create_unique_constraint("uq_users_email", "users", ["email"])
op.execute('ALTER TABLE users ADD CONSTRAINT "Uq Name" UNIQUE (name, status)')
'''
    path, after, _ = _fix(tmp_path, USERS_TABLE, body, select="unique-constraint-builds-index")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        with op.get_context().autocommit_block():
            # unique-constraint-builds-index: a failed concurrent build leaves an INVALID index; a retry drops it first
            op.execute("DROP INDEX CONCURRENTLY IF EXISTS uq_users_email")
            op.execute("CREATE UNIQUE INDEX CONCURRENTLY uq_users_email ON users (email)")
        # unique-constraint-builds-index: attaching the built index takes ACCESS EXCLUSIVE, for a moment
        op.execute("SET LOCAL lock_timeout = '2s'")
        op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")
        with op.get_context().autocommit_block():
            # unique-constraint-builds-index: a failed concurrent build leaves an INVALID index; a retry drops it first
            op.execute('DROP INDEX CONCURRENTLY IF EXISTS "Uq Name"')
            op.execute('CREATE UNIQUE INDEX CONCURRENTLY "Uq Name" ON users (name, status)')
        # unique-constraint-builds-index: attaching the built index takes ACCESS EXCLUSIVE, for a moment
        op.execute("SET LOCAL lock_timeout = '2s'")
        op.execute('ALTER TABLE users ADD CONSTRAINT "Uq Name" UNIQUE USING INDEX "Uq Name"')'''), "    ")
    assert _rules(after) == []


def test_primary_key_on_nullable_columns_is_left_with_a_note(tmp_path):
    setup = 'op.execute("CREATE TABLE tags (id int, name text)")'
    _left_alone(tmp_path, "unique-constraint-builds-index", "PRIMARY KEY USING INDEX sets its columns NOT NULL",
                setup, 'op.create_primary_key("pk_tags", "tags", ["id"])')
    # A table no revision created: its columns' nullability is unknown, so it is left alone too.
    _left_alone(tmp_path / "unknown", "unique-constraint-builds-index", "they are not known to be", USERS_TABLE,
                'op.create_primary_key("pk_legacy", "legacy", ["id"])')


def test_primary_key_on_not_null_columns_is_attached_from_a_concurrent_index(tmp_path):
    setup = 'op.execute("CREATE TABLE tags (id int NOT NULL, name text)")'
    path, after, _ = _fix(tmp_path, setup, 'op.create_primary_key("pk_tags", "tags", ["id"])',
                          select="unique-constraint-builds-index")
    assert _upgrade(path).splitlines()[3:] == [
        '        op.execute("CREATE UNIQUE INDEX CONCURRENTLY pk_tags ON tags (id)")',
        "    # unique-constraint-builds-index: attaching the built index takes ACCESS EXCLUSIVE, for a moment",
        "    op.execute(\"SET LOCAL lock_timeout = '2s'\")",
        '    op.execute("ALTER TABLE tags ADD CONSTRAINT pk_tags PRIMARY KEY USING INDEX pk_tags")']
    assert _rules(after) == []


def test_bare_commit_before_statements_that_need_no_transaction(tmp_path):
    body = '''
op.add_column("users", sa.Column("org_id", sa.Integer()))
# CONCURRENTLY cannot run in a transaction
op.execute("COMMIT")
op.create_index("ix_users_org", "users", ["org_id"], postgresql_concurrently=True)
op.execute("VACUUM users")
'''
    path, after, _ = _fix(tmp_path, USERS_TABLE, body, select="bare-commit")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        op.add_column("users", sa.Column("org_id", sa.Integer()))
        # CONCURRENTLY cannot run in a transaction
        with op.get_context().autocommit_block():
            op.create_index("ix_users_org", "users", ["org_id"], postgresql_concurrently=True)
            op.execute("VACUUM users")'''), "    ")
    assert _rules(after) == []


def test_bare_commit_before_work_that_needs_a_transaction_is_left(tmp_path):
    body = '''
op.add_column("users", sa.Column("org_id", sa.Integer()))
op.execute("COMMIT")
op.execute("UPDATE users SET org_id = 1")
'''
    _left_alone(tmp_path, "bare-commit", "need a transaction", USERS_TABLE, body)


def test_the_dangerous_sample_after_fix(tmp_path):
    """The issue's check: `review --fix` on a copy of sample_migrations/dangerous leaves no finding of a rule
    that has a fix (the sample's materialized view has the unique index REFRESH ... CONCURRENTLY needs)."""
    import shutil

    from migsafe.fixing import all_fixes

    project = tmp_path / "dangerous"
    shutil.copytree(Path(__file__).resolve().parent.parent / "sample_migrations" / "dangerous", project)
    fixed = _migsafe("review", "--fix", "--format", "json", "--no-cache", cwd=project)
    assert fixed.returncode == 1, fixed.stderr
    after = _migsafe("review", "--format", "json", "--no-cache", cwd=project)
    left = sorted((f["rule"], f["sql"].split()[0]) for f in json.loads(after.stdout)["findings"]
                  if f["rule"] in all_fixes())
    assert left == []
    assert not json.loads(after.stdout)["errors"]
    assert len(json.loads(fixed.stdout)["fixed_files"]) == 19


MATVIEW = '''
op.execute("CREATE MATERIALIZED VIEW user_counts AS SELECT status, count(*) AS n FROM users GROUP BY status")
'''


def test_refresh_concurrently_when_the_view_has_a_unique_index(tmp_path):
    setup = MATVIEW + 'op.execute("CREATE UNIQUE INDEX ix_user_counts ON user_counts (status)")'
    body = 'op.execute("REFRESH MATERIALIZED VIEW user_counts")  # nightly numbers'
    path, after, _ = _fix(tmp_path, USERS_TABLE, setup, body, select="refresh-matview-not-concurrent")
    assert _upgrade(path) == '    op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY user_counts")  # nightly numbers'
    assert _rules(after) == []


def test_refresh_without_a_usable_unique_index_is_left_with_a_note(tmp_path):
    # A partial unique index does not do: PostgreSQL refuses CONCURRENTLY with it.
    setup = MATVIEW + 'op.execute("CREATE UNIQUE INDEX ix_user_counts ON user_counts (status) WHERE n > 0")'
    _left_alone(tmp_path, "refresh-matview-not-concurrent", "needs a unique index on plain columns of user_counts",
                USERS_TABLE, setup, 'op.execute("REFRESH MATERIALIZED VIEW user_counts")')


LINK_TICKETS = "2024_05_20_1605-4b9e6a2c7d31_link_tickets_to_sla_policies.py"


def _dangerous_copy(tmp_path: Path, hook: bool = False) -> Path:
    import shutil

    project = tmp_path / "dangerous"
    shutil.copytree(Path(__file__).resolve().parent.parent / "sample_migrations" / "dangerous", project)
    if hook:  # a post-write hook that leaves a mark: --fix must not run it on the revision it writes
        mark = project / "mark.py"
        mark.write_text("import pathlib\npathlib.Path(__file__).with_name('hook-ran').write_text('')\n",
                        encoding="utf-8")
        ini = project / "alembic.ini"
        ini.write_text(ini.read_text(encoding="utf-8").replace(
            "[post_write_hooks]\n", f"[post_write_hooks]\nhooks = mark\nmark.type = exec\nmark.executable = "
                                    f"{sys.executable}\nmark.options = {mark} REVISION_SCRIPT_FILENAME\n"),
            encoding="utf-8")
    return project


def test_followup_revision_holds_the_validations(tmp_path):
    project = _dangerous_copy(tmp_path, hook=True)
    versions = project / "migrations" / "versions"
    before = set(versions.iterdir())
    fixed = _migsafe("review", "--fix", "--followup-revision", "--format", "json", "--no-cache",
                     f"migrations/versions/{LINK_TICKETS}", cwd=project)
    [new] = set(versions.iterdir()) - before
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert json.loads(fixed.stdout)["fixed_files"] == [f"migrations/versions/{LINK_TICKETS}",
                                                       f"migrations/versions/{new.name}"]
    assert new.name.endswith("_validate_constraints_added_not_valid.py")  # the project's file_template
    text = new.read_text(encoding="utf-8")
    assert "down_revision: Union[str, Sequence[str], None] = 'd94f0a6e2b17'" in text  # script.py.mako, after head
    assert "op.execute('ALTER TABLE tickets VALIDATE CONSTRAINT fk_tickets_sla_policy_id_sla_policies')" in text
    assert "op.execute('ALTER TABLE tickets VALIDATE CONSTRAINT ck_tickets_reopen_count_non_negative')" in text
    fixed_file = (versions / LINK_TICKETS).read_text(encoding="utf-8")
    assert fixed_file.count("postgresql_not_valid=True") == 2 and "VALIDATE" not in fixed_file
    assert not (project / "hook-ran").exists()
    again = _migsafe("review", "--format", "json", "--no-cache", cwd=project)
    assert not [f for f in json.loads(again.stdout)["findings"] if f["rule"] == "constraint-without-not-valid"]


def test_followup_revision_needs_one_head(tmp_path):
    project = _dangerous_copy(tmp_path)
    versions = project / "migrations" / "versions"
    (versions / "zz_branch.py").write_text('revision = "b1"\ndown_revision = "3b8e51d07c2a"\nbranch_labels = None\n'
                                           'depends_on = None\n\n\ndef upgrade():\n    pass\n\n\n'
                                           'def downgrade():\n    pass\n', encoding="utf-8")
    original = (versions / LINK_TICKETS).read_text(encoding="utf-8")
    refused = _migsafe("review", "--fix", "--followup-revision", "--no-cache", f"migrations/versions/{LINK_TICKETS}",
                       cwd=project)
    assert refused.returncode == 2 and "2 heads" in refused.stderr and "merge them first" in refused.stderr
    assert (versions / LINK_TICKETS).read_text(encoding="utf-8") == original
    alone = _migsafe("review", "--followup-revision", "--no-cache", cwd=project)
    assert alone.returncode == 2 and "goes with --fix" in alone.stderr


def test_lock_timeout_for_a_statement_inside_an_autocommit_block(tmp_path):
    # DETACH ... CONCURRENTLY runs outside Alembic's transaction and takes ACCESS EXCLUSIVE on the partition in
    # its second phase: SET LOCAL would not last there, so the session gets the setting around the statement.
    body = '''
with op.get_context().autocommit_block():
    op.execute("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY")
'''
    path, after, _ = _fix(tmp_path, PARTITIONED, body, select="missing-lock-timeout")
    assert _upgrade(path) == textwrap.indent(textwrap.dedent('''\
        with op.get_context().autocommit_block():
            # missing-lock-timeout: for this statement only (outside a transaction SET LOCAL would not last)
            op.execute("SET lock_timeout = '2s'")
            op.execute("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY")
            op.execute("RESET lock_timeout")'''), "    ")
    assert _rules(after) == []
