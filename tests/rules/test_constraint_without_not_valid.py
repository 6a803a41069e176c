from conftest import USERS_TABLE, body_line, review_deployed_together, rule_hits

RULE = "constraint-without-not-valid"

ORGS_TABLE = 'op.create_table("orgs", sa.Column("id", sa.Integer(), primary_key=True))'
HISTORY = USERS_TABLE + "\n" + ORGS_TABLE + '\nop.add_column("users", sa.Column("org_id", sa.Integer()))'


def _finding(report):
    return next(f for f in report.findings if f.rule == RULE)


def test_foreign_key_op(review_history):
    body = 'op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"])'
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_foreign_key"))]
    message = _finding(report).message
    assert "SHARE ROW EXCLUSIVE locks on users and orgs" in message


def test_foreign_key_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE users ADD CONSTRAINT fk_users_org FOREIGN KEY (org_id) REFERENCES orgs (id)")'
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_foreign_key_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.create_foreign_key("fk_users_org", "orgs", ["org_id"], ["id"])
'''
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.create_foreign_key"))]


def test_check_op(review_history):
    body = 'op.create_check_constraint("ck_users_org", "users", "org_id > 0")'
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_check_constraint"))]
    assert "ACCESS EXCLUSIVE lock on users" in _finding(report).message


def test_check_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE users ADD CONSTRAINT ck_users_org CHECK (org_id > 0)")'
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_check_in_batch_block(review_history):
    body = '''
with op.batch_alter_table("users") as batch_op:
    batch_op.create_check_constraint("ck_users_org", "org_id > 0")
'''
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.create_check_constraint"))]


def test_not_valid_is_fine(review_history):
    body = '''
op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"], postgresql_not_valid=True)
op.create_check_constraint("ck_users_org", "users", "org_id > 0", postgresql_not_valid=True)
op.execute("ALTER TABLE users ADD CONSTRAINT fk2 FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID")
op.execute("ALTER TABLE users ADD CONSTRAINT ck2 CHECK (org_id < 1000) NOT VALID")
'''
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == []


def test_validate_in_the_same_transaction_is_reported_on_the_validate(review_history):
    body = '''
op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"], postgresql_not_valid=True)
op.execute("ALTER TABLE users VALIDATE CONSTRAINT fk_users_org")
op.create_check_constraint("ck_users_org", "users", "org_id > 0", postgresql_not_valid=True)
op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_org")
'''
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "VALIDATE CONSTRAINT fk_users_org")),
                                       ("r2", body_line(body, "VALIDATE CONSTRAINT ck_users_org"))]
    first = _finding(report)
    assert "same transaction that added it NOT VALID" in first.message
    assert "autocommit_block" in first.fix


def test_validate_in_autocommit_block_is_fine(review_history):
    body = '''
op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"], postgresql_not_valid=True)
with op.get_context().autocommit_block():
    op.execute("ALTER TABLE users VALIDATE CONSTRAINT fk_users_org")
'''
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == []


def test_validate_in_next_revision_depends_on_the_transaction_and_deploy_models(review_history, tmp_path):
    add = 'op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"], postgresql_not_valid=True)'
    validate = 'op.execute("ALTER TABLE users VALIDATE CONSTRAINT fk_users_org")'
    report = review_history(HISTORY, add, validate)
    assert rule_hits(report, RULE) == []
    # One transaction per `alembic upgrade`, but each revision is its own deploy (the default): the ADD's
    # lock was released when its deploy committed.
    single = review_history(HISTORY, add, validate, transaction_per_migration=False)
    assert rule_hits(single, RULE) == []
    together = review_deployed_together(tmp_path, [HISTORY, add, validate], together=[2, 3],
                                        transaction_per_migration=False)
    assert rule_hits(together, RULE) == [("r3", body_line(validate, "VALIDATE"))]


def test_validate_after_another_lock_on_the_table_in_the_same_transaction(review_history):
    add = 'op.create_check_constraint("ck_users_org", "users", "org_id > 0", postgresql_not_valid=True)'
    body = '''
op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_org")
op.add_column("users", sa.Column("score", sa.Integer()))
op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_org")
'''
    report = review_history(HISTORY, add, body)
    # The first VALIDATE opens the revision's transaction (no strong lock held yet); after the VALIDATE the
    # constraint is valid and a second VALIDATE reads nothing.
    assert rule_hits(report, RULE) == []
    body = '''
