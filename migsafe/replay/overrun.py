"""What replay does when a revision runs past ``revision-timeout``.

The limit itself is review's: :func:`migsafe.recording.runner.time_limit` raises ``RevisionTimeout`` (SIGALRM)
in whatever the revision is doing, a Python ``time.sleep`` as much as a wait for the server's answer (psycopg
checks for signals while it waits). That stops our side only: the statement the revision sent goes on running
on the server, holding its locks, and SQLAlchemy has thrown the connection away. So after an overrun every
backend the revision used is ended on the server (``pg_terminate_backend``, which also cancels its statement),
and we wait until it is gone, so that its locks are released before the next revision runs.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event

from migsafe.recording.runner import RevisionTimeout
from migsafe.replay.model import ReplayedRevision

GONE_WITHIN = 10.0  # seconds to wait for terminated backends to exit

_IDLE = (0, 2, 3)  # psycopg.pq.TransactionStatus IDLE, INTRANS, INERROR: nothing running, the session usable


class Backends:
    """The server backends (pids) that ran a statement since :meth:`clear`, on any connection of ``engine``."""

    def __init__(self, engine: Any) -> None:
        self.pids: set[int] = set()
        event.listen(engine, "before_cursor_execute", self._before)

    def clear(self) -> None:
        self.pids = set()

    def _before(self, conn: Any, cursor: Any, *args: Any) -> None:
        self.pids.add(cursor.connection.info.backend_pid)


def timed_out(failure: BaseException | None) -> bool:
    """Did the revision fail because it ran out of time? Also when the timeout, raised while a statement was
    running, surfaced as another error on the way out (a rollback on the abandoned connection)."""
    seen: set[int] = set()
    while failure is not None and id(failure) not in seen:
        if isinstance(failure, RevisionTimeout):
            return True
        seen.add(id(failure))
        failure = failure.__cause__ or failure.__context__
    return False


def end_overrun(db: Any, connection: Any, backends: Backends) -> None:
    """Nothing of the revision keeps running on the server: end its backends (all but the migration's own
    connection when that one is idle and usable), wait until they are gone, and leave ``connection`` ready to
    reconnect for the next revision."""
    keep: set[int] = set()
    if not connection.invalidated:
        dbapi = connection.connection.dbapi_connection
        if not dbapi.closed and dbapi.info.transaction_status in _IDLE:
            keep.add(dbapi.info.backend_pid)
        else:
            connection.invalidate()  # its statement was interrupted mid-way: psycopg cannot go on with it
    victims = sorted(backends.pids - keep)
    if victims:
        with db.connect(autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE pid = ANY(%s) AND pid <> pg_backend_pid()", [victims])
            deadline = time.monotonic() + GONE_WITHIN
            while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", [victims]).fetchone():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
    if connection.invalidated:
        connection.rollback()  # SQLAlchemy reconnects on the next statement only after this


def mark_overrun(entry: ReplayedRevision, line: int | None, limit: float) -> None:
    """The revision ran out of time: say so (with the limit) on the statement it was cut off in, if any."""
    entry.timed_out = True
    entry.error = f"did not finish within {limit:g} s (revision-timeout); replay stopped it"
    cut_off = [s for s in entry.statements if s.error]
    if cut_off:
        entry.error += " and ended its statement on the server"
        cut_off[-1].error = entry.error
        entry.error_line = cut_off[-1].line
    else:
        entry.error_line = line
