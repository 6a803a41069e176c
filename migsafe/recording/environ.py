"""Placeholders for environment variables the review machine does not set.

Revision modules read their deployment's settings at import (``DB_SCHEMA = os.environ["APP_SCHEMA"]``); on
the review machine the variable is usually missing and the ``KeyError`` would make the whole revision a
load error, though nothing about its migration depends on the value. While revisions run, a subscript of
``os.environ`` in a revision file for a missing variable answers a placeholder and remembers the name, so
the revision can be reviewed as partial with a note naming it. ``get()``, ``in`` and ``os.getenv`` still
see the variable missing: code that asks whether it is set gets the true answer.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, Iterator

from collections.abc import Mapping, MutableMapping

PLACEHOLDER = "migsafe-placeholder-{}"


class MissingVariables:
    """The names answered with a placeholder since the last :meth:`take`."""

    def __init__(self) -> None:
        self._names: list[str] = []

    def add(self, name: str) -> None:
        if name not in self._names:
            self._names.append(name)

    def take(self) -> list[str]:
        names, self._names = self._names, []
        return names


# The mixin methods that call __getitem__ and catch its KeyError (compared by code object: the module may be
# frozen, its file name then is not a path).
_MAPPING_CALLERS = frozenset(function.__code__ for function in (
    Mapping.get, Mapping.__contains__, MutableMapping.pop, MutableMapping.setdefault))


@contextlib.contextmanager
def placeholders(missing: MissingVariables, revision_files: set[str]) -> Iterator[None]:
    """Answer ``os.environ[name]`` for a missing ``name`` with a placeholder inside the block, where the
    subscript is in one of ``revision_files``; restored after. Only there: library and application code
    often reads optional settings as ``try: os.environ[name] except KeyError``."""
    environ_class = type(os.environ)
    original = environ_class.__getitem__

    def getitem(self: Any, key: Any) -> Any:
        try:
            return original(self, key)
        except KeyError:
            # Mapping.get() and `in` are built on __getitem__ and rely on the KeyError.
            caller = sys._getframe(1).f_code
            if self is not os.environ or caller in _MAPPING_CALLERS or caller.co_filename not in revision_files:
                raise
            missing.add(str(key))
            return PLACEHOLDER.format(key)

    environ_class.__getitem__ = getitem  # type: ignore[method-assign]
    try:
        yield
    finally:
        environ_class.__getitem__ = original  # type: ignore[method-assign]
