"""Column types from modules that are not installed: a stand-in type renders SQL PostgreSQL's parser accepts, the
table enters the schema model with that column's type marked unknown, and the rules that judge types say
"unknown" instead of guessing.

The shapes are the ones real histories have: autogenerate writes ``sqlalchemy_utils.types.uuid.UUIDType()``
or the application's own ``myapp.db.GUID()`` into the revision, and the review runs where neither is installed.
"""

from __future__ import annotations

import sys

from conftest import USERS_TABLE, body_line, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.recording.runner import record_history
from migsafe.revisions import list_revision_files, load_history
from migsafe.sql import actions as A
from migsafe.sql.analysis import parse
from migsafe.sql.type_changes import Change, classify

# The new table's columns come from a package that is not installed, with and without arguments, inside an
# ARRAY, behind the revision's own TypeDecorator and a subclass of a stand-in, next to a native enum.
NEW_TABLE_WITH_APP_TYPES = '''
import sqlalchemy_utils_absent
from sqlalchemy_utils_absent.types import ChoiceType
from myapp_absent.db import GUID, StatusChoices, JSONBase

class Payload(sa.types.TypeDecorator):
    impl = JSONBase
    cache_ok = True

class Settings(JSONBase):
    pass

op.create_table(
    "device",
    sa.Column("id", GUID(), primary_key=True),
    sa.Column("token", sqlalchemy_utils_absent.types.uuid.UUIDType(binary=False), nullable=False),
    sa.Column("status", ChoiceType(StatusChoices)),
    sa.Column("labels", sa.ARRAY(sqlalchemy_utils_absent.Label())),
    sa.Column("payload", Payload()),
    sa.Column("settings", Settings()),
    sa.Column("kind", postgresql.ENUM("phone", "tablet", name="device_kind")),
    sa.Column("user_id", sa.Integer(), nullable=False),
)
op.create_index("ix_device_token", "device", ["token"], unique=True)
op.create_foreign_key("fk_device_user", "device", "users", ["user_id"], ["id"])
'''


def _review(tmp_path, *bodies: str, **options: object):
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, **options))  # type: ignore[arg-type]
    assert not report.errors, [e.message for e in report.errors]
    return report


def _record(tmp_path, *bodies: str):
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    history = load_history(list_revision_files([versions]))
    recorded = record_history(history.files, sys_path=[tmp_path], config_file=None, transaction_per_migration=True)
    for rec in recorded:
        assert rec.error is None, rec.error
    return recorded


def test_a_new_table_with_uninstalled_column_types_is_new_for_its_index_and_foreign_key(tmp_path):
    report = _review(tmp_path, USERS_TABLE, NEW_TABLE_WITH_APP_TYPES, ignore=["missing-lock-timeout"])
    assert [n.message for n in report.notes if n.kind == "unparsed-statement"] == []
    # Built on an empty table created in the same revision: nothing waits, nothing is scanned.
    assert [(f.rule, f.line) for f in report.findings] == []
    assert [p.revision for p in report.partial] == ["r2"]


def test_the_model_keeps_the_table_with_those_columns_marked_unknown(tmp_path):
    recorded = _record(tmp_path, USERS_TABLE, NEW_TABLE_WITH_APP_TYPES)
    create = next(s for s in recorded[1].statements if s.sql.startswith("CREATE TABLE device"))
    assert create.parse_error is None
    # A quoted bare name, never a real type or the stand-in's arguments.
    assert 'token "UUIDType" NOT NULL' in create.sql and '"Label"[]' in create.sql
    index = next(s for s in recorded[1].statements if s.sql.startswith("CREATE UNIQUE INDEX"))
    table = index.tables_before[A.QName("public", "device")]
    assert table is not None and table.created_in == "r2" and not table.holds_data
    types = {name: column.type for name, column in table.columns.items()}
    assert {name for name, t in types.items() if t is not None and not t.known} == {
        "id", "token", "status", "labels", "payload", "settings"}
    assert types["token"].standin == "sqlalchemy_utils_absent.types.uuid.UUIDType"
    assert types["labels"].array and types["labels"].standin == "sqlalchemy_utils_absent.Label"
    assert types["settings"].standin == "myapp_absent.db.JSONBase"  # a subclass has the SQL type of its base
    assert types["kind"] == A.SqlType("device_kind") and types["user_id"] == A.SqlType("int4")


