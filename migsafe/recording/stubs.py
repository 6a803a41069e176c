"""Stand-ins for application modules a revision imports but that are not installed where migsafe runs.

Real revision scripts import their application (models, types, helper functions, settings). In a linter's
CI job or a pre-commit hook the application is often not importable, and a reviewer that gives up there sees
nothing. A stubbed module answers every attribute with a permissive stand-in: callable, subclassable, usable
as a decorator (the decorated function is returned unchanged), usable as a SQLAlchemy column type (it
renders as its own quoted name, and the column's type is unknown to the rules), iterable (empty), truthy (so
``if not settings.FEATURE: return`` does not skip the migration) — so the revision runs as far as it can
and its ``op.*`` calls are still recorded. Calls into stubs from the revision are reported, because whatever
``op.*`` calls they would have made are invisible.
"""

from __future__ import annotations

import builtins
import enum
import importlib.abc
import importlib.machinery
import re
import sys
import types
import typing
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy.types import UserDefinedType

# Reporting hook: called with the stub's dotted name when the revision calls it.
CallListener = Callable[[str], None]


def _absorb(self: Any, *args: Any, **kwargs: Any) -> Any:
    """Any operator on a stand-in yields another stand-in (``STATUS % values``, ``prefix + name``...)."""
    cls = self if isinstance(self, _StubMeta) else type(self)
    return stub_class(f"{cls.__stub_name__}()", cls._listener)()


def _ignore(self: Any, *args: Any, **kwargs: Any) -> None:
    """Writes into a stand-in (``CONFIG["key"] = value``, ``del X[k]``) are accepted and forgotten."""


_OPERATORS = {name: _absorb for name in (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
    "__floordiv__", "__mod__", "__rmod__", "__pow__", "__and__", "__rand__", "__or__", "__ror__", "__xor__",
    "__neg__", "__pos__", "__invert__", "__lt__", "__le__", "__gt__", "__ge__")}
_OPERATORS.update({"__setitem__": _ignore, "__delitem__": _ignore})


class _StubMeta(type(UserDefinedType)):  # type: ignore[misc]
    """Class-level behaviour: ``module.Thing``, ``module.Thing.attr``, iterating, truth, formatting."""

    _listener: CallListener | None = None
    locals().update(_OPERATORS)

    def __getattr__(cls, name: str) -> Any:
        if name == "__tablename__":
            return table_name_for(cls.__stub_name__)  # a stubbed model's table: the usual naming, as a guess
        if name == "__members__":
            # ``sa.Enum(StubEnum)``: an enum class whose members are unknown. SQLAlchemy then names the type
            # after the class, as it would for the real one, instead of taking the class for a value (and
            # stopping at "Enum type requires a name"). It names only enums with members: one stands for the
            # unknown ones, spelled so that nobody takes it for a real label.
            label = f"{cls.__stub_name__}.*"
            return types.MappingProxyType({label: _UnknownMember(label)})
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return stub_class(f"{cls.__stub_name__}.{name}", cls._listener)

    def __iter__(cls) -> Iterator[Any]:
        return iter(())

    def __len__(cls) -> int:
        return 0

    def __bool__(cls) -> bool:
        return True

    def __contains__(cls, item: object) -> bool:
        return False

    def __getitem__(cls, key: object) -> Any:
        return stub_class(f"{cls.__stub_name__}[]", cls._listener)

    def __str__(cls) -> str:
        return cls.__stub_name__

    def __format__(cls, spec: str) -> str:
        return _formatted(str(cls), spec)

    def __repr__(cls) -> str:
        return f"<migsafe stub {cls.__stub_name__}>"

    def __mro_entries__(cls, bases: tuple[Any, ...]) -> tuple[type, ...]:
        return (cls,)


def _decorated(argument: Any) -> bool:
    """Whether a stand-in called with this one argument is more likely a decorator than a constructor.

    A stand-in cannot tell ``@register`` above a function from ``PyIntEnum(State)`` in a column: both call it with
    one callable. Functions and ordinary classes are what decorators wrap; an enum class or a typing alias
    (``Dict[str, int]``) given alone is the argument of an application type (``PyIntEnum(State)``,
    ``Pydantic(Dict[...])``), and handing it back would put an enum class where SQLAlchemy expects a column type.
    """
    if not callable(argument) or isinstance(argument, (StubBase, _StubMeta)):
        return False
    if isinstance(argument, type) and issubclass(argument, enum.Enum):
        return False
    return not isinstance(argument, (types.GenericAlias, type(typing.List[int]), type(typing.Dict)))


