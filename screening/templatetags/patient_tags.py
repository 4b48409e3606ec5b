"""Template tags of the patient list: a row."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from screening.links import pk_url
from screening.markup import html

register = template.Library()


@register.simple_tag
def patient_row(patient: Any, *, show_clinic: bool) -> SafeString:
    """A row of the patient list: the name linking to the patient's page, the MRN,
    the date of birth ("Y-m-d", empty when not recorded) and, when the list spans
    clinics, the clinic.

    One tag per row: the list's 50 rows through the template's variables, filter and
    `{% url %}` were most of its rendering (#19).
    """
    born = patient.date_of_birth
    return html(
        '<tr>\n<td><a href="{}">{}</a></td>\n<td>{}</td>\n<td>{}</td>\n{}</tr>',
        pk_url("screening:patient-detail", patient.pk),
        patient.display_name,
        patient.mrn,
        born.isoformat() if born else "",
        html("<td>{}</td>\n", patient.clinic.name) if show_clinic else "",
    )
