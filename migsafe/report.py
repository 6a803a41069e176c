"""The one report object every reporter renders, and the exit code it implies."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from migsafe.envpy import Driver
from migsafe.model import LoadError, Note, RecordedRevision
from migsafe.sql.actions import QName
from migsafe.stats.estimate import Estimate, TableSize

if TYPE_CHECKING:
    from migsafe.stats.sizing import Phase

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    fix: str
    path: Path
    line: int
    end_line: int
    revision: str
    sql: str = ""
    source_line: str = ""
    order: int = 0  # position of the revision in upgrade order
    # Set by replay: "confirmed", "not observed", "not observable", or "observed" for replay's own findings.
    replay_status: str | None = None
    replay_detail: str = ""
    direction: str = "upgrade"  # "downgrade": found in downgrade() (review --downgrade)
    # Size-aware reviews (migsafe/stats/sizing.py): the table the finding is about and, for rules whose danger
    # is a duration, its blocking phase; with a stats snapshot, the table's size, the estimated duration and
    # why the severity moved.
    table: QName | None = None
    phase: "Phase | None" = None
    table_size: TableSize | None = None
    estimate: Estimate | None = None
    severity_reason: str = ""
    # The size in words ("ACCESS EXCLUSIVE on tickets (41 M rows, 22 GB) for about 1.3-5.4 min while ..."), kept
    # apart from ``message`` so that baseline and code-scanning fingerprints do not change with a snapshot.
    size_words: str = ""
    # From the rule, for `review --fix`: what only the schema model knew ((name, value) pairs; never shown).
    facts: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        """What every format shows: the rule's message, then the table's size in words when a snapshot gave one."""
        return f"{self.message}; {self.size_words}" if self.size_words else self.message


@dataclass(frozen=True)
class PartialReview:
    """A revision reviewed with stand-ins for modules that could not be imported: what reports say of it."""

    revision: str
    path: Path
    stubbed: tuple[str, ...]
    stub_calls: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, recorded: "RecordedRevision") -> "PartialReview":
        return cls(recorded.revision, recorded.path, tuple(recorded.stubbed), tuple(recorded.stub_calls))


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    pg_version: str = "15"
    transaction_model: str = "per-migration"  # "per-migration", "single" or "none" (transactional_ddl=False)
    transaction_model_source: str = "default"
    deploy: str = "each-revision"  # which revisions one `alembic upgrade` runs (migsafe/deploy.py)
    deploy_description: str = "each revision deployed on its own"
    driver: Driver = field(default_factory=Driver)  # decides what follows a bare COMMIT
    config_file: Path | None = None  # the configuration file the settings came from (None: defaults)
    revisions_reviewed: int = 0
    revisions_loaded: int = 0
    fail_on: str = "warning"
    cwd: Path = field(default_factory=Path.cwd)
    partial: list[PartialReview] = field(default_factory=list)
    baselined: int = 0  # findings left out because the baseline file knows them
    fixed_files: list[Path] | None = None  # review --fix: the files it rewrote (None: not a --fix run)

    def sort(self) -> None:
        # The SQL breaks ties: SQLAlchemy emits a table's `index=True` indexes from a set, in an order that
        # changes from run to run (Alembic's own --sql output too); reports must not.
        self.findings.sort(key=lambda f: (f.order, f.line, f.rule, f.sql or "", f.message))

    def display_path(self, path: Path | None) -> str:
        if path is None:
            return ""
        return _display_path(path, self.cwd)

    def summary_line(self) -> str:
        """"N findings (…) in M revisions; K could not be reviewed": the same words in every text format."""
        counts = self.counts
        text = (f"{len(self.findings)} finding{'s' if len(self.findings) != 1 else ''} "
                f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info) in "
                f"{self.revisions_reviewed} revision{'s' if self.revisions_reviewed != 1 else ''}")
        if self.errors:
            text += f"; {len(self.errors)} could not be reviewed"
        return text

    @property
    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def exit_code(self) -> int:
        if self.errors:
            return 2
        if self.fail_on == "never":
            return 0
        threshold = SEVERITY_ORDER[self.fail_on]
        return 1 if any(SEVERITY_ORDER[f.severity] >= threshold for f in self.findings) else 0

    @property
    def transaction_description(self) -> str:
        if self.transaction_model == "per-migration":
            text = "one transaction per revision (transaction_per_migration=True)"
        elif self.transaction_model == "none":
            text = "no transactions (transactional_ddl=False, or a connection in AUTOCOMMIT)"
        else:
            text = "one transaction per `alembic upgrade` (Alembic's default)"
        return text if self.transaction_model_source == "default" else f"{text}, from {self.transaction_model_source}"

    @property
    def assumed(self) -> str:
        """The assumptions line's words after the PostgreSQL version: the transaction model, the deploy model
        (which revisions one `alembic upgrade` runs decides what "the same transaction" spans), the driver
        (it decides what follows a bare COMMIT) and the configuration file read."""
        return (f"{self.transaction_description}; {self.deploy_description}; {self.driver.description}; "
                f"{self.settings_description}")

    @property
    def settings_description(self) -> str:
        """Which configuration file the settings came from: a reader who sees an unexpected rule set or
        PostgreSQL version knows which file to open (or that none was found)."""
        if self.config_file is None:
            return "default settings (no configuration file found)"
        return f"settings from {self.display_path(self.config_file)}"

    @property
    def assumptions_line(self) -> str:
        """The assumptions as every text format states them."""
        return f"PostgreSQL {self.pg_version}, {self.assumed}"


@functools.lru_cache(maxsize=4096)
def _display_path(path: Path, cwd: Path) -> str:
    """Memoized: a report of thousands of findings names the same few hundred files (resolving is a system
    call per path component)."""
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path.resolve())
