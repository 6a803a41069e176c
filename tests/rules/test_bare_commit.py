import pytest

from conftest import USERS_TABLE, body_line, review_deployed_together, rule_hits

RULE = "bare-commit"


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_commit_with_op_execute(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.execute("COMMIT")
op.execute("CREATE INDEX CONCURRENTLY ix_users_nickname ON users (nickname)")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"COMMIT"'))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert "the 1 statement after it runs outside Alembic's transaction" in finding.message


def test_commit_with_context_execute(review_history):
    body = '''
from alembic import context
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
context.execute("COMMIT")
op.execute("CREATE INDEX CONCURRENTLY ix_users_nickname ON users (nickname)")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"COMMIT"'))]
    # Alembic's own BEGIN/COMMIT around the revision are still not the revision's statements.
    assert [f.rule for f in report.findings if f.rule == "concurrent-index-in-transaction"] == []


def test_commit_through_the_bind(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
conn = op.get_bind()
conn.commit()
op.create_index("ix_users_nickname", "users", ["nickname"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "conn.commit()"))]
    assert "through the connection" in _findings(report)[0].message
    # Checked on PostgreSQL 15 with SQLAlchemy 2 and the env.py Alembic generates.
    assert "the alembic_version update included" in _findings(report)[0].message


def test_a_block_on_a_second_connection_of_the_engine_commits_only_that_connection(review_history):
    # `op.get_bind().engine.begin()` checks out another connection and commits it on its own: Alembic's
    # transaction goes on (its table creation is still recorded, as part of the migration's work).
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
things = sa.Table("things", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
with op.get_bind().engine.begin() as conn:
    things.create(conn, checkfirst=True)
sa.MetaData().create_all(bind=op.get_bind().engine)
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.create_index("ix_things_id", "things", ["id"])
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "index-not-concurrent") == []  # things is known: new, in this transaction


def test_a_second_connection_in_autocommit_leaves_the_migrations_connection_as_it_was(review_history):
    # `engine.connect().execution_options(isolation_level="AUTOCOMMIT")` is another session: its CREATE INDEX
    # CONCURRENTLY runs outside any transaction, and the migration's connection (and the next revision's
    # transaction) is as it was. A read before the commit is no work the commit makes permanent.
    body = '''
bind = op.get_bind()
schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
bind.commit()
with bind.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
    conn.exec_driver_sql("CREATE INDEX CONCURRENTLY ix_users_email ON users (email)")
'''
    later = '''
op.add_column("users", sa.Column("nickname", sa.Text()))
op.drop_index("ix_users_email", table_name="users")
'''
    report = review_history(USERS_TABLE, body, later)
    assert not report.errors, [e.message for e in report.errors]
    assert rule_hits(report, "concurrent-index-in-transaction") == []
    # r3 runs in its own transaction: the drop finds ACCESS EXCLUSIVE already held by the ADD COLUMN.
    assert rule_hits(report, "drop-index-not-concurrent") == []
    [finding] = _findings(report)
    assert "loses nothing here" in finding.message and "permanent at once" not in finding.message
    inside = '''
op.add_column("users", sa.Column("nickname", sa.Text()))
with op.get_bind().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
    conn.exec_driver_sql("CREATE INDEX CONCURRENTLY ix_users_email ON users (email)")
with op.get_bind().engine.connect() as conn:
    conn.execute(sa.text("UPDATE users SET status = 'new' WHERE status IS NULL"))
    conn.commit()
op.drop_index("ix_users_email", table_name="users")
'''
    report = review_history(USERS_TABLE, inside)
    assert not report.errors, [e.message for e in report.errors]
    assert rule_hits(report, "concurrent-index-in-transaction") == [] and rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-index-not-concurrent") == []  # still Alembic's transaction, lock held


def test_op_get_bind_commit(review_history):
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.get_bind().commit()
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "commit()"))]


def test_end_is_a_commit(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.execute("END")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"END"'))]


def test_commit_then_begin_is_reported_once_on_the_commit(review_history):
    # The "get around 'cannot run inside a transaction block'" dance: only the COMMIT ends Alembic's transaction.
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.execute("COMMIT")
op.execute("CREATE INDEX CONCURRENTLY ix_users_status ON users (status)")
op.execute("BEGIN")
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"COMMIT"'))]


def test_commit_inside_one_sql_string(review_history):
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.execute("COMMIT; CREATE INDEX CONCURRENTLY ix_users_status ON users (status); BEGIN")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "COMMIT;"))]


def test_second_commit_has_nothing_left_to_end(review_history):
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.execute("COMMIT")
op.execute("COMMIT")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"COMMIT"'))]


def test_rollback_is_reported_with_its_own_consequence(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.execute("ROLLBACK")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ROLLBACK"))]
    [finding] = _findings(report)
    assert "silently undone" in finding.message
    assert "SAVEPOINT" in finding.fix


def test_commit_inside_an_autocommit_block_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("COMMIT")
    op.create_index("ix_users_status", "users", ["status"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_autocommit_block_is_the_safe_way(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
with op.get_context().autocommit_block():
    op.create_index("ix_users_nickname", "users", ["nickname"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "concurrent-index-in-transaction") == []


def test_savepoints_do_not_end_the_transaction(review_history):
    body = '''
op.execute("SAVEPOINT before_backfill")
op.execute("UPDATE users SET status = 'active' WHERE id < 100")
op.execute("ROLLBACK TO SAVEPOINT before_backfill")
op.execute("RELEASE SAVEPOINT before_backfill")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_commit_in_a_single_transaction_upgrade(review_history):
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.execute("COMMIT")
'''
    report = review_history(USERS_TABLE, body, transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "COMMIT"))]


def test_commit_of_a_transaction_the_revision_opened_itself(review_history):
    # COMMIT; ...; BEGIN; ...; COMMIT: the second COMMIT ends the revision's own transaction, not Alembic's.
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.execute("COMMIT")
op.execute("CREATE INDEX CONCURRENTLY ix_users_status ON users (status)")
op.execute("BEGIN")
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.execute("COMMIT")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"COMMIT"'))]


def test_begin_inside_alembics_transaction_changes_nothing(review_history):
    # PostgreSQL only warns "there is already a transaction in progress": the COMMIT still ends Alembic's.
    body = '''
op.execute("BEGIN")
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.execute("COMMIT")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"COMMIT"'))]


def test_second_bind_commit_is_not_reported_again(review_history):
    body = '''
conn = op.get_bind()
conn.execute(sa.text("UPDATE users SET status = 'a' WHERE id < 10"))
conn.commit()
conn.execute(sa.text("UPDATE users SET status = 'b' WHERE id < 20"))
conn.commit()
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "conn.commit()"))]


def test_set_isolation_level_inside_the_transaction_is_a_rollback(review_history):
    # psycopg2 sends ROLLBACK before it switches (seen in the server's log): the UPDATE is lost, and Alembic
    # still records the revision; what follows autocommits.
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.get_bind().connection.set_isolation_level(0)
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "set_isolation_level"))]
    [finding] = _findings(report)
    assert "rolls back" in finding.message and "set_isolation_level()" in finding.message
    assert "autocommit_block" in finding.fix
    assert rule_hits(report, "concurrent-index-in-transaction") == []


def test_set_isolation_level_before_any_statement_of_the_revision_loses_nothing(review_history):
    # One transaction per revision: psycopg2 has sent no BEGIN for this revision yet, so it sends no ROLLBACK.
    body = '''
op.get_bind().connection.set_isolation_level(0)
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "concurrent-index-in-transaction") == []


