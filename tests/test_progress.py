"""Progress on stderr: a bar when stderr is a terminal (driven, for a review, by the messages of the worker that
records), nothing when it is a pipe, and never anything on stdout."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from conftest import USERS_TABLE, write_history
from migsafe import progress, progress_bar
from migsafe.recording import watch
from pty_run import environment, run_with_terminal_stderr

BODIES = [USERS_TABLE, *(f'op.add_column("users", sa.Column("c{n}", sa.Integer()))' for n in range(5))]


@pytest.fixture
def history(tmp_path):
    write_history(tmp_path / "versions", BODIES)
    return tmp_path


def test_a_review_shows_its_progress_on_a_terminal_and_the_report_on_stdout_is_unchanged(history):
    shown = run_with_terminal_stderr("review", "versions", "--no-cache", cwd=history)
    piped = subprocess.run([sys.executable, "-m", "migsafe", "review", "versions", "--no-cache"], cwd=history,
                           capture_output=True, text=True, timeout=300, env=environment())
    assert shown.returncode == piped.returncode == 1
    # The worker records; its reports reach the bar through the supervisor.
    assert "recording revisions" in shown.terminal and f"{len(BODIES)}/{len(BODIES)}" in shown.terminal
    assert shown.stdout == piped.stdout
    assert "recording" not in shown.stdout and "\x1b" not in shown.stdout


def test_piped_stderr_gets_no_progress(history):
    piped = subprocess.run([sys.executable, "-m", "migsafe", "review", "versions", "--no-cache"], cwd=history,
                           capture_output=True, text=True, timeout=300, env=environment())
    assert piped.returncode == 1 and "add-column" not in piped.stderr
    assert piped.stderr == ""


def test_a_dumb_terminal_gets_no_bar(history):
    shown = run_with_terminal_stderr("review", "versions", "--no-cache", cwd=history, term="dumb")
    assert shown.returncode == 1
    assert shown.terminal == ""


def test_progress_messages_carry_a_report_through_the_pipe():
    sent: list[bytes] = []

    class Pipe:
        def send(self, kind: bytes, payload: bytes = b"") -> None:
            sent.append(kind + payload)

    watch.ProgressToSupervisor(Pipe()).update("replaying revisions", 3, 12, "3f2a9c1d7b4e")  # type: ignore[arg-type]
    watch.ProgressToSupervisor(Pipe()).update("starting PostgreSQL", 0, None)  # type: ignore[arg-type]
    assert [watch.progress_of(message[1:]) for message in sent] == [
        ("replaying revisions", 3, 12, "3f2a9c1d7b4e"), ("starting PostgreSQL", 0, None, "")]


def test_nobody_listens_unless_someone_was_installed():
    heard: list[tuple[str, int, int | None, str]] = []

    class Ears:
        def update(self, stage: str, done: int, total: int | None, item: str = "") -> None:
            heard.append((stage, done, total, item))

        def tick(self) -> None:
            pass

    progress.report("recording revisions", 1, 2)
    assert not progress.active()
    with progress.listening(Ears()):
        progress.report("recording revisions", 2, 2)
    progress.report("recording revisions", 2, 2)
    assert heard == [("recording revisions", 2, 2, "")]


def test_lines_written_to_stderr_under_the_bar_come_out_whole_and_as_written(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    with progress_bar.on_stderr():
        progress.report("recording revisions", 1, 3)
        sys.stderr.write("migsafe: not using the cache at [tool.migsafe] cache-dir: ")
        sys.stderr.write("Permission denied\n")
        progress.report("recording revisions", 3, 3)
    assert sys.stderr is terminal
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue())
    # On a line of its own (the bar erased first, drawn again below it), brackets and all.
    assert re.search(r"[\r\n]migsafe: not using the cache at \[tool\.migsafe\] cache-dir: Permission denied\n",
                     shown)
    assert "recording revisions" in shown and "3/3" in shown
