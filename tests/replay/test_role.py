"""Replayed revisions run as a throwaway role: with a superuser --database-url they still cannot change the server.

A local cluster, driven as its superuser, stands in for the user's server; the URL replay gets is that superuser's.
Everything is checked on the real server afterwards (settings files, roles, databases, files on disk).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from conftest import USERS_TABLE, needs_sqlalchemy_2, write_history
from migsafe.replay.run import DATABASE_URL_VARIABLE, ReplayOptions, replay
from migsafe.replay.server import (
    SCRATCH_PREFIX,
    ScratchDatabase,
    ServerError,
    find_server_binaries,
    local_cluster,
    scratch_database,
    scratch_lock_key,
    with_password,
)
from replay.test_server import needs_postgres

pytestmark = needs_postgres


@pytest.fixture(scope="module")
def admin() -> Iterator[ScratchDatabase]:
    """The user's server, as its superuser."""
    with local_cluster(find_server_binaries()) as db:
        with db.connect(autocommit=True) as conn:
            conn.execute("CREATE DATABASE app")
            conn.execute("CREATE DATABASE other")
        yield db


def url_for(admin: ScratchDatabase, dbname: str = "app") -> str:
    return f"postgresql://postgres@/{dbname}?host={quote(str(admin.directory), safe='')}"


def rows(admin: ScratchDatabase, query: str, dbname: str = "postgres") -> set[tuple[object, ...]]:
    with admin.connect(dbname=dbname) as conn:
        return set(conn.execute(query).fetchall())


def server_state(admin: ScratchDatabase) -> dict[str, set[tuple[object, ...]]]:
    return {
        "settings": rows(admin, "SELECT sourcefile, name, setting FROM pg_file_settings"),
        "roles": rows(admin, "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles"),
        "databases": rows(admin, "SELECT datname FROM pg_database"),
        "app tables": rows(admin, "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'public'", "app"),
    }


def leftovers(admin: ScratchDatabase) -> set[tuple[object, ...]]:
    like = SCRATCH_PREFIX.replace("_", r"\_") + "%"
    return rows(admin, f"SELECT datname FROM pg_database WHERE datname LIKE '{like}' "
                       f"UNION SELECT rolname FROM pg_roles WHERE rolname LIKE '{like}'")


@pytest.fixture
def marker() -> Iterator[Path]:
    """A file a revision must not manage to create: in /tmp itself, which the server's OS user may write to, so
    only the missing right stops the program."""
    path = Path("/tmp") / f"migsafe-role-marker-{secrets.token_hex(4)}"
    yield path
    path.unlink(missing_ok=True)


@needs_sqlalchemy_2
def test_hostile_revisions_fail_as_for_an_application_role_and_the_server_is_unchanged(admin, tmp_path, marker,
                                                                                       monkeypatch):
    stolen = tmp_path / "stolen-url"
    hostile = {
        "ALTER SYSTEM": 'with op.get_context().autocommit_block():\n'
                        '    op.execute("ALTER SYSTEM SET work_mem = \'64MB\'")',
        "TO PROGRAM": f'op.execute("COPY (SELECT 1) TO PROGRAM \'touch {marker}\'")',
        "CREATE ROLE": 'op.execute("CREATE ROLE evil SUPERUSER LOGIN")',
        "DROP DATABASE": 'with op.get_context().autocommit_block():\n    op.execute("DROP DATABASE other")',
        "URL": "import os\nimport psycopg\n"
               f"url = os.environ.get({DATABASE_URL_VARIABLE!r})\n"
               f"open({str(stolen)!r}, 'a').write(repr((url, os.environ.get('PGPASSWORD'))) + '\\n')\n"
               "if url:\n"
               "    psycopg.connect(url, autocommit=True).execute('CREATE TABLE stolen (id int)')\n"
               "op.execute(\"SELECT pg_read_file('/etc/passwd')\")",
        "signal": 'op.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \'postgres\'")',
    }
    write_history(tmp_path / "versions", [USERS_TABLE, *hostile.values()])
    before = server_state(admin)
    url = url_for(admin)
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)  # as the CLI gets it; it reads it before replay() runs
    monkeypatch.setenv("PGPASSWORD", "s3cret")  # the admin's password, for libpq (trust ignores it here)
    result = replay(ReplayOptions(paths=[tmp_path / "versions"], cwd=tmp_path, rows=10, database_url=url,
                                  select=["drop-column"]))  # no static rule predicts these failures
    failed = {f.revision: f.message for f in result.report.findings if f.rule == "migration-failed"}
    assert sorted(failed) == [f"r{n}" for n in range(2, 2 + len(hostile))], result.report.findings
    messages = dict(zip(hostile, (failed[f"r{n}"] for n in range(2, 2 + len(hostile)))))
    assert 'permission denied to set parameter "work_mem"' in messages["ALTER SYSTEM"]
    assert "pg_execute_server_program" in messages["TO PROGRAM"]
    assert "must be superuser to create superusers" in messages["CREATE ROLE"]
    assert "must be owner of database other" in messages["DROP DATABASE"]
    assert "permission denied for function pg_read_file" in messages["URL"]
    assert "superuser" in messages["signal"]
    assert not marker.exists()
    # Static review, then replay: neither saw the URL or the password.
    assert stolen.read_text().splitlines() == ["(None, None)", "(None, None)"]
    assert DATABASE_URL_VARIABLE not in os.environ and "PGPASSWORD" not in os.environ
    assert server_state(admin) == before
    assert leftovers(admin) == set()
    assert result.exit_code() == 1


