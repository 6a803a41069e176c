"""Reviewing without the application installed: stand-ins, partial reviews, plugin operations, odd shapes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import USERS_TABLE, body_line, revision_source, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.recording.runner import record_history
from migsafe.revisions import list_revision_files, load_history

APP_REVISION = '''
from myapp.models import Base, User
from myapp import helpers
from myapp.settings import FEATURE_FLAGS

if not FEATURE_FLAGS.ENABLE_INDEXES:
    return
helpers.add_audit_columns(op, "users")
op.create_index("ix_users_email", "users", ["email"])
'''


def _report(tmp_path, *bodies, **options):
    versions = tmp_path / "versions"
    write_history(versions, bodies)
    return review(ReviewOptions(paths=[versions], cwd=tmp_path, ignore=["missing-lock-timeout"], **options))


def test_missing_application_modules_are_stubbed_and_the_review_marked_partial(tmp_path):
    report = _report(tmp_path, USERS_TABLE, APP_REVISION)
    assert not report.errors
    assert [(f.rule, f.line) for f in report.findings] == [
        ("index-not-concurrent", body_line(APP_REVISION, "op.create_index"))]
    [partial] = report.partial
    assert partial.revision == "r2"
    assert set(partial.stubbed) == {"myapp"}
    assert ("myapp.helpers.add_audit_columns", body_line(APP_REVISION, "helpers.add_audit_columns")) \
        in partial.stub_calls
    [note] = [n for n in report.notes if n.kind == "partial"]
    assert "myapp" in note.message and "add_audit_columns" in note.message


def test_a_stand_in_used_as_a_context_manager_lets_the_block_run(tmp_path):
    body = '''
from myapp.migration import foreign_keys_removed
with foreign_keys_removed("users") as removed:
    op.drop_index("ix_users_email", table_name="users")
'''
    report = _report(tmp_path, USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])', body)
    assert not report.errors
    assert [(f.rule, f.line) for f in report.findings] == [
        ("drop-index-not-concurrent", body_line(body, "op.drop_index"))]
    assert report.partial[0].stub_calls == (("myapp.migration.foreign_keys_removed", body_line(body, "with ")),)


def test_strict_imports_makes_a_missing_module_a_load_error(tmp_path):
    report = _report(tmp_path, USERS_TABLE, APP_REVISION, strict_imports=True)
    assert [e.message for e in report.errors] == ["ModuleNotFoundError: No module named 'myapp'"]
    assert report.partial == []


def test_partial_revisions_are_listed_in_json(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, APP_REVISION])
    result = subprocess.run([sys.executable, "-m", "migsafe", "review", "versions", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True)
    data = json.loads(result.stdout)
    assert [(p["revision"], p["stubbed"]) for p in data["partial"]] == [("r2", ["myapp"])]
    assert data["summary"]["partial"] == 1


def test_importable_helpers_are_recorded_like_direct_calls(tmp_path):
    (tmp_path / "migration_helpers.py").write_text(textwrap.dedent('''
        from alembic import op

        def index(table, column):
            op.create_index(f"ix_{table}_{column}", table, [column])
    '''))
    body = "from migration_helpers import index\nindex('users', 'email')"
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, body])
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, ignore=["missing-lock-timeout"]))
    assert report.partial == []
    assert [(f.rule, f.line) for f in report.findings] == [
        ("index-not-concurrent", body_line(body, "index('users'"))]


def test_sync_enum_values_is_an_enum_recreation_without_the_plugin(tmp_path):
    create = '''
op.execute("CREATE TYPE order_status AS ENUM ('new', 'paid')")
op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("status", postgresql.ENUM(name="order_status", create_type=False)))
'''
    body = '''
from alembic_postgresql_enum import TableReference
op.sync_enum_values(
    "public",
    "order_status",
    ["new", "paid", "refunded"],
    [TableReference(table_schema="public", table_name="orders", column_name="status")],
    enum_values_to_rename=[],
)
'''
    report = _report(tmp_path, create, body)
    assert not report.errors
    assert [(f.rule, f.line) for f in report.findings] == [("enum-recreate", body_line(body, "op.sync_enum_values"))]


def test_unknown_plugin_operation_is_noted_not_fatal(tmp_path):
    body = 'op.create_some_plugin_object("users", flavour="x")\nop.drop_column("users", "name")'
    report = _report(tmp_path, USERS_TABLE, body)
    assert not report.errors
    assert [f.rule for f in report.findings] == ["drop-column"]
    assert [n.line for n in report.notes if n.kind == "unknown-operation"] == [
        body_line(body, "create_some_plugin_object")]


def test_multi_database_template_runs_each_engine_function(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    source = revision_source("globals()['upgrade_%s' % engine_name]()", "m1", None)
    source = source.replace("def upgrade():", "def upgrade(engine_name):")
    source += textwrap.dedent('''

        def upgrade_engine1():
            op.create_index("ix_a", "accounts", ["id"])


        def upgrade_engine2():
            op.drop_column("events", "payload")
    ''')
    (versions / "001_multi.py").write_text(source)
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, select=["index-not-concurrent", "drop-column"]))
    lines = source.splitlines()
    expected = [("index-not-concurrent", next(i for i, l in enumerate(lines, 1) if "ix_a" in l)),
                ("drop-column", next(i for i, l in enumerate(lines, 1) if '"payload"' in l))]
    assert sorted((f.rule, f.line) for f in report.findings) == sorted(expected)


def test_upgrade_taking_op_as_a_parameter(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    source = revision_source('op.drop_column("events", "payload")', "p1", None)
    source = source.replace("def upgrade():", "def upgrade(op, tables, tester):")
    (versions / "001_param.py").write_text(source)
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, ignore=["missing-lock-timeout"]))
    assert [f.rule for f in report.findings] == ["drop-column"]


def test_partial_reviews_are_marked_in_every_ci_format(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, APP_REVISION])
    outputs = {}
    for fmt in ("text", "github", "sarif", "markdown"):
        result = subprocess.run([sys.executable, "-m", "migsafe", "review", "versions", "--format", fmt],
                                cwd=tmp_path, capture_output=True, text=True)
        outputs[fmt] = result.stdout
    assert "partial review" in outputs["text"]
    assert "title=migsafe%3A partial review" in outputs["github"]
    sarif = json.loads(outputs["sarif"])
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["partial-review"]
    assert "### Partial reviews" in outputs["markdown"]


def test_modules_missing_in_one_revision_are_stubbed_at_once_in_the_next(tmp_path):
    body = "import missing_a\nimport missing_b\nimport missing_c\nop.drop_column('users', 'name')"
    later = "import missing_c\nop.drop_column('users', 'email')"
    report = _report(tmp_path, USERS_TABLE, body, later)
    assert not report.errors
    stubbed = {r.revision: r.stubbed for r in report.partial}
    # Only the stand-ins a revision actually imported are reported for it.
    assert stubbed == {"r2": ("missing_a", "missing_b", "missing_c"), "r3": ("missing_c",)}


# Stand-ins used the way ordinary Python uses the application's objects: the revision must run on past them.

def _assert_reviewed_through_to_the_drop(tmp_path, body: str) -> None:
    """The revision's classes were built and its upgrade() ran to the end: the drop is its one finding."""
    report = _report(tmp_path, USERS_TABLE, body)
    assert not report.errors
    assert [(f.rule, f.line) for f in report.findings] == [("drop-column", body_line(body, "op.drop_column"))]
    assert not [n for n in report.notes if n.kind == "partial-stop"]


