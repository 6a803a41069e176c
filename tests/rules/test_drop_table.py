from conftest import USERS_TABLE, body_line, rule_hits

RULE = "drop-table"


def test_drop_table_op_on_existing_table(review_history):
    body = 'op.drop_table("users")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "drop_table"))]


def test_drop_table_raw_sql(review_history):
    body = 'op.execute("DROP TABLE IF EXISTS users")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_drop_table_cascade_says_what_else_goes(review_history):
    body = 'op.execute("DROP TABLE users CASCADE")'
    report = review_history(USERS_TABLE, body)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "CASCADE" in finding.message


def test_drop_of_a_table_unknown_to_the_model_is_reported(review_history):
    body = 'op.drop_table("legacy_events")'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "drop_table"))]


def test_drop_table_spanning_lines_points_at_the_call(review_history):
    body = '''
op.drop_table(
    "users",
)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.drop_table("))]


def test_drop_of_a_table_created_in_the_same_revision_is_fine(review_history):
    body = USERS_TABLE + '\nop.drop_table("users")'
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_drop_of_a_scratch_table_created_with_data_in_the_same_revision_is_fine(review_history):
    # CREATE TABLE AS holds rows, but they were copied by this very migration and no running code knows it.
    body = '''
op.execute("CREATE TABLE users_copy AS SELECT * FROM users")
op.execute("DROP TABLE users_copy")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_batch_recreate_internal_drop_is_not_reported(review_history):
    # recreate="always" copies users into _alembic_tmp_users, then DROP TABLE users: Alembic's own swap.
    body = '''
with op.batch_alter_table("users", recreate="always") as batch_op:
    batch_op.alter_column("status", nullable=False)
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_dropping_an_index_is_not_a_table_drop(review_history):
    body = 'op.execute("DROP INDEX IF EXISTS ix_users_email")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []



# -- DROP TABLE IF EXISTS of a table no revision left in place ------------------------------------------------------

def test_if_exists_of_a_table_no_revision_creates_is_info(review_history):
    # The leftover of a tool used before Alembic: it exists only in databases bootstrapped outside Alembic.
    body = 'op.execute("DROP TABLE IF EXISTS migrate_version")'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert finding.severity == "info"
    assert "no revision creates it; it exists only if made outside Alembic" in finding.message


def test_if_exists_with_the_op_form_is_info(review_history):
    body = 'op.drop_table("legacy_events", if_exists=True)'
    report = review_history(USERS_TABLE, body)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert finding.severity == "info"


def test_if_exists_of_a_table_an_earlier_revision_dropped_says_which(review_history):
    report = review_history(USERS_TABLE, 'op.drop_table("users")', 'op.execute("DROP TABLE IF EXISTS users")')
    found = [f for f in report.findings if f.rule == RULE]
    assert [(f.revision, f.severity) for f in found] == [("r2", "warning"), ("r3", "info")]
    assert "revision r1 creates it and r2 drops it" in found[1].message


def test_if_exists_of_a_table_the_history_created_is_a_warning(review_history):
    report = review_history(USERS_TABLE, 'op.execute("DROP TABLE IF EXISTS users")')
    assert [f.severity for f in report.findings if f.rule == RULE] == ["warning"]


def test_without_if_exists_the_table_must_be_there(review_history):
    # Plain DROP TABLE of a table no revision created fails unless the table exists: it does, with its rows.
    report = review_history(USERS_TABLE, 'op.execute("DROP TABLE migrate_version")')
    assert [f.severity for f in report.findings if f.rule == RULE] == ["warning"]


def test_if_exists_in_a_history_without_its_base_is_a_warning(review_history, tmp_path):
    from conftest import revision_source
    from migsafe.engine import ReviewOptions, review

    versions = tmp_path / "partial"
    versions.mkdir()
    (versions / "r9.py").write_text(revision_source('op.execute("DROP TABLE IF EXISTS migrate_version")', "r9",
                                                    "r8"), encoding="utf-8")
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert [f.severity for f in report.findings if f.rule == RULE] == ["warning"]


def test_if_exists_after_a_statement_not_understood_that_names_it_is_a_warning(review_history):
    # The review could not follow what that statement made.
    made = 'op.execute("CREATE TABLE job_log (id serial, payload some_type())")'
    report = review_history(USERS_TABLE, made, 'op.execute("DROP TABLE IF EXISTS job_log")')
    assert [f.severity for f in report.findings if f.rule == RULE] == ["warning"]


def test_if_exists_after_a_revision_that_failed_and_names_it_is_a_warning(review_history):
    # The review could not follow what that revision did to job_log.
    failed = 'raise RuntimeError("job_log is set up by the application")'
    report = review_history(USERS_TABLE, failed, 'op.execute("DROP TABLE IF EXISTS job_log")')
    assert [e.revision for e in report.errors] == ["r2"]
    assert [(f.revision, f.severity) for f in report.findings if f.rule == RULE] == [("r3", "warning")]
    # A failed revision that does not name it leaves the verdict as it was.
    report = review_history(USERS_TABLE, 'raise RuntimeError("boom")', 'op.execute("DROP TABLE IF EXISTS job_log")')
    assert [(f.revision, f.severity) for f in report.findings if f.rule == RULE] == [("r3", "info")]


def test_if_exists_of_a_table_an_earlier_revision_creates_in_a_branch_not_run_is_a_warning(review_history):
    # The table is made only where the extension is available: the review answered the catalog query with no
    # row and never ran that branch. Where it ran, the table is there, and running code may use it.
    made = '''
