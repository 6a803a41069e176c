"""Bad input, through the command line as users meet it: one clear line, the right exit code, no traceback, and
stdout that holds the report and nothing else (``--format json`` parses even when a revision prints)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import USERS_TABLE, revision_source, write_history

DROP = 'op.drop_column("users", "name")'


def migsafe(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout


def usage_error(done: subprocess.CompletedProcess[str], text: str) -> None:
    """Exit 2, nothing on stdout, exactly one line on stderr that says what is wrong."""
    no_traceback(done)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("migsafe: error: ") and text in lines[0], done.stderr


def json_report(done: subprocess.CompletedProcess[str]) -> dict:
    no_traceback(done)
    return json.loads(done.stdout)


def messages(report: dict) -> dict[str, str]:
    return {e["revision"]: e["message"] for e in report["errors"]}


def rules(report: dict) -> list[tuple[str, str]]:
    return [(f["rule"], f["revision"]) for f in report["findings"] if f["rule"] != "missing-lock-timeout"]


def test_empty_directory(tmp_path):
    (tmp_path / "versions").mkdir()
    usage_error(migsafe(tmp_path, "review", "versions"), "no revision scripts")
    usage_error(migsafe(tmp_path, "review", "versions", "--format", "json"), "no revision scripts")


def test_directory_without_revisions(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "helpers.py").write_text("VALUE = 1\n")
    (versions / "README").write_text("not a revision\n")
    usage_error(migsafe(tmp_path, "review", "versions", "--format", "json"), "no revision scripts")


def test_missing_path(tmp_path):
    done = migsafe(tmp_path, "review", "no_such_dir")
    no_traceback(done)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1


def test_cycle_in_down_revision(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text(revision_source(USERS_TABLE, "a", None))
    (versions / "b.py").write_text(revision_source(DROP, "b", "a"))
    (versions / "x.py").write_text(revision_source("pass", "x", "y"))
    (versions / "y.py").write_text(revision_source("pass", "y", "x"))
    done = migsafe(tmp_path, "review", "versions", "--format", "json")
    report = json_report(done)
    assert done.returncode == 2
    assert {e["revision"] for e in report["errors"] if "cycle" in e["message"]} == {"x", "y"}
    assert rules(report) == [("drop-column", "b")]  # the rest is still reviewed
    text = migsafe(tmp_path, "review", "versions")
    no_traceback(text)
    assert text.returncode == 2 and "cycle" in text.stdout


def test_missing_parent_revision(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text(revision_source("op.create_table('t', sa.Column('id', sa.Integer()))", "a",
                                                   "gone"))
    done = migsafe(tmp_path, "review", "versions", "--format", "json")
    report = json_report(done)
    assert done.returncode == 0  # a history that starts after a squash is normal: a note, not an error
    assert any("gone" in note["message"] for note in report["notes"])
    assert report["summary"]["revisions_reviewed"] == 1


def test_duplicate_revision_ids(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (versions / "zzz_dup.py").write_text(revision_source("pass", "r2", "r1"))
    done = migsafe(tmp_path, "review", "versions", "--format", "json")
    report = json_report(done)
    assert done.returncode == 2
    assert any("duplicate revision id 'r2'" in e["message"] for e in report["errors"])


def test_non_utf8_file(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE])
    (versions / "002_latin1.py").write_bytes(revision_source(DROP + "  # caf\xe9", "r2", "r1").encode("latin-1"))
    done = migsafe(tmp_path, "review", "versions", "--format", "json")
    report = json_report(done)
    assert done.returncode == 2
    bad = [e for e in report["errors"] if e["path"].endswith("002_latin1.py")]
    assert len(bad) == 1 and "not valid UTF-8" in bad[0]["message"] and "\n" not in bad[0]["message"]
    text = migsafe(tmp_path, "review", "versions")
    no_traceback(text)
    assert text.returncode == 2


def test_sys_exit_in_a_revision(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, "import sys\nsys.exit(3)", "raise SystemExit", DROP])
    done = migsafe(tmp_path, "review", "versions", "--format", "json")
    report = json_report(done)
    assert done.returncode == 2
    assert messages(report)["r2"] == "revision called sys.exit(3)"
    assert messages(report)["r3"] == "revision called sys.exit(None)"
    assert rules(report) == [("drop-column", "r4")]


def test_os_exit_in_a_revision(tmp_path):
    # os._exit() skips every handler: without care it would end migsafe with no report at all.
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, "import os\nos._exit(4)", DROP])
    done = migsafe(tmp_path, "review", "versions", "--format", "json")
    report = json_report(done)
    assert done.returncode == 2
    assert messages(report)["r2"] == "revision called os._exit(4)"
    assert rules(report) == [("drop-column", "r3")]


def test_sys_exit_at_import_time(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (versions / "003_exit.py").write_text("import sys\nsys.exit(0)\n" + revision_source("pass", "r3", "r2"))
    done = migsafe(tmp_path, "review", "versions", "--format", "json")
    report = json_report(done)
    # Without its revision id the file cannot join the graph; it must be reported, not end the review.
    assert done.returncode == 2
    assert report["errors"]
    assert rules(report) == [("drop-column", "r2")]


FOREVER = """
op.execute("CREATE TABLE spin (id int)")
try:
    while True:
        pass
