"""The review worker (migsafe.worker): whatever revisions do to stdout, signals, time or their own process, the
command prints exactly its report and reviews the rest of the history. Each test runs the real command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import USERS_TABLE, revision_source, write_history

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker is Linux-only")

ADD_INDEX = 'op.create_index("ix_users_email", "users", ["email"])'


def _review(directory: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", "review", str(directory), "--no-cache", "--format", "json",
                           *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def _history(tmp_path: Path, hostile: str) -> Path:
    """users, then the hostile revision, then a revision with a finding (proves the rest is reviewed)."""
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, hostile, ADD_INDEX])
    return versions


def _rules_and_errors(result: subprocess.CompletedProcess[str]) -> tuple[list[tuple[str, str]], list[str]]:
    report = json.loads(result.stdout)  # exactly the report: anything else on stdout fails here
    return ([(f["revision"], f["rule"]) for f in report["findings"]],
            [f"{e['revision']}: {e['message']}" for e in report["errors"]])


def test_output_of_threads_and_child_processes_never_reaches_stdout(tmp_path: Path) -> None:
    hostile = '''
import threading, time, ctypes
def noise():
    while True:
        os.write(1, b"thread noise\\n")
        print("printed noise", flush=True)
        time.sleep(0.001)
threading.Thread(target=noise, daemon=True).start()
if os.fork() == 0:
    for _ in range(2000):
        os.write(1, b"child noise\\n")
        time.sleep(0.001)
    os._exit(0)
ctypes.CDLL(None).puts(b"C noise")
time.sleep(0.05)
op.add_column("users", sa.Column("nickname", sa.Text()))
'''
    versions = _history(tmp_path, "import os\n" + hostile)
    output = tmp_path / "report.json"
    result = _review(versions, "--output", f"json={output}")
    findings, errors = _rules_and_errors(result)
    assert errors == []
    assert ("r3", "index-not-concurrent") in findings
    time.sleep(0.3)  # a child left behind would still be writing
    assert json.loads(output.read_text()) == json.loads(result.stdout)
    assert "noise" not in result.stdout


@pytest.mark.parametrize("hostile", [
    # a loop that swallows the timeout's exception
    "import time\nwhile True:\n    try:\n        time.sleep(0.5)\n    except BaseException:\n        pass",
    # SIGALRM ignored
    "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.5)",
    # one long C call: no signal handler runs until it returns
    "sum(range(4 * 10 ** 10))",
], ids=["swallows-timeout", "ignores-sigalrm", "long-c-call"])
def test_a_revision_past_its_limit_is_a_load_error_and_the_rest_is_reviewed(tmp_path: Path, hostile: str) -> None:
    versions = _history(tmp_path, hostile)
    started = time.monotonic()
    result = _review(versions, "--revision-timeout", "2")
    elapsed = time.monotonic() - started
    findings, errors = _rules_and_errors(result)
    assert errors == ["r2: revision did not finish within 2 s (see --revision-timeout)"]
    assert ("r3", "index-not-concurrent") in findings
    assert result.returncode == 2
    assert elapsed < 30, elapsed  # the limit, its grace and one more review: not the C call's minutes


@pytest.mark.parametrize("hostile, how", [
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "signal SIGKILL"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)", "signal SIGTERM"),
    ("import ctypes\nctypes.string_at(0)", "signal SIGSEGV"),
], ids=["sigkill", "sigterm", "segfault"])
def test_a_revision_that_ends_its_own_process_is_a_load_error(tmp_path: Path, hostile: str, how: str) -> None:
    versions = _history(tmp_path, hostile)
    result = _review(versions)
    findings, errors = _rules_and_errors(result)
    assert errors == [f"r2: the revision ended the process recording it ({how}); under `alembic upgrade` it would "
                      "end Alembic too"]
    assert ("r3", "index-not-concurrent") in findings
    assert "Traceback" not in result.stderr


def test_a_revision_signalling_its_parent_does_not_end_the_review(tmp_path: Path) -> None:
    hostile = ("import os, signal\nfor number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
               "    os.kill(os.getppid(), number)\nop.add_column('users', sa.Column('nickname', sa.Text()))")
    versions = _history(tmp_path, hostile)
    result = _review(versions)
    findings, errors = _rules_and_errors(result)
    assert errors == []
    assert ("r3", "index-not-concurrent") in findings
    assert result.returncode == 1


@pytest.mark.parametrize("number, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_a_signal_from_outside_still_stops_the_review(tmp_path: Path, number: int, code: int) -> None:
    versions = _history(tmp_path, "import time\ntime.sleep(30)")
    process = subprocess.Popen([sys.executable, "-m", "migsafe", "review", str(versions), "--no-cache"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _processes_reviewing(versions)[1:] and time.monotonic() < deadline:
        time.sleep(0.1)  # until the worker runs
    assert _processes_reviewing(versions)[1:], "no worker started"
    process.send_signal(number)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == code, stderr
    assert _processes_reviewing(versions) == []  # the worker went with it


def _processes_reviewing(versions: Path) -> list[int]:
    listing = subprocess.run(["ps", "-ww", "-eo", "pid=,stat=,args="], capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in listing.splitlines()
            if str(versions) in line and "migsafe" in line and not line.split()[1].startswith("Z")]


def test_the_tail_child_gives_the_same_report_when_a_revision_signals_its_parent(tmp_path: Path) -> None:
    """Two processes record a long history: a revision in the tail signalling its parent (the child's, there)
    changes nothing; the report equals the one-process report."""
    bodies = [USERS_TABLE] + [f'op.add_column("users", sa.Column("c{n}", sa.Text()))' for n in range(2, 260)]
    bodies[240] = ("import os, signal\nos.kill(os.getppid(), signal.SIGTERM)\n"
                   'op.create_index("ix_users_name", "users", ["name"])')
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    two = _review(versions)
    one = _review(versions, env={"MIGSAFE_JOBS": "1"})
    assert two.returncode == one.returncode == 1, (two.stderr, one.stderr)
    assert json.loads(two.stdout) == json.loads(one.stdout)
    assert ("r241", "index-not-concurrent") in _rules_and_errors(two)[0]


def test_the_tail_child_hanging_or_dying_gives_the_same_report(tmp_path: Path) -> None:
    bodies = [USERS_TABLE] + [f'op.add_column("users", sa.Column("c{n}", sa.Text()))' for n in range(2, 260)]
    bodies[230] = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    bodies[240] = "sum(range(4 * 10 ** 10))"
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    two = _review(versions, "--revision-timeout", "2")
    one = _review(versions, "--revision-timeout", "2", env={"MIGSAFE_JOBS": "1"})
    assert json.loads(two.stdout) == json.loads(one.stdout)
    assert [e.split(":")[0] for e in _rules_and_errors(two)[1]] == ["r231", "r241"]


def test_stderr_of_the_worker_reaches_the_user(tmp_path: Path) -> None:
    """migsafe's own one-line messages written in the worker (here: a cache it cannot use) are passed on."""
    versions = _history(tmp_path, "pass")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    result = subprocess.run([sys.executable, "-m", "migsafe", "review", str(versions), "--cache-dir",
                             str(blocker / "cache")], capture_output=True, text=True, timeout=60)
    assert f"migsafe: not using the cache at {blocker / 'cache'}" in result.stderr


def test_a_review_run_again_after_a_hang_says_each_stderr_line_once(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, 'import sys\nprint("a line from r2", file=sys.stderr)',
                             "sum(range(4 * 10 ** 10))", ADD_INDEX])
    result = _review(versions, "--revision-timeout", "1")
    assert [e.split(":")[0] for e in _rules_and_errors(result)[1]] == ["r3"]
    assert result.stderr.count("a line from r2\n") == 1, result.stderr
