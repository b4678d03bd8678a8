"""The RestrictedPython policy for model programs: ordinary Python in, escape routes out.

RestrictedPython's default policy rejects a good share of ordinary Python (``dp[i] += 1``,
``super().__init__``, ``nonlocal``, ``__len__``, ``self._items``), which in RL is a reward
biased against normal code. This policy admits those and keeps the guards that matter:
no attribute that reaches frames, code, globals or the class graph (``__class__``,
``__subclasses__``, ``gi_frame``...), no rebinding of the guard functions, and no
attribute-path formatting (``'{0.__class__}'.format``) that would walk around the guards; the
runtime guards the compiled code calls are in :mod:`verifiers.code.guards`. This is the first
layer only: the trust boundary is the process split (see :mod:`verifiers.code.judge`).
"""

from __future__ import annotations

import ast
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations

__all__ = ["CandidateCompileError", "SandboxPolicy", "attribute_allowed", "compile_candidate", "name_allowed"]

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
def compile_candidate(source: str, filename: str = "<candidate>", mode: str = "exec") -> Any:
    """Compile a program under the sandbox policy; raise CandidateCompileError with the reasons."""
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename=filename, policy=SandboxPolicy)
    if result.errors or result.code is None:
        raise CandidateCompileError("; ".join(result.errors) or "did not compile")
    return result.code
