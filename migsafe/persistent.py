"""Immutable collections whose versions share their structure: a table's columns (an insertion-ordered
mapping of strings) and its constraints (a sequence).

Every recorded statement keeps the tables it touched as they were before it ran (``Statement.tables_before``).
With a plain dict per table version, adding a column copies all the others: one revision adding 50,000
columns to one table made 50,000 copies of a growing dict, quadratic in time and memory (12.5 GB). Here a
new version shares everything but one path of a hash trie (a HAMT, as in Clojure or ``contextvars``) with the
version it came from: setting or deleting a key costs O(log n) time and memory, and so does each snapshot.

Order is insertion order, kept as a sequence number per entry: a key that is set again, or renamed with
:meth:`PersistentMap.rename`, keeps its place. Iterating sorts the entries by it (rare: batch recreate,
reflection, one rule), so the order never depends on string hashing. :class:`PersistentList` is the same
trie under keys that are never reused, for a table's constraints (8,000 ``ADD CONSTRAINT`` on one table made
8,000 copies of a growing tuple).
"""

from __future__ import annotations

import zlib
from typing import Any, Callable, Generic, Iterable, Iterator, Mapping, TypeVar

K = TypeVar("K", bound=str)
V = TypeVar("V")

_BITS = 5
_MASK = (1 << _BITS) - 1


class _Leaf:
    __slots__ = ("hash", "key", "seq", "value")

    def __init__(self, hash_: int, key: Any, seq: int, value: Any) -> None:
        self.hash, self.key, self.seq, self.value = hash_, key, seq, value

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Leaf, (self.hash, self.key, self.seq, self.value))


class _Branch:
    """Children of one trie level; bit i of ``bitmap`` says whether slot i is present (children are packed)."""

    __slots__ = ("bitmap", "children")

    def __init__(self, bitmap: int, children: tuple[Any, ...]) -> None:
        self.bitmap, self.children = bitmap, children

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Branch, (self.bitmap, self.children))


class _Collision:
    """Leaves whose keys have the same full hash."""

    __slots__ = ("hash", "leaves")

    def __init__(self, hash_: int, leaves: tuple[_Leaf, ...]) -> None:
        self.hash, self.leaves = hash_, leaves

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Collision, (self.hash, self.leaves))


def _hash(key: str) -> int:
    # Not hash(): string hashes change from process to process (PYTHONHASHSEED), and a map is pickled by one
    # (the cache, the tail recording) and read by another, which must find its keys where they were put.
    # Keys with the same 32 bits share a _Collision leaf.
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def _find(node: Any, h: int, key: Any) -> _Leaf | None:
    shift = 0
    while True:
        if node is None:
            return None
        if type(node) is _Branch:
            bit = 1 << ((h >> shift) & _MASK)
            if not node.bitmap & bit:
                return None
            node = node.children[(node.bitmap & (bit - 1)).bit_count()]
            shift += _BITS
        elif type(node) is _Leaf:
            return node if node.hash == h and node.key == key else None
        else:
            return next((leaf for leaf in node.leaves if leaf.key == key), None) if node.hash == h else None


def _put(node: Any, leaf: _Leaf, shift: int) -> Any:
    """``node`` with ``leaf`` in it (replacing the leaf of the same key)."""
    if node is None:
        return leaf
    if type(node) is _Branch:
        bit = 1 << ((leaf.hash >> shift) & _MASK)
        index = (node.bitmap & (bit - 1)).bit_count()
        children = node.children
        if node.bitmap & bit:
            child = _put(children[index], leaf, shift + _BITS)
            return _Branch(node.bitmap, children[:index] + (child,) + children[index + 1:])
        return _Branch(node.bitmap | bit, children[:index] + (leaf,) + children[index:])
    if type(node) is _Leaf:
        if node.hash == leaf.hash:
            if node.key == leaf.key:
                return leaf
            return _Collision(leaf.hash, (node, leaf))
        return _put(_put(_Branch(0, ()), node, shift), leaf, shift)
    if node.hash == leaf.hash:
        kept = tuple(other for other in node.leaves if other.key != leaf.key)
        return _Collision(node.hash, kept + (leaf,))
    return _put(_put(_Branch(0, ()), node, shift), leaf, shift)


def _remove(node: Any, h: int, key: Any, shift: int) -> Any:
    """``node`` without ``key`` (None when nothing is left)."""
    if type(node) is _Branch:
        bit = 1 << ((h >> shift) & _MASK)
        if not node.bitmap & bit:
            return node
        index = (node.bitmap & (bit - 1)).bit_count()
        old = node.children[index]
        child = _remove(old, h, key, shift + _BITS)
        if child is old:
            return node
        if child is None:
            children = node.children[:index] + node.children[index + 1:]
            if not children:
                return None
            if len(children) == 1 and type(children[0]) is not _Branch:
                return children[0]  # a lone leaf moves up, so that a later insert can split it again
            return _Branch(node.bitmap & ~bit, children)
        if len(node.children) == 1 and type(child) is not _Branch:
            return child
        return _Branch(node.bitmap, node.children[:index] + (child,) + node.children[index + 1:])
    if type(node) is _Leaf:
        return None if node.hash == h and node.key == key else node
    if node.hash != h:
        return node
    kept = tuple(leaf for leaf in node.leaves if leaf.key != key)
    if len(kept) == len(node.leaves):
        return node
    return kept[0] if len(kept) == 1 else _Collision(node.hash, kept)


def _leaves(node: Any) -> Iterator[_Leaf]:
    pending = [node] if node is not None else []
    while pending:
        node = pending.pop()
        if type(node) is _Leaf:
            yield node
        elif type(node) is _Branch:
            pending.extend(node.children)
        else:
            yield from node.leaves


