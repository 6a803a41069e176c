"""Tables, indexes, types and constraints are identified by schema and name: ``schema=`` arguments,
schema-qualified SQL, ``SET search_path`` inside a revision and ``[tool.migsafe] default-schema``."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.engine import ReviewOptions, review
from migsafe.errors import UsageError
from migsafe.sql.actions import QName, default_schema_for_display
from conftest import USERS_TABLE, body_line, rule_hits, write_history

BILLING_USERS = ('op.create_table("users", sa.Column("id", sa.Integer()), sa.Column("email", sa.Text()), '
                 'schema="billing")')


def _messages(report, rule: str) -> list[str]:
    return [f.message for f in report.findings if f.rule == rule]


def test_schema_argument_makes_a_new_table_distinct_from_the_existing_one(review_history):
    body = f"""
{BILLING_USERS}
op.create_index("ix_billing_email", "users", ["email"], schema="billing")
op.create_index("ix_public_email", "users", ["email"])
"""
    report = review_history(USERS_TABLE, body)
    # The billing table is new (empty): no finding on it; the public one holds data.
    assert rule_hits(report, "index-not-concurrent") == [("r2", body_line(body, "ix_public_email"))]
    assert "table users " in _messages(report, "index-not-concurrent")[0]


def test_existing_table_in_another_schema_is_named_with_its_schema(review_history):
    report = review_history(BILLING_USERS, 'op.create_index("ix_e", "users", ["email"], schema="billing")',
                            'op.drop_column("users", "email", schema="billing")')
    [index_message] = _messages(report, "index-not-concurrent")
    assert "billing.ix_e" in index_message and "table billing.users" in index_message
    [drop_message] = _messages(report, "drop-column")
    assert "billing.users" in drop_message


def test_schema_qualified_sql(review_history):
    body = """
op.execute("CREATE TABLE billing.users (id int, email text)")
op.execute("CREATE INDEX ix_b ON billing.users (email)")
op.execute("CREATE INDEX ix_p ON public.users (email)")
"""
    report = review_history(USERS_TABLE, body)
    assert rule_hits(report, "index-not-concurrent") == [("r2", body_line(body, "ix_p"))]


def test_existing_schema_qualified_table_is_not_the_public_one(review_history):
    report = review_history("op.execute('CREATE TABLE billing.invoices (id int, total int)')",
                            "op.execute('CREATE INDEX ix_total ON billing.invoices (total)')",
                            "op.execute('CREATE INDEX ix_other ON invoices (total)')")
    # r3's unqualified invoices is public.invoices, another table than billing.invoices.
    r2, r3 = (f.message for f in report.findings if f.rule == "index-not-concurrent")
    assert "table billing.invoices" in r2
    assert "table invoices " in r3 and "billing" not in r3


def test_set_search_path_then_unqualified_sql(review_history):
    body = """
