"""Every CI workflow example in the docs (docs/**/*.md and README.md) is linted as a user would paste it.

Readers copy these blocks into their repositories, so a template injection or a checkout that leaves the
token in .git/config would be copied too. Each ```yaml block is classified:

- a GitHub Actions workflow (it has `jobs:`): validated with GitHub's workflow schema (check-jsonschema's
  vendored `vendor.github-workflows`, no network) and audited with zizmor (`--offline`);
- a list of GitHub Actions steps (a fragment): wrapped in a minimal pull-request workflow, then the same;
- a GitLab CI configuration (`# .gitlab-ci.yml` first): validated with GitLab's schema (`vendor.gitlab-ci`);
- a pre-commit configuration (`repos:`): not a workflow (tests/test_pre_commit.py covers those hooks).

Any other YAML block fails the test, so a new kind of example cannot slip past unlinted.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is in the dev extra")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.S | re.M)


@dataclass
class Example:
    source: str  # "docs/ci-formats.md#2": the file and the block's number in it
    kind: str  # "github-workflow", "github-steps", "gitlab-ci" or "pre-commit"
    text: str

    @property
    def file_name(self) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", self.source).strip("-")


def _kind(text: str, source: str) -> str:
    data = yaml.safe_load(text)
    if text.lstrip().startswith("# .gitlab-ci.yml"):
        return "gitlab-ci"
    if isinstance(data, dict) and "jobs" in data:
        return "github-workflow"
    if isinstance(data, list) and data and all(isinstance(s, dict) and ("uses" in s or "run" in s) for s in data):
        return "github-steps"
    if isinstance(data, dict) and "repos" in data:
        return "pre-commit"
    raise AssertionError(f"{source}: a YAML example this test does not know how to lint; teach it (a workflow "
                         "must not go unchecked)")


def examples() -> list[Example]:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for number, block in enumerate(BLOCK.findall(text), start=1):
            source = f"{path.relative_to(ROOT).as_posix()}#{number}"
            found.append(Example(source, _kind(block, source), block))
    return found


# A fragment (the steps to add to an existing job) becomes the smallest workflow that runs them on a pull
# request, with the permissions and checkout the docs recommend, so that only the fragment itself is judged.
FRAGMENT_WORKFLOW: dict[str, Any] = {
    "name": "example",
    "on": {"pull_request": None},
    "permissions": {"contents": "read"},
    "jobs": {"example": {"runs-on": "ubuntu-latest", "steps": [
        {"uses": "actions/checkout@v5", "with": {"persist-credentials": False}},
    ]}},
}


def github_workflow_text(example: Example) -> str:
    if example.kind == "github-workflow":
        return example.text
    workflow = json.loads(json.dumps(FRAGMENT_WORKFLOW))
    workflow["jobs"]["example"]["steps"] += yaml.safe_load(example.text)
    return f"# {example.source}, wrapped in a workflow\n" + yaml.safe_dump(workflow, sort_keys=False)


def write_github_workflows(directory: Path, found: list[Example]) -> list[Path]:
    workflows = directory / ".github" / "workflows"
    workflows.mkdir(parents=True)
    paths = []
    for example in found:
        if example.kind in ("github-workflow", "github-steps"):
            path = workflows / f"{example.file_name}.yml"
            path.write_text(github_workflow_text(example), encoding="utf-8")
            paths.append(path)
    return paths


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def check_jsonschema(schema: str, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


# zizmor's default policy wants every action pinned to a commit SHA and every image to a digest. The examples
# name actions by tag so that readers can pick the versions (docs/github-action.md tells them to pin by SHA);
# every other audit applies unchanged.
ZIZMOR_CONFIG = """\
rules:
  unpinned-uses:
    config:
      policies:
        "actions/*": ref-pin
        "github/*": ref-pin
        "migsafe/*": ref-pin
        "*": hash-pin
  unpinned-images:
    disable: true
"""


def zizmor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_tool("zizmor"), "--offline", "--no-progress", *args], capture_output=True, text=True,
                          timeout=120)


def lint_github(directory: Path, found: list[Example]) -> tuple[subprocess.CompletedProcess[str], ...]:
    """(schema check, zizmor with the pinning relaxation) of the GitHub workflows among ``found``."""
    paths = write_github_workflows(directory, found)
    config = directory / "zizmor.yml"
    config.write_text(ZIZMOR_CONFIG, encoding="utf-8")
    return (check_jsonschema("vendor.github-workflows", paths),
            zizmor("--config", str(config), str(directory / ".github" / "workflows")))


def test_the_docs_have_the_examples_this_test_is_about():
    found = examples()
    by_kind: dict[str, list[str]] = {}
    for example in found:
        by_kind.setdefault(example.kind, []).append(example.source.split("#")[0])
    assert by_kind["github-workflow"].count("docs/github-action.md") >= 3
    assert "docs/ci-formats.md" in by_kind["github-workflow"]
    assert "docs/cache.md" in by_kind["github-steps"]
    assert by_kind["gitlab-ci"] == ["docs/ci-formats.md"]


def test_github_workflow_examples_pass_the_schema_and_zizmor(tmp_path):
    schema, audit = lint_github(tmp_path, examples())
    assert schema.returncode == 0, schema.stdout + schema.stderr
    assert audit.returncode == 0, audit.stdout + audit.stderr
    # Without the pinning relaxation, only pinning is reported.
    strict = zizmor("--no-config", "--format", "json", str(tmp_path / ".github" / "workflows"))
    assert {finding["ident"] for finding in json.loads(strict.stdout)} <= {"unpinned-uses", "unpinned-images"}


def test_gitlab_ci_examples_pass_gitlabs_schema(tmp_path):
    paths = []
    for example in examples():
        if example.kind == "gitlab-ci":
            path = tmp_path / f"{example.file_name}.gitlab-ci.yml"
            path.write_text(example.text, encoding="utf-8")
            paths.append(path)
    result = check_jsonschema("vendor.gitlab-ci", paths)
    assert result.returncode == 0, result.stdout + result.stderr


# The lint is real: the mistakes issue 15 found in docs/ci-formats.md are caught.
GOOD_STEPS = """\
- uses: actions/checkout@v5
  with:
    fetch-depth: 0
    persist-credentials: false
- run: migsafe review --changed-since "origin/$GITHUB_BASE_REF"
"""


@pytest.mark.parametrize("mistake, old, new", [
    ("template injection", '"origin/$GITHUB_BASE_REF"', '"origin/${{ github.base_ref }}"'),
    ("token left in .git/config", "    persist-credentials: false\n", ""),
])
def test_the_lint_catches_a_regressed_example(tmp_path, mistake, old, new):
    good = Example("good.md#1", "github-steps", GOOD_STEPS)
    schema, audit = lint_github(tmp_path / "good", [good])
    assert schema.returncode == 0 and audit.returncode == 0, audit.stdout + audit.stderr
    bad = Example("bad.md#1", "github-steps", GOOD_STEPS.replace(old, new))
    assert bad.text != good.text
    _, audit = lint_github(tmp_path / "bad", [bad])
    assert audit.returncode != 0, f"zizmor missed the {mistake}"


def test_the_gitlab_lint_is_real(tmp_path):
    path = tmp_path / "bad.gitlab-ci.yml"
    path.write_text("migsafe:\n  script: migsafe review\n  artifacts:\n    reports:\n      codequality: 3\n"
                    "  when: sometimes\n", encoding="utf-8")
    assert check_jsonschema("vendor.gitlab-ci", [path]).returncode != 0
