from conftest import USERS_TABLE, body_line, revision_source, rule_hits

RULE = "table-rewrite-command"

USERS_WITH_INDEX = USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])'


def _messages(report):
    return [f.message for f in report.findings if f.rule == RULE]


def test_vacuum_full_in_autocommit_block(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("VACUUM FULL users")
    op.execute("VACUUM (FULL, ANALYZE) users")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "VACUUM FULL")), ("r2", body_line(body, "(FULL"))]
    assert "ACCESS EXCLUSIVE" in _messages(report)[0]
    assert "refuses" not in _messages(report)[0]


def test_vacuum_full_in_transaction_also_fails(review_history):
    body = 'op.execute("VACUUM FULL users")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert "VACUUM cannot run inside a transaction block" in _messages(report)[0]


def test_vacuum_full_of_several_tables_is_one_finding(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("VACUUM FULL users, audit_log")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert "table users, table audit_log" in _messages(report)[0]


def test_vacuum_full_of_the_whole_database(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("VACUUM FULL")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert "every table of the database" in _messages(report)[0]


def test_plain_vacuum_and_analyze_are_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("VACUUM ANALYZE users")
    op.execute("VACUUM (FULL false) users")
    op.execute("VACUUM (FULL 0) users")
op.execute("ANALYZE users")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_cluster(review_history):
    body = '''
op.execute("CLUSTER users USING ix_users_email")
op.execute("CLUSTER users")
op.execute("ALTER TABLE users CLUSTER ON ix_users_email")
'''
    report = review_history(USERS_WITH_INDEX, body)
    # CLUSTER ON only marks the index for later CLUSTER runs: no rewrite.
    assert rule_hits(report, RULE) == [("r2", body_line(body, "USING ix")), ("r2", body_line(body, 'CLUSTER users"'))]
    assert "refuses" not in _messages(report)[0]  # CLUSTER <table> may run inside a transaction


def test_bare_cluster_in_transaction_also_fails(review_history):
    body = 'op.execute("CLUSTER")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert "CLUSTER cannot run inside a transaction block" in _messages(report)[0]


def test_set_tablespace_logged_unlogged(review_history):
    body = '''
op.execute("ALTER TABLE users SET TABLESPACE fast_ssd")
op.execute("ALTER TABLE users SET UNLOGGED")
op.execute("ALTER TABLE users SET LOGGED")
op.execute("ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE fast_ssd")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "SET TABLESPACE fast_ssd\")")),
                                       ("r2", body_line(body, "UNLOGGED")),
                                       ("r2", body_line(body, "SET LOGGED")),
                                       ("r2", body_line(body, "ALL IN TABLESPACE"))]
    assert _messages(report)[0].startswith("SET TABLESPACE on table users copies it")


def test_index_set_tablespace(review_history):
    body = 'op.execute("ALTER INDEX ix_users_email SET TABLESPACE fast_ssd")'
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert "blocks every query on its table" in _messages(report)[0]


def test_commands_on_table_created_in_same_revision_are_fine(review_history):
    body = USERS_TABLE + '''
op.create_index("ix_users_email", "users", ["email"])
op.execute("ALTER TABLE users SET UNLOGGED")
op.execute("ALTER TABLE users SET TABLESPACE fast_ssd")
op.execute("ALTER INDEX ix_users_email SET TABLESPACE fast_ssd")
op.execute("CLUSTER users USING ix_users_email")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_other_alter_table_commands_are_not_rewrites(review_history):
    body = '''
op.execute("ALTER TABLE users SET (fillfactor = 70)")
op.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY")
op.add_column("users", sa.Column("age", sa.Integer()))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_batch_recreate_reported_once_on_the_with_line(review_history):
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.add_column(sa.Column("age", sa.Integer()))
    batch_op.alter_column("status", server_default="active")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "with op.batch_alter_table"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "copies every row of table users" in finding.message
    assert "recreate" in finding.fix


def test_empty_batch_recreate_still_copies(review_history):
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    pass
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "with op.batch_alter_table"))]


def test_two_batch_blocks_two_findings(review_history):
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.add_column(sa.Column("age", sa.Integer()))
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.drop_column("age")
'''
    report = review_history(USERS_TABLE, body)
    lines = [number for number, text in enumerate(revision_source(body, "x", None).splitlines(), start=1)
             if "with op.batch_alter_table" in text]
    assert rule_hits(report, RULE) == [("r2", lines[0]), ("r2", lines[1])]


def test_batch_without_recreate_is_fine(review_history):
    # recreate="auto" (the default) never copies on PostgreSQL: the batch_op calls run as plain ALTER TABLE.
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.add_column(sa.Column("age", sa.Integer()))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_batch_recreate_of_table_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.add_column(sa.Column("age", sa.Integer()))
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []
