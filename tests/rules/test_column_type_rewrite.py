from pathlib import Path

import pytest

from conftest import USERS_TABLE, body_line, revision_source, rule_hits
from migsafe.engine import ReviewOptions, review
from migsafe.sql.analysis import parse_type
from migsafe.sql.type_changes import classify

RULE = "column-type-rewrite"

# An earlier revision, so the table holds data, with one column of each type the cases below change.
ACCOUNTS = """
op.create_table(
    "accounts",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("code", sa.String(100)),
    sa.Column("note", sa.Text()),
    sa.Column("balance", sa.Numeric(10, 2)),
    sa.Column("network", postgresql.CIDR()),
    sa.Column("address", postgresql.INET()),
    sa.Column("created_at", sa.DateTime()),
)
"""


def finding(report):
    return next(f for f in report.findings if f.rule == RULE)


def test_int_to_bigint_with_alter_column(review_history):
    body = 'op.alter_column("accounts", "id", type_=sa.BigInteger())'
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]
    assert finding(report).severity == "error"
    assert "from int4 to int8" in finding(report).message


def test_int_to_bigint_raw_sql(review_history):
    body = 'op.execute("ALTER TABLE accounts ALTER COLUMN id TYPE bigint")'
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_batch_alter_column_without_recreate(review_history):
    body = '''
with op.batch_alter_table("accounts") as batch_op:
    batch_op.alter_column("id", type_=sa.BigInteger())
'''
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "batch_op.alter_column"))]


# Each pair was checked on PostgreSQL 15 by comparing pg_class.relfilenode before and after.
@pytest.mark.parametrize("column, new_type", [
    ("code", "VARCHAR(200)"),
    ("code", "VARCHAR"),
    ("code", "TEXT"),
    ("note", "VARCHAR"),
    ("balance", "NUMERIC(12, 2)"),
    ("balance", "NUMERIC"),
    ("network", "INET"),
    ("created_at", "TIMESTAMP(6) WITHOUT TIME ZONE"),
    ("id", "INTEGER"),
])
def test_changes_postgresql_makes_without_rewrite(review_history, column, new_type):
    body = f'op.execute("ALTER TABLE accounts ALTER COLUMN {column} TYPE {new_type}")'
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == []


@pytest.mark.parametrize("column, new_type", [
    ("code", "VARCHAR(50)"),
    ("note", "VARCHAR(100)"),
    ("balance", "NUMERIC(12, 3)"),
    ("balance", "NUMERIC(8, 2)"),
    ("address", "CIDR"),
    ("code", "CHAR(100)"),
    ("id", "TEXT"),
])
def test_changes_that_rewrite(review_history, column, new_type):
    body = f'op.execute("ALTER TABLE accounts ALTER COLUMN {column} TYPE {new_type}")'
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]


def test_widening_varchar_with_alter_column_is_fine(review_history):
    report = review_history(USERS_TABLE, 'op.alter_column("users", "name", type_=sa.String(200))')
    assert rule_hits(report, RULE) == []


def test_existing_type_wins_over_the_schema_model(review_history):
    # The model says int4 (a rewrite to text); the author says varchar(50), which becomes text in place.
    body = 'op.alter_column("users", "id", type_=sa.Text(), existing_type=sa.String(50))'
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, RULE) == []


def test_unknown_old_type_is_reported_as_unknown(review_history):
    body = 'op.alter_column("legacy", "amount", type_=sa.BigInteger())'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "alter_column"))]
    assert "unknown" in finding(report).message
    assert finding(report).severity == "error"


def test_unknown_old_type_to_a_type_that_may_need_no_rewrite_is_a_warning(review_history):
    body = 'op.execute("ALTER TABLE legacy ALTER COLUMN label TYPE text")'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "op.execute"))]
    assert "unknown" in finding(report).message
    assert finding(report).severity == "warning"


def test_existing_type_makes_an_unknown_table_judgeable(review_history):
    body = 'op.alter_column("legacy", "label", type_=sa.String(80), existing_type=sa.String(40))'
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_using_the_column_itself_does_not_force_a_rewrite(review_history):
    body = '''
op.alter_column("accounts", "code", type_=sa.String(200), postgresql_using="code")
op.execute("ALTER TABLE accounts ALTER COLUMN code TYPE varchar(300) USING code::varchar(300)")
'''
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == []


def test_using_an_expression_rewrites_even_to_the_same_type(review_history):
    body = '''
op.alter_column("accounts", "code", type_=sa.String(200), postgresql_using="code::text")
op.execute("ALTER TABLE accounts ALTER COLUMN id TYPE integer USING id + 0")
'''
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.alter_column")),
                                       ("r2", body_line(body, "op.execute"))]
    assert "USING expression" in finding(report).message


