"""Recording: lines, transactions, batch blocks, the bind stand-in, and no state left behind."""

from __future__ import annotations

import sys

import alembic.context
import alembic.op

from conftest import USERS_TABLE, body_line, review_bodies, rule_hits, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.model import RecordedRevision
from migsafe.recording.runner import record_history
from migsafe.revisions import list_revision_files, load_history
from migsafe.sql import actions as A


def record(tmp_path, *bodies: str, per_migration: bool = True) -> list[RecordedRevision]:
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    history = load_history(list_revision_files([versions]))
    recorded = record_history(history.files, sys_path=[tmp_path], config_file=None,
                              transaction_per_migration=per_migration)
    for rec in recorded:
        assert rec.error is None, rec.error
    return recorded


def user_statements(rec: RecordedRevision):
    return [(s.sql.split()[0] + " " + s.sql.split()[1], s.line, s.in_transaction) for s in rec.statements]


def test_multi_line_call_is_reported_on_its_first_line(tmp_path):
    body = 'op.drop_column(\n    "users",\n    "name",\n)'
    rec = record(tmp_path, USERS_TABLE, body)[1]
    [statement] = rec.statements
    assert (statement.line, statement.end_line) == (body_line(body, "op.drop_column"),
                                                    body_line(body, "op.drop_column") + 3)


def test_helper_functions_are_attributed_to_their_call_site_in_upgrade(tmp_path):
    body = 'def drop(name):\n    op.drop_column("users", name)\n\ndrop("name")\ndrop("email")'
    rec = record(tmp_path, USERS_TABLE, body)[1]
    assert [s.line for s in rec.statements] == [body_line(body, 'drop("name")'), body_line(body, 'drop("email")')]


def test_batch_operations_are_attributed_to_their_batch_op_call(tmp_path):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.add_column(sa.Column("age", sa.Integer()))
    batch_op.alter_column("name", new_column_name="full_name")
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    kinds = [(type(s.actions[0]).__name__, s.line) for s in rec.statements]
    assert kinds == [("AddColumn", body_line(body, "batch_op.add_column")),
                     ("RenameColumn", body_line(body, "batch_op.alter_column"))]


def test_autocommit_block_statements_run_outside_the_transaction(tmp_path):
    body = '''
op.add_column("users", sa.Column("age", sa.Integer()))
with op.get_context().autocommit_block():
    op.create_index("ix_users_age", "users", ["age"], postgresql_concurrently=True)
op.drop_column("users", "status")
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    assert [s.in_transaction for s in rec.statements] == [True, False, True]
    first, _, last = rec.statements
    assert first.transaction != last.transaction  # the autocommit block ended the first transaction


def test_transaction_model_per_migration_vs_single(tmp_path):
    per = record(tmp_path / "a", USERS_TABLE, 'op.drop_column("users", "name")')
    assert per[0].statements[0].transaction != per[1].statements[0].transaction
    single = record(tmp_path / "b", USERS_TABLE, 'op.drop_column("users", "name")', per_migration=False)
    assert single[0].statements[0].transaction == single[1].statements[0].transaction


def test_raw_commit_ends_the_transaction(tmp_path):
    body = 'op.execute("COMMIT")\nop.execute("ALTER TYPE mood ADD VALUE \'happy\'")'
    rec = record(tmp_path, body)[0]
    assert [s.in_transaction for s in rec.statements] == [True, False]


def test_get_bind_supports_core_orm_and_commit(tmp_path):
    body = '''
from sqlalchemy import orm

class User(orm.declarative_base()):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String)

conn = op.get_bind()
rows = conn.execute(sa.text("SELECT id FROM users")).fetchall()
assert rows == []
assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() == 0  # as on any empty database
assert conn.execute(sa.text("SELECT id FROM users")).scalars().all() == []
session = orm.Session(bind=conn)
for user in session.query(User).all():
    user.name = "x"