def test_revisions_connect_as_a_role_without_rights_and_cannot_switch_back(admin):
    with scratch_database(database_url=url_for(admin)) as db:
        assert db.role is not None and db.role.startswith(SCRATCH_PREFIX) and db.dbname == db.role
        with db.connect(autocommit=True) as conn:
            assert conn.execute("SELECT session_user, current_user, current_database()").fetchone() == \
                (db.role, db.role, db.dbname)
            flags = conn.execute("SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
                                 "FROM pg_roles WHERE rolname = current_user").fetchone()
            assert flags == (False, False, False, False, False)
            memberships = conn.execute("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                                       "WHERE r.rolname = current_user").fetchone()
            assert memberships == (0,)
            for predefined in ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program",
                               "pg_signal_backend"):
                assert conn.execute("SELECT pg_has_role(%s, 'USAGE')", [predefined]).fetchone() == (False,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SET ROLE postgres")
            conn.execute("RESET ROLE")
            assert conn.execute("SELECT current_user").fetchone() == (db.role,)
            conn.execute("CREATE TABLE mine (id int)")  # its own database is its to wreck
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT lo_import('/etc/passwd')")
        # PUBLIC's CONNECT lets it open another database, where it may not change anything (PostgreSQL 15+).
        with db.connect(dbname="app", autocommit=True) as conn:
            if conn.info.server_version >= 150000:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute("CREATE TABLE intruder (id int)")
    assert leftovers(admin) == set()


def _stale(conn: psycopg.Connection, name: str, database: bool = True) -> None:
    conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
    if database:
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(name)))


def test_leftovers_of_a_killed_run_are_removed_and_those_of_a_live_run_kept(admin):
    killed, half_made, live = (SCRATCH_PREFIX + secrets.token_hex(6) for _ in range(3))
    not_ours = SCRATCH_PREFIX + "keep_me"
    with admin.connect(autocommit=True) as conn:
        _stale(conn, killed)
        _stale(conn, half_made, database=False)  # killed between CREATE ROLE and CREATE DATABASE
        _stale(conn, live)
        _stale(conn, not_ours)
    # The live run holds its lock from another database than the one in the URL.
    with admin.connect(dbname="other", autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [scratch_lock_key(live)])
        with scratch_database(database_url=url_for(admin)):
            pass
        remaining = {name for (name,) in leftovers(admin)}
    assert remaining == {live, not_ours}
    with admin.connect(autocommit=True) as conn:
        for name in (live, not_ours):
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def test_cleanup_still_happens_when_the_urls_database_is_gone(admin):
    with admin.connect(autocommit=True) as conn:
        conn.execute("CREATE DATABASE doomed")
    with scratch_database(database_url=url_for(admin, "doomed")) as db:
        with admin.connect(autocommit=True) as conn:
            conn.execute("DROP DATABASE doomed WITH (FORCE)")  # someone else dropped it meanwhile
        assert db.dbname in {name for (name,) in leftovers(admin)}
    assert leftovers(admin) == set()


@needs_sqlalchemy_2
def test_extensions_the_role_may_not_create_are_created_beforehand(admin, tmp_path):
    bodies = [
        USERS_TABLE,
        'op.execute("CREATE EXTENSION IF NOT EXISTS dblink")',  # untrusted: created beforehand by the admin
        'op.execute("CREATE EXTENSION hstore")',  # trusted: the role, owner of the database, creates it
        # With dblink the role still cannot reach anything without a password.
        'op.execute("SELECT dblink_connect(\'dbname=app\')")',
        'op.execute("CREATE EXTENSION postgres_fdw")',  # untrusted and not IF NOT EXISTS: fails, with a hint
    ]
    write_history(tmp_path / "versions", bodies)
    result = replay(ReplayOptions(paths=[tmp_path / "versions"], cwd=tmp_path, rows=10,
                                  database_url=url_for(admin), select=["drop-column"]))
    errors = {r.revision: r.error for r in result.revisions if r.error}
    assert set(errors) == {"r4", "r5"}, errors
    assert "password is required" in errors["r4"]
    assert 'permission denied to create extension "postgres_fdw"' in errors["r5"]
    [hint] = [f.message for f in result.report.findings if f.revision == "r5"]
    assert "IF NOT EXISTS" in hint
    assert leftovers(admin) == set()


