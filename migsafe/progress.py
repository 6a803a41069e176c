"""How far a long run is: reported where the work happens, shown by whoever listens.

The recording loop and replay say how far they are (:func:`report`); nothing listens unless a listener is
installed (:func:`listening`). The command line installs a bar on stderr when stderr is a terminal
(:mod:`migsafe.progress_bar`); the review worker, forked from it, passes each report to its supervisor over
the pipe (:mod:`migsafe.worker`), which reports it again in the command line's process. When nobody listens
a report costs one ``is None`` test: the recording loop makes one per revision, and this module imports
nothing, so that the work does not pay for a display it does not have.
"""

from __future__ import annotations

import contextlib
from typing import Iterator, Protocol


class Listener(Protocol):
    def update(self, stage: str, done: int, total: int | None, item: str = "") -> None:
        """``done`` of ``total`` units of ``stage`` (a short description such as "recording revisions") are
        finished; ``total`` None: not known (starting a server). ``item``: what is being worked on (a
        revision id), or nothing."""

    def tick(self) -> None:
        """Nothing new, time passed: a display may show that it is still alive."""


_listener: Listener | None = None


def report(stage: str, done: int = 0, total: int | None = None, item: str = "") -> None:
    if _listener is not None:
        _listener.update(stage, done, total, item)


def tick() -> None:
    if _listener is not None:
        _listener.tick()


def active() -> bool:
    """Whether anyone listens: a worker passes reports on only then."""
    return _listener is not None


@contextlib.contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send the reports made in the block to ``listener`` (None: to nobody)."""
    global _listener
    previous, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = previous


def forget() -> None:
    """In a forked child whose parent shows the progress: report nothing (the child would draw over the
    parent's bar)."""
    global _listener
    _listener = None
