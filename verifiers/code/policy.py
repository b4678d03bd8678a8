"""The RestrictedPython policy for model programs: ordinary Python in, escape routes out.

RestrictedPython's default policy rejects a good share of ordinary Python (``dp[i] += 1``,
``super().__init__``, ``nonlocal``, ``__len__``, ``self._items``), which in RL is a reward
biased against normal code. This policy admits those and keeps the guards that matter:
no attribute that reaches frames, code, globals or the class graph (``__class__``,
``__subclasses__``, ``gi_frame``...), no rebinding of the guard functions, and no
attribute-path formatting (``'{0.__class__}'.format``) that would walk around the guards.
"""

from __future__ import annotations

import ast
import operator
import string
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations

__all__ = [
    "CandidateCompileError",
    "SandboxPolicy",
    "attribute_allowed",
    "compile_candidate",
    "guarded_getattr",
    "guarded_type",
    "guarded_write",
    "match_class",
]

# Dunder attributes a program may read: special methods it defines or calls through super().
SAFE_DUNDER_ATTRS = frozenset(
    f"__{name}__"
    for name in (
        "init new post_init del repr str bytes format hash bool len length_hint iter next reversed contains "
        "getitem setitem delitem missing call enter exit eq ne lt le gt ge add radd iadd sub rsub isub mul "
        "rmul imul truediv rtruediv itruediv floordiv rfloordiv ifloordiv mod rmod imod pow rpow ipow "
        "matmul rmatmul imatmul divmod rdivmod neg pos abs invert lshift rlshift ilshift rshift rrshift "
        "irshift and rand iand or ror ior xor rxor ixor int float complex index round trunc floor ceil "
        "name doc qualname getstate setstate copy deepcopy"
    ).split()
)
# Dunder names a program may define (methods, class attributes) or read as bare names.
SAFE_DUNDER_NAMES = SAFE_DUNDER_ATTRS | {
    "__getattr__", "__setattr__", "__delattr__", "__slots__", "__class__", "__eq__", "__hash__",
    "__init_subclass__", "__set_name__", "__get__", "__set__", "__delete__", "__class_getitem__",
    "__aiter__", "__anext__", "__await__", "__main__",
}  # fmt: skip
# Objects whose attribute paths would be walked by str.format outside the guards.
_FORMAT_METHODS = frozenset({"format", "format_map"})


class CandidateCompileError(Exception):
    """The program is not valid Python, or uses a construct the policy refuses."""


def attribute_allowed(name: str) -> bool:
    """Whether a program may read, write or delete the attribute ``name``."""
    if name.startswith("__") and name.endswith("__"):
        return name in SAFE_DUNDER_ATTRS
    if name.startswith("_") and name.endswith("_") and name != "_":
        return False  # the guard functions' names: _getattr_, _write_...
    return name not in INSPECT_ATTRIBUTES and not name.endswith("__roles__")


