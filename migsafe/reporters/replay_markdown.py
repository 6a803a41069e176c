"""``migsafe replay --format markdown``: for a pull-request comment or ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from migsafe.replay.run import ReplayReport
from migsafe.reporters import contention
from migsafe.reporters.replay_text import _blocks, _locks
from migsafe.reporters.timeline import mermaid


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(result: ReplayReport, *, color: bool = False) -> str:
    report = result.report
    lines = ["## migsafe replay", "",
             f"Replayed on {result.server_version or 'PostgreSQL'} ({_cell(result.server)}).", ""]
    for revision in result.revisions:
        if not revision.reviewed:
            continue
        lines += [f"### `{revision.revision}` — `{report.display_path(revision.path)}`", ""]
        if revision.error:
            lines += [f"**Failed on the server:** {_cell(revision.error)}", ""]
        lines += ["| line | statement | locks taken | blocks | rewrite | scan | ms |",
                  "|---:|---|---|---|---|---|---:|"]
        for s in revision.statements:
            sql = s.sql if len(s.sql) <= 80 else s.sql[:79] + "…"
            lines.append(f"| {s.line} | `{_cell(sql)}` | {_cell(_locks(s))} | {_blocks(s)} | "
                         f"{_cell(', '.join(s.existing_rewrites) or '-')} | {_cell(', '.join(s.existing_scans) or '-')} "
                         f"| {s.duration_ms:.1f} |")
        extrapolated = [s for s in revision.statements if s.extrapolation is not None]
        if extrapolated:
            lines += ["", "Extrapolated to the production size (stats snapshot; linear in rows, not measured):", ""]
            lines += [f"- line {s.line}: {_cell(s.extrapolation.words())}" for s in extrapolated]  # type: ignore[union-attr]
        measured = contention.measured(revision)
        if measured:
            lines += ["", "Under contention:", "", "| " + " | ".join(contention.HEADERS) + " |",
                      "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"]
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for s in measured for row in contention.rows(s)]
            lines += [""] + [f"- line {s.line}: {_cell(contention.sentence(s.contention))}"  # type: ignore[arg-type]
                             for s in measured]
            lines += ["", *mermaid(revision)]
        findings = [f for f in report.findings if f.revision == revision.revision]
        if findings:
            lines += ["", "| line | rule | replay | detail |", "|---:|---|---|---|"]
            lines += [f"| {f.line} | `{f.rule}` | {f.replay_status} | {_cell(f.replay_detail or f.text)} |"
                      for f in findings]
        lines.append("")
    if report.errors:
        lines += ["### Could not be reviewed", ""]
        lines += [f"- `{report.display_path(e.path)}:{e.line}`: {_cell(e.message)}" for e in report.errors]
        lines.append("")
    if result.contention is not None:
        lines += [f"_Contention: {_cell(contention.setup(result.contention))}._", ""]
        lines += [f"- not measured: {_cell(why)}" for why in result.unmeasured]
        if result.unmeasured:
            lines.append("")
    lines.append(f"_Assumed PostgreSQL {report.pg_version}, {report.transaction_description}; "
                 f"{report.settings_description}._")
    return "\n".join(lines) + "\n"
