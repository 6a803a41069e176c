"""migsafe's settings: read from ``.migsafe.toml``, ``migsafe.toml`` or pyproject.toml's ``[tool.migsafe]``,
validated strictly, adjusted by the command line.

Unknown keys and unknown rule ids are errors: a typo in a safety tool's configuration must not silently turn
a check off.
"""

from __future__ import annotations

import codecs
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from migsafe.errors import UsageError
from migsafe.pg_locks import duration_ms
from migsafe.selection import RuleSelection

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = ("error", "warning", "info")
FAIL_LEVELS = ("error", "warning", "never")


@dataclass(frozen=True)
class PgVersion:
    major: int
    minor: int | None = None  # None: the latest minor of that major

    def __str__(self) -> str:
        return f"{self.major}" if self.minor is None else f"{self.major}.{self.minor}"

    def at_least(self, major: int, minor: int = 0) -> bool:
        if self.major != major:
            return self.major > major
        return self.minor is None or self.minor >= minor

    @classmethod
    def parse(cls, value: object, where: str) -> "PgVersion":
        text = str(value).strip()
        parts = text.split(".")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise UsageError(f"{where}: pg-version must look like 15 or 14.2, not {text!r}") from None
        if not 1 <= len(numbers) <= 2 or not 9 <= numbers[0] <= 30:
            raise UsageError(f"{where}: pg-version must look like 15 or 14.2, not {text!r}")
        return cls(numbers[0], numbers[1] if len(numbers) == 2 else None)