def test_a_stand_in_mixin_next_to_a_declarative_base_defines_the_model(tmp_path):
    body = '''
from sqlalchemy.orm import declarative_base
from myapp.models import TimestampMixin
Base = declarative_base()
class Account(TimestampMixin, Base):
    __tablename__ = "accounts"
    id = sa.Column(sa.Integer, primary_key=True)
op.drop_column("users", "name")
'''
    _assert_reviewed_through_to_the_drop(tmp_path, body)


def test_a_stand_in_enum_class_gives_the_enum_type_its_class_name(tmp_path):
    # SQLAlchemy names an enum type after its class; a stand-in class taken for a single value left the
    # PostgreSQL type nameless ("Enum type requires a name") or with the stand-in as a label.
    body = '''
from myapp.enums import OrderStatus, Kind
op.add_column("users", sa.Column("order_status", sa.Enum(OrderStatus), nullable=True))
op.create_table("kinds", sa.Column("kind", sa.Enum(Kind, name="kind_enum")))
op.drop_column("users", "name")
'''
    report = _report(tmp_path, USERS_TABLE, body)
    assert not report.errors
    assert not [n for n in report.notes if n.kind == "partial-stop"]
    assert ("drop-column", body_line(body, "op.drop_column")) in [(f.rule, f.line) for f in report.findings]


