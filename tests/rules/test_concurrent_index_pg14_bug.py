from conftest import USERS_TABLE, body_line, rule_hits

RULE = "concurrent-index-pg14-bug"

USERS_WITH_INDEX = USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])'

CONCURRENT_INDEX = '''
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_create_index_concurrently_on_14_2(review_history):
    report = review_history(USERS_TABLE, CONCURRENT_INDEX, pg_version="14.2")
    assert rule_hits(report, RULE) == [("r2", body_line(CONCURRENT_INDEX, "create_index"))]
    [finding] = _findings(report)
    assert "PostgreSQL 14.2" in finding.message and "14.4" in finding.message
    assert finding.severity == "error"


def test_raw_sql_create_index_and_reindex_concurrently_on_14_0(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("CREATE INDEX CONCURRENTLY ix_users_name ON users (name)")
    op.execute("REINDEX INDEX CONCURRENTLY ix_users_email")
    op.execute("REINDEX (CONCURRENTLY) TABLE users")
'''
    report = review_history(USERS_WITH_INDEX, body, pg_version="14.0")
    assert rule_hits(report, RULE) == [("r2", body_line(body, "CREATE INDEX")),
                                       ("r2", body_line(body, "REINDEX INDEX")),
                                       ("r2", body_line(body, "TABLE users"))]


def test_14_3_is_the_last_affected_minor(review_history):
    report = review_history(USERS_TABLE, CONCURRENT_INDEX, pg_version="14.3")
    assert rule_hits(report, RULE) == [("r2", body_line(CONCURRENT_INDEX, "create_index"))]


def test_14_4_has_the_fix(review_history):
    assert rule_hits(review_history(USERS_TABLE, CONCURRENT_INDEX, pg_version="14.4"), RULE) == []


def test_major_14_alone_means_the_latest_minor(review_history):
    assert rule_hits(review_history(USERS_TABLE, CONCURRENT_INDEX, pg_version="14"), RULE) == []


def test_other_majors_are_not_affected(review_history):
    for version in ("13.2", "15.0", "15"):
        assert rule_hits(review_history(USERS_TABLE, CONCURRENT_INDEX, pg_version=version), RULE) == [], version


def test_non_concurrent_builds_are_not_this_rule(review_history):
    body = '''
op.create_index("ix_users_name", "users", ["name"])
op.execute("REINDEX INDEX ix_users_email")
'''
    report = review_history(USERS_WITH_INDEX, body, pg_version="14.2")
    assert rule_hits(report, RULE) == []


def test_table_created_in_same_revision_is_fine(review_history):
    # Nobody writes to a table this deploy created: no row can be updated (and missed) during the build.
    body = USERS_TABLE + CONCURRENT_INDEX
    report = review_history(body, pg_version="14.2")
    assert rule_hits(report, RULE) == []


def test_reported_even_in_transaction_alongside_the_transaction_error(review_history):
    body = 'op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)'
    report = review_history(USERS_TABLE, body, pg_version="14.1")
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_index"))]
    assert rule_hits(report, "concurrent-index-in-transaction") == [("r2", body_line(body, "create_index"))]