class PersistentMap(Mapping[K, V], Generic[K, V]):
    """Read like any mapping; "change" it with :meth:`set`, :meth:`delete` and :meth:`rename`, which return a
    new map and leave this one as it was."""

    __slots__ = ("_root", "_size", "_next")

    def __init__(self, items: Mapping[K, V] | None = None) -> None:
        self._root: Any = None
        self._size = 0
        self._next = 0  # the sequence number of the next new key
        for key, value in (items or {}).items():
            self._root = _put(self._root, _Leaf(_hash(key), key, self._next, value), 0)
            self._next += 1
        self._size = self._next

    @classmethod
    def _of(cls, root: Any, size: int, next_: int) -> "PersistentMap[K, V]":
        new = cls.__new__(cls)
        new._root, new._size, new._next = root, size, next_
        return new

    def __reduce__(self) -> tuple[Any, ...]:
        # The trie itself is pickled (its depth is at most 7): versions pickled together keep their sharing.
        return (_restore, (self._root, self._size, self._next))

    def __getitem__(self, key: K) -> V:
        leaf = _find(self._root, _hash(key), key) if isinstance(key, str) else None
        if leaf is None:
            raise KeyError(key)
        return leaf.value  # type: ignore[no-any-return]

    def get(self, key: K, default: Any = None) -> Any:
        leaf = _find(self._root, _hash(key), key) if isinstance(key, str) else None
        return default if leaf is None else leaf.value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _find(self._root, _hash(key), key) is not None

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[K]:
        return (leaf.key for leaf in self._ordered())

    def items(self) -> Any:
        return [(leaf.key, leaf.value) for leaf in self._ordered()]

    def values(self) -> Any:
        return [leaf.value for leaf in self._ordered()]

    def _ordered(self) -> list[_Leaf]:
        return sorted(_leaves(self._root), key=lambda leaf: leaf.seq)

    def __repr__(self) -> str:
        return f"PersistentMap({dict(self.items())!r})"

    def set(self, key: K, value: V) -> "PersistentMap[K, V]":
        """A map with ``key`` set to ``value``: in its place if present, else last."""
        h = _hash(key)
        old = _find(self._root, h, key)
        if old is not None:
            return self._of(_put(self._root, _Leaf(h, key, old.seq, value), 0), self._size, self._next)
        return self._of(_put(self._root, _Leaf(h, key, self._next, value), 0), self._size + 1, self._next + 1)

    def delete(self, key: K) -> "PersistentMap[K, V]":
        """A map without ``key`` (this map when it has none)."""
        h = _hash(key)
        if _find(self._root, h, key) is None:
            return self
        return self._of(_remove(self._root, h, key, 0), self._size - 1, self._next)

    def rename(self, old: K, new: K, value: V) -> "PersistentMap[K, V]":
        """A map where ``new`` (set to ``value``) takes the place of ``old``; last when ``old`` is absent.
        A ``new`` key already present is replaced and moves to that place."""
        h_old = _hash(old)
        found = _find(self._root, h_old, old)
        root = self._root
        size, seq, next_ = self._size, self._next, self._next + 1
        if found is not None:
            root, size, seq, next_ = _remove(root, h_old, old, 0), size - 1, found.seq, self._next
        h_new = _hash(new)
        if _find(root, h_new, new) is not None:
            root, size = _remove(root, h_new, new, 0), size - 1
        return self._of(_put(root, _Leaf(h_new, new, seq, value), 0), size + 1, next_)


def _restore(root: Any, size: int, next_: int) -> PersistentMap[Any, Any]:
    return PersistentMap._of(root, size, next_)


EMPTY: PersistentMap[Any, Any] = PersistentMap()


class PersistentList(Generic[V]):
    """An immutable sequence whose versions share their structure, for a table's constraints: appending, or
    changing or removing the elements that match, returns a new list in O(log n) memory per element touched
    (finding them is still a scan). Iterating sorts, like :class:`PersistentMap`, which holds the elements
    under keys that are never reused."""

    __slots__ = ("_map", "_added")

    def __init__(self, items: Iterable[V] = ()) -> None:
        self._map: PersistentMap[str, V] = EMPTY
        self._added = 0
        for item in items:
            self._map = self._map.set(str(self._added), item)
            self._added += 1

    @classmethod
    def _of(cls, map_: PersistentMap[str, V], added: int) -> "PersistentList[V]":
        new = cls.__new__(cls)
        new._map, new._added = map_, added
        return new

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_list, (self._map, self._added))

    def __iter__(self) -> Iterator[V]:
        return iter(self._map.values())

    def __len__(self) -> int:
        return len(self._map)

    def __bool__(self) -> bool:
        return len(self._map) > 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (PersistentList, tuple, list)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PersistentList({list(self)!r})"

    def append(self, item: V) -> "PersistentList[V]":
        return self._of(self._map.set(str(self._added), item), self._added + 1)

    def replace_where(self, match: Callable[[V], bool], change: Callable[[V], V]) -> "PersistentList[V]":
        """A list where every element that matches is changed, in its place."""
        map_ = self._map
        for leaf in _leaves(self._map._root):
            if match(leaf.value):
                map_ = map_.set(leaf.key, change(leaf.value))
        return self if map_ is self._map else self._of(map_, self._added)

    def remove_where(self, match: Callable[[V], bool]) -> "PersistentList[V]":
        """A list without the elements that match."""
        map_ = self._map
        for leaf in _leaves(self._map._root):
            if match(leaf.value):
                map_ = map_.delete(leaf.key)
        return self if map_ is self._map else self._of(map_, self._added)


def _restore_list(map_: PersistentMap[str, Any], added: int) -> PersistentList[Any]:
    return PersistentList._of(map_, added)


EMPTY_LIST: PersistentList[Any] = PersistentList()
