"""`migsafe replay --stats`: tables seeded in proportion to production, and each statement's measured duration
extrapolated to its table's production size, on a real PostgreSQL (and the pure parts without one)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import USERS_TABLE, needs_sqlalchemy_2, write_history
from migsafe.replay.extrapolate import MIN_SEEDED_ROWS, extrapolate, seeding_targets
from migsafe.replay.model import Extrapolation, ObservedStatement
from migsafe.replay.run import ReplayOptions, replay
from migsafe.stats.snapshot import Activity, Partitions, Snapshot, Table, write
from replay.test_server import needs_postgres

QUIET = Activity(n_tup_ins=0, n_tup_upd=0, n_tup_del=0, n_live_tup=0, seq_scan=0, idx_scan=None,
                 last_vacuum_or_analyze=None)


def _table(name: str, rows: int | None, kind: str = "table", partition_of: str | None = None) -> Table:
    return Table(schema="public", name=name, kind=kind, rows=rows, rows_source="reltuples" if rows is not None
                 else "unknown", table_bytes=None if rows is None else rows * 100, index_bytes=None, activity=QUIET,
                 partition_of=partition_of,
                 partitions=Partitions(leaves=1, without_estimate=0) if kind == "partitioned_table" else None)


def _snapshot(*tables: Table) -> Snapshot:
    return Snapshot(taken_at="2026-12-07T07:00:00Z", server_version="15.18", server_version_num=150018,
                    source="primary", database="app", stats_reset=None, tables=tables)


def test_the_largest_table_gets_the_cap_and_the_others_their_share_at_least_one():
    snapshot = _snapshot(_table("events", 41_000_000), _table("users", 2_050_000), _table("lookup", 12),
                         _table("empty", 0), _table("unknown", None), _table("log", 8_200_000, "partitioned_table"),
                         _table("log_1", 82_000_000, partition_of="public.log"),
                         _table("daily", 90_000_000, "materialized_view"))
    assert seeding_targets(snapshot, 5000) == {("public", "events"): 5000, ("public", "users"): 250,
                                               ("public", "lookup"): 1, ("public", "empty"): 0,
                                               ("public", "log"): 1000}


def _statement(ms: float, rewrites: list[str] = (), scans: list[str] = (), error: str | None = None
               ) -> ObservedStatement:
    return ObservedStatement(revision="r2", path=Path("r2.py"), line=3, end_line=3, sql="ALTER TABLE ...",
                             in_transaction=True, duration_ms=ms, existing_rewrites=list(rewrites),
                             existing_scans=list(scans), error=error)


def test_a_rewrite_is_scaled_linearly_in_rows_to_a_range():
    snapshot = _snapshot(_table("tickets", 41_000_000))
    found = extrapolate(_statement(12.0, rewrites=["tickets"]), {"tickets": 5000}, snapshot)
    assert found == Extrapolation(table="tickets", measured_ms=12.0, seeded_rows=5000, production_rows=41_000_000,
                                  seconds_low=49.2, seconds_high=196.8)
    assert found.words() == "measured 12 ms on 5,000 rows of tickets; about 49 s–3.3 min on 41 M rows"


def test_what_is_not_extrapolated():
    snapshot = _snapshot(_table("tickets", 41_000_000), _table("unknown", None))
    rows = {"tickets": 5000, "unknown": 5000, "few": MIN_SEEDED_ROWS - 1}
    assert extrapolate(_statement(3.0), rows, snapshot) is None  # catalog only: no rewrite, no scan
    assert extrapolate(_statement(3.0, scans=["tickets"], error="boom"), rows, snapshot) is None
    assert extrapolate(_statement(3.0, scans=["unknown"]), rows, snapshot) is None
    assert extrapolate(_statement(3.0, scans=["gone"]), rows, snapshot) is None
    few = _snapshot(_table("few", 10_000_000))
    assert extrapolate(_statement(3.0, scans=["few"]), rows, few) is None
    assert extrapolate(_statement(3.0, scans=["few"]), {"few": MIN_SEEDED_ROWS}, few) is not None


# r1 creates users and orders; r2 rewrites users and adds a column to orders (catalog only).
ORDERS_TABLE = 'op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), ' \
               'sa.Column("total", sa.Integer()))'
CHANGES = """
op.alter_column("users", "id", type_=sa.BigInteger())
op.add_column("orders", sa.Column("note", sa.Text(), nullable=True))
"""


def _project(tmp_path: Path) -> Path:
    write_history(tmp_path / "versions", [USERS_TABLE + ORDERS_TABLE, CHANGES])
    write(_snapshot(_table("users", 3_000_000), _table("orders", 60_000)), tmp_path / "stats.json")
    return tmp_path / "versions"


@needs_postgres
@needs_sqlalchemy_2
def test_replay_seeds_in_proportion_and_extrapolates_the_rewrite(tmp_path):
    versions = _project(tmp_path)
    result = replay(ReplayOptions(paths=[versions], cwd=tmp_path, rows=500, stats=Path("stats.json")))
    [revision] = [r for r in result.revisions if r.reviewed and r.revision == "r2"]
    assert revision.table_rows == {"users": 500, "orders": 10}
    rewrite, add = [s for s in revision.statements if s.sql.startswith("ALTER TABLE")]
    assert rewrite.existing_rewrites and rewrite.extrapolation is not None
    assert (rewrite.extrapolation.table, rewrite.extrapolation.seeded_rows,
            rewrite.extrapolation.production_rows) == ("users", 500, 3_000_000)
    seconds = rewrite.duration_ms / 1000 * 3_000_000 / 500
    assert rewrite.extrapolation.seconds_low == pytest.approx(seconds / 2, rel=1e-2)
    assert add.extrapolation is None
    # The static review of the same run judges sizes by the snapshot too.
    [finding] = [f for f in result.report.findings if f.rule == "column-type-rewrite"]
    assert finding.table_size is not None and finding.table_size.rows == 3_000_000


@needs_postgres
@needs_sqlalchemy_2
def test_without_stats_every_table_gets_rows_and_nothing_is_extrapolated(tmp_path):
    versions = _project(tmp_path)
    result = replay(ReplayOptions(paths=[versions], cwd=tmp_path, rows=50))
    [revision] = [r for r in result.revisions if r.reviewed and r.revision == "r2"]
    assert revision.table_rows == {"users": 50, "orders": 50}
    assert all(s.extrapolation is None for s in revision.statements)


@needs_postgres
@needs_sqlalchemy_2
def test_every_format_labels_the_extrapolation(tmp_path):
    versions = _project(tmp_path)
    (tmp_path / "migsafe.toml").write_text('[tool.migsafe]\nstats = "stats.json"\n')
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    outputs = {}
    for fmt in ("text", "json", "markdown"):
        done = subprocess.run([sys.executable, "-m", "migsafe", "replay", str(versions), "--rows", "500",
                               "--format", fmt], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 1, done.stderr
        outputs[fmt] = done.stdout
    words = r"measured [\d.,]+ ms on 500 rows of users; about .+ on 3 M rows"
    assert "extrapolated to the production size (stats snapshot, linear in rows):" in outputs["text"]
    assert re.search(r"line \d+: " + words, outputs["text"]), outputs["text"]
    assert "Extrapolated to the production size (stats snapshot; linear in rows, not measured):" in \
        outputs["markdown"]
    assert re.search(r"- line \d+: " + words, outputs["markdown"])
    data = json.loads(outputs["json"])
    [extrapolated] = [s["extrapolation"] for s in data["statements"] if s["extrapolation"]]
    assert extrapolated["table"] == "users" and extrapolated["seeded_rows"] == 500
    assert extrapolated["production_rows"] == 3_000_000 and extrapolated["seconds_low"] < extrapolated["seconds_high"]
    assert data["revisions"][-1]["table_rows"] == {"users": 500, "orders": 10}
