"""The GitHub Action (action.yml) and its documentation (docs/github-action.md).

The action's steps are run here the way a runner runs a composite action: each step's `run:` script with
`bash --noprofile --norc -eo pipefail`, in the workspace, with the step's `env:` block evaluated (a tiny
evaluator for the few expressions the action uses) and the `GITHUB_*` variables and files a runner provides.
The workspace is a git repository shaped like a pull-request checkout: a base branch with a history and a
merge commit bringing in a feature branch that adds a revision.

`action.yml` is validated against GitHub's published schema (vendored by check-jsonschema, so offline) and
audited with zizmor (offline); the documented workflows are linted the same way by test_workflow_examples.py,
and checked here against what this page tells readers to do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fake_github import REPOSITORY, FakeGitHub, event_file

yaml = pytest.importorskip("yaml", reason="PyYAML is in the dev extra")

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
DOC = ROOT / "docs" / "github-action.md"
DATA = ROOT / "tests" / "data" / "github_action"
BIN = Path(sys.executable).parent  # the environment running the tests, where migsafe is installed

NEW_REVISION = {
    "dangerous": "migrations/versions/0004_require_ticket_priority.py",
    "warning": "migrations/versions/0004_drop_legacy_ref.py",
    "safe": "migrations/versions/0004_add_ticket_due_date.py",
    "broken": "migrations/versions/0004_assign_tickets.py",
}
OLD_DANGEROUS = "migrations/versions/0002_index_tickets_by_status.py"


def load_action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


# --- a pull-request-like git repository ---------------------------------------------------------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false", *args],
                            cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV}, timeout=60)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def make_pull_request(tmp_path: Path, change: str, subdir: str = "") -> Path:
    """A checkout like actions/checkout's for a pull request with fetch-depth: 0: HEAD is the merge of the
    feature branch into the base branch `main`, and origin/main is there. Returns the workspace."""
    project = DATA / "project"
    upstream = tmp_path / "upstream"
    app = upstream / subdir
    app.mkdir(parents=True)
    git(upstream, "init", "-q")
    shutil.copytree(project, app, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("versions", "__pycache__"))
    versions = app / "migrations" / "versions"
    versions.mkdir()
    for name in sorted(p.name for p in (project / "migrations" / "versions").glob("*.py")):
        shutil.copy(project / "migrations" / "versions" / name, versions / name)
        commit_all(upstream, f"revision {name}")

    workspace = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", str(upstream), str(workspace))
    git(workspace, "switch", "-q", "-c", "feature")
    [new] = (DATA / "changes" / change).glob("*.py")
    shutil.copy(new, workspace / subdir / "migrations" / "versions" / new.name)
    commit_all(workspace, f"add {new.name}")

    # The base branch moves on after the feature branched off.
    (upstream / "CHANGELOG.md").write_text("unrelated change on main\n", encoding="utf-8")
    commit_all(upstream, "changelog")
    git(workspace, "fetch", "-q", "origin")
    git(workspace, "checkout", "-q", "--detach", "origin/main")
    git(workspace, "merge", "-q", "--no-ff", "--no-edit", "feature")
    return workspace


@pytest.fixture(scope="module")
def pull_requests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One workspace per kind of change. Tests must not modify them (use a fresh one for that)."""
    return {change: make_pull_request(tmp_path_factory.mktemp(change), change) for change in NEW_REVISION}


# --- a runner for composite actions -------------------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SUPPORTED = re.compile(r"^(inputs\.[A-Za-z0-9_-]+|github\.action_path|github\.token"
                       r"|steps\.[A-Za-z0-9_-]+\.outputs\.[A-Za-z0-9_-]+)$")
TOKEN = "ghs_job_token"  # github.token in these runs


