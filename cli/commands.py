"""What each ``caseledger`` command does. Each takes the parsed arguments and returns an exit code.

The work is the Ledger's (:class:`~caseledger.application.ledger.Ledger`, which the TUI holds
too): a command checks what was typed, opens the Ledger, calls the one method that does what it
asks — which checks who may — and prints what it returns, with progress on a terminal.
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

from caseledger.application.interchange import encode_line, render_line
from caseledger.application.ledger import (
    EVENT_TYPES,
    ExportSpec,
    Ledger,
    LogQuery,
    Recorded,
    ReportSpec,
    StoreStatus,
    Verification,
    check_file,
    check_output,
    checkpoint_document,
    output_target,
    parse_cutoff,
    quarantine_line,
)
from caseledger.application.text import describe_fields, for_terminal, who
from caseledger.domain.errors import DomainError
from caseledger.domain.inputs import capped_lines, open_regular


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


def _open(args: argparse.Namespace, *, payloads: bool = True, witness: bool = True) -> Ledger:
    """The Ledger of ``--store``, as the login the store proves, drawing progress on a terminal
    (``witness``: False for ``verify``, which lists a log that no longer extends what this user's
    clients saw as a break instead of refusing it)."""
    return Ledger.open(args.store, payloads=payloads, progress=_progress, witness=witness)


def _stale(recorded: str | None) -> None:
    """Say so when the read models could not be brought up to date after recording."""
    if recorded is not None:
        print(
            f"caseledger: warning: the events are recorded, but the read models could not be brought up to date ({recorded}): the next command that reads does it",
            file=sys.stderr,
        )


def _progress_lines(stream: IO[bytes], total_bytes: int | None) -> Iterator[bytes]:
    """Yield lines of ``stream``, each capped (:func:`~caseledger.domain.inputs.capped_lines`),
    drawing a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield from capped_lines(stream)
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress("[progress.description]{task.description}", *columns, transient=True) as progress:
        task = progress.add_task("validating and recording", total=total_bytes)
        done = 0
        for line in capped_lines(stream):
            done += len(line)
            if done & 0xFFFF < len(line):  # refresh about every 64 KiB
                progress.update(task, completed=done)
            yield line


def import_file(args: argparse.Namespace) -> int:
    """``caseledger import FILE``: all lines or none; ``line N: field: reason`` on the first error."""
    ledger = _open(args)
    if args.file == "-":
        imported = ledger.import_lines(_progress_lines(sys.stdin.buffer, None), keep_recorded=args.keep_recorded)
    else:
        try:
            handle = open_regular(args.file, "file")
        except DomainError as error:
            raise DomainError("file", f"cannot read {args.file}: {error.rule}") from None
        with handle:
            imported = ledger.import_lines(_progress_lines(handle, os.fstat(handle.fileno()).st_size), keep_recorded=args.keep_recorded)
    span = f" (positions {imported.first_position}–{imported.last_position})" if imported.events else ""
    print(f"imported {imported.events} events{span}", file=sys.stderr)
    _stale(imported.stale)
    return 0


def events(args: argparse.Namespace) -> int:
    """``caseledger events``: the raw log as JSON Lines, filtered."""
    unknown = sorted(set(args.type) - set(EVENT_TYPES))
    if unknown:
        raise DomainError("--type", f"no event type {unknown[0]!r}; choose from {', '.join(EVENT_TYPES)}")
    if args.limit is not None and args.limit < 0:
        raise DomainError("--limit", f"must be 0 or more, not {args.limit}")
    query = LogQuery(
        types=args.type,
        actor=args.actor,
        offender=args.offender,
        officer=args.officer,
        occurred_to=args.as_of or "",
        known_at=args.known_at or "",
        labels=("occurred from", "--as-of", "--known-at"),
    )
    out = sys.stdout.buffer
    for written, event in enumerate(_open(args).events(query, after=args.after), 1):
        out.write(encode_line(render_line(event.position, event.envelope)))
        if args.limit is not None and written >= args.limit:
            break
    out.flush()
    return 0


