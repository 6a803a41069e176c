"""Recording the tail of a long history in a forked child (migsafe.recording.tail) gives the same report as
recording every revision in one process, and falls back to recording here whenever the child's recording
could differ or the child fails."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import USERS_TABLE, history_generator, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.recording import tail as tail_module
from migsafe.reporters import renderer

pytestmark = pytest.mark.skipif(not tail_module.wanted(tail_module.MIN_REVISIONS),
                                reason="needs Linux, fork and two processors")

SAMPLES = Path(__file__).resolve().parent.parent / "sample_migrations"


@pytest.fixture
def children(monkeypatch):
    """The process ids of the children the reviews forked."""
    pids: list[int] = []
    close = tail_module.Tail.close

    def closing(self):
        pids.append(self._pid)
        close(self)

    monkeypatch.setattr(tail_module.Tail, "close", closing)
    return pids


def gone(pids: list[int]) -> bool:
    """Every child has ended and was reaped (no zombie left behind). The child is an orphan (see
    tail._fork_orphan): whoever adopted it reaps it, within moments."""
    deadline = time.monotonic() + 5
    for pid in pids:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
    return bool(pids)


@pytest.fixture
def merges(monkeypatch):
    """Lower the threshold so small histories split, and count what the merge decided, per revision."""
    monkeypatch.setattr(tail_module, "MIN_REVISIONS", 2)
    monkeypatch.delenv("MIGSAFE_JOBS", raising=False)
    decided: list[tuple[str, bool]] = []
    merge = tail_module.Tail.merge

    def counting(self, speculation, recorder, learned, file):
        merged = merge(self, speculation, recorder, learned, file)
        decided.append((file.revision, merged is not None))
        return merged

    monkeypatch.setattr(tail_module.Tail, "merge", counting)
    return decided


def as_json(path: Path, cwd: Path, extra_paths: list[Path] | None = None, **options) -> str:
    """The JSON report of ``path`` (or, with ``extra_paths``, of those files)."""
    paths = extra_paths if extra_paths is not None else [path]
    return renderer("json")(review(ReviewOptions(paths=paths, cwd=cwd, use_cache=False, **options)), color=False)


def in_one_process(path: Path, cwd: Path, monkeypatch, **options) -> str:
    with monkeypatch.context() as patch:
        patch.setenv("MIGSAFE_JOBS", "1")
        return as_json(path, cwd, **options)


def test_a_generated_history_gives_the_same_report(tmp_path, monkeypatch, merges, children):
    root = tmp_path / "project"
    history_generator().generate(root, 160, seed=11)
    split = as_json(root, tmp_path)
    assert split == in_one_process(root, tmp_path, monkeypatch)
    taken = [merged for _, merged in merges]
    assert len(taken) == int(160 * tail_module.CHILD_SHARE)  # the child's part of the history ...
    assert sum(taken) >= 0.9 * len(taken)  # ... nearly all of it taken from the child
    assert gone(children)


@pytest.mark.parametrize("sample", ["dangerous", "clean"])
def test_the_sample_projects_give_the_same_report(sample, monkeypatch, merges):
    project = SAMPLES / sample
    assert as_json(project, project) == in_one_process(project, project, monkeypatch)
    assert merges and any(merged for _, merged in merges)


# A history whose tail holds every reason to record a revision here instead of taking the child's recording.
TAIL_CASES = [
    USERS_TABLE,
    "op.add_column('users', sa.Column('age', sa.Integer()))",
    "op.create_index('ix_users_email', 'users', ['email'])",
    "op.execute('CREATE TYPE mood AS ENUM (\\'ok\\')')",
    # reads the schema model through reflection: recorded here
    "inspector = sa.inspect(op.get_bind())\n"
    "if 'nickname' not in {c['name'] for c in inspector.get_columns('users')}:\n"
    "    op.add_column('users', sa.Column('nickname', sa.String(20), nullable=False))",
    # batch recreate builds the table from the model: recorded here
    "with op.batch_alter_table('users', recreate='always') as batch_op:\n"
    "    batch_op.alter_column('name', type_=sa.String(80))",
    # a missing module, while the head had another one missing: its retries differ, recorded here
    "import migsafe_test_no_such_module\nop.add_column('users', sa.Column('b', sa.Integer()))",
    # fails: recorded here, where the error gets its place
    "op.add_column('users', sa.Column('c', sa.Integer()))\nraise RuntimeError('boom')",
    # changes the session: the revisions after it run with the child's search_path, carried over here
    "op.execute('SET search_path TO other, public')\nop.create_table('t', sa.Column('id', sa.Integer()))",
    "op.execute('SET search_path TO public')\nop.drop_column('users', 'age')",
    "op.alter_column('users', 'email', nullable=True)",
    "op.execute(\"UPDATE users SET status = 'x'\")\nop.get_bind().execute(sa.text('SELECT 1'))",
    "op.drop_table('t')",  # a drop the model knows (no downgrade evidence) ...
    "op.drop_column('users', 'never_created')",  # ... and one it does not: downgrade evidence, here
]


def test_each_reason_to_record_here(tmp_path, monkeypatch, merges):
    versions = tmp_path / "versions"
    head = ["import migsafe_test_missing_in_head"] + ["op.execute('SELECT 1')"] * (len(TAIL_CASES) - 1)
    write_history(versions, head + TAIL_CASES)
    split = as_json(versions, tmp_path)
    assert split == in_one_process(versions, tmp_path, monkeypatch)
    decided = dict(merges)
    first = len(TAIL_CASES) + 1
    live = {f"r{first + i}" for i in (4, 5, 6, 7)}
    assert {revision for revision, merged in merges if not merged} >= live
    assert decided[f"r{first}"] and decided[f"r{first + 1}"] and decided[f"r{first + 13}"]


def test_stand_ins_are_taken_from_the_child_when_both_knew_the_same_missing_modules(tmp_path, monkeypatch, merges):
    versions = tmp_path / "versions"
    uses_app = "from migsafe_test_app.models import Column\nop.add_column('users', sa.Column('{}', sa.Integer()))"
    write_history(versions, [USERS_TABLE, "op.execute('SELECT 1')", uses_app.format("a"), uses_app.format("b")])
    split = as_json(versions, tmp_path)
    assert split == in_one_process(versions, tmp_path, monkeypatch)
    assert '"migsafe_test_app"' in split  # reviewed with stand-ins: partial
    assert merges == [("r3", True), ("r4", True)]


def test_one_transaction_for_the_whole_history(tmp_path, monkeypatch, merges):
    versions = tmp_path / "versions"
    bodies = ["op.create_table('a', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('v', sa.Integer()))",
              "op.create_table('b', sa.Column('id', sa.Integer(), primary_key=True))",
              "with op.get_context().autocommit_block():\n"
              "    op.create_index('ix_a', 'a', ['v'], postgresql_concurrently=True)",
              "op.execute('SELECT 1')"]
    for number in range(3):  # slow work under ACCESS EXCLUSIVE on a, then ACCESS EXCLUSIVE on b: one transaction
        bodies += [f"op.alter_column('a', 'v', type_=sa.Numeric({10 + number}))",
                   f"op.add_column('b', sa.Column('z{number}', sa.Integer()))"]
    paths = write_history(versions, bodies)
    # The revisions with the locks ship in one `alembic upgrade`: there they share its transaction.
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.migsafe]\ndeploy = "changed-together"\n', encoding="utf-8")
    options = {"transaction_per_migration": False, "config_file": config, "extra_paths": paths[4:]}
    split = as_json(versions, tmp_path, **options)
    assert split == in_one_process(versions, tmp_path, monkeypatch, **options)
    assert '"multiple-strong-locks"' in split
    assert any(merged for _, merged in merges)


def test_a_failing_child_leaves_everything_to_this_process(tmp_path, monkeypatch, merges, children):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE] + ["op.add_column('users', sa.Column('x%d', sa.Integer()))" % i
                                             for i in range(8)])
    expected = in_one_process(versions, tmp_path, monkeypatch)

    def broken(*args, **kwargs):
        raise RuntimeError("the child fails")

    monkeypatch.setattr(tail_module, "_speculation", broken)  # runs in the child only
    assert as_json(versions, tmp_path) == expected
    assert merges and not any(merged for _, merged in merges)
    assert gone(children)


def test_an_unpicklable_recording_is_recorded_here(tmp_path, monkeypatch, merges):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE] + ["op.add_column('users', sa.Column('x%d', sa.Integer()))" % i
                                             for i in range(5)])
    expected = in_one_process(versions, tmp_path, monkeypatch)
    speculation = tail_module._speculation

    def with_a_lock(index, revision, *args):
        if revision.revision == "r5":
            revision.notes.append(os)  # a module object: pickle refuses it
        return speculation(index, revision, *args)

    monkeypatch.setattr(tail_module, "_speculation", with_a_lock)
    assert as_json(versions, tmp_path) == expected
    assert dict(merges) == {"r4": True, "r5": False, "r6": True}


def test_too_short_a_history_or_one_job_records_in_one_process(monkeypatch):
    assert not tail_module.wanted(3)
    monkeypatch.setenv("MIGSAFE_JOBS", "1")
    assert not tail_module.wanted(10_000)
    monkeypatch.delenv("MIGSAFE_JOBS")
    assert tail_module.wanted(tail_module.MIN_REVISIONS)


def test_an_interrupted_review_stops_the_child(tmp_path, monkeypatch, merges, children):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE] + ["op.add_column('users', sa.Column('x%d', sa.Integer()))" % i
                                             for i in range(8)])
    take = tail_module.Tail.take

    def interrupted(self, index):
        take(self, index)
        raise KeyboardInterrupt

    monkeypatch.setattr(tail_module.Tail, "take", interrupted)
    with pytest.raises(KeyboardInterrupt):
        as_json(versions, tmp_path)
    assert gone(children)


def test_the_cache_stores_the_childs_recordings_with_the_modules_they_imported(tmp_path, monkeypatch, merges):
    """r4 imports an application module in the child only: its cache entry must still depend on that file."""
    root = tmp_path / "project"
    write_history(root / "migrations" / "versions", [
        USERS_TABLE, "op.execute('SELECT 1')", "op.execute('SELECT 2')",
        "from app_in_child import COLUMN\nop.drop_column('users', COLUMN)"])
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n"
                                      "path_separator = os\n", encoding="utf-8")
    module = root / "app_in_child.py"
    module.write_text("COLUMN = 'name'\n")
    monkeypatch.setenv("MIGSAFE_CACHE_DIR", str(tmp_path / "cache"))

    def cached() -> str:
        return renderer("json")(review(ReviewOptions(paths=[root], cwd=tmp_path)), color=False)

    cold = cached()
    assert cold == in_one_process(root, tmp_path, monkeypatch)
    assert ("r4", True) in merges
    merges.clear()
    assert cached() == cold and not merges  # warm: nothing recorded, no child
    module.write_text("COLUMN = 'status'  # changed\n")
    changed = cached()
    assert "'status'" in changed and changed == in_one_process(root, tmp_path, monkeypatch)


def test_no_fork_while_other_threads_run(tmp_path, monkeypatch, merges):
    import threading

    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE] * 4)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert as_json(versions, tmp_path) == in_one_process(versions, tmp_path, monkeypatch)
    finally:
        stop.set()
        thread.join()
    assert merges == []  # recorded in one process