def test_same_type_is_not_a_change(review_history):
    body = 'op.alter_column("accounts", "id", type_=sa.Integer(), existing_type=sa.Integer())'
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == []


def test_table_created_in_the_same_revision_is_fine(review_history):
    body = ACCOUNTS + '\nop.alter_column("accounts", "id", type_=sa.BigInteger())'
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_timestamp_to_timestamptz_depends_on_the_time_zone(review_history):
    body = 'op.alter_column("accounts", "created_at", type_=sa.DateTime(timezone=True))'
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "alter_column"))]
    assert finding(report).severity == "warning"
    assert "TimeZone is UTC" in finding(report).message
    assert "SET LOCAL TimeZone" in finding(report).fix


def test_timestamp_to_timestamptz_with_utc_set_still_rebuilds_indexes(review_history):
    body = '''
op.execute("SET LOCAL TimeZone = 'UTC'")
op.execute("ALTER TABLE accounts ALTER COLUMN created_at TYPE timestamptz")
'''
    indexed = ACCOUNTS + '\nop.create_index("ix_accounts_created_at", "accounts", ["created_at"])'
    report = review_history(indexed, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ALTER TABLE"))]
    assert finding(report).severity == "warning"
    assert "the table is not rewritten, but every index on the column is rebuilt" in finding(report).message


def test_timestamp_to_timestamptz_with_utc_and_no_index_is_a_catalog_change(review_history):
    body = '''
op.execute("SET LOCAL TimeZone = 'UTC'")
op.execute("ALTER TABLE accounts ALTER COLUMN created_at TYPE timestamptz")
'''
    assert rule_hits(review_history(ACCOUNTS, body), RULE) == []


def test_timestamp_to_timestamptz_with_utc_on_an_unknown_table_may_rebuild_indexes(review_history):
    body = '''
op.execute("SET LOCAL TimeZone = 'UTC'")
op.execute("ALTER TABLE ledger ALTER COLUMN created_at TYPE timestamptz")
'''
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "ALTER TABLE"))]


def test_time_zone_set_back_to_default_is_not_utc(review_history):
    body = '''
op.execute("SET TIME ZONE 'UTC'")
op.execute("SET TIME ZONE DEFAULT")
op.execute("ALTER TABLE accounts ALTER COLUMN created_at TYPE timestamptz")
'''
    report = review_history(ACCOUNTS, body)
    assert "skips the table rewrite only when the session TimeZone is UTC" in finding(report).message


def test_timestamp_to_timestamptz_always_rewrites_before_12(review_history):
    body = 'op.execute("ALTER TABLE accounts ALTER COLUMN created_at TYPE timestamp with time zone")'
    report = review_history(ACCOUNTS, body, pg_version="11")
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    assert finding(report).severity == "error"


def test_timestamp_to_timestamptz_with_a_precision_rewrites_even_in_utc(review_history):
    body = '''
op.execute("SET LOCAL TimeZone = 'UTC'")
op.execute("ALTER TABLE accounts ALTER COLUMN created_at TYPE timestamptz(3)")
'''
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "ALTER TABLE"))]
    assert finding(report).severity == "error"


