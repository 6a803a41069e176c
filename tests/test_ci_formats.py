"""CI formats (github, sarif, markdown), --changed-since, --output, and --fail-on with every format."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import USERS_TABLE, body_line, revision_source, write_history
from migsafe.cli import app
from migsafe.docs import DOCS_URL, rule_doc
from migsafe.engine import ReviewOptions, review
from migsafe.errors import UsageError
from migsafe.model import LoadError
from migsafe.report import Finding, Report
from migsafe.reporters import FORMATS, renderer
from migsafe.reporters import github_reporter, gitlab_reporter, markdown_reporter, sarif_reporter
from migsafe.rules import all_rules

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
# GitLab publishes no schema for its Code Quality report: this one is written from its documented fields (the
# file says where from).
GITLAB_SCHEMA = json.loads((Path(__file__).parent / "data" / "gitlab-code-quality.schema.json")
                           .read_text(encoding="utf-8"))

INDEX = 'op.create_index("ix_users_email", "users", ["email"])'
DROP = 'op.drop_column("users", "name")'
R2 = f"{INDEX}\n{DROP}\n"
BROKEN = 'raise RuntimeError("boom")'
# The rules these tests are about: new rules (a lock_timeout reminder, say) must not change their counts.
RULES = "index-not-concurrent,drop-column,not-null-without-default"


def _history(tmp_path: Path, *bodies: str) -> Path:
    versions = tmp_path / "versions"
    write_history(versions, bodies or (USERS_TABLE, R2))
    return versions


def _review(tmp_path: Path, *bodies: str, **options: object) -> Report:
    versions = _history(tmp_path, *bodies)
    options.setdefault("select", [RULES])
    return review(ReviewOptions(paths=[versions], cwd=tmp_path, **options))  # type: ignore[arg-type]


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--select", RULES])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


# --- github ---------------------------------------------------------------------------------------------------

def test_formats_are_registered():
    assert {"github", "sarif", "markdown"} <= set(FORMATS)
    for fmt in FORMATS:
        assert callable(renderer(fmt))


def test_github_annotations_for_a_small_history(tmp_path):
    report = _review(tmp_path)
    by_rule = {f.rule: f for f in report.findings}
    assert set(by_rule) == {"index-not-concurrent", "drop-column"}
    index_line, drop_line = body_line(R2, "create_index"), body_line(R2, "drop_column")
    lines = github_reporter.render(report).splitlines()
    expected = []
    for kind, rule, line in (("error", "index-not-concurrent", index_line), ("warning", "drop-column", drop_line)):
        f = by_rule[rule]
        message = f"{f.message}\n\nFix: {f.fix}\n\nRevision r2. Docs: {DOCS_URL.format(id=rule)}"
        expected.append(f"::{kind} file=versions/002_r2.py,line={line},endLine={line},"
                        f"title=migsafe%3A {rule}::{_data(message)}")
    assert lines == expected + [
        "migsafe: 2 findings (1 error, 1 warning, 0 info) in 2 revisions",
        "migsafe: assumed PostgreSQL 15, one transaction per revision (transaction_per_migration=True); each "
        "revision deployed on its own; driver psycopg2 (SQLAlchemy's default for postgresql://): statements after "
        "a bare COMMIT run outside a transaction until Alembic's commit; default settings (no configuration file "
        "found)",
    ]
    # The fix is in the message, on its own (escaped) line.
    assert f"%0A%0AFix: {by_rule['drop-column'].fix}" in lines[1]


def test_github_escapes_properties_and_message_data(tmp_path):
    assert github_reporter.escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert github_reporter.escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    report = Report(cwd=tmp_path, revisions_reviewed=1)
    report.findings.append(Finding(
        rule="drop-column", severity="info", message="drops 100% of rows: gone, really\nsecond line",
        fix="fix: a, b", path=tmp_path / "odd,dir" / "a:b.py", line=3, end_line=5, revision="r9"))
    report.errors.append(LoadError(message="cannot import: 50%, then\nfailed", path=tmp_path / "x.py", line=7,
                                   revision="rx"))
    report.errors.append(LoadError(message="cycle: a -> b", kind="graph"))
    lines = github_reporter.render(report).splitlines()
    assert lines[0] == (
        "::notice file=odd%2Cdir/a%3Ab.py,line=3,endLine=5,title=migsafe%3A drop-column::"
        "drops 100%25 of rows: gone, really%0Asecond line%0A%0AFix: fix: a, b%0A%0ARevision r9. "
        f"Docs: {DOCS_URL.format(id='drop-column')}")
    assert lines[1] == ("::error file=x.py,line=7,title=migsafe%3A load-error::cannot import: 50%25, then%0Afailed"
                        "%0A%0Amigsafe could not review this revision.")
    assert lines[2] == "::error title=migsafe%3A graph::cycle: a -> b%0A%0Amigsafe could not review this revision."
    assert lines[3] == "migsafe: 1 finding (0 error, 0 warning, 1 info) in 1 revision; 2 could not be reviewed"


def test_github_load_error_is_an_error_annotation(tmp_path):
    report = _review(tmp_path, USERS_TABLE, BROKEN)
    assert report.errors and report.exit_code() == 2
    lines = github_reporter.render(report).splitlines()
    errors = [line for line in lines if line.startswith("::error file=versions/002_r2.py,")]
    assert len(errors) == 1
    assert ",title=migsafe%3A load-error::" in errors[0] and "boom" in errors[0]


def test_github_notes_are_annotations(tmp_path):
    stopped = '''
conn = op.get_bind()
for _ in range(2):  # the read is answered with a row once; the second pass finds none
    user_id = conn.execute(sa.text("SELECT id FROM users")).fetchone()[0]
'''
    unused = 'op.add_column("users", sa.Column("x", sa.Integer()))  # migsafe: ignore[drop-column]'
    report = _review(tmp_path, USERS_TABLE, stopped, unused)
    lines = github_reporter.render(report).splitlines()
    warnings = [line for line in lines if line.startswith("::warning file=versions/002_r2.py,")]
    assert any(",title=migsafe%3A partial-stop::" in line and "recording stopped" in line for line in warnings)
    notices = [line for line in lines if line.startswith("::notice ")]
    assert any("file=versions/002_r2.py" in line and "title=migsafe%3A data-dependent::" in line for line in notices)
    assert any("file=versions/003_r3.py" in line and "title=migsafe%3A unused-ignore::" in line for line in notices)


def test_paths_are_relative_to_the_git_top_level(tmp_path):
    repo = tmp_path / "repo"
    versions = repo / "db" / "versions"
    write_history(versions, (USERS_TABLE, DROP))
    _git(repo, "init", "-q")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = review(ReviewOptions(paths=[versions], cwd=elsewhere, select=[RULES]))
    assert github_reporter.render(report).startswith("::warning file=db/versions/002_r2.py,")
    sarif = json.loads(sarif_reporter.render(report))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "db/versions/002_r2.py", "uriBaseId": "%SRCROOT%"}
    assert "](db/versions/002_r2.py#L" in markdown_reporter.render(report)


# --- sarif ----------------------------------------------------------------------------------------------------

def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA, format_checker=cls.FORMAT_CHECKER)


def test_sarif_validates_and_describes_every_rule(tmp_path):
    report = _review(tmp_path)
    data = json.loads(sarif_reporter.render(report))
    _validator().validate(data)
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "migsafe"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.id for r in all_rules()]
    for descriptor, rule in zip(rules, all_rules()):
        assert descriptor["helpUri"] == DOCS_URL.format(id=rule.id)
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert rule.fix in descriptor["fullDescription"]["text"]
        doc = rule_doc(rule.id)  # every rule has a page (test_rule_docs); a fallback while one is being written
        assert descriptor["help"]["text"] == descriptor["help"]["markdown"] == (doc or descriptor["help"]["text"])
        assert doc is not None or rule.summary in descriptor["help"]["text"]
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity]
        assert descriptor["defaultConfiguration"]["level"] == level
    results = run["results"]
    got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
           for r in results]
    assert got == [("index-not-concurrent", "error", body_line(R2, "create_index")),
                   ("drop-column", "warning", body_line(R2, "drop_column"))]
    for result, finding in zip(results, report.findings):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "versions/002_r2.py", "uriBaseId": "%SRCROOT%"}
        assert physical["region"]["endLine"] == finding.end_line
        assert finding.message in result["message"]["text"] and finding.fix in result["message"]["text"]
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_schema_check_is_real(tmp_path):
    data = json.loads(sarif_reporter.render(_review(tmp_path)))
    data["runs"][0]["results"][0]["level"] = "info"  # not a SARIF level
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(data)


def test_sarif_with_load_errors_and_severity_overrides(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe.severity]\ndrop-column = "info"\n', encoding="utf-8")
    report = _review(tmp_path, USERS_TABLE, DROP, BROKEN)
    data = json.loads(sarif_reporter.render(report))
    _validator().validate(data)
    run = data["runs"][0]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("drop-column", "note")]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error" and "boom" in notification["message"]["text"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "versions/003_r3.py"


LOCK = 'op.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")'


def _tracked(tmp_path: Path, body: str) -> list[tuple[int, str]]:
    """(start line, partial fingerprint) of each SARIF result of a history whose second revision is ``body``."""
    report = _review(tmp_path, USERS_TABLE, body, select=["lock-table"])
    results = json.loads(sarif_reporter.render(report))["runs"][0]["results"]
    return [(r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["partialFingerprints"]["migsafeFingerprint/v1"]) for r in results]


def test_sarif_partial_fingerprints_tell_identical_statements_apart(tmp_path):
    tracked = _tracked(tmp_path, f"{LOCK}\n{LOCK}\n")
    assert len(tracked) == 2
    (first_line, first), (second_line, second) = tracked
    assert first_line != second_line and first != second


def test_sarif_partial_fingerprints_survive_lines_added_above(tmp_path):
    before = _tracked(tmp_path / "before", f"{LOCK}\n{LOCK}\n")
    unrelated = '# a comment\nop.add_column("users", sa.Column("nickname", sa.Text()))\n\n'
    after = _tracked(tmp_path / "after", unrelated + f"{LOCK}\n{LOCK}\n")
    assert [line for line, _ in after] == [line + 3 for line, _ in before]  # the lines moved ...
    assert [fp for _, fp in after] == [fp for _, fp in before]  # ... the fingerprints did not


# --- gitlab ---------------------------------------------------------------------------------------------------

def _gitlab_validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(GITLAB_SCHEMA)
    cls.check_schema(GITLAB_SCHEMA)
    return cls(GITLAB_SCHEMA)


def test_gitlab_code_quality_report(tmp_path):
    report = _review(tmp_path, USERS_TABLE, R2 + LOCK + "\n" + LOCK + "\n", BROKEN,
                     select=[RULES + ",lock-table"])
    issues = json.loads(gitlab_reporter.render(report))
    _gitlab_validator().validate(issues)
    assert len({issue["fingerprint"] for issue in issues}) == len(issues) == 5  # unique, as GitLab requires
    got = [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues]
    body = R2 + LOCK + "\n" + LOCK + "\n"
    lock_lines = [n for n, line in enumerate(revision_source(body, "x", None).splitlines(), start=1) if "LOCK" in line]
    assert got == [("index-not-concurrent", "critical", "versions/002_r2.py", body_line(body, "create_index")),
                   ("drop-column", "major", "versions/002_r2.py", body_line(body, "drop_column")),
                   ("lock-table", "major", "versions/002_r2.py", lock_lines[0]),
                   ("lock-table", "major", "versions/002_r2.py", lock_lines[1]),
                   ("load-error", "blocker", "versions/003_r3.py", body_line(BROKEN, "boom"))]
    finding = report.findings[0]
    assert issues[0]["description"].startswith(finding.message) and finding.fix in issues[0]["description"]
    assert "boom" in issues[4]["description"]


def test_gitlab_severity_follows_severity_overrides(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe.severity]\ndrop-column = "info"\n', encoding="utf-8")
    issues = json.loads(gitlab_reporter.render(_review(tmp_path, USERS_TABLE, DROP)))
    assert [(i["check_name"], i["severity"]) for i in issues] == [("drop-column", "info")]


def test_gitlab_fingerprints_survive_lines_added_above(tmp_path):
    def fingerprints(directory: Path, prefix: str) -> list[str]:
        report = _review(directory, USERS_TABLE, prefix + R2)
        return [issue["fingerprint"] for issue in json.loads(gitlab_reporter.render(report))]

    assert fingerprints(tmp_path / "a", "") == fingerprints(tmp_path / "b", "# moved down\n\n")


@pytest.mark.parametrize("change", [
    lambda issue: issue.update(severity="warning"),  # migsafe's word, not GitLab's
    lambda issue: issue.pop("check_name"),
    lambda issue: issue["location"].update(path="./versions/002_r2.py"),
    lambda issue: issue["location"]["lines"].update(begin="13"),
])
def test_gitlab_schema_check_is_real(tmp_path, change):
    issues = json.loads(gitlab_reporter.render(_review(tmp_path)))
    _gitlab_validator().validate(issues)
    change(issues[0])
    with pytest.raises(jsonschema.ValidationError):
        _gitlab_validator().validate(issues)


def test_gitlab_report_written_with_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    versions = _history(tmp_path)
    code, out, _ = _cli("review", str(versions), "--output", "gitlab=gl-code-quality-report.json")
    assert code == 1 and "2 findings" in out
    written = (tmp_path / "gl-code-quality-report.json").read_text(encoding="utf-8")
    code, single, _ = _cli("review", str(versions), "--format", "gitlab")
    assert code == 1 and written == single
    _gitlab_validator().validate(json.loads(written))


# --- markdown -------------------------------------------------------------------------------------------------

def test_markdown_summary_table_and_links(tmp_path, monkeypatch):
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)
    report = _review(tmp_path, USERS_TABLE, R2, BROKEN)
    text = markdown_reporter.render(report)
    index_line = body_line(R2, "create_index")
    assert "**2 findings** (1 error, 1 warning, 0 info) in 3 revisions." in text
    assert f"| [`index-not-concurrent`]({DOCS_URL.format(id='index-not-concurrent')}) | error | 1 |" in text
    assert "| where | rule | severity | what happens | fix |" in text
    row = next(line for line in text.splitlines() if line.startswith(f"| [`versions/002_r2.py:{index_line}`]"))
    assert f"(versions/002_r2.py#L{index_line})" in row
    finding = report.findings[0]
    assert markdown_reporter.cell(finding.fix) in row and markdown_reporter.cell(finding.message) in row
    assert "### Could not be reviewed" in text
    assert "[`versions/003_r3.py:" in text and "**load-error**" in text
    assert text.rstrip().endswith("_Assumed PostgreSQL 15, one transaction per revision "
                                  "(transaction_per_migration=True); each revision deployed on its own; "
                                  "driver psycopg2 (SQLAlchemy's default for postgresql://): statements after a "
                                  "bare COMMIT run outside a transaction until Alembic's commit; default "
                                  "settings (no configuration file found)._")

    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/shop")
    monkeypatch.setenv("GITHUB_SHA", "0123abc")
    text = markdown_reporter.render(report)
    assert (f"[`versions/002_r2.py:{index_line}`](https://github.com/acme/shop/blob/0123abc/versions/002_r2.py"
            f"#L{index_line})") in text


def test_markdown_escapes_table_cells_and_says_when_clean(tmp_path):
    assert markdown_reporter.cell("a | b\nc <x>") == "a \\| b c &lt;x>"
    report = _review(tmp_path, USERS_TABLE)
    text = markdown_reporter.render(report)
    assert "No findings in 1 revision." in text and "| where |" not in text


# --- --changed-since ------------------------------------------------------------------------------------------

def _git(repo: Path, *args: str) -> str:
    repo.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        ["git", "-c", "user.name=migsafe tests", "-c", "user.email=tests@example.invalid", "-c",
         "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=repo, check=True, capture_output=True, text=True).stdout


ORDERS = """
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("user_id", sa.Integer(), nullable=False),
)
"""
ORDERS_INDEX = 'op.create_index("ix_orders_user_id", "orders", ["user_id"])'
NOT_NULL = 'op.add_column("users", sa.Column("age", sa.Integer(), nullable=False))'


def _write(versions: Path, number: int, body: str) -> Path:
    path = versions / f"{number:03d}_r{number}.py"
    path.write_text(revision_source(body, f"r{number}", f"r{number - 1}" if number > 1 else None), encoding="utf-8")
    return path


@pytest.fixture
def changed_repo(tmp_path):
    """main: r1 (users), r2 (drops a column). Branch feature: r3 (creates orders) committed; r2 modified and not
    staged; r4 (indexes orders and users) untracked; r5 (NOT NULL column) staged. main moves on after the
    branch point (r1 edited there), so only the merge base gives the right set."""
    repo = tmp_path / "repo"
    versions = repo / "migrations" / "versions"
    versions.mkdir(parents=True)
    _git(repo, "init", "-q")
    _write(versions, 1, USERS_TABLE)
    _write(versions, 2, DROP)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "feature")
    _write(versions, 3, ORDERS)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "orders")
    _git(repo, "checkout", "-q", "main")
    _write(versions, 1, USERS_TABLE + "\n# edited on main after the branch point\n")
    _git(repo, "commit", "-q", "-am", "main moves on")
    _git(repo, "checkout", "-q", "feature")
    _write(versions, 2, DROP + "\n# touched, not staged\n")
    _write(versions, 4, ORDERS_INDEX + "\n" + INDEX + "\n")
    _write(versions, 5, NOT_NULL)
    _git(repo, "add", str(versions / "005_r5.py"))
    return repo, versions


def test_changed_since_reports_only_changed_revisions(changed_repo):
    repo, versions = changed_repo
    report = review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES], changed_since="main"))
    assert not report.errors, [e.message for e in report.errors]
    assert report.revisions_reviewed == 4  # r2 (modified), r3 (committed), r4 (untracked), r5 (staged); not r1
    assert report.revisions_loaded == 5
    assert sorted((f.revision, f.rule) for f in report.findings) == [
        ("r2", "drop-column"), ("r4", "index-not-concurrent"), ("r5", "not-null-without-default")]
    [index] = [f for f in report.findings if f.rule == "index-not-concurrent"]
    assert index.line == body_line(ORDERS_INDEX + "\n" + INDEX + "\n", "ix_users_email")  # users, not orders


def test_a_table_created_earlier_in_the_change_set_is_still_new(changed_repo):
    repo, versions = changed_repo
    whole = review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES]))
    # Without --changed-since every revision ships alone: orders holds rows by r4, its index is flagged.
    assert sorted(f.line for f in whole.findings if f.rule == "index-not-concurrent" and f.revision == "r4") == [
        body_line(ORDERS_INDEX, "ix_orders"), body_line(ORDERS_INDEX + "\n" + INDEX, "ix_users_email")]
    changed = review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES], changed_since="main"))
    assert [f.line for f in changed.findings if f.rule == "index-not-concurrent"] == [
        body_line(ORDERS_INDEX + "\n" + INDEX, "ix_users_email")]


def test_the_deploy_model_decides_which_new_revisions_ship_together(changed_repo):
    repo, versions = changed_repo
    together = review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES], changed_since="main"))
    assert together.deploy == "changed-together"
    assert "; the 3 new revisions deployed together, from --changed-since; driver " in together.assumed
    # A team that deploys every revision on its own: orders, created by r3, holds rows when r4 runs.
    (repo / "pyproject.toml").write_text('[tool.migsafe]\ndeploy = "each-revision"\n', encoding="utf-8")
    alone = review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES], changed_since="main"))
    assert "; each revision deployed on its own, from [tool.migsafe]; driver " in alone.assumed
    assert sorted(f.line for f in alone.findings if f.rule == "index-not-concurrent") == [
        body_line(ORDERS_INDEX, "ix_orders"), body_line(ORDERS_INDEX + "\n" + INDEX, "ix_users_email")]


def test_changed_since_combines_with_since_and_files(changed_repo):
    repo, versions = changed_repo
    report = review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES], changed_since="main", since="r3"))
    assert report.revisions_reviewed == 2
    # r3 is not reported, but it still ships with r4: orders is new there.
    assert sorted((f.revision, f.rule) for f in report.findings) == [
        ("r4", "index-not-concurrent"), ("r5", "not-null-without-default")]
    files = [versions / "001_r1.py", versions / "004_r4.py"]
    report = review(ReviewOptions(paths=files, cwd=repo, select=[RULES], changed_since="main"))
    assert report.revisions_reviewed == 1
    assert [(f.revision, f.rule) for f in report.findings] == [("r4", "index-not-concurrent")]


def test_changed_since_with_a_clean_tree_and_a_relative_ref(changed_repo):
    repo, versions = changed_repo
    report = review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES], changed_since="HEAD"))
    assert report.revisions_reviewed == 3  # against HEAD itself: only the uncommitted r2, r4, r5


def test_changed_since_errors(tmp_path, changed_repo):
    repo, versions = changed_repo
    with pytest.raises(UsageError, match="unknown git ref 'no-such-branch'"):
        review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES], changed_since="no-such-branch"))
    with pytest.raises(UsageError, match="unknown git ref '--output=x'"):
        review(ReviewOptions(paths=[versions], cwd=repo, select=[RULES], changed_since="--output=x"))
    outside = tmp_path / "outside"
    write_history(outside / "versions", (USERS_TABLE,))
    with pytest.raises(UsageError, match="is not inside a git repository"):
        review(ReviewOptions(paths=[outside / "versions"], cwd=outside, select=[RULES], changed_since="main"))
    code, out, err = _cli("review", str(outside / "versions"), "--changed-since", "main")
    assert code == 2 and out == ""
    assert err.startswith("migsafe: error: --changed-since: ") and len(err.strip().splitlines()) == 1
    code, out, err = _cli("review", str(versions), "--changed-since", "nope", "--format", "github")
    assert code == 2 and "unknown git ref 'nope'" in err and len(err.strip().splitlines()) == 1


# --- --output and --fail-on -----------------------------------------------------------------------------------

def test_output_writes_several_formats_from_one_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    counter = tmp_path / "runs.txt"
    side_effect = f'open({str(counter)!r}, "a").write("ran\\n")'
    versions = _history(tmp_path, USERS_TABLE, R2 + side_effect + "\n")
    (tmp_path / "reports").mkdir()
    code, out, _ = _cli("review", str(versions), "--format", "text", "--output", "json=out.json",
                        "--output", "sarif=reports/out.sarif", "-o", "github=out.github")
    assert code == 1
    assert counter.read_text() == "ran\n"  # the revision scripts ran once for all four outputs
    assert "2 findings (1 error, 1 warning, 0 info) in 2 revisions" in out
    written = {fmt: (tmp_path / name).read_text(encoding="utf-8")
               for fmt, name in (("json", "out.json"), ("sarif", "reports/out.sarif"), ("github", "out.github"))}
    for fmt, text in written.items():
        code, single, _ = _cli("review", str(versions), "--format", fmt)
        assert code == 1
        assert text == single, fmt
    _validator().validate(json.loads(written["sarif"]))
    assert json.loads(written["json"])["summary"]["findings"] == 2


@pytest.mark.parametrize("spec, message", [
    ("yaml=out.yaml", "--output format must be one of"),
    ("json", "--output must be FORMAT=PATH"),
    ("json=no/such/dir/out.json", "cannot write there"),
    (".=.", "--output format must be one of"),
])
def test_output_usage_errors_are_one_line_before_anything_runs(tmp_path, monkeypatch, spec, message):
    monkeypatch.chdir(tmp_path)
    counter = tmp_path / "runs.txt"
    versions = _history(tmp_path, USERS_TABLE, f'open({str(counter)!r}, "a").write("ran\\n")')
    code, out, err = _cli("review", str(versions), "--output", spec)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert not counter.exists()


def test_output_to_an_unwritable_file_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    versions = _history(tmp_path)
    (tmp_path / "out.json").mkdir()
    code, _, err = _cli("review", str(versions), "--output", "json=out.json")
    assert code == 2 and "cannot write there" in err and len(err.strip().splitlines()) == 1
    full = Path("/dev/full")  # every write fails with ENOSPC, even for root
    if full.exists():
        code, out, err = _cli("review", str(versions), "--output", f"sarif={full}")
        assert code == 2 and out == ""
        assert err.startswith(f"migsafe: error: --output sarif={full}: cannot write")
        assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fail_on, expected", [(None, 1), ("warning", 1), ("error", 0), ("never", 0)])
def test_fail_on_is_honoured_with_every_format(tmp_path, fmt, fail_on, expected):
    versions = _history(tmp_path, USERS_TABLE, DROP)  # one warning
    args = ["review", str(versions), "--format", fmt] + (["--fail-on", fail_on] if fail_on else [])
    code, out, _ = _cli(*args)
    assert code == expected, out
    assert out


@pytest.mark.parametrize("fmt", ["github", "sarif", "markdown"])
def test_load_errors_exit_two_whatever_fail_on_says(tmp_path, fmt):
    versions = _history(tmp_path, USERS_TABLE, BROKEN)
    code, out, _ = _cli("review", str(versions), "--format", fmt, "--fail-on", "never")
    assert code == 2 and "boom" in out


def test_findings_on_one_line_come_in_the_same_order_every_run():
    """create_table with several `index=True` columns: SQLAlchemy emits the CREATE INDEX statements in an order
    that changes from run to run. Reports order such findings by their SQL."""
    from migsafe.report import Finding, Report

    def finding(sql: str) -> Finding:
        return Finding(rule="index-not-concurrent", severity="error", message=f"creates {sql}", fix="",
                       path=Path("v/r1.py"), line=12, end_line=20, revision="r1", sql=sql, order=3)

    sqls = ["CREATE INDEX ix_logs_target_id ON logs (target_id)",
            "CREATE INDEX ix_logs_project_id ON logs (project_id)",
            "CREATE INDEX ix_logs_resource_id ON logs (resource_id)"]
    report = Report(findings=[finding(sql) for sql in sqls])
    report.sort()
    assert [f.sql for f in report.findings] == sorted(sqls)
