"""What a sandboxed program may import: read-only views of an allow-list of modules.

A program never receives a real module: it gets a view that exposes only the listed public
names, refuses writes (so ``math.floor = ...`` cannot reach the test code), and has no path
to ``sys``, ``os`` or anything that reaches them. Importing a module off the list gives a
stand-in that raises ImportError on first use, so that an unused ``import os`` costs nothing
while any use of it fails the test.
"""

from __future__ import annotations

import importlib
import io
import sys
from typing import Any

__all__ = ["ALLOWED_MODULES", "ModuleView", "RefusedModule", "SandboxIO", "preload_modules", "sandbox_import"]

# module -> names withheld (None: every public name is exposed), or an explicit allow-list.
_ALL = None
ALLOWED_MODULES: dict[str, Any] = {
    "math": _ALL, "cmath": _ALL, "re": {"withhold": {"template", "Scanner", "purge"}}, "heapq": _ALL,
    "bisect": _ALL, "itertools": _ALL, "collections": {"withhold": {"abc"}}, "copy": _ALL,
    "functools": {"withhold": {"singledispatch", "singledispatchmethod"}},
    "operator": {"withhold": {"attrgetter", "methodcaller"}},
    "string": {"only": {"ascii_letters", "ascii_lowercase", "ascii_uppercase", "digits", "hexdigits",
                        "octdigits", "punctuation", "printable", "whitespace", "capwords"}},
    "random": {"withhold": {"SystemRandom"}}, "statistics": _ALL, "fractions": _ALL, "decimal": _ALL,
    "numbers": _ALL, "datetime": _ALL, "calendar": {"withhold": {"main"}}, "array": _ALL,
    "textwrap": _ALL, "unicodedata": _ALL, "json": _ALL, "enum": _ALL, "abc": _ALL,
    "dataclasses": _ALL, "hashlib": _ALL, "base64": _ALL, "binascii": _ALL, "struct": _ALL,
    "difflib": _ALL, "contextlib": {"withhold": {"chdir"}}, "__future__": _ALL,
    "queue": {"only": {"Queue", "LifoQueue", "PriorityQueue", "SimpleQueue", "Empty", "Full"}},
    "time": {"only": {"time", "perf_counter", "monotonic", "process_time", "sleep", "strftime",
                      "localtime", "gmtime", "time_ns", "perf_counter_ns", "monotonic_ns"}},
    "typing": {"only": set("Any Callable ClassVar Deque DefaultDict Dict Final FrozenSet Generator Generic "
                           "Hashable Iterable Iterator List Literal Mapping MutableMapping MutableSequence "
                           "NamedTuple NoReturn Optional OrderedDict Protocol Sequence Set Counter Sized "
                           "SupportsFloat SupportsInt Text Tuple Type TypedDict TypeVar Union cast overload "
                           "TYPE_CHECKING AbstractSet ChainMap".split())},
    "io": {"only": {"StringIO", "BytesIO"}},
}  # fmt: skip


class SandboxIO:
    """The program's stdin and stdout, swapped by the harness for each test; output is capped."""

    def __init__(self, output_limit: int):
        self.output_limit = output_limit
        self.reset("")

    def reset(self, stdin_text: str) -> None:
        self.stdin = io.StringIO(stdin_text)
        self.stdout = CappedWriter(self.output_limit)
        self.stderr = CappedWriter(self.output_limit)


class OutputLimitExceeded(Exception):
    """The program wrote more than the output cap."""


class CappedWriter(io.StringIO):
    def __init__(self, limit: int):
        super().__init__()
        self._limit = limit
        self._written = 0

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self._limit - self._written
        self._written += len(text)
        if self._written > self._limit:
            super().write(text[: max(0, room)])  # what fits is kept, so a reader sees the output reach the cap
            raise OutputLimitExceeded(f"output exceeded {self._limit} characters")
        return super().write(text)


class ModuleView:
    """A read-only view of a module's public, allowed names."""

    _sandbox_read_only = True
    __slots__ = ("_names", "_label")

    def __init__(self, label: str, names: dict[str, Any]):
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._names[name]
        except KeyError:
            raise AttributeError(f"module {self._label!r} has no attribute {name!r} in the sandbox") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"module {self._label!r} is read-only in the sandbox")

    __delattr__ = __setattr__

    def __dir__(self) -> list[str]:
        return sorted(self._names)

    def __repr__(self) -> str:
        return f"<module {self._label!r} (sandbox view)>"


class RefusedModule(ModuleView):
    """What ``import os`` gives: any use raises ImportError."""

    __slots__ = ()

    def __init__(self, label: str):
        super().__init__(label, {})

    def __getattr__(self, name: str) -> Any:
        raise ImportError(f"module {self._label!r} is not available in the sandbox")


def _public_names(module: Any, rule: Any) -> dict[str, Any]:
    names = {name: value for name, value in vars(module).items() if not name.startswith("_")}
    if rule is not None and "only" in rule:
        names = {name: value for name, value in names.items() if name in rule["only"]}
    elif rule is not None:
        names = {name: value for name, value in names.items() if name not in rule["withhold"]}
    return {name: value for name, value in names.items() if type(value) is not type(sys)}


def preload_modules() -> dict[str, ModuleView]:
    """Import every allowed module once (in the fork server) and build its view."""
    views = {}
    for label, rule in ALLOWED_MODULES.items():
        try:
            module = importlib.import_module(label)
        except ImportError:
            continue
        views[label] = ModuleView(label, _public_names(module, rule))
    return views


def sys_view(sandbox_io: SandboxIO) -> ModuleView:
    """A ``sys`` with streams, limits and version facts, and nothing that reaches the interpreter."""

    class _Streams(ModuleView):
        __slots__ = ()

        def __getattr__(self, name: str) -> Any:
            if name in ("stdin", "stdout", "stderr"):
                return getattr(sandbox_io, name)
            return super().__getattr__(name)

    def setrecursionlimit(limit: int) -> None:
        sys.setrecursionlimit(max(100, min(int(limit), 20_000)))

    def exit(code: Any = None) -> None:
        raise SystemExit(code)

    facts = {
        "maxsize": sys.maxsize, "maxunicode": sys.maxunicode, "byteorder": sys.byteorder,
        "float_info": sys.float_info, "int_info": sys.int_info, "version": sys.version,
        "version_info": sys.version_info, "hexversion": sys.hexversion, "platform": sys.platform,
        "argv": [""], "getrecursionlimit": sys.getrecursionlimit, "setrecursionlimit": setrecursionlimit,
        "exit": exit, "getsizeof": sys.getsizeof, "intern": sys.intern,
        "set_int_max_str_digits": sys.set_int_max_str_digits, "get_int_max_str_digits": sys.get_int_max_str_digits,
    }  # fmt: skip
    return _Streams("sys", facts)


def sandbox_import(views: dict[str, ModuleView], refused: list[str]) -> Any:
    """The ``__import__`` a program sees: views of allowed modules, stand-ins for the rest."""

    def __import__(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        if level:
            raise ImportError("relative imports are not available in the sandbox")
        top = name.partition(".")[0]
        if name in views and (top == name or fromlist):
            return views[name]
        if top in views and top == name:
            return views[top]
        if top not in refused:
            refused.append(name)
        return RefusedModule(name)

    return __import__
