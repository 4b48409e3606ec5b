from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.timesince import timesince

from screening.templatetags.worklist_tags import waiting, worklist_cells, worklist_row

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def intake(**changes):
    patient = SimpleNamespace(mrn="A<1>", date_of_birth=date(1980, 5, 17))
    fields = {
        "patient": patient,
        "intake_on": date(2026, 12, 1),
        "created_at": datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        "status": "ready_for_review",
    }
    return SimpleNamespace(**{**fields, **changes})


def screening(absolute=0, relative=0, caution=0, not_evaluable=0):
    return SimpleNamespace(
        outcome="needs_clinician_review",
        absolute_count=absolute,
        relative_count=relative,
        caution_count=caution,
        not_evaluable_count=not_evaluable,
    )


def flags_cell(html: str) -> str:
    return html.split('<td data-label="Flags">')[1].split("</td>")[0]


def test_it_writes_each_cell_escaped_with_its_label():
    html = worklist_cells(intake(), screening(relative=1), NOW)

    assert '<td data-label="MRN">A&lt;1&gt;</td>' in html
    assert '<td class="text-nowrap" data-label="Born">1980-05-17</td>' in html
    assert '<td class="text-nowrap" data-label="Intake">2026-12-01</td>' in html
    assert '<td data-label="Waiting">2\xa0days, 3\xa0hours</td>' in html
    assert '<td data-label="Status">Ready for review</td>' in html
    assert 'data-outcome="needs_clinician_review">Needs clinician review' in html


def test_it_says_when_the_date_of_birth_is_not_recorded():
    patient = SimpleNamespace(mrn="A-1", date_of_birth=None)

    html = worklist_cells(intake(patient=patient), screening(), NOW)

    assert 'data-label="Born">not recorded</td>' in html


@pytest.mark.parametrize(
    ("counts", "cell"),
    [
        ({}, '<span class="small">none</span>'),
        (
            {"not_evaluable": 2},
            '<span class="small text-nowrap">2 not evaluable</span>',
        ),
        (
            {"absolute": 1, "caution": 3, "not_evaluable": 1},
            '<span class="badge worklist-severity worklist-severity-absolute">'
            "1 absolute</span>\n"
            '<span class="badge worklist-severity worklist-severity-caution">'
            "3 caution</span>\n"
            '<span class="small text-nowrap">1 not evaluable</span>',
        ),
    ],
)
def test_it_writes_a_badge_per_severity_then_what_is_not_evaluable(counts, cell):
    assert flags_cell(worklist_cells(intake(), screening(**counts), NOW)) == cell


def test_it_says_an_intake_is_not_screened_without_flags():
    html = worklist_cells(intake(), None, NOW)

    assert '<td data-label="Outcome">Not screened</td>' in html
    assert flags_cell(html) == ""


def listed(**changes):
    patient = SimpleNamespace(
        mrn="A<1>", date_of_birth=date(1980, 5, 17), display_name="Doe, <Jo>"
    )
    fields = {
        "pk": 12,
        "patient": patient,
        "is_urgent": False,
        "current_screening": screening(caution=2),
    }
    return intake(**{**fields, **changes})


def test_a_row_links_the_escaped_name_to_the_summary_and_names_the_mrn_unseen():
    row = worklist_row(listed(), NOW)

    url = reverse("screening:review-summary", args=[12])
    assert row.startswith('<tr class="worklist-row" data-intake="12">')
    assert (
        f'<a href="{url}">Doe, &lt;Jo&gt;<span class="visually-hidden">'
        ", MRN A&lt;1&gt;</span></a>"
    ) in row
    assert "urgent" not in row
    assert flags_cell(row) == (
        '<span class="badge worklist-severity worklist-severity-caution">'
        "2 caution</span>"
    )
    assert row.endswith("</tr>")


# The main list's rows as the worklist template wrote them, by a loop and by the tag.
LOOP = (
    "{% load worklist_tags %}<tbody>\n"
    "          {% for intake in rows %}\n"
    "            {% worklist_row intake now %}\n"
    "          {% endfor %}\n</tbody>"
)
ONE_TAG = (
    "{% load worklist_tags %}<tbody>\n"
    "          {% if rows %}\n"
    "            {% worklist_rows rows now %}\n"
    "          {% endif %}\n</tbody>"
)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_rows_tag_writes_what_the_loop_of_rows_wrote(count):
    rows = [listed(pk=12 + n, is_urgent=n == 1) for n in range(count)]
    context = Context({"rows": rows, "now": NOW})

    written = Template(ONE_TAG).render(context)

    assert written == Template(LOOP).render(context)
    assert written.count("<tr ") == count


def test_an_urgent_row_is_marked_before_the_name():
    row = worklist_row(listed(is_urgent=True), NOW)

    assert row.startswith('<tr class="worklist-row worklist-urgent" data-intake="12">')
    assert row.index('<span class="badge urgent-marker">Urgent</span>') < row.index(
        "Doe, &lt;Jo&gt;"
    )


def test_an_unknown_status_is_written_as_it_is_stored():
    html = worklist_cells(intake(status="<odd>"), None, NOW)

    assert '<td data-label="Status">&lt;odd&gt;</td>' in html


# Pairs where timesince's units turn: month ends, a leap day, a year, the same
# instant, the future, seconds and microseconds either side of a minute.
EDGES = [
    (datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC)),
    (datetime(2026, 1, 31, 10, tzinfo=UTC), datetime(2026, 2, 28, 9, 59, tzinfo=UTC)),
    (datetime(2026, 1, 31, 10, tzinfo=UTC), datetime(2026, 3, 31, 10, tzinfo=UTC)),
    (datetime(2025, 12, 6, 12, 0, tzinfo=UTC), NOW),
    (NOW, NOW),
    (NOW, datetime(2026, 12, 6, 11, 0, tzinfo=UTC)),
    (datetime(2026, 12, 6, 11, 58, 59, 999_999, tzinfo=UTC), NOW),
    (datetime(2026, 12, 6, 11, 59, 0, 1, tzinfo=UTC), NOW),
    (datetime(2019, 12, 6, 12, 0, 1, tzinfo=UTC), NOW),
]


def spread():
    """Deltas from a minute to six years, as the worklist's rows wait."""
    base = datetime(2026, 3, 31, 23, 30, 15, 500_000, tzinfo=UTC)
    for minutes in range(0, 6 * 366 * 24 * 60, 997):
        yield base - timedelta(minutes=minutes, seconds=minutes % 61), base


@pytest.mark.parametrize("language", ["en-gb", "es"])
def test_it_says_how_long_an_intake_waits_in_timesinces_words(language):
    with translation.override(language):
        for since, now in [*EDGES, *spread()]:
            assert waiting(since, now) == timesince(since, now), (since, now)


def test_it_counts_the_wait_in_the_time_zone_of_the_intake():
    since = datetime(2026, 1, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    now = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)

    assert waiting(since, now) == timesince(since, now)
