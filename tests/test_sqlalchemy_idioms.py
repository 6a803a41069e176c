"""Revisions written for the other SQLAlchemy major: shimmed while they run, marked partial, or a load error
that names the idiom and the version it needs. Each test applies to the SQLAlchemy this suite runs on."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from conftest import USERS_TABLE, body_line, review_bodies
from migsafe.recording import idioms

ON_2X = idioms.MAJOR >= 2
only_2x = pytest.mark.skipif(not ON_2X, reason="1.x idioms are shimmed under SQLAlchemy 2.x")
only_14 = pytest.mark.skipif(ON_2X, reason="2.x idioms are shimmed under SQLAlchemy 1.4")


def idiom_notes(report):
    return [n for n in report.notes if n.kind == idioms.NOTE_KIND]


@only_2x
@pytest.mark.parametrize(("body", "idiom", "needle"), [
    ('''
meta = sa.MetaData(bind=op.get_bind())
users = sa.Table("users", meta, sa.Column("id", sa.Integer), sa.Column("status", sa.String))
meta.bind.execute(users.update().values(status="active"))
''', "MetaData(bind=...)", "meta.bind.execute"),
    ('''
users = sa.table("users", sa.column("id"), sa.column("status"))
conn = op.get_bind()
for row in conn.execute(sa.select([users.c.id], whereclause=users.c.status == None, from_obj=[users])):
    pass
conn.execute(users.update().values(status="active"))
''', "select([...])", "conn.execute(users.update"),
    ('''
users = sa.table("users", sa.column("id"), sa.column("status"))
op.get_bind().execute(users.update().where(users.c.id == sa.bindparam("k")).values(status="active"), k=1)
''', "execute(statement, name=value)", "op.get_bind().execute"),
    ('''
op.get_bind().execute("UPDATE users SET status = 'active'")
''', "plain SQL string in Connection.execute()", "op.get_bind().execute"),
    ('''
users = sa.table("users", sa.column("id"), sa.column("status"))
conn = op.get_bind()
conn.execute(users.update().values(status=sa.case([(users.c.id == 1, "a")], else_="b")))
''', "case([...])", "conn.execute(users.update"),
    ('''
users = sa.table("users", sa.column("id"), sa.column("status"))
statement = users.update().where(users.c.id == sa.bindparam("k")).values(status=sa.bindparam("s"))
op.get_bind().execute(statement, {"k": 1, "s": "a"}, {"k": 2, "s": "b"})
''', "execute(statement, {...}, {...})", "op.get_bind().execute"),
    pytest.param('''
meta = sa.MetaData(bind=op.get_bind())
meta.reflect(only=["users"])
users = meta.tables["users"]
op.get_bind().execute(users.update().values(status="active"))
''', "MetaData(bind=...).reflect()", "op.get_bind().execute"),
    ('''
from sqlalchemy import orm
session = orm.Session(bind=op.get_bind())
session.execute("UPDATE users SET status = 'active'")
''', "plain SQL string in Session.execute()", "session.execute"),
])
def test_1x_idioms_run_under_2x_as_a_partial_review(tmp_path, body, idiom, needle):
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    [note] = idiom_notes(report)
    assert idiom in note.message and "SQLAlchemy 1.x" in note.message and note.revision == "r2"
    assert [p.revision for p in report.partial] == ["r2"]
    # The back-fill the idiom ran is seen, on its line.
    hits = [f.line for f in report.findings if f.rule == "backfill-in-transaction"]
    assert hits == [body_line(body, needle)]
    # Only while the revision ran: the 2.x behaviour is back afterwards.
    with pytest.raises(sa.exc.ArgumentError):
        sa.select([sa.column("x")])
    with pytest.raises(TypeError):
        sa.MetaData(bind=None)


@only_2x
def test_a_2x_revision_is_not_partial(tmp_path):
    body = '''
users = sa.table("users", sa.column("id"), sa.column("status"))
op.get_bind().execute(users.update().values(status="active"))
op.get_bind().execute(sa.text("UPDATE users SET status = :s"), {"s": "x"})
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors and not report.partial and not idiom_notes(report)


@only_2x
def test_a_1x_idiom_without_a_shim_is_a_load_error_naming_the_version_it_needs(tmp_path):
    body = '''
op.get_bind().engine.execute("UPDATE users SET status = 'active'")
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    [error] = report.errors
    assert "needs SQLAlchemy < 2.0" in error.message and f"SQLAlchemy {sa.__version__} is installed" in error.message
    assert error.line == body_line(body, "engine.execute")


@only_14
def test_2x_idioms_run_under_14_as_a_partial_review(tmp_path):
    body = '''
from sqlalchemy.orm import DeclarativeBase, Session


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    status = sa.Column(sa.String(20))


session = Session(bind=op.get_bind())
for user in session.query(User):
    user.status = "active"
session.flush()
op.add_column("users", sa.Column("public_id", sa.Uuid(), nullable=True))
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    [note] = idiom_notes(report)
    assert "DeclarativeBase" in note.message and "sa.Uuid" in note.message and "SQLAlchemy 2.0" in note.message
    assert [p.revision for p in report.partial] == ["r2"]
    assert [f.revision for f in report.findings if f.rule == "backfill-in-transaction"] == ["r2"]
    import sqlalchemy.orm

    assert not hasattr(sqlalchemy.orm, "DeclarativeBase") and not hasattr(sa, "Uuid")  # restored


@only_14
def test_a_2x_idiom_without_a_shim_is_a_load_error_naming_the_version_it_needs(tmp_path):
    body = '''
from sqlalchemy.orm import MappedAsDataclass
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    [error] = report.errors
    assert "MappedAsDataclass is SQLAlchemy 2.0 API" in error.message
    assert f"SQLAlchemy {sa.__version__} is installed" in error.message


@only_2x
def test_a_table_autoloaded_through_a_bound_metadata_is_reflected_from_the_schema_model(tmp_path):
    body = '''
conn = op.get_bind()
metadata = sa.MetaData(bind=conn, schema=conn.dialect.default_schema_name)
users = sa.Table("users", metadata, autoload=True)
conn.execute(users.update().values(status="active"))
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    [note] = idiom_notes(report)
    assert "MetaData(bind=...)" in note.message and "Table(..., autoload=True)" in note.message
    [finding] = [f for f in report.findings if f.rule == "backfill-in-transaction"]
    assert "users" in finding.sql and finding.line == body_line(body, "conn.execute(users")
    with pytest.raises(TypeError):
        sa.Table("t", sa.MetaData(), autoload=True)


@only_2x
def test_1_4_result_class_names_stand_for_their_2x_classes_while_the_revision_runs(tmp_path):
    body = '''
from sqlalchemy.engine import LegacyCursorResult

users = sa.table("users", sa.column("id"), sa.column("status"))
result: LegacyCursorResult = op.get_bind().execute(users.update().values(status="active"))
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    [note] = idiom_notes(report)
    assert "sqlalchemy.engine.LegacyCursorResult" in note.message
    import sqlalchemy.engine

    assert not hasattr(sqlalchemy.engine, "LegacyCursorResult")
