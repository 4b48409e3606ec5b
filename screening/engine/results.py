"""The screening result of clinical-reference.md §2 and §11, and its JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

SEVERITIES: Final = ("absolute", "relative", "caution", "info")
REVIEW_SEVERITIES: Final = frozenset({"absolute", "relative", "caution"})

ABSOLUTE_CONTRAINDICATION: Final = "absolute_contraindication"
NEEDS_CLINICIAN_REVIEW: Final = "needs_clinician_review"
NO_FLAGS: Final = "no_flags"


@dataclass(frozen=True)
class Source:
    """One cited source (§11, §12); year is always a string."""

    title: str
    year: str
    section: str
    url: str | None

    def to_json(self) -> dict[str, Any]:
        """The §11 `source` object."""
        return {
            "title": self.title,
            "year": self.year,
            "section": self.section,
            "url": self.url,
        }


@dataclass(frozen=True)
class Evidence:
    """The answers that fired a flag, the threshold and the settings it read."""

    answers: Mapping[str, Any]
    threshold: str | None
    settings: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The §11 `evidence` object (values already JSON-ready)."""
        return {
            "answers": dict(self.answers),
            "threshold": self.threshold,
            "settings": dict(self.settings),
        }


@dataclass(frozen=True)
class Flag:
    """A fired rule, with its effective severity."""

    code: str
    severity: str
    title: str
    message: str
    evidence: Evidence
    source: Source
    urgent: bool
    ruleset_version: str

    def to_json(self) -> dict[str, Any]:
        """The §11 flag object."""
        return {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "message": self.message,
            "evidence": self.evidence.to_json(),
            "source": self.source.to_json(),
            "urgent": self.urgent,
            "ruleset_version": self.ruleset_version,
        }


@dataclass(frozen=True)
class NotEvaluable:
    """A rule that neither fired nor stayed silent, with the field paths it needs."""

    code: str
    severity: str
    needs: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The §11 `not_evaluable` entry."""
        return {"code": self.code, "needs": list(self.needs)}


# A screening makes a handful of these frozen objects; the functions below make the
# same objects as the classes do, without the frozen dataclass's guarded assignment
# of each field (issue #19: what the trace costs).


def evidence_of(
    answers: Mapping[str, Any], threshold: str | None, settings: Mapping[str, Any]
) -> Evidence:
    """Evidence(answers, threshold, settings)."""
    evidence: Evidence = object.__new__(Evidence)
    evidence.__dict__.update(answers=answers, threshold=threshold, settings=settings)
    return evidence


def flag_of(fields: Mapping[str, Any], evidence: Evidence) -> Flag:
    """The Flag of a fired rule from the fields its rule fixes (Ruleset.flag_fields)
    and its evidence."""
    flag: Flag = object.__new__(Flag)
    values = flag.__dict__
    values.update(fields)
    values["evidence"] = evidence
    return flag


def not_evaluable_of(code: str, severity: str, needs: tuple[str, ...]) -> NotEvaluable:
    """NotEvaluable(code, severity, needs)."""
    item: NotEvaluable = object.__new__(NotEvaluable)
    item.__dict__.update(code=code, severity=severity, needs=needs)
    return item


def outcome_of(flags: tuple[Flag, ...], not_evaluable: tuple[NotEvaluable, ...]) -> str:
    """§2: absolute first; then a relative/caution flag or a not-evaluable rule."""
    severities = {flag.severity for flag in flags}
    if "absolute" in severities:
        return ABSOLUTE_CONTRAINDICATION
    severities.update(item.severity for item in not_evaluable)
    if not severities.isdisjoint(REVIEW_SEVERITIES):
        return NEEDS_CLINICIAN_REVIEW
    return NO_FLAGS


@dataclass(frozen=True)
class ScreeningResult:
    """The result of screening one intake with one ruleset version."""

    outcome: str
    ruleset_version: str
    flags: tuple[Flag, ...]
    not_evaluable: tuple[NotEvaluable, ...]
    derived: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The §11 JSON object; every value is JSON-serialisable."""
        return {
            "outcome": self.outcome,
            "ruleset_version": self.ruleset_version,
            "flags": [flag.to_json() for flag in self.flags],
            "not_evaluable": [item.to_json() for item in self.not_evaluable],
            "derived": dict(self.derived),
        }
