"""The audit report's filter: its widgets are written in Python, its action options
kept from form to form (#19)."""

from screening.forms import inputs
from screening.forms.audit import AuditFilterForm, PatientLookupForm


def test_every_filter_shares_the_action_options_written_once():
    one, other = AuditFilterForm(), AuditFilterForm({"action": "auth.login"})

    assert one.fields["action"].widget.choices is other.fields["action"].widget.choices
    assert one.fields["action"].widget.has_declared_choices()
    assert str(one["action"]) != str(other["action"])  # each marks its own choice
    assert '<option value="auth.login" selected>' in str(other["action"])


def test_the_inputs_are_written_without_a_template():
    form = AuditFilterForm()
    lookup = PatientLookupForm(clinics=None)
    widgets = [form.fields[name].widget for name in form.fields if name != "action"]

    assert all(isinstance(widget, inputs.WrittenInput) for widget in widgets)
    assert isinstance(lookup.fields["mrn"].widget, inputs.WrittenInput)
