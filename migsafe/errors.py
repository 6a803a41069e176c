"""Errors that stop migsafe from doing its job (exit code 2). They carry a one-line message for the user."""

from __future__ import annotations


class MigsafeError(Exception):
    """Base class: the CLI prints ``str(error)`` on one line and exits with 2, never a traceback."""


class UsageError(MigsafeError):
    """Bad arguments, bad configuration, nothing to review."""
