"""The `rlvr` command line: a parser made of one module per verb (see :mod:`rlvr.commands`).

Set-up errors (:class:`rlvr.errors.RlvrError`) become one line on stderr and exit code 2;
anything else is a bug and crashes with its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["VERBS", "build_parser", "main"]

# The modules that define the verbs, in the order `rlvr --help` lists them.
VERBS: tuple[str, ...] = (
    "rlvr.commands.plugins",
    "rlvr.commands.verify",
    "rlvr.commands.score",
    "rlvr.commands.data",
    "rlvr.commands.serve",
    "rlvr.commands.eval",
)


def version_lines() -> list[str]:
    """rlvr's version, then each plugin that registers verifiers: its version and its verifiers."""
    from plugins import verifier_entries
    from rlvr import __version__

    plugins: dict[str, tuple[str, list[str]]] = {}
    for entry in verifier_entries().values():
        plugins.setdefault(entry.plugin, (entry.version, []))[1].append(entry.name)
    width = max((len(name) for name in plugins), default=0)
    lines = [f"rlvr {__version__}", "plugins:"]
    lines += [f"  {name:<{width}}  {version}  ({', '.join(sorted(names))})"
              for name, (version, names) in sorted(plugins.items())]
    return lines


class VersionAction(argparse.Action):
    """``rlvr --version``: rlvr's version and every plugin's; a plugin that fails to load is one line."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show rlvr's version and each plugin's, and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from rlvr import __version__
        from rlvr.errors import RlvrError

        try:
            lines = version_lines()
        except RlvrError as error:
            print(f"rlvr {__version__}")
            parser.exit(2, f"rlvr --version: error: {error}\n")
        print("\n".join(lines))
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rlvr", description="Verifiable rewards for RL on reasoning models.")
    parser.add_argument("--version", action=VersionAction)
    verbs = parser.add_subparsers(dest="verb", required=True)
    for module in VERBS:
        importlib.import_module(module).add_parser(verbs)
    return parser


def _show_one_line(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    print(f"rlvr: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    import warnings

    from rlvr.errors import RlvrError

    with warnings.catch_warnings():  # restored on return, so callers in the same process keep their own
        warnings.showwarning = _show_one_line  # a warning for a user is one line, not a source listing
        args = build_parser().parse_args(argv)
        try:
            return args.func(args)
        except RlvrError as error:
            print(f"rlvr {args.verb}: error: {error}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
