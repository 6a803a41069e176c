"""``replay --contention`` in words and tables, shared by the text, Markdown and JSON reports: the side-by-side
sentence (what the lock_timeout buys), the rows of the table, and the JSON fields."""

from __future__ import annotations

from typing import Any

from migsafe.replay.model import Contention, ContentionRun, ObservedStatement, ReplayedRevision

HEADERS = ("line", "table", "run", "lock wait", "held", "app queries", "blocked", "max wait", "p99", "errors")


def _s(ms: float) -> str:
    return f"{ms / 1000:.1f} s"


def _queries(n: int) -> str:
    return f"{n} application quer{'y' if n == 1 else 'ies'}"


def _as_written(c: Contention) -> str:
    run = c.as_written
    behind = f"a {c.reader_seconds:g} s report query"
    if run.gave_up:
        head = f"as written, the migration gave up after {_s(run.lock_wait_ms)} ({run.error})"
    elif run.app_blocked:
        head = (f"without lock_timeout: {_queries(run.app_blocked)} on `{c.table}` blocked up to "
                f"{_s(run.app_wait_max_ms)}")
        head += (f" while the migration waited {_s(run.lock_wait_ms)} behind {behind}" if run.lock_wait_ms >= 100
                 else f" while the migration held its {c.mode.removesuffix('Lock')} lock")
    else:
        head = (f"without lock_timeout: no application query on `{c.table}` waited over 100 ms (longest "
                f"{run.app_wait_max_ms:.0f} ms)")
        if run.lock_wait_ms >= 100:
            head += f"; the migration waited {_s(run.lock_wait_ms)} behind {behind}"
    if run.gave_up and run.app_blocked:
        head += f"; {_queries(run.app_blocked)} on `{c.table}` blocked up to {_s(run.app_wait_max_ms)}"
    return head


def _with_timeout(c: Contention) -> str:
    run = c.with_timeout
    if run is None:
        return c.note or "measured once"
    setting = f"with lock_timeout = {c.lock_timeout}"
    if run.gave_up:
        longest = "no query waited longer than " + _s(run.app_wait_max_ms) if run.app_wait_max_ms >= 100 \
            else "no query waited over 100 ms"
        return f"{setting} the migration gave up after {_s(run.lock_wait_ms)} and {longest}; retry it"
    if run.app_blocked:
        return f"{setting} it got its lock and {_queries(run.app_blocked)} were blocked up to {_s(run.app_wait_max_ms)}"
    return f"{setting} no application query waited over 100 ms"


def sentence(c: Contention) -> str:
    """"without lock_timeout: 184 application queries on `tickets` blocked up to 4.0 s while the migration waited
    4.0 s behind a 4 s report query; with lock_timeout = 2s the migration gave up after 2.0 s and no query
    waited longer than 2.0 s; retry it"."""
    return f"{_as_written(c)}; {_with_timeout(c)}"


def setup(options: Any) -> str:
    """How the scenes were staged, with where the lock_timeout of the second run came from."""
    return (f"slow reader {options.reader_seconds:g} s, {options.rate:g} application queries/s on "
            f"{options.connections} connections; second run with lock_timeout = {options.lock_timeout}: "
            f"{options.lock_timeout_source}")


def _row(run: ContentionRun) -> list[str]:
    return [f"{run.lock_wait_ms:,.0f} ms" + (" (gave up)" if run.gave_up else ""), f"{run.lock_held_ms:,.0f} ms",
            str(run.app_queries), str(run.app_blocked), f"{run.app_wait_max_ms:,.0f} ms",
            f"{run.app_wait_p99_ms:,.0f} ms", str(run.app_errors)]


def rows(s: ObservedStatement) -> list[list[str]]:
    """The statement's rows in the contention table: as written, then with the lock_timeout."""
    c = s.contention
    if c is None:
        return []
    out = [[str(s.line), c.table, "as written", *_row(c.as_written)]]
    if c.with_timeout is not None:
        out.append(["", "", f"lock_timeout {c.lock_timeout}", *_row(c.with_timeout)])
    return out


def measured(revision: ReplayedRevision) -> list[ObservedStatement]:
    return [s for s in revision.statements if s.contention is not None]


def _run_dict(run: ContentionRun) -> dict[str, Any]:
    return {"lock_wait_ms": run.lock_wait_ms, "lock_held_ms": run.lock_held_ms, "app_queries": run.app_queries,
            "app_blocked": run.app_blocked, "app_wait_max_ms": run.app_wait_max_ms,
            "app_wait_p99_ms": run.app_wait_p99_ms, "app_errors": run.app_errors, "gave_up": run.gave_up,
            "error": run.error}


def as_dict(c: Contention | None) -> dict[str, Any] | None:
    if c is None:
        return None
    data = {"table": c.table, "mode": c.mode, "reader_seconds": c.reader_seconds, "app_rate": c.rate,
            **_run_dict(c.as_written), "with_timeout": None, "note": c.note, "words": sentence(c)}
    if c.with_timeout is not None:
        data["with_timeout"] = {**_run_dict(c.with_timeout), "lock_timeout": c.lock_timeout,
                                "lock_timeout_source": c.lock_timeout_source}
    return data
