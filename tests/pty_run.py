"""Run migsafe with its stderr on a pseudo-terminal, as a person at a terminal would, and its stdout in a file
(a report redirected, or read by the test)."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import migsafe

_SAFETY = 300  # seconds: a hung run fails the test instead of hanging it
# The checkout under test, whatever directory migsafe runs in (a worktree's, not an installed copy).
SOURCE = str(Path(migsafe.__file__).resolve().parents[1])


def environment(**changes: str) -> dict[str, str]:
    """This environment, with the checkout under test first on PYTHONPATH, and ``changes``."""
    path = os.pathsep.join(p for p in (SOURCE, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **changes}


@dataclass
class TerminalRun:
    returncode: int
    stdout: str
    terminal: str  # everything written to the pseudo-terminal (stderr), escape sequences included


def run_with_terminal_stderr(*args: str, cwd: Path, columns: int = 80, term: str = "xterm-256color",
                             env: dict[str, str] | None = None) -> TerminalRun:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    variables = environment(TERM=term, **(env or {}))
    variables.pop("COLUMNS", None)
    variables.pop("FORCE_COLOR", None)
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "-m", "migsafe", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=slave, env=variables)
        os.close(slave)
        received = bytearray()
        deadline = time.monotonic() + _SAFETY
        try:
            while time.monotonic() < deadline:
                if select.select([master], [], [], 0.1)[0]:
                    try:
                        chunk = os.read(master, 1 << 16)
                    except OSError:  # EIO: every process that had the terminal has closed it
                        break
                    if not chunk:
                        break
                    received += chunk
                elif process.poll() is not None:
                    break
            else:
                process.kill()
                raise AssertionError(f"migsafe {' '.join(args)} did not finish in {_SAFETY} s")
            returncode = process.wait(timeout=_SAFETY)
        finally:
            os.close(master)
        out.seek(0)
        stdout = out.read().decode("utf-8")
    return TerminalRun(returncode, stdout, received.decode("utf-8", "replace"))