@dataclass(frozen=True)
class Settings:
    pg_version: PgVersion = PgVersion(15)
    # Which rules run: the configuration file's select/extend-select/ignore, then the command line's
    # (migsafe/selection.py combines them as ruff does).
    rule_selection: tuple[RuleSelection, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    start_after: str | None = None
    fail_on: str = "warning"
    transaction_per_migration: bool = True
    # False: a module a revision imports but that is not installed fails the revision (load-error) instead
    # of being replaced by a stand-in (a partial review).
    strict_imports: bool = False
    # The lock_timeout the deploy sets for the migration's session ("2s"), when it is set outside Alembic.
    lock_timeout: str | None = None
    # The lock_timeout `review --fix` writes into revisions (missing-lock-timeout's fix); None: the suggested one.
    fix_lock_timeout: str | None = None
    transactional_ddl: bool = True
    connection_autocommit: bool = False  # env.py puts its connection in AUTOCOMMIT (read from env.py only)
    # Seconds a revision's import and upgrade may run before it becomes a load-error (0: no limit).
    revision_timeout: float = 60.0
    # The schema unqualified names resolve to (the first entry of the deploy's search_path).
    default_schema: str = "public"
    # The DBAPI driver the deploy uses ("psycopg2", "psycopg", ...), when sqlalchemy.url does not say it.
    driver: str | None = None
    # Also review each reported revision's downgrade() (review --downgrade).
    downgrade: bool = False
    # The baseline file of accepted findings (resolved against the configuration file's directory).
    baseline: Path | None = None
    # Where recordings are cached (default: .migsafe_cache beside the versions directory); see docs/cache.md.
    cache_dir: Path | None = None
    config_file: Path | None = None
    # Keys the configuration file set explicitly (so env.py detection does not override them).
    explicit: frozenset[str] = frozenset()
    transaction_model_source: str = "default"  # "default", "env.py", "[tool.migsafe]" or "command line"
    # How the team deploys: "each-revision" or "changed-together" (None: each revision, and the new
    # revisions of --changed-since together); see migsafe/deploy.py.
    deploy: str | None = None
    # Size-aware reviews (docs/stats.md): the stats snapshot (resolved against the configuration file's
    # directory), the row counts under which a duration finding is info and from which it is an error, and
    # the age in days after which the snapshot may no longer lower a finding below warning.
    stats: Path | None = None
    # A `migsafe calibrate` file whose throughputs estimates use instead of the built-in defaults (resolved
    # against the configuration file's directory).
    calibration: Path | None = None
    small_table_rows: int = 10_000
    large_table_rows: int = 1_000_000
    stats_max_age: float = 30.0

    def with_overrides(self, **changes: Any) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_KEYS = {"pg-version", "select", "extend-select", "ignore", "extend-ignore", "severity", "start-after", "fail-on",
         "transaction-per-migration", "strict-imports", "lock-timeout", "fix-lock-timeout", "transactional-ddl",
         "default-schema", "driver", "downgrade", "revision-timeout", "baseline", "cache-dir", "deploy",
         "stats", "calibration", "small-table-rows", "large-table-rows", "stats-max-age"}


def read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")  # TOML is UTF-8 by definition; tomllib.load would raise a bare decode error
    except UnicodeDecodeError as exc:
        raise UsageError(decode_error(path, data, exc)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(_toml_error(path, text, exc)) from None


def tool_table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any] | None:
    """``[tool.NAME]`` of a parsed pyproject.toml, None when there is none. Anything but a table where one is
    expected is an error naming the file (Alembic's own message, "Incorrect TOML format", names no file)."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise UsageError(f"{path}: `tool` must be a table, not {_toml_type(tool)}")
    table = tool.get(name)
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{path}: `tool.{name}` must be a table ([tool.{name}]), not {_toml_type(table)}")
    return table


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array"}
    return names.get(type(value), f"a {type(value).__name__}")


def decode_error(path: Path, data: bytes, exc: UnicodeDecodeError) -> str:
    """``FILE:LINE: not UTF-8 (byte 0xe9 at offset 15)``: where to look with a hex editor, and which line.
    ``data`` is the whole file: ``exc`` may come from a decoder that saw one chunk of it."""
    try:
        data.decode(exc.encoding)
        start = exc.start  # the decoder that failed read the file some other way; trust its offset
    except UnicodeDecodeError as whole:
        start = whole.start
    start = min(start, len(data) - 1)
    line = data[:start].count(b"\n") + 1
    encoding = "UTF-8" if codecs.lookup(exc.encoding).name == "utf-8" else exc.encoding
    return f"{path}:{line}: not {encoding} (byte 0x{data[start]:02x} at offset {start})"


_TOML_WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def _toml_error(path: Path, text: str, exc: Exception) -> str:
    """``FILE:LINE: invalid TOML: MESSAGE (column N)``: tomllib puts the place at the end of its message."""
    message = str(exc)
    found = _TOML_WHERE.search(message)
    if found is None:
        return f"{path}: invalid TOML: {message}"
    line, column = (found.group(1), found.group(2)) if found.group(1) else (str(text.count("\n") + 1), None)
    return f"{path}:{line}: invalid TOML: {message[: found.start()]}" + (f" (column {column})" if column else "")


# In one directory, the first of these that exists wins, as ruff prefers .ruff.toml to ruff.toml to
# pyproject.toml; a pyproject.toml counts only with a [tool.migsafe] table, the dedicated files always.
CONFIG_NAMES = (".migsafe.toml", "migsafe.toml", "pyproject.toml")


def find_config(start: Path) -> Path | None:
    """The configuration closest to ``start``: from ``start`` upward, the first directory holding a
    ``.migsafe.toml``, a ``migsafe.toml`` or a pyproject.toml with ``[tool.migsafe]`` (ruff's discovery:
    files further up are not merged in)."""
    start = start.resolve()
    for directory in [start, *start.parents]:
        for name in CONFIG_NAMES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml" or tool_table(read_toml(candidate), "migsafe", candidate) is not None:
                return candidate
    return None


def load_settings(config_file: Path | None, known_rules: set[str]) -> Settings:
    if config_file is None:
        return Settings()
    data = read_toml(config_file)
    table = tool_table(data, "migsafe", config_file)
    if table is None:
        if config_file.name == "pyproject.toml":
            raise UsageError(f"{config_file}: no [tool.migsafe] table")
        table = data  # a dedicated migsafe.toml holds the keys at top level
    where = str(config_file)
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        section = " in [tool.migsafe]" if table is not data else ""
        raise UsageError(f"{where}: unknown key {unknown[0]!r}{section} (known: {', '.join(sorted(_KEYS))})")
    settings = Settings(config_file=config_file)
    if "pg-version" in table:
        settings = replace(settings, pg_version=PgVersion.parse(table["pg-version"], where))
    ids: dict[str, tuple[str, ...]] = {}
    for key in ("select", "extend-select", "ignore", "extend-ignore"):
        if key in table:
            ids[key] = tuple(_string_list(table[key], f"{where}: {key}"))
            check_rule_ids(list(ids[key]), known_rules, f"{where}: {key}")
    if ids:
        settings = replace(settings, rule_selection=(RuleSelection(
            select=ids.get("select"), extend_select=ids.get("extend-select", ()),
            ignore=ids.get("ignore", ()) + ids.get("extend-ignore", ())),))
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise UsageError(f"{where}: severity must be a table of rule id = \"error\"|\"warning\"|\"info\"")
        check_rule_ids(list(sev), known_rules, f"{where}: severity")
        for rule, level in sev.items():
            if level not in SEVERITIES:
                raise UsageError(f"{where}: severity of {rule!r} must be one of {', '.join(SEVERITIES)}")
        settings = replace(settings, severity=dict(sev))
    if "start-after" in table:
        if not isinstance(table["start-after"], str):
            raise UsageError(f"{where}: start-after must be a revision id string")
        settings = replace(settings, start_after=table["start-after"])
    if "fail-on" in table:
        settings = replace(settings, fail_on=check_fail_on(table["fail-on"], where))
    settings = replace(settings, explicit=frozenset(table))
    for key in ("transaction-per-migration", "strict-imports", "transactional-ddl", "downgrade"):
        if key in table:
            value = table[key]
            if not isinstance(value, bool):
                raise UsageError(f"{where}: {key} must be true or false")
            settings = replace(settings, **{key.replace("-", "_"): value})
    if "lock-timeout" in table:
        settings = replace(settings, lock_timeout=check_lock_timeout(table["lock-timeout"], where))
    if "fix-lock-timeout" in table:
        settings = replace(settings, fix_lock_timeout=check_lock_timeout(table["fix-lock-timeout"], where,
                                                                           "fix-lock-timeout"))
    if "revision-timeout" in table:
        settings = replace(settings, revision_timeout=check_revision_timeout(table["revision-timeout"], where))
    if "baseline" in table:
        if not isinstance(table["baseline"], str) or not table["baseline"].strip():
            raise UsageError(f"{where}: baseline must be a file path such as \".migsafe-baseline.json\"")
        settings = replace(settings, baseline=config_file.parent / table["baseline"])
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str) or not table["cache-dir"].strip():
            raise UsageError(f"{where}: cache-dir must be a directory path such as \".migsafe_cache\"")
        settings = replace(settings, cache_dir=config_file.parent / table["cache-dir"])
    if "stats" in table:
        if not isinstance(table["stats"], str) or not table["stats"].strip():
            raise UsageError(f"{where}: stats must be a file path such as \"migsafe-stats.json\"")
        settings = replace(settings, stats=config_file.parent / table["stats"])
    if "calibration" in table:
        if not isinstance(table["calibration"], str) or not table["calibration"].strip():
            raise UsageError(f"{where}: calibration must be a file path such as \"migsafe-calibration.json\"")
        settings = replace(settings, calibration=config_file.parent / table["calibration"])
    for key in ("small-table-rows", "large-table-rows"):
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise UsageError(f"{where}: {key} must be a whole number of rows >= 0, not {value!r}")
            settings = replace(settings, **{key.replace("-", "_"): value})
    if settings.small_table_rows > settings.large_table_rows:
        raise UsageError(f"{where}: small-table-rows ({settings.small_table_rows}) is more than large-table-rows "
                         f"({settings.large_table_rows})")
    if "stats-max-age" in table:
        value = table["stats-max-age"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise UsageError(f"{where}: stats-max-age must be a number of days >= 0, not {value!r}")
        settings = replace(settings, stats_max_age=float(value))
    if "deploy" in table:
        from migsafe.deploy import check_deploy

        settings = replace(settings, deploy=check_deploy(table["deploy"], where))
    if "default-schema" in table:
        settings = replace(settings, default_schema=check_schema_name(table["default-schema"], where))
    if "driver" in table:
        value = table["driver"]
        if not isinstance(value, str) or not value.strip().isidentifier():
            raise UsageError(f"{where}: driver must be a driver name as in postgresql+<driver>://, such as "
                             f"\"psycopg2\" or \"psycopg\", not {value!r}")
        settings = replace(settings, driver=value.strip())
    return settings


def check_schema_name(value: object, where: str) -> str:
    """A schema name as the deploy's search_path names it first: one identifier, no dots or quotes."""
    if not isinstance(value, str) or not value.strip() or any(c in value for c in ".\"', \t\n"):
        raise UsageError(f"{where}: default-schema must be one schema name such as \"public\" or \"app\", "
                         f"not {value!r}")
    return value


def check_revision_timeout(value: object, where: str) -> float:
    """Seconds, a number >= 0 (0: no limit)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 10**7:
        raise UsageError(f"{where}: revision-timeout must be a number of seconds (0 for no limit), not {value!r}")
    return float(value)


def check_lock_timeout(value: object, where: str, key: str = "lock-timeout") -> str:
    """A PostgreSQL duration as ``SET lock_timeout`` accepts it: "2s", "500ms", "1min", or a number of ms."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or duration_ms(value) is None:
        raise UsageError(f"{where}: {key} must be a PostgreSQL duration such as \"2s\", \"500ms\" or "
                         f"\"1min\" (units us, ms, s, min, h, d), not {value!r}")
    return str(value)


def check_fail_on(value: object, where: str) -> str:
    if value not in FAIL_LEVELS:
        raise UsageError(f"{where}: fail-on must be one of {', '.join(FAIL_LEVELS)}, not {value!r}")
    return str(value)


def check_rule_ids(ids: list[str], known: set[str], where: str) -> None:
    for rule_id in ids:
        if rule_id not in known:
            raise UsageError(f"{where}: unknown rule id {rule_id!r} (see `migsafe rules`)")


def _string_list(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where} must be a list of rule ids")
    return list(value)