# What PostgreSQL 15 did, by pg_class.relfilenode before and after (timestamp <-> timestamptz with TimeZone UTC
# kept the table, with Europe/Paris rewrote it).
VERIFIED_ON_SERVER = [
    ("int4", "int8", "rewrite"),
    ("int2", "int4", "rewrite"),
    ("int4", "text", "rewrite"),
    ("uuid", "text", "rewrite"),
    ("int8", "int8", "same"),
    ("varchar(100)", "varchar(50)", "rewrite"),
    ("varchar(100)", "varchar(200)", "no-rewrite"),
    ("varchar(100)", "varchar", "no-rewrite"),
    ("varchar(100)", "text", "no-rewrite"),
    ("varchar", "text", "no-rewrite"),
    ("text", "varchar", "no-rewrite"),
    ("text", "varchar(100)", "rewrite"),
    ("varchar", "varchar(100)", "rewrite"),
    ("numeric(10,2)", "numeric(12,2)", "no-rewrite"),
    ("numeric(10,2)", "numeric(12,3)", "rewrite"),
    ("numeric(10,2)", "numeric(8,2)", "rewrite"),
    ("numeric(10,2)", "numeric", "no-rewrite"),
    ("numeric", "numeric(10,2)", "rewrite"),
    ("numeric(10)", "numeric(12)", "no-rewrite"),
    ("cidr", "inet", "no-rewrite"),
    ("inet", "cidr", "rewrite"),
    ("char(10)", "char(20)", "rewrite"),
    ("char(10)", "text", "rewrite"),
    ("varchar(10)[]", "text[]", "rewrite"),
    ("varchar(10)[]", "varchar(20)[]", "rewrite"),
    ("varbit(10)", "varbit(20)", "no-rewrite"),
    ("varbit(10)", "varbit", "no-rewrite"),
    ("timestamp(3)", "timestamp(6)", "no-rewrite"),
    ("timestamp(3)", "timestamp", "no-rewrite"),
    ("timestamp", "timestamp(6)", "no-rewrite"),
    ("timestamp", "timestamp(3)", "rewrite"),
    ("timestamptz(3)", "timestamptz", "no-rewrite"),
    ("time(3)", "time(6)", "no-rewrite"),
    ("timetz(3)", "timetz(6)", "no-rewrite"),
    ("interval(3)", "interval(6)", "no-rewrite"),
    ("interval(3)", "interval", "no-rewrite"),
    ("interval", "interval(3)", "rewrite"),
    ("interval day to second", "interval", "no-rewrite"),
    ("timestamp", "timestamptz", "timezone"),
    ("timestamptz", "timestamp", "timezone"),
    ("timestamp(3)", "timestamptz", "timezone"),
    ("timestamp", "timestamptz(6)", "timezone"),
    ("timestamp", "timestamptz(3)", "rewrite"),
    ("timestamp(3)", "timestamptz(3)", "rewrite"),
    # The citext extension's casts declared WITHOUT FUNCTION: the table is kept, each index on the column is
    # rebuilt (its operator class changes); to a bounded varchar, or from char(n), every value is converted.
    ("varchar", "citext", "reindex"),
    ("varchar(50)", "citext", "reindex"),
    ("text", "citext", "reindex"),
    ("citext", "text", "reindex"),
    ("citext", "varchar", "reindex"),
    ("citext", "varchar(60)", "rewrite"),
    ("char(10)", "citext", "rewrite"),
]


@pytest.mark.parametrize("old, new, expected", VERIFIED_ON_SERVER)
def test_classification_matches_postgresql(old, new, expected):
    assert classify(parse_type(old), parse_type(new)).value == expected


CONVERT_NOTE = '''
op.alter_column("accounts", "note", type_=postgresql.JSONB(), existing_type=sa.Text(),
                postgresql_using="note::jsonb")
'''


def test_a_repeated_conversion_finds_the_column_converted(review_history):
    # A later revision repeats the conversion with the existing_type it was written against: the column is
    # already jsonb, so PostgreSQL rewrites nothing the second time (reported once, for the first).
    report = review_history(ACCOUNTS, CONVERT_NOTE, CONVERT_NOTE)
    assert rule_hits(report, RULE) == [("r2", body_line(CONVERT_NOTE, "op.alter_column"))]


def test_a_conversion_repeated_within_one_revision_is_reported_once(review_history):
    body = CONVERT_NOTE + 'op.execute("ALTER TABLE accounts ALTER COLUMN note TYPE jsonb USING note::jsonb")\n'
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.alter_column"))]


def test_same_type_with_an_expression_still_recomputes_every_row(review_history):
    body = CONVERT_NOTE + \
        'op.execute("ALTER TABLE accounts ALTER COLUMN note TYPE jsonb USING (note::text)::jsonb")\n'
    report = review_history(ACCOUNTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.alter_column")),
                                       ("r2", body_line(body, "op.execute"))]


# -- citext: a relabelling, not a conversion --------------------------------------------------------------------
DOMAINS = """
op.create_table(
    "blocked_domains",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("domain", sa.String(), nullable=False),
    sa.Column("reason", sa.String(200)),
    sa.UniqueConstraint("domain"),
)
"""


def test_varchar_to_citext_keeps_the_table_and_rebuilds_the_column_index(review_history):
    # postgresql.CITEXT is SQLAlchemy 2.0.? only; projects on 1.4 declare the type themselves, as here.
    body = """
class CIText(sa.types.UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return "CITEXT"

op.alter_column("blocked_domains", "domain", existing_type=sa.String(), type_=CIText(),
                existing_nullable=False)
"""
    report = review_history(DOMAINS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.alter_column"))]
    found = finding(report)
    assert found.severity == "warning"
    assert "from varchar to citext" in found.message
    assert "the table is not rewritten" in found.message
    assert "every index on the column is rebuilt under an ACCESS EXCLUSIVE lock" in found.message
    assert "rewrites the whole table" not in found.message


def test_varchar_to_citext_on_a_column_no_index_covers_is_a_catalog_change(review_history):
    body = 'op.execute("ALTER TABLE blocked_domains ALTER COLUMN reason TYPE citext")'
    assert rule_hits(review_history(DOMAINS, body), RULE) == []


def test_citext_to_a_bounded_varchar_still_rewrites(review_history):
    body = """
op.execute("ALTER TABLE blocked_domains ALTER COLUMN reason TYPE citext")
op.execute("ALTER TABLE blocked_domains ALTER COLUMN reason TYPE varchar(100)")
"""
    report = review_history(DOMAINS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "varchar(100)"))]
    assert finding(report).severity == "error"


