from types import SimpleNamespace

import pytest

from conftest import USERS_TABLE, body_line, review_deployed_together, rule_hits, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.recording.runner import record_history
from migsafe.revisions import list_revision_files, load_history
from migsafe.sql.analysis import parse
from migsafe.sql.locks import statement_locks

RULE = "multiple-strong-locks"

# Two tables from an earlier revision: both hold rows.
TABLES = USERS_TABLE + '''
op.create_table(
    "orgs",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("name", sa.String(50), nullable=True),
)
op.add_column("users", sa.Column("org_id", sa.Integer(), nullable=True))
'''


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_index_build_while_another_table_is_locked(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.create_index("ix_orgs_name", "orgs", ["name"])
'''
    report = review_history(TABLES, body)
    # Reported on the slow statement: the one that completes the hazard.
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_index"))]
    [finding] = _findings(report)
    assert finding.severity == "error"
    assert "builds index ix_orgs_name on orgs" in finding.message
    assert "ACCESS EXCLUSIVE on users, SHARE on orgs" in finding.message


def test_second_lock_after_slow_work(review_history):
    body = '''
op.create_index("ix_orgs_name", "orgs", ["name"])
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
'''
    report = review_history(TABLES, body)
    # Reported on the statement that takes the second strong lock.
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]
    assert f"builds index ix_orgs_name on orgs (line {body_line(body, 'create_index')})" in _findings(report)[0].message


def test_raw_sql(review_history):
    body = '''
op.execute("ALTER TABLE users ADD COLUMN nickname varchar(40)")
op.execute("CREATE INDEX ix_orgs_name ON orgs (name)")
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "CREATE INDEX"))]


def test_backfill_under_a_lock_then_another_table(review_history):
    body = '''
op.add_column("orgs", sa.Column("slug", sa.String(50), nullable=True))
op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
op.alter_column("users", "status", nullable=False)
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]
    assert "updates rows of users" in _findings(report)[0].message


def test_cheap_changes_to_two_tables_are_fine(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.add_column("orgs", sa.Column("slug", sa.String(50), nullable=True))
op.alter_column("orgs", "name", server_default="unnamed")
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == []


def test_slow_work_on_one_table_only_is_fine(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.create_index("ix_users_nickname", "users", ["nickname"])
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == []


def test_foreign_key_not_valid_alone_is_fine(review_history):
    body = '''
op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"], postgresql_not_valid=True)
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == []


def test_validating_foreign_key_alone_is_its_own_rule(review_history):
    body = 'op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"])'
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "constraint-without-not-valid") == [("r2", body_line(body, "create_foreign_key"))]


def test_dropped_foreign_key_locks_both_tables_briefly(review_history):
    first = TABLES + '\nop.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"])'
    body = '''
op.drop_constraint("fk_users_org", "users", type_="foreignkey")
op.create_index("ix_users_email", "users", ["email"])
'''
    report = review_history(first, body)
    # DROP CONSTRAINT took ACCESS EXCLUSIVE on users and orgs; the index build on users runs under both.
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_index"))]
    assert "ACCESS EXCLUSIVE on orgs" in _findings(report)[0].message
    report = review_history(first, 'op.drop_constraint("fk_users_org", "users", type_="foreignkey")')
    assert rule_hits(report, RULE) == []


def test_new_tables_do_not_count(review_history):
    body = '''
op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50)))
op.create_index("ix_teams_name", "teams", ["name"])
op.add_column("users", sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id"), nullable=True))
op.create_index("ix_users_team_id", "users", ["team_id"])
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == []


def test_a_renamed_table_is_one_table(review_history):
    # Rename, then index under the new name: one table under two names holds one set of locks.
    body = '''
op.rename_table("orgs", "organisations")
op.create_index("ix_organisations_name", "organisations", ["name"])
op.alter_column("organisations", "name", new_column_name="title")
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == []


def test_a_renamed_table_and_another_table_are_two(review_history):
    body = '''
op.rename_table("orgs", "organisations")
op.create_index("ix_organisations_name", "organisations", ["name"])
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]
    [finding] = _findings(report)
    assert "ACCESS EXCLUSIVE on orgs, ACCESS EXCLUSIVE on users" in finding.message


def test_a_table_renamed_by_an_earlier_revision_is_one_table(review_history):
    # Renamed long ago, then locked by an ALTER TABLE and by a CREATE TRIGGER (which no action models): the
    # same table whatever statement names it.
    body = '''
op.add_column("organisations", sa.Column("slug", sa.Text(), nullable=True))
op.execute("UPDATE organisations SET slug = lower(name)")
op.execute("CREATE TRIGGER organisations_slug BEFORE INSERT ON organisations FOR EACH ROW EXECUTE FUNCTION set_slug()")
'''
    report = review_history(TABLES, 'op.rename_table("orgs", "organisations")', body)
    assert rule_hits(report, RULE) == []


def test_autocommit_block_separates_the_tables(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
with op.get_context().autocommit_block():
    op.create_index("ix_orgs_name", "orgs", ["name"], postgresql_concurrently=True)
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == []


def test_once_per_transaction(review_history):
    body = '''
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
op.create_index("ix_orgs_name", "orgs", ["name"])
op.create_index("ix_users_nickname", "users", ["nickname"])
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ix_orgs_name"))]


