"""The ``caseledger`` command line.

Exit codes: 0 success, 1 a check failed or nothing matched, 2 bad input (nothing was recorded).
Errors are one line on stderr — ``line N: field: reason`` for imports — never a traceback.
Textual is imported only by the commands that open the terminal UI, so ``import``, ``events``
and ``history`` start fast and run where no terminal is attached.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version
from typing import NoReturn, get_args

from eventsourcing.persistence import MapperDeserialisationError

from caseledger.application.text import for_terminal
from caseledger.domain.errors import STORE_FAILURES, CacheForged, LedgerError, LogUnauthenticated, store_failure
from caseledger.domain.events.catalogue import AccessRole
from caseledger.domain.settings import Settings
from caseledger.domain.store.migrations import CURRENT_FORMAT
from caseledger.domain.store.urls import require_existing


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr, exit 2, as every other refusal
    (``caseledger export: --format: invalid choice 'xlsx' (choose from csv, jsonl, json, parquet)``),
    not the usage and the error over several lines. Its subcommands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        message = re.sub(r"^argument ", "", " ".join(message.split()))
        message = re.sub(
            r"invalid choice: ('.*?') \(choose from (.*)\)$", lambda found: f"invalid choice {found[1]} (choose from {found[2].replace(chr(39), '')})", message
        )
        self.exit(2, f"{self.prog}: {for_terminal(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    """All commands and options (``caseledger --help``)."""
    from caseledger.cli import commands

    parser = OneLineParser(prog="caseledger", description="Event-sourced case-transfer and release-planning ledger.")
    parser.add_argument(
        "--version",
        action="version",
        version=f"caseledger {version('caseledger')} (store format {CURRENT_FORMAT})",
        help="the release and the store format it writes",
    )
    parser.add_argument(
        "--store", default=None, help="sqlite:///path.db or postgresql://user@host:port/db (default: $CASELEDGER_STORE or a file in the user data directory)"
    )
    parser.add_argument(
        "--user",
        default=None,
        help="whose view the terminal UI opens (default: $CASELEDGER_USER, else yours); never who records: that is the database login, or the OS login on SQLite",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="seed the demo data into an empty store, then open the terminal UI")
    demo.add_argument("--seed", type=int, default=1, help="demo data seed")
    demo.add_argument("--no-tui", action="store_true", help="print the store's status instead of opening the UI")
    demo.add_argument("--report", metavar="FILE", help="write the analyst's report of the last 12 months (FILE.html or FILE.pdf) instead of opening the UI")
    demo.add_argument("--force", action="store_true", help="replace a --report file already there (never the store or a key)")
    demo.set_defaults(run=commands.demo)

    tui = sub.add_parser("tui", help="open the terminal UI")
    tui.set_defaults(run=commands.tui)
    for opens_the_ui in (demo, tui):  # also after the command, as `scripts/demo.sh --user sup.X` passes it
        opens_the_ui.add_argument("--user", default=argparse.SUPPRESS, help="whose view the terminal UI opens (as the option before the command)")

    imp = sub.add_parser("import", help="validate all, then record all (nothing on any error)")
    imp.add_argument("file", help="JSON Lines file, or - for standard input")
    imp.add_argument("--keep-recorded", action="store_true", help="keep each line's recorded_at and recorded_by (an admin moving a store)")
    imp.set_defaults(run=commands.import_file)

    events = sub.add_parser("events", help="the raw log as JSON Lines")
    events.add_argument("--type", action="append", default=[], help="only this event type (repeatable)")
    events.add_argument("--actor", help="only events recorded by this user")
    events.add_argument("--offender", help="only events naming this offender")
    events.add_argument("--officer", help="only events naming this officer")
    events.add_argument("--after", type=int, default=0, help="only positions after this one")
    events.add_argument("--limit", type=int, default=None, help="at most this many lines")
    events.add_argument("--as-of", help="only events that occurred by this time (timestamp or local date)")
    events.add_argument("--known-at", help="only events recorded by this time (timestamp or local date)")
    events.set_defaults(run=commands.events)

    history = sub.add_parser("history", help="an offender's case history")
    history.add_argument("offender")
    history.add_argument("--as-of", help="as it had happened by this time")
    history.add_argument("--known-at", help="as the system knew it at this time")
    history.add_argument("--json", action="store_true", help="JSON Lines instead of a table")
    history.set_defaults(run=commands.history)

    export = sub.add_parser("export", help="a projection as CSV, JSON Lines, JSON or Parquet")
    export.add_argument(
        "projection", help="workload, addon_burden, release_lead_time, siu_stays, transfers, cclo_contacts, staffing, deadlines, coverage, weekly_hours"
    )
    export.add_argument("--as-of", help="as it had happened by this time (timestamp with offset, or a local date)")
    export.add_argument("--known-at", help="as the system knew it at this time")
    export.add_argument("--rules", default="current", help="current, proposed, or the path of a rules TOML file")
    export.add_argument("--format", default="csv", choices=("csv", "jsonl", "json", "parquet"))
    export.add_argument("--output", "-o", help="file to write atomically, never over an existing file, the store or a key (default, or -: standard output)")
    export.add_argument("--force", action="store_true", help="replace an --output file (and its .meta.json) already there; never the store or a key")
    export.add_argument("--identified", action="store_true", help="keep offender ids (supervisors, auditors, admins); by default they become keyed pseudonyms")
    export.add_argument("--deidentify", action="store_true", help=argparse.SUPPRESS)  # the default; accepted so scripts that name it still run
    export.add_argument("--by", choices=("site",), help="addon_burden and coverage only: roll up to sites")
    export.add_argument(
        "--from", dest="first_week", metavar="WEEK", help="addon_burden, coverage and weekly_hours only: the first ISO week to export, e.g. 2026-W01"
    )
    export.add_argument(
        "--to", dest="last_week", metavar="WEEK", help="addon_burden, coverage and weekly_hours only: the last ISO week to export, e.g. 2026-W13"
    )
    export.set_defaults(run=commands.export)

    report = sub.add_parser("report", help="the analyst's document: eight sections with charts and tables, as HTML or PDF")
    report.add_argument("--from", dest="first", required=True, metavar="DATE", help="the period's first day, e.g. 2026-01-01")
    report.add_argument("--to", dest="last", required=True, metavar="DATE", help="the period's last day, e.g. 2026-03-31")
    report.add_argument("--site", action="append", help="only this site (repeat for several; default: every site you may export)")
    report.add_argument("--rules", default="current,proposed", help="one or two rule sets to compare, e.g. current,proposed")
    report.add_argument("--output", "-o", required=True, help="FILE.html or FILE.pdf, written atomically, never over an existing file, the store or a key")
    report.add_argument("--force", action="store_true", help="replace an --output file already there; never the store or a key")
    report.set_defaults(run=commands.report)

    rebuild = sub.add_parser("rebuild", help="rebuild read models from the log, with a progress bar")
    rebuild.add_argument("projection", nargs="?", help="a read model (timeline, addons) or a projection; default: all")
    rebuild.add_argument(
        "--new-cache-key", action="store_true", help="seal every cache under this process's cache key instead of the one the store was sealed with"
    )
    rebuild.set_defaults(run=commands.rebuild)

    retract = sub.add_parser("retract", help="retract the event at a log position (recorded as an event)")
    retract.add_argument("position", type=int)
    retract.add_argument("--reason", required=True, help="why (kept with the retraction)")
    retract.set_defaults(run=commands.retract)

    admin = sub.add_parser("admin", help="who may do what: grant, revoke, link (recorded as events); init-roles (PostgreSQL)")
    actions = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser("init-roles", help="PostgreSQL: create the group roles and grants; make logins users, admins or the projector")
    init.add_argument("--user", dest="users", action="append", default=[], metavar="LOGIN", help="a person's login (repeatable)")
    init.add_argument("--admin", dest="admins", action="append", default=[], metavar="LOGIN", help="an admin's login (repeatable)")
    init.add_argument("--projector", dest="projectors", action="append", default=[], metavar="LOGIN", help="the login that runs `caseledger project`")
    init.set_defaults(run=commands.init_roles)
    roles = list(get_args(AccessRole))
    for action, text in (("grant", "give USER a role"), ("revoke", "take a role from USER")):
        change = actions.add_parser(action, help=text)
        change.add_argument("who", metavar="USER", help="the login")
        change.add_argument("role", choices=roles)
        change.add_argument("--site", help="the site a supervisor supervises (supervisors only)")
        change.set_defaults(run=commands.change_role)
    link = actions.add_parser("link", help="USER is officer OFFICER (their screens open on that officer)")
    link.add_argument("who", metavar="USER", help="the login")
    link.add_argument("officer")
    link.set_defaults(run=commands.link_user)

    verify = sub.add_parser("verify", help="recompute the hash chain; name the first broken position (exit 1)")
    verify.add_argument(
        "--checkpoint",
        action="append",
        help="also prove the log still holds what this checkpoint covered; given twice (OLD, NEW): check the consistency proof between them",
    )
    verify.add_argument(
        "--public-key",
        help="PEM key the checkpoint must be signed with (the pin; default: $CASELEDGER_CHECKPOINT_PUBLIC_KEY; --checkpoint refuses without one)",
    )
    verify.add_argument(
        "--since-checkpoint", action="store_true", help="trust what the signed checkpoint covered; walk only the events after it (cost grows with them)"
    )
    verify.add_argument(
        "--deep",
        action="store_true",
        help="also recompute every snapshot and read model from the log and name the first that differs (needs the store's keys; costs a rebuild)",
    )
    verify.set_defaults(run=commands.verify)

    prove = sub.add_parser("prove", help="print the inclusion proof of the event at POSITION in the tree a checkpoint signs")
    prove.add_argument("position", metavar="POSITION", type=int, help="the event's log position")
    prove.add_argument("--checkpoint", required=True, help="the checkpoint whose tree head the proof leads to")
    prove.add_argument("--public-key", help="PEM key the checkpoint must be signed with (default: $CASELEDGER_CHECKPOINT_PUBLIC_KEY)")
    prove.set_defaults(run=commands.prove)

    verify_file = sub.add_parser("verify-file", help="check an exported event file against a checkpoint, without any store")
    verify_file.add_argument("file", metavar="EVENTS.jsonl", help="what caseledger events wrote")
    verify_file.add_argument("--checkpoint", required=True, help="the checkpoint the file's events must begin with")
    verify_file.add_argument("--public-key", help="PEM key the checkpoint must be signed with (default: $CASELEDGER_CHECKPOINT_PUBLIC_KEY)")
    verify_file.set_defaults(run=commands.verify_file)

    checkpoint = sub.add_parser("checkpoint", help="write a signed checkpoint of the chain head and the Merkle log's tree head")
    checkpoint.add_argument("--key", help="Ed25519 private key file, outside the store (default: user config dir; created if missing)")
    checkpoint.add_argument("--output", "-o", help="checkpoint file, never over an existing file, the store or a key (default, or -: standard output)")
    checkpoint.add_argument("--force", action="store_true", help="replace an --output file already there; never the store or a key")
    checkpoint.set_defaults(run=commands.checkpoint)

    project = sub.add_parser("project", help="bring the read models up to date (the projector's job on a PostgreSQL store with roles)")
    project.add_argument("--follow", action="store_true", help="keep them up to date until interrupted")
    project.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the log with --follow")
    project.set_defaults(run=commands.project)

    whoami = sub.add_parser("whoami", help="who the store says you are: login, linked officer, roles")
    whoami.set_defaults(run=commands.whoami)

    status = sub.add_parser("status", help="head position, events by type, each read model's position and lag")
    status.add_argument("--full", action="store_true", help="count every read-model row against its seal (without it: the seals, and a sample of blocks)")
    status.set_defaults(run=commands.status)
    return parser


PRIVATE = 0o077
"""Permission bits no file caseledger creates gives to group or others (they hold case data)."""

STORE_CREATING_COMMANDS = ("import", "demo", "tui")
"""The commands that may create the store they are pointed at; the others need it to exist."""

STORELESS_COMMANDS = ("verify-file",)
"""The commands that open no store at all."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``caseledger`` console script."""
    os.umask(os.umask(0) | PRIVATE)  # stores, exports, checkpoints: the user's alone unless the umask asks for less
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error (one line already on stderr)
        return done.code if isinstance(done.code, int) else 2
    try:
        settings = Settings.current()
    except LedgerError as error:  # a setting that cannot be: the variable or the config file's line, in one line
        print(f"caseledger: {for_terminal(str(error))}", file=sys.stderr)
        return 2
    args.store = args.store or settings.store
    args.user = args.user or settings.user
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        if args.command not in STORE_CREATING_COMMANDS + STORELESS_COMMANDS:
            require_existing(args.store)
        return run(args)
    except (CacheForged, LogUnauthenticated) as error:
        print(f"caseledger: {for_terminal(str(error))}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `caseledger events | head`: the reader had enough
        # What is still buffered would fail again as the interpreter flushes standard output on
        # exit ("Exception ignored", exit 120): it goes nowhere instead (Python's signal docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except STORE_FAILURES as error:  # a full disk, a read-only file, a server gone: the transaction rolled back
        print(f"caseledger: {for_terminal(store_failure(error))}; nothing was recorded", file=sys.stderr)
        return 2
    except (LedgerError, MapperDeserialisationError) as error:
        print(f"caseledger: {for_terminal(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("caseledger: interrupted; nothing partial was recorded", file=sys.stderr)
        return 130
    except Exception as error:  # a bug, or an event written around the program: one line, never a traceback
        if settings.debug:
            raise
        print(
            f"caseledger: unexpected {type(error).__name__}: {' '.join(str(error).split())} — a bug, or a store written around caseledger "
            "(`caseledger verify` names a broken chain; CASELEDGER_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