def evaluate(text: str, contexts: dict[str, Any]) -> str:
    """The expressions the action uses: inputs.<name>, github.action_path, github.token,
    steps.<id>.outputs.<name>."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if not SUPPORTED.match(expression):
            raise AssertionError(f"expression this test runner does not evaluate: {expression!r}")
        node: Any = contexts
        for part in expression.split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return str(node)

    return EXPRESSION.sub(value, text)


def read_file_commands(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT syntax: name=value lines, or name<<DELIMITER ... DELIMITER."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        if line:
            name, _, rest = line.partition("=")
            values[name] = rest
        i += 1
    return values


@dataclass
class ActionRun:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    step_outputs: dict[str, dict[str, str]]
    summary: str
    ran: list[str] = field(default_factory=list)  # ids of the steps that ran

    @property
    def annotations(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith(("::error", "::warning", "::notice"))]

    def annotation_files(self) -> list[str]:
        return [dict(part.split("=", 1) for part in a.split("::")[1].split(" ", 1)[1].split(","))["file"]
                for a in self.annotations if " file=" in a.split("::")[1]]


def run_action(workspace: Path, inputs: dict[str, str] | None = None, *, event: str = "pull_request",
               base_ref: str = "main", path_prefix: list[Path] | None = None, only: list[str] | None = None,
               runner_dir: Path | None = None, api_url: str = "http://127.0.0.1:9",
               fork: bool = False) -> ActionRun:
    """Run the action's steps. ``api_url``: GitHub's API as the steps see it (a FakeGitHub's URL; by default a
    closed port, so that nothing can reach the network); ``fork``: the pull request comes from a fork."""
    action = load_action()
    declared = action["inputs"]
    inputs = dict(inputs or {})
    assert set(inputs) <= set(declared), f"undeclared inputs {set(inputs) - set(declared)}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    values.update(inputs)

    runner = runner_dir or workspace.parent / f"runner-{os.urandom(4).hex()}"
    runner.mkdir(parents=True, exist_ok=True)
    temp = runner / "temp"
    temp.mkdir(exist_ok=True)
    push = {"ref": "refs/heads/main", "repository": {"full_name": REPOSITORY}}
    event_path = event_file(runner, fork=fork, event=None if event == "pull_request" else push)
    path = os.pathsep.join([*(str(p) for p in path_prefix or []), str(BIN), os.environ.get("PATH", "")])
    base_env = {key: value for key, value in os.environ.items()
                if not key.startswith(("GITHUB_", "RUNNER_", "INPUT_", "MIGSAFE_", "VIRTUAL_ENV", "PYTHON"))}
    base_env.update({
        "PATH": path, "CI": "true", "GITHUB_ACTIONS": "true", "NO_COLOR": "1",
        "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_EVENT_NAME": event,
        "GITHUB_BASE_REF": base_ref if event == "pull_request" else "",
        "GITHUB_HEAD_REF": "feature" if event == "pull_request" else "",
        "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux",
        "GITHUB_EVENT_PATH": str(event_path), "GITHUB_API_URL": api_url, "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "1234",
    })
    contexts: dict[str, Any] = {"inputs": values, "github": {"action_path": str(ROOT), "token": TOKEN},
                                "steps": {}}
    stdout, stderr, summary, ran = [], [], [], []
    returncode = 0
    for number, step in enumerate(action["runs"]["steps"]):
        step_id = step.get("id", f"step{number}")
        if only is not None and step_id not in only:
            continue
        assert step.get("shell") == "bash" and "run" in step and "if" not in step and "uses" not in step, step
        files = {name: runner / f"{step_id}.{name}" for name in ("output", "summary", "env", "path")}
        for file in files.values():
            file.write_text("", encoding="utf-8")
        env = {**base_env, "GITHUB_OUTPUT": str(files["output"]), "GITHUB_STEP_SUMMARY": str(files["summary"]),
               "GITHUB_ENV": str(files["env"]), "GITHUB_PATH": str(files["path"])}
        env.update({name: evaluate(str(text), contexts) for name, text in (step.get("env") or {}).items()})
        script = runner / f"{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                                env=env, capture_output=True, text=True, timeout=600)
        ran.append(step_id)
        stdout.append(result.stdout)
        stderr.append(result.stderr)
        summary.append(files["summary"].read_text(encoding="utf-8"))
        contexts["steps"][step_id] = {"outputs": read_file_commands(files["output"])}
        # The action's steps must not change the environment of the job's later steps.
        assert files["env"].read_text() == "" and files["path"].read_text() == "", step_id
        if result.returncode != 0:
            returncode = result.returncode
            break
    outputs = {name: evaluate(str(spec["value"]), contexts) for name, spec in action["outputs"].items()}
    step_outputs = {step_id: values["outputs"] for step_id, values in contexts["steps"].items()}
    return ActionRun(returncode=returncode, stdout="".join(stdout), stderr="".join(stderr), outputs=outputs,
                     step_outputs=step_outputs, summary="\n".join(s for s in summary if s), ran=ran)


def review(workspace: Path, **inputs: str) -> ActionRun:
    """The review as a workflow would use it when migsafe is a dev dependency: install: false."""
    return run_action(workspace, {"install": "false", **inputs})


def explain(run: ActionRun) -> str:
    return f"exit {run.returncode}\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr[-3000:]}"


# --- the action's definition --------------------------------------------------------------------------------

def test_inputs_reach_scripts_only_through_env():
    action = load_action()
    assert action["runs"]["using"] == "composite"
    used: set[str] = set()
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], f"expression inside run: of step {step.get('name')}"
        for name, text in (step.get("env") or {}).items():
            for expression in EXPRESSION.findall(str(text)):
                assert SUPPORTED.match(expression), expression
                if expression.startswith("inputs."):
                    used.add(expression.split(".", 1)[1])
    assert used == set(action["inputs"]), "every input is used, and only declared ones"
    assert set(action["inputs"]) == {"path", "pg-version", "fail-on", "changed-since", "config", "replay",
                                     "database-url", "version", "install", "sarif", "comment"}
    assert {"findings", "errors"} <= set(action["outputs"])


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def test_action_matches_githubs_schema():
    result = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def documented_workflows() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return [block for block in re.findall(r"```yaml\n(.*?)```", text, re.S) if "jobs:" in block]


def test_documented_workflows_follow_the_documented_rules():
    inputs = set(load_action()["inputs"])
    workflows = [yaml.safe_load(text) for text in documented_workflows()]
    for workflow in workflows:
        triggers = workflow[True]  # PyYAML reads the key `on` as a boolean
        assert list(triggers) == ["pull_request"]
        assert workflow["permissions"] == {"contents": "read"}
        [job] = workflow["jobs"].values()
        steps = job["steps"]
        checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
        names = [s.get("uses", s.get("name", "")) for s in steps]
        dependencies = next(i for i, s in enumerate(steps) if "pip install" in s.get("run", ""))
        action = next(i for i, name in enumerate(names) if name.startswith("migsafe/migsafe@"))
        assert names[0].startswith("actions/checkout@") and names[1].startswith("actions/setup-python@")
        assert dependencies < action, "the application's dependencies are installed before the action"
        assert set(steps[action].get("with", {})) <= inputs
    sarif_job = next(w["jobs"]["migsafe"] for w in workflows if "sarif" in json.dumps(w))
    assert sarif_job["permissions"] == {"contents": "read", "security-events": "write"}
    upload = next(s for s in sarif_job["steps"] if "upload-sarif" in s.get("uses", ""))
    action_step = next(s for s in sarif_job["steps"] if s.get("uses", "").startswith("migsafe/migsafe@"))
    assert upload["with"]["sarif_file"] == action_step["with"]["sarif"]
    replay_job = next(w["jobs"]["migsafe"] for w in workflows if "services" in w["jobs"]["migsafe"])
    action_step = next(s for s in replay_job["steps"] if s.get("uses", "").startswith("migsafe/migsafe@"))
    assert action_step["with"]["replay"] is True and "localhost:5432" in action_step["with"]["database-url"]
    assert replay_job["services"]["postgres"]["image"].split(":")[1] == action_step["with"]["pg-version"]
    comment_job = next(w["jobs"]["migsafe"] for w in workflows if "comment" in json.dumps(w))
    action_step = next(s for s in comment_job["steps"] if s.get("uses", "").startswith("migsafe/migsafe@"))
    assert action_step["with"]["comment"] is True
    assert comment_job["permissions"] == {"contents": "read", "pull-requests": "write"}
    for workflow in workflows:  # only the comment's job may write on pull requests
        if workflow["jobs"]["migsafe"] is not comment_job:
            assert "pull-requests" not in json.dumps(workflow)


def test_zizmor_finds_nothing_in_the_action():
    result = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", "--no-config", "--persona", "pedantic",
                             str(ACTION)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout + result.stderr


# --- the action's steps, run as a runner runs them -----------------------------------------------------------

def test_dangerous_pull_request_is_annotated_summarised_and_fails(pull_requests):
    run = review(pull_requests["dangerous"])
    assert run.returncode == 1, explain(run)
    assert run.ran == ["install", "review", "replay", "comment", "verdict"]
    new = NEW_REVISION["dangerous"]
    assert len(run.annotations) == 2, explain(run)
    error, warning = run.annotations
    assert error.startswith(f"::error file={new},line=19,") and "set-not-null" in error
    assert warning.startswith(f"::warning file={new},line=20,") and "drop-column" in warning
    # The dangerous revision merged before the pull request is not reported again.
    assert OLD_DANGEROUS not in run.stdout + run.summary
    assert run.summary.startswith("## migsafe\n") and "2 findings" in run.summary
    assert "set-not-null" in run.summary and "drop-column" in run.summary
    assert run.outputs == {"findings": "2", "errors": "0", "exit-code": "1"}
    assert (Path(run.step_outputs["review"]["dir"]) / "report.json").is_file()


def test_fail_on_decides_the_exit_status(pull_requests):
    warning_only = pull_requests["warning"]
    run = review(warning_only, **{"fail-on": "error"})
    assert run.returncode == 0, explain(run)
    assert [a.split(" ", 1)[0] for a in run.annotations] == ["::warning"]
    assert run.outputs == {"findings": "1", "errors": "0", "exit-code": "0"}

    run = review(warning_only)  # default: warning
    assert run.returncode == 1 and run.outputs["exit-code"] == "1", explain(run)

    run = review(pull_requests["dangerous"], **{"fail-on": "never"})
    assert run.returncode == 0 and len(run.annotations) == 2, explain(run)
    assert run.outputs == {"findings": "2", "errors": "0", "exit-code": "0"}


def test_safe_pull_request_passes_quietly(pull_requests):
    run = review(pull_requests["safe"])
    assert run.returncode == 0, explain(run)
    assert run.annotations == []
    assert run.outputs == {"findings": "0", "errors": "0", "exit-code": "0"}
    assert run.summary.startswith("## migsafe\n") and "in 1 revision" in run.summary


def test_revision_that_cannot_be_loaded_fails_whatever_fail_on_says(pull_requests):
    run = review(pull_requests["broken"], **{"fail-on": "never"})
    assert run.returncode == 2, explain(run)
    assert any(a.startswith(f"::error file={NEW_REVISION['broken']},") and "helpdesk_test_default_queue" in a
               for a in run.annotations), explain(run)
    assert run.outputs == {"findings": "0", "errors": "1", "exit-code": "2"}


def test_sarif_is_written_from_the_same_run(pull_requests, tmp_path):
    sarif = tmp_path / "migsafe.sarif"
    run = review(pull_requests["dangerous"], sarif=str(sarif))
    assert run.returncode == 1, explain(run)
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["drop-column", "set-not-null"]
    locations = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert locations == {NEW_REVISION["dangerous"]}


def test_relative_sarif_path_is_in_the_workspace(tmp_path):
    workspace = make_pull_request(tmp_path, "safe")
    run = review(workspace, sarif="reports/migsafe.sarif")
    assert run.returncode == 0, explain(run)
    assert json.loads((workspace / "reports" / "migsafe.sarif").read_text())["runs"][0]["results"] == []


def test_every_revision_is_reviewed_without_a_pull_request_or_with_changed_since_all(pull_requests):
    workspace = pull_requests["dangerous"]
    for run in (run_action(workspace, {"install": "false"}, event="push"),
                review(workspace, **{"changed-since": "all"})):
        assert run.returncode == 1, explain(run)
        assert sorted(set(run.annotation_files())) == [OLD_DANGEROUS, NEW_REVISION["dangerous"]]
        assert run.outputs["findings"] == "3"


def test_explicit_changed_since(pull_requests):
    # Since the commit that added revision 0003: only the pull request's revision has changed since.
    workspace = pull_requests["dangerous"]
    run = review(workspace, **{"changed-since": "origin/main~1"})
    assert run.returncode == 1 and set(run.annotation_files()) == {NEW_REVISION["dangerous"]}, explain(run)
    # Since the first commit: revisions 0002, 0003 and 0004 changed.
    first = git(workspace, "rev-list", "--max-parents=0", "HEAD").strip()
    run = review(workspace, **{"changed-since": first})
    assert set(run.annotation_files()) == {OLD_DANGEROUS, NEW_REVISION["dangerous"]}, explain(run)


def test_missing_base_branch_says_to_fetch_the_history(pull_requests):
    # As with actions/checkout's default fetch-depth: 1, where origin/<base> is not in the clone.
    run = run_action(pull_requests["dangerous"], {"install": "false"}, base_ref="release/2.x")
    assert run.returncode == 2, explain(run)
    assert run.ran == ["install", "review"]
    [annotation] = run.annotations
    assert annotation.startswith("::error") and "origin/release/2.x" in annotation and "fetch-depth: 0" in annotation


def test_project_in_a_subdirectory_is_selected_with_path(tmp_path):
    workspace = make_pull_request(tmp_path, "dangerous", subdir="services/helpdesk")
    run = review(workspace, path="services/helpdesk/alembic.ini", **{"pg-version": "11"})
    assert run.returncode == 1, explain(run)
    # Annotations name files relative to the repository root, where GitHub looks for them.
    assert set(run.annotation_files()) == {f"services/helpdesk/{NEW_REVISION['dangerous']}"}
    assert "PostgreSQL 11" in run.summary


def test_input_values_are_never_interpreted_by_the_shell(pull_requests, tmp_path):
    marker = tmp_path / "pwned"
    hostile = f"$(touch {marker})\n`touch {marker}`; touch {marker}"
    run = review(pull_requests["safe"], path=hostile, **{"pg-version": f"15; touch {marker}",
                                                          "changed-since": f"main$(touch {marker})"})
    assert run.returncode != 0
    assert not marker.exists()
    run = run_action(pull_requests["safe"], {"install": "false"}, base_ref=f"main$(touch {marker})")
    assert run.returncode == 2 and not marker.exists(), explain(run)


def test_a_crash_without_a_report_is_not_mistaken_for_findings(pull_requests, tmp_path):
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "python").write_text("#!/usr/bin/env bash\necho 'Traceback ...' >&2\nexit 1\n", encoding="utf-8")
    (fake / "python").chmod(stat.S_IRWXU)
    run = run_action(pull_requests["safe"], {"install": "false"}, path_prefix=[fake])
    assert run.returncode == 2, explain(run)
    assert run.annotations == ["::error title=migsafe::migsafe exited with 1 without writing its report"]
    assert run.outputs == {"findings": "", "errors": "", "exit-code": "2"}


# --- installing migsafe ---------------------------------------------------------------------------------------

FAKE_PYTHON = """#!/usr/bin/env bash
echo "python $*" >> "{log}"
if [ "$1 $2 $3" = "-m pip --version" ]; then exit {pip_status}; fi
"""
FAKE_UV = """#!/usr/bin/env bash
echo "uv $*" >> "{log}"
"""


def fake_interpreters(directory: Path, *, pip: bool = True) -> Path:
    """A `python` (and `uv`) first on PATH that record how they are called."""
    directory.mkdir(parents=True)
    log = directory / "calls.log"
    for name, text in (("python", FAKE_PYTHON.format(log=log, pip_status=0 if pip else 1)),
                       ("uv", FAKE_UV.format(log=log))):
        (directory / name).write_text(text, encoding="utf-8")
        (directory / name).chmod(stat.S_IRWXU)
    return log


def install(tmp_path: Path, pip: bool = True, **inputs: str) -> tuple[ActionRun, list[str]]:
    log = fake_interpreters(tmp_path / "fake-bin", pip=pip)
    workspace = tmp_path / "workspace"
    workspace.mkdir(parents=True)
    run = run_action(workspace, inputs, path_prefix=[tmp_path / "fake-bin"], only=["install"])
    return run, log.read_text().splitlines() if log.exists() else []


def test_install_defaults_to_the_actions_own_checkout(tmp_path):
    run, calls = install(tmp_path)
    assert run.returncode == 0, explain(run)
    assert calls[-1] == f"python -m pip install --disable-pip-version-check --no-input {ROOT}"


def test_install_a_version_from_pypi(tmp_path):
    run, calls = install(tmp_path, version="0.4.1")
    assert run.returncode == 0, explain(run)
    assert calls[-1] == "python -m pip install --disable-pip-version-check --no-input alembic-migsafe==0.4.1"


def test_install_with_uv_when_the_environment_has_no_pip(tmp_path):
    run, calls = install(tmp_path, pip=False, version="0.4.1")
    assert run.returncode == 0, explain(run)
    assert calls[-1] == f"uv pip install --python {tmp_path / 'fake-bin' / 'python'} alembic-migsafe==0.4.1"


@pytest.mark.parametrize("version", ["0.4.1 --index-url https://example.com", "--pre", "0.4; rm -rf /",
                                     ">=0.1", "0.4.1\nrequests"])
def test_install_refuses_anything_but_a_version_number(tmp_path, version):
    run, calls = install(tmp_path, version=version)
    assert run.returncode == 2 and calls == [], explain(run)
    assert run.annotations[0].startswith("::error") and "version" in run.annotations[0]


def test_install_false_installs_nothing(tmp_path):
    run, calls = install(tmp_path, install="false")
    assert run.returncode == 0 and calls == []
    run, calls = install(tmp_path / "again", install="yes")
    assert run.returncode == 2 and calls == []


# --- replay ---------------------------------------------------------------------------------------------------

def _replay_changed_since_supported() -> bool:
    result = subprocess.run([sys.executable, "-m", "migsafe", "replay", "--help"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "200"}, timeout=60)
    return "--changed-since" in result.stdout


def _server_binaries() -> bool:
    from migsafe.replay.server import ServerUnavailableError, find_server_binaries

    try:
        find_server_binaries()
    except ServerUnavailableError:
        return False
    return True


needs_postgres = pytest.mark.skipif(not _server_binaries(), reason="no PostgreSQL server binaries found")


@needs_postgres
def test_replay_on_a_database_url_like_a_service_container(tmp_path):
    from urllib.parse import quote

    from migsafe.replay.server import scratch_database

    workspace = make_pull_request(tmp_path, "warning")
    with scratch_database() as server:  # stands in for `services: postgres`
        url = f"postgresql://postgres@/postgres?host={quote(str(server.directory), safe='')}"
        run = run_action(workspace, {"install": "false", "replay": "true", "database-url": url}, event="push")
    assert run.returncode == 1, explain(run)
    assert run.step_outputs["replay"]["exit-code"] == "1"
    assert run.outputs == {"findings": "2", "errors": "0", "exit-code": "1"}
    review_part, replay_part = run.summary.split("## migsafe replay", 1)
    assert "2 findings" in review_part
    assert "AccessExclusiveLock" in replay_part or "ACCESS EXCLUSIVE" in replay_part, run.summary
    assert "confirmed" in replay_part
    assert url not in run.stdout + run.stderr  # the URL went through the environment


@needs_postgres
@pytest.mark.skipif(not _replay_changed_since_supported(), reason="`migsafe replay` has no --changed-since yet")
def test_replay_on_a_pull_request_replays_only_its_revisions(tmp_path):
    workspace = make_pull_request(tmp_path, "dangerous")
    run = run_action(workspace, {"install": "false", "replay": "true"})
    assert run.returncode == 1, explain(run)
    assert run.step_outputs["replay"]["exit-code"] == "1"
    replay_part = run.summary.split("## migsafe replay", 1)[1]
    assert "0004_require_ticket_priority" in replay_part and "0002_index_tickets" not in replay_part


def test_replay_is_skipped_unless_asked_and_after_load_errors(pull_requests):
    run = review(pull_requests["broken"], replay="true")
    assert run.returncode == 2 and "replay skipped" in run.stdout, explain(run)
    assert "exit-code" not in run.step_outputs["replay"]
    run = review(pull_requests["safe"], replay="maybe")  # refused before anything runs
    assert run.returncode == 2 and run.ran == ["install", "review"], explain(run)
    assert run.annotations == ["::error title=migsafe::replay must be true or false, not 'maybe'"]


# --- the pull-request comment (against a local fake of GitHub's API: tests/fake_github.py) ---------------------

def comment_run(workspace: Path, fake: FakeGitHub, **options: Any) -> ActionRun:
    return run_action(workspace, {"install": "false", "comment": "true"}, api_url=fake.url, **options)


def test_comment_is_posted_once_and_updated_on_later_pushes(pull_requests):
    from migsafe.integrations.pr_comment import MARKER

    with FakeGitHub() as fake:
        fake.add_comment("Looks good to me", user_type="User", login="reviewer")
        first = comment_run(pull_requests["dangerous"], fake)
        assert first.returncode == 1, explain(first)
        assert first.ran == ["install", "review", "replay", "comment", "verdict"]
        posted = fake.comments[1]["body"]
        assert posted.startswith(f"{MARKER}\n## migsafe\n") and first.summary.strip() in posted
        assert "set-not-null" in posted and "drop-column" in posted
        comment_run(pull_requests["dangerous"], fake)  # the same report again: nothing to change
        # A later push fixes the set-not-null (the warning-only pull request stands in for it).
        fixed = comment_run(pull_requests["warning"], fake)
    assert fixed.returncode == 1, explain(fixed)
    assert [(r.method, r.path) for r in fake.writes()] == [
        ("POST", f"/repos/{REPOSITORY}/issues/7/comments"), ("PATCH", f"/repos/{REPOSITORY}/issues/comments/2")]
    human, ours = fake.comments
    assert human["body"] == "Looks good to me"
    assert fixed.summary.strip() in ours["body"] and "set-not-null" not in ours["body"]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in fake.requests)


def test_comment_on_a_fork_pull_request_warns_and_keeps_the_verdict(pull_requests):
    with FakeGitHub(refuse_writes=True) as fake:  # a fork's pull request gets a read-only token
        run = comment_run(pull_requests["dangerous"], fake, fork=True)
    assert run.returncode == 1 and run.outputs["exit-code"] == "1", explain(run)  # the findings', not the comment's
    assert run.ran == ["install", "review", "replay", "comment", "verdict"]
    [warning] = [a for a in run.annotations if "pull-request comment" in a]
    assert warning.startswith("::warning ") and "from a fork GitHub gives the workflow a read-only token" in warning
    assert "set-not-null" in run.summary  # the report is still in the job summary
    with FakeGitHub(refuse_writes=True) as fake:
        run = comment_run(pull_requests["warning"], fake, fork=True)
        assert [r.method for r in fake.requests] == ["GET", "POST"]
    assert run.returncode == 1 and run.outputs["findings"] == "1", explain(run)
    with FakeGitHub(refuse_writes=True) as fake:
        run = run_action(pull_requests["warning"], {"install": "false", "comment": "true", "fail-on": "never"},
                         api_url=fake.url, fork=True)
    assert run.returncode == 0, explain(run)  # a refused comment never fails a passing check


def test_a_quiet_pull_request_gets_no_comment_but_an_old_one_is_updated(pull_requests):
    from migsafe.integrations.pr_comment import MARKER

    with FakeGitHub() as fake:
        run = comment_run(pull_requests["safe"], fake)
        assert run.returncode == 0 and fake.writes() == [], explain(run)
        fake.add_comment(f"{MARKER}\n## migsafe\n\n**2 findings** ...")  # from an earlier push
        run = comment_run(pull_requests["safe"], fake)
    assert [r.method for r in fake.writes()] == ["PATCH"]
    assert "No findings in 1 revision." in fake.comments[0]["body"]


def test_a_revision_that_cannot_be_loaded_is_commented_on(pull_requests):
    with FakeGitHub() as fake:
        run = comment_run(pull_requests["broken"], fake)
    assert run.returncode == 2 and [r.method for r in fake.writes()] == ["POST"], explain(run)
    assert "Could not be reviewed" in fake.comments[0]["body"]


def test_no_comment_unless_asked_or_outside_pull_requests(pull_requests):
    with FakeGitHub() as fake:
        run_action(pull_requests["dangerous"], {"install": "false"}, api_url=fake.url)
        run = comment_run(pull_requests["dangerous"], fake, event="push")
    assert fake.requests == []
    assert "not a pull request" in run.stdout


def test_comment_input_is_checked_before_anything_runs(pull_requests):
    run = review(pull_requests["safe"], comment="yes")
    assert run.returncode == 2 and run.ran == ["install", "review"], explain(run)
    assert run.annotations == ["::error title=migsafe::comment must be true or false, not 'yes'"]


# A `python` first on PATH that answers `-m migsafe review` with a report far over GitHub's limits (5,000
# findings) and hands everything else (the JSON summary, the size limit, the comment) to the real Python.
HUGE_REVIEW = """#!/usr/bin/env bash
if [ "$1 $2 $3" = "-m migsafe review" ]; then
  for arg; do
    case "$arg" in markdown=*) markdown="${{arg#markdown=}}" ;; json=*) json="${{arg#json=}}" ;; esac
  done
  "{python}" - "$markdown" <<'PY'
