from conftest import USERS_TABLE, body_line, rule_hits

RULE = "unique-constraint-builds-index"

# A table with data and no primary key yet.
EVENTS_TABLE = '''
op.create_table(
    "events",
    sa.Column("id", sa.BigInteger(), nullable=False),
    sa.Column("kind", sa.String(20), nullable=True),
)
'''


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_create_unique_constraint_op(review_history):
    body = 'op.create_unique_constraint("uq_users_email", "users", ["email"])'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_unique_constraint"))]
    [finding] = _findings(report)
    assert "uq_users_email" in finding.message and "ACCESS EXCLUSIVE" in finding.message
    assert "UNIQUE USING INDEX" in finding.fix


def test_add_constraint_unique_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE (email)")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_create_primary_key_op(review_history):
    body = 'op.create_primary_key("pk_events", "events", ["id"])'
    report = review_history(EVENTS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_primary_key"))]
    [finding] = _findings(report)
    assert "PRIMARY KEY pk_events" in finding.message
    assert "PRIMARY KEY USING INDEX" in finding.fix
    # id is NOT NULL already: the index build is the only scan, and the recipe needs no NOT NULL step.
    assert "NULLs" not in finding.message and "NOT NULL first" not in finding.fix


def test_primary_key_on_a_nullable_column_scans_for_nulls_too(review_history):
    body = 'op.create_primary_key("pk_events", "events", ["id", "kind"])'
    report = review_history(EVENTS_TABLE, body)
    [finding] = _findings(report)
    assert "scans the columns for NULLs" in finding.message
    assert finding.fix.startswith("Make the columns NOT NULL first")


def test_primary_key_on_a_column_of_unknown_nullability_says_the_null_scan_is_conditional(review_history):
    # A table the history never created (or a column application code added): whether a NULL scan comes first
    # is not known, and the message says so instead of claiming one.
    body = 'op.create_primary_key("pk_legacy", "legacy_events", ["id"])'
    [finding] = _findings(review_history(body))
    assert "first scans the columns for NULLs if any of them may hold NULL" in finding.message
    assert finding.fix.startswith("Make the columns NOT NULL first")


def test_columns_of_a_dropped_primary_key_stay_not_null(review_history):
    # PostgreSQL keeps attnotnull when the primary key goes (checked on 15): re-keying the table under a new
    # constraint name scans nothing for NULLs. The key made its column NOT NULL, nothing else did.
    specs = '''
op.create_table(
    "specs",
    sa.Column("id", sa.String(36)),
    sa.Column("name", sa.String(50)),
    sa.PrimaryKeyConstraint("id", name="pk_spec"),
)
'''
    body = '''
with op.batch_alter_table("specs") as batch_op:
    batch_op.drop_constraint("pk_spec", type_="primary")
    batch_op.create_primary_key("pk_specs", ["id"])
'''
    report = review_history(specs, body)
    [finding] = _findings(report)
    assert finding.line == body_line(body, "create_primary_key")
    assert "NULLs" not in finding.message and "NOT NULL first" not in finding.fix


def test_columns_made_not_null_earlier_in_the_revision(review_history):
    # A wider key over a column set NOT NULL and a column added NOT NULL with a default, just before.
    body = '''
with op.batch_alter_table("events") as batch_op:
    batch_op.alter_column("kind", existing_type=sa.String(20), nullable=False)
    batch_op.add_column(sa.Column("shard", sa.Integer(), nullable=False, server_default="0"))
    batch_op.create_primary_key("pk_events", ["id", "kind", "shard"])
'''
    report = review_history(EVENTS_TABLE, body)
    [finding] = _findings(report)
    assert "NULLs" not in finding.message and "NOT NULL first" not in finding.fix


def test_add_primary_key_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE events ADD PRIMARY KEY (id)")'
    report = review_history(EVENTS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_add_column_unique_op(review_history):
    # Alembic emits ADD COLUMN, then a separate ALTER TABLE users ADD UNIQUE (code).
    body = 'op.add_column("users", sa.Column("code", sa.String(10), unique=True))'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]
    assert _findings(report)[0].sql == "ALTER TABLE users ADD UNIQUE (code)"


def test_add_column_with_inline_unique_or_primary_key_raw_sql(review_history):
    body = '''
op.execute("ALTER TABLE users ADD COLUMN code varchar(10) UNIQUE")
op.execute("ALTER TABLE events ADD COLUMN uid uuid PRIMARY KEY")
'''
    report = review_history(USERS_TABLE + EVENTS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "code varchar")),
                                       ("r2", body_line(body, "uid uuid"))]


def test_create_unique_constraint_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.create_unique_constraint("uq_users_email", ["email"])
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.create_unique_constraint"))]


def test_table_unknown_to_the_model_is_existing(review_history):
    body = 'op.create_unique_constraint("uq_orders_ref", "orders", ["ref"])'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "create_unique_constraint"))]


def test_table_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + EVENTS_TABLE + '''
op.create_unique_constraint("uq_users_email", "users", ["email"])
op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_name UNIQUE (name)")
op.create_primary_key("pk_events", "events", ["id"])
op.add_column("users", sa.Column("code", sa.String(10), unique=True))
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_using_index_is_the_safe_way(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.create_index("uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True)
    op.create_index("pk_events", "events", ["id"], unique=True, postgresql_concurrently=True)
op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")
op.execute("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY USING INDEX pk_events")
'''
    report = review_history(USERS_TABLE + EVENTS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "index-not-concurrent") == []
    assert rule_hits(report, "concurrent-index-in-transaction") == []


def test_other_constraints_are_not_this_rule(review_history):
    body = '''
op.create_check_constraint("ck_users_email", "users", "email <> ''")
op.execute("ALTER TABLE users ADD CONSTRAINT fk_users_self FOREIGN KEY (id) REFERENCES users (id) NOT VALID")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_batch_recreate_is_left_to_the_copy(review_history):
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.create_unique_constraint("uq_users_email", ["email"])
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