def test_stand_ins_in_isinstance_and_format_specs_behave_like_ordinary_objects(tmp_path):
    body = '''
import typing
from myapp.models import User, registry
def owners(users: typing.List[User]) -> typing.Optional[User]:
    return None
if isinstance(op, User) or isinstance(op, registry.model_class()):
    raise RuntimeError("no stand-in is an instance of anything")
label = f"{User:>12}|{User.email!r:5}|{registry.count():d}"
op.drop_column("users", "name")
'''
    report = _report(tmp_path, USERS_TABLE, body)
    assert not report.errors
    assert not [n for n in report.notes if n.kind == "partial-stop"]
    assert ("drop-column", body_line(body, "op.drop_column")) in [(f.rule, f.line) for f in report.findings]


def test_a_revision_whose_module_fails_at_import_on_a_stand_in_is_a_load_error(tmp_path):
    # None of upgrade() ran: keeping "what was recorded up to there" once reported it reviewed, 0 findings.
    versions = tmp_path / "versions"
    first, second = write_history(versions, [USERS_TABLE, 'op.drop_column("users", "name")'])
    source = second.read_text().replace(
        "from alembic import op\n",
        "from alembic import op\nfrom myapp import settings\nBATCH = int(settings.BATCH_SIZE)\n")
    second.write_text(source)
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    [error] = report.errors
    assert error.revision == "r2" and error.line == source.splitlines().index("BATCH = int(settings.BATCH_SIZE)") + 1
    assert error.message.startswith("TypeError: int()") and "none of upgrade() ran" in error.message \
        and "myapp" in error.message
    assert report.partial == [] and report.findings == []


def test_an_application_module_that_breaks_on_a_stand_in_is_stood_in_for_too(tmp_path):
    # The project's models module builds real SQLAlchemy objects from a missing extension's stand-ins: its import
    # fails, and with it the revision's. Standing in for that module lets upgrade() run.
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "models.py").write_text(textwrap.dedent('''
        import sqlalchemy as sa
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()
        orders = db.Table("orders", db.Column("id", db.Integer))
        orders_by_id = sa.Index("ix_orders_id", orders.c.id)
    '''))
    versions = tmp_path / "versions"
    first, second = write_history(versions, [USERS_TABLE, 'op.drop_column("users", "name")'])
    second.write_text(second.read_text().replace("from alembic import op\n",
                                                 "from alembic import op\nfrom shop.models import orders\n"))
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert not report.errors
    assert [(f.rule, f.revision) for f in report.findings if f.rule == "drop-column"] == [("drop-column", "r2")]
    [partial] = report.partial
    assert partial.stubbed == ("shop.models",)  # flask_sqlalchemy is no longer imported


def test_project_modules_in_folders_without_init_are_forgotten_with_their_package(tmp_path, monkeypatch):
    # shop/internal/ has no __init__.py: a namespace package inside the project's package, with no __file__.
    # Recording forgets the project's modules before importing them again with stand-ins; keeping shop.internal
    # while shop was gone made that import fail inside importlib (KeyError: 'shop', open-webui's revisions).
    import importlib

    from migsafe.recording.runner import _forget_project_modules

    (tmp_path / "shop" / "internal").mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "internal" / "db.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    importlib.import_module("shop.internal.db")
    assert sys.modules["shop.internal"].__file__ is None
    _forget_project_modules(before, [tmp_path])
    assert not {"shop", "shop.internal", "shop.internal.db"} & set(sys.modules)


