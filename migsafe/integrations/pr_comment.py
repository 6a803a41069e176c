"""Post migsafe's markdown report as ONE pull-request comment, and update that comment on every later push.

Run by the GitHub Action when its ``comment`` input is ``true`` (action.yml)::

    python -m migsafe.integrations.pr_comment [--update-only] REPORT.md [MORE.md ...]

A new comment on every push would bury the conversation; so the comment starts with a hidden marker, and the
next run finds it (the first comment by a bot account that starts with the marker: a person's comment that
quotes the marker is never edited) and edits it instead. ``--update-only`` (the action passes it when the
review found nothing) edits an earlier comment to say so, but does not add a comment to a pull request that
never had one: pull requests that touch no migration stay quiet.

The body is cut to GitHub's limit for a comment (:mod:`migsafe.integrations.markdown_limit`), with a link to
the workflow run, whose job summary holds more.

The comment is an extra: the review's verdict is the check. Whatever goes wrong here (a read-only token on a
pull request from a fork, a missing ``pull-requests: write``, GitHub unreachable) is one ``::warning`` in the
log and exit code 0, never a failed job. Exit code 2 is kept for a wrong invocation (the action's bug).

Environment (every GitHub Actions job has it): ``GITHUB_TOKEN`` (the action passes ``github.token``),
``GITHUB_API_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_EVENT_NAME``, ``GITHUB_EVENT_PATH``; for the link to the
run, ``GITHUB_SERVER_URL`` and ``GITHUB_RUN_ID``. Only the standard library is used (urllib): the action runs
this from its own checkout, whatever the job installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from migsafe.integrations.markdown_limit import COMMENT_LIMIT, fit, utf8_size

MARKER = "<!-- migsafe:pr-comment (updated on every push; keep this line) -->"
API_VERSION = "2022-11-28"
TIMEOUT = 30.0  # seconds per request
PAGE_SIZE = 100  # the most GitHub returns per page of comments


class GitHubError(Exception):
    """A request GitHub refused or that did not reach it."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Api:
    """The few REST calls this module makes, with the job's token."""

    base: str  # GITHUB_API_URL, e.g. https://api.github.com
    repository: str  # owner/name
    token: str

    def request(self, method: str, url: str, body: dict[str, Any] | None = None) -> tuple[Any, str]:
        """(decoded JSON, Link header). ``url`` is a path under the API, or a full URL GitHub gave us."""
        if not url.startswith(("http://", "https://")):
            url = self.base.rstrip("/") + url
        # The token goes to the API's own host only, wherever a Link header points.
        if urlsplit(url)[:2] != urlsplit(self.base)[:2]:
            raise GitHubError(f"refusing to send the token to {urlsplit(url).netloc} (not {self.base})")
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "migsafe-action",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) only
                payload = response.read()
                link = response.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"HTTP {exc.code}: {_message(exc)}", exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GitHubError(f"cannot reach {urlsplit(url).netloc}: {reason}") from None
        try:
            return (json.loads(payload) if payload else None), link
        except ValueError:
            raise GitHubError(f"{method} {urlsplit(url).path}: the answer is not JSON") from None


def _message(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read()).get("message") or error.reason)
    except (ValueError, AttributeError, OSError):
        return str(error.reason)


def _next_page(link: str) -> str | None:
    """The ``rel="next"`` URL of a Link header."""
    for part in link.split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params:
            return url.strip().strip("<>")
    return None


def find_own_comment(api: Api, number: int) -> dict[str, Any] | None:
    """The first comment on pull request ``number`` written by a bot and starting with the marker."""
    url: str | None = f"/repos/{api.repository}/issues/{number}/comments?per_page={PAGE_SIZE}"
    while url:
        comments, link = api.request("GET", url)
        for comment in comments or []:
            user = comment.get("user") or {}
            if user.get("type") == "Bot" and str(comment.get("body") or "").startswith(MARKER):
                return comment  # type: ignore[no-any-return]
        url = _next_page(link)
    return None


