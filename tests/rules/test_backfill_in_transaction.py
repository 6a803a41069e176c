from conftest import USERS_TABLE, body_line, review_deployed_together, rule_hits
from migsafe.engine import ReviewOptions, review

RULE = "backfill-in-transaction"

USERS = 'sa.table("users", sa.column("id", sa.Integer), sa.column("status", sa.String))'


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_update_with_where_raw_sql(review_history):
    body = '''op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "UPDATE"))]
    [finding] = _findings(report)
    assert finding.severity == "warning"
    assert "updates rows of table users" in finding.message


def test_update_op_form_core_expression(review_history):
    body = f'''
users = {USERS}
op.execute(users.update().where(users.c.status == None).values(status="active"))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_update_through_the_bind(review_history):
    body = '''
conn = op.get_bind()
conn.execute(sa.text("UPDATE users SET status = :s WHERE status IS NULL"), {"s": "active"})
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "conn.execute"))]


def test_update_without_where_is_an_error(review_history):
    body = '''op.execute("UPDATE users SET status = 'active'")'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "UPDATE"))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert "every row of table users in one statement" in finding.message


def test_backfill_under_the_lock_of_an_earlier_ddl_is_an_error(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
op.execute("UPDATE users SET nickname = name WHERE nickname IS NULL")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "UPDATE"))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert f"ACCESS EXCLUSIVE lock on table users taken at line {body_line(body, 'add_column')}" in finding.message


ACCOUNTS_TABLE = 'op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True))'


def test_backfill_cites_its_own_lock_on_its_table_not_an_earlier_one_on_another(review_history):
    # Both ALTERs take ACCESS EXCLUSIVE; the UPDATE's readers and writers wait on the one on users.
    body = '''
op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))
op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
op.execute("UPDATE users SET nickname = name WHERE nickname IS NULL")
'''
    report = review_history(USERS_TABLE + ACCOUNTS_TABLE, body)
    [finding] = _findings(report)
    line = body_line(body, 'add_column("users"')
    assert f"ACCESS EXCLUSIVE lock on table users taken at line {line}" in finding.message


def test_backfill_cites_this_revisions_lock_before_an_earlier_revisions(review_history):
    # One transaction for the whole upgrade: r2's lock on accounts is still held in r3, but r3 takes its own.
    earlier = 'op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))'
    body = '''
op.create_index("ix_users_name", "users", ["name"])
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
'''
    report = review_history(USERS_TABLE + ACCOUNTS_TABLE, earlier, body, transaction_per_migration=False)
    [finding] = [f for f in _findings(report) if f.revision == "r3"]
    assert f"SHARE lock on table users taken at line {body_line(body, 'create_index')}" in finding.message
    assert "earlier revision" not in finding.message


def test_lock_of_a_drop_index_names_the_table_given_to_alembic(review_history):
    # The model never saw the index; drop_index(table_name=...) says which table its ACCESS EXCLUSIVE is on.
    body = '''
op.drop_index("ix_legacy_code", table_name="legacy")
op.execute("UPDATE legacy SET code = upper(code) WHERE code IS NOT NULL")
'''
    report = review_history(body)
    [finding] = _findings(report)
    assert f"ACCESS EXCLUSIVE lock on table legacy taken at line {body_line(body, 'drop_index')}" in finding.message


