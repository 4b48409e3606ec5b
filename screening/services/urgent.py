"""The urgent pathway (issue #15; rule book §5.5, §8.6 and §11).

One urgent marker per intake, with two triggers read from a screening result:
- a flag marked urgent (today PSY-SUICIDE-HIGH): same-day safety assessment needed;
- PHQ-9 item 9 >= 1 while the C-SSRS screener is not recorded (`cssrs_risk` null): the
  C-SSRS is needed before the patient leaves. It changes no flag and no severity.

Every screening syncs the markers (a section save, an import, an addendum, a re-screen
after a publish), so the intake is at the top of the worklist from the moment the
answer is saved. A marker only closes by a clinician's act: recording the C-SSRS
(the C-SSRS trigger), or recording that the safety assessment was done or that the
answer was entered in error. A correction of the answers alone never clears it.
"""

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from screening import audit, compiled
from screening.models import Clinic, Intake, UrgentMarker

Trigger = UrgentMarker.Trigger
Resolution = UrgentMarker.Resolution

# What a clinician may record, by trigger. The C-SSRS trigger clears itself once a
# clinician has recorded a complete C-SSRS (the screener is clinician-entered, §8.6).
CLEARANCES: Final[dict[str, tuple[str, ...]]] = {
    Trigger.URGENT_FLAG: (Resolution.ASSESSMENT_DONE, Resolution.ENTERED_IN_ERROR),
    Trigger.CSSRS_NEEDED: (Resolution.ENTERED_IN_ERROR,),
}
# Shown on the worklist, so it stays short; the intake page shows the whole story.
LIST_LIMIT: Final = 100


class UrgentError(Exception):
    """A clearance refused; the message says what to do."""


