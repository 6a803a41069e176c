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


# -- columns ---------------------------------------------------------------------------------------------------
def test_column_dropped_and_same_type_added_is_a_hidden_rename(review_history):
    report = review_history(USERS_TABLE, COLUMN_RENAME)
    assert rule_hits(report, RULE) == [("r2", body_line(COLUMN_RENAME, "drop_column"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "'name'" in finding.message and "'full_name'" in finding.message and "varchar(50)" in finding.message
    assert 'op.alter_column(\'users\', \'name\', new_column_name=\'full_name\')' in finding.fix


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


def test_several_candidates_are_all_named(review_history):
    body = '''
op.add_column("users", sa.Column("full_name", sa.String(50), nullable=True))
op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
op.drop_column("users", "name")
'''
    report = review_history(USERS_TABLE, body)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "'full_name' or 'nickname'" in finding.message


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