def test_revisions_deployed_apart_never_hold_their_locks_together(review_history, tmp_path):
    """With one transaction per `alembic upgrade`, the transaction spans one deploy, not the history: by
    default each revision is its own deploy, and a file reviewed alone ships without its context."""
    add = 'op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))'
    index = 'op.create_index("ix_orgs_name", "orgs", ["name"])'
    report = review_history(TABLES, add, index, transaction_per_migration=False)
    assert rule_hits(report, RULE) == []
    alone = review(ReviewOptions(paths=[tmp_path / "versions" / "003_r3.py"], cwd=tmp_path,
                                 transaction_per_migration=False))
    assert alone.revisions_reviewed == 1
    assert rule_hits(alone, RULE) == []


def test_revisions_deployed_together_share_one_transaction(tmp_path):
    index = 'op.create_index("ix_orgs_name", "orgs", ["name"])'
    add = 'op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))'
    report = review_deployed_together(tmp_path, [TABLES, index, add], together=[2, 3],
                                      transaction_per_migration=False)
    assert rule_hits(report, RULE) == [("r3", body_line(add, "add_column"))]
    [finding] = _findings(report)
    # The slow work is cited where it is, in the other revision of the deploy.
    assert f"002_r2.py:{body_line(index, 'create_index')} (revision r2)" in finding.message
    assert "(SHARE on orgs, ACCESS EXCLUSIVE on users)" in finding.message
    assert "the 2 new revisions deployed together" in report.assumed
    report = review_deployed_together(tmp_path, [TABLES, index, add], together=[2, 3],
                                      transaction_per_migration=True)
    assert rule_hits(report, RULE) == []


def test_inside_a_do_block(review_history):
    body = '''
op.execute("DO $$ BEGIN ALTER TABLE users ADD COLUMN nickname text; END $$")
op.execute("DO $$ BEGIN UPDATE orgs SET name = lower(name); ALTER TABLE orgs ADD COLUMN slug text; END $$")
'''
    report = review_history(TABLES, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "UPDATE orgs"))]


# -- the lock model (migsafe.sql.locks), as checked with pg_locks on PostgreSQL 15 ----------------------------

@pytest.mark.parametrize("sql, expected", [
    ("ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p NOT VALID",
     [("c", "ShareRowExclusiveLock"), ("p", "ShareRowExclusiveLock")]),
    ("CREATE TABLE c3 (id int, p_id int REFERENCES p)", [("p", "ShareRowExclusiveLock")]),
    ("CREATE INDEX ix ON c (id)", [("c", "ShareLock")]),
    ("CREATE INDEX CONCURRENTLY ix ON c (id)", [("c", "ShareUpdateExclusiveLock")]),
    ("ALTER TABLE c VALIDATE CONSTRAINT fk", [("c", "ShareUpdateExclusiveLock")]),
    ("ALTER TABLE c ALTER COLUMN p_id SET DEFAULT 1", [("c", "AccessExclusiveLock")]),
    ("ALTER TABLE c SET (fillfactor = 90)", [("c", "ShareUpdateExclusiveLock")]),
    ("ALTER TABLE c DISABLE TRIGGER ALL", [("c", "ShareRowExclusiveLock")]),
    ("CREATE TRIGGER t BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION f()", [("c", "ShareRowExclusiveLock")]),
    ("UPDATE c SET p_id = p_id", [("c", "RowExclusiveLock")]),
    ("LOCK TABLE c IN SHARE MODE", [("c", "ShareLock")]),
    ("TRUNCATE c", [("c", "AccessExclusiveLock")]),
    ("DO $$ BEGIN ALTER TABLE c ADD COLUMN x int; END $$", [("c", "AccessExclusiveLock")]),
])
def test_lock_model(sql, expected):
    [parsed] = parse(sql)
    statement = SimpleNamespace(actions=parsed.actions, node=parsed.node, tables_before={}, indexes_before={},
                                default_schema="public")
    assert [(lock.table.name, lock.mode) for lock in statement_locks(statement)] == expected


def test_lock_model_uses_the_schema_for_dropped_foreign_keys_and_indexes(tmp_path):
    first = TABLES + '''
op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"])
op.create_index("ix_users_email", "users", ["email"])
'''
    body = '''
op.drop_constraint("fk_users_org", "users", type_="foreignkey")
op.drop_index("ix_users_email", table_name="users")
op.drop_table("users")
'''
    write_history(tmp_path / "versions", [first, body])
    history = load_history(list_revision_files([tmp_path / "versions"]))
    recorded = record_history(history.files, sys_path=[], config_file=None)
    locks = [[(lock.table.name, lock.mode) for lock in statement_locks(s)] for s in recorded[1].statements]
    assert locks == [
        [("users", "AccessExclusiveLock"), ("orgs", "AccessExclusiveLock")],  # both sides of the foreign key
        [("users", "AccessExclusiveLock")],  # DROP INDEX locks the index's table
        [("users", "AccessExclusiveLock")],  # its foreign key is gone already: orgs is not locked
    ]


