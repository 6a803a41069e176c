"""A tiny local stand-in for GitHub's REST API: the issue-comment endpoints the pull-request comment uses.

It listens on 127.0.0.1 (no network), records every request (method, path, headers, JSON body), keeps the
comments of one repository in memory, and answers with GitHub's response shapes, replayed from
tests/data/github_api/ (see the README there).
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).parent / "data" / "github_api"
COMMENT = json.loads((DATA / "issue_comment.json").read_text(encoding="utf-8"))
FORBIDDEN = json.loads((DATA / "forbidden.json").read_text(encoding="utf-8"))
PULL_REQUEST_EVENT = json.loads((DATA / "pull_request_event.json").read_text(encoding="utf-8"))
REPOSITORY = "acme/helpdesk"

LIST_OR_CREATE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
UPDATE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


@dataclass
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # names in lower case
    body: Any


@dataclass
class FakeGitHub:
    refuse_writes: bool = False  # answer POST and PATCH with GitHub's 403, as for a fork's read-only token
    page_size: int | None = None  # None: the client's per_page
    link_host: str | None = None  # another name for this server in Link headers (not to be followed)
    comments: list[dict[str, Any]] = field(default_factory=list)  # all on pull request 7
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def add_comment(self, body: str, *, user_type: str = "Bot", login: str = "github-actions[bot]") -> dict[str, Any]:
        comment = copy.deepcopy(COMMENT)
        number = len(self.comments) + 1
        comment.update(id=number, body=body,
                       url=f"https://api.github.com/repos/{REPOSITORY}/issues/comments/{number}",
                       html_url=f"https://github.com/{REPOSITORY}/pull/7#issuecomment-{number}")
        comment["user"].update(type=user_type, login=login)
        self.comments.append(comment)
        return comment

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    def __enter__(self) -> "FakeGitHub":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                headers = {name.lower(): value for name, value in self.headers.items()}  # case does not matter in HTTP
                fake.requests.append(Request(self.command, self.path, headers, body))
                parts = urlsplit(self.path)
                listing = LIST_OR_CREATE.match(parts.path)
                update = UPDATE.match(parts.path)
                matched = listing or update
                if matched is not None and matched.group(1) != REPOSITORY:
                    return self._answer(404, {"message": "Not Found"})
                if listing and self.command == "GET":
                    query = parse_qs(parts.query)
                    size = fake.page_size or int(query.get("per_page", ["30"])[0])
                    page = int(query.get("page", ["1"])[0])
                    chunk = fake.comments[(page - 1) * size:page * size]
                    headers = {}
                    if page * size < len(fake.comments):
                        port = self.server.server_address[1]
                        host = f"{fake.link_host}:{port}" if fake.link_host else self.headers["Host"]
                        headers["Link"] = (f'<http://{host}{parts.path}?per_page={size}&page={page + 1}>; '
                                           f'rel="next", <http://{host}{parts.path}?page=1>; rel="first"')
                    return self._answer(200, chunk, headers)
                if (listing and self.command == "POST") or (update and self.command == "PATCH"):
                    if fake.refuse_writes:
                        return self._answer(403, FORBIDDEN)
                    if listing or update is None:
                        return self._answer(201, fake.add_comment(body["body"]))
                    comment = next((c for c in fake.comments if c["id"] == int(update.group(2))), None)
                    if comment is None:
                        return self._answer(404, {"message": "Not Found"})
                    comment["body"] = body["body"]
                    comment["updated_at"] = "2025-01-06T11:00:00Z"
                    return self._answer(200, comment)
                return self._answer(404, {"message": "Not Found"})

            do_GET = do_POST = do_PATCH = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def event_file(directory: Path, *, fork: bool = False, event: dict[str, Any] | None = None) -> Path:
    """The pull_request event payload at a path, as GITHUB_EVENT_PATH; from a fork if asked."""
    payload = copy.deepcopy(PULL_REQUEST_EVENT if event is None else event)
    if fork:
        payload["pull_request"]["head"]["repo"] = {"full_name": "someone/helpdesk", "fork": True}
    path = directory / f"event-{'fork' if fork else 'pr'}{'' if event is None else '-custom'}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path