def test_a_url_role_without_the_rights_gets_a_one_line_error_naming_them(admin):
    with admin.connect(autocommit=True) as conn:
        conn.execute("CREATE ROLE weak LOGIN")
    try:
        url = url_for(admin).replace("postgres@", "weak@")
        with pytest.raises(Exception) as raised:
            with scratch_database(database_url=url):
                pass
        message = str(raised.value)
        assert "\n" not in message and "CREATEDB and CREATEROLE" in message and "permission denied" in message
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute("DROP ROLE weak")
    assert leftovers(admin) == set()


@needs_sqlalchemy_2
def test_a_url_role_with_just_createdb_and_createrole_is_enough(admin, tmp_path):
    # A superuser's leftover with a session still open in it is beyond deployer's rights: left alone, no error.
    beyond = SCRATCH_PREFIX + secrets.token_hex(6)
    with admin.connect(autocommit=True) as conn:
        conn.execute("CREATE ROLE deployer LOGIN CREATEDB CREATEROLE")
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER").format(sql.Identifier(beyond)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(beyond), sql.Identifier(beyond)))
    try:
        with admin.connect(user=beyond, dbname=beyond):
            write_history(tmp_path / "versions", [USERS_TABLE, 'op.create_index("ix_users_name", "users", ["name"])'])
            result = replay(ReplayOptions(paths=[tmp_path / "versions"], cwd=tmp_path, rows=10,
                                          database_url=url_for(admin).replace("postgres@", "deployer@")))
        assert [(f.rule, f.replay_status) for f in result.report.findings] == [("index-not-concurrent", "confirmed")]
        assert leftovers(admin) == {(beyond,)}
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(beyond)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(beyond)))
            conn.execute("DROP ROLE deployer")


@needs_sqlalchemy_2
def test_the_role_cannot_reach_the_local_cluster_superuser_by_sql(tmp_path, marker):
    # The same throwaway role on migsafe's own cluster, where a superuser could run programs as the server's user.
    write_history(tmp_path / "versions", [USERS_TABLE, f'op.execute("COPY (SELECT 1) TO PROGRAM \'touch {marker}\'")'])
    result = replay(ReplayOptions(paths=[tmp_path / "versions"], cwd=tmp_path, rows=10, select=["drop-column"]))
    [failed] = [f for f in result.report.findings if f.rule == "migration-failed"]
    assert "pg_execute_server_program" in failed.message
    assert not marker.exists()
    assert "throwaway role" in result.server


def test_pgpassword_moves_into_the_url_unless_it_has_one():
    assert conninfo_to_dict(with_password("postgresql+psycopg://admin@db.example/app", "s3cret")) == \
        {"user": "admin", "host": "db.example", "dbname": "app", "password": "s3cret"}
    assert conninfo_to_dict(with_password("postgresql://admin:own@db.example/app", "s3cret"))["password"] == "own"


def test_a_server_that_lets_no_new_role_log_in_is_a_one_line_error_and_leaves_nothing():
    with local_cluster(find_server_binaries()) as server:
        assert server.directory is not None
        (server.directory / "data" / "pg_hba.conf").write_text("local all postgres trust\n")
        with server.connect(autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
        with pytest.raises(ServerError) as raised:
            with scratch_database(database_url=url_for(server, "postgres")):
                pass
        message = str(raised.value)
        assert "\n" not in message
        assert "cannot connect as the throwaway role" in message and "pg_hba.conf" in message
        assert leftovers(server) == set()


@needs_sqlalchemy_2
def test_cli_exits_2_with_one_line_when_the_url_role_lacks_the_rights(admin, tmp_path):
    with admin.connect(autocommit=True) as conn:
        conn.execute("CREATE ROLE weakling LOGIN")
    try:
        write_history(tmp_path / "versions", [USERS_TABLE])
        weak_url = url_for(admin).replace("postgres@", "weakling@")
        run = subprocess.run([sys.executable, "-m", "migsafe", "replay", "versions", "--rows", "10"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, DATABASE_URL_VARIABLE: weak_url})
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute("DROP ROLE weakling")
    assert run.returncode == 2, run.stderr
    [line] = run.stderr.strip().splitlines()
    assert "CREATEDB and CREATEROLE" in line and "Traceback" not in run.stderr
