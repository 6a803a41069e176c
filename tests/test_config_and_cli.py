"""[tool.migsafe] configuration, command-line overrides, output formats and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import USERS_TABLE, body_line, text_findings, without_root_privileges, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.errors import UsageError

# Lock timeouts set, so that only the rule under test speaks (missing-lock-timeout stays quiet).
LOCK_TIMEOUT = 'op.execute("SET LOCAL lock_timeout = \'2s\'")\n'
DROP = LOCK_TIMEOUT + 'op.drop_column("users", "name")'


def _history(tmp_path: Path, *bodies: str) -> Path:
    versions = tmp_path / "versions"
    write_history(versions, bodies or (USERS_TABLE, DROP))
    return versions


def _pyproject(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\n" + text, encoding="utf-8")


def migsafe(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_config_is_found_upward_and_applied(tmp_path):
    versions = _history(tmp_path)
    _pyproject(tmp_path, 'pg-version = "11"\nfail-on = "error"\n[tool.migsafe.severity]\ndrop-column = "info"\n')
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert report.pg_version == "11"
    assert [(f.rule, f.severity) for f in report.findings] == [("drop-column", "info")]
    assert report.exit_code() == 0


def test_cli_options_override_config(tmp_path):
    versions = _history(tmp_path)
    _pyproject(tmp_path, 'fail-on = "never"\nignore = ["drop-column"]\n')
    assert review(ReviewOptions(paths=[versions], cwd=tmp_path)).findings == []
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, fail_on="warning", pg_version="14.2"))
    assert report.exit_code() == 0 and report.pg_version == "14.2"
    # --select starts over, as ruff's does: the file's ignore no longer holds (tests/test_rule_selection.py).
    assert [f.rule for f in review(ReviewOptions(paths=[versions], cwd=tmp_path, select=["drop-column"])).findings] \
        == ["drop-column"]


def test_select_limits_rules(tmp_path):
    versions = _history(tmp_path)
    _pyproject(tmp_path, 'select = ["drop-column"]\n')
    assert [f.rule for f in review(ReviewOptions(paths=[versions], cwd=tmp_path)).findings] == ["drop-column"]


def test_start_after_from_config(tmp_path):
    versions = _history(tmp_path, USERS_TABLE, DROP, LOCK_TIMEOUT + 'op.drop_column("users", "email")')
    _pyproject(tmp_path, 'start-after = "r2"\n')
    assert [f.revision for f in review(ReviewOptions(paths=[versions], cwd=tmp_path)).findings] == ["r3"]


@pytest.mark.parametrize("text, message", [
    ('pg-versoin = "15"\n', "unknown key 'pg-versoin'"),
    ('ignore = ["drop-colunm"]\n', "unknown rule id 'drop-colunm'"),
    ('pg-version = "fifteen"\n', "pg-version must look like"),
    ('fail-on = "sometimes"\n', "fail-on must be one of"),
    ('[tool.migsafe.severity]\ndrop-column = "fatal"\n', "severity of 'drop-column'"),
    ('transaction-per-migration = "yes"\n', "transaction-per-migration must be true or false"),
    ('deploy = "all-at-once"\n', "deploy must be one of 'each-revision', 'changed-together'"),
])
def test_bad_config_is_an_error_naming_the_file(tmp_path, text, message):
    versions = _history(tmp_path)
    _pyproject(tmp_path, text)
    with pytest.raises(UsageError, match=message) as info:
        review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert "pyproject.toml" in str(info.value)


def test_transaction_model_from_config_is_stated(tmp_path):
    versions = _history(tmp_path)
    _pyproject(tmp_path, "transaction-per-migration = false\n")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert report.transaction_model == "single"


def test_exit_codes_and_json_contract(tmp_path):
    versions = _history(tmp_path)
    result = migsafe("review", str(versions), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["assumptions"] == {
        "pg_version": "15", "transaction_model": "per-migration", "transaction_model_source": "default",
        "transaction_model_description": "one transaction per revision (transaction_per_migration=True)",
        "deploy": "each-revision", "deploy_description": "each revision deployed on its own",
        "driver": "psycopg2", "driver_source": "default",
        "driver_description": "driver psycopg2 (SQLAlchemy's default for postgresql://): statements after a bare "
                              "COMMIT run outside a transaction until Alembic's commit",
        "config_file": None}
    [finding] = data["findings"]
    assert {"rule", "severity", "path", "line", "revision", "message", "fix"} <= set(finding)
    assert finding["path"] == "versions/002_r2.py"  # relative to the current directory
    assert data["summary"]["findings"] == 1 and data["errors"] == [] and "notes" in data
    assert migsafe("review", str(versions), "--fail-on", "error", cwd=tmp_path).returncode == 0
    assert migsafe("review", str(versions), "--fail-on", "never", cwd=tmp_path).returncode == 0


def test_clean_history_exits_zero(tmp_path):
    versions = _history(tmp_path, USERS_TABLE, LOCK_TIMEOUT + 'op.add_column("users", sa.Column("age", sa.Integer()))')
    result = migsafe("review", str(versions), cwd=tmp_path)
    assert result.returncode == 0
    assert "0 findings" in result.stdout


def test_load_error_exits_two_whatever_fail_on_says(tmp_path):
    versions = _history(tmp_path, USERS_TABLE, "import not_installed_anywhere")
    result = migsafe("review", str(versions), "--fail-on", "never", "--strict-imports", cwd=tmp_path)
    assert result.returncode == 2
    assert "002_r2.py" in result.stdout and "ModuleNotFoundError" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("args, message", [
    (["review", "does-not-exist"], "does-not-exist: no such file or directory"),
    (["review", "--format", "xml", "."], "--format must be one of"),
    (["review", "--select", "nope", "versions"], "--select: unknown rule id 'nope'"),
    (["explain", "nope"], "unknown rule id 'nope'"),
])
def test_usage_errors_are_one_line_and_exit_two(tmp_path, args, message):
    _history(tmp_path)
    result = migsafe(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_text_output_is_plain_without_a_terminal_and_names_the_line(tmp_path):
    versions = _history(tmp_path)
    result = migsafe("review", str(versions), cwd=tmp_path, env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout
    line = body_line(DROP, "drop_column")
    assert ("versions/002_r2.py", line, "warning", "drop-column") in text_findings(result.stdout)
    assert "fix:" in result.stdout
    assert "assumed: PostgreSQL 15" in result.stdout
    again = migsafe("review", str(versions), cwd=tmp_path, env={"NO_COLOR": "1"})
    assert again.stdout == result.stdout


def test_rules_and_explain(tmp_path):
    listing = migsafe("rules", cwd=tmp_path)
    assert listing.returncode == 0 and "drop-column" in listing.stdout
    page = migsafe("explain", "drop-column", cwd=tmp_path)
    assert page.returncode == 0 and page.stdout.startswith("# drop-column")


def test_version_is_cheap(tmp_path):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "migsafe", "--version"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.stdout.startswith("migsafe ")
    imported = result.stderr
    for heavy in ("sqlalchemy", "alembic", "rich", "typer", "pglast"):
        assert f" {heavy}" not in imported, f"--version imported {heavy}"


ENV_PY = """
from alembic import context

