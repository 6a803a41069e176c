"""Shared helpers: write small Alembic histories to a temporary directory and review them."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Iterable

import pytest

from migsafe.engine import ReviewOptions, review
from migsafe.report import Report

# `migsafe replay` connects through SQLAlchemy's psycopg 3 dialect, which SQLAlchemy 1.4 lacks: under 1.4 it stops
# with a one-line message (tests/replay/test_sqlalchemy_14.py), and the tests that replay for real are skipped.
SQLALCHEMY_2 = int(__import__("sqlalchemy").__version__.split(".")[0]) >= 2
needs_sqlalchemy_2 = pytest.mark.skipif(not SQLALCHEMY_2, reason="replay needs SQLAlchemy 2 (psycopg 3 dialect)")
@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterable[None]:
    """Reviews of sample_migrations/ (in process and in subprocesses) would otherwise leave their cache in the
    source tree, and the key that signs cache entries in the real home (~/.cache/migsafe/key).
    tests/test_cache.py checks the default location itself."""
    import os

    changed = {"MIGSAFE_CACHE_DIR": str(tmp_path_factory.mktemp("migsafe-cache")),
               "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache-home")), "MIGSAFE_CACHE_KEY": None}
    previous = {name: os.environ.get(name) for name in changed}

    def set_environment(values: dict[str, str | None]) -> None:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    set_environment(changed)
    yield
    set_environment(previous)


HEADER = '''"""{message}"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = {revision!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
{body}


def downgrade():
{downgrade}
'''

# A table most rule tests need: it was created by an earlier revision, so it holds data.
USERS_TABLE = """
op.create_table(
    "users",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("email", sa.String(100), nullable=False),
    sa.Column("name", sa.String(50), nullable=True),
    sa.Column("status", sa.String(20), nullable=True),
)
"""


def revision_source(body: str, revision: str, down: str | None, downgrade: str = "pass",
                    message: str = "test revision") -> str:
    def indent(code: str) -> str:
        code = textwrap.dedent(code).strip("\n") or "pass"
        return textwrap.indent(code, "    ")

    return HEADER.format(message=message, revision=revision, down=down, body=indent(body),
                         downgrade=indent(downgrade))


def write_history(directory: Path, bodies: Iterable[str]) -> list[Path]:
    """One revision per body, chained: r1 <- r2 <- ...; returns the file paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    down = None
    for number, body in enumerate(bodies, start=1):
        revision = f"r{number}"
        path = directory / f"{number:03d}_{revision}.py"
        path.write_text(revision_source(body, revision, down), encoding="utf-8")
        paths.append(path)
        down = revision
    return paths


def review_bodies(tmp_path: Path, *bodies: str, **options: object) -> Report:
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    return review(ReviewOptions(paths=[versions], cwd=tmp_path, **options))  # type: ignore[arg-type]


def rule_hits(report: Report, rule: str) -> list[tuple[str, int]]:
    """(revision, line) of every finding of ``rule``."""
    assert not report.errors, [e.message for e in report.errors]
    return [(f.revision, f.line) for f in report.findings if f.rule == rule]


def body_line(body: str, needle: str, header_lines: int | None = None) -> int:
    """The file line of the first body line containing ``needle`` (bodies start after the header)."""
    source = revision_source(body, "x", None)
    for number, line in enumerate(source.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in body")


def review_deployed_together(tmp_path: Path, bodies: Iterable[str], together: Iterable[int],
                              **options: object) -> Report:
    """Review a chained history with ``deploy = "changed-together"``, naming the files of revisions
    ``together`` (numbered from 1): they ship in one ``alembic upgrade``, the others are context."""
    versions = tmp_path / "versions"
    paths = write_history(versions, bodies)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.migsafe]\ndeploy = "changed-together"\n', encoding="utf-8")
    named = [paths[number - 1] for number in together]
    return review(ReviewOptions(paths=named, cwd=tmp_path, config_file=config, **options))  # type: ignore[arg-type]


@pytest.fixture
def review_history(tmp_path: Path):
    def run(*bodies: str, **options: object) -> Report:
        return review_bodies(tmp_path, *bodies, **options)

    return run


def without_root_privileges() -> list[str]:
    """A prefix that makes permission bits apply: as root, drop the capabilities that bypass them (the files
    stay root's, so the interpreter under /root stays reachable)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits cannot be made to apply")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def history_generator() -> ModuleType:
    """benchmarks/generate_history.py (not a package): realistic synthetic histories of any length."""
    module = sys.modules.get("_migsafe_test_generate_history")
    if module is None:
        path = Path(__file__).resolve().parent.parent / "benchmarks" / "generate_history.py"
        spec = importlib.util.spec_from_file_location("_migsafe_test_generate_history", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return module


_TEXT_FINDING = re.compile(r"  line (\d+): (error|warning|info) (\S+)( \(downgrade\))?$")


def text_findings(output: str) -> list[tuple[str, int, str, str]]:
    """(path, line, severity, rule id) of each finding in ``--format text`` output, with every revision's path
    put back together from the rows it was folded into (text output fits the terminal's width)."""
    found: list[tuple[str, int, str, str]] = []
    rows = output.splitlines()
    path = ""
    for number, row in enumerate(rows):
        if row.startswith("revision "):
            header = row
            for follow in rows[number + 1:]:
                if not follow.startswith("    ") or follow.startswith("  line "):
                    break
                header += ("" if header.endswith("/") else " ") + follow.strip()
            path = header.split(": ", 1)[1]
        elif (match := _TEXT_FINDING.match(row)) is not None:
            found.append((path, int(match.group(1)), match.group(2),
                          match.group(3) + (match.group(4) or "")))
    return found
