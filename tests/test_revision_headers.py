"""Revision headers: a plain header is read without building the file's syntax tree, and gives the same
header as the syntax tree would; anything unusual goes to the tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import USERS_TABLE, write_history
from migsafe import revisions
from migsafe.engine import ReviewOptions, review
from migsafe.model import LoadError, RevisionFile
from migsafe.reporters import renderer

HEADERS = {
    "plain": "revision = 'a1'\ndown_revision = 'a0'\nbranch_labels = None\ndepends_on = None\n",
    "typed": ("from typing import Sequence, Union\n\nrevision: str = \"a1\"\n"
              "down_revision: Union[str, Sequence[str], None] = (\"a0\", \"b0\")\n"
              "branch_labels: Union[str, Sequence[str], None] = ('feature',)\n"
              "depends_on: Union[str, Sequence[str], None] = ['c0']\n"),
    "comments": "revision = 'a1'  # the id\ndown_revision = None  # first\n",
    "multi-line value": "revision = 'a1'\ndown_revision = (\n    'a0',\n    'b0',\n)\n",
    "docstring line": '"""Add things\n\nrevision = \'fake\'\n"""\nrevision = \'a1\'\ndown_revision = \'a0\'\n',
    "two targets": "revision = 'a1'\nx = down_revision = 'a0'\n",
    "assigned twice": "revision = 'a1'\nrevision = 'a2'\ndown_revision = None\n",
    "tuple target": "revision, down_revision = 'a1', 'a0'\n",
    "not a literal": "PREFIX = 'a'\nrevision = PREFIX + '1'\ndown_revision = None\n",
    "keyword look-alike": "revision = 'a1'\ndown_revision = None\nconfig = dict(revision='zz')\n",
    "no header": "X = 1\n",
}
BODY = "\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"


def fields(header: RevisionFile | LoadError | None) -> object:
    if not isinstance(header, RevisionFile):
        return header
    return (header.revision, header.down_revisions, header.depends_on, header.branch_labels, header.line)


def from_syntax_tree(path: Path, monkeypatch: pytest.MonkeyPatch) -> RevisionFile | LoadError | None:
    with monkeypatch.context() as patch:
        patch.setattr(revisions, "_plain_header", lambda path, source: None)
        return revisions.read_header(path)


@pytest.mark.parametrize("name", list(HEADERS))
def test_the_header_is_the_one_the_syntax_tree_gives(tmp_path, monkeypatch, name):
    path = tmp_path / f"{name.replace(' ', '_')}.py"
    path.write_text(HEADERS[name] + BODY)
    assert fields(revisions.read_header(path)) == fields(from_syntax_tree(path, monkeypatch))


def test_the_fast_read_is_used_for_plain_headers_only(tmp_path):
    for name in ("plain", "typed", "comments"):
        assert revisions._plain_header(tmp_path / "x.py", HEADERS[name] + BODY) is not None, name
    for name in ("multi-line value", "docstring line", "two targets", "assigned twice", "tuple target",
                 "not a literal", "keyword look-alike", "no header"):
        assert revisions._plain_header(tmp_path / "x.py", HEADERS[name] + BODY) is None, name


def test_a_syntax_error_below_a_plain_header_is_a_load_error_in_its_place(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, "op.drop_column('users',",
                             "op.add_column('users', sa.Column('x', sa.Text()))"])
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False))
    (error,) = report.errors
    assert (error.path.name, error.message) == ("002_r2.py", "SyntaxError: '(' was never closed")
    assert error.line == (versions / "002_r2.py").read_text().splitlines().index("def upgrade():") + 2
    assert not report.notes  # r3 keeps its parent: no missing-parent note


def test_reports_are_the_same_with_and_without_the_syntax_tree_at_load_time(tmp_path, monkeypatch):
    """Without the syntax tree at load time, statement lines come from the recording: the same lines."""
    versions = tmp_path / "versions"
    paths = write_history(versions, [
        USERS_TABLE,
        "op.add_column(\n    'users',\n    sa.Column('age', sa.Integer(), nullable=False),\n)",
        "with op.batch_alter_table('users') as batch_op:\n    batch_op.alter_column(\n"
        "        'email',\n        nullable=True,\n    )\n    batch_op.drop_column('name')",
        "for name in ('a', 'b'):\n    op.create_index(\n        f'ix_{name}', 'users', ['status'],\n    )",
    ])

    def reviewed() -> str:
        report = review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False))
        return renderer("json")(report, color=False)

    fast = reviewed()
    with monkeypatch.context() as patch:
        patch.setattr(revisions, "_plain_header", lambda path, source: None)
        assert reviewed() == fast
    assert all(revisions._plain_header(path, path.read_text()) is not None for path in paths)