def test_a_metaclass_made_from_a_stand_in_and_a_real_metaclass_still_builds_classes(tmp_path):
    body = '''
from sqlalchemy.orm import DeclarativeMeta, declarative_base
from myapp.model import BindMetaMixin
class NamedMeta(BindMetaMixin, DeclarativeMeta):
    pass
Base = declarative_base(metaclass=NamedMeta)
class Account(Base):
    __tablename__ = "accounts"
    id = sa.Column(sa.Integer, primary_key=True)
op.drop_column("users", "name")
'''
    _assert_reviewed_through_to_the_drop(tmp_path, body)


def test_more_than_sixty_missing_modules_are_still_stood_in_for(tmp_path):
    # A large application: its own modules that break on a stand-in are stood in for too, on top of its
    # missing dependencies.
    body = "\n".join(f"import missing_dependency_{n}" for n in range(70)) + '\nop.drop_column("users", "name")'
    report = _report(tmp_path, USERS_TABLE, body)
    assert not report.errors
    assert [f.rule for f in report.findings] == ["drop-column"]
    assert len(report.partial[0].stubbed) == 70


def test_a_revision_that_fails_at_import_for_its_own_reason_is_not_blamed_on_a_stand_in(tmp_path):
    versions = tmp_path / "versions"
    first, second = write_history(versions, [USERS_TABLE, 'op.drop_column("users", "name")'])
    second.write_text(second.read_text().replace(
        "from alembic import op\n",
        "from alembic import op\nfrom myapp import settings\nclass Row:\n    body = TextField()\n"))
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert [e.message for e in report.errors] == ["NameError: name 'TextField' is not defined"]


def test_an_application_module_failing_on_a_value_derived_from_a_stand_in_is_stood_in_for(tmp_path):
    # The error names no stand-in (a string computed from one): the module body that imported stand-ins is
    # taken to have failed on them, unlike the revision's own module body (see the test above).
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "models.py").write_text(textwrap.dedent('''
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()
        PREFIX_AT = "shop_tables".index(str(db.table_prefix))
    '''))
    versions = tmp_path / "versions"
    first, second = write_history(versions, [USERS_TABLE, 'op.drop_column("users", "name")'])
    second.write_text(second.read_text().replace("from alembic import op\n",
                                                 "from alembic import op\nfrom shop.models import PREFIX_AT\n"))
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path))
    assert not report.errors
    assert report.partial[0].stubbed == ("shop.models",)


def test_raising_or_catching_an_application_exception_that_is_a_stand_in_stops_the_recording_there(tmp_path):
    # The application's exception class is a stand-in (no BaseException), imported at module level and used in
    # a module-level helper, where no local variable holds a stand-in: the revision raises it when reflection
    # finds nothing, which offline it cannot find. What ran before is reviewed; the rest is said to be unchecked.
    helpers = {
        "raise": 'def find_name():\n    raise AppError("fk not found")\n',
        "except": 'def find_name():\n    try:\n        return int("x")\n    except AppError:\n        return None\n',
    }
    for kind, helper in helpers.items():
        versions = tmp_path / kind / "versions"
        write_history(versions, [USERS_TABLE, 'op.create_index("ix_users_email", "users", ["email"])\nfind_name()'])
        second = sorted(versions.iterdir())[1]
        source = second.read_text().replace("\ndef upgrade", f"from myapp.errors import AppError\n\n{helper}\n\ndef upgrade")
        second.write_text(source)
        report = review(ReviewOptions(paths=[versions], cwd=tmp_path / kind, ignore=["missing-lock-timeout"]))
        assert not report.errors, [e.message for e in report.errors]
        assert [f.rule for f in report.findings] == ["index-not-concurrent"]
        [stop] = [n for n in report.notes if n.kind == "partial-stop"]
        assert "BaseException" in stop.message


