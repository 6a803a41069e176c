"""One revision with thousands of operations: what it costs must grow linearly with their number.

Time is not asserted (the machine is shared); what would make it quadratic is: every statement's
before-snapshot of a table holding its own copy of the table's columns, and the line lookup of every
operation walking back over every earlier statement of ``upgrade()``.
"""

from __future__ import annotations

import gc
import os
import pickle
import random
import subprocess
import sys
import zlib

import pytest

from conftest import USERS_TABLE, write_history
from migsafe import persistent
from migsafe.persistent import EMPTY, PersistentList, PersistentMap
from migsafe.recording.runner import record_history
from migsafe.recording.source import LineMap
from migsafe.revisions import list_revision_files, load_history
from migsafe.schema import Column, Constraint
from migsafe.sql import actions as A


def _references(roots: list[object]) -> int:
    """References held by every distinct container reachable from ``roots``, columns and constraints themselves
    excluded: what the snapshots cost beyond the values they share."""
    seen: set[int] = set()
    pending = list(roots)
    total = 0
    while pending:
        obj = pending.pop()
        if id(obj) in seen or isinstance(obj, (Column, Constraint, str, int, type)) or obj is None:
            continue
        seen.add(id(obj))
        referents = gc.get_referents(obj)
        total += len(referents)
        pending.extend(referents)
    return total


def test_snapshots_of_a_table_after_n_add_columns_share_their_columns(tmp_path):
    n = 600
    body = "\n".join(f'op.add_column("users", sa.Column("c{i}", sa.Integer(), nullable=True))' for i in range(n))
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, body])
    history = load_history(list_revision_files([versions]))
    recorded = record_history(history.files, sys_path=[tmp_path], config_file=None,
                              transaction_per_migration=True)
    statements = recorded[1].statements
    assert len(statements) == n
    users = A.QName("public", "users")
    snapshots = [s.tables_before[users].columns for s in statements]
    # The rules still see each table as it was: statement i knows the 4 created columns and c0 .. c(i-1).
    assert [len(columns) for columns in snapshots] == [4 + i for i in range(n)]
    assert list(snapshots[3]) == ["id", "email", "name", "status", "c0", "c1", "c2"]
    assert snapshots[-1]["c598"].type == snapshots[-1]["c0"].type and "c599" not in snapshots[-1]
    # A copy per snapshot holds n * n / 2 = 180,000 references; shared tries about 80 per snapshot.
    assert _references(snapshots) < 200 * n


def test_a_map_pickled_by_one_process_is_read_by_another():
    # String hashes differ between processes; the cache and the tail recording pickle in one, read in another.
    code = ("import pickle, sys\nfrom migsafe.persistent import EMPTY\n"
            "m = EMPTY\nfor i in range(500):\n    m = m.set(f'c{i}', i)\n"
            "sys.stdout.buffer.write(pickle.dumps(m.delete('c7')))\n")
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    data = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env).stdout
    loaded = pickle.loads(data)
    assert "c499" in loaded and loaded["c250"] == 250 and loaded.get("c7") is None and len(loaded) == 499
    assert loaded.set("c7", 7)["c7"] == 7 and list(loaded.set("c7", 7))[-1] == "c7"


def test_versions_pickled_together_keep_their_sharing():
    versions = [EMPTY]
    for i in range(1000):
        versions.append(versions[-1].set(f"c{i}", i))
    # 1,000 independent copies pickle 500,000 entries: 3.4 MB; shared, 0.3 MB.
    assert len(pickle.dumps(versions)) < 1_000_000
    assert [len(v) for v in pickle.loads(pickle.dumps(versions))] == list(range(1001))


@pytest.mark.parametrize("mask", [0xFFFFFFFF, 0x3, 0x0, 0x8000001F])
def test_the_map_behaves_like_a_dict_in_insertion_order(monkeypatch, mask):
    """Every version compared with a dict, hashes narrowed to force collisions and deep tries."""
    monkeypatch.setattr(persistent, "_hash", lambda key: zlib.crc32(key.encode()) & mask)
    rng = random.Random(mask)
    keys = [f"k{i}" for i in range(40)]
    current: PersistentMap[str, int] = PersistentMap({"k0": -1, "k1": -2})
    model = {"k0": -1, "k1": -2}
    history = []
    for step in range(600):
        key, roll = rng.choice(keys), rng.random()
        if roll < 0.5:
            current, model[key] = current.set(key, step), step
        elif roll < 0.8:
            current = current.delete(key)
            model.pop(key, None)
        elif key in model:
            new = rng.choice([k for k in keys if k not in model] or [key])
            current = current.rename(key, new, step)
            model = {(new if k == key else k): (step if k == key else v) for k, v in model.items()}
        history.append((current, dict(model)))
        assert list(current.items()) == list(model.items()) and len(current) == len(model)
        assert all((k in current) == (k in model) and current.get(k) == model.get(k) for k in keys)
    assert all(list(version.items()) == list(expected.items()) for version, expected in history)
    assert 3 not in current and current.get(None) is None  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        current["missing"]


