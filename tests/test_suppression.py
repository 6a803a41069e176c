"""Inline ignore comments, file-level ignores, SQL ignores, unused and unknown ids."""

from __future__ import annotations

from conftest import USERS_TABLE, body_line

RULE = "drop-column"


def _drop_findings(report):
    return [f.line for f in report.findings if f.rule == RULE]


def _unused(report):
    return [(n.line, n.message) for n in report.notes if n.kind == "unused-ignore"]


def test_ignore_on_the_call_line(review_history):
    report = review_history(USERS_TABLE, 'op.drop_column("users", "name")  # migsafe: ignore[drop-column] unused')
    assert _drop_findings(report) == []
    assert _unused(report) == []


def test_ignore_on_the_line_above(review_history):
    body = '# migsafe: ignore[drop-column] -- shipped the code change in 4.2\nop.drop_column("users", "name")'
    report = review_history(USERS_TABLE, body)
    assert _drop_findings(report) == []


def test_ignore_inside_a_multi_line_call(review_history):
    body = 'op.drop_column(\n    "users",\n    "name",  # migsafe: ignore[drop-column]\n)'
    report = review_history(USERS_TABLE, body)
    assert _drop_findings(report) == []


def test_ignore_two_lines_above_does_not_apply(review_history):
    body = '# migsafe: ignore[drop-column]\n\nop.drop_column("users", "name")'
    report = review_history(USERS_TABLE, body)
    assert _drop_findings(report) == [body_line(body, "op.drop_column")]
    assert [line for line, _ in _unused(report)] == [body_line(body, "# migsafe")]


def test_ignore_on_a_line_without_that_finding_is_reported_unused(review_history):
    body = ('op.drop_column("users", "name")\n'
            'op.add_column("users", sa.Column("age", sa.Integer()))  # migsafe: ignore[drop-column]')
    report = review_history(USERS_TABLE, body)
    assert _drop_findings(report) == [body_line(body, "op.drop_column")]
    assert [line for line, _ in _unused(report)] == [body_line(body, "op.add_column")]


def test_ignore_file(review_history):
    body = '# migsafe: ignore-file[drop-column]\nop.drop_column("users", "name")\nop.drop_column("users", "email")'
    report = review_history(USERS_TABLE, body)
    assert _drop_findings(report) == []


def test_comment_text_inside_a_string_is_not_a_directive(review_history):
    body = 'x = "# migsafe: ignore[drop-column]"\nop.drop_column("users", "name")'
    report = review_history(USERS_TABLE, body)
    assert _drop_findings(report) == [body_line(body, "op.drop_column")]


def test_sql_comment_ignores_only_its_statement(review_history):
    body = ('op.execute("""\nALTER TABLE users DROP COLUMN name; -- migsafe: ignore[drop-column]\n'
            'ALTER TABLE users DROP COLUMN email;\n""")')
    report = review_history(USERS_TABLE, body)
    findings = [f for f in report.findings if f.rule == RULE]
    assert [f.sql for f in findings] == ["ALTER TABLE users DROP COLUMN email"]


def test_sql_comment_above_a_statement(review_history):
    body = ('op.execute("""\nALTER TABLE users DROP COLUMN email;\n-- migsafe: ignore[drop-column]\n'
            'ALTER TABLE users DROP COLUMN name\n""")')
    report = review_history(USERS_TABLE, body)
    assert [f.sql for f in report.findings if f.rule == RULE] == ["ALTER TABLE users DROP COLUMN email"]


def test_unused_sql_ignore_is_reported(review_history):
    report = review_history(USERS_TABLE, 'op.execute("SELECT 1 -- migsafe: ignore[drop-column]")')
    assert len(_unused(report)) == 1


def test_unknown_rule_id_in_a_comment_is_an_error(review_history):
    report = review_history(USERS_TABLE, 'op.drop_column("users", "name")  # migsafe: ignore[drop-colum]')
    assert [e.message for e in report.errors] == [
        "unknown rule id 'drop-colum' in migsafe ignore comment (see `migsafe rules`)"]
    assert report.exit_code() == 2
