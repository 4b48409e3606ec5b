"""The clinicians' worklist: intakes by severity, paged by keyset (never OFFSET).

Order: most absolute flags first, then relative, then caution, then the oldest intake.
The sort key is a tuple of the current screening's columns, (absolute, relative,
caution, -intake id), read in descending order. Migration 0006 indexes exactly that
tuple, so a page is one index range scan that starts where the previous page ended
(`WHERE key < cursor`): as fast at page 40,000 as at page 1, and a row moving while the
user pages is never shown twice. The intake id is negated so that every column runs in
one direction, which a row comparison needs to use the index.
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from django.db import router
from django.db.models import BooleanField, Exists, F, OuterRef, QuerySet
from django.db.models.expressions import OrderBy, RawSQL

from screening import compiled
from screening.models import Clinic, Intake, ReReview, UrgentMarker

PAGE_SIZE: Final = 25
# The default filter: what needs a clinician now. The paged list holds the intakes
# ready for review; the worklist view puts the urgent intakes (whatever their status)
# and the open re-reviews above it.
NEEDS_CLINICIAN: Final = "needs_clinician"

# The indexed expression, written as in migration 0006 (the planner matches the text).
_KEY = (
    '("screening_screening"."absolute_count", "screening_screening"."relative_count", '
    '"screening_screening"."caution_count", (-"screening_screening"."intake_id"))'
)
_NEGATED_ID = '(-"screening_screening"."intake_id")'
# Rule book §2 ties each outcome to the counts: saying so in the query lets an outcome
# filter read only its part of the index instead of filtering every row it passes.
OUTCOME_KEY_RANGES: Final[dict[str, dict[str, int]]] = {
    "absolute_contraindication": {"current_screening__absolute_count__gte": 1},
    "needs_clinician_review": {"current_screening__absolute_count": 0},
    "no_flags": {
        "current_screening__absolute_count": 0,
        "current_screening__relative_count": 0,
        "current_screening__caution_count": 0,
    },
    "incomplete": {
        "current_screening__absolute_count": 0,
        "current_screening__relative_count": 0,
        "current_screening__caution_count": 0,
    },
}
# What a row shows (templatetags/worklist_tags.py), its cursor and its audit row
# name: not the records' other times and authors, each a column to load, nor the
# screening's result (#19).
ROW_FIELDS: Final = (
    "clinic",
    "patient",
    "intake_on",
    "status",
    "urgent_since",
    "created_at",
    "current_screening",
    "patient__clinic",
    "patient__mrn",
    "patient__family_name",
    "patient__given_name",
    "patient__date_of_birth",
    "current_screening__outcome",
    "current_screening__absolute_count",
    "current_screening__relative_count",
    "current_screening__caution_count",
    "current_screening__not_evaluable_count",
)
_CURSOR = re.compile(r"^(\d{1,5})\.(\d{1,5})\.(\d{1,5})\.(\d{1,18})$")


@dataclass(frozen=True)
class Cursor:
    """A position in the worklist order: the sort key of one row."""

    absolute: int
    relative: int
    caution: int
    intake_id: int

    @classmethod
    def of(cls, intake: Intake) -> "Cursor":
        screening: Any = intake.current_screening  # never None: see current_screenings
        return cls(
            screening.absolute_count,
            screening.relative_count,
            screening.caution_count,
            intake.pk,
        )

    @classmethod
    def parse(cls, text: str) -> "Cursor | None":
        match = _CURSOR.match(text or "")
        if match is None:
            return None
        return cls(*(int(group) for group in match.groups()))

    def __str__(self) -> str:
        return f"{self.absolute}.{self.relative}.{self.caution}.{self.intake_id}"

    @property
    def params(self) -> list[int]:
        return [self.absolute, self.relative, self.caution, -self.intake_id]


@dataclass
class WorklistPage:
    rows: list[Intake]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None


def current_screenings(
    clinic: Clinic | int, *, status: str = "", outcome: str = ""
) -> QuerySet[Intake]:
    """The clinic's intakes joined to their current screening, which holds the counts
    the worklist sorts by.

    The join is the single condition intake.current_screening_id = screening.id: with
    the foreign key back from the screening as a second condition, PostgreSQL
    multiplies both selectivities, expects one row and sorts everything.
    """
    rows = Intake.objects.filter(
        clinic=clinic, current_screening__isnull=False, patient__is_deleted=False
    )
    if status == NEEDS_CLINICIAN:
        rows = rows.filter(status=Intake.Status.READY_FOR_REVIEW)
    elif status:
        rows = rows.filter(status=status)
    if outcome:
        rows = rows.filter(
            current_screening__outcome=outcome, **OUTCOME_KEY_RANGES.get(outcome, {})
        )
    return rows.select_related("patient", "current_screening").only(*ROW_FIELDS)


def _ordered(rows: QuerySet[Intake], *, descending: bool) -> QuerySet[Intake]:
    negated_id = RawSQL(_NEGATED_ID, [])  # noqa: S611 - constant SQL
    fields = (
        "current_screening__absolute_count",
        "current_screening__relative_count",
        "current_screening__caution_count",
    )
    if descending:
        return rows.order_by(
            *(F(name).desc() for name in fields),
            OrderBy(negated_id, descending=True),
        )
    return rows.order_by(*(F(name).asc() for name in fields), OrderBy(negated_id))


def _beyond(cursor: Cursor, *, after: bool) -> RawSQL:
    operator = "<" if after else ">"
    # Constant SQL; the cursor's four integers are bound parameters.
    return RawSQL(  # noqa: S611 - constant SQL, bound integers
        f"{_KEY} {operator} (%s, %s, %s, %s)",
        cursor.params,
        output_field=BooleanField(),
    )


@functools.lru_cache(maxsize=64)
def _first_page(status: str, outcome: str, size: int) -> Callable[[Any], QuerySet[Any]]:
    """The declaration of a filter's first page, by clinic id. Its statement is
    compiled once per process (screening/compiled.py): the first page is the one
    most requests ask for, and building it through the ORM cost as much as running
    it (#19). The filters' values are few (the filter form's choices)."""

    def first_page(clinic_id: Any) -> QuerySet[Any]:
        rows = current_screenings(clinic_id, status=status, outcome=outcome)
        return _ordered(rows, descending=True)[: size + 1]

    return first_page


def list_worklist_page(
    clinic: Clinic,
    *,
    status: str = "",
    outcome: str = "",
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> WorklistPage:
    """One page of the worklist, after or before a cursor; one query."""
    if after is None and before is None:
        found = compiled.rows(_first_page(status, outcome, size), clinic.pk)
        return WorklistPage(
            rows=found[:size],
            next_cursor=Cursor.of(found[size - 1]) if len(found) > size else None,
            previous_cursor=None,
        )
    rows: Any = current_screenings(clinic, status=status, outcome=outcome)
    if before is not None:
        # Walk backwards from the cursor, then show the page in worklist order.
        found = list(
            _ordered(rows.filter(_beyond(before, after=False)), descending=False)[
                : size + 1
            ]
        )
        has_more = len(found) > size
        page = list(reversed(found[:size]))
        return WorklistPage(
            rows=page,
            next_cursor=Cursor.of(page[-1]) if page else None,
            previous_cursor=Cursor.of(page[0]) if page and has_more else None,
        )
    found = list(
        _ordered(rows.filter(_beyond(after, after=True)), descending=True)[: size + 1]
    )
    page = found[:size]
    return WorklistPage(
        rows=page,
        next_cursor=Cursor.of(page[-1]) if len(found) > size else None,
        previous_cursor=Cursor.of(page[0]) if page else None,
    )


@dataclass(frozen=True)
class OpenLists:
    """Whether the lists above the worklist have rows: open urgent markers, open
    re-reviews."""

    urgent: bool
    rereviews: bool


def open_lists(clinic: Clinic) -> OpenLists:
    """Which of the two lists above the worklist have open rows: one short statement.

    Most of the time neither has any, and each list's own query (joined to its
    intakes, patients and screenings) cost more to build and plan than this costs to
    run (#19); the lists are read only when this says they have rows. The statement is
    compiled once per process (screening/compiled.py).
    """
    row = compiled.first_row(
        open_lists_query,
        (compiled.PLACEHOLDER_PK,),
        (clinic.pk,),
        router.db_for_read(Clinic),
    )
    return OpenLists(bool(row[0]), bool(row[1])) if row else OpenLists(False, False)


def open_lists_query(clinic_id: Any) -> QuerySet[Any]:
    """The one declaration of open_lists()' statement: an EXISTS over each list's
    partial index of open rows (migration 0011)."""
    return (
        Clinic.objects.filter(pk=clinic_id)
        .order_by()
        .values_list(
            Exists(
                UrgentMarker.objects.filter(
                    clinic=OuterRef("pk"), cleared_at__isnull=True
                )
            ),
            Exists(
                ReReview.objects.filter(clinic=OuterRef("pk"), closed_at__isnull=True)
            ),
        )
    )
