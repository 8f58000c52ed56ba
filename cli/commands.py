"""What each ``caseledger`` command does. Each takes the parsed arguments and returns an exit code.

The work is the application layer's (the TUI calls the same functions); this module only reads
arguments, shows progress on a terminal, and prints results.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import msgspec

from caseledger.application.commands import LedgerService
from caseledger.application.demo import seed_demo
from caseledger.application.events import AuditScope, EventFilter, describe_fields, filtered_events
from caseledger.application.exports import ExportSpec, check_writable, export_projection
from caseledger.application.history import case_history, require_case_reader, who
from caseledger.application.identity import current_actor
from caseledger.application.imports import ImportReport, import_lines
from caseledger.application.integrity import deep_difference, sign_checkpoint, verify_store
from caseledger.application.interchange import encode_line, render_line
from caseledger.application.readmodels import ReadModels, discard_forged_snapshots
from caseledger.application.report import ReportSpec, check_output, report_today, steps, write_report
from caseledger.application.status import store_status
from caseledger.application.text import for_terminal
from caseledger.domain.errors import STORE_FAILURES, AccessRefused, DomainError, store_failure
from caseledger.domain.events.catalogue import PAYLOAD_TYPES, Payload, RoleGranted, RoleRevoked, UserLinked
from caseledger.domain.model.access import export_sites, require_reader
from caseledger.domain.model.clock import SYSTEM_CLOCK
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.domain.store.roles import PROJECTOR_ROLE
from caseledger.domain.store.urls import redacted


@contextlib.contextmanager
def _progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress callback (completed so far) drawing a bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield lambda _done: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.update(task, completed=done)


def _catch_up(app: LedgerApplication) -> ReadModels:
    """Bring the read models up to date, with a progress bar on a terminal."""
    models = ReadModels.of(app)
    with _progress("updating read models", models.lag()) as report:
        models.catch_up(report)
    return models


def _catch_up_after_recording(app: LedgerApplication) -> None:
    """Catch the read models up after events were recorded: if the store or disk refuses now, the
    events stand (they were committed) and the read models catch up at the next command."""
    try:
        _catch_up(app)
    except STORE_FAILURES as error:
        print(
            f"caseledger: warning: the events are recorded, but the read models could not be brought up to date ({store_failure(error)}): the next command that reads does it",
            file=sys.stderr,
        )


def _progress_lines(stream: IO[bytes], total_bytes: int | None) -> Iterator[bytes]:
    """Yield lines of ``stream``, drawing a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield from stream
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress("[progress.description]{task.description}", *columns, transient=True) as progress:
        task = progress.add_task("validating and recording", total=total_bytes)
        done = 0
        for line in stream:
            done += len(line)
            if done & 0xFFFF < len(line):  # refresh about every 64 KiB
                progress.update(task, completed=done)
            yield line


def _import_stream(app: LedgerApplication, stream: IO[bytes], total: int | None, args: argparse.Namespace) -> ImportReport:
    return import_lines(app, _progress_lines(stream, total), keep_recorded=args.keep_recorded)


def import_file(args: argparse.Namespace) -> int:
    """``caseledger import FILE``: all lines or none; ``line N: field: reason`` on the first error."""
    app = open_application(args.store)
    if args.file == "-":
        report = _import_stream(app, sys.stdin.buffer, None, args)
    else:
        try:
            handle = open(args.file, "rb")  # noqa: SIM115 — closed below
        except OSError as error:
            raise DomainError("file", f"cannot read {args.file}: {error.strerror}") from None
        with handle:
            report = _import_stream(app, handle, os.fstat(handle.fileno()).st_size, args)
    span = f" (positions {report.first_position}–{report.last_position})" if report.events else ""
    print(f"imported {report.events} events{span}", file=sys.stderr)
    _catch_up_after_recording(app)
    return 0


