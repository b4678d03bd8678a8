"""`rlvr verify`: check one completion and print its Verdict."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from rlvr.errors import SetupError


def _parse_options(pairs: Sequence[str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise SetupError(f"--option {pair!r}: expected KEY=VALUE, as in timeout=5")
        try:
            options[key] = json.loads(raw)
        except json.JSONDecodeError:
            options[key] = raw
    return options


def cmd_verify(args: argparse.Namespace) -> int:
    from plugins import make_verifier

    fields = _parse_options(args.field)
    with make_verifier(args.verifier, _parse_options(args.option)) as verifier:
        verdict = verifier.verify(args.completion, args.reference, **fields)
    print(verdict.model_dump_json(indent=2))
    return 0


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser("verify", help="check one completion and print the Verdict as JSON")
    parser.add_argument("completion")
    parser.add_argument("--verifier", required=True)
    parser.add_argument("--reference", default=None)
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="verifier config")
    parser.add_argument("--field", action="append", default=[], metavar="KEY=VALUE", help="a row column")
    parser.set_defaults(func=cmd_verify)
