"""The progress bar on stderr (see :mod:`migsafe.progress`), for a person watching a terminal.

Shown only when stderr is a terminal that can move its cursor (not ``TERM=dumb``): CI logs, pipes and files
get nothing, whatever ``FORCE_COLOR`` says, and stdout, where the report goes, never gets it. The bar is
transient: when the run ends it is erased, and the terminal holds the report alone. Lines migsafe writes to
stderr meanwhile (a worker's notes, an error) are printed above the bar.

The bar is redrawn when a report comes (and on the supervisor's ticks), at most ten times a second, never
from a thread of its own: the review's supervisor takes SIGINT, SIGTERM and SIGHUP with ``sigtimedwait`` in
the main thread (:mod:`migsafe.worker`), and a refresh thread would receive them instead; a fork while it
held the console's lock would leave the child stuck; and the second recording process of a long history
(:mod:`migsafe.recording.tail`) is not forked at all when another thread runs (replay's review runs in this
process).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from typing import Any, Iterator, TextIO

from migsafe import progress

_EVERY = 0.1  # seconds between redraws


def wanted(stream: TextIO) -> bool:
    """Whether a bar belongs on ``stream``: a terminal, and not a dumb one."""
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def on_stderr(no_color: bool = False) -> Iterator[None]:
    """Show the progress reported in the block as a bar on stderr, when stderr is a terminal."""
    stream = sys.stderr
    if not wanted(stream):
        yield
        return
    from rich.console import Console

    console = Console(file=stream, force_terminal=True, no_color=no_color or bool(os.environ.get("NO_COLOR")),
                      highlight=False)
    bar = _Bar(console)
    with _stderr_above(console), progress.listening(bar):
        try:
            yield
        finally:
            bar.close()


class _Bar:
    """A :class:`migsafe.progress.Listener` that draws one rich progress bar, started at the first report."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.shown: Any = None  # the rich Progress, once a report came
        self.task: Any = None
        self.drawn = 0.0
        self.stage = ""

    def update(self, stage: str, done: int, total: int | None, item: str = "") -> None:
        fields = {"description": stage, "completed": done, "total": total, "item": item,
                  "count": "" if total is None else f"{done}/{total}"}
        if self.shown is None:
            self._start(fields)
        self.shown.update(self.task, **fields)
        now = time.monotonic()
        if stage != self.stage or done == total or now - self.drawn >= _EVERY:
            self.stage = stage
            self._draw(now)

    def tick(self) -> None:
        now = time.monotonic()
        if self.shown is not None and now - self.drawn >= _EVERY:
            self._draw(now)

    def close(self) -> None:
        if self.shown is not None:
            self.shown.stop()  # transient: erases the bar
            self.shown = None

    def _draw(self, now: float) -> None:
        self.drawn = now
        self._fit()
        self.shown.refresh()

    def _fit(self) -> None:
        self.console.width = _columns(self.console.file) - len("^C") - 1

    def _start(self, fields: dict[str, Any]) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.table import Column

        self.shown = Progress(
            TextColumn("{task.description}", table_column=Column(no_wrap=True)),
            BarColumn(bar_width=None),
            TextColumn("{task.fields[count]}", style="progress.download", table_column=Column(no_wrap=True)),
            TextColumn("{task.fields[item]}", table_column=Column(no_wrap=True, overflow="ellipsis", max_width=14)),
            TimeElapsedColumn(table_column=Column(no_wrap=True)),
            console=self.console, transient=True, auto_refresh=False, expand=True,
            redirect_stdout=False, redirect_stderr=False,
        )
        self.task = self.shown.add_task(**fields)
        self._fit()
        self.shown.start()
        self.drawn = time.monotonic()


def _columns(stream: TextIO) -> int:
    """The terminal's width now (it may have been resized). The bar leaves three columns free, for the ``^C``
    the terminal echoes on Ctrl-C and the cursor after it: were the line to wrap, the bar would be pushed up
    out of reach of the erasing, and stay on the screen above "migsafe: interrupted"."""
    try:
        return max(os.get_terminal_size(stream.fileno()).columns, 21)
    except (OSError, ValueError):
        return 80


@contextlib.contextmanager
def _stderr_above(console: Any) -> Iterator[None]:
    """``sys.stderr`` for the block: lines written to it are printed above the bar."""
    previous = sys.stderr
    above = _Above(console, previous)
    sys.stderr = above  # type: ignore[assignment]
    try:
        yield
    finally:
        above.flush()
        sys.stderr = previous


class _Above(io.TextIOBase):
    """Whole lines go to the console, which prints them above the bar, as plain text (not rich markup)."""

    def __init__(self, console: Any, file: TextIO) -> None:
        self._console = console
        self._file = file
        self._unfinished = ""

    def write(self, text: str) -> int:
        *lines, self._unfinished = (self._unfinished + text).split("\n")
        for line in lines:
            self._print(line)
        return len(text)

    def flush(self) -> None:
        if self._unfinished:
            self._print(self._unfinished)
            self._unfinished = ""

    def _print(self, line: str) -> None:
        from rich.text import Text

        self._console.print(Text(line), soft_wrap=True)

    def isatty(self) -> bool:
        return self._file.isatty()

    def fileno(self) -> int:
        return self._file.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._file, "encoding", None) or "utf-8"
