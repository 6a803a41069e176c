"""Clusters left behind by a migsafe that was killed (SIGKILL) are removed at the next start; the cluster of a
migsafe that is still running never is.

Stand-in processes play the orphaned postmaster (re-parented to init, serving the directory) and a process still
working in a directory; the tests at the end kill a real migsafe with a real cluster.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migsafe.replay.leftovers import OWNER_FILE
from migsafe.replay.server import sweep_stale_clusters


def _cluster(base: Path, name: str, pid: int | None, age: float = 0.0) -> Path:
    directory = base / f"migsafe-pg-{name}"
    (directory / "data").mkdir(parents=True)
    if pid is not None:
        (directory / "data" / "postmaster.pid").write_text(f"{pid}\n{directory / 'data'}\n", encoding="utf-8")
    if age:
        then = time.time() - age
        os.utime(directory, (then, then))
    return directory


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


def test_dead_postmaster_and_abandoned_start_are_removed(tmp_path):
    dead = _cluster(tmp_path, "dead", _dead_pid())
    abandoned = _cluster(tmp_path, "abandoned", None, age=2 * 3600)
    assert sweep_stale_clusters(tmp_path) == sorted([abandoned, dead])
    assert not dead.exists() and not abandoned.exists()


def test_clusters_of_a_running_migsafe_are_kept(tmp_path):
    # A live postmaster whose parent is alive (this test process stands in for it), and one still starting.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = _cluster(tmp_path, "running", child.pid)
        starting = _cluster(tmp_path, "starting", None)
        other = tmp_path / "not-ours"
        other.mkdir()
        assert sweep_stale_clusters(tmp_path) == []
        assert running.exists() and starting.exists() and other.exists()
        assert child.poll() is None
    finally:
        child.kill()
        child.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="orphans are recognised through /proc")
def test_an_orphaned_postmaster_is_stopped_and_its_cluster_removed(tmp_path):
    directory = tmp_path / "migsafe-pg-orphan"
    pid_file = tmp_path / "orphan.pid"
    # The intermediate shell exits at once: its child, which names the directory on its command line as a
    # postmaster does (-D DIR), is re-parented to init, as a postmaster is when migsafe is SIGKILLed.
    # (A background job of a non-interactive shell ignores SIGQUIT; a postmaster handles it: so does this.)
    script = ("import os, signal, sys, time; signal.signal(signal.SIGQUIT, lambda *_: os._exit(0)); "
              "open(sys.argv[2], 'w').write(str(os.getpid())); time.sleep(60)")
    subprocess.run(["sh", "-c", f'"{sys.executable}" -c "{script}" "{directory}/data" "{pid_file}" &'], check=True)
    deadline = time.monotonic() + 10
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if stat[1] != "1":
            pytest.skip("orphans are re-parented to a subreaper here, not to init")
        _cluster(tmp_path, "orphan", pid)
        assert sweep_stale_clusters(tmp_path) == [directory]
        assert not directory.exists()
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    finally:
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def _owned(base: Path, name: str, owner_pid: int, age: float = 0.0) -> Path:
    """A cluster directory as this migsafe makes them: with the record of the process that made it."""
    directory = _cluster(base, name, None, age)
    started = Path(f"/proc/{owner_pid}/stat")
    ticks = started.read_text().rsplit(")", 1)[1].split()[19] if started.exists() else "-"
    (directory / OWNER_FILE).write_text(f"{owner_pid} {ticks}\n", encoding="ascii")
    if age:
        then = time.time() - age
        os.utime(directory, (then, then))
    return directory


needs_proc = pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="processes are inspected through /proc")


@needs_proc
def test_a_directory_whose_owner_is_gone_is_removed_once_no_process_works_in_it(tmp_path):
    # An initdb killed mid-way, or still finishing after its migsafe was killed: young, no postmaster.pid.
    directory = _owned(tmp_path, "killed-initdb", _dead_pid())
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], cwd=directory / "data")
    try:
        assert sweep_stale_clusters(tmp_path) == []
        assert directory.exists()
    finally:
        worker.kill()
        worker.wait()
    assert sweep_stale_clusters(tmp_path) == [directory]


@needs_proc
def test_a_directory_whose_owner_runs_is_kept_however_old(tmp_path):
    directory = _owned(tmp_path, "mine", os.getpid(), age=2 * 3600)
    assert sweep_stale_clusters(tmp_path) == []
    assert directory.exists()


@needs_proc
def test_a_recycled_owner_pid_does_not_keep_a_directory(tmp_path):
    directory = _owned(tmp_path, "recycled", os.getpid())
    pid, _ = (directory / OWNER_FILE).read_text().split()
    (directory / OWNER_FILE).write_text(f"{pid} 1\n", encoding="ascii")  # same pid, another start time
    assert sweep_stale_clusters(tmp_path) == [directory]


@needs_proc
def test_a_pid_planted_in_postmaster_pid_is_not_signalled(tmp_path):
    # postmaster.pid names a live process that is not this directory's postmaster (it works elsewhere).
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], cwd=tmp_path)
    try:
        directory = _owned(tmp_path, "planted", _dead_pid())
        (directory / "data" / "postmaster.pid").write_text(f"{bystander.pid}\n{directory / 'data'}\n")
        assert sweep_stale_clusters(tmp_path) == [directory]
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


@pytest.mark.parametrize("record", ["99999999999999999999 -", "\u00b2 -", "0 -", "", "a b c"])
def test_a_record_the_server_user_forged_does_not_break_the_sweep(tmp_path, record):
    directory = _owned(tmp_path, "forged", os.getpid(), age=2 * 3600)
    (directory / OWNER_FILE).write_text(record, encoding="utf-8")
    (directory / "data" / "postmaster.pid").write_text(record.split(" ")[0] + "\n", encoding="utf-8")
    assert sweep_stale_clusters(tmp_path) == [directory]  # without a valid record: the old rule (over an hour)


# --------------------------------------------------------------------------------------------- a real migsafe

from replay.test_server import needs_postgres, processes_in  # noqa: E402

MIGSAFE = """
import time
from migsafe.replay.server import scratch_database
with scratch_database() as db:
    print(db.directory, flush=True)
    time.sleep(60)
