"""Section forms for `scales`: the patient's scales, and the clinician-entered page.

Both pages write the one `scales` section and merge only their own keys; the section's
version check covers the whole section. Their instruments, items, fieldsets and
branching come from the declaration (screening/questionnaire/instruments/). The C-SSRS
screener and the MADRS total are clinician-entered: topics only, never the licensed
wording, and never the MADRS items (rule book §9).
"""

from typing import Any

from django.db.models import QuerySet

from screening import compiled, questionnaire
from screening.forms.declared import InstrumentsForm, declare
from screening.models import IntakeSection, SectionRevision
from screening.questionnaire.paths import relative_to_section


def _keys(slug: str) -> tuple[str, ...]:
    return questionnaire.page(slug).keys or ()


PATIENT_KEYS = _keys("scales")
CLINICIAN_KEYS = _keys("")


def last_change(
    section: IntakeSection,
    keys: tuple[str, ...],
    revisions: list[SectionRevision] | None = None,
) -> SectionRevision | None:
    """The latest saved revision that changed these keys (or their reasons).

    Its `saved_by` and `saved_at` say who entered the clinician-entered answers, when.
    `revisions` (the section's, by version, with saved_by) saves a query when the
    caller already read them.
    """
    last = None
    previous: Any = (dict.fromkeys(keys), {})
    if revisions is None:
        revisions = section_history(section)
    for revision in revisions:
        data = revision.data or {}
        reasons = {
            path: reason
            for path, reason in (revision.missing_reasons or {}).items()
            if relative_to_section("scales", path)[:1]
            and relative_to_section("scales", path)[0] in keys
        }
        current = ({key: data.get(key) for key in keys}, reasons)
        if current != previous:
            last = revision
        previous = current
    return last


def section_history(section: IntakeSection) -> list[SectionRevision]:
    """Every saved state of the section, oldest first, with who saved it.

    Compiled once (screening/compiled.py): the scales page reads it on every request
    to know whether the patient's answers were ever entered (#19)."""
    revisions = compiled.rows(section_history_query, section.pk)
    for revision in revisions:
        revision.section = section  # as the related manager leaves each
    return revisions


def section_history_query(section_id: Any) -> QuerySet[SectionRevision]:
    return (
        SectionRevision.objects.filter(section_id=section_id)
        .select_related("saved_by")
        .order_by("version")
    )


class ScalesForm(InstrumentsForm):
    slug = "scales"
    own_keys = PATIENT_KEYS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer_expected(
            first_time=last_change(self.section_row, PATIENT_KEYS) is None
        )

    def build(self) -> dict[str, Any]:
        return self.instrument_values()


class ClinicianScalesForm(InstrumentsForm):
    slug = ""
    own_keys = CLINICIAN_KEYS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entered = last_change(self.section_row, self.own_keys)
        self.offer_expected(first_time=self.entered is None)

    def build(self) -> dict[str, Any]:
        return self.instrument_values()


for _form in (ScalesForm, ClinicianScalesForm):
    declare(_form, _form.slug)
    _form.declare_paths()
