"""The stats snapshot file without a server: round trip, and one-line errors for files a review cannot use."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from migsafe.errors import UsageError
from migsafe.stats.collect import check_duration, parse_database_url
from migsafe.stats.snapshot import (
    Activity,
    Partitions,
    Skipped,
    Snapshot,
    StatsFileError,
    Table,
    dump,
    load,
    to_dict,
)

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "stats.schema.json").read_text("utf-8"))
QUIET = Activity(n_tup_ins=1, n_tup_upd=0, n_tup_del=0, n_live_tup=1, seq_scan=3, idx_scan=None,
                 last_vacuum_or_analyze=None)


def validate(data: object) -> None:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    cls(SCHEMA).validate(data)


def sample() -> Snapshot:
    return Snapshot(
        taken_at="2026-12-07T06:00:00Z", server_version="15.18", server_version_num=150018, source="primary",
        database="app", stats_reset=None,
        tables=(
            Table("public", "events", "partitioned_table", 41_000_000, "partitions", 18 << 30, 3 << 30, QUIET,
                  partitions=Partitions(leaves=12, without_estimate=1)),
            Table("public", "events_2026_12", "table", 3_000_000, "reltuples", 1 << 30, 1 << 28, QUIET,
                  partition_of="public.events"),
            Table("public", "fresh", "table", None, "unknown", None, None, QUIET),
        ),
        skipped=(Skipped("public", "remote", "foreign table: its rows live on another server"),),
    )


def test_a_snapshot_survives_dump_and_load_and_matches_the_schema(tmp_path):
    path = tmp_path / "migsafe-stats.json"
    path.write_text(dump(sample()), encoding="utf-8")
    validate(json.loads(path.read_text("utf-8")))
    loaded = load(path)
    assert loaded == sample()
    assert loaded.table("public", "events").partitions == Partitions(12, 1)  # type: ignore[union-attr]
    assert loaded.table("public", "nope") is None
    assert loaded == sample()  # the lookup's cache is not part of the snapshot
    assert next(iter(to_dict(loaded))) == "migsafe_stats"


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "stats.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _broken(**changes: object) -> dict:
    data = to_dict(sample())
    for dotted, value in changes.items():
        target = data
        *parents, key = dotted.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[key]
        else:
            target[key] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(("data", "message"), [
    ("{", "not JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
    ([1], "the file: expected an object, got a list"),
    ({"tables": []}, 'not a migsafe stats snapshot (no "migsafe_stats" version key)'),
    (_broken(migsafe_stats=2), "snapshot format version 2; this migsafe reads version 1"),
    (_broken(tables__0__rows=-5), "tables[0].rows: expected a whole number >= 0, got -5"),
    (_broken(tables__1__rows=True), "tables[1].rows: expected a whole number >= 0, got true"),
    (_broken(tables__2__activity__seq_scan=_DELETE), "tables[2].activity.seq_scan: missing"),
    (_broken(source="replica"), "source: expected one of primary, standby, got \"replica\""),
    (_broken(tables__0__kind="view"), "tables[0].kind: expected one of table, partitioned_table"),
    (_broken(tables__0__colour="red"), "tables[0]: unknown key 'colour'"),
    (_broken(skipped__0__reason=None), "skipped[0].reason: expected a string, got null"),
])
def test_an_unusable_file_is_one_line_naming_the_file(tmp_path, data, message):
    path = _write(tmp_path, data)
    with pytest.raises(StatsFileError) as caught:
        load(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_a_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(StatsFileError, match=r"nope\.json: no such stats file \(write one with `migsafe stats`\)"):
        load(tmp_path / "nope.json")


@pytest.mark.parametrize(("value", "normalized"), [("100ms", "100ms"), ("2s", "2s"), ("250", "250ms"),
                                                   (" 1min ", "1min")])
def test_timeouts_are_durations(value, normalized):
    assert check_duration(value, "--lock-timeout") == normalized


@pytest.mark.parametrize(("value", "message"), [("0", r"more than 0 \(0 means wait forever\)"),
                                                ("0ms", "more than 0"), ("fast", "a duration such as"),
                                                ("1h; DROP TABLE x", "a duration such as")])
def test_a_bad_or_zero_timeout_is_refused(value, message):
    with pytest.raises(UsageError, match=message):
        check_duration(value, "--lock-timeout")


def test_urls_in_every_spelling_replay_accepts():
    expected = {"host": "db", "port": "5432", "user": "me", "dbname": "app"}
    assert parse_database_url("postgresql://me@db:5432/app") == expected
    assert parse_database_url("postgresql+psycopg://me@db:5432/app") == expected
    assert parse_database_url("host=db port=5432 user=me dbname=app") == expected
    with pytest.raises(UsageError, match=r"must be a postgresql:// URL, got mysql://\.\.\."):
        parse_database_url("mysql://me@db/app")


DOCS = (Path(__file__).resolve().parents[1] / "docs" / "stats.md").read_text("utf-8")


def _fields(schema: dict) -> set[str]:
    """Every property name the schema defines, at any depth."""
    found: set[str] = set()
    for key, value in schema.items():
        if key == "properties":
            found.update(value)
        if isinstance(value, dict):
            found |= _fields(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found |= _fields(item)
    return found


def test_every_field_of_the_schema_is_documented():
    rows = [line for line in DOCS.splitlines() if line.startswith("| `")]
    documented = {name for line in rows for name in line.split("|")[1].replace("`", "").replace(",", " ").split()}
    assert _fields(SCHEMA) - documented == set()


def test_the_documented_example_is_a_valid_snapshot(tmp_path):
    example = DOCS.split("```json\n", 1)[1].split("```", 1)[0]
    validate(json.loads(example))
    assert load(_write(tmp_path, example)).table("public", "tickets") is not None
