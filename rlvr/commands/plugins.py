"""`rlvr plugins`: every verifier (or, with ``--tasks``, every task) with its plugin, version and description."""

from __future__ import annotations

import argparse
import json


def cmd_plugins(args: argparse.Namespace) -> int:
    if args.tasks:
        from plugins.tasks import task_entries as entries_of
    else:
        from plugins import verifier_entries as entries_of

    kind = "task" if args.tasks else "verifier"
    entries = sorted(entries_of().values(), key=lambda entry: entry.name)
    if args.json:
        print(json.dumps([entry.as_dict() for entry in entries], indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(kind, "plugin", "version", "description", title=f"rlvr {kind}s")
    for entry in entries:
        table.add_row(entry.name, entry.plugin, entry.version, entry.description)
    Console().print(table)
    return 0


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser("plugins", help="list every verifier (or task) with its plugin and version")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument("--tasks", action="store_true", help="list the registered tasks instead of the verifiers")
    parser.set_defaults(func=cmd_plugins)
