"""Generate a synthetic but realistic Alembic history for benchmarks.

The history is one linear chain (with an occasional branch and merge) that looks like what years of
autogenerate plus hand edits leave behind: tables created early, then columns added, indexes (plain and
``CONCURRENTLY`` in ``autocommit_block()``), constraints (some ``NOT VALID``), enum types created and given new
values, raw SQL through ``op.execute``, ``batch_alter_table`` blocks and data migrations (``sa.table`` updates
and ``op.bulk_insert``). Every revision also has a ``downgrade()``. It is deterministic for a given seed.

The project written has an ``alembic.ini`` and a ``migrations/env.py`` whose offline mode works, so that
``alembic upgrade base:head --sql`` renders the whole history::

    python benchmarks/generate_history.py /tmp/hist --revisions 2000
    cd /tmp/hist && alembic upgrade base:head --sql > /dev/null
    migsafe review /tmp/hist --format json > /dev/null

``--huge-revision N`` writes instead a project whose second revision makes N calls of one kind (``--kind``,
``add_column`` by default) on one table: the "huge revision" of the review benchmark::

    python benchmarks/generate_history.py /tmp/huge --huge-revision 50000 --kind add_column
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = postgresql://bench:bench@localhost/bench

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

ENV_PY = '''\
from alembic import context

config = context.config
target_metadata = None


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    raise SystemExit("this generated benchmark project only runs offline (--sql)")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

HEADER = '''\
"""{message}

Revision ID: {revision}
Revises: {revises}
Create Date: 2024-01-01 00:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = {revision!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''

NOUNS = ["account", "invoice", "order", "customer", "ticket", "project", "task", "comment", "payment", "product",
         "shipment", "warehouse", "supplier", "employee", "team", "report", "session", "event", "device", "alert",
         "subscription", "plan", "coupon", "review", "message", "channel", "document", "folder", "label", "audit"]
ATTRS = ["status", "priority", "notes", "external_ref", "score", "region", "currency", "source", "owner_email",
         "archived_at", "verified", "weight", "color", "locale", "timezone", "quota", "rank", "slug", "title",
         "summary", "metadata", "phone", "country", "zip_code", "due_at", "amount", "discount", "version", "flags"]
TYPES = ["sa.String(length=80)", "sa.Integer()", "sa.BigInteger()", "sa.Boolean()", "sa.Text()",
         "sa.DateTime(timezone=True)", "sa.Numeric(12, 2)", "postgresql.JSONB(astext_type=sa.Text())", "sa.Date()"]


@dataclass
class Table:
    name: str
    columns: list[str] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)