import sys
rows = "".join(f"| [`versions/{{n:04d}}.py:12`](versions/{{n:04d}}.py#L12) | `set-not-null` | error | "
               f"scans the table under ACCESS EXCLUSIVE: {{'é' * 200}} |\\n" for n in range(5000))
open(sys.argv[1], "w", encoding="utf-8").write(
    "## migsafe\\n\\n**5000 findings**\\n\\n| where | rule | severity | what happens |\\n|---|---|---|---|\\n" + rows
    + "\\n<details><summary>1 note</summary>\\n\\n- a note\\n\\n</details>\\n\\n_Assumed PostgreSQL 15._\\n")
PY
  echo '{{"summary": {{"findings": 5000, "errors": 0}}}}' > "$json"
  exit 1
fi
exec "{python}" "$@"
"""


def test_summary_and_comment_are_cut_to_githubs_limits(pull_requests, tmp_path):
    def utf8_size(text: str) -> int:  # measured here, not with the code under test
        return len(text.encode("utf-8"))

    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "python").write_text(HUGE_REVIEW.format(python=sys.executable), encoding="utf-8")
    (fake_bin / "python").chmod(stat.S_IRWXU)
    with FakeGitHub() as fake:
        run = run_action(pull_requests["dangerous"], {"install": "false", "comment": "true"}, api_url=fake.url,
                         path_prefix=[fake_bin])
    assert run.returncode == 1 and run.outputs["findings"] == "5000", explain(run)
    report = (Path(run.step_outputs["review"]["dir"]) / "summary.md").read_text(encoding="utf-8")
    assert utf8_size(report) > 2 * 1024 * 1024
    summary = run.summary
    assert 1024 * 1024 - 2000 < utf8_size(summary) <= 1024 * 1024
    assert summary.rstrip().endswith("every finding is in the step log)*")
    [comment] = fake.comments
    assert 65_536 - 2000 < utf8_size(comment["body"]) <= 65_536
    assert "**Truncated** to fit GitHub's limit for a comment" in comment["body"]


def test_a_crashing_comment_never_fails_the_job(pull_requests, tmp_path):
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "python").write_text(
        '#!/usr/bin/env bash\nif [ "$1 $2" = "-m migsafe.integrations.pr_comment" ]; then exit 3; fi\n'
        f'exec "{sys.executable}" "$@"\n', encoding="utf-8")
    (fake_bin / "python").chmod(stat.S_IRWXU)
    run = run_action(pull_requests["warning"], {"install": "false", "comment": "true", "fail-on": "never"},
                     path_prefix=[fake_bin])
    assert run.returncode == 0 and run.ran[-2:] == ["comment", "verdict"], explain(run)
    assert "::warning title=migsafe::the pull-request comment could not be posted (exit status 3)" in run.annotations
