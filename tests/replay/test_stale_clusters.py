"""Clusters left behind by a migsafe that was killed (SIGKILL) are removed at the next start; the cluster of a
migsafe that is still running never is.

A stand-in process plays the orphaned postmaster (re-parented to init, serving the directory): starting and
killing a real PostgreSQL is covered in test_server.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
