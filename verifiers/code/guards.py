"""The runtime guards a program's code calls (the first layer's other half; see :mod:`verifiers.code.policy`).

Attribute reads go through :func:`guarded_getattr` (restricted names refused; ``str.format``
from any str, str subclass or ``super`` object walks field paths through the guard;
``type.__new__`` checks a new class's namespace), ``type`` is :class:`guarded_type` (three
arguments only with names a class body may define), positional class patterns go through
:func:`match_class`, and writes go through :func:`guarded_write`.
"""

from __future__ import annotations

import operator
import string
from typing import Any

from verifiers.code.policy import attribute_allowed, name_allowed

__all__ = [
    "aug_attr",
    "aug_item",
    "guarded_delattr",
    "guarded_getattr",
    "guarded_hasattr",
    "guarded_setattr",
    "guarded_type",
    "guarded_write",
    "inplace_var",
    "match_class",
]

_FORMAT_METHODS = frozenset({"format", "format_map"})
_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
    "@=": operator.imatmul,
}  # fmt: skip


class _SafeFormatter(string.Formatter):
    """str.format whose field paths go through the attribute guard."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        first, rest = _formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = guarded_getattr(obj, key) if is_attr else obj[key]
        return obj, first


def _formatter_field_name_split(field_name: str) -> Any:
    from _string import formatter_field_name_split

    return formatter_field_name_split(field_name)


_FORMATTER = _SafeFormatter()


def _bound_format(text: str, method: str) -> Any:
    if method == "format":
        return lambda *args, **kwargs: _FORMATTER.vformat(text, args, kwargs)
    return lambda mapping: _FORMATTER.vformat(text, (), mapping)


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """``getattr`` for sandboxed code: restricted names are refused; str.format (reached from any
    str, str subclass or ``super`` object) walks field paths through this guard; ``type.__new__``
    checks a new class's namespace as ``type()`` does."""
    if not isinstance(name, str):
        raise TypeError("attribute name must be a string")
    if not attribute_allowed(name):
        raise AttributeError(f"attribute {name!r} is restricted in the sandbox")
    value = getattr(obj, name, *default)
    if name in _FORMAT_METHODS:
        if value is str.format or value is str.format_map:
            return lambda text, *args, **kwargs: _bound_format(str.__str__(text), name)(*args, **kwargs)
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and type(value).__name__ == "builtin_function_or_method":
            return _bound_format(str.__str__(owner), name)
    if value is type.__new__:
        return _guarded_type_new
    return value


_CLASS_KEYS = frozenset({"__module__", "__qualname__", "__doc__", "__classcell__", "__annotations__",
                         "__orig_bases__", "__static_attributes__", "__firstlineno__"})  # fmt: skip


def _check_namespace(namespace: Any) -> None:
    if not isinstance(namespace, dict):
        raise TypeError("a class namespace must be a dict")
    for key in namespace:
        if not isinstance(key, str) or not (key in _CLASS_KEYS or name_allowed(key)):
            raise TypeError(f"class attribute {key!r} is restricted in the sandbox")


def _guarded_type_new(metaclass: Any, *args: Any, **kwargs: Any) -> Any:
    if len(args) == 3:
        _check_namespace(args[2])
    return type.__new__(metaclass, *args, **kwargs)


def _checked_type(*args: Any, **kwargs: Any) -> Any:
    if len(args) == 3:
        _check_namespace(args[2])
    return type(*args, **kwargs)


class _GuardedTypeMeta(type):
    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is guarded_type:
            return _checked_type(*args, **kwargs)
        return super().__call__(*args, **kwargs)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, type) if cls is guarded_type else type.__instancecheck__(cls, instance)

    def __subclasscheck__(cls, subclass: Any) -> bool:
        return issubclass(subclass, type) if cls is guarded_type else type.__subclasscheck__(cls, subclass)


class guarded_type(type, metaclass=_GuardedTypeMeta):  # noqa: N801  (it is the program's ``type``)
    """``type`` as a program sees it: one argument as usual; three only with names a class body may define."""


def match_class(cls: Any) -> Any:
    """A class used with positional patterns: its ``__match_args__`` may name only allowed attributes."""
    names = getattr(cls, "__match_args__", ())
    if type(names) is not tuple or not all(type(n) is str and attribute_allowed(n) for n in names):
        raise TypeError("__match_args__ names a restricted attribute in the sandbox")
    return cls


def guarded_hasattr(obj: Any, name: str) -> bool:
    try:
        guarded_getattr(obj, name)
    except AttributeError:
        return False
    return True


def guarded_write(obj: Any) -> Any:
    """The target of an attribute or item write: not a module, not a class the program did not define."""
    if getattr(type(obj), "_sandbox_read_only", False):
        raise TypeError(f"{type(obj).__name__} objects are read-only in the sandbox")
    if isinstance(obj, type) and getattr(obj, "__module__", None) not in CANDIDATE_MODULES:
        raise TypeError(f"class {obj.__name__} is read-only in the sandbox")
    return obj


CANDIDATE_MODULES = frozenset({"__main__", "__candidate__"})


def guarded_setattr(obj: Any, name: str, value: Any) -> None:
    if not isinstance(name, str) or not attribute_allowed(name):
        raise AttributeError(f"attribute {name!r} is restricted in the sandbox")
    setattr(guarded_write(obj), name, value)


def guarded_delattr(obj: Any, name: str) -> None:
    if not isinstance(name, str) or not attribute_allowed(name):
        raise AttributeError(f"attribute {name!r} is restricted in the sandbox")
    delattr(guarded_write(obj), name)


def inplace_var(op: str, target: Any, value: Any) -> Any:
    return _INPLACE[op](target, value)


def aug_item(obj: Any, key: Any, op: str, value: Any) -> None:
    guarded_write(obj)[key] = _INPLACE[op](obj[key], value)


def aug_attr(obj: Any, name: str, op: str, value: Any) -> None:
    setattr(guarded_write(obj), name, _INPLACE[op](guarded_getattr(obj, name), value))
