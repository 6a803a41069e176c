import pytest

from pathlib import Path

from conftest import USERS_TABLE, body_line, revision_source, rule_hits

from migsafe.engine import ReviewOptions, review
from migsafe.rules.hidden_rename import same_type
from migsafe.sql.actions import SqlType

RULE = "hidden-rename"

# What autogenerate writes when the model attribute ``name`` becomes ``full_name``.
COLUMN_RENAME = '''
op.add_column("users", sa.Column("full_name", sa.String(length=50), nullable=True))
op.drop_column("users", "name")
'''

# What autogenerate writes when the ``users`` table becomes ``people``.
TABLE_RENAME = '''
op.create_table(
    "people",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("email", sa.String(length=100), nullable=False),
    sa.Column("name", sa.String(length=50), nullable=True),
    sa.Column("status", sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint("id"),
)
op.drop_table("users")
'''


def review_alone(tmp_path: Path, body: str, downgrade: str = "pass"):
    """Review one revision file whose parent is not there: the schema model knows nothing about its tables."""
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "005_r5.py"
    path.write_text(revision_source(body, "r5", "r4", downgrade=downgrade), encoding="utf-8")
    return review(ReviewOptions(paths=[path], cwd=tmp_path))


def review_after_users(tmp_path: Path, body: str, downgrade: str):
    """r1 creates users, r2 runs ``body`` with its own ``downgrade()``."""
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "001_r1.py").write_text(revision_source(USERS_TABLE, "r1", None), encoding="utf-8")
    (versions / "002_r2.py").write_text(revision_source(body, "r2", "r1", downgrade=downgrade), encoding="utf-8")
    return review(ReviewOptions(paths=[versions], cwd=tmp_path))


