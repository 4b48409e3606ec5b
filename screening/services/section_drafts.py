"""Section drafts (security.md T-SES-06, #13 F15): keep, restore and discard typing.

A draft holds a section page's fields as the browser posted them, for one user and
one section. It is no answer: never screened, never counted, never exported; only the
person who typed it sees it again, on the same page. Its audit row says that a draft
of which section was written, never what it holds.
"""

from datetime import timedelta
from typing import Any, Final

from django.contrib.auth.models import User
from django.db import router, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from screening import audit, compiled
from screening.models import IntakeSection, SectionDraft

# A draft left this long is dropped: long enough for a weekend between two visits,
# short enough that nobody is handed a week-old half-typed page as if it were fresh.
DRAFT_RETENTION: Final = timedelta(days=3)

# Posted fields that are no part of what was typed.
NOT_TYPED: Final = frozenset({"csrfmiddlewaretoken", "add_row", "continue"})


class DraftOfSignedIntakeError(Exception):
    """A signed intake takes no drafts: it is never edited again."""


class StaleDraftError(Exception):
    """The draft was typed on an older version of the section: it was saved since
    (a background post that arrives after the page's own save is not kept)."""


def typed_fields(posted: QueryDict) -> dict[str, list[str]]:
    """The page's fields as posted, every value of each, without the form's tokens."""
    return {name: posted.getlist(name) for name in posted if name not in NOT_TYPED}


@transaction.atomic
def do_save_draft(
    section: IntakeSection,
    fields: dict[str, list[str]],
    *,
    by: User,
) -> SectionDraft:
    """Keep (or replace) this user's draft of the section; audited without values."""
    intake = section.intake
    if intake.is_signed:
        raise DraftOfSignedIntakeError
    # Locked: a save of the section in progress finishes first, then this sees it.
    current = IntakeSection.objects.select_for_update().get(pk=section.pk)
    if fields.get("version") != [str(current.version)]:
        raise StaleDraftError
    draft, _ = SectionDraft.objects.update_or_create(
        section=section,
        user=by,
        defaults={"fields": fields, "saved_at": timezone.now()},
    )
    audit.record_for_intake(
        audit.Event.INTAKE_DRAFT_SAVED,
        intake,
        actor=by,
        target=section,
        category=section.kind,
        object_version=section.version,
    )
    purge_expired_drafts()
    return draft


def purge_expired_drafts() -> int:
    """Drop every draft older than DRAFT_RETENTION; how many were dropped."""
    cutoff = timezone.now() - DRAFT_RETENTION
    deleted, _ = SectionDraft.objects.filter(saved_at__lt=cutoff).delete()
    return deleted


def draft_for(section: IntakeSection, user: Any) -> SectionDraft | None:
    """This user's draft of the section, unless past its retention or superseded.

    Superseded: typed on an older version that this user has saved since (a
    background post that raced the page's own save). A draft typed before someone
    else's save is kept: the save of it then shows both versions (the conflict page).
    """
    alias = router.db_for_read(SectionDraft)
    # Compiled once (screening/compiled.py): every section page asks, and building
    # the statement cost more than running it (#19). At most one draft a user and
    # section (a unique constraint); past its retention it is as good as gone.
    found = compiled.first_row(
        _draft_query, _DRAFT_PLACEHOLDERS, (section.pk, user.pk), alias
    )
    if found is None:
        return None
    pk, fields, saved_at = found
    if saved_at < timezone.now() - DRAFT_RETENTION:
        return None
    draft = SectionDraft(
        pk=pk, section=section, user_id=user.pk, fields=fields, saved_at=saved_at
    )
    draft._state.adding, draft._state.db = False, alias  # a stored row, as read
    typed_on = draft.fields.get("version", [""])[0]
    if section.updated_by_id == user.pk and typed_on != str(section.version):
        draft.delete()
        return None
    return draft


_DRAFT_PLACEHOLDERS: Final = (compiled.PLACEHOLDER_PK, compiled.PLACEHOLDER_PK - 1)


def _draft_query(section_id: Any, user_id: Any) -> QuerySet[Any]:
    """A user's draft of a section: its id, fields and time (draft_for)."""
    return SectionDraft.objects.filter(
        section_id=section_id, user_id=user_id
    ).values_list("pk", "fields", "saved_at")


def as_posted(draft: SectionDraft) -> QueryDict:
    """The draft as the form's data, as if the page had been posted."""
    data = QueryDict(mutable=True)
    for name, values in draft.fields.items():
        data.setlist(name, [str(value) for value in values])
    return data


def discard_draft(section: IntakeSection, user: Any) -> None:
    """Forget the user's draft of the section (it was saved)."""
    SectionDraft.objects.filter(section=section, user=user).delete()
