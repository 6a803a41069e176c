"""The seeder against a real PostgreSQL: every existing table must really hold rows before a revision is replayed.

One throwaway server for the module (``local_cluster``); every test gets a database of its own, because the
seeder fills every table it finds.
"""

from __future__ import annotations

import secrets
from typing import Iterator

import psycopg
import pytest
from psycopg import sql

from migsafe.replay.seed import SeedResult, seed_tables
from migsafe.replay.server import ScratchDatabase, ServerUnavailableError, find_server_binaries, local_cluster


@pytest.fixture(scope="module")
def server() -> Iterator[ScratchDatabase]:
    try:
        with local_cluster(find_server_binaries()) as db:  # as superuser: every test creates a database
            yield db
    except ServerUnavailableError as error:
        pytest.skip(f"no PostgreSQL to test against: {error}")


@pytest.fixture
def conn(server: ScratchDatabase) -> Iterator[psycopg.Connection]:
    """An autocommit connection to a fresh, empty database."""
    name = f"seed_{secrets.token_hex(4)}"
    with server.connect(autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with server.connect(dbname=name, autocommit=True) as connection:
            yield connection
    finally:
        with server.connect(autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def count(conn: psycopg.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def scalar(conn: psycopg.Connection, query: str) -> object:
    return conn.execute(query).fetchone()[0]


# Every kind of column the brief names, in a parent/child pair, plus the tables the seeder must leave alone.
SCHEMA = """
CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');
CREATE DOMAIN short_code AS varchar(8) CHECK (VALUE <> '');
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
CREATE TABLE parent (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    created timestamptz DEFAULT now()
);
CREATE TABLE child (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id int NOT NULL REFERENCES parent,
    mood mood NOT NULL,
    code varchar(5) NOT NULL UNIQUE,
    small smallint,
    price numeric(5, 2) NOT NULL,
    token uuid NOT NULL UNIQUE,
    doc jsonb,
    happened_at timestamptz NOT NULL,
    required text NOT NULL,
    with_default int NOT NULL DEFAULT 7,
    doubled int GENERATED ALWAYS AS (small * 2) STORED,
    manager_id bigint REFERENCES child,
    tags text[] NOT NULL,
    label short_code NOT NULL,
    flag boolean, day date, at_time time, span interval, ip inet, mac macaddr, raw bytea, ratio float8
);
"""


def test_seeds_every_kind_of_column(conn: psycopg.Connection) -> None:
    conn.execute(SCHEMA)

    result = seed_tables(conn, 2000)

    assert [(t.name, t.existing, t.inserted) for t in result.seeded] == [("parent", 0, 2000), ("child", 0, 2000)]
    assert result.unseedable == ()
    assert count(conn, "parent") == count(conn, "child") == 2000
    assert count(conn, "alembic_version") == 0
    stats = conn.execute("""
        SELECT count(DISTINCT mood) AS moods, max(length(code)) AS code_length, count(DISTINCT code) AS codes,
               count(DISTINCT token) AS tokens, max(price) < 1000 AS price_fits, count(DISTINCT id) AS ids,
               bool_and(doubled = small * 2) AS generated_ok, bool_and(with_default = 7) AS default_ok,
               count(manager_id) AS managers, bool_and(cardinality(tags) = 1) AS tags_ok,
               count(DISTINCT label) AS labels,
               count(flag) + count(doc) + count(raw) + count(ip) + count(span) + count(day) AS nullable_filled
        FROM child""", ).fetchone()
    assert stats == (3, 5, 2000, 2000, True, 2000, True, True, 0, True, 2000, 6 * 2000)
    # Every parent is used once: the child's keys cycle through the parent's rows.
    assert scalar(conn, "SELECT count(DISTINCT parent_id) FROM child") == 2000
    # The default applied where it was not unique; the serial sequence stayed in step with the rows.
    assert scalar(conn, "SELECT count(created) FROM parent") == 2000
    assert scalar(conn, "SELECT last_value FROM parent_id_seq") == 2000


def test_tops_up_without_unique_violations(conn: psycopg.Connection) -> None:
    conn.execute(SCHEMA)
    first = seed_tables(conn, 500)
    assert first.inserted("public", "child") == 500

    second = seed_tables(conn, 2000)

    assert [(t.name, t.existing, t.inserted) for t in second.seeded] == [("parent", 500, 1500),
                                                                          ("child", 500, 1500)]
    assert count(conn, "parent") == count(conn, "child") == 2000  # nothing was skipped as a conflict
    # The self-reference, NULL while the table was empty, now points at the rows that were there before.
    assert scalar(conn, "SELECT count(manager_id) FROM child") == 1500
    assert scalar(conn, "SELECT max(manager_id) FROM child") <= 500
    assert seed_tables(conn, 1000).total_inserted == 0  # already above the target: nothing to do


def test_unseedable_tables_are_reported_and_the_others_still_seeded(conn: psycopg.Connection) -> None:
    conn.execute("""
        CREATE TABLE negative (id serial PRIMARY KEY, n int NOT NULL CHECK (n < 0));
        CREATE TABLE needs_negative (id serial PRIMARY KEY, negative_id int NOT NULL REFERENCES negative);
        CREATE TABLE shapes (id serial PRIMARY KEY, p point NOT NULL);
        CREATE TABLE fine (id serial PRIMARY KEY, name text NOT NULL);
    """)

    result = seed_tables(conn, 100)

    reasons = {t.name: t.reason for t in result.unseedable}
    assert reasons == {
        "negative": 'new row for relation "negative" violates check constraint "negative_n_check"',
        "needs_negative":
            "referenced table public.negative has no rows for foreign key needs_negative_negative_id_fkey",
        "shapes": "no value generator for NOT NULL column p of type point",
    }
    assert [t.name for t in result.seeded] == ["fine"]
    assert count(conn, "fine") == 100 and count(conn, "negative") == 0


def test_seeded_tables_make_the_dangerous_migration_fail(conn: psycopg.Connection) -> None:
    """The point of seeding: a NOT NULL column without a default can be added to an empty table, not a real one."""
    conn.execute("CREATE TABLE empty (id serial PRIMARY KEY); CREATE TABLE users (id serial PRIMARY KEY, email text)")
    seed_tables(conn, 50, [("public", "users")])

    conn.execute("ALTER TABLE empty ADD COLUMN x int NOT NULL")
    with pytest.raises(psycopg.errors.NotNullViolation, match="contains null values"):
        conn.execute("ALTER TABLE users ADD COLUMN x int NOT NULL")


def test_cycles_partitions_odd_names_and_explicit_tables(conn: psycopg.Connection) -> None:
    conn.execute("""
        CREATE SCHEMA "Odd Schema";
        CREATE TABLE "Odd Schema"."Table ""x"" 1" ("the id" serial PRIMARY KEY, "Name's" varchar(3) UNIQUE);
        CREATE TABLE cyc_a (id serial PRIMARY KEY, b_id int);
        CREATE TABLE cyc_b (id serial PRIMARY KEY, a_id int NOT NULL REFERENCES cyc_a);
        ALTER TABLE cyc_a ADD FOREIGN KEY (b_id) REFERENCES cyc_b;
        CREATE TABLE events (id int NOT NULL, k int NOT NULL, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
        CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (0) TO (200);
        CREATE TABLE events_high PARTITION OF events FOR VALUES FROM (200) TO (MAXVALUE);
        CREATE TABLE link (a_id int REFERENCES cyc_a, b_id int REFERENCES cyc_b, PRIMARY KEY (a_id, b_id));
    """)

    result = seed_tables(conn, 300)

    # The cycle is broken at cyc_a, whose foreign key is nullable (and stays NULL); partitions go via their parent.
    order = [t.name for t in result.seeded]
    assert sorted(order) == ['Table "x" 1', "cyc_a", "cyc_b", "events", "link"]
    assert order.index("cyc_a") < order.index("cyc_b") < order.index("link")
    assert result.unseedable == ()
    assert count(conn, '"Odd Schema"."Table ""x"" 1"') == 300 == count(conn, "events")
    assert count(conn, "events_low") > 0 and count(conn, "events_high") > 0
    assert scalar(conn, "SELECT count(b_id) FROM cyc_a") == 0

    only = seed_tables(conn, 400, [("public", "cyc_a"), ("public", "nope")])
    assert [(t.name, t.inserted) for t in only.seeded] == [("cyc_a", 100)]
    assert [(t.name, t.reason) for t in only.unseedable] == [("nope", "no such ordinary or partitioned table")]
    assert scalar(conn, "SELECT count(b_id) FROM cyc_a") == 100  # now cyc_b has rows to point at


def test_inheritance_and_deferrable_constraints(conn: psycopg.Connection) -> None:
    """Legacy inheritance: a parent's count and foreign keys see only its own rows. Deferrable unique and
    exclusion constraints cannot be ON CONFLICT arbiters, so those tables are inserted into without it.
    """
    conn.execute("""
        CREATE TABLE base (id serial PRIMARY KEY, name text NOT NULL);
        CREATE TABLE derived (extra int) INHERITS (base);
        CREATE TABLE refers (id serial PRIMARY KEY, base_id int NOT NULL REFERENCES base);
        CREATE TABLE deferred (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED, code text UNIQUE DEFERRABLE);
        CREATE TABLE booking (room int NOT NULL, during tstzrange NOT NULL,
                              EXCLUDE USING gist (during WITH &&) DEFERRABLE);
    """)

    result = seed_tables(conn, 40)

    assert result.unseedable == ()
    assert {t.name: t.inserted for t in result.seeded} == {"base": 40, "derived": 40, "refers": 40,
                                                            "deferred": 40, "booking": 40}
    assert count(conn, "ONLY base") == 40 and count(conn, "base") == 80


def test_connection_modes(server: ScratchDatabase, conn: psycopg.Connection) -> None:
    """Without autocommit the rows are committed all the same; an open transaction is refused, not committed."""
    conn.execute("CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL)")
    dbname = conn.info.dbname
    with server.connect(dbname=dbname) as manual:
        assert seed_tables(manual, 10).inserted("public", "t") == 10
        assert count(conn, "t") == 10  # seen from another connection
        manual.execute("SELECT 1")
        with pytest.raises(ValueError, match="no transaction open"):
            seed_tables(manual, 20)
    with pytest.raises(ValueError, match="rows"):
        seed_tables(conn, -1)


def test_seeding_5000_rows_into_ten_tables(conn: psycopg.Connection) -> None:
    # Timing belongs to benchmarks/, not to an assertion here; this checks the volume is handled.
    conn.execute(SCHEMA)
    for i in range(8):
        conn.execute(f"""CREATE TABLE extra_{i} (id serial PRIMARY KEY, parent_id int NOT NULL REFERENCES parent,
                         name varchar(40) NOT NULL UNIQUE, amount numeric(10, 2), at timestamptz NOT NULL,
                         payload jsonb, flag boolean NOT NULL DEFAULT false)""")
    result: SeedResult = seed_tables(conn, 5000)
    assert len(result.seeded) == 10 and result.total_inserted == 50_000