# -- columns ---------------------------------------------------------------------------------------------------
def test_column_dropped_and_same_type_added_is_a_hidden_rename(review_history):
    report = review_history(USERS_TABLE, COLUMN_RENAME)
    assert rule_hits(report, RULE) == [("r2", body_line(COLUMN_RENAME, "drop_column"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "'name'" in finding.message and "'full_name'" in finding.message and "varchar(50)" in finding.message
    # The message says what the evidence was.
    assert "the only varchar(50) column dropped or added on users" in finding.message
    assert "nothing in the revision copies 'name' into 'full_name'" in finding.message
    assert 'op.alter_column(\'users\', \'name\', new_column_name=\'full_name\')' in finding.fix


def test_unrelated_names_are_a_hedged_warning(review_history):
    # Same type and position, but the names share nothing: as often a new field replacing an unrelated one.
    body = '''
op.add_column("users", sa.Column("task_type", sa.String(length=50), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert finding.severity == "warning" and "the names share nothing" in finding.message
    assert "if they are unrelated, this is a plain drop" in finding.message
    [related] = [f for f in review_history(USERS_TABLE, COLUMN_RENAME).findings if f.rule == RULE]
    assert related.severity == "error" and "the names share 'name'" in related.message


def test_a_revision_that_renames_columns_itself_means_its_drops(review_history):
    # Autogenerate never writes alter_column(new_column_name=...): an author who renamed one column the right way
    # and dropped another beside an added one of its type meant the drop. drop-column reports it.
    body = COLUMN_RENAME + 'op.alter_column("users", "email", new_column_name="email_address")\n'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_a_column_of_another_type_related_by_name_makes_it_a_redesign(review_history):
    # icon_shape (integer) and icon_color (varchar) folded into icon_name: the varchar pair alone looks like a
    # rename, but icon_shape is as much its source. And the reverse: one column split into two related ones.
    folded = '''
op.add_column("users", sa.Column("icon_name", sa.String(length=50), nullable=True))
op.drop_column("users", "icon_shape")
op.drop_column("users", "icon_color")
'''
    first = USERS_TABLE + '''
op.add_column("users", sa.Column("icon_shape", sa.Integer(), nullable=True))
op.add_column("users", sa.Column("icon_color", sa.String(length=50), nullable=True))
'''
    assert rule_hits(review_history(first, folded), RULE) == []
    split = '''
op.add_column("users", sa.Column("name_first", sa.String(length=50), nullable=True))
op.add_column("users", sa.Column("name_parts", sa.Integer(), nullable=True))
op.drop_column("users", "name")
'''
    assert rule_hits(review_history(USERS_TABLE, split), RULE) == []
    alone = split.replace('op.add_column("users", sa.Column("name_parts", sa.Integer(), nullable=True))\n', "")
    assert rule_hits(review_history(USERS_TABLE, alone), RULE) == [("r2", body_line(alone, "drop_column"))]


def test_hidden_rename_replaces_the_drop_column_finding(review_history):
    report = review_history(USERS_TABLE, COLUMN_RENAME)
    assert rule_hits(report, "drop-column") == []


def test_column_hidden_rename_raw_sql(review_history):
    body = '''
op.execute("ALTER TABLE users DROP COLUMN name")
op.execute("ALTER TABLE users ADD COLUMN full_name varchar(50)")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DROP COLUMN"))]
    assert rule_hits(report, "drop-column") == []


def test_drop_then_add_in_one_alter_table_statement(review_history):
    body = 'op.execute("ALTER TABLE users DROP COLUMN name, ADD COLUMN full_name character varying(50)")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_column_hidden_rename_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.add_column(sa.Column("full_name", sa.String(50)))
    batch_op.drop_column("name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.drop_column"))]


def test_different_types_are_not_a_rename(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.Text(), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_different_length_is_not_the_same_type(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(100), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_column_added_to_another_table_is_not_a_rename(review_history):
    accounts = 'op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True))'
    body = '''
op.add_column("accounts", sa.Column("full_name", sa.String(50), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE + "\n" + accounts, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_same_name_re_added_with_new_type_is_left_to_drop_column(review_history):
    # A type change written as drop + add loses the data too, but it is not a rename: drop-column reports it.
    body = '''
op.drop_column("users", "status")
op.add_column("users", sa.Column("status", sa.Integer(), nullable=True))
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_drop_and_add_on_a_table_created_in_the_same_revision_is_fine(review_history):
    report = review_history(USERS_TABLE + COLUMN_RENAME)
    assert rule_hits(report, RULE) == []


def test_one_column_dropped_for_two_of_its_type_is_a_redesign(review_history):
    # One timestamp replaced by two (a status timestamp split into two milestones): no single partner to
    # rename to, so only drop-column. (The old rule named both and called it a rename.)
    table = 'op.create_table("cases", sa.Column("id", sa.Integer(), primary_key=True), ' \
            'sa.Column("stable_at", sa.DateTime()))'
    body = '''
op.add_column("cases", sa.Column("triaged_at", sa.DateTime(), nullable=True))
op.add_column("cases", sa.Column("escalated_at", sa.DateTime(), nullable=True))
op.drop_column("cases", "stable_at")
'''
    report = review_history(table, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_two_columns_folded_into_one_of_their_type_is_a_redesign(review_history):
    # Two integer keys replaced by one key into a new link table: a redesign, not two renames.
    tables = '''
op.create_table("grants", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("client_id", sa.Integer()), sa.Column("owner_id", sa.Integer()))
'''
    body = '''
op.add_column("grants", sa.Column("link_id", sa.Integer(), nullable=True))
op.drop_column("grants", "client_id")
op.drop_column("grants", "owner_id")
'''
    report = review_history(tables, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, '"client_id"')),
                                                ("r2", body_line(body, '"owner_id"'))]


def test_a_dropped_column_of_unknown_type_may_be_the_partner(review_history):
    # "legacy" was never created by a revision, so its type is unknown: it may be the varchar(50) that became
    # full_name as much as "name" may. Two possible partners: no evidence of a rename.
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.drop_column("users", "name")
op.drop_column("users", "legacy")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert ("r2", body_line(body, '"name"')) in rule_hits(report, "drop-column")


def test_an_added_column_of_a_type_from_an_uninstalled_module_may_be_the_partner(review_history):
    # Its SQL type is unknown (migsafe renders a stand-in): it may be the varchar(50) that "name" became as much
    # as full_name may. Two possible partners: no evidence of a rename.
    body = '''
import sqlalchemy_utils_absent
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.add_column("users", sa.Column("display", sqlalchemy_utils_absent.LabelType(), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert ("r2", body_line(body, '"name"')) in rule_hits(report, "drop-column")


def test_other_types_dropped_and_added_beside_the_pair_do_not_matter(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.add_column("users", sa.Column("visits", sa.Integer(), nullable=True))
op.drop_column("users", "name")
op.drop_column("users", "status")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, '"name"'))]
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, '"status"'))]


# -- evidence that the revision handles the values -------------------------------------------------------------
def test_update_copying_the_old_column_into_the_new_one_keeps_the_data(review_history):
    # Only some rows are copied; the author decided which: not an accident of autogenerate.
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.execute("UPDATE users SET full_name = name WHERE name <> email")
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_update_filling_the_new_column_with_a_constant_is_a_deliberate_choice(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.execute("UPDATE users SET full_name = 'unknown' WHERE full_name IS NULL")
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_values_moved_to_another_table_with_insert_select_are_kept(review_history):
    body = '''
op.create_table("profiles", sa.Column("user_id", sa.Integer()), sa.Column("name", sa.String(50)))
op.execute("INSERT INTO profiles (user_id, name) SELECT id, name FROM users")
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_orm_loop_reading_the_old_column_keeps_the_data(review_history):
    # Offline, the SELECT returns no rows, so the per-row UPDATEs are never seen: reading the column is the
    # evidence that the values are carried across.
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String),
                 sa.column("full_name", sa.String))