session.add(User(name="new"))
session.flush()
conn.execute(sa.text("UPDATE users SET name = :n WHERE id = :i"), {"n": "a", "i": 1})
conn.commit()
conn.close()
op.drop_column("users", "status")
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    sqls = [s.sql.split()[0].upper() for s in rec.statements]
    assert sqls == ["SELECT", "SELECT", "SELECT", "SELECT", "INSERT", "UPDATE", "COMMIT", "ALTER"]
    update = rec.statements[5]
    assert update.actions == (A.DataChange(kind="UPDATE", table=A.QName("public", "users"), has_where=True),)
    assert update.source == "bind"
    assert any(n.kind == "data-dependent" for n in rec.notes)
    # After conn.commit() the connection starts a new transaction, as SQLAlchemy's autobegin does.
    assert rec.statements[-1].in_transaction and rec.statements[-1].transaction != update.transaction


def test_context_proxy_and_dialect_are_available(tmp_path):
    body = '''
from alembic import context
assert context.config is not None
assert context.get_x_argument(as_dictionary=True) == {}
assert not context.is_offline_mode()  # migsafe records what an online upgrade runs
assert op.get_context().dialect.name == "postgresql"
if op.get_bind().dialect.name == "postgresql":
    op.drop_column("users", "name")
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    assert len(rec.statements) == 1


def test_the_context_gives_the_same_bind_and_records_what_it_executes(tmp_path):
    body = '''
from alembic import context
assert context.get_bind() is op.get_bind() is op.get_context().bind
context.get_bind().execute(sa.text("UPDATE users SET status = 'a'"))
context.execute("UPDATE users SET status = 'b'")
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    assert [(s.sql, s.source, s.line) for s in rec.statements] == [
        ("UPDATE users SET status = 'a'", "bind", body_line(body, "'a'")),
        ("UPDATE users SET status = 'b'", "execute", body_line(body, "'b'")),
    ]


def test_batch_recreate_always_uses_the_schema_model(tmp_path):
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("name", type_=sa.String(200))
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    assert rec.statements, "batch recreate emitted nothing"
    assert all(s.operation.batch_recreate for s in rec.statements)
    assert any(isinstance(a, A.DataChange) and a.kind == "INSERT_SELECT" for s in rec.statements for a in s.actions)
    created = [a for s in rec.statements for a in s.actions if isinstance(a, A.CreateTable)]
    assert {c.name for c in created[0].columns} == {"id", "email", "name", "status"}


def test_no_global_state_is_left_behind(tmp_path):
    path_before = list(sys.path)
    modules_before = set(sys.modules)
    body = 'import sys\nsys.path.insert(0, "/nonexistent-from-revision")\nop.drop_column("users", "name")'
    record(tmp_path, USERS_TABLE, body)
    assert sys.path == path_before
    assert not [m for m in set(sys.modules) - modules_before if m.startswith("_migsafe_rev_")]
    assert getattr(alembic.op, "_proxy", None) is None, "alembic.op proxy left installed"
    assert getattr(alembic.context, "_proxy", None) is None, "alembic.context proxy left installed"


def test_stdout_of_revisions_does_not_reach_the_report(tmp_path, capsys):
    record(tmp_path, 'print("noise from a revision")\n' + USERS_TABLE)
    assert "noise" not in capsys.readouterr().out


def test_schema_qualified_tables(tmp_path):
    body = 'op.create_table("accounts", sa.Column("id", sa.Integer()), schema="billing")'
    rec = record(tmp_path, body, 'op.drop_column("accounts", "id", schema="billing")')[1]
    [statement] = rec.statements
    table = statement.tables_before[A.QName("billing", "accounts")]
    assert table is not None and table.created_in == "r1"


