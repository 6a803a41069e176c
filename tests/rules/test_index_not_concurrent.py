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


# -- relations created in the same transaction ---------------------------------------------------------------------

ORDERS_TABLE = '''
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("customer", sa.String(50)),
    sa.Column("total", sa.Numeric(10, 2)),
)
'''

TOTALS_VIEW = '''
op.execute("""
    CREATE MATERIALIZED VIEW customer_totals AS
    SELECT customer, sum(total) AS total FROM orders GROUP BY customer
""")
'''


def test_unique_index_on_matview_made_in_the_same_revision_is_fine(review_history):
    # The usual set-up for REFRESH ... CONCURRENTLY: the view is filled by its query, but no other session can
    # see it (nor its SHARE lock) before the revision's transaction commits.
    body = TOTALS_VIEW + 'op.execute("CREATE UNIQUE INDEX ix_customer_totals ON customer_totals (customer)")\n'
    report = review_history(ORDERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_index_on_matview_from_an_earlier_revision_blocks_its_refresh(review_history):
    body = 'op.create_index("ix_customer_totals_total", "customer_totals", ["total"])'
    report = review_history(ORDERS_TABLE, TOTALS_VIEW, body)
    assert rule_hits(report, RULE) == [("r3", body_line(body, "create_index"))]
    [message] = _messages(report)
    assert "materialized view customer_totals" in message and "REFRESH" in message


def test_matview_dropped_and_made_again_is_new_again(review_history):
    body = 'op.execute("DROP MATERIALIZED VIEW customer_totals")\n' + TOTALS_VIEW + \
        'op.create_index("ix_customer_totals", "customer_totals", ["customer"], unique=True)\n'
    report = review_history(ORDERS_TABLE, TOTALS_VIEW, body)
    assert rule_hits(report, RULE) == []


def test_index_on_table_filled_by_create_table_as_in_the_same_revision_is_fine(review_history):
    body = '''
op.execute("CREATE TABLE orders_archive AS SELECT * FROM orders WHERE id < 1000")
op.create_index("ix_orders_archive_customer", "orders_archive", ["customer"])
'''
    report = review_history(ORDERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_matview_made_outside_the_transaction_is_visible(review_history):
    # Created in an autocommit block, the view is committed (and readable) before the index is built.
    body = '''
with op.get_context().autocommit_block():
    op.execute("CREATE MATERIALIZED VIEW customer_totals AS SELECT customer, count(*) AS n FROM orders GROUP BY 1")
op.create_index("ix_customer_totals", "customer_totals", ["customer"], unique=True)
'''
    report = review_history(ORDERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_index"))]
