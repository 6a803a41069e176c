"""The calibration file: what `migsafe calibrate` writes, one-line errors on bad input, and reviews whose
estimates use it (``--calibration`` / ``[tool.migsafe] calibration``) instead of the built-in defaults."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from migsafe.engine import ReviewOptions, review
from migsafe.stats import calibration
from migsafe.stats.calibration import Calibration
from migsafe.stats.calibration import CalibrationFileError
from migsafe.stats.estimate import DEFAULT_THROUGHPUTS
from pty_run import environment
from test_stats_sizing import USERS_TABLE, CHANGES, MB, _fixed_clock, finding, run, write_history  # noqa: F401

THROUGHPUTS = {"rewrite_mb_s": 10.0, "seq_scan_mb_s": 100.0, "check_validation_rows_s": 1e6,
               "fk_validation_rows_s": 5e5, "btree_build_rows_s": 2e5, "update_backfill_rows_s": 1e4}
CALIBRATION = Calibration(throughputs=THROUGHPUTS, rows=100_000, runs=3, taken_at="2026-12-06T10:00:00Z",
                          server_version="16.4 (Debian 16.4-1)", server="throwaway local cluster",
                          durability={"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"})


def test_a_written_file_loads_back_and_names_itself_in_the_source(tmp_path):
    calibration.write(CALIBRATION, tmp_path / "cal.json")
    data = json.loads((tmp_path / "cal.json").read_text())
    assert data["migsafe_calibration"] == 1 and data["durability"]["fsync"] == "on"
    loaded = calibration.load(tmp_path / "cal.json", "cal.json")
    assert loaded.rewrite_mb_s == 10.0 and loaded.update_backfill_rows_s == 1e4
    assert loaded.source == "calibrated in cal.json, 2026-12-06, PostgreSQL 16.4"


@pytest.mark.parametrize(("text", "message"), [
    (None, "no such calibration file (write one with `migsafe calibrate`)"),
    ("{", "not JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
    ('{"migsafe_stats": 1}', 'not a migsafe calibration file (no "migsafe_calibration" key)'),
    ('{"migsafe_calibration": 2}', "calibration format 2 is not supported (this migsafe reads 1)"),
    ('{"migsafe_calibration": 1, "throughputs": []}', "throughputs must be an object of numbers"),
    ('{"migsafe_calibration": 1, "throughputs": {"rewrite_mb_s": 5}}',
     "throughputs: seq_scan_mb_s must be a positive number, got None"),
    (json.dumps({"migsafe_calibration": 1, "throughputs": {**THROUGHPUTS, "scan": 1, "rewrite_mb_s": -1}}),
     "throughputs: rewrite_mb_s must be a positive number, got -1"),
])
def test_bad_files_are_one_line_errors_naming_the_file(tmp_path, text, message):
    path = tmp_path / "cal.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(CalibrationFileError) as error:
        calibration.load(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)
    assert "\n" not in str(error.value)


def _rewrite_of_41_m_rows(tmp_path: Path, **options: object):
    return finding(run(tmp_path, 41_000_000, **options), "column-type-rewrite")


def test_a_review_with_a_calibration_file_estimates_from_its_throughputs(tmp_path):
    calibration.write(CALIBRATION, tmp_path / "cal.json")
    rewrite = _rewrite_of_41_m_rows(tmp_path, calibration=Path("cal.json"))
    seconds = 41_000_000 * 130 / MB / 10.0  # the snapshot's bytes at the file's 10 MB/s
    assert rewrite.estimate is not None
    assert rewrite.estimate.seconds_low == pytest.approx(seconds * 0.5, rel=1e-3)
    assert rewrite.estimate.seconds_high == pytest.approx(seconds * 2, rel=1e-3)
    assert rewrite.estimate.basis.endswith("at 10 MB/s, x0.5..x2 (calibrated in cal.json, 2026-12-06, "
                                           "PostgreSQL 16.4)")


def test_without_a_calibration_file_the_basis_says_built_in_defaults(tmp_path):
    rewrite = _rewrite_of_41_m_rows(tmp_path)
    assert rewrite.estimate is not None and rewrite.estimate.basis.endswith(f"({DEFAULT_THROUGHPUTS.source})")


def test_the_configuration_key_is_resolved_against_the_configuration_file(tmp_path):
    (tmp_path / "conf").mkdir()
    calibration.write(CALIBRATION, tmp_path / "conf" / "cal.json")
    report = run(tmp_path, 41_000_000, config='[tool.migsafe]\nstats = "stats.json"\n'
                                              'calibration = "conf/cal.json"\n')
    rewrite = finding(report, "column-type-rewrite")
    assert rewrite.estimate is not None and "at 10 MB/s" in rewrite.estimate.basis
    assert "calibrated in conf/cal.json" in rewrite.estimate.basis
    note = [n.message for n in report.notes if n.kind == "stats"]
    assert note[0].endswith("; durations estimated from throughputs calibrated in conf/cal.json, 2026-12-06, "
                            "PostgreSQL 16.4")


def test_a_bad_calibration_file_stops_the_review_with_one_line(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, CHANGES])
    (tmp_path / "cal.json").write_text('{"migsafe_calibration": 1, "throughputs": {"rewrite_mb_s": 0}}')
    done = subprocess.run([sys.executable, "-m", "migsafe", "review", "versions", "--calibration", "cal.json"],
                          cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"migsafe: error: {tmp_path / 'cal.json'}: throughputs: rewrite_mb_s must be a positive "
                           "number, got 0\n")


def test_the_configuration_key_must_be_a_path(tmp_path):
    from migsafe.errors import UsageError

    with pytest.raises(UsageError, match=r"calibration must be a file path such as \"migsafe-calibration.json\""):
        run(tmp_path, 10, config="[tool.migsafe]\ncalibration = 3\n")
