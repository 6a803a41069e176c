"""migsafe.sql.parser builds the same trees as pglast's checked parse, and leaves pglast's checks in place."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pytest
from pglast import ast
from pglast.parser import parse_sql as checked_parse_sql

from migsafe.project import locate
from migsafe.recording.runner import record_history
from migsafe.revisions import list_revision_files, load_history
from migsafe.sql.parser import ParseError, parse_sql

SAMPLES = Path(__file__).resolve().parent.parent / "sample_migrations"

# Statements with every kind of value the C code hands over: enums, chars, bools, floats, bit strings,
# lists, nested nodes, typmods, PL/pgSQL bodies, partitions, multi-statement strings.
STATEMENTS = [
    "CREATE TABLE t (id bigserial PRIMARY KEY, n numeric(10, 2) DEFAULT 1.5 NOT NULL, b bit(3) DEFAULT B'101',"
    " c char(1) CHECK (c IN ('a', 'b')), created timestamptz DEFAULT now(), j jsonb, u uuid UNIQUE,"
    " r int REFERENCES other (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)",
    "CREATE TABLE p (id int, at date) PARTITION BY RANGE (at)",
    "CREATE TABLE p2024 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    "ALTER TABLE p DETACH PARTITION p2024 CONCURRENTLY",
    "ALTER TABLE t ADD COLUMN x integer NOT NULL DEFAULT 0, ALTER COLUMN n TYPE numeric(12, 4) USING n::numeric",
    "ALTER TABLE t ALTER COLUMN j SET NOT NULL, DROP COLUMN IF EXISTS c CASCADE",
    "ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r) REFERENCES other (id) NOT VALID",
    "ALTER TABLE t VALIDATE CONSTRAINT t_r_fk",
    "ALTER TABLE t ADD CONSTRAINT t_u_key UNIQUE USING INDEX t_u_idx",
    "ALTER TABLE ONLY public.t RENAME COLUMN x TO y",
    "ALTER TABLE t SET (fillfactor = 70), REPLICA IDENTITY FULL",
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON t USING btree (lower(c) DESC NULLS LAST)"
    " INCLUDE (n) WHERE n > 0.25",
    "DROP INDEX CONCURRENTLY IF EXISTS ix",
    "REINDEX INDEX CONCURRENTLY ix",
    "CREATE TYPE mood AS ENUM ('sad', 'ok')",
    "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'ok'",
    "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'",
    "LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE NOWAIT",
    "SET lock_timeout = '2s'; SET LOCAL statement_timeout TO 0",
    "UPDATE t SET n = n * 2.5, created = DEFAULT WHERE id IN (SELECT id FROM t2 WHERE flag IS TRUE LIMIT 1000)",
    "INSERT INTO t (id, c) VALUES (1, 'a'), (2, $1) ON CONFLICT (id) DO UPDATE SET c = EXCLUDED.c RETURNING id",
    "DELETE FROM t USING t2 WHERE t.id = t2.id AND t2.at < now() - interval '30 days'",
    "WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved",
    "SELECT count(*), array_agg(DISTINCT x ORDER BY x) FILTER (WHERE x > 1) OVER (PARTITION BY y)"
    " FROM t GROUP BY y HAVING count(*) > 1",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN"
    " CREATE TYPE mood AS ENUM ('a'); END IF; END $$",
    "CREATE OR REPLACE FUNCTION f(a int DEFAULT 1) RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION f()",
    "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one WITH NO DATA",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
    "CREATE SEQUENCE s AS bigint INCREMENT BY 2 START 10 CACHE 5 NO CYCLE",
    "GRANT SELECT, UPDATE (c) ON t TO reader WITH GRANT OPTION",
    "COMMENT ON COLUMN t.c IS 'one char'",
    "TRUNCATE t, t2 RESTART IDENTITY CASCADE",
    "VACUUM (ANALYZE, VERBOSE) t",
    "CLUSTER t USING ix",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
    "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (START WITH 100)",
    "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED, EXCLUDE USING gist (a WITH =))",
    "SELECT '{1,2}'::int[] @> ARRAY[1], 1e10::float8, -0.5, x'ff'::int, E'a\\nb', U&'d\\0061t'",
    "BEGIN; COMMIT; ROLLBACK; SAVEPOINT s1; RELEASE SAVEPOINT s1",
]


def _same(a: object, b: object, path: str) -> None:
    assert type(a) is type(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, ast.Node):
        for name in a:
            _same(getattr(a, name), getattr(b, name), f"{path}.{name}")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"
        if isinstance(a, Enum):
            assert a is b, path


def _recorded_sample_sql() -> list[str]:
    texts = []
    for name in ("dangerous", "clean"):
        project = locate([SAMPLES / name], SAMPLES / name)
        history = load_history(list_revision_files(project.versions_dirs))
        for revision in record_history(history.files, sys_path=project.sys_path, config_file=project.config_file):
            texts.extend(statement.sql for statement in revision.statements if statement.parse_error is None)
    return texts


@pytest.mark.parametrize("sql", STATEMENTS + _recorded_sample_sql())
def test_same_tree_as_checked_parse(sql: str) -> None:
    _same(parse_sql(sql), checked_parse_sql(sql), "stmts")


def test_checks_stay_on_outside_the_parse() -> None:
    parse_sql("SELECT 1")
    with pytest.raises(ValueError, match="Bad value"):
        ast.RangeVar(relname=42)


def test_checks_restored_after_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_sql("ALTER TABLE")
    with pytest.raises(ValueError, match="Bad value"):
        ast.RangeVar(relname=42)