def _sha256(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Triggers:
    """What one screening result says about the urgent pathway."""

    # trigger -> (rule codes, evidence hash)
    found: dict[str, tuple[list[str], str]]
    cssrs_recorded: bool


def triggers_of(result: dict[str, Any]) -> Triggers:
    """The urgent triggers a screening result sets (plain data in, plain data out)."""
    found: dict[str, tuple[list[str], str]] = {}
    urgent = [flag for flag in result.get("flags", []) if flag.get("urgent")]
    if urgent:
        codes = sorted(flag["code"] for flag in urgent)
        evidence = {
            flag["code"]: (flag.get("evidence") or {}).get("answers") for flag in urgent
        }
        found[Trigger.URGENT_FLAG] = (codes, _sha256(evidence))
    derived = result.get("derived") or {}
    cssrs_recorded = derived.get("cssrs_risk") is not None
    item9 = derived.get("phq9_item9")
    if isinstance(item9, int) and item9 >= 1 and not cssrs_recorded:
        found[Trigger.CSSRS_NEEDED] = ([], _sha256({"phq9_item9": item9}))
    return Triggers(found, cssrs_recorded)


def needs_sync(intake: Intake, triggers: Triggers) -> bool:
    """Whether the markers could change, decided without a query: with no trigger
    found, only an open C-SSRS trigger can close (markers close by a clinician's act),
    and only on an intake whose row says a marker is open. A row read before a
    concurrent save raised one errs on the safe side: the marker stays open."""
    return bool(triggers.found) or (triggers.cssrs_recorded and intake.is_urgent)


def do_sync_markers(batch: Iterable[tuple[Intake, Triggers]], *, by: User) -> None:
    """Raise and clear the markers of a batch of freshly screened intakes.

    Called inside the screening's transaction. One query reads the batch's markers,
    and only when a marker could change.
    """
    batch = [pair for pair in batch if needs_sync(*pair)]
    if not batch:
        return
    markers: dict[int, list[UrgentMarker]] = defaultdict(list)
    for marker in UrgentMarker.objects.filter(
        intake_id__in=[intake.pk for intake, _ in batch]
    ):
        markers[marker.intake_id].append(marker)
    now = timezone.now()
    raised, cleared, became_urgent, became_calm = [], [], [], []
    for intake, triggers in batch:
        own = markers[intake.pk]
        open_ = {m.trigger: m for m in own if m.is_open}
        seen = {(m.trigger, m.evidence_sha256) for m in own}
        was_urgent = bool(open_)
        cssrs_open = open_.pop(Trigger.CSSRS_NEEDED, None)
        if cssrs_open is not None and not triggers.cssrs_recorded:
            open_[Trigger.CSSRS_NEEDED] = cssrs_open
        elif cssrs_open is not None:
            cleared.append(cssrs_open.pk)
        for trigger, (codes, evidence) in triggers.found.items():
            if trigger in open_ or (trigger, evidence) in seen:
                continue  # open already, or cleared by a clinician for these answers
            open_[trigger] = UrgentMarker(raised_at=now)
            raised.append(
                UrgentMarker(
                    intake=intake,
                    clinic_id=intake.clinic_id,
                    trigger=trigger,
                    rule_codes=codes,
                    evidence_sha256=evidence,
                    raised_at=now,
                    raised_by=by,
                )
            )
        if open_ and not was_urgent:
            became_urgent.append(intake)
        elif was_urgent and not open_:
            became_calm.append(intake)
    if cleared:
        UrgentMarker.objects.filter(pk__in=cleared, cleared_at__isnull=True).update(
            cleared_at=now, cleared_by=by, resolution=Resolution.CSSRS_RECORDED
        )
    if raised:
        # A concurrent save may have raised the same marker: the constraint keeps one.
        UrgentMarker.objects.bulk_create(raised, ignore_conflicts=True)
    _set_urgent_since(became_urgent, now)
    _set_urgent_since(became_calm, None)


def do_raise_for_self_report(intake: Intake, *, item9: int, by: User) -> None:
    """PHQ-9 item 9 answered >= 1 on the tablet: the C-SSRS trigger opens the moment
    the answer is stored, before the answers reach the intake (issue #17). Its evidence
    is the one the screening at finish computes, so that screening opens no second
    marker; a C-SSRS already recorded means no trigger, as in triggers_of()."""
    screening = intake.current_screening
    derived = (screening.result.get("derived") or {}) if screening else {}
    recorded = derived.get("cssrs_risk") is not None
    if item9 < 1 or recorded:
        return
    found = {Trigger.CSSRS_NEEDED: ([], _sha256({"phq9_item9": item9}))}
    do_sync_markers([(intake, Triggers(found, recorded))], by=by)


def _set_urgent_since(intakes: list[Intake], value: Any) -> None:
    if not intakes:
        return
    Intake.objects.filter(pk__in=[intake.pk for intake in intakes]).update(
        urgent_since=value
    )
    for intake in intakes:
        intake.urgent_since = value


@transaction.atomic
def do_clear_marker(
    intake: Intake,
    *,
    trigger: str,
    resolution: str,
    note: str,
    by: User,
) -> UrgentMarker:
    """Record a clinician's clearance of one open trigger: who, when, a short note.

    The note stays with the intake; the audit row carries ids and codes only.
    """
    if resolution not in CLEARANCES.get(trigger, ()):
        raise UrgentError("Choose one of the listed actions.")
    if not note.strip():
        raise UrgentError("Write a short note: what was done, or what was wrong.")
    now = timezone.now()
    marker = (
        UrgentMarker.objects.select_for_update()
        .filter(intake=intake, trigger=trigger, cleared_at__isnull=True)
        .first()
    )
    if marker is None:
        raise UrgentError("This urgent marker is already cleared.")
    UrgentMarker.objects.filter(pk=marker.pk).update(
        cleared_at=now, cleared_by=by, resolution=resolution, note=note.strip()
    )
    marker.refresh_from_db()
    still_open = UrgentMarker.objects.filter(intake=intake, cleared_at__isnull=True)
    if not still_open.exists():
        _set_urgent_since([intake], None)
    audit.record_for_intake(
        audit.Event.REVIEW_ACKNOWLEDGED,
        intake,
        actor=by,
        target=marker,
        category="screening_summary",
    )
    return marker


# Reading


@dataclass
class OpenMarker:
    """An intake's urgent marker as shown: one per intake, with every open reason."""

    intake: Intake
    triggers: list[UrgentMarker]

    @property
    def reasons(self) -> list[str]:
        return [marker.get_trigger_display() for marker in self.triggers]

    @property
    def raised_at(self) -> Any:
        return min(marker.raised_at for marker in self.triggers)


def open_reasons(intake: Intake) -> list[str]:
    """Why the intake is urgent now (empty when it is not): one query, none when the
    intake row says no marker is open."""
    if not intake.is_urgent:
        return []
    return [
        marker.get_trigger_display()
        for marker in UrgentMarker.objects.filter(
            intake=intake, cleared_at__isnull=True
        ).order_by("raised_at")
    ]


def open_markers(intake: Intake) -> list[UrgentMarker]:
    if not intake.is_urgent:
        return []
    return list(
        UrgentMarker.objects.filter(intake=intake, cleared_at__isnull=True)
        .select_related("raised_by")
        .order_by("raised_at")
    )


def cleared_markers(intake: Intake) -> QuerySet[UrgentMarker]:
    return (
        UrgentMarker.objects.filter(intake=intake, cleared_at__isnull=False)
        .select_related("cleared_by")
        .order_by("-cleared_at")
    )


def list_open(clinic: Clinic, *, limit: int = LIST_LIMIT) -> list[OpenMarker]:
    """The clinic's urgent intakes, oldest marker first, whatever their status.

    One query over the open-marker partial index (clinic, raised_at), compiled once
    per process (screening/compiled.py): the worklist reads it on every request
    while a marker is open, and building it through the ORM cost more than running
    it (#19).
    """
    by_intake: dict[int, OpenMarker] = {}
    for marker in compiled.rows(_open_markers(limit), clinic.pk):
        entry = by_intake.setdefault(
            marker.intake_id, OpenMarker(marker.intake, triggers=[])
        )
        entry.triggers.append(marker)
    return list(by_intake.values())[:limit]


@functools.lru_cache(maxsize=8)
def _open_markers(limit: int) -> Callable[[Any], QuerySet[UrgentMarker]]:
    """The declaration of list_open()'s statement for a limit, by clinic id."""

    def open_markers(clinic_id: Any) -> QuerySet[UrgentMarker]:
        return (
            UrgentMarker.objects.filter(
                clinic=clinic_id,
                cleared_at__isnull=True,
                intake__patient__is_deleted=False,
            )
            .select_related("intake__patient", "intake__current_screening")
            .defer("intake__current_screening__result")
            .order_by("raised_at", "pk")[: limit * 2]
        )

    return open_markers
