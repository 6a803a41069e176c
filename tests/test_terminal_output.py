"""What a reader at a terminal sees: `text` fitted to the terminal's width with every word whole, `concise`
one line per finding, `--statistics`, `explain` rendered on a terminal, help texts that keep their brackets."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.text import Text

from conftest import USERS_TABLE, body_line, text_findings, write_history
from migsafe.engine import ReviewOptions, review
from migsafe.model import Note
from migsafe.report import Finding, Report
from migsafe.reporters import FORMATS, render
from migsafe.reporters.wrap import wrap

ROOT = Path(__file__).resolve().parent.parent
DANGEROUS = ROOT / "sample_migrations" / "dangerous"
DROP = 'op.drop_column("users", "name")'
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SOURCE_ROW = re.compile(r"    [ \d]{4} \| ")


def migsafe(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          env={**environment, **(env or {})}, timeout=120)


def in_terminal(*args: str, columns: int, cwd: Path) -> str:
    """Run migsafe on a pseudo-terminal ``columns`` wide (COLUMNS unset, as in a shell that does not export
    it): what the reader's screen receives, escape codes removed."""
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environment["TERM"] = "xterm-256color"
    process = subprocess.Popen([sys.executable, "-m", "migsafe", *args], cwd=cwd, env=environment,
                               stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    try:
        while select.select([master], [], [], 120)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        process.wait(timeout=120)
    return ANSI.sub("", b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n"))


@pytest.fixture(scope="module")
def dangerous() -> Report:
    return review(ReviewOptions(paths=[DANGEROUS], cwd=ROOT))


def _blocks(output: str) -> list[dict[str, list[str]]]:
    """Each finding of text output, its rows sorted by part: head, message, source, fix."""
    blocks: list[dict[str, list[str]]] = []
    part = ""
    for row in output.splitlines():
        if row.startswith("  line "):
            blocks.append({"head": [row], "message": [], "source": [], "fix": []})
            part = "message"
        elif not blocks or not row.startswith("    ") or part == "":
            part = ""
        elif SOURCE_ROW.match(row):
            part = "source"
            blocks[-1]["source"].append(row.split("| ", 1)[1])
        elif row.startswith("    fix: "):
            part = "fix"
            blocks[-1]["fix"].append(row[len("    fix: "):])
        else:
            blocks[-1][part].append(row.strip())
    return blocks


def _words(text: str) -> str:
    return " ".join(text.split())


def test_text_at_80_columns_breaks_rows_only_between_words(dangerous):
    """The issue's measure: at 80 columns no finding breaks a word. Every row fits, and each message, source
    line and fix read back, row after row, as the same words."""
    output = render("text", dangerous, width=80)
    rows = output.splitlines()
    assert max(cell_len(row) for row in rows) <= 80
    assert max(len(word) for f in dangerous.findings for word in f"{f.message} {f.fix}".split()) <= 80 - 9, \
        "a word wider than a row would have to be split: the sample no longer tests word boundaries"
    blocks = _blocks(output)
    assert len(blocks) == len(dangerous.findings) == 55
    for block, f in zip(blocks, dangerous.findings):
        assert block["head"] == [f"  line {f.line}: {f.severity} {f.rule}"]
        assert " ".join(block["message"]) == _words(f.message)
        assert " ".join(block["fix"]) == _words(f.fix)
        assert " ".join(block["source"]) == _words(f.source_line)
    # Each revision's path once, in its header, folded after a "/" where it is wider than the terminal.
    found = text_findings(output)
    assert found == [(dangerous.display_path(f.path), f.line, f.severity, f.rule) for f in dangerous.findings]
    assert sum(row.startswith("revision ") for row in rows) == len({f.revision for f in dangerous.findings})
    assert sum(dangerous.display_path(f.path).rsplit("/", 1)[1] in output for f in dangerous.findings) == 55
    for number, row in enumerate(rows[:-1]):
        if row.startswith("revision ") and rows[number + 1].startswith("    ") \
                and not rows[number + 1].startswith("  line"):
            assert row.endswith("/"), row


def test_wrap_breaks_at_spaces_and_folds_only_what_no_row_can_hold():
    # A path that fits a fresh row moves there whole, at the space before it.
    rows = wrap("revision r1: migrations/versions/001_add_a_column.py", 50, "    ").plain.splitlines()
    assert rows == ["revision r1:", "    migrations/versions/001_add_a_column.py"]
    long_path = "a/" * 30 + "file.py"  # 67 cells: no row of 40 holds it
    rows = wrap(f"revision r1: {long_path}", 40, "    ").plain.splitlines()
    assert all(cell_len(row) <= 40 for row in rows)
    assert all(row.endswith("/") for row in rows[:-1])  # folded after "/" and nowhere else
    assert rows[0] == "revision r1: " + rows[0].split(" ", 2)[2] and rows[0].split(" ", 2)[2].startswith("a/")
    assert "".join(row.split(": ", 1)[-1].strip() for row in rows) == long_path
    # Only a word wider than a whole row is ever cut.
    rows = wrap("short " + "x" * 50 + " end", 30, "  ").plain.splitlines()
    assert rows[0] == "short" and all(cell_len(row) <= 30 for row in rows) and rows[-1].endswith(" end")
    assert "".join(row.strip() for row in rows[1:]).startswith("x" * 50)


def test_wrap_keeps_styles_and_starts_later_rows_with_the_continuation():
    text = Text.assemble("  line 7: ", ("error", "bold red"), " ", ("drop-column", "bold"),
                         " and a message long enough to take three rows at this width")
    wrapped = wrap(text, 28, Text.assemble("  ", ("| ", "dim")))
    rows = wrapped.plain.splitlines()
    assert rows[0] == "  line 7: error drop-column" and len(rows) >= 3
    assert all(row.startswith("  | ") for row in rows[1:])
    styled = {(wrapped.plain[s.start:s.end], str(s.style)) for s in wrapped.spans}
    assert {("error", "bold red"), ("drop-column", "bold")} <= styled
    assert sum(style == "dim" for _, style in styled) >= 1 and all(t == "| " for t, s in styled if s == "dim")
    assert wrap("first\nsecond", 80, "> ").plain == "first\n> second"


def test_review_fits_the_terminal_it_runs_in(tmp_path):
    """On a terminal, the terminal's own width (no COLUMNS): 60 columns here, so rows the 80-column default
    would allow are wrong."""
    screen = in_terminal("review", str(DANGEROUS), columns=60, cwd=ROOT)
    rows = screen.splitlines()
    assert max(cell_len(row) for row in rows) <= 60
    assert max(cell_len(row) for row in rows) > 50  # the width is used, not a narrower guess
    assert len(text_findings(screen)) == 55


def test_piped_review_uses_columns_else_80(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    default = migsafe("review", "versions", cwd=tmp_path).stdout.splitlines()
    assert max(len(row) for row in default) <= 80 and max(len(row) for row in default) > 70
    narrow = migsafe("review", "versions", cwd=tmp_path, env={"COLUMNS": "50"}).stdout.splitlines()
    assert max(len(row) for row in narrow) <= 50
    assert _words(" ".join(narrow)) == _words(" ".join(default))


def test_concise_is_one_record_per_finding(dangerous):
    rows = render("concise", dangerous, width=40).splitlines()
    assert "concise" in FORMATS
    records = [re.fullmatch(r"(.+?):(\d+): (error|warning|info) (\S+) (.+)", row) for row in rows[:55]]
    assert [(m.group(1), int(m.group(2)), m.group(3), m.group(4), m.group(5)) for m in records if m] == [
        (dangerous.display_path(f.path), f.line, f.severity, f.rule, _words(f.message)) for f in dangerous.findings]
    assert rows[55].startswith("sample_migrations/") and " note data-dependent " in rows[55]
    assert rows[-2].startswith("55 findings") and rows[-1].startswith("assumed: PostgreSQL 15")
    assert len(rows) == 55 + len(dangerous.notes) + 2


def test_concise_on_the_command_line_and_in_output_files(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    result = migsafe("review", "versions", "--format", "concise", "--output", "concise=out.txt", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    line = body_line(DROP, "drop_column")
    assert f"versions/002_r2.py:{line}: warning drop-column drops column 'name' of table users" in result.stdout
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == result.stdout


def test_statistics_counts_per_rule_with_the_reviews_exit_code(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP, 'op.drop_column("users", "email")'])
    full = json.loads(migsafe("review", "versions", "--format", "json", cwd=tmp_path).stdout)
    expected = Counter(f["rule"] for f in full["findings"])
    assert expected["drop-column"] == 2

    text = migsafe("review", "versions", "--statistics", cwd=tmp_path)
    assert text.returncode == 1
    counted = {}
    for row in text.stdout.splitlines():
        if match := re.fullmatch(r"\s*(\d+)  (\S+)\s+(error|warning|info)", row):
            counted[match.group(2)] = int(match.group(1))
    assert counted == dict(expected)
    assert "drops column" not in text.stdout  # counts instead of the findings

    data = migsafe("review", "versions", "--statistics", "--format", "json", cwd=tmp_path)
    assert data.returncode == 1
    stats = json.loads(data.stdout)
    assert stats["rules"] == dict(expected) and list(stats["rules"])[0] == "drop-column"  # most first
    assert stats["findings"] == len(full["findings"]) and stats["errors"] == 0

    assert migsafe("review", "versions", "--statistics", "--fail-on", "never", cwd=tmp_path).returncode == 0
    wrong = migsafe("review", "versions", "--statistics", "--format", "sarif", cwd=tmp_path)
    assert wrong.returncode == 2 and wrong.stderr.strip() == (
        "migsafe: error: --statistics prints text or json: leave out --format sarif")


def test_explain_renders_markdown_on_a_terminal_and_prints_it_plain_through_a_pipe(tmp_path):
    screen = in_terminal("explain", "drop-column", columns=80, cwd=tmp_path)
    rows = screen.splitlines()
    assert "drop-column" in rows[0] and not rows[0].lstrip().startswith("#")
    assert not [row for row in rows if row.startswith("#") or row.strip().startswith("```")]
    assert max(cell_len(row) for row in rows) <= 80
    piped = migsafe("explain", "drop-column", cwd=tmp_path)
    assert piped.stdout.startswith("# drop-column\n") and "```python" in piped.stdout


def test_help_keeps_square_brackets():
    """Typer reads help as Rich markup: an unescaped "[tool.migsafe]" is taken for a style and vanishes."""
    import typer.main

    from migsafe.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        helps = [param.help or "" for param in command.params] + [command.help or ""]
        wanted = sum(text.count("[tool.migsafe]") for text in helps)
        shown = migsafe(name, "--help", cwd=ROOT, env={"COLUMNS": "400"}).stdout
        assert shown.count("[tool.migsafe]") == wanted, name
    assert "[tool.migsafe] baseline" in migsafe("review", "--help", cwd=ROOT, env={"COLUMNS": "400"}).stdout


def test_a_note_without_a_line_prints_none_of_it(tmp_path):
    """The stale-baseline note names the baseline file, which has no line: nothing stands in for one."""
    report = Report(cwd=tmp_path, notes=[Note(kind="stale-baseline", message="baseline entry for drop-column "
                                              "in revision r2 matches no finding any more (fixed?)",
                                              path=tmp_path / ".migsafe-baseline.json", line=None)])
    for fmt in ("text", "concise"):
        output = render(fmt, report, width=80)
        assert "None" not in output
        assert ".migsafe-baseline.json: note" in output


def test_replay_only_rule_ids_are_valid_in_select_ignore_and_severity(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, DROP])
    (tmp_path / "pyproject.toml").write_text(
        '[tool.migsafe]\nignore = ["observed-rewrite", "migration-failed"]\n'
        '[tool.migsafe.severity]\nobserved-blocking-lock = "warning"\n', encoding="utf-8")
    result = migsafe("review", "versions", "--select", "drop-column,observed-full-scan", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert migsafe("review", "versions", "--ignore", "observed-nothing", cwd=tmp_path).stderr.strip() == (
        "migsafe: error: --ignore: unknown rule id 'observed-nothing' (see `migsafe rules`)")


def test_replay_findings_follow_select_ignore_and_severity():
    from migsafe.config import Settings
    from migsafe.replay.reconcile import configured
    from migsafe.selection import RuleSelection

    def finding(rule: str, severity: str) -> Finding:
        return Finding(rule=rule, severity=severity, message="m", fix="f", path=Path("v.py"), line=1, end_line=1,
                       revision="r1", replay_status="observed")

    found = [finding("observed-rewrite", "error"), finding("observed-blocking-lock", "info"),
             finding("migration-failed", "error")]
    kept = configured(found, Settings(rule_selection=(RuleSelection(ignore=("observed-rewrite",)),),
                                       severity={"observed-blocking-lock": "warning"}))
    assert [(f.rule, f.severity) for f in kept] == [("observed-blocking-lock", "warning"), ("migration-failed", "error")]
    selected = configured(found, Settings(rule_selection=(RuleSelection(select=("drop-column", "migration-failed")),)))
    assert [f.rule for f in selected] == ["migration-failed"]
    # A select of static rules only does not hide what the server did.
    assert configured(found, Settings(rule_selection=(RuleSelection(select=("drop-column",)),))) == found