@dataclass
class State:
    rng: random.Random
    tables: list[Table] = field(default_factory=list)
    enums: dict[str, list[str]] = field(default_factory=dict)
    counter: int = 0

    def unique(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"


def _indent(lines: list[str]) -> str:
    return "\n".join("    " + line if line else "" for line in lines) or "    pass"


def _create_table(state: State) -> tuple[str, list[str], list[str]]:
    rng = state.rng
    name = state.unique(rng.choice(NOUNS) + "s")
    table = Table(name)
    cols = ["    sa.Column('id', sa.Integer(), nullable=False),"]
    table.columns.append("id")
    for _ in range(rng.randint(2, 7)):
        col = state.unique(rng.choice(ATTRS))
        cols.append(f"    sa.Column({col!r}, {rng.choice(TYPES)}, nullable={rng.random() < 0.6}),")
        table.columns.append(col)
    fk = []
    if state.tables and rng.random() < 0.6:
        parent = rng.choice(state.tables)
        col = f"{parent.name}_id"
        cols.append(f"    sa.Column({col!r}, sa.Integer(), nullable=True),")
        table.columns.append(col)
        fk.append(f"    sa.ForeignKeyConstraint([{col!r}], ['{parent.name}.id'], name='fk_{name}_{col}'),")
    if rng.random() < 0.3:
        enum = state.unique("kind")
        values = [f"v{i}" for i in range(rng.randint(2, 4))]
        state.enums[enum] = values
        cols.append(f"    sa.Column('{enum}', sa.Enum({', '.join(map(repr, values))}, name={enum!r}), "
                    "nullable=True),")
        table.columns.append(enum)
    cols.append(f"    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), "
                f"nullable=False),")
    table.columns.append("created_at")
    up = [f"op.create_table({name!r},", *cols, *fk, f"    sa.PrimaryKeyConstraint('id', name='pk_{name}')", ")"]
    if rng.random() < 0.5:
        index = f"ix_{name}_created_at"
        up.append(f"op.create_index({index!r}, {name!r}, ['created_at'], unique=False)")
        table.indexes.append(index)
    state.tables.append(table)
    return f"create {name}", up, [f"op.drop_table({name!r})"]


def _add_column(state: State) -> tuple[str, list[str], list[str]]:
    rng = state.rng
    table = rng.choice(state.tables)
    col = state.unique(rng.choice(ATTRS))
    table.columns.append(col)
    if rng.random() < 0.3:
        up = [f"op.add_column({table.name!r}, sa.Column({col!r}, sa.Boolean(), server_default=sa.false(), "
              "nullable=False))"]
    else:
        up = [f"op.add_column({table.name!r}, sa.Column({col!r}, {rng.choice(TYPES)}, nullable=True))"]
    return f"add {col} to {table.name}", up, [f"op.drop_column({table.name!r}, {col!r})"]


def _index(state: State) -> tuple[str, list[str], list[str]]:
    rng = state.rng
    table = rng.choice(state.tables)
    col = rng.choice(table.columns)
    index = state.unique(f"ix_{table.name}_{col}")[:63]
    table.indexes.append(index)
    if rng.random() < 0.5:
        up = ["with op.get_context().autocommit_block():",
              f"    op.create_index({index!r}, {table.name!r}, [{col!r}], unique=False, "
              "postgresql_concurrently=True)"]
    else:
        up = [f"op.create_index(op.f({index!r}), {table.name!r}, [{col!r}], unique=False)"]
    return f"index {table.name}.{col}", up, [f"op.drop_index({index!r}, table_name={table.name!r})"]


def _constraint(state: State) -> tuple[str, list[str], list[str]]:
    rng = state.rng
    table = rng.choice(state.tables)
    roll = rng.random()
    if roll < 0.4 and len(state.tables) > 1:
        parent = rng.choice([t for t in state.tables if t is not table])
        col = f"{parent.name}_ref"
        if col in table.columns:
            col = state.unique(col)
        table.columns.append(col)
        name = state.unique(f"fk_{table.name}")[:63]
        up = [f"op.add_column({table.name!r}, sa.Column({col!r}, sa.Integer(), nullable=True))",
              f"op.create_foreign_key({name!r}, {table.name!r}, {parent.name!r}, [{col!r}], ['id'], "
              "postgresql_not_valid=True)",
              f"op.execute('ALTER TABLE {table.name} VALIDATE CONSTRAINT {name}')"]
        down = [f"op.drop_constraint({name!r}, {table.name!r}, type_='foreignkey')",
                f"op.drop_column({table.name!r}, {col!r})"]
    elif roll < 0.7:
        col = rng.choice(table.columns)
        name = state.unique(f"uq_{table.name}")[:63]
        up = [f"op.create_unique_constraint({name!r}, {table.name!r}, [{col!r}])"]
        down = [f"op.drop_constraint({name!r}, {table.name!r}, type_='unique')"]
    else:
        name = state.unique(f"ck_{table.name}")[:63]
        up = [f"op.create_check_constraint({name!r}, {table.name!r}, sa.text('id > 0'))"]
        down = [f"op.drop_constraint({name!r}, {table.name!r}, type_='check')"]
    return f"constraint on {table.name}", up, down


def _enum(state: State) -> tuple[str, list[str], list[str]]:
    rng = state.rng
    if not state.enums or rng.random() < 0.3:
        table = rng.choice(state.tables)
        enum = state.unique("state")
        values = ["new", "open", "closed"]
        state.enums[enum] = values
        table.columns.append(enum)
        up = [f"{enum} = postgresql.ENUM({', '.join(map(repr, values))}, name={enum!r})",
              f"{enum}.create(op.get_bind(), checkfirst=False)",
              f"op.add_column({table.name!r}, sa.Column({enum!r}, {enum}, nullable=True))"]
        down = [f"op.drop_column({table.name!r}, {enum!r})", f"op.execute('DROP TYPE {enum}')"]
        return f"enum {enum}", up, down
    enum = rng.choice(sorted(state.enums))
    value = f"v{len(state.enums[enum])}"
    state.enums[enum].append(value)
    up = ["with op.get_context().autocommit_block():",
          f"    op.execute(\"ALTER TYPE {enum} ADD VALUE IF NOT EXISTS '{value}'\")"]
    return f"add {value} to {enum}", up, ["pass  # enum values cannot be removed"]


def _raw_sql(state: State) -> tuple[str, list[str], list[str]]:
    rng = state.rng
    table = rng.choice(state.tables)
    roll = rng.random()
    if roll < 0.4:
        view = state.unique(f"v_{table.name}")[:63]
        up = [f"op.execute(\"CREATE OR REPLACE VIEW {view} AS SELECT id, created_at FROM {table.name}\")"]
        down = [f"op.execute('DROP VIEW {view}')"]
    elif roll < 0.7:
        up = [f"op.execute(\"COMMENT ON TABLE {table.name} IS 'generated table {table.name}'\")"]
        down = [f"op.execute('COMMENT ON TABLE {table.name} IS NULL')"]
    else:
        col = state.unique("note")
        table.columns.append(col)
        up = [f"op.execute('ALTER TABLE {table.name} ADD COLUMN {col} text')",
              f"op.execute(\"UPDATE {table.name} SET {col} = 'n/a' WHERE {col} IS NULL\")"]
        down = [f"op.execute('ALTER TABLE {table.name} DROP COLUMN {col}')"]
    return f"raw sql on {table.name}", up, down


def _batch(state: State) -> tuple[str, list[str], list[str]]:
    rng = state.rng
    table = rng.choice(state.tables)
    col = state.unique(rng.choice(ATTRS))
    table.columns.append(col)
    up = [f"with op.batch_alter_table({table.name!r}) as batch_op:",
          f"    batch_op.add_column(sa.Column({col!r}, sa.String(length=40), nullable=True))"]
    if len(table.columns) > 3 and rng.random() < 0.5:
        other = rng.choice(table.columns[1:-1])
        up.append(f"    batch_op.alter_column({other!r}, comment='{other} of {table.name}')")
    down = [f"with op.batch_alter_table({table.name!r}) as batch_op:", f"    batch_op.drop_column({col!r})"]
    return f"batch alter {table.name}", up, down


def _data(state: State) -> tuple[str, list[str], list[str]]:
    rng = state.rng
    table = rng.choice(state.tables)
    col = state.unique("backfilled")
    table.columns.append(col)
    up = [f"op.add_column({table.name!r}, sa.Column({col!r}, sa.Integer(), nullable=True))",
          f"{table.name} = sa.table({table.name!r}, sa.column('id', sa.Integer()), sa.column({col!r}, sa.Integer()))"]
    if rng.random() < 0.5:
        up.append(f"op.execute({table.name}.update().where({table.name}.c.{col}.is_(None)).values({col}=0))")
    else:
        up.append(f"op.bulk_insert({table.name}, [{{'id': {state.counter}, {col!r}: 1}}, "
                  f"{{'id': {state.counter + 1}, {col!r}: 2}}])")
    return f"backfill {table.name}.{col}", up, [f"op.drop_column({table.name!r}, {col!r})"]


KINDS = [(_add_column, 30), (_index, 18), (_constraint, 10), (_enum, 6), (_raw_sql, 10), (_batch, 8), (_data, 10)]


def generate(directory: Path, revisions: int, seed: int = 2024) -> Path:
    """Write the project into ``directory`` (created; must not hold a project already). Returns the versions
    directory."""
    rng = random.Random(seed)
    state = State(rng)
    versions = directory / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=False)
    (directory / "alembic.ini").write_text(ALEMBIC_INI, encoding="utf-8")
    (directory / "migrations" / "env.py").write_text(ENV_PY, encoding="utf-8")
    early = max(5, revisions // 20)  # the first 5%: mostly tables
    functions = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    head: str | None = None
    branch: str | None = None  # an open side branch, merged a few revisions later
    for number in range(revisions):
        revision = f"{rng.getrandbits(48):012x}"
        if number < early or rng.random() < 0.06:
            message, up, down = _create_table(state)
        else:
            message, up, down = rng.choices(functions, weights)[0](state)
        down_revision: str | tuple[str, ...] | None = head
        side = False
        if head is not None and branch is None and rng.random() < 0.01 and number < revisions - 5:
            side = True  # a side branch off the current head: merged a few revisions later
        elif branch is not None and rng.random() < 0.3:
            down_revision = (head, branch)
            message = f"merge; {message}"
            branch = None
        text = HEADER.format(message=message, revision=revision, down=down_revision,
                             revises=", ".join(down_revision) if isinstance(down_revision, tuple)
                             else down_revision, upgrade=_indent(up), downgrade=_indent(down))
        slug = "".join(c if c.isalnum() else "_" for c in message)[:40].strip("_")
        (versions / f"{number:05d}_{revision}_{slug}.py").write_text(text, encoding="utf-8")
        if side:
            branch = revision
        else:
            head = revision
    return versions


HUGE_KINDS = {
    # One line of the huge revision's upgrade(), for operation number i (on the table "big" unless it makes one).
    "add_column": "op.add_column('big', sa.Column('c{i}', sa.Integer(), nullable=True))",
    "create_table": "op.create_table('t{i}', sa.Column('id', sa.Integer(), nullable=False))",
    "create_index": "op.create_index('ix_big_{i}', 'big', ['id'])",
    "alter_column": "op.alter_column('big', 'id', comment='comment {i}')",
    "execute": "op.execute('ALTER TABLE big ADD COLUMN c{i} integer')",
    "create_check_constraint": "op.create_check_constraint('ck_big_{i}', 'big', 'id > {i}')",
}


def generate_huge(directory: Path, operations: int, kind: str = "add_column") -> Path:
    """Write a two-revision project: the first creates the table ``big``, the second makes ``operations``
    calls of one kind (see HUGE_KINDS), one per line, like a revision generated from a spreadsheet. Returns
    the versions directory."""
    versions = directory / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=False)
    (directory / "alembic.ini").write_text(ALEMBIC_INI, encoding="utf-8")
    (directory / "migrations" / "env.py").write_text(ENV_PY, encoding="utf-8")
    base = ["op.create_table('big', sa.Column('id', sa.Integer(), nullable=False))"]
    calls = [HUGE_KINDS[kind].format(i=i) for i in range(operations)]
    for number, (revision, down, message, up, down_code) in enumerate([
        ("000000000001", None, "create big", base, ["op.drop_table('big')"]),
        ("000000000002", "000000000001", f"{operations} x {kind}", calls, ["pass"]),
    ]):
        text = HEADER.format(message=message, revision=revision, down=down, revises=down, upgrade=_indent(up),
                             downgrade=_indent(down_code))
        (versions / f"{number:05d}_{revision}.py").write_text(text, encoding="utf-8")
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="where to write the project (must not exist)")
    parser.add_argument("--revisions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--huge-revision", type=int, metavar="N",
                        help="instead: one revision with N operations of --kind after one that creates the table")
    parser.add_argument("--kind", choices=sorted(HUGE_KINDS), default="add_column")
    args = parser.parse_args(argv)
    if args.directory.exists() and any(args.directory.iterdir()):
        print(f"generate_history: {args.directory} is not empty", file=sys.stderr)
        return 2
    if args.huge_revision is not None:
        versions = generate_huge(args.directory, args.huge_revision, args.kind)
        print(f"one revision with {args.huge_revision} x {args.kind} in {versions}")
        return 0
    versions = generate(args.directory, args.revisions, args.seed)
    print(f"{args.revisions} revisions in {versions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