bind = op.get_bind()
for row in bind.execute(sa.select(users.c.id, users.c.name)):
    bind.execute(users.update().where(users.c.id == row.id).values(full_name=row.name.title()))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_copy_inside_a_do_block_keeps_the_data(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.execute("DO $$ BEGIN UPDATE users SET full_name = initcap(name); END $$")
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_update_of_another_column_is_no_evidence(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]


def test_truncated_table_has_no_values_to_lose(review_history):
    body = '''
op.execute("TRUNCATE users")
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_truncate_cascade_of_a_referenced_table_empties_this_one(review_history):
    # TRUNCATE ... CASCADE empties every table whose foreign keys reference the truncated one.
    tables = '''
op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True))
op.create_table("members", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id")),
                sa.Column("handle", sa.String(40)))
'''
    body = '''
op.execute("TRUNCATE accounts CASCADE")
op.add_column("members", sa.Column("username", sa.String(40), nullable=True))
op.drop_column("members", "handle")
'''
    report = review_history(tables, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_delete_without_where_empties_the_table(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.execute("DELETE FROM users")
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_delete_of_some_rows_leaves_the_others_to_lose(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.execute("DELETE FROM users WHERE status = 'deleted'")
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]


def test_autogenerate_downgrade_signature_is_named_in_the_message(tmp_path):
    downgrade = '''
op.add_column("users", sa.Column("name", sa.VARCHAR(length=50), autoincrement=False, nullable=True))
op.drop_column("users", "full_name")
'''
    report = review_after_users(tmp_path, COLUMN_RENAME, downgrade)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "downgrade() re-adds 'name' as varchar(50) and drops 'full_name'" in finding.message


def test_no_signature_claimed_when_downgrade_does_not_drop_the_new_column(tmp_path):
    downgrade = '''
op.add_column("users", sa.Column("name", sa.VARCHAR(length=50), autoincrement=False, nullable=True))
'''
    report = review_after_users(tmp_path, COLUMN_RENAME, downgrade)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "downgrade()" not in finding.message


def test_column_type_unknown_to_the_model_and_no_downgrade_is_no_evidence(tmp_path):
    report = review_alone(tmp_path, COLUMN_RENAME)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r5", body_line(COLUMN_RENAME, "drop_column"))]


def test_file_alone_uses_the_autogenerated_downgrade_as_evidence(tmp_path):
    # Autogenerate's downgrade re-adds the dropped column with its reflected type: sa.VARCHAR(length=50)
    # is the same type as the upgrade's sa.String(length=50).
    downgrade = '''
op.add_column("users", sa.Column("name", sa.VARCHAR(length=50), autoincrement=False, nullable=True))
op.drop_column("users", "full_name")
'''
    report = review_alone(tmp_path, COLUMN_RENAME, downgrade)
    assert rule_hits(report, RULE) == [("r5", body_line(COLUMN_RENAME, "drop_column"))]
    assert rule_hits(report, "drop-column") == []


def test_file_alone_with_real_autogenerate_output_of_several_types(tmp_path):
    # Captured from `alembic revision --autogenerate` against PostgreSQL 15 after renaming four columns.
    upgrade = '''
