"""Revisions that branch on ``context.is_offline_mode()`` are recorded as an online ``alembic upgrade`` runs
them, through the recording connection; when that branch fails there, as offline, marked partial."""

from __future__ import annotations

from conftest import USERS_TABLE, body_line, write_history
from migsafe.recording.runner import record_history
from migsafe.revisions import list_revision_files, load_history


def record(tmp_path, *bodies: str):
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    history = load_history(list_revision_files([versions]))
    return record_history(history.files, sys_path=[tmp_path], config_file=None)


REFUSES_OFFLINE = '''
from alembic import context
if context.is_offline_mode():
    raise RuntimeError("This upgrade is only possible in online mode")
conn = op.get_bind()
for (user_id,) in conn.execute(sa.text("SELECT id FROM users")).fetchall():
    pass
op.create_index("ix_users_name", "users", ["name"])
'''


def test_a_revision_that_refuses_offline_mode_is_recorded_online(tmp_path):
    rec = record(tmp_path, USERS_TABLE, REFUSES_OFFLINE)[1]
    assert rec.error is None, rec.error
    assert [s.sql.split()[0] for s in rec.statements] == ["SELECT", "CREATE"]
    assert not [n for n in rec.notes if n.kind == "partial-offline"]


SKIPS_DATA_OFFLINE = '''
from alembic import context
op.add_column("users", sa.Column("status", sa.Text()))
if not context.is_offline_mode():
    op.execute("UPDATE users SET status = 'active'")
'''


def test_the_data_migration_of_the_online_branch_is_recorded(tmp_path):
    rec = record(tmp_path, USERS_TABLE, SKIPS_DATA_OFFLINE)[1]
    assert [s.sql.split()[0] for s in rec.statements] == ["ALTER", "UPDATE"]


ONLINE_NEEDS_THE_DRIVER = '''
from alembic import context
op.add_column("users", sa.Column("status", sa.Text()))
if not context.is_offline_mode():
    cursor = op.get_bind().connection.cursor()
    cursor.copy_expert("COPY users TO STDOUT", None)
'''


def test_an_online_branch_that_fails_on_the_recording_connection_is_recorded_offline_and_partial(tmp_path):
    rec = record(tmp_path, USERS_TABLE, ONLINE_NEEDS_THE_DRIVER)[1]
    assert rec.error is None, rec.error
    assert [s.sql.split()[0] for s in rec.statements] == ["ALTER"]
    [note] = [n for n in rec.notes if n.kind == "partial-offline"]
    assert note.line == body_line(ONLINE_NEEDS_THE_DRIVER, "copy_expert")
    assert "copy_expert" in note.message


def test_a_revision_failing_both_ways_keeps_its_online_failure(tmp_path):
    body = '''
from alembic import context
if context.is_offline_mode():
    raise ValueError("offline failure")
raise ValueError("online failure")
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    # Offline, such revisions mostly refuse to run: the online failure says what to act on.
    assert rec.error is not None and "online failure" in rec.error.message


def test_the_migration_context_gives_the_project_config(tmp_path):
    body = '''
config = op.get_context().config
assert config is not None
op.execute("SELECT %d" % (config.get_main_option("sqlalchemy.url") is None))
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    assert rec.error is None, rec.error
    assert [s.sql for s in rec.statements] == ["SELECT 1"]


VERSION_BRANCH = '''
bind = op.get_bind()
if bind.dialect.server_version_info >= (11,):
    op.add_column("users", sa.Column("score", sa.Integer(), server_default="0"))
else:
    op.add_column("users", sa.Column("score", sa.Integer()))
'''


def test_the_server_version_online_branches_compare_is_the_target_version(tmp_path):
    def added(pg_version):
        directory = tmp_path / "pg".join(map(str, pg_version))
        write_history(directory, [USERS_TABLE, VERSION_BRANCH])
        files = load_history(list_revision_files([directory])).files
        rec = record_history(files, sys_path=[tmp_path], config_file=None, pg_version=pg_version)[1]
        assert rec.error is None, rec.error
        return [s.sql for s in rec.statements]

    assert added((15, 0)) == ["ALTER TABLE users ADD COLUMN score INTEGER DEFAULT '0'"]
    assert added((10, 0)) == ["ALTER TABLE users ADD COLUMN score INTEGER"]


def test_a_missing_environment_variable_read_at_import_gets_a_placeholder_and_a_note(tmp_path, monkeypatch):
    monkeypatch.delenv("MIGSAFE_TEST_APP_SCHEMA", raising=False)
    versions = tmp_path / "versions"
    [first, second] = write_history(versions, [USERS_TABLE, '''
op.execute("UPDATE users SET name = 'x'")
if os.environ.get("MIGSAFE_TEST_APP_SCHEMA") is None and "MIGSAFE_TEST_APP_SCHEMA" not in os.environ:
    op.execute("SELECT 1")
'''])
    source = second.read_text()
    second.write_text(source.replace("import sqlalchemy as sa\n",
                                     'import sqlalchemy as sa\nimport os\nSCHEMA = os.environ["MIGSAFE_TEST_APP_SCHEMA"]\n',
                                     1))
    files = load_history(list_revision_files([versions])).files
    rec = record_history(files, sys_path=[tmp_path], config_file=None)[1]
    assert rec.error is None, rec.error
    # get() and `in` still see it missing.
    assert [s.sql for s in rec.statements] == ["UPDATE users SET name = 'x'", "SELECT 1"]
    [note] = [n for n in rec.notes if n.kind == "partial-environment"]
    assert "MIGSAFE_TEST_APP_SCHEMA" in note.message
    import os

    assert "MIGSAFE_TEST_APP_SCHEMA" not in os.environ
    try:
        os.environ["MIGSAFE_TEST_APP_SCHEMA"]
    except KeyError:
        pass
    else:
        raise AssertionError("the placeholder outlived the review")


