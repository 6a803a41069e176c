"""The incremental-review cache (docs/cache.md): a review with the cache gives exactly the report of a review
without it, runs only what changed, and survives damage, races and unusable locations.

Most histories here come from ``benchmarks/generate_history.py`` (tables, columns, indexes, constraints, enums,
raw SQL, batch blocks, data migrations, a branch and its merge), with a few *probe* statements added whose
findings depend on what earlier revisions did, so that a stale cache entry shows in the report. Every revision
can also append its id to a counter file outside the versions directory when it is executed (imported), which
tells which revisions a warm review ran again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import USERS_TABLE, history_generator, revision_source, write_history
from migsafe import cache as cache_module
from migsafe.recording import tail as tail_module
from migsafe.engine import ReviewOptions, review
from migsafe.reporters import renderer
from migsafe.revisions import list_revision_files, load_history

REPOSITORY = Path(__file__).resolve().parent.parent

# migsafe's own source files are part of the cache's tool key (size and mtime): pin the key for this test run,
# so that an edit to migsafe/ while the tests run (the code already imported does not change) cannot turn a
# warm review into a cold one.
_TOOL_KEY = cache_module.tool_key()


@pytest.fixture(autouse=True)
def _default_cache_location(monkeypatch):
    # conftest points every other test's cache at a scratch directory; these tests check where it goes.
    monkeypatch.delenv("MIGSAFE_CACHE_DIR", raising=False)


@pytest.fixture(autouse=True, params=["one process", "two processes"])
def _recording_processes(request, monkeypatch):
    """Every scenario twice: recorded in one process, and with the history's tail recorded by a forked child
    from the second revision to record on (recording.tail), whose recordings the cache stores like others."""
    if request.param == "one process":
        monkeypatch.setenv("MIGSAFE_JOBS", "1")
        return
    if not tail_module.wanted(tail_module.MIN_REVISIONS):
        pytest.skip("needs Linux, fork and two processors")
    monkeypatch.delenv("MIGSAFE_JOBS", raising=False)
    monkeypatch.setattr(tail_module, "MIN_REVISIONS", 2)


@pytest.fixture(autouse=True)
def _pinned_tool_key(monkeypatch):
    monkeypatch.setattr(cache_module, "tool_key", lambda: _TOOL_KEY)


# -- helpers ---------------------------------------------------------------------------------------------------

def as_json(report) -> str:
    return renderer("json")(report, color=False)


def reviewed(path: Path | list[Path], cwd: Path, **options) -> str:
    return as_json(review(ReviewOptions(paths=path if isinstance(path, list) else [path], cwd=cwd, **options)))


def same_as_uncached(path: Path | list[Path], cwd: Path, **options) -> str:
    """Review with the cache and without it; the JSON reports must be identical. Returns the JSON."""
    cached = reviewed(path, cwd, **options)
    uncached = reviewed(path, cwd, use_cache=False, **options)
    assert cached == uncached
    return cached


def findings(text: str, rule: str | None = None) -> list[tuple[str, str]]:
    return [(f["rule"], f["revision"]) for f in json.loads(text)["findings"] if rule in (None, f["rule"])]


def count_executions(path: Path, counter: Path) -> None:
    """Make the revision file append its id to ``counter`` whenever it is executed (imported)."""
    with path.open("a", encoding="utf-8") as stream:
        stream.write(f"\n\nwith open({str(counter)!r}, 'a', encoding='utf-8') as _counter:\n"
                     "    _counter.write(revision + '\\n')\n")


def executed(counter: Path) -> list[str]:
    """Revision ids executed since the last call (the counter is emptied), sorted: with two processes the
    tail of the history runs alongside the rest."""
    if not counter.exists():
        return []
    ids = counter.read_text(encoding="utf-8").split()
    counter.unlink()
    return sorted(ids)


def upgrade_order(versions: Path) -> list[tuple[str, Path]]:
    history = load_history(list_revision_files([versions]))
    assert not history.problems
    return [(f.revision, f.path) for f in history.files]


def add_to_upgrade(path: Path, code: str) -> None:
    """Insert ``code`` at the start of the generated revision's upgrade()."""
    text = path.read_text(encoding="utf-8")
    marker = "def upgrade() -> None:\n"
    assert text.count(marker) == 1
    path.write_text(text.replace(marker, marker + textwrap.indent(code.strip("\n") + "\n", "    ")), encoding="utf-8")


def tool_directory(root: Path) -> Path:
    return root / _TOOL_KEY


PROBE_TABLE = """\
op.create_table('probe', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('val', {type}))
"""
WIDEN_PROBE = "op.alter_column('probe', 'val', type_=sa.String(length=40))"  # a rewrite unless val is a varchar


@dataclass
class Project:
    root: Path  # holds alembic.ini
    versions: Path
    counter: Path
    middle: Path  # a generated revision in the middle of the history that creates the probe table
    head: Path  # the head revision: widens probe.val
    head_id: str

    @property
    def cache(self) -> Path:
        return self.versions.parent / ".migsafe_cache"

    def order(self) -> list[tuple[str, Path]]:
        return upgrade_order(self.versions)

    def add_head(self, body: str, revision: str) -> Path:
        path = self.versions / f"99999_{revision}.py"
        path.write_text(revision_source(body, revision, self.head_id), encoding="utf-8")
        count_executions(path, self.counter)
        return path


