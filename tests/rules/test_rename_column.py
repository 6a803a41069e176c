from conftest import USERS_TABLE, body_line, review_deployed_together, rule_hits

RULE = "rename-column"


def test_rename_column_op(review_history):
    body = 'op.alter_column("users", "name", new_column_name="full_name")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "'name'" in finding.message and "'full_name'" in finding.message


def test_rename_column_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE users RENAME COLUMN name TO full_name")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_rename_column_raw_sql_without_column_keyword(review_history):
    body = 'op.execute("ALTER TABLE IF EXISTS users RENAME name TO full_name")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_rename_with_type_change_is_reported_once(review_history):
    body = '''
op.alter_column(
    "users",
    "name",
    new_column_name="full_name",
    type_=sa.String(100),
)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.alter_column("))]


def test_rename_column_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.alter_column("name", new_column_name="full_name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.alter_column"))]


def test_rename_column_in_batch_recreate_points_at_the_batch(review_history):
    # recreate="always" emits no RENAME: the copy puts the old values under the new name, same breakage.
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("name", new_column_name="full_name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_alter_table"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "'name'" in finding.message and "'full_name'" in finding.message


def test_batch_recreate_without_a_rename_is_not_reported(review_history):
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("status", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_batch_recreate_rename_on_a_new_table_is_fine(review_history):
    body = USERS_TABLE + '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("name", new_column_name="full_name")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_rename_on_a_table_unknown_to_the_model_is_reported(review_history):
    body = 'op.alter_column("legacy_events", "ts", new_column_name="created_at")'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "alter_column"))]


def test_rename_on_a_table_created_in_the_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
op.alter_column("users", "name", new_column_name="full_name")
op.execute("ALTER TABLE users RENAME COLUMN status TO state")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_alter_column_without_rename_is_not_reported(review_history):
    body = 'op.alter_column("users", "name", nullable=True, existing_type=sa.String(50))'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_renaming_a_table_or_index_is_not_a_column_rename(review_history):
    body = '''
op.execute("ALTER INDEX ix_users_email RENAME TO ix_users_mail")
op.rename_table("users", "people")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_column_added_earlier_in_the_same_revision_is_fine(review_history):
    body = '''
op.add_column("users", sa.Column("display", sa.String(50), nullable=True))
op.execute("UPDATE users SET display = name")
op.alter_column("users", "display", new_column_name="display_name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_column_added_by_an_earlier_deploy_is_in_use(review_history):
    add = 'op.add_column("users", sa.Column("display", sa.String(50), nullable=True))'
    rename = 'op.alter_column("users", "display", new_column_name="display_name")'
    report = review_history(USERS_TABLE, add, rename)
    assert rule_hits(report, RULE) == [("r3", body_line(rename, "alter_column"))]


def test_second_rename_of_a_column_renamed_in_the_same_revision(review_history):
    body = '''
op.alter_column("users", "name", new_column_name="name_tmp")
op.alter_column("users", "name_tmp", new_column_name="full_name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"name_tmp")'))]


def test_rename_away_and_re_add_under_the_old_name_is_a_swap(review_history):
    body = '''
op.alter_column("users", "status", new_column_name="status_old")
op.add_column("users", sa.Column("status", sa.String(40), nullable=True))
op.execute("UPDATE users SET status = status_old")
'''
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == []


def test_rename_away_with_the_old_name_re_added_only_in_the_next_revision_breaks_code(review_history):
    body = 'op.alter_column("users", "status", new_column_name="status_old")'
    report = review_history(USERS_TABLE, body, 'op.add_column("users", sa.Column("status", sa.String(40)))')
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]


# -- a table renamed by the same deploy -------------------------------------------------------------------------
def test_column_of_a_table_renamed_earlier_in_the_revision_is_not_reported(review_history):
    # Running code queries "users" and fails on the table rename (reported by rename-table); nothing that runs
    # knows "accounts", under any column name.
    body = '''
op.rename_table("users", "accounts")
op.execute("ALTER INDEX users_pkey RENAME TO accounts_pkey")
op.alter_column("accounts", "name", new_column_name="display_name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "rename-table") == [("r2", body_line(body, "rename_table"))]


def test_column_renamed_before_its_table_in_the_same_transaction_is_not_reported(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.alter_column("name", new_column_name="display_name")
op.rename_table("users", "accounts")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "rename-table") == [("r2", body_line(body, "rename_table"))]


def test_table_renamed_by_an_earlier_revision_of_the_same_deploy(tmp_path):
    report = review_deployed_together(tmp_path, [
        USERS_TABLE,
        'op.rename_table("users", "accounts")',
        'op.alter_column("accounts", "name", new_column_name="display_name")',
    ], together=[2, 3])
    assert rule_hits(report, RULE) == []


def test_table_renamed_by_an_earlier_deploy_is_known_by_its_new_name(review_history):
    report = review_history(USERS_TABLE, 'op.rename_table("users", "accounts")',
                            'op.alter_column("accounts", "name", new_column_name="display_name")')
    assert rule_hits(report, RULE) == [("r3", body_line('op.alter_column("accounts"', "alter_column"))]


def test_old_table_name_kept_as_a_view_still_breaks_on_the_column(review_history):
    # Running code keeps working through the view "users", which shows the column under its new name.
    body = '''
op.rename_table("users", "accounts")
op.alter_column("accounts", "name", new_column_name="display_name")
op.execute("CREATE VIEW users AS SELECT * FROM accounts")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]


def test_rename_after_a_batch_copy_of_the_table_is_reported(review_history):
    # The copy-and-swap renames its temporary table to "users": not a rename of "users" itself.
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("status", nullable=False)
op.alter_column("users", "name", new_column_name="full_name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, 'op.alter_column("users"'))]