class StubBase(UserDefinedType, metaclass=_StubMeta):
    """Instances behave like the class: every use yields another stub."""

    cache_ok = True
    __stub_name__ = "stub"
    locals().update(_OPERATORS)

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls._listener is not None:
            cls._listener(cls.__stub_name__)
        if len(args) == 1 and not kwargs and _decorated(args[0]):
            return args[0]  # used as a decorator: keep the decorated function as it is
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def get_col_spec(self, **kw: Any) -> str:
        """A quoted bare name (``"UUIDType"``): SQL PostgreSQL's parser accepts, which is no real type, so the
        statement still enters the schema model, with this column's type marked unknown (see
        :func:`take_rendered_types`). Its arguments are dropped: they are the application's, not SQL."""
        return render_unknown_type(*standin_type_name(type(self)))

    def literal_processor(self, dialect: Any) -> Callable[[Any], str]:
        return untyped_literal(dialect)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return stub_class(f"{type(self).__stub_name__}.{name}", type(self)._listener)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and _decorated(args[0]):
            return args[0]
        return stub_class(f"{type(self).__stub_name__}()", type(self)._listener)()

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        return type(self).__stub_name__

    def __format__(self, spec: str) -> str:
        return _formatted(str(self), spec)

    def __instancecheck__(self, instance: object) -> bool:
        """``isinstance(x, settings.MODEL_CLASS)`` where the stand-in is an instance: nothing is one."""
        return False

    def __subclasscheck__(self, subclass: type) -> bool:
        return False

    def __getitem__(self, key: object) -> Any:
        return stub_class(f"{type(self).__stub_name__}[]", type(self)._listener)()

    def __enter__(self) -> Any:
        # `with app_helpers.without_foreign_keys(table):`: the revision's own operations inside still run.
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


class _UnknownMember(str):
    """The one member of a stand-in enum class (see ``_StubMeta.__getattr__``): hashable, its own name."""

    @property
    def name(self) -> str:
        return str(self)

    @property
    def value(self) -> str:
        return str(self)


def _formatted(text: str, spec: str) -> str:
    """``f"{STUB:>10}"``: the stand-in's name, formatted as text; a numeric spec (``:d``, ``:.2f``) formats it
    as text too rather than stopping the revision."""
    try:
        return format(text, spec)
    except ValueError:
        return text


class _StandInMixin:
    """What a stand-in becomes as a base class next to a class with a metaclass of its own (``class
    Model(app.TimestampMixin, Base)`` with ``Base = declarative_base()``): an ordinary mixin that contributes
    nothing, so that the class statement works; its instances still answer unknown attributes with stand-ins."""

    __stub_name__ = "stub"
    _listener: CallListener | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return stub_class(f"{type(self).__stub_name__}.{name}", type(self)._listener)


_mixins: dict[tuple[str, int], type] = {}


def _mixin_for(stand_in: type) -> type:
    key = (stand_in.__stub_name__, id(stand_in._listener))  # type: ignore[attr-defined]
    if key not in _mixins:
        _mixins[key] = type(stand_in.__name__, (_StandInMixin,), {
            "__stub_name__": stand_in.__stub_name__, "_listener": stand_in._listener})  # type: ignore[attr-defined]
    return _mixins[key]


_real_build_class = builtins.__build_class__


def _build_class(func: Any, name: str, *bases: Any, **kwargs: Any) -> Any:
    """``builtins.__build_class__`` while stand-ins are served: a stand-in next to a base whose metaclass is
    not the stand-ins' (SQLAlchemy's declarative base, an Enum, an ABC) would stop the class statement with
    "metaclass conflict" before its body runs, and next to a real metaclass it would make a class that cannot
    build classes; it is replaced by an ordinary mixin instead."""
    if any(isinstance(base, _StubMeta) for base in bases):
        # A metaclass built from a stand-in and a real one (``class Meta(BindMetaMixin, DeclarativeMeta)``)
        # must stay a metaclass: its stand-ins are mixins from the start.
        if not any(isinstance(base, type) and issubclass(base, type) and not isinstance(base, _StubMeta)
                   for base in bases):
            try:
                return _real_build_class(func, name, *bases, **kwargs)
            except TypeError as exc:  # raised while choosing the metaclass, before the body ran
                if "metaclass conflict" not in str(exc):
                    raise
        bases = tuple(_mixin_for(base) if isinstance(base, _StubMeta) else base for base in bases)
    return _real_build_class(func, name, *bases, **kwargs)


build_class_code = _build_class.__code__  # its frame is in the traceback of any failing class body


# Stand-in types rendered into SQL since the recorder last took them: the quoted name -> the application type it
# stands for. Rendering and parsing happen in the same thread, one statement after the other.
_rendered: dict[str, str | None] = {}


def take_rendered_types() -> dict[str, str | None]:
    """The stand-in types rendered since the last call (and forget them): the statement about to be parsed
    spells these names, and its columns of those types have a type nobody here knows."""
    taken = dict(_rendered)
    _rendered.clear()
    return taken


def render_unknown_type(name: str, origin: str | None) -> str:
    """The SQL of a type nobody here knows: its quoted name, remembered for the parse of this statement.
    ``origin`` None: a column whose type the schema model never knew (it parses back to no type at all)."""
    _rendered[name] = origin
    return '"' + name.replace('"', '""') + '"'