def generated_project(tmp_path: Path, revisions: int = 40, seed: int = 7, counted: bool = True) -> Project:
    """A generated Alembic project (alembic.ini, migrations/env.py with transaction_per_migration=True,
    migrations/versions) plus the probe: the table ``probe`` created in the middle, and a head revision that
    changes the type of its column (a column-type-rewrite finding unless it is a varchar widened)."""
    root = tmp_path / "project"
    versions = history_generator().generate(root, revisions, seed)
    counter = tmp_path / "executed.txt"
    files = load_history(list_revision_files([versions])).files
    parents = {parent for f in files for parent in f.down_revisions}
    heads = [f.revision for f in files if f.revision not in parents]
    assert len(heads) == 1 and any(len(f.down_revisions) == 2 for f in files), \
        "the generated history should have a merge and one head"
    middle = files[len(files) // 2].path
    add_to_upgrade(middle, PROBE_TABLE.format(type="sa.String(length=20)"))
    head = versions / "99998_probehead.py"
    head.write_text(revision_source(WIDEN_PROBE, "probehead", heads[0]), encoding="utf-8")
    project = Project(root=root, versions=versions, counter=counter, middle=middle, head=head, head_id="probehead")
    if counted:
        for path in versions.glob("*.py"):
            count_executions(path, counter)
    return project


# -- identical results, cold and warm ------------------------------------------------------------------------

def test_cold_and_warm_reviews_are_identical_to_an_uncached_review(tmp_path):
    project = generated_project(tmp_path, revisions=80)
    uncached = reviewed(project.root, tmp_path, use_cache=False)
    assert not project.cache.exists()
    cold = reviewed(project.root, tmp_path)
    warm = reviewed(project.root, tmp_path)
    assert cold == uncached
    assert warm == uncached
    data = json.loads(warm)
    assert len(data["findings"]) > 20 and not data["errors"]  # a history with something to report
    # The text report too.
    text = renderer("text")
    assert text(review(ReviewOptions(paths=[project.root], cwd=tmp_path)), color=False) == \
        text(review(ReviewOptions(paths=[project.root], cwd=tmp_path, use_cache=False)), color=False)


def test_the_cache_lives_beside_the_versions_directory(tmp_path):
    project = generated_project(tmp_path, revisions=40, counted=False)
    reviewed(project.root, tmp_path)
    root = project.root / "migrations" / ".migsafe_cache"
    assert root.is_dir()
    assert "*" in (root / ".gitignore").read_text().splitlines()
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert [p.name for p in root.iterdir() if p.is_dir()] == [_TOOL_KEY]
    directory = tool_directory(root)
    assert (directory / "history.pickle").is_file()
    assert len(list((directory / "revisions").glob("*.pickle"))) == len(project.order())
    assert list((directory / "snapshots").glob("*.pickle"))
    # Nothing in the versions directory, nor anywhere else in the project.
    assert not list(project.versions.rglob("*.pickle"))
    assert [p for p in tmp_path.rglob(".migsafe_cache")] == [root]


def test_a_warm_review_executes_no_revision_again(tmp_path):
    project = generated_project(tmp_path)
    reviewed(project.root, tmp_path)
    assert sorted(executed(project.counter)) == sorted(r for r, _ in project.order())
    reviewed(project.root, tmp_path)
    assert executed(project.counter) == []


def test_rule_settings_are_applied_after_the_cache(tmp_path):
    project = generated_project(tmp_path)
    reviewed(project.root, tmp_path)
    executed(project.counter)
    settings = [dict(select=["missing-lock-timeout,index-not-concurrent"]), dict(ignore=["missing-lock-timeout"]),
                dict(pg_version="11"), dict(fail_on="error")]
    results = set()
    for options in settings:
        results.add(same_as_uncached(project.root, tmp_path, **options))
        executed(project.counter)  # the uncached review ran everything
    (project.root / "pyproject.toml").write_text('[tool.migsafe]\nseverity = { "missing-lock-timeout" = "error" }\n')
    severity = reviewed(project.root, tmp_path)
    assert executed(project.counter) == []
    assert severity == reviewed(project.root, tmp_path, use_cache=False)
    results.add(severity)
    assert len(results) == len(settings) + 1  # every setting changed the report


def test_no_cache_reads_and_writes_nothing(tmp_path):
    project = generated_project(tmp_path, revisions=40)
    reviewed(project.root, tmp_path, use_cache=False)
    assert not list(tmp_path.rglob(".migsafe_cache"))
    reviewed(project.root, tmp_path)
    executed(project.counter)
    before = {p: p.stat().st_mtime_ns for p in project.cache.rglob("*")}
    reviewed(project.root, tmp_path, use_cache=False)
    assert sorted(executed(project.counter)) == sorted(r for r, _ in project.order())  # nothing read
    assert {p: p.stat().st_mtime_ns for p in project.cache.rglob("*")} == before  # nothing written


# -- what changed is recorded again, and only that ------------------------------------------------------------

def test_editing_a_middle_revision_records_it_and_every_revision_after_it(tmp_path):
    project = generated_project(tmp_path)
    before = same_as_uncached(project.root, tmp_path)
    assert ("column-type-rewrite", "probehead") not in findings(before)
    executed(project.counter)
    text = project.middle.read_text()
    project.middle.write_text(text.replace("sa.Column('val', sa.String(length=20))", "sa.Column('val', sa.Integer())"))
    after = reviewed(project.root, tmp_path)
    order = project.order()
    start = [path for _, path in order].index(project.middle)
    assert sorted(executed(project.counter)) == sorted(r for r, _ in order[start:])
    assert ("column-type-rewrite", "probehead") in findings(after)  # the head saw the edited middle revision
    assert after == reviewed(project.root, tmp_path, use_cache=False)


def test_editing_the_head_records_only_the_head(tmp_path):
    project = generated_project(tmp_path)
    same_as_uncached(project.root, tmp_path)
    executed(project.counter)
    project.head.write_text(project.head.read_text().replace("sa.String(length=40)", "sa.BigInteger()"))
    after = reviewed(project.root, tmp_path)
    assert executed(project.counter) == ["probehead"]
    assert ("column-type-rewrite", "probehead") in findings(after)
    assert after == reviewed(project.root, tmp_path, use_cache=False)


def test_a_new_head_records_only_the_new_head(tmp_path):
    project = generated_project(tmp_path)
    before = same_as_uncached(project.root, tmp_path)
    executed(project.counter)
    project.add_head("op.alter_column('probe', 'val', type_=sa.Integer())", "newhead")
    after = reviewed(project.root, tmp_path)
    assert executed(project.counter) == ["newhead"]
    assert findings(after) != findings(before) and ("column-type-rewrite", "newhead") in findings(after)
    assert after == reviewed(project.root, tmp_path, use_cache=False)
    executed(project.counter)
    assert reviewed(project.root, tmp_path) == after
    assert executed(project.counter) == []


def test_removing_the_head_records_nothing(tmp_path):
    project = generated_project(tmp_path)
    before = same_as_uncached(project.root, tmp_path)
    executed(project.counter)
    project.head.unlink()
    after = reviewed(project.root, tmp_path)
    assert executed(project.counter) == []
    assert after != before
    assert after == reviewed(project.root, tmp_path, use_cache=False)


def test_a_renamed_revision_file_is_recorded_again(tmp_path):
    project = generated_project(tmp_path)
    same_as_uncached(project.root, tmp_path)
    executed(project.counter)
    renamed = project.middle.with_name("renamed_" + project.middle.name)
    project.middle.rename(renamed)
    after = reviewed(project.root, tmp_path)
    order = project.order()
    start = [path for _, path in order].index(renamed)
    assert sorted(executed(project.counter)) == sorted(r for r, _ in order[start:])
    assert after == reviewed(project.root, tmp_path, use_cache=False)


def test_a_changed_upgrade_order_is_followed(tmp_path):
    """The order is cached by revision graph: re-parenting revisions (same files otherwise) reorders them."""
    versions = tmp_path / "versions"
    bodies = [USERS_TABLE, "op.add_column('users', sa.Column('nick', sa.String(length=20)))",
              "op.alter_column('users', 'nick', type_=sa.String(length=40))", "op.drop_column('users', 'status')"]
    paths = write_history(versions, bodies)
    before = same_as_uncached(versions, tmp_path)
    # r1 <- r3 <- r2 <- r4: r3 now changes a column that does not exist yet.
    for path, (body, revision, down) in zip(paths[1:], [(bodies[1], "r2", "r3"), (bodies[2], "r3", "r1"),
                                                        (bodies[3], "r4", "r2")]):
        path.write_text(revision_source(body, revision, down))
    after = same_as_uncached(versions, tmp_path)
    assert findings(after, "column-type-rewrite") == [("column-type-rewrite", "r3")]
    assert findings(before, "column-type-rewrite") == []


def test_since_reports_a_suffix_of_a_cached_history(tmp_path):
    project = generated_project(tmp_path)
    middle = next(revision for revision, path in project.order() if path == project.middle)
    suffix = same_as_uncached(project.root, tmp_path, since=middle)
    executed(project.counter)
    full = same_as_uncached(project.root, tmp_path)
    assert len(json.loads(full)["findings"]) > len(json.loads(suffix)["findings"]) > 0
    executed(project.counter)
    assert reviewed(project.root, tmp_path, since=middle) == suffix
    assert executed(project.counter) == []


# -- one file, then the whole history, and back -------------------------------------------------------------

def test_a_single_file_review_after_a_full_review_executes_nothing(tmp_path):
    project = generated_project(tmp_path)
    same_as_uncached(project.root, tmp_path)
    executed(project.counter)
    for path in (project.middle, project.head, project.order()[3][1]):
        one = reviewed(path, tmp_path)
        assert executed(project.counter) == []
        assert json.loads(one)["summary"]["revisions_reviewed"] == 1
        assert one == reviewed(path, tmp_path, use_cache=False)
        executed(project.counter)


def test_a_full_review_after_a_single_file_review(tmp_path):
    project = generated_project(tmp_path)
    middle_id = next(r for r, p in project.order() if p == project.middle)
    one = reviewed(project.middle, tmp_path)
    assert one == reviewed(project.middle, tmp_path, use_cache=False)
    executed(project.counter)
    full = reviewed(project.root, tmp_path)
    # The revisions recorded for context only are reported now: executed again (by design); the file that
    # was reviewed is not.
    ran = executed(project.counter)
    assert middle_id not in ran and ran
    assert full == reviewed(project.root, tmp_path, use_cache=False)
    executed(project.counter)
    assert reviewed(project.root, tmp_path) == full
    assert executed(project.counter) == []


LEGACY_RENAME = ("op.drop_column('legacy', 'old')\n"
                 "op.add_column('legacy', sa.Column('new', sa.Integer(), nullable=True))")
LEGACY_RENAME_DOWN = ("op.add_column('legacy', sa.Column('old', sa.Integer(), nullable=True))\n"
                      "op.drop_column('legacy', 'new')")


def test_a_revision_cached_for_context_only_is_recorded_again_when_reported(tmp_path):
    """A revision recorded as context for another file's review lacks what only reported revisions get (here the
    downgrade() evidence that makes a drop and add of a column of an unknown table a hidden rename)."""
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "001_r1.py").write_text(revision_source(LEGACY_RENAME, "r1", None, downgrade=LEGACY_RENAME_DOWN))
    (versions / "002_r2.py").write_text(revision_source("op.add_column('legacy', sa.Column('x', sa.Integer()))",
                                                        "r2", "r1"))
    same_as_uncached(versions / "002_r2.py", tmp_path)  # r1 recorded for context only
    full = same_as_uncached(versions, tmp_path)
    assert ("hidden-rename", "r1") in findings(full)