class _CountedInt(int):
    """A line number that counts how often it is compared."""

    comparisons = 0

    def __le__(self, other: object) -> bool:
        _CountedInt.comparisons += 1
        return int(self) <= other  # type: ignore[operator]

    def __lt__(self, other: object) -> bool:
        _CountedInt.comparisons += 1
        return int(self) < other  # type: ignore[operator]


def test_a_line_in_a_long_function_is_found_without_walking_back_over_it():
    # upgrade() with 5,000 one-line calls after its header; the innermost statement of each line is itself.
    spans = ((_CountedInt(1), _CountedInt(3)), (_CountedInt(20), _CountedInt(20)),
             *((_CountedInt(line), _CountedInt(line)) for line in range(21, 5021)))
    linemap = LineMap(spans=spans)
    _CountedInt.comparisons = 0
    assert [linemap.statement(line) for line in (21, 2500, 5020, 5500)] == [(21, 21), (2500, 2500), (5020, 5020),
                                                                            (5500, 5500)]
    assert _CountedInt.comparisons < 40  # the walk back used to compare every earlier statement


def test_the_line_of_a_frame_is_read_from_its_code_as_python_reads_it():
    # Multi-line calls, blocks, loops, comprehensions, lambdas, a helper: every call site's line must be the
    # one CPython gives (frame.f_lineno decodes the same table, from its start, on every read).
    source = '''
def helper(probe):
    probe(
        1)

def upgrade(probe):
    probe()
    with open(__file__) as f:
        probe(f,
              2)
    for i in range(3):
        if i:
            probe(i)
        else:
            [probe(x) for x in (i,)]
    try:
        (lambda: probe(0))()
        raise KeyError
    except KeyError:
        helper(probe)
    probe(
        "a",
        probe(),
    )
'''
    namespace: dict[str, object] = {"__file__": __file__}
    exec(compile(source, "revision.py", "exec"), namespace)
    linemap = LineMap(source)
    seen: list[tuple[int | None, int | None]] = []

    def probe(*args: object) -> None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename == "revision.py":
            seen.append((linemap.frame_line(frame), frame.f_lineno))
            frame = frame.f_back

    namespace["upgrade"](probe)  # type: ignore[operator]
    assert len(seen) == 12
    assert [ours for ours, _ in seen] == [python for _, python in seen]


def test_snapshots_of_a_table_after_n_added_constraints_share_their_constraints(tmp_path):
    n = 400
    body = "\n".join(f'op.create_check_constraint("ck_{i}", "users", "id > {i}", postgresql_not_valid=True)\n'
                     + (f'op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_{i - 1}")' if i % 2 else "")
                     for i in range(n))
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, body])
    history = load_history(list_revision_files([versions]))
    recorded = record_history(history.files, sys_path=[tmp_path], config_file=None,
                              transaction_per_migration=True)
    users = A.QName("public", "users")
    snapshots = [s.tables_before[users].constraints for s in recorded[1].statements]
    assert len(snapshots) == n + n // 2
    # The primary key (created unnamed: PostgreSQL's name), then the CHECKs; each VALIDATE sees its constraint not
    # yet valid.
    last = list(snapshots[-1])
    assert [c.name for c in last][:3] == ["users_pkey", "ck_0", "ck_1"] and len(last) == n + 1
    assert [c.validated for c in last[1:5]] == [True, False, True, False]
    assert not next(c for c in snapshots[-1] if c.name == "ck_398").validated  # the last statement validates it
    # A tuple per snapshot holds about n * n * 3 / 4 = 120,000 references.
    assert _references(snapshots) < 100 * n


def test_the_list_behaves_like_a_list():
    rng = random.Random(7)
    current: PersistentList[int] = PersistentList([5, 6])
    model = [5, 6]
    history = []
    for step in range(800):
        roll = rng.random()
        if roll < 0.5:
            current, model = current.append(step % 13), model + [step % 13]
        elif roll < 0.75:
            k = rng.randrange(13)
            current = current.replace_where(lambda v, k=k: v == k, lambda v: v + 100)
            model = [v + 100 if v == k else v for v in model]
        else:
            k = rng.randrange(13)
            current = current.remove_where(lambda v, k=k: v == k)
            model = [v for v in model if v != k]
        history.append((current, list(model)))
        assert list(current) == model and len(current) == len(model) and bool(current) == bool(model)
    assert all(list(version) == expected for version, expected in history)
    assert [list(v) for v, _ in pickle.loads(pickle.dumps(history))] == [m for _, m in history]
    assert current == tuple(model) and PersistentList() == () and not PersistentList()
