from conftest import USERS_TABLE, body_line, rule_hits

RULE = "concurrent-index-in-transaction"

USERS_WITH_INDEX = USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])'


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_create_index_concurrently_op_outside_autocommit_block(review_history):
    body = 'op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_index"))]
    [finding] = _findings(report)
    assert "CREATE INDEX CONCURRENTLY cannot run inside a transaction block" in finding.message


def test_create_index_concurrently_raw_sql(review_history):
    body = 'op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_name ON users (name)")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_drop_index_concurrently_op_and_raw_sql(review_history):
    body = '''
op.drop_index("ix_users_email", table_name="users", postgresql_concurrently=True)
op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_users_name")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.drop_index")),
                                       ("r2", body_line(body, "op.execute"))]
    assert "DROP INDEX CONCURRENTLY cannot run" in _findings(report)[0].message


def test_create_index_concurrently_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.create_index("ix_users_status", ["status"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.create_index"))]


def test_reindex_concurrently_in_transaction(review_history):
    body = '''
op.execute("REINDEX INDEX CONCURRENTLY ix_users_email")
op.execute("REINDEX (CONCURRENTLY) TABLE users")
op.execute("REINDEX (CONCURRENTLY false) TABLE users")
op.execute("REINDEX TABLE users")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "INDEX CONCURRENTLY")),
                                       ("r2", body_line(body, "(CONCURRENTLY)"))]
    assert "REINDEX CONCURRENTLY cannot run" in _findings(report)[0].message


def test_table_created_in_same_revision_still_fails(review_history):
    # PostgreSQL refuses before it looks at the table: a brand-new table does not help.
    body = USERS_TABLE + '''
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "ix_users_name"))]


def test_autocommit_block_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
    op.drop_index("ix_users_email", table_name="users", postgresql_concurrently=True)
    op.execute("CREATE INDEX CONCURRENTLY ix_users_status ON users (status)")
    op.execute("REINDEX INDEX CONCURRENTLY ix_users_status")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == []


def test_after_the_autocommit_block_the_transaction_is_back(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
op.create_index("ix_users_status", "users", ["status"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_users_status"))]


def test_a_commit_on_the_connection_inside_the_autocommit_block_opens_no_transaction(review_history):
    # The connection autocommits in the block: commit() ends nothing and the next statement autocommits too.
    body = '''