# -- the transaction model, --downgrade, --strict-imports --------------------------------------------------------

LOCKS = [
    "op.create_table('a', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('v', sa.Integer()))\n"
    "op.create_table('b', sa.Column('id', sa.Integer(), primary_key=True))",
    "op.alter_column('a', 'v', type_=sa.BigInteger())",  # slow work under ACCESS EXCLUSIVE on a
    "op.add_column('b', sa.Column('z', sa.Integer()))",  # then ACCESS EXCLUSIVE on b: in one transaction, a hazard
]


def test_one_transaction_for_the_revisions_of_one_deploy(tmp_path):
    """With transaction-per-migration = false, rules read the statements of other (cached) revisions of the
    same deploy, and never those of revisions deployed apart."""
    versions = tmp_path / "versions"
    paths = write_history(versions, LOCKS)
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\ntransaction-per-migration = false\n"
                                             "deploy = \"changed-together\"\n")
    full = same_as_uncached(versions, tmp_path)  # a whole history: each revision its own deploy
    assert ("multiple-strong-locks", "r3") not in findings(full)
    together = same_as_uncached(paths[1:], tmp_path)  # r2 and r3 named: they ship together
    assert ("multiple-strong-locks", "r3") in findings(together)
    assert same_as_uncached(paths[1:], tmp_path) == together
    assert ("multiple-strong-locks", "r3") not in findings(same_as_uncached(paths[2], tmp_path))
    # r2 no longer does slow work: r3's finding goes, from the cache as without it.
    paths[1].write_text(revision_source("op.add_column('a', sa.Column('w', sa.Integer()))", "r2", "r1"))
    assert ("multiple-strong-locks", "r3") not in findings(same_as_uncached(paths[1:], tmp_path))