def run_migrations_online():
    context.configure(connection=None, target_metadata=None{extra})
    with context.begin_transaction():
        context.run_migrations()
"""


def test_an_env_py_connection_in_autocommit_means_no_transactions(tmp_path):
    # Flask-Migrate projects that commit after every step: Alembic's begin_transaction() opens nothing.
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [USERS_TABLE, DROP])
    source = ENV_PY.format(extra="").replace(
        "    context.configure(", "    connection = engine.connect().execution_options(isolation_level=\"AUTOCOMMIT\")\n"
                                 "    context.configure(")
    (root / "migrations" / "env.py").write_text(source)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    report = review(ReviewOptions(paths=[root], cwd=tmp_path))
    assert (report.transaction_model, report.transaction_model_source) == ("none", "env.py")
    assert "AUTOCOMMIT" in report.transaction_description


@pytest.mark.parametrize("extra, model", [
    (", transaction_per_migration=True", "per-migration"),
    ("", "single"),
    (", transactional_ddl=False", "none"),
])
def test_transaction_model_is_read_from_env_py(tmp_path, extra, model):
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [USERS_TABLE, DROP])
    (root / "migrations" / "env.py").write_text(ENV_PY.format(extra=extra))
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    report = review(ReviewOptions(paths=[root], cwd=tmp_path))
    assert report.transaction_model == model
    assert report.transaction_description.endswith("from env.py")


def test_configuration_overrides_env_py(tmp_path):
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [USERS_TABLE, DROP])
    (root / "migrations" / "env.py").write_text(ENV_PY.format(extra=""))
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (root / "pyproject.toml").write_text("[tool.migsafe]\ntransaction-per-migration = true\n")
    report = review(ReviewOptions(paths=[root], cwd=tmp_path))
    assert (report.transaction_model, report.transaction_model_source) == ("per-migration", "[tool.migsafe]")


ALEMBIC_INI = b"[alembic]\nscript_location = %(here)s/migrations\n"
TOOL_ALEMBIC = b'[tool.alembic]\nscript_location = "%(here)s/migrations"\n'


@pytest.mark.parametrize("files, config, message", [
    # pyproject.toml is the Alembic configuration
    ({"pyproject.toml": b'[tool.alembic]\nscript_location = "%(here)s/migrations\n'}, None,
     "pyproject.toml:2: invalid TOML: Illegal character '\\n' (column 39)"),
    ({"pyproject.toml": TOOL_ALEMBIC + b"# caf\xe9\n"}, None, "pyproject.toml:3: not UTF-8 (byte 0xe9 at offset 60)"),
    # pyproject.toml holds only [tool.migsafe], beside an alembic.ini (Alembic reads it too)
    ({"alembic.ini": ALEMBIC_INI, "pyproject.toml": b'[tool.migsafe]\nfail-on = "error\n'}, None,
     "pyproject.toml:2: invalid TOML: Illegal character '\\n' (column 17)"),
    ({"alembic.ini": ALEMBIC_INI, "pyproject.toml": b'[tool.migsafe]\nfail-on = "\xff"\n'}, None,
     "pyproject.toml:2: not UTF-8 (byte 0xff at offset 26)"),
    ({"alembic.ini": ALEMBIC_INI, "pyproject.toml": b"[tool.migsafe]\nselect = [\n"}, None,
     "pyproject.toml:3: invalid TOML: Invalid value"),
    # --config FILE
    ({"alembic.ini": ALEMBIC_INI, "bad.toml": b"pg-version = \n"}, "bad.toml",
     "bad.toml:1: invalid TOML: Invalid value (column 14)"),
    ({"alembic.ini": ALEMBIC_INI, "bad.toml": b'pg-version = "\xfe"\n'}, "bad.toml",
     "bad.toml:1: not UTF-8 (byte 0xfe at offset 14)"),
    # TOML that parses, with something else where a table belongs
    ({"alembic.ini": ALEMBIC_INI, "pyproject.toml": b'tool = "poetry"\n'}, None,
     "pyproject.toml: `tool` must be a table, not a string"),
    ({"alembic.ini": ALEMBIC_INI, "pyproject.toml": b"[tool]\nmigsafe = 1\n"}, None,
     "pyproject.toml: `tool.migsafe` must be a table ([tool.migsafe]), not an integer"),
    ({"alembic.ini": ALEMBIC_INI, "pyproject.toml": b'[tool]\nalembic = "alembic.ini"\n'}, None,
     "pyproject.toml: `tool.alembic` must be a table ([tool.alembic]), not a string"),
    ({"pyproject.toml": b"[tool]\nalembic = [1]\n"}, None,
     "pyproject.toml: `tool.alembic` must be a table ([tool.alembic]), not an array"),
    # alembic.ini itself
    ({"alembic.ini": b"[alembic]\n# caf\xe9\nscript_location = %(here)s/migrations\n"}, None,
     "alembic.ini:2: not UTF-8 (byte 0xe9 at offset 15)"),
    ({"alembic.ini": b"\x00garbage\n"}, None, "alembic.ini:1: invalid ini: no [section] header before"),
    ({"alembic.ini": ALEMBIC_INI + b"garbage\n"}, None, "alembic.ini:3: invalid ini: cannot parse 'garbage\\n'"),
    ({"alembic.ini": ALEMBIC_INI + b"script_location = x\n"}, None,
     "alembic.ini:3: invalid ini: option 'script_location' in section 'alembic' already exists"),
])
def test_a_broken_configuration_file_is_named_with_its_line(tmp_path, files, config, message):
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [USERS_TABLE, DROP])
    for name, content in files.items():
        (root / name).write_bytes(content)
    options = ReviewOptions(paths=[], cwd=root, config_file=root / config if config else None)
    with pytest.raises(UsageError) as info:
        review(options)
    text = str(info.value)
    assert text.startswith(f"{root}/{message}") and "\n" not in text, text  # the file that is wrong, its line


def test_a_non_utf8_pyproject_is_one_line_and_exit_two(tmp_path):
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [USERS_TABLE, DROP])
    (root / "alembic.ini").write_bytes(ALEMBIC_INI)
    (root / "pyproject.toml").write_bytes(b'[tool.migsafe]\nfail-on = "\xff"\n')
    result = migsafe("review", cwd=root)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"migsafe: error: {root / 'pyproject.toml'}:2: not UTF-8 (byte 0xff at offset 26)\n"


@pytest.mark.parametrize("make, path, message", [
    (lambda root: os.mkfifo(root / "alembic.ini"), "alembic.ini", "alembic.ini: not a regular file or directory"),
    (lambda root: os.mkfifo(root / "migrations" / "versions" / "fifo.py"), "migrations/versions/fifo.py",
     "fifo.py: not a regular file"),
    (lambda root: (root / "loop.py").symlink_to("loop.py"), "loop.py",
     "loop.py: symbolic link that leads nowhere or loops"),
])
def test_a_path_that_is_no_file_is_a_usage_error(tmp_path, make, path, message):
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [USERS_TABLE, DROP])
    make(root)
    with pytest.raises(UsageError, match=message):
        review(ReviewOptions(paths=[root / path], cwd=root))


def test_a_versions_location_that_is_a_file_says_so(tmp_path):
    root = tmp_path / "project"
    (root / "migrations").mkdir(parents=True)
    (root / "migrations" / "versions").write_text("")
    (root / "alembic.ini").write_bytes(ALEMBIC_INI)
    with pytest.raises(UsageError, match=r"alembic.ini: versions directory .*/migrations/versions is not a directory"):
        review(ReviewOptions(paths=[root], cwd=root))


def test_an_alembic_ini_that_cannot_be_read_says_so(tmp_path):
    """configparser skips a file it cannot open: the error was "no script_location", about a file that has one."""
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [USERS_TABLE, DROP])
    ini = root / "alembic.ini"
    ini.write_bytes(ALEMBIC_INI)
    ini.chmod(0)
    try:
        result = subprocess.run([*without_root_privileges(), sys.executable, "-m", "migsafe", "review", "."],
                                cwd=root, capture_output=True, text=True, timeout=120)
    finally:
        ini.chmod(0o644)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"migsafe: error: {ini}: cannot read: Permission denied\n"


def test_a_path_behind_a_directory_without_permission_is_named(tmp_path):
    """Looking at the path itself fails (stat: EACCES): it was an internal error."""
    root = tmp_path / "project"
    write_history(root / "versions", [USERS_TABLE, DROP])
    root.chmod(0)
    try:
        result = subprocess.run([*without_root_privileges(), sys.executable, "-m", "migsafe", "review",
                                 "project/versions"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    finally:
        root.chmod(0o755)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "migsafe: error: project/versions: Permission denied\n"