def test_backfill_followed_by_a_strong_lock_is_an_error(review_history):
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.alter_column("users", "status", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    [finding] = _findings(report)
    assert (finding.line, finding.severity) == (body_line(body, "UPDATE"), "error")
    assert "then takes an ACCESS EXCLUSIVE lock on table users" in finding.message


# A table the application made before Alembic (create_all + stamp): no revision creates it, so it holds rows.
ALTER_ACCOUNTS = 'op.add_column("accounts", sa.Column("plan", sa.String(20), nullable=True))'
FILL_ACCOUNTS = '''op.execute("UPDATE accounts SET plan = 'free' WHERE plan IS NULL")'''
TIGHTEN_USERS = 'op.alter_column("users", "status", existing_type=sa.String(20), nullable=False)'


def test_locks_of_revisions_deployed_apart_are_not_held(review_history, tmp_path):
    """With one transaction per `alembic upgrade`, each revision is its own deploy by default: the base
    revision's lock was released when it was deployed, and the next revision's is taken in another deploy."""
    history = [ALTER_ACCOUNTS + "\n" + USERS_TABLE, FILL_ACCOUNTS, TIGHTEN_USERS]
    report = review_history(*history, transaction_per_migration=False)
    [finding] = _findings(report)
    assert (finding.revision, finding.line, finding.severity) == ("r2", body_line(FILL_ACCOUNTS, "UPDATE"),
                                                                  "warning")
    assert " lock on " not in finding.message
    alone = review(ReviewOptions(paths=[tmp_path / "versions" / "002_r2.py"], cwd=tmp_path,
                                 transaction_per_migration=False))
    assert [(f.revision, f.severity) for f in _findings(alone)] == [("r2", "warning")]


def test_a_lock_taken_by_a_revision_deployed_with_it_is_cited_by_file_and_line(tmp_path):
    history = [ALTER_ACCOUNTS + "\n" + USERS_TABLE, FILL_ACCOUNTS, TIGHTEN_USERS]
    report = review_deployed_together(tmp_path, history, together=[2, 3], transaction_per_migration=False)
    [finding] = _findings(report)
    assert (finding.revision, finding.severity) == ("r2", "error")
    assert (f"then takes an ACCESS EXCLUSIVE lock on table users "
            f"(003_r3.py:{body_line(TIGHTEN_USERS, 'alter_column')} (revision r3))") in finding.message
    report = review_deployed_together(tmp_path, history, together=[2, 3], transaction_per_migration=True)
    assert [(f.revision, f.severity) for f in _findings(report)] == [("r2", "warning")]


def test_delete_and_insert_select(review_history):
    body = '''
op.execute("DELETE FROM users WHERE status = 'spam'")
op.execute("INSERT INTO archived_users (id, email) SELECT id, email FROM users WHERE status = 'gone'")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DELETE")), ("r2", body_line(body, "INSERT"))]


def test_seed_rows_are_not_a_backfill(review_history):
    body = '''
op.execute("INSERT INTO users (email, name) VALUES ('admin@example.com', 'Admin')")
op.execute("INSERT INTO users (email, name) SELECT 'ops@example.com', 'Ops'")
op.bulk_insert(sa.table("users", sa.column("email", sa.String)), [{"email": "a@example.com"}])
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_a_seed_row_guarded_by_not_exists_is_not_a_backfill(review_history):
    # The idempotent seed: a SELECT without FROM inserts one row or none, whatever its WHERE reads. A SELECT
    # with a FROM list (or a UNION that reads one) still copies rows.
    body = '''
op.execute("ALTER TABLE users ADD COLUMN is_system boolean")
op.execute("INSERT INTO users (email, name) SELECT 'system@example.com', 'System' "
           "WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = 'system@example.com')")
op.execute("INSERT INTO users (email, name) SELECT 'x@example.com', 'X' UNION ALL SELECT email, name FROM users")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "UNION ALL"))]


def test_table_created_in_the_same_revision(review_history):
    body = USERS_TABLE + '''
op.execute("UPDATE users SET status = 'active'")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_copy_into_a_new_table_is_not_a_backfill_of_it(review_history):
    body = '''
op.create_table("user_emails", sa.Column("user_id", sa.Integer()), sa.Column("email", sa.String(100)))
op.execute("INSERT INTO user_emails (user_id, email) SELECT id, email FROM users")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_autocommit_block_is_the_safe_way(review_history):
    body = '''
with op.get_context().autocommit_block():
    for start in range(0, 3000, 1000):
        op.execute(f"UPDATE users SET status = 'active' WHERE id >= {start} AND id < {start + 1000}")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_one_finding_per_table_per_transaction(review_history):
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status = 'new'")
op.execute("UPDATE users SET status = 'gone' WHERE status = 'deleted'")
op.execute("UPDATE accounts SET plan = 'free' WHERE plan IS NULL")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "'new'")), ("r2", body_line(body, "accounts"))]


def test_update_inside_a_do_block(review_history):
    body = '''op.execute("DO $$ BEGIN IF true THEN UPDATE users SET status = 'active'; END IF; END $$")'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DO $$"))]
    assert "(in a DO block)" in _findings(report)[0].message


def test_loop_over_rows_through_the_connection(review_history):
    body = '''
conn = op.get_bind()
rows = conn.execute(sa.text("SELECT id, email FROM users")).fetchall()
for row in rows:
    conn.execute(sa.text("UPDATE users SET email = lower(:e) WHERE id = :i"), {"e": row.email, "i": row.id})
'''
    # The review answers the read with a row, so the loop runs once and its UPDATE is the back-fill reported.
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "UPDATE users"))]
    assert "updates rows of table users" in _findings(report)[0].message


def test_loop_over_rows_whose_writes_were_not_recorded_is_reported_on_the_read(review_history):
    # The placeholder row breaks the loop (its value is no JSON): the revision is recorded with no rows, the
    # loop never runs, and the read that feeds it is reported instead.
    body = '''
import json
conn = op.get_bind()
rows = conn.execute(sa.text("SELECT id, email FROM users")).fetchall()
for row in rows:
    conn.execute(sa.text("UPDATE users SET email = :e WHERE id = :i"), {"e": json.loads(row.email)["e"], "i": row.id})
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "SELECT id"))]
    assert f"in the loop at line {body_line(body, 'for row')}" in _findings(report)[0].message
    assert "writes were not recorded" in _findings(report)[0].message


