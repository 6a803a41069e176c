from conftest import USERS_TABLE, body_line, rule_hits

RULE = "index-not-concurrent"


def _messages(report):
    return [f.message for f in report.findings if f.rule == RULE]


def test_create_index_op_on_existing_table(review_history):
    body = 'op.create_index("ix_users_name", "users", ["name"])'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_index"))]
    [message] = _messages(report)
    assert "ix_users_name" in message and "SHARE lock" in message


def test_create_index_raw_sql(review_history):
    body = 'op.execute("CREATE INDEX ix_users_name ON users (name)")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_unnamed_unique_index_raw_sql(review_history):
    body = 'op.execute("CREATE UNIQUE INDEX ON users (email)")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert "an unnamed unique index" in _messages(report)[0]


def test_unique_index_op_form(review_history):
    body = '''
op.add_column("users", sa.Column("code", sa.String(10)))
op.create_index(
    "ix_users_code",
    "users",
    ["code"],
    unique=True,
)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.create_index("))]


def test_create_index_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.create_index("ix_users_status", ["status"])
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.create_index"))]


def test_table_unknown_to_the_model_is_existing(review_history):
    body = 'op.create_index("ix_orders_user", "orders", ["user_id"])'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "create_index"))]


def test_index_on_table_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
op.create_index("ix_users_name", "users", ["name"])
op.execute("CREATE INDEX ix_users_status ON users (status)")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_index_in_create_table_is_fine(review_history):
    body = '''
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("user_id", sa.Integer(), index=True),
)
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_concurrent_index_in_autocommit_block_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
    op.execute("CREATE INDEX CONCURRENTLY ix_users_status ON users (status)")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_concurrent_index_in_transaction_is_another_rules_business(review_history):
    body = 'op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "concurrent-index-in-transaction") == [("r2", body_line(body, "create_index"))]


def test_autocommit_block_alone_does_not_make_it_concurrent(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.create_index("ix_users_name", "users", ["name"])
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.create_index"))]


def test_earlier_revision_table_in_single_transaction_upgrade_is_existing(review_history):
    body = 'op.create_index("ix_users_name", "users", ["name"])'
    report = review_history(USERS_TABLE, body, transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_index"))]


def test_batch_recreate_is_left_to_the_copy(review_history):
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.create_index("ix_users_status", ["status"])
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
