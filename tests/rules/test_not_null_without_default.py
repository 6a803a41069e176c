from conftest import USERS_TABLE, body_line, rule_hits

RULE = "not-null-without-default"


def test_not_null_column_without_default_op(review_history):
    body = 'op.add_column("users", sa.Column("score", sa.Integer(), nullable=False))'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]
    finding = next(f for f in report.findings if f.rule == RULE)
    assert "contains null values" in finding.message
    assert "server_default" in finding.fix


def test_not_null_column_without_default_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE users ADD COLUMN score integer NOT NULL")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_not_null_column_in_batch_block_points_at_batch_call(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.add_column(
        sa.Column("score", sa.Integer(), nullable=False)
    )
    batch_op.add_column(sa.Column("nickname", sa.String(50)))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.add_column("))]


def test_default_null_is_no_default(review_history):
    body = 'op.execute("ALTER TABLE users ADD COLUMN score integer NOT NULL DEFAULT NULL")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_table_unknown_to_the_history_counts_as_existing(review_history):
    body = 'op.add_column("legacy", sa.Column("score", sa.Integer(), nullable=False))'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "add_column"))]


def test_server_default_is_fine(review_history):
    body = '''
op.add_column("users", sa.Column("score", sa.Integer(), nullable=False, server_default="0"))
op.add_column("users", sa.Column("seen", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()))
op.execute("ALTER TABLE users ADD COLUMN level integer NOT NULL DEFAULT 1")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_nullable_column_is_fine(review_history):
    body = '''
op.add_column("users", sa.Column("score", sa.Integer(), nullable=True))
op.execute("ALTER TABLE users ADD COLUMN level integer")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_columns_that_fill_every_row_are_left_to_their_own_rule(review_history):
    body = '''
op.add_column("users", sa.Column("seq", sa.Integer(), sa.Identity(), nullable=False))
op.add_column("users", sa.Column("twice", sa.Integer(), sa.Computed("id * 2"), nullable=False))
op.execute("ALTER TABLE users ADD COLUMN n bigserial NOT NULL")
op.execute("ALTER TABLE users ADD COLUMN m integer GENERATED ALWAYS AS IDENTITY")
op.execute("ALTER TABLE users ADD COLUMN g integer GENERATED ALWAYS AS (id * 3) STORED NOT NULL")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_table_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
op.add_column("users", sa.Column("score", sa.Integer(), nullable=False))
op.execute("ALTER TABLE users ADD COLUMN level integer NOT NULL")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


# -- tables emptied earlier in the same transaction -----------------------------------------------------------------

ADD_TENANT = 'op.add_column("users", sa.Column("tenant_id", sa.Integer(), nullable=False))'


def test_table_truncated_earlier_in_the_transaction_has_no_rows(review_history):
    # TRUNCATE holds ACCESS EXCLUSIVE until the commit: no session can put a row back before the ADD COLUMN.
    body = 'op.execute("TRUNCATE users")\n' + ADD_TENANT
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_truncate_cascade_empties_the_referencing_tables(review_history):
    sessions = '''
op.create_table("sessions", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")))
'''
    body = '''
op.execute("TRUNCATE users CASCADE")
op.add_column("sessions", sa.Column("device", sa.String(20), nullable=False))
'''
    report = review_history(USERS_TABLE, sessions, body)
    assert rule_hits(report, RULE) == []


def test_delete_alone_lets_the_application_insert_again(review_history):
    body = 'op.execute("DELETE FROM users")\n' + ADD_TENANT
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]


def test_delete_under_a_lock_that_keeps_writers_out_empties_the_table(review_history):
    body = 'op.execute("LOCK TABLE users IN EXCLUSIVE MODE")\nop.execute("DELETE FROM users")\n' + ADD_TENANT
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_delete_after_an_alter_table_of_the_same_transaction_empties_the_table(review_history):
    body = ('op.drop_column("users", "status")\nop.execute("DELETE FROM users")\n' + ADD_TENANT)
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_delete_with_a_where_clause_leaves_rows(review_history):
    body = 'op.execute("LOCK TABLE users")\nop.execute("DELETE FROM users WHERE status = \'gone\'")\n' + ADD_TENANT
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]


def test_rows_inserted_after_the_truncate_count(review_history):
    body = ('op.execute("TRUNCATE users")\n'
            'op.execute("INSERT INTO users (id, email) VALUES (1, \'admin@example.com\')")\n' + ADD_TENANT)
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]


def test_truncate_outside_the_transaction_is_not_enough(review_history):
    # Committed at once: the application can insert before the ADD COLUMN takes its lock.
    body = '''
with op.get_context().autocommit_block():
    op.execute("TRUNCATE users")
op.add_column("users", sa.Column("tenant_id", sa.Integer(), nullable=False))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]


def test_truncate_by_an_earlier_deploy_is_forgotten(review_history):
    # One transaction for the whole upgrade is how the history is modelled, not how it was deployed: the
    # table filled up again after the earlier deploy.
    report = review_history(USERS_TABLE, 'op.execute("TRUNCATE users")', ADD_TENANT,
                            transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r3", body_line(ADD_TENANT, "add_column"))]
