"""Substance use of clinical-reference.md §5.6-§5.7: SUD entry classes and recent
non-medical stimulant use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from screening.engine.dates import (
    is_less_than_months_ago,
    is_within_months,
    months_since,
    parse_date,
)

ACTIVE: Final = "active"
IN_REMISSION: Final = "in_remission"
UNKNOWN: Final = "unknown"

SUD_PATH: Final = "substance_use.substance_use_disorders"
NMU_PATH: Final = "substance_use.non_medical_use"
STIMULANTS: Final = ("cocaine", "amphetamine", "methamphetamine")
STIMULANT_WINDOW_MONTHS: Final = 3  # a design choice of the rule book (§5.7, §13)
SUD_ACTIVE_MONTHS: Final = 12  # DSM-5 early-remission window (U, §13)


def classify_sud_entry(entry: Mapping[str, Any], *, as_of: date) -> str:
    """The first matching row of the §5.6 table: the more active reading wins."""
    status = entry.get("status")
    last_met = entry.get("last_met_criteria")
    last_met_on = parse_date(last_met) if last_met else None
    if status in ("current", "early_remission"):
        return ACTIVE
    if last_met_on and is_less_than_months_ago(
        last_met_on, SUD_ACTIVE_MONTHS, as_of=as_of
    ):
        return ACTIVE
    if status == "sustained_remission" or last_met_on is not None:
        return IN_REMISSION
    return UNKNOWN


@dataclass(frozen=True)
class SudFindings:
    """Three-valued "an entry is ACTIVE / IN REMISSION", with the answers behind it."""

    any_active: bool | None
    any_in_remission: bool | None
    answers: dict[str, dict[str, Any]]
    missing: dict[str, Any]
    months_since_last_met: int | None


def sud_findings(
    entries: Sequence[Mapping[str, Any]] | None, *, as_of: date
) -> SudFindings:
    """Classify every non-tobacco entry (tobacco is ignored throughout, §5.6)."""
    if entries is None:
        return SudFindings(None, None, {}, {SUD_PATH: None}, None)
    answers: dict[str, dict[str, Any]] = {ACTIVE: {}, IN_REMISSION: {}}
    missing: dict[str, Any] = {}
    latest: date | None = None
    for index, entry in enumerate(entries):
        if entry.get("substance") == "tobacco":
            continue
        prefix = f"{SUD_PATH}[{index}]"
        last_met = entry.get("last_met_criteria")
        if last_met:
            latest = (
                max(latest, parse_date(last_met)) if latest else parse_date(last_met)
            )
        kind = classify_sud_entry(entry, as_of=as_of)
        if kind == UNKNOWN:
            missing[f"{prefix}.status"] = None
            missing[f"{prefix}.last_met_criteria"] = None
            continue
        answers[kind].update(
            {
                f"{prefix}.substance": entry.get("substance"),
                f"{prefix}.status": entry.get("status"),
                f"{prefix}.last_met_criteria": last_met,
            }
        )

    def decided(kind: str) -> bool | None:
        if answers[kind]:
            return True
        return None if missing else False

    return SudFindings(
        decided(ACTIVE),
        decided(IN_REMISSION),
        answers,
        missing,
        months_since(latest, as_of=as_of) if latest else None,
    )


@dataclass(frozen=True)
class StimulantUse:
    """Non-medical cocaine or amphetamine use within 3 months (§5.7), three-valued."""

    recent: bool | None
    answers: dict[str, Any]
    missing: dict[str, Any]


def recent_stimulant_use(
    entries: Sequence[Mapping[str, Any]] | None, *, as_of: date
) -> StimulantUse:
    """True if a stimulant was last used within 3 months; null if a date is missing."""
    if entries is None:
        return StimulantUse(None, {}, {NMU_PATH: None})
    answers: dict[str, Any] = {}
    missing: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        if entry.get("substance") not in STIMULANTS:
            continue
        prefix = f"{NMU_PATH}[{index}]"
        last_use = entry.get("last_use")
        if last_use is None:
            missing[f"{prefix}.last_use"] = None
        elif is_within_months(
            parse_date(last_use), STIMULANT_WINDOW_MONTHS, as_of=as_of
        ):
            answers[f"{prefix}.substance"] = entry["substance"]
            answers[f"{prefix}.last_use"] = last_use
    if answers:
        return StimulantUse(True, answers, missing)
    return StimulantUse(None if missing else False, answers, missing)
