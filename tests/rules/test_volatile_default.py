from conftest import USERS_TABLE, body_line, rule_hits

RULE = "volatile-default"


def _finding(report):
    return next(f for f in report.findings if f.rule == RULE)


def test_volatile_default_op(review_history):
    body = ('op.add_column("users", sa.Column("public_id", postgresql.UUID(), '
            'server_default=sa.text("gen_random_uuid()"), nullable=False))')
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]
    assert "rewriting the whole table" in _finding(report).message


def test_volatile_default_raw_sql(review_history):
    body = '''
op.execute("ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp()")
op.execute("CREATE SEQUENCE users_n")
op.execute("ALTER TABLE users ADD COLUMN n bigint DEFAULT nextval('users_n')")
op.execute("ALTER TABLE users ADD COLUMN r float8 DEFAULT random()")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "clock_timestamp")),
                                       ("r2", body_line(body, "nextval")),
                                       ("r2", body_line(body, "random()"))]


def test_volatile_default_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.add_column(sa.Column("public_id", postgresql.UUID(), server_default=sa.text("gen_random_uuid()")))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.add_column"))]


def test_stable_and_constant_defaults_are_fine(review_history):
    # Checked on 15: DEFAULT now() keeps the table's relfilenode (no rewrite).
    body = '''
op.add_column("users", sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()))
op.add_column("users", sa.Column("score", sa.Integer(), nullable=False, server_default="0"))
op.execute("ALTER TABLE users ADD COLUMN seen timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_any_default_rewrites_before_11(review_history):
    body = '''
op.add_column("users", sa.Column("score", sa.Integer(), nullable=False, server_default="0"))
op.execute("ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now()")
op.execute("ALTER TABLE users ADD COLUMN note text DEFAULT NULL")
op.add_column("users", sa.Column("level", sa.Integer()))
'''
    report = review_history(USERS_TABLE, body, pg_version="10")
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"score"')),
                                       ("r2", body_line(body, "now()"))]
    assert "Before PostgreSQL 11" in _finding(report).fix
    report = review_history(USERS_TABLE, body, pg_version="11")
    assert rule_hits(report, RULE) == []


def test_table_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
op.add_column("users", sa.Column("public_id", postgresql.UUID(), server_default=sa.text("gen_random_uuid()")))
op.execute("ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp()")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []
    report = review_history(body, pg_version="10")
    assert rule_hits(report, RULE) == []


def test_setting_a_volatile_default_on_an_existing_column_is_fine(review_history):
    body = '''
op.add_column("users", sa.Column("public_id", postgresql.UUID(), nullable=True))
op.alter_column("users", "public_id", server_default=sa.text("gen_random_uuid()"))
op.execute("ALTER TABLE users ALTER COLUMN public_id SET DEFAULT gen_random_uuid()")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_serial_and_identity_columns_are_left_to_their_own_rule(review_history):
    body = '''
op.execute("ALTER TABLE users ADD COLUMN n bigserial")
op.add_column("users", sa.Column("seq", sa.Integer(), sa.Identity()))
op.execute("ALTER TABLE users ADD COLUMN g integer GENERATED ALWAYS AS (id * 2) STORED")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    report = review_history(USERS_TABLE, body, pg_version="10")
    assert rule_hits(report, RULE) == []


def test_stable_transaction_id_functions_are_not_volatile(review_history):
    body = 'op.execute("ALTER TABLE users ADD COLUMN created_xid bigint DEFAULT txid_current()")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, "volatile-default") == []