with op.get_context().autocommit_block():
    op.get_bind().execute(sa.text("UPDATE users SET status = 'x'"))
    op.get_bind().commit()
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
op.create_index("ix_users_status", "users", ["status"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_users_status"))]


def test_autocommit_block_in_single_transaction_upgrade(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
op.create_index("ix_users_status", "users", ["status"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body, transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_users_status"))]


def test_statements_after_a_bare_commit_are_outside_the_transaction(review_history):
    # psycopg2 does not issue BEGIN again after an explicit COMMIT, so this runs (see the docs for psycopg 3).
    body = '''
op.execute("COMMIT")
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_several_statements_in_one_string_fail_even_in_autocommit_block(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("SET lock_timeout = '5s'; CREATE INDEX CONCURRENTLY ix_users_name ON users (name)")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert "implicit transaction" in finding.message
    assert "own `op.execute()`" in finding.fix


def test_several_statements_through_the_bind_fail_too(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.get_bind().execute(sa.text(
        "CREATE INDEX CONCURRENTLY ix_a ON users (name); CREATE INDEX CONCURRENTLY ix_b ON users (status)"
    ))
'''
    report = review_history(USERS_TABLE, body)
    # One finding per statement: both would be refused.
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.get_bind"))] * 2


def test_one_statement_per_call_in_autocommit_block_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("SET lock_timeout = '5s'")
    op.execute("CREATE INDEX CONCURRENTLY ix_users_name ON users (name);")
    conn = op.get_bind()
    conn.execute(sa.text("CREATE INDEX CONCURRENTLY ix_a ON users (status)"))
    conn.execute(sa.text("CREATE INDEX CONCURRENTLY ix_b ON users (email)"))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_plain_index_commands_are_not_this_rule(review_history):
    body = '''
op.create_index("ix_users_name", "users", ["name"])
op.drop_index("ix_users_email", table_name="users")
'''
    report = review_history(USERS_WITH_INDEX, body)
    assert rule_hits(report, RULE) == []


PARTITIONED = '''
op.execute("CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at)")
op.execute("CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
'''


def test_detach_partition_concurrently_in_transaction(review_history):
    body = 'op.execute("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY")'
    report = review_history(PARTITIONED, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert "ALTER TABLE ... DETACH CONCURRENTLY cannot run inside a transaction block" in finding.message


def test_detach_partition_concurrently_alone_in_autocommit_block_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY")
'''
    report = review_history(PARTITIONED, body)
    assert rule_hits(report, RULE) == []
    assert not [f for f in report.findings if f.rule == "detach-partition-not-concurrent"]


# -- the revision switches the connection to autocommit itself ------------------------------------------------
# Checked on PostgreSQL 15 with SQLAlchemy 2, psycopg2 and psycopg 3 through `alembic upgrade`.

def test_dbapi_autocommit_after_a_commit_runs_the_index_build_outside_a_transaction(review_history):
    body = '''
conn = op.get_bind()
conn.commit()
conn.connection.dbapi_connection.autocommit = True
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_users_old")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_the_autocommit_switch_lasts_into_the_next_revisions(review_history):
    # Alembic's begin() for the next revision sends nothing to a connection in autocommit mode.
    switch = '''
op.get_bind().commit()
op.get_bind().connection.connection.autocommit = True
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    later = 'op.create_index("ix_users_status", "users", ["status"], postgresql_concurrently=True)'
    for per_migration in (True, False):
        report = review_history(USERS_TABLE, switch, later, transaction_per_migration=per_migration)
        assert rule_hits(report, RULE) == []


def test_execution_options_autocommit_after_a_commit(review_history):
    body = '''
bind = op.get_bind()
bind.commit()
bind.execution_options(isolation_level="AUTOCOMMIT")
op.execute("CREATE INDEX CONCURRENTLY ix_users_name ON users (name)")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_set_isolation_level_zero_after_a_commit(review_history):
    body = '''
connection = op.get_bind()
connection.commit()
connection.connection.set_isolation_level(0)
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_switching_autocommit_off_again_brings_the_transaction_back(review_history):
    body = '''
raw = op.get_bind().connection.dbapi_connection
op.get_bind().commit()
raw.autocommit = True
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
raw.autocommit = False
op.create_index("ix_users_status", "users", ["status"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_users_status"))]


def test_an_autocommit_block_ends_the_switch(review_history):
    # Alembic restores the isolation level it read when the block began (SQLAlchemy reads it from the server:
    # never AUTOCOMMIT), and begins a transaction again.
    body = '''
op.get_bind().commit()
op.get_bind().connection.dbapi_connection.autocommit = True
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
op.create_index("ix_users_status", "users", ["status"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_users_status"))]


def test_setting_the_attribute_on_sqlalchemys_pool_proxy_changes_nothing(review_history):
    # `conn.connection` is SQLAlchemy's proxy: assigning to it does not reach the driver.
    body = '''
op.get_bind().commit()
op.get_bind().connection.autocommit = True
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_users_name"))]


def test_switching_to_autocommit_inside_alembics_transaction_fails_the_revision(review_history):
    cases = {
        'op.get_bind().connection.dbapi_connection.autocommit = True':
            "ProgrammingError: set_session cannot be used inside a transaction",
        'op.get_bind().execution_options(isolation_level="AUTOCOMMIT")':
            "InvalidRequestError: This connection has already initialized a SQLAlchemy Transaction()",
    }
    for switch, error in cases.items():
        body = f'''
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
{switch}
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
        report = review_history(USERS_TABLE, body)
        [problem] = report.errors
        assert problem.message.startswith(error)
        assert problem.line == body_line(body, switch)


def test_the_message_names_the_transaction_sqlalchemy_began_after_a_commit(review_history):
    body = '''
op.get_bind().commit()
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_users_name"))]
    [finding] = _findings(report)
    assert f"inside the transaction SQLAlchemy opened after the COMMIT on line {body_line(body, 'commit()')}" \
        in finding.message