def test_adding_a_not_null_column_of_an_uninstalled_type_is_checked(tmp_path):
    body = '''
import sqlalchemy_utils_absent
op.add_column("users", sa.Column("prefs", sqlalchemy_utils_absent.JSONType(), nullable=False))
'''
    report = _review(tmp_path, USERS_TABLE, body)
    assert [(f.rule, f.line) for f in report.findings] == [
        ("missing-lock-timeout", body_line(body, "op.add_column")),
        ("not-null-without-default", body_line(body, "op.add_column"))]


def test_a_stand_in_named_like_a_real_type_leaves_the_real_one_known():
    """Only the spelling the stand-in rendered (quoted, its case kept) is unknown: ``"JSON"``, not ``json``."""
    from migsafe.sql.analysis import standin_types

    with standin_types({"JSON": "myapp_absent.JSON"}):
        [statement] = parse('CREATE TABLE t (a "JSON", b json, c "json")')
    columns = {c.name: c.type for c in statement.actions[0].columns}
    assert not columns["a"].known and columns["b"] == A.SqlType("json") and columns["c"] == A.SqlType("json")
    [plain] = parse('CREATE TABLE t (a "JSON")')  # the same SQL with no stand-in rendered: a real (odd) type
    assert plain.actions[0].columns[0].type.known


def test_a_batch_copy_of_the_table_keeps_the_unknown_type(tmp_path):
    create = '''
import sqlalchemy_utils_absent
op.create_table("device", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("token", sqlalchemy_utils_absent.UUIDType()))
'''
    batch = '''
with op.batch_alter_table("device", recreate="always") as batch_op:
    batch_op.add_column(sa.Column("note", sa.Text()))
'''
    recorded = _record(tmp_path, create, batch)
    copy = next(s for s in recorded[1].statements if s.sql.startswith("CREATE TABLE _alembic_tmp_device"))
    assert copy.parse_error is None and 'token "UUIDType"' in copy.sql
    [action] = copy.actions
    assert isinstance(action, A.CreateTable)
    assert not {c.name: c.type for c in action.columns}["token"].known


def test_two_columns_of_one_uninstalled_type_are_no_hidden_rename(tmp_path):
    """A stand-in class says nothing about the SQL type (its arguments may differ): no evidence of a rename."""
    create = '''
import sqlalchemy_utils_absent
op.create_table("device", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("token", sqlalchemy_utils_absent.UUIDType()))
'''
    swap = '''
import sqlalchemy_utils_absent
op.add_column("device", sa.Column("secret", sqlalchemy_utils_absent.UUIDType()))
op.drop_column("device", "token")
'''
    report = _review(tmp_path, create, swap, select=["hidden-rename", "drop-column"])
    assert [(f.rule, f.line) for f in report.findings] == [("drop-column", body_line(swap, "op.drop_column"))]


def test_a_type_change_to_or_from_an_uninstalled_type_is_a_warning_that_says_unknown(tmp_path):
    create = '''
import sqlalchemy_utils_absent
op.create_table("device", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("token", sqlalchemy_utils_absent.UUIDType()),
                sa.Column("code", sa.String(32)))
'''
    change = '''
import sqlalchemy_utils_absent
op.alter_column("device", "token", type_=sa.String(64))
op.alter_column("device", "code", type_=sqlalchemy_utils_absent.UUIDType())
op.alter_column("device", "code", type_=sa.Text(), existing_type=sqlalchemy_utils_absent.UUIDType())
'''
    report = _review(tmp_path, create, change, select=["column-type-rewrite"])
    found = [(f.line, f.severity) for f in report.findings]
    assert found == [(body_line(change, '"token", type_'), "warning"),
                     (body_line(change, '"code", type_=sqlalchemy'), "warning"),
                     (body_line(change, "existing_type="), "warning")]
    for finding in report.findings:
        assert "sqlalchemy_utils_absent.UUIDType is unknown here" in finding.message, finding.message
    assert "from sqlalchemy_utils_absent.UUIDType to varchar(64)" in report.findings[0].message


def test_an_unknown_type_is_never_the_same_as_a_known_one_or_as_itself():
    unknown = A.SqlType("UUIDType", standin="sqlalchemy_utils_absent.UUIDType")
    assert classify(unknown, A.SqlType("text")) is Change.UNKNOWN
    assert classify(A.SqlType("varchar", (32,)), unknown) is Change.UNKNOWN
    assert classify(unknown, unknown) is Change.UNKNOWN


