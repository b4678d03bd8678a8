"""The boundary between a model's program and the tests that judge it.

Everything a test receives from the program crosses :func:`to_test_side`:

- builtin values (numbers, strings, lists, dicts, tuples, sets, and the standard library's
  Counter, OrderedDict, Fraction, Decimal...) are rebuilt as *exact* builtin objects; a
  subclass of a builtin (``class E(int): __eq__ = ...``) is rebuilt as its base value, so its
  overridden methods never run inside a test;
- iterators and generators yield through the same boundary;
- anything else (the program's own objects and functions) is wrapped in :class:`Opaque`.

An Opaque object works with other Opaque objects (``Stack() == Stack()`` runs the program's
``__eq__``, as the test asked) but refuses to be compared with, or to contain, a builtin
value, and arithmetic mixing it with a builtin value gives a *tainted* result that cannot be
compared with one either. So an object whose ``__eq__`` is always true, or whose ``__sub__``
returns 0 for any operand, earns nothing against a test's expected values.
"""

from __future__ import annotations

import collections
import datetime
import decimal
import fractions
import operator
import types
from collections.abc import Iterator
from typing import Any

__all__ = ["BoundaryError", "IteratorProxy", "Opaque", "from_test_side", "to_test_side"]

_SCALARS = frozenset({type(None), bool, int, float, complex, str, bytes, type(Ellipsis), range,
                      fractions.Fraction, decimal.Decimal, datetime.date, datetime.datetime,
                      datetime.time, datetime.timedelta})  # fmt: skip
_BASES = (bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set, frozenset)
_FACTORIES = frozenset({list, int, set, dict, str, float, tuple, frozenset, bool})
_NAMEDTUPLES: dict[tuple[str, tuple[str, ...]], type] = {}


class BoundaryError(TypeError):
    """A test tried to mix a program's own object with a builtin value."""


def to_test_side(value: Any, tainted: bool = False) -> Any:
    """What a test sees of ``value``, produced by the program."""
    return _Converter(tainted).convert(value)


