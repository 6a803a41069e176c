"""migsafe as an Alembic post-write hook, for real: `alembic init`, a script.py.mako that writes a dangerous
operation, and `alembic revision -m ...` in a subprocess, with the hook configured in alembic.ini or in
pyproject.toml exactly as docs/alembic-hook.md says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import alembic
import pytest

from conftest import USERS_TABLE, text_findings, write_history

# Written by hand before `alembic revision`: the table the new revision will index, so it holds data.
FIRST_REVISION = '''"""accounts"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("accounts", sa.Column("id", sa.Integer, primary_key=True), sa.Column("email", sa.String(200)))


def downgrade():
    op.drop_table("accounts")
'''

DANGEROUS = "op.create_index('ix_accounts_email', 'accounts', ['email'])"

INI_HOOK = """\
[post_write_hooks]
hooks = snapshot, migsafe
# A hook that runs before migsafe and copies the new file, so the test can prove migsafe left it as written.
snapshot.type = exec
snapshot.executable = {python}
snapshot.options = -c "import shutil, sys; shutil.copyfile(sys.argv[1], 'snapshot.py')" REVISION_SCRIPT_FILENAME
migsafe.type = console_scripts
migsafe.entrypoint = migsafe
migsafe.options = {options}
"""


DOCS = Path(__file__).resolve().parent.parent / "docs" / "alembic-hook.md"


def _docs_hook_config(language: str) -> str:
    """The hook configuration docs/alembic-hook.md tells users to paste, in ``language`` (ini or toml)."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```", DOCS.read_text(encoding="utf-8"), re.S | re.M)
    found = [block for block in blocks if "REVISION_SCRIPT_FILENAME" in block]
    assert len(found) == 1, f"docs/alembic-hook.md: expected one {language} hook block, found {len(found)}"
    return found[0]


def _alembic(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # Alembic's console_scripts runner starts `sys.executable -c "import migsafe.__main__; ..."`, so migsafe
    # must be installed next to Alembic; the venv's bin directory also goes on PATH for exec-type hooks.
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    return subprocess.run([sys.executable, "-m", "alembic", *args], cwd=root, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env={**os.environ, "PATH": path, **(env or {})},
                          timeout=120)


def _init(root: Path, location: str = "migrations", template: str = "generic", migsafe_settings: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    result = _alembic(root, "init", "--template", template, location)
    assert result.returncode == 0, result.stdout
    # Only the rule the template triggers, so the expected output does not change as rules are added.
    with (root / "pyproject.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[tool.migsafe]\nselect = ["index-not-concurrent"]\n{migsafe_settings}\n')
    script_dir = root / location
    mako = script_dir / "script.py.mako"
    source = mako.read_text(encoding="utf-8")
    assert '${upgrades if upgrades else "pass"}' in source
    mako.write_text(source.replace('${upgrades if upgrades else "pass"}', DANGEROUS), encoding="utf-8")
    (script_dir / "versions" / "0001_accounts.py").write_text(FIRST_REVISION, encoding="utf-8")
    return script_dir


def _configure_ini(root: Path, options: str, alembic_settings: str = "") -> None:
    ini = root / "alembic.ini"
    text = ini.read_text(encoding="utf-8")
    text = text.replace("[alembic]\n", f"[alembic]\n{alembic_settings}\n", 1)
    hook = INI_HOOK.format(python=sys.executable, options=options)
    assert "[post_write_hooks]\n" in text
    ini.write_text(text.replace("[post_write_hooks]\n", hook, 1), encoding="utf-8")


def _new_revision(versions: Path, slug: str) -> Path:
    found = [p for p in versions.rglob("*.py") if p.name.endswith(f"_{slug}.py")]
    assert len(found) == 1, found
    return found[0]


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_ini_hook_prints_the_finding_for_the_new_revision_and_leaves_the_file_alone(tmp_path):
    root = tmp_path / "project"
    script_dir = _init(root)
    _configure_ini(root, "review --hook REVISION_SCRIPT_FILENAME",
                   "file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s")
    result = _alembic(root, "revision", "-m", "index accounts by email")
    output = result.stdout
    assert result.returncode == 0, output  # advisory: Alembic ignores the hook's exit status
    new = _new_revision(script_dir / "versions", "index_accounts_by_email")
    assert re.match(r"\d{4}_\d\d_\d\d_\d{4}-[0-9a-f]+_index_accounts_by_email\.py$", new.name)
    relative = new.relative_to(root).as_posix()
    line = _line_of(new, "op.create_index")
    assert f"{relative}:{line}: error index-not-concurrent: creates index ix_accounts_email on table accounts" \
        in output
    assert "fix: Build the index with `op.create_index(..., postgresql_concurrently=True)`" in output
    # Compact and in order, between Alembic's own "Running post write hook 'migsafe' ..." and "done".
    hook_output = output.split("Running post write hook 'migsafe' ...", 1)[1]
    lines = hook_output.strip().splitlines()
    # The transaction model comes from the project (env.py, [tool.migsafe]); only its presence is checked.
    assert re.fullmatch(r"migsafe: 1 finding \(1 error\) in the new revision \(PostgreSQL 15, [a-z ]+\)", lines[0])
    assert lines[-2].startswith("advisory only: Alembic ignores this hook's result")
    assert "pre-commit or CI blocks the merge" in lines[-2] and "docs/pre-commit.md" in lines[-2]
    assert lines[-1].strip() == "done"
    assert len(lines) == 6
    # The earlier revision was loaded as context (no "parent ... is not in this history" note).
    assert "not in this history" not in output
    assert "\x1b[" not in output and "Traceback" not in output
    assert new.read_bytes() == (root / "snapshot.py").read_bytes()


def test_the_docs_ini_lines_set_in_the_section_alembic_init_wrote(tmp_path):
    """docs/alembic-hook.md's lines, set right under the `[post_write_hooks]` line of a fresh `alembic init`
    as the docs say: Alembic runs the hook. (Pasted as a second `[post_write_hooks]` section, as the docs once
    said, Alembic stops with DuplicateSectionError.)"""
    root = tmp_path / "project"
    script_dir = _init(root)
    ini = root / "alembic.ini"
    text = ini.read_text(encoding="utf-8")
    assert text.count("[post_write_hooks]\n") == 1, "the template of `alembic init` has the section"
    ini.write_text(text.replace("[post_write_hooks]\n", "[post_write_hooks]\n" + _docs_hook_config("ini"), 1),
                   encoding="utf-8")
    result = _alembic(root, "revision", "-m", "x")
    output = result.stdout
    assert result.returncode == 0, output
    assert "Running post write hook 'migsafe'" in output
    new = _new_revision(script_dir / "versions", "x")
    assert f"{new.relative_to(root).as_posix()}:{_line_of(new, 'op.create_index')}: error index-not-concurrent" \
        in output
    assert output.split("Running post write hook 'migsafe' ...", 1)[1].lstrip().startswith("migsafe: 1 finding")


def test_issue_form_from_the_project_root_with_a_nested_versions_dir_and_dated_subdirectories(tmp_path):
    """The exact `review REVISION_SCRIPT_FILENAME` of the issue; script_location five levels down and
    file_template = %%(year)d/%%(month).2d/...: the new file lands in versions/YYYY/MM/, and its history is
    still the whole versions tree."""
    root = tmp_path / "project"
    script_dir = _init(root, location="src/app/db/migrations")
    _configure_ini(root, "review REVISION_SCRIPT_FILENAME",
                   "file_template = %%(year)d/%%(month).2d/%%(day).2d_%%(hour).2d%%(minute).2d_%%(second).2d_"
                   "%%(rev)s_%%(slug)s\nrecursive_version_locations = true")
    result = _alembic(root, "revision", "-m", "index accounts by email")
    output = result.stdout
    assert result.returncode == 0, output
    new = _new_revision(script_dir / "versions", "index_accounts_by_email")
    assert new.parent.parent.parent == script_dir / "versions"  # versions/YYYY/MM/
    line = _line_of(new, "op.create_index")
    assert (new.relative_to(root).as_posix(), line, "error", "index-not-concurrent") in text_findings(output)
    assert "1 finding (1 error, 0 warning, 0 info) in 1 revision" in output
    assert "not in this history" not in output
    assert new.read_bytes() == (root / "snapshot.py").read_bytes()


@pytest.mark.skipif(tuple(int(p) for p in alembic.__version__.split(".")[:2]) < (1, 16),
                    reason="[tool.alembic] in pyproject.toml needs Alembic 1.16+")
def test_pyproject_post_write_hooks_and_tool_migsafe(tmp_path):
    root = tmp_path / "project"
    script_dir = _init(root, template="pyproject", migsafe_settings='pg-version = "14"')
    pyproject = root / "pyproject.toml"
    assert "[tool.alembic]" in pyproject.read_text(encoding="utf-8")
    with pyproject.open("a", encoding="utf-8") as fh:
        fh.write(textwrap.dedent("""
            [tool.migsafe.severity]
            index-not-concurrent = "warning"
            """))
        fh.write("\n" + _docs_hook_config("toml"))  # appended, as docs/alembic-hook.md says
    result = _alembic(root, "revision", "-m", "index accounts by email")
    output = result.stdout
    assert result.returncode == 0, output
    assert "Running post write hook 'migsafe'" in output
    new = _new_revision(script_dir / "versions", "index_accounts_by_email")
    line = _line_of(new, "op.create_index")
    assert "migsafe: 1 finding (1 warning) in the new revision (PostgreSQL 14, " in output
    assert f"{new.relative_to(root).as_posix()}:{line}: warning index-not-concurrent" in output


def test_a_revision_that_fails_to_load_is_one_line(tmp_path):
    root = tmp_path / "project"
    script_dir = _init(root)
    mako = script_dir / "script.py.mako"
    # Importable (Alembic loads the file after the hooks), but upgrade() fails when migsafe records it.
    mako.write_text(mako.read_text(encoding="utf-8").replace(DANGEROUS, "op.execute(helper_not_defined())"),
                    encoding="utf-8")
    _configure_ini(root, "review --hook REVISION_SCRIPT_FILENAME")
    result = _alembic(root, "revision", "-m", "broken")
    output = result.stdout
    assert result.returncode == 0, output
    new = _new_revision(script_dir / "versions", "broken")
    line = _line_of(new, "helper_not_defined")
    hook_output = output.split("Running post write hook 'migsafe' ...", 1)[1].strip().splitlines()
    assert hook_output[0].startswith("migsafe: could not review the new revision")
    assert hook_output[1].strip() == (f"{new.relative_to(root).as_posix()}:{line}: load-error: NameError: "
                                      "name 'helper_not_defined' is not defined")
    assert hook_output[2].startswith("advisory only:")
    assert "Traceback" not in output


def test_output_survives_a_pipe_that_cannot_encode_the_file_name(tmp_path):
    """Alembic captured into an ASCII pipe, a revision message with non-ASCII letters: the slug in the file
    name and the docstring carry them; migsafe prints '?' rather than dying with UnicodeEncodeError."""
    root = tmp_path / "project"
    _init(root)
    _configure_ini(root, "review --hook REVISION_SCRIPT_FILENAME")
    result = _alembic(root, "revision", "-m", "índice de cuentas", env={"PYTHONIOENCODING": "ascii"})
    output = result.stdout
    assert result.returncode == 0, output
    assert "?ndice_de_cuentas.py:" in output and "error index-not-concurrent" in output
    assert "UnicodeEncodeError" not in output and "Traceback" not in output


def _migsafe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


AUDIT_TABLE = """
op.create_table("audit", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("at", sa.DateTime()))
"""


def test_hook_output_for_a_clean_revision_is_one_line(tmp_path):
    index = 'op.create_index("ix_audit_at", "audit", ["at"])'  # on a table created in the same revision
    paths = write_history(tmp_path / "versions", [USERS_TABLE, AUDIT_TABLE + index])
    result = _migsafe("review", "--hook", "--select", "index-not-concurrent", str(paths[-1]), cwd=tmp_path)
    assert result.returncode == 0
    assert re.fullmatch(r"migsafe: no findings in the new revision \(PostgreSQL 15, [a-z ]+\)\n", result.stdout)


def test_hook_is_text_only(tmp_path):
    paths = write_history(tmp_path / "versions", [USERS_TABLE])
    result = _migsafe("review", "--hook", "--format", "json", str(paths[0]), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "migsafe: error: --hook prints compact text; leave out --format"
