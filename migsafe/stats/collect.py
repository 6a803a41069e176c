"""Read a server's table statistics into a :class:`~migsafe.stats.snapshot.Snapshot`, without writing anything
and without waiting behind anybody's lock.

The server is usually production, so two guarantees matter more than completeness:

- Nothing is written: one ``READ ONLY`` transaction (``BEGIN READ ONLY``, repeatable read so that every query
  sees the same moment), rolled back at the end.
- Nothing waits: every number comes from the system catalogs (``pg_class.relpages`` x ``block_size`` for heap,
  TOAST and indexes, ``pg_class.reltuples`` for rows) and the cumulative statistics views. Reading a catalog
  row takes no lock on the table it describes, so a migration holding ACCESS EXCLUSIVE on a table does not
  stop us. The size functions (``pg_relation_size`` and friends) open the relation with AccessShareLock and
  would queue behind such a lock, so they are not used. ``lock_timeout`` and ``statement_timeout`` are still
  set (``SET LOCAL``), short, as a safety net: if anything ever did wait, the run fails fast with a one-line
  message instead of queueing other sessions behind it.

The price is freshness: ``relpages`` and ``reltuples`` are as of the table's last VACUUM, ANALYZE
(autovacuum's included) or CREATE INDEX. That is what PostgreSQL's own planner starts from, and autovacuum keeps
busy tables close (docs/stats.md).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator, Mapping, Sequence

import psycopg
from psycopg import IsolationLevel
from psycopg.conninfo import make_conninfo

from migsafe.database_url import describe_server, first_line, parse_database_url
from migsafe.errors import MigsafeError, UsageError
from migsafe.stats.snapshot import Activity, Partitions, Skipped, Snapshot, Table

DEFAULT_LOCK_TIMEOUT = "100ms"
DEFAULT_STATEMENT_TIMEOUT = "30s"
CONNECT_TIMEOUT = 10  # seconds, unless the URL says otherwise
APPLICATION_NAME = "migsafe stats"  # what a DBA sees in pg_stat_activity

# A PostgreSQL duration with an explicit, small set of units; a bare number is milliseconds, as for SET.
_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|min)?\s*$")


class StatsError(MigsafeError):
    """The server could not be reached or read; the message is one line and never shows a password."""


# --------------------------------------------------------------------------------------------- entry point


def collect(database_url: str, *, lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
            statement_timeout: str = DEFAULT_STATEMENT_TIMEOUT) -> Snapshot:
    """A snapshot of every table of the database ``database_url`` names (a ``postgresql://`` URL, a SQLAlchemy
    ``postgresql+driver://`` URL or a libpq ``key=value`` string)."""
    lock_timeout = check_duration(lock_timeout, "--lock-timeout")
    statement_timeout = check_duration(statement_timeout, "--statement-timeout")
    params = parse_database_url(database_url)
    where = describe_server(params)
    with read_only_session(params, where, lock_timeout=lock_timeout,
                           statement_timeout=statement_timeout) as conn:
        return _guarded(lambda: read_snapshot(conn), where, lock_timeout, statement_timeout)


def check_duration(value: str, option: str) -> str:
    """``value`` normalized (``"100ms"``); a clear error for anything else, and for 0, which PostgreSQL reads as
    "no timeout": the opposite of what the option is for."""
    match = _DURATION.match(value)
    if match is None:
        raise UsageError(f"{option} must be a duration such as 100ms, 2s or 1min, not {value!r}")
    if int(match.group(1)) == 0:
        raise UsageError(f"{option} must be more than 0 (0 means wait forever)")
    return f"{int(match.group(1))}{match.group(2) or 'ms'}"


@contextmanager
def read_only_session(params: Mapping[str, str], where: str, *, lock_timeout: str,
                      statement_timeout: str) -> Iterator[psycopg.Connection]:
    """A connection inside a READ ONLY, REPEATABLE READ transaction with ``lock_timeout`` and
    ``statement_timeout`` set for it (``SET LOCAL``); rolled back and closed afterwards."""
    try:
        conn = psycopg.connect(make_conninfo(**{"application_name": APPLICATION_NAME,
                                                "connect_timeout": str(CONNECT_TIMEOUT), **params}),
                               autocommit=False)
    except psycopg.Error as error:
        raise StatsError(f"cannot connect to --database-url ({where}): {first_line(error)}") from None
    try:
        conn.read_only = True
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        # The first statement opens the transaction (BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ); is_local
        # makes these SET LOCAL: they end with it.
        _guarded(lambda: conn.execute("SELECT set_config('lock_timeout', %s, true), "
                                      "set_config('statement_timeout', %s, true)",
                                      (lock_timeout, statement_timeout)),
                 where, lock_timeout, statement_timeout)
        yield conn
    finally:
        try:
            conn.rollback()  # nothing to keep; a read-only transaction has nothing to commit anyway
        except psycopg.Error:
            pass  # the connection is gone: the server has ended the transaction itself
        conn.close()


# --------------------------------------------------------------------------------------------- queries

_SERVER = """
SELECT current_database(), pg_is_in_recovery(), current_setting('block_size')::int,
       current_setting('server_version'), current_setting('server_version_num')::int, now(),
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database())
"""

# One row per table, partitioned table, materialized view and foreign table outside the system schemas and
# other sessions' temporary schemas. Catalog columns and statistics counters only: no function here opens the
# relation (which would lock it).
_RELATIONS = """
SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpages, c.reltuples,
       coalesce(toast.relpages, 0)
         + coalesce((SELECT sum(i.relpages) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                     WHERE x.indrelid = c.reltoastrelid), 0),
       coalesce((SELECT sum(i.relpages) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                 WHERE x.indrelid = c.oid), 0),
       coalesce(s.n_tup_ins, 0), coalesce(s.n_tup_upd, 0), coalesce(s.n_tup_del, 0), coalesce(s.n_live_tup, 0),
       coalesce(s.seq_scan, 0), s.idx_scan,
       greatest(s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p', 'm', 'f')
  AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast'
ORDER BY n.nspname, c.relname
"""

# Partitions, one level at a time (sub-partitioned tables are followed in Python). Plain inheritance children
# are tables of their own, whose rows the parent does not count, so only partitioned parents are followed.
_PARTITIONS = """
SELECT i.inhrelid, i.inhparent FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relkind = 'p'
"""

_KIND = {"r": "table", "p": "partitioned_table", "m": "materialized_view"}


@dataclass
class _Relation:
    """A row of :data:`_RELATIONS`, before partitioned tables get their sums."""

    oid: int
    schema: str
    name: str
    relkind: str
    rows: int | None
    table_bytes: int | None
    index_bytes: int | None
    activity: Activity
    parent: int | None = None
    children: list[int] = field(default_factory=list)


def read_snapshot(conn: psycopg.Connection) -> Snapshot:
    """Everything, read in the (read-only) transaction ``conn`` is in."""
    database, in_recovery, block_size, version, version_num, now, stats_reset = \
        conn.execute(_SERVER).fetchone()  # type: ignore[misc]
    relations = {row[0]: _relation(row, block_size, version_num) for row in conn.execute(_RELATIONS)}
    for child, parent in conn.execute(_PARTITIONS):
        if child in relations and parent in relations:
            relations[child].parent = parent
            relations[parent].children.append(child)
    tables: list[Table] = []
    skipped: list[Skipped] = []
    for relation in relations.values():
        if relation.relkind == "f":
            skipped.append(Skipped(relation.schema, relation.name,
                                   "foreign table: its rows live on another server"))
            continue
        tables.append(_table(relation, relations))
    return Snapshot(taken_at=_iso(now), server_version=version.split()[0], server_version_num=version_num,
                    source="standby" if in_recovery else "primary", database=database,
                    stats_reset=_iso(stats_reset) if stats_reset else None, tables=tuple(tables),
                    skipped=tuple(skipped))


def _relation(row: Sequence[object], block_size: int, version_num: int) -> _Relation:
    (oid, schema, name, relkind, relpages, reltuples, toast_pages, index_pages,
     ins, upd, dele, live, seq_scan, idx_scan, measured) = row
    activity = Activity(n_tup_ins=int(ins), n_tup_upd=int(upd), n_tup_del=int(dele),  # type: ignore[call-overload]
                        n_live_tup=int(live), seq_scan=int(seq_scan),  # type: ignore[call-overload]
                        idx_scan=None if idx_scan is None else int(idx_scan),  # type: ignore[call-overload]
                        last_vacuum_or_analyze=_iso(measured) if measured else None)  # type: ignore[arg-type]
    if _never_measured(float(reltuples), int(relpages), version_num):  # type: ignore[arg-type, call-overload]
        rows = table_bytes = index_bytes = None
    else:
        rows = round(float(reltuples))  # type: ignore[arg-type]
        table_bytes = (int(relpages) + int(toast_pages)) * block_size  # type: ignore[call-overload]
        index_bytes = int(index_pages) * block_size  # type: ignore[call-overload]
    return _Relation(oid=int(oid), schema=str(schema), name=str(name),  # type: ignore[call-overload]
                     relkind=str(relkind), rows=rows, table_bytes=table_bytes, index_bytes=index_bytes,
                     activity=activity)


def _never_measured(reltuples: float, relpages: int, version_num: int) -> bool:
    """Has no VACUUM, ANALYZE or index build ever measured this table? From PostgreSQL 14 the catalog says so
    with ``reltuples = -1``; then ``relpages`` is unmeasured too (0, or from an index built while the table was
    empty), so neither rows nor bytes can be estimated from it. Before 14, never measured and empty both read
    0 rows in 0 pages: taken as unknown, which never understates a table."""
    if version_num >= 140000:
        return reltuples < 0
    return reltuples <= 0 and relpages == 0


def _table(relation: _Relation, relations: Mapping[int, _Relation]) -> Table:
    parent = relations[relation.parent] if relation.parent is not None else None
    partition_of = f"{parent.schema}.{parent.name}" if parent else None
    if relation.relkind != "p":
        return Table(schema=relation.schema, name=relation.name, kind=_KIND[relation.relkind], rows=relation.rows,
                     rows_source="unknown" if relation.rows is None else "reltuples",
                     table_bytes=relation.table_bytes, index_bytes=relation.index_bytes,
                     activity=relation.activity, partition_of=partition_of)
    leaves = list(_leaves(relation, relations))
    measured = [leaf for leaf in leaves if leaf.relkind != "f" and leaf.rows is not None]
    unknown = bool(leaves) and not measured  # no leaf measured: a sum of nothing would claim 0 rows
    return Table(
        schema=relation.schema, name=relation.name, kind="partitioned_table",
        rows=None if unknown else sum(leaf.rows or 0 for leaf in measured),
        rows_source="unknown" if unknown else "partitions",
        table_bytes=None if unknown else sum(leaf.table_bytes or 0 for leaf in measured),
        index_bytes=None if unknown else sum(leaf.index_bytes or 0 for leaf in measured),
        activity=_summed_activity([leaf.activity for leaf in leaves if leaf.relkind != "f"]),
        partition_of=partition_of,
        partitions=Partitions(leaves=len(leaves), without_estimate=len(leaves) - len(measured)),
    )


def _leaves(relation: _Relation, relations: Mapping[int, _Relation]) -> Iterator[_Relation]:
    """The partitions of a partitioned table that hold rows, through any depth of sub-partitioning."""
    for oid in relation.children:
        child = relations[oid]
        if child.relkind == "p":
            yield from _leaves(child, relations)
        else:
            yield child


def _summed_activity(parts: Sequence[Activity]) -> Activity:
    """A partitioned table's counters: its partitions' sums (a scan of several partitions counts once for each),
    and the oldest measurement among them (None if any partition was never measured)."""
    measured = [part.last_vacuum_or_analyze for part in parts]
    index_scans = [part.idx_scan for part in parts if part.idx_scan is not None]
    return Activity(
        n_tup_ins=sum(part.n_tup_ins for part in parts), n_tup_upd=sum(part.n_tup_upd for part in parts),
        n_tup_del=sum(part.n_tup_del for part in parts), n_live_tup=sum(part.n_live_tup for part in parts),
        seq_scan=sum(part.seq_scan for part in parts), idx_scan=sum(index_scans) if index_scans else None,
        last_vacuum_or_analyze=None if not measured or None in measured else min(measured),  # type: ignore[type-var]
    )


# --------------------------------------------------------------------------------------------- helpers


def _guarded(call, where: str, lock_timeout: str, statement_timeout: str):  # type: ignore[no-untyped-def]
    """``call()`` with the server's errors turned into one-line :class:`StatsError`\\ s."""
    try:
        return call()
    except psycopg.errors.LockNotAvailable as error:
        raise StatsError(f"{where}: gave up waiting for a lock after --lock-timeout {lock_timeout} "
                         f"(nothing was changed): {first_line(error)}") from None
    except psycopg.errors.QueryCanceled as error:
        raise StatsError(f"{where}: a catalog query ran longer than --statement-timeout {statement_timeout} "
                         f"and was cancelled: {first_line(error)}") from None
    except psycopg.Error as error:
        raise StatsError(f"{where}: reading statistics failed: {first_line(error)}") from None


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


