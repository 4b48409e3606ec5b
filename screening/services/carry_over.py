"""Carry-over (#18): the next intake starts from the patient's last signed one.

What is carried is declared in screening/questionnaire/ (see carry_over.py there). A
carried section is a proposal until staff confirm it unchanged (one action, recorded
with who, when and which version) or save it edited; until then the intake cannot be
handed to the clinicians.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from screening import audit
from screening.models import (
    CarryState,
    Intake,
    IntakeSection,
    Patient,
    SectionRevision,
    SignOff,
)
from screening.questionnaire import carry_over
from screening.services.documents import section_value


class CarryOverError(Exception):
    """A carried section cannot be confirmed, or an intake cannot start from one."""


def get_carry_source(patient: Patient, *, before: date | None = None) -> Intake | None:
    """The patient's newest signed intake (its current version), dated before `before`.

    Only a signed intake is a source: its answers were reviewed. An addendum's
    chain counts once, through its active sign-off.
    """
    signed = Intake.objects.filter(
        patient=patient, signoff__status=SignOff.Status.ACTIVE
    )
    if before is not None:
        signed = signed.filter(intake_on__lt=before)
    return signed.order_by("-intake_on", "-pk").first()


def proposals(source: Intake) -> dict[str, Any]:
    """Each carried section's proposal for the next intake, by kind.

    Missing-data reasons are not carried: a question asked afresh starts without one,
    and a carried null (not asked then) is asked again.
    """
    sections = {s.kind: s for s in source.sections.all()}
    found = {}
    for declared in carry_over.carried_sections():
        section = sections.get(declared.name)
        if section is None or not section.is_saved:
            continue
        value = section_value(section, source)
        found[declared.name] = carry_over.carry(declared.name, value)
    return found


def mark_carried(
    intake: Intake, source: Intake, sections: list[IntakeSection], kinds: set[str]
) -> None:
    """Record on the new sections, and their first revisions, where they came from."""
    carried = [s for s in sections if s.kind in kinds]
    for section in carried:
        section.carried_from, section.carry_state = source, CarryState.PROPOSED
    IntakeSection.objects.bulk_update(carried, ["carried_from", "carry_state"])
    # Field history: each carried value's first revision names the intake it came from.
    SectionRevision.objects.filter(section__in=carried, version=1).update(
        origin="carried", carried_from=source
    )


def pending_sections(intake: Intake) -> list[IntakeSection]:
    """The carried sections still waiting to be confirmed or edited, in form order."""
    order = list(IntakeSection.Kind.values)
    pending = [s for s in intake.sections.all() if s.is_carried_proposal]
    return sorted(pending, key=lambda s: order.index(s.kind))


@transaction.atomic
def do_confirm_carried_section(
    section: IntakeSection, *, version: int, by: User
) -> IntakeSection:
    """Confirm a carried section's answers unchanged, as they stand at `version`."""
    if section.intake.is_signed:
        raise CarryOverError("A signed intake is not changed.")
    now = timezone.now()
    changed = IntakeSection.objects.filter(
        pk=section.pk, version=version, carry_state=CarryState.PROPOSED
    ).update(
        carry_state=CarryState.CONFIRMED,
        carry_confirmed_by=by,
        carry_confirmed_at=now,
        carry_confirmed_version=version,
    )
    if not changed:
        # Saved by someone since the page was opened, or confirmed already.
        raise CarryOverError(
            "This section was saved or confirmed since you opened it. Check the "
            "answers below, then confirm or save them."
        )
    section.carry_state = CarryState.CONFIRMED
    section.carry_confirmed_by, section.carry_confirmed_at = by, now
    section.carry_confirmed_version = version
    audit.record_for_intake(
        audit.Event.INTAKE_UPDATED,
        section.intake,
        actor=by,
        target=section,
        category=section.kind,
        object_version=version,
        # What was confirmed: the section version and the intake it was carried from.
        detail={"carried_over": "confirmed", "carried_from": section.carried_from_id},
    )
    return section


@dataclass(frozen=True)
class CarriedBanner:
    """What a carried section's page says about where its answers came from."""

    carried_on: date
    is_proposal: bool
    state: str
    asked_afresh: list[str]
    version: int


def carried_banner(section: IntakeSection) -> CarriedBanner | None:
    """The banner of a carried section's page; None for a section not carried."""
    if not section.carry_state or section.carried_from is None:
        return None
    return CarriedBanner(
        carried_on=section.carried_from.intake_on,
        is_proposal=section.is_carried_proposal,
        state=section.get_carry_state_display(),
        asked_afresh=carry_over.afresh_labels(section.kind),
        version=section.version,
    )