def history(args: argparse.Namespace) -> int:
    """``caseledger history OFFENDER``: the case in occurred order, with who recorded what when."""
    ledger = _open(args)
    as_of = parse_cutoff(args.as_of, "--as-of") if args.as_of else None
    known_at = parse_cutoff(args.known_at, "--known-at") if args.known_at else None
    lines = ledger.history(args.offender, as_of=as_of, known_at=known_at)
    out = sys.stdout
    if args.json:
        for line in lines:
            record = render_line(line.event.position, line.event.envelope)
            if line.retracted_by:
                record["retracted_by"], record["retraction_reason"] = line.retracted_by
            sys.stdout.buffer.write(encode_line(record))
        return 0
    header = f"{'position':>8}  {'occurred (local)':<16}  {'type':<24}  {'recorded (UTC)':<16}  {'by':<16}  details"
    print(header, file=out)
    for line in lines:
        envelope = line.event.envelope
        occurred = line.occurred_local.strftime("%Y-%m-%d %H:%M")
        recorded = line.recorded_utc.strftime("%Y-%m-%d %H:%M")
        details = describe_fields(envelope.data, omit=("offender",))
        if line.retracted_by:
            details = f"[RETRACTED at {line.retracted_by[0]}: {line.retracted_by[1]}] {details}"
        if envelope.note:
            details += f"  — note: {envelope.note}"
        print(for_terminal(f"{line.event.position:>8}  {occurred:<16}  {line.event.type:<24}  {recorded:<16}  {who(envelope):<16}  {details}"), file=out)
    return 0


def status(args: argparse.Namespace) -> int:
    """``caseledger status``: where the store is, its head position, and its events by type."""
    ledger = _open(args, payloads=False)
    print_status(ledger.store, ledger.status(full=args.full), sys.stdout)
    return 0


def print_status(store: str, status: StoreStatus, out: IO[str]) -> None:
    """Write the status report of the store named ``store`` to ``out``."""
    print(f"store:          {store}", file=out)
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
    elif status.forged is None and status.sampled is not None:
        counted, held = status.sampled
        print(
            f"sealed: every read model's seals check (the chain head each was built from, its blocks' seals), and {counted} of its {held} blocks "
            "counted row by row at random; `caseledger status --full` counts every row",
            file=out,
        )
    elif status.forged is None:
        print("sealed: every read model checks (its rows, their MACs, the chain head it was built from)", file=out)
    else:
        print(f"WARNING: {status.forged}: not used; `caseledger rebuild` rebuilds the read models from the log", file=out)
    for event in status.quarantined:
        print(for_terminal(quarantine_line(event)), file=out)


def demo(args: argparse.Namespace) -> int:
    """``caseledger demo``: seed a year of one region's events into an empty store, then open the
    UI (or, without a terminal or with ``--no-tui``, print the store's status; with ``--report
    FILE``, write the analyst's report of the demo's year instead)."""
    if args.report:  # before the store is made or seeded: a refusal records nothing
        check_output(args.report, "--report")
        output_target(args.report, "--report", store=args.store, force=args.force)
    ledger = _open(args)
    seeded = ledger.seed_demo(args.seed, lambda data: _progress_lines(io.BytesIO(data), len(data)))
    if seeded is not None:
        print(f"seeded {seeded.events} demo events into {args.store}", file=sys.stderr)
    else:
        print(f"{args.store} already holds events; not seeding", file=sys.stderr)
    if args.report:  # the twelve months up to today at the demo's sites
        ledger.year_report(args.report, force=args.force)
        _wrote(args.report)
        return 0
    if args.no_tui or not sys.stdout.isatty():
        print_status(ledger.store, ledger.status(), sys.stdout)
        return 0
    return tui(args)


def tui(args: argparse.Namespace) -> int:
    """``caseledger tui``: the terminal UI (Textual is imported only here)."""
    from caseledger.tui.app import run

    return run(args.store, args.user)


def export(args: argparse.Namespace) -> int:
    """``caseledger export PROJECTION``: compute at the cut, write in the format, atomically
    (``--output -`` is standard output, as for most tools)."""
    spec = ExportSpec.of(
        args.projection,
        by_site=args.by == "site",
        rules=args.rules,
        as_of=args.as_of,
        known_at=args.known_at,
        first_week=args.first_week,
        last_week=args.last_week,
    )
    _open(args).export(spec, fmt=args.format, output=_file(args.output), identified=args.identified, force=args.force)
    return 0


def report(args: argparse.Namespace) -> int:
    """``caseledger report --from DATE --to DATE --output FILE.html|.pdf``: the analyst's document,
    with a progress bar while the exports behind it are computed."""
    check_output(args.output)
    spec = ReportSpec.of(args.first, args.last, rules=args.rules, sites=args.site or ())
    _open(args).report(spec, args.output, force=args.force)
    _wrote(args.output)
    return 0


def _wrote(output: str) -> None:
    print(f"wrote {for_terminal(str(Path(output).resolve()))}", file=sys.stderr)