def test_reflection_answers_from_the_schema_model(tmp_path):
    body = '''
bind = op.get_bind()
inspector = sa.inspect(bind)
assert "users" in inspector.get_table_names()
assert inspector.has_table("users") and not inspector.has_table("nope")
columns = {c["name"]: c for c in inspector.get_columns("users")}
assert isinstance(columns["email"]["type"], sa.String) and columns["email"]["type"].length == 100
assert columns["email"]["nullable"] is False
users = sa.Table("users", sa.MetaData(), autoload_with=bind)
assert set(users.c.keys()) == {"id", "email", "name", "status"}
bind.execute(users.update().values(status="active"))
if "legacy" not in inspector.get_table_names():
    op.drop_column("users", "name")
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    assert [s.sql.split()[0] for s in rec.statements] == ["UPDATE", "ALTER"]


def test_reflection_lists_materialized_views_apart_from_tables(tmp_path):
    # A revision that guards its view with the inspector, as PostgreSQL's dialect answers it.
    made = 'op.execute("CREATE MATERIALIZED VIEW user_counts AS SELECT status, count(*) AS n FROM users GROUP BY 1")'
    body = '''
inspector = sa.inspect(op.get_bind())
assert "user_counts" not in inspector.get_table_names()
if "user_counts" in inspector.get_materialized_view_names():
    op.execute("REFRESH MATERIALIZED VIEW user_counts")
'''
    rec = record(tmp_path, USERS_TABLE + made, body)[1]
    assert [s.sql.split()[0] for s in rec.statements] == ["REFRESH"]


def test_reflected_unnamed_constraints_carry_postgresqls_names(tmp_path):
    create = ("op.create_table('memberships', sa.Column('team_id', sa.Integer()), sa.Column('user_id', sa.Integer()),"
              " sa.PrimaryKeyConstraint('team_id', 'user_id'), sa.UniqueConstraint('user_id', 'team_id'))")
    body = '''
inspector = sa.inspect(op.get_bind())
assert inspector.get_pk_constraint("memberships")["name"] == "memberships_pkey"
for constraint in inspector.get_unique_constraints("memberships"):
    op.drop_constraint(constraint["name"], "memberships", type_="unique")
'''
    rec = record(tmp_path, create, body)[1]
    assert [s.sql for s in rec.statements] == [
        "ALTER TABLE memberships DROP CONSTRAINT memberships_user_id_team_id_key"]


def test_reflected_foreign_keys_are_found_by_what_they_reference(tmp_path):
    # A revision finds a foreign key's name by its referenced table and columns to drop it, as Superset's
    # generic_find_fk_constraint_name does; unnamed and column-level keys carry PostgreSQL's names.
    create = """
op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("slug", sa.String(20), unique=True))
op.create_table("members", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("team_slug", sa.String(20)), sa.Column("team_id", sa.Integer()),
                sa.ForeignKeyConstraint(["team_slug"], ["teams.slug"], name="fk_members_team_slug"))
op.execute("ALTER TABLE members ADD FOREIGN KEY (team_id) REFERENCES teams")
"""
    body = """
inspector = sa.inspect(op.get_bind())
for fk in inspector.get_foreign_keys("members"):
    if fk["referred_table"] == "teams" and set(fk["referred_columns"]) == {"slug"}:
        op.drop_constraint(fk["name"], "members", type_="foreignkey")
    if fk["referred_table"] == "teams" and fk["referred_columns"] == ["id"]:
        op.create_index("ix_" + fk["name"], "members", fk["constrained_columns"])
"""
    rec = record(tmp_path, create, body)[1]
    assert [s.sql for s in rec.statements] == [
        "ALTER TABLE members DROP CONSTRAINT fk_members_team_slug",
        "CREATE INDEX ix_members_team_id_fkey ON members (team_id)"]


def test_unnamed_constraints_get_the_names_postgresql_gives_them(tmp_path):
    # Checked on PostgreSQL 15 (pg_constraint): c_a_fkey, c_a_fkey1 for a second key on the same column, c_pkey,
    # c_a_b_key; a UNIQUE added later whose default name an index already has gets c_a_key1.
    made = '''
