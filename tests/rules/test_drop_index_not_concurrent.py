from conftest import USERS_TABLE, body_line, rule_hits

RULE = "drop-index-not-concurrent"

# users holds data, and the model knows ix_users_email sits on it.
USERS_WITH_INDEX = USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])'


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_drop_index_op_on_existing_table(review_history):
    body = 'op.drop_index("ix_users_email", table_name="users")'
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_index"))]
    [finding] = _findings(report)
    # Alembic does not put table_name in the SQL: the table comes from the schema model.
    assert finding.sql == "DROP INDEX ix_users_email"
    assert "ACCESS EXCLUSIVE lock on table users" in finding.message


def test_drop_index_raw_sql(review_history):
    body = 'op.execute("DROP INDEX IF EXISTS ix_users_email")'
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_drop_index_if_exists_of_an_index_no_revision_made(review_history):
    # The drop-and-recreate idiom: no revision before it makes the index, so IF EXISTS finds nothing and
    # PostgreSQL takes no lock (pg_locks, PostgreSQL 15). The same name dropped without IF EXISTS still counts.
    body = """
op.execute("DROP INDEX IF EXISTS ux_users_one_default")
op.execute("CREATE UNIQUE INDEX ux_users_one_default ON users (email)")
op.execute("DROP INDEX ux_users_legacy")
"""
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DROP INDEX ux_users_legacy"))]


def test_an_index_dropped_right_before_its_table_is_not_reported(review_history):
    # autogenerate's drop_index(...) then drop_table(...): the DROP TABLE takes the same ACCESS EXCLUSIVE a
    # moment later and removes the index anyway; CONCURRENTLY would shorten no wait. With a back-fill of the
    # table between the two, the drop's lock is held through it: reported.
    body = """
op.drop_index("ix_users_email", table_name="users")
op.drop_table("users")
"""
    assert rule_hits(review_history(USERS_WITH_INDEX, body), RULE) == []
    slow = body.replace('op.drop_table("users")', 'op.execute("UPDATE users SET email = lower(email)")\n'
                                                  'op.drop_table("users")')
    assert rule_hits(review_history(USERS_WITH_INDEX, slow), RULE) == [("r2", body_line(slow, "drop_index"))]


def test_drop_index_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.drop_index("ix_users_email")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.drop_index"))]


def test_index_unknown_to_the_model_is_on_an_existing_table(review_history):
    body = '''
op.drop_index("ix_legacy", table_name="legacy")
op.execute("DROP INDEX ix_other")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "op.drop_index")),
                                       ("r1", body_line(body, "op.execute"))]
    # Alembic's table_name= names the table the model does not know; raw DROP INDEX names none.
    assert "ACCESS EXCLUSIVE lock on table legacy," in _findings(report)[0].message
    assert "lock on its table" in _findings(report)[1].message


def test_table_name_and_schema_of_an_unknown_index_are_named(review_history):
    body = 'op.drop_index("ix_events_at", table_name="events", schema="audit")'
    report = review_history(body)
    [finding] = _findings(report)
    assert "ACCESS EXCLUSIVE lock on table audit.events," in finding.message


def test_batch_drop_index_of_an_unknown_index_names_the_batch_table(review_history):
    body = '''
with op.batch_alter_table("legacy") as batch_op:
    batch_op.drop_index("ix_legacy_code")
'''
    report = review_history(body)
    [finding] = _findings(report)
    assert "lock on table legacy," in finding.message


def test_index_on_table_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
op.create_index("ix_users_email", "users", ["email"])
op.create_index("ix_users_name", "users", ["name"])
op.drop_index("ix_users_email", table_name="users")
op.execute("DROP INDEX ix_users_name")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_index_on_new_table_in_other_schema_is_fine(review_history):
    body = '''
op.create_table("audit", sa.Column("id", sa.Integer()), schema="logs")
op.create_index("ix_audit_id", "audit", ["id"], schema="logs")
op.drop_index("ix_audit_id", table_name="audit", schema="logs")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_same_index_name_in_another_schema_is_not_confused(review_history):
    # logs.ix_users_email is on a new table; public.ix_users_email is on users, which holds data.
    body = '''
op.create_table("audit", sa.Column("email", sa.String(100)), schema="logs")
op.create_index("ix_users_email", "audit", ["email"], schema="logs")
op.drop_index("ix_users_email", table_name="audit", schema="logs")
op.drop_index("ix_users_email", table_name="users")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, 'table_name="users"'))]


def test_index_created_earlier_on_a_renamed_index_is_followed(review_history):
    body = '''
op.execute("ALTER INDEX ix_users_email RENAME TO ix_users_mail")
op.execute("DROP INDEX ix_users_mail")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DROP INDEX"))]
    assert "table users" in _findings(report)[0].message


def test_concurrent_drop_in_autocommit_block_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.drop_index("ix_users_email", table_name="users", postgresql_concurrently=True)
    op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_users_name")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "concurrent-index-in-transaction") == []