def test_a_constraint_or_index_named_by_a_stand_in_is_still_parsed_and_checked(tmp_path):
    # The application's naming convention is a stand-in: the names it builds are unknown, but the statements
    # are ordinary DDL whose locks are checked like any other.
    body = '''
from myapp.orm import naming_convention
with op.batch_alter_table("users") as batch_op:
    batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
    batch_op.create_foreign_key(naming_convention["fk"] % dict(table_name="users"), "users", ["team_id"], ["id"])
op.create_index(naming_convention["ix"] % dict(table_name="users"), "users", ["name"])
'''
    report = _report(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    assert [n.message for n in report.notes if n.kind == "unparsed-statement"] == []
    assert {f.rule for f in report.findings} == {"constraint-without-not-valid", "index-not-concurrent"}
    assert "naming_convention(...)" in next(f.message for f in report.findings if f.rule == "index-not-concurrent")


def test_bulk_insert_into_a_stand_in_table_writes_the_table_the_model_knows_or_says_it_was_not_checked(tmp_path):
    # A project whose env.py passes its metadata's tables to upgrade(op, tables): offline, ``tables`` is a
    # stand-in. ``tables.users`` is the users table; a table the model lacks is named in a note, not guessed.
    body = '''
from myapp.db import tables
op.bulk_insert(tables.users, [{"email": "a@example.com", "name": "a"}])
op.bulk_insert(tables.nowhere, [{"x": 1}])
op.execute(tables.users.insert().values(email="b@example.com"))
'''
    report = _report(tmp_path, USERS_TABLE, body)
    assert not report.errors, [e.message for e in report.errors]
    assert [n.message for n in report.notes if n.kind == "unparsed-statement"] == []
    assert [(n.line, n.message.split(" (")[1].split(")")[0]) for n in report.notes if n.kind == "unknown-operation"] == [
        (body_line(body, "tables.nowhere"), "myapp.db.tables.nowhere"),
        (body_line(body, "op.execute"), "myapp.db.tables.users.insert.values")]
    history = load_history(list_revision_files([tmp_path / "versions"]))
    recorded = record_history(history.files, sys_path=[tmp_path], config_file=None, transaction_per_migration=True)
    assert [s.sql for s in recorded[1].statements if s.sql.startswith("INSERT")] == [
        "INSERT INTO users (email, name) VALUES ('a@example.com', 'a')"]


def test_a_column_that_stand_in_code_may_have_made_stops_the_recording_there(tmp_path):
    # r2 runs an application helper as a stand-in: it may have added columns the schema model cannot know. A
    # later revision reflecting the table and using such a column is a partial review up to that line; without
    # the stand-in, the model knows every column and the missing one is the revision's own error.
    helper = 'from myapp import helpers\nhelpers.add_audit_columns(op, "users")'
    reads = '''
op.create_index("ix_users_email", "users", ["email"])
users = sa.Table("users", sa.MetaData(), autoload_with=op.get_bind())
op.execute(users.update().values(created_by=None))
'''
    for form in ("created_by=None", "{users.c.created_by: None}", '{users.c["created_by"]: None}'):
        body = reads.replace("created_by=None", form)
        report = _report(tmp_path / str(len(form)), USERS_TABLE, helper, body)
        assert not report.errors, [e.message for e in report.errors]
        [stop] = [n for n in report.notes if n.kind == "partial-stop"]
        assert stop.revision == "r3" and "column created_by" in stop.message
        assert [f.rule for f in report.findings if f.revision == "r3"] == ["index-not-concurrent"]
    report = _report(tmp_path / "without", USERS_TABLE, reads.replace("created_by=None", "{users.c.created_by: None}"))
    assert [(e.revision, e.message) for e in report.errors] == [("r2", "AttributeError: created_by")]


def test_joining_an_applications_constants_that_are_stand_ins_stops_the_recording_there(tmp_path):
    # ``",".join([Action.READ, Action.WRITE])`` with the application's constants class a stand-in imported at
    # module level (no local holds it): str.join needs real strings. What ran before is reviewed; the rest is
    # said to be unchecked.
    body = '''
op.create_index("ix_users_email", "users", ["email"])
actions = ",".join([Action.READ, Action.WRITE])
op.execute(sa.text("UPDATE users SET name = :a").bindparams(a=actions))
'''
    versions = tmp_path / "versions"
    first, second = write_history(versions, [USERS_TABLE, body])
    second.write_text(second.read_text().replace("from alembic import op\n",
                                                 "from alembic import op\nfrom myapp.policy import Action\n"))
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, ignore=["missing-lock-timeout"]))
    assert not report.errors, [e.message for e in report.errors]
    [stop] = [n for n in report.notes if n.kind == "partial-stop"]
    assert stop.line == body_line(body, '",".join') + 1 and "_StubMeta found" in stop.message