def events(args: argparse.Namespace) -> int:
    """``caseledger events``: the raw log as JSON Lines, filtered."""
    unknown = sorted(set(args.type) - set(PAYLOAD_TYPES))
    if unknown:
        raise DomainError("--type", f"no event type {unknown[0]!r}; choose from {', '.join(PAYLOAD_TYPES)}")
    if args.limit is not None and args.limit < 0:
        raise DomainError("--limit", f"must be 0 or more, not {args.limit}")
    app = open_application(args.store)
    keep = EventFilter(
        scope=AuditScope(app, current_actor(app)),
        types=args.type,
        actor=args.actor,
        offender=args.offender,
        officer=args.officer,
        occurred_to=parse_cutoff(args.as_of, "--as-of") if args.as_of else None,
        known_at=parse_cutoff(args.known_at, "--known-at") if args.known_at else None,
    )
    out = sys.stdout.buffer
    for written, event in enumerate(filtered_events(app, keep, after=args.after), 1):
        out.write(encode_line(render_line(event.position, event.envelope)))
        if args.limit is not None and written >= args.limit:
            break
    out.flush()
    return 0


def history(args: argparse.Namespace) -> int:
    """``caseledger history OFFENDER``: the case in occurred order, with who recorded what when."""
    app = open_application(args.store)
    as_of = parse_cutoff(args.as_of, "--as-of") if args.as_of else None
    known_at = parse_cutoff(args.known_at, "--known-at") if args.known_at else None
    require_case_reader(app, current_actor(app), args.offender)
    lines = case_history(app, args.offender, as_of=as_of, known_at=known_at)
    out = sys.stdout
    if args.json:
        for line in lines:
            record = render_line(line.event.position, line.event.envelope)
            if line.retracted_by:
                record["retracted_by"], record["retraction_reason"] = line.retracted_by
            sys.stdout.buffer.write(encode_line(record))
        return 0
    from caseledger.domain.model.times import zone

    header = f"{'position':>8}  {'occurred (local)':<16}  {'type':<24}  {'recorded (UTC)':<16}  {'by':<16}  details"
    print(header, file=out)
    for line in lines:
        envelope = line.event.envelope
        occurred = envelope.occurred_at.astimezone(zone(line.zone)).strftime("%Y-%m-%d %H:%M")
        recorded = envelope.recorded_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
        details = describe_fields(envelope.data, omit=("offender",))
        if line.retracted_by:
            details = f"[RETRACTED at {line.retracted_by[0]}: {line.retracted_by[1]}] {details}"
        if envelope.note:
            details += f"  — note: {envelope.note}"
        print(for_terminal(f"{line.event.position:>8}  {occurred:<16}  {line.event.type:<24}  {recorded:<16}  {who(envelope):<16}  {details}"), file=out)
    return 0


def status(args: argparse.Namespace) -> int:
    """``caseledger status``: where the store is, its head position, and its events by type."""
    app = open_application(args.store, payloads=False)
    print_status(app, args.store, sys.stdout)
    return 0


def print_status(app: LedgerApplication, url: str, out: IO[str]) -> None:
    """Write the status report of ``app`` to ``out``."""
    status = store_status(app)
    print(f"store:          {redacted(url)}", file=out)
    print(f"head position:  {status.head}", file=out)
    print(f"events:         {sum(status.counts.values())}", file=out)
    for name, count in sorted(status.counts.items()):
        print(f"  {name:<26}{count:>9}", file=out)
    print("read models:    position      lag", file=out)
    for model in status.models:
        print(f"  {model.name:<12}{model.position:>12}{model.lag:>9}", file=out)
        if model.ahead:
            print(
                f"  WARNING: {model.name} is {model.ahead} positions AHEAD of the log: the log lost events or the read model was edited; rebuild it", file=out
            )
    if status.unchecked is not None:
        print(f"sealed: not checked ({status.unchecked})", file=out)
    elif status.forged is None:
        print("sealed: every read model checks (its rows, their MACs, the chain head it was built from)", file=out)
    else:
        print(f"WARNING: {status.forged}: not used; `caseledger rebuild` rebuilds the read models from the log", file=out)