def compose(reports: list[str], run_url: str | None, commit: str | None) -> str:
    """The comment: the marker, the reports (cut to fit), and where they come from."""
    footer_parts = []
    if commit:
        footer_parts.append(f"for commit {commit[:7]}")
    if run_url:
        footer_parts.append(f"in [this workflow run]({run_url})")
    footer = (f"\n<sub>migsafe {' '.join(footer_parts)}; this comment is updated on every push.</sub>\n"
              if footer_parts else "")
    where = f"the [workflow run's job summary]({run_url})" if run_url else "the workflow run's job summary"
    note = (f"**Truncated** to fit GitHub's limit for a comment ({COMMENT_LIMIT:,} characters): the full "
            f"report is in {where} and the step log.")
    text = "\n".join(report.rstrip("\n") + "\n" for report in reports)
    room = COMMENT_LIMIT - utf8_size(MARKER + "\n") - utf8_size(footer)
    return MARKER + "\n" + fit(text, room, note) + footer


@dataclass
class PullRequest:
    number: int
    head_sha: str | None
    from_fork: bool


def pull_request_of(event: dict[str, Any]) -> PullRequest | None:
    pull = event.get("pull_request")
    if not isinstance(pull, dict) or not isinstance(pull.get("number"), int):
        return None
    head_repo = ((pull.get("head") or {}).get("repo") or {}).get("full_name")
    base_repo = ((pull.get("base") or {}).get("repo") or {}).get("full_name")
    return PullRequest(number=pull["number"], head_sha=(pull.get("head") or {}).get("sha"),
                       from_fork=head_repo != base_repo)  # a deleted fork has no head repo: a fork too


def publish(api: Api, pull: PullRequest, body: str, update_only: bool) -> str:
    """Create or update the comment; returns what was done, for the log."""
    existing = find_own_comment(api, pull.number)
    if existing is None:
        if update_only:
            return "nothing to report and no earlier comment: none posted"
        created, _ = api.request("POST", f"/repos/{api.repository}/issues/{pull.number}/comments", {"body": body})
        return f"comment posted: {(created or {}).get('html_url', '')}"
    if existing.get("body") == body:
        return f"comment unchanged: {existing.get('html_url', '')}"
    updated, _ = api.request("PATCH", f"/repos/{api.repository}/issues/comments/{existing['id']}", {"body": body})
    return f"comment updated: {(updated or {}).get('html_url', '')}"


def _warn(message: str) -> None:
    # A workflow command: one line, with the characters the runner treats specially escaped.
    text = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::warning title=migsafe pull-request comment::{text}", flush=True)


def _explain(error: GitHubError, pull: PullRequest) -> str:
    if error.status in (401, 403, 404):
        if pull.from_fork:
            return (f"not posted ({error}): on a pull request from a fork GitHub gives the workflow a read-only "
                    "token. The findings are in the annotations and the job summary.")
        return (f"not posted ({error}): give the job `permissions: pull-requests: write` (see "
                "docs/github-action.md). The findings are in the annotations and the job summary.")
    return f"not posted ({error}). The findings are in the annotations and the job summary."


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m migsafe.integrations.pr_comment",
                                     description="Post or update migsafe's pull-request comment.")
    parser.add_argument("--update-only", action="store_true",
                        help="update an earlier comment, but post none if there is none")
    parser.add_argument("reports", nargs="+", help="markdown files, in order")
    args = parser.parse_args(argv)
    env = os.environ if environ is None else environ

    try:
        reports = [open(name, encoding="utf-8", errors="replace").read() for name in args.reports]
    except OSError as exc:
        print(f"migsafe: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with open(env.get("GITHUB_EVENT_PATH", ""), encoding="utf-8") as handle:
            event = json.load(handle)
    except (OSError, ValueError):
        event = {}
    pull = pull_request_of(event) if isinstance(event, dict) else None
    if pull is None:
        print(f"migsafe: not a pull request ({env.get('GITHUB_EVENT_NAME') or 'no event'}): no comment posted")
        return 0
    missing = [name for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not env.get(name)]
    if missing:
        _warn(f"not posted: {' and '.join(missing)} not set")
        return 0

    server, run_id = env.get("GITHUB_SERVER_URL", "").rstrip("/"), env.get("GITHUB_RUN_ID", "")
    run_url = f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{run_id}" if server and run_id else None
    body = compose(reports, run_url, pull.head_sha)
    api = Api(base=env.get("GITHUB_API_URL") or "https://api.github.com", repository=env["GITHUB_REPOSITORY"],
              token=env["GITHUB_TOKEN"])
    try:
        print(f"migsafe: {publish(api, pull, body, args.update_only)}")
    except GitHubError as exc:
        _warn(_explain(exc, pull))
    return 0


if __name__ == "__main__":
    sys.exit(main())