class _Converter:
    def __init__(self, tainted: bool):
        self.tainted = tainted
        self.memo: dict[int, Any] = {}

    def convert(self, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS:
            return Opaque(value, tainted=True) if self.tainted else value
        if id(value) in self.memo:
            return self.memo[id(value)]
        if isinstance(value, _BASES) or kind in (collections.deque,):
            return self.container(value, kind)
        if isinstance(value, (types.GeneratorType, Iterator)):
            return IteratorProxy(value, self.tainted)
        return Opaque(value, self.tainted)

    def container(self, value: Any, kind: type) -> Any:
        if kind is list or (isinstance(value, list) and kind is not collections.deque):
            out: list[Any] = []
            self.memo[id(value)] = out
            out.extend(self.convert(item) for item in list.__iter__(value))
            return out
        if kind in (dict, collections.OrderedDict, collections.Counter, collections.defaultdict) or isinstance(
            value, dict
        ):
            return self.mapping(value, kind)
        if isinstance(value, tuple):
            items = [self.convert(item) for item in tuple.__iter__(value)]
            named = _namedtuple_for(kind)
            return named(*items) if named is not None else tuple(items)
        if isinstance(value, (set, frozenset)):
            base = frozenset if isinstance(value, frozenset) else set
            return base(self.convert(item) for item in base.__iter__(value))
        if kind is collections.deque:
            return collections.deque((self.convert(item) for item in value), value.maxlen)
        return self.scalar(value)

    def mapping(self, value: Any, kind: type) -> Any:
        items = [(self.convert(key), self.convert(item)) for key, item in dict.items(value)]
        if kind is collections.Counter:
            return collections.Counter(dict(items))
        if kind is collections.OrderedDict:
            return collections.OrderedDict(items)
        if kind is collections.defaultdict:
            factory = value.default_factory if value.default_factory in _FACTORIES else None
            return collections.defaultdict(factory, items)
        return dict(items)

    def scalar(self, value: Any) -> Any:
        """A builtin subclass's value, read through the base type's own slots."""
        if isinstance(value, bool):
            result: Any = bool(int.__int__(value))
        elif isinstance(value, int):
            result = int.__int__(value)
        elif isinstance(value, float):
            result = float.__float__(value)
        elif isinstance(value, complex):
            result = complex(complex.real.__get__(value), complex.imag.__get__(value))
        elif isinstance(value, str):
            result = str.__str__(value)
        elif isinstance(value, bytearray):
            result = bytearray(memoryview(value))
        else:
            result = bytes(memoryview(value))
        return Opaque(result, tainted=True) if self.tainted else result


def _namedtuple_for(kind: type) -> type | None:
    if kind is tuple:
        return None
    fields = getattr(kind, "_fields", None)
    if type(fields) is not tuple or not all(type(f) is str and f.isidentifier() for f in fields):
        return None
    name = kind.__name__ if type(kind.__name__) is str and kind.__name__.isidentifier() else "NamedTuple"
    key = (name, fields)
    if key not in _NAMEDTUPLES:
        _NAMEDTUPLES[key] = collections.namedtuple(name, fields)  # type: ignore[misc]
    return _NAMEDTUPLES[key]


def from_test_side(value: Any) -> Any:
    """A test's argument as the program receives it: proxies unwrapped, everything else as is."""
    kind = type(value)
    if kind is Opaque or kind is IteratorProxy:
        return object.__getattribute__(value, "_obj")
    if kind in (list, tuple, set, frozenset) and any(type(v) in (Opaque, IteratorProxy) for v in value):
        return kind(from_test_side(v) for v in value)
    if kind is dict and any(type(v) in (Opaque, IteratorProxy) for v in (*value, *value.values())):
        return {from_test_side(k): from_test_side(v) for k, v in value.items()}
    return value


def _inner(proxy: Any) -> tuple[Any, bool]:
    return object.__getattribute__(proxy, "_obj"), object.__getattribute__(proxy, "_tainted")


class IteratorProxy:
    """An iterator of the program's, whose items cross the boundary one by one."""

    __slots__ = ("_obj", "_tainted")

    def __init__(self, obj: Any, tainted: bool = False):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_tainted", tainted)

    def __iter__(self) -> IteratorProxy:
        return self

    def __next__(self) -> Any:
        obj, tainted = _inner(self)
        return to_test_side(next(obj), tainted)

    def __repr__(self) -> str:
        return f"<iterator from the program: {type(_inner(self)[0]).__name__}>"


def _mixed(op: str) -> BoundaryError:
    return BoundaryError(f"the program returned a non-builtin object, and the test {op} it with a builtin value")


class Opaque:
    """The program's own object (or a value tainted by one), as a test sees it."""

    __slots__ = ("_obj", "_tainted")

    def __init__(self, obj: Any, tainted: bool = False):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_tainted", tainted)

    def __getattr__(self, name: str) -> Any:
        from verifiers.code.policy import guarded_getattr

        obj, tainted = _inner(self)
        return to_test_side(guarded_getattr(obj, name), tainted)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(_inner(self)[0], name, from_test_side(value))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        obj, tainted = _inner(self)
        args = tuple(from_test_side(a) for a in args)
        kwargs = {k: from_test_side(v) for k, v in kwargs.items()}
        result = obj(*args, **kwargs)
        if isinstance(obj, type) and isinstance(result, obj) and not tainted:
            return Opaque(result)
        return to_test_side(result, tainted)

    def __bool__(self) -> bool:
        obj, tainted = _inner(self)
        if tainted:
            raise _mixed("combined")
        return bool(obj)

    def __len__(self) -> int:
        return len(_inner(self)[0])

    def __hash__(self) -> int:
        return hash(_inner(self)[0])

    def __iter__(self) -> IteratorProxy:
        obj, tainted = _inner(self)
        return IteratorProxy(iter(obj), tainted)

    def __contains__(self, item: Any) -> bool:
        if type(item) is not Opaque:
            raise _mixed("looked for")
        return _inner(item)[0] in _inner(self)[0]

    def __getitem__(self, key: Any) -> Any:
        obj, tainted = _inner(self)
        return to_test_side(obj[from_test_side(key)], tainted)

    def __setitem__(self, key: Any, value: Any) -> None:
        _inner(self)[0][from_test_side(key)] = from_test_side(value)

    def __delitem__(self, key: Any) -> None:
        del _inner(self)[0][from_test_side(key)]

    def __str__(self) -> str:
        return str.__str__(str(_inner(self)[0]))

    def __repr__(self) -> str:
        return str.__str__(repr(_inner(self)[0]))

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(from_test_side(instance), _inner(self)[0])

    def __subclasscheck__(self, subclass: Any) -> bool:
        return issubclass(from_test_side(subclass), _inner(self)[0])

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[Any, ...]:
        return (_inner(self)[0],)

    def __enter__(self) -> Any:
        obj, tainted = _inner(self)
        return to_test_side(obj.__enter__(), tainted)

    def __exit__(self, *exc_info: Any) -> Any:
        return _inner(self)[0].__exit__(*exc_info)


def _comparison(op: Any, symbol: str) -> Any:
    def compare(self: Opaque, other: Any) -> Any:
        if type(other) is not Opaque or _inner(self)[1] or _inner(other)[1]:
            raise _mixed("compared")
        return to_test_side(op(_inner(self)[0], _inner(other)[0]))

    compare.__name__ = symbol
    return compare


def _arithmetic(op: Any, name: str, reflected: bool) -> Any:
    def apply(self: Opaque, other: Any) -> Any:
        obj, tainted = _inner(self)
        mixed = type(other) is not Opaque
        other_obj = other if mixed else _inner(other)[0]
        result = op(other_obj, obj) if reflected else op(obj, other_obj)
        return to_test_side(result, tainted or mixed or _inner(other)[1])

    apply.__name__ = name
    return apply


def _unary(op: Any, name: str) -> Any:
    def apply(self: Opaque, *args: Any) -> Any:
        obj, tainted = _inner(self)
        return to_test_side(op(obj, *args), tainted)

    apply.__name__ = name
    return apply


for _name, _op in {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
                   "gt": operator.gt, "ge": operator.ge}.items():  # fmt: skip
    setattr(Opaque, f"__{_name}__", _comparison(_op, f"__{_name}__"))
for _name in ("add sub mul truediv floordiv mod pow matmul lshift rshift and or xor divmod").split():
    _op = getattr(operator, _name if _name not in ("and", "or") else f"{_name}_", None) or divmod
    setattr(Opaque, f"__{_name}__", _arithmetic(_op, f"__{_name}__", False))
    setattr(Opaque, f"__r{_name}__", _arithmetic(_op, f"__r{_name}__", True))
for _name, _op in {"neg": operator.neg, "pos": operator.pos, "abs": abs, "invert": operator.invert,
                   "round": round, "trunc": __import__("math").trunc}.items():  # fmt: skip
    setattr(Opaque, f"__{_name}__", _unary(_op, f"__{_name}__"))
for _name, _cast in {"int": int, "float": float, "complex": complex, "index": operator.index}.items():
    setattr(Opaque, f"__{_name}__", lambda self, _cast=_cast: _cast(to_test_side(_cast(_inner(self)[0]))))
