import pytest

from conftest import USERS_TABLE, body_line, rule_hits
from migsafe.config import load_settings
from migsafe.errors import UsageError
from migsafe.pg_locks import duration_ms
from migsafe.rules.missing_lock_timeout import env_sets_lock_timeout

RULE = "missing-lock-timeout"

ADD = 'op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))'


def test_add_column_without_lock_timeout(review_history):
    body = ADD + '\nop.drop_column("users", "status")'
    report = review_history(USERS_TABLE, body)
    # One finding per revision, on the first statement that needs ACCESS EXCLUSIVE.
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert finding.severity == "warning"
    assert "table users" in finding.message and "1 more statement of this revision does the same" in finding.message


def test_raw_sql_without_lock_timeout(review_history):
    body = 'op.execute("ALTER TABLE users ALTER COLUMN status DROP NOT NULL")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_set_local_lock_timeout_first(review_history):
    body = '''
op.execute("SET LOCAL lock_timeout = '3s'")
''' + ADD
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_session_lock_timeout_lasts_across_autocommit_blocks(review_history):
    body = '''
op.execute("SET lock_timeout = 3000")
with op.get_context().autocommit_block():
    op.drop_index("ix_users_email", table_name="users")
''' + ADD
    first = USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])'
    report = review_history(first, body)
    assert rule_hits(report, RULE) == []


def test_set_local_ends_with_its_transaction(review_history):
    body = '''
op.execute("SET LOCAL lock_timeout = '3s'")
with op.get_context().autocommit_block():
    op.execute("CREATE INDEX CONCURRENTLY ix_users_status ON users (status)")
''' + ADD
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]


def test_set_local_outside_a_transaction_does_nothing(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("SET LOCAL lock_timeout = '3s'")
    op.execute("DROP INDEX ix_users_email")
'''
    first = USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])'
    report = review_history(first, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DROP INDEX"))]


@pytest.mark.parametrize("setting", ["SET lock_timeout = 0", "SET LOCAL lock_timeout = '0s'",
                                     "SET lock_timeout TO DEFAULT"])
def test_zero_or_default_is_no_timeout(review_history, setting):
    body = f'op.execute("{setting}")\n' + ADD
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]


def test_reset_after_set(review_history):
    body = '''
op.execute("SET lock_timeout = '2s'")
op.execute("RESET lock_timeout")
''' + ADD
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]


def test_set_after_the_statement_is_too_late(review_history):
    body = ADD + '''
op.execute("SET LOCAL lock_timeout = '2s'")
op.drop_column("users", "status")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]


def test_set_config_counts(review_history):
    body = '''
op.execute("SELECT set_config('lock_timeout', '2s', true)")
''' + ADD
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_a_setting_in_an_earlier_revision_does_not_count(review_history):
    # The later revision may be deployed on its own.
    report = review_history(USERS_TABLE, 'op.execute("SET lock_timeout = \'2s\'")', ADD)
    assert rule_hits(report, RULE) == [("r3", body_line(ADD, "add_column"))]


def test_new_table_is_not_reported(review_history):
    body = USERS_TABLE + "\n" + ADD
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_weaker_locks_are_not_reported(review_history):
    body = '''
op.create_index("ix_users_status", "users", ["status"])
op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_email")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_drop_index_locks_its_table(review_history):
    body = 'op.drop_index("ix_users_email", table_name="users")'
    first = USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])'
    report = review_history(first, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_index"))]


def test_drop_of_an_unknown_index(review_history):
    body = 'op.execute("DROP INDEX ix_legacy")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DROP INDEX"))]
    assert "the table of index ix_legacy" in [f for f in report.findings if f.rule == RULE][0].message


def test_drop_index_if_exists_of_an_index_no_revision_made_locks_nothing(review_history):
    # The drop-and-recreate idiom: in a database built by this history the index is absent, PostgreSQL takes no
    # lock for the DROP (pg_locks, PostgreSQL 15), and the CREATE INDEX that follows is the real work.
    body = """
op.execute("DROP INDEX IF EXISTS ix_users_email_lower")
op.execute("ALTER TABLE users ADD COLUMN nickname text")
"""
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ADD COLUMN"))]
    assert "DROP INDEX" not in [f for f in report.findings if f.rule == RULE][0].message


@pytest.mark.parametrize("first, name", [
    # named by an earlier revision's code, even in a branch the recording did not take
    (USERS_TABLE + '\nif False:\n    op.execute("CREATE INDEX ix_users_email_lower ON users (lower(email))")',
     "ix_users_email_lower"),
    # a name PostgreSQL chose itself (CREATE INDEX ON users (email)): no source spells it
    (USERS_TABLE + '\nop.execute("CREATE INDEX ON users (email)")', "users_email_idx"),
])
def test_drop_index_if_exists_of_an_index_that_may_exist_still_locks(review_history, first, name):
    body = f'op.execute("DROP INDEX IF EXISTS {name}")'
    report = review_history(first, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DROP INDEX"))]


def test_lock_first_with_nowait_then_alter_never_waits(review_history):
    # LOCK ... NOWAIT fails at once instead of waiting, and the ALTER after it finds the lock held: nothing in
    # that transaction can queue traffic. Without NOWAIT the LOCK itself is the statement that waits.
    body = """
with op.get_context().autocommit_block():
    op.execute("BEGIN")
    op.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE NOWAIT")
    op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS headers json")
    op.execute("COMMIT")
"""
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == []
    waiting = body.replace(" NOWAIT", "")
    assert rule_hits(review_history(USERS_TABLE, waiting), RULE) == [("r2", body_line(waiting, "LOCK TABLE"))]


def test_alter_table_inside_a_do_block(review_history):
    body = 'op.execute("DO $$ BEGIN ALTER TABLE users ADD COLUMN nickname text; END $$")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DO $$"))]


def _config(tmp_path, value):
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.migsafe]\nlock-timeout = {value}\n", encoding="utf-8")
    return path


def test_lock_timeout_set_by_the_deploy(review_history, tmp_path):
    report = review_history(USERS_TABLE, ADD, config_file=_config(tmp_path, '"2s"'))
    assert rule_hits(report, RULE) == []


def test_lock_timeout_zero_in_config_is_none(review_history, tmp_path):
    report = review_history(USERS_TABLE, ADD, config_file=_config(tmp_path, "0"))
    assert rule_hits(report, RULE) == [("r2", body_line(ADD, "add_column"))]


@pytest.mark.parametrize("value", ['"2 seconds"', '"5S"', '"-1"', "true", "[1]"])
def test_lock_timeout_config_is_validated(tmp_path, value):
    with pytest.raises(UsageError, match="lock-timeout"):
        load_settings(_config(tmp_path, value), known_rules=set())


def test_lock_timeout_config_accepts_postgres_durations(tmp_path):
    assert load_settings(_config(tmp_path, '"1.5s"'), known_rules=set()).lock_timeout == "1.5s"
    assert load_settings(_config(tmp_path, "2000"), known_rules=set()).lock_timeout == "2000"


ENV_SETTING = '''
from alembic import context
from sqlalchemy import engine_from_config, text