def test_autocommit_block_alone_does_not_make_it_concurrent(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.drop_index("ix_users_email", table_name="users")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.drop_index"))]


def test_dropping_a_table_is_not_dropping_an_index(review_history):
    report = review_history(USERS_WITH_INDEX, 'op.drop_table("users")')
    assert rule_hits(report, RULE) == []


# -- the table is already locked against everyone by an earlier statement of the transaction ---------------------
USERS_WITH_TWO_INDEXES = USERS_WITH_INDEX + '\nop.create_index("ix_users_name", "users", ["name"])'
ALREADY_HELD = "already holds ACCESS EXCLUSIVE"


def test_drop_after_an_add_column_on_the_same_table_is_not_reported(review_history):
    # ADD COLUMN holds ACCESS EXCLUSIVE on users until commit: the drop waits for nothing and blocks nothing more,
    # and CONCURRENTLY would shorten no wait. The ADD COLUMN's lock is what other rules report.
    body = '''
op.add_column("users", sa.Column("nickname", sa.Text(), nullable=True))
op.drop_index("ix_users_email", table_name="users")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "missing-lock-timeout") == [("r2", body_line(body, "add_column"))]


def test_drop_after_set_not_null_on_the_same_table_is_not_reported(review_history):
    # The shape of a column clean-up: make one column NOT NULL, drop the index of another, drop that column.
    body = '''
op.alter_column("users", "status", existing_type=sa.String(20), nullable=False)
op.drop_index("ix_users_email", table_name="users")
op.drop_column("users", "email")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "set-not-null") == [("r2", body_line(body, "alter_column"))]


def test_only_the_first_drop_on_a_table_is_reported(review_history):
    # A clean-up revision dropping redundant indexes IF EXISTS, two of them on users with another table between:
    # the first drop takes ACCESS EXCLUSIVE on users until commit, the second adds no wait.
    body = '''
op.drop_index("ix_users_email", table_name="users", if_exists=True)
op.drop_index("ix_orders_placed_at", table_name="orders", if_exists=True)
op.drop_index(
    "ix_users_name", table_name="users", if_exists=True
)
'''
    report = review_history(USERS_WITH_TWO_INDEXES, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_users_email")),
                                       ("r2", body_line(body, "ix_orders_placed_at"))]
    assert all(ALREADY_HELD not in f.message for f in _findings(report))


def test_a_bare_commit_in_an_earlier_revision_does_not_end_the_next_revisions_transaction(review_history):
    # r2 commits Alembic's transaction to add an enum value (psycopg2, the default driver, then sends no new
    # BEGIN until Alembic's commit). Deployed on its own, r3 runs in a transaction of its own: the SET NOT NULL
    # holds ACCESS EXCLUSIVE on users when the index is dropped.
    enum = '''
op.execute("CREATE TYPE mood AS ENUM ('ok', 'sad')")
op.add_column("users", sa.Column("mood", sa.Text(), nullable=True))
'''
    commit = '''
op.execute("COMMIT")
op.execute("ALTER TYPE mood ADD VALUE 'happy'")
'''
    body = '''
op.alter_column("users", "status", existing_type=sa.String(20), nullable=False)
op.drop_index("ix_users_email", table_name="users")
'''
    report = review_history(USERS_WITH_INDEX, enum, commit, body, transaction_per_migration=False)
    assert [f for f in report.findings if f.revision == "r4" and f.rule == RULE] == []
    [statement_lock] = [f for f in report.findings if f.revision == "r4" and f.rule == "missing-lock-timeout"]
    assert statement_lock.line == body_line(body, "alter_column")


def test_a_weaker_earlier_lock_leaves_the_drop_its_own_wait(review_history):
    # CREATE INDEX takes SHARE: the drop raises it to ACCESS EXCLUSIVE, a new wait for readers.
    body = '''
op.create_index("ix_users_status", "users", ["status"])
op.drop_index("ix_users_email", table_name="users")
'''
    [finding] = _findings(review_history(USERS_WITH_INDEX, body))
    assert "waits behind the drop" in finding.message


def test_a_lock_of_an_earlier_revision_deployed_apart_is_not_held(review_history):
    # With one transaction per upgrade, r2 and r3 are still separate deploys: r2's lock was released long ago.
    body = 'op.drop_index("ix_users_email", table_name="users")'
    report = review_history(USERS_WITH_INDEX, 'op.add_column("users", sa.Column("x", sa.Text()))', body,
                            transaction_per_migration=False)
    [finding] = _findings(report)
    assert finding.revision == "r3" and "waits behind the drop" in finding.message


def test_a_lock_on_another_table_changes_nothing(review_history):
    body = '''
op.create_table("audit", sa.Column("id", sa.Integer(), primary_key=True))
op.add_column("audit", sa.Column("note", sa.Text()))
op.drop_index("ix_users_email", table_name="users")
'''
    [finding] = _findings(review_history(USERS_WITH_INDEX, body))
    assert "waits behind the drop" in finding.message


def test_index_on_a_copy_made_earlier_in_the_transaction_is_fine(review_history):
    # The copy holds rows (CREATE TABLE ... AS), but no other session sees it before commit.
    body = '''
op.execute("CREATE TABLE users_copy AS SELECT * FROM users")
op.create_index("ix_users_copy_email", "users_copy", ["email"])
op.drop_index("ix_users_copy_email", table_name="users_copy")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "index-not-concurrent") == []
