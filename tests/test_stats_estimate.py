"""Estimated durations (migsafe/stats/estimate.py): ranges from throughputs, in words a reader takes in at once."""

from __future__ import annotations

import pytest

from migsafe.stats.estimate import (DEFAULT_THROUGHPUTS, HIGH_FACTOR, KINDS, LOW_FACTOR, MB, Estimate, TableSize,
                                    Throughputs, estimate, pretty_bytes, pretty_count)

SLOW = Throughputs(rewrite_mb_s=10, seq_scan_mb_s=100, check_validation_rows_s=1000, fk_validation_rows_s=500,
                   btree_build_rows_s=2000, update_backfill_rows_s=100, source="test")


@pytest.mark.parametrize("kind, seconds", [
    ("rewrite", (1000 + 200) / 10),  # table + indexes, MB / rewrite MB/s
    ("scan", 1000 / 100),  # the heap only
    ("check", 50_000 / 1000),
    ("fk", 50_000 / 500),
    ("index", 50_000 / 2000),
    ("backfill", 50_000 / 100),
])
def test_each_kind_divides_its_amount_by_its_throughput_and_reports_a_range(kind, seconds):
    found = estimate(kind, 50_000, 1000 * MB, 200 * MB, SLOW)
    assert found is not None
    assert found.seconds_low == pytest.approx(seconds * LOW_FACTOR, rel=1e-3)
    assert found.seconds_high == pytest.approx(seconds * HIGH_FACTOR, rel=1e-3)
    assert "test" in found.basis and f"x{LOW_FACTOR:g}..x{HIGH_FACTOR:g}" in found.basis


def test_the_range_is_wide_not_a_false_precision():
    assert LOW_FACTOR <= 0.5 and HIGH_FACTOR >= 2


def test_reindex_table_counts_index_entries_from_the_index_bytes():
    # 24 MB of indexes at 24 bytes an entry: about a million entries, more than the 1,000 rows.
    found = estimate("reindex-table", 1000, 8 * MB, 24 * MB, SLOW)
    assert found is not None and found.seconds_high == pytest.approx(24 * MB / 24 / 2000 * HIGH_FACTOR, rel=1e-3)


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_size_gives_no_estimate(kind):
    assert estimate(kind, None, None, None) is None


@pytest.mark.parametrize("low, high, words", [
    (0.01, 0.04, "under a second"),
    (180, 360, "about 3–6 min"),
    (40, 160, "about 40 s–2.7 min"),
    (3.2, 12.8, "about 3.2–13 s"),
    (59.8, 239, "about 1–4 min"),
    (5400, 21600, "about 1.5–6 h"),
])
def test_durations_in_words(low, high, words):
    assert Estimate(low, high, "").words() == words


@pytest.mark.parametrize("count, words", [(12, "12"), (3100, "3,100"), (350_000, "350 k"), (41_000_000, "41 M"),
                                          (2_400_000, "2.4 M"), (2_100_000_000, "2.1 G")])
def test_row_counts_in_words(count, words):
    assert pretty_count(count) == words


@pytest.mark.parametrize("count, words", [(900, "900 bytes"), (24 * 1024, "24 kB"), (19327352832, "18 GB"),
                                          (int(1.5 * 1024**2), "1.5 MB")])
def test_bytes_in_pg_size_pretty_units(count, words):
    assert pretty_bytes(count) == words


def test_table_size_counts_table_and_indexes():
    size = TableSize(rows=41_000_000, table_bytes=18 * 1024**3, index_bytes=4 * 1024**3)
    assert size.bytes == 22 * 1024**3 and size.words() == "41 M rows, 22 GB"
    assert TableSize(rows=None, table_bytes=None, index_bytes=None).words() == "rows unknown"


def test_throughputs_load_from_a_calibration_object_and_refuse_nonsense():
    data = DEFAULT_THROUGHPUTS.to_dict()
    assert Throughputs.from_dict(data, "calibration.json") == DEFAULT_THROUGHPUTS
    with pytest.raises(ValueError, match=r"^calibration.json: rewrite_mb_s must be a positive number"):
        Throughputs.from_dict({**data, "rewrite_mb_s": 0}, "calibration.json")
    with pytest.raises(ValueError, match="seq_scan_mb_s"):
        Throughputs.from_dict({k: v for k, v in data.items() if k != "seq_scan_mb_s"}, "calibration.json")
