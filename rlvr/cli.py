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
)


def build_parser() -> argparse.ArgumentParser:
    from rlvr import __version__

    parser = argparse.ArgumentParser(prog="rlvr", description="Verifiable rewards for RL on reasoning models.")
    parser.add_argument("--version", action="version", version=f"rlvr {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True)
    for module in VERBS:
        importlib.import_module(module).add_parser(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from rlvr.errors import RlvrError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RlvrError as error:
        print(f"rlvr {args.verb}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