class UnknownType(UserDefinedType):
    """A column of unknown type handed back to SQLAlchemy from the schema model (a batch copy, an autoloaded
    table): it renders as the stand-in did, so the copy's column is unknown too. Without arguments: a column
    the model has no type for, which a copy must not turn into a real type such as ``text``."""

    cache_ok = True

    def __init__(self, name: str = "unknown type", origin: str | None = None) -> None:
        self.name = name
        self.origin = origin

    def get_col_spec(self, **kw: Any) -> str:
        return render_unknown_type(self.name, self.origin)

    def literal_processor(self, dialect: Any) -> Callable[[Any], str]:
        return untyped_literal(dialect)


def untyped_literal(dialect: Any) -> Callable[[Any], str]:
    """Offline, values are written into the SQL (``op.bulk_insert``, ``table.insert().values(...)``); a value
    of an unknown type is written as its Python value suggests (``'abc'``, ``42``), as a database would read an
    untyped literal, so that the statement is still recorded instead of stopping the review."""
    import sqlalchemy as sa

    def process(value: Any) -> str:
        inner = sa.literal(value).type.literal_processor(dialect)
        return inner(value) if inner is not None else "'" + str(value).replace("'", "''") + "'"

    return process


def standin_type_name(cls: type) -> tuple[str, str]:
    """(the name a stand-in type renders as, the application type it stands for). ``UUIDType()``, which
    SQLAlchemy calls again (an instance of a stand-in is callable), is still ``UUIDType``."""
    origin = re.sub(r"(\(\)|\[\])+$", "", cls.__stub_name__)  # type: ignore[attr-defined]
    return origin.rsplit(".", 1)[-1] or "stub", origin


def table_name_for(stub_name: str) -> str:
    """``myapp.models.UserProfile`` -> ``user_profile``: SQLAlchemy projects' usual table naming."""
    last = stub_name.rsplit(".", 1)[-1].strip("()[]") or "stubbed"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", last).lower()


def stub_class(name: str, listener: CallListener | None = None) -> type:
    return _StubMeta(name.rsplit(".", 1)[-1], (StubBase,), {"__stub_name__": name, "_listener": listener,
                                                           "cache_ok": True})


class StubModule(types.ModuleType):
    def __init__(self, name: str, listener: CallListener | None) -> None:
        super().__init__(name, f"migsafe stand-in for {name}")
        self.__path__: list[str] = []  # a package, so `import name.sub` works too
        self.__migsafe_stub__ = True
        self._listener = listener

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        value = stub_class(f"{self.__name__}.{attr}", self._listener)
        setattr(self, attr, value)
        return value


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves stub modules for the given top-level names (and everything below them)."""

    def __init__(self, names: Sequence[str], listener: CallListener | None = None) -> None:
        self.names = set(names)
        self.listener = listener
        self.used: set[str] = set()  # the stubbed names something actually imported

    def _covers(self, fullname: str) -> bool:
        return any(fullname == n or fullname.startswith(n + ".") for n in self.names)

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if self._covers(fullname):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        from migsafe.recording.plugins import SHIMS

        self.used.update(n for n in self.names if spec.name == n or spec.name.startswith(n + "."))

        if spec.name in SHIMS:  # a plugin migsafe understands: names that keep what the revision passes
            return SHIMS[spec.name]()
        return StubModule(spec.name, self.listener)

    def exec_module(self, module: types.ModuleType) -> None:
        pass

    def install(self) -> list[str]:
        """Put the finder first and drop real (or half-imported) modules it now covers; returns their names."""
        sys.meta_path.insert(0, self)
        builtins.__build_class__ = _build_class
        displaced = [name for name in sys.modules if self._covers(name)]
        for name in displaced:
            del sys.modules[name]
        return displaced

    def uninstall(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        if not any(isinstance(finder, StubFinder) for finder in sys.meta_path):
            builtins.__build_class__ = _real_build_class
        for name in [n for n, m in sys.modules.items() if getattr(m, "__migsafe_stub__", False)]:
            del sys.modules[name]


# Libraries migsafe itself stands on: a missing name there is a real incompatibility, never stubbed.
NEVER_STUB = frozenset({"alembic", "sqlalchemy", "migsafe", "pglast", "typing", "typing_extensions", "builtins"})


def missing_module(exc: BaseException) -> str | None:
    """The top-level module to stub for an import failure, or None when stubbing cannot help."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        name = exc.name
    elif isinstance(exc, ImportError) and exc.name:  # "cannot import name X from module": the module is too old
        name = exc.name
    elif isinstance(exc, AttributeError) and isinstance(getattr(exc, "obj", None), types.ModuleType):
        name = exc.obj.__name__  # type: ignore[union-attr]
    else:
        return None
    top = name.split(".")[0]
    if top in NEVER_STUB or top in sys.stdlib_module_names:
        return None
    return name
