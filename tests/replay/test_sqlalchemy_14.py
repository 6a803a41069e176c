"""Replay under SQLAlchemy 1.4: one line saying it needs SQLAlchemy 2, before any server is started."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SQLALCHEMY_2, USERS_TABLE, write_history
from migsafe.errors import UsageError
from migsafe.replay.run import ReplayOptions, replay


@pytest.mark.skipif(SQLALCHEMY_2, reason="SQLAlchemy 2 has the psycopg 3 dialect replay uses")
def test_replay_under_sqlalchemy_14_stops_with_one_line_naming_the_version_it_needs(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE])
    with pytest.raises(UsageError, match="migsafe replay needs SQLAlchemy 2.0 or later"):
        replay(ReplayOptions(paths=[tmp_path / "versions"], cwd=tmp_path, rows=10))
    done = subprocess.run([sys.executable, "-m", "migsafe", "replay", str(tmp_path / "versions")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "migsafe replay needs SQLAlchemy 2.0 or later" in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.glob("migsafe-pg-*"))


@pytest.mark.skipif(not SQLALCHEMY_2, reason="under SQLAlchemy 1.4 replay stops before it starts")
def test_replay_under_sqlalchemy_2_passes_the_version_check():
    from migsafe.replay.run import _require_sqlalchemy_2

    _require_sqlalchemy_2()  # no error