def demo(args: argparse.Namespace) -> int:
    """``caseledger demo``: seed a year of one region's events into an empty store, then open the
    UI (or, without a terminal or with ``--no-tui``, print the store's status; with ``--report
    FILE``, write the analyst's report of the demo's year instead)."""
    if args.report:
        check_output(args.report, "--report")  # before seeding: a refusal records nothing
    app = open_application(args.store)
    report = seed_demo(app, args.seed, SYSTEM_CLOCK, lambda data: _progress_lines(io.BytesIO(data), len(data)))
    if report is not None:
        print(f"seeded {report.events} demo events into {args.store}", file=sys.stderr)
        _catch_up(app)
    else:
        print(f"{args.store} already holds events; not seeding", file=sys.stderr)
    if args.report:  # the twelve months up to today at the demo's sites
        today = report_today(_catch_up(app).projector, None, SYSTEM_CLOCK)
        _write_report(app, ReportSpec.of(str(today - dt.timedelta(days=364)), str(today)), args.report)
        return 0
    if args.no_tui or not sys.stdout.isatty():
        print_status(app, args.store, sys.stdout)
        return 0
    return tui(args)


def tui(args: argparse.Namespace) -> int:
    """``caseledger tui``: the terminal UI (Textual is imported only here)."""
    from caseledger.tui.app import run

    return run(args.store, args.user)


def _writable(path: str | None, flag: str) -> None:
    """Refuse, before any work, an output path whose folder is missing or that is a folder."""
    if path is not None:
        check_writable(path, flag)


def export(args: argparse.Namespace) -> int:
    """``caseledger export PROJECTION``: compute at the cut, write in the format, atomically
    (``--output -`` is standard output, as for most tools)."""
    if args.output == "-":
        args.output = None
    _writable(args.output, "--output")
    spec = ExportSpec.of(
        args.projection,
        by_site=args.by == "site",
        rules=args.rules,
        as_of=args.as_of,
        known_at=args.known_at,
        first_week=args.first_week,
        last_week=args.last_week,
    )
    app = open_application(args.store)
    sites = export_sites(current_actor(app), identified=args.identified)
    export_projection(_catch_up(app).projector, spec, fmt=args.format, output=args.output, deidentified=not args.identified, sites=sites)
    return 0


def report(args: argparse.Namespace) -> int:
    """``caseledger report --from DATE --to DATE --output FILE.html|.pdf``: the analyst's document,
    with a progress bar while the exports behind it are computed."""
    check_output(args.output)
    spec = ReportSpec.of(args.first, args.last, rules=args.rules, sites=args.site or ())
    _write_report(open_application(args.store), spec, args.output)
    return 0


def _write_report(app: LedgerApplication, spec: ReportSpec, output: str) -> None:
    sites = export_sites(current_actor(app), identified=False)
    projector = _catch_up(app).projector
    with _progress("computing the report", steps(len(spec.rules))) as report_progress:
        done = 0

        def step(_name: str) -> None:
            nonlocal done
            done += 1
            report_progress(done)

        write_report(projector, spec, output, sites=sites, on_step=step)
    print(f"wrote {for_terminal(str(Path(output).resolve()))}", file=sys.stderr)


def rebuild(args: argparse.Namespace) -> int:
    """``caseledger rebuild [NAME]``: empty read models and replay the log into them."""
    if args.new_cache_key and args.projection:
        raise DomainError("--new-cache-key", "rebuilds every cache: give no read model or projection with it")
    require_reader(current_actor(open_application(args.store, payloads=False)), "rebuild")  # before a new cache key changes anything
    app = open_application(args.store, new_cache_key=args.new_cache_key)
    forged = discard_forged_snapshots(app)
    if forged:
        print(f"deleted {forged} aggregate snapshots that failed their MAC", file=sys.stderr)
    models = ReadModels.of(app)
    with _progress("rebuilding read models", app.head_position()) as report:
        names, head = models.rebuild(args.projection, report)
    print(f"rebuilt {', '.join(names) or 'all read models'} to position {head}", file=sys.stderr)
    return 0


def change_role(args: argparse.Namespace) -> int:
    """``caseledger admin grant|revoke USER ROLE [--site S]``: record ``RoleGranted``/``RoleRevoked``."""
    kind = RoleGranted if args.action == "grant" else RoleRevoked
    return _record_admin(args, kind(user=args.who, role=args.role, site=args.site))


def link_user(args: argparse.Namespace) -> int:
    """``caseledger admin link USER OFFICER``: record ``UserLinked``."""
    return _record_admin(args, UserLinked(user=args.who, officer=args.officer))


