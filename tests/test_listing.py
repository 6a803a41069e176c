"""What a versions directory can hold besides revision scripts: links that loop or lead nowhere, a directory
reached twice, a FIFO, a directory that cannot be listed. The review finishes, names what it left out, and
reviews every real revision once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import USERS_TABLE, revision_source, without_root_privileges, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.errors import UsageError
from migsafe.report import Report

DROP = 'op.drop_column("users", "name")'


def _skipped(report: Report) -> list[str]:
    return sorted(n.message for n in report.notes if n.kind == "skipped")


def _recursive_project(tmp_path: Path, version_locations: str = "") -> Path:
    """r1, r2 in versions/, r3 in versions/sub/, recursive_version_locations on."""
    root = tmp_path / "project"
    versions = root / "migrations" / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (versions / "sub").mkdir()
    (versions / "sub" / "003_r3.py").write_text(revision_source('op.drop_column("users", "email")', "r3", "r2"))
    (root / "alembic.ini").write_text(textwrap.dedent(f"""\
        [alembic]
        script_location = %(here)s/migrations
        recursive_version_locations = true
        {version_locations}
        """), encoding="utf-8")
    return root


def test_links_that_loop_or_lead_nowhere_are_left_out_with_a_note(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (versions / "self.py").symlink_to("self.py")
    (versions / "ping.py").symlink_to("pong.py")
    (versions / "pong.py").symlink_to("ping.py")
    (versions / "moved.py").symlink_to("../elsewhere/moved.py")
    (versions / ".#002_r2.py").symlink_to("root@host.4242")  # an editor's lock file: Alembic skips it silently
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False))
    assert report.errors == []
    assert report.revisions_reviewed == 2
    assert [(f.rule, f.revision) for f in report.findings if f.rule == "drop-column"] == [("drop-column", "r2")]
    assert _skipped(report) == [
        "versions/moved.py: symbolic link to ../elsewhere/moved.py, which does not exist; not reviewed",
        "versions/ping.py: symbolic link loop; not reviewed",
        "versions/pong.py: symbolic link loop; not reviewed",
        "versions/self.py: symbolic link loop; not reviewed",
    ]


def test_a_directory_loop_is_not_followed(tmp_path):
    root = _recursive_project(tmp_path)
    versions = root / "migrations" / "versions"
    (versions / "sub" / "back").symlink_to("..")
    report = review(ReviewOptions(paths=[root], cwd=root, use_cache=False))
    assert report.errors == []
    assert report.revisions_reviewed == 3
    assert [f.revision for f in report.findings if f.rule == "drop-column"] == ["r2", "r3"]
    assert _skipped(report) == [
        "migrations/versions/sub/back: link to a directory (..); not followed, as Alembic does not follow it"]


def test_overlapping_version_locations_list_a_directory_once(tmp_path):
    root = _recursive_project(tmp_path, "version_locations = %(here)s/migrations/versions "
                                        "%(here)s/migrations/versions/sub")
    report = review(ReviewOptions(paths=[root], cwd=root, use_cache=False))
    assert report.errors == []  # not "duplicate revision id 'r3'"
    assert report.revisions_reviewed == 3
    assert _skipped(report) == ["migrations/versions/sub: listed once: more than one version location includes it"]


def test_a_link_to_a_listed_script_is_the_same_revision(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (versions / "000_latest.py").symlink_to("002_r2.py")  # sorts first: the plain file is kept all the same
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False))
    assert report.errors == []  # not "duplicate revision id 'r2'"
    assert [f.path.name for f in report.findings if f.rule == "drop-column"] == ["002_r2.py"]
    assert _skipped(report) == ["versions/000_latest.py: the same file as 002_r2.py; reviewed once"]


def test_a_fifo_named_like_a_script_is_left_out_without_being_opened(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    os.mkfifo(versions / "fifo.py")  # opening it would block until a writer comes
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False))
    assert report.errors == [] and report.revisions_reviewed == 2
    assert _skipped(report) == ["versions/fifo.py: a FIFO, not a regular file; not reviewed"]


def test_only_links_that_lead_nowhere_is_still_nothing_to_review_and_says_why(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "001_r1.py").symlink_to("/nonexistent/001_r1.py")
    with pytest.raises(UsageError, match=r"nothing to review: .*\(1 left out; first: versions/001_r1.py: symbolic "
                                         r"link to /nonexistent/001_r1.py, which does not exist"):
        review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False))


def test_a_directory_that_cannot_be_listed_is_an_error_not_a_silent_gap(tmp_path):
    root = _recursive_project(tmp_path)
    sub = root / "migrations" / "versions" / "sub"
    secret = root / "migrations" / "versions" / "004_r4.py"
    secret.write_text(revision_source("pass", "r4", "r3"))
    sub.chmod(0)
    secret.chmod(0)
    try:
        done = subprocess.run([*without_root_privileges(), sys.executable, "-m", "migsafe", "review", ".",
                               "--no-cache", "--fail-on", "never"],
                              cwd=root, capture_output=True, text=True, timeout=120)
    finally:
        sub.chmod(0o755)
        secret.chmod(0o644)
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 2, done.stderr
    assert "migrations/versions/sub: load-error: cannot list directory: Permission denied" in done.stdout
    assert "migrations/versions/004_r4.py:1: load-error: cannot read file: Permission denied" in done.stdout
