"""`migsafe replay` at a terminal: a progress bar on stderr instead of a line per revision, nothing on stderr
when it is piped, and a report that fits the terminal's width."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import USERS_TABLE, needs_sqlalchemy_2, write_history
from pty_run import environment, run_with_terminal_stderr
from replay.test_server import needs_postgres

pytestmark = [needs_postgres, needs_sqlalchemy_2]

ROOT = Path(__file__).resolve().parents[2]
BODIES = [USERS_TABLE, 'op.alter_column("users", "name", nullable=False)',
          'op.create_index("ix_users_status_and_email_for_the_weekly_report", "users", ["status", "email"])']


def test_progress_is_a_bar_on_a_terminal_and_nothing_when_piped(tmp_path):
    write_history(tmp_path / "versions", BODIES)
    shown = run_with_terminal_stderr("replay", "versions", "--rows", "10", cwd=tmp_path)
    assert shown.returncode == 1, shown.terminal
    assert "starting PostgreSQL" in shown.terminal and "replaying revisions" in shown.terminal
    assert "migsafe replay: " not in shown.terminal  # the line per revision it printed before
    assert "replaying" not in shown.stdout and "\x1b" not in shown.stdout
    piped = subprocess.run([sys.executable, "-m", "migsafe", "replay", "versions", "--rows", "10"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300, env=environment())
    assert piped.returncode == 1 and "set-not-null confirmed" in piped.stdout
    assert piped.stderr == ""


def test_the_dangerous_sample_fits_80_columns(tmp_path):
    narrow = subprocess.run([sys.executable, "-m", "migsafe", "replay", "sample_migrations/dangerous", "--rows",
                             "50"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env=environment(COLUMNS="80"))
    assert narrow.returncode == 1, narrow.stderr
    statements = narrow.stdout.split("\nstatic findings:")[0]  # the notes after it are the review's
    assert max(len(line) for line in statements.splitlines()) <= 80
    words = {word.strip(",;:()") for word in narrow.stdout.split()}
    assert "ix_tickets_assignee_id_status_not_closed" in words  # whole, not folded
