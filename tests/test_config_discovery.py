"""Which configuration file a review reads (ruff's discovery: .migsafe.toml > migsafe.toml > pyproject.toml's
[tool.migsafe], closest directory first, from the reviewed path up), and every report saying which one it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import USERS_TABLE, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.errors import UsageError
from migsafe.replay.run import ReplayReport
from migsafe.report import Report
from migsafe.reporters import github_reporter, json_reporter, markdown_reporter, replay_markdown, sarif_reporter
from migsafe.reporters import text_reporter

DROP = 'op.execute("SET LOCAL lock_timeout = \'2s\'")\nop.drop_column("users", "name")'


def _text(report: Report) -> str:
    """The text report with its line breaks and runs of spaces made single spaces: this is about words, not
    about how the report wraps them for a terminal."""
    return " ".join(text_reporter.render(report).split())


def _versions(root: Path) -> Path:
    versions = root / "versions"
    write_history(versions, (USERS_TABLE, DROP))
    return versions


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _read(versions: Path, cwd: Path) -> Report:
    return review(ReviewOptions(paths=[versions], cwd=cwd))


def test_migsafe_toml_holds_the_keys_at_top_level(tmp_path):
    versions = _versions(tmp_path)
    config = _write(tmp_path / "migsafe.toml", 'pg-version = "13"\n[severity]\ndrop-column = "info"\n')
    report = _read(versions, tmp_path)
    assert report.pg_version == "13" and report.config_file == config
    assert [(f.rule, f.severity) for f in report.findings] == [("drop-column", "info")]


def test_in_one_directory_dot_migsafe_toml_then_migsafe_toml_then_pyproject(tmp_path):
    versions = _versions(tmp_path)
    hidden = _write(tmp_path / ".migsafe.toml", 'pg-version = "12"\n')
    plain = _write(tmp_path / "migsafe.toml", 'pg-version = "13"\n')
    pyproject = _write(tmp_path / "pyproject.toml", '[tool.migsafe]\npg-version = "14"\n')
    assert (_read(versions, tmp_path).config_file, _read(versions, tmp_path).pg_version) == (hidden, "12")
    hidden.unlink()
    assert (_read(versions, tmp_path).config_file, _read(versions, tmp_path).pg_version) == (plain, "13")
    plain.unlink()
    assert (_read(versions, tmp_path).config_file, _read(versions, tmp_path).pg_version) == (pyproject, "14")


def test_the_closest_directory_wins_and_nothing_is_merged(tmp_path):
    project = tmp_path / "project"
    versions = _versions(project)
    _write(tmp_path / "pyproject.toml", '[tool.migsafe]\npg-version = "11"\nfail-on = "never"\n')
    # A pyproject.toml without [tool.migsafe] does not stop the search ...
    _write(project / "pyproject.toml", "[project]\nname = 'app'\n")
    report = _read(versions, tmp_path)
    assert report.config_file == tmp_path / "pyproject.toml" and report.pg_version == "11"
    # ... a migsafe.toml does, even an empty one: the parent's settings are not merged in.
    _write(project / "migsafe.toml", "")
    report = _read(versions, tmp_path)
    assert report.config_file == project / "migsafe.toml"
    assert report.pg_version == "15" and report.fail_on == "warning"


def test_the_search_starts_at_the_reviewed_directory_not_at_alembic_ini(tmp_path):
    # alembic.ini at the root names migrations/versions; migrations/migsafe.toml is closer to the reviewed
    # directory than the root's pyproject.toml.
    _write(tmp_path / "alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n")
    _write(tmp_path / "migrations" / "env.py", "")
    versions = _versions(tmp_path / "migrations")
    _write(tmp_path / "pyproject.toml", '[tool.migsafe]\npg-version = "11"\n')
    near = _write(tmp_path / "migrations" / "migsafe.toml", 'pg-version = "13"\n')
    assert _read(versions, tmp_path).config_file == near
    # Reviewing the project (its alembic.ini's directory) starts there and finds the root's file.
    assert review(ReviewOptions(paths=[tmp_path], cwd=tmp_path)).config_file == tmp_path / "pyproject.toml"


def test_config_option_skips_the_search(tmp_path):
    versions = _versions(tmp_path)
    _write(tmp_path / ".migsafe.toml", 'pg-version = "12"\n')
    other = _write(tmp_path / "elsewhere" / "ci.toml", 'pg-version = "16"\n')
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, config_file=other))
    assert report.config_file == other and report.pg_version == "16"


def test_an_unknown_key_in_migsafe_toml_names_the_file_not_tool_migsafe(tmp_path):
    versions = _versions(tmp_path)
    _write(tmp_path / "migsafe.toml", 'pg-versoin = "13"\n')
    with pytest.raises(UsageError) as info:
        _read(versions, tmp_path)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'migsafe.toml'}: unknown key 'pg-versoin' (known: ")
    assert "[tool.migsafe]" not in message


# -- the assumptions say which file -----------------------------------------------------------------------------

def test_every_format_names_the_configuration_file(tmp_path):
    versions = _versions(tmp_path)
    _write(tmp_path / "migsafe.toml", "")
    report = _read(versions, tmp_path)
    assert report.assumptions_line.endswith("; settings from migsafe.toml")
    assert _text(report).endswith("; settings from migsafe.toml")
    assert github_reporter.render(report).rstrip().endswith("; settings from migsafe.toml")
    assert markdown_reporter.render(report).rstrip().endswith("; settings from migsafe.toml._")
    assert json.loads(json_reporter.render(report))["assumptions"]["config_file"] == "migsafe.toml"
    sarif = json.loads(sarif_reporter.render(report))
    assert sarif["runs"][0]["properties"]["assumptions"]["config_file"] == "migsafe.toml"
    replayed = replay_markdown.render(ReplayReport(report=report))
    assert replayed.rstrip().endswith("; settings from migsafe.toml._")


def test_every_format_says_when_no_configuration_file_was_found(tmp_path):
    report = _read(_versions(tmp_path), tmp_path)
    assert report.config_file is None
    assert report.assumptions_line.endswith("; default settings (no configuration file found)")
    assert _text(report).endswith("(no configuration file found)")
    assert json.loads(json_reporter.render(report))["assumptions"]["config_file"] is None
    assert json.loads(sarif_reporter.render(report))["runs"][0]["properties"]["assumptions"]["config_file"] is None
    assert "(no configuration file found)._" in replay_markdown.render(ReplayReport(report=report))


def test_a_path_with_brackets_is_printed_as_it_is(tmp_path):
    # The text report prints the assumptions through rich: a path is not markup.
    root = tmp_path / "[tool.migsafe]"
    versions = _versions(root)
    _write(root / "migsafe.toml", "")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert _text(report).endswith("; settings from [tool.migsafe]/migsafe.toml")