def test_set_isolation_level_in_a_single_transaction_upgrade_throws_away_the_earlier_revisions(tmp_path):
    # r1 and r2 ship in one `alembic upgrade`: the ROLLBACK throws away r1's work too.
    body = '''
op.get_bind().connection.set_isolation_level(0)
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_deployed_together(tmp_path, [USERS_TABLE, body], together=[1, 2],
                                      transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "set_isolation_level"))]


def test_set_isolation_level_first_in_its_own_deploy_throws_nothing_away(review_history):
    # Deployed on its own, r2 starts the upgrade's transaction: nothing ran in it yet.
    body = '''
op.get_bind().connection.set_isolation_level(0)
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body, transaction_per_migration=False)
    assert rule_hits(report, RULE) == []


def test_set_isolation_level_after_a_commit_rolls_nothing_back(review_history):
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.get_bind().commit()
op.get_bind().connection.set_isolation_level(0)
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "commit()"))]
    assert "commits" in _findings(report)[0].message


# -- a COMMIT before the revision did any work ---------------------------------------------------------------

def test_a_commit_before_any_work_of_the_revision_ends_nothing_of_it(review_history):
    # The common "COMMIT, then CREATE INDEX CONCURRENTLY" revision: its transaction is empty (one per revision),
    # or holds earlier revisions with their alembic_version updates (one for the whole upgrade). What follows
    # runs as in an autocommit block.
    body = '''
op.execute("COMMIT")
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    for per_migration in (True, False):
        report = review_history(USERS_TABLE, body, transaction_per_migration=per_migration)
        assert rule_hits(report, RULE) == []
        assert rule_hits(report, "concurrent-index-in-transaction") == []


def test_a_session_setting_before_the_commit_is_no_work(review_history):
    body = '''
