from conftest import body_line, review_deployed_together, rule_hits

RULE = "enum-add-value-in-transaction"

ORDERS = """
op.execute("CREATE TYPE order_status AS ENUM ('new', 'paid')")
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("status", postgresql.ENUM(name="order_status", create_type=False), nullable=True),
)
"""

ADD_SHIPPED = '''op.execute("ALTER TYPE order_status ADD VALUE 'shipped'")'''
USE_SHIPPED = '''op.execute("UPDATE orders SET status = 'shipped'")'''


def test_new_value_used_later_in_same_transaction(review_history):
    body = ADD_SHIPPED + '''
op.execute("UPDATE orders SET status = 'shipped' WHERE id = 1")
'''
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ADD VALUE"))]
    finding = next(f for f in report.findings if f.rule == RULE)
    assert "unsafe use of new value" in finding.message
    assert f"line {body_line(body, 'UPDATE')}" in finding.message


def test_set_default_to_new_value_with_alter_column_counts_as_a_use(review_history):
    body = ADD_SHIPPED + '''
op.alter_column("orders", "status", server_default="shipped")
'''
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ADD VALUE"))]


def test_set_default_raw_sql_counts_as_a_use(review_history):
    body = ADD_SHIPPED + '''
op.execute("ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'shipped'")
'''
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ADD VALUE"))]


def test_new_value_not_used_is_fine_on_12_and_later(review_history):
    body = ADD_SHIPPED + '''
op.execute("UPDATE orders SET status = 'paid' WHERE id = 1")
'''
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == []


def test_use_in_a_later_migration_is_fine_with_a_transaction_per_migration(review_history):
    report = review_history(ORDERS, ADD_SHIPPED, '''op.execute("UPDATE orders SET status = 'shipped'")''')
    assert rule_hits(report, RULE) == []


def test_use_in_a_later_revision_deployed_apart_is_fine_with_one_transaction_per_upgrade(review_history):
    """One `alembic upgrade` runs one deploy: by default each revision is its own, so the use in the next
    revision comes after the ADD VALUE committed."""
    report = review_history(ORDERS, ADD_SHIPPED, USE_SHIPPED, transaction_per_migration=False)
    assert rule_hits(report, RULE) == []


def test_use_in_a_later_revision_deployed_with_it_fails_with_one_transaction_per_upgrade(tmp_path):
    report = review_deployed_together(tmp_path, [ORDERS, ADD_SHIPPED, USE_SHIPPED], together=[2, 3],
                                      transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r2", body_line(ADD_SHIPPED, "ADD VALUE"))]
    finding = next(f for f in report.findings if f.rule == RULE)
    assert (f"003_r3.py:{body_line(USE_SHIPPED, 'UPDATE')} (revision r3), deployed with it "
            "(UPDATE orders SET status = 'shipped')") in finding.message
    report = review_deployed_together(tmp_path, [ORDERS, ADD_SHIPPED, USE_SHIPPED], together=[2, 3],
                                      transaction_per_migration=True)
    assert rule_hits(report, RULE) == []


def test_autocommit_block_then_use_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("ALTER TYPE order_status ADD VALUE 'shipped'")
op.execute("UPDATE orders SET status = 'shipped' WHERE id = 1")
'''
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == []


def test_if_not_exists_on_an_existing_label_adds_nothing_new(review_history):
    body = '''
op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'paid'")
op.execute("UPDATE orders SET status = 'paid' WHERE id = 1")
'''
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == []


def test_type_created_in_same_transaction_does_not_help_before_17(review_history):
    # Checked on PostgreSQL 15: CREATE TYPE; ADD VALUE; use -> "unsafe use of new value".
    body = ORDERS + ADD_SHIPPED + '''
op.execute("UPDATE orders SET status = 'shipped'")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "ADD VALUE"))]


def test_type_created_in_same_transaction_is_usable_on_17(review_history):
    body = ORDERS + ADD_SHIPPED + '''
op.execute("UPDATE orders SET status = 'shipped'")
'''
    report = review_history(body, pg_version="17")
    assert rule_hits(report, RULE) == []


def test_pg11_add_value_in_transaction_fails_even_unused(review_history):
    report = review_history(ORDERS, ADD_SHIPPED, pg_version="11")
    assert rule_hits(report, RULE) == [("r2", body_line(ADD_SHIPPED, "ADD VALUE"))]
    finding = next(f for f in report.findings if f.rule == RULE)
    assert "cannot run inside a transaction block" in finding.message


def test_pg11_if_not_exists_still_fails_in_a_transaction(review_history):
    body = '''op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'paid'")'''
    report = review_history(ORDERS, body, pg_version="11")
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ADD VALUE"))]


def test_pg11_autocommit_block_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("ALTER TYPE order_status ADD VALUE 'shipped'")
'''
    report = review_history(ORDERS, body, pg_version="11")
    assert rule_hits(report, RULE) == []


def test_pg11_type_created_in_same_transaction_is_allowed(review_history):
    report = review_history(ORDERS + ADD_SHIPPED, pg_version="11")
    assert rule_hits(report, RULE) == []


def test_pg11_type_created_by_a_revision_deployed_earlier(review_history):
    """The recording runs the whole history as one upgrade, but the type was created in an earlier deploy,
    whose transaction committed long ago: PostgreSQL 11 refuses the ADD VALUE."""
    report = review_history(ORDERS, ADD_SHIPPED, pg_version="11", transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r2", body_line(ADD_SHIPPED, "ADD VALUE"))]


def test_pg11_type_created_by_a_revision_of_the_same_deploy_and_transaction(tmp_path):
    report = review_deployed_together(tmp_path, [ORDERS, ADD_SHIPPED], together=[1, 2], pg_version="11",
                                      transaction_per_migration=False)
    assert rule_hits(report, RULE) == []


def test_pg11_type_created_in_an_earlier_committed_transaction(review_history):
    report = review_history(ORDERS, ADD_SHIPPED, pg_version="11", transaction_per_migration=True)
    assert rule_hits(report, RULE) == [("r2", body_line(ADD_SHIPPED, "ADD VALUE"))]


def test_pg11_type_created_in_autocommit_block_then_altered_in_transaction(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("CREATE TYPE mood AS ENUM ('sad')")
op.execute("ALTER TYPE mood ADD VALUE 'happy'")
'''
    report = review_history(body, pg_version="11")
    assert rule_hits(report, RULE) == [("r1", body_line(body, "ADD VALUE"))]