# Two revisions on top of the generated history's head, shipped together: an index build on one table, then
# an ACCESS EXCLUSIVE lock on another (tables no revision creates: they hold rows).
DEPLOYED_TOGETHER = [("99999_slowindex.py", "slowindex", "probehead",
                      "op.create_index('ix_ledger_booked_on', 'ledger', ['booked_on'])"),
                     ("99999_zlockother.py", "lockother", "slowindex",
                      "op.add_column('audit_log', sa.Column('actor', sa.Integer()))")]


def test_changing_the_transaction_model_in_env_py_records_again(tmp_path):
    project = generated_project(tmp_path, counted=False)
    named = []
    for name, revision, down, body in DEPLOYED_TOGETHER:
        named.append(project.versions / name)
        named[-1].write_text(revision_source(body, revision, down), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\ndeploy = \"changed-together\"\n")
    per_migration = same_as_uncached(named, tmp_path)
    env = project.root / "migrations" / "env.py"
    env.write_text(env.read_text().replace("transaction_per_migration=True", "transaction_per_migration=False"))
    single = same_as_uncached(named, tmp_path)
    assert json.loads(single)["assumptions"]["transaction_model"] == "single"
    # One transaction per upgrade: locks of the earlier revision of the deploy count (a finding the
    # per-migration review does not have).
    assert ("multiple-strong-locks", "lockother") in findings(single)
    assert "multiple-strong-locks" not in {rule for rule, _ in findings(per_migration)}
    env.write_text(env.read_text().replace("transaction_per_migration=False", "transaction_per_migration=True"))
    assert same_as_uncached(named, tmp_path) == per_migration


