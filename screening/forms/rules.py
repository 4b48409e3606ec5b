"""Forms of the rule editor: rules, their test cases, clinic settings, the publish gate.

The forms check the shape of what was typed; the rule book's locks and the engine's
checks (screening/services/drafts.py) run again in the service, and their messages are
attached to the field they concern.
"""

import json
import re
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout
from django import forms

from screening.engine.rulesets import MAX_FACTS_DEPTH, OUTCOMES, json_problem
from screening.engine.settings import (
    ANTIDEPRESSANT_CLASSES,
    MAX_CLASS_LENGTH,
    RAISABLE_TO_ABSOLUTE,
    antidepressant_class_problem,
)
from screening.models import Rule, RulesetVersion
from screening.reauth import ReauthenticationFields
from screening.services import drafts, rule_locks, rulesets

MAX_IMPORT_BYTES = 1024 * 1024
# A ruleset/1 document nests rules, tests, facts and their values about 9 deep.
MAX_IMPORT_DEPTH = 16


def too_deep(max_depth: int) -> str:
    """json_problem's words for JSON too deep for Python to read at all."""
    return f"lists and objects are nested more than {max_depth} deep"


def _helper(*fieldsets: Fieldset) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fieldsets)
    return helper


class RevisionForm(forms.Form):
    """The draft revision a button was pressed on: the conditional UPDATE's version."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RuleForm(forms.Form):
    """A draft rule: condition, severity, texts, source and switch (rule book §6.1)."""

    code = forms.CharField(
        max_length=60,
        help_text="New codes only; capitals and hyphens, e.g. CLINIC-ECG-QTC. "
        "A code is never reused.",
    )
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Rule.Severity.choices)
    expression = forms.CharField(
        label="Condition",
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text="Fires when true over the fact vocabulary below, e.g. "
        "diazepam_equivalent_exact > 8. Unknown facts make the rule not evaluable.",
    )
    threshold_text = forms.CharField(
        label="Threshold in plain words",
        max_length=300,
        required=False,
        widget=forms.TextInput(),
        help_text="What the clinician reads instead of the condition, e.g. "
        '"BP above 140/90 (150/90 from age 65 under the EU guide)". On a locked '
        "rule it must state the condition's numbers (rule book §6.1).",
    )
    message = forms.CharField(
        label="Message on the flag", widget=forms.Textarea(attrs={"rows": 3})
    )
    source_title = forms.CharField(label="Source title", max_length=500)
    source_year = forms.CharField(label="Source year", max_length=20)
    source_section = forms.CharField(label="Section cited", max_length=100)
    source_url = forms.URLField(
        label="Source link", required=False, assume_scheme="https"
    )
    enabled = forms.BooleanField(
        label="Rule is switched on", required=False, initial=True
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, draft: RulesetVersion, rule: Rule | None, **kwargs: Any
    ) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for_rule(rule)
        super().__init__(*args, **kwargs)
        self.draft, self.rule = draft, rule
        self.fields["revision"].initial = draft.revision
        if rule is not None:
            del self.fields["code"]
            lock = rule_locks.lock_of(rule.code)
            if lock:
                self.fields["expression"].help_text = (
                    f"Locked: {rule.code} is {rule_locks.LOCK_REASONS[lock]} "
                    "(rule book §6.1)."
                )
        identity = [Field("code")] if rule is None else []
        self.helper = _helper(
            Fieldset("Rule", *identity, "title", "severity", "enabled"),
            Fieldset("Condition", "expression", "threshold_text"),
            Fieldset("What the flag says", "message"),
            Fieldset(
                "Source",
                "source_title",
                "source_year",
                "source_section",
                "source_url",
            ),
            "revision",
        )

    def rule_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "severity": data["severity"],
            "expression": data["expression"].strip(),
            "threshold_text": data["threshold_text"].strip(),
            "message": data["message"],
            "source": {
                "title": data["source_title"],
                "year": data["source_year"],
                "section": data["source_section"],
                "url": data["source_url"] or None,
            },
            "enabled": data["enabled"],
        }
        if self.rule is None:
            values["code"] = data["code"].strip()
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            problems = drafts.rule_problems(
                self.draft, self.rule_values(), rule=self.rule
            )
            add_problems(self, problems)
        return data


def initial_for_rule(rule: Rule) -> dict[str, Any]:
    source = rule.source or {}
    return {
        "title": rule.title,
        "severity": rule.severity,
        "expression": rule.expression,
        "threshold_text": rule.threshold_text,
        "message": rule.message,
        "source_title": source.get("title", ""),
        "source_year": source.get("year", ""),
        "source_section": source.get("section", ""),
        "source_url": source.get("url") or "",
        "enabled": rule.enabled,
    }


def add_problems(form: forms.Form, problems: dict[str | None, str]) -> None:
    """Attach service messages to the fields they name ("source" to its title)."""
    for name, message in problems.items():
        field = "source_title" if name == "source" else name
        form.add_error(field if field in form.fields else None, message)


class RuleTestForm(forms.Form):
    """One of a rule's own test cases: facts -> fired, silent or not evaluable."""

    name = forms.CharField(max_length=200)
    facts = forms.CharField(
        label="Facts (JSON)",
        widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
        help_text='Fact name to value, e.g. {"diazepam_equivalent_exact": "9"}; '
        "facts left out are unknown.",
    )
    settings = forms.CharField(
        label="Settings it assumes (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
        help_text='E.g. {"recent_cv_event_absolute": false}; settings left out are '
        "the rule book's defaults, whatever this draft's settings.",
    )
    expect = forms.ChoiceField(
        label="Expected",
        # A blank first choice, so an untouched extra row stays empty (not "changed").
        choices=[("", "---------")]
        + [(name, name.replace("_", " ")) for name in OUTCOMES],
    )

    def clean_facts(self) -> dict[str, Any]:
        try:
            facts = json.loads(self.cleaned_data["facts"])
        except RecursionError:  # nested deeper than Python reads
            problem: str | None = too_deep(MAX_FACTS_DEPTH)
        except ValueError:
            raise forms.ValidationError(
                'Write the facts as a JSON object, e.g. {"vitals.bp_systolic": 141}.'
            ) from None
        else:
            problem = json_problem(facts, max_depth=MAX_FACTS_DEPTH)
        if problem:
            raise forms.ValidationError(
                f"The facts cannot be used: {problem.rstrip('.')}."
            )
        if not isinstance(facts, dict):
            raise forms.ValidationError(
                "The facts must be a JSON object: {name: value, ...}."
            )
        return facts

    def clean_settings(self) -> dict[str, Any]:
        text = self.cleaned_data["settings"].strip()
        if not text:
            return {}
        try:
            settings = json.loads(text)
        except (RecursionError, ValueError):
            raise forms.ValidationError(
                'Write the settings as a JSON object, e.g. {"bp_guide_age_banded": '
                "true}, or leave them empty for the defaults."
            ) from None
        if not isinstance(settings, dict):
            raise forms.ValidationError(
                "The settings must be a JSON object: {name: value, ...}."
            )
        return settings


