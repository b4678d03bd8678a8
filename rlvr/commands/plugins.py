"""`rlvr plugins`: every verifier with its plugin, version and description."""

from __future__ import annotations

import argparse
import json


def cmd_plugins(args: argparse.Namespace) -> int:
    from plugins import verifier_entries

    entries = sorted(verifier_entries().values(), key=lambda entry: entry.name)
    if args.json:
        print(json.dumps([entry.as_dict() for entry in entries], indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table("verifier", "plugin", "version", "description", title="rlvr verifiers")
    for entry in entries:
        table.add_row(entry.name, entry.plugin, entry.version, entry.description)
    Console().print(table)
    return 0


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser("plugins", help="list every verifier with its plugin and version")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(func=cmd_plugins)