def test_downgrade_review(tmp_path):
    project = generated_project(tmp_path, counted=False)
    cold = same_as_uncached(project.root, tmp_path, downgrade=True)
    assert any(f["direction"] == "downgrade" for f in json.loads(cold)["findings"])
    assert same_as_uncached(project.root, tmp_path, downgrade=True) == cold
    # A cache filled without --downgrade serves a --downgrade review, and the other way round.
    shutil.rmtree(project.cache)
    plain = same_as_uncached(project.root, tmp_path)
    assert same_as_uncached(project.root, tmp_path, downgrade=True) == cold
    assert same_as_uncached(project.root, tmp_path) == plain
    same_as_uncached(project.head, tmp_path, downgrade=True)


def _app_project(tmp_path: Path, bodies: list[str]) -> tuple[Path, list[Path]]:
    """alembic.ini with ``prepend_sys_path = .`` (so revisions import the application beside it)."""
    root = tmp_path / "project"
    paths = write_history(root / "migrations" / "versions", bodies)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n"
                                      "path_separator = os\n", encoding="utf-8")
    return root, paths


def test_strict_imports_is_part_of_the_key(tmp_path):
    body = "from app_strict.columns import COLUMN\nop.drop_column('users', COLUMN)\n" \
           "op.create_index('ix_users_email', 'users', ['email'])"
    root, _ = _app_project(tmp_path, [USERS_TABLE, body, "op.add_column('users', sa.Column('x', sa.Integer()))"])
    stubbed = same_as_uncached(root, tmp_path)
    assert [p["revision"] for p in json.loads(stubbed)["partial"]] == ["r2"]
    strict = same_as_uncached(root, tmp_path, strict_imports=True)
    assert [e["revision"] for e in json.loads(strict)["errors"]] == ["r2"]
    assert same_as_uncached(root, tmp_path) == stubbed
    assert same_as_uncached(root, tmp_path, strict_imports=True) == strict


# -- what the key cannot see: application modules ---------------------------------------------------------

def test_a_changed_application_module_records_its_revisions_again(tmp_path):
    counter = tmp_path / "executed.txt"
    root, paths = _app_project(tmp_path, [
        USERS_TABLE,
        "from app_changed import COLUMN\nop.drop_column('users', COLUMN)",
        "op.add_column('users', sa.Column('x', sa.Integer()))",
    ])
    for path in paths:
        count_executions(path, counter)
    (root / "app_changed").mkdir()
    module = root / "app_changed" / "__init__.py"
    module.write_text("COLUMN = 'name'\n")
    before = same_as_uncached(root, tmp_path)
    executed(counter)
    assert reviewed(root, tmp_path) == before
    assert executed(counter) == []
    module.write_text("COLUMN = 'status'  # changed\n")
    after = reviewed(root, tmp_path)
    assert executed(counter) == ["r2", "r3"]
    assert "'status'" in json.dumps(json.loads(after)["findings"]) and after != before
    assert after == reviewed(root, tmp_path, use_cache=False)


def test_a_changed_application_module_is_seen_after_a_new_head(tmp_path):
    root, paths = _app_project(tmp_path, [
        USERS_TABLE,
        "from app_after_head import COLUMN\nop.drop_column('users', COLUMN)",
        "op.add_column('users', sa.Column('x', sa.Integer()))",
    ])
    (root / "app_after_head").mkdir()
    module = root / "app_after_head" / "__init__.py"
    module.write_text("COLUMN = 'name'\n")
    same_as_uncached(root, tmp_path)
    paths[0].parent.joinpath("004_r4.py").write_text(
        revision_source("op.add_column('users', sa.Column('y', sa.Integer()))", "r4", "r3"))
    same_as_uncached(root, tmp_path)  # r1-r3 from the cache, r4 recorded: a new snapshot
    module.write_text("COLUMN = 'status'  # changed\n")
    after = same_as_uncached(root, tmp_path)  # a snapshot blind to app_after_head would still drop 'name'
    assert "'status'" in json.dumps(json.loads(after)["findings"])


@pytest.mark.parametrize("strict", [False, True])
def test_a_missing_module_installed_later_is_recorded_again(tmp_path, strict):
    """Missing: a partial review with a stand-in, or with --strict-imports a load-error. Installed: complete."""
    name = f"app_installed_{'strict' if strict else 'stubbed'}"
    root, _ = _app_project(tmp_path, [
        USERS_TABLE,
        f"from {name}.helpers import index_email\nindex_email(op)",
        "op.add_column('users', sa.Column('x', sa.Integer()))",
    ])
    missing = same_as_uncached(root, tmp_path, strict_imports=strict)
    if strict:
        assert [e["revision"] for e in json.loads(missing)["errors"]] == ["r2"]
    else:
        assert [p["revision"] for p in json.loads(missing)["partial"]] == ["r2"]
    assert same_as_uncached(root, tmp_path, strict_imports=strict) == missing
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    (root / name / "helpers.py").write_text(
        "def index_email(op):\n    op.create_index('ix_users_email', 'users', ['email'])\n")
    complete = same_as_uncached(root, tmp_path, strict_imports=strict)
    assert json.loads(complete)["partial"] == [] and json.loads(complete)["errors"] == []
    assert ("index-not-concurrent", "r2") in findings(complete)