"""

# Becomes a subreaper (as `systemd --user` is), runs a migsafe, and reaps what it adopts until nothing is left.
SUBREAPER = """
import ctypes, os, subprocess, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit(3)
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
"""


@pytest.fixture
def base():
    """A temporary directory the server user can enter when we are root (pytest's own is root-only)."""
    import shutil
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="migsafe-test-", dir="/tmp"))
    directory.chmod(0o755)
    yield directory
    for leftover in sweep_stale_clusters(directory):
        print("left over:", leftover)
    shutil.rmtree(directory, ignore_errors=True)


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@needs_proc
@needs_postgres
def test_a_postmaster_adopted_by_a_subreaper_is_stopped_and_removed(base):
    helper = subprocess.Popen([sys.executable, "-c", SUBREAPER, MIGSAFE], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "TMPDIR": str(base)})
    try:
        migsafe = int(helper.stdout.readline())  # type: ignore[union-attr]
        directory = Path(helper.stdout.readline().strip())  # type: ignore[union-attr]
        assert directory.parent == base
        postmaster = int((directory / "data" / "postmaster.pid").read_text().splitlines()[0])
        os.kill(migsafe, 9)
        deadline = time.monotonic() + 10
        while _ppid(postmaster) == migsafe and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _ppid(postmaster) == helper.pid, "the postmaster should now be the subreaper's"
        assert sweep_stale_clusters(base) == [directory]
        assert processes_in(directory) == []
        helper.wait(timeout=10)  # it has reaped the postmaster: nothing is left for it
    finally:
        if helper.poll() is None:
            helper.kill()
            helper.wait()


@needs_proc
@needs_postgres
def test_the_directory_of_an_initdb_killed_mid_way_is_removed_at_the_next_start(base):
    migsafe = subprocess.Popen([sys.executable, "-c", MIGSAFE], stdout=subprocess.PIPE,
                               env={**os.environ, "TMPDIR": str(base)})
    try:
        deadline = time.monotonic() + 30
        directory = None
        while directory is None and time.monotonic() < deadline:
            made = list(base.glob("migsafe-pg-*"))
            directory = made[0] if made and (made[0] / "data").exists() else None
        assert directory is not None, "initdb did not start"
        # The OOM killer takes migsafe and initdb (the whole group initdb runs in) before it is done.
        migsafe.kill()
        migsafe.wait()  # SIGKILL is delivered asynchronously: until it lands, the owner is still alive
        for pid in processes_in(directory):
            try:
                os.killpg(os.getpgid(pid), 9)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        while processes_in(directory) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sweep_stale_clusters(base) == [directory]
    finally:
        migsafe.kill()
        migsafe.wait()
