"""The hooks in .pre-commit-hooks.yaml, run for real with `pre-commit try-repo` on a temporary repository that
stages a small Alembic history with a dangerous revision.

The `migsafe` hook (language: python) makes pre-commit build its own virtual environment and pip-install
migsafe from the hook repository: that needs the package registry and takes most of this file's time (about
50 s here). The `migsafe-system` hook uses the `migsafe` on PATH (this test's environment) and is quick.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import text_findings

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")

FILES = "migrations/versions"

HISTORY = {
    "0001_accounts.py": '''\
        """accounts"""
        from alembic import op
        import sqlalchemy as sa

        revision = "0001"
        down_revision = None
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_table("accounts", sa.Column("id", sa.Integer, primary_key=True),
                            sa.Column("email", sa.String(200)))


        def downgrade():
            op.drop_table("accounts")
        ''',
    "0002_index_accounts.py": '''\
        """index accounts by email"""
        from alembic import op

        revision = "0002"
        down_revision = "0001"
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_index("ix_accounts_email", "accounts", ["email"])


        def downgrade():
            op.drop_index("ix_accounts_email")
        ''',
    # Imports a library of the application that only the project's own environment has: pre-commit's
    # isolated environment cannot import it, which is what the migsafe-system hook is for.
    "0003_audit.py": '''\
        """audit table"""
        from alembic import op
        import sqlalchemy as sa
        from acme_app.naming import AUDIT_TABLE

        revision = "0003"
        down_revision = "0002"
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_table(AUDIT_TABLE, sa.Column("id", sa.Integer, primary_key=True))


        def downgrade():
            op.drop_table(AUDIT_TABLE)
        ''',
}


def _git_env(home: Path) -> dict[str, str]:
    # Neither the developer's git configuration (hooks, signing, templates) nor their pre-commit cache.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return {**env, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "PRE_COMMIT_HOME": str(home / "pre-commit-home")}


def _git(*args: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "user.name=migsafe tests",
                    "-c", "user.email=tests@migsafe.invalid", "-c", "commit.gpgsign=false", *args],
                   cwd=cwd, env=env, check=True, capture_output=True)


def _working_tree_files(root: Path) -> list[Path]:
    """What git would see in this checkout (tracked and untracked, not ignored), or everything sensible."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                             capture_output=True)
    if listing.returncode == 0 and listing.stdout:
        return [Path(name) for name in listing.stdout.decode().split("\0") if name and (root / name).is_file()]
    skip = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "build", "dist"}
    return [p.relative_to(root) for p in root.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(root).parts) and p.suffix != ".pyc"]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """A committed copy of this checkout's working tree.

    `pre-commit try-repo PATH` installs the hooks from a commit of PATH: HEAD, plus staged and modified tracked
    files, but never untracked ones (a new .pre-commit-hooks.yaml, say). The working tree under test may not
    be committed yet, and a test must not commit in the developer's checkout; so the working tree is copied
    into a new repository, committed there, and that copy is what try-repo gets.
    """
    copy = tmp_path_factory.mktemp("hook-repo")
    for relative in _working_tree_files(REPO):
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    assert (copy / ".pre-commit-hooks.yaml").is_file()
    env = _git_env(copy)
    _git("init", "-q", cwd=copy, env=env)
    _git("add", "-A", cwd=copy, env=env)
    _git("commit", "-q", "-m", "working tree under test", cwd=copy, env=env)
    return copy


@pytest.fixture
def project(tmp_path) -> Path:
    """A git repository with an Alembic project, every file staged and nothing committed."""
    root = tmp_path / "project"
    versions = root / FILES
    versions.mkdir(parents=True)
    for name, source in HISTORY.items():
        (versions / name).write_text(textwrap.dedent(source), encoding="utf-8")
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n"
                                      "prepend_sys_path = .\npath_separator = os\n", encoding="utf-8")
    # Only the rule this history is about, so the expected exit codes do not change as rules are added.
    (root / "pyproject.toml").write_text('[tool.migsafe]\nselect = ["index-not-concurrent"]\n', encoding="utf-8")
    (root / "README.md").write_text("not a revision\n", encoding="utf-8")
    env = _git_env(tmp_path)
    _git("init", "-q", cwd=root, env=env)
    _git("add", "-A", cwd=root, env=env)
    return root


@pytest.fixture
def application(tmp_path) -> Path:
    """The application's library, importable only where PYTHONPATH says (the project's own environment)."""
    site = tmp_path / "site"
    (site / "acme_app").mkdir(parents=True)
    (site / "acme_app" / "__init__.py").write_text("", encoding="utf-8")
    (site / "acme_app" / "naming.py").write_text('AUDIT_TABLE = "audit_log"\n', encoding="utf-8")
    return site


def _try_repo(hook_repo: Path, hook_id: str, files: list[str], cwd: Path,
              env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook_id,
                           "--color", "never", "--verbose", "--files", *files],
                          cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=900)


def _index_line() -> int:
    source = textwrap.dedent(HISTORY["0002_index_accounts.py"]).splitlines()
    return next(n for n, line in enumerate(source, start=1) if "op.create_index" in line)


def test_migsafe_hook_in_its_own_environment_blocks_the_dangerous_revision(hook_repo, project, tmp_path):
    files = [f"{FILES}/0002_index_accounts.py", f"{FILES}/0003_audit.py"]
    result = _try_repo(hook_repo, "migsafe", files, cwd=project, env=_git_env(tmp_path))
    output = result.stdout
    assert result.returncode != 0, output
    assert "migsafe (Alembic migration safety)" in output and "Failed" in output
    assert (f"{FILES}/0002_index_accounts.py", _index_line(), "error", "index-not-concurrent") in text_findings(output)
    assert "fix: Build the index with" in output
    # The revision importing the application cannot be fully reviewed in pre-commit's environment, and
    # migsafe says so (a partial review or a load error, naming the module): hence migsafe-system.
    assert "acme_app" in output
    assert "Traceback" not in output


def test_migsafe_system_hook_uses_the_project_environment(hook_repo, project, application, tmp_path):
    env = _git_env(tmp_path)
    # The project's environment: its migsafe on PATH, its application importable.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(application)
    files = [f"{FILES}/0002_index_accounts.py", f"{FILES}/0003_audit.py"]
    result = _try_repo(hook_repo, "migsafe-system", files, cwd=project, env=env)
    output = result.stdout
    assert result.returncode == 1, output
    assert (f"{FILES}/0002_index_accounts.py", _index_line(), "error", "index-not-concurrent") in text_findings(output)
    assert "acme_app" not in output  # imported for real: a complete review
    assert "Traceback" not in output

    clean = _try_repo(hook_repo, "migsafe-system", [f"{FILES}/0003_audit.py"], cwd=project, env=env)
    assert clean.returncode == 0, clean.stdout
    assert "Passed" in clean.stdout

    unrelated = _try_repo(hook_repo, "migsafe-system", ["README.md", "alembic.ini"], cwd=project, env=env)
    assert unrelated.returncode == 0, unrelated.stdout
    assert "(no files to check)Skipped" in unrelated.stdout
