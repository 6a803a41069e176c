"""The pull-request comment (migsafe/integrations/pr_comment.py) and the size limits of GitHub's markdown
(migsafe/integrations/markdown_limit.py), against a local fake of GitHub's API (tests/fake_github.py).

The GitHub Action's own use of them (the `comment` input) is tested in test_github_action.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fake_github import REPOSITORY, FakeGitHub, event_file
from migsafe.integrations import pr_comment
from migsafe.integrations.markdown_limit import COMMENT_LIMIT, fit

REPORT = "## migsafe\n\n**2 findings** (1 error, 1 warning, 0 info) in 1 revision.\n"


def utf8_size(text: str) -> int:  # measured here, not with the code under test
    return len(text.encode("utf-8"))


def _env(fake: FakeGitHub, tmp_path: Path, **changes: str) -> dict[str, str]:
    env = {"GITHUB_TOKEN": "ghs_test", "GITHUB_API_URL": fake.url, "GITHUB_REPOSITORY": REPOSITORY,
           "GITHUB_EVENT_NAME": "pull_request",
           "GITHUB_EVENT_PATH": changes.get("GITHUB_EVENT_PATH") or str(event_file(tmp_path)),
           "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "1234"}
    env.update(changes)
    return env


def _post(fake: FakeGitHub, tmp_path: Path, text: str = REPORT, *args: str, **env: str) -> tuple[int, str]:
    report = tmp_path / "summary.md"
    report.write_text(text, encoding="utf-8")
    code = pr_comment.main([*args, str(report)], _env(fake, tmp_path, **env))
    return code, report.read_text()


# --- markdown_limit --------------------------------------------------------------------------------------------

def test_fit_leaves_a_report_that_fits_alone():
    text = "## migsafe\n\n| a | b |\n|---|---|\n| é | ü |\n"
    assert fit(text, utf8_size(text), "cut") == text


def test_fit_cuts_at_a_line_counts_bytes_and_closes_what_is_open():
    rows = "".join(f"| `ÿ{n}` | é |\n" for n in range(200))  # two-byte characters
    text = f"## migsafe\n\n<details><summary>notes</summary>\n\n```sql\n{rows}```\n\n</details>\n"
    for limit in (60, 300, 1000, 2500):
        cut = fit(text, limit, "*(truncated)*")
        assert utf8_size(cut) <= limit, limit
        assert cut.endswith("\n*(truncated)*\n")
        assert cut.count("```") % 2 == 0 and cut.count("<details>") == cut.count("</details>"), cut
        body = cut.rsplit("\n*(truncated)*", 1)[0]
        kept = [line for line in body.splitlines() if line not in ("```", "</details>")]
        assert text.startswith("\n".join(kept)), "whole lines from the start"


def test_fit_with_no_room_keeps_what_it_can_of_the_note():
    assert fit("x" * 100, 10, "truncated: see the log") == "truncated:"


def test_fit_command_line_writes_utf8_whatever_the_locale(tmp_path):
    report = tmp_path / "r.md"
    report.write_text("é\n" * 1000, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "migsafe.integrations.markdown_limit", "--limit", "500",
                             "--note", "(cut)", str(report)], capture_output=True, env={"LC_ALL": "C"},
                            cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) <= 500 and result.stdout.decode("utf-8").endswith("(cut)\n")


# --- the comment ------------------------------------------------------------------------------------------------

def test_first_run_posts_one_comment_with_the_marker(tmp_path, capsys):
    with FakeGitHub() as fake:
        code, _ = _post(fake, tmp_path)
    assert code == 0
    [listing, create] = fake.requests
    assert (listing.method, listing.path) == ("GET", f"/repos/{REPOSITORY}/issues/7/comments?per_page=100")
    assert (create.method, create.path) == ("POST", f"/repos/{REPOSITORY}/issues/7/comments")
    for request in fake.requests:
        assert request.headers["authorization"] == "Bearer ghs_test"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
    body = create.body["body"]
    assert body.startswith(pr_comment.MARKER + "\n" + REPORT)
    assert "commit 4f0c2d9" in body and "(https://github.com/acme/helpdesk/actions/runs/1234)" in body
    assert "comment posted: https://github.com/acme/helpdesk/pull/7#issuecomment-1" in capsys.readouterr().out


def test_later_runs_update_that_comment(tmp_path):
    with FakeGitHub() as fake:
        fake.add_comment("LGTM", user_type="User", login="reviewer")
        _post(fake, tmp_path)
        _post(fake, tmp_path, REPORT.replace("2 findings", "1 finding"))
        _post(fake, tmp_path, REPORT.replace("2 findings", "1 finding"))  # nothing new: not even a PATCH
    assert [(r.method, r.path) for r in fake.writes()] == [
        ("POST", f"/repos/{REPOSITORY}/issues/7/comments"), ("PATCH", f"/repos/{REPOSITORY}/issues/comments/2")]
    assert [c["body"].split("\n")[3] for c in fake.comments[1:]] == ["**1 finding** (1 error, 1 warning, 0 info) "
                                                                     "in 1 revision."]
    assert fake.comments[0]["body"] == "LGTM"


def test_the_comment_is_found_on_a_later_page(tmp_path):
    with FakeGitHub(page_size=2) as fake:
        for n in range(4):
            fake.add_comment(f"comment {n}", user_type="User", login="reviewer")
        own = fake.add_comment(pr_comment.MARKER + "\nold report")
        _post(fake, tmp_path)
    assert [r.path.split("?")[1] for r in fake.requests if r.method == "GET"] == [
        "per_page=100", "per_page=2&page=2", "per_page=2&page=3"]
    assert [(r.method, r.path) for r in fake.writes()] == [
        ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{own['id']}")]


def test_a_persons_comment_quoting_the_marker_is_never_edited(tmp_path):
    with FakeGitHub() as fake:
        fake.add_comment(pr_comment.MARKER + "\nI pasted the bot's comment", user_type="User", login="reviewer")
        _post(fake, tmp_path)
    assert [r.method for r in fake.writes()] == ["POST"]
    assert fake.comments[0]["body"].endswith("I pasted the bot's comment")


def test_a_link_to_another_host_is_not_followed_with_the_token(tmp_path, capsys):
    # "localhost" reaches the same fake server: were the link followed, the fake would record it.
    with FakeGitHub(page_size=1, link_host="localhost") as fake:
        fake.add_comment("first", user_type="User", login="reviewer")
        fake.add_comment("second", user_type="User", login="reviewer")
        code, _ = _post(fake, tmp_path)
    assert code == 0 and len(fake.requests) == 1 and fake.writes() == []
    out = capsys.readouterr().out
    port = fake.url.rsplit(":", 1)[1]
    assert out.startswith("::warning ") and f"refusing to send the token to localhost:{port}" in out


def test_update_only_posts_nothing_new_but_updates_an_old_comment(tmp_path):
    clean = "## migsafe\n\nNo findings in 1 revision.\n"
    with FakeGitHub() as fake:
        _post(fake, tmp_path, clean, "--update-only")
        assert fake.writes() == [] and fake.comments == []
        fake.add_comment(pr_comment.MARKER + "\n**2 findings**")
        _post(fake, tmp_path, clean, "--update-only")
    assert [r.method for r in fake.writes()] == ["PATCH"]
    assert "No findings in 1 revision." in fake.comments[0]["body"]


def test_a_huge_report_is_cut_to_githubs_limit(tmp_path):
    rows = "".join(f"| `versions/{n:04d}_r.py:{n}` | index-not-concurrent | error | blocks writes … |\n"
                   for n in range(3000))
    report = "## migsafe\n\n| where | rule | severity | what happens |\n|---|---|---|---|\n" + rows
    report += "\n<details><summary>3 notes</summary>\n\n- a note\n\n</details>\n\n_Assumed PostgreSQL 15._\n"
    assert utf8_size(report) > 3 * COMMENT_LIMIT
    with FakeGitHub() as fake:
        _post(fake, tmp_path, report)
    [create] = fake.writes()
    body = create.body["body"]
    assert COMMENT_LIMIT - 1000 < utf8_size(body) <= COMMENT_LIMIT
    assert body.startswith(pr_comment.MARKER + "\n## migsafe\n") and "| `versions/0100_r.py:100` |" in body
    assert "**Truncated** to fit GitHub's limit for a comment (65,536 characters): the full report is in the " \
           "[workflow run's job summary](https://github.com/acme/helpdesk/actions/runs/1234)" in body
    assert body.rstrip().endswith("this comment is updated on every push.</sub>")


@pytest.mark.parametrize("fork, advice", [
    (True, "on a pull request from a fork GitHub gives the workflow a read-only token"),
    (False, "give the job `permissions: pull-requests: write`"),
])
def test_a_read_only_token_is_a_warning_not_a_failure(tmp_path, capsys, fork, advice):
    with FakeGitHub(refuse_writes=True) as fake:
        code, _ = _post(fake, tmp_path, GITHUB_EVENT_PATH=str(event_file(tmp_path, fork=fork)))
    assert code == 0
    [warning] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    assert warning.startswith("::warning title=migsafe pull-request comment::not posted (HTTP 403: Resource not "
                              "accessible by integration)")
    assert advice in warning


def test_github_unreachable_is_a_warning(tmp_path, capsys):
    with FakeGitHub() as fake:
        url = fake.url
    report = tmp_path / "summary.md"
    report.write_text(REPORT, encoding="utf-8")
    environment = _env(fake, tmp_path, GITHUB_API_URL=url)  # the server is gone: connection refused
    assert pr_comment.main([str(report)], environment) == 0
    out = capsys.readouterr().out
    assert out.startswith("::warning ") and "cannot reach 127.0.0.1" in out


def test_outside_a_pull_request_nothing_is_asked(tmp_path, capsys):
    push = {"ref": "refs/heads/main", "repository": {"full_name": REPOSITORY}}
    with FakeGitHub() as fake:
        code, _ = _post(fake, tmp_path, GITHUB_EVENT_NAME="push",
                        GITHUB_EVENT_PATH=str(event_file(tmp_path, event=push)))
    assert code == 0 and fake.requests == []
    assert "not a pull request (push): no comment posted" in capsys.readouterr().out


def test_a_missing_report_file_is_a_usage_error(tmp_path, capsys):
    with FakeGitHub() as fake:
        assert pr_comment.main([str(tmp_path / "nope.md")], _env(fake, tmp_path)) == 2
    assert fake.requests == []
    assert capsys.readouterr().err.startswith("migsafe: error: ")


def test_the_module_needs_only_the_standard_library():
    # The action runs it from its own checkout with the job's Python, whatever migsafe that job installed.
    code = ("import sys, migsafe.integrations.pr_comment; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'alembic', 'pglast', 'typer', 'rich', 'click')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0 and json.loads(result.stdout.replace("'", '"')) == [], result.stderr
