"""lock-table: Alembic has no operation for LOCK TABLE, so every form is raw SQL."""

from conftest import USERS_TABLE, body_line, rule_hits

RULE = "lock-table"


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_default_mode_is_access_exclusive(review_history):
    body = 'op.execute("LOCK TABLE users")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert finding.severity == "warning"
    assert "ACCESS EXCLUSIVE mode" in finding.message
    assert "blocks every read and write" in finding.message


def test_lock_on_the_bind(review_history):
    body = '''
conn = op.get_bind()
conn.execute(sa.text("LOCK users IN EXCLUSIVE MODE"))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "conn.execute"))]
    assert "EXCLUSIVE mode" in _findings(report)[0].message


def test_share_mode_blocks_writes(review_history):
    body = 'op.execute("LOCK TABLE users IN SHARE MODE")'
    report = review_history(USERS_TABLE, body)
    [finding] = _findings(report)
    assert finding.severity == "warning"
    assert "SHARE mode" in finding.message and "INSERT, UPDATE and DELETE" in finding.message
    assert "reads still work" in finding.message


def test_weak_modes_are_info(review_history):
    body = '''
op.execute("LOCK TABLE users IN ROW EXCLUSIVE MODE")
op.execute("LOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE")
op.execute("LOCK TABLE users IN ACCESS SHARE MODE")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ROW EXCLUSIVE")),
                                       ("r2", body_line(body, "SHARE UPDATE")),
                                       ("r2", body_line(body, "ACCESS SHARE"))]
    assert {f.severity for f in _findings(report)} == {"info"}
    assert all("lets reads and writes through" in f.message for f in _findings(report))


def test_message_counts_the_statements_that_run_under_the_lock(review_history):
    body = '''
op.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
op.add_column("users", sa.Column("age", sa.Integer(), nullable=True))
op.execute("UPDATE users SET age = 0 WHERE id < 100")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "LOCK TABLE"))]
    assert "through the 2 statements after it" in _findings(report)[0].message


def test_a_bounded_lock_before_quick_statements_adds_nothing_to_block(review_history):
    # The careful pattern (often in a retry loop): lock first with a bounded wait, then only catalog changes
    # that need the same lock anyway, then commit. Neither the wait nor the hold can queue traffic for long.
    body = '''
with op.get_context().autocommit_block():
    op.execute("BEGIN")
    op.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE NOWAIT")
    op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS headers json")
    op.execute("COMMIT")
    op.execute("BEGIN")
    op.execute("SET LOCAL lock_timeout = '250ms'")
    op.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
    op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS cookies json")
    op.execute("COMMIT")
'''
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == []
    # A bounded lock that nothing after it needs has no purpose but blocking: still reported.
    purposeless = body.replace('    op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS headers json")\n', "")
    assert rule_hits(review_history(USERS_TABLE, purposeless), RULE) == [
        ("r2", body_line(purposeless, "MODE NOWAIT"))]


def test_a_bounded_lock_held_through_slow_work_is_still_reported(review_history):
    # NOWAIT bounds the wait, not the hold: the back-fill after it keeps every reader out until commit.
    body = '''
op.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE NOWAIT")
op.execute("ALTER TABLE users ADD COLUMN headers json")
op.execute("UPDATE users SET headers = '{}'")
'''
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == [("r2", body_line(body, "LOCK TABLE"))]
    unbounded = body.replace(" NOWAIT", "").replace("op.execute(\"UPDATE users SET headers = '{}'\")", "")
    assert rule_hits(review_history(USERS_TABLE, unbounded), RULE) == [("r2", body_line(unbounded, "LOCK TABLE"))]


def test_several_tables_are_one_finding(review_history):
    body = '''
op.create_table("scratch", sa.Column("id", sa.Integer(), primary_key=True))
op.execute("LOCK TABLE scratch, users, public.accounts")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "LOCK TABLE"))]
    message = _findings(report)[0].message
    assert "tables users, accounts in ACCESS EXCLUSIVE mode" in message


def test_lock_of_table_created_in_the_same_revision_is_fine(review_history):
    body = USERS_TABLE + '\nop.execute("LOCK TABLE users")'
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_lock_in_autocommit_block_fails(review_history):
    # Outside a transaction block PostgreSQL refuses LOCK TABLE in any mode (checked on the server),
    # even on a table the revision just created.
    body = USERS_TABLE + '''
with op.get_context().autocommit_block():
    op.execute("LOCK TABLE users IN ACCESS SHARE MODE")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "LOCK TABLE"))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert "LOCK TABLE can only be used in transaction blocks" in finding.message


def test_select_for_update_is_not_a_lock_table(review_history):
    report = review_history(USERS_TABLE, 'op.execute("SELECT id FROM users WHERE id = 1 FOR UPDATE")')
    assert rule_hits(report, RULE) == []
