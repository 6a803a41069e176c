from conftest import USERS_TABLE, body_line, rule_hits

RULE = "drop-table"


def test_drop_table_op_on_existing_table(review_history):
    body = 'op.drop_table("users")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_table"))]


def test_drop_table_raw_sql(review_history):
    body = 'op.execute("DROP TABLE IF EXISTS users")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_drop_table_cascade_says_what_else_goes(review_history):
    body = 'op.execute("DROP TABLE users CASCADE")'
    report = review_history(USERS_TABLE, body)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "CASCADE" in finding.message


def test_drop_of_a_table_unknown_to_the_model_is_reported(review_history):
    body = 'op.drop_table("legacy_events")'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "drop_table"))]


def test_drop_table_spanning_lines_points_at_the_call(review_history):
    body = '''
op.drop_table(
    "users",
)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.drop_table("))]


def test_drop_of_a_table_created_in_the_same_revision_is_fine(review_history):
    body = USERS_TABLE + '\nop.drop_table("users")'
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_drop_of_a_scratch_table_created_with_data_in_the_same_revision_is_fine(review_history):
    # CREATE TABLE AS holds rows, but they were copied by this very migration and no running code knows it.
    body = '''
op.execute("CREATE TABLE users_copy AS SELECT * FROM users")
op.execute("DROP TABLE users_copy")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_batch_recreate_internal_drop_is_not_reported(review_history):
    # recreate="always" copies users into _alembic_tmp_users, then DROP TABLE users: Alembic's own swap.
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("status", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_dropping_an_index_is_not_a_table_drop(review_history):
    body = 'op.execute("DROP INDEX IF EXISTS ix_users_email")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []

