"""Errors that stop migsafe from doing its job (exit code 2). They carry a one-line message for the user."""

from __future__ import annotations


class MigsafeError(Exception):
    """Base class: the CLI prints ``str(error)`` on one line and exits with 2, never a traceback."""


class UsageError(MigsafeError):
    """Bad arguments, bad configuration, nothing to review."""


class Terminated(SystemExit):
    """The process was asked to stop (SIGTERM) while a server was up. A ``SystemExit`` so that ``finally``
    blocks clean up, and a class of its own so that code running revisions (which must survive a revision's
    own ``sys.exit()``) can tell the two apart and let this one through."""
