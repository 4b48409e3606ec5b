"""A list of more than 50 rows or lines is refused beside the list, with every typed
value kept (intake-format.md §1, erratum 2026-12; #13 F5)."""

from django.urls import reverse

from screening.forms.history import MedicalHistoryForm
from screening.forms.lists import AllergiesForm
from screening.forms.sections import MAX_ROWS
from screening.models import AuditEvent
from tests.forms.posting import browser_post

MESSAGE = "at most 50 entries"


def _allergy_rows(count):
    rows = {"rows-TOTAL_FORMS": str(count), "asked": "rows"}
    for index in range(count):
        rows[f"rows-{index}-substance"] = f"allergen number {index}"
    return rows


def test_it_refuses_51_allergy_rows_beside_the_list_and_keeps_them__f5(
    client_as, intake
):
    client = client_as("intake_staff")
    url = reverse("screening:intake-section-edit", args=[intake.pk, "allergies"])
    section = intake.sections.get(kind="allergies")
    page = AllergiesForm(section=section, intake=intake, age=45)
    response = client.post(url, browser_post(page, **_allergy_rows(MAX_ROWS + 1)))
    assert response.status_code == 200
    body = response.content.decode()
    assert MESSAGE in body
    for index in range(MAX_ROWS + 1):
        assert f'value="allergen number {index}"' in body, index
    section.refresh_from_db()
    assert section.data is None or section.data.get("allergies") in (None, [])
    assert not AuditEvent.objects.filter(action="intake.updated").exists()


def test_it_saves_50_allergy_rows__f5(bind, intake):
    form = bind(AllergiesForm, **_allergy_rows(MAX_ROWS))
    assert form.is_valid(), form.blocks["rows"].formset.non_form_errors()


def test_it_refuses_51_other_conditions_beside_the_field__f5(bind):
    lines = "\n".join(f"condition {n}" for n in range(MAX_ROWS + 1))
    form = bind(MedicalHistoryForm, other_conditions=lines)
    assert not form.is_valid()
    assert MESSAGE in " ".join(form.errors["other_conditions"])
    assert form["other_conditions"].value() == lines
