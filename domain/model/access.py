"""Who may do what: the permission table of the specification ("Who may do what"), as rules over
the ledger's state.

A person is an :class:`Actor`: their login (proven by the store: the PostgreSQL login, or the
operating system login on SQLite), the officer their login is linked to (``UserLinked``) and the
roles they hold (``RoleGranted``/``RoleRevoked``, a supervisor's with its site). The first user
of an empty store — whoever records its first event — is an admin without a grant, so a new store
can be set up; everyone else holds what they are granted. Roles are events in the chained log,
so who could do what at any time can be replayed and audited.

Recording (:func:`authorize`) runs after validation, when the event's site and aggregate are
known; what needs neither (:func:`require_recording`) can be refused before anything is read. The table, row by row:

* add-on tasks, leave, CCLO contacts and case events for *own* cases: an officer (for their
  linked officer; a case is theirs while it is assigned to them), a supervisor of the site where
  the event happens, an admin;
* case events for any case at the site, admissions, assignments and coverage: a supervisor of
  the site, an admin;
* retraction: an officer their own entries within 24 hours of recording them; a supervisor
  any entry at their site; an admin any (a reason always: validation);
* registering sites and officers, moving officers, linking users, granting roles: an admin.

Reading (:func:`require_reader`) and exporting (:func:`export_sites`) are checked by each of the
application's use cases before it reads (:mod:`caseledger.application.ledger`). A refusal is an :class:`~caseledger.domain.errors.AccessRefused`
naming the rule; nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from caseledger.domain.errors import AccessRefused
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.aggregates import OffenderCase

OWN_ENTRY_WINDOW = dt.timedelta(hours=24)
"""How long after recording it an officer may retract their own entry."""

ADMINISTRATION: tuple[type[p.Payload], ...] = (p.SiteRegistered, p.OfficerRegistered, p.OfficerMoved, p.UserLinked, p.RoleGranted, p.RoleRevoked)
OFFICERS_OWN: tuple[type[p.Payload], ...] = (p.AddOnTaskLogged, p.LeaveStarted, p.LeaveEnded)
SUPERVISORS: dict[type[p.Payload], str] = {
    p.OffenderAdmitted: "admit offenders",
    p.CaseAssigned: "assign cases",
    p.CoverageStarted: "arrange coverage",
    p.CoverageEnded: "end coverage",
}
RECORDING_ROLES = ("officer", "supervisor", "admin")


@dataclass(frozen=True, slots=True)
class Actor:
    """A person as the ledger knows them: login, linked officer, roles."""

    login: str
    officer: str | None = None
    roles: frozenset[tuple[str, str | None]] = frozenset()
    first_user: bool = False
    """Recorded (or is about to record) the store's first event: an admin without a grant."""

    @property
    def admin(self) -> bool:
        return self.first_user or ("admin", None) in self.roles

    def holds(self, role: str) -> bool:
        return (role == "admin" and self.admin) or any(held == role for held, _site in self.roles)

    @property
    def supervised(self) -> frozenset[str]:
        """The sites this person supervises."""
        return frozenset(site for role, site in self.roles if role == "supervisor" and site)

    def supervises(self, site: str | None) -> bool:
        return site is not None and site in self.supervised

    @property
    def role_names(self) -> list[str]:
        """Every role held, for messages: ``officer``, ``supervisor of KPO``, ``admin``…"""
        names = sorted(f"{role} of {site}" if site else role for role, site in self.roles)
        if self.first_user and "admin" not in names:
            names.append("admin")  # the store's first user
        return names

    def described(self) -> str:
        """``po.brown (officer, supervisor of KPO)``, or ``eve (no role)``."""
        return f"{self.login} ({', '.join(self.role_names) or 'no role'})"


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    """What a retraction rule needs of the event it names."""

    at_site: str | None
    recorded_by: str
    recorded_at: dt.datetime
    kind: str = ""
    """The event's type name."""
    readable: bool = True
    """False for an event whose state does not decode (written around the program, quarantined
    by the read side): only its type and proven recorder are known, and only an admin retracts it."""


UNREADABLE_AT = dt.datetime.min.replace(tzinfo=dt.UTC)
"""The recording time given to an unreadable event: outside every officer's 24-hour window."""


def _refuse(actor: Actor, rule: str) -> AccessRefused:
    return AccessRefused(f"{rule}; {actor.described()}")


def authorize(actor: Actor, data: p.Payload, at_site: str | None, *, case: object, target: LoggedEntry | None, now: dt.datetime) -> None:
    """Refuse ``data`` unless ``actor`` may record it. ``at_site``: where it happens; ``case``:
    the offender's case it is appended to, if any; ``target``: the event a retraction names."""
    require_recording(actor, type(data))
    if actor.admin:
        return
    kind = type(data)
    name = kind.__name__
    if isinstance(data, p.EventRetracted):
        _retraction(actor, data.position, target, now)
        return
    if actor.supervises(at_site):
        return
    if kind in SUPERVISORS:
        raise _refuse(actor, f"only a supervisor of {at_site} or an admin may {SUPERVISORS[kind]} there")
    if kind in OFFICERS_OWN:
        officer = getattr(data, "officer", None)
        if actor.holds("officer") and officer == actor.officer:
            return
        raise _refuse(actor, f"only officer {officer} (their own login), a supervisor of {at_site} or an admin may record {name} for {officer}")
    assigned = case.officer if isinstance(case, OffenderCase) else None
    if actor.holds("officer") and assigned is not None and assigned == actor.officer:
        return
    raise _refuse(
        actor,
        f"only the case's officer ({assigned or 'none assigned'}), a supervisor of {at_site} or an admin may record {name} for {getattr(data, 'offender', '?')}",
    )


