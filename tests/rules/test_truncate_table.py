"""truncate-table: Alembic has no operation for TRUNCATE, so every form is raw SQL."""

from conftest import USERS_TABLE, body_line, rule_hits

RULE = "truncate-table"

ORDERS_TABLE = USERS_TABLE + """
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
)
"""


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_truncate_existing_table(review_history):
    body = 'op.execute("TRUNCATE users")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert finding.severity == "warning"
    assert "ACCESS EXCLUSIVE" in finding.message and "CASCADE" not in finding.message


def test_truncate_on_the_bind(review_history):
    body = '''
conn = op.get_bind()
conn.execute(sa.text("TRUNCATE TABLE users RESTART IDENTITY"))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "conn.execute"))]


def test_truncate_cascade_is_an_error(review_history):
    body = 'op.execute("TRUNCATE users CASCADE")'
    report = review_history(ORDERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert "CASCADE also empties every table with a foreign key to it" in finding.message


def test_truncate_of_table_unknown_to_the_model(review_history):
    body = 'op.execute("TRUNCATE ONLY audit.events")'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "op.execute"))]
    assert "audit.events" in _findings(report)[0].message


def test_truncate_of_table_created_in_the_same_revision_is_fine(review_history):
    body = USERS_TABLE + '\nop.execute("TRUNCATE users")'
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_truncate_of_table_filled_in_the_same_revision_is_fine(review_history):
    # A scratch copy made by this deploy: nothing that existed before is lost.
    body = '''
op.execute("CREATE TABLE users_backup AS SELECT * FROM users")
op.execute("TRUNCATE users_backup")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_one_finding_names_only_the_existing_tables(review_history):
    body = '''
op.create_table("scratch", sa.Column("id", sa.Integer(), primary_key=True))
op.execute("TRUNCATE scratch, users")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "TRUNCATE"))]
    message = _findings(report)[0].message
    assert "table users:" in message and "scratch" not in message


def test_cascade_on_new_table_is_fine_when_nothing_existing_references_it(review_history):
    body = '''
op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
op.create_table("plan_items", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id")))
op.create_table("plan_notes", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("plan_id", sa.Integer()))
op.create_foreign_key("fk_plan_notes_plan_id", "plan_notes", "plans", ["plan_id"], ["id"])
op.execute("TRUNCATE plans CASCADE")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_cascade_on_new_table_empties_an_existing_table_that_got_a_foreign_key_to_it(review_history):
    # TRUNCATE ... CASCADE empties referencing tables whole, even where every reference is NULL.
    body = '''
op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
op.add_column("users", sa.Column("plan_id", sa.Integer(), nullable=True))
op.create_foreign_key("fk_users_plan_id", "users", "plans", ["plan_id"], ["id"])
op.execute("TRUNCATE plans CASCADE")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "TRUNCATE"))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert "including users" in finding.message


def test_delete_without_where_is_not_a_truncate(review_history):
    report = review_history(USERS_TABLE, 'op.execute("DELETE FROM users")')
    assert rule_hits(report, RULE) == []
