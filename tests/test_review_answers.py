"""Who entered each answer the summary shows, and where its value came from."""

from datetime import UTC, datetime

from django.contrib.auth.models import User

from screening.models import SectionRevision
from screening.review_answers import entry_of

SAVED = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def revision(origin: str, by: str, systolic: int) -> SectionRevision:
    return SectionRevision(
        data={"bp_systolic": systolic},
        origin=origin,
        saved_by=User(username=by),
        saved_at=SAVED,
    )


def test_an_answer_from_the_tablet_names_the_patient_and_who_started_the_session():
    revisions = {"vitals": [revision("self_report", "front-desk", 150)]}
    entry = entry_of("vitals.bp_systolic", revisions)
    assert entry is not None
    assert entry.by == "front-desk"
    assert entry.source == "patient, self-report, started by front-desk"


def test_a_typed_correction_after_the_tablet_is_the_typist_s_own():
    revisions = {
        "vitals": [
            revision("self_report", "front-desk", 150),
            revision("form", "nurse", 148),
        ]
    }
    entry = entry_of("vitals.bp_systolic", revisions)
    assert entry is not None
    assert (entry.by, entry.source) == ("nurse", "")