def label_row_fields(form: forms.Form, index: int | None) -> None:
    """Name each input of a table row for screen readers: "Agent, row 2".

    crispy's table layout shows the labels once, as column headers, and leaves the
    inputs themselves unnamed (WCAG 1.3.1, 4.1.2; axe "label" and "select-name").
    """
    row = "new row" if index is None else f"row {index + 1}"
    for name, field in form.fields.items():
        field.widget.attrs["aria-label"] = f"{form[name].label}, {row}"


class BaseRuleTestFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, rule: Rule, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = [
                {
                    **test,
                    "facts": json.dumps(test["facts"]),
                    "settings": json.dumps(test["settings"])
                    if "settings" in test
                    else "",
                }
                for test in rule.tests
            ]
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = "bootstrap5/table_inline_formset.html"

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        label_row_fields(form, index)

    def kept_forms(self) -> list[forms.Form]:
        """The filled rows not marked for removal, in order."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def tests(self) -> list[dict[str, Any]]:
        tests = []
        for form in self.kept_forms():
            data = form.cleaned_data
            test = {"name": data["name"], "facts": data["facts"]}
            if data["settings"]:  # stored only when the case assumes any
                test["settings"] = data["settings"]
            tests.append({**test, "expect": data["expect"]})
        return tests

    def clean(self) -> None:
        if any(self.errors):
            return
        problem = drafts.rule_tests_problem(self.rule, self.tests())
        if problem:
            attach_indexed(self, problem, "facts")


def attach_indexed(formset: BaseRuleTestFormSet, message: str, field: str) -> None:
    """Put an engine message naming `tests[i]` beside row i's field, else on top."""
    match = re.search(r"tests\[(\d+)\]", message)
    kept = formset.kept_forms()
    if match and int(match.group(1)) < len(kept):
        kept[int(match.group(1))].add_error(field, message)
    else:
        raise forms.ValidationError(message)