def test_a_loop_whose_sql_writes_another_table_is_no_write_back_of_the_rows_it_reads(review_history):
    # Rows of users feed INSERTs into a grants table this revision creates: users' rows are only read. A comment
    # in lower case naming users is no write target; the upper-case SQL keyword is.
    body = '''
import json
op.create_table("grants", sa.Column("user_id", sa.Integer()), sa.Column("scope", sa.String(20)))
conn = op.get_bind()
rows = conn.execute(sa.text("SELECT id, email FROM users")).fetchall()
for row in rows:
    # update users' grants
    conn.execute(sa.text("INSERT INTO grants (user_id, scope) VALUES (:i, :s)"), {"i": row.id, "s": json.loads(row.email)["s"]})
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    back = body.replace("INSERT INTO grants (user_id, scope) VALUES (:i, :s)", "UPDATE users SET email = :s WHERE id = :i")
    assert rule_hits(review_history(USERS_TABLE, back), RULE) == [("r2", body_line(back, "SELECT id"))]


def test_orm_loop(review_history):
    body = '''
from sqlalchemy import orm

class Base(orm.DeclarativeBase):
    pass

class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(100))

session = orm.Session(bind=op.get_bind())
for user in session.query(User):
    user.email = user.email.lower()
session.flush()
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "for user in"))]


def test_reads_without_a_writing_loop_are_not_a_backfill(review_history):
    body = '''
conn = op.get_bind()
count = conn.execute(sa.text("SELECT count(*) FROM users")).scalar()
emails = [row.email for row in conn.execute(sa.text("SELECT email FROM users"))]
for email in emails:
    print(email)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_count_guard_before_a_loop_is_not_the_loop_source(review_history):
    body = '''
conn = op.get_bind()
total = conn.execute(sa.text("SELECT count(*) FROM users")).scalar()
for plan in ("free", "pro"):
    conn.execute(sa.text("UPDATE accounts SET seats = :n WHERE plan = :p"), {"n": total, "p": plan})
'''
    report = review_history(USERS_TABLE, body)
    # The UPDATEs run (a constant tuple), the count(*) guard is not a row source.
    assert rule_hits(report, RULE) == [("r2", body_line(body, "UPDATE accounts"))]


def test_a_later_unbatched_statement_on_the_same_table_makes_it_an_error(review_history):
    body = '''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.execute("UPDATE users SET name = lower(name)")
'''
    report = review_history(USERS_TABLE, body)
    [finding] = _findings(report)
    assert (finding.line, finding.severity) == (body_line(body, "status IS NULL"), "error")
    assert "a later statement changes every row of it without a WHERE" in finding.message


def test_an_orm_loop_through_a_stand_in_session_names_the_queried_model_table(tmp_path):
    # The application's session factory is not installed here; the model is the revision's own declarative
    # class. The read is the model's table ("charts"), never the session stand-in's name.
    from conftest import revision_source, write_history

    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE.replace('"users"', '"charts"', 1)])
    module_level = '''from sqlalchemy.ext.declarative import declarative_base
from myapp_absent import db

Base = declarative_base()


class Chart(Base):
    __tablename__ = "charts"
    id = sa.Column(sa.Integer, primary_key=True)
    status = sa.Column(sa.String(20))
'''
    body = '''
bind = op.get_bind()
session = db.Session(bind=bind)
for chart in session.query(Chart).filter(Chart.status == "table"):
    chart.status = "grid"
session.commit()
'''
    source = revision_source(body, "r2", "r1").replace("\ndef upgrade", f"\n{module_level}\n\ndef upgrade", 1)
    (versions / "002_r2.py").write_text(source, encoding="utf-8")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, select=[RULE]))
    assert not report.errors, [e.message for e in report.errors]
    [finding] = _findings(report)
    line = next(n for n, text in enumerate(source.splitlines(), start=1) if "for chart in" in text)
    assert finding.line == line
    assert "reads the rows of table charts" in finding.message and "session" not in finding.message


def test_a_drop_if_exists_of_a_table_no_revision_creates_is_no_lock_to_cite(review_history):
    # IF EXISTS finds no datasets_backup in a database built by the history (no revision creates it): no lock.
    # The lock the back-fill's rows wait for is the unique constraint's, taken after it.
    datasets = 'op.create_table("datasets", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("uuid", sa.String(32)))'
    body = '''
op.execute("DROP TABLE IF EXISTS datasets_backup")
op.execute("CREATE TABLE datasets_backup AS SELECT * FROM datasets")
op.execute("UPDATE datasets SET uuid = md5(random()::text) WHERE id IN (SELECT id FROM datasets_backup)")
op.create_unique_constraint("uq_datasets_uuid", "datasets", ["uuid"])
'''
    report = review_history(datasets, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "UPDATE"))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert "datasets_backup" not in finding.message
    assert f"then takes an ACCESS EXCLUSIVE lock on table datasets (line {body_line(body, 'create_unique')})" \
        in finding.message
