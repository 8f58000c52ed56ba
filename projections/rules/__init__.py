"""Rule sets: caseload ratios, hours, complexity, release-plan lead, the working-day calendar and
deadlines (TOML, validated).

``current`` and ``proposed`` ship with the package; ``--rules PATH`` loads any other file of the
same shape. Numbers are never constants in code. Every export records the rule set's name and
the SHA-256 of the file's bytes, so a figure can always be traced to the rules that made it.
"""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import msgspec

from caseledger.domain.errors import DomainError, LedgerError
from caseledger.domain.inputs import RULES_FILE_CAP, read_regular
from caseledger.projections.rules.calendar import CalendarRules, WorkingDays, calendar_errors, pinpoint
from caseledger.projections.rules.deadlines import DeadlineRule, DeadlineRules, catalogue_errors

HERE = Path(__file__).resolve().parent
BUILT_IN = ("current", "proposed")

Ratio = Annotated[int, msgspec.Meta(ge=1, le=1000)]
Hours = Annotated[float, msgspec.Meta(ge=0, le=168)]


class RulesError(LedgerError):
    """A rules file is missing, is not TOML, or breaks the schema (the message names the field)."""


class InstitutionRatios(msgspec.Struct, forbid_unknown_fields=True):
    minimum: Ratio
    medium: Ratio
    maximum: Ratio


class Ratios(msgspec.Struct, forbid_unknown_fields=True):
    institution: InstitutionRatios
    ccc: Ratio


class CaseHours(msgspec.Struct, forbid_unknown_fields=True):
    institutional_po: Hours
    ccc_po: Hours
    community_po: Hours
    mai: Hours
    po_supervisor: Hours


class HoursRules(msgspec.Struct, forbid_unknown_fields=True):
    weekly: Annotated[float, msgspec.Meta(gt=0, le=168)]
    per_case: CaseHours


class ComplexityRules(msgspec.Struct, forbid_unknown_fields=True):
    per_factor: Annotated[float, msgspec.Meta(ge=0, le=10)]
    cap: Annotated[float, msgspec.Meta(ge=1, le=100)]


class ReleaseRules(msgspec.Struct, forbid_unknown_fields=True):
    minimum_plan_lead_days: Annotated[int, msgspec.Meta(ge=0, le=3650)]


class RuleSet(msgspec.Struct, forbid_unknown_fields=True):
    """One rule set, as its TOML file says."""

    name: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,99}$")]
    """Letters, digits, spaces and ``._()-`` only: the name is written into every export's
    provenance (a CSV's first line, a header), so it can hold no newline, quote or separator."""
    ratios: Ratios
    hours: HoursRules
    complexity: ComplexityRules
    release: ReleaseRules
    calendar: CalendarRules
    deadlines: DeadlineRules


class Rules:
    """A loaded rule set with its provenance and the derived numbers projections ask for."""

    def __init__(self, rule_set: RuleSet, sha256: str) -> None:
        self.set = rule_set
        self.name = rule_set.name
        self.sha256 = sha256
        self.weekly_hours = Fraction(str(rule_set.hours.weekly))
        self._multipliers: dict[int, Fraction] = {}
        self._calendars: dict[str | None, WorkingDays] = {}
        self._case_hours: dict[str, Fraction] = {}
        self._scaled: dict[int, int] = {}

    def ratio(self, kind: str, security_levels: tuple[str, ...]) -> int | None:
        """Offenders per officer at a site: the lowest ratio among a hybrid institution's levels,
        the CCC ratio, or None for a community office (hours-based)."""
        if kind == "institution":
            levels = self.set.ratios.institution
            return min(getattr(levels, level) for level in security_levels) if security_levels else None
        if kind == "ccc":
            return self.set.ratios.ccc
        return None

    def case_hours(self, role: str) -> Fraction:
        """Case hours per case per week for ``role`` (memoised: coverage asks once per officer-week)."""
        found = self._case_hours.get(role)
        if found is None:
            found = self._case_hours[role] = Fraction(str(getattr(self.set.hours.per_case, role)))
        return found

    @property
    def multiplier_scale(self) -> int:
        """A common denominator of every multiplier (of the per-factor step and the cap), so a
        caseload is weighted in integers (:func:`~caseledger.projections.replay.caseloads.weighted`)."""
        rules = self.set.complexity
        return math.lcm(Fraction(str(rules.per_factor)).denominator, Fraction(str(rules.cap)).denominator)

    def scaled_multiplier(self, factors: int) -> int:
        """The multiplier of a case with ``factors`` factors × :attr:`multiplier_scale` (an integer)."""
        found = self._scaled.get(factors)
        if found is None:
            found = self._scaled[factors] = int(self.multiplier(factors) * self.multiplier_scale)
        return found

    def multiplier(self, factors: int) -> Fraction:
        """The complexity multiplier of a case with ``factors`` complexity factors (memoised:
        it is asked once per case)."""
        found = self._multipliers.get(factors)
        if found is None:
            rules = self.set.complexity
            found = min(1 + Fraction(str(rules.per_factor)) * factors, Fraction(str(rules.cap)))
            self._multipliers[factors] = found
        return found

    @property
    def minimum_plan_lead_days(self) -> int:
        return self.set.release.minimum_plan_lead_days

    def deadline(self, name: str) -> DeadlineRule:
        rule: DeadlineRule = getattr(self.set.deadlines, name)
        return rule

    @property
    def due_soon_days(self) -> int:
        return self.set.deadlines.due_soon_days

    def working_days(self, province: str | None) -> WorkingDays:
        """The federal working days of a site in ``province`` (None: the default area day), less
        the closed days (one calendar per province, each year built once)."""
        found = self._calendars.get(province)
        if found is None:
            found = self._calendars[province] = WorkingDays(self.set.calendar, province, frozenset(self.set.deadlines.closed_days))
        return found


def parse_rules(content: bytes, origin: str) -> Rules:
    """Validate TOML ``content``; a :class:`RulesError` names ``origin`` and the broken field."""
    try:
        rule_set = msgspec.toml.decode(content, type=RuleSet)
    except msgspec.ValidationError as error:
        raise RulesError(f"{origin}: {pinpoint(str(error), msgspec.toml.decode(content))}") from None
    except (msgspec.DecodeError, UnicodeDecodeError, ValueError) as error:
        raise RulesError(f"{origin}: not valid TOML: {error}") from None
    except RecursionError:
        raise RulesError(f"{origin}: not a rules file: nested too deeply") from None
    errors = calendar_errors(rule_set.calendar) + catalogue_errors(rule_set.deadlines)
    if errors:
        raise RulesError(f"{origin}: {errors[0]}")
    return Rules(rule_set, hashlib.sha256(content).hexdigest())


def load_rules(name_or_path: str = "current") -> Rules:
    """``current``, ``proposed``, or the path of a rules TOML file (a regular file of at most 1 MiB)."""
    path = HERE / f"{name_or_path}.toml" if name_or_path in BUILT_IN else Path(name_or_path)
    try:
        content = read_regular(path, "--rules", RULES_FILE_CAP)
    except DomainError as error:
        raise RulesError(f"{name_or_path}: cannot read rules file: {error.rule}") from None
    rules = parse_rules(content, str(name_or_path))
    if name_or_path not in BUILT_IN and rules.name in BUILT_IN:
        raise RulesError(f"{name_or_path}: name: {rules.name!r} is a built-in rule set's name; a rules file must call itself something else")
    return rules
