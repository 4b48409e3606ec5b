"""Template tags of the patient list: the search form and a row."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.forms import BoundField, Form
from django.utils.safestring import SafeString

from screening.forms.inputs import input_tag
from screening.links import pk_url
from screening.markup import escape

register = template.Library()

# The search form's fieldset as crispy-forms (bootstrap5) wrote Fieldset("Search",
# "q"), its whitespace included.
_SEARCH = (
    "\n\n<fieldset  \n    \n    > <legend>Search</legend> "
    '<div id="div_{id}" class="mb-3"> <label\n'
    '                for="{id}" class="form-label{required}">\n'
    "                {label}{asterisk} </label> {input} {errors}{help}"
    "</div> </fieldset>\n"
)
_ERRORS = '<div id="{id}_error" class="invalid-feedback"> {errors} </div> '
_ERROR = '<span id="error_{number}_{id}"><strong>{error}</strong></span>'
_ROW = '<tr>\n<td><a href="{}">{}</a></td>\n<td>{}</td>\n<td>{}</td>\n{}</tr>'
_HELP = '<div id="{id}_helptext" class="form-text">{help}</div> '


@register.simple_tag
def patient_search(form: Form) -> SafeString:
    """The patient search form's field in its fieldset: what `{% crispy %}` wrote for
    it, to the byte (tests/templatetags/test_patient_tags.py compares the two), for
    a tenth of its Python calls (#19: crispy's templates were an eighth of the list).
    """
    field = form["q"]
    auto_id = escape(field.auto_id)
    required = field.field.required
    errors = "".join(
        _ERROR.format(number=number, id=auto_id, error=escape(error))
        for number, error in enumerate(field.errors, start=1)
    )
    return SafeString(
        _SEARCH.format(
            id=auto_id,
            required=" requiredField" if required else "",
            label=escape(field.label),
            asterisk='<span class="asteriskField">*</span>' if required else "",
            input=_input(field),
            errors=_ERRORS.format(id=auto_id, errors=errors) if errors else "",
            # Help text is markup in crispy's templates (|safe).
            help=_HELP.format(id=auto_id, help=field.help_text)
            if field.help_text
            else "",
        )
    )


def _input(field: BoundField) -> str:
    """The field's <input> as Django's input.html writes it, with the classes crispy
    adds to the widget (its kind, form-control, is-invalid on an error) last."""
    widget = field.field.widget
    kind = type(widget).__name__.lower()
    css = widget.attrs.get("class", "")
    classes = css.split() if kind in css else [*css.split(), kind]
    for added in ["form-control", *(["is-invalid"] if field.errors else [])]:
        if added not in classes:
            classes.append(added)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs["id"] = field.auto_id
    final = widget.build_attrs({**widget.attrs, "class": " ".join(classes)}, attrs)
    value = widget.format_value(field.value())
    return input_tag(widget.input_type, field.html_name, value, final)


@register.simple_tag
def patient_rows(patients: Iterable[Any], *, show_clinic: bool) -> SafeString:
    """The list's rows, one patient_row each, between them the whitespace its
    template's loop wrote (the same markup to the byte): one tag for the fifty rows,
    not a loop and a tag per row (#19: they cost as much as writing the rows)."""
    return SafeString(
        ROW_GAP.join(
            patient_row(patient, show_clinic=show_clinic) for patient in patients
        )
    )


# The whitespace between two rows as `{% for %}` in the template wrote it.
ROW_GAP = "\n        \n          "


@register.simple_tag
def patient_row(patient: Any, *, show_clinic: bool) -> SafeString:
    """A row of the patient list: the name linking to the patient's page, the MRN,
    the date of birth ("Y-m-d", empty when not recorded) and, when the list spans
    clinics, the clinic.

    One tag per row: the list's 50 rows through the template's variables, filter and
    `{% url %}` were most of its rendering (#19). Only text is escaped: the link and
    the date are not (#19).
    """
    born = patient.date_of_birth
    return SafeString(
        _ROW.format(
            pk_url("screening:patient-detail", patient.pk),
            escape(patient.display_name),
            escape(patient.mrn),
            born.isoformat() if born else "",
            f"<td>{escape(patient.clinic.name)}</td>\n" if show_clinic else "",
        )
    )