op.execute("SET statement_timeout = 0")
op.execute("COMMIT")
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_a_rollback_before_any_work_of_the_revision_still_undoes_the_earlier_revisions(review_history, tmp_path):
    body = 'op.execute("ROLLBACK")'
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == []
    # Deployed on its own, nothing ran before it in the upgrade's transaction; shipped with r1, r1's work goes.
    assert rule_hits(review_history(USERS_TABLE, body, transaction_per_migration=False), RULE) == []
    report = review_deployed_together(tmp_path / "together", [USERS_TABLE, body], together=[1, 2],
                                      transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ROLLBACK"))]


def test_a_connection_commit_before_any_work_leaves_sqlalchemys_next_transaction_uncommitted(review_history):
    # SQLAlchemy 2 begins a transaction on the next statement that Alembic's commit does not end: with the
    # env.py Alembic generates, the last revision's index and version update are rolled back on close.
    body = '''
op.get_bind().commit()
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "commit()"))]
    [finding] = _findings(report)
    assert "it ends no work of this revision" in finding.message
    assert "alembic_version update are rolled back as the connection closes" in finding.message
    assert "connection.commit()" in finding.fix


def test_a_connection_commit_then_a_switch_to_autocommit_leaves_nothing_to_roll_back(review_history):
    # The connection autocommits from the switch on: SQLAlchemy's next "transaction" sends no BEGIN, so the index
    # builds and the alembic_version update are committed as they run (checked on PostgreSQL 15 with psycopg 3
    # and the env.py Alembic generates: the last revision of the upgrade keeps its index and its version).
    body = '''
connection = op.get_bind()
connection.commit()
autocommit_connection = connection.execution_options(isolation_level="AUTOCOMMIT")
autocommit_connection.exec_driver_sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_name ON users (name)")
autocommit_connection.exec_driver_sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_status ON users (status)")
'''
    for per_migration in (True, False):
        report = review_history(USERS_TABLE, body, transaction_per_migration=per_migration)
        assert rule_hits(report, RULE) == []
        assert rule_hits(report, "concurrent-index-in-transaction") == []
    # Work before the commit is still made permanent early: reported, without the rolled-back clause.
    early = 'op.execute("UPDATE users SET status = \'active\' WHERE status IS NULL")\n' + body
    [finding] = _findings(review_history(USERS_TABLE, early))
    assert finding.line == body_line(early, "connection.commit()")
    assert "rolled back as the connection closes" not in finding.message


def test_no_finding_when_env_py_commits_after_the_migrations(tmp_path):
    from conftest import write_history

    from migsafe.engine import ReviewOptions, review

    body = '''
op.get_bind().commit()
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    write_history(tmp_path / "migrations" / "versions", [USERS_TABLE, body])
    (tmp_path / "migrations" / "env.py").write_text('''
from alembic import context
from sqlalchemy import create_engine

with create_engine(context.config.get_main_option("sqlalchemy.url")).connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
        context.get_bind().commit()
''', encoding="utf-8")
    report = review(ReviewOptions(paths=[tmp_path / "migrations"], cwd=tmp_path))
    assert rule_hits(report, RULE) == []


def test_a_commit_right_before_an_autocommit_block_is_what_the_block_does(review_history):
    # autocommit_block() commits Alembic's transaction on entry: a COMMIT just before it commits the same work.
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.execute("COMMIT")
with op.get_context().autocommit_block():
    op.create_index("ix_users_nickname", "users", ["nickname"], postgresql_concurrently=True)
'''
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == []
    # Work between the COMMIT and the block is still split from Alembic's transaction.
    between = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.execute("COMMIT")
op.execute("UPDATE users SET nickname = name")
with op.get_context().autocommit_block():
    op.create_index("ix_users_nickname", "users", ["nickname"], postgresql_concurrently=True)
'''
    assert rule_hits(review_history(USERS_TABLE, between), RULE) == [("r2", body_line(between, '"COMMIT"'))]
    # conn.commit() there: SQLAlchemy's next transaction is left to the connection's close.
    bind = body.replace('op.execute("COMMIT")', "op.get_bind().commit()")
    report = review_history(USERS_TABLE, bind)
    assert rule_hits(report, RULE) == [("r2", body_line(bind, "commit()"))]
    assert "autocommit_block() right after it" in _findings(report)[0].message


def test_an_orm_session_in_alembics_transaction_commits_nothing_after_an_earlier_session_rollback(review_history):
    # SQLAlchemy 2: a Session bound to a connection already in a transaction only joins it; its commit()
    # commits nothing (checked on PostgreSQL 15). An earlier revision's session.rollback() ended the stand-in's
    # transaction, and the next revision's session then looked as if it committed Alembic's.
    models = '''
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50))
'''
    reads_then_rolls_back = models + '''
session = Session(bind=op.get_bind())
names = [user.name for user in session.query(User)]
session.rollback()
'''
    adds = models + '''
session = Session(bind=op.get_bind())
session.add(User(name="system"))
session.commit()
'''
    report = review_history(USERS_TABLE, reads_then_rolls_back, adds)
    assert [(revision, line) for revision, line in rule_hits(report, RULE) if revision == "r3"] == []


# -- a deliberate batch loop whose every statement can run again ------------------------------------------------
ENV_PY_THAT_COMMITS = '''
from alembic import context
from sqlalchemy import create_engine

with create_engine(context.config.get_main_option("sqlalchemy.url")).connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
        context.get_bind().commit()
'''

RERUNNABLE_BATCHES = '''
op.execute("SET statement_timeout = 60000")
op.create_index("ix_users_email_migration", "users", ["email"], if_not_exists=True)
bind = op.get_bind()
# (FROM starts a line of the SQL, as in a triple-quoted string at the left margin.)
while bind.execute(sa.text(
        "SELECT count(*)\\nFROM users LEFT JOIN teams ON teams.owner_email = users.email\\nWHERE teams.id IS NULL"
        )).scalar_one() > 0:
    bind.execute(sa.text("""
INSERT INTO teams (owner_email)
SELECT DISTINCT users.email
FROM users LEFT JOIN teams ON teams.owner_email = users.email
WHERE teams.id IS NULL
LIMIT 1000"""))
    bind.commit()
while bind.execute(sa.text("SELECT count(*) FROM users WHERE team_id IS NULL")).scalar_one() > 0:
    bind.execute(sa.text("""
UPDATE users SET team_id = teams.id FROM teams
WHERE teams.owner_email = users.email AND users.team_id IS NULL
  AND users.id IN (SELECT id FROM users WHERE team_id IS NULL LIMIT 1000)"""))
    bind.commit()
op.alter_column("users", "team_id", nullable=False, server_default=None)
op.drop_index("ix_users_email_migration", "users", if_exists=True)
'''

TEAMS = '''
op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("owner_email", sa.String(100)))
op.add_column("users", sa.Column("team_id", sa.Integer(), nullable=True))
'''


def _review_with_env_py(tmp_path, *bodies):
    from conftest import write_history

    from migsafe.engine import ReviewOptions, review

    write_history(tmp_path / "migrations" / "versions", [USERS_TABLE, TEAMS, *bodies])
    (tmp_path / "migrations" / "env.py").write_text(ENV_PY_THAT_COMMITS, encoding="utf-8")
    return review(ReviewOptions(paths=[tmp_path / "migrations"], cwd=tmp_path, select=[RULE]))


def test_a_commit_between_batches_that_can_all_run_again_is_a_warning_without_the_rerun_claim(tmp_path):
    report = _review_with_env_py(tmp_path, RERUNNABLE_BATCHES)
    assert not report.errors, [e.message for e in report.errors]
    # The first COMMIT in source order: the first loop's guard (a count whose FROM starts a line) runs its body.
    assert rule_hits(report, RULE) == [("r3", body_line(RERUNNABLE_BATCHES, "bind.commit()"))]
    [finding] = _findings(report)
    assert finding.severity == "warning"
    assert "re-running the upgrade fails" not in finding.message
    assert "every statement of the revision can run again" in finding.message
    assert "leaves the database half-migrated with the revision unrecorded" in finding.message


def test_a_statement_that_cannot_run_twice_keeps_the_error_and_is_named(tmp_path):
    body = RERUNNABLE_BATCHES + 'op.add_column("users", sa.Column("joined_team_at", sa.DateTime()))\n'
    report = _review_with_env_py(tmp_path, body)
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert (f"re-running the upgrade fails on what was applied (line {body_line(body, 'joined_team_at')}: "
            "ADD COLUMN without IF NOT EXISTS)") in finding.message


def test_a_plain_insert_between_the_batches_cannot_run_twice(tmp_path):
    body = RERUNNABLE_BATCHES.replace(
        'op.drop_index(', 'op.execute("INSERT INTO teams (owner_email) VALUES (\'root@example.com\')")\nop.drop_index(')
    [finding] = _findings(_review_with_env_py(tmp_path, body))
    assert finding.severity == "error"
    assert "an INSERT that does not skip rows already there" in finding.message




def test_a_statement_a_rerun_may_skip_is_no_proof_that_the_rerun_fails(review_history):
    # The drop runs only when the inspector finds the constraint, the index build's failure is caught: a re-run
    # after a failure past the COMMIT finds the drop done and skips it. A dialect check guards nothing.
    body = '''
inspector = sa.inspect(op.get_bind())
fk_name = next((fk["name"] for fk in inspector.get_foreign_keys("users")), None)
if fk_name:
    op.drop_constraint(fk_name, "users", type_="foreignkey")
try:
    op.create_index("ix_users_status", "users", ["status"])
except Exception:
    pass
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.execute("COMMIT")
op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text")
'''
    first = USERS_TABLE + '''
op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True))
op.add_column("users", sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", name="fk_users_team")))
'''
    report = review_history(first, body)
    [finding] = _findings(report)
    assert finding.severity == "warning" and "re-running the upgrade fails" not in finding.message
    static = body.replace("if fk_name:", "if op.get_bind().dialect.name == \"postgresql\":")
    [finding] = _findings(review_history(first, static))
    assert finding.severity == "error"
    assert f"(line {body_line(static, 'op.drop_constraint')}: DROP CONSTRAINT without IF EXISTS)" in finding.message


@pytest.mark.parametrize("sql, again", [
    ("CREATE INDEX IF NOT EXISTS ix ON users (email)", True),
    ("CREATE INDEX ix ON users (email)", False),
    ("CREATE TABLE IF NOT EXISTS t (id int)", True),
    ("CREATE TABLE t (id int)", False),
    ("ALTER TABLE users ADD COLUMN IF NOT EXISTS c int", True),
    ("ALTER TABLE users ADD COLUMN c int", False),
    ("ALTER TABLE users DROP COLUMN IF EXISTS c", True),
    ("ALTER TABLE users DROP COLUMN c", False),
    ("DROP INDEX IF EXISTS ix", True),
    ("DROP INDEX ix", False),
    ("ALTER TABLE users DROP CONSTRAINT IF EXISTS k", True),
    ("ALTER TABLE users ADD CONSTRAINT k UNIQUE (email)", False),
    ("ALTER TABLE users ALTER COLUMN c SET NOT NULL", True),
    ("ALTER TABLE users ALTER COLUMN c SET DEFAULT 0", True),
    ("ALTER TABLE users ALTER COLUMN c TYPE bigint", True),
    ("ALTER TABLE users ALTER COLUMN c TYPE bigint USING c::bigint * 100", False),
    ("ALTER TABLE users RENAME COLUMN a TO b", False),
    ("UPDATE users SET c = 1 WHERE c IS NULL", True),
    ("UPDATE users SET c = c + 1", False),
    ("INSERT INTO users (email) VALUES ('a')", False),
    ("INSERT INTO users (email) VALUES ('a') ON CONFLICT DO NOTHING", True),
    ("INSERT INTO teams (owner) SELECT email FROM users WHERE NOT EXISTS "
     "(SELECT 1 FROM teams WHERE teams.owner = users.email)", True),
    ("INSERT INTO teams (owner) SELECT email FROM users WHERE email LIKE '%@x'", False),
    ("SELECT count(*) FROM users", True),
    ("SET statement_timeout = 1000", True),
])
def test_which_statements_run_again_once_applied(sql, again):
    from migsafe.sql.actions import runs_again
    from migsafe.sql.analysis import parse

    [statement] = parse(sql)
    assert statement.actions and all(runs_again(a) for a in statement.actions) is again
