"""Which rules run: ``select``, ``extend-select`` and ``ignore`` from the configuration file and the command line,
combined the way ruff combines them.

Each source (the configuration file, then the command line) may set a new basis with ``select``, then adds
``extend-select`` and takes away ``ignore`` (``extend-ignore`` is the same list). So a CI job's
``--ignore drop-column`` turns one more rule off and leaves the team's ignores in place, where replacing the
file's ``ignore`` list would silently turn them all back on; ``--select`` is the one way to start over.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleSelection:
    """One source's say on the rules: ``select`` None when the source does not set a new basis (an empty
    ``select`` means every rule, as it always has in migsafe)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()  # ignore and extend-ignore together

    def apply(self, enabled: frozenset[str], every: frozenset[str]) -> frozenset[str]:
        """The rules enabled after this source, from those enabled before it. Within one source an ignore wins
        over a select of the same rule (ruff: ``ignore`` takes precedence at the same specificity)."""
        basis = enabled if self.select is None else (frozenset(self.select) if self.select else every)
        return (basis | frozenset(self.extend_select)) - frozenset(self.ignore)

    @property
    def empty(self) -> bool:
        return self.select is None and not self.extend_select and not self.ignore


def enabled_rules(every: frozenset[str], sources: tuple[RuleSelection, ...]) -> frozenset[str]:
    """The rules that run: every rule, then each source in order of priority (the file, the command line)."""
    enabled = every
    for source in sources:
        enabled = source.apply(enabled, every)
    return enabled


def split_ids(values: list[str] | None) -> tuple[str, ...] | None:
    """Rule ids from a repeatable, comma-separated command-line option (``--ignore a,b --ignore c``); None
    when the option was not given."""
    if not values:
        return None
    return tuple(part.strip() for item in values for part in item.split(",") if part.strip())