RuleTestFormSet = forms.formset_factory(
    RuleTestForm, formset=BaseRuleTestFormSet, extra=1, can_delete=True
)


class SettingsForm(forms.Form):
    """The clinic settings of rule book §6 (the two tables are formsets beside it)."""

    trd_min_weeks_at_dose = forms.TypedChoiceField(
        label="Weeks at dose for an adequate trial",
        choices=[(4, "4 (Delphi floor)"), (6, "6 (default)"), (8, "8 (stricter)")],
        coerce=int,
    )
    trd_failure_threshold = forms.ChoiceField(
        label="A trial failed when improvement was",
        choices=[
            ("lt50", "below 50 % (Canadian consensus, default)"),
            ("le25", "25 % or less (esketamine trials; needs the improvement)"),
        ],
    )
    trd_min_adherence_pct = forms.IntegerField(
        label="Minimum adherence, %", min_value=50, max_value=100
    )
    bp_guide_age_banded = forms.BooleanField(
        label="EU blood-pressure guide from age 65 (above 150/90)", required=False
    )
    recent_cv_event_absolute = forms.BooleanField(
        label="MI or revascularisation within 6 weeks is absolute (EU)",
        required=False,
    )
    severity_raised_to_absolute = forms.MultipleChoiceField(
        label="Raise to absolute",
        choices=[(code, code) for code in RAISABLE_TO_ABSOLUTE],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, draft: RulesetVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = draft.revision
        self.helper = _helper(
            Fieldset(
                "Treatment resistance (§7)",
                "trd_min_weeks_at_dose",
                "trd_failure_threshold",
                "trd_min_adherence_pct",
            ),
            Fieldset(
                "Where sources disagree (§6)",
                "bp_guide_age_banded",
                "recent_cv_event_absolute",
                "severity_raised_to_absolute",
            ),
            "revision",
        )


class FiniteDecimalField(forms.DecimalField):
    """A decimal that refuses NaN and infinity already when read.

    Django's DecimalField turns "sNaN" into Decimal("sNaN") and only refuses it in
    validate(); comparing it for has_changed() on a formset row raises InvalidOperation.
    """

    def to_python(self, value: Any) -> Decimal | None:
        number = super().to_python(value)
        if number is not None and not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class MinDoseForm(forms.Form):
    names = forms.CharField(
        label="Accepted names",
        help_text="Comma-separated, e.g. venlafaxine, venlafaxine xr",
    )
    agent = forms.CharField(max_length=100)
    drug_class = forms.CharField(
        label="Class",
        max_length=MAX_CLASS_LENGTH,
        help_text=f"An antidepressant class: {', '.join(ANTIDEPRESSANT_CLASSES)}, or "
        "a new lower-case word such as melatonergic (rule book §6).",
    )
    min_mg_per_day = FiniteDecimalField(
        label="Minimum mg/day", min_value=Decimal("0.0001"), decimal_places=4
    )

    def clean_drug_class(self) -> str:
        drug_class = self.cleaned_data["drug_class"].strip()
        problem = antidepressant_class_problem(drug_class)
        if problem:
            raise forms.ValidationError(f"The {problem}.")
        return drug_class

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "names": [
                name.strip() for name in data["names"].split(",") if name.strip()
            ],
            "agent": data["agent"],
            "class": data["drug_class"],
            "min_mg_per_day": data["min_mg_per_day"],
        }