op.execute("CREATE TABLE p (id int PRIMARY KEY)")
op.execute("CREATE TABLE p2 (id int PRIMARY KEY)")
op.execute("CREATE TABLE c (a int PRIMARY KEY, b int, FOREIGN KEY (a) REFERENCES p (id), "
           "FOREIGN KEY (a) REFERENCES p2 (id), UNIQUE (a, b), c int REFERENCES p)")
op.execute("CREATE INDEX c_a_key ON c (a)")
op.execute("ALTER TABLE c ADD UNIQUE (a)")
op.execute("ALTER TABLE c ADD FOREIGN KEY (b) REFERENCES p (id)")
'''
    rec = record(tmp_path, made, 'op.drop_constraint("c_a_fkey1", "c", type_="foreignkey")')[1]
    [statement] = rec.statements
    table = statement.tables_before[A.QName("public", "c")]
    assert {c.name: c.kind for c in table.constraints} == {
        "c_pkey": "primary_key", "c_a_fkey": "foreign_key", "c_a_fkey1": "foreign_key", "c_a_b_key": "unique",
        "c_c_fkey": "foreign_key", "c_a_key1": "unique", "c_b_fkey": "foreign_key"}
    assert next(c.references for c in table.constraints if c.name == "c_a_fkey1") == A.QName("public", "p2")


def test_default_constraint_names_are_shortened_like_postgresqls():
    from migsafe.schema import default_constraint_name

    # Checked on PostgreSQL 15: CREATE TABLE with a 60-character name and UNIQUE (a 40-character column).
    assert default_constraint_name("t" * 60, ["c" * 40], "key") == "t" * 29 + "_" + "c" * 29 + "_key"
    assert default_constraint_name("users", [], "pkey") == "users_pkey"


def test_a_revision_that_needs_rows_it_read_stops_there_as_a_partial_review(tmp_path):
    # Offline, a read is answered with a row only the first time its line runs: on the second pass fetchone()
    # is None (and the revision recorded again with no rows fails on the first). On a real database the row is
    # there, so this is not a broken revision: keep what ran before the failing line, say where it stopped.
    body = '''
op.create_index("ix_users_email", "users", ["email"])
conn = op.get_bind()
conn.execute(sa.text("INSERT INTO users (email) VALUES ('a')"))
for email in ("a", "b"):
    user_id = conn.execute(sa.text("SELECT id FROM users WHERE email = :e"), {"e": email}).fetchone()[0]
    conn.execute(sa.text("UPDATE users SET status = 'x' WHERE id = :i"), {"i": user_id})
'''
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, body, 'op.drop_column("users", "name")'])
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert not report.errors
    stops = [n for n in report.notes if n.kind == "partial-stop"]
    assert [(n.revision, n.line) for n in stops] == [("r2", body_line(body, "fetchone"))]
    assert "TypeError" in stops[0].message
    rules = {(f.rule, f.revision) for f in report.findings}
    assert ("index-not-concurrent", "r2") in rules and ("drop-column", "r3") in rules
    r3_drop = next(f for f in report.findings if f.rule == "drop-column")
    assert r3_drop.line == body_line('op.drop_column("users", "name")', "drop_column")


def test_a_genuine_error_before_any_read_is_still_a_load_error(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, 'value = None\nvalue[0]\nconn = op.get_bind()\n'
                                          'conn.execute(sa.text("SELECT 1 FROM users")).fetchone()'])
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert [e.revision for e in report.errors] == ["r2"]
    assert "TypeError" in report.errors[0].message


def test_a_submodule_the_application_would_have_imported_is_imported(tmp_path):
    """`import sqlalchemy as sa` then `sa.orm.Session(...)`: under `alembic upgrade`, env.py imported the
    application, which imported sqlalchemy.orm; offline nothing did. migsafe imports it and runs the revision."""
    import subprocess
    import sys as _sys

    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, "session = sa.orm.Session(bind=op.get_bind())\n"
                                          "session.execute(sa.text(\"UPDATE users SET status = 'x'\"))"])
    # In a fresh interpreter: this test process may have imported sqlalchemy.orm already.
    code = ("import json, sys; from pathlib import Path; from migsafe.engine import ReviewOptions, review; "
            f"r = review(ReviewOptions(paths=[Path({str(versions)!r})], cwd=Path({str(tmp_path)!r}), "
            "use_cache=False)); "
            "print(json.dumps([[e.message for e in r.errors], 'sqlalchemy.orm' in sys.modules]))")
    out = subprocess.run([_sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == '[[], true]'


def test_a_revision_stopped_inside_a_statement_does_not_break_the_connection_for_the_next(tmp_path):
    # sys.exit() (or the revision timeout's signal) inside SQLAlchemy's execute leaves its transaction invalid;
    # the next revision used to fail with PendingRollbackError.
    stops = '''
