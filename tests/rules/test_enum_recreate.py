from conftest import USERS_TABLE, body_line, rule_hits

RULE = "enum-recreate"

ORDERS = """
op.execute("CREATE TYPE order_status AS ENUM ('new', 'paid', 'cancelled')")
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("status", postgresql.ENUM(name="order_status", create_type=False), nullable=True),
    sa.Column("previous_status", postgresql.ENUM(name="order_status", create_type=False), nullable=True),
)
"""

DANCE = '''
op.execute("ALTER TYPE order_status RENAME TO order_status_old")
op.execute("CREATE TYPE order_status AS ENUM ('new', 'paid')")
op.execute("ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status")
op.execute("DROP TYPE order_status_old")
'''


def test_recreate_dance_in_raw_sql(review_history):
    report = review_history(ORDERS, DANCE)
    assert rule_hits(report, RULE) == [("r2", body_line(DANCE, "ALTER COLUMN status"))]
    finding = next(f for f in report.findings if f.rule == RULE)
    assert finding.message.startswith("recreates enum type order_status and converts column orders.status")
    # The same conversion is not reported a second time as a plain type change.
    assert rule_hits(report, "column-type-rewrite") == []


def test_recreate_dance_with_alter_column_and_sa_enum(review_history):
    body = '''
op.execute("ALTER TYPE order_status RENAME TO order_status_old")
op.execute("CREATE TYPE order_status AS ENUM ('new', 'paid')")
op.alter_column(
    "orders",
    "status",
    type_=sa.Enum("new", "paid", name="order_status"),
    postgresql_using="status::text::order_status",
)
op.alter_column(
    "orders",
    "previous_status",
    type_=sa.Enum("new", "paid", name="order_status"),
    postgresql_using="previous_status::text::order_status",
)
op.execute("DROP TYPE order_status_old")
'''
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.alter_column(")),
                                       ("r2", body_line(body, "op.alter_column(") + 6)]
    assert rule_hits(report, "column-type-rewrite") == []


def test_alter_column_to_sa_enum_the_model_does_not_know(review_history):
    # Alembic's alter_column emits no CREATE TYPE; the operation's type_ says it is an enum.
    body = '''
op.alter_column(
    "users",
    "status",
    type_=sa.Enum("active", "banned", name="user_status"),
    existing_type=sa.String(20),
    postgresql_using="status::user_status",
)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.alter_column("))]
    assert rule_hits(report, "column-type-rewrite") == []


def test_text_column_converted_to_an_enum_created_earlier(review_history):
    first = USERS_TABLE + '''
op.execute("CREATE TYPE user_status AS ENUM ('active', 'banned')")
'''
    body = 'op.execute("ALTER TABLE users ALTER COLUMN status TYPE user_status USING status::user_status")'
    report = review_history(first, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    finding = next(f for f in report.findings if f.rule == RULE)
    assert "from varchar(20) to enum type user_status" in finding.message
    assert rule_hits(report, "column-type-rewrite") == []


def test_enum_created_in_the_same_revision_as_the_conversion(review_history):
    body = '''
op.execute("CREATE TYPE user_status AS ENUM ('active', 'banned')")
op.execute("ALTER TABLE users ALTER COLUMN status TYPE user_status USING status::user_status")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ALTER TABLE"))]


def test_one_statement_converting_two_columns_keeps_both_findings(review_history):
    body = '''
op.execute("CREATE TYPE user_status AS ENUM ('active', 'banned')")
op.execute("ALTER TABLE users ALTER COLUMN status TYPE user_status USING status::user_status, "
           "ALTER COLUMN id TYPE bigint")
'''
    report = review_history(USERS_TABLE, body)
    line = body_line(body, "ALTER TABLE")
    assert rule_hits(report, RULE) == [("r2", line)]
    # The int4 -> int8 rewrite of the other column is still reported.
    assert rule_hits(report, "column-type-rewrite") == [("r2", line)]
    finding = next(f for f in report.findings if f.rule == "column-type-rewrite")
    assert "users.id" in finding.message


def test_recreating_the_enum_of_a_table_created_in_the_same_revision_is_fine(review_history):
    report = review_history(ORDERS + DANCE)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "column-type-rewrite") == []


def test_converting_a_column_to_a_type_not_known_as_enum_is_a_plain_type_change(review_history):
    # (ltree, not citext: varchar to citext is a relabelling that keeps the table, checked on PostgreSQL 15.)
    body = 'op.execute("ALTER TABLE users ALTER COLUMN status TYPE ltree USING status::ltree")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "column-type-rewrite") == [("r2", body_line(body, "op.execute"))]


def test_same_enum_type_again_is_a_no_op(review_history):
    body = 'op.execute("ALTER TABLE orders ALTER COLUMN status TYPE order_status")'
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == []


def test_adding_a_label_is_not_a_recreate(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("ALTER TYPE order_status ADD VALUE 'shipped'")
'''
    report = review_history(ORDERS, body)
    assert rule_hits(report, RULE) == []


def test_non_native_sa_enum_is_a_varchar_not_an_enum_type(review_history):
    body = '''
op.alter_column(
    "users",
    "status",
    type_=sa.Enum("active", "banned", name="user_status", native_enum=False),
    existing_type=sa.String(20),
)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
