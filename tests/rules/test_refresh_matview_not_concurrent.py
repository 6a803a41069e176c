"""refresh-matview-not-concurrent: Alembic has no operation for materialized views, so every form is raw SQL."""

from conftest import USERS_TABLE, body_line, rule_hits

RULE = "refresh-matview-not-concurrent"

STATS_VIEW = USERS_TABLE + """
op.execute("CREATE MATERIALIZED VIEW user_stats AS SELECT status, count(*) AS n FROM users GROUP BY status")
"""


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_plain_refresh_of_existing_view(review_history):
    body = 'op.execute("REFRESH MATERIALIZED VIEW user_stats")'
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert "ACCESS EXCLUSIVE" in finding.message and "user_stats" in finding.message


def test_plain_refresh_on_the_bind(review_history):
    body = '''
conn = op.get_bind()
conn.execute(sa.text("REFRESH MATERIALIZED VIEW user_stats"))
'''
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "conn.execute"))]


def test_refresh_concurrently_is_fine_in_the_transaction(review_history):
    # PostgreSQL 15 accepts REFRESH ... CONCURRENTLY inside a transaction block (checked on the server).
    body = 'op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY user_stats")'
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == []


def test_refresh_concurrently_in_autocommit_block_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY user_stats")
'''
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == []


def test_plain_refresh_in_autocommit_block_still_blocks_readers(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("REFRESH MATERIALIZED VIEW user_stats")
'''
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "REFRESH"))]


def test_refresh_with_no_data_leaves_the_view_unreadable(review_history):
    body = 'op.execute("REFRESH MATERIALIZED VIEW user_stats WITH NO DATA")'
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert "has not been populated" in _findings(report)[0].message


def test_refresh_of_view_unknown_to_the_model_is_reported(review_history):
    body = 'op.execute("REFRESH MATERIALIZED VIEW reporting.daily_revenue")'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "op.execute"))]
    assert "reporting.daily_revenue" in _findings(report)[0].message


def test_refresh_of_view_created_in_the_same_revision_is_fine(review_history):
    body = '''
op.execute("CREATE MATERIALIZED VIEW user_stats AS SELECT status, count(*) AS n FROM users GROUP BY status "
           "WITH NO DATA")
op.execute("REFRESH MATERIALIZED VIEW user_stats")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_recreated_view_is_new(review_history):
    body = '''
op.execute("DROP MATERIALIZED VIEW user_stats")
op.execute("CREATE MATERIALIZED VIEW user_stats AS SELECT status FROM users WITH NO DATA")
op.execute("REFRESH MATERIALIZED VIEW user_stats")
'''
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == []


def test_refresh_before_the_create_in_the_same_revision_is_reported(review_history):
    body = '''
op.execute("REFRESH MATERIALIZED VIEW user_stats")
op.execute("CREATE MATERIALIZED VIEW user_stats_v2 AS SELECT status FROM users")
'''
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "REFRESH"))]


def test_view_of_the_same_name_in_another_schema_is_not_the_new_one(review_history):
    body = '''
op.execute("CREATE MATERIALIZED VIEW reporting.user_stats AS SELECT status FROM users")
op.execute("REFRESH MATERIALIZED VIEW reporting.user_stats")
op.execute("REFRESH MATERIALIZED VIEW user_stats")
'''
    report = review_history(STATS_VIEW, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "VIEW user_stats\""))]