def test_a_missing_module_installed_after_a_new_head(tmp_path):
    root, paths = _app_project(tmp_path, [
        USERS_TABLE,
        "from app_installed_late.helpers import index_email\nindex_email(op)",
        "op.add_column('users', sa.Column('x', sa.Integer()))",
    ])
    partial = same_as_uncached(root, tmp_path)
    paths[0].parent.joinpath("004_r4.py").write_text(
        revision_source("op.add_column('users', sa.Column('y', sa.Integer()))", "r4", "r3"))
    assert same_as_uncached(root, tmp_path) != partial
    (root / "app_installed_late").mkdir()
    (root / "app_installed_late" / "__init__.py").write_text("")
    (root / "app_installed_late" / "helpers.py").write_text(
        "def index_email(op):\n    op.create_index('ix_users_email', 'users', ['email'])\n")
    complete = same_as_uncached(root, tmp_path)
    assert json.loads(complete)["partial"] == []
    assert ("index-not-concurrent", "r2") in findings(complete)


def test_the_alembic_configuration_is_part_of_the_key(tmp_path):
    body = "from alembic import context\nop.drop_column('users', context.config.get_main_option('dropped'))"
    root, _ = _app_project(tmp_path, [USERS_TABLE, body])
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text() + "dropped = name\n")
    before = same_as_uncached(root, tmp_path)
    assert "'name'" in before
    ini.write_text(ini.read_text().replace("dropped = name", "dropped = status"))
    after = same_as_uncached(root, tmp_path)
    assert "'status'" in after and after != before


def test_the_default_schema_is_part_of_the_key(tmp_path):
    versions = tmp_path / "versions"
    # Widening public.users.name is safe when r1 created that table: with default-schema "app", r1 created
    # app.users, and the type of public.users.name is unknown.
    write_history(versions, [USERS_TABLE, "op.alter_column('users', 'name', type_=sa.String(length=80), "
                                          "schema='public')"])
    public = same_as_uncached(versions, tmp_path)
    assert ("column-type-rewrite", "r2") not in findings(public)
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe]\ndefault-schema = "app"\n')
    app = same_as_uncached(versions, tmp_path)
    assert ("column-type-rewrite", "r2") in findings(app)
    (tmp_path / "pyproject.toml").unlink()
    assert same_as_uncached(versions, tmp_path) == public


# -- damaged caches --------------------------------------------------------------------------------------------

def _damage(directory: Path, how: str) -> None:
    entries = sorted((directory / "revisions").glob("*.pickle"))
    snapshots = sorted((directory / "snapshots").glob("*.pickle"))
    assert entries and snapshots
    if how == "garbage entries":
        for path in entries:
            path.write_bytes(b"\x80\x05not a pickle" * 7)
    elif how == "truncated entries":
        for path in entries:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) * 9 // 10])
    elif how == "entries under another key's name":
        contents = [path.read_bytes() for path in entries]
        for path, data in zip(entries, contents[1:] + contents[:1]):
            path.write_bytes(data)
    elif how == "truncated entries, no snapshot":
        for path in snapshots:
            path.unlink()
        for path in entries:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) * 9 // 10])
    elif how == "garbage entries, no snapshot":
        for path in snapshots:
            path.unlink()
        for path in entries:
            path.write_bytes(os.urandom(64))
    elif how == "entries under another key's name, no snapshot":
        for path in snapshots:
            path.unlink()
        contents = [path.read_bytes() for path in entries]
        for path, data in zip(entries, contents[1:] + contents[:1]):
            path.write_bytes(data)
    elif how == "garbage snapshots":
        for path in snapshots:
            path.write_bytes(b"garbage")
    elif how == "truncated snapshots":
        for path in snapshots:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
    elif how == "snapshots under another key's name":
        contents = [path.read_bytes() for path in snapshots]
        for path, data in zip(snapshots, contents[1:] + contents[:1]):
            path.write_bytes(data)
    elif how == "garbage history":
        (directory / "history.pickle").write_bytes(b"\x00\x01garbage")
    elif how == "truncated history":
        data = (directory / "history.pickle").read_bytes()
        (directory / "history.pickle").write_bytes(data[: len(data) // 2])
    elif how == "empty files":
        for path in [*entries, *snapshots, directory / "history.pickle"]:
            path.write_bytes(b"")
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how", [
    "garbage entries",
    "truncated entries",
    "entries under another key's name",
    "truncated entries, no snapshot",
    "garbage entries, no snapshot",
    "entries under another key's name, no snapshot",
    "garbage snapshots",
    "truncated snapshots",
    "snapshots under another key's name",
    "garbage history",
    "truncated history",
    "empty files",
])
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path, how):
    project = generated_project(tmp_path, counted=False)
    expected = reviewed(project.root, tmp_path, use_cache=False)
    assert reviewed(project.root, tmp_path) == expected
    _damage(tool_directory(project.cache), how)
    assert reviewed(project.root, tmp_path) == expected
    assert reviewed(project.root, tmp_path) == expected  # rebuilt, or still ignored
    assert reviewed(project.head, tmp_path) == reviewed(project.head, tmp_path, use_cache=False)