def name_allowed(name: str) -> bool:
    """Whether a program may bind or read the variable ``name``."""
    if name.startswith("__") and name.endswith("__"):
        return name in SAFE_DUNDER_NAMES
    if name.startswith("_") and name.endswith("_") and name != "_":
        return False
    return name not in {"_print", "printed", "print"}


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with a policy that admits ordinary Python."""

    def check_name(self, node: ast.AST, name: str | None, allow_magic_methods: bool = False) -> None:
        if name is not None and not name_allowed(name):
            self.error(node, f'"{name}" is a reserved name in the sandbox.')

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id == "print" and not isinstance(node.ctx, ast.Load):
            self.error(node, '"print" is a reserved name in the sandbox.')
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if not attribute_allowed(node.attr):
            self.error(node, f'"{node.attr}" is a restricted attribute in the sandbox.')
            return node
        original, node.attr = node.attr, "ok"  # the base class checks the name; ours already did
        new_node = super().visit_Attribute(node)
        if isinstance(new_node, ast.Call):
            new_node.args[1] = ast.Constant(original)
            copy_locations(new_node.args[1], new_node)
        else:
            new_node.attr = original
        return new_node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        """As the base class, but ``eval``/``exec`` are allowed: the sandbox's own compile them restricted."""
        needs_wrap = any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)
        node = self.node_contents_visit(node)
        if not needs_wrap:
            return node
        node.args.insert(0, node.func)
        node.func = ast.Name("_apply_", ast.Load())
        copy_locations(node.func, node.args[0])
        return node

    def visit_Nonlocal(self, node: ast.Nonlocal) -> ast.AST:
        for name in node.names:
            self.check_name(node, name)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        """``x[i] += v`` and ``o.a += v`` become guarded helper calls that evaluate x and i once."""
        if isinstance(node.target, ast.Name):
            return super().visit_AugAssign(node)
        target = node.target
        op = ast.Constant(_IOPS[type(node.op)])
        value = self.visit(node.value)
        if isinstance(target, ast.Subscript):
            key = target.slice
            if isinstance(key, ast.Slice):
                key = ast.Call(ast.Name("slice", ast.Load()), [k or ast.Constant(None) for k in
                                                               (key.lower, key.upper, key.step)], [])
            args = [self.visit(target.value), self.visit(key), op, value]
            call = ast.Call(ast.Name("_aug_item_", ast.Load()), args, [])
        else:
            if not attribute_allowed(target.attr):
                self.error(node, f'"{target.attr}" is a restricted attribute in the sandbox.')
                return node
            call = ast.Call(ast.Name("_aug_attr_", ast.Load()),
                            [self.visit(target.value), ast.Constant(target.attr), op, value], [])
        new_node = ast.Expr(call)
        copy_locations(new_node, node)
        return ast.fix_missing_locations(new_node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        return self.node_contents_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        for keyword in node.keywords:
            if keyword.arg != "metaclass":
                self.check_name(node, keyword.arg)
        return super().visit_ClassDef(node)

    # Structural pattern matching: allowed, with the attribute names of class patterns checked.
    # Positional class patterns read the attributes that ``__match_args__`` names: each such class
    # goes through ``_match_class_`` (which checks those names) into a name the program cannot bind.
    def visit_Match(self, node: ast.Match) -> Any:
        node = self.node_contents_visit(node)
        guards: list[ast.stmt] = []
        for case in node.cases:
            for pattern in ast.walk(case.pattern):
                if isinstance(pattern, ast.MatchClass) and pattern.patterns:
                    temp = f"_match_class_{len(guards)}_"
                    call = ast.Call(ast.Name("_match_class_", ast.Load()), [pattern.cls], [])
                    guards.append(ast.Assign([ast.Name(temp, ast.Store())], call))
                    pattern.cls = ast.Name(temp, ast.Load())
        for guard in guards:
            copy_locations(guard, node)
            ast.fix_missing_locations(guard)
        ast.fix_missing_locations(node)
        return [*guards, node] if guards else node

    def visit_match_case(self, node: ast.AST) -> ast.AST:
        return self.node_contents_visit(node)

    def visit_MatchClass(self, node: ast.MatchClass) -> ast.AST:
        for attr in node.kwd_attrs:
            if not attribute_allowed(attr):
                self.error(node, f'"{attr}" is a restricted attribute in the sandbox.')
        return self.node_contents_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> ast.AST:
        self.check_name(node, node.name)
        return self.node_contents_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> ast.AST:
        self.check_name(node, node.name)
        return node

    def visit_MatchMapping(self, node: ast.MatchMapping) -> ast.AST:
        self.check_name(node, node.rest)
        return self.node_contents_visit(node)

    visit_MatchValue = visit_MatchSingleton = visit_MatchSequence = visit_MatchOr = visit_match_case


_IOPS = {
    ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/=", ast.FloorDiv: "//=", ast.Mod: "%=",
    ast.Pow: "**=", ast.LShift: "<<=", ast.RShift: ">>=", ast.BitOr: "|=", ast.BitXor: "^=",
    ast.BitAnd: "&=", ast.MatMult: "@=",
}  # fmt: skip
_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
    "@=": operator.imatmul,
}  # fmt: skip


def compile_candidate(source: str, filename: str = "<candidate>", mode: str = "exec") -> Any:
    """Compile a program under the sandbox policy; raise CandidateCompileError with the reasons."""
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename=filename, policy=SandboxPolicy)
    if result.errors or result.code is None:
        raise CandidateCompileError("; ".join(result.errors) or "did not compile")
    return result.code


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
