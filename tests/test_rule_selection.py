"""Which rules run when the configuration file and the command line both speak: ruff's way.

The configuration file's ``select`` (every rule when absent or empty) plus ``extend-select``, minus ``ignore`` and
``extend-ignore``; then the command line: ``--select`` starts over, ``--extend-select`` adds, ``--ignore`` (and
its synonym ``--extend-ignore``) takes away and never gives back a rule the file ignored.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import USERS_TABLE, write_history
from migsafe.cli import app
from migsafe.engine import ReviewOptions, review
from migsafe.errors import UsageError
from migsafe.selection import RuleSelection, enabled_rules

# Without a lock_timeout: drop-column and missing-lock-timeout both report this statement.
DROP = 'op.drop_column("users", "name")'
BOTH = ["drop-column", "missing-lock-timeout"]


def _rules(tmp_path: Path, config: str | None, **options: object) -> list[str]:
    versions = tmp_path / "versions"
    if not versions.exists():
        write_history(versions, (USERS_TABLE, DROP))
    if config is not None:
        (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\n" + config, encoding="utf-8")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, **options))  # type: ignore[arg-type]
    return sorted({f.rule for f in report.findings})


def test_both_rules_speak_without_configuration(tmp_path):
    assert _rules(tmp_path, None) == BOTH


def test_command_line_ignore_adds_to_the_configuration_ignores(tmp_path):
    # The bug this fixes: a CI job's --ignore replaced the file's list and re-enabled drop-column.
    assert _rules(tmp_path, 'ignore = ["drop-column"]\n') == ["missing-lock-timeout"]
    assert _rules(tmp_path, 'ignore = ["drop-column"]\n', ignore=["missing-lock-timeout"]) == []


def test_extend_ignore_on_the_command_line_is_ignore(tmp_path):
    write_history(tmp_path / "versions", (USERS_TABLE, DROP))
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe]\nignore = ["drop-column"]\n', encoding="utf-8")
    versions = str(tmp_path / "versions")
    result = CliRunner().invoke(app, ["review", versions, "--format", "json", "--extend-ignore",
                                      "missing-lock-timeout"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert '"findings": []' in result.stdout
    result = CliRunner().invoke(app, ["review", versions, "--extend-ignore", "missing-lock-timeout",
                                      "--ignore", "drop-column", "--format", "json"])
    assert result.exit_code == 0 and '"findings": []' in result.stdout


def test_command_line_select_replaces_the_configuration_selection(tmp_path):
    # As `ruff check --select F401` with `ignore = ["F401"]` in the file: the command line starts over.
    assert _rules(tmp_path, 'ignore = ["drop-column"]\n', select=["drop-column"]) == ["drop-column"]
    assert _rules(tmp_path, 'select = ["drop-column"]\n', select=["missing-lock-timeout"]) == ["missing-lock-timeout"]


def test_command_line_extend_select_adds_to_the_configuration_selection(tmp_path):
    assert _rules(tmp_path, 'select = ["drop-column"]\n') == ["drop-column"]
    assert _rules(tmp_path, 'select = ["drop-column"]\n', extend_select=["missing-lock-timeout"]) == BOTH


def test_extend_select_and_extend_ignore_in_the_configuration(tmp_path):
    assert _rules(tmp_path, 'select = ["drop-column"]\nextend-select = ["missing-lock-timeout"]\n') == BOTH
    assert _rules(tmp_path, 'extend-ignore = ["drop-column"]\n') == ["missing-lock-timeout"]
    assert _rules(tmp_path, 'ignore = ["missing-lock-timeout"]\nextend-ignore = ["drop-column"]\n') == []
    # Within one source, ignore wins over select.
    assert _rules(tmp_path, 'select = ["drop-column"]\nignore = ["drop-column"]\n') == []


@pytest.mark.parametrize("text", ['extend-select = ["drop-colunm"]\n', 'extend-ignore = ["drop-colunm"]\n'])
def test_unknown_ids_in_the_new_keys_are_errors(tmp_path, text):
    with pytest.raises(UsageError, match="unknown rule id 'drop-colunm'"):
        _rules(tmp_path, text)


def test_unknown_id_in_extend_select_on_the_command_line_is_an_error(tmp_path):
    with pytest.raises(UsageError, match="--extend-select: unknown rule id 'nope'"):
        _rules(tmp_path, None, extend_select=["nope"])


def test_resolution_follows_ruffs_documented_example():
    # ruff's docs: select = ["E", "F"], ignore = ["F401"] in the file.
    every = frozenset({"E1", "F401", "F841", "B1"})
    file = RuleSelection(select=("E1", "F401", "F841"), ignore=("F401",))
    assert enabled_rules(every, (file,)) == {"E1", "F841"}
    # `--select F401`: F401 and no other rule.
    assert enabled_rules(every, (file, RuleSelection(select=("F401",)))) == {"F401"}
    # `--extend-select B`: E, F and B, except F401.
    assert enabled_rules(every, (file, RuleSelection(extend_select=("B1",)))) == {"E1", "F841", "B1"}
    # `--ignore E1`: one more off, F401 stays off.
    assert enabled_rules(every, (file, RuleSelection(ignore=("E1",)))) == {"F841"}


@pytest.mark.parametrize(("command_line", "expected"), [
    (RuleSelection(), {"drop-column"}),
    (RuleSelection(ignore=("drop-column",)), set()),
    (RuleSelection(extend_select=("rename-table",)), {"drop-column", "rename-table"}),
    (RuleSelection(extend_select=("drop-table",)), {"drop-column", "drop-table"}),
    (RuleSelection(select=("drop-table",)), {"drop-table"}),
])
def test_the_table_in_docs_configuration(command_line, expected):
    every = frozenset({"drop-column", "drop-table", "rename-table", "index-not-concurrent"})
    file = RuleSelection(select=("drop-column", "drop-table"), ignore=("drop-table",))
    assert enabled_rules(every, (file, command_line)) == expected
