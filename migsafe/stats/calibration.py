"""The calibration file (``migsafe-calibration.json``) written by ``migsafe calibrate``: dump, and load with checks.

A review with ``--calibration FILE`` (or ``[tool.migsafe] calibration``) estimates durations from these numbers
instead of the built-in defaults, and every estimate's ``basis`` names the file, so a reader knows whose machine
the minutes come from. A missing, corrupt or wrong-version file is a one-line :class:`CalibrationFileError`
naming the file and what is wrong (exit code 2): a review must not silently fall back to other numbers.
Every field is documented in docs/stats.md ("Calibration").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from migsafe.errors import MigsafeError
from migsafe.stats.estimate import Throughputs

#: The value of the top-level ``migsafe_calibration`` key; readers refuse any other.
FORMAT_VERSION = 1
DEFAULT_NAME = "migsafe-calibration.json"

THROUGHPUT_FIELDS = tuple(item.name for item in fields(Throughputs) if item.name != "source")


@dataclass(frozen=True)
class Calibration:
    """What a calibration run measured, and on what: the contents of a calibration file (docs/stats.md)."""

    throughputs: dict[str, float]  # estimate.Throughputs field -> median throughput
    rows: int
    runs: int
    taken_at: str  # ISO-8601 UTC
    server_version: str
    server: str  # "throwaway local cluster" or "scratch database on user@host:port/db"
    durability: dict[str, str]  # DURABILITY_SETTINGS as SHOW reports them


class CalibrationFileError(MigsafeError):
    """A calibration file that cannot be used; the message is one line and starts with the file's path."""


def to_dict(calibration: Calibration) -> dict[str, object]:
    return {
        "migsafe_calibration": FORMAT_VERSION,
        "taken_at": calibration.taken_at,
        "server_version": calibration.server_version,
        "server": calibration.server,
        "durability": dict(calibration.durability),
        "rows": calibration.rows,
        "runs": calibration.runs,
        "throughputs": {name: round(calibration.throughputs[name], 1) for name in THROUGHPUT_FIELDS},
    }


def dump(calibration: Calibration) -> str:
    return json.dumps(to_dict(calibration), indent=2) + "\n"


def write(calibration: Calibration, path: Path) -> None:
    try:
        path.write_text(dump(calibration), encoding="utf-8")
    except OSError as exc:
        raise CalibrationFileError(f"{path}: cannot write: {exc.strerror or exc}") from None


def load(path: Path, shown: str | None = None) -> Throughputs:
    """The throughputs of a calibration file, their ``source`` naming it (as ``shown``, else its path) and when
    and on which PostgreSQL it was measured: every estimate's ``basis`` carries that."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalibrationFileError(f"{path}: no such calibration file (write one with `migsafe calibrate`)"
                                   ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationFileError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalibrationFileError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
                                   ) from None
    if not isinstance(data, dict) or "migsafe_calibration" not in data:
        raise CalibrationFileError(f"{path}: not a migsafe calibration file (no \"migsafe_calibration\" key)")
    if data["migsafe_calibration"] != FORMAT_VERSION:
        raise CalibrationFileError(f"{path}: calibration format {data['migsafe_calibration']!r} is not supported "
                                   f"(this migsafe reads {FORMAT_VERSION}); run `migsafe calibrate` again")
    throughputs = data.get("throughputs")
    if not isinstance(throughputs, dict):
        raise CalibrationFileError(f"{path}: throughputs must be an object of numbers")
    taken_at = data.get("taken_at")
    version = data.get("server_version")
    source = f"calibrated in {shown or path}"
    if isinstance(taken_at, str) and isinstance(version, str):
        source += f", {taken_at[:10]}, PostgreSQL {version.split()[0]}"
    try:
        return Throughputs.from_dict({**throughputs, "source": source}, "throughputs")
    except ValueError as exc:
        raise CalibrationFileError(f"{path}: {exc}") from None