# -- scratch tables: dropped IF EXISTS where no revision made them, made and dropped again in the revision ----------
DATASETS = '''
op.create_table(
    "datasets",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("uuid", sa.String(32), nullable=True),
)
'''

# The shape of a de-duplication revision: clear scratch tables a failed earlier run may have left, copy the
# duplicates aside, fix them, drop the scratch tables, then add the unique constraint.
DEDUPLICATE = '''
op.execute("DROP TABLE IF EXISTS datasets_backup")
op.execute("DROP TABLE IF EXISTS tmp_duplicate_counts")
op.execute("CREATE TEMP TABLE tmp_duplicate_counts AS SELECT uuid, COUNT(*) FROM datasets GROUP BY uuid HAVING COUNT(*) > 1")
op.execute("CREATE TABLE datasets_backup AS SELECT * FROM datasets WHERE uuid IN (SELECT uuid FROM tmp_duplicate_counts)")
op.execute("UPDATE datasets SET uuid = md5(random()::text) WHERE id IN (SELECT id FROM datasets_backup)")
op.execute("DROP TABLE IF EXISTS tmp_duplicate_counts")
op.create_unique_constraint("uq_datasets_uuid", "datasets", ["uuid"])
'''


def test_scratch_tables_no_live_table_depends_on_are_not_strong_locks(review_history):
    # No revision creates datasets_backup or tmp_duplicate_counts: DROP TABLE IF EXISTS finds nothing to lock;
    # the later drop is of a table this revision made. The only strong lock on a live table is the unique
    # constraint's, taken after the slow work: no finding.
    report = review_history(DATASETS, DEDUPLICATE)
    assert rule_hits(report, RULE) == []
    assert rule_hits(report, "drop-table") == [("r2", body_line(DEDUPLICATE, "datasets_backup\")")),
                                               ("r2", body_line(DEDUPLICATE, "tmp_duplicate_counts\")"))]

# -- foreign keys created unnamed: PostgreSQL names them <table>_<columns>_fkey --------------------------------------
PARENTS = '''
op.create_table("projects", sa.Column("id", sa.Integer(), primary_key=True))
op.create_table("releases", sa.Column("id", sa.Integer(), primary_key=True))
op.create_table("files", sa.Column("id", sa.Integer(), primary_key=True))
'''

VERDICTS = '''
op.create_table(
    "verdicts",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("project_id", sa.Integer(), nullable=True),
    sa.Column("release_id", sa.Integer(), nullable=True),
    sa.Column("file_id", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
    sa.ForeignKeyConstraint(["release_id"], ["releases.id"]),
    sa.ForeignKeyConstraint(["file_id"], ["files.id"]),
)
'''

CASCADE = '''
op.drop_constraint("verdicts_project_id_fkey", "verdicts", type_="foreignkey")
op.drop_constraint("verdicts_release_id_fkey", "verdicts", type_="foreignkey")
op.drop_constraint("verdicts_file_id_fkey", "verdicts", type_="foreignkey")
op.create_foreign_key("verdicts_project_id_fkey", "verdicts", "projects", ["project_id"], ["id"], ondelete="CASCADE")
op.create_foreign_key("verdicts_release_id_fkey", "verdicts", "releases", ["release_id"], ["id"], ondelete="CASCADE")
'''


def test_foreign_keys_dropped_by_their_default_names_lock_the_tables_they_reference(review_history):
    # The drops take ACCESS EXCLUSIVE on verdicts and on each referenced table (checked on PostgreSQL 15); the
    # first re-added key scans verdicts under those locks. Four tables, each named once.
    report = review_history(PARENTS, VERDICTS, CASCADE)
    assert rule_hits(report, RULE) == [("r3", body_line(CASCADE, "create_foreign_key(\"verdicts_project_id_fkey\""))]
    [finding] = _findings(report)
    assert "(referenced by" not in finding.message
    assert ("strong locks on 4 tables (ACCESS EXCLUSIVE on verdicts, ACCESS EXCLUSIVE on projects, ACCESS EXCLUSIVE "
            "on releases, ACCESS EXCLUSIVE on files)") in finding.message


def test_a_foreign_key_the_model_does_not_know_counts_once_with_the_table_it_is_recreated_on(review_history):
    # verdicts' keys were made outside the reviewed history: the drops lock tables the model cannot name. The
    # keys re-created under the same names reference projects and releases: those are the tables their drops
    # locked, counted once; the file key's table stays unnamed.
    verdicts = '''
op.create_table(
    "verdicts",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("project_id", sa.Integer(), nullable=True),
    sa.Column("release_id", sa.Integer(), nullable=True),
    sa.Column("file_id", sa.Integer(), nullable=True),
)
'''
    report = review_history(PARENTS, verdicts, CASCADE)
    [finding] = _findings(report)
    assert ("strong locks on 4 tables (ACCESS EXCLUSIVE on verdicts, ACCESS EXCLUSIVE on projects, ACCESS EXCLUSIVE "
            "on releases, ACCESS EXCLUSIVE on the table foreign key verdicts_file_id_fkey references)") in finding.message