def test_stand_in_types_rendered_for_one_statement_do_not_leak_into_the_next(tmp_path):
    body = '''
import sqlalchemy_utils_absent
op.add_column("users", sa.Column("token", sqlalchemy_utils_absent.UUIDType()))
op.execute('CREATE TABLE audit (id int, token "UUIDType")')
'''
    recorded = _record(tmp_path, USERS_TABLE, body)
    audit = next(s for s in recorded[1].statements if s.sql.startswith("CREATE TABLE audit"))
    # Written by hand in SQL, this names a real type (a domain, say) that migsafe simply does not know.
    assert {c.name: c.type for c in audit.actions[0].columns}["token"].known
    assert "sqlalchemy_utils_absent" not in sys.modules


def test_a_batch_copy_never_gives_a_column_of_no_known_type_a_real_type(tmp_path):
    """The copy must spell every column; one the model has no type for used to become ``text``, and a later
    change to text was then taken for no change at all."""
    body = '''
op.alter_column("legacy", "code", nullable=True)
with op.batch_alter_table("legacy", recreate="always") as batch_op:
    batch_op.add_column(sa.Column("note", sa.Text()))
op.alter_column("legacy", "code", type_=sa.Text())
'''
    report = _review(tmp_path, USERS_TABLE, body, select=["column-type-rewrite"])
    [finding] = report.findings
    assert finding.line == body_line(body, 'type_=sa.Text()')
    assert "current type is unknown" in finding.message
    copy = next(s for s in _record(tmp_path / "again", USERS_TABLE, body)[1].statements
                if s.sql.startswith("CREATE TABLE _alembic_tmp_legacy"))
    assert copy.parse_error is None and {c.name: c.type for c in copy.actions[0].columns}["code"] is None


def test_a_using_cast_to_an_uninstalled_type_is_judged_like_the_change_itself(tmp_path):
    """``USING code::uuid`` with ``type_=UUIDType()`` may be exactly the conversion UUIDType makes: unknown. An
    expression that computes a new value (``md5(code)::uuid``) rewrites whatever the type is."""
    create = 'op.create_table("device", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))'
    change = '''
import sqlalchemy_utils_absent
op.alter_column("device", "code", type_=sqlalchemy_utils_absent.UUIDType(), postgresql_using="code::uuid")
op.alter_column("device", "id", type_=sqlalchemy_utils_absent.UUIDType(), postgresql_using="md5(id::text)::uuid")
'''
    report = _review(tmp_path, create, change, select=["column-type-rewrite"])
    assert [(f.line, f.severity) for f in report.findings] == [
        (body_line(change, 'code::uuid'), "warning"), (body_line(change, "md5("), "error")]
    assert "is unknown here" in report.findings[0].message
    assert "USING expression" in report.findings[1].message


def test_values_of_an_uninstalled_type_are_written_as_untyped_literals(tmp_path):
    """Offline, ``op.bulk_insert`` writes the values into the SQL; a value of a stand-in type used to stop the
    review there (no literal renderer). The table the seed rows go into is new: nothing to report."""
    body = '''
import uuid
import sqlalchemy_utils_absent
op.create_table("device", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("token", sqlalchemy_utils_absent.UUIDType()))
seed = sa.table("device", sa.column("id", sa.Integer()), sa.column("token", sqlalchemy_utils_absent.UUIDType()))
op.bulk_insert(seed, [{"id": 1, "token": uuid.UUID(int=7)}, {"id": 2, "token": "it's"}, {"id": 3, "token": None}])
reflected = sa.Table("device", sa.MetaData(), autoload_with=op.get_bind())
op.bulk_insert(reflected, [{"id": 4, "token": 12}])
op.create_index("ix_device_token", "device", ["token"])
'''
    recorded = _record(tmp_path, body)
    inserts = [s.sql for s in recorded[0].statements if s.sql.startswith("INSERT")]
    assert inserts == [  # Alembic writes one INSERT per row offline
        "INSERT INTO device (id, token) VALUES (1, '00000000-0000-0000-0000-000000000007')",
        "INSERT INTO device (id, token) VALUES (2, 'it''s')",
        "INSERT INTO device (id, token) VALUES (3, NULL)",
        "INSERT INTO device (id, token) VALUES (4, 12)"]
    assert [s.sql for s in recorded[0].statements][-1] == "CREATE INDEX ix_device_token ON device (token)"
    assert not recorded[0].stub_calls or all("stopped here" not in name for name, _line in recorded[0].stub_calls)