def test_a_snapshot_of_another_history_under_this_historys_name_is_ignored(tmp_path):
    project = generated_project(tmp_path, counted=False)
    original = project.head.read_text()
    expected = same_as_uncached(project.root, tmp_path)
    snapshots = tool_directory(project.cache) / "snapshots"
    before = {path.name: path.read_bytes() for path in snapshots.iterdir()}
    project.head.write_text(original.replace("sa.String(length=40)", "sa.BigInteger()"))
    edited = same_as_uncached(project.root, tmp_path)
    assert edited != expected
    [new] = [path for path in snapshots.iterdir() if path.name not in before]  # after the edited head
    for name in before:  # the snapshots of the original history now hold the edited one
        (snapshots / name).write_bytes(new.read_bytes())
    project.head.write_text(original)
    assert reviewed(project.root, tmp_path) == expected


def migsafe(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("damaged", ["revisions/*.pickle", "**/*.pickle"])
def test_a_damaged_cache_through_the_command_line(tmp_path, damaged):
    project = generated_project(tmp_path, revisions=40, counted=False)
    expected = reviewed(project.root, tmp_path, use_cache=False)  # what `--no-cache --format json` prints
    cold = migsafe(tmp_path, "review", str(project.root), "--format", "json")
    assert (cold.returncode, cold.stdout, cold.stderr) == (1, expected, "")
    # Garbage that is no pickle at all: in the entries only (the snapshots still name them), or everywhere.
    paths = list(project.cache.glob(f"*/{damaged}"))
    assert len(paths) >= len(project.order())
    for path in paths:
        path.write_bytes(b"\x80\x05\x95 this is not a pickle")
    for _ in range(2):
        done = migsafe(tmp_path, "review", str(project.root), "--format", "json")
        assert (done.returncode, done.stdout) == (1, expected)
        assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) <= 1


# -- concurrency, unusable locations, options -----------------------------------------------------------------

def test_concurrent_reviews_of_one_project_with_an_empty_cache(tmp_path):
    project = generated_project(tmp_path, revisions=60, counted=False)
    expected = migsafe(tmp_path, "review", str(project.root), "--format", "json", "--no-cache")
    assert expected.returncode == 1
    command = [sys.executable, "-m", "migsafe", "review", str(project.root), "--format", "json"]
    runs = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)]
    for run in runs:
        stdout, stderr = run.communicate(timeout=120)
        assert (run.returncode, stderr) == (1, "")
        assert stdout == expected.stdout
    warm = migsafe(tmp_path, "review", str(project.root), "--format", "json")
    assert (warm.returncode, warm.stdout, warm.stderr) == (1, expected.stdout, "")
    assert not [p for p in project.cache.rglob(".tmp-*")]  # no temporary file left behind


def test_a_cache_directory_that_cannot_be_created(tmp_path):
    project = generated_project(tmp_path, revisions=40, counted=False)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    expected = migsafe(tmp_path, "review", str(project.root), "--no-cache")
    done = migsafe(tmp_path, "review", str(project.root), "--cache-dir", "a-file/cache")
    assert (done.returncode, done.stdout) == (expected.returncode, expected.stdout) and expected.returncode == 1
    assert expected.stderr == ""
    assert len(done.stderr.splitlines()) == 1 and "cache" in done.stderr and "Traceback" not in done.stderr
    assert blocker.read_text() == "not a directory\n"
    assert not project.cache.exists()  # not the default location instead either
    done = migsafe(tmp_path, "review", str(project.root), "--format", "json", "--cache-dir", "a-file/cache")
    assert (done.returncode, done.stdout) == (1, reviewed(project.root, tmp_path, use_cache=False))
    assert len(done.stderr.splitlines()) == 1


def test_a_configured_cache_directory_that_cannot_be_created(tmp_path, capsys):
    project = generated_project(tmp_path, revisions=40, counted=False)
    (project.root / "blocker").write_text("")
    (project.root / "pyproject.toml").write_text('[tool.migsafe]\ncache-dir = "blocker/cache"\n')
    expected = reviewed(project.root, tmp_path, use_cache=False)
    capsys.readouterr()
    assert reviewed(project.root, tmp_path) == expected
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1 and "cache" in captured.err


def test_cache_dir_option(tmp_path):
    project = generated_project(tmp_path, revisions=40)
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    expected = reviewed(project.root, elsewhere, use_cache=False)
    executed(project.counter)
    assert reviewed(project.root, elsewhere, cache_dir=Path("my-cache")) == expected
    assert (elsewhere / "my-cache" / "CACHEDIR.TAG").is_file()  # relative to the current directory
    assert not project.cache.exists()
    executed(project.counter)
    assert reviewed(project.root, elsewhere, cache_dir=Path("my-cache")) == expected
    assert executed(project.counter) == []
    # The command line.
    done = migsafe(elsewhere, "review", str(project.root), "--format", "json", "--cache-dir", "cli-cache")
    assert done.returncode == 1 and done.stderr == "" and (elsewhere / "cli-cache" / ".gitignore").is_file()
    assert done.stdout == expected
    assert not project.cache.exists()


