"""Code guarded by query results runs in the review: reads are answered as if rows existed, once per line."""

from __future__ import annotations

from conftest import USERS_TABLE, body_line, review_bodies, rule_hits, write_history
from migsafe.recording.runner import record_history
from migsafe.revisions import list_revision_files, load_history


TEAMS_TABLE = ('op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True), '
               'sa.Column("name", sa.Text()))\n')


def _notes(report, kind):
    return [n for n in report.notes if n.kind == kind]


def test_a_batched_backfill_loop_guarded_by_a_count_runs_once_and_its_commit_is_seen(tmp_path):
    body = '''
conn = op.get_bind()
while conn.execute(sa.text("SELECT count(*) FROM users WHERE status IS NULL")).scalar() > 0:
    batch = "SELECT id FROM users WHERE status IS NULL LIMIT 1000"
    conn.execute(sa.text(f"UPDATE users SET status = 'active' WHERE id IN ({batch})"))
    conn.execute(sa.text("COMMIT"))
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors
    assert rule_hits(report, "backfill-in-transaction") == [("r2", body_line(body, "UPDATE users"))]
    assert rule_hits(report, "bare-commit") == [("r2", body_line(body, '"COMMIT"'))]
    [note] = _notes(report, "data-dependent")
    assert (f"the reads at line {body_line(body, 'while')} (and the row counts of the writes at line "
            f"{body_line(body, 'UPDATE users')}) were answered with one row") in note.message


def test_a_branch_on_first_and_a_loop_over_rows_run_their_bodies(tmp_path):
    body = '''
conn = op.get_bind()
row = conn.execute(sa.text("SELECT id, status FROM users WHERE name = 'admin'")).first()
if row:
    conn.execute(sa.text("UPDATE users SET status = :s WHERE id = :i"), {"s": row.status, "i": row[0]})
for user in conn.execute(sa.text("SELECT id FROM users")).mappings():
    conn.execute(sa.text("UPDATE teams SET name = 'x' WHERE id = :i"), {"i": user["id"] + 1})
seen = [conn.execute(sa.text("SELECT id FROM teams")).all() for _ in range(2)]
assert [len(rows) for rows in seen] == [1, 0]  # the first read at a line finds a row, later ones none
'''
    report = review_bodies(tmp_path, USERS_TABLE + TEAMS_TABLE, body)
    assert not report.errors
    hits = rule_hits(report, "backfill-in-transaction")
    assert hits == [("r2", body_line(body, "SET status = :s")), ("r2", body_line(body, "UPDATE teams"))]
    [note] = _notes(report, "data-dependent")
    assert f"the reads at lines {body_line(body, 'row = conn')}, {body_line(body, 'for user')}, " in note.message


def test_orm_queries_and_typed_columns_get_values_of_their_type(tmp_path):
    body = '''
import datetime
import enum
from sqlalchemy import orm

Base = orm.declarative_base()

class Kind(enum.Enum):
    a = "a"

class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String)
    created = sa.Column(sa.DateTime)
    kind = sa.Column(sa.Enum(Kind, name="kind"))

session = orm.Session(bind=op.get_bind())
for user in session.query(User).all():
    assert user.created.year == 2000 and user.kind is Kind.a and user.id + 1 == 2
    session.execute(sa.text("UPDATE users SET name = upper(name) WHERE id = :i"), {"i": user.id})
session.commit()
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors and not _notes(report, "partial-stop"), report.notes
    assert rule_hits(report, "backfill-in-transaction") == [("r2", body_line(body, "upper(name)"))]


def test_when_placeholder_rows_break_the_revision_it_is_reviewed_with_no_rows(tmp_path):
    body = '''
import json
conn = op.get_bind()
for row in conn.execute(sa.text("SELECT name FROM users")):
    json.loads(row.name)["key"]
op.drop_column("users", "status")
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors and not _notes(report, "partial-stop")
    assert rule_hits(report, "drop-column") == [("r2", body_line(body, "drop_column"))]
    [note] = _notes(report, "data-dependent")
    assert f"made the revision fail at line {body_line(body, 'json.loads')}" in note.message
    assert "as if every query found no rows" in note.message


def test_an_exception_raised_because_a_query_found_nothing_is_a_partial_review(tmp_path):
    # The same read answered rows the first time (the loop's first pass): the second finds nothing and the
    # revision raises its own error. On the real database the row is there.
    body = '''
op.create_index("ix_users_email", "users", ["email"])
conn = op.get_bind()
for name in ("admin", "default"):
    group = conn.execute(sa.text("SELECT id FROM users WHERE name = :n"), {"n": name}).first()
    if group is None:
        raise RuntimeError(f"{name} group not found")
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors
    [stop] = _notes(report, "partial-stop")
    assert stop.line == body_line(body, "raise RuntimeError") and "group not found" in stop.message
    assert rule_hits(report, "index-not-concurrent") == [("r2", body_line(body, "create_index"))]


def test_catalog_checks_are_not_answered_with_rows(tmp_path):
    # Enum.create(checkfirst=True) asks pg_type whether the type exists: a row there would skip the CREATE TYPE.
    body = '''
sa.Enum("a", "b", name="mood").create(op.get_bind(), checkfirst=True)
op.add_column("users", sa.Column("mood", sa.Enum("a", "b", name="mood", create_type=False)))
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors
    assert not _notes(report, "data-dependent")


def test_a_revision_that_raises_on_a_catalog_answer_is_a_partial_review(tmp_path):
    # Build the index, then check pg_index that it is valid: the catalog is answered with no rows here, so the
    # check fails and the revision raises; on a real database the index is there and valid.
    body = '''
