"""Which revisions one ``alembic upgrade`` runs: the deploy a reviewed revision is part of.

With Alembic's default (``transaction_per_migration=False``) one ``alembic upgrade`` is one transaction, but
it runs only the revisions of one deploy, never the whole history: the base revision's locks were released
years ago. Rules that reason about "the same transaction" across revisions, or about tables still empty
because they were created in the same deploy, ask this model which revisions ran together.

By default each reviewed revision is its own deploy; with ``--changed-since`` the revisions new since the
merge base ship together. ``[tool.migsafe] deploy`` says how the team deploys when that differs.
"""

from __future__ import annotations

from dataclasses import dataclass

EACH_REVISION = "each-revision"
CHANGED_TOGETHER = "changed-together"
KINDS = (EACH_REVISION, CHANGED_TOGETHER)


@dataclass(frozen=True)
class DeployModel:
    """``together``: the revisions that ship in one deploy; every other revision ships on its own."""

    kind: str = EACH_REVISION
    together: frozenset[str] = frozenset()
    source: str = "default"  # "default", "[tool.migsafe]", "--changed-since", "named files"

    def of(self, revision: str) -> frozenset[str]:
        """The revisions deployed with ``revision`` (itself included)."""
        return self.together if revision in self.together else frozenset({revision})

    def describe(self) -> str:
        """How the report assumed the history is deployed, for the assumptions line."""
        if self.kind == EACH_REVISION or not self.together:
            text = "each revision deployed on its own"
            if self.kind == CHANGED_TOGETHER:
                text += " (deploy = \"changed-together\", but no --changed-since or named files say which)"
        else:
            count = len(self.together)
            text = f"the {count} {'new revision' if count == 1 else 'new revisions'} deployed together"
        return text if self.source == "default" else f"{text}, from {self.source}"


def check_deploy(value: object, where: str) -> str:
    from migsafe.errors import UsageError

    if value not in KINDS:
        raise UsageError(f"{where}: deploy must be one of {', '.join(repr(k) for k in KINDS)}, not {value!r}")
    return str(value)


def resolve(setting: str | None, added: frozenset[str] | None, named: frozenset[str] | None) -> DeployModel:
    """The deploy model of one review.

    ``setting``: ``[tool.migsafe] deploy`` (None: not set). ``added``: with ``--changed-since``, the revisions
    whose files are new there. ``named``: the revisions of the files named on the command line, if any.
    Unset, the new revisions of ``--changed-since`` ship together and everything else ships alone;
    ``changed-together`` also ships the named files together (pre-commit names the files being committed).
    """
    if setting == EACH_REVISION:
        return DeployModel(EACH_REVISION, source="[tool.migsafe]")
    source = "[tool.migsafe]" if setting == CHANGED_TOGETHER else "default"
    if added is not None:
        return DeployModel(CHANGED_TOGETHER, added, source="--changed-since" if setting is None else source)
    if setting == CHANGED_TOGETHER and named:
        return DeployModel(CHANGED_TOGETHER, named, source=source)
    return DeployModel(setting or EACH_REVISION, source=source)