class DiazepamForm(forms.Form):
    name = forms.CharField(
        label="Benzodiazepine", help_text="The first word of the name", max_length=100
    )
    mg_equivalent_to_10mg_diazepam = FiniteDecimalField(
        label="mg equal to diazepam 10 mg",
        min_value=Decimal("0.0001"),
        decimal_places=4,
    )

    def row(self) -> dict[str, Any]:
        return {
            "name": self.cleaned_data["name"],
            "mg_equivalent_to_10mg_diazepam": self.cleaned_data[
                "mg_equivalent_to_10mg_diazepam"
            ],
        }


class BaseTableFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = "bootstrap5/table_inline_formset.html"

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        label_row_fields(form, index)

    def kept_forms(self) -> list[forms.Form]:
        """The filled rows not marked for removal, in order."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [form.row() for form in self.kept_forms()]


MinDoseFormSet = forms.formset_factory(
    MinDoseForm, formset=BaseTableFormSet, extra=2, can_delete=True
)
DiazepamFormSet = forms.formset_factory(
    DiazepamForm, formset=BaseTableFormSet, extra=2, can_delete=True
)


def settings_initial(draft: RulesetVersion) -> dict[str, Any]:
    """The three forms' initial values from the draft's settings (defaults filled)."""
    values = rulesets.full_settings(draft)
    return {
        "settings": values,
        "doses": [
            {
                "names": ", ".join(row["names"]),
                "agent": row["agent"],
                "drug_class": row["class"],
                "min_mg_per_day": row["min_mg_per_day"],
            }
            for row in values["min_dose_table"]
        ],
        "diazepam": values["diazepam_equivalents"],
    }


class ApproveExpectationForm(forms.Form):
    """Approve a clinic test case's new result as its expectation, with a reason."""

    reason = forms.CharField(
        label="Why the new result is right",
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with your name, e.g. the decision or guidance it follows.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Fieldset("Approve the new result", "reason"))


class PublishForm(ReauthenticationFields):
    """Approve and publish: a reason, and the approver's password and current code."""

    reason = forms.CharField(
        label="Reason for publishing",
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the published version, with your name.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, draft: RulesetVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = draft.revision
        self.helper = _helper(
            Fieldset("Approve", "reason"),
            Fieldset("Confirm it is you", "password", "otp_token"),
            "revision",
        )


class ImportForm(forms.Form):
    document = forms.FileField(
        label="Ruleset file (ruleset/1 JSON)",
        help_text="A file exported from this app. It arrives as a draft and passes "
        "the same tests, preview and approval as any draft.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Fieldset("Import a ruleset", "document"))

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB.")
        try:
            document = json.loads(upload.read().decode("utf-8"))
        except RecursionError:  # nested deeper than Python reads
            problem: str | None = too_deep(MAX_IMPORT_DEPTH)
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError(
                "The file is not JSON. Choose a ruleset exported from this app."
            ) from None
        else:
            problem = json_problem(document, max_depth=MAX_IMPORT_DEPTH)
        if problem:
            raise forms.ValidationError(
                f"The file is not a ruleset this app can read: {problem.rstrip('.')}. "
                "Choose a ruleset exported from this app."
            )
        return document


class DiffForm(forms.Form):
    old = forms.ModelChoiceField(queryset=RulesetVersion.objects.none(), label="From")
    new = forms.ModelChoiceField(queryset=RulesetVersion.objects.none(), label="To")

    def __init__(
        self, *args: Any, versions: list[RulesetVersion], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the clinic's own versions and the default: never another clinic's.
        queryset = RulesetVersion.objects.filter(pk__in=[v.pk for v in versions])
        for name in ("old", "new"):
            self.fields[name].queryset = queryset
            self.fields[name].label_from_instance = lambda v: v.display_label
        self.helper = _helper(Fieldset("Compare two versions", "old", "new"))
