"""The DBAPI driver of the project's ``sqlalchemy.url`` decides what follows a bare COMMIT.

Checked on PostgreSQL 15 through ``alembic upgrade`` with SQLAlchemy 2: psycopg2 keeps its own note of the
transaction it opened, so after ``op.execute("COMMIT")`` it sends no BEGIN and the next statements run outside
any transaction until Alembic commits; psycopg 3 sees the server idle and opens a new transaction first.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import USERS_TABLE, body_line, rule_hits, write_history

from migsafe.engine import ReviewOptions, review
from migsafe.envpy import read_driver
from migsafe.report import Report
from migsafe.reporters.json_reporter import render as render_json

BARE_COMMIT_THEN_INDEX = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.execute("COMMIT")
op.create_index("ix_users_nickname", "users", ["nickname"], postgresql_concurrently=True)
'''


def _project(tmp_path: Path, *bodies: str, url: str | None = None, env_py: str | None = None) -> Path:
    lines = ["[alembic]", "script_location = %(here)s/migrations"]
    if url is not None:
        lines.append(f"sqlalchemy.url = {url}")
    (tmp_path / "alembic.ini").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_history(tmp_path / "migrations" / "versions", bodies)
    if env_py is not None:
        (tmp_path / "migrations" / "env.py").write_text(env_py, encoding="utf-8")
    return tmp_path


def _review(tmp_path: Path, *bodies: str, **kwargs: str) -> Report:
    root = _project(tmp_path, *bodies, **kwargs)
    return review(ReviewOptions(paths=[root], cwd=root))


def test_psycopg3_opens_a_new_transaction_after_a_bare_commit(tmp_path):
    report = _review(tmp_path, USERS_TABLE, BARE_COMMIT_THEN_INDEX, url="postgresql+psycopg://app@db/app")
    assert rule_hits(report, "concurrent-index-in-transaction") == [
        ("r2", body_line(BARE_COMMIT_THEN_INDEX, "ix_users_nickname"))]
    assert rule_hits(report, "bare-commit") == [("r2", body_line(BARE_COMMIT_THEN_INDEX, '"COMMIT"'))]
    [finding] = [f for f in report.findings if f.rule == "concurrent-index-in-transaction"]
    commit_line = body_line(BARE_COMMIT_THEN_INDEX, '"COMMIT"')
    assert f"inside the transaction the driver opened after the COMMIT on line {commit_line}" in finding.message


def test_psycopg2_runs_the_statements_after_a_bare_commit_outside_a_transaction(tmp_path):
    for url in ("postgresql+psycopg2://app@db/app", "postgresql://app@db/app", None):
        report = _review(tmp_path, USERS_TABLE, BARE_COMMIT_THEN_INDEX, url=url)
        assert rule_hits(report, "concurrent-index-in-transaction") == [], url
        assert rule_hits(report, "bare-commit") == [("r2", body_line(BARE_COMMIT_THEN_INDEX, '"COMMIT"'))]


def test_a_bare_commit_leaves_its_own_revision_outside_a_transaction_not_the_next_deploy(tmp_path):
    # With one transaction per `alembic upgrade`, psycopg2 runs the rest of r2's upgrade outside a transaction
    # after its COMMIT. r3 is deployed by an upgrade of its own (each revision is its own deploy by default),
    # which starts in Alembic's transaction: its CREATE INDEX CONCURRENTLY fails there.
    later = 'op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)'
    root = _project(tmp_path, USERS_TABLE, BARE_COMMIT_THEN_INDEX, later, url="postgresql+psycopg2://app@db/app")
    report = review(ReviewOptions(paths=[root], cwd=root, transaction_per_migration=False))
    assert rule_hits(report, "concurrent-index-in-transaction") == [("r3", body_line(later, "ix_users_name"))]


def test_enum_value_used_after_a_bare_commit_depends_on_the_driver(tmp_path):
    # The common "ADD VALUE cannot run in a transaction" work-around: with psycopg 3 the ADD VALUE and its use
    # share the transaction the driver opened after the COMMIT ("unsafe use of new value").
    enum = '''
op.execute("CREATE TYPE order_state AS ENUM ('new', 'paid')")
op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("state", postgresql.ENUM(name="order_state", create_type=False)))
'''
    body = '''
op.execute("COMMIT")
op.execute("ALTER TYPE order_state ADD VALUE 'shipped'")
op.execute("UPDATE orders SET state = 'shipped' WHERE state = 'paid'")
'''
    psycopg3 = _review(tmp_path, enum, body, url="postgresql+psycopg://app@db/app")
    assert rule_hits(psycopg3, "enum-add-value-in-transaction") == [("r2", body_line(body, "ADD VALUE"))]
    psycopg2 = _review(tmp_path, enum, body, url="postgresql+psycopg2://app@db/app")
    assert rule_hits(psycopg2, "enum-add-value-in-transaction") == []


def test_autocommit_after_a_bare_commit_works_with_psycopg3_and_fails_with_psycopg2(tmp_path):
    body = '''
op.execute("COMMIT")
op.get_bind().connection.dbapi_connection.autocommit = True
op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
'''
    psycopg3 = _review(tmp_path, USERS_TABLE, body, url="postgresql+psycopg://app@db/app")
    assert rule_hits(psycopg3, "concurrent-index-in-transaction") == []
    # psycopg2's note still says a transaction is open: it refuses the switch.
    psycopg2 = _review(tmp_path, USERS_TABLE, body, url="postgresql+psycopg2://app@db/app")
    [problem] = psycopg2.errors
    assert problem.message == "ProgrammingError: set_session cannot be used inside a transaction"
    assert problem.line == body_line(body, "autocommit = True")


def test_psycopg3_refuses_set_isolation_level_zero(tmp_path):
    body = '''
op.get_bind().connection.set_isolation_level(0)
'''
    report = _review(tmp_path, USERS_TABLE, body, url="postgresql+psycopg://app@db/app")
    [problem] = report.errors
    assert problem.message == "ValueError: 0 is not a valid IsolationLevel"


def test_the_driver_is_read_from_env_py_before_alembic_ini(tmp_path):
    env_py = '''
from alembic import context
from sqlalchemy import create_engine
import os

engine = create_engine(f"postgresql+psycopg://{os.environ['DB_USER']}@db/app")
'''
    root = _project(tmp_path, USERS_TABLE, url="postgresql+psycopg2://app@db/app", env_py=env_py)
    driver = read_driver(root / "alembic.ini", root / "migrations" / "env.py")
    assert (driver.name, driver.source) == ("psycopg", "env.py")
    assert (read_driver(root / "alembic.ini", None).name, read_driver(root / "alembic.ini", None).source) == (
        "psycopg2", "alembic.ini")
    # Alembic's template placeholder names no PostgreSQL driver: SQLAlchemy's default.
    (root / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = driver://user:pass@localhost/dbname\n")
    assert (read_driver(root / "alembic.ini", None).name, read_driver(root / "alembic.ini", None).source) == (
        "psycopg2", "default")


def test_the_driver_is_an_assumption_of_the_report(tmp_path):
    report = _review(tmp_path, USERS_TABLE, url="postgresql+psycopg://app@db/app")
    assumptions = json.loads(render_json(report))["assumptions"]
    assert assumptions["driver"] == "psycopg" and assumptions["driver_source"] == "alembic.ini"
    assert "opens a new transaction after a bare COMMIT" in assumptions["driver_description"]
    assert "driver psycopg (from alembic.ini)" in report.assumptions_line
    default = _review(tmp_path, USERS_TABLE)
    assert "driver psycopg2 (SQLAlchemy's default for postgresql://)" in default.assumptions_line


def test_the_configuration_names_the_driver_when_the_url_does_not(tmp_path):
    # The URL comes from the deploy's environment (DATABASE_URL): the team says which driver it uses.
    root = _project(tmp_path, USERS_TABLE, BARE_COMMIT_THEN_INDEX, url="postgresql://app@db/app")
    (root / "pyproject.toml").write_text('[tool.migsafe]\ndriver = "psycopg"\n', encoding="utf-8")
    report = review(ReviewOptions(paths=[root], cwd=root))
    assert (report.driver.name, report.driver.source) == ("psycopg", "[tool.migsafe]")
    assert rule_hits(report, "concurrent-index-in-transaction") == [
        ("r2", body_line(BARE_COMMIT_THEN_INDEX, "ix_users_nickname"))]


def test_a_driver_setting_that_is_no_name_is_refused(tmp_path):
    import pytest

    from migsafe.errors import UsageError

    root = _project(tmp_path, USERS_TABLE)
    (root / "pyproject.toml").write_text('[tool.migsafe]\ndriver = "postgresql+psycopg://"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="driver must be a driver name"):
        review(ReviewOptions(paths=[root], cwd=root))


def test_the_driver_in_env_py_is_the_one_the_url_becomes(tmp_path):
    cases = {
        'url = URL.create("postgresql+psycopg", username=user, host=host)': "psycopg",
        'url = settings.url.set(drivername="postgresql+psycopg2")': "psycopg2",
        'url = settings.dsn.replace("postgresql+asyncpg://", "postgresql+psycopg://")': "psycopg",
        # The asyncpg URL of the application is turned into a plain one for Alembic: SQLAlchemy's default.
        'url = settings.dsn.replace("postgresql+asyncpg://", "postgresql://")': "psycopg2",
    }
    env_py = tmp_path / "env.py"
    for line, driver in cases.items():
        env_py.write_text(f"from sqlalchemy import URL\n{line}\n", encoding="utf-8")
        assert read_driver(None, env_py).name == driver, line


def test_a_connection_env_py_puts_in_autocommit_commits_each_statement_itself(tmp_path):
    # env.py's execution_options(isolation_level="AUTOCOMMIT"): the revision's conn.commit() has nothing to end,
    # and SQLAlchemy opens no transaction for what runs through op.get_bind().
    from migsafe.recording.runner import record_history
    from migsafe.revisions import list_revision_files, load_history

    body = ('conn = op.get_bind()\nconn.execute(sa.text("SELECT count(*) FROM users")).scalar()\n'
            'op.create_index("ix_users_name", "users", ["name"])\nconn.execute(sa.text("UPDATE users SET status = name"))\n'
            'conn.commit()')
    write_history(tmp_path / "versions", [USERS_TABLE, body])
    history = load_history(list_revision_files([tmp_path / "versions"]))
    recorded = {
        autocommit: [s.sql.split()[0] for s in record_history(
            history.files, sys_path=[tmp_path], config_file=None, transaction_per_migration=False,
            transactional_ddl=False, autocommit_connection=autocommit)[1].statements]
        for autocommit in (False, True)}
    assert recorded[True] == ["SELECT", "CREATE", "UPDATE"]
    assert recorded[False] == ["SELECT", "CREATE", "UPDATE", "COMMIT"]
