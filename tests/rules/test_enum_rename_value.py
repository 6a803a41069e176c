"""enum-rename-value: Alembic has no operation for RENAME VALUE, so every form is raw SQL."""

from conftest import body_line, rule_hits

RULE = "enum-rename-value"

TICKETS = """
op.create_table(
    "tickets",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("priority", sa.Enum("low", "normal", "high", name="ticket_priority"), nullable=False),
)
"""


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_rename_value_of_existing_enum(review_history):
    body = "op.execute(\"ALTER TYPE ticket_priority RENAME VALUE 'normal' TO 'medium'\")"
    report = review_history(TICKETS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert finding.severity == "warning"
    assert "'normal'" in finding.message and "'medium'" in finding.message
    assert 'invalid input value for enum ticket_priority: "normal"' in finding.message


def test_rename_value_on_the_bind(review_history):
    body = '''
conn = op.get_bind()
conn.execute(sa.text("ALTER TYPE ticket_priority RENAME VALUE 'high' TO 'urgent'"))
'''
    report = review_history(TICKETS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "conn.execute"))]


def test_rename_value_of_enum_unknown_to_the_model_is_reported(review_history):
    # No revision created the type: it exists in production, and code uses its labels.
    body = "op.execute(\"ALTER TYPE billing.plan_tier RENAME VALUE 'gold' TO 'premium'\")"
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "op.execute"))]
    assert "billing.plan_tier" in _findings(report)[0].message


def test_rename_value_of_enum_created_in_the_same_revision_is_fine(review_history):
    body = TICKETS + "\nop.execute(\"ALTER TYPE ticket_priority RENAME VALUE 'normal' TO 'medium'\")"
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_rename_value_of_enum_created_by_raw_sql_in_the_same_revision_is_fine(review_history):
    body = '''
op.execute("CREATE TYPE mood AS ENUM ('sad', 'ok')")
op.execute("ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_each_rename_is_reported_on_its_own_line(review_history):
    body = '''
op.execute("ALTER TYPE ticket_priority RENAME VALUE 'normal' TO 'medium'")
op.execute("ALTER TYPE ticket_priority RENAME VALUE 'high' TO 'urgent'")
'''
    report = review_history(TICKETS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "'normal'")), ("r2", body_line(body, "'high'"))]


def test_renaming_the_type_or_adding_a_value_is_not_a_label_rename(review_history):
    body = '''
op.execute("ALTER TYPE ticket_priority RENAME TO priority")
with op.get_context().autocommit_block():
    op.execute("ALTER TYPE priority ADD VALUE 'urgent'")
'''
    report = review_history(TICKETS, body)
    assert rule_hits(report, RULE) == []