HELPER_BUILT_SCHEMA = '''
from migsafe_test_missing_app.schema import create_initial_tables
create_initial_tables(op.get_bind())
'''

REFLECTS_WIDGETS = '''
widgets = sa.Table("widgets", sa.MetaData(), autoload_with=op.get_bind())
op.add_column("widgets", sa.Column("colour", sa.Text()))
'''


def test_reflecting_a_table_an_application_helper_may_have_created_answers_exists_and_notes_it(tmp_path):
    recorded = record_history(_files(tmp_path, [HELPER_BUILT_SCHEMA, REFLECTS_WIDGETS]), sys_path=[tmp_path],
                              config_file=None)
    first, second = recorded
    assert first.error is None and first.stub_calls
    assert second.error is None, second.error
    assert [s.sql for s in second.statements] == ["ALTER TABLE widgets ADD COLUMN colour TEXT"]
    [note] = [n for n in second.notes if n.kind == "partial-reflection"]
    assert "widgets" in note.message and "r1" in note.message


def test_without_stand_ins_a_table_nobody_created_is_still_missing(tmp_path):
    recorded = record_history(_files(tmp_path, [USERS_TABLE, REFLECTS_WIDGETS]), sys_path=[tmp_path],
                              config_file=None)
    assert recorded[1].error is not None and "NoSuchTableError" in recorded[1].error.message


def _files(tmp_path, bodies):
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    return load_history(list_revision_files([versions])).files


OWN_ENGINE = '''
from sqlalchemy import engine_from_config
config = op.get_context().config
engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.")
with engine.connect() as connection:
    connection.execute(sa.text("UPDATE users SET name = 'own engine'"))
other = sa.create_engine("sqlite://")
with other.connect() as connection:
    connection.execute(sa.text("SELECT 'elsewhere'"))
'''


def test_an_engine_built_from_the_project_config_gets_the_recording_connection(tmp_path):
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = versions\nsqlalchemy.url = postgresql://app:secret@db/app\n")
    rec = record_history(_files(tmp_path, [USERS_TABLE, OWN_ENGINE]), sys_path=[tmp_path], config_file=ini)[1]
    assert rec.error is None, rec.error
    # The other database's engine is real (sqlite here) and nothing it runs is recorded.
    assert [s.sql for s in rec.statements] == ["UPDATE users SET name = 'own engine'"]
    assert rec.statements[0].line == body_line(OWN_ENGINE, "own engine")


def test_an_engine_from_a_config_without_a_url_gets_the_recording_connection(tmp_path):
    body = '''
engine = sa.create_engine(op.get_context().config.get_main_option("sqlalchemy.url"))
with engine.begin() as connection:
    connection.execute(sa.text("UPDATE users SET name = 'no url'"))
'''
    rec = record_history(_files(tmp_path, [USERS_TABLE, body]), sys_path=[tmp_path], config_file=None)[1]
    assert rec.error is None, rec.error
    assert [s.sql for s in rec.statements] == ["UPDATE users SET name = 'no url'"]


def test_the_context_connection_is_the_recording_connection(tmp_path):
    body = '''
conn = op.get_context().connection
meta = sa.MetaData(schema=conn.dialect.default_schema_name)
users = sa.Table("users", meta, autoload_with=conn)
conn.execute(users.update().values(name="x"))
'''
    rec = record_history(_files(tmp_path, [USERS_TABLE, body]), sys_path=[tmp_path], config_file=None)[1]
    assert rec.error is None, rec.error
    assert [s.sql.split()[:2] for s in rec.statements] == [["UPDATE", "users"]]


def test_code_outside_the_revisions_still_gets_the_key_error(tmp_path, monkeypatch):
    monkeypatch.delenv("MIGSAFE_TEST_OPTIONAL", raising=False)
    (tmp_path / "migsafe_test_app_settings.py").write_text(
        'import os\ntry:\n    VALUE = os.environ["MIGSAFE_TEST_OPTIONAL"]\nexcept KeyError:\n    VALUE = "default"\n')
    body = '''
import migsafe_test_app_settings
op.execute("SELECT '%s'" % migsafe_test_app_settings.VALUE)
'''
    rec = record_history(_files(tmp_path, [USERS_TABLE, body]), sys_path=[tmp_path], config_file=None)[1]
    assert rec.error is None, rec.error
    assert [s.sql for s in rec.statements] == ["SELECT 'default'"]
    assert not [n for n in rec.notes if n.kind == "partial-environment"]