op.add_column("users", sa.Column("score", sa.Integer()))
op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_org")
'''
    report = review_history(HISTORY, add, body)
    assert rule_hits(report, RULE) == [("r3", body_line(body, "VALIDATE"))]
    assert "already locked the table" in _finding(report).message


def test_inline_references_on_new_column_without_default_is_fine(review_history):
    # Checked on 15: PostgreSQL marks the key valid without a scan (the new column is all NULL).
    body = 'op.execute("ALTER TABLE users ADD COLUMN org2_id integer REFERENCES orgs (id)")'
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == []


def test_inline_references_with_a_default_scans(review_history):
    body = 'op.execute("ALTER TABLE users ADD COLUMN org2_id integer DEFAULT 1 REFERENCES orgs (id)")'
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert "ACCESS EXCLUSIVE lock on users" in _finding(report).message


def test_add_column_with_foreign_key_op_emits_a_separate_validating_add(review_history):
    # Alembic emits ADD COLUMN, then ADD FOREIGN KEY: that second statement scans (checked on 15).
    body = 'op.add_column("users", sa.Column("org2_id", sa.Integer(), sa.ForeignKey("orgs.id")))'
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column"))]
    fine = 'op.add_column("users", sa.Column("org3_id", sa.Integer(), sa.ForeignKey("orgs.id", postgresql_not_valid=True)))'
    report = review_history(HISTORY, fine)
    assert rule_hits(report, RULE) == []


def test_inline_check_on_new_column_scans(review_history):
    body = '''
op.add_column("users", sa.Column("score", sa.Integer(), sa.CheckConstraint("score > 0")))
op.execute("ALTER TABLE users ADD COLUMN level integer CHECK (level > 0)")
'''
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "add_column")),
                                       ("r2", body_line(body, "op.execute"))]


def test_foreign_key_from_a_new_table_is_fine(review_history):
    body = '''
op.create_table("members", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("user_id", sa.Integer()))
op.create_foreign_key("fk_members_user", "members", "users", ["user_id"], ["id"])
op.create_check_constraint("ck_members_user", "members", "user_id > 0")
'''
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == []


def test_foreign_key_from_existing_table_to_new_table_scans(review_history):
    body = '''
op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True))
op.add_column("users", sa.Column("team_id", sa.Integer()))
op.create_foreign_key("fk_users_team", "users", "teams", ["team_id"], ["id"])
'''
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "create_foreign_key"))]


def test_not_valid_and_validate_on_a_new_table_are_fine(review_history):
    body = HISTORY + '''
op.create_check_constraint("ck_users_org", "users", "org_id > 0", postgresql_not_valid=True)
op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_org")
op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"])
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_unique_constraint_is_not_this_rule(review_history):
    body = 'op.create_unique_constraint("uq_users_email", "users", ["email"])'
    report = review_history(HISTORY, body)
    assert rule_hits(report, RULE) == []


class _CountedStatements(list):
    """A revision's statements that count how often a rule walks over them."""

    walks = 0

    def __iter__(self):
        _CountedStatements.walks += 1
        return super().__iter__()


def test_many_constraints_in_one_transaction_are_checked_without_walking_back_each_time(tmp_path):
    # 300 CHECKs and their VALIDATEs in one transaction: each finding needs what the transaction held before
    # it, which used to be a walk over every earlier statement (quadratic in a revision adding thousands).
    import sys

    from conftest import write_history
    from migsafe.config import PgVersion
    from migsafe.recording.runner import record_history
    from migsafe.revisions import list_revision_files, load_history
    from migsafe.rules.base import RevisionView
    from migsafe.rules.constraint_without_not_valid import RULE as CHECK

    n = 300
    # An index in between takes a weaker lock (SHARE): what is held is still the strongest so far.
    body = "\n".join(f'op.create_check_constraint("ck_{i}", "users", "id > {i}", postgresql_not_valid={i % 2 == 0})\n'
                     f'op.create_index("ix_{i}", "users", ["email"])\n'
                     f'op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_{i}")' for i in range(n))
    write_history(tmp_path / "versions", [USERS_TABLE, body])
    history = record_history(load_history(list_revision_files([tmp_path / "versions"])).files,
                             sys_path=[tmp_path], config_file=None, transaction_per_migration=True)
    revision = history[1]
    revision.statements = _CountedStatements(revision.statements)
    _CountedStatements.walks = 0
    hits = list(CHECK.run(RevisionView(revision, PgVersion(15), history)))
    # Every ADD without NOT VALID, and the VALIDATE of every NOT VALID one (the table is locked by then).
    adds = [h for h in hits if h.message.startswith("adds")]
    validates = [h for h in hits if h.message.startswith("validates")]
    assert (len(adds), len(validates), len(hits)) == (n // 2, n // 2, n)
    assert "an ACCESS EXCLUSIVE lock on users" in validates[0].message and "ck_298" in validates[-1].message
    assert "same transaction that added it NOT VALID" in validates[-1].message
    assert "an ACCESS EXCLUSIVE lock on users" in validates[-1].message
    assert _CountedStatements.walks < 10
