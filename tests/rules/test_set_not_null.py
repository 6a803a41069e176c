from conftest import USERS_TABLE, body_line, rule_hits

RULE = "set-not-null"

NOT_VALID_CHECK = ('op.create_check_constraint("ck_name_nn", "users", "name IS NOT NULL", '
                   'postgresql_not_valid=True)')
VALIDATE = 'op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_name_nn")'


def _finding(report):
    return next(f for f in report.findings if f.rule == RULE)


def test_set_not_null_op(review_history):
    body = 'op.alter_column("users", "name", existing_type=sa.String(50), nullable=False)'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]
    assert "ACCESS EXCLUSIVE" in _finding(report).message


def test_set_not_null_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE users ALTER COLUMN name SET NOT NULL")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_set_not_null_in_batch_block_points_at_batch_call(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.alter_column("status", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.alter_column"))]


def test_several_columns_in_one_statement_give_one_finding(review_history):
    body = 'op.execute("ALTER TABLE users ALTER COLUMN name SET NOT NULL, ALTER COLUMN status SET NOT NULL")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    message = _finding(report).message
    assert "'name'" in message and "'status'" in message


def test_column_added_nullable_in_this_revision_still_scans(review_history):
    body = '''
op.add_column("users", sa.Column("score", sa.Integer(), nullable=True))
op.execute("UPDATE users SET score = 0")
op.alter_column("users", "score", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]


def test_column_already_not_null_is_fine(review_history):
    # PostgreSQL does nothing for a column that is already NOT NULL (checked on 15: no scan).
    body = '''
op.alter_column("users", "email", existing_type=sa.String(100), nullable=False)
op.execute("ALTER TABLE users ALTER COLUMN id SET NOT NULL")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_table_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
op.alter_column("users", "name", nullable=False)
op.execute("ALTER TABLE users ALTER COLUMN status SET NOT NULL")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_validated_check_from_earlier_revisions_spares_the_scan(review_history):
    body = 'op.alter_column("users", "name", nullable=False)'
    report = review_history(USERS_TABLE, NOT_VALID_CHECK, VALIDATE, body)
    assert rule_hits(report, RULE) == []


def test_validated_check_does_not_help_before_12(review_history):
    body = 'op.alter_column("users", "name", nullable=False)'
    report = review_history(USERS_TABLE, NOT_VALID_CHECK, VALIDATE, body, pg_version="11")
    assert rule_hits(report, RULE) == [("r4", body_line(body, "alter_column"))]
    assert "PostgreSQL 12" in _finding(report).fix


def test_check_validated_earlier_in_the_same_transaction_spares_the_scan(review_history):
    # Checked on 15: SET NOT NULL skips the scan after a VALIDATE earlier in the same transaction. The VALIDATE
    # itself scans under the ADD's lock: that is constraint-without-not-valid's finding, not this rule's.
    body = f'''
{NOT_VALID_CHECK}
{VALIDATE}
op.alter_column("users", "name", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "constraint-without-not-valid") == [("r2", body_line(body, "VALIDATE"))]


def test_check_validated_in_autocommit_block_of_same_revision_spares_the_scan(review_history):
    body = f'''
{NOT_VALID_CHECK}
with op.get_context().autocommit_block():
    {VALIDATE}
op.alter_column("users", "name", nullable=False)
op.drop_constraint("ck_name_nn", "users", type_="check")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "constraint-without-not-valid") == []


def test_not_valid_check_alone_does_not_help(review_history):
    body = f'''
{NOT_VALID_CHECK}
op.alter_column("users", "name", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]
    finding = _finding(report)
    assert "NOT VALID" in finding.message
    assert "VALIDATE CONSTRAINT ck_name_nn" in finding.fix


def test_check_on_another_column_does_not_help(review_history):
    check = 'op.create_check_constraint("ck_status_nn", "users", "status IS NOT NULL")'
    body = 'op.execute("ALTER TABLE users ALTER COLUMN name SET NOT NULL")'
    report = review_history(USERS_TABLE, check, body)
    assert rule_hits(report, RULE) == [("r3", body_line(body, "op.execute"))]


def test_dropping_not_null_is_not_reported(review_history):
    body = 'op.alter_column("users", "email", existing_type=sa.String(100), nullable=True)'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_column_of_a_table_level_primary_key_is_already_not_null(review_history):
    create = 'op.execute("CREATE TABLE accounts (id integer, name text, PRIMARY KEY (id))")'
    report = review_history(create, 'op.alter_column("accounts", "id", nullable=False)')
    assert rule_hits(report, "set-not-null") == []