def test_an_application_type_given_an_enum_class_or_a_typing_alias_is_a_column_type(tmp_path):
    # A stand-in called with one function keeps it (it is a decorator); called with an enum class or a typing
    # alias it is an application type such as PyIntEnum(State) or Pydantic(Dict[...]), not a decorator.
    body = '''
import enum
import typing
from myapp_absent.db import PyIntEnum, Pydantic, register

class _State(int, enum.Enum):
    new = 1

@register
def helper():
    return "kept"

assert helper() == "kept"
op.create_table(
    "job",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("state", PyIntEnum(_State), nullable=False),
    sa.Column("params", Pydantic(typing.Dict[str, typing.List[int]])),
)
'''
    recorded = _record(tmp_path, body)
    create = next(s for s in recorded[0].statements if s.sql.startswith("CREATE TABLE job"))
    assert 'state "PyIntEnum" NOT NULL' in create.sql and 'params "Pydantic"' in create.sql


# A real type whose length or precision comes from the application (neutron's ``db_const.UUID_FIELD_SIZE``) used
# to render the stand-in's dotted name where the length goes: ``VARCHAR(applib_absent.db.constants...)``.
NEW_TABLE_WITH_APP_LENGTHS = '''
from applib_absent.db import constants as db_const
op.create_table(
    "audit_logs",
    sa.Column("project_id", sa.String(length=db_const.PROJECT_ID_FIELD_SIZE), nullable=True, index=True),
    sa.Column("id", sa.String(length=db_const.UUID_FIELD_SIZE), nullable=False),
    sa.Column("target_id", sa.String(length=db_const.UUID_FIELD_SIZE), nullable=True, index=True),
    sa.Column("ratio", sa.Numeric(db_const.RATIO_DIGITS, 2)),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("event", sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    sa.UniqueConstraint("user_id"),
)
'''


def test_a_new_table_whose_lengths_come_from_an_uninstalled_module_enters_the_model(tmp_path):
    report = _review(tmp_path, USERS_TABLE, NEW_TABLE_WITH_APP_LENGTHS, ignore=["missing-lock-timeout"])
    assert [n.message for n in report.notes if n.kind == "unparsed-statement"] == []
    # Its index=True indexes are built on a table created in the same revision: nothing to report.
    assert [(f.rule, f.line) for f in report.findings] == []
    recorded = _record(tmp_path / "again", USERS_TABLE, NEW_TABLE_WITH_APP_LENGTHS)
    create = next(s for s in recorded[1].statements if s.sql.startswith("CREATE TABLE audit_logs"))
    assert create.parse_error is None and 'project_id "VARCHAR(PROJECT_ID_FIELD_SIZE)"' in create.sql
    columns = {c.name: c.type for c in create.actions[0].columns}
    # The length is the application's: the type is unknown (never a guessed varchar), and says why.
    assert not columns["id"].known and columns["id"].standin == "String(applib_absent.db.constants.UUID_FIELD_SIZE)"
    assert not columns["ratio"].known
    assert columns["event"] == A.SqlType("varchar", (255,)) and columns["user_id"] == A.SqlType("int4")


def test_a_column_added_or_changed_with_an_uninstalled_length_is_checked(tmp_path):
    body = '''
from applib_absent.db import constants as db_const
op.add_column("users", sa.Column("tenant_id", sa.String(db_const.UUID_FIELD_SIZE), nullable=False))
op.alter_column("users", "status", type_=sa.String(length=db_const.STATUS_SIZE), existing_type=sa.String(20))
'''
    report = _review(tmp_path, USERS_TABLE, body, ignore=["missing-lock-timeout"])
    assert [n.message for n in report.notes if n.kind == "unparsed-statement"] == []
    assert [(f.rule, f.line, f.severity) for f in report.findings] == [
        ("not-null-without-default", body_line(body, "op.add_column"), "error"),
        ("column-type-rewrite", body_line(body, "op.alter_column"), "warning")]
    assert "the SQL type of String(applib_absent.db.constants.STATUS_SIZE) is unknown here" \
        in report.findings[1].message
