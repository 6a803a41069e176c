"""Inline suppression comments, ruff-style.

``# migsafe: ignore[rule-id, ...] optional reason`` on any line of the ``op.*`` call or on the line above it;
``# migsafe: ignore-file[rule-id]`` anywhere in the file; ``-- migsafe: ignore[rule-id]`` inside SQL passed to
``op.execute`` (collected by the recorder per statement). A comment that suppresses nothing is reported, as
squawk and ruff do, so stale ignores do not pile up. Only real comments count: the file is tokenized, so the
text inside a string is not mistaken for a comment.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

_COMMENT_RE = re.compile(r"#\s*migsafe:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?", re.IGNORECASE)


@dataclass
class Directive:
    line: int
    ids: tuple[str, ...]  # ("*",) for a blanket ignore
    whole_file: bool
    used: set[str] = field(default_factory=set)


def parse_directives(source: str) -> list[Directive]:
    directives: list[Directive] = []
    if "migsafe" not in source:
        return directives  # tokenizing every revision is the expensive part; most have no directive
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return directives
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _COMMENT_RE.search(token.string)
        if not match:
            continue
        ids = ("*",) if match.group(2) is None else tuple(
            part.strip() for part in match.group(2).split(",") if part.strip())
        directives.append(Directive(line=token.start[0], ids=ids, whole_file=match.group(1).lower() == "ignore-file"))
    return directives


class Suppressions:
    def __init__(self, directives: list[Directive]) -> None:
        self.directives = directives

    def suppresses(self, rule: str, line: int, end_line: int) -> bool:
        hit = False
        for directive in self.directives:
            applies = directive.whole_file or (line - 1 <= directive.line <= end_line)
            if not applies:
                continue
            for rule_id in directive.ids:
                if rule_id == rule or rule_id == "*":
                    directive.used.add(rule_id)
                    hit = True
        return hit

    def unused(self) -> list[tuple[int, str]]:
        return [(d.line, rule_id) for d in self.directives for rule_id in d.ids if rule_id not in d.used]