def rebuild(args: argparse.Namespace) -> int:
    """``caseledger rebuild [NAME]``: empty read models and replay the log into them."""
    if args.new_cache_key and args.projection:
        raise DomainError("--new-cache-key", "rebuilds every cache: give no read model or projection with it")
    rebuilt = _open(args, payloads=False).rebuild(args.projection, new_cache_key=args.new_cache_key)
    if rebuilt.forged_snapshots:
        print(f"deleted {rebuilt.forged_snapshots} aggregate snapshots that failed their MAC", file=sys.stderr)
    print(f"rebuilt {', '.join(rebuilt.names) or 'all read models'} to position {rebuilt.head}", file=sys.stderr)
    return 0


def change_role(args: argparse.Namespace) -> int:
    """``caseledger admin grant|revoke USER ROLE [--site S]``: record ``RoleGranted``/``RoleRevoked``."""
    ledger = _open(args)
    change = ledger.grant if args.action == "grant" else ledger.revoke
    return _recorded(change(args.who, args.role, args.site))


def link_user(args: argparse.Namespace) -> int:
    """``caseledger admin link USER OFFICER``: record ``UserLinked``."""
    return _recorded(_open(args).link(args.who, args.officer))


def _recorded(recorded: Recorded) -> int:
    print(f"recorded {recorded.kind} at position {recorded.position}", file=sys.stderr)
    _stale(recorded.stale)
    return 0


def retract(args: argparse.Namespace) -> int:
    """``caseledger retract POSITION --reason R``: record an ``EventRetracted``."""
    if not 1 <= args.position <= 2**63 - 1:
        raise DomainError("POSITION", f"{args.position} is not a log position")
    recorded = _open(args).retract(args.position, args.reason)
    print(f"retracted position {args.position} (the retraction is position {recorded.position})", file=sys.stderr)
    _stale(recorded.stale)
    return 0


def verify(args: argparse.Namespace) -> int:
    """``caseledger verify [--checkpoint FILE]``: exit 0 if intact, 1 naming the first break;
    with two checkpoints, the consistency proof between them."""
    checkpoints = args.checkpoint or []
    if args.public_key and not checkpoints:
        raise DomainError("--public-key", "pins the key a checkpoint is signed with: give --checkpoint FILE too")
    public_key = _public_key(args.public_key)
    if len(checkpoints) > 2:
        raise DomainError("--checkpoint", "give one checkpoint, or two (OLD and NEW) for a consistency proof")
    if len(checkpoints) == 2:
        if args.since_checkpoint or args.deep:
            raise DomainError("--checkpoint", "two checkpoints check the consistency proof between them alone (no --since-checkpoint, no --deep)")
        return _consistency(_open(args, payloads=False, witness=False), Path(checkpoints[0]), Path(checkpoints[1]), public_key)
    checkpoint = Path(checkpoints[0]) if checkpoints else None
    verified = _open(args, payloads=args.deep, witness=False).verify(checkpoint, public_key, since_checkpoint=args.since_checkpoint, deep=args.deep)
    verdict = verified.verdict
    if not verdict.macs_checked:
        print(
            "caseledger: the chain entries' MACs were not checked: this process does not hold the store's cache key (whose ledger key makes them); "
            "the public chain was",
            file=sys.stderr,
        )
    if not verdict.tree_checked and verdict.ok:
        print(
            "caseledger: the Merkle log was not checked against the events: it is not built yet (the store's owner builds it by opening the store "
            "with its keys), or some events could not be read here (an encrypted store read without its key: the stored leaves stood in)",
            file=sys.stderr,
        )
    if not verdict.ok:
        for found in verdict.breaks:
            print(f"BROKEN at {found.described()}")
        print(verified.headline())
        _print_quarantine(verified)
        return 1
    moved = verified.signer is not None and verified.signer.moved
    print(verified.headline(" from the checkpoint on" if args.since_checkpoint and not moved else ""))
    signer = verified.signer
    if signer is not None:
        signed_at = signer.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        matched = "its tree head matches (a moved copy: the chain head it signed is the source store's)" if signer.moved else "matches"
        print(
            f"checkpoint at position {signer.position} (signed {signed_at}) {matched}: signed by key {signer.fingerprint} "
            f"(pinned by {signer.pinned_by}: {for_terminal(str(signer.pin_file))})"
        )
    _print_quarantine(verified)
    if not verified.deep:
        return 0
    if verified.difference is not None:
        print(f"CACHE DIFFERS: {verified.difference}")
        return 1
    print("deep: every aggregate snapshot, world snapshot and read model equals its recomputation from the log")
    return 0


