"""The wheel users install carries every rule's docs page (for `migsafe explain`) and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from migsafe.replay.reconcile import REPLAY_RULES
from migsafe.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_rule_docs_and_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [wheel] = tmp_path.glob("alembic_migsafe-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule in all_rules() + REPLAY_RULES:
        assert f"migsafe/rule_docs/{rule.id}.md" in names, f"{rule.id} docs page missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "migsafe = migsafe.__main__:main" in text


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:]]
    test_command = next(b for b in blocks if "pytest" in b)
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines
    run_command = next(b for b in blocks if "migsafe review sample_migrations/" in b)
    assert (ROOT / run_command.split("migsafe review ")[1].split()[0]).is_dir()
