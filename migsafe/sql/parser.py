"""PostgreSQL's own parser (pglast), without pglast re-checking the trees its C code builds.

pglast's C extension turns libpg_query's parse tree into Python nodes by calling each node class's
constructor, and every attribute assignment then goes through ``pglast.ast.Node.__setattr__``, which checks
the value's type against the slot's C type and coerces it (enum lookup, tuple copy, ``bool()``). That check is
for nodes built by hand from JSON or keywords; the values coming from the C code already have the right Python
types, because the generated ``create_*`` functions build them (enum members, ``bool``, ``chr``, tuples of
nodes). The check is 90% of the parse time: 0.33 s of a cold review of 2,000 revisions, where the C parse
itself takes 0.04 s.

So while the C code runs, node construction uses plain slot assignment. One value is the exception: ``A_Const``
hands ``Boolean`` the C int, relying on the check's ``bool()``, so ``Boolean`` keeps that one coercion. The
trees are the same (tests/test_sql_parser.py parses statements of every shape both ways and compares node
types, values and value types). pglast offers no switch for this, so migsafe wraps ``Node.__setattr__`` once,
when this module is imported: the wrapper checks as before unless a ``parse_sql`` here is running. (Swapping
the method in and out around each parse would be simpler, but assigning a special method on ``Node`` updates
its 300 subclasses: that costs more than the checks.) The wrapper adds one call per attribute outside a
parse; migsafe builds no pglast nodes by hand, so that is the C parser's own work in pglast's other entry
points, if anyone calls them.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from pglast import ast
from pglast.parser import ParseError, parse_sql as _checked_parse_sql

__all__ = ["ParseError", "parse_sql"]

_SWAP = threading.Lock()
_trusting = [False]  # True while parse_sql below runs (under _SWAP)


def _install() -> None:
    checked: Callable[[Any, str, Any], None] = ast.Node.__setattr__
    assign = object.__setattr__

    def node_setattr(node: Any, name: str, value: Any, _trusting: list[bool] = _trusting) -> None:
        if _trusting[0]:
            assign(node, name, value)
        else:
            checked(node, name, value)

    def boolean_setattr(node: Any, name: str, value: Any, _trusting: list[bool] = _trusting) -> None:
        if _trusting[0]:
            assign(node, name, None if value is None else bool(value))
        else:
            checked(node, name, value)

    if getattr(ast.Node.__setattr__, "__module__", None) != __name__:  # once, even if this module is reloaded
        ast.Node.__setattr__ = node_setattr  # type: ignore[method-assign]
        ast.Boolean.__setattr__ = boolean_setattr  # type: ignore[method-assign]


_install()


def parse_sql(sql: str) -> tuple[ast.RawStmt, ...]:
    """``pglast.parser.parse_sql(sql)``, building nodes without the per-attribute check."""
    with _SWAP:
        _trusting[0] = True
        try:
            return _checked_parse_sql(sql)
        finally:
            _trusting[0] = False
