from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from screening.templatetags.worklist_tags import worklist_cells, worklist_row

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def intake(**changes):
    patient = SimpleNamespace(mrn="A<1>", date_of_birth=date(1980, 5, 17))
    fields = {
        "patient": patient,
        "intake_on": date(2026, 12, 1),
        "created_at": datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        "get_status_display": lambda: "Ready for review",
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


def test_an_urgent_row_is_marked_before_the_name():
    row = worklist_row(listed(is_urgent=True), NOW)

    assert row.startswith('<tr class="worklist-row worklist-urgent" data-intake="12">')
    assert row.index('<span class="badge urgent-marker">Urgent</span>') < row.index(
        "Doe, &lt;Jo&gt;"
    )