def index_valid():
    return op.get_bind().execute(sa.text(
        "SELECT indisvalid FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('ix_users_email')"
    )).scalar_one_or_none()

with op.get_context().autocommit_block():
    op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email ON users (email)")
    if index_valid() is not True:
        raise RuntimeError("ix_users_email was not built as a valid index")
op.add_column("users", sa.Column("nickname", sa.Text()))
'''
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    [stop] = _notes(report, "partial-stop")
    assert stop.line == body_line(body, "raise RuntimeError") and "not built as a valid index" in stop.message
    assert "system catalogs" in stop.message
    # A failure before any catalog read is still the revision's own error.
    early = body.replace("with op.get_context()", "raise RuntimeError('run by hand')\nwith op.get_context()", 1)
    report = review_bodies(tmp_path, USERS_TABLE, early)
    [error] = report.errors
    assert "run by hand" in error.message


def test_orm_loops_setting_attributes_are_flushed_and_each_table_is_a_backfill(tmp_path):
    # The first loop's changes are flushed by the second query (autoflush), at the second query's line: the
    # read there is still answered, so the second loop runs too.
    body = '''
from sqlalchemy import orm

Base = orm.declarative_base()

class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    status = sa.Column(sa.String)

class Team(Base):
    __tablename__ = "teams"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.Text)

session = orm.Session(bind=op.get_bind())
for user in session.query(User).filter(User.status == None):
    user.status = "active"
for team in session.query(Team).filter(Team.name == None):
    team.name = "default"
session.commit()
'''
    report = review_bodies(tmp_path, USERS_TABLE + TEAMS_TABLE, body)
    assert not report.errors and not _notes(report, "partial-stop")
    hits = rule_hits(report, "backfill-in-transaction")
    assert hits == [("r2", body_line(body, "for team")), ("r2", body_line(body, "session.commit"))]
    messages = [f.message for f in report.findings if f.rule == "backfill-in-transaction"]
    assert "updates rows of table users" in messages[0] and "updates rows of table teams" in messages[1]


def test_a_loop_that_ran_is_not_also_reported_as_a_read_whose_writes_were_missed(tmp_path):
    body = '''
conn = op.get_bind()
for user_id, email in conn.execute(sa.text("SELECT id, email FROM users")):
    team = conn.execute(sa.text("SELECT id FROM teams WHERE name = :e"), {"e": email}).fetchone()
    if team:
        conn.execute(sa.text("UPDATE teams SET name = :n WHERE id = :i"), {"n": str(user_id), "i": team[0]})
'''
    report = review_bodies(tmp_path, USERS_TABLE + TEAMS_TABLE, body)
    assert not report.errors
    assert rule_hits(report, "backfill-in-transaction") == [("r2", body_line(body, "UPDATE teams"))]


def test_a_failure_whatever_the_reads_answer_is_not_blamed_on_the_answered_rows(tmp_path):
    body = '''
conn = op.get_bind()
for row in conn.execute(sa.text("SELECT id FROM users")):
    pass
raise NotImplementedError("this revision must be run by hand")
'''
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, body])
    files = load_history(list_revision_files([versions])).files
    rec = record_history(files, sys_path=[tmp_path], config_file=None)[1]
    assert rec.error is not None and rec.error.line == body_line(body, "raise")
    assert not any("made the revision fail" in n.message for n in rec.notes)


def test_text_reads_of_a_known_table_get_its_columns_with_values_of_their_types(tmp_path):
    # text() carries no column types: the schema model gives the columns of SELECT * and their types.
    body = '''
conn = op.get_bind()
for row in conn.execute(sa.text("SELECT * FROM events ORDER BY created_at")).fetchall():
    day = row.created_at.strftime("%Y-%m-%d")
    conn.execute(sa.text("UPDATE events SET kind = :k WHERE id = :i"), {"k": row.kind.lower() + day, "i": row.id + 0})
'''
    events = ('op.create_table("events", sa.Column("id", sa.Integer(), primary_key=True), '
              'sa.Column("kind", sa.String(20)), sa.Column("created_at", sa.DateTime()))\n')
    report = review_bodies(tmp_path, events, body)
    assert not report.errors
    assert not any("made the revision fail" in n.message for n in report.notes)
    assert rule_hits(report, "backfill-in-transaction") == [("r2", body_line(body, "UPDATE events"))]


def test_a_parenthesised_query_is_a_read_like_any_other(tmp_path):
    # `(SELECT ...)` is answered with rows like `SELECT ...`: the loop over its result runs, and it is not an
    # "object does not return rows" load error.
    body = """
conn = op.get_bind()
for row in conn.execute(sa.text("(SELECT id, email FROM users WHERE status IS NULL)")):
    conn.execute(sa.text("UPDATE users SET status = 'active' WHERE id = :id"), {"id": row[0]})
"""
    report = review_bodies(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    assert rule_hits(report, "backfill-in-transaction") == [("r2", body_line(body, "UPDATE users"))]