def _public_key(name: str | None) -> Path | None:
    if name and not Path(name).is_file():
        raise DomainError("--public-key", f"no file {name!r}")
    return Path(name) if name else None


def _consistency(ledger: Ledger, old: Path, new: Path, public_key: Path | None) -> int:
    proof = ledger.consistency(old, new, public_key)
    sizes = f"the tree of {proof.new.size} events extends the one of {proof.old.size}"
    print(f"consistency proof ({len(proof.path)} hashes): {sizes}" if proof.verified else f"INCONSISTENT: the store's tree does not show that {sizes}")
    for node in proof.path:
        print(node.hex())
    return 0 if proof.verified else 1


def prove(args: argparse.Namespace) -> int:
    """``caseledger prove POSITION --checkpoint F``: the inclusion proof as JSON; exit 1 if it does not verify."""
    proof = _open(args, payloads=True, witness=False).prove(args.position, Path(args.checkpoint), _public_key(args.public_key))
    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(proof.document()), indent=2) + b"\n")
    if not proof.verified:
        print(f"caseledger: the proof of position {args.position} does not lead to the checkpoint's root", file=sys.stderr)
        return 1
    return 0


def verify_file(args: argparse.Namespace) -> int:
    """``caseledger verify-file EVENTS.jsonl --checkpoint F``: no store is opened."""
    with open_regular(Path(args.file), "EVENTS.jsonl") as handle:
        checked = check_file(capped_lines(handle), Path(args.checkpoint), _public_key(args.public_key))
    if not checked.matches:
        print(f"DIFFERS: {for_terminal(checked.reason)}")
        return 1
    more = f"; {checked.events - checked.size} more events follow it" if checked.events > checked.size else ""
    print(f"ok: the first {checked.size} events of {for_terminal(args.file)} are the log the checkpoint signed{more}")
    return 0


def _print_quarantine(verified: Verification) -> None:
    """The events the read side quarantined, one line each, or why they could not be listed."""
    for event in verified.quarantined:
        print(for_terminal(quarantine_line(event)))
    if verified.unlisted is not None:
        print(f"caseledger: the quarantined events were not listed: {for_terminal(verified.unlisted)}", file=sys.stderr)


def checkpoint(args: argparse.Namespace) -> int:
    """``caseledger checkpoint``: sign the verified chain head with a key kept outside the store."""
    output = _file(args.output)
    signed = _open(args, payloads=False).checkpoint(Path(args.key) if args.key else None, output=output, force=args.force)
    made = signed.checkpoint
    if signed.new_key is not None:
        print(
            f"caseledger: created a new signing key {for_terminal(str(signed.new_key))} (keep it off the database host; "
            "its public half is what verify --public-key pins)",
            file=sys.stderr,
        )
    if made.quarantined:
        print(
            f"caseledger: signed over {len(made.quarantined)} events outside the chain, each quarantined (named in the checkpoint): "
            f"positions {', '.join(map(str, made.quarantined))}",
            file=sys.stderr,
        )
    if output is not None:
        print(f"checkpoint of position {made.position} written to {for_terminal(output)}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(checkpoint_document(made))
    return 0


def _file(output: str | None) -> str | None:
    """The file an ``--output`` names: None for standard output (``-``, as for most tools, or none)."""
    return None if output in (None, "-") else output


def whoami(args: argparse.Namespace) -> int:
    """``caseledger whoami``: the login the store proves, its linked officer and its roles."""
    actor = _open(args).whoami()
    print(for_terminal(f"{actor.described()}; officer: {actor.officer or 'none linked'}"))
    return 0


def project(args: argparse.Namespace) -> int:
    """``caseledger project [--follow]``: bring the read models up to date — on a PostgreSQL store
    with roles, the projector login's job (user logins only read them)."""
    ledger = _open(args)
    reported = -1
    while True:
        position = ledger.project()
        if position != reported:  # following: a line when the log moved, not every interval
            print(f"read models at position {position}", file=sys.stderr)
            reported = position
        if not args.follow:
            return 0
        time.sleep(max(0.1, args.interval))


def init_roles(args: argparse.Namespace) -> int:
    """``caseledger admin init-roles``: on PostgreSQL, the group roles and their grants (the
    owner runs it); logins named are made members. Run again after adding logins."""
    print(_open(args).init_roles(users=args.users, admins=args.admins, projectors=args.projectors), file=sys.stderr)
    return 0
