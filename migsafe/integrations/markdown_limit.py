"""Cut a markdown report to fit a size limit without breaking what follows the cut.

GitHub refuses a pull-request comment over 65,536 characters and a step summary over 1 MiB (the whole
upload fails, so the reader gets nothing). A report that is too long keeps its first whole lines; a
``<details>`` block or a code fence left open at the cut is closed (otherwise the note after it would be
folded away or shown as code), and a note says where the rest is. Sizes are counted in UTF-8 bytes, which
is never less than the characters or UTF-16 units GitHub may count, so the result is under the limit
however it is measured.

Command line, for the action's summaries::

    python -m migsafe.integrations.markdown_limit --limit BYTES --note TEXT FILE... >> "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

import argparse
import sys

COMMENT_LIMIT = 65_536  # GitHub: the maximum length of an issue or pull-request comment body
STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub: the maximum size of one step's job summary


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _closing(open_details: int, in_fence: bool) -> str:
    return ("```\n" if in_fence else "") + "</details>\n" * open_details


def fit(text: str, limit: int, note: str) -> str:
    """``text`` itself when it fits in ``limit`` bytes; otherwise its longest prefix of whole lines that fits
    together with the closing tags it needs and ``note`` (on its own paragraph)."""
    if utf8_size(text) <= limit:
        return text
    tail = "\n" + note.strip() + "\n"
    kept: list[str] = []
    size = 0
    open_details, in_fence = 0, False
    best = tail.lstrip("\n")  # the longest prefix that fits, closed, with the note; at first none of the text
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            line += "\n"
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence:
            open_details = max(0, open_details + line.count("<details") - line.count("</details>"))
        size += utf8_size(line)
        kept.append(line)
        closing = _closing(open_details, in_fence)
        if size + utf8_size(closing) + utf8_size(tail) > limit:
            break
        best = "".join(kept) + closing + tail
    if utf8_size(best) > limit:  # not even the note fits: as much of it as does, on a character boundary
        best = tail.strip().encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m migsafe.integrations.markdown_limit",
                                     description="Print markdown files, cut to fit a size limit.")
    parser.add_argument("--limit", type=int, default=STEP_SUMMARY_LIMIT, help="maximum size in UTF-8 bytes")
    parser.add_argument("--note", default="*(truncated)*", help="said after the cut")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    try:
        text = "".join(open(name, encoding="utf-8", errors="replace").read() for name in args.files)
    except OSError as exc:
        print(f"migsafe: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(fit(text, args.limit, args.note).encode("utf-8"))  # whatever the locale says
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
