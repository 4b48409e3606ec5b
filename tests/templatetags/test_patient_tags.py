from datetime import date
from types import SimpleNamespace

from django.urls import reverse

from screening.templatetags.patient_tags import patient_row


def patient(**changes):
    fields = {
        "pk": 7,
        "display_name": "O'Brien, <Ann>",
        "mrn": "A&1",
        "date_of_birth": date(1980, 5, 17),
        "clinic": SimpleNamespace(name="North <clinic>"),
    }
    return SimpleNamespace(**{**fields, **changes})


def test_it_links_the_escaped_name_to_the_patient_page():
    row = patient_row(patient(), show_clinic=False)

    url = reverse("screening:patient-detail", args=[7])
    assert f'<td><a href="{url}">O&#x27;Brien, &lt;Ann&gt;</a></td>' in row
    assert "<td>A&amp;1</td>" in row
    assert "<td>1980-05-17</td>" in row


def test_it_leaves_an_unrecorded_date_of_birth_empty():
    assert "<td></td>" in patient_row(patient(date_of_birth=None), show_clinic=False)


def test_it_names_the_clinic_only_when_the_list_spans_clinics():
    assert "North" not in patient_row(patient(), show_clinic=False)
    assert "<td>North &lt;clinic&gt;</td>" in patient_row(patient(), show_clinic=True)
    assert patient_row(patient(), show_clinic=True).count("<td>") == 4
