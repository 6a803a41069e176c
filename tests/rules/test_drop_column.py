from conftest import USERS_TABLE, body_line, rule_hits

RULE = "drop-column"


def test_drop_column_op_on_existing_table(review_history):
    body = 'op.drop_column("users", "name")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]


def test_drop_column_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE users DROP COLUMN name")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_drop_column_in_batch_block_points_at_batch_call(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.add_column(sa.Column("nickname", sa.String(30)))  # not varchar(50): that would be a hidden rename
    batch_op.drop_column(
        "name"
    )
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.drop_column"))]


def test_drop_column_of_table_created_in_same_revision_is_fine(review_history):
    body = USERS_TABLE + '\nop.drop_column("users", "name")'
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_adding_a_column_is_not_a_drop(review_history):
    report = review_history(USERS_TABLE, 'op.add_column("users", sa.Column("age", sa.Integer()))')
    assert rule_hits(report, RULE) == []


def test_drop_column_superseded_by_hidden_rename(review_history):
    # Dropping "name" while adding "full_name" of the same type is reported once, as hidden-rename.
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "hidden-rename") == [("r2", body_line(body, "drop_column"))]


def test_drop_column_not_superseded_when_the_added_column_differs(review_history):
    body = '''
op.add_column("users", sa.Column("age", sa.Integer(), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]
    assert rule_hits(report, "hidden-rename") == []


def test_column_added_earlier_in_the_same_revision_is_fine(review_history):
    # A scratch column for a data migration: no running code has ever seen it.
    body = '''
op.add_column("users", sa.Column("email_lower", sa.String(100), nullable=True))
op.execute("UPDATE users SET email_lower = lower(email)")
op.execute("UPDATE users SET email = email_lower")
op.drop_column("users", "email_lower")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_column_added_and_renamed_in_the_revision_then_dropped_is_fine(review_history):
    body = '''
op.add_column("users", sa.Column("tmp_flag", sa.Boolean(), nullable=True))
op.alter_column("users", "tmp_flag", new_column_name="scratch_flag")
op.execute("ALTER TABLE users DROP COLUMN scratch_flag")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_column_added_by_an_earlier_deploy_is_in_use(review_history):
    add = 'op.add_column("users", sa.Column("nickname", sa.Boolean(), nullable=True))'
    drop = 'op.drop_column("users", "nickname")'
    report = review_history(USERS_TABLE, add, drop)
    assert rule_hits(report, RULE) == [("r3", body_line(drop, "drop_column"))]


def test_column_renamed_earlier_in_the_revision_and_its_name_re_added_is_a_swap(review_history):
    # The swap: old values move to a scratch name, a new column takes the old name, the scratch one goes. At
    # commit a column "status" exists again: running code never meets "column does not exist", so neither the
    # drop of the scratch column nor the rename is reported.
    body = '''
op.alter_column("users", "status", new_column_name="status_text")
op.add_column("users", sa.Column("status", sa.Integer(), nullable=True))
op.execute("UPDATE users SET status = length(status_text)")
op.drop_column("users", "status_text")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "rename-column") == []


# -- a swap inside one revision: the name exists again at commit ----------------------------------------------------
def test_drop_then_renaming_the_filled_copy_back_is_a_swap(review_history):
    body = '''
op.add_column("users", sa.Column("email_new", sa.String(200), nullable=True))
op.execute("UPDATE users SET email_new = email")
op.drop_column("users", "email")
op.alter_column("users", "email_new", new_column_name="email")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "rename-column") == []  # email_new was added in this revision too


def test_drop_then_adding_a_new_empty_column_of_the_name_still_loses_the_values(review_history):
    body = '''
op.drop_column("users", "email")
op.add_column("users", sa.Column("email", sa.Text(), nullable=True))
'''
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == [("r2", body_line(body, "drop_column"))]


def test_a_swap_in_autocommit_is_seen_half_done(review_history):
    # Outside a transaction every statement commits on its own: running code meets the missing column.
    body = '''
op.add_column("users", sa.Column("email_new", sa.String(200), nullable=True))
with op.get_context().autocommit_block():
    op.drop_column("users", "email")
    op.alter_column("users", "email_new", new_column_name="email")
'''
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == [("r2", body_line(body, "drop_column"))]


def test_drop_column_if_exists_of_a_column_no_revision_made(review_history):
    # A clean-up for databases made by an older version of a revision: in a database this history builds the
    # column is not there, IF EXISTS drops nothing, and no code of this history used it. Without IF EXISTS, or
    # when an earlier revision that names the table could not be followed, it still counts.
    body = 'op.execute("ALTER TABLE users DROP COLUMN IF EXISTS deleted_at")'
    assert rule_hits(review_history(USERS_TABLE, body), "drop-column") == []
    plain = 'op.execute("ALTER TABLE users DROP COLUMN deleted_at")'
    assert rule_hits(review_history(USERS_TABLE, plain), "drop-column") == [("r2", body_line(plain, "DROP COLUMN"))]
    unfollowed = 'op.execute("ALTER TABLE users ADD COLUMN deleted_at timestamptz GARBLED(")'
    assert rule_hits(review_history(USERS_TABLE, unfollowed, body), "drop-column") == [
        ("r3", body_line(body, "DROP COLUMN"))]
    # Application code that ran as a stand-in (its module is not installed) may have added it.
    stand_in = "import myapp_not_installed.schema_helpers as helpers\nhelpers.add_audit_columns(op, 'users')"
    assert rule_hits(review_history(USERS_TABLE, stand_in, body), "drop-column") == [
        ("r3", body_line(body, "DROP COLUMN"))]


def test_a_column_dropped_and_added_again_loses_its_values_not_its_name(review_history):
    # A type change written as drop + add: at commit running code finds the column, so the finding says what
    # is lost (every value), not that code breaks. Outside a transaction the gap is visible: the usual finding.
    body = """
with op.batch_alter_table("users") as batch:
    batch.drop_column("status")
    batch.add_column(sa.Column("status", sa.Numeric(), nullable=True))
"""
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]
    [finding] = [f for f in report.findings if f.rule == "drop-column"]
    assert "adds it again in the same transaction" in finding.message
    assert "every value stored in it is lost" in finding.message and "fails until" not in finding.message
    apart = "with op.get_context().autocommit_block():\n" + "\n".join("    " + line for line in body.splitlines())
    [finding] = [f for f in review_history(USERS_TABLE, apart).findings if f.rule == "drop-column"]
    assert "fails until the new release is deployed" in finding.message