connection = op.get_bind()
if connection.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).fetchone():
    op.execute("""
        CREATE TABLE events_shadow (
            id integer NOT NULL
        )
    """)
'''
    body = 'op.execute("DROP TABLE IF EXISTS events_shadow CASCADE")'
    report = review_history(USERS_TABLE, made, body)
    assert [(f.revision, f.severity) for f in report.findings if f.rule == RULE] == [("r3", "warning")]
    assert rule_hits(report, "missing-lock-timeout") == [("r3", body_line(body, "DROP TABLE"))]


def test_a_table_renamed_out_of_the_way_and_copied_is_dropped_without_a_finding(review_history):
    # Rename the old table away, create the new one under the old name, copy the rows, drop the old copy: the
    # rename is reported by rename-table; the drop loses nothing and no running code knows the name users_old.
    body = '''
op.rename_table("users", "users_old")
op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.String(100)))
op.execute("INSERT INTO users (id, email) SELECT id, email FROM users_old")
op.drop_table("users_old")
'''
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []
    uncopied = body.replace('op.execute("INSERT INTO users (id, email) SELECT id, email FROM users_old")\n', "")
    report = review_history(USERS_TABLE, uncopied)
    assert rule_hits(report, RULE) == [("r2", body_line(uncopied, "drop_table"))]
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "which this deploy gave that name" in finding.message and "relation does not exist" not in finding.message


def test_a_copy_and_swap_rebuild_says_what_it_loses_not_that_the_table_disappears(review_history):
    # Copy the rows into a new table, drop the old one, rename the copy to the old name, all in one transaction:
    # other sessions never see the name missing; what they lose is whatever they write after the copy read.
    body = '''
op.execute("CREATE TABLE users_tmp (id integer PRIMARY KEY, email varchar(100))")
op.execute("INSERT INTO users_tmp SELECT id, email FROM users")
op.execute("DROP TABLE users")
op.execute("ALTER TABLE users_tmp RENAME TO users")
'''
    report = review_history(USERS_TABLE, body)
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert finding.line == body_line(body, "DROP TABLE")
    assert "rebuilds table users by copy and swap" in finding.message
    assert f"at line {body_line(body, 'RENAME TO')}" in finding.message
    assert "relation does not exist" not in finding.message and "LOCK TABLE" in (finding.fix or "")