def _record_admin(args: argparse.Namespace, data: Payload) -> int:
    app = open_application(args.store)
    position = LedgerService(app).record(data, dt.datetime.now(dt.UTC))
    print(f"recorded {type(data).__name__} at position {position}", file=sys.stderr)
    _catch_up_after_recording(app)
    return 0


def retract(args: argparse.Namespace) -> int:
    """``caseledger retract POSITION --reason R``: record an ``EventRetracted``."""
    if not 1 <= args.position <= 2**63 - 1:
        raise DomainError("POSITION", f"{args.position} is not a log position")
    app = open_application(args.store)
    position = LedgerService(app).retract(args.position, args.reason, occurred_at=dt.datetime.now(dt.UTC))
    print(f"retracted position {args.position} (the retraction is position {position})", file=sys.stderr)
    _catch_up_after_recording(app)
    return 0


def verify(args: argparse.Namespace) -> int:
    """``caseledger verify [--checkpoint FILE]``: exit 0 if intact, 1 naming the first break."""
    if args.public_key and not args.checkpoint:
        raise DomainError("--public-key", "pins the key a checkpoint is signed with: give --checkpoint FILE too")
    if args.public_key and not Path(args.public_key).is_file():
        raise DomainError("--public-key", f"no file {args.public_key!r}")
    app = open_application(args.store, payloads=args.deep)
    require_reader(current_actor(app), "verify")
    checkpoint = Path(args.checkpoint) if args.checkpoint else None
    verdict = verify_store(app, checkpoint, Path(args.public_key) if args.public_key else None, since_checkpoint=args.since_checkpoint)
    if not verdict.ok:
        print(f"BROKEN at position {verdict.broken_at}: {verdict.reason} ({verdict.events} events verified before it)")
        return 1
    scope = " from the checkpoint on" if args.since_checkpoint else ""
    print(f"intact: {verdict.events} events{scope}, head position {verdict.head_position}, head {verdict.head.hex()}")
    if not args.deep:
        return 0
    difference = deep_difference(app)
    if difference is not None:
        print(f"CACHE DIFFERS: {difference}")
        return 1
    print("deep: every aggregate snapshot, world snapshot and read model equals its recomputation from the log")
    return 0


def checkpoint(args: argparse.Namespace) -> int:
    """``caseledger checkpoint``: sign the verified chain head with a key kept outside the store."""
    _writable(args.output, "--output")
    app = open_application(args.store, payloads=False)
    require_reader(current_actor(app), "verify")
    made = sign_checkpoint(app, Path(args.key) if args.key else None)
    document = msgspec.json.format(msgspec.json.encode(made), indent=2) + b"\n"
    if args.output:
        Path(args.output).write_bytes(document)
        print(f"checkpoint of position {made.position} written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(document)
    return 0


def whoami(args: argparse.Namespace) -> int:
    """``caseledger whoami``: the login the store proves, its linked officer and its roles."""
    actor = current_actor(open_application(args.store))
    print(for_terminal(f"{actor.described()}; officer: {actor.officer or 'none linked'}"))
    return 0


def project(args: argparse.Namespace) -> int:
    """``caseledger project [--follow]``: bring the read models up to date — on a PostgreSQL store
    with roles, the projector login's job (user logins only read them)."""
    app = open_application(args.store)
    if not app.ledger_recorder.writes_caches:
        raise AccessRefused(f"only the store's owner or a member of {PROJECTOR_ROLE} writes the read models; {app.ledger_recorder.login} reads them")
    reported = -1
    while True:
        models = _catch_up(app)
        position = min(models.projector.positions().values(), default=0)
        if position != reported:  # following: a line when the log moved, not every interval
            print(f"read models at position {position}", file=sys.stderr)
            reported = position
        if not args.follow:
            return 0
        time.sleep(max(0.1, args.interval))


def init_roles(args: argparse.Namespace) -> int:
    """``caseledger admin init-roles``: on PostgreSQL, the group roles and their grants (the
    owner runs it); logins named are made members. Run again after adding logins."""
    app = open_application(args.store)
    _catch_up(app)  # the read models exist before their grants are given
    require_reader(current_actor(app), "init-roles")
    print(app.ledger_recorder.init_roles(users=args.users, admins=args.admins, projectors=args.projectors), file=sys.stderr)
    return 0