def test_cache_dir_in_pyproject_is_relative_to_it(tmp_path):
    project = generated_project(tmp_path, revisions=40)
    (project.root / "pyproject.toml").write_text('[tool.migsafe]\ncache-dir = "build/migsafe"\n')
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    expected = reviewed(project.root, elsewhere, use_cache=False)
    assert reviewed(project.root, elsewhere) == expected
    assert (project.root / "build" / "migsafe" / "CACHEDIR.TAG").is_file()
    assert not project.cache.exists() and not (elsewhere / "build").exists()
    executed(project.counter)
    assert reviewed(project.root, elsewhere) == expected
    assert executed(project.counter) == []
    # --cache-dir wins over the configuration.
    assert reviewed(project.root, elsewhere, cache_dir=Path("override")) == expected
    assert (elsewhere / "override" / "CACHEDIR.TAG").is_file()


def test_cache_dir_with_no_cache_is_a_usage_error(tmp_path):
    project = generated_project(tmp_path, revisions=40, counted=False)
    done = migsafe(tmp_path, "review", str(project.root), "--no-cache", "--cache-dir", "somewhere")
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("migsafe: error: ") and "--no-cache" in lines[0]
    assert not (tmp_path / "somewhere").exists() and not project.cache.exists()


# -- timeouts ------------------------------------------------------------------------------------------------

def _sleep_while(marker: Path) -> str:
    return f"import os, time\nwhile os.path.exists({str(marker)!r}):\n    time.sleep(0.02)"


def test_a_revision_that_timed_out_is_not_cached(tmp_path):
    marker = tmp_path / "slow"
    marker.write_text("")
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE,
                             _sleep_while(marker) + "\nop.create_index('ix_users_email', 'users', ['email'])",
                             "op.drop_column('users', 'name')"])
    first = reviewed(versions, tmp_path, revision_timeout=0.5)
    assert [e["revision"] for e in json.loads(first)["errors"]] == ["r2"]
    marker.unlink()
    second = same_as_uncached(versions, tmp_path, revision_timeout=0.5)
    assert json.loads(second)["errors"] == []
    assert ("index-not-concurrent", "r2") in findings(second)


def test_downgrade_evidence_that_timed_out_is_not_cached(tmp_path):
    marker = tmp_path / "slow"
    versions = tmp_path / "versions"
    versions.mkdir()
    # A rename of a column of a table the history does not know: only downgrade() tells the dropped type.
    (versions / "001_r1.py").write_text(revision_source(
        "op.drop_column('legacy', 'old')\nop.add_column('legacy', sa.Column('new', sa.Integer(), nullable=True))",
        "r1", None,
        downgrade=_sleep_while(marker) + "\nop.add_column('legacy', sa.Column('old', sa.Integer(), nullable=True))"
                                         "\nop.drop_column('legacy', 'new')"))
    expected = reviewed(versions, tmp_path, use_cache=False, revision_timeout=0.5)
    assert ("hidden-rename", "r1") in findings(expected)
    marker.write_text("")
    reviewed(versions, tmp_path, revision_timeout=0.5)  # downgrade() times out: no evidence this time
    marker.unlink()
    assert reviewed(versions, tmp_path, revision_timeout=0.5) == expected


# -- --changed-since -------------------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since(tmp_path):
    project = generated_project(tmp_path, revisions=40, counted=False)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project.root, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "history")
    reviewed(project.root, tmp_path)  # a warm cache of the whole history
    project.add_head("op.alter_column('probe', 'val', type_=sa.Integer())", "newhead")
    project.head.write_text(project.head.read_text().replace("sa.String(length=40)", "sa.Text()"))
    changed = same_as_uncached(project.root, tmp_path, changed_since="HEAD")
    assert {revision for _, revision in findings(changed)} == {"probehead", "newhead"}


def test_a_warm_one_file_review_reads_no_other_revisions_recording(tmp_path, monkeypatch):
    """Revisions that only give schema context come from the cache's summaries: their recordings (statements,
    stand-in calls...) stay on disk. Reading them all is what made a one-changed-revision review take twice as
    long (the stand-in table check asked each for its stand-in calls)."""
    versions = tmp_path / "versions"
    bodies = [USERS_TABLE] + [f'op.add_column("users", sa.Column("c{n}", sa.Text()))' for n in range(2, 40)]
    bodies[5] = 'import app_not_installed_here\napp_not_installed_here.helpers.make_tables(op)'
    paths = write_history(versions, bodies)
    cache_dir = tmp_path / "cache"
    review(ReviewOptions(paths=[versions], cwd=tmp_path, cache_dir=cache_dir))
    loads: list[str] = []
    real = cache_module.CachedRevision.__getattr__

    def counting(self, name):
        if name in cache_module._LAZY and self.__dict__.get("_heavy") is not None:
            loads.append(self.__dict__["file"].revision)
        return real(self, name)

    monkeypatch.setattr(cache_module.CachedRevision, "__getattr__", counting)
    paths[-1].write_text(paths[-1].read_text() + "\n# edited\n")
    report = review(ReviewOptions(paths=[paths[-1]], cwd=tmp_path, cache_dir=cache_dir))
    assert report.revisions_reviewed == 1
    assert set(loads) <= {"r6"}, loads  # at most the revision that ran stand-ins, for where it called them