except Exception:  # a revision's own broad except must not swallow the timeout
    pass
"""


def test_a_revision_that_runs_forever_times_out_and_the_review_goes_on(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, FOREVER, "import time\ntime.sleep(1000)", DROP])
    (versions / "005_sleep_on_import.py").write_text(
        "import time\ntime.sleep(1000)\n" + revision_source("pass", "r5", "r4"))
    started = time.monotonic()
    done = migsafe(tmp_path, "review", "versions", "--format", "json", "--revision-timeout", "1", timeout=60)
    elapsed = time.monotonic() - started
    report = json_report(done)
    assert done.returncode == 2
    assert elapsed < 30
    found = messages(report)
    assert found["r2"] == found["r3"] == "revision did not finish within 1 s (see --revision-timeout)"
    assert rules(report) == [("drop-column", "r4")]
    by_revision = {e["revision"]: e for e in report["errors"]}
    assert by_revision["r2"]["line"] > 1  # points into the loop, not at the top of the file


def test_revision_timeout_from_the_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\nrevision-timeout = 1\n")
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, "import time\ntime.sleep(1000)"])
    done = migsafe(tmp_path, "review", "versions", "--format", "json", timeout=60)
    report = json_report(done)
    assert messages(report)["r2"].startswith("revision did not finish within 1 s")


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_bad_revision_timeout_is_a_usage_error(tmp_path, value):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE])
    done = migsafe(tmp_path, "review", "versions", "--revision-timeout", value)
    no_traceback(done)
    assert done.returncode == 2 and done.stdout == ""
    assert "revision-timeout" in done.stderr


def test_bad_revision_timeout_in_the_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\nrevision-timeout = \"soon\"\n")
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE])
    usage_error(migsafe(tmp_path, "review", "versions"), "revision-timeout must be a number of seconds")


NOISY = """
import sys
print("print in upgrade")
sys.stdout.write("stdout write\\n")
print("to stderr", file=sys.stderr)
with open("written-by-revision.txt", "w") as fh:
    fh.write("x")
op.drop_column("users", "name")
"""


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_a_revision_that_prints_and_writes_files_leaves_stdout_clean(tmp_path, output_format):
    versions = tmp_path / "versions"
    paths = write_history(versions, [USERS_TABLE, NOISY])
    source = paths[0].read_text().replace("from alembic import op", "from alembic import op\nprint('at import')")
    paths[0].write_text(source)
    done = migsafe(tmp_path, "review", "versions", "--format", output_format)
    report = json_report(done)
    assert "print in upgrade" not in done.stdout and "at import" not in done.stdout
    if output_format == "json":
        assert rules(report) == [("drop-column", "r2")]
        assert done.returncode == 1
    assert (tmp_path / "written-by-revision.txt").exists()  # revisions are executed, as Alembic executes them


def test_text_report_is_not_interleaved_with_revision_output(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, NOISY])
    done = migsafe(tmp_path, "review", "versions")
    no_traceback(done)
    assert done.returncode == 1
    assert "print in upgrade" not in done.stdout and "stdout write" not in done.stdout
    assert "drop-column" in done.stdout


def test_output_around_sys_stdout_does_not_reach_the_report(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, "import os, sys\nsys.__stdout__.write('dunder\\n')\n"
                                          "os.write(1, b'fd one\\n')\n" + DROP])
    done = migsafe(tmp_path, "review", "versions", "--format", "json")
    json_report(done)