op.execute("SET search_path TO billing")
op.execute("CREATE TABLE users (id int, email text)")
op.execute("CREATE INDEX ix_new ON users (email)")
op.execute("CREATE INDEX ix_old ON public.users (email)")
"""
    report = review_history(USERS_TABLE, body)
    # users after SET search_path is billing.users, created here: only the public table's index is reported.
    assert rule_hits(report, "index-not-concurrent") == [("r2", body_line(body, "ix_old"))]


def test_set_search_path_names_the_schema_in_messages(review_history):
    report = review_history("op.execute('CREATE TABLE billing.invoices (id int, total int)')",
                            'op.execute("SET search_path TO billing")\n'
                            'op.execute("ALTER TABLE invoices DROP COLUMN total")')
    [message] = _messages(report, "drop-column")
    assert "billing.invoices" in message


def _project(tmp_path: Path, config: str, *bodies: str):
    (tmp_path / "pyproject.toml").write_text(f"[tool.migsafe]\n{config}\n", encoding="utf-8")
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    return review(ReviewOptions(paths=[versions], cwd=tmp_path))


def test_default_schema_config(tmp_path: Path):
    report = _project(
        tmp_path, 'default-schema = "app"',
        USERS_TABLE + '\nop.create_table("orders", sa.Column("id", sa.Integer()), schema="public")',
        'op.execute("CREATE INDEX ix_app ON app.users (email)")\n'
        'op.create_index("ix_orders", "orders", ["id"], schema="public")\n'
        'op.create_table("users", sa.Column("id", sa.Integer()), schema="public")\n'
        'op.create_index("ix_public_users", "users", ["id"], schema="public")',
    )
    assert not report.errors
    messages = _messages(report, "index-not-concurrent")
    # app.users (unqualified in r1) exists; public.orders exists; public.users is new.
    assert len(messages) == 2, messages
    assert "table users " in messages[0] and "app." not in messages[0]
    assert "table public.orders" in messages[1]


def test_default_schema_is_validated(tmp_path: Path):
    with pytest.raises(UsageError, match="default-schema"):
        _project(tmp_path, 'default-schema = "app.x"', USERS_TABLE)
    with pytest.raises(UsageError, match="default-schema"):
        _project(tmp_path, "default-schema = 3", USERS_TABLE)


def test_default_schema_default_is_public(tmp_path: Path):
    report = _project(tmp_path, 'fail-on = "never"', USERS_TABLE, 'op.create_index("ix", "users", ["email"])')
    [message] = _messages(report, "index-not-concurrent")
    assert "table users " in message


def test_qname_display_hides_only_the_default_schema():
    assert str(QName("public", "users")) == "users"
    assert str(QName("billing", "users")) == "billing.users"
    with default_schema_for_display("app"):
        assert str(QName("app", "users")) == "users"
        assert str(QName("public", "users")) == "public.users"
    assert str(QName("app", "users")) == "app.users"


def test_set_search_path_holds_for_do_blocks_triggers_and_copies(review_history):
    """Statement parts read from the SQL tree (DO block bodies, CREATE TRIGGER, CLUSTER, INSERT ... SELECT sources)
    resolve unqualified names in the session's schema too: here billing.users, created in this revision."""
    body = """
op.execute("SET search_path TO billing")
op.execute("CREATE TABLE users (id int, email text)")
op.execute("DO $$ BEGIN UPDATE users SET email = lower(email); END $$")
op.execute("INSERT INTO users SELECT id, email FROM users")
op.execute("CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()")
op.execute("CLUSTER users USING users_pkey")
"""
    assert [f.rule for f in review_history(USERS_TABLE, body).findings if f.revision == "r2"] == []
    # The same statements on the public table, which holds rows, are findings.
    public = body.replace("SET search_path TO billing", "SET search_path TO public").replace(
        'op.execute("CREATE TABLE users (id int, email text)")\n', "")
    rules = {f.rule for f in review_history(USERS_TABLE, public).findings if f.revision == "r2"}
    assert {"backfill-in-transaction", "missing-lock-timeout"} <= rules


@pytest.mark.parametrize("sql, locked", [
    ("CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f()", "users"),
    ("CREATE TRIGGER t BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION f()", "public.users"),
    ("REINDEX TABLE users", "users"),
    ("DO $$ BEGIN UPDATE users SET email = ''; END $$", "users"),
])
def test_locks_read_from_the_sql_tree_follow_the_session_schema(sql, locked):
    from migsafe.model import RecordedOperation, Statement
    from migsafe.sql.analysis import parse
    from migsafe.sql.locks import statement_locks

    [parsed] = parse(sql, "billing")
    statement = Statement(sql=sql, index=0, operation=RecordedOperation(name="execute", line=1, end_line=1),
                          in_transaction=True, transaction=1, source="execute", actions=parsed.actions,
                          node=parsed.node, default_schema="billing")
    expected = QName(*locked.split(".")) if "." in locked else QName("billing", locked)
    assert expected in {lock.table for lock in statement_locks(statement)}


def test_copy_sources_follow_the_session_schema_and_skip_ctes():
    from migsafe.sql.analysis import parse
    from migsafe.sql.locks import select_sources

    [parsed] = parse("WITH recent AS (SELECT * FROM events) INSERT INTO archive SELECT * FROM recent "
                     "JOIN public.users USING (id)", "billing")
    assert set(select_sources(parsed.node, "billing")) == {QName("billing", "events"), QName("public", "users")}


def test_reflection_answers_in_the_session_schema(review_history):
    """sa.inspect(op.get_bind()) without schema= looks where unqualified SQL goes: the first search_path schema."""
    body = """
op.execute("SET search_path TO billing")
op.execute("CREATE TABLE accounts (id int)")
inspector = sa.inspect(op.get_bind())
assert inspector.default_schema_name == "billing"
assert inspector.has_table("accounts") and "accounts" in inspector.get_table_names()
assert not inspector.has_table("users")  # public.users exists, billing.users does not
if "balance" not in {c["name"] for c in inspector.get_columns("accounts")}:
    op.add_column("accounts", sa.Column("balance", sa.Integer()))
"""
    report = review_history(USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