def run_migrations_online():
    connectable = engine_from_config({}, prefix="sqlalchemy."{connect})
    with connectable.connect() as connection:
        {execute}
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
'''


def _env(tmp_path, connect="", execute="pass"):
    # review_history writes tmp_path/versions: an env.py next to it is the project's env.py.
    (tmp_path / "env.py").write_text(ENV_SETTING.replace("{connect}", connect).replace("{execute}", execute),
                                     encoding="utf-8")


@pytest.mark.parametrize("connect, execute", [
    ("", 'connection.execute(text("SET lock_timeout = \'4s\'"))'),
    ("", 'connection.exec_driver_sql(f"SET lock_timeout = {LOCK_TIMEOUT}")'),
    (', connect_args={"options": "-c lock_timeout=5000"}', "pass"),
    (', connect_args={"server_settings": {"lock_timeout": "5s"}}', "pass"),
    (', url="postgresql://app@db/app?options=-c%20lock_timeout%3D5s"', "pass"),
])
def test_lock_timeout_set_in_env_py(review_history, tmp_path, connect, execute):
    _env(tmp_path, connect, execute)
    report = review_history(USERS_TABLE, ADD)
    assert rule_hits(report, RULE) == []


@pytest.mark.parametrize("connect, execute", [
    ("", "# connection.execute(text(\"SET lock_timeout = '4s'\"))"),
    ("", 'connection.execute(text("SET lock_timeout = 0"))'),
    (', connect_args={"options": "-c statement_timeout=5000"}', "pass"),
])
def test_env_py_without_a_real_lock_timeout(review_history, tmp_path, connect, execute):
    _env(tmp_path, connect, execute)
    report = review_history(USERS_TABLE, ADD)
    assert rule_hits(report, RULE) == [("r2", body_line(ADD, "add_column"))]


def test_env_py_reading_survives_a_broken_file(tmp_path):
    path = tmp_path / "env.py"
    path.write_text("def broken(:\n  'SET lock_timeout = 5s'\n", encoding="utf-8")
    assert env_sets_lock_timeout(path) is False
    assert env_sets_lock_timeout(tmp_path / "missing.py") is False


@pytest.mark.parametrize("text, ms", [
    ("5000", 5000), ("'5s'", 5000), ("250 ms", 250), ("1min", 60_000), ("1.5s", 1500), ("0", 0),
    ("3d", 259_200_000), ("100us", 0), (5000, 5000),
    ("5S", None), ("5sec", None), ("-1", None), ("soon", None), ("", None),
])
def test_duration_ms_reads_values_like_postgres(text, ms):
    assert duration_ms(text) == ms


def test_scratch_tables_dropped_if_exists_are_not_the_first_access_exclusive(review_history):
    # A de-duplication revision: datasets_backup and tmp_counts are made by no revision (IF EXISTS finds nothing,
    # PostgreSQL takes no lock), tmp_counts is made and dropped again in the revision. The first ACCESS EXCLUSIVE
    # on a live table is the unique constraint's.
    datasets = 'op.create_table("datasets", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("uuid", sa.String(32)))'
    body = '''
op.execute("DROP TABLE IF EXISTS datasets_backup")
op.execute("DROP TABLE IF EXISTS tmp_counts")
op.execute("CREATE TEMP TABLE tmp_counts AS SELECT uuid, COUNT(*) FROM datasets GROUP BY uuid HAVING COUNT(*) > 1")
op.execute("CREATE TABLE datasets_backup AS SELECT * FROM datasets WHERE uuid IN (SELECT uuid FROM tmp_counts)")
op.execute("DROP TABLE IF EXISTS tmp_counts")
op.create_unique_constraint("uq_datasets_uuid", "datasets", ["uuid"])
'''
    report = review_history(datasets, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_unique_constraint"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "table datasets" in finding.message and "more statement" not in finding.message
