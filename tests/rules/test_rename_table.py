from conftest import USERS_TABLE, body_line, rule_hits

RULE = "rename-table"


def test_rename_table_op(review_history):
    body = 'op.rename_table("users", "people")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "rename_table"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "users" in finding.message and "'people'" in finding.message
    assert "op.rename_table('users', 'people')" in finding.fix
    assert "CREATE VIEW users AS SELECT * FROM people" in finding.fix


def test_rename_table_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE users RENAME TO people")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_rename_table_in_another_schema_keeps_the_schema_in_the_fix(review_history):
    body = 'op.rename_table("events", "audit_events", schema="audit")'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "rename_table"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "schema='audit'" in finding.fix and "CREATE VIEW audit.events AS SELECT * FROM audit.audit_events" \
        in finding.fix


def test_rename_of_a_table_created_in_the_same_revision_is_fine(review_history):
    body = USERS_TABLE + '''
op.rename_table("users", "people")
op.execute("ALTER TABLE people RENAME TO persons")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_batch_recreate_internal_rename_is_not_reported(review_history):
    # recreate="always" ends with ALTER TABLE _alembic_tmp_users RENAME TO users: Alembic's own swap.
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("status", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_renaming_an_index_or_a_column_is_not_a_table_rename(review_history):
    body = '''
op.execute("ALTER INDEX ix_users_email RENAME TO ix_users_mail")
op.alter_column("users", "name", new_column_name="full_name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_old_name_kept_as_a_view_in_the_same_transaction_is_fine(review_history):
    body = '''
op.rename_table("users", "people")
op.execute("CREATE VIEW users AS SELECT * FROM people")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_view_under_another_name_does_not_count(review_history):
    body = '''
op.rename_table("users", "people")
op.execute("CREATE VIEW users_v AS SELECT * FROM people")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "rename_table"))]


def test_view_created_in_a_later_transaction_leaves_a_gap(review_history):
    body = '''
op.execute("ALTER TABLE users RENAME TO people")
op.execute("COMMIT")
op.execute("CREATE VIEW users AS SELECT * FROM people")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "RENAME TO"))]


def test_second_rename_of_a_table_renamed_in_the_same_revision(review_history):
    # Running code knows "users" only: the first rename breaks it, the second breaks nothing more.
    body = '''
op.rename_table("users", "accounts_tmp")
op.rename_table("accounts_tmp", "accounts")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"accounts_tmp")'))]


def test_rename_after_a_batch_copy_of_the_table_is_reported(review_history):
    # batch_alter_table(recreate="always") renames its copy to "users": the table keeps its history (and the
    # name running code uses), so renaming it afterwards breaks that code like any rename.
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("status", nullable=False)
op.rename_table("users", "accounts")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.rename_table"))]


def test_a_table_renamed_away_and_replaced_under_its_name_says_running_code_finds_the_new_table(review_history):
    body = '''
op.rename_table("users", "users_old")
op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.String(100)))
'''
    report = review_history(USERS_TABLE, body)
    [finding] = [f for f in report.findings if f.rule == "rename-table"]
    assert "running code keeps finding users, but it is the new table" in finding.message
    assert "relation does not exist" not in finding.message and "CREATE VIEW" not in (finding.fix or "")