op.add_column("users", sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
op.add_column("users", sa.Column("total", sa.Numeric(precision=10, scale=2), nullable=True))
op.add_column("users", sa.Column("state", sa.Enum("a", "b", name="status_kind"), nullable=True))
op.add_column("users", sa.Column("points", sa.Float(), nullable=True))
op.drop_column("users", "score")
op.drop_column("users", "created")
op.drop_column("users", "amount")
op.drop_column("users", "status")
'''
    downgrade = '''
op.add_column("users", sa.Column("status", postgresql.ENUM("a", "b", name="status_kind"), autoincrement=False,
                                 nullable=True))
op.add_column("users", sa.Column("amount", sa.NUMERIC(precision=10, scale=2), autoincrement=False, nullable=True))
op.add_column("users", sa.Column("created", postgresql.TIMESTAMP(timezone=True), autoincrement=False, nullable=True))
op.add_column("users", sa.Column("score", sa.DOUBLE_PRECISION(precision=53), autoincrement=False, nullable=True))
op.drop_column("users", "points")
op.drop_column("users", "state")
op.drop_column("users", "total")
op.drop_column("users", "created_at")
'''
    report = review_alone(tmp_path, upgrade, downgrade)
    assert rule_hits(report, RULE) == [
        ("r5", body_line(upgrade, '"score"')),
        ("r5", body_line(upgrade, '"created")')),
        ("r5", body_line(upgrade, '"amount"')),
        ("r5", body_line(upgrade, '"status")')),
    ]
    assert rule_hits(report, "drop-column") == []


def test_file_alone_downgrade_with_a_different_type_is_not_a_rename(tmp_path):
    downgrade = 'op.add_column("users", sa.Column("name", sa.TEXT(), autoincrement=False, nullable=True))'
    report = review_alone(tmp_path, COLUMN_RENAME, downgrade)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r5", body_line(COLUMN_RENAME, "drop_column"))]


# -- tables ----------------------------------------------------------------------------------------------------
def test_table_dropped_and_same_columns_created_is_a_hidden_rename(review_history):
    report = review_history(USERS_TABLE, TABLE_RENAME)
    assert rule_hits(report, RULE) == [("r2", body_line(TABLE_RENAME, "drop_table"))]
    assert rule_hits(report, "drop-table") == []
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "op.rename_table('users', 'people')" in finding.fix


def test_table_rename_message_says_the_evidence_and_the_downgrade_signature(tmp_path):
    downgrade = '''
op.create_table("users",
sa.Column("id", sa.INTEGER(), autoincrement=True, nullable=False),
sa.Column("email", sa.VARCHAR(length=100), autoincrement=False, nullable=False),
sa.Column("name", sa.VARCHAR(length=50), autoincrement=False, nullable=True),
sa.Column("status", sa.VARCHAR(length=20), autoincrement=False, nullable=True),
sa.PrimaryKeyConstraint("id", name="users_pkey")
)
op.drop_table("people")
'''
    report = review_after_users(tmp_path, TABLE_RENAME, downgrade)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "nothing in the revision copies the rows of users into people" in finding.message
    assert "downgrade() re-creates users and drops people" in finding.message


def test_two_new_tables_with_the_columns_of_the_dropped_one_are_a_redesign(review_history):
    # users split into two tables of the same shape (staff and customers): neither is "users renamed".
    body = TABLE_RENAME + TABLE_RENAME.replace('"people"', '"customers"').replace("op.drop_table(\"users\")", "")
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-table") == [("r2", body_line(body, "drop_table"))]


def test_two_dropped_tables_of_the_shape_of_the_new_one_are_a_redesign(review_history):
    # users and admins (same columns) merged into people: not a rename of either.
    admins = USERS_TABLE.replace('"users"', '"admins"')
    body = TABLE_RENAME + 'op.drop_table("admins")\n'
    report = review_history(USERS_TABLE + admins, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-table") == [("r2", body_line(body, 'drop_table("users")')),
                                               ("r2", body_line(body, 'drop_table("admins")'))]


def test_rows_copied_with_insert_select_are_kept(review_history):
    body = TABLE_RENAME.replace('op.drop_table("users")',
                                'op.execute("INSERT INTO people SELECT id, email, name, status FROM users")\n'
                                'op.drop_table("users")')
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-table") == [("r2", body_line(body, "drop_table"))]


def test_new_table_filled_by_bulk_insert_is_a_deliberate_choice(review_history):
    body = TABLE_RENAME.replace('op.drop_table("users")',
                                'op.bulk_insert(sa.table("people", sa.column("id"), sa.column("email")), '
                                '[{"id": 1, "email": "root@example.com"}])\n'
                                'op.drop_table("users")')
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_old_table_truncated_first_has_no_rows_to_lose(review_history):
    body = 'op.execute("TRUNCATE TABLE users CASCADE")\n' + TABLE_RENAME
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_table_hidden_rename_raw_sql(review_history):
    body = '''
op.execute("CREATE TABLE people (id serial PRIMARY KEY, email varchar(100) NOT NULL, "
           "name varchar(50), status varchar(20))")
op.execute("DROP TABLE users")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DROP TABLE"))]
    assert rule_hits(report, "drop-table") == []


def test_table_with_different_columns_is_not_a_rename(review_history):
    body = TABLE_RENAME.replace('sa.Column("status", sa.String(length=20), nullable=True),\n', "")
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-table") == [("r2", body_line(body, "drop_table"))]


def test_table_with_a_column_of_another_type_is_not_a_rename(review_history):
    body = TABLE_RENAME.replace('sa.Column("status", sa.String(length=20)', 'sa.Column("status", sa.Integer()')
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-table") == [("r2", body_line(body, "drop_table"))]


def test_table_re_created_under_the_same_name_is_left_to_drop_table(review_history):
    body = 'op.drop_table("users")\n' + USERS_TABLE
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-table") == [("r2", body_line(body, "drop_table"))]


def test_batch_recreate_copy_and_swap_is_not_a_table_rename(review_history):
    # recreate="always" creates _alembic_tmp_users with the same columns and drops users: Alembic's own work.
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("status", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_file_alone_table_uses_the_autogenerated_downgrade(tmp_path):
    upgrade = '''
op.create_table("people",
sa.Column("id", sa.Integer(), nullable=False),
sa.Column("email", sa.String(length=100), nullable=False),
sa.Column("kind", sa.Enum("a", "b", name="status_kind"), nullable=True),
sa.PrimaryKeyConstraint("id")
)
op.drop_table("accounts")
'''
    downgrade = '''
op.create_table("accounts",
sa.Column("id", sa.INTEGER(), autoincrement=True, nullable=False),
sa.Column("email", sa.VARCHAR(length=100), autoincrement=False, nullable=False),
sa.Column("kind", postgresql.ENUM("a", "b", name="status_kind"), autoincrement=False, nullable=True),
sa.PrimaryKeyConstraint("id", name=op.f("accounts_pkey"))
)
op.drop_table("people")
'''
    report = review_alone(tmp_path, upgrade, downgrade)
    assert rule_hits(report, RULE) == [("r5", body_line(upgrade, "drop_table"))]
    assert rule_hits(report, "drop-table") == []


def test_file_alone_table_without_downgrade_evidence_is_only_a_drop(tmp_path):
    report = review_alone(tmp_path, TABLE_RENAME)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-table") == [("r5", body_line(TABLE_RENAME, "drop_table"))]


def test_table_only_heard_of_uses_the_downgrade_not_its_partial_columns(tmp_path):
    # r1 touches a table no revision created: the model knows one of its columns, not all of them.
    legacy = 'op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))'
    upgrade = '''
op.create_table("people",
sa.Column("id", sa.Integer(), nullable=False),
sa.Column("note", sa.Text(), nullable=True),
sa.PrimaryKeyConstraint("id")
)
op.drop_table("accounts")
'''
    downgrade = '''
op.create_table("accounts",
sa.Column("id", sa.INTEGER(), autoincrement=True, nullable=False),
sa.Column("note", sa.TEXT(), autoincrement=False, nullable=True),
sa.PrimaryKeyConstraint("id", name=op.f("accounts_pkey"))
)
'''
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "001_r1.py").write_text(revision_source(legacy, "r1", None), encoding="utf-8")
    (versions / "002_r2.py").write_text(revision_source(upgrade, "r2", "r1", downgrade=downgrade), encoding="utf-8")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert rule_hits(report, RULE) == [("r2", body_line(upgrade, "drop_table"))]


# -- type comparison -------------------------------------------------------------------------------------------
def test_same_type_treats_unqualified_types_as_default_schema_and_unknown_as_no_evidence():
    assert same_type(SqlType("status_kind"), SqlType("status_kind", schema="public"))
    assert not same_type(SqlType("status_kind"), SqlType("status_kind", schema="audit"))
    assert not same_type(SqlType("varchar", (50,)), SqlType("varchar", (50,), array=True))
    assert not same_type(None, SqlType("text"))
    assert not same_type(None, None)


def test_ignoring_hidden_rename_also_silences_the_drop_it_replaced(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.drop_column("users", "name")  # migsafe: ignore[hidden-rename] data not needed
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == []
    assert not [n for n in report.notes if n.kind == "unused-ignore"]


# -- the two columns are different kinds of link: a redesign ------------------------------------------------------
ORGS_AND_TEAMS = '''
op.create_table("orgs", sa.Column("id", sa.Integer(), primary_key=True))
op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True))
op.add_column("users", sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id", name="fk_users_org")))
'''


def test_new_column_linking_another_table_than_the_old_one_is_a_redesign(review_history):
    body = '''
op.drop_column("users", "org_id")
op.add_column("users", sa.Column("team_id", sa.Integer(), nullable=True))
op.create_foreign_key("fk_users_team", "users", "teams", ["team_id"], ["id"])
'''
    report = review_history(USERS_TABLE + ORGS_AND_TEAMS, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_old_columns_target_table_dropped_in_the_revision_is_a_redesign(review_history):
    body = '''
op.drop_constraint("fk_users_org", "users", type_="foreignkey")
op.drop_column("users", "org_id")
op.drop_table("orgs")
op.add_column("users", sa.Column("tenant_id", sa.Integer(), nullable=True))
'''
    assert rule_hits(review_history(USERS_TABLE + ORGS_AND_TEAMS, body), RULE) == []


def test_new_foreign_key_where_the_known_old_column_had_none_is_a_redesign(review_history):
    body = '''
op.drop_column("users", "name")
op.add_column("users", sa.Column("parent_name", sa.String(50), nullable=True))
op.create_foreign_key("fk_users_parent", "users", "users", ["parent_name"], ["email"])
'''
    assert rule_hits(review_history(USERS_TABLE, body), RULE) == []


def test_same_link_under_a_new_name_is_still_a_rename(review_history):
    body = '''
op.drop_column("users", "org_id")
op.add_column("users", sa.Column("organization_id", sa.Integer(), nullable=True))
op.create_foreign_key("fk_users_organization", "users", "orgs", ["organization_id"], ["id"])
'''
    report = review_history(USERS_TABLE + ORGS_AND_TEAMS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]


# -- a table proven empty, a new column filled by its default -------------------------------------------------
# A members table an earlier revision created: it holds rows by now.
MEMBERS_TABLE = '''
op.create_table(
    "members",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("group_ref", sa.String(), nullable=True),
    sa.Column("accepted_terms", sa.Boolean(), nullable=False),
    sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.text("false")),
)
'''


def test_new_column_required_without_default_proves_the_table_empty(review_history):
    # The ADD fails on a table with a row: as written nothing is lost (the revision stops there, or the table
    # is empty). Still autogenerate's rename: fixing the ADD the usual way (a default, nullable) would lose
    # the values, so it is said, as a warning, without claiming the values are deleted now.
    body = '''
op.add_column("members", sa.Column("group_id", sa.String(), nullable=False))
op.create_index("ix_members_group_id", "members", ["group_id"])
op.drop_column("members", "group_ref")
'''
    report = review_history(MEMBERS_TABLE, body)
    assert rule_hits(report, "not-null-without-default") == [("r2", body_line(body, "add_column"))]
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert finding.severity == "warning"
    assert f"As written it loses nothing: the ADD COLUMN of 'group_id' at line {body_line(body, 'add_column')} " \
        "is NOT NULL without a default" in finding.message
    assert "once that ADD is made to pass (a default, or nullable), PostgreSQL deletes every value of " \
        "'group_ref'" in finding.message
    assert "op.alter_column('members', 'group_ref', new_column_name='group_id')" in finding.fix
    assert rule_hits(report, "drop-column") == []
    # Nothing is indexed on the proven-empty table.
    assert rule_hits(report, "index-not-concurrent") == []


def test_required_column_added_after_the_drop_proves_it_too(review_history):
    body = '''
op.drop_column("members", "group_ref")
op.add_column("members", sa.Column("group_id", sa.String(), nullable=False))
'''
    report = review_history(MEMBERS_TABLE, body)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert finding.line == body_line(body, "drop_column") and finding.severity == "warning"
    assert "As written it loses nothing" in finding.message


def test_truncate_then_drop_and_add_loses_nothing(review_history):
    # Emptied on purpose: no finding (the required column without default is fine on an empty table).
    body = '''
op.execute("TRUNCATE members")
op.add_column("members", sa.Column("group_id", sa.String(), nullable=False))
op.drop_column("members", "group_ref")
'''
    report = review_history(MEMBERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "not-null-without-default") == []


def test_nullable_new_column_proves_nothing(review_history):
    body = '''
op.add_column("members", sa.Column("group_id", sa.String(), nullable=True))
op.drop_column("members", "group_ref")
'''
    report = review_history(MEMBERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]


def test_new_column_with_a_server_default_is_filled_not_renamed(tmp_path):
    # A soft-delete flag, NOT NULL DEFAULT false: every row gets a value the author chose, as with
    # UPDATE members SET deleted = false. The dropped flag of the same type is a drop, even with autogenerate's
    # downgrade() beside it (it writes the same for any drop + add).
    body = '''
op.add_column("members", sa.Column("deleted", sa.Boolean(), server_default=sa.text("FALSE"), nullable=False))
op.drop_column("members", "accepted_terms")
'''
    downgrade = '''
op.add_column("members", sa.Column("accepted_terms", sa.BOOLEAN(), autoincrement=False, nullable=False))
op.drop_column("members", "deleted")
'''
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "001_r1.py").write_text(revision_source(MEMBERS_TABLE, "r1", None), encoding="utf-8")
    (versions / "002_r2.py").write_text(revision_source(body, "r2", "r1", downgrade=downgrade), encoding="utf-8")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]


def test_new_column_with_the_default_the_old_one_had_is_still_a_rename(review_history):
    # Autogenerate copies the model's server_default into the add_column of a rename it missed.
    body = '''
op.add_column("members", sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.text("false")))
op.drop_column("members", "archived")
'''
    report = review_history(MEMBERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_column"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "'hidden' gets the default FALSE that 'archived' had" in finding.message
    assert "every row of 'hidden' gets the default instead" in finding.message


@pytest.mark.parametrize("old, new, shared", [
    ("name", "full_name", "name"),
    ("descr", "description", "descr"),
    ("cache_project_id", "cache_key", "cache"),
    ("nickname", "display_name", "name"),          # a word inside a word
    ("userId", "user_name", "user"),               # camelCase
    ("prompt_template", "task_type", None),
    ("website_url", "item_id", None),              # "id" alone relates nothing
    ("occurred_at", "happened_at", None),
    ("min_balance_in_usd", "monthly_limit_in_usd", None),  # a unit is no kinship
])
def test_what_two_names_share(old, new, shared):
    from migsafe.rules.hidden_rename import names_related

    assert names_related(old, new) == shared


def test_unrelated_names_keep_their_hedge_when_the_add_would_fail(review_history):
    # license_key dropped, display_name added NOT NULL without a default: the ADD fails on a table with rows, and
    # nothing says the two are one column: both readings, and the rename fix only "if this is a rename".
    body = '''
op.add_column("users", sa.Column("display_name", sa.String(length=50), nullable=False))
op.drop_column("users", "license_key")
'''
    first = USERS_TABLE + 'op.add_column("users", sa.Column("license_key", sa.String(length=50)))\n'
    report = review_history(first, body)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert finding.severity == "warning"
    assert "the names share nothing, so it may as well be a redesign" in finding.message
    assert "As written it loses nothing" in finding.message and finding.fix.startswith("If this is a rename")