import sys

class Stops(sa.types.TypeDecorator):
    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        sys.exit(3)

op.get_bind().execute(sa.text("UPDATE users SET status = :s").bindparams(sa.bindparam("s", "x", type_=Stops())))
'''
    later = 'op.get_bind().execute(sa.text("UPDATE users SET name = NULL WHERE name = status"))'
    report = review_bodies(tmp_path, USERS_TABLE, stops, later)
    assert [(e.revision, e.message) for e in report.errors] == [("r2", "revision called sys.exit(3)")]


def test_ddl_elements_given_to_op_execute_are_recorded(tmp_path):
    # `op.execute(CreateSequence(...))` and friends: plain `alembic upgrade --sql` renders each of them, and so
    # must the recording (they bind no parameters; reading their bound literals once stopped the revision).
    body = '''
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateSequence, DDL, DropSequence, Sequence
meta = sa.MetaData()
users = sa.Table("users", meta, sa.Column("id", sa.Integer()), sa.Column("email", sa.String(100)))
op.execute(CreateSequence(Sequence("users_seq")))
op.execute(CreateIndex(sa.Index("ix_users_email", users.c.email)))
op.execute(AddConstraint(sa.UniqueConstraint(users.c.email, name="uq_users_email")))
op.execute(DDL("ALTER TABLE users ADD COLUMN age integer"))
op.execute(DropSequence(Sequence("users_seq")))
'''
    rec = record(tmp_path, USERS_TABLE, body)[1]
    assert [(" ".join(s.sql.split()[:2]), s.line) for s in rec.statements] == [
        ("CREATE SEQUENCE", body_line(body, "CreateSequence(Seq")),
        ("CREATE INDEX", body_line(body, "CreateIndex(sa.")),
        ("ALTER TABLE", body_line(body, "AddConstraint(sa.")),
        ("ALTER TABLE", body_line(body, 'DDL("')),
        ("DROP SEQUENCE", body_line(body, "DropSequence(Seq")),
    ]
    kinds = [type(a).__name__ for s in rec.statements for a in s.actions]
    assert "CreateIndex" in kinds and "AddColumn" in kinds


def test_ddl_elements_given_to_op_execute_are_checked_by_the_rules(tmp_path):
    body = '''
from sqlalchemy.schema import CreateIndex
users = sa.Table("users", sa.MetaData(), sa.Column("email", sa.String(100)))
op.execute(CreateIndex(sa.Index("ix_users_email", users.c.email)))
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors
    assert ("index-not-concurrent", body_line(body, "op.execute")) in [(f.rule, f.line) for f in report.findings]


def test_the_target_metadata_env_py_passes_is_there_for_revisions_that_read_it(tmp_path):
    # `context.get_context().opts['target_metadata']` is the application's MetaData under `alembic upgrade`; a
    # revision reading its naming convention must not become a load error because the models are not imported.
    body = """
from alembic import context as alembic_context
metadata = alembic_context.get_context().opts["target_metadata"]
with op.batch_alter_table("users", naming_convention=metadata.naming_convention) as batch_op:
    batch_op.add_column(sa.Column("nickname", sa.Text()))
"""
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    assert rule_hits(report, "missing-lock-timeout") == [("r2", body_line(body, "batch_op.add_column"))]

