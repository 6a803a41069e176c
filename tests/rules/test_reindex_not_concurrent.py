from conftest import USERS_TABLE, body_line, rule_hits

RULE = "reindex-not-concurrent"

USERS_WITH_INDEX = USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])'


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_reindex_index_and_table(review_history):
    body = '''
op.execute("REINDEX INDEX ix_users_email")
op.execute("REINDEX (VERBOSE) TABLE users")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "REINDEX INDEX")), ("r2", body_line(body, "TABLE users"))]
    index, table = _findings(report)
    # REINDEX INDEX names no table; the schema model knows ix_users_email is on users.
    assert "ACCESS EXCLUSIVE lock on it and a SHARE lock on table users:" in index.message
    assert "refuses" not in index.message
    assert "REINDEX INDEX CONCURRENTLY" in index.fix


def test_reindex_of_an_index_the_model_never_saw_says_its_table(review_history):
    body = 'op.execute("REINDEX INDEX ix_legacy_code")'
    report = review_history(USERS_TABLE, body)
    [finding] = _findings(report)
    assert "a SHARE lock on its table:" in finding.message


def test_reindex_in_autocommit_block_still_blocks(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("REINDEX INDEX ix_users_email")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "REINDEX"))]


def test_reindex_concurrently_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("REINDEX INDEX CONCURRENTLY ix_users_email")
    op.execute("REINDEX (CONCURRENTLY, VERBOSE) TABLE users")
    op.execute("REINDEX (CONCURRENTLY true) TABLE users")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == []


def test_concurrently_false_is_not_concurrent(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("REINDEX (CONCURRENTLY false) TABLE users")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "REINDEX"))]


def test_reindex_schema_in_transaction_also_fails(review_history):
    body = '''
op.execute("REINDEX SCHEMA public")
with op.get_context().autocommit_block():
    op.execute("REINDEX DATABASE app")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "SCHEMA")), ("r2", body_line(body, "DATABASE"))]
    schema, database = _findings(report)
    assert "REINDEX SCHEMA cannot run inside a transaction block" in schema.message
    assert "refuses" not in database.message


def test_reindex_system_has_its_own_fix(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("REINDEX SYSTEM")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "REINDEX"))]
    assert "maintenance window" in _findings(report)[0].fix


def test_before_postgresql_12_still_reported_with_manual_fix(review_history):
    body = 'op.execute("REINDEX INDEX ix_users_email")'
    report = review_history(USERS_WITH_INDEX, body, pg_version="11")
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert "PostgreSQL 11 has no REINDEX CONCURRENTLY" in finding.message
    assert "postgresql_concurrently=True" in finding.fix


def test_reindex_of_relations_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
op.create_index("ix_users_email", "users", ["email"])
op.execute("REINDEX INDEX ix_users_email")
op.execute("REINDEX TABLE users")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_reindex_of_new_index_on_existing_table_is_reported(review_history):
    # The index is new, but its table is live: the SHARE lock blocks its writes.
    body = '''
op.create_index("ix_users_name", "users", ["name"])
op.execute("REINDEX INDEX ix_users_name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "REINDEX"))]