def require_recording(actor: Actor, kind: type[p.Payload] | None = None) -> None:
    """Refuse what no case or site could let ``actor`` record: anything, holding no recording role;
    ``kind`` (when given), an administration event, not being an admin. The rest of the table
    needs the entry placed (:func:`authorize`)."""
    if actor.admin:
        return
    if not any(actor.holds(role) for role in RECORDING_ROLES):
        raise _refuse(actor, "only an officer, a supervisor or an admin records events (an auditor or analyst reads)")
    if kind in ADMINISTRATION:
        raise _refuse(actor, "only an admin may register sites and officers, move officers, link users and grant roles")


ADMINISTRATION_NAMES = frozenset(kind.__name__ for kind in ADMINISTRATION)


def _retraction(actor: Actor, position: int, target: LoggedEntry | None, now: dt.datetime) -> None:
    """An officer: their own entry, within 24 hours. A supervisor: an entry at their site that a
    supervisor could have made — not an admin's registration, and not someone else's retraction
    (which would revive what they retracted). An unreadable entry: an admin only."""
    if target is not None and not target.readable:
        raise _refuse(actor, f"position {position} cannot be read (a {target.kind} written around the program, quarantined): only an admin may retract it")
    if target is not None and actor.holds("officer") and target.recorded_by == actor.login and now - target.recorded_at <= OWN_ENTRY_WINDOW:
        return
    site = target.at_site if target else None
    if target is not None and actor.supervises(site):
        if target.kind in ADMINISTRATION_NAMES:
            raise _refuse(actor, f"position {position} is a {target.kind}: only an admin may retract it")
        if target.kind != p.EventRetracted.__name__ or target.recorded_by == actor.login:
            return
        raise _refuse(actor, f"position {position} is {target.recorded_by}'s retraction: only they or an admin may retract it")
    raise _refuse(
        actor,
        f"an officer retracts only their own entries, within 24 hours; position {position} at {site or 'no site'} needs a supervisor of its site or an admin",
    )


def recordable(actor: Actor) -> list[str]:
    """The event types ``actor``'s roles may record at all (the forms offer these; whether a given
    case or officer is theirs is checked when it is recorded)."""
    if actor.admin:
        return list(p.PAYLOAD_TYPES)
    if not any(actor.holds(role) for role in RECORDING_ROLES):
        return []
    barred = set(ADMINISTRATION) | (set() if actor.supervised else set(SUPERVISORS))
    return [name for name, kind in p.PAYLOAD_TYPES.items() if kind not in barred]


READERS: dict[str, tuple[str, ...]] = {
    "officer screens": ("officer", "supervisor", "auditor", "admin"),
    "history": ("officer", "supervisor", "auditor", "admin"),
    "audit": ("officer", "supervisor", "auditor", "admin"),
    "verify": ("supervisor", "auditor", "admin"),
    "export": ("supervisor", "auditor", "analyst", "admin"),
    "export --identified": ("supervisor", "auditor", "admin"),
    "import": ("admin",),
    "rebuild": ("admin",),
    "init-roles": ("admin",),
}
"""Who may do each reading or administrative action (rows are narrowed further by site or case)."""

ACTION_WORDS = {
    "officer screens": "read an officer's week and caseload",
    "history": "read a case's history",
    "audit": "read the audit log",
    "verify": "verify or checkpoint the store",
    "export": "export projections",
    "export --identified": "export with offender ids (--identified)",
    "import": "import events",
    "rebuild": "rebuild the read models",
    "init-roles": "set up the database's roles",
}


def require_reader(actor: Actor, action: str) -> None:
    """Refuse ``action`` (a key of :data:`READERS`) unless a role of ``actor`` allows it."""
    allowed = READERS[action]
    if not any(actor.holds(role) for role in allowed):
        raise _refuse(actor, f"only {_either(allowed)} may {ACTION_WORDS[action]}")


def export_sites(actor: Actor, identified: bool) -> frozenset[str] | None:
    """The sites whose rows ``actor`` may export (None: every site), refusing what they may not."""
    require_reader(actor, "export --identified" if identified else "export")
    if actor.admin or actor.holds("auditor") or (actor.holds("analyst") and not identified):
        return None
    return actor.supervised


def require_officer_reader(actor: Actor, officer: str, site: str | None) -> None:
    """Refuse an officer's week and caseload (their cases by offender id) to anyone but that
    officer, a supervisor of their site, an auditor or an admin."""
    require_reader(actor, "officer screens")
    if not (actor.admin or actor.holds("auditor") or actor.supervises(site) or (actor.holds("officer") and actor.officer == officer)):
        raise _refuse(
            actor, f"only officer {officer} (their own login), a supervisor of their site, an auditor or an admin may read {officer}'s week and caseload"
        )


def may_read_case(actor: Actor, site: str | None, assigned: str | None) -> bool:
    """Whether ``actor`` may read the history of a case at ``site`` assigned to ``assigned``."""
    if actor.admin or actor.holds("auditor") or actor.supervises(site):
        return True
    return actor.holds("officer") and assigned is not None and assigned == actor.officer


def _either(roles: Iterable[str]) -> str:
    names = [f"an {role}" if role[0] in "aeiou" else f"a {role}" for role in roles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