# -- the old type from the revision's own downgrade() -----------------------------------------------------------
def _review_with_downgrades(tmp_path: Path, *revisions: tuple[str, str], imports: str = ""):
    """(upgrade body, downgrade body) per revision, chained r1 <- r2 <- ...; ``imports`` at module level."""
    versions = tmp_path / "versions"
    versions.mkdir(parents=True)
    down = None
    for number, (body, downgrade) in enumerate(revisions, start=1):
        source = revision_source(body, f"r{number}", down, downgrade=downgrade)
        source = source.replace("import sqlalchemy as sa\n", f"import sqlalchemy as sa\n{imports}", 1)
        (versions / f"{number:03d}_r{number}.py").write_text(source, encoding="utf-8")
        down = f"r{number}"
    return review(ReviewOptions(paths=[versions], cwd=tmp_path, select=[RULE]))


WIDEN_ALIAS = 'op.alter_column("releases", "alias", type_=sa.Unicode(64))'


def test_downgrade_changing_the_column_back_says_what_the_type_was(tmp_path):
    # The table predates the history and the upgrade gives no existing_type=, but downgrade() puts the column
    # back to Unicode(32): the change is varchar(32) -> varchar(64), which PostgreSQL makes in place.
    report = _review_with_downgrades(
        tmp_path, (WIDEN_ALIAS, 'op.alter_column("releases", "alias", type_=sa.Unicode(32))'))
    assert rule_hits(report, RULE) == []


def test_downgrade_evidence_of_a_type_that_does_rewrite_is_named(tmp_path):
    report = _review_with_downgrades(
        tmp_path, (WIDEN_ALIAS, 'op.alter_column("releases", "alias", type_=sa.Integer())'))
    assert rule_hits(report, RULE) == [("r1", body_line(WIDEN_ALIAS, "op.alter_column"))]
    found = finding(report)
    assert found.severity == "error"
    assert "from int4 to varchar(64) (int4 is the type the revision's downgrade() changes it back to)" \
        in found.message


def test_downgrade_restoring_the_new_type_itself_is_no_evidence(tmp_path):
    report = _review_with_downgrades(
        tmp_path, (WIDEN_ALIAS, 'op.alter_column("releases", "alias", type_=sa.Unicode(64))'))
    assert rule_hits(report, RULE) == [("r1", body_line(WIDEN_ALIAS, "op.alter_column"))]
    assert "current type is unknown" in finding(report).message


def test_downgrade_says_what_an_uninstalled_type_was(tmp_path):
    # The column was created with the application's own type (its package not installed here), and the
    # revision widens it to String(256); downgrade() gives it back as String(50): varchar(50) -> varchar(256).
    # The application's modules are imported at the top of the file, so downgrade() runs only with the same
    # stand-ins as upgrade().
    imports = "from myapp_absent.db_types import StringID\nfrom myapp_absent.models import COLLATION_ARGS\n"
    create = """
op.create_table("slot_pool", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("pool", StringID(length=50)))
"""
    widen = """
with op.batch_alter_table("slot_pool") as batch_op:
    batch_op.alter_column("pool", type_=sa.String(256, **COLLATION_ARGS))
"""
    undo = """
with op.batch_alter_table("slot_pool") as batch_op:
    batch_op.alter_column("pool", type_=sa.String(50))
"""
    report = _review_with_downgrades(tmp_path, (create, "pass"), (widen, undo), imports=imports)
    assert not report.errors, [e.message for e in report.errors]
    assert rule_hits(report, RULE) == []
    # Without the downgrade's word the stand-in stays unknown, and the warning says which type is unknown.
    report = _review_with_downgrades(tmp_path / "alone", (create, "pass"), (widen, "pass"), imports=imports)
    assert rule_hits(report, RULE) == [("r2", body_line(widen, "batch_op.alter_column") + imports.count("\n"))]
    assert "the SQL type of myapp_absent.db_types.StringID is unknown here" in finding(report).message
